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

#define FTM_NAME_LEN		64	/* VM names, including the NUL */
#define FTM_TYPE_NAME_LEN	16	/* type and ops-table names, including the NUL */
#define FTM_UUID_LEN		16
#define FTM_SHA256_LEN		32
#define FTM_CONFIG_MAX		(64 * 1024)	/* largest VM config file accepted */
#define FTM_MODULE_VERSION_LEN	32

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

#define FTM_IOC_MAGIC		0xF7
#define FTM_IOC_GET_VERSION	_IOWR(FTM_IOC_MAGIC, 0x00, struct ftm_version)
#define FTM_IOC_LIST_TYPES	_IOWR(FTM_IOC_MAGIC, 0x01, struct ftm_type_list)
#define FTM_IOC_CREATE_VM	_IOWR(FTM_IOC_MAGIC, 0x02, struct ftm_vm_create)
#define FTM_IOC_QUERY_VM	_IOWR(FTM_IOC_MAGIC, 0x03, struct ftm_vm_info)

#endif /* _UAPI_LINUX_FTMIGRATE_H */
