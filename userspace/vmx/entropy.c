// SPDX-License-Identifier: GPL-2.0
/*
 * Entropy: each read of VMX_PORT_ENTROPY is 32 fresh random bits from the
 * host, taken as an input so that a replay sees the same bits.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "vmx.h"

static int entropy_source(struct vmx_vm *vm, void *ctx, void *buf, uint32_t *len, uint32_t cap)
{
	ssize_t n;

	(void)ctx;
	do
		n = getrandom(buf, cap, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)cap) {
		vmx_fail(vm, "entropy: getrandom: %s", n < 0 ? strerror(errno) : "short read");
		return -1;
	}
	*len = cap;
	return 0;
}

static int entropy_in(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value)
{
	struct vmx_vm *vm = vcpu->vm;
	uint32_t len, bits;

	(void)port;
	if (vmx_input(vm, VMX_IN_ENTROPY, entropy_source, NULL, &bits, &len, sizeof(bits)))
		return VMX_IO_ERROR;
	if (len != sizeof(bits)) {
		vmx_fail(vm, "entropy: input of %u bytes", len);
		return VMX_IO_ERROR;
	}
	*value = bits;
	return VMX_IO_CONTINUE;
}

static int entropy_out(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value)
{
	(void)vcpu;
	(void)port;
	(void)value;
	return VMX_IO_CONTINUE;
}

const struct vmx_port_range vmx_entropy_ports = {
	.base = VMX_PORT_ENTROPY, .count = 4, .size = 4, .name = "entropy",
	.in = entropy_in, .out = entropy_out,
};
