// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ftmigrate ioctl ABI: every ioctl with good and hostile arguments,
 * permissions, per-netns visibility, and VM lifetime tied to the fd.
 *
 * Expects ftmigrate.ko to be loaded (the shell wrapper does that) and runs
 * as root inside the test VM.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/ftmigrate.h>

#include "tap.h"

#define DEV "/dev/" FTM_DEVICE_NAME

static const char config[] = "config text\nname = \"t\"\n";
/* sha256sum of config, computed outside the kernel. */
static const char config_sha256[] =
	"55998c9db8ea7141f4abab3fea253180cb0a4e5a4623ff65dd306bb41d1303c5";
static const uint8_t uuid[FTM_UUID_LEN] = {
	0x6b, 0x1d, 0x2f, 0x00, 0x8e, 0x5a, 0x4c, 0x11,
	0x9a, 0x53, 0x0b, 0x7e, 0x31, 0x2c, 0x44, 0x01,
};

/* A page we can hand the kernel as a pointer that faults. */
static void *bad_ptr;

static int dev_open(void)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("# open %s: %s\n", DEV, strerror(errno));
		exit(tap_done() | 1);
	}
	return fd;
}

static struct ftm_vm_create vm_req(const char *name)
{
	struct ftm_vm_create c = { .size = sizeof(c) };

	strncpy(c.name, name, sizeof(c.name) - 1);
	memcpy(c.uuid, uuid, sizeof(uuid));
	c.config = (uintptr_t)config;
	c.config_len = sizeof(config) - 1;
	return c;
}

static void test_version(int fd)
{
	struct ftm_version v = { .size = sizeof(v) };
	struct {
		struct ftm_version v;
		uint64_t future;
	} big = { .v.size = sizeof(big) };

	if (tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, &v), 0, "GET_VERSION"))
		tap_check(v.api_version == FTM_API_VERSION && v.ntypes == 3 &&
			  (v.features & FTM_FEATURE_VM_OBJECTS) &&
			  (v.features & FTM_FEATURE_NETLINK) &&
			  strlen(v.module_version) > 0,
			  "GET_VERSION reports api %u, %u types, features 0x%llx, module %s",
			  v.api_version, v.ntypes,
			  (unsigned long long)v.features, v.module_version);

	v = (struct ftm_version){ .size = FTM_VERSION_SIZE_VER0 - 4 };
	tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, &v), EINVAL, "GET_VERSION size too small");
	v = (struct ftm_version){ .size = sizeof(v), .flags = 1 };
	tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, &v), EINVAL, "GET_VERSION unknown flag");
	tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, NULL), EFAULT, "GET_VERSION NULL pointer");
	tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, bad_ptr), EFAULT, "GET_VERSION unmapped pointer");

	/* A newer caller's struct: accepted while the unknown tail is zero. */
	tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, &big), 0, "GET_VERSION larger struct, zero tail");
	tap_check(big.v.api_version == FTM_API_VERSION && big.future == 0,
		  "GET_VERSION larger struct: known part filled, tail untouched");
	big = (typeof(big)){ .v.size = sizeof(big), .future = 1 };
	tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, &big), E2BIG, "GET_VERSION larger struct, nonzero tail");
	big.v.size = 1 << 20;
	tap_errno(ioctl(fd, FTM_IOC_GET_VERSION, &big), EINVAL, "GET_VERSION absurd size");
}

