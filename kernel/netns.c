// SPDX-License-Identifier: GPL-2.0
/*
 * Hosts are network namespaces: each has its own VM table, listener and
 * migrations.  Nothing is shared between two of them.
 */
#include <net/netns/generic.h>

#include "ftmigrate.h"

static unsigned int ftm_net_id __read_mostly;

/**
 * ftm_net() - the ftmigrate state of a network namespace
 * @net: the namespace
 *
 * Return: its &struct ftm_net, valid as long as @net is.
 */
struct ftm_net *ftm_net(const struct net *net)
{
	return net_generic(net, ftm_net_id);
}

static int __net_init ftm_net_init(struct net *net)
{
	struct ftm_net *fn = ftm_net(net);

	fn->net = net;
	xa_init_flags(&fn->vms, XA_FLAGS_ALLOC1);
	mutex_init(&fn->event_lock);
	mutex_init(&fn->listener_lock);
	xa_init(&fn->migrations);
	atomic_set(&fn->workers, 0);
	init_waitqueue_head(&fn->workers_wq);
	return 0;
}

static void __net_exit ftm_net_exit(struct net *net)
{
	struct ftm_net *fn = ftm_net(net);

	/* No new connections, then no migrations, before the sockets' netns goes. */
	ftm_listener_close(fn);
	ftm_migrations_stop(fn);
	xa_destroy(&fn->migrations);
	mutex_destroy(&fn->listener_lock);
	/* Every VM's file pins its netns, so none can be left here. */
	WARN_ON(!xa_empty(&fn->vms));
	xa_destroy(&fn->vms);
	mutex_destroy(&fn->event_lock);
}

static struct pernet_operations ftm_net_ops = {
	.init	= ftm_net_init,
	.exit	= ftm_net_exit,
	.id	= &ftm_net_id,
	.size	= sizeof(struct ftm_net),
};

int ftm_netns_init(void)
{
	return register_pernet_subsys(&ftm_net_ops);
}

void ftm_netns_exit(void)
{
	unregister_pernet_subsys(&ftm_net_ops);
}
