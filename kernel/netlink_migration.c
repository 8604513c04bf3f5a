// SPDX-License-Identifier: GPL-2.0
/*
 * The migration commands of the "ftmigrate" family: the host's listener and
 * the five steps (Begin, Prepare, Perform, Finish, Confirm), cancel and
 * parameters.  Placeholders until the VMotion protocol lands.
 */
#include <net/genetlink.h>

#include "ftmigrate.h"
#include "netlink_gen.h"

int ftm_nl_migration_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return -ENOENT;
}

int ftm_nl_migration_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return 0;
}

#define FTM_NL_NOT_YET(op)						\
int ftm_nl_##op##_doit(struct sk_buff *skb, struct genl_info *info)	\
{									\
	return -EOPNOTSUPP;						\
}

FTM_NL_NOT_YET(listener_set)
FTM_NL_NOT_YET(listener_get)
FTM_NL_NOT_YET(migration_begin)
FTM_NL_NOT_YET(migration_prepare)
FTM_NL_NOT_YET(migration_perform)
FTM_NL_NOT_YET(migration_finish)
FTM_NL_NOT_YET(migration_confirm)
FTM_NL_NOT_YET(migration_cancel)
FTM_NL_NOT_YET(migration_set)
