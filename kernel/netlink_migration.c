// SPDX-License-Identifier: GPL-2.0
/*
 * The migration commands of the "ftmigrate" family: the host's listener and
 * the five steps (Begin, Prepare, Perform, Finish, Confirm), cancel,
 * parameters, and the migration's attributes for replies, dumps and events.
 * Every command acts on the host (netns) of the socket it arrives on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/namei.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "ftmigrate.h"
#include "netlink_gen.h"

static struct ftm_net *ftm_nl_net(struct sk_buff *skb)
{
	return ftm_net(sock_net(skb->sk));
}

/**
 * ftm_nl_put_migration() - a migration's attributes (never its secret)
 * @skb: the message
 * @mig: the migration
 *
 * Return: 0 or -EMSGSIZE.
 */
int ftm_nl_put_migration(struct sk_buff *skb, struct ftm_migration *mig)
{
	struct ftm_migration_stats st;
	struct ftm_migration_params p;
	char msg[sizeof(mig->error_msg)];
	u32 state, error, vm_id;

	mutex_lock(&mig->lock);
	st = mig->stats;
	p = mig->params;
	state = mig->state;
	error = mig->error;
	vm_id = mig->vm ? mig->vm->id : 0;
	strscpy(msg, mig->error_msg, sizeof(msg));
	mutex_unlock(&mig->lock);

	if (nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_ID, mig->id,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_TYPE, mig->type->id) ||
	    (vm_id && nla_put_u32(skb, FTMIGRATE_A_MIGRATION_VM_ID, vm_id)) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_ROLE, mig->role) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_STATE, state) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_ERROR, error) ||
	    (msg[0] && nla_put_string(skb, FTMIGRATE_A_MIGRATION_ERROR_MSG, msg)) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_DOWNTIME_MS, p.downtime_ms) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_MAX_BANDWIDTH,
			      p.max_bandwidth, FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_STREAMS, p.streams) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_TIMEOUT_MS, p.timeout_ms) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_THROTTLE_STEP, p.throttle_step) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_ROUND, st.round) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_BYTES_SENT, st.bytes_sent,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_BYTES_LEFT, st.bytes_left,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_PAGES_SENT, st.pages_sent,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_ZERO_PAGES, st.zero_pages,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_DIRTY_RATE, st.dirty_rate,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_BANDWIDTH, st.bandwidth,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_EXPECTED_DOWNTIME_MS,
			st.expected_downtime_ms) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_THROTTLE, st.throttle) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_MIGRATION_TOTAL_MS, st.total_ms,
			      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put_u32(skb, FTMIGRATE_A_MIGRATION_DOWNTIME_MS_MEASURED,
			st.downtime_ms))
		return -EMSGSIZE;
	return 0;
}

static int ftm_nl_fill_migration(struct sk_buff *skb, struct ftm_migration *mig,
				 u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ftm_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (ftm_nl_put_migration(skb, mig)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The migration named by the request's id attribute, referenced. */
static struct ftm_migration *ftm_nl_migration(struct sk_buff *skb,
					      struct genl_info *info)
{
	struct ftm_migration *mig;

	if (GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_ID))
		return ERR_PTR(-EINVAL);
	mig = ftm_migration_lookup(ftm_nl_net(skb),
				   nla_get_u64(info->attrs[FTMIGRATE_A_MIGRATION_ID]));
	if (!mig) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FTMIGRATE_A_MIGRATION_ID],
				    "no such migration on this host");
		return ERR_PTR(-ENOENT);
	}
	return mig;
}

int ftm_nl_migration_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftm_migration *mig = ftm_nl_migration(skb, info);
	struct sk_buff *msg;
	int err;

	if (IS_ERR(mig))
		return PTR_ERR(mig);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	err = msg ? ftm_nl_fill_migration(msg, mig, info->snd_portid, info->snd_seq,
					  0, FTMIGRATE_CMD_MIGRATION_GET) : -ENOMEM;
	ftm_migration_put(mig);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int ftm_nl_migration_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ftm_net *fn = ftm_nl_net(skb);
	unsigned long id = cb->args[0];
	struct ftm_migration *mig;
	int err = 0;

	/* Filling takes the migration's mutex: pin each, outside RCU. */
	for (;;) {
		rcu_read_lock();
		mig = xa_find(&fn->migrations, &id, ULONG_MAX, XA_PRESENT);
		if (mig && !kref_get_unless_zero(&mig->ref))
			mig = NULL;
		rcu_read_unlock();
		if (!mig)
			break;
		err = ftm_nl_fill_migration(skb, mig, NETLINK_CB(cb->skb).portid,
					    cb->nlh->nlmsg_seq, NLM_F_MULTI,
					    FTMIGRATE_CMD_MIGRATION_GET);
		ftm_migration_put(mig);
		if (err)
			break;
		if (id == ULONG_MAX)
			break;
		id++;
	}
	cb->args[0] = id;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

