// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl ft enable | status | failover: fault-tolerance pairs.
 *
 * ft enable VM clones VM to another host with an FT or FTCpt migration,
 * run and followed as migrate runs a VMotion (cmd_migrate.c): VM keeps
 * running here as the primary, its copy waits there, stopped, as the
 * secondary, and the pair's id is the migration's.  ft status lists the
 * VMs of this host that are in a pair (CMD_VM_GET); ft failover makes this
 * host's copy of a pair the one that runs, if it wins the pair's fence
 * (CMD_FT_FAILOVER).
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

/* The spec's names of set "ft", for the kernel's errors. */
static const char *const ft_attr_names[FTMIGRATE_A_FT_MAX + 1] = {
	[FTMIGRATE_A_FT_PAIR_ID]	= "pair-id",
	[FTMIGRATE_A_FT_VM_ID]		= "vm-id",
	[FTMIGRATE_A_FT_FT_STATE]	= "ft-state",
	[FTMIGRATE_A_FT_PAD]		= "pad",
};

/* -j or --json after the subcommand, as before it. */
static bool json_arg(const char *arg)
{
	if (strcmp(arg, "-j") && strcmp(arg, "--json"))
		return false;
	opt_json = true;
	return true;
}

/* --- ft enable -------------------------------------------------------------- */

/* --type and --fence, the options ft enable adds to migrate's. */
static int ft_enable_opt(int argc, char **argv, int *i, struct migrate *mg,
			 int *status)
{
	bool missing = false;
	const char *val;
	uint32_t type;

	if ((val = opt_value(argc, argv, i, "--type", &missing))) {
		if (ftmig_type_parse(val, &type) ||
		    type == FTMIGRATE_TYPE_ID_VMOTION) {
			*status = usage_error("%s: bad --type '%s' (ft or ftcpt)",
					      mg->what, val);
			return -1;
		}
		mg->type = type;
	} else if ((val = opt_value(argc, argv, i, "--fence", &missing))) {
		*status = check_fence(mg->what, val);
		if (*status)
			return -1;
		mg->fence = val;
	} else if (missing) {
		*status = usage_error("%s: %s needs a value", mg->what, argv[*i]);
		return -1;
	} else {
		return 0;
	}
	return 1;
}

static int ft_enable(int argc, char **argv)
{
	struct migrate mg = {
		.what = "ft enable",
		.to_opt = MOPT_SECONDARY,
		/* Not a type of ft enable: left as is, no --type was given. */
		.type = FTMIGRATE_TYPE_ID_VMOTION,
		.pair = true,
		.opt = ft_enable_opt,
	};
	int err;

	err = migrate_parse(argc, argv, 2, &mg);
	if (err)
		return err;
	if (mg.type == FTMIGRATE_TYPE_ID_VMOTION)
		return usage_error("%s: --type ft|ftcpt is required", mg.what);
	if (!mg.fence)
		return usage_error("%s: --fence PATH is required (an absolute path on storage both hosts see)",
				   mg.what);
	return migrate_run(&mg);
}

/* --- ft status -------------------------------------------------------------- */

static void ft_status_json(const struct ftvm *vms, size_t n)
{
	char buf[24];
	bool first = true;
	size_t i;

	putchar('[');
	for (i = 0; i < n; i++) {
		const struct ftvm *vm = &vms[i];

		if (!ftvm_in_pair(vm))
			continue;
		printf("%s{\"id\":%" PRIu32, first ? "" : ",", vm->id);
		first = false;
		if (vm->have & FTVM_HAVE_NAME) {
			fputs(",\"name\":", stdout);
			json_string(vm->name);
		}
		printf(",\"role\":\"%s\"",
		       ftvm_ft_role_name(vm->ft_role, buf, sizeof(buf)));
		if (vm->have & FTVM_HAVE_FT_STATE)
			printf(",\"state\":\"%s\"",
			       ftvm_ft_state_name(vm->ft_state, buf, sizeof(buf)));
		if (vm->have & FTVM_HAVE_PAIR_ID)
			printf(",\"pair\":%" PRIu64, vm->pair_id);
		if (vm->have & FTVM_HAVE_FENCE) {
			fputs(",\"fence\":", stdout);
			json_string(vm->fence);
		}
		putchar('}');
	}
	puts("]");
}

/* A table of the VMs in a pair; nothing at all if there is none. */
static void ft_status_table(const struct ftvm *vms, size_t n)
{
	static char name[4 * FTM_NAME_LEN + 3], fence[4 * FTM_FENCE_MAX + 3];
	char role[24], state[24], pair[24];
	int wname = 4, wpair = 4;	/* strlen("NAME"), strlen("PAIR") */
	size_t i, paired = 0;

	for (i = 0; i < n; i++) {
		int len;

		if (!ftvm_in_pair(&vms[i]))
			continue;
		paired++;
		if (vms[i].have & FTVM_HAVE_NAME) {
			len = (int)strlen(fmt_word(name, sizeof(name), vms[i].name));
			if (len > wname)
				wname = len;
		}
		len = snprintf(NULL, 0, "%" PRIu64, vms[i].pair_id);
		if (len > wpair)
			wpair = len;
	}
	if (!paired)
		return;
	printf("%-5s %-*s %-9s %-10s %-*s %s\n", "ID", wname, "NAME", "ROLE",
	       "STATE", wpair, "PAIR", "FENCE");
	for (i = 0; i < n; i++) {
		const struct ftvm *vm = &vms[i];

		if (!ftvm_in_pair(vm))
			continue;
		if (vm->have & FTVM_HAVE_PAIR_ID)
			snprintf(pair, sizeof(pair), "%" PRIu64, vm->pair_id);
		else
			snprintf(pair, sizeof(pair), "-");
		printf("%-5" PRIu32 " %-*s %-9s %-10s %-*s %s\n", vm->id, wname,
		       vm->have & FTVM_HAVE_NAME ?
				fmt_word(name, sizeof(name), vm->name) : "-",
		       ftvm_ft_role_name(vm->ft_role, role, sizeof(role)),
		       vm->have & FTVM_HAVE_FT_STATE ?
				ftvm_ft_state_name(vm->ft_state, state, sizeof(state)) : "-",
		       wpair, pair,
		       vm->have & FTVM_HAVE_FENCE ?
				fmt_word(fence, sizeof(fence), vm->fence) : "-");
	}
}

