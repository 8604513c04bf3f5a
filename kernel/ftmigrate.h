/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftmigrate internal interfaces: the type registry, hosts (network
 * namespaces), VM objects, and the netlink and chardev front ends.
 */
#ifndef _FTM_FTMIGRATE_H
#define _FTM_FTMIGRATE_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <linux/ftmigrate.h>

#define FTM_MODULE_VERSION	"0.1.0"
#define FTM_FEATURES		(FTM_FEATURE_VM_OBJECTS | FTM_FEATURE_NETLINK)
#define FTM_TYPE_COUNT		(FTMIGRATE_TYPE_ID_FTCPT + 1)

struct ftm_type;

/**
 * struct ftm_migration_ops - the operations behind a migration type
 * @name: name of the table, reported with every type bound to it
 *
 * As in vmkernel, where VMotion_Init() registers vmotionFns for VMotion, FT
 * and FTCpt alike, one table serves all three types; what differs between
 * them is data in &struct ftm_type.  The migration steps (Begin, Prepare,
 * Perform, Finish, Confirm) join this table as they are implemented.
 */
struct ftm_migration_ops {
	const char *name;
};

/**
 * struct ftm_type - a registered migration type
 * @id: the type's slot in the registry
 * @name: its name, as the seed spells it
 * @flags: enum ftmigrate_type_flags bits: the per-type behaviour
 * @ops: the operations table the type is bound to
 */
struct ftm_type {
	enum ftmigrate_type_id id;
	const char *name;
	u32 flags;
	const struct ftm_migration_ops *ops;
};

/* registry.c */
int ftm_type_register(const struct ftm_type *type);
void ftm_type_unregister(const struct ftm_type *type);
const struct ftm_type *ftm_type_get_rcu(enum ftmigrate_type_id id);
unsigned int ftm_type_count(void);

/* vmotion.c */
int ftm_vmotion_init(void);
void ftm_vmotion_exit(void);

/**
 * struct ftm_net - one host: the per-network-namespace state
 * @net: the namespace
 * @vms: VM objects by id; RCU readable, entries pinned by their kref
 * @next_vm_id: where xa_alloc_cyclic() looks for the next free id, so ids
 *	are not reused at once
 * @event_lock: serialises event sequence numbers with their delivery, so
 *	listeners see events in sequence order
 * @event_seq: last event sequence number handed out
 */
struct ftm_net {
	struct net *net;
	struct xarray vms;
	u32 next_vm_id;
	struct mutex event_lock;
	u64 event_seq;
};

/* netns.c */
struct ftm_net *ftm_net(const struct net *net);
int ftm_netns_init(void);
void ftm_netns_exit(void);

/**
 * struct ftm_vm - a VM object, created and owned by one vmx file descriptor
 * @ref: references: the owning file, lookups in flight
 * @rcu: frees the object after RCU readers (netlink dumps) are done
 * @fn: the host the VM lives on; the owning file pins its netns
 * @id: id within the host, never 0
 * @state: enum ftmigrate_vm_state, read with READ_ONCE()
 * @name: NUL-terminated name
 * @uuid: the VM's UUID
 * @owner_pid: tgid of the vmx that created it, in the initial pid namespace
 * @created_ns: CLOCK_REALTIME at creation
 * @config_len: length of @config
 * @config_sha256: SHA-256 of @config
 * @config: the VM config file's contents
 *
 * Everything but @state and @ref is immutable once the VM is in @fn->vms.
 */
struct ftm_vm {
	struct kref ref;
	struct rcu_head rcu;
	struct ftm_net *fn;
	u32 id;
	u32 state;
	char name[FTM_NAME_LEN];
	u8 uuid[FTM_UUID_LEN];
	pid_t owner_pid;
	u64 created_ns;
	u32 config_len;
	u8 config_sha256[FTM_SHA256_LEN];
	u8 *config;
};

/* vm.c */
int ftm_vm_cache_init(void);
void ftm_vm_cache_exit(void);
struct ftm_vm *ftm_vm_create(struct ftm_net *fn, const char *name,
			     const u8 *uuid, const void __user *config,
			     u32 config_len);
void ftm_vm_destroy(struct ftm_vm *vm);
struct ftm_vm *ftm_vm_lookup(struct ftm_net *fn, u32 id);
void ftm_vm_put(struct ftm_vm *vm);

/* netlink.c */
int ftm_netlink_init(void);
void ftm_netlink_exit(void);
void ftm_nl_notify_vm(struct ftm_vm *vm, u8 cmd);

/* chardev.c */
int ftm_chardev_init(void);
void ftm_chardev_exit(void);

#endif /* _FTM_FTMIGRATE_H */
