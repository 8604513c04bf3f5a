/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftctl: shared declarations of the commands and the VM record they print.
 */
#ifndef FTCTL_H
#define FTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ftmigrate.h>
#include <linux/ftmigrate_netlink.h>

#define FTCTL_VERSION	"0.1.0"

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

/* Global options. */
extern bool opt_json;

/* main.c: report a bad command line, then the usage, on stderr; EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* args.c: command-line values. */
/*
 * "--name VALUE" or "--name=VALUE" at argv[*i]: the value (and *i moved past
 * it), or NULL if argv[*i] is not that option; *missing if it has no value.
 */
const char *opt_value(int argc, char **argv, int *i, const char *name,
		      bool *missing);
/* IPv4 "ADDR:PORT" (":PORT" for any address), both in network order; 0 or -1. */
int parse_addr_port(const char *s, bool port_zero_ok, uint32_t *addr_be,
		    uint16_t *port_be);
#define ADDR_PORT_STR_LEN	24	/* 255.255.255.255:65535 and the NUL */
char *fmt_addr_port(char *out, uint32_t addr_be, uint16_t port_be);
/* Bytes per second from "100000", "100M", "100MB", "1.5GiB", "800Mbit"; 0 or -1. */
int parse_rate(const char *s, uint64_t *out);
/* Hex digits into at most @max bytes; 0 or -1. */
int parse_hex(const char *s, uint8_t *out, size_t max, size_t *len);

#define FTCTL_SECRET_MIN	16
#define FTCTL_SECRET_MAX	64
struct secret {
	uint8_t bytes[FTCTL_SECRET_MAX + 1];
	size_t len;
};
/* Read a migration secret from @path: 0, or a usage error reported for @what. */
int read_secret(const char *what, const char *path, struct secret *sec);
/* An FT pair's fence: an absolute path that fits; 0, or a usage error. */
int check_fence(const char *what, const char *path);