static int ft_status(int argc, char **argv)
{
	const char *what = "ft status";
	struct ftvm *vms = NULL;
	struct ftnl nl;
	size_t n;
	int err, i;

	for (i = 2; i < argc; i++)
		if (!json_arg(argv[i]))
			return usage_error("%s: unexpected argument '%s'", what,
					   argv[i]);
	err = ftnl_connect(&nl, what);
	if (err)
		return err;
	err = ftvm_dump(&nl, &vms, &n);
	if (err) {
		err = ftnl_fail(&nl, err, what);
		goto out;
	}
	if (opt_json)
		ft_status_json(vms, n);
	else
		ft_status_table(vms, n);
out:
	ftnl_close(&nl);
	free(vms);
	return err;
}

/* --- ft failover PAIR ------------------------------------------------------ */

struct ft_reply {
	uint64_t pair_id;
	uint32_t vm_id;
	uint32_t ft_state;
	bool have_pair, have_vm, have_state;
};

static int ft_reply_attr_cb(const struct nlattr *attr, void *data)
{
	struct ft_reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case FTMIGRATE_A_FT_PAIR_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			goto bad;
		r->pair_id = mnl_attr_get_u64(attr);
		r->have_pair = true;
		break;
	case FTMIGRATE_A_FT_VM_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			goto bad;
		r->vm_id = mnl_attr_get_u32(attr);
		r->have_vm = true;
		break;
	case FTMIGRATE_A_FT_FT_STATE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			goto bad;
		r->ft_state = mnl_attr_get_u32(attr);
		r->have_state = true;
		break;
	}
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int ft_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ft_reply_attr_cb,
			   data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void ft_put_pair(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_u64(nlh, FTMIGRATE_A_FT_PAIR_ID, *(uint64_t *)arg);
}

/*
 * Prints the reply, "pair N: VM ID is STATE"; exit 0 if this host's copy
 * is now live, 1 if it is not (it lost the fence) or on any error.
 */
static int ft_failover(int argc, char **argv)
{
	const char *what = "ft failover";
	struct ft_reply r = { 0 };
	const char *arg = NULL, *name;
	char state[24];
	struct ftnl nl;
	uint64_t pair;
	int err, i;

	for (i = 2; i < argc; i++) {
		if (json_arg(argv[i]))
			continue;
		if (arg)
			return usage_error("%s: unexpected argument '%s'", what,
					   argv[i]);
		arg = argv[i];
	}
	if (!arg)
		return usage_error("%s: which pair? (its id: ftctl ft status)", what);
	if (parse_uint(arg, 1, UINT64_MAX, &pair))
		return usage_error("%s: bad pair id '%s' (a positive integer)",
				   what, arg);
	err = ftnl_connect(&nl, what);
	if (err)
		return err;
	nl.attr_names = ft_attr_names;
	nl.nattr_names = FTMIGRATE_A_FT_MAX + 1;
	err = ftnl_request(&nl, FTMIGRATE_CMD_FT_FAILOVER, false, ft_put_pair,
			   &pair, ft_reply_cb, &r);
	if (err == -ENOENT && !nl.extack[0]) {
		fprintf(stderr, "ftctl: %s: no pair %" PRIu64 " on this host\n",
			what, pair);
		err = EXIT_FAIL;
		goto out;
	}
	if (!err && (!r.have_vm || !r.have_state ||
		     (r.have_pair && r.pair_id != pair)))
		err = -EBADMSG;
	if (err) {
		err = ftnl_fail(&nl, err, what);
		goto out;
	}
	name = ftvm_ft_state_name(r.ft_state, state, sizeof(state));
	if (opt_json)
		printf("{\"pair\":%" PRIu64 ",\"vm_id\":%" PRIu32 ",\"state\":\"%s\"}\n",
		       pair, r.vm_id, name);
	else
		printf("pair %" PRIu64 ": VM %" PRIu32 " is %s\n", pair, r.vm_id,
		       name);
	err = r.ft_state == FTMIGRATE_FT_STATE_LIVE ? EXIT_OK : EXIT_FAIL;
out:
	ftnl_close(&nl);
	return err;
}

int cmd_ft(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return usage_error("ft needs a subcommand: enable, status or failover");
	if (!strcmp(sub, "enable"))
		return ft_enable(argc, argv);
	if (!strcmp(sub, "status"))
		return ft_status(argc, argv);
	if (!strcmp(sub, "failover"))
		return ft_failover(argc, argv);
	return usage_error("unknown ft subcommand '%s'", sub);
}
