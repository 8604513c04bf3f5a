// SPDX-License-Identifier: GPL-2.0
/*
 * failnth: allocation-failure sweep of every /dev/ftmigrate operation and
 * every netlink command.
 *
 * For each operation, for N = 1, 2, ...: make the Nth fault-injection point
 * this thread reaches fail (/proc/thread-self/fail-nth, which covers slab
 * and page allocations when the kernel has FAILSLAB and FAIL_PAGE_ALLOC),
 * run the operation once, and check that it either succeeded or failed with
 * a clean allocation error, and that the module's state is what that result
 * says (a failed create leaves no VM, a successful one a single VM, a close
 * leaves none).  The sweep of an operation ends at the first N that no
 * longer reaches a failure point.  Leaks are found by the kmemleak scan at
 * the end of the selftests, warnings by panic_on_warn and the log check.
 *
 * Run in a network namespace of its own (failnth_test.sh does), so that the
 * VMs it sees are its own.  Prints TAP: one case per operation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ftmigrate.h>

#include "tap.h"

#define MAX_NTH		2000
#define DEV		"/dev/" FTM_DEVICE_NAME

static int nth_fd = -1;
static int family_id;
static int events_grp;

/* fail-nth: arm for the Nth point; read back whether it fired. */
static void nth_arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		perror("failnth: write fail-nth");
		exit(1);
	}
}

/* Disarm; return 1 if the armed failure was injected. */
static int nth_fired(void)
{
	char buf[16] = "";
	int fired;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0) {
		perror("failnth: read fail-nth");
		exit(1);
	}
	fired = atoi(buf) == 0;
	nth_arm(0);
	return fired;
}

/* An allocation failure may surface as any of these, never as another. */
static int clean_errno(int e)
{
	return e == ENOMEM || e == ENOBUFS;
}

/* ---- netlink ------------------------------------------------------------ */

