// SPDX-License-Identifier: GPL-2.0
/*
 * Migration objects: one per side of a migration on a host, in the host's
 * table by the orchestrator's id.  Netlink finds them under RCU and pins
 * them with kref_get_unless_zero(); the migration's thread holds a
 * reference while it runs, and the host's table holds one until the entry
 * is replaced by a new migration with the same id or the host goes away.
 *
 * Every state change is an event on the host's "events" group.  Ended
 * migrations stay listed with their outcome so that an orchestrator that
 * lost the final event can still read it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "ftmigrate.h"

#define FTM_DEFAULT_DOWNTIME_MS		300
#define FTM_DEFAULT_TIMEOUT_MS		(10 * 60 * 1000)
#define FTM_DEFAULT_THROTTLE_STEP	20

static void ftm_migration_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct ftm_migration, rcu));
}

static void ftm_migration_release(struct kref *ref)
{
	struct ftm_migration *mig = container_of(ref, struct ftm_migration, ref);

	WARN_ON_ONCE(mig->vm);
	mutex_destroy(&mig->lock);
	memzero_explicit(mig->secret, sizeof(mig->secret));
	call_rcu(&mig->rcu, ftm_migration_free_rcu);
}

/**
 * ftm_migration_put() - drop a reference to a migration
 * @mig: the migration
 */
void ftm_migration_put(struct ftm_migration *mig)
{
	kref_put(&mig->ref, ftm_migration_release);
}

/**
 * ftm_migration_new() - a migration object, not yet in the host's table
 * @fn: the host
 * @id: the orchestrator's id, non-zero
 * @role: FTMIGRATE_MIGRATION_ROLE_*
 * @type: its type
 *
 * Return: the object with one reference, or NULL.
 */
struct ftm_migration *ftm_migration_new(struct ftm_net *fn, u64 id, u32 role,
					const struct ftm_type *type)
{
	struct ftm_migration *mig;

	mig = kzalloc(sizeof(*mig), GFP_KERNEL_ACCOUNT);
	if (!mig)
		return NULL;
	kref_init(&mig->ref);
	mutex_init(&mig->lock);
	mig->fn = fn;
	mig->id = id;
	mig->role = role;
	mig->type = type;
	mig->params = (struct ftm_migration_params){
		.downtime_ms = FTM_DEFAULT_DOWNTIME_MS,
		.streams = 1,
		.timeout_ms = FTM_DEFAULT_TIMEOUT_MS,
		.throttle_step = FTM_DEFAULT_THROTTLE_STEP,
	};
	return mig;
}

/**
 * ftm_migration_ended() - has the migration reached an outcome?
 * @mig: the migration
 */
bool ftm_migration_ended(const struct ftm_migration *mig)
{
	u32 state = READ_ONCE(mig->state);

	return state == FTMIGRATE_MIGRATION_STATE_COMPLETED ||
	       state == FTMIGRATE_MIGRATION_STATE_FAILED ||
	       state == FTMIGRATE_MIGRATION_STATE_CANCELLED;
}

/**
 * ftm_migration_publish() - put a new migration in its host's table
 * @mig: the migration, from ftm_migration_new()
 *
 * An ended migration with the same id is replaced; a live one is not.
 *
 * Return: 0 (the table took a reference) or -EEXIST / -ENOMEM.
 */
int ftm_migration_publish(struct ftm_migration *mig)
{
	struct ftm_net *fn = mig->fn;
	struct ftm_migration *old;
	int err = 0;

	xa_lock(&fn->migrations);
	old = xa_load(&fn->migrations, mig->id);
	if (old && !ftm_migration_ended(old)) {
		err = -EEXIST;
	} else {
		kref_get(&mig->ref);
		old = __xa_store(&fn->migrations, mig->id, mig, GFP_ATOMIC);
		if (xa_is_err(old)) {
			err = xa_err(old);
			old = NULL;
			ftm_migration_put(mig);
		}
	}
	xa_unlock(&fn->migrations);
	if (old && !err)
		ftm_migration_put(old);
	return err;
}

/**
 * ftm_migration_lookup() - find a migration of a host
 * @fn: the host
 * @id: its id
 *
 * Return: the migration with a reference, or NULL.
 */
struct ftm_migration *ftm_migration_lookup(struct ftm_net *fn, u64 id)
{
	struct ftm_migration *mig;

	rcu_read_lock();
	mig = xa_load(&fn->migrations, id);
	if (mig && !kref_get_unless_zero(&mig->ref))
		mig = NULL;
	rcu_read_unlock();
	return mig;
}

/**
 * ftm_migration_set_state() - move to a state and tell the listeners
 * @mig: the migration
 * @state: FTMIGRATE_MIGRATION_STATE_*
 *
 * An ended migration keeps its outcome.
 */