static void test_list_types(int fd)
{
	static const struct {
		const char *name;
		uint32_t flags;
	} want[3] = {
		{ "VMotion", FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE },
		{ "FT", FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE |
			FTMIGRATE_TYPE_FLAGS_SOURCE_RESUMES |
			FTMIGRATE_TYPE_FLAGS_DEST_WAITS_FAILOVER },
		{ "FTCpt", FTMIGRATE_TYPE_FLAGS_DISK_COPY |
			   FTMIGRATE_TYPE_FLAGS_SOURCE_RESUMES |
			   FTMIGRATE_TYPE_FLAGS_DEST_WAITS_FAILOVER },
	};
	struct ftm_type_info t[4];
	struct ftm_type_list tl = {
		.size = sizeof(tl), .entry_size = sizeof(t[0]),
	};
	int i, good = 1;

	tap_errno(ioctl(fd, FTM_IOC_LIST_TYPES, &tl), 0, "LIST_TYPES count only");
	tap_check(tl.count == 3, "LIST_TYPES reports exactly 3 types (got %u)", tl.count);

	memset(t, 0xa5, sizeof(t));
	tl.count = 4;
	tl.types = (uintptr_t)t;
	tap_errno(ioctl(fd, FTM_IOC_LIST_TYPES, &tl), 0, "LIST_TYPES");
	for (i = 0; i < 3; i++) {
		if (t[i].id != (uint32_t)i || strcmp(t[i].name, want[i].name) ||
		    t[i].flags != want[i].flags) {
			printf("# type %d: id %u name %.16s flags 0x%x\n", i,
			       t[i].id, t[i].name, t[i].flags);
			good = 0;
		}
	}
	tap_check(good, "LIST_TYPES: VMotion, FT, FTCpt with their flags");
	tap_check(!strcmp(t[0].ops, "vmotion") && !strcmp(t[1].ops, t[0].ops) &&
		  !strcmp(t[2].ops, t[0].ops),
		  "all three types bound to one operations table (%.16s)", t[0].ops);
	tap_check(((unsigned char *)&t[3])[0] == 0xa5,
		  "LIST_TYPES writes no entry past the types registered");

	memset(t, 0xa5, sizeof(t));
	tl.count = 1;
	tap_errno(ioctl(fd, FTM_IOC_LIST_TYPES, &tl), 0, "LIST_TYPES room for one");
	tap_check(tl.count == 3 && !strcmp(t[0].name, "VMotion") &&
		  ((unsigned char *)&t[1])[0] == 0xa5,
		  "LIST_TYPES with room for one writes one, reports 3");

	tl.count = 3;
	tl.types = (uintptr_t)bad_ptr;
	tap_errno(ioctl(fd, FTM_IOC_LIST_TYPES, &tl), EFAULT, "LIST_TYPES unmapped array");
	tl.types = (uintptr_t)t;
	tl.entry_size = sizeof(t[0]) - 1;
	tap_errno(ioctl(fd, FTM_IOC_LIST_TYPES, &tl), EINVAL, "LIST_TYPES wrong entry size");
	tl.entry_size = sizeof(t[0]);
	tl.flags = 0x80;
	tap_errno(ioctl(fd, FTM_IOC_LIST_TYPES, &tl), EINVAL, "LIST_TYPES unknown flag");
}

static void test_create_bad(int fd)
{
	struct ftm_vm_create c;

	c = vm_req("bad");
	c.flags = 1;
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM unknown flag");
	c = vm_req("bad");
	c.reserved[3] = 1;
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM nonzero reserved");
	c = vm_req("");
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM empty name");
	c = vm_req("x");
	memset(c.name, 'a', sizeof(c.name));
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM name without NUL");
	c = vm_req("tab\there");
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM unprintable name");
	c = vm_req("ok");
	c.name[10] = 'x';
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM garbage after name");
	c = vm_req("nouuid");
	memset(c.uuid, 0, sizeof(c.uuid));
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM null UUID");
	c = vm_req("noconfig");
	c.config_len = 0;
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM empty config");
	c = vm_req("hugeconfig");
	c.config_len = FTM_CONFIG_MAX + 1;
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM config over FTM_CONFIG_MAX");
	c = vm_req("badconfig");
	c.config = (uintptr_t)bad_ptr;
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EFAULT, "CREATE_VM unmapped config");
	c = vm_req("small");
	c.size = FTM_VM_CREATE_SIZE_VER0 - 8;
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EINVAL, "CREATE_VM size too small");
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, bad_ptr), EFAULT, "CREATE_VM unmapped argument");
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	while (n--)
		out += sprintf(out, "%02x", *b++);
}

