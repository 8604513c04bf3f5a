// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual disk: sector reads and writes between guest memory and a backing
 * file, and a flush.
 *
 * Sector data read from the file and the status of every command come from
 * the host, so they are inputs; a write and a flush are outputs.  A write is
 * complete, for the guest, when STATUS says so, and STATUS after FLUSH says
 * every completed write is on stable storage: that is what lets a guest
 * acknowledge a write only once it is durable.  Register errors (a range past
 * the end of the disk, a buffer outside RAM) are decided from the registers
 * alone and need no input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmx.h"

/* One command's data; the vCPU thread is the only user. */
static uint8_t disk_buffer[VMX_DISK_MAX_SECTORS * VMX_DISK_SECTOR_SIZE];

int vmx_disk_open(struct vmx_vm *vm, char *err, size_t errlen)
{
	struct vmx_disk *d = &vm->dev.disk;
	const char *path = vm->cfg->disk;
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (!path[0])
		return 0;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(err, errlen, "disk %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(d->fd, &st) || !S_ISREG(st.st_mode) || st.st_size % VMX_DISK_SECTOR_SIZE ||
	    st.st_size == 0) {
		snprintf(err, errlen, "disk %s: not a regular file of whole 512-byte sectors", path);
		close(d->fd);
		d->fd = -1;
		return -1;
	}
	d->sectors = (uint64_t)st.st_size / VMX_DISK_SECTOR_SIZE;
	return 0;
}

void vmx_disk_close(struct vmx_vm *vm)
{
	if (vm->dev.disk.fd >= 0)
		close(vm->dev.disk.fd);
	vm->dev.disk.fd = -1;
}

static int read_source(struct vmx_vm *vm, void *ctx, void *buf, uint32_t *len, uint32_t cap)
{
	struct vmx_disk *d = ctx;
	off_t off = (off_t)(d->sector * VMX_DISK_SECTOR_SIZE);
	ssize_t n;

	(void)vm;
	do
		n = pread(d->fd, buf, cap, off);
	while (n < 0 && errno == EINTR);
	/* A failed or short read delivers no data; the guest sees EIO. */
	*len = n == (ssize_t)cap ? cap : 0;
	return 0;
}

static int status_source(struct vmx_vm *vm, void *ctx, void *buf, uint32_t *len, uint32_t cap)
{
	(void)vm;
	(void)cap;
	memcpy(buf, ctx, sizeof(uint32_t));
	*len = sizeof(uint32_t);
	return 0;
}

static int write_sink(struct vmx_vm *vm, void *ctx, uint64_t sector, const void *data, uint32_t len)
{
	struct vmx_disk *d = ctx;
	ssize_t n;

	(void)vm;
	do
		n = pwrite(d->fd, data, len, (off_t)(sector * VMX_DISK_SECTOR_SIZE));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? VMX_STATUS_OK : VMX_STATUS_EIO;
}

static int flush_sink(struct vmx_vm *vm, void *ctx, uint64_t arg, const void *data, uint32_t len)
{
	struct vmx_disk *d = ctx;

	(void)vm;
	(void)arg;
	(void)data;
	(void)len;
	return fdatasync(d->fd) ? VMX_STATUS_EIO : VMX_STATUS_OK;
}

/* The status of a host operation, passed through the input function. */
static int host_status(struct vmx_vm *vm, uint32_t status)
{
	uint32_t value, len;

	if (vmx_input(vm, VMX_IN_DISK_STATUS, status_source, &status, &value, &len, sizeof(value)))
		return -1;
	if (len != sizeof(value) || value > VMX_STATUS_ENODEV) {
		vmx_fail(vm, "disk: bad status input");
		return -1;
	}
	vm->dev.disk.status = value;
	return 0;
}