/* Commands: argv[0] is the command word; return an exit status. */
int cmd_version(int argc, char **argv);
int cmd_types(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_listener(int argc, char **argv);
int cmd_migration(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_ft(int argc, char **argv);

/* vm.c: a VM as the kernel describes it (attribute set "vm"). */
enum {
	FTVM_HAVE_ID		= 1 << 0,
	FTVM_HAVE_NAME		= 1 << 1,
	FTVM_HAVE_UUID		= 1 << 2,
	FTVM_HAVE_STATE		= 1 << 3,
	FTVM_HAVE_OWNER_PID	= 1 << 4,
	FTVM_HAVE_CONFIG_LEN	= 1 << 5,
	FTVM_HAVE_CONFIG_SHA256	= 1 << 6,
	FTVM_HAVE_CREATED_NS	= 1 << 7,
	FTVM_HAVE_FT_ROLE	= 1 << 8,
	FTVM_HAVE_FT_STATE	= 1 << 9,
	FTVM_HAVE_PAIR_ID	= 1 << 10,
	FTVM_HAVE_FENCE		= 1 << 11,
};

struct ftvm {
	uint32_t have;			/* FTVM_HAVE_* */
	uint32_t id;
	char name[FTM_NAME_LEN];
	uint8_t uuid[FTM_UUID_LEN];
	uint32_t state;
	uint32_t owner_pid;
	uint32_t config_len;
	uint8_t config_sha256[FTM_SHA256_LEN];
	uint64_t created_ns;
	uint32_t ft_role;		/* FTMIGRATE_FT_ROLE_* */
	uint32_t ft_state;		/* FTMIGRATE_FT_STATE_* */
	uint64_t pair_id;
	char fence[FTM_FENCE_MAX];
};

struct nlattr;
struct nlmsghdr;

/* mnl_attr_cb_t for one attribute of set "vm"; data is a struct ftvm. */
int ftvm_attr_cb(const struct nlattr *attr, void *data);
/* Parse a nest of set "vm" into @vm; 0, or -1 with errno set. */
int ftvm_parse_nested(const struct nlattr *nest, struct ftvm *vm);
/* Parse the top-level attributes of a VM_GET reply; 0, or -1 with errno set. */
int ftvm_parse_msg(const struct nlmsghdr *nlh, struct ftvm *vm);
const char *ftvm_state_name(uint32_t state, char *buf, size_t len);
const char *ftvm_ft_role_name(uint32_t role, char *buf, size_t len);
const char *ftvm_ft_state_name(uint32_t state, char *buf, size_t len);
/* In a fault-tolerance pair: an ft-role other than none. */
bool ftvm_in_pair(const struct ftvm *vm);
/*
 * The VM as a JSON object; its FT members (ft_role, ft_state, pair_id,
 * fence) only if it is in a pair, or with _ft whenever the kernel sent them.
 */
void ftvm_print_json(const struct ftvm *vm);
void ftvm_print_json_ft(const struct ftvm *vm);
/* " ft_role=... ft_state=... pair_id=..." for those @vm has (no newline). */
void ftvm_print_ft_words(const struct ftvm *vm);
void ftvm_print_kv(const struct ftvm *vm);
void ftvm_print_table(const struct ftvm *vms, size_t n);
struct ftnl;
/*
 * Every VM of this host (a VM_GET dump) into *vms, to be freed, and *n:
 * 0, or a negative errno with the kernel's message in @nl.
 */
int ftvm_dump(struct ftnl *nl, struct ftvm **vms, size_t *n);
/*
 * The VM of this host whose id (first) or name is @arg: 0 and *id, or the
 * exit status after reporting the failure of @what.
 */
int ftvm_lookup(struct ftnl *nl, const char *what, const char *arg,
		uint32_t *id);

/* migration.c: a migration as the kernel describes it (set "migration"). */
struct ftmig {
	uint64_t have;			/* FTMIG_BIT(attribute) for each present */
	uint64_t val[FTMIGRATE_A_MIGRATION_MAX + 1];	/* numbers, by attribute */
	char error_msg[512];
};

#define FTMIG_BIT(attr)		(1ULL << (attr))
static inline bool ftmig_has(const struct ftmig *m, int attr)
{
	return m->have & FTMIG_BIT(attr);
}
static inline uint64_t ftmig_u(const struct ftmig *m, int attr)
{
	return m->val[attr];
}

extern const char *const ftmig_attr_names[FTMIGRATE_A_MIGRATION_MAX + 1];
int ftmig_attr_cb(const struct nlattr *attr, void *data);
int ftmig_parse_nested(const struct nlattr *nest, struct ftmig *m);
int ftmig_parse_msg(const struct nlmsghdr *nlh, struct ftmig *m);
/* Copy into @dst every attribute @src has. */
void ftmig_merge(struct ftmig *dst, const struct ftmig *src);
const char *ftmig_type_name(uint32_t v, char *buf, size_t len);
const char *ftmig_state_name(uint32_t v, char *buf, size_t len);
const char *ftmig_error_name(uint32_t v, char *buf, size_t len);
int ftmig_type_parse(const char *s, uint32_t *type);
/* completed, failed or cancelled. */
bool ftmig_state_final(uint32_t state);
void ftmig_print_json(const struct ftmig *m);
/* The members of ftmig_print_json(), without braces; id comes first. */
void ftmig_print_json_fields(const struct ftmig *m);
void ftmig_print_kv(const struct ftmig *m);
/* " name=value" for each attribute present, on one line (no newline). */
void ftmig_print_words(const struct ftmig *m);
void ftmig_print_table(const struct ftmig *ms, size_t n);
/* Put every attribute @m has into a request (ports stay in network order). */
void ftmig_put(struct nlmsghdr *nlh, const struct ftmig *m);
static inline void ftmig_set(struct ftmig *m, int attr, uint64_t v)
{
	m->val[attr] = v;
	m->have |= FTMIG_BIT(attr);
}

/* cmd_migration.c: options shared with migrate. */
enum {
	MOPT_ID		= 1 << 0,	/* --id ID */
	MOPT_TO		= 1 << 1,	/* --to ADDR:PORT */
	MOPT_DOWNTIME	= 1 << 2,	/* --downtime MS */
	MOPT_BANDWIDTH	= 1 << 3,	/* --bandwidth RATE */
	MOPT_STREAMS	= 1 << 4,	/* --streams N */
	MOPT_TIMEOUT	= 1 << 5,	/* --timeout SECONDS */
	MOPT_THROTTLE	= 1 << 6,	/* --throttle-step PCT */
	MOPT_P2P	= 1 << 7,	/* --p2p */
	MOPT_SECONDARY	= 1 << 8,	/* --secondary ADDR:PORT, as --to */
	MOPT_TUNING	= MOPT_DOWNTIME | MOPT_BANDWIDTH | MOPT_STREAMS |
			  MOPT_TIMEOUT | MOPT_THROTTLE,
	MOPT_PERFORM	= MOPT_TO | MOPT_TUNING,
	MOPT_SET	= MOPT_DOWNTIME | MOPT_BANDWIDTH | MOPT_THROTTLE,
};
/*
 * If argv[*i] is one of the options in @allowed, store it in @m (as the
 * request attribute) and return 1; 0 if it is none of them; -1 after a
 * usage error for @what, whose exit status is in *status.
 */
int mig_opt(int argc, char **argv, int *i, const char *what, unsigned int allowed,
	    struct ftmig *m, int *status);
/* CMD_MIGRATION_GET of @id into @m: 0, or a negative errno (-ENOENT: gone). */
struct ftnl;
int mig_get(struct ftnl *nl, uint64_t id, struct ftmig *m);
/* A migration id argument: 0, or -1 after a usage error (status in *status). */
int mig_parse_id(const char *what, const char *s, uint64_t *id, int *status);

/*
 * cmd_migrate.c: migrate VM, peer to peer, followed to its end.  Other
 * commands that start a migration the same way (ft enable) describe
 * themselves here and run the same code.
 */
struct migrate {
	const char *what;		/* the command, for messages */
	unsigned int to_opt;		/* MOPT_TO or MOPT_SECONDARY */
	uint32_t type;			/* FTMIGRATE_TYPE_ID_*, for Begin */
	const char *fence;		/* for Begin, NULL for none */
	bool pair;			/* success makes an FT pair */
	/*
	 * The command's own options, or NULL: as mig_opt(), 1 if argv[*i]
	 * was one, 0 if not, -1 after a usage error (status in *status).
	 */
	int (*opt)(int argc, char **argv, int *i, struct migrate *mg,
		   int *status);
	/* The command line, filled in by migrate_parse(). */
	const char *vm;
	const char *secret_file;
	struct ftmig perf;		/* --id, the destination, the tuning */
};
/*
 * The VM, --id, the destination, the tuning options, --secret-file and
 * --json from argv[@first] on, into @mg: 0, or the status of a usage error.
 */
int migrate_parse(int argc, char **argv, int first, struct migrate *mg);
/* Begin, Perform (p2p) and follow the migration: the exit status. */
int migrate_run(struct migrate *mg);

/* event.c: one event of the "events" group (attribute set "event"). */
struct ftevent {
	uint64_t seq;
	uint64_t timestamp_ns;
	struct ftvm vm;
	struct ftmig mig;
	bool have_seq, have_ts, have_vm, have_mig;
};
/* 0, or -1 (errno EBADMSG) for a malformed event or one without a seq. */
int ftevent_parse(const struct nlmsghdr *nlh, struct ftevent *ev);

#endif /* FTCTL_H */
