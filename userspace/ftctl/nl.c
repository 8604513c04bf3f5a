// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: generic netlink plumbing on top of libmnl.
 *
 * One socket per run.  The family id and the "events" group id are resolved
 * through the genl controller (CTRL_CMD_GETFAMILY).  Requests ask for
 * extended acks so that the kernel's error message reaches the user, and
 * NLMSG_ERROR / NLMSG_DONE are handled here rather than by libmnl's
 * defaults, which would drop that message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ftctl.h"
#include "nl.h"

/* One request in flight: the caller's callback and where errors go. */
struct ftnl_req {
	struct ftnl *nl;
	const struct nlmsghdr *sent;	/* the request, for error offsets */
	uint16_t family;
	mnl_cb_t cb;
	void *data;
};

int ftnl_msg_cmd(const struct nlmsghdr *nlh, const struct ftnl *nl)
{
	const struct genlmsghdr *genl;

	if (nlh->nlmsg_type != nl->family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -1;
	genl = mnl_nlmsg_get_payload(nlh);
	return genl->cmd;
}

/* The top-level attribute of @sent that holds byte @off of it, or 0. */
static int ftnl_attr_at(const struct nlmsghdr *sent, uint32_t off)
{
	const struct nlattr *attr;

	if (!sent)
		return 0;
	mnl_attr_for_each(attr, sent, sizeof(struct genlmsghdr)) {
		uint32_t start = (const char *)attr - (const char *)sent;

		if (off >= start && off < start + attr->nla_len)
			return mnl_attr_get_type(attr);
	}
	return 0;
}

static int ftnl_extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct ftnl_req *req = data;
	struct ftnl *nl = req->nl;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(nl->extack, sizeof(nl->extack), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			nl->bad_attr = ftnl_attr_at(req->sent,
						    mnl_attr_get_u32(attr));
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			nl->miss_attr = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* Extended ack TLVs start at @off bytes into the payload of @nlh. */
static void ftnl_parse_extack(struct ftnl_req *req, const struct nlmsghdr *nlh,
			      size_t off)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = MNL_ALIGN(off);
	if (off >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, off, ftnl_extack_attr_cb, req);
}

static int ftnl_cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct ftnl_req *req = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;	/* the ack that ends a do */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	ftnl_parse_extack(req, nlh, off);
	errno = e->error < 0 ? -e->error : EPROTO;
	return MNL_CB_ERROR;
}

/* The end of a dump carries the dump's error, if it failed part-way. */
static int ftnl_cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct ftnl_req *req = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	ftnl_parse_extack(req, nlh, sizeof(err));
	errno = -err;
	return MNL_CB_ERROR;
}

static int ftnl_cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct ftnl_req *req = data;

	/* Anything not of the family asked is not ours to interpret. */
	if (nlh->nlmsg_type != req->family || !req->cb)
		return MNL_CB_OK;
	return req->cb(nlh, req->data);
}

static mnl_cb_t ftnl_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR]	= ftnl_cb_error,
	[NLMSG_DONE]	= ftnl_cb_done,
};

static int ftnl_request_family(struct ftnl *nl, uint16_t family, uint8_t cmd,
			       uint8_t version, bool dump, ftnl_put_t put,
			       void *put_arg, mnl_cb_t cb, void *data)
{
	static char sbuf[FTNL_RCVBUF], buf[FTNL_RCVBUF];
	struct ftnl_req req = {
		.nl = nl, .sent = (struct nlmsghdr *)sbuf, .family = family,
		.cb = cb, .data = data,
	};
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	uint32_t seq;
	ssize_t n;
	int ret;

	nl->extack[0] = '\0';
	nl->bad_attr = 0;
	nl->miss_attr = 0;
	seq = ++nl->seq;
	nlh = mnl_nlmsg_put_header(sbuf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	if (put)
		put(nlh, put_arg);

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;	/* a signal the caller handles later */
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, n, seq, nl->portid, ftnl_cb_data, &req,
				  ftnl_ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);

	if (ret < 0)
		return errno ? -errno : -EPROTO;
	return 0;
}

int ftnl_request(struct ftnl *nl, uint8_t cmd, bool dump, ftnl_put_t put,
		 void *put_arg, mnl_cb_t cb, void *data)
{
	return ftnl_request_family(nl, nl->family, cmd, FTMIGRATE_FAMILY_VERSION,
				   dump, put, put_arg, cb, data);
}