int ftm_nl_listener_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	__be32 addr = 0;
	int err;

	/* Either or both: the fence directory, the listener. */
	if (!a[FTMIGRATE_A_LISTENER_FENCE_DIR] &&
	    GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_LISTENER_PORT))
		return -EINVAL;
	if (a[FTMIGRATE_A_LISTENER_FENCE_DIR]) {
		err = ftm_fence_dir_set(ftm_nl_net(skb),
					nla_data(a[FTMIGRATE_A_LISTENER_FENCE_DIR]));
		if (err) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[FTMIGRATE_A_LISTENER_FENCE_DIR],
					    "the fence directory must be an absolute path without a trailing '/'");
			return err;
		}
	}
	if (!a[FTMIGRATE_A_LISTENER_PORT])
		return 0;
	if (a[FTMIGRATE_A_LISTENER_ADDR])
		addr = nla_get_be32(a[FTMIGRATE_A_LISTENER_ADDR]);
	err = ftm_listener_set(ftm_nl_net(skb), addr,
			       nla_get_be16(a[FTMIGRATE_A_LISTENER_PORT]));
	if (err)
		NL_SET_ERR_MSG_MOD(info->extack, "cannot listen on that address and port");
	return err;
}

int ftm_nl_listener_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	char fence_dir[FTM_FENCE_MAX];
	struct sk_buff *msg;
	__be32 addr;
	__be16 port;
	void *hdr;

	ftm_listener_get(ftm_nl_net(skb), &addr, &port);
	ftm_fence_dir_get(ftm_nl_net(skb), fence_dir);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ftm_nl_family, 0,
				FTMIGRATE_CMD_LISTENER_GET);
	if (!hdr || nla_put_be32(msg, FTMIGRATE_A_LISTENER_ADDR, addr) ||
	    nla_put_be16(msg, FTMIGRATE_A_LISTENER_PORT, port) ||
	    (fence_dir[0] &&
	     nla_put_string(msg, FTMIGRATE_A_LISTENER_FENCE_DIR, fence_dir))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Parameters present in the request override the migration's. */
static void ftm_nl_params(struct genl_info *info, struct ftm_migration_params *p)
{
	struct nlattr **a = info->attrs;

	if (a[FTMIGRATE_A_MIGRATION_DOWNTIME_MS])
		WRITE_ONCE(p->downtime_ms, nla_get_u32(a[FTMIGRATE_A_MIGRATION_DOWNTIME_MS]));
	if (a[FTMIGRATE_A_MIGRATION_MAX_BANDWIDTH])
		WRITE_ONCE(p->max_bandwidth,
			   nla_get_u64(a[FTMIGRATE_A_MIGRATION_MAX_BANDWIDTH]));
	if (a[FTMIGRATE_A_MIGRATION_STREAMS])
		p->streams = nla_get_u32(a[FTMIGRATE_A_MIGRATION_STREAMS]);
	if (a[FTMIGRATE_A_MIGRATION_TIMEOUT_MS])
		p->timeout_ms = nla_get_u32(a[FTMIGRATE_A_MIGRATION_TIMEOUT_MS]);
	if (a[FTMIGRATE_A_MIGRATION_THROTTLE_STEP])
		WRITE_ONCE(p->throttle_step,
			   nla_get_u32(a[FTMIGRATE_A_MIGRATION_THROTTLE_STEP]));
}

/*
 * A clone needs its pair's fence: an absolute path, not taken yet (a taken
 * fence would keep the secondary from ever going live).  Other types take
 * none.
 */
static int ftm_nl_begin_fence(struct genl_info *info, const struct ftm_type *type)
{
	struct nlattr *attr = info->attrs[FTMIGRATE_A_MIGRATION_FENCE];
	struct path path;
	const char *fence;

	if (!ftm_type_clones(type)) {
		if (!attr)
			return 0;
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "only FT and FTCpt pairs have a fence");
		return -EINVAL;
	}
	if (!attr) {
		NL_SET_ERR_MSG_MOD(info->extack, "FT and FTCpt need the pair's fence");
		return -EINVAL;
	}
	fence = nla_data(attr);
	if (fence[0] != '/') {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "the fence must be an absolute path");
		return -EINVAL;
	}
	if (!kern_path(fence, 0, &path)) {
		path_put(&path);
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "the fence is taken already: a copy of the pair went live with it");
		return -EEXIST;
	}
	return 0;
}