static void test_create_query(int fd)
{
	struct ftm_vm_create c = vm_req("vm-one");
	struct ftm_vm_info q = { .size = sizeof(q) };
	char buf[sizeof(config) + 16], sha[65];
	uint32_t id;
	int fd2;

	if (!tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), 0, "CREATE_VM"))
		return;
	id = c.id;
	tap_check(id > 0, "CREATE_VM returns a VM id (%u)", id);
	c = vm_req("vm-two");
	tap_errno(ioctl(fd, FTM_IOC_CREATE_VM, &c), EBUSY, "CREATE_VM twice on one fd");

	memset(buf, 0, sizeof(buf));
	q.config = (uintptr_t)buf;
	q.config_buf_len = sizeof(buf);
	if (tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), 0, "QUERY_VM own VM (id 0)")) {
		hex(q.config_sha256, sizeof(q.config_sha256), sha);
		tap_check(!strcmp(q.name, "vm-one") && !memcmp(q.uuid, uuid, 16) &&
			  q.state == FTMIGRATE_VM_STATE_CREATED &&
			  q.owner_pid == (uint32_t)getpid() &&
			  q.config_len == sizeof(config) - 1 && q.created_ns > 0,
			  "QUERY_VM: name, uuid, state, owner, config length");
		tap_check(!memcmp(buf, config, sizeof(config) - 1) &&
			  buf[sizeof(config) - 1] == 0,
			  "QUERY_VM returns the config contents");
		tap_check(!strcmp(sha, config_sha256), "QUERY_VM config SHA-256 %s", sha);
	}

	/* Truncated readback: as much as fits, and the full length. */
	memset(buf, 0, sizeof(buf));
	q = (struct ftm_vm_info){ .size = sizeof(q), .config = (uintptr_t)buf,
				  .config_buf_len = 6 };
	tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), 0, "QUERY_VM small config buffer");
	tap_check(!memcmp(buf, config, 6) && buf[6] == 0 &&
		  q.config_len == sizeof(config) - 1,
		  "QUERY_VM copies only what fits, reports the full length");

	q = (struct ftm_vm_info){ .size = sizeof(q), .config = (uintptr_t)bad_ptr,
				  .config_buf_len = 64 };
	tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), EFAULT, "QUERY_VM unmapped config buffer");
	q = (struct ftm_vm_info){ .size = sizeof(q), .id = 0x7ffffff0 };
	tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), ENOENT, "QUERY_VM unknown id");
	q = (struct ftm_vm_info){ .size = sizeof(q), .reserved0 = 1 };
	tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), EINVAL, "QUERY_VM nonzero reserved0");
	q = (struct ftm_vm_info){ .size = sizeof(q), .reserved[1] = 1 };
	tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), EINVAL, "QUERY_VM nonzero reserved");
	q = (struct ftm_vm_info){ .size = sizeof(q), .flags = 2 };
	tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), EINVAL, "QUERY_VM unknown flag");

	/* Another fd of the same host sees the VM by id, and has none of its own. */
	fd2 = dev_open();
	q = (struct ftm_vm_info){ .size = sizeof(q) };
	tap_errno(ioctl(fd2, FTM_IOC_QUERY_VM, &q), ENOENT, "QUERY_VM id 0 on an fd without a VM");
	q = (struct ftm_vm_info){ .size = sizeof(q), .id = id };
	tap_errno(ioctl(fd2, FTM_IOC_QUERY_VM, &q), 0, "QUERY_VM by id from another fd");
	tap_check(q.id == id && !strcmp(q.name, "vm-one"), "another fd sees the same VM");
	close(fd2);
}

static void test_unknown_cmd(int fd)
{
	char arg[256] = { 0 };

	tap_errno(ioctl(fd, _IOWR(FTM_IOC_MAGIC, 0x7f, struct ftm_version), arg),
		  ENOTTY, "unknown ioctl number");
	tap_errno(ioctl(fd, _IOWR('T', 0x00, struct ftm_version), arg),
		  ENOTTY, "foreign ioctl magic");
	tap_errno(ioctl(fd, _IOR(FTM_IOC_MAGIC, 0x00, struct ftm_version), arg),
		  ENOTTY, "known number, wrong direction");
}

/* Run fn in a child; the child's exit status is the result. */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int drop_sys_admin(void *arg)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	int fd;

	(void)arg;
	if (syscall(SYS_capget, &h, d))
		return 100;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d))
		return 101;
	fd = open(DEV, O_RDWR);
	return fd < 0 ? errno : 0;
}

