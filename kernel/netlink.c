// SPDX-License-Identifier: GPL-2.0
/*
 * The "ftmigrate" generic netlink family: what orchestrators see of a host.
 *
 * The family is specified in Documentation/netlink/specs/ftmigrate.yaml; the
 * request policies and the ops table come from it (netlink_gen.c).  Every
 * command acts in the network namespace of the socket it arrives on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "ftmigrate.h"
#include "netlink_gen.h"

enum ftm_nl_mcgrp {
	FTM_NL_MCGRP_EVENTS,
};

/* Events describe every VM of the host: admin listeners only. */
static const struct genl_multicast_group ftm_nl_mcgrps[] = {
	[FTM_NL_MCGRP_EVENTS] = {
		.name	= FTMIGRATE_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family ftm_nl_family __ro_after_init = {
	.name		= FTMIGRATE_FAMILY_NAME,
	.version	= FTMIGRATE_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ftm_nl_ops,
	.n_ops		= ARRAY_SIZE(ftm_nl_ops),
	.resv_start_op	= FTMIGRATE_CMD_MAX + 1,
	.mcgrps		= ftm_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ftm_nl_mcgrps),
};

static struct ftm_net *ftm_nl_net(struct sk_buff *skb)
{
	return ftm_net(sock_net(skb->sk));
}

/* Finish a dump: its length so far, or the error if nothing fit at all. */
static int ftm_nl_dump_done(struct sk_buff *skb, int err)
{
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

int ftm_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ftm_nl_family, 0,
				FTMIGRATE_CMD_VERSION_GET);
	if (!hdr)
		goto nospace;
	if (nla_put_u32(msg, FTMIGRATE_A_VERSION_API_VERSION, FTM_API_VERSION) ||
	    nla_put_string(msg, FTMIGRATE_A_VERSION_MODULE_VERSION,
			   FTM_MODULE_VERSION) ||
	    nla_put_u64_64bit(msg, FTMIGRATE_A_VERSION_FEATURES, FTM_FEATURES,
			      FTMIGRATE_A_VERSION_PAD))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ftm_nl_fill_type(struct sk_buff *skb, const struct ftm_type *type,
			    u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ftm_nl_family, flags,
			  FTMIGRATE_CMD_TYPE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, FTMIGRATE_A_TYPE_ID, type->id) ||
	    nla_put_string(skb, FTMIGRATE_A_TYPE_NAME, type->name) ||
	    nla_put_string(skb, FTMIGRATE_A_TYPE_OPS, type->ops->name) ||
	    nla_put_u32(skb, FTMIGRATE_A_TYPE_FLAGS, type->flags)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int ftm_nl_type_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct ftm_type *type;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_TYPE_ID))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	type = ftm_type_get_rcu(nla_get_u32(info->attrs[FTMIGRATE_A_TYPE_ID]));
	if (type)
		err = ftm_nl_fill_type(msg, type, info->snd_portid, info->snd_seq, 0);
	else
		err = -ENOENT;
	rcu_read_unlock();

	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[FTMIGRATE_A_TYPE_ID],
					    "no such migration type");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int ftm_nl_type_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct ftm_type *type;
	unsigned long id;
	int err = 0;

	rcu_read_lock();
	for (id = cb->args[0]; id < FTM_TYPE_COUNT; id++) {
		type = ftm_type_get_rcu(id);
		if (!type)
			continue;
		err = ftm_nl_fill_type(skb, type, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
	}
	rcu_read_unlock();
	cb->args[0] = id;
	return ftm_nl_dump_done(skb, err);
}

/* The VM's attributes, for replies, dumps and events alike. */
static int ftm_nl_put_vm(struct sk_buff *skb, struct ftm_vm *vm)
{
	struct ftm_ft_info ft;

	ftm_ft_get(vm, &ft);
	if (ft.role != FTMIGRATE_FT_ROLE_NONE &&
	    (nla_put_u32(skb, FTMIGRATE_A_VM_FT_ROLE, ft.role) ||
	     nla_put_u32(skb, FTMIGRATE_A_VM_FT_STATE, ft.state) ||
	     nla_put_u64_64bit(skb, FTMIGRATE_A_VM_PAIR_ID, ft.pair_id,
			       FTMIGRATE_A_VM_PAD) ||
	     nla_put_string(skb, FTMIGRATE_A_VM_FENCE, ft.fence)))
		return -EMSGSIZE;
	if (nla_put_u32(skb, FTMIGRATE_A_VM_ID, vm->id) ||
	    nla_put_string(skb, FTMIGRATE_A_VM_NAME, vm->name) ||
	    nla_put(skb, FTMIGRATE_A_VM_UUID, FTM_UUID_LEN, vm->uuid) ||
	    nla_put_u32(skb, FTMIGRATE_A_VM_STATE, READ_ONCE(vm->state)) ||
	    nla_put_u32(skb, FTMIGRATE_A_VM_OWNER_PID, vm->owner_pid) ||
	    nla_put_u32(skb, FTMIGRATE_A_VM_CONFIG_LEN, vm->config_len) ||
	    nla_put(skb, FTMIGRATE_A_VM_CONFIG_SHA256, FTM_SHA256_LEN,
		    vm->config_sha256) ||
	    nla_put_u64_64bit(skb, FTMIGRATE_A_VM_CREATED_NS, vm->created_ns,
			      FTMIGRATE_A_VM_PAD))
		return -EMSGSIZE;
	return 0;
}

