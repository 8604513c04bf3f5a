// SPDX-License-Identifier: GPL-2.0
/*
 * kvclient: the host-side client of the kvstore guest.
 *
 *   kvclient HOST:PORT ping [SECONDS]        wait until the service answers
 *   kvclient HOST:PORT put COUNT PREFIX [ACKED_FILE]
 *                  write keys PREFIX-0 .. PREFIX-(COUNT-1); every write the
 *                  service acknowledged is appended to ACKED_FILE as "key value"
 *   kvclient HOST:PORT check ACKED_FILE      read every acknowledged key back
 *   kvclient HOST:PORT get KEY
 *   kvclient HOST:PORT quit
 *
 * "check" prints "checked N lost L wrong W" and fails unless both are 0:
 * a lost acknowledged write is exactly what failover must never produce.
 * Requests are retried until answered (UDP), so PUT must be idempotent,
 * which it is.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RETRY_MS	300
#define DEADLINE_MS	30000

static int sock;
static unsigned long next_id;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int connect_to(const char *addr)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *ai;
	char host[256];
	const char *colon = strrchr(addr, ':');
	int r;

	if (!colon || (size_t)(colon - addr) >= sizeof(host)) {
		fprintf(stderr, "kvclient: address must be HOST:PORT\n");
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	r = getaddrinfo(host, colon + 1, &hints, &ai);
	if (r) {
		fprintf(stderr, "kvclient: %s: %s\n", addr, gai_strerror(r));
		return -1;
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, ai->ai_addr, ai->ai_addrlen)) {
		fprintf(stderr, "kvclient: %s: %s\n", addr, strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

/*
 * Send "ID REQUEST" until an answer with the same ID arrives or @deadline_ms
 * passes; the answer, without its ID, goes to @out.
 */
static int call(const char *request, char *out, size_t outlen, long deadline_ms)
{
	char msg[1024], buf[2048], idstr[32];
	long deadline = now_ms() + deadline_ms, sent = 0;
	int idlen;

	idlen = snprintf(idstr, sizeof(idstr), "%d.%lu", (int)getpid(), next_id++);
	snprintf(msg, sizeof(msg), "%s %s", idstr, request);
	while (now_ms() < deadline) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		ssize_t n;

		if (now_ms() - sent >= RETRY_MS) {
			/* Refused while the service is not up yet: just try again. */
			(void)send(sock, msg, strlen(msg), 0);
			sent = now_ms();
		}
		if (poll(&pfd, 1, RETRY_MS) <= 0)
			continue;
		n = recv(sock, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* A late answer to an earlier attempt carries another id. */
		if (strncmp(buf, idstr, (size_t)idlen) || buf[idlen] != ' ')
			continue;
		snprintf(out, outlen, "%s", buf + idlen + 1);
		return 0;
	}
	fprintf(stderr, "kvclient: no answer to '%s'\n", request);
	return -1;
}

static int do_put(long count, const char *prefix, const char *acked_path)
{
	FILE *acked = NULL;
	char req[512], ans[1024];
	long ok = 0;

	if (acked_path && !(acked = fopen(acked_path, "a"))) {
		fprintf(stderr, "kvclient: %s: %s\n", acked_path, strerror(errno));
		return 1;
	}
	for (long i = 0; i < count; i++) {
		char key[64], value[128];

		snprintf(key, sizeof(key), "%s-%ld", prefix, i);
		snprintf(value, sizeof(value), "value-of-%s-%ld", prefix, i);
		snprintf(req, sizeof(req), "PUT %s %s", key, value);
		if (call(req, ans, sizeof(ans), DEADLINE_MS))
			break;
		if (strcmp(ans, "OK")) {
			fprintf(stderr, "kvclient: PUT %s: %s\n", key, ans);
			break;
		}
		ok++;
		if (acked) {
			/* Recorded only once acknowledged, and flushed at once. */
			fprintf(acked, "%s %s\n", key, value);
			fflush(acked);
		}
	}
	if (acked)
		fclose(acked);
	printf("acked %ld\n", ok);
	return ok == count ? 0 : 1;
}

static int do_check(const char *acked_path)
{
	char line[512], key[128], value[256], req[256], ans[1024];
	long checked = 0, lost = 0, wrong = 0;
	FILE *f = fopen(acked_path, "r");

	if (!f) {
		fprintf(stderr, "kvclient: %s: %s\n", acked_path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %255s", key, value) != 2)
			continue;
		snprintf(req, sizeof(req), "GET %s", key);
		if (call(req, ans, sizeof(ans), DEADLINE_MS)) {
			fclose(f);
			return 1;
		}
		checked++;
		if (!strcmp(ans, "NONE")) {
			lost++;
			fprintf(stderr, "kvclient: lost %s\n", key);
		} else if (strncmp(ans, "VAL ", 4) || strcmp(ans + 4, value)) {
			wrong++;
			fprintf(stderr, "kvclient: %s is '%s', expected 'VAL %s'\n", key, ans, value);
		}
	}
	fclose(f);
	printf("checked %ld lost %ld wrong %ld\n", checked, lost, wrong);
	return lost || wrong ? 1 : 0;
}

int main(int argc, char **argv)
{
	char ans[1024], req[512];

	if (argc < 3) {
		fprintf(stderr, "usage: kvclient HOST:PORT ping|put|check|get|quit ...\n");
		return 2;
	}
	if (connect_to(argv[1]))
		return 1;
	if (!strcmp(argv[2], "ping")) {
		long seconds = argc > 3 ? atol(argv[3]) : 30;

		if (call("PING", ans, sizeof(ans), seconds * 1000))
			return 1;
		printf("%s\n", ans);
		return strcmp(ans, "PONG") ? 1 : 0;
	}
	if (!strcmp(argv[2], "put") && (argc == 5 || argc == 6))
		return do_put(atol(argv[3]), argv[4], argc == 6 ? argv[5] : NULL);
	if (!strcmp(argv[2], "check") && argc == 4)
		return do_check(argv[3]);
	if (!strcmp(argv[2], "get") && argc == 4) {
		snprintf(req, sizeof(req), "GET %s", argv[3]);
		if (call(req, ans, sizeof(ans), DEADLINE_MS))
			return 1;
		printf("%s\n", ans);
		return 0;
	}
	if (!strcmp(argv[2], "quit")) {
		if (call("QUIT", ans, sizeof(ans), DEADLINE_MS))
			return 1;
		printf("%s\n", ans);
		return strcmp(ans, "BYE") ? 1 : 0;
	}
	fprintf(stderr, "kvclient: bad command\n");
	return 2;
}
