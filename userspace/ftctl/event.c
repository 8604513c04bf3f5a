// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: events of the "events" group (attribute set "event"): a sequence
 * number, a timestamp and the VM or migration they are about.
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "ftctl.h"

static int ftevent_attr_cb(const struct nlattr *attr, void *data)
{
	struct ftevent *ev = data;

	switch (mnl_attr_get_type(attr)) {
	case FTMIGRATE_A_EVENT_SEQ:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			goto bad;
		ev->seq = mnl_attr_get_u64(attr);
		ev->have_seq = true;
		break;
	case FTMIGRATE_A_EVENT_TIMESTAMP_NS:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			goto bad;
		ev->timestamp_ns = mnl_attr_get_u64(attr);
		ev->have_ts = true;
		break;
	case FTMIGRATE_A_EVENT_VM:
		if (ftvm_parse_nested(attr, &ev->vm) < 0)
			goto bad;
		ev->have_vm = true;
		break;
	case FTMIGRATE_A_EVENT_MIGRATION:
		if (ftmig_parse_nested(attr, &ev->mig) < 0)
			goto bad;
		ev->have_mig = true;
		break;
	}
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

int ftevent_parse(const struct nlmsghdr *nlh, struct ftevent *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ftevent_attr_cb,
			   ev) < 0 || !ev->have_seq) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}
