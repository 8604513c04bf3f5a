/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * ftmigrate: migration and fault-tolerance core for userspace VMMs.
 *
 * The ioctl ABI of /dev/ftmigrate.  The netlink enums are generated from the
 * family's YNL spec into <linux/ftmigrate_netlink.h>, included here because
 * both interfaces share them (type ids, type flags, VM states).
 *
 * Every ioctl argument starts with a size field: the caller sets it to
 * sizeof() of the struct as it was compiled.  The kernel accepts any size from
 * the first published one (FTM_*_SIZE_VER0) up; bytes the kernel does not know
 * must be zero, and output is copied up to the smaller of the two sizes.
 * Reserved fields and unknown flags must be zero.
 */
#ifndef _UAPI_LINUX_FTMIGRATE_H
#define _UAPI_LINUX_FTMIGRATE_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/ftmigrate_netlink.h>

#define FTM_DEVICE_NAME		"ftmigrate"
#define FTM_API_VERSION		1

/* Feature bits of struct ftm_version.features and FTMIGRATE_A_VERSION_FEATURES. */
#define FTM_FEATURE_VM_OBJECTS	(1ULL << 0)	/* FTM_IOC_CREATE_VM, FTM_IOC_QUERY_VM */
#define FTM_FEATURE_NETLINK	(1ULL << 1)	/* the "ftmigrate" genl family */
#define FTM_FEATURE_VMOTION	(1ULL << 2)	/* guest memory, the request channel, VMotion */
#define FTM_FEATURE_FT_CLONE	(1ULL << 3)	/* FTM_IOC_ADD_DISK, FT secondaries, failover */

#define FTM_NAME_LEN		64	/* VM names, including the NUL */
#define FTM_TYPE_NAME_LEN	16	/* type and ops-table names, including the NUL */
#define FTM_UUID_LEN		16
#define FTM_SHA256_LEN		32
#define FTM_CONFIG_MAX		(64 * 1024)	/* largest VM config file accepted */
#define FTM_MODULE_VERSION_LEN	32
#define FTM_MAX_MEMORY_REGIONS	8	/* guest RAM regions per VM */
#define FTM_SECRET_MIN		16	/* migration secrets, in bytes */
#define FTM_SECRET_MAX		64
#define FTM_STATE_MAX		(16 * 1024 * 1024)	/* largest device-state blob */
#define FTM_MAX_DISKS		4	/* disks per VM */
#define FTM_DISK_SECTOR		512
#define FTM_FENCE_MAX		256	/* fence paths, including the NUL */

/**
 * struct ftm_version - FTM_IOC_GET_VERSION
 * @size: in, sizeof(struct ftm_version)
 * @flags: in, must be 0
 * @api_version: out, FTM_API_VERSION of the module
 * @ntypes: out, number of registered migration types
 * @features: out, FTM_FEATURE_* bits
 * @module_version: out, NUL-terminated module version string
 */
struct ftm_version {
	__u32 size;
	__u32 flags;
	__u32 api_version;
	__u32 ntypes;
	__u64 features;
	char module_version[FTM_MODULE_VERSION_LEN];
};
#define FTM_VERSION_SIZE_VER0	56

/**
 * struct ftm_type_info - one migration type, as FTM_IOC_LIST_TYPES reports it
 * @id: enum ftmigrate_type_id
 * @flags: enum ftmigrate_type_flags bits
 * @name: type name ("VMotion", "FT", "FTCpt")
 * @ops: name of the operations table the type is bound to
 */
struct ftm_type_info {
	__u32 id;
	__u32 flags;
	char name[FTM_TYPE_NAME_LEN];
	char ops[FTM_TYPE_NAME_LEN];
};

/**
 * struct ftm_type_list - FTM_IOC_LIST_TYPES
 * @size: in, sizeof(struct ftm_type_list)
 * @flags: in, must be 0
 * @count: in, room at @types in entries; out, number of registered types
 *	(entries beyond the room given are not written)
 * @entry_size: in, sizeof(struct ftm_type_info)
 * @types: in, user pointer to an array of struct ftm_type_info
 */
