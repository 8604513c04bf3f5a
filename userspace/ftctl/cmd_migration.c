// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl migration list | show | begin | prepare | perform | finish |
 * confirm | set: migrations of this host (CMD_MIGRATION_GET), and the
 * orchestrator's steps one by one, each printing the kernel's reply.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "ftctl.h"
#include "nl.h"
#include "print.h"

#define COOKIE_MAX	4096	/* the spec's max-len */

int mig_parse_id(const char *what, const char *s, uint64_t *id, int *status)
{
	if (parse_uint(s, 1, UINT64_MAX, id)) {
		*status = usage_error("%s: bad migration id '%s' (a positive integer)",
				      what, s);
		return -1;
	}
	return 0;
}

/* A usage error for a number out of @range. */
static int bad_value(const char *what, const char *opt, const char *val,
		     const char *range, int *status)
{
	*status = usage_error("%s: bad %s '%s' (%s)", what, opt, val, range);
	return -1;
}

int mig_opt(int argc, char **argv, int *i, const char *what, unsigned int allowed,
	    struct ftmig *m, int *status)
{
	const char *opt = argv[*i];
	bool missing = false;
	const char *val;
	uint32_t addr;
	uint16_t port;
	uint64_t v;

	if ((allowed & MOPT_P2P) && !strcmp(opt, "--p2p")) {
		ftmig_set(m, FTMIGRATE_A_MIGRATION_P2P, 1);
		return 1;
	}
	if ((allowed & MOPT_ID) &&
	    (val = opt_value(argc, argv, i, "--id", &missing))) {
		if (mig_parse_id(what, val, &v, status))
			return -1;
		ftmig_set(m, FTMIGRATE_A_MIGRATION_ID, v);
	} else if ((allowed & (MOPT_TO | MOPT_SECONDARY)) &&
		   (val = opt_value(argc, argv, i, allowed & MOPT_TO ?
				    "--to" : "--secondary", &missing))) {
		if (parse_addr_port(val, false, &addr, &port) || !addr)
			goto bad_to;
		ftmig_set(m, FTMIGRATE_A_MIGRATION_PEER_ADDR, addr);
		ftmig_set(m, FTMIGRATE_A_MIGRATION_PEER_PORT, port);
	} else if ((allowed & MOPT_DOWNTIME) &&
		   (val = opt_value(argc, argv, i, "--downtime", &missing))) {
		if (parse_uint(val, 1, 30000, &v))
			return bad_value(what, "--downtime", val,
					 "milliseconds, 1 to 30000", status);
		ftmig_set(m, FTMIGRATE_A_MIGRATION_DOWNTIME_MS, v);
	} else if ((allowed & MOPT_BANDWIDTH) &&
		   (val = opt_value(argc, argv, i, "--bandwidth", &missing))) {
		if (parse_rate(val, &v))
			return bad_value(what, "--bandwidth", val,
					 "bytes/s: 0 for no cap, 500000000, 500M = 500MB, 1.5G, 4Gbit, 100MiB",
					 status);
		ftmig_set(m, FTMIGRATE_A_MIGRATION_MAX_BANDWIDTH, v);
	} else if ((allowed & MOPT_STREAMS) &&
		   (val = opt_value(argc, argv, i, "--streams", &missing))) {
		if (parse_uint(val, 1, 8, &v))
			return bad_value(what, "--streams", val, "1 to 8", status);
		ftmig_set(m, FTMIGRATE_A_MIGRATION_STREAMS, v);
	} else if ((allowed & MOPT_TIMEOUT) &&
		   (val = opt_value(argc, argv, i, "--timeout", &missing))) {
		if (parse_uint(val, 1, UINT32_MAX / 1000, &v))
			return bad_value(what, "--timeout", val,
					 "whole seconds, at least 1", status);
		ftmig_set(m, FTMIGRATE_A_MIGRATION_TIMEOUT_MS, v * 1000);
	} else if ((allowed & MOPT_THROTTLE) &&
		   (val = opt_value(argc, argv, i, "--throttle-step", &missing))) {
		if (parse_uint(val, 0, 99, &v))
			return bad_value(what, "--throttle-step", val,
					 "percent, 0 to 99", status);
		ftmig_set(m, FTMIGRATE_A_MIGRATION_THROTTLE_STEP, v);
	} else if (missing) {
		*status = usage_error("%s: %s needs a value", what, opt);
		return -1;
	} else {
		return 0;
	}
	return 1;

bad_to:
	if (allowed & MOPT_TO)
		*status = usage_error("%s: bad --to '%s' (IPv4 ADDR:PORT of the destination's listener)",
				      what, val);
	else
		*status = usage_error("%s: bad --secondary '%s' (IPv4 ADDR:PORT of the listener on the secondary's host)",
				      what, val);
	return -1;
}