void ftm_migration_set_state(struct ftm_migration *mig, u32 state)
{
	mutex_lock(&mig->lock);
	if (ftm_migration_ended(mig)) {
		mutex_unlock(&mig->lock);
		return;
	}
	WRITE_ONCE(mig->state, state);
	mutex_unlock(&mig->lock);
	ftm_nl_notify_migration(mig, FTMIGRATE_CMD_MIGRATION_STATE_NTF);
}

/**
 * ftm_migration_fail() - end a migration with an error (or a cancel)
 * @mig: the migration
 * @error: FTMIGRATE_MIGRATION_ERROR_*; a requested cancel wins over it
 * @fmt: message for people
 *
 * The caller has already put the VM back in the state the one-owner rule
 * requires (the source running, the destination gone).
 */
void ftm_migration_fail(struct ftm_migration *mig, u32 error, const char *fmt, ...)
{
	va_list ap;

	mutex_lock(&mig->lock);
	if (ftm_migration_ended(mig)) {
		mutex_unlock(&mig->lock);
		return;
	}
	if (mig->cancel_requested) {
		WRITE_ONCE(mig->state, FTMIGRATE_MIGRATION_STATE_CANCELLED);
		mig->error = FTMIGRATE_MIGRATION_ERROR_NONE;
		strscpy(mig->error_msg, "cancelled", sizeof(mig->error_msg));
	} else {
		WRITE_ONCE(mig->state, FTMIGRATE_MIGRATION_STATE_FAILED);
		mig->error = error;
		va_start(ap, fmt);
		vsnprintf(mig->error_msg, sizeof(mig->error_msg), fmt, ap);
		va_end(ap);
	}
	mutex_unlock(&mig->lock);
	pr_info("migration %llu (%s) %s: %s\n", mig->id,
		mig->role == FTMIGRATE_MIGRATION_ROLE_SOURCE ? "source" : "destination",
		mig->state == FTMIGRATE_MIGRATION_STATE_CANCELLED ? "cancelled" : "failed",
		mig->error_msg);
	ftm_nl_notify_migration(mig, FTMIGRATE_CMD_MIGRATION_STATE_NTF);
}

/**
 * ftm_migration_cancelled() - should the migration's thread stop?
 * @arg: the migration
 *
 * True after a cancel, and once the total timeout has passed.
 */
bool ftm_migration_cancelled(void *arg)
{
	struct ftm_migration *mig = arg;
	unsigned long deadline = READ_ONCE(mig->deadline);

	return atomic_read(&mig->cancel) ||
	       (deadline && time_after(jiffies, deadline));
}

/**
 * ftm_migration_cancel() - cancel a migration in whatever state it is
 * @mig: the migration
 *
 * Idempotent.  A migration with a thread ends when the thread notices; one
 * without (Begun or Prepared) ends here, and a Prepared destination tells
 * its incoming vmx to power off, as a failed one does.
 *
 * Return: 0, or -EALREADY past the point of no return (it completes).
 */
int ftm_migration_cancel(struct ftm_migration *mig)
{
	struct ftm_vm *vm = NULL;
	bool idle, first;

	mutex_lock(&mig->lock);
	if (mig->committed) {
		mutex_unlock(&mig->lock);
		return -EALREADY;
	}
	/* Only the first cancel of a live migration ends an idle one. */
	first = !ftm_migration_ended(mig) && !mig->cancel_requested;
	if (!ftm_migration_ended(mig))
		mig->cancel_requested = true;
	atomic_set(&mig->cancel, 1);
	idle = !mig->thread;
	if (mig->vm) {
		vm = mig->vm;
		kref_get(&vm->ref);
	}
	mutex_unlock(&mig->lock);
	if (vm)
		wake_up_all(&vm->req.wq);
	if (idle) {
		ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_NONE, "cancelled");
		if (first && vm && mig->role == FTMIGRATE_MIGRATION_ROLE_DESTINATION)
			ftm_vmreq_call(&vm->req, FTM_REQ_POWER_OFF, 0, mig->id, NULL,
				       0, NULL, 0, NULL, NULL);
		ftm_migration_detach_vm(mig);
	}
	if (vm)
		ftm_vm_put(vm);
	return 0;
}

/**
 * ftm_migration_attach_vm() - bind a VM to a migration
 * @mig: the migration
 * @vm: the VM; a reference is taken
 *
 * Return: 0, or -EBUSY if the VM is in another migration.
 */