struct ftm_type_list {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 entry_size;
	__aligned_u64 types;
};
#define FTM_TYPE_LIST_SIZE_VER0	24

/**
 * struct ftm_vm_create - FTM_IOC_CREATE_VM: create the VM object of this fd
 * @size: in, sizeof(struct ftm_vm_create)
 * @flags: in, must be 0
 * @name: in, 1 to FTM_NAME_LEN - 1 printable characters, NUL-terminated,
 *	the rest of the field zero
 * @uuid: in, the VM's UUID
 * @config: in, user pointer to the VM config file's contents
 * @config_len: in, its length, at most FTM_CONFIG_MAX
 * @id: out, the VM id, unique within the host (network namespace)
 * @reserved: must be zero
 *
 * One VM per file descriptor: the object lives until the fd is released
 * (the vmx closes it, exits or is killed).
 */
struct ftm_vm_create {
	__u32 size;
	__u32 flags;
	char name[FTM_NAME_LEN];
	__u8 uuid[FTM_UUID_LEN];
	__aligned_u64 config;
	__u32 config_len;
	__u32 id;
	__u64 reserved[4];
};
#define FTM_VM_CREATE_SIZE_VER0	136

/**
 * struct ftm_vm_info - FTM_IOC_QUERY_VM
 * @size: in, sizeof(struct ftm_vm_info)
 * @flags: in, must be 0
 * @id: in, VM id in this fd's host, or 0 for the VM of this fd
 * @state: out, enum ftmigrate_vm_state
 * @name: out
 * @uuid: out
 * @config_sha256: out, SHA-256 of the config file contents
 * @owner_pid: out, tgid of the owning vmx (initial pid namespace)
 * @config_len: out, length of the config file contents
 * @created_ns: out, creation time, CLOCK_REALTIME in nanoseconds
 * @config: in, optional (0 = none) user buffer for the config contents
 * @config_buf_len: in, its size; min(@config_buf_len, @config_len) bytes
 *	are copied
 * @reserved0: must be zero
 * @reserved: must be zero
 */
struct ftm_vm_info {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 state;
	char name[FTM_NAME_LEN];
	__u8 uuid[FTM_UUID_LEN];
	__u8 config_sha256[FTM_SHA256_LEN];
	__u32 owner_pid;
	__u32 config_len;
	__u64 created_ns;
	__aligned_u64 config;
	__u32 config_buf_len;
	__u32 reserved0;
	__u64 reserved[4];
};
#define FTM_VM_INFO_SIZE_VER0	192

/**
 * struct ftm_memory_region - FTM_IOC_ADD_MEMORY: register a guest RAM region
 * @size: in, sizeof(struct ftm_memory_region)
 * @flags: in, must be 0
 * @fd: in, a memfd (or another tmpfs file) holding the region's bytes
 * @reserved0: must be zero
 * @gpa: in, guest physical address of the region, page aligned
 * @length: in, length in bytes, a non-zero multiple of the page size
 * @offset: in, where the region starts in @fd, page aligned
 * @reserved: must be zero
 *
 * The module keeps a reference to the file and reads (source) or writes
 * (destination) guest pages through it, never through the vmx's read() or
 * write().  Regions may not overlap in guest physical space; at most
 * FTM_MAX_MEMORY_REGIONS per VM, registered before any migration starts.
 *
 * Migration bitmaps (FTM_REQ_DIRTY_FETCH) number the pages of all regions
 * one after another in registration order: bit 0 is the first page of the
 * first region, and so on.
 */
struct ftm_memory_region {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 reserved0;
	__u64 gpa;
	__u64 length;
	__u64 offset;
	__u64 reserved[2];
};
#define FTM_MEMORY_REGION_SIZE_VER0	56