static void mig_connect_names(struct ftnl *nl)
{
	nl->attr_names = ftmig_attr_names;
	nl->nattr_names = FTMIGRATE_A_MIGRATION_MAX + 1;
}

static int mig_connect(struct ftnl *nl, const char *what)
{
	int err = ftnl_connect(nl, what);

	if (!err)
		mig_connect_names(nl);
	return err;
}

/* --- list, show ------------------------------------------------------------ */

struct mig_list {
	struct ftmig *ms;
	size_t n, cap;
};

static int mig_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_list *l = data;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct ftmig *ms = realloc(l->ms, cap * sizeof(*ms));

		if (!ms)
			return MNL_CB_ERROR;	/* errno is ENOMEM */
		l->ms = ms;
		l->cap = cap;
	}
	if (ftmig_parse_msg(nlh, &l->ms[l->n]) < 0)
		return MNL_CB_ERROR;
	l->n++;
	return MNL_CB_OK;
}

static int mig_list(int argc, char **argv)
{
	struct mig_list l = { 0 };
	struct ftnl nl;
	size_t i;
	int err;

	if (argc > 2)
		return usage_error("migration list: unexpected argument '%s'",
				   argv[2]);
	err = mig_connect(&nl, "migration list");
	if (err)
		return err;
	err = ftnl_request(&nl, FTMIGRATE_CMD_MIGRATION_GET, true, NULL, NULL,
			   mig_list_cb, &l);
	if (err) {
		err = ftnl_fail(&nl, err, "migration list");
		goto out;
	}
	if (opt_json) {
		putchar('[');
		for (i = 0; i < l.n; i++) {
			if (i)
				putchar(',');
			ftmig_print_json(&l.ms[i]);
		}
		puts("]");
	} else {
		ftmig_print_table(l.ms, l.n);
	}
out:
	ftnl_close(&nl);
	free(l.ms);
	return err;
}

struct mig_one {
	struct ftmig m;
	bool found;
};

static int mig_one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_one *o = data;

	if (ftmig_parse_msg(nlh, &o->m) < 0)
		return MNL_CB_ERROR;
	o->found = true;
	return MNL_CB_OK;
}

static void mig_put_id(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_u64(nlh, FTMIGRATE_A_MIGRATION_ID, *(uint64_t *)arg);
}

int mig_get(struct ftnl *nl, uint64_t id, struct ftmig *m)
{
	struct mig_one o = { 0 };
	int err;

	err = ftnl_request(nl, FTMIGRATE_CMD_MIGRATION_GET, false, mig_put_id,
			   &id, mig_one_cb, &o);
	if (!err && (!o.found ||
		     ftmig_u(&o.m, FTMIGRATE_A_MIGRATION_ID) != id))
		err = -EBADMSG;
	if (!err)
		*m = o.m;
	return err;
}

