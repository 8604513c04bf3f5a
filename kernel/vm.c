// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects.  A vmx creates one through /dev/ftmigrate; it lives as long as
 * that file descriptor.  Netlink finds VMs under RCU through the host's
 * xarray and pins them with kref_get_unless_zero().
 *
 * VMs come from their own slab cache so that a leaked VM makes the cache's
 * destruction at module unload complain in the kernel log.
 */
#include <crypto/sha2.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "ftmigrate.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static struct kmem_cache *ftm_vm_cache;

int ftm_vm_cache_init(void)
{
	ftm_vm_cache = KMEM_CACHE(ftm_vm, 0);
	return ftm_vm_cache ? 0 : -ENOMEM;
}

void ftm_vm_cache_exit(void)
{
	/* Wait for the RCU frees queued by ftm_vm_release(). */
	rcu_barrier();
	kmem_cache_destroy(ftm_vm_cache);
}

static void ftm_vm_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(ftm_vm_cache, container_of(rcu, struct ftm_vm, rcu));
}

static void ftm_vm_release(struct kref *ref)
{
	struct ftm_vm *vm = container_of(ref, struct ftm_vm, ref);

	/* Only holders of a reference read the config; dumps do not. */
	kvfree(vm->config);
	ftm_mem_release(vm);
	ftm_disk_release(vm);
	ftm_vmreq_release(&vm->req);
	mutex_destroy(&vm->lock);
	call_rcu(&vm->rcu, ftm_vm_free_rcu);
}

/**
 * ftm_vm_put() - drop a reference to a VM
 * @vm: the VM
 */
void ftm_vm_put(struct ftm_vm *vm)
{
	kref_put(&vm->ref, ftm_vm_release);
}

/**
 * ftm_vm_create() - create a VM object and publish it on its host
 * @fn: the host
 * @name: NUL-terminated name, already validated
 * @uuid: FTM_UUID_LEN bytes
 * @config: user pointer to the VM config file's contents
 * @config_len: its length, 1 to FTM_CONFIG_MAX
 *
 * The VM is fully built before it becomes visible, then a created event goes
 * to the host's listeners.
 *
 * Return: the VM with one reference, owned by the caller, or an ERR_PTR().
 */
struct ftm_vm *ftm_vm_create(struct ftm_net *fn, const char *name,
			     const u8 *uuid, const void __user *config,
			     u32 config_len)
{
	struct ftm_vm *vm;
	int err;

	vm = kmem_cache_zalloc(ftm_vm_cache, GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);

	vm->config = vmemdup_user(config, config_len);
	if (IS_ERR(vm->config)) {
		err = PTR_ERR(vm->config);
		goto err_free;
	}
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->ft_lock);
	ftm_vmreq_init(&vm->req);
	vm->fn = fn;
	vm->state = FTMIGRATE_VM_STATE_CREATED;
	strscpy(vm->name, name, sizeof(vm->name));
	memcpy(vm->uuid, uuid, FTM_UUID_LEN);
	vm->owner_pid = task_tgid_nr(current);
	vm->created_ns = ktime_get_real_ns();
	vm->config_len = config_len;
	sha256(vm->config, config_len, vm->config_sha256);

	/* xa_alloc_cyclic() sets vm->id before the entry becomes visible. */
	err = xa_alloc_cyclic(&fn->vms, &vm->id, vm, xa_limit_31b,
			      &fn->next_vm_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto err_config;

	trace_ftm_vm_create(vm);
	ftm_nl_notify_vm(vm, FTMIGRATE_CMD_VM_CREATED_NTF);
	return vm;

err_config:
	kvfree(vm->config);
err_free:
	kmem_cache_free(ftm_vm_cache, vm);
	return ERR_PTR(err);
}

/**
 * ftm_vm_destroy() - unpublish a VM and drop its owner's reference
 * @vm: the VM, as returned by ftm_vm_create()
 *
 * Called once, when the owning file is released.  Lookups already in flight
 * keep the object alive until they drop their references.
 */
void ftm_vm_destroy(struct ftm_vm *vm)
{
	xa_erase(&vm->fn->vms, vm->id);
	/* A migration using the VM fails (or, past stun, goes on without it). */
	ftm_migration_vm_gone(vm);
	WRITE_ONCE(vm->state, FTMIGRATE_VM_STATE_DESTROYED);
	trace_ftm_vm_destroy(vm);
	ftm_nl_notify_vm(vm, FTMIGRATE_CMD_VM_DESTROYED_NTF);
	ftm_vm_put(vm);
}

/**
 * ftm_vm_lookup() - find a VM of a host by id
 * @fn: the host
 * @id: VM id
 *
 * Return: the VM with a reference the caller drops with ftm_vm_put(), or
 * NULL if the host has no such VM.
 */
struct ftm_vm *ftm_vm_lookup(struct ftm_net *fn, u32 id)
{
	struct ftm_vm *vm;

	rcu_read_lock();
	vm = xa_load(&fn->vms, id);
	if (vm && !kref_get_unless_zero(&vm->ref))
		vm = NULL;
	rcu_read_unlock();
	return vm;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit_vm.c"
#endif
