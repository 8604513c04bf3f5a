// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ftmigrate: the vmx's interface.  Each open file acts in the network
 * namespace (host) its opener was in, and owns at most one VM object.
 *
 * Opening requires CAP_SYS_ADMIN in the initial user namespace: the file
 * will be able to hand guest memory to the network, which is more than
 * administering one network namespace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ftmigrate.h"

/**
 * struct ftm_file - an open /dev/ftmigrate
 * @fn: the host, fixed at open(); the file holds a reference to its netns
 * @lock: serialises VM creation on this file
 * @vm: the VM this file owns, NULL until FTM_IOC_CREATE_VM
 */
struct ftm_file {
	struct ftm_net *fn;
	struct mutex lock;
	struct ftm_vm *vm;
};

static int ftm_open(struct inode *inode, struct file *file)
{
	struct ftm_file *ff;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ff = kzalloc(sizeof(*ff), GFP_KERNEL_ACCOUNT);
	if (!ff)
		return -ENOMEM;
	ff->fn = ftm_net(get_net(current->nsproxy->net_ns));
	mutex_init(&ff->lock);
	file->private_data = ff;
	return 0;
}

static int ftm_release(struct inode *inode, struct file *file)
{
	struct ftm_file *ff = file->private_data;

	if (ff->vm)
		ftm_vm_destroy(ff->vm);
	put_net(ff->fn->net);
	mutex_destroy(&ff->lock);
	kfree(ff);
	return 0;
}

/*
 * Copy an extensible ioctl struct in: its leading u32 is the caller's
 * sizeof(), at least @ver0; bytes past what this kernel knows must be zero
 * (copy_struct_from_user() returns -E2BIG otherwise).
 */
static int ftm_copy_struct_in(void *dst, size_t ksize, size_t ver0,
			      const void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < ver0 || usize > PAGE_SIZE)
		return -EINVAL;
	err = copy_struct_from_user(dst, ksize, uarg, usize);
	if (err)
		return err;
	*(u32 *)dst = usize;
	return 0;
}

/* Copy out as much of the struct as both sides know. */
static int ftm_copy_struct_out(void __user *uarg, const void *src, size_t ksize)
{
	size_t n = min_t(size_t, *(const u32 *)src, ksize);

	return copy_to_user(uarg, src, n) ? -EFAULT : 0;
}

