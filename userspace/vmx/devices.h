/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic devices.  Each device is a set of registers the guest polls
 * through port I/O, a model that is a pure function of those accesses and of
 * the values vmx_input() gives it, and a host backend reached only through
 * vmx_input() and vmx_output().
 *
 * The register state of every device is what migration carries as the one
 * device-state blob; backends (file descriptors, sockets) are per host and
 * are opened from the VM config on each side.
 */
#ifndef VMX_DEVICES_H
#define VMX_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_abi.h"

struct vmx_vm;
struct vmx_vcpu;

struct vmx_serial {
	int fd;				/* backend: the serial log */
	bool close_fd;
	uint64_t bytes;			/* state: bytes written */
};

struct vmx_clock {
	uint64_t latched;		/* state: the value CLOCK_HI reads */
};

struct vmx_disk {
	int fd;				/* backend: -1 if the VM has no disk */
	uint64_t sectors;		/* capacity, fixed when the disk is opened */
	/* state: registers */
	uint64_t sector;
	uint64_t addr;
	uint32_t count;
	uint32_t status;
};

struct vmx_nic {
	int fd;				/* backend: UDP socket, -1 if the VM has no NIC */
	/* state: registers and the frame waiting to be received */
	uint64_t addr;
	uint32_t len;
	uint32_t status;
	uint32_t rx_len;
	uint8_t rx_frame[VMX_NIC_MTU];
};

struct vmx_devices {
	struct vmx_serial serial;
	struct vmx_clock clock;
	struct vmx_disk disk;
	struct vmx_nic nic;
};

/* What a port handler tells the run loop. */
#define VMX_IO_CONTINUE	0
#define VMX_IO_STOP	1		/* the VM powered off; leave the run loop */
#define VMX_IO_ERROR	(-1)		/* vmx_fail() was called */

struct vmx_port_range {
	uint16_t base;
	uint16_t count;			/* ports covered: base .. base + count - 1 */
	uint8_t size;			/* the only access size accepted */
	const char *name;
	int (*in)(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value);
	int (*out)(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value);
};

extern const struct vmx_port_range vmx_serial_ports, vmx_power_ports, vmx_clock_ports,
	vmx_entropy_ports, vmx_disk_ports, vmx_nic_ports, vmx_null_ports;

/* Backends, opened from the config; each returns -1 with a one-line message. */
int vmx_serial_open(struct vmx_vm *vm, char *err, size_t errlen);
int vmx_disk_open(struct vmx_vm *vm, char *err, size_t errlen);
int vmx_nic_open(struct vmx_vm *vm, char *err, size_t errlen);
void vmx_serial_close(struct vmx_vm *vm);
void vmx_disk_close(struct vmx_vm *vm);
void vmx_nic_close(struct vmx_vm *vm);
int vmx_nic_poll_fd(struct vmx_vm *vm);
void vmx_nic_drop_queued(struct vmx_vm *vm);

/* devices.c: all devices at once */
int vmx_devices_open(struct vmx_vm *vm, char *err, size_t errlen);
void vmx_devices_close(struct vmx_vm *vm);
/* The device-state blob: the size it needs, then write it.  */
size_t vmx_devices_state_size(void);
void vmx_devices_save(struct vmx_vm *vm, void *blob);
/* Check a blob completely; only then may it be loaded. */
int vmx_devices_check(struct vmx_vm *vm, const void *blob, size_t len, char *err, size_t errlen);
void vmx_devices_load(struct vmx_vm *vm, const void *blob);

#endif
