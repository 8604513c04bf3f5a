// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the ioctl argument helpers of /dev/ftmigrate: extensible
 * struct copy in and out, name validation, and the checks every ioctl makes
 * before it acts.  Included at the end of chardev.c when the target kernel
 * has CONFIG_KUNIT, so that the tests see its static functions.
 *
 * The copy helpers take user pointers.  The suite maps one page in the
 * address space of the process loading the module (suite init runs in its
 * context) and each test, which KUnit runs in a kernel thread, borrows that
 * mm with kthread_use_mm().
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>

static struct mm_struct *ftm_test_mm;
static unsigned long ftm_test_uaddr;

static int ftm_ioctl_suite_init(struct kunit_suite *suite)
{
	unsigned long addr;

	if (!current->mm)
		return 0;	/* the user-copy tests skip */
	/* Two pages, the second unmapped again: a hole right after ours. */
	addr = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr))
		return 0;
	vm_munmap(addr + PAGE_SIZE, PAGE_SIZE);
	mmget(current->mm);
	ftm_test_mm = current->mm;
	ftm_test_uaddr = addr;
	return 0;
}

static void ftm_ioctl_suite_exit(struct kunit_suite *suite)
{
	if (!ftm_test_mm)
		return;
	if (current->mm == ftm_test_mm)
		vm_munmap(ftm_test_uaddr, PAGE_SIZE);
	mmput(ftm_test_mm);
	ftm_test_mm = NULL;
	ftm_test_uaddr = 0;
}

static int ftm_ioctl_test_init(struct kunit *test)
{
	if (ftm_test_mm)
		kthread_use_mm(ftm_test_mm);
	return 0;
}

static void ftm_ioctl_test_exit(struct kunit *test)
{
	/*
	 * Only where init borrowed it: a test that aborts is cleaned up from
	 * the suite's own context, so the tests below never abort (they use
	 * KUNIT_EXPECT, not KUNIT_ASSERT).
	 */
	if (ftm_test_mm && (current->flags & PF_KTHREAD) &&
	    current->mm == ftm_test_mm)
		kthread_unuse_mm(ftm_test_mm);
}

