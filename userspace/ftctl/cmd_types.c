// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl types: the registered migration types (CMD_TYPE_GET dump).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "ftctl.h"
#include "nl.h"
#include "print.h"

/* enum ftmigrate_type_flags, bit by bit. */
static const char *const type_flag_names[] = {
	"shared-storage",	/* FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE */
	"disk-copy",		/* FTMIGRATE_TYPE_FLAGS_DISK_COPY */
	"source-resumes",	/* FTMIGRATE_TYPE_FLAGS_SOURCE_RESUMES */
	"dest-waits-failover",	/* FTMIGRATE_TYPE_FLAGS_DEST_WAITS_FAILOVER */
};
#define NTYPE_FLAGS	(sizeof(type_flag_names) / sizeof(type_flag_names[0]))

#define MAX_TYPES	64

struct type {
	uint32_t id;
	uint32_t flags;
	char name[FTM_TYPE_NAME_LEN];
	char ops[FTM_TYPE_NAME_LEN];
};

struct types {
	struct type t[MAX_TYPES];
	size_t n;
};

static int type_str(const struct nlattr *attr, char *out, size_t len)
{
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_get_payload_len(attr) > len)
		return -1;
	snprintf(out, len, "%s", mnl_attr_get_str(attr));
	return 0;
}

enum {
	HAVE_ID = 1, HAVE_NAME = 2, HAVE_OPS = 4, HAVE_FLAGS = 8,
	HAVE_ALL = 15,
};

struct type_parse {
	struct type *t;
	unsigned int have;
};

static int type_attr_cb(const struct nlattr *attr, void *data)
{
	struct type_parse *p = data;

	switch (mnl_attr_get_type(attr)) {
	case FTMIGRATE_A_TYPE_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			goto bad;
		p->t->id = mnl_attr_get_u32(attr);
		p->have |= HAVE_ID;
		break;
	case FTMIGRATE_A_TYPE_NAME:
		if (type_str(attr, p->t->name, sizeof(p->t->name)))
			goto bad;
		p->have |= HAVE_NAME;
		break;
	case FTMIGRATE_A_TYPE_OPS:
		if (type_str(attr, p->t->ops, sizeof(p->t->ops)))
			goto bad;
		p->have |= HAVE_OPS;
		break;
	case FTMIGRATE_A_TYPE_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			goto bad;
		p->t->flags = mnl_attr_get_u32(attr);
		p->have |= HAVE_FLAGS;
		break;
	}
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int type_cb(const struct nlmsghdr *nlh, void *data)
{
	struct types *types = data;
	struct type_parse p;

	if (types->n >= MAX_TYPES) {
		errno = E2BIG;
		return MNL_CB_ERROR;
	}
	p.t = &types->t[types->n];
	p.have = 0;
	memset(p.t, 0, sizeof(*p.t));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), type_attr_cb, &p) < 0 ||
	    p.have != HAVE_ALL) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	types->n++;
	return MNL_CB_OK;
}

static void print_types_json(const struct types *types)
{
	size_t i;

	putchar('[');
	for (i = 0; i < types->n; i++) {
		const struct type *t = &types->t[i];

		printf("%s{\"id\":%" PRIu32 ",\"name\":", i ? "," : "", t->id);
		json_string(t->name);
		fputs(",\"ops\":", stdout);
		json_string(t->ops);
		fputs(",\"flags\":", stdout);
		print_flags(t->flags, type_flag_names, NTYPE_FLAGS, NULL, true);
		putchar('}');
	}
	puts("]");
}

static void print_types_text(const struct types *types)
{
	char name[4 * FTM_TYPE_NAME_LEN + 3], ops[4 * FTM_TYPE_NAME_LEN + 3];
	size_t i;

	printf("%-3s %-8s %-8s %s\n", "ID", "NAME", "OPS", "FLAGS");
	for (i = 0; i < types->n; i++) {
		const struct type *t = &types->t[i];

		printf("%-3" PRIu32 " %-8s %-8s ", t->id,
		       fmt_word(name, sizeof(name), t->name),
		       fmt_word(ops, sizeof(ops), t->ops));
		print_flags(t->flags, type_flag_names, NTYPE_FLAGS, "-", false);
		putchar('\n');
	}
}

int cmd_types(int argc, char **argv)
{
	static struct types types;
	struct ftnl nl;
	int err;

	if (argc > 1)
		return usage_error("types: unexpected argument '%s'", argv[1]);
	err = ftnl_connect(&nl, "types");
	if (err)
		return err;
	err = ftnl_request(&nl, FTMIGRATE_CMD_TYPE_GET, true, NULL, NULL,
			   type_cb, &types);
	if (err) {
		err = ftnl_fail(&nl, err, "types");
		ftnl_close(&nl);
		return err;
	}
	ftnl_close(&nl);

	if (opt_json)
		print_types_json(&types);
	else
		print_types_text(&types);
	return EXIT_OK;
}
