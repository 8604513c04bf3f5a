// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the lifetime of VM objects: lookups pin a VM with a
 * reference, find only published VMs, never revive a dying one, and the last
 * reference frees it.  Included at the end of vm.c when the target kernel
 * has CONFIG_KUNIT, so that the tests see its slab cache.
 *
 * The tests build VMs by hand on a private host: creation itself notifies
 * netlink listeners and is covered by the selftests.
 */
#include <kunit/test.h>

static bool ftm_vm_test_own_cache;

static int ftm_vm_suite_init(struct kunit_suite *suite)
{
	/* KUnit runs a module's suites before its init: make the cache. */
	if (ftm_vm_cache)
		return 0;
	ftm_vm_test_own_cache = true;
	return ftm_vm_cache_init();
}

static void ftm_vm_suite_exit(struct kunit_suite *suite)
{
	if (!ftm_vm_test_own_cache)
		return;
	ftm_vm_cache_exit();
	ftm_vm_cache = NULL;
	ftm_vm_test_own_cache = false;
}

static int ftm_vm_test_init(struct kunit *test)
{
	struct ftm_net *fn;

	fn = kunit_kzalloc(test, sizeof(*fn), GFP_KERNEL);
	if (!fn)
		return -ENOMEM;
	xa_init_flags(&fn->vms, XA_FLAGS_ALLOC1);
	mutex_init(&fn->event_lock);
	test->priv = fn;
	return 0;
}

static void ftm_vm_test_exit(struct kunit *test)
{
	struct ftm_net *fn = test->priv;
	struct ftm_vm *vm;
	unsigned long id;

	/* What a failed test left behind. */
	xa_for_each(&fn->vms, id, vm) {
		KUNIT_FAIL(test, "VM %lu left on the host", id);
		xa_erase(&fn->vms, id);
		ftm_vm_put(vm);
	}
	xa_destroy(&fn->vms);
	mutex_destroy(&fn->event_lock);
}

/* A VM as ftm_vm_create() leaves it, published on @fn, one reference. */
static struct ftm_vm *ftm_vm_test_new(struct kunit *test, struct ftm_net *fn,
				      const char *name)
{
	struct ftm_vm *vm;

	vm = kmem_cache_zalloc(ftm_vm_cache, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	vm->config = kvmalloc(64, GFP_KERNEL);
	if (!vm->config) {
		kmem_cache_free(ftm_vm_cache, vm);
		KUNIT_ASSERT_NOT_NULL(test, NULL);
	}
	kref_init(&vm->ref);
	vm->fn = fn;
	vm->config_len = 64;
	strscpy(vm->name, name, sizeof(vm->name));
	if (xa_alloc_cyclic(&fn->vms, &vm->id, vm, xa_limit_31b,
			    &fn->next_vm_id, GFP_KERNEL) < 0) {
		kvfree(vm->config);
		kmem_cache_free(ftm_vm_cache, vm);
		KUNIT_ASSERT_NOT_NULL(test, NULL);
	}
	return vm;
}

static void ftm_vm_test_lookup_pins(struct kunit *test)
{
	struct ftm_net *fn = test->priv;
	struct ftm_vm *vm, *found;

	vm = ftm_vm_test_new(test, fn, "pinned");
	KUNIT_EXPECT_NE(test, vm->id, 0U);
	KUNIT_EXPECT_EQ(test, kref_read(&vm->ref), 1U);

	found = ftm_vm_lookup(fn, vm->id);
	KUNIT_EXPECT_PTR_EQ(test, found, vm);
	KUNIT_EXPECT_EQ(test, kref_read(&vm->ref), 2U);
	if (found)
		ftm_vm_put(found);
	KUNIT_EXPECT_EQ(test, kref_read(&vm->ref), 1U);

	/* Unpublished: no longer found, still alive for its holder. */
	xa_erase(&fn->vms, vm->id);
	KUNIT_EXPECT_NULL(test, ftm_vm_lookup(fn, vm->id));
	KUNIT_EXPECT_STREQ(test, vm->name, "pinned");
	ftm_vm_put(vm);
}

static void ftm_vm_test_lookup_misses(struct kunit *test)
{
	struct ftm_net *fn = test->priv;
	struct ftm_net *other;
	struct ftm_vm *vm;

	KUNIT_EXPECT_NULL(test, ftm_vm_lookup(fn, 0));
	KUNIT_EXPECT_NULL(test, ftm_vm_lookup(fn, 1));
	KUNIT_EXPECT_NULL(test, ftm_vm_lookup(fn, U32_MAX));

	vm = ftm_vm_test_new(test, fn, "here");
	KUNIT_EXPECT_NULL(test, ftm_vm_lookup(fn, vm->id + 1));

	/* Another host does not see it. */
	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	xa_init_flags(&other->vms, XA_FLAGS_ALLOC1);
	KUNIT_EXPECT_NULL(test, ftm_vm_lookup(other, vm->id));
	xa_destroy(&other->vms);

	xa_erase(&fn->vms, vm->id);
	ftm_vm_put(vm);
}

/* A VM whose last reference is gone is not handed out again. */
static void ftm_vm_test_lookup_dying(struct kunit *test)
{
	struct ftm_net *fn = test->priv;
	struct ftm_vm *vm;

	vm = ftm_vm_test_new(test, fn, "dying");
	/* As between the final kref_put() and the xa_erase() of a racer. */
	refcount_set(&vm->ref.refcount, 0);
	KUNIT_EXPECT_NULL(test, ftm_vm_lookup(fn, vm->id));
	xa_erase(&fn->vms, vm->id);
	kvfree(vm->config);
	kmem_cache_free(ftm_vm_cache, vm);
}

/* Ids are unique within a host and allocated cyclically, never 0. */
static void ftm_vm_test_ids(struct kunit *test)
{
	struct ftm_net *fn = test->priv;
	struct ftm_vm *a, *b, *c;
	u32 first;

	a = ftm_vm_test_new(test, fn, "a");
	b = ftm_vm_test_new(test, fn, "b");
	KUNIT_EXPECT_NE(test, a->id, b->id);
	first = a->id;
	xa_erase(&fn->vms, a->id);
	ftm_vm_put(a);
	c = ftm_vm_test_new(test, fn, "c");
	/* A freed id is not reused at once. */
	KUNIT_EXPECT_NE(test, c->id, first);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&fn->vms, c->id), (void *)c);
	xa_erase(&fn->vms, b->id);
	ftm_vm_put(b);
	xa_erase(&fn->vms, c->id);
	ftm_vm_put(c);
}

static struct kunit_case ftm_vm_test_cases[] = {
	KUNIT_CASE(ftm_vm_test_lookup_pins),
	KUNIT_CASE(ftm_vm_test_lookup_misses),
	KUNIT_CASE(ftm_vm_test_lookup_dying),
	KUNIT_CASE(ftm_vm_test_ids),
	{}
};

static struct kunit_suite ftm_vm_test_suite = {
	.name = "ftmigrate_vm",
	.suite_init = ftm_vm_suite_init,
	.suite_exit = ftm_vm_suite_exit,
	.init = ftm_vm_test_init,
	.exit = ftm_vm_test_exit,
	.test_cases = ftm_vm_test_cases,
};
kunit_test_suite(ftm_vm_test_suite);