static int mig_show(int argc, char **argv)
{
	struct ftmig m;
	struct ftnl nl;
	uint64_t id;
	int err;

	if (argc != 3)
		return usage_error("migration show takes one argument, a migration id");
	if (mig_parse_id("migration show", argv[2], &id, &err))
		return err;
	err = mig_connect(&nl, "migration show");
	if (err)
		return err;
	err = mig_get(&nl, id, &m);
	if (err == -ENOENT) {
		fprintf(stderr, "ftctl: no migration %" PRIu64 " on this host\n", id);
		err = EXIT_FAIL;
		goto out;
	}
	if (err) {
		err = ftnl_fail(&nl, err, "migration show");
		goto out;
	}
	if (opt_json) {
		ftmig_print_json(&m);
		putchar('\n');
	} else {
		ftmig_print_kv(&m);
	}
out:
	ftnl_close(&nl);
	return err;
}

/* --- the steps -------------------------------------------------------------- */

struct mig_req {
	struct ftmig m;
	const struct secret *secret;	/* NULL: none */
	const uint8_t *cookie;
	size_t cookie_len;
	const char *fence;		/* NULL: none */
};

static void mig_req_put(struct nlmsghdr *nlh, void *arg)
{
	const struct mig_req *r = arg;

	ftmig_put(nlh, &r->m);
	if (r->secret)
		mnl_attr_put(nlh, FTMIGRATE_A_MIGRATION_SECRET, r->secret->len,
			     r->secret->bytes);
	if (r->cookie)
		mnl_attr_put(nlh, FTMIGRATE_A_MIGRATION_COOKIE, r->cookie_len,
			     r->cookie);
	if (r->fence)
		mnl_attr_put_strz(nlh, FTMIGRATE_A_MIGRATION_FENCE, r->fence);
}

/* A reply of set "migration", and its cookie if it has one. */
struct mig_reply {
	struct ftmig m;
	uint8_t cookie[COOKIE_MAX];
	size_t cookie_len;
	bool have_cookie, found;
};

static int mig_reply_attr_cb(const struct nlattr *attr, void *data)
{
	struct mig_reply *r = data;

	if (mnl_attr_get_type(attr) != FTMIGRATE_A_MIGRATION_COOKIE)
		return ftmig_attr_cb(attr, &r->m);
	if (mnl_attr_get_payload_len(attr) > sizeof(r->cookie)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	r->cookie_len = mnl_attr_get_payload_len(attr);
	memcpy(r->cookie, mnl_attr_get_payload(attr), r->cookie_len);
	r->have_cookie = true;
	return MNL_CB_OK;
}

static int mig_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_reply *r = data;

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), mig_reply_attr_cb,
			   r) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	r->found = true;
	return MNL_CB_OK;
}

/*
 * Send step @cmd for @what and print the reply: every attribute of set
 * "migration" it has, and its cookie as hex.  A reply without attributes
 * (an ack) prints the id and "ok".
 */
static int mig_step(struct ftnl *nl, uint8_t cmd, const char *what,
		    struct mig_req *req)
{
	static struct mig_reply r;
	static char hex[2 * COOKIE_MAX + 1];
	int err;

	memset(&r, 0, sizeof(r));
	err = ftnl_request(nl, cmd, false, mig_req_put, req, mig_reply_cb, &r);
	if (err)
		return ftnl_fail(nl, err, what);
	if (!r.found)
		ftmig_set(&r.m, FTMIGRATE_A_MIGRATION_ID,
			  ftmig_u(&req->m, FTMIGRATE_A_MIGRATION_ID));
	if (r.have_cookie)
		fmt_hex(hex, r.cookie, r.cookie_len);
	if (opt_json) {
		putchar('{');
		ftmig_print_json_fields(&r.m);
		if (r.have_cookie)
			printf(",\"cookie\":\"%s\"", hex);
		puts("}");
	} else {
		ftmig_print_kv(&r.m);
		if (r.have_cookie)
			printf("cookie: %s\n", hex);
		if (!r.found)
			printf("%s: ok\n", what);
	}
	return EXIT_OK;
}