/*
 * Pre-migration checks: memory to copy, a vmx that is not incoming, and
 * not a VM of an FT pair that waits or is protected (a secondary never
 * runs, and a primary has one secondary; one that won its fence is alone
 * and may move or be protected again).
 */
static int ftm_nl_begin_checks(struct genl_info *info, struct ftm_vm *vm)
{
	struct ftm_ft_info ft;
	int err;

	mutex_lock(&vm->lock);
	err = !vm->nr_regions ? -ENOMEM : READ_ONCE(vm->incoming_id) ? -EBUSY : 0;
	mutex_unlock(&vm->lock);
	if (err == -ENOMEM) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the VM registered no memory (is its vmx too old?)");
		return err;
	}
	if (err) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the VM is itself waiting for an incoming migration");
		return err;
	}
	ftm_ft_get(vm, &ft);
	if (ft.state == FTMIGRATE_FT_STATE_WAITING) {
		NL_SET_ERR_MSG_MOD(info->extack, "the VM is an FT secondary: it does not run");
		return -EBUSY;
	}
	if (ft.state == FTMIGRATE_FT_STATE_PROTECTED) {
		NL_SET_ERR_MSG_MOD(info->extack, "the VM is an FT primary with a secondary");
		return -EBUSY;
	}
	return 0;
}

int ftm_nl_migration_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftm_net *fn = ftm_nl_net(skb);
	struct nlattr **a = info->attrs;
	const struct ftm_type *type;
	struct ftm_migration *mig;
	struct ftm_vm *vm;
	struct sk_buff *msg;
	u32 type_id = FTMIGRATE_TYPE_ID_VMOTION;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_ID) ||
	    GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_VM_ID) ||
	    GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_SECRET))
		return -EINVAL;
	if (a[FTMIGRATE_A_MIGRATION_TYPE])
		type_id = nla_get_u32(a[FTMIGRATE_A_MIGRATION_TYPE]);
	if (type_id == FTMIGRATE_TYPE_ID_FTCPT) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[FTMIGRATE_A_MIGRATION_TYPE],
				    "FTCpt needs XvMotion's disk mirror, which does not exist yet");
		return -EOPNOTSUPP;
	}
	rcu_read_lock();
	type = ftm_type_get_rcu(type_id);
	rcu_read_unlock();
	if (!type) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[FTMIGRATE_A_MIGRATION_TYPE],
				    "no such migration type");
		return -EINVAL;
	}
	err = ftm_nl_begin_fence(info, type);
	if (err)
		return err;
	vm = ftm_vm_lookup(fn, nla_get_u32(a[FTMIGRATE_A_MIGRATION_VM_ID]));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[FTMIGRATE_A_MIGRATION_VM_ID],
				    "no such VM on this host");
		return -ENOENT;
	}
	err = ftm_nl_begin_checks(info, vm);
	if (err)
		goto out_vm;

	err = -ENOMEM;
	mig = ftm_migration_new(fn, nla_get_u64(a[FTMIGRATE_A_MIGRATION_ID]),
				FTMIGRATE_MIGRATION_ROLE_SOURCE, type);
	if (!mig)
		goto out_vm;
	mig->secret_len = nla_len(a[FTMIGRATE_A_MIGRATION_SECRET]);
	nla_memcpy(mig->secret, a[FTMIGRATE_A_MIGRATION_SECRET], sizeof(mig->secret));
	if (a[FTMIGRATE_A_MIGRATION_FENCE])
		nla_strscpy(mig->fence, a[FTMIGRATE_A_MIGRATION_FENCE], sizeof(mig->fence));
	mig->state = FTMIGRATE_MIGRATION_STATE_BEGUN;
	err = ftm_migration_attach_vm(mig, vm);
	if (err) {
		NL_SET_ERR_MSG_MOD(info->extack, "the VM is in another migration");
		goto out_mig;
	}
	ftm_cookie_build(mig, (struct ftm_cookie *)mig->cookie);
	err = ftm_migration_publish(mig);
	if (err) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[FTMIGRATE_A_MIGRATION_ID],
				    "a migration with this id is under way on this host");
		ftm_migration_detach_vm(mig);
		goto out_mig;
	}
	ftm_nl_notify_migration(mig, FTMIGRATE_CMD_MIGRATION_STATE_NTF);

	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out_mig;
	hdr = genlmsg_put_reply(msg, info, &ftm_nl_family, 0,
				FTMIGRATE_CMD_MIGRATION_BEGIN);
	if (!hdr || nla_put_u64_64bit(msg, FTMIGRATE_A_MIGRATION_ID, mig->id,
				      FTMIGRATE_A_MIGRATION_PAD) ||
	    nla_put(msg, FTMIGRATE_A_MIGRATION_COOKIE, sizeof(mig->cookie),
		    mig->cookie)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out_mig;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out_mig:
	ftm_migration_put(mig);
out_vm:
	ftm_vm_put(vm);
	return err;
}

