// SPDX-License-Identifier: GPL-2.0
/*
 * The vmx's side of /dev/ftmigrate: register this VM with the module, so
 * that the host's orchestrators see it (ftctl vm list, netlink events), and
 * register its RAM, so that migrations can move it.  The requests the
 * module then sends are served by migrate.c.
 *
 * The VM object lives as long as the file descriptor: when the vmx exits or
 * is killed, the kernel releases it.  Nothing here needs undoing by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ftmigrate.h>

#include "vmx.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The config's "8-4-4-4-12" UUID (already validated) as 16 bytes. */
static void uuid_parse(const char *s, uint8_t out[FTM_UUID_LEN])
{
	unsigned int n = 0;

	for (; *s && n < FTM_UUID_LEN; s++) {
		if (*s == '-')
			continue;
		out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		s++;
	}
}

int vmx_ftm_register(struct vmx_vm *vm, enum vmx_ftm_mode mode, char *err, size_t errlen)
{
	static char config[FTM_CONFIG_MAX + 1];
	struct ftm_vm_create c = { .size = sizeof(c) };
	ssize_t len;
	int cfd;

	vm->ftm_fd = -1;
	if (mode == VMX_FTM_OFF)
		return 0;
	vm->ftm_fd = open("/dev/" FTM_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (vm->ftm_fd < 0) {
		if (mode == VMX_FTM_AUTO && errno == ENOENT)
			return 0;	/* no module on this host: run unregistered */
		snprintf(err, errlen, "/dev/%s: %s%s", FTM_DEVICE_NAME, strerror(errno),
			 errno == ENOENT ? " (is the ftmigrate module loaded?)" : "");
		return -1;
	}

	/* The module keeps the config file itself: FTCheck syncs it between hosts. */
	cfd = open(vm->cfg->path, O_RDONLY | O_CLOEXEC);
	len = cfd < 0 ? -1 : read(cfd, config, sizeof(config));
	if (cfd >= 0)
		close(cfd);
	if (len <= 0 || len > FTM_CONFIG_MAX) {
		snprintf(err, errlen, "%s: %s", vm->cfg->path,
			 len > FTM_CONFIG_MAX ? "larger than the module accepts (64 KiB)" :
			 "cannot read it back to register the VM");
		goto fail;
	}

	/* The config parser keeps names within FTM_NAME_LEN - 1 printable bytes. */
	memcpy(c.name, vm->cfg->name, strnlen(vm->cfg->name, sizeof(c.name) - 1));
	uuid_parse(vm->cfg->uuid, c.uuid);
	c.config = (uintptr_t)config;
	c.config_len = (uint32_t)len;
	if (ioctl(vm->ftm_fd, FTM_IOC_CREATE_VM, &c)) {
		snprintf(err, errlen, "registering with /dev/%s: %s", FTM_DEVICE_NAME,
			 strerror(errno));
		goto fail;
	}
	vm->ftm_vm_id = c.id;
	return 0;

fail:
	close(vm->ftm_fd);
	vm->ftm_fd = -1;
	return -1;
}

int vmx_ftm_add_memory(struct vmx_vm *vm, enum vmx_ftm_mode mode, char *err, size_t errlen)
{
	vm->ftm_memory = false;
	if (vm->ftm_fd < 0)
		return 0;
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		const struct vmx_ram_region *r = &vm->regions[i];
		struct ftm_memory_region m = {
			.size = sizeof(m), .fd = vm->ram_fd, .gpa = r->gpa, .length = r->size,
			.offset = r->offset,
		};

		if (!ioctl(vm->ftm_fd, FTM_IOC_ADD_MEMORY, &m))
			continue;
		if (errno == ENOTTY && i == 0) {
			/* A module older than migration: the VM stays listed, not movable. */
			if (mode == VMX_FTM_AUTO)
				return 0;
			snprintf(err, errlen, "/dev/%s: this ftmigrate module cannot migrate VMs "
				 "(no guest memory registration; it is older than this vmx)",
				 FTM_DEVICE_NAME);
			return -1;
		}
		snprintf(err, errlen, "registering guest RAM at %#llx (%llu MiB) with /dev/%s: %s",
			 (unsigned long long)r->gpa, (unsigned long long)(r->size >> 20),
			 FTM_DEVICE_NAME, strerror(errno));
		return -1;
	}
	vm->ftm_memory = true;
	return 0;
}

int vmx_ftm_add_disk(struct vmx_vm *vm, enum vmx_ftm_mode mode, char *err, size_t errlen)
{
	struct ftm_disk d = { .size = sizeof(d), .fd = vm->dev.disk.fd };

	if (vm->ftm_fd < 0 || vm->dev.disk.fd < 0)
		return 0;
	if (!ioctl(vm->ftm_fd, FTM_IOC_ADD_DISK, &d))
		return 0;
	if (errno == ENOTTY && mode == VMX_FTM_AUTO)
		return 0;	/* older than FT: the VM can move, not be cloned */
	snprintf(err, errlen, "registering disk %s with /dev/%s: %s", vm->cfg->disk,
		 FTM_DEVICE_NAME, errno == ENOTTY ?
		 "this ftmigrate module is older than FT (no disk registration)" :
		 strerror(errno));
	return -1;
}

int vmx_ftm_read_secret(const char *path, uint8_t *secret, uint32_t *len,
			char *err, size_t errlen)
{
	uint8_t buf[FTM_SECRET_MAX + 1];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "secret file %s: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed, to tell "too long" from "exactly the maximum". */
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "secret file %s: %s", path, strerror(errno));
		return -1;
	}
	if (n < FTM_SECRET_MIN || n > FTM_SECRET_MAX) {
		snprintf(err, errlen, "secret file %s: %s; a secret is %d to %d bytes", path,
			 n > FTM_SECRET_MAX ? "too long" : "too short", FTM_SECRET_MIN, FTM_SECRET_MAX);
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	memcpy(secret, buf, (size_t)n);
	*len = (uint32_t)n;
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int vmx_ftm_incoming(struct vmx_vm *vm, uint64_t id, const uint8_t *secret,
		     uint32_t secret_len, char *err, size_t errlen)
{
	struct ftm_incoming in = { .size = sizeof(in), .migration_id = id,
				   .secret_len = secret_len };
	int r;

	memcpy(in.secret, secret, secret_len);
	r = ioctl(vm->ftm_fd, FTM_IOC_INCOMING, &in);
	explicit_bzero(&in, sizeof(in));
	if (r) {
		snprintf(err, errlen, "waiting for incoming migration %llu: /dev/%s: %s",
			 (unsigned long long)id, FTM_DEVICE_NAME, strerror(errno));
		return -1;
	}
	return 0;
}

void vmx_ftm_close(struct vmx_vm *vm)
{
	if (vm->ftm_fd >= 0)
		close(vm->ftm_fd);
	vm->ftm_fd = -1;
}