static int mig_begin(int argc, char **argv)
{
	const char *what = "migration begin";
	static struct secret secret;
	struct mig_req req = { .secret = &secret };
	const char *vm = NULL, *secret_file = NULL, *val;
	uint32_t type = FTMIGRATE_TYPE_ID_VMOTION, vm_id;
	bool missing = false;
	struct ftnl nl;
	int err, i, r;

	for (i = 2; i < argc; i++) {
		if ((r = mig_opt(argc, argv, &i, what, MOPT_ID, &req.m, &err)) < 0)
			return err;
		if (r)
			continue;
		if ((val = opt_value(argc, argv, &i, "--secret-file", &missing))) {
			secret_file = val;
		} else if ((val = opt_value(argc, argv, &i, "--type", &missing))) {
			if (ftmig_type_parse(val, &type))
				return usage_error("%s: bad --type '%s' (vmotion, ft or ftcpt)",
						   what, val);
		} else if ((val = opt_value(argc, argv, &i, "--fence", &missing))) {
			err = check_fence(what, val);
			if (err)
				return err;
			req.fence = val;
		} else if (missing) {
			return usage_error("%s: %s needs a value", what, argv[i]);
		} else if (argv[i][0] == '-' || vm) {
			return usage_error("%s: unexpected argument '%s'", what,
					   argv[i]);
		} else {
			vm = argv[i];
		}
	}
	if (!vm)
		return usage_error("%s: which VM? (an id or name)", what);
	if (!ftmig_has(&req.m, FTMIGRATE_A_MIGRATION_ID))
		return usage_error("%s: --id ID is required", what);
	if (!secret_file)
		return usage_error("%s: --secret-file FILE is required", what);
	err = read_secret(what, secret_file, &secret);
	if (err)
		return err;

	err = mig_connect(&nl, what);
	if (err)
		goto out_secret;
	err = ftvm_lookup(&nl, what, vm, &vm_id);
	if (err)
		goto out;
	ftmig_set(&req.m, FTMIGRATE_A_MIGRATION_VM_ID, vm_id);
	ftmig_set(&req.m, FTMIGRATE_A_MIGRATION_TYPE, type);
	err = mig_step(&nl, FTMIGRATE_CMD_MIGRATION_BEGIN, what, &req);
out:
	ftnl_close(&nl);
out_secret:
	explicit_bzero(&secret, sizeof(secret));
	return err;
}

static int mig_prepare(int argc, char **argv)
{
	const char *what = "migration prepare";
	static uint8_t cookie[COOKIE_MAX];
	static struct secret secret;
	const char *secret_file = NULL, *val;
	struct mig_req req = { 0 };
	bool missing = false;
	struct ftnl nl;
	int err, i, r;

	for (i = 2; i < argc; i++) {
		if ((r = mig_opt(argc, argv, &i, what, MOPT_ID, &req.m, &err)) < 0)
			return err;
		if (r)
			continue;
		if ((val = opt_value(argc, argv, &i, "--secret-file", &missing))) {
			secret_file = val;
		} else if ((val = opt_value(argc, argv, &i, "--cookie", &missing))) {
			if (parse_hex(val, cookie, sizeof(cookie), &req.cookie_len))
				return usage_error("%s: bad --cookie (the hex digits migration begin printed)",
						   what);
			req.cookie = cookie;
		} else if (missing) {
			return usage_error("%s: %s needs a value", what, argv[i]);
		} else {
			return usage_error("%s: unexpected argument '%s'", what,
					   argv[i]);
		}
	}
	if (!ftmig_has(&req.m, FTMIGRATE_A_MIGRATION_ID))
		return usage_error("%s: --id ID is required", what);
	if (!req.cookie)
		return usage_error("%s: --cookie HEX is required", what);
	if (secret_file) {
		err = read_secret(what, secret_file, &secret);
		if (err)
			return err;
		req.secret = &secret;
	}
	err = mig_connect(&nl, what);
	if (!err) {
		err = mig_step(&nl, FTMIGRATE_CMD_MIGRATION_PREPARE, what, &req);
		ftnl_close(&nl);
	}
	explicit_bzero(&secret, sizeof(secret));
	return err;
}

