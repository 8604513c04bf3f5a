// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: VM records (attribute set "vm"), as the kernel sends them at the
 * top level of VM_GET replies and nested under FTMIGRATE_A_EVENT_VM in
 * events, and their text and JSON forms.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "ftctl.h"
#include "nl.h"
#include "print.h"

static int ftvm_fail(void)
{
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int ftvm_get_u32(const struct nlattr *attr, uint32_t *val)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return -1;
	*val = mnl_attr_get_u32(attr);
	return 0;
}

static int ftvm_get_bin(const struct nlattr *attr, void *out, size_t len)
{
	if (mnl_attr_get_payload_len(attr) != len)
		return -1;
	memcpy(out, mnl_attr_get_payload(attr), len);
	return 0;
}

int ftvm_attr_cb(const struct nlattr *attr, void *data)
{
	struct ftvm *vm = data;
	const char *name;

	switch (mnl_attr_get_type(attr)) {
	case FTMIGRATE_A_VM_ID:
		if (ftvm_get_u32(attr, &vm->id))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_ID;
		break;
	case FTMIGRATE_A_VM_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return ftvm_fail();
		name = mnl_attr_get_str(attr);
		if (strlen(name) >= sizeof(vm->name))
			return ftvm_fail();
		strcpy(vm->name, name);
		vm->have |= FTVM_HAVE_NAME;
		break;
	case FTMIGRATE_A_VM_UUID:
		if (ftvm_get_bin(attr, vm->uuid, sizeof(vm->uuid)))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_UUID;
		break;
	case FTMIGRATE_A_VM_STATE:
		if (ftvm_get_u32(attr, &vm->state))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_STATE;
		break;
	case FTMIGRATE_A_VM_OWNER_PID:
		if (ftvm_get_u32(attr, &vm->owner_pid))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_OWNER_PID;
		break;
	case FTMIGRATE_A_VM_CONFIG_LEN:
		if (ftvm_get_u32(attr, &vm->config_len))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_CONFIG_LEN;
		break;
	case FTMIGRATE_A_VM_CONFIG_SHA256:
		if (ftvm_get_bin(attr, vm->config_sha256,
				 sizeof(vm->config_sha256)))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_CONFIG_SHA256;
		break;
	case FTMIGRATE_A_VM_CREATED_NS:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return ftvm_fail();
		vm->created_ns = mnl_attr_get_u64(attr);
		vm->have |= FTVM_HAVE_CREATED_NS;
		break;
	case FTMIGRATE_A_VM_FT_ROLE:
		if (ftvm_get_u32(attr, &vm->ft_role))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_FT_ROLE;
		break;
	case FTMIGRATE_A_VM_FT_STATE:
		if (ftvm_get_u32(attr, &vm->ft_state))
			return ftvm_fail();
		vm->have |= FTVM_HAVE_FT_STATE;
		break;
	case FTMIGRATE_A_VM_PAIR_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return ftvm_fail();
		vm->pair_id = mnl_attr_get_u64(attr);
		vm->have |= FTVM_HAVE_PAIR_ID;
		break;
	case FTMIGRATE_A_VM_FENCE:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return ftvm_fail();
		name = mnl_attr_get_str(attr);
		if (strlen(name) >= sizeof(vm->fence))
			return ftvm_fail();
		strcpy(vm->fence, name);
		vm->have |= FTVM_HAVE_FENCE;
		break;
	default:
		/* FTMIGRATE_A_VM_PAD, and attributes newer than this ftctl. */
		break;
	}
	return MNL_CB_OK;
}

/* A VM without an id is no VM: every other attribute is optional. */
static int ftvm_check(const struct ftvm *vm)
{
	if (!(vm->have & FTVM_HAVE_ID)) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int ftvm_parse_nested(const struct nlattr *nest, struct ftvm *vm)
{
	memset(vm, 0, sizeof(*vm));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, ftvm_attr_cb, vm) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return ftvm_check(vm);
}

int ftvm_parse_msg(const struct nlmsghdr *nlh, struct ftvm *vm)
{
	memset(vm, 0, sizeof(*vm));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ftvm_attr_cb, vm) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return ftvm_check(vm);
}

const char *ftvm_state_name(uint32_t state, char *buf, size_t len)
{
	switch (state) {
	case FTMIGRATE_VM_STATE_CREATED:
		return "created";
	case FTMIGRATE_VM_STATE_DESTROYED:
		return "destroyed";
	}
	snprintf(buf, len, "state-%" PRIu32, state);
	return buf;
}

const char *ftvm_ft_role_name(uint32_t role, char *buf, size_t len)
{
	switch (role) {
	case FTMIGRATE_FT_ROLE_NONE:
		return "none";
	case FTMIGRATE_FT_ROLE_PRIMARY:
		return "primary";
	case FTMIGRATE_FT_ROLE_SECONDARY:
		return "secondary";
	}
	snprintf(buf, len, "role-%" PRIu32, role);
	return buf;
}

