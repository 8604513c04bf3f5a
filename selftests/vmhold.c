// SPDX-License-Identifier: GPL-2.0
/*
 * vmhold NAME [CONFIG]: stand in for a vmx.  Creates a VM object through
 * /dev/ftmigrate in the current netns, prints its id, and holds it until
 * killed.  CONFIG is the VM config file (default: a one-line config).
 *
 * vmhold --churn N NAME: create and release N VMs NAME-1 .. NAME-N back to
 * back, as N short-lived vmx processes would, and exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ftmigrate.h>

/* Create and release VMs NAME-1 .. NAME-n, one at a time. */
static int churn(int n, const char *name)
{
	static const char config[] = "churn\n";
	int i, fd;

	for (i = 1; i <= n; i++) {
		struct ftm_vm_create c = {
			.size = sizeof(c),
			.uuid = { 1, (uint8_t)i, (uint8_t)(i >> 8) },
			.config = (uintptr_t)config,
			.config_len = sizeof(config) - 1,
		};

		snprintf(c.name, sizeof(c.name), "%s-%d", name, i);
		fd = open("/dev/" FTM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, FTM_IOC_CREATE_VM, &c)) {
			fprintf(stderr, "vmhold: %s: %s\n", c.name, strerror(errno));
			return 1;
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ftm_vm_create c = { .size = sizeof(c) };
	static char config[FTM_CONFIG_MAX];
	ssize_t len;
	int fd, i;

	if (argc == 4 && !strcmp(argv[1], "--churn"))
		return churn(atoi(argv[2]), argv[3]);
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: vmhold NAME [CONFIG] | vmhold --churn N NAME\n");
		return 2;
	}
	if (argc == 3) {
		int cfd = open(argv[2], O_RDONLY);

		len = cfd < 0 ? -1 : read(cfd, config, sizeof(config));
		if (len <= 0) {
			fprintf(stderr, "vmhold: cannot read %s\n", argv[2]);
			return 1;
		}
		close(cfd);
	} else {
		len = snprintf(config, sizeof(config), "name = \"%s\"\n", argv[1]);
	}
	strncpy(c.name, argv[1], sizeof(c.name) - 1);
	/* A UUID derived from the name and pid: unique enough for tests. */
	for (i = 0; i < FTM_UUID_LEN; i++)
		c.uuid[i] = (uint8_t)(argv[1][i % strlen(argv[1])] ^ (getpid() >> (i % 4 * 8)) ^ i);
	c.uuid[0] |= 1;
	c.config = (uintptr_t)config;
	c.config_len = len;

	fd = open("/dev/" FTM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, FTM_IOC_CREATE_VM, &c)) {
		fprintf(stderr, "vmhold: %s\n", strerror(errno));
		return 1;
	}
	printf("%u\n", c.id);
	fflush(stdout);
	for (;;)
		pause();
}