/**
 * struct ftm_incoming - FTM_IOC_INCOMING: this VM waits for a migration
 * @size: in, sizeof(struct ftm_incoming)
 * @flags: in, must be 0
 * @migration_id: in, the migration the orchestrator chose, non-zero
 * @secret_len: in, FTM_SECRET_MIN to FTM_SECRET_MAX, or 0 when the
 *	orchestrator gives the secret with the Prepare step instead
 * @reserved0: must be zero
 * @secret: in, the migration secret; bytes past @secret_len must be zero
 * @reserved: must be zero
 *
 * The VM (created on this fd, with its memory registered) is powered on
 * without running: it is the destination of @migration_id.  The module
 * fills its memory, then asks it with FTM_REQ_LOAD_STATE to load the device
 * state, and finally with FTM_REQ_RESUME to run or FTM_REQ_POWER_OFF to go.
 */
struct ftm_incoming {
	__u32 size;
	__u32 flags;
	__u64 migration_id;
	__u32 secret_len;
	__u32 reserved0;
	__u8 secret[FTM_SECRET_MAX];
	__u64 reserved[2];
};
#define FTM_INCOMING_SIZE_VER0	104

/**
 * struct ftm_disk - FTM_IOC_ADD_DISK: register a virtual disk's backing file
 * @size: in, sizeof(struct ftm_disk)
 * @flags: in, must be 0
 * @fd: in, the backing file: a regular file of whole FTM_DISK_SECTOR sectors
 * @index: out, the disk's number, in registration order
 * @reserved: must be zero
 *
 * The module keeps a reference to the file.  FTCheck compares the disks of
 * the two copies of a VM whose type keeps its disks in place: the same
 * file of the same filesystem (by the filesystem's UUID, the inode and its
 * generation) and the same size, or the destination refuses with
 * storage-not-shared.  At most FTM_MAX_DISKS per VM, registered before any
 * migration starts.
 */
struct ftm_disk {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 index;
	__u64 reserved[4];
};
#define FTM_DISK_SIZE_VER0	48

/**
 * enum ftm_request_type - what the module asks of the vmx
 * @FTM_REQ_DIRTY_START: start dirty-page tracking.  Reply: status.
 * @FTM_REQ_DIRTY_FETCH: reply with the pages dirtied since the last fetch
 *	(or since DIRTY_START) and reset them: a bitmap of @len bytes, page
 *	numbering as in &struct ftm_memory_region.
 * @FTM_REQ_THROTTLE: take @arg percent (0-99) of the vCPUs' time away, to
 *	slow a guest that dirties memory faster than the link carries it;
 *	0 ends throttling.  Reply: status.
 * @FTM_REQ_STUN: stop the vCPUs at a clean point and reply with the
 *	device-state blob (at most FTM_STATE_MAX bytes).  Memory is not part
 *	of the blob; the module copies it.
 * @FTM_REQ_RESUME: run.  Source: the migration failed or was cancelled
 *	(also ends dirty tracking and throttling).  Destination: the
 *	migration completed and this copy is now the VM.  Reply: status.
 * @FTM_REQ_POWER_OFF: this copy must never run again: the VM lives on the
 *	other host (source), or the incoming migration failed (destination).
 *	No reply is needed; the vmx exits.
 * @FTM_REQ_LOAD_STATE: destination: memory is in place; read the @len
 *	byte device-state blob with FTM_IOC_READ_STATE and load it, staying
 *	paused.  Reply: status (a blob it refuses aborts the migration).
 * @FTM_REQ_CHECK_CONFIG: destination of a clone (FTCheck): read the
 *	source's @len byte VM config file with FTM_IOC_READ_STATE and compare
 *	it with this VM's; host-local settings (where the serial log and the
 *	control socket go) may differ.  Reply: 0, or -EINVAL when it describes
 *	another VM (the outcome is config-mismatch).
 * @FTM_REQ_SECONDARY: destination of a clone: memory and device state are
 *	in place and the source runs on as the primary.  Stay powered on and
 *	stopped at this clone point, as the FT secondary; the network port is
 *	a shadow that sends and receives nothing.  A later FTM_REQ_RESUME
 *	makes it go live (failover); FTM_REQ_POWER_OFF destroys it.
 *	Reply: status.
 */