/* The user page, filled from @buf (the rest of the page zeroed). */
static void __user *ftm_test_user(struct kunit *test, const void *buf, size_t len)
{
	void __user *u = (void __user *)ftm_test_uaddr;

	if (!ftm_test_mm) {
		kunit_mark_skipped(test, "no user address space to copy from");
		return NULL;
	}
	KUNIT_EXPECT_LE(test, len, (size_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, clear_user(u, PAGE_SIZE), 0UL);
	KUNIT_EXPECT_EQ(test, copy_to_user(u, buf, min_t(size_t, len, PAGE_SIZE)), 0UL);
	return u;
}

static void ftm_ioctl_test_valid_name(struct kunit *test)
{
	char name[FTM_NAME_LEN];

	memset(name, 0, sizeof(name));
	strscpy(name, "vm-0", sizeof(name));
	KUNIT_EXPECT_TRUE(test, ftm_valid_name(name));

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	KUNIT_EXPECT_TRUE_MSG(test, ftm_valid_name(name), "63 characters");

	memset(name, 'a', sizeof(name));
	KUNIT_EXPECT_FALSE_MSG(test, ftm_valid_name(name), "no NUL");

	memset(name, 0, sizeof(name));
	KUNIT_EXPECT_FALSE_MSG(test, ftm_valid_name(name), "empty");

	strscpy(name, "a\tb", sizeof(name));
	KUNIT_EXPECT_FALSE_MSG(test, ftm_valid_name(name), "tab");
	strscpy(name, "a\nb", sizeof(name));
	KUNIT_EXPECT_FALSE_MSG(test, ftm_valid_name(name), "newline");
	strscpy(name, "\x7f", sizeof(name));
	KUNIT_EXPECT_FALSE_MSG(test, ftm_valid_name(name), "DEL");

	memset(name, 0, sizeof(name));
	strscpy(name, "vm", sizeof(name));
	name[FTM_NAME_LEN - 1] = 'x';
	KUNIT_EXPECT_FALSE_MSG(test, ftm_valid_name(name), "bytes after the NUL");
	name[FTM_NAME_LEN - 1] = '\0';
	name[3] = 'x';
	KUNIT_EXPECT_FALSE_MSG(test, ftm_valid_name(name), "bytes after the NUL");
}

static void ftm_ioctl_test_zeroed(struct kunit *test)
{
	u8 buf[40] = {};

	KUNIT_EXPECT_TRUE(test, ftm_zeroed(buf, sizeof(buf)));
	KUNIT_EXPECT_TRUE(test, ftm_zeroed(buf, 0));
	buf[39] = 1;
	KUNIT_EXPECT_FALSE(test, ftm_zeroed(buf, sizeof(buf)));
	KUNIT_EXPECT_TRUE(test, ftm_zeroed(buf, 39));
	buf[0] = 0x80;
	KUNIT_EXPECT_FALSE(test, ftm_zeroed(buf, 1));
}

/* A made-up extensible struct: VER0 is 16 bytes, this kernel knows 32. */
struct ftm_test_arg {
	u32 size;
	u32 a;
	u64 b;
	u64 c;
	u64 d;
};

static void ftm_ioctl_test_copy_in_sizes(struct kunit *test)
{
	u8 ubuf[64] = {};
	struct ftm_test_arg *u = (struct ftm_test_arg *)ubuf;
	struct ftm_test_arg k;
	void __user *uarg;

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");
	u->a = 7;
	u->b = 8;
	u->c = 9;
	u->d = 10;

	/* Smaller than VER0. */
	u->size = 15;
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), -EINVAL);
	u->size = 0;
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), -EINVAL);

	/* Larger than a page. */
	u->size = PAGE_SIZE + 1;
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), -EINVAL);
	u->size = U32_MAX;
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), -EINVAL);

	/* VER0 from an older caller: what it does not know reads as zero. */
	u->size = 16;
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	memset(&k, 0xff, sizeof(k));
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), 0);
	KUNIT_EXPECT_EQ(test, k.size, 16U);
	KUNIT_EXPECT_EQ(test, k.a, 7U);
	KUNIT_EXPECT_EQ(test, k.b, 8ULL);
	KUNIT_EXPECT_EQ(test, k.c, 0ULL);
	KUNIT_EXPECT_EQ(test, k.d, 0ULL);

	/* Exactly what this kernel knows. */
	u->size = sizeof(k);
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), 0);
	KUNIT_EXPECT_EQ(test, k.size, (u32)sizeof(k));
	KUNIT_EXPECT_EQ(test, k.d, 10ULL);
}

static void ftm_ioctl_test_copy_in_tail(struct kunit *test)
{
	u8 *ubuf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct ftm_test_arg *u = (struct ftm_test_arg *)ubuf;
	struct ftm_test_arg k;
	void __user *uarg;

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");
	if (!ubuf) {
		KUNIT_FAIL(test, "out of memory");
		return;
	}
	/* A newer caller's larger struct with a zero tail is fine... */
	u->size = 64;
	u->d = 10;
	uarg = ftm_test_user(test, ubuf, 64);
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), 0);
	KUNIT_EXPECT_EQ(test, k.size, 64U);
	KUNIT_EXPECT_EQ(test, k.d, 10ULL);

	/* ...up to a whole page... */
	u->size = PAGE_SIZE;
	uarg = ftm_test_user(test, ubuf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), 0);

	/* ...but a byte this kernel does not know must be zero. */
	ubuf[sizeof(k)] = 1;
	u->size = 64;
	uarg = ftm_test_user(test, ubuf, 64);
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), -E2BIG);
	ubuf[sizeof(k)] = 0;
	ubuf[PAGE_SIZE - 1] = 1;
	u->size = PAGE_SIZE;
	uarg = ftm_test_user(test, ubuf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), -E2BIG);
	/* Bytes past the caller's size are not the caller's: ignored. */
	u->size = 64;
	uarg = ftm_test_user(test, ubuf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), 0);
}

