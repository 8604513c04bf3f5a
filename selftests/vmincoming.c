// SPDX-License-Identifier: GPL-2.0
/*
 * vmincoming: stand in for a vmx that waits for an incoming migration,
 * without running a guest.
 *
 *   vmincoming --name NAME --uuid HEX32 --mem SIZE --incoming ID
 *              [--secret-file FILE] [--config FILE] [--ready-file FILE]
 *
 * Creates a memfd of SIZE bytes (K/M suffixes allowed), a VM object NAME
 * with that UUID (32 hex digits), registers the memfd as the one guest RAM
 * region at guest address 0 and declares the VM the destination of
 * migration ID with the secret in FILE (its bytes as they are).  Then it
 * writes "vm-id N" on stdout, creates the ready file, and serves the
 * module's requests, one line on stdout for each:
 *
 *   POWER_OFF   "powered-off", exit 3
 *   LOAD_STATE  reads the blob with FTM_IOC_READ_STATE, "state N bytes",
 *               replies 0
 *   RESUME      "resumed memory-fnv1a HEX" (a hash of the whole memfd, for
 *               the test to compare with what the source sent), replies 0
 *   others      "request T refused", replies -EOPNOTSUPP
 *
 * It exits 1 on any error of its own and 0 on SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/ftmigrate.h>

static void die(const char *what)
{
	fprintf(stderr, "vmincoming: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: vmincoming --name NAME --uuid HEX32 --mem SIZE "
		"--incoming ID [--secret-file FILE] [--config FILE] [--ready-file FILE]\n");
	exit(2);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		usage();
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end)
		usage();
	return v;
}

static int parse_uuid(const char *s, uint8_t *uuid)
{
	int i, n = 0;

	for (i = 0; s[i] && n < 2 * FTM_UUID_LEN; i++) {
		int c = s[i], v;

		if (c == '-')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -1;
		uuid[n / 2] = (uint8_t)(n % 2 ? uuid[n / 2] | v : v << 4);
		n++;
	}
	return n == 2 * FTM_UUID_LEN && !s[i] ? 0 : -1;
}

static ssize_t read_file(const char *path, void *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/* FNV-1a over the memfd's bytes. */
static uint64_t mem_hash(int memfd, uint64_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL, i;
	const uint8_t *p;

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (i = 0; i < size; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	munmap((void *)p, size);
	return h;
}

static void reply(int fd, uint64_t seq, int status)
{
	struct ftm_reply r = { .size = sizeof(r), .seq = seq, .status = status };

	if (ioctl(fd, FTM_IOC_REPLY, &r))
		die("FTM_IOC_REPLY");
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "mem", required_argument, NULL, 'm' },
		{ "incoming", required_argument, NULL, 'i' },
		{ "secret-file", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *secret_file = NULL, *config_file = NULL;
	const char *ready_file = NULL;
	struct ftm_vm_create c = { .size = sizeof(c) };
	struct ftm_incoming in = { .size = sizeof(in) };
	struct ftm_memory_region r = { .size = sizeof(r) };
	static char config[FTM_CONFIG_MAX];
	uint64_t mem = 0;
	bool have_uuid = false;
	ssize_t len;
	int opt, fd, memfd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': name = optarg; break;
		case 'u':
			if (parse_uuid(optarg, c.uuid))
				usage();
			have_uuid = true;
			break;
		case 'm': mem = parse_size(optarg); break;
		case 'i': in.migration_id = strtoull(optarg, NULL, 0); break;
		case 's': secret_file = optarg; break;
		case 'c': config_file = optarg; break;
		case 'r': ready_file = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || !name || !have_uuid || !mem || !in.migration_id)
		usage();
	signal(SIGTERM, on_term);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (config_file) {
		len = read_file(config_file, config, sizeof(config));
		if (len <= 0)
			die(config_file);
	} else {
		len = snprintf(config, sizeof(config), "name = \"%s\"\n", name);
	}
	strncpy(c.name, name, sizeof(c.name) - 1);
	c.config = (uintptr_t)config;
	c.config_len = len;
	if (secret_file) {
		len = read_file(secret_file, in.secret, sizeof(in.secret));
		if (len < 0)
			die(secret_file);
		in.secret_len = len;
	}

	memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, mem))
		die("memfd");
	fd = open("/dev/" FTM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/" FTM_DEVICE_NAME);
	if (ioctl(fd, FTM_IOC_CREATE_VM, &c))
		die("FTM_IOC_CREATE_VM");
	r.fd = memfd;
	r.gpa = 0;
	r.length = mem;
	if (ioctl(fd, FTM_IOC_ADD_MEMORY, &r))
		die("FTM_IOC_ADD_MEMORY");
	if (ioctl(fd, FTM_IOC_INCOMING, &in))
		die("FTM_IOC_INCOMING");
	memset(in.secret, 0, sizeof(in.secret));
	printf("vm-id %u\n", c.id);
	if (ready_file) {
		int rfd = open(ready_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (rfd < 0)
			die(ready_file);
		close(rfd);
	}

	for (;;) {
		struct ftm_request req;
		ssize_t n = read(fd, &req, sizeof(req));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(req))
			die("read request");
		switch (req.type) {
		case FTM_REQ_POWER_OFF:
			printf("powered-off\n");
			return 3;
		case FTM_REQ_LOAD_STATE: {
			struct ftm_state_read sr = { .size = sizeof(sr) };
			void *blob = malloc(req.len ? req.len : 1);
			long got;

			if (!blob)
				die("malloc");
			sr.buf = (uintptr_t)blob;
			sr.len = req.len;
			got = ioctl(fd, FTM_IOC_READ_STATE, &sr);
			if (got < 0)
				die("FTM_IOC_READ_STATE");
			printf("state %ld bytes\n", got);
			free(blob);
			reply(fd, req.seq, 0);
			break;
		}
		case FTM_REQ_RESUME:
			printf("resumed memory-fnv1a %016" PRIx64 "\n", mem_hash(memfd, mem));
			reply(fd, req.seq, 0);
			break;
		default:
			printf("request %u refused\n", req.type);
			reply(fd, req.seq, -EOPNOTSUPP);
			break;
		}
	}
}
