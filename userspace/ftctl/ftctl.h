/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftctl: shared declarations of the commands and the VM record they print.
 */
#ifndef FTCTL_H
#define FTCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ftmigrate.h>

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

/* Commands: argv[0] is the command word; return an exit status. */
int cmd_version(int argc, char **argv);
int cmd_types(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

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
void ftvm_print_json(const struct ftvm *vm);
void ftvm_print_kv(const struct ftvm *vm);
void ftvm_print_table(const struct ftvm *vms, size_t n);

#endif /* FTCTL_H */