const char *ftvm_ft_state_name(uint32_t state, char *buf, size_t len)
{
	switch (state) {
	case FTMIGRATE_FT_STATE_NONE:
		return "none";
	case FTMIGRATE_FT_STATE_PROTECTED:
		return "protected";
	case FTMIGRATE_FT_STATE_WAITING:
		return "waiting";
	case FTMIGRATE_FT_STATE_LIVE:
		return "live";
	case FTMIGRATE_FT_STATE_FENCED_OUT:
		return "fenced-out";
	}
	snprintf(buf, len, "state-%" PRIu32, state);
	return buf;
}

bool ftvm_in_pair(const struct ftvm *vm)
{
	return (vm->have & FTVM_HAVE_FT_ROLE) &&
	       vm->ft_role != FTMIGRATE_FT_ROLE_NONE;
}

/* ",\"ft_role\":...": the FT members @vm has. */
static void ftvm_print_json_ft_members(const struct ftvm *vm)
{
	char buf[24];

	if (vm->have & FTVM_HAVE_FT_ROLE)
		printf(",\"ft_role\":\"%s\"",
		       ftvm_ft_role_name(vm->ft_role, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_FT_STATE)
		printf(",\"ft_state\":\"%s\"",
		       ftvm_ft_state_name(vm->ft_state, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_PAIR_ID)
		printf(",\"pair_id\":%" PRIu64, vm->pair_id);
	if (vm->have & FTVM_HAVE_FENCE) {
		fputs(",\"fence\":", stdout);
		json_string(vm->fence);
	}
}

static void ftvm_json(const struct ftvm *vm, bool ft)
{
	char buf[2 * FTM_SHA256_LEN + 1];

	printf("{\"id\":%" PRIu32, vm->id);
	if (vm->have & FTVM_HAVE_NAME) {
		fputs(",\"name\":", stdout);
		json_string(vm->name);
	}
	if (vm->have & FTVM_HAVE_UUID)
		printf(",\"uuid\":\"%s\"", fmt_uuid(buf, vm->uuid));
	if (vm->have & FTVM_HAVE_STATE)
		printf(",\"state\":\"%s\"",
		       ftvm_state_name(vm->state, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_OWNER_PID)
		printf(",\"owner_pid\":%" PRIu32, vm->owner_pid);
	if (vm->have & FTVM_HAVE_CONFIG_LEN)
		printf(",\"config_len\":%" PRIu32, vm->config_len);
	if (vm->have & FTVM_HAVE_CONFIG_SHA256)
		printf(",\"config_sha256\":\"%s\"",
		       fmt_hex(buf, vm->config_sha256, FTM_SHA256_LEN));
	if (vm->have & FTVM_HAVE_CREATED_NS)
		printf(",\"created_ns\":%" PRIu64, vm->created_ns);
	if (ft)
		ftvm_print_json_ft_members(vm);
	putchar('}');
}

void ftvm_print_json(const struct ftvm *vm)
{
	ftvm_json(vm, ftvm_in_pair(vm));
}

void ftvm_print_json_ft(const struct ftvm *vm)
{
	ftvm_json(vm, true);
}

void ftvm_print_ft_words(const struct ftvm *vm)
{
	char buf[24];

	if (vm->have & FTVM_HAVE_FT_ROLE)
		printf(" ft_role=%s", ftvm_ft_role_name(vm->ft_role, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_FT_STATE)
		printf(" ft_state=%s",
		       ftvm_ft_state_name(vm->ft_state, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_PAIR_ID)
		printf(" pair_id=%" PRIu64, vm->pair_id);
}

void ftvm_print_kv(const struct ftvm *vm)
{
	char buf[2 * FTM_SHA256_LEN + 1];
	char tbuf[TIME_STR_LEN];

	printf("id: %" PRIu32 "\n", vm->id);
	if (vm->have & FTVM_HAVE_NAME) {
		fputs("name: ", stdout);
		text_word(vm->name);
		putchar('\n');
	}
	if (vm->have & FTVM_HAVE_UUID)
		printf("uuid: %s\n", fmt_uuid(buf, vm->uuid));
	if (vm->have & FTVM_HAVE_STATE)
		printf("state: %s\n", ftvm_state_name(vm->state, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_OWNER_PID)
		printf("owner_pid: %" PRIu32 "\n", vm->owner_pid);
	if (vm->have & FTVM_HAVE_CONFIG_LEN)
		printf("config_len: %" PRIu32 "\n", vm->config_len);
	if (vm->have & FTVM_HAVE_CONFIG_SHA256)
		printf("config_sha256: %s\n",
		       fmt_hex(buf, vm->config_sha256, FTM_SHA256_LEN));
	if (vm->have & FTVM_HAVE_CREATED_NS)
		printf("created: %s\ncreated_ns: %" PRIu64 "\n",
		       fmt_time(tbuf, vm->created_ns), vm->created_ns);
	if (!ftvm_in_pair(vm))
		return;
	printf("ft_role: %s\n", ftvm_ft_role_name(vm->ft_role, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_FT_STATE)
		printf("ft_state: %s\n",
		       ftvm_ft_state_name(vm->ft_state, buf, sizeof(buf)));
	if (vm->have & FTVM_HAVE_PAIR_ID)
		printf("pair_id: %" PRIu64 "\n", vm->pair_id);
	if (vm->have & FTVM_HAVE_FENCE) {
		fputs("fence: ", stdout);
		text_word(vm->fence);
		putchar('\n');
	}
}

void ftvm_print_table(const struct ftvm *vms, size_t n)
{
	char name[4 * FTM_NAME_LEN + 3];
	char uuid[UUID_STR_LEN];
	char hex[2 * FTM_SHA256_LEN + 1];
	char state[24];
	int w = 4;	/* strlen("NAME") */
	size_t i;

	for (i = 0; i < n; i++) {
		int len = (int)strlen(fmt_word(name, sizeof(name), vms[i].name));

		if (len > w)
			w = len;
	}
	printf("%-5s %-*s %-36s %-9s %-7s %s\n", "ID", w, "NAME", "UUID", "STATE",
	       "PID", "CONFIG");
	for (i = 0; i < n; i++) {
		const struct ftvm *vm = &vms[i];

		printf("%-5" PRIu32 " %-*s %-36s %-9s ", vm->id, w,
		       vm->have & FTVM_HAVE_NAME ?
				fmt_word(name, sizeof(name), vm->name) : "-",
		       vm->have & FTVM_HAVE_UUID ? fmt_uuid(uuid, vm->uuid) : "-",
		       vm->have & FTVM_HAVE_STATE ?
				ftvm_state_name(vm->state, state, sizeof(state)) : "-");
		if (vm->have & FTVM_HAVE_OWNER_PID)
			printf("%-7" PRIu32 " ", vm->owner_pid);
		else
			printf("%-7s ", "-");
		if (vm->have & FTVM_HAVE_CONFIG_LEN)
			printf("%" PRIu32 "B", vm->config_len);
		else
			putchar('-');
		if (vm->have & FTVM_HAVE_CONFIG_SHA256)
			printf(" sha256:%.16s", fmt_hex(hex, vm->config_sha256,
							FTM_SHA256_LEN));
		/* A VM in a pair says so after its columns. */
		if (ftvm_in_pair(vm))
			ftvm_print_ft_words(vm);
		putchar('\n');
	}
}

/* --- every VM ------------------------------------------------------------- */

struct ftvm_list {
	struct ftvm *vms;
	size_t n, cap;
};

static int ftvm_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ftvm_list *l = data;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct ftvm *vms = realloc(l->vms, cap * sizeof(*vms));

		if (!vms)
			return MNL_CB_ERROR;	/* errno is ENOMEM */
		l->vms = vms;
		l->cap = cap;
	}
	if (ftvm_parse_msg(nlh, &l->vms[l->n]) < 0)
		return MNL_CB_ERROR;
	l->n++;
	return MNL_CB_OK;
}

int ftvm_dump(struct ftnl *nl, struct ftvm **vms, size_t *n)
{
	struct ftvm_list l = { 0 };
	int err;

	err = ftnl_request(nl, FTMIGRATE_CMD_VM_GET, true, NULL, NULL,
			   ftvm_list_cb, &l);
	if (err) {
		free(l.vms);
		return err;
	}
	*vms = l.vms;
	*n = l.n;
	return 0;
}

/* --- lookup by id or name ------------------------------------------------- */

struct ftvm_lookup {
	const char *arg;
	uint64_t num;			/* @arg as a number, 0 if it is not one */
	uint32_t by_id, by_name;	/* matches, 0 for none */
	unsigned int names;		/* how many VMs have that name */
};

static int ftvm_lookup_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ftvm_lookup *l = data;
	struct ftvm vm;

	if (ftvm_parse_msg(nlh, &vm) < 0)
		return MNL_CB_ERROR;
	if (l->num && vm.id == l->num)
		l->by_id = vm.id;
	if ((vm.have & FTVM_HAVE_NAME) && !strcmp(vm.name, l->arg)) {
		l->by_name = vm.id;
		l->names++;
	}
	return MNL_CB_OK;
}

int ftvm_lookup(struct ftnl *nl, const char *what, const char *arg,
		uint32_t *id)
{
	struct ftvm_lookup l = { .arg = arg };
	char buf[TEXT_WORD_MAX];
	int err;

	if (parse_uint(arg, 1, UINT32_MAX, &l.num))
		l.num = 0;
	err = ftnl_request(nl, FTMIGRATE_CMD_VM_GET, true, NULL, NULL,
			   ftvm_lookup_cb, &l);
	if (err)
		return ftnl_fail(nl, err, what);
	if (l.by_id) {
		*id = l.by_id;		/* an id wins over a name */
		return 0;
	}
	if (l.names == 1) {
		*id = l.by_name;
		return 0;
	}
	fmt_word(buf, sizeof(buf), arg);
	if (l.names > 1)
		fprintf(stderr, "ftctl: %s: %u VMs are named %s on this host; give its id (ftctl vm list)\n",
			what, l.names, buf);
	else
		fprintf(stderr, "ftctl: %s: no VM with id or name %s on this host\n",
			what, buf);
	return EXIT_FAIL;
}