static void ftm_ioctl_test_copy_faults(struct kunit *test)
{
	struct ftm_test_arg k = { .size = sizeof(k) };
	u8 ubuf[8] = {};
	void __user *uarg;

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");
	ftm_test_user(test, ubuf, sizeof(ubuf));
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, NULL), -EFAULT);
	/* The size is readable, the struct runs off the end of the mapping. */
	uarg = (void __user *)(ftm_test_uaddr + PAGE_SIZE - 8);
	KUNIT_EXPECT_EQ(test, put_user(32U, (u32 __user *)uarg), 0);
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16, uarg), -EFAULT);
	/* A kernel address is refused as a user pointer. */
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_in(&k, sizeof(k), 16,
			(void __user *)&k), -EFAULT);
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_out(NULL, &k, sizeof(k)), -EFAULT);
}

static void ftm_ioctl_test_copy_out(struct kunit *test)
{
	struct ftm_test_arg k = { .a = 1, .b = 2, .c = 3, .d = 4 };
	u8 ubuf[64];
	struct ftm_test_arg *u = (struct ftm_test_arg *)ubuf;
	void __user *uarg;

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");

	/* An older caller gets only the part it knows. */
	memset(ubuf, 0xee, sizeof(ubuf));
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	k.size = 16;
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_out(uarg, &k, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(ubuf, uarg, sizeof(ubuf)), 0UL);
	KUNIT_EXPECT_EQ(test, u->a, 1U);
	KUNIT_EXPECT_EQ(test, u->b, 2ULL);
	KUNIT_EXPECT_EQ(test, u->c, 0xeeeeeeeeeeeeeeeeULL);

	/* A newer one gets everything, its tail untouched. */
	memset(ubuf, 0xee, sizeof(ubuf));
	uarg = ftm_test_user(test, ubuf, sizeof(ubuf));
	k.size = 64;
	KUNIT_EXPECT_EQ(test, ftm_copy_struct_out(uarg, &k, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(ubuf, uarg, sizeof(ubuf)), 0UL);
	KUNIT_EXPECT_EQ(test, u->d, 4ULL);
	KUNIT_EXPECT_EQ(test, ubuf[sizeof(k)], 0xee);
}

static void ftm_ioctl_test_get_version(struct kunit *test)
{
	struct ftm_version v = { .size = sizeof(v) };
	void __user *uarg;

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");

	uarg = ftm_test_user(test, &v, sizeof(v));
	KUNIT_EXPECT_EQ(test, ftm_ioc_get_version(uarg), 0L);
	KUNIT_EXPECT_EQ(test, copy_from_user(&v, uarg, sizeof(v)), 0UL);
	KUNIT_EXPECT_EQ(test, v.api_version, (u32)FTM_API_VERSION);
	KUNIT_EXPECT_EQ(test, v.features, (u64)FTM_FEATURES);
	KUNIT_EXPECT_STREQ(test, v.module_version, FTM_MODULE_VERSION);

	v = (struct ftm_version){ .size = sizeof(v), .flags = 1 };
	uarg = ftm_test_user(test, &v, sizeof(v));
	KUNIT_EXPECT_EQ(test, ftm_ioc_get_version(uarg), (long)-EINVAL);
	v = (struct ftm_version){ .size = FTM_VERSION_SIZE_VER0 - 1 };
	uarg = ftm_test_user(test, &v, sizeof(v));
	KUNIT_EXPECT_EQ(test, ftm_ioc_get_version(uarg), (long)-EINVAL);
}

static void ftm_ioctl_test_list_types_checks(struct kunit *test)
{
	struct ftm_type_list tl = {
		.size = sizeof(tl), .entry_size = sizeof(struct ftm_type_info) + 1,
	};
	void __user *uarg;

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");

	uarg = ftm_test_user(test, &tl, sizeof(tl));
	KUNIT_EXPECT_EQ(test, ftm_ioc_list_types(uarg), (long)-EINVAL);
	tl.entry_size = sizeof(struct ftm_type_info);
	tl.flags = 0x80000000;
	uarg = ftm_test_user(test, &tl, sizeof(tl));
	KUNIT_EXPECT_EQ(test, ftm_ioc_list_types(uarg), (long)-EINVAL);
}

/* Every malformed create request is refused before anything is created. */
static void ftm_ioctl_test_create_vm_checks(struct kunit *test)
{
	struct ftm_file ff = {};
	struct ftm_vm_create good = {
		.size = sizeof(good), .name = "vm", .uuid = { 1 },
		.config = 0x1000, .config_len = 1,
	};
	struct ftm_vm_create req;
	unsigned int i;

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");

	mutex_init(&ff.lock);
	for (i = 0; i < 9; i++) {
		req = good;
		switch (i) {
		case 0: req.flags = 1; break;
		case 1: req.reserved[3] = 1; break;
		case 2: req.name[0] = '\0'; break;
		case 3: req.name[5] = 'x'; break;
		case 4: req.name[1] = '\n'; break;
		case 5: memset(req.uuid, 0, sizeof(req.uuid)); break;
		case 6: req.config_len = 0; break;
		case 7: req.config_len = FTM_CONFIG_MAX + 1; break;
		case 8: req.size = FTM_VM_CREATE_SIZE_VER0 - 8; break;
		}
		KUNIT_EXPECT_EQ_MSG(test,
			ftm_ioc_create_vm(&ff, ftm_test_user(test, &req, sizeof(req))),
			(long)-EINVAL, "malformed request %u", i);
		KUNIT_EXPECT_NULL(test, ff.vm);
	}
	mutex_destroy(&ff.lock);
}

static void ftm_ioctl_test_query_vm_checks(struct kunit *test)
{
	struct ftm_file ff = {};
	struct ftm_vm_info q = { .size = sizeof(q), .reserved0 = 1 };

	if (!ftm_test_mm)
		kunit_skip(test, "no user address space to copy from");

	mutex_init(&ff.lock);
	KUNIT_EXPECT_EQ(test, ftm_ioc_query_vm(&ff, ftm_test_user(test, &q, sizeof(q))),
			(long)-EINVAL);
	q = (struct ftm_vm_info){ .size = sizeof(q), .flags = 2 };
	KUNIT_EXPECT_EQ(test, ftm_ioc_query_vm(&ff, ftm_test_user(test, &q, sizeof(q))),
			(long)-EINVAL);
	q = (struct ftm_vm_info){ .size = sizeof(q), .reserved = { 0, 1 } };
	KUNIT_EXPECT_EQ(test, ftm_ioc_query_vm(&ff, ftm_test_user(test, &q, sizeof(q))),
			(long)-EINVAL);
	/* No VM on this file and no id given. */
	q = (struct ftm_vm_info){ .size = sizeof(q) };
	KUNIT_EXPECT_EQ(test, ftm_ioc_query_vm(&ff, ftm_test_user(test, &q, sizeof(q))),
			(long)-ENOENT);
	mutex_destroy(&ff.lock);
}

static struct kunit_case ftm_ioctl_test_cases[] = {
	KUNIT_CASE(ftm_ioctl_test_valid_name),
	KUNIT_CASE(ftm_ioctl_test_zeroed),
	KUNIT_CASE(ftm_ioctl_test_copy_in_sizes),
	KUNIT_CASE(ftm_ioctl_test_copy_in_tail),
	KUNIT_CASE(ftm_ioctl_test_copy_faults),
	KUNIT_CASE(ftm_ioctl_test_copy_out),
	KUNIT_CASE(ftm_ioctl_test_get_version),
	KUNIT_CASE(ftm_ioctl_test_list_types_checks),
	KUNIT_CASE(ftm_ioctl_test_create_vm_checks),
	KUNIT_CASE(ftm_ioctl_test_query_vm_checks),
	{}
};

static struct kunit_suite ftm_ioctl_test_suite = {
	.name = "ftmigrate_ioctl",
	.suite_init = ftm_ioctl_suite_init,
	.suite_exit = ftm_ioctl_suite_exit,
	.init = ftm_ioctl_test_init,
	.exit = ftm_ioctl_test_exit,
	.test_cases = ftm_ioctl_test_cases,
};
kunit_test_suite(ftm_ioctl_test_suite);
