// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: migration records (attribute set "migration"), as the kernel sends
 * them at the top level of MIGRATION_GET replies and nested under
 * FTMIGRATE_A_EVENT_MIGRATION in events, and their text and JSON forms.
 *
 * One table describes every attribute ftctl reports: its number, its name
 * (the spec's, with '_' for '-', like the rest of ftctl's output) and how
 * to read and show it.  Numbers are kept by attribute number in one array.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "ftctl.h"
#include "print.h"

/* The spec's attribute names by number, for the kernel's errors. */
const char *const ftmig_attr_names[FTMIGRATE_A_MIGRATION_MAX + 1] = {
	[FTMIGRATE_A_MIGRATION_ID]			= "id",
	[FTMIGRATE_A_MIGRATION_TYPE]			= "type",
	[FTMIGRATE_A_MIGRATION_VM_ID]			= "vm-id",
	[FTMIGRATE_A_MIGRATION_PAD]			= "pad",
	[FTMIGRATE_A_MIGRATION_ROLE]			= "role",
	[FTMIGRATE_A_MIGRATION_STATE]			= "state",
	[FTMIGRATE_A_MIGRATION_ERROR]			= "error",
	[FTMIGRATE_A_MIGRATION_ERROR_MSG]		= "error-msg",
	[FTMIGRATE_A_MIGRATION_SECRET]			= "secret",
	[FTMIGRATE_A_MIGRATION_COOKIE]			= "cookie",
	[FTMIGRATE_A_MIGRATION_PEER_ADDR]		= "peer-addr",
	[FTMIGRATE_A_MIGRATION_PEER_PORT]		= "peer-port",
	[FTMIGRATE_A_MIGRATION_P2P]			= "p2p",
	[FTMIGRATE_A_MIGRATION_DOWNTIME_MS]		= "downtime-ms",
	[FTMIGRATE_A_MIGRATION_MAX_BANDWIDTH]		= "max-bandwidth",
	[FTMIGRATE_A_MIGRATION_STREAMS]			= "streams",
	[FTMIGRATE_A_MIGRATION_TIMEOUT_MS]		= "timeout-ms",
	[FTMIGRATE_A_MIGRATION_THROTTLE_STEP]		= "throttle-step",
	[FTMIGRATE_A_MIGRATION_ROUND]			= "round",
	[FTMIGRATE_A_MIGRATION_BYTES_SENT]		= "bytes-sent",
	[FTMIGRATE_A_MIGRATION_BYTES_LEFT]		= "bytes-left",
	[FTMIGRATE_A_MIGRATION_PAGES_SENT]		= "pages-sent",
	[FTMIGRATE_A_MIGRATION_ZERO_PAGES]		= "zero-pages",
	[FTMIGRATE_A_MIGRATION_DIRTY_RATE]		= "dirty-rate",
	[FTMIGRATE_A_MIGRATION_BANDWIDTH]		= "bandwidth",
	[FTMIGRATE_A_MIGRATION_EXPECTED_DOWNTIME_MS]	= "expected-downtime-ms",
	[FTMIGRATE_A_MIGRATION_THROTTLE]		= "throttle",
	[FTMIGRATE_A_MIGRATION_TOTAL_MS]		= "total-ms",
	[FTMIGRATE_A_MIGRATION_DOWNTIME_MS_MEASURED]	= "downtime-ms-measured",
	[FTMIGRATE_A_MIGRATION_FENCE]			= "fence",
};

static const char *const type_names[] = { "vmotion", "ft", "ftcpt" };
static const char *const role_names[] = { "source", "destination" };
static const char *const state_names[] = {
	"begun", "prepared", "connecting", "authenticating", "precopy",
	"stunned", "handover", "completed", "failed", "cancelled",
};
static const char *const error_names[] = {
	"none", "peer-lost", "auth-failed", "protocol", "timeout",
	"dest-refused", "vm-lost", "connect-failed", "local",
	"config-mismatch", "storage-not-shared",
};

#define NAMES(a)	a, sizeof(a) / sizeof(a[0])

static const char *enum_name(const char *const *names, size_t n,
			     const char *what, uint64_t v, char *buf, size_t len)
{
	if (v < n)
		return names[v];
	snprintf(buf, len, "%s-%" PRIu64, what, v);
	return buf;
}

const char *ftmig_type_name(uint32_t v, char *buf, size_t len)
{
	return enum_name(NAMES(type_names), "type", v, buf, len);
}