struct nlreq {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static void put_attr(struct nlreq *r, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static int nl_open(void)
{
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0) {
		perror("failnth: netlink socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void req_init(struct nlreq *r, int family, int cmd, int flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = family;
	/* Dumps end with NLMSG_DONE; other requests with their ack. */
	r->n.nlmsg_flags = NLM_F_REQUEST | (flags & NLM_F_DUMP ? 0 : NLM_F_ACK) | flags;
	r->n.nlmsg_seq = 1;
	r->g.cmd = cmd;
	r->g.version = 1;
}

/*
 * Send a request and read until its ack or NLMSG_DONE.  Returns 0 or a
 * negative errno; *nmsg counts the data messages received, and when cb is
 * given it sees each of them.
 */
static int nl_talk(int fd, struct nlreq *r, int *nmsg,
		   void (*cb)(struct nlmsghdr *, void *), void *arg)
{
	static char buf[65536];
	int dump = r->n.nlmsg_flags & NLM_F_DUMP;

	if (nmsg)
		*nmsg = 0;
	if (send(fd, r, r->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error || !dump)
					return e->error;
				continue;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(h);
			if (nmsg)
				(*nmsg)++;
			if (cb)
				cb(h, arg);
		}
	}
}

static struct nlattr *nla_next_of(struct nlattr *a, int *rem)
{
	*rem -= NLA_ALIGN(a->nla_len);
	return (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
}

#define for_each_attr(a, start, len, rem) \
	for (a = (struct nlattr *)(start), rem = (len); \
	     rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem; \
	     a = nla_next_of(a, &rem))

static void family_cb(struct nlmsghdr *h, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a, *m, *ga;
	int rem, mrem, grem;

	for_each_attr(a, (char *)g + GENL_HDRLEN, h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			family_id = *(uint16_t *)((char *)a + NLA_HDRLEN);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for_each_attr(m, (char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, mrem) {
			const char *name = NULL;
			int id = 0;

			for_each_attr(ga, (char *)m + NLA_HDRLEN, m->nla_len - NLA_HDRLEN, grem) {
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					name = (char *)ga + NLA_HDRLEN;
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(uint32_t *)((char *)ga + NLA_HDRLEN);
			}
			if (name && !strcmp(name, FTMIGRATE_MCGRP_EVENTS))
				events_grp = id;
		}
	}
	(void)arg;
}

static int resolve_family(void)
{
	struct nlreq r;
	int fd = nl_open(), err;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put_attr(&r, CTRL_ATTR_FAMILY_NAME, FTMIGRATE_FAMILY_NAME,
		 sizeof(FTMIGRATE_FAMILY_NAME));
	err = nl_talk(fd, &r, NULL, family_cb, NULL);
	close(fd);
	return err ?: (family_id ? 0 : -ENOENT);
}

/* Number of VMs in this netns, by a vm-get dump (not under fault). */
static int vm_count(void)
{
	struct nlreq r;
	int fd = nl_open(), n, err;

	req_init(&r, family_id, FTMIGRATE_CMD_VM_GET, NLM_F_DUMP);
	err = nl_talk(fd, &r, &n, NULL, NULL);
	close(fd);
	return err ? err : n;
}

/* A socket listening to the events group, so that events are really sent. */
static int events_open(void)
{
	int fd = nl_open();

	if (events_grp &&
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &events_grp,
		       sizeof(events_grp)))
		perror("failnth: join events");
	return fd;
}

static void events_drain(int fd)
{
	static char buf[65536];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}

/* ---- the operations ----------------------------------------------------- */

/*
 * One operation under test: setup (not under fault), run (armed), check
 * (not under fault: the state after the result), teardown.
 */
struct op {
	const char *name;
	void (*setup)(void);
	int (*run)(void);	/* 0 or -errno */
	const char *(*check)(int err);	/* NULL or what is wrong */
	void (*teardown)(void);
};

static int dev_fd = -1;
static int vm_fd = -1;
static int events_fd = -1;
static int nl_fd = -1;
static uint32_t vm_id;
static char config[512];
static char config_out[512];

static void open_dev(void)
{
	dev_fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		perror("failnth: open " DEV);
		exit(1);
	}
}

static void close_dev(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
}

static int create_on(int fd, const char *name, uint32_t *id)
{
	struct ftm_vm_create c = { .size = sizeof(c) };

	strncpy(c.name, name, sizeof(c.name) - 1);
	memset(c.uuid, 0x5a, sizeof(c.uuid));
	c.config = (uintptr_t)config;
	c.config_len = strlen(config);
	if (ioctl(fd, FTM_IOC_CREATE_VM, &c))
		return -errno;
	if (id)
		*id = c.id;
	return 0;
}

/* A VM held by another fd, for the commands that look one up. */
static void hold_vm(void)
{
	vm_fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (vm_fd < 0 || create_on(vm_fd, "held", &vm_id)) {
		perror("failnth: create held VM");
		exit(1);
	}
}

static void release_vm(void)
{
	if (vm_fd >= 0)
		close(vm_fd);
	vm_fd = -1;
}

static const char *expect_vms(int want)
{
	static char why[64];
	int n = vm_count();

	if (n == want)
		return NULL;
	snprintf(why, sizeof(why), "%d VM(s) on the host, expected %d", n, want);
	return why;
}

/* open(/dev/ftmigrate) */
static int run_open(void)
{
	dev_fd = open(DEV, O_RDWR | O_CLOEXEC);
	return dev_fd < 0 ? -errno : 0;
}

static const char *check_open(int err)
{
	if (err)
		return NULL;
	/* A file that opened under fault works. */
	return create_on(dev_fd, "after-open", NULL) ? "create on it fails" : NULL;
}

/* FTM_IOC_GET_VERSION */
static int run_version(void)
{
	struct ftm_version v = { .size = sizeof(v) };

	return ioctl(dev_fd, FTM_IOC_GET_VERSION, &v) ? -errno :
	       (v.api_version == FTM_API_VERSION ? 0 : -EPROTO);
}

/* FTM_IOC_LIST_TYPES */
static int run_list_types(void)
{
	struct ftm_type_info info[8];
	struct ftm_type_list tl = {
		.size = sizeof(tl), .count = 8, .entry_size = sizeof(info[0]),
		.types = (uintptr_t)info,
	};

	return ioctl(dev_fd, FTM_IOC_LIST_TYPES, &tl) ? -errno :
	       (tl.count == 3 ? 0 : -EPROTO);
}

/* FTM_IOC_CREATE_VM */
static int run_create(void)
{
	return create_on(dev_fd, "swept", &vm_id);
}

static const char *check_create(int err)
{
	struct ftm_vm_info q = { .size = sizeof(q) };
	int qerr;

	qerr = ioctl(dev_fd, FTM_IOC_QUERY_VM, &q) ? errno : 0;
	if (err) {
		if (qerr != ENOENT)
			return "failed create left a VM on its file";
		return expect_vms(0);
	}
	if (qerr || q.id != vm_id || strcmp(q.name, "swept"))
		return "created VM not found on its file";
	return expect_vms(1);
}

static void teardown_create(void)
{
	const char *why;

	close_dev();
	why = expect_vms(0);
	if (why)
		printf("# after close: %s\n", why);
}

/* FTM_IOC_QUERY_VM, by id, with the config copied out */
static int run_query(void)
{
	struct ftm_vm_info q = {
		.size = sizeof(q), .id = vm_id,
		.config = (uintptr_t)config_out, .config_buf_len = sizeof(config_out),
	};

	if (ioctl(dev_fd, FTM_IOC_QUERY_VM, &q))
		return -errno;
	return strncmp(config_out, config, strlen(config)) ? -EPROTO : 0;
}

static void setup_query(void)
{
	hold_vm();
	open_dev();
}

static void teardown_query(void)
{
	close_dev();
	release_vm();
}

/* close() of the file that owns a VM: the VM is destroyed, always. */
static void setup_close(void)
{
	open_dev();
	if (create_on(dev_fd, "closing", NULL)) {
		perror("failnth: create");
		exit(1);
	}
}

static int run_close(void)
{
	int err = close(dev_fd) ? -errno : 0;

	dev_fd = -1;
	return err;
}

static const char *check_close(int err)
{
	return err ? "close failed" : expect_vms(0);
}

/* Netlink commands, each on a fresh socket. */
static void setup_nl(void)
{
	nl_fd = nl_open();
}

static void setup_nl_vm(void)
{
	hold_vm();
	nl_fd = nl_open();
}

static void teardown_nl(void)
{
	close(nl_fd);
	nl_fd = -1;
	release_vm();
}

static int run_nl(int cmd, int dump, int attr, uint32_t val, int want)
{
	struct nlreq r;
	int n, err;

	req_init(&r, family_id, cmd, dump ? NLM_F_DUMP : 0);
	if (attr)
		put_attr(&r, attr, &val, sizeof(val));
	err = nl_talk(nl_fd, &r, &n, NULL, NULL);
	if (!err && want >= 0 && n != want)
		return -EPROTO;
	return err;
}

static int run_nl_version(void) { return run_nl(FTMIGRATE_CMD_VERSION_GET, 0, 0, 0, 1); }
static int run_nl_type_get(void) { return run_nl(FTMIGRATE_CMD_TYPE_GET, 0, FTMIGRATE_A_TYPE_ID, FTMIGRATE_TYPE_ID_FTCPT, 1); }
static int run_nl_type_dump(void) { return run_nl(FTMIGRATE_CMD_TYPE_GET, 1, 0, 0, 3); }
static int run_nl_vm_get(void) { return run_nl(FTMIGRATE_CMD_VM_GET, 0, FTMIGRATE_A_VM_ID, vm_id, 1); }
static int run_nl_vm_dump(void) { return run_nl(FTMIGRATE_CMD_VM_GET, 1, 0, 0, 1); }
static int run_nl_migration_dump(void) { return run_nl(FTMIGRATE_CMD_MIGRATION_GET, 1, 0, 0, 0); }

static const char *check_one_vm(int err __attribute__((unused)))
{
	return expect_vms(1);
}

static const struct op ops[] = {
	{ "open " DEV, NULL, run_open, check_open, teardown_create },
	{ "FTM_IOC_GET_VERSION", open_dev, run_version, NULL, close_dev },
	{ "FTM_IOC_LIST_TYPES", open_dev, run_list_types, NULL, close_dev },
	{ "FTM_IOC_CREATE_VM", open_dev, run_create, check_create, teardown_create },
	{ "FTM_IOC_QUERY_VM", setup_query, run_query, check_one_vm, teardown_query },
	{ "close of a VM's file", setup_close, run_close, check_close, close_dev },
	{ "netlink version-get", setup_nl, run_nl_version, NULL, teardown_nl },
	{ "netlink type-get", setup_nl, run_nl_type_get, NULL, teardown_nl },
	{ "netlink type-get dump", setup_nl, run_nl_type_dump, NULL, teardown_nl },
	{ "netlink vm-get", setup_nl_vm, run_nl_vm_get, check_one_vm, teardown_nl },
	{ "netlink vm-get dump", setup_nl_vm, run_nl_vm_dump, check_one_vm, teardown_nl },
	{ "netlink migration-get dump", setup_nl, run_nl_migration_dump, NULL, teardown_nl },
};

/* Sweep one operation; returns 1 if every run was clean. */
static int sweep(const struct op *op)
{
	int n, err, fired, absorbed = 0, bad = 0;
	const char *why;

	for (n = 1; n <= MAX_NTH; n++) {
		if (op->setup)
			op->setup();
		events_drain(events_fd);
		nth_arm(n);
		err = op->run();
		fired = nth_fired();
		why = NULL;
		if (err && !fired)
			why = "failed with no failure injected";
		else if (err && !clean_errno(-err))
			why = "failed with an error that is not ENOMEM/ENOBUFS";
		if (!why && op->check)
			why = op->check(err);
		if (why) {
			printf("# %s, failure point %d: %s (%s)\n", op->name, n, why,
			       err ? strerror(-err) : "success");
			bad++;
		}
		if (op->teardown)
			op->teardown();
		if (bad >= 5)
			break;
		if (!fired) {
			/* N is past the last failure point: done. */
			if (err)
				bad++;
			break;
		}
		/* Success despite the failure: a fallback or a dropped event. */
		absorbed += !err;
	}
	if (n > MAX_NTH) {
		printf("# %s: still failing after %d points\n", op->name, MAX_NTH);
		bad++;
	}
	return tap_check(!bad, "%s: %d failure point(s), each a clean error or success (%d absorbed)",
			 op->name, n - 1, absorbed);
}

int main(int argc, char **argv)
{
	char path[64];
	unsigned int i;
	int err;

	snprintf(path, sizeof(path), "/proc/thread-self/fail-nth");
	nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (nth_fd < 0) {
		printf("1..0 # SKIP no %s (kernel without CONFIG_FAULT_INJECTION)\n", path);
		return 0;
	}
	err = resolve_family();
	if (err) {
		printf("not ok 1 - resolve the %s family: %s\n", FTMIGRATE_FAMILY_NAME,
		       strerror(-err));
		return 1;
	}
	/* Prefault everything the operations touch, so that no user page
	 * fault consumes a failure point. */
	snprintf(config, sizeof(config), "name = \"swept\"\nmemsize = 256\n");
	memset(config_out, 0, sizeof(config_out));

	tap_check(vm_count() == 0, "no VM on this host to begin with");
	events_fd = events_open();
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (argc > 1 && !strstr(ops[i].name, argv[1]))
			continue;
		sweep(&ops[i]);
	}
	close(events_fd);
	tap_check(vm_count() == 0, "no VM on this host at the end");
	return tap_done();
}