static int mig_perform(int argc, char **argv)
{
	const char *what = "migration perform";
	struct mig_req req = { 0 };
	struct ftnl nl;
	int err, i, r;

	for (i = 2; i < argc; i++) {
		r = mig_opt(argc, argv, &i, what, MOPT_ID | MOPT_PERFORM | MOPT_P2P,
			    &req.m, &err);
		if (r < 0)
			return err;
		if (!r)
			return usage_error("%s: unexpected argument '%s'", what,
					   argv[i]);
	}
	if (!ftmig_has(&req.m, FTMIGRATE_A_MIGRATION_ID))
		return usage_error("%s: --id ID is required", what);
	if (!ftmig_has(&req.m, FTMIGRATE_A_MIGRATION_PEER_ADDR))
		return usage_error("%s: --to ADDR:PORT is required", what);
	err = mig_connect(&nl, what);
	if (err)
		return err;
	err = mig_step(&nl, FTMIGRATE_CMD_MIGRATION_PERFORM, what, &req);
	ftnl_close(&nl);
	return err;
}

/* finish ID, confirm ID, and set ID [options]. */
static int mig_by_id(int argc, char **argv, uint8_t cmd, const char *what,
		     unsigned int allowed)
{
	struct mig_req req = { 0 };
	const char *idarg = NULL;
	struct ftnl nl;
	uint64_t id;
	int err, i, r;

	for (i = 2; i < argc; i++) {
		r = mig_opt(argc, argv, &i, what, allowed, &req.m, &err);
		if (r < 0)
			return err;
		if (r)
			continue;
		if (argv[i][0] == '-' || idarg)
			return usage_error("%s: unexpected argument '%s'", what,
					   argv[i]);
		idarg = argv[i];
	}
	if (!idarg)
		return usage_error("%s: which migration? (its id)", what);
	if (mig_parse_id(what, idarg, &id, &err))
		return err;
	if (allowed && !(req.m.have & ~FTMIG_BIT(FTMIGRATE_A_MIGRATION_ID)))
		return usage_error("%s: nothing to change (--downtime, --bandwidth or --throttle-step)",
				   what);
	ftmig_set(&req.m, FTMIGRATE_A_MIGRATION_ID, id);
	err = mig_connect(&nl, what);
	if (err)
		return err;
	err = mig_step(&nl, cmd, what, &req);
	ftnl_close(&nl);
	return err;
}

int cmd_migration(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return usage_error("migration needs a subcommand: list, show, begin, prepare, perform, finish, confirm or set");
	if (!strcmp(sub, "list"))
		return mig_list(argc, argv);
	if (!strcmp(sub, "show"))
		return mig_show(argc, argv);
	if (!strcmp(sub, "begin"))
		return mig_begin(argc, argv);
	if (!strcmp(sub, "prepare"))
		return mig_prepare(argc, argv);
	if (!strcmp(sub, "perform"))
		return mig_perform(argc, argv);
	if (!strcmp(sub, "finish"))
		return mig_by_id(argc, argv, FTMIGRATE_CMD_MIGRATION_FINISH,
				 "migration finish", 0);
	if (!strcmp(sub, "confirm"))
		return mig_by_id(argc, argv, FTMIGRATE_CMD_MIGRATION_CONFIRM,
				 "migration confirm", 0);
	if (!strcmp(sub, "set"))
		return mig_by_id(argc, argv, FTMIGRATE_CMD_MIGRATION_SET,
				 "migration set", MOPT_SET);
	return usage_error("unknown migration subcommand '%s'", sub);
}