static bool ftm_zeroed(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static long ftm_ioc_get_version(void __user *uarg)
{
	struct ftm_version v;
	int err;

	err = ftm_copy_struct_in(&v, sizeof(v), FTM_VERSION_SIZE_VER0, uarg);
	if (err)
		return err;
	if (v.flags)
		return -EINVAL;
	v.api_version = FTM_API_VERSION;
	v.ntypes = ftm_type_count();
	v.features = FTM_FEATURES;
	memset(v.module_version, 0, sizeof(v.module_version));
	strscpy(v.module_version, FTM_MODULE_VERSION, sizeof(v.module_version));
	return ftm_copy_struct_out(uarg, &v, sizeof(v));
}

static long ftm_ioc_list_types(void __user *uarg)
{
	struct ftm_type_info info[FTM_TYPE_COUNT];
	struct ftm_type_info __user *out;
	const struct ftm_type *type;
	struct ftm_type_list tl;
	unsigned int i, n = 0;
	int err;

	err = ftm_copy_struct_in(&tl, sizeof(tl), FTM_TYPE_LIST_SIZE_VER0, uarg);
	if (err)
		return err;
	if (tl.flags || tl.entry_size != sizeof(struct ftm_type_info))
		return -EINVAL;

	/* Snapshot under RCU, copy to user (which may fault) outside it. */
	memset(info, 0, sizeof(info));
	rcu_read_lock();
	for (i = 0; i < FTM_TYPE_COUNT; i++) {
		type = ftm_type_get_rcu(i);
		if (!type)
			continue;
		info[n].id = type->id;
		info[n].flags = type->flags;
		strscpy(info[n].name, type->name, sizeof(info[n].name));
		strscpy(info[n].ops, type->ops->name, sizeof(info[n].ops));
		n++;
	}
	rcu_read_unlock();

	out = u64_to_user_ptr(tl.types);
	if (copy_to_user(out, info, min(tl.count, n) * sizeof(info[0])))
		return -EFAULT;
	tl.count = n;
	return ftm_copy_struct_out(uarg, &tl, sizeof(tl));
}

/* A VM name: 1 to FTM_NAME_LEN - 1 printable characters, NUL-terminated. */
static bool ftm_valid_name(const char *name)
{
	size_t len = strnlen(name, FTM_NAME_LEN);
	size_t i;

	if (len == 0 || len == FTM_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isprint(name[i]))
			return false;
	/* The rest of the field is padding the caller must leave zeroed. */
	return ftm_zeroed(name + len, FTM_NAME_LEN - len);
}

static long ftm_ioc_create_vm(struct ftm_file *ff, void __user *uarg)
{
	struct ftm_vm_create req;
	struct ftm_vm *vm;
	int err;

	err = ftm_copy_struct_in(&req, sizeof(req), FTM_VM_CREATE_SIZE_VER0, uarg);
	if (err)
		return err;
	if (req.flags || !ftm_zeroed(req.reserved, sizeof(req.reserved)) ||
	    !ftm_valid_name(req.name) || ftm_zeroed(req.uuid, FTM_UUID_LEN) ||
	    req.config_len == 0 || req.config_len > FTM_CONFIG_MAX)
		return -EINVAL;

	mutex_lock(&ff->lock);
	if (ff->vm) {
		err = -EBUSY;
		goto out;
	}
	vm = ftm_vm_create(ff->fn, req.name, req.uuid,
			   u64_to_user_ptr(req.config), req.config_len);
	if (IS_ERR(vm)) {
		err = PTR_ERR(vm);
		goto out;
	}
	req.id = vm->id;
	/*
	 * The VM exists from here on even if reporting its id faults: it is
	 * this file's, and found with FTM_IOC_QUERY_VM id 0.
	 */
	ff->vm = vm;
	err = ftm_copy_struct_out(uarg, &req, sizeof(req));
out:
	mutex_unlock(&ff->lock);
	return err;
}

static long ftm_ioc_query_vm(struct ftm_file *ff, void __user *uarg)
{
	struct ftm_vm_info q;
	struct ftm_vm *vm;
	u32 id;
	int err;

	err = ftm_copy_struct_in(&q, sizeof(q), FTM_VM_INFO_SIZE_VER0, uarg);
	if (err)
		return err;
	if (q.flags || q.reserved0 || !ftm_zeroed(q.reserved, sizeof(q.reserved)))
		return -EINVAL;

	mutex_lock(&ff->lock);
	id = q.id ?: (ff->vm ? ff->vm->id : 0);
	mutex_unlock(&ff->lock);
	vm = id ? ftm_vm_lookup(ff->fn, id) : NULL;
	if (!vm)
		return -ENOENT;

	q.id = vm->id;
	q.state = READ_ONCE(vm->state);
	memcpy(q.name, vm->name, sizeof(q.name));
	memcpy(q.uuid, vm->uuid, sizeof(q.uuid));
	memcpy(q.config_sha256, vm->config_sha256, sizeof(q.config_sha256));
	q.owner_pid = vm->owner_pid;
	q.config_len = vm->config_len;
	q.created_ns = vm->created_ns;
	err = 0;
	if (q.config && copy_to_user(u64_to_user_ptr(q.config), vm->config,
				     min(q.config_buf_len, vm->config_len)))
		err = -EFAULT;
	ftm_vm_put(vm);
	return err ?: ftm_copy_struct_out(uarg, &q, sizeof(q));
}

/* The VM of this file, for the ioctls that act on it. */
static struct ftm_vm *ftm_file_vm(struct ftm_file *ff)
{
	struct ftm_vm *vm;

	mutex_lock(&ff->lock);
	vm = ff->vm;
	mutex_unlock(&ff->lock);
	return vm;
}

static long ftm_ioc_add_memory(struct ftm_file *ff, void __user *uarg)
{
	struct ftm_memory_region r;
	struct ftm_vm *vm = ftm_file_vm(ff);
	int err;

	err = ftm_copy_struct_in(&r, sizeof(r), FTM_MEMORY_REGION_SIZE_VER0, uarg);
	if (err)
		return err;
	if (r.flags || r.reserved0 || !ftm_zeroed(r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	if (!vm)
		return -ENOENT;
	return ftm_mem_add_region(vm, &r);
}

static long ftm_ioc_add_disk(struct ftm_file *ff, void __user *uarg)
{
	struct ftm_vm *vm = ftm_file_vm(ff);
	struct ftm_disk d;
	int err;

	err = ftm_copy_struct_in(&d, sizeof(d), FTM_DISK_SIZE_VER0, uarg);
	if (err)
		return err;
	if (d.flags || d.index || !ftm_zeroed(d.reserved, sizeof(d.reserved)))
		return -EINVAL;
	if (!vm)
		return -ENOENT;
	err = ftm_disk_add(vm, d.fd, &d.index);
	if (err)
		return err;
	return put_user(d.index, &((struct ftm_disk __user *)uarg)->index);
}

static long ftm_ioc_incoming(struct ftm_file *ff, void __user *uarg)
{
	struct ftm_vm *vm = ftm_file_vm(ff);
	struct ftm_incoming in;
	int err;

	err = ftm_copy_struct_in(&in, sizeof(in), FTM_INCOMING_SIZE_VER0, uarg);
	if (err)
		return err;
	if (in.flags || in.reserved0 || !ftm_zeroed(in.reserved, sizeof(in.reserved)) ||
	    !in.migration_id || in.secret_len > FTM_SECRET_MAX ||
	    (in.secret_len && in.secret_len < FTM_SECRET_MIN) ||
	    !ftm_zeroed(in.secret + in.secret_len, FTM_SECRET_MAX - in.secret_len))
		return -EINVAL;
	if (!vm)
		return -ENOENT;

	mutex_lock(&vm->lock);
	if (!vm->nr_regions)
		err = -ENOMEM;	/* nothing to receive into */
	else if (vm->incoming_id || vm->migration)
		err = -EBUSY;
	if (!err) {
		memcpy(vm->secret, in.secret, FTM_SECRET_MAX);
		vm->secret_len = in.secret_len;
		WRITE_ONCE(vm->incoming_id, in.migration_id);
	}
	mutex_unlock(&vm->lock);
	memzero_explicit(&in, sizeof(in));
	return err;
}

static long ftm_ioc_reply(struct ftm_file *ff, void __user *uarg)
{
	struct ftm_vm *vm = ftm_file_vm(ff);
	struct ftm_reply r;
	int err;

	err = ftm_copy_struct_in(&r, sizeof(r), FTM_REPLY_SIZE_VER0, uarg);
	if (err)
		return err;
	if (r.flags || r.reserved0 || !ftm_zeroed(r.reserved, sizeof(r.reserved)))
		return -EINVAL;
	if (!vm)
		return -ENOENT;
	return ftm_vmreq_reply(&vm->req, &r);
}

static long ftm_ioc_read_state(struct ftm_file *ff, void __user *uarg)
{
	struct ftm_vm *vm = ftm_file_vm(ff);
	struct ftm_state_read sr;
	int err;

	err = ftm_copy_struct_in(&sr, sizeof(sr), FTM_STATE_READ_SIZE_VER0, uarg);
	if (err)
		return err;
	if (sr.flags || !ftm_zeroed(sr.reserved, sizeof(sr.reserved)))
		return -EINVAL;
	if (!vm)
		return -ENOENT;
	return ftm_vmreq_read_state(&vm->req, u64_to_user_ptr(sr.buf), sr.len);
}

static ssize_t ftm_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct ftm_vm *vm = ftm_file_vm(file->private_data);

	if (!vm)
		return -ENOENT;
	return ftm_vmreq_read(&vm->req, buf, count, file->f_flags & O_NONBLOCK);
}

static __poll_t ftm_poll(struct file *file, poll_table *wait)
{
	struct ftm_vm *vm = ftm_file_vm(file->private_data);

	return vm ? ftm_vmreq_poll(&vm->req, file, wait) : EPOLLERR;
}

static long ftm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ftm_file *ff = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case FTM_IOC_GET_VERSION:
		return ftm_ioc_get_version(uarg);
	case FTM_IOC_LIST_TYPES:
		return ftm_ioc_list_types(uarg);
	case FTM_IOC_CREATE_VM:
		return ftm_ioc_create_vm(ff, uarg);
	case FTM_IOC_QUERY_VM:
		return ftm_ioc_query_vm(ff, uarg);
	case FTM_IOC_ADD_MEMORY:
		return ftm_ioc_add_memory(ff, uarg);
	case FTM_IOC_INCOMING:
		return ftm_ioc_incoming(ff, uarg);
	case FTM_IOC_REPLY:
		return ftm_ioc_reply(ff, uarg);
	case FTM_IOC_READ_STATE:
		return ftm_ioc_read_state(ff, uarg);
	case FTM_IOC_ADD_DISK:
		return ftm_ioc_add_disk(ff, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ftm_fops = {
	.owner		= THIS_MODULE,
	.open		= ftm_open,
	.release	= ftm_release,
	.read		= ftm_read,
	.poll		= ftm_poll,
	.unlocked_ioctl	= ftm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice ftm_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= FTM_DEVICE_NAME,
	.fops	= &ftm_fops,
	.mode	= 0600,
};

static void __init ftm_check_uapi_layouts(void)
{
	/* The published sizes are ABI: growing a struct needs a new VERn. */
	BUILD_BUG_ON(sizeof(struct ftm_version) != FTM_VERSION_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_type_list) != FTM_TYPE_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_vm_create) != FTM_VM_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_vm_info) != FTM_VM_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_type_info) != 40);
	BUILD_BUG_ON(sizeof(struct ftm_memory_region) != FTM_MEMORY_REGION_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_incoming) != FTM_INCOMING_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_reply) != FTM_REPLY_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_state_read) != FTM_STATE_READ_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ftm_disk) != FTM_DISK_SIZE_VER0);
	BUILD_BUG_ON(offsetof(struct ftm_disk, index) != 12);
	BUILD_BUG_ON(sizeof(struct ftm_request) != 48);
	BUILD_BUG_ON(offsetof(struct ftm_reply, data) != 24);
	BUILD_BUG_ON(offsetof(struct ftm_incoming, secret) != 24);
	/* 32-bit callers see the same layout (compat_ptr_ioctl relies on it). */
	BUILD_BUG_ON(offsetof(struct ftm_type_list, types) != 16);
	BUILD_BUG_ON(offsetof(struct ftm_vm_create, config) != 88);
	BUILD_BUG_ON(offsetof(struct ftm_vm_info, created_ns) != 136);
	BUILD_BUG_ON(offsetof(struct ftm_vm_info, config) != 144);
	BUILD_BUG_ON(offsetof(struct ftm_version, features) != 16);
}

int __init ftm_chardev_init(void)
{
	ftm_check_uapi_layouts();
	return misc_register(&ftm_miscdev);
}

void ftm_chardev_exit(void)
{
	misc_deregister(&ftm_miscdev);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit_chardev.c"
#endif