const char *ftmig_state_name(uint32_t v, char *buf, size_t len)
{
	return enum_name(NAMES(state_names), "state", v, buf, len);
}

const char *ftmig_error_name(uint32_t v, char *buf, size_t len)
{
	return enum_name(NAMES(error_names), "error", v, buf, len);
}

int ftmig_type_parse(const char *s, uint32_t *type)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(s, type_names[i])) {
			*type = i;
			return 0;
		}
	return -1;
}

bool ftmig_state_final(uint32_t state)
{
	return state == FTMIGRATE_MIGRATION_STATE_COMPLETED ||
	       state == FTMIGRATE_MIGRATION_STATE_FAILED ||
	       state == FTMIGRATE_MIGRATION_STATE_CANCELLED;
}

enum kind {
	K_U32, K_U64, K_TYPE, K_ROLE, K_STATE, K_ERROR, K_STR, K_ADDR, K_PORT,
	K_FLAG,
};

enum unit { U_NONE, U_BYTES, U_RATE };

static const struct field {
	int attr;
	const char *name;
	enum kind kind;
	enum unit unit;
} fields[] = {
	{ FTMIGRATE_A_MIGRATION_ID,		"id",		K_U64, U_NONE },
	{ FTMIGRATE_A_MIGRATION_TYPE,		"type",		K_TYPE, U_NONE },
	{ FTMIGRATE_A_MIGRATION_VM_ID,		"vm_id",	K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_ROLE,		"role",		K_ROLE, U_NONE },
	{ FTMIGRATE_A_MIGRATION_STATE,		"state",	K_STATE, U_NONE },
	{ FTMIGRATE_A_MIGRATION_ERROR,		"error",	K_ERROR, U_NONE },
	{ FTMIGRATE_A_MIGRATION_ERROR_MSG,	"error_msg",	K_STR, U_NONE },
	{ FTMIGRATE_A_MIGRATION_PEER_ADDR,	"peer_addr",	K_ADDR, U_NONE },
	{ FTMIGRATE_A_MIGRATION_PEER_PORT,	"peer_port",	K_PORT, U_NONE },
	{ FTMIGRATE_A_MIGRATION_P2P,		"p2p",		K_FLAG, U_NONE },
	{ FTMIGRATE_A_MIGRATION_DOWNTIME_MS,	"downtime_ms",	K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_MAX_BANDWIDTH,	"max_bandwidth", K_U64, U_RATE },
	{ FTMIGRATE_A_MIGRATION_STREAMS,	"streams",	K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_TIMEOUT_MS,	"timeout_ms",	K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_THROTTLE_STEP,	"throttle_step", K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_ROUND,		"round",	K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_BYTES_SENT,	"bytes_sent",	K_U64, U_BYTES },
	{ FTMIGRATE_A_MIGRATION_BYTES_LEFT,	"bytes_left",	K_U64, U_BYTES },
	{ FTMIGRATE_A_MIGRATION_PAGES_SENT,	"pages_sent",	K_U64, U_NONE },
	{ FTMIGRATE_A_MIGRATION_ZERO_PAGES,	"zero_pages",	K_U64, U_NONE },
	{ FTMIGRATE_A_MIGRATION_DIRTY_RATE,	"dirty_rate",	K_U64, U_NONE },
	{ FTMIGRATE_A_MIGRATION_BANDWIDTH,	"bandwidth",	K_U64, U_RATE },
	{ FTMIGRATE_A_MIGRATION_EXPECTED_DOWNTIME_MS, "expected_downtime_ms", K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_THROTTLE,	"throttle",	K_U32, U_NONE },
	{ FTMIGRATE_A_MIGRATION_TOTAL_MS,	"total_ms",	K_U64, U_NONE },
	{ FTMIGRATE_A_MIGRATION_DOWNTIME_MS_MEASURED, "downtime_ms_measured", K_U32, U_NONE },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static const struct field *field_of(int attr)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (fields[i].attr == attr)
			return &fields[i];
	return NULL;
}

