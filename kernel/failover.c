// SPDX-License-Identifier: GPL-2.0
/*
 * FT pairs and failover.
 *
 * A clone (an FT or FTCpt migration) leaves a pair: the source VM runs on as
 * the primary, the destination waits stopped as the secondary.  Until the
 * logging channel and checkpoints exist, a secondary holds the state of its
 * clone point, and failover makes it go live from there.
 *
 * Go-live is fenced, as in the FT paper's atomic test-and-set on shared
 * storage: the copy that creates the pair's fence file first (O_CREAT |
 * O_EXCL, atomic on local filesystems and on NFS alike) is the one that
 * runs, and every copy of the pair goes through the same test.  A secondary
 * goes live only after winning it; a primary that finds it taken has been
 * replaced and is powered off.  So a partition can never leave two copies
 * running, whichever side acts first.
 *
 * The fence's path is chosen where the pair is made (Begin on the source)
 * and travels to the destination in FTCheck; the destination accepts only
 * a plain file name inside its host's fence directory, so an authenticated
 * peer cannot make a failover create a file anywhere else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/string.h>

#include "ftmigrate.h"

#define FTM_VMREQ_TIMEOUT	(30 * HZ)

/* One failover at a time: they are rare, and the fence must be taken once. */
static DEFINE_MUTEX(ftm_failover_mutex);

/**
 * ftm_ft_get() - a consistent copy of a VM's part in a pair
 * @vm: the VM; callable under RCU
 * @info: out
 */
void ftm_ft_get(struct ftm_vm *vm, struct ftm_ft_info *info)
{
	spin_lock(&vm->ft_lock);
	info->role = vm->ft_role;
	info->state = vm->ft_state;
	info->pair_id = vm->pair_id;
	strscpy(info->fence, vm->fence, sizeof(info->fence));
	spin_unlock(&vm->ft_lock);
}

/**
 * ftm_ft_set() - set a VM's part in a pair and tell the host's listeners
 * @vm: the VM
 * @info: role, state, pair id and fence
 */
void ftm_ft_set(struct ftm_vm *vm, const struct ftm_ft_info *info)
{
	spin_lock(&vm->ft_lock);
	vm->ft_role = info->role;
	vm->ft_state = info->state;
	vm->pair_id = info->pair_id;
	strscpy(vm->fence, info->fence, sizeof(vm->fence));
	spin_unlock(&vm->ft_lock);
	ftm_nl_notify_vm(vm, FTMIGRATE_CMD_VM_FT_NTF);
}

/**
 * ftm_fence_dir_get() - the host's fence directory
 * @fn: the host
 * @dir: out, FTM_FENCE_MAX bytes; "" if none is set
 */
void ftm_fence_dir_get(struct ftm_net *fn, char *dir)
{
	mutex_lock(&fn->listener_lock);
	strscpy(dir, fn->fence_dir, FTM_FENCE_MAX);
	mutex_unlock(&fn->listener_lock);
}

/**
 * ftm_fence_dir_set() - set where this host's secondaries take fences
 * @fn: the host
 * @dir: an absolute path without a trailing '/', or "" for none
 *
 * Return: 0, or -EINVAL for a path that is not absolute or too long.
 */
int ftm_fence_dir_set(struct ftm_net *fn, const char *dir)
{
	size_t n = strlen(dir);

	if (n && (dir[0] != '/' || dir[n - 1] == '/' || n + 3 > FTM_FENCE_MAX))
		return -EINVAL;
	mutex_lock(&fn->listener_lock);
	strscpy(fn->fence_dir, dir, sizeof(fn->fence_dir));
	mutex_unlock(&fn->listener_lock);
	return 0;
}

/**
 * ftm_fence_name_ok() - may a peer's fence path be used on this host?
 * @fn: the host
 * @fence: the path from the peer's FTCheck, NUL-terminated
 *
 * Return: true if @fence is a plain file name (letters, digits, '.', '_',
 * '-'; not starting with '.') directly inside the host's fence directory.
 */
bool ftm_fence_name_ok(struct ftm_net *fn, const char *fence)
{
	char dir[FTM_FENCE_MAX];
	const char *name;
	size_t n;

	ftm_fence_dir_get(fn, dir);
	n = strlen(dir);
	if (!n || strncmp(fence, dir, n) || fence[n] != '/')
		return false;
	name = fence + n + 1;
	if (!*name || *name == '.')
		return false;
	for (; *name; name++)
		if (!isalnum(*name) && !strchr("._-", *name))
			return false;
	return true;
}

