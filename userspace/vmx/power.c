// SPDX-License-Identifier: GPL-2.0
/*
 * Halt and doorbell, and the null port.
 *
 * HALT powers the VM off with the value as its exit code.  DOORBELL is how
 * a polling guest idles without burning a host CPU: the vmx sleeps until a
 * frame may have arrived, a control request comes in, or the guest's timeout
 * ends.  The guest learns nothing from how long it slept except through the
 * clock device, so the doorbell needs no input record and a replay skips the
 * sleep.  The null port exists to measure the cost of an exit.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "vmx.h"

#define DOORBELL_MAX_US 1000000U

static int power_in(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value)
{
	(void)vcpu;
	(void)port;
	*value = 0;
	return VMX_IO_CONTINUE;
}

static void doorbell_wait(struct vmx_vm *vm, uint32_t us)
{
	struct pollfd fds[2];
	int nfds = 0, timeout_ms;
	uint64_t drain;

	if (!vm->events.live || vm->dev.nic.rx_len)
		return;
	if (us > DOORBELL_MAX_US)
		us = DOORBELL_MAX_US;
	timeout_ms = (int)((us + 999) / 1000);
	fds[nfds++] = (struct pollfd){ .fd = vm->kick_fd, .events = POLLIN };
	if (vmx_nic_poll_fd(vm) >= 0)
		fds[nfds++] = (struct pollfd){ .fd = vmx_nic_poll_fd(vm), .events = POLLIN };
	if (poll(fds, (nfds_t)nfds, timeout_ms) > 0 && (fds[0].revents & POLLIN)) {
		/* Drained here; the pending request itself is seen by the run loop. */
		if (read(vm->kick_fd, &drain, sizeof(drain)) < 0 && errno != EAGAIN)
			return;
	}
}

static int power_out(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value)
{
	struct vmx_vm *vm = vcpu->vm;

	if (port == VMX_PORT_HALT) {
		pthread_mutex_lock(&vm->lock);
		vm->exit_code = (int)value;
		vm->state = VMX_STATE_HALTED;
		pthread_cond_broadcast(&vm->cond);
		pthread_mutex_unlock(&vm->lock);
		return VMX_IO_STOP;
	}
	if (port == VMX_PORT_DOORBELL)
		doorbell_wait(vm, value);
	return VMX_IO_CONTINUE;
}

const struct vmx_port_range vmx_power_ports = {
	.base = VMX_PORT_HALT, .count = 8, .size = 4, .name = "power",
	.in = power_in, .out = power_out,
};

static int null_in(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value)
{
	(void)vcpu;
	(void)port;
	*value = 0;
	return VMX_IO_CONTINUE;
}

static int null_out(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value)
{
	(void)vcpu;
	(void)port;
	(void)value;
	return VMX_IO_CONTINUE;
}

const struct vmx_port_range vmx_null_ports = {
	.base = VMX_PORT_NULL, .count = 4, .size = 4, .name = "null",
	.in = null_in, .out = null_out,
};
