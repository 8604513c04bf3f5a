/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference vmx: one process per VM, driving /dev/kvm directly.
 *
 * This header holds the VM object that every part of the vmx shares.  Each
 * concern lives in its own file: kvm.c (VM, RAM and vCPU creation), boot.c
 * (image and long-mode setup), vcpu.c (the run loop and run control), io.c
 * (port dispatch), one file per device, events.c (the input and output
 * functions where FT logging and the output rule plug in), savefile.c and
 * state.c (save and restore), dirty_log.c, control.c (control socket),
 * ftmigrate.c (registration with the module), migrate.c (the module's
 * requests) and throttle.c (taking CPU time away from a dirtying guest).
 */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "devices.h"
#include "events.h"

#define VMX_PAGE_SIZE		4096ULL
#define VMX_MAX_RAM_REGIONS	2

/*
 * A contiguous range of guest RAM.  All regions are slices of one memfd so
 * that RAM is plain shared memory that another process (or, later, the
 * ftmigrate module) can map and read.
 */
struct vmx_ram_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;		/* in the memfd and in vm->ram */
	uint8_t *host;
	uint32_t slot;
};

struct vmx_vcpu {
	struct vmx_vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;		/* the thread that runs it, for kicks */
	_Atomic uint64_t exits;		/* read by the control thread */
	_Atomic uint64_t io_exits;
};

enum vmx_run_state {
	VMX_STATE_RUNNING,
	VMX_STATE_PAUSED,
	VMX_STATE_HALTED,		/* the guest powered itself off */
	VMX_STATE_SHUTDOWN,		/* stopped through the control channel */
	VMX_STATE_MIGRATED,		/* powered off here: the VM lives on another host */
	VMX_STATE_FAILED,		/* the guest or the vmx hit an error */
};

enum vmx_request_kind {
	VMX_REQ_NONE,
	VMX_REQ_PAUSE,
	VMX_REQ_RESUME,
	VMX_REQ_SAVE,
	VMX_REQ_HASH,
	VMX_REQ_DIRTY_START,
	VMX_REQ_DIRTY_FETCH,
	VMX_REQ_DIRTY_STOP,
	VMX_REQ_SHUTDOWN,
	VMX_REQ_STUN_BLOB,		/* testing aid: write the migration blob and RAM */
	/* From the migration thread (migrate.c), on the module's behalf: */
	VMX_REQ_DIRTY_TRACK,		/* dirty logging on, for the migration */
	VMX_REQ_DIRTY_BITMAP,		/* data: unsigned long[], the raw bitmap */
	VMX_REQ_STUN,			/* data: struct vmx_state_blob, filled */
	VMX_REQ_LOAD_STATE,		/* data: struct vmx_state_blob, loaded */
	VMX_REQ_MIGRATE_RESUME,		/* end of a migration: run (or stay paused) */
	VMX_REQ_POWER_OFF,		/* this copy must never run again */
	VMX_REQ_SECONDARY,		/* wait stopped as the FT secondary */
};

/* A migration's device-state blob (everything but RAM), as state.c writes it. */
struct vmx_state_blob {
	void *data;			/* STUN: malloc()ed by the vCPU thread */
	uint64_t len;
	uint64_t max;			/* STUN: the largest blob the module takes */
};

/* A request, executed by the vCPU thread at a clean point. */
struct vmx_request {
	enum vmx_request_kind kind;
	const char *arg;
	void *data;			/* what the kind says, for internal requests */
	char *reply;			/* "ok ..." or "error: ..." */
	size_t reply_len;
	bool done;
};

struct vmx_vm {
	const struct vmx_config *cfg;

	int kvm_fd;
	int vm_fd;
	size_t run_size;
	bool has_lapic;			/* split irqchip: LAPIC in the kernel, nothing else */
	bool manual_dirty_protect;	/* KVM_CLEAR_DIRTY_LOG is available and enabled */
	bool dirty_logging;

	int ram_fd;
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t ram_top;		/* highest guest physical address + 1 */
	struct vmx_ram_region regions[VMX_MAX_RAM_REGIONS];
	unsigned int nr_regions;

	struct vmx_vcpu vcpus[VMX_MAX_VCPUS];
	unsigned int nr_vcpus;

	struct vmx_devices dev;
	struct vmx_events events;

	int kick_fd;			/* eventfd that ends a doorbell wait early */

	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vmx_run_state state;	/* under lock */
	struct vmx_request *request;	/* under lock */
	atomic_bool request_pending;	/* read by the run loop without the lock */
	int exit_code;			/* the guest's, when it halts */
	char failure[256];		/* why, when the state is FAILED */

	int ftm_fd;			/* /dev/ftmigrate, -1 when not registered */
	uint32_t ftm_vm_id;		/* the module's id for this VM on this host */
	bool ftm_memory;		/* RAM registered: the module may migrate the VM */
	bool print_hash;		/* --print-hash: RAM hashes at stun and go-live */

	/*
	 * One owner: while a migration holds the VM, only the module may let
	 * it run.  Under lock.
	 */
	bool incoming;			/* destination, not live yet */
	bool secondary;			/* incoming, and an FT secondary waiting for failover */
	bool stunned;			/* source, stopped for the switch-over */
	bool run_after_stun;		/* it was running when stunned */
	bool migration_tracking;	/* vCPU thread only: the dirty log is the module's */

