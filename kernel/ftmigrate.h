/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftmigrate internal interfaces: the type registry, hosts (network
 * namespaces), VM objects, and the netlink and chardev front ends.
 */
#ifndef _FTM_FTMIGRATE_H
#define _FTM_FTMIGRATE_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <linux/ftmigrate.h>

#include "frame.h"

#define FTM_MODULE_VERSION	"0.1.0"
#define FTM_FEATURES		(FTM_FEATURE_VM_OBJECTS | FTM_FEATURE_NETLINK | \
				 FTM_FEATURE_VMOTION | FTM_FEATURE_FT_CLONE)
#define FTM_TYPE_COUNT		(FTMIGRATE_TYPE_ID_FTCPT + 1)

struct ftm_type;
struct ftm_migration;
struct ftm_listener;
struct ftm_dst;

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
 * @listener_lock: serialises changes of @listener and @fence_dir
 * @listener: the migration listener, NULL when closed
 * @fence_dir: where FT secondaries of this host take their pair's fence,
 *	"" when this host takes no secondaries
 * @migrations: migrations by id, RCU readable, entries pinned by their kref
 * @workers: migration threads running on this host
 * @workers_wq: woken when @workers drops to zero
 */
struct ftm_net {
	struct net *net;
	struct xarray vms;
	u32 next_vm_id;
	struct mutex event_lock;
	u64 event_seq;
	struct mutex listener_lock;
	struct ftm_listener *listener;
	char fence_dir[FTM_FENCE_MAX];
	struct xarray migrations;
	atomic_t workers;
	wait_queue_head_t workers_wq;
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
 * @lock: protects the fields below (memory, migration, incoming)
 * @nr_regions: registered guest RAM regions
 * @regions: they, in registration order
 * @nr_pages: pages in all regions
 * @migration: the migration using this VM, referenced; NULL if none
 * @incoming_id: migration this VM waits for as its destination, 0 if none
 * @secret_len: length of @secret, 0 if the vmx gave none
 * @secret: migration secret given with FTM_IOC_INCOMING
 * @req: the request channel to the vmx
 * @nr_disks: registered virtual disks
 * @disks: they, in registration order
 * @ft_lock: protects @ft_role, @ft_state, @pair_id and @fence, which
 *	dumps read under RCU
 * @ft_role: enum ftmigrate_ft_role
 * @ft_state: enum ftmigrate_ft_state
 * @pair_id: the FT pair this VM belongs to, 0 if none
 * @fence: the pair's fence file
 *
 * @id, @fn, @name, @uuid, @owner_pid, @created_ns and the config are
 * immutable once the VM is in @fn->vms; @state is read with READ_ONCE().
 */
/**
 * struct ftm_mem_region - a guest RAM region a vmx registered
 * @file: the memfd (tmpfs file) holding it, referenced
 * @gpa: guest physical address
 * @pages: length in pages
 * @pgoff: first page in @file
 * @first: number of the region's first page among all the VM's pages
 */
struct ftm_mem_region {
	struct file *file;
	u64 gpa;
	u64 pages;
	pgoff_t pgoff;
	u64 first;
};

/**
 * struct ftm_disk_file - a virtual disk a vmx registered
 * @file: its backing file, referenced
 * @sectors: its size in FTM_DISK_SECTOR sectors
 */
struct ftm_disk_file {
	struct file *file;
	u64 sectors;
};

/**
 * struct ftm_vmreq - the module's request channel to a vmx
 * @lock: protects everything below
 * @wq: woken for the vmx (a request to read) and for the module (a reply)
 * @seq: sequence number of the last request
 * @req: the request waiting to be read, valid while @queued
 * @queued: @req waits for read()
 * @pending: a reply to @req.seq is awaited
 * @answered: the reply arrived; @status and @data hold it
 * @status: the vmx's status
 * @data: kernel buffer the reply's data is copied to
 * @data_len: its size (exact for bitmaps, upper bound for blobs)
 * @data_got: bytes copied
 * @copying: a reply's data is being copied into @data
 * @state_lock: protects @state and @state_len
 * @state: the incoming device-state blob the vmx reads (destination)
 * @state_len: its length
 * @dead: the vmx is gone; every wait fails
 */
struct ftm_vmreq {
	spinlock_t lock;
	wait_queue_head_t wq;
	u64 seq;
	struct ftm_request req;
	bool queued;
	bool pending;
	bool answered;
	int status;
	void *data;
	size_t data_len;
	size_t data_got;
	bool copying;
	struct mutex state_lock;
	void *state;
	size_t state_len;
	bool dead;
};

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
	struct mutex lock;
	unsigned int nr_regions;
	struct ftm_mem_region regions[FTM_MAX_MEMORY_REGIONS];
	u64 nr_pages;
	struct ftm_migration *migration;
	u64 incoming_id;
	u32 secret_len;
	u8 secret[FTM_SECRET_MAX];
	struct ftm_vmreq req;
	unsigned int nr_disks;
	struct ftm_disk_file disks[FTM_MAX_DISKS];
	spinlock_t ft_lock;
	u32 ft_role;
	u32 ft_state;
	u64 pair_id;
	char fence[FTM_FENCE_MAX];
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

/* vm.c: memory.c */
int ftm_mem_add_region(struct ftm_vm *vm, const struct ftm_memory_region *r);
void ftm_mem_release(struct ftm_vm *vm);
u64 ftm_mem_page_gpa(const struct ftm_vm *vm, u64 page);
int ftm_mem_gpa_page(const struct ftm_vm *vm, u64 gpa, u64 *page);
int ftm_mem_read_page(const struct ftm_vm *vm, u64 page, void *buf);
int ftm_mem_write_page(const struct ftm_vm *vm, u64 page, const void *data);

/* disk.c */
int ftm_disk_add(struct ftm_vm *vm, int fd, u32 *index);
void ftm_disk_release(struct ftm_vm *vm);
void ftm_disk_identify(struct ftm_vm *vm, struct ftm_disk_id *ids, u32 *nr);

/* vmreq.c */
struct poll_table_struct;
void ftm_vmreq_init(struct ftm_vmreq *rq);
void ftm_vmreq_kill(struct ftm_vmreq *rq);
void ftm_vmreq_release(struct ftm_vmreq *rq);
void ftm_vmreq_set_state(struct ftm_vmreq *rq, void *state, size_t len);
int ftm_vmreq_call(struct ftm_vmreq *rq, u32 type, u32 arg, u64 migration_id,
		   void *data, size_t len, size_t *got, long timeout,
		   bool (*cancelled)(void *ctx), void *ctx);
ssize_t ftm_vmreq_read(struct ftm_vmreq *rq, char __user *buf, size_t count,
		       bool nonblock);
__poll_t ftm_vmreq_poll(struct ftm_vmreq *rq, struct file *file,
			struct poll_table_struct *wait);
int ftm_vmreq_reply(struct ftm_vmreq *rq, const struct ftm_reply *r);
long ftm_vmreq_read_state(struct ftm_vmreq *rq, void __user *buf, u64 len);

/* A peer silent for this long is lost (a dead host, a cut link, 100% loss). */
#define FTM_PEER_SILENCE	(10 * HZ)

/**
 * struct ftm_conn - one TCP connection between two hosts' modules
 * @sock: the socket
 * @tx_seq: sequence number of the next frame sent
 * @rx_seq: sequence number the next frame received must carry
 * @tx_bytes: bytes sent, for bandwidth measurement
 * @rx: FTM_FRAME_MAX bytes: the payload of the last frame received
 * @tx: FTM_FRAME_MAX bytes where senders may build a payload
 * @cancelled: polled while blocked; true ends the wait with -ECANCELED
 * @ctx: its argument
 * @quiet_ok: the peer may stay silent as long as it likes, because its
 *	loss shows on another connection (a destination's data streams, idle
 *	in rounds that dirty none of their pages); otherwise a peer silent
 *	for FTM_PEER_SILENCE is lost
 * @broken: a send stopped half-way through a frame; nothing more is sent
 */
struct ftm_conn {
	struct socket *sock;
	u64 tx_seq;
	u64 rx_seq;
	u64 tx_bytes;
	void *rx;
	void *tx;
	bool (*cancelled)(void *ctx);
	void *ctx;
	bool quiet_ok;
	bool broken;
};

/* transport.c */
int ftm_listener_set(struct ftm_net *fn, __be32 addr, __be16 port);
void ftm_listener_get(struct ftm_net *fn, __be32 *addr, __be16 *port);
void ftm_listener_close(struct ftm_net *fn);
int ftm_conn_alloc(struct ftm_conn *c);
int ftm_conn_connect(struct ftm_conn *c, struct net *net, __be32 addr,
		     __be16 port);
void ftm_conn_close(struct ftm_conn *c);
int ftm_conn_send(struct ftm_conn *c, u8 type, const void *payload, u32 len);
int ftm_conn_recv(struct ftm_conn *c, u8 *type, u32 *len);
bool ftm_conn_readable(struct ftm_conn *c);

/* auth.c */
int ftm_auth_mac(const u8 *secret, u32 secret_len, const char *label, u64 id,
		 const u8 *first, const u8 *second, u8 *mac);
int ftm_auth_verify(const u8 *secret, u32 secret_len, const char *label, u64 id,
		    const u8 *first, const u8 *second, const u8 *mac);

/**
 * struct ftm_migration_params - what the orchestrator tunes
 * @downtime_ms: longest acceptable stun
 * @max_bandwidth: bytes per second, 0 for no cap
 * @streams: TCP data streams
 * @timeout_ms: the whole migration fails after this
 * @throttle_step: percent added to the throttle per round that does not
 *	shrink the dirty set; 0 disables auto-converge
 */
struct ftm_migration_params {
	u32 downtime_ms;
	u64 max_bandwidth;
	u32 streams;
	u32 timeout_ms;
	u32 throttle_step;
};

/**
 * struct ftm_migration_stats - progress, as the events report it
 * @round: pre-copy round, from 1
 * @bytes_sent: bytes of page data sent
 * @bytes_left: dirty bytes left at the end of the last round
 * @pages_sent: pages sent, zero pages included
 * @zero_pages: pages sent as zero markers
 * @dirty_rate: pages dirtied per second in the last round
 * @bandwidth: bytes per second in the last round
 * @expected_downtime_ms: @bytes_left at @bandwidth
 * @throttle: percent of vCPU time taken away
 * @total_ms: Perform to the end
 * @downtime_ms: stun to the destination's resume
 */
struct ftm_migration_stats {
	u32 round;
	u64 bytes_sent;
	u64 bytes_left;
	u64 pages_sent;
	u64 zero_pages;
	u64 dirty_rate;
	u64 bandwidth;
	u32 expected_downtime_ms;
	u32 throttle;
	u64 total_ms;
	u32 downtime_ms;
};

/**
 * struct ftm_migration - one side of a migration on one host
 * @ref: references: the host's table, the thread, lookups in flight
 * @rcu: frees after RCU readers (dumps)
 * @fn: the host
 * @id: the orchestrator's id, the same on both hosts
 * @type: the migration type
 * @role: enum ftmigrate_migration_role
 * @vm: the VM on this host, referenced; NULL on a destination before
 *	Prepare found it
 * @lock: protects @state, @error, @error_msg, @params, @stats, @thread
 * @state: enum ftmigrate_migration_state
 * @error: enum ftmigrate_migration_error
 * @error_msg: for people
 * @params: the orchestrator's parameters
 * @stats: progress
 * @cancel: set by a cancel; the thread polls it
 * @cancel_requested: a user asked to cancel (outcome "cancelled")
 * @deadline: jiffies when the migration times out; 0 before Perform
 * @committed: past the point of no return: the source decided to send
 *	COMMIT, or the destination received it
 * @thread: the migration's thread, while it runs
 * @thread_fn: its body
 * @peer_addr: the destination's listener (source)
 * @peer_port: its port
 * @orchestrated: Prepare came over netlink, so Finish will too (dest)
 * @finish: an orchestrator asked the destination to resume (Finish)
 * @secret_len: length of @secret
 * @secret: the migration secret
 * @cookie: Begin's cookie (source) or the one Prepare accepted (dest)
 * @rx: destination: the receiving control thread's state, which data
 *	streams join; set while it receives, under @lock
 * @fence: FT and FTCpt: the pair's fence (Begin on the source, FTCheck on
 *	the destination); immutable once the migration's thread runs
 */
struct ftm_migration {
	struct kref ref;
	struct rcu_head rcu;
	struct ftm_net *fn;
	u64 id;
	const struct ftm_type *type;
	u32 role;
	struct ftm_vm *vm;
	struct mutex lock;
	u32 state;
	u32 error;
	char error_msg[128];
	struct ftm_migration_params params;
	struct ftm_migration_stats stats;
	atomic_t cancel;
	bool cancel_requested;
	unsigned long deadline;
	bool committed;
	struct task_struct *thread;
	int (*thread_fn)(void *arg);
	__be32 peer_addr;
	__be16 peer_port;
	bool orchestrated;
	atomic_t finish;
	u32 secret_len;
	u8 secret[FTM_SECRET_MAX];
	u8 cookie[sizeof(struct ftm_cookie)];
	struct ftm_dst *rx;
	char fence[FTM_FENCE_MAX];
};

/* migration.c */
struct ftm_migration *ftm_migration_new(struct ftm_net *fn, u64 id, u32 role,
					const struct ftm_type *type);
int ftm_migration_publish(struct ftm_migration *mig);
struct ftm_migration *ftm_migration_lookup(struct ftm_net *fn, u64 id);
void ftm_migration_put(struct ftm_migration *mig);
void ftm_migration_set_state(struct ftm_migration *mig, u32 state);
void ftm_migration_fail(struct ftm_migration *mig, u32 error, const char *fmt, ...)
	__printf(3, 4);
bool ftm_migration_cancelled(void *mig);
int ftm_migration_cancel(struct ftm_migration *mig);
bool ftm_migration_ended(const struct ftm_migration *mig);
int ftm_migration_attach_vm(struct ftm_migration *mig, struct ftm_vm *vm);
void ftm_migration_detach_vm(struct ftm_migration *mig);
int ftm_migration_start(struct ftm_migration *mig, int (*fn)(void *arg),
			const char *what);
void ftm_migration_progress(struct ftm_migration *mig);
void ftm_migrations_stop(struct ftm_net *fn);
void ftm_migration_vm_gone(struct ftm_vm *vm);

/* vmotion_source.c, vmotion_dest.c */
void ftm_cookie_build(struct ftm_migration *mig, struct ftm_cookie *cookie);
int ftm_vmotion_perform(struct ftm_migration *mig, __be32 addr, __be16 port,
			bool p2p);
int ftm_vmotion_prepare(struct ftm_net *fn, u64 id, const struct ftm_cookie *cookie,
			const u8 *secret, u32 secret_len,
			struct ftm_migration **out, char *why, size_t why_len);
void ftm_vmotion_incoming(struct ftm_net *fn, struct socket *sock);

/* ftcheck.c */
bool ftm_type_clones(const struct ftm_type *type);
int ftm_ftcheck_send(struct ftm_conn *c, struct ftm_migration *mig);
int ftm_ftcheck_verify(struct ftm_migration *mig, const void *payload, u32 len,
		       u32 *code, char *why, size_t why_len);

/* failover.c */
/**
 * struct ftm_ft_info - a VM's part in an FT pair, as one consistent copy
 * @role: enum ftmigrate_ft_role
 * @state: enum ftmigrate_ft_state
 * @pair_id: the pair's id
 * @fence: its fence file
 */
struct ftm_ft_info {
	u32 role;
	u32 state;
	u64 pair_id;
	char fence[FTM_FENCE_MAX];
};

void ftm_ft_get(struct ftm_vm *vm, struct ftm_ft_info *info);
void ftm_fence_dir_get(struct ftm_net *fn, char *dir);
int ftm_fence_dir_set(struct ftm_net *fn, const char *dir);
bool ftm_fence_name_ok(struct ftm_net *fn, const char *fence);
void ftm_ft_set(struct ftm_vm *vm, const struct ftm_ft_info *info);
int ftm_ft_failover(struct ftm_net *fn, u64 pair_id, struct ftm_vm **out,
		    const char **why);

/* netlink.c */
extern struct genl_family ftm_nl_family;
int ftm_netlink_init(void);
void ftm_netlink_exit(void);
void ftm_nl_notify_vm(struct ftm_vm *vm, u8 cmd);
void ftm_nl_notify_migration(struct ftm_migration *mig, u8 cmd);
int ftm_nl_put_migration(struct sk_buff *skb, struct ftm_migration *mig);

/* chardev.c */
int ftm_chardev_init(void);
void ftm_chardev_exit(void);

#endif /* _FTM_FTMIGRATE_H */
