// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O dispatch: find the device that owns a port and run its handler
 * for each element of a (possibly REP) IN or OUT.
 *
 * An access of the wrong size, to a misaligned register or to a port nobody
 * owns stops the VM: the guests are ours, so that is a guest bug worth seeing
 * at once rather than a value to invent.
 */
#include <string.h>

#include "vmx.h"

static const struct vmx_port_range *const port_map[] = {
	&vmx_serial_ports,
	&vmx_power_ports,
	&vmx_clock_ports,
	&vmx_entropy_ports,
	&vmx_disk_ports,
	&vmx_nic_ports,
	&vmx_null_ports,
};

static const struct vmx_port_range *find_range(uint16_t port)
{
	for (size_t i = 0; i < sizeof(port_map) / sizeof(port_map[0]); i++) {
		const struct vmx_port_range *r = port_map[i];

		if (port >= r->base && port - r->base < r->count)
			return r;
	}
	return NULL;
}

int vmx_io_exit(struct vmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint16_t port = run->io.port;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	const struct vmx_port_range *r = find_range(port);
	const char *dir = run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in";

	atomic_fetch_add_explicit(&vcpu->io_exits, 1, memory_order_relaxed);
	if (!r) {
		vmx_fail(vcpu->vm, "guest %s to unknown port %#x", dir, port);
		return VMX_IO_ERROR;
	}
	if (run->io.size != r->size || (port - r->base) % r->size) {
		vmx_fail(vcpu->vm, "guest %s of %u bytes to %s port %#x", dir, run->io.size,
			 r->name, port);
		return VMX_IO_ERROR;
	}
	for (uint32_t i = 0; i < run->io.count; i++, data += r->size) {
		uint32_t value = 0;
		int ret;

		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&value, data, r->size);
			ret = r->out(vcpu, port, value);
		} else {
			ret = r->in(vcpu, port, &value);
			memcpy(data, &value, r->size);
		}
		if (ret != VMX_IO_CONTINUE)
			return ret;
	}
	return VMX_IO_CONTINUE;
}