	/* throttle.c */
	_Atomic unsigned int throttle_pct;
	_Atomic uint64_t throttle_until;	/* CLOCK_MONOTONIC ns the vCPU sleeps to, 0: none */
	_Atomic uint64_t throttle_sleeps;
};

/* ftmigrate.c: registration with the ftmigrate module */
enum vmx_ftm_mode {
	VMX_FTM_AUTO,	/* register when /dev/ftmigrate exists */
	VMX_FTM_ON,	/* register or fail */
	VMX_FTM_OFF,	/* never */
};
int vmx_ftm_register(struct vmx_vm *vm, enum vmx_ftm_mode mode, char *err, size_t errlen);
/*
 * Register every RAM region, in vm->regions[] order, so that the module's
 * page numbers are memfd offsets / 4096, as in vmx_dirty_log_fetch().  A
 * module without the ioctl leaves the VM registered but not migratable
 * (VMX_FTM_AUTO) or is an error (VMX_FTM_ON).
 */
int vmx_ftm_add_memory(struct vmx_vm *vm, enum vmx_ftm_mode mode, char *err, size_t errlen);
/*
 * Register the disk's backing file, so that FTCheck can tell the module's
 * peer whether both copies of the VM use the same one.
 */
int vmx_ftm_add_disk(struct vmx_vm *vm, enum vmx_ftm_mode mode, char *err, size_t errlen);
/* Read a migration secret file: FTM_SECRET_MIN to FTM_SECRET_MAX bytes. */
int vmx_ftm_read_secret(const char *path, uint8_t *secret, uint32_t *len,
			char *err, size_t errlen);
/* Make the VM the destination of migration @id. */
int vmx_ftm_incoming(struct vmx_vm *vm, uint64_t id, const uint8_t *secret,
		     uint32_t secret_len, char *err, size_t errlen);
void vmx_ftm_close(struct vmx_vm *vm);

/*
 * migrate.c: the migration thread, which serves the module's requests on
 * the ftmigrate fd.  Started once the VM is set up, stopped before it is
 * torn down; never leaves anything waiting at exit.
 */
int vmx_migrate_start(struct vmx_vm *vm, char *err, size_t errlen);
void vmx_migrate_stop(struct vmx_vm *vm);

/*
 * throttle.c: run the vCPU only (100 - pct)% of each 10 ms period.  A
 * timer thread tells the vCPU thread when to sleep; the vCPU sleeps in
 * vmx_throttle_sleep(), between two KVM_RUNs.
 */
int vmx_throttle_start(struct vmx_vm *vm, char *err, size_t errlen);
void vmx_throttle_set(struct vmx_vm *vm, unsigned int pct);
void vmx_throttle_stop(struct vmx_vm *vm);
void vmx_throttle_sleep(struct vmx_vm *vm);

/* kvm.c */
int vmx_kvm_open(struct vmx_vm *vm, char *err, size_t errlen);
int vmx_ram_create(struct vmx_vm *vm, uint64_t size, char *err, size_t errlen);
int vmx_ram_set_slot(struct vmx_vm *vm, struct vmx_ram_region *r, bool log_dirty);
int vmx_vcpu_create(struct vmx_vm *vm, unsigned int id, char *err, size_t errlen);
void vmx_vm_destroy(struct vmx_vm *vm);
void *vmx_gpa_to_host(struct vmx_vm *vm, uint64_t gpa, uint64_t len);
uint64_t vmx_ram_hash(struct vmx_vm *vm);
#define VMX_FILL_RAM_START	(2ULL << 20)	/* above the boot area and the image */
int vmx_ram_fill(struct vmx_vm *vm, const char *path, char *err, size_t errlen);

/* boot.c */
int vmx_boot_setup(struct vmx_vm *vm, char *err, size_t errlen);

/* vcpu.c */
int vmx_vcpu_run(struct vmx_vcpu *vcpu);
int vmx_request(struct vmx_vm *vm, enum vmx_request_kind kind, const char *arg,
		char *reply, size_t reply_len);
/* The same, with the data the internal request kinds take. */
int vmx_request_data(struct vmx_vm *vm, enum vmx_request_kind kind, void *data,
		     char *reply, size_t reply_len);
/* Interrupt KVM_RUN without a request (throttling). */
void vmx_kick_vcpus(struct vmx_vm *vm);
void vmx_fail(struct vmx_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *vmx_state_name(enum vmx_run_state state);
int vmx_vcpu_complete_io(struct vmx_vcpu *vcpu);
void vmx_kick_init(void);

/* io.c */
int vmx_io_exit(struct vmx_vcpu *vcpu);

/* dirty_log.c */
int vmx_dirty_log_start(struct vmx_vm *vm, char *err, size_t errlen);
int vmx_dirty_log_stop(struct vmx_vm *vm, char *err, size_t errlen);
/*
 * "Give me and reset the dirty bitmap": one bit per 4 KiB page of guest RAM
 * in vm->ram order (region by region), so that @bitmap holds
 * vm->ram_size / 4096 bits.  Returns the number of dirty pages or -1.
 */
long vmx_dirty_log_fetch(struct vmx_vm *vm, unsigned long *bitmap, char *err, size_t errlen);

#endif