int ftm_migration_attach_vm(struct ftm_migration *mig, struct ftm_vm *vm)
{
	int err = 0;

	mutex_lock(&vm->lock);
	if (vm->migration || READ_ONCE(vm->req.dead)) {
		err = -EBUSY;
	} else {
		kref_get(&vm->ref);
		kref_get(&mig->ref);
		vm->migration = mig;
		mig->vm = vm;
	}
	mutex_unlock(&vm->lock);
	return err;
}

/**
 * ftm_migration_detach_vm() - unbind the migration's VM, if any
 * @mig: the migration, ended or never started
 */
void ftm_migration_detach_vm(struct ftm_migration *mig)
{
	struct ftm_vm *vm;

	mutex_lock(&mig->lock);
	vm = mig->vm;
	mig->vm = NULL;
	mutex_unlock(&mig->lock);
	if (!vm)
		return;
	mutex_lock(&vm->lock);
	if (vm->migration == mig) {
		vm->migration = NULL;
		ftm_migration_put(mig);
	}
	mutex_unlock(&vm->lock);
	ftm_vm_put(vm);
}

/**
 * ftm_migration_vm_gone() - a VM's vmx released it: fail its migration
 * @vm: the VM being destroyed
 *
 * Waits in the migration's thread wake up with -ENODEV and end the
 * migration; a migration without a thread ends here.
 */
void ftm_migration_vm_gone(struct ftm_vm *vm)
{
	struct ftm_migration *mig;

	ftm_vmreq_kill(&vm->req);
	mutex_lock(&vm->lock);
	mig = vm->migration;
	if (mig)
		kref_get(&mig->ref);
	mutex_unlock(&vm->lock);
	if (!mig)
		return;
	mutex_lock(&mig->lock);
	if (!mig->thread && !ftm_migration_ended(mig)) {
		mutex_unlock(&mig->lock);
		ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_VM_LOST,
				   "the vmx exited");
		ftm_migration_detach_vm(mig);
	} else {
		mutex_unlock(&mig->lock);
	}
	ftm_migration_put(mig);
}

static int ftm_migration_thread_fn(void *arg)
{
	struct ftm_migration *mig = arg;
	struct ftm_net *fn = mig->fn;

	mig->thread_fn(mig);
	mutex_lock(&mig->lock);
	mig->thread = NULL;
	mutex_unlock(&mig->lock);
	ftm_migration_detach_vm(mig);
	ftm_migration_put(mig);
	if (atomic_dec_and_test(&fn->workers))
		wake_up_all(&fn->workers_wq);
	return 0;
}

/**
 * ftm_migration_start() - run a migration's thread
 * @mig: the migration; the thread takes a reference
 * @fn: the thread's body; it ends the migration before it returns
 * @what: "src" or "dst", for the thread's name
 *
 * Return: 0 or a negative errno (the migration is unchanged).
 */
int ftm_migration_start(struct ftm_migration *mig, int (*fn)(void *arg),
			const char *what)
{
	struct task_struct *t;

	kref_get(&mig->ref);
	atomic_inc(&mig->fn->workers);
	mutex_lock(&mig->lock);
	mig->thread_fn = fn;
	t = kthread_create(ftm_migration_thread_fn, mig, "ftm-%s/%llu", what,
			   mig->id);
	if (IS_ERR(t)) {
		mutex_unlock(&mig->lock);
		if (atomic_dec_and_test(&mig->fn->workers))
			wake_up_all(&mig->fn->workers_wq);
		ftm_migration_put(mig);
		return PTR_ERR(t);
	}
	mig->thread = t;
	mutex_unlock(&mig->lock);
	wake_up_process(t);
	return 0;
}

/**
 * ftm_migration_progress() - tell the listeners how a round went
 * @mig: the migration
 */
void ftm_migration_progress(struct ftm_migration *mig)
{
	ftm_nl_notify_migration(mig, FTMIGRATE_CMD_MIGRATION_PROGRESS_NTF);
}

/**
 * ftm_migrations_stop() - a host goes away: end and drop its migrations
 * @fn: the host
 *
 * Cancels every migration, waits for their threads, then empties the
 * table.  The listener is closed before, so no new one arrives.
 */
void ftm_migrations_stop(struct ftm_net *fn)
{
	struct ftm_migration *mig;
	unsigned long id;

	xa_for_each(&fn->migrations, id, mig) {
		/* Past the point of no return only the host going away stops it. */
		if (ftm_migration_cancel(mig) == -EALREADY)
			atomic_set(&mig->cancel, 1);
	}
	wait_event(fn->workers_wq, !atomic_read(&fn->workers));
	xa_for_each(&fn->migrations, id, mig) {
		xa_erase(&fn->migrations, id);
		ftm_migration_detach_vm(mig);
		ftm_migration_put(mig);
	}
}