enum ftm_request_type {
	FTM_REQ_DIRTY_START = 1,
	FTM_REQ_DIRTY_FETCH,
	FTM_REQ_THROTTLE,
	FTM_REQ_STUN,
	FTM_REQ_RESUME,
	FTM_REQ_POWER_OFF,
	FTM_REQ_LOAD_STATE,
	FTM_REQ_CHECK_CONFIG,
	FTM_REQ_SECONDARY,
};

/**
 * struct ftm_request - one request, as read(2) on the VM's fd returns it
 * @type: enum ftm_request_type
 * @arg: FTM_REQ_THROTTLE: percent
 * @seq: echoed in the reply
 * @migration_id: the migration asking
 * @len: FTM_REQ_DIRTY_FETCH: bitmap bytes expected; FTM_REQ_LOAD_STATE:
 *	blob length; FTM_REQ_CHECK_CONFIG: config length
 * @reserved: zero
 *
 * The fd polls readable while a request waits; read() takes one request of
 * exactly this size (a shorter buffer gets EINVAL) and blocks unless the fd
 * is O_NONBLOCK.  Requests come one at a time: the next is queued only
 * after the previous one is answered (or needs no answer).
 */
struct ftm_request {
	__u32 type;
	__u32 arg;
	__u64 seq;
	__u64 migration_id;
	__u64 len;
	__u64 reserved[2];
};

/**
 * struct ftm_reply - FTM_IOC_REPLY: answer the pending request
 * @size: in, sizeof(struct ftm_reply)
 * @flags: in, must be 0
 * @seq: in, the request's @seq; a stale one gets ESRCH
 * @status: in, 0 or a negative errno; a failure aborts the migration
 * @reserved0: must be zero
 * @data: in, user pointer: the bitmap (DIRTY_FETCH) or blob (STUN)
 * @data_len: in, its length: exactly the request's @len for DIRTY_FETCH,
 *	at most FTM_STATE_MAX for STUN, 0 otherwise
 * @reserved: must be zero
 */
struct ftm_reply {
	__u32 size;
	__u32 flags;
	__u64 seq;
	__s32 status;
	__u32 reserved0;
	__aligned_u64 data;
	__u64 data_len;
	__u64 reserved[2];
};
#define FTM_REPLY_SIZE_VER0	56

/**
 * struct ftm_state_read - FTM_IOC_READ_STATE: fetch the incoming device
 *	state (FTM_REQ_LOAD_STATE) or the source's config (FTM_REQ_CHECK_CONFIG)
 * @size: in, sizeof(struct ftm_state_read)
 * @flags: in, must be 0
 * @buf: in, user buffer
 * @len: in, its size, at least the request's @len
 * @reserved: must be zero
 */
struct ftm_state_read {
	__u32 size;
	__u32 flags;
	__aligned_u64 buf;
	__u64 len;
	__u64 reserved[2];
};
#define FTM_STATE_READ_SIZE_VER0	40

#define FTM_IOC_MAGIC		0xF7
#define FTM_IOC_GET_VERSION	_IOWR(FTM_IOC_MAGIC, 0x00, struct ftm_version)
#define FTM_IOC_LIST_TYPES	_IOWR(FTM_IOC_MAGIC, 0x01, struct ftm_type_list)
#define FTM_IOC_CREATE_VM	_IOWR(FTM_IOC_MAGIC, 0x02, struct ftm_vm_create)
#define FTM_IOC_QUERY_VM	_IOWR(FTM_IOC_MAGIC, 0x03, struct ftm_vm_info)
#define FTM_IOC_ADD_MEMORY	_IOW(FTM_IOC_MAGIC, 0x04, struct ftm_memory_region)
#define FTM_IOC_INCOMING	_IOW(FTM_IOC_MAGIC, 0x05, struct ftm_incoming)
#define FTM_IOC_REPLY		_IOW(FTM_IOC_MAGIC, 0x06, struct ftm_reply)
#define FTM_IOC_READ_STATE	_IOW(FTM_IOC_MAGIC, 0x07, struct ftm_state_read)
#define FTM_IOC_ADD_DISK	_IOWR(FTM_IOC_MAGIC, 0x08, struct ftm_disk)

#endif /* _UAPI_LINUX_FTMIGRATE_H */