int ftm_nl_migration_prepare_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct ftm_migration *mig;
	struct sk_buff *msg;
	char why[FTM_ERROR_MSG_MAX];
	const u8 *secret = NULL;
	u32 secret_len = 0;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_ID) ||
	    GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_COOKIE))
		return -EINVAL;
	if (nla_len(a[FTMIGRATE_A_MIGRATION_COOKIE]) != sizeof(struct ftm_cookie)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[FTMIGRATE_A_MIGRATION_COOKIE],
				    "not a cookie from Begin");
		return -EINVAL;
	}
	if (a[FTMIGRATE_A_MIGRATION_SECRET]) {
		secret = nla_data(a[FTMIGRATE_A_MIGRATION_SECRET]);
		secret_len = nla_len(a[FTMIGRATE_A_MIGRATION_SECRET]);
	}
	err = ftm_vmotion_prepare(ftm_nl_net(skb),
				  nla_get_u64(a[FTMIGRATE_A_MIGRATION_ID]),
				  nla_data(a[FTMIGRATE_A_MIGRATION_COOKIE]),
				  secret, secret_len, &mig, why, sizeof(why));
	if (err) {
		/* Extack messages are static: the details go to the log. */
		pr_info("prepare of migration %llu refused: %s\n",
			nla_get_u64(a[FTMIGRATE_A_MIGRATION_ID]), why);
		if (err == -ENOENT)
			NL_SET_ERR_MSG_MOD(info->extack,
					   "no VM waits for this migration on this host");
		else if (err == -EEXIST)
			NL_SET_ERR_MSG_MOD(info->extack,
					   "this migration is already under way on this host");
		else
			NL_SET_ERR_MSG_MOD(info->extack,
					   "the incoming VM does not match Begin's cookie");
		return err;
	}
	mig->orchestrated = true;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	err = -ENOMEM;
	if (msg) {
		hdr = genlmsg_put_reply(msg, info, &ftm_nl_family, 0,
					FTMIGRATE_CMD_MIGRATION_PREPARE);
		if (hdr && !nla_put_u64_64bit(msg, FTMIGRATE_A_MIGRATION_ID, mig->id,
					      FTMIGRATE_A_MIGRATION_PAD) &&
		    !nla_put_u32(msg, FTMIGRATE_A_MIGRATION_VM_ID, mig->vm->id)) {
			genlmsg_end(msg, hdr);
			err = genlmsg_reply(msg, info);
		} else {
			nlmsg_free(msg);
			err = -EMSGSIZE;
		}
	}
	ftm_migration_put(mig);
	return err;
}