int ftmig_attr_cb(const struct nlattr *attr, void *data)
{
	struct ftmig *m = data;
	int type = mnl_attr_get_type(attr);
	const struct field *f = field_of(type);
	enum mnl_attr_data_type vt;

	if (!f)
		return MNL_CB_OK;	/* pad, and attributes newer than ftctl */
	switch (f->kind) {
	case K_U64:
		vt = MNL_TYPE_U64;
		break;
	case K_PORT:
		vt = MNL_TYPE_U16;
		break;
	case K_STR:
		vt = MNL_TYPE_NUL_STRING;
		break;
	case K_FLAG:
		vt = MNL_TYPE_FLAG;
		break;
	default:
		vt = MNL_TYPE_U32;
		break;
	}
	if (mnl_attr_validate(attr, vt) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	switch (f->kind) {
	case K_U64:
		m->val[type] = mnl_attr_get_u64(attr);
		break;
	case K_PORT:
		m->val[type] = mnl_attr_get_u16(attr);	/* network order */
		break;
	case K_STR:
		snprintf(m->error_msg, sizeof(m->error_msg), "%s",
			 mnl_attr_get_str(attr));
		break;
	case K_FLAG:
		m->val[type] = 1;
		break;
	default:
		m->val[type] = mnl_attr_get_u32(attr);
		break;
	}
	m->have |= FTMIG_BIT(type);
	return MNL_CB_OK;
}

/* A migration without an id is no migration. */
static int ftmig_check(const struct ftmig *m)
{
	if (!ftmig_has(m, FTMIGRATE_A_MIGRATION_ID)) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int ftmig_parse_nested(const struct nlattr *nest, struct ftmig *m)
{
	memset(m, 0, sizeof(*m));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, ftmig_attr_cb, m) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return ftmig_check(m);
}

int ftmig_parse_msg(const struct nlmsghdr *nlh, struct ftmig *m)
{
	memset(m, 0, sizeof(*m));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ftmig_attr_cb, m) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return ftmig_check(m);
}

void ftmig_merge(struct ftmig *dst, const struct ftmig *src)
{
	int a;

	for (a = 1; a <= FTMIGRATE_A_MIGRATION_MAX; a++)
		if (ftmig_has(src, a))
			dst->val[a] = src->val[a];
	if (ftmig_has(src, FTMIGRATE_A_MIGRATION_ERROR_MSG))
		memcpy(dst->error_msg, src->error_msg, sizeof(dst->error_msg));
	dst->have |= src->have;
}

/* The value of @f as text, no quotes; NULL for the error message. */
static const char *field_text(const struct ftmig *m, const struct field *f,
			      char *buf, size_t len)
{
	uint64_t v = m->val[f->attr];
	struct in_addr in;

	switch (f->kind) {
	case K_TYPE:
		return ftmig_type_name(v, buf, len);
	case K_ROLE:
		return enum_name(NAMES(role_names), "role", v, buf, len);
	case K_STATE:
		return ftmig_state_name(v, buf, len);
	case K_ERROR:
		return ftmig_error_name(v, buf, len);
	case K_ADDR:
		in.s_addr = (uint32_t)v;
		if (!inet_ntop(AF_INET, &in, buf, len))
			snprintf(buf, len, "?");
		return buf;
	case K_PORT:
		snprintf(buf, len, "%u", ntohs((uint16_t)v));
		return buf;
	case K_FLAG:
		return "true";
	case K_STR:
		return NULL;
	default:
		snprintf(buf, len, "%" PRIu64, v);
		return buf;
	}
}

static bool field_quoted(const struct field *f)
{
	return f->kind == K_TYPE || f->kind == K_ROLE || f->kind == K_STATE ||
	       f->kind == K_ERROR || f->kind == K_ADDR;
}

void ftmig_print_json_fields(const struct ftmig *m)
{
	char buf[64];
	bool first = true;
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const char *t;

		if (!ftmig_has(m, f->attr))
			continue;
		printf("%s\"%s\":", first ? "" : ",", f->name);
		first = false;
		t = field_text(m, f, buf, sizeof(buf));
		if (!t)
			json_string(m->error_msg);
		else if (field_quoted(f))
			printf("\"%s\"", t);
		else
			fputs(t, stdout);
	}
}

void ftmig_print_json(const struct ftmig *m)
{
	putchar('{');
	ftmig_print_json_fields(m);
	putchar('}');
}

static void print_unit(const struct ftmig *m, const struct field *f)
{
	char buf[32];

	if (f->unit == U_BYTES)
		printf(" (%s)", fmt_si(buf, sizeof(buf), m->val[f->attr], "B"));
	else if (f->unit == U_RATE && m->val[f->attr])
		printf(" (%s)", fmt_si(buf, sizeof(buf), m->val[f->attr], "B/s"));
}

