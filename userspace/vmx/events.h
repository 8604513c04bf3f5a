/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The input and output functions.
 *
 * Every value that reaches the guest from outside the VM (time, entropy,
 * disk data and completion status, received frames) passes through
 * vmx_input(); every effect visible outside the VM (serial bytes, sent
 * frames, disk writes and flushes) passes through vmx_output().  Device
 * models are otherwise pure functions of guest accesses, so these two
 * functions are where FT plugs in: the primary logs inputs and holds output
 * until the log is acknowledged; the backup replays inputs instead of asking
 * the host.
 *
 * Today they can record inputs to a file, replay them from a file, and log
 * outputs to a file, which is enough to prove the replay property.
 */
#ifndef VMX_EVENTS_H
#define VMX_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vmx_vm;

enum vmx_input_kind {
	VMX_IN_CLOCK = 1,		/* u64 host monotonic ns */
	VMX_IN_ENTROPY = 2,		/* u32 */
	VMX_IN_DISK_DATA = 3,		/* sectors read */
	VMX_IN_DISK_STATUS = 4,		/* u32 VMX_STATUS_* of a command */
	VMX_IN_NIC_RX = 5,		/* a received frame, or nothing */
};

enum vmx_output_kind {
	VMX_OUT_SERIAL = 1,		/* one byte */
	VMX_OUT_NIC_TX = 2,		/* a frame, peer tag first */
	VMX_OUT_DISK_WRITE = 3,		/* sectors; arg is the first sector */
	VMX_OUT_DISK_FLUSH = 4,
};

/*
 * Asks the host for a live input value.  Fills at most @cap bytes of @buf and
 * sets *@len.  Returns 0, or -1 after vmx_fail().
 */
typedef int (*vmx_input_source)(struct vmx_vm *vm, void *ctx, void *buf,
				uint32_t *len, uint32_t cap);

/*
 * Performs an output.  Returns a VMX_STATUS_* the device reports to the guest
 * (through vmx_input(), since the result comes from the host), or -1 after
 * vmx_fail().
 */
typedef int (*vmx_output_sink)(struct vmx_vm *vm, void *ctx, uint64_t arg,
			       const void *data, uint32_t len);

struct vmx_events {
	FILE *record;			/* inputs are appended here, if set */
	FILE *replay;			/* inputs are taken from here, if set */
	FILE *output_log;		/* outputs are appended here, if set */
	uint64_t input_seq;
	uint64_t output_seq;
	uint64_t replayed;		/* inputs taken from the replay log */
	bool live;			/* false while replaying */
};

int vmx_events_open(struct vmx_vm *vm, const char *record, const char *replay,
		    const char *output_log, char *err, size_t errlen);
void vmx_events_flush(struct vmx_vm *vm);
void vmx_events_close(struct vmx_vm *vm);

/*
 * Produce one input of @kind into @buf (capacity @cap), setting *@len.
 * Live, @source is asked; replaying, the log is, and @source is not called.
 * Returns 0, or -1 after vmx_fail() (replay divergence, log damage).
 */
int vmx_input(struct vmx_vm *vm, enum vmx_input_kind kind, vmx_input_source source,
	      void *ctx, void *buf, uint32_t *len, uint32_t cap);

/* Perform one output of @kind through @sink.  Returns the sink's status. */
int vmx_output(struct vmx_vm *vm, enum vmx_output_kind kind, vmx_output_sink sink,
	       void *ctx, uint64_t arg, const void *data, uint32_t len);

#endif