int ftm_nl_migration_perform_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct ftm_migration *mig;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_PEER_ADDR) ||
	    GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_MIGRATION_PEER_PORT))
		return -EINVAL;
	mig = ftm_nl_migration(skb, info);
	if (IS_ERR(mig))
		return PTR_ERR(mig);
	err = -EINVAL;
	if (mig->role != FTMIGRATE_MIGRATION_ROLE_SOURCE) {
		NL_SET_ERR_MSG_MOD(info->extack, "Perform runs on the source");
		goto out;
	}
	mutex_lock(&mig->lock);
	ftm_nl_params(info, &mig->params);
	mutex_unlock(&mig->lock);
	err = ftm_vmotion_perform(mig, nla_get_be32(a[FTMIGRATE_A_MIGRATION_PEER_ADDR]),
				  nla_get_be16(a[FTMIGRATE_A_MIGRATION_PEER_PORT]),
				  nla_get_flag(a[FTMIGRATE_A_MIGRATION_P2P]));
	if (err)
		NL_SET_ERR_MSG_MOD(info->extack, "the migration is not in the Begun state");
out:
	ftm_migration_put(mig);
	return err;
}

int ftm_nl_migration_finish_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftm_migration *mig = ftm_nl_migration(skb, info);
	int err = 0;

	if (IS_ERR(mig))
		return PTR_ERR(mig);
	if (mig->role != FTMIGRATE_MIGRATION_ROLE_DESTINATION) {
		NL_SET_ERR_MSG_MOD(info->extack, "Finish runs on the destination");
		err = -EINVAL;
	} else if (ftm_migration_ended(mig)) {
		err = READ_ONCE(mig->state) == FTMIGRATE_MIGRATION_STATE_COMPLETED ?
		      0 : -ESRCH;
	} else {
		atomic_set(&mig->finish, 1);
	}
	ftm_migration_put(mig);
	return err;
}

int ftm_nl_migration_confirm_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftm_migration *mig = ftm_nl_migration(skb, info);
	int err;

	if (IS_ERR(mig))
		return PTR_ERR(mig);
	/*
	 * The source confirms by itself: it powers off on RESUMED and resumes
	 * on every failure before the point of no return.  Confirm reports
	 * whether that has happened.
	 */
	if (mig->role != FTMIGRATE_MIGRATION_ROLE_SOURCE)
		err = -EINVAL;
	else
		err = ftm_migration_ended(mig) ? 0 : -EINPROGRESS;
	ftm_migration_put(mig);
	return err;
}

int ftm_nl_migration_cancel_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftm_migration *mig = ftm_nl_migration(skb, info);
	int err;

	if (IS_ERR(mig))
		return PTR_ERR(mig);
	err = ftm_migration_cancel(mig);
	if (err)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "past the point of no return: the migration completes");
	ftm_migration_put(mig);
	return err;
}

int ftm_nl_migration_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftm_migration *mig = ftm_nl_migration(skb, info);

	if (IS_ERR(mig))
		return PTR_ERR(mig);
	mutex_lock(&mig->lock);
	ftm_nl_params(info, &mig->params);
	mutex_unlock(&mig->lock);
	ftm_migration_put(mig);
	return 0;
}

int ftm_nl_ft_failover_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ftm_ft_info ft;
	struct sk_buff *msg;
	struct ftm_vm *vm;
	const char *why;
	void *hdr;
	u64 pair_id;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_FT_PAIR_ID))
		return -EINVAL;
	pair_id = nla_get_u64(info->attrs[FTMIGRATE_A_FT_PAIR_ID]);
	err = ftm_ft_failover(ftm_nl_net(skb), pair_id, &vm, &why);
	if (err) {
		/* @why is a string constant of failover.c, as extack wants. */
		info->extack->_msg = why;
		goto out;
	}
	ftm_ft_get(vm, &ft);
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &ftm_nl_family, 0, FTMIGRATE_CMD_FT_FAILOVER);
	if (!hdr || nla_put_u64_64bit(msg, FTMIGRATE_A_FT_PAIR_ID, pair_id, FTMIGRATE_A_FT_PAD) ||
	    nla_put_u32(msg, FTMIGRATE_A_FT_VM_ID, vm->id) ||
	    nla_put_u32(msg, FTMIGRATE_A_FT_FT_STATE, ft.state)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out:
	if (vm)
		ftm_vm_put(vm);
	return err;
}