static int ftm_nl_fill_vm(struct sk_buff *skb, struct ftm_vm *vm,
			  u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ftm_nl_family, flags,
			  FTMIGRATE_CMD_VM_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (ftm_nl_put_vm(skb, vm)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int ftm_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct ftm_vm *vm;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FTMIGRATE_A_VM_ID))
		return -EINVAL;
	vm = ftm_vm_lookup(ftm_nl_net(skb),
			   nla_get_u32(info->attrs[FTMIGRATE_A_VM_ID]));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FTMIGRATE_A_VM_ID],
				    "no such VM on this host");
		return -ENOENT;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = ftm_nl_fill_vm(msg, vm, info->snd_portid, info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	ftm_vm_put(vm);
	return err;
}

int ftm_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ftm_net *fn = ftm_nl_net(skb);
	unsigned long id = cb->args[0];
	struct ftm_vm *vm;
	int err = 0;

	/* Dumps read only immutable fields and READ_ONCE(state): RCU is enough. */
	rcu_read_lock();
	xa_for_each_start(&fn->vms, id, vm, id) {
		err = ftm_nl_fill_vm(skb, vm, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
	}
	rcu_read_unlock();
	/* Resume at the VM that did not fit, or past the last one. */
	cb->args[0] = err ? id : id + 1;
	return ftm_nl_dump_done(skb, err);
}

/**
 * ftm_nl_notify_vm() - send a VM event to the host's "events" listeners
 * @vm: the VM
 * @cmd: FTMIGRATE_CMD_VM_CREATED_NTF or FTMIGRATE_CMD_VM_DESTROYED_NTF
 *
 * Events carry a per-host sequence number; it is taken and the event sent
 * under one lock so that listeners receive them in sequence order.  A
 * listener that cannot keep up loses events (ENOBUFS on its socket) and
 * sees a gap in the sequence.
 */
void ftm_nl_notify_vm(struct ftm_vm *vm, u8 cmd)
{
	struct ftm_net *fn = vm->fn;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	mutex_lock(&fn->event_lock);
	/* Number the event even if it is lost, so listeners see the gap. */
	fn->event_seq++;
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &ftm_nl_family, 0, cmd);
	if (!hdr)
		goto drop;
	if (nla_put_u64_64bit(msg, FTMIGRATE_A_EVENT_SEQ, fn->event_seq,
			      FTMIGRATE_A_EVENT_PAD) ||
	    nla_put_u64_64bit(msg, FTMIGRATE_A_EVENT_TIMESTAMP_NS,
			      ktime_get_real_ns(), FTMIGRATE_A_EVENT_PAD))
		goto drop;
	nest = nla_nest_start(msg, FTMIGRATE_A_EVENT_VM);
	if (!nest || ftm_nl_put_vm(msg, vm))
		goto drop;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&ftm_nl_family, fn->net, msg, 0,
				FTM_NL_MCGRP_EVENTS, GFP_KERNEL);
	goto out;
drop:
	nlmsg_free(msg);
out:
	mutex_unlock(&fn->event_lock);
}

/**
 * ftm_nl_notify_migration() - send a migration event to the host's listeners
 * @mig: the migration
 * @cmd: FTMIGRATE_CMD_MIGRATION_STATE_NTF or FTMIGRATE_CMD_MIGRATION_PROGRESS_NTF
 *
 * Numbered and ordered with the VM events, as ftm_nl_notify_vm().
 */
void ftm_nl_notify_migration(struct ftm_migration *mig, u8 cmd)
{
	struct ftm_net *fn = mig->fn;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	mutex_lock(&fn->event_lock);
	fn->event_seq++;
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &ftm_nl_family, 0, cmd);
	if (!hdr)
		goto drop;
	if (nla_put_u64_64bit(msg, FTMIGRATE_A_EVENT_SEQ, fn->event_seq,
			      FTMIGRATE_A_EVENT_PAD) ||
	    nla_put_u64_64bit(msg, FTMIGRATE_A_EVENT_TIMESTAMP_NS,
			      ktime_get_real_ns(), FTMIGRATE_A_EVENT_PAD))
		goto drop;
	nest = nla_nest_start(msg, FTMIGRATE_A_EVENT_MIGRATION);
	if (!nest || ftm_nl_put_migration(msg, mig))
		goto drop;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&ftm_nl_family, fn->net, msg, 0,
				FTM_NL_MCGRP_EVENTS, GFP_KERNEL);
	goto out;
drop:
	nlmsg_free(msg);
out:
	mutex_unlock(&fn->event_lock);
}

int __init ftm_netlink_init(void)
{
	return genl_register_family(&ftm_nl_family);
}

void ftm_netlink_exit(void)
{
	genl_unregister_family(&ftm_nl_family);
}

/* Resolving the family name loads the module. */
MODULE_ALIAS_GENL_FAMILY(FTMIGRATE_FAMILY_NAME);