/*
 * The test-and-set: create the fence file, or find it taken.  The create
 * is the atomic part; the line written into it is for people.
 */
static int ftm_fence_take(const char *path, u64 pair_id, u32 role)
{
	struct file *f;
	char line[96];
	loff_t pos = 0;
	int len;

	f = filp_open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (IS_ERR(f))
		return PTR_ERR(f);
	len = scnprintf(line, sizeof(line), "ftmigrate fence of pair %llu: taken by the %s\n",
			pair_id, role == FTMIGRATE_FT_ROLE_PRIMARY ? "primary" : "secondary");
	kernel_write(f, line, len, &pos);
	vfs_fsync(f, 0);
	filp_close(f, NULL);
	return 0;
}

/* This host's VM of pair @pair_id, referenced. */
static struct ftm_vm *ftm_ft_find(struct ftm_net *fn, u64 pair_id)
{
	struct ftm_vm *vm, *found = NULL;
	unsigned long i;

	rcu_read_lock();
	xa_for_each(&fn->vms, i, vm) {
		if (READ_ONCE(vm->pair_id) == pair_id && kref_get_unless_zero(&vm->ref)) {
			found = vm;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * ftm_ft_failover() - make this host's copy of a pair the one that runs
 * @fn: the host
 * @pair_id: the pair
 * @out: on return, the VM, referenced, unless -ENOENT
 * @why: out, the reason for a refusal, for people
 *
 * A waiting secondary that wins the fence goes live from its clone point;
 * a protected primary that wins it stays live and alone.  A copy that
 * finds the fence taken never runs again: it is powered off.
 *
 * Return: 0 (the VM is live here); -ENOENT without a VM of that pair;
 * -EALREADY if it is live already; -EEXIST if another copy holds the fence;
 * -EIO if the secondary's vmx did not go live; or the fence's error.
 */
int ftm_ft_failover(struct ftm_net *fn, u64 pair_id, struct ftm_vm **out,
		    const char **why)
{
	struct ftm_ft_info ft;
	struct ftm_vm *vm;
	int err;

	vm = ftm_ft_find(fn, pair_id);
	*out = vm;
	if (!vm) {
		*why = "no VM of that pair on this host";
		return -ENOENT;
	}
	mutex_lock(&ftm_failover_mutex);
	ftm_ft_get(vm, &ft);
	if (ft.state == FTMIGRATE_FT_STATE_LIVE) {
		*why = "this copy is live already";
		err = -EALREADY;
		goto out;
	}
	if (ft.state == FTMIGRATE_FT_STATE_FENCED_OUT) {
		*why = "this copy lost the fence; it never runs again";
		err = -EEXIST;
		goto out;
	}

	err = ftm_fence_take(ft.fence, pair_id, ft.role);
	if (err == -EEXIST) {
		/* Another copy went live: this one must never run (again). */
		ftm_vmreq_call(&vm->req, FTM_REQ_POWER_OFF, 0, pair_id, NULL, 0, NULL,
			       0, NULL, NULL);
		ft.state = FTMIGRATE_FT_STATE_FENCED_OUT;
		ftm_ft_set(vm, &ft);
		pr_info("pair %llu: the fence is taken; VM %u is powered off\n",
			pair_id, vm->id);
		*why = "the fence is taken: another copy of the pair went live; this one is powered off";
		goto out;
	}
	if (err) {
		*why = "cannot create the fence file";
		goto out;
	}

	if (ft.role == FTMIGRATE_FT_ROLE_SECONDARY) {
		err = ftm_vmreq_call(&vm->req, FTM_REQ_RESUME, 0, pair_id, NULL, 0,
				     NULL, FTM_VMREQ_TIMEOUT, NULL, NULL);
		if (err) {
			/* The fence is ours and nothing runs: the VM is lost. */
			*why = "the secondary won the fence but its vmx did not go live";
			err = -EIO;
			goto out;
		}
	}
	ft.role = FTMIGRATE_FT_ROLE_PRIMARY;
	ft.state = FTMIGRATE_FT_STATE_LIVE;
	ftm_ft_set(vm, &ft);
	pr_info("pair %llu: VM %u won the fence and is live\n", pair_id, vm->id);
out:
	mutex_unlock(&ftm_failover_mutex);
	return err;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit_failover.c"
#endif
