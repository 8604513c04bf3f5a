// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl vm list | vm show ID: VM objects of this host (CMD_VM_GET).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftctl.h"
#include "nl.h"

static int vm_list(void)
{
	struct ftvm *vms = NULL;
	struct ftnl nl;
	size_t i, n;
	int err;

	err = ftnl_connect(&nl, "vm list");
	if (err)
		return err;
	err = ftvm_dump(&nl, &vms, &n);
	if (err) {
		err = ftnl_fail(&nl, err, "vm list");
		goto out;
	}
	if (opt_json) {
		putchar('[');
		for (i = 0; i < n; i++) {
			if (i)
				putchar(',');
			ftvm_print_json(&vms[i]);
		}
		puts("]");
	} else {
		ftvm_print_table(vms, n);
	}
out:
	ftnl_close(&nl);
	free(vms);
	return err;
}

struct vm_show {
	struct ftvm vm;
	bool found;
};

static int vm_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vm_show *s = data;

	if (ftvm_parse_msg(nlh, &s->vm) < 0)
		return MNL_CB_ERROR;
	s->found = true;
	return MNL_CB_OK;
}

static void vm_put_id(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_u32(nlh, FTMIGRATE_A_VM_ID, *(uint32_t *)arg);
}

static int vm_show(const char *arg)
{
	struct vm_show s = { 0 };
	struct ftnl nl;
	uint64_t v;
	uint32_t id;
	int err;

	if (parse_uint(arg, 1, UINT32_MAX, &v))
		return usage_error("vm show: bad VM id '%s' (a positive integer)",
				   arg);
	id = (uint32_t)v;
	err = ftnl_connect(&nl, "vm show");
	if (err)
		return err;
	err = ftnl_request(&nl, FTMIGRATE_CMD_VM_GET, false, vm_put_id, &id,
			   vm_show_cb, &s);
	if (err == -ENOENT) {
		fprintf(stderr, "ftctl: no VM %" PRIu32 " on this host\n", id);
		err = EXIT_FAIL;
		goto out;
	}
	if (!err && !s.found)
		err = -EBADMSG;
	if (err) {
		err = ftnl_fail(&nl, err, "vm show");
		goto out;
	}
	if (opt_json) {
		ftvm_print_json(&s.vm);
		putchar('\n');
	} else {
		ftvm_print_kv(&s.vm);
	}
out:
	ftnl_close(&nl);
	return err;
}

int cmd_vm(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("vm needs a subcommand: list or show ID");
	if (!strcmp(argv[1], "list")) {
		if (argc > 2)
			return usage_error("vm list: unexpected argument '%s'", argv[2]);
		return vm_list();
	}
	if (!strcmp(argv[1], "show")) {
		if (argc != 3)
			return usage_error("vm show takes one argument, a VM id");
		return vm_show(argv[2]);
	}
	return usage_error("unknown vm subcommand '%s'", argv[1]);
}
