// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU run loop and run control.
 *
 * Control requests (pause, save, ...) come from the control thread.  They
 * are carried out by the vCPU thread itself, between two KVM_RUNs and after
 * any half-done port I/O has been completed, so that every save, hash or
 * dirty-log read sees the VM at a clean instruction boundary.  To get the
 * vCPU's attention the control thread signals it: the signal handler sets
 * kvm_run.immediate_exit, which makes KVM_RUN return at once whether the
 * signal lands before, during or after the ioctl.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "state.h"
#include "vmx.h"

#define KICK_SIGNAL SIGUSR1

static __thread struct kvm_run *current_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (current_run)
		current_run->immediate_exit = 1;
}

void vmx_kick_init(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);	/* no SA_RESTART: KVM_RUN must return */
}

void vmx_kick_vcpus(struct vmx_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		pthread_kill(vm->vcpus[i].thread, KICK_SIGNAL);
}

/* For a request: out of KVM_RUN, and out of a doorbell wait too. */
static void kick(struct vmx_vm *vm)
{
	uint64_t one = 1;

	if (write(vm->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("vmx: kick");
	vmx_kick_vcpus(vm);
}

const char *vmx_state_name(enum vmx_run_state state)
{
	switch (state) {
	case VMX_STATE_RUNNING: return "running";
	case VMX_STATE_PAUSED: return "paused";
	case VMX_STATE_HALTED: return "halted";
	case VMX_STATE_SHUTDOWN: return "shutdown";
	case VMX_STATE_MIGRATED: return "migrated";
	case VMX_STATE_FAILED: return "failed";
	}
	return "unknown";
}

void vmx_fail(struct vmx_vm *vm, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (vm->state != VMX_STATE_FAILED) {
		va_start(ap, fmt);
		vsnprintf(vm->failure, sizeof(vm->failure), fmt, ap);
		va_end(ap);
		vm->state = VMX_STATE_FAILED;
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

/*
 * Finish an exit KVM is still in the middle of (the data of a port IN is
 * only written to the guest's register by the next KVM_RUN) without running
 * any guest instruction: KVM_RUN with immediate_exit set does exactly that.
 */
int vmx_vcpu_complete_io(struct vmx_vcpu *vcpu)
{
	int r;

	vcpu->run->immediate_exit = 1;
	r = ioctl(vcpu->fd, KVM_RUN, 0);
	vcpu->run->immediate_exit = 0;
	if (r == 0 || errno == EINTR || errno == EAGAIN)
		return 0;
	return -1;
}

static int request(struct vmx_vm *vm, enum vmx_request_kind kind, const char *arg, void *data,
		   char *reply, size_t reply_len)
{
	struct vmx_request req = { .kind = kind, .arg = arg, .data = data, .reply = reply,
				   .reply_len = reply_len };

	pthread_mutex_lock(&vm->lock);
	while (vm->request && vm->state <= VMX_STATE_PAUSED)
		pthread_cond_wait(&vm->cond, &vm->lock);
	if (vm->state > VMX_STATE_PAUSED) {
		snprintf(reply, reply_len, "error: VM is %s", vmx_state_name(vm->state));
		pthread_mutex_unlock(&vm->lock);
		return -1;
	}
	vm->request = &req;
	atomic_store(&vm->request_pending, true);
	pthread_cond_broadcast(&vm->cond);	/* a paused vCPU waits on this */
	kick(vm);				/* a running one is in KVM_RUN */
	while (!req.done && vm->state <= VMX_STATE_PAUSED)
		pthread_cond_wait(&vm->cond, &vm->lock);
	if (!req.done)
		snprintf(reply, reply_len, "error: VM is %s", vmx_state_name(vm->state));
	if (vm->request == &req)
		vm->request = NULL;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	return req.done && !strncmp(reply, "ok", 2) ? 0 : -1;
}

int vmx_request(struct vmx_vm *vm, enum vmx_request_kind kind, const char *arg,
		char *reply, size_t reply_len)
{
	return request(vm, kind, arg, NULL, reply, reply_len);
}

int vmx_request_data(struct vmx_vm *vm, enum vmx_request_kind kind, void *data,
		     char *reply, size_t reply_len)
{
	return request(vm, kind, NULL, data, reply, reply_len);
}

static void dirty_fetch(struct vmx_vm *vm, char *reply, size_t len)
{
	uint64_t pages = vm->ram_size / VMX_PAGE_SIZE, lo = UINT64_MAX, hi = 0;
	unsigned long *bitmap = calloc((pages + 63) / 64, sizeof(*bitmap));
	char err[200];
	long n;

	if (!bitmap) {
		snprintf(reply, len, "error: out of memory");
		return;
	}
	n = vmx_dirty_log_fetch(vm, bitmap, err, sizeof(err));
	if (n < 0) {
		snprintf(reply, len, "error: %s", err);
	} else {
		for (uint64_t p = 0; p < pages; p++) {
			if (bitmap[p / 64] & (1UL << (p % 64))) {
				lo = lo < p ? lo : p;
				hi = p;
			}
		}
		/* Page numbers are offsets into RAM, region by region. */
		if (n)
			snprintf(reply, len, "ok dirty=%ld first=%" PRIu64 " last=%" PRIu64, n, lo, hi);
		else
			snprintf(reply, len, "ok dirty=0");
	}
	free(bitmap);
}

/*
 * Migration switch-over on the source: stop where the VM is, remember
 * whether it was running (a failed migration puts it back as it was), and
 * serialise everything but RAM.  Until the module answers with RESUME or
 * POWER_OFF, nothing else may let this copy run.
 */
static void stun(struct vmx_vm *vm, struct vmx_state_blob *blob, char *reply, size_t len)
{
	char err[300];

	pthread_mutex_lock(&vm->lock);
	if (!vm->stunned) {
		vm->run_after_stun = vm->state == VMX_STATE_RUNNING;
		vm->stunned = true;
	}
	vm->state = VMX_STATE_PAUSED;
	pthread_mutex_unlock(&vm->lock);
	vmx_events_flush(vm);
	if (vmx_state_save_blob(vm, blob->max, &blob->data, &blob->len, err, sizeof(err))) {
		snprintf(reply, len, "error: %s", err);
		return;
	}
	if (vm->print_hash)
		fprintf(stderr, "ram-hash-at-stun=%016" PRIx64 "\n", vmx_ram_hash(vm));
	snprintf(reply, len, "ok stunned");
}

/* Destination: RAM is in place; vCPU and device state come from the blob. */
static void load_state(struct vmx_vm *vm, struct vmx_state_blob *blob, char *reply, size_t len)
{
	char err[300];
	bool incoming;

	pthread_mutex_lock(&vm->lock);
	incoming = vm->incoming && vm->state == VMX_STATE_PAUSED;
	pthread_mutex_unlock(&vm->lock);
	if (!incoming) {
		/* Loading over a VM that has run would be two pasts in one VM. */
		snprintf(reply, len, "error: not waiting for an incoming migration");
		return;
	}
	if (vmx_state_load_blob(vm, blob->data, blob->len, err, sizeof(err)))
		snprintf(reply, len, "error: %s", err);
	else
		snprintf(reply, len, "ok loaded");
}

/*
 * The end of a migration that leaves this copy the VM.  Destination: go
 * live (the hash is printed before any guest instruction runs).  Source:
 * the migration failed or was cancelled; tracking ends and the VM runs
 * again if it was running when stunned.
 */
static void migrate_resume(struct vmx_vm *vm, char *reply, size_t len)
{
	char err[300];
	bool incoming;
	bool secondary;

	pthread_mutex_lock(&vm->lock);
	incoming = vm->incoming;
	secondary = vm->secondary;
	pthread_mutex_unlock(&vm->lock);
	if (incoming) {
		if (secondary) {
			fprintf(stderr, "vmx: FT secondary going live\n");
			vmx_nic_drop_queued(vm);
		}
		if (vm->print_hash)
			fprintf(stderr, "ram-hash-at-resume=%016" PRIx64 "\n", vmx_ram_hash(vm));
		pthread_mutex_lock(&vm->lock);
		vm->incoming = false;
		vm->secondary = false;
		vm->state = VMX_STATE_RUNNING;
		pthread_mutex_unlock(&vm->lock);
		snprintf(reply, len, "ok running");
		return;
	}
	vmx_throttle_set(vm, 0);
	vm->migration_tracking = false;
	if (vmx_dirty_log_stop(vm, err, sizeof(err))) {
		/* Tracking left on costs speed, not correctness: run anyway. */
		fprintf(stderr, "vmx: after the migration: %s\n", err);
	}
	pthread_mutex_lock(&vm->lock);
	if (vm->stunned && vm->run_after_stun)
		vm->state = VMX_STATE_RUNNING;
	vm->stunned = false;
	snprintf(reply, len, "ok %s", vmx_state_name(vm->state));
	pthread_mutex_unlock(&vm->lock);
}

/*
 * A clone's destination: memory and state are in place, and the source runs
 * on as the primary.  This copy stays powered on and stopped at the clone
 * point until a failover resumes it or a POWER_OFF destroys it.
 */
static void become_secondary(struct vmx_vm *vm, char *reply, size_t len)
{
	bool incoming;

	pthread_mutex_lock(&vm->lock);
	incoming = vm->incoming && vm->state == VMX_STATE_PAUSED;
	if (incoming)
		vm->secondary = true;
	pthread_mutex_unlock(&vm->lock);
	if (!incoming) {
		snprintf(reply, len, "error: not waiting for an incoming migration");
		return;
	}
	if (vm->print_hash)
		fprintf(stderr, "ram-hash-at-clone=%016" PRIx64 "\n", vmx_ram_hash(vm));
	snprintf(reply, len, "ok secondary");
}

/* Carry out one request; returns 1 when the run loop must end. */
static int do_request(struct vmx_vcpu *vcpu, struct vmx_request *req)
{
	struct vmx_vm *vm = vcpu->vm;
	char err[300];
	int stop = 0;
	bool held;

	switch (req->kind) {
	case VMX_REQ_PAUSE:
		pthread_mutex_lock(&vm->lock);
		vm->state = VMX_STATE_PAUSED;
		pthread_mutex_unlock(&vm->lock);
		vmx_events_flush(vm);
		snprintf(req->reply, req->reply_len, "ok paused");
		break;
	case VMX_REQ_RESUME:
		pthread_mutex_lock(&vm->lock);
		held = vm->incoming || vm->stunned;
		if (!held)
			vm->state = VMX_STATE_RUNNING;
		pthread_mutex_unlock(&vm->lock);
		/* Only the migration may let a copy that it holds run: one owner. */
		if (held)
			snprintf(req->reply, req->reply_len, "error: the VM is held by a migration");
		else
			snprintf(req->reply, req->reply_len, "ok running");
		break;
	case VMX_REQ_SAVE:
		/* A save stops the VM where it is saved: one copy runs at a time. */
		pthread_mutex_lock(&vm->lock);
		vm->state = VMX_STATE_PAUSED;
		pthread_mutex_unlock(&vm->lock);
		vmx_events_flush(vm);
		if (vmx_state_save(vm, req->arg, err, sizeof(err)))
			snprintf(req->reply, req->reply_len, "error: %s", err);
		else
			snprintf(req->reply, req->reply_len, "ok saved ram-hash=%016" PRIx64,
				 vmx_ram_hash(vm));
		break;
	case VMX_REQ_HASH:
		snprintf(req->reply, req->reply_len, "ok ram-hash=%016" PRIx64, vmx_ram_hash(vm));
		break;
	case VMX_REQ_DIRTY_START:
		if (vmx_dirty_log_start(vm, err, sizeof(err)))
			snprintf(req->reply, req->reply_len, "error: %s", err);
		else
			snprintf(req->reply, req->reply_len, "ok dirty logging");
		break;
	case VMX_REQ_DIRTY_TRACK:
		if (vmx_dirty_log_start(vm, err, sizeof(err))) {
			snprintf(req->reply, req->reply_len, "error: %s", err);
		} else {
			vm->migration_tracking = true;
			snprintf(req->reply, req->reply_len, "ok dirty logging");
		}
		break;
	case VMX_REQ_DIRTY_STOP:
	case VMX_REQ_DIRTY_FETCH:
		/* A fetch by hand would steal pages from the migration's copy. */
		if (vm->migration_tracking) {
			snprintf(req->reply, req->reply_len,
				 "error: dirty logging belongs to a migration");
			break;
		}
		if (req->kind == VMX_REQ_DIRTY_FETCH) {
			dirty_fetch(vm, req->reply, req->reply_len);
			break;
		}
		if (vmx_dirty_log_stop(vm, err, sizeof(err)))
			snprintf(req->reply, req->reply_len, "error: %s", err);
		else
			snprintf(req->reply, req->reply_len, "ok dirty logging stopped");
		break;
	case VMX_REQ_STUN_BLOB:
		pthread_mutex_lock(&vm->lock);
		vm->state = VMX_STATE_PAUSED;
		pthread_mutex_unlock(&vm->lock);
		vmx_events_flush(vm);
		if (vmx_state_save_split(vm, req->arg, err, sizeof(err)))
			snprintf(req->reply, req->reply_len, "error: %s", err);
		else
			snprintf(req->reply, req->reply_len, "ok stunned ram-hash=%016" PRIx64,
				 vmx_ram_hash(vm));
		break;
	case VMX_REQ_DIRTY_BITMAP: {
		long n = vmx_dirty_log_fetch(vm, req->data, err, sizeof(err));

		if (n < 0)
			snprintf(req->reply, req->reply_len, "error: %s", err);
		else
			snprintf(req->reply, req->reply_len, "ok dirty=%ld", n);
		break;
	}
	case VMX_REQ_STUN:
		stun(vm, req->data, req->reply, req->reply_len);
		break;
	case VMX_REQ_LOAD_STATE:
		load_state(vm, req->data, req->reply, req->reply_len);
		break;
	case VMX_REQ_MIGRATE_RESUME:
		migrate_resume(vm, req->reply, req->reply_len);
		break;
	case VMX_REQ_SECONDARY:
		become_secondary(vm, req->reply, req->reply_len);
		break;
	case VMX_REQ_POWER_OFF:
		/* No copy here may run again, whatever state the VM was in. */
		vmx_events_flush(vm);
		pthread_mutex_lock(&vm->lock);
		if (vm->secondary) {
			snprintf(vm->failure, sizeof(vm->failure), "FT secondary powered off");
			vm->state = VMX_STATE_FAILED;
		} else if (vm->incoming) {
			snprintf(vm->failure, sizeof(vm->failure), "incoming migration failed");
			vm->state = VMX_STATE_FAILED;
		} else {
			vm->state = VMX_STATE_MIGRATED;
		}
		pthread_mutex_unlock(&vm->lock);
		snprintf(req->reply, req->reply_len, "ok powered off");
		stop = 1;
		break;
	case VMX_REQ_SHUTDOWN:
		vmx_events_flush(vm);
		pthread_mutex_lock(&vm->lock);
		vm->state = VMX_STATE_SHUTDOWN;
		pthread_mutex_unlock(&vm->lock);
		snprintf(req->reply, req->reply_len, "ok shutdown");
		stop = 1;
		break;
	case VMX_REQ_NONE:
		snprintf(req->reply, req->reply_len, "error: no request");
		break;
	}
	return stop;
}

/*
 * Serve requests at a clean point until the VM is to run again (returns 0)
 * or to stop (returns 1).
 */
static int serve_requests(struct vmx_vcpu *vcpu)
{
	struct vmx_vm *vm = vcpu->vm;
	struct vmx_request *req;
	int stop = 0;

	if (vmx_vcpu_complete_io(vcpu)) {
		vmx_fail(vm, "completing I/O: %s", strerror(errno));
		return 1;
	}
	pthread_mutex_lock(&vm->lock);
	for (;;) {
		atomic_store(&vm->request_pending, false);
		req = vm->request;
		if (!req) {
			if (vm->state != VMX_STATE_PAUSED)
				break;
			pthread_cond_wait(&vm->cond, &vm->lock);
			continue;
		}
		pthread_mutex_unlock(&vm->lock);
		stop = do_request(vcpu, req);
		pthread_mutex_lock(&vm->lock);
		req->done = true;
		vm->request = NULL;
		pthread_cond_broadcast(&vm->cond);
		if (stop || vm->state > VMX_STATE_PAUSED)
			break;
	}
	stop = stop || vm->state > VMX_STATE_PAUSED;
	pthread_mutex_unlock(&vm->lock);
	return stop;
}

int vmx_vcpu_run(struct vmx_vcpu *vcpu)
{
	struct vmx_vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;

	current_run = run;
	for (;;) {
		if (atomic_load(&vm->request_pending)) {
			if (serve_requests(vcpu))
				break;
		}
		if (atomic_load_explicit(&vm->throttle_until, memory_order_relaxed))
			vmx_throttle_sleep(vm);
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				run->immediate_exit = 0;
				continue;
			}
			vmx_fail(vm, "KVM_RUN: %s", strerror(errno));
			break;
		}
		atomic_fetch_add_explicit(&vcpu->exits, 1, memory_order_relaxed);
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			int r = vmx_io_exit(vcpu);

			if (r == VMX_IO_CONTINUE)
				continue;
			goto out;
		}
		case KVM_EXIT_INTR:
			continue;
		case KVM_EXIT_HLT:
			vmx_fail(vm, "guest executed HLT; guests power off through the halt port");
			goto out;
		case KVM_EXIT_SHUTDOWN: {
			struct kvm_regs regs;

			ioctl(vcpu->fd, KVM_GET_REGS, &regs);
			vmx_fail(vm, "guest triple fault at rip %#llx", (unsigned long long)regs.rip);
			goto out;
		}
		case KVM_EXIT_MMIO:
			vmx_fail(vm, "guest MMIO %s at %#llx: no device there",
				 run->mmio.is_write ? "write" : "read",
				 (unsigned long long)run->mmio.phys_addr);
			goto out;
		case KVM_EXIT_FAIL_ENTRY:
			vmx_fail(vm, "KVM entry failed, reason %#llx",
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			goto out;
		case KVM_EXIT_INTERNAL_ERROR:
			vmx_fail(vm, "KVM internal error, suberror %u", run->internal.suberror);
			goto out;
		default:
			vmx_fail(vm, "unexpected KVM exit %u", run->exit_reason);
			goto out;
		}
	}
out:
	current_run = NULL;
	vmx_events_flush(vm);
	pthread_mutex_lock(&vm->lock);
	/* Let a control request waiting on us see the final state. */
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	return vm->state == VMX_STATE_FAILED ? -1 : 0;
}
