// SPDX-License-Identifier: GPL-2.0
/*
 * Serial output: each byte the guest writes to VMX_PORT_SERIAL is an output,
 * appended to the serial log (or standard output).  The port is write-only;
 * reads return 0, a constant, so they need no input record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmx.h"

int vmx_serial_open(struct vmx_vm *vm, char *err, size_t errlen)
{
	struct vmx_serial *s = &vm->dev.serial;
	const char *path = vm->cfg->serial;

	s->bytes = 0;
	if (!path[0]) {
		s->fd = STDOUT_FILENO;
		s->close_fd = false;
		return 0;
	}
	/* Appending: a restored VM continues the log its source wrote. */
	s->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (s->fd < 0) {
		snprintf(err, errlen, "serial log %s: %s", path, strerror(errno));
		return -1;
	}
	s->close_fd = true;
	return 0;
}

void vmx_serial_close(struct vmx_vm *vm)
{
	if (vm->dev.serial.close_fd)
		close(vm->dev.serial.fd);
	vm->dev.serial.close_fd = false;
}

static int serial_sink(struct vmx_vm *vm, void *ctx, uint64_t arg, const void *data, uint32_t len)
{
	struct vmx_serial *s = ctx;
	ssize_t n;

	(void)vm;
	(void)arg;
	/* Written at once, not buffered: a byte the guest sent has left the VM. */
	do
		n = write(s->fd, data, len);
	while (n < 0 && errno == EINTR);
	/* A full or broken log must not change what the guest sees. */
	return VMX_STATUS_OK;
}

static int serial_out(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value)
{
	struct vmx_vm *vm = vcpu->vm;
	uint8_t byte = (uint8_t)value;

	(void)port;
	vm->dev.serial.bytes++;
	if (vmx_output(vm, VMX_OUT_SERIAL, serial_sink, &vm->dev.serial, 0, &byte, 1) < 0)
		return VMX_IO_ERROR;
	return VMX_IO_CONTINUE;
}

static int serial_in(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value)
{
	(void)vcpu;
	(void)port;
	*value = 0;
	return VMX_IO_CONTINUE;
}

const struct vmx_port_range vmx_serial_ports = {
	.base = VMX_PORT_SERIAL, .count = 1, .size = 1, .name = "serial",
	.in = serial_in, .out = serial_out,
};
