// SPDX-License-Identifier: GPL-2.0
/*
 * vmx-ctl: send one command to a vmx's control socket and print the answer.
 * Exits 0 if the answer is "ok ...", 1 otherwise.
 *
 *   vmx-ctl SOCKET COMMAND [ARGUMENT]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char line[1100], reply[1024];
	size_t used = 0;
	int fd, n;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: vmx-ctl SOCKET COMMAND [ARGUMENT]\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "vmx-ctl: %s: path too long\n", argv[1]);
		return 1;
	}
	strcpy(addr.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "vmx-ctl: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	n = snprintf(line, sizeof(line), "%s%s%s\n", argv[2], argc == 4 ? " " : "",
		     argc == 4 ? argv[3] : "");
	if (n < 0 || (size_t)n >= sizeof(line) || write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "vmx-ctl: cannot send the command\n");
		return 1;
	}
	while (used < sizeof(reply) - 1) {
		ssize_t r = read(fd, reply + used, sizeof(reply) - 1 - used);

		if (r <= 0)
			break;
		used += (size_t)r;
		if (memchr(reply, '\n', used))
			break;
	}
	close(fd);
	reply[used] = '\0';
	if (!used) {
		fprintf(stderr, "vmx-ctl: no answer\n");
		return 1;
	}
	fputs(reply, stdout);
	if (reply[used - 1] != '\n')
		putchar('\n');
	return strncmp(reply, "ok", 2) ? 1 : 0;
}
