// SPDX-License-Identifier: GPL-2.0
/*
 * Clock: host monotonic time in nanoseconds.  Reading CLOCK_LO takes one
 * input (the whole 64-bit value) and latches it; CLOCK_HI returns the latched
 * high half, so a guest reads a consistent value with two 32-bit accesses and
 * the log holds one record per reading.
 */
#include <time.h>

#include "vmx.h"

static int clock_source(struct vmx_vm *vm, void *ctx, void *buf, uint32_t *len, uint32_t cap)
{
	struct timespec ts;
	uint64_t ns;

	(void)vm;
	(void)ctx;
	(void)cap;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	__builtin_memcpy(buf, &ns, sizeof(ns));
	*len = sizeof(ns);
	return 0;
}

static int clock_in(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value)
{
	struct vmx_vm *vm = vcpu->vm;
	struct vmx_clock *clk = &vm->dev.clock;
	uint32_t len;
	uint64_t ns;

	if (port == VMX_PORT_CLOCK_HI) {
		*value = (uint32_t)(clk->latched >> 32);
		return VMX_IO_CONTINUE;
	}
	if (vmx_input(vm, VMX_IN_CLOCK, clock_source, NULL, &ns, &len, sizeof(ns)))
		return VMX_IO_ERROR;
	if (len != sizeof(ns)) {
		vmx_fail(vm, "clock: input of %u bytes", len);
		return VMX_IO_ERROR;
	}
	clk->latched = ns;
	*value = (uint32_t)ns;
	return VMX_IO_CONTINUE;
}

static int clock_out(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value)
{
	(void)vcpu;
	(void)port;
	(void)value;
	return VMX_IO_CONTINUE;		/* read-only */
}

const struct vmx_port_range vmx_clock_ports = {
	.base = VMX_PORT_CLOCK_LO, .count = 8, .size = 4, .name = "clock",
	.in = clock_in, .out = clock_out,
};