static int become_nobody(void *arg)
{
	int fd;

	(void)arg;
	if (setgid(65534) || setuid(65534))
		return 100;
	fd = open(DEV, O_RDWR);
	return fd < 0 ? errno : 0;
}

static int userns_root(void *arg)
{
	int fd;

	(void)arg;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 100;
	fd = open(DEV, O_RDWR);
	return fd < 0 ? errno : 0;
}

static void test_permissions(void)
{
	struct stat st;
	int r;

	tap_check(!stat(DEV, &st) && (st.st_mode & 07777) == 0600 && st.st_uid == 0,
		  DEV " is mode 0600, owned by root");
	r = in_child(drop_sys_admin, NULL);
	tap_check(r == EPERM, "root without CAP_SYS_ADMIN: open -> EPERM (got %d)", r);
	r = in_child(become_nobody, NULL);
	tap_check(r == EACCES, "unprivileged user: open -> EACCES (got %d)", r);
	r = in_child(userns_root, NULL);
	tap_check(r == EACCES || r == EPERM,
		  "root of a new user namespace: open refused (got %d)", r);
}

/* In a fresh netns: the parent's VM is invisible; ids start over. */
static int other_netns(void *arg)
{
	uint32_t parent_id = *(uint32_t *)arg;
	struct ftm_vm_info q = { .size = sizeof(q), .id = parent_id };
	struct ftm_vm_create c = vm_req("elsewhere");
	int fd;

	if (unshare(CLONE_NEWNET))
		return 100;
	fd = open(DEV, O_RDWR);
	if (fd < 0)
		return 101;
	if (ioctl(fd, FTM_IOC_QUERY_VM, &q) == 0 || errno != ENOENT)
		return 1;
	if (ioctl(fd, FTM_IOC_CREATE_VM, &c))
		return 2;
	return c.id == 1 ? 0 : 3;
}

static void test_netns(int fd)
{
	struct ftm_vm_info q = { .size = sizeof(q) };
	int r;

	if (ioctl(fd, FTM_IOC_QUERY_VM, &q)) {
		tap_check(0, "netns isolation (no VM to test with)");
		return;
	}
	r = in_child(other_netns, &q.id);
	tap_check(r == 0, "another netns cannot see this host's VM and numbers its own from 1 (%d)", r);
}

/* SIGKILL of the owning process releases its VM. */
static void test_sigkill(void)
{
	struct ftm_vm_info q = { .size = sizeof(q) };
	int fd, p[2], status;
	uint32_t id = 0;
	pid_t pid;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		struct ftm_vm_create c = vm_req("doomed");
		int cfd = open(DEV, O_RDWR);

		if (cfd < 0 || ioctl(cfd, FTM_IOC_CREATE_VM, &c))
			_exit(1);
		if (write(p[1], &c.id, sizeof(c.id)) != sizeof(c.id))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &id, sizeof(id)) != sizeof(id))
		id = 0;
	close(p[0]);
	fd = dev_open();
	q.id = id;
	tap_check(id && !ioctl(fd, FTM_IOC_QUERY_VM, &q) && q.owner_pid == (uint32_t)pid,
		  "VM %u of a live vmx is found, owned by it", id);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	q = (struct ftm_vm_info){ .size = sizeof(q), .id = id };
	tap_errno(ioctl(fd, FTM_IOC_QUERY_VM, &q), ENOENT, "VM gone after its vmx is SIGKILLed");
	close(fd);
}

static void test_close(void)
{
	struct ftm_vm_create c = vm_req("short-lived");
	struct ftm_vm_info q = { .size = sizeof(q) };
	int fd = dev_open(), fd2 = dev_open();

	if (ioctl(fd, FTM_IOC_CREATE_VM, &c))
		c.id = 0;
	close(fd);
	q.id = c.id;
	tap_errno(ioctl(fd2, FTM_IOC_QUERY_VM, &q), ENOENT, "VM gone after close()");
	close(fd2);
}

int main(void)
{
	int fd;

	bad_ptr = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = dev_open();
	test_version(fd);
	test_list_types(fd);
	test_create_bad(fd);
	test_create_query(fd);
	test_unknown_cmd(fd);
	test_permissions();
	test_netns(fd);
	test_sigkill();
	test_close();
	close(fd);
	return tap_done();
}