static int disk_command(struct vmx_vm *vm, uint32_t cmd)
{
	struct vmx_disk *d = &vm->dev.disk;
	uint32_t bytes = d->count * VMX_DISK_SECTOR_SIZE, len;
	uint8_t *guest = NULL;
	int st;

	if (d->fd < 0) {
		d->status = VMX_STATUS_ENODEV;
		return 0;
	}
	if (cmd == VMX_DISK_CMD_READ || cmd == VMX_DISK_CMD_WRITE) {
		if (!d->count || d->count > VMX_DISK_MAX_SECTORS || d->sector >= d->sectors ||
		    d->count > d->sectors - d->sector ||
		    !(guest = vmx_gpa_to_host(vm, d->addr, bytes))) {
			d->status = VMX_STATUS_EINVAL;
			return 0;
		}
	}
	switch (cmd) {
	case VMX_DISK_CMD_READ:
		if (vmx_input(vm, VMX_IN_DISK_DATA, read_source, d, disk_buffer, &len, bytes))
			return -1;
		if (len == bytes)
			memcpy(guest, disk_buffer, bytes);
		else if (len) {
			vmx_fail(vm, "disk: read input of %u bytes for %u", len, bytes);
			return -1;
		}
		d->status = len ? VMX_STATUS_OK : VMX_STATUS_EIO;
		return 0;
	case VMX_DISK_CMD_WRITE:
		st = vmx_output(vm, VMX_OUT_DISK_WRITE, write_sink, d, d->sector, guest, bytes);
		return st < 0 ? -1 : host_status(vm, (uint32_t)st);
	case VMX_DISK_CMD_FLUSH:
		st = vmx_output(vm, VMX_OUT_DISK_FLUSH, flush_sink, d, 0, NULL, 0);
		return st < 0 ? -1 : host_status(vm, (uint32_t)st);
	default:
		d->status = VMX_STATUS_EINVAL;
		return 0;
	}
}

static int disk_out(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value)
{
	struct vmx_disk *d = &vcpu->vm->dev.disk;

	switch (port) {
	case VMX_PORT_DISK_SECTOR_LO: d->sector = (d->sector & ~0xffffffffULL) | value; break;
	case VMX_PORT_DISK_SECTOR_HI: d->sector = (d->sector & 0xffffffffULL) | (uint64_t)value << 32; break;
	case VMX_PORT_DISK_ADDR_LO: d->addr = (d->addr & ~0xffffffffULL) | value; break;
	case VMX_PORT_DISK_ADDR_HI: d->addr = (d->addr & 0xffffffffULL) | (uint64_t)value << 32; break;
	case VMX_PORT_DISK_COUNT: d->count = value; break;
	case VMX_PORT_DISK_CMD:
		return disk_command(vcpu->vm, value) ? VMX_IO_ERROR : VMX_IO_CONTINUE;
	default: break;			/* read-only registers */
	}
	return VMX_IO_CONTINUE;
}

static int disk_in(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value)
{
	struct vmx_disk *d = &vcpu->vm->dev.disk;

	switch (port) {
	case VMX_PORT_DISK_SECTOR_LO: *value = (uint32_t)d->sector; break;
	case VMX_PORT_DISK_SECTOR_HI: *value = (uint32_t)(d->sector >> 32); break;
	case VMX_PORT_DISK_ADDR_LO: *value = (uint32_t)d->addr; break;
	case VMX_PORT_DISK_ADDR_HI: *value = (uint32_t)(d->addr >> 32); break;
	case VMX_PORT_DISK_COUNT: *value = d->count; break;
	case VMX_PORT_DISK_STATUS: *value = d->status; break;
	/* Capacity is part of the VM's configuration, not a host reading. */
	case VMX_PORT_DISK_SECTORS_LO: *value = (uint32_t)d->sectors; break;
	case VMX_PORT_DISK_SECTORS_HI: *value = (uint32_t)(d->sectors >> 32); break;
	default: *value = 0; break;
	}
	return VMX_IO_CONTINUE;
}

const struct vmx_port_range vmx_disk_ports = {
	.base = VMX_PORT_DISK_SECTOR_LO, .count = 0x24, .size = 4, .name = "disk",
	.in = disk_in, .out = disk_out,
};