/* --- family resolution ---------------------------------------------------- */

static void ftnl_put_family_name(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, arg);
}

struct ftnl_grp {
	const char *name;
	uint32_t id;
	bool have_id;
	bool match;
};

static int ftnl_grp_attr_cb(const struct nlattr *attr, void *data)
{
	struct ftnl_grp *grp = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		grp->match = strcmp(mnl_attr_get_str(attr), grp->name) == 0;
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		grp->id = mnl_attr_get_u32(attr);
		grp->have_id = true;
		break;
	}
	return MNL_CB_OK;
}

static int ftnl_grps_cb(const struct nlattr *attr, void *data)
{
	struct ftnl *nl = data;
	struct ftnl_grp grp = { .name = FTMIGRATE_MCGRP_EVENTS };

	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	if (mnl_attr_parse_nested(attr, ftnl_grp_attr_cb, &grp) < 0)
		return MNL_CB_ERROR;
	if (grp.match && grp.have_id)
		nl->events_grp = grp.id;
	return MNL_CB_OK;
}

struct ftnl_family {
	struct ftnl *nl;
	bool have_id;
};

static int ftnl_family_attr_cb(const struct nlattr *attr, void *data)
{
	struct ftnl_family *fam = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		fam->nl->family = mnl_attr_get_u16(attr);
		fam->have_id = true;
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		if (mnl_attr_parse_nested(attr, ftnl_grps_cb, fam->nl) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int ftnl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ftnl_family_attr_cb,
			   data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int ftnl_open(struct ftnl *nl)
{
	struct ftnl_family fam = { .nl = nl };
	int one = 1;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Best effort: older kernels answer without the extack message. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	err = ftnl_request_family(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, false,
				  ftnl_put_family_name,
				  (void *)FTMIGRATE_FAMILY_NAME, ftnl_family_cb,
				  &fam);
	if (!err && !fam.have_id)
		err = -EBADMSG;
	if (err)
		goto fail;
	return 0;

fail:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return err;
}

void ftnl_close(struct ftnl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int ftnl_subscribe(struct ftnl *nl)
{
	int grp = nl->events_grp;

	if (!grp)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

const char *ftnl_attr_name(const struct ftnl *nl, int type)
{
	if (!nl->attr_names || type <= 0 || (size_t)type >= nl->nattr_names)
		return NULL;
	return nl->attr_names[type];
}

int ftnl_fail(const struct ftnl *nl, int err, const char *what)
{
	const char *ext = nl && nl->extack[0] ? nl->extack : NULL;
	const char *bad = nl ? ftnl_attr_name(nl, nl->bad_attr) : NULL;
	const char *miss = nl ? ftnl_attr_name(nl, nl->miss_attr) : NULL;

	if (err < 0)
		err = -err;
	switch (err) {
	case EPERM:
	case EACCES:
		fprintf(stderr, "ftctl: permission denied: %s needs CAP_NET_ADMIN\n",
			what);
		return EXIT_FAIL;
	case EBADMSG:
	case EPROTO:
		fprintf(stderr, "ftctl: %s: malformed reply from the kernel\n",
			what);
		return EXIT_FAIL;
	}
	fprintf(stderr, "ftctl: %s: ", what);
	if (bad)
		fprintf(stderr, "%s: ", bad);
	if (ext)
		fprintf(stderr, "%s", ext);
	else if (miss)
		fprintf(stderr, "missing attribute %s", miss);
	else if (nl && nl->miss_attr)
		fprintf(stderr, "missing attribute %d", nl->miss_attr);
	else if (err == EOPNOTSUPP)
		fputs("not supported by this ftmigrate module", stderr);
	if (ext || (nl && nl->miss_attr) || err == EOPNOTSUPP)
		fprintf(stderr, " (%s)\n", strerror(err));
	else
		fprintf(stderr, "%s\n", strerror(err));
	return EXIT_FAIL;
}

int ftnl_connect(struct ftnl *nl, const char *what)
{
	int err = ftnl_open(nl);

	if (err == -ENOENT) {
		fprintf(stderr, "ftctl: the ftmigrate module is not loaded (try: modprobe ftmigrate)\n");
		return EXIT_FAIL;
	}
	if (err)
		return ftnl_fail(nl, err, what);
	return 0;
}