void ftmig_print_kv(const struct ftmig *m)
{
	char buf[64];
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const char *t;

		if (!ftmig_has(m, f->attr))
			continue;
		printf("%s: ", f->name);
		t = field_text(m, f, buf, sizeof(buf));
		if (t)
			fputs(t, stdout);
		else
			text_word(m->error_msg);
		print_unit(m, f);
		putchar('\n');
	}
}

void ftmig_print_words(const struct ftmig *m)
{
	char buf[64];
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const char *t;

		if (!ftmig_has(m, f->attr))
			continue;
		printf(" %s=", f->name);
		t = field_text(m, f, buf, sizeof(buf));
		if (t)
			fputs(t, stdout);
		else
			text_word(m->error_msg);
	}
}

void ftmig_print_table(const struct ftmig *ms, size_t n)
{
	char type[24], state[24], role[24], err[24], sent[32];
	int w = 2;	/* strlen("ID") */
	size_t i;

	for (i = 0; i < n; i++) {
		int len = snprintf(NULL, 0, "%" PRIu64, ftmig_u(&ms[i],
					FTMIGRATE_A_MIGRATION_ID));

		if (len > w)
			w = len;
	}
	printf("%-*s %-8s %-5s %-11s %-14s %-5s %-10s %s\n", w, "ID", "TYPE",
	       "VM", "ROLE", "STATE", "ROUND", "SENT", "ERROR");
	for (i = 0; i < n; i++) {
		const struct ftmig *m = &ms[i];
		const struct field *f;

		printf("%-*" PRIu64 " ", w, ftmig_u(m, FTMIGRATE_A_MIGRATION_ID));
		f = field_of(FTMIGRATE_A_MIGRATION_TYPE);
		printf("%-8s ", ftmig_has(m, f->attr) ?
		       field_text(m, f, type, sizeof(type)) : "-");
		if (ftmig_has(m, FTMIGRATE_A_MIGRATION_VM_ID))
			printf("%-5" PRIu64 " ",
			       ftmig_u(m, FTMIGRATE_A_MIGRATION_VM_ID));
		else
			printf("%-5s ", "-");
		f = field_of(FTMIGRATE_A_MIGRATION_ROLE);
		printf("%-11s ", ftmig_has(m, f->attr) ?
		       field_text(m, f, role, sizeof(role)) : "-");
		f = field_of(FTMIGRATE_A_MIGRATION_STATE);
		printf("%-14s ", ftmig_has(m, f->attr) ?
		       field_text(m, f, state, sizeof(state)) : "-");
		if (ftmig_has(m, FTMIGRATE_A_MIGRATION_ROUND))
			printf("%-5" PRIu64 " ",
			       ftmig_u(m, FTMIGRATE_A_MIGRATION_ROUND));
		else
			printf("%-5s ", "-");
		printf("%-10s ", ftmig_has(m, FTMIGRATE_A_MIGRATION_BYTES_SENT) ?
		       fmt_si(sent, sizeof(sent),
			      ftmig_u(m, FTMIGRATE_A_MIGRATION_BYTES_SENT), "B") :
		       "-");
		f = field_of(FTMIGRATE_A_MIGRATION_ERROR);
		if (ftmig_has(m, f->attr) &&
		    ftmig_u(m, f->attr) != FTMIGRATE_MIGRATION_ERROR_NONE) {
			fputs(field_text(m, f, err, sizeof(err)), stdout);
			if (m->error_msg[0]) {
				putchar(' ');
				text_word(m->error_msg);
			}
		} else {
			putchar('-');
		}
		putchar('\n');
	}
}

void ftmig_put(struct nlmsghdr *nlh, const struct ftmig *m)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		uint64_t v = m->val[f->attr];

		if (!ftmig_has(m, f->attr))
			continue;
		switch (f->kind) {
		case K_U64:
			mnl_attr_put_u64(nlh, f->attr, v);
			break;
		case K_PORT:
			mnl_attr_put_u16(nlh, f->attr, (uint16_t)v);
			break;
		case K_FLAG:
			mnl_attr_put(nlh, f->attr, 0, NULL);
			break;
		case K_STR:
			mnl_attr_put_strz(nlh, f->attr, m->error_msg);
			break;
		default:
			mnl_attr_put_u32(nlh, f->attr, (uint32_t)v);
			break;
		}
	}
}
