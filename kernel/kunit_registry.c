// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the migration type registry and the VMotion_Init()-style
 * registration of the three types.  Included at the end of registry.c when
 * the target kernel has CONFIG_KUNIT, so that the tests see its statics.
 *
 * Each test starts from an empty registry with no injected failure: what is
 * registered (and the fail_type_register parameter the module was loaded
 * with) is set aside by the init hook and put back by the exit hook.
 */
#include <kunit/test.h>

struct ftm_registry_saved {
	const struct ftm_type *types[FTM_TYPE_COUNT];
	unsigned int fail_type_register;
	unsigned int register_calls;
};

static const struct ftm_migration_ops ftm_test_ops = { .name = "test-ops" };
static const struct ftm_migration_ops ftm_test_ops_noname = { .name = NULL };

static int ftm_registry_test_init(struct kunit *test)
{
	struct ftm_registry_saved *saved;
	unsigned int i;

	saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	if (!saved)
		return -ENOMEM;
	mutex_lock(&ftm_types_lock);
	saved->fail_type_register = fail_type_register;
	saved->register_calls = ftm_register_calls;
	fail_type_register = 0;
	ftm_register_calls = 0;
	for (i = 0; i < FTM_TYPE_COUNT; i++)
		saved->types[i] = rcu_dereference_protected(ftm_types[i],
					lockdep_is_held(&ftm_types_lock));
	mutex_unlock(&ftm_types_lock);
	for (i = 0; i < FTM_TYPE_COUNT; i++)
		if (saved->types[i])
			ftm_type_unregister(saved->types[i]);
	test->priv = saved;
	return 0;
}

static void ftm_registry_test_exit(struct kunit *test)
{
	struct ftm_registry_saved *saved = test->priv;
	const struct ftm_type *left;
	unsigned int i;

	/* A failed test may have left its own types behind. */
	for (i = 0; i < FTM_TYPE_COUNT; i++) {
		rcu_read_lock();
		left = ftm_type_get_rcu(i);
		rcu_read_unlock();
		if (left)
			ftm_type_unregister(left);
	}
	for (i = 0; i < FTM_TYPE_COUNT; i++)
		if (saved->types[i])
			WARN_ON(ftm_type_register(saved->types[i]));
	mutex_lock(&ftm_types_lock);
	fail_type_register = saved->fail_type_register;
	ftm_register_calls = saved->register_calls;
	mutex_unlock(&ftm_types_lock);
}

static const struct ftm_type *ftm_test_lookup(enum ftmigrate_type_id id)
{
	const struct ftm_type *type;

	rcu_read_lock();
	type = ftm_type_get_rcu(id);
	rcu_read_unlock();
	return type;
}

/* Every slot takes a type, finds it, and gives it back. */
static void ftm_registry_test_register_lookup(struct kunit *test)
{
	struct ftm_type types[FTM_TYPE_COUNT];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ftm_type_count(), 0U);
	for (i = 0; i < FTM_TYPE_COUNT; i++) {
		types[i] = (struct ftm_type){
			.id = i, .name = "test", .flags = 1U << i, .ops = &ftm_test_ops,
		};
		KUNIT_EXPECT_NULL(test, ftm_test_lookup(i));
		KUNIT_EXPECT_EQ(test, ftm_type_register(&types[i]), 0);
		KUNIT_EXPECT_PTR_EQ(test, ftm_test_lookup(i), &types[i]);
		KUNIT_EXPECT_EQ(test, ftm_type_count(), i + 1);
	}
	for (i = 0; i < FTM_TYPE_COUNT; i++) {
		ftm_type_unregister(&types[i]);
		KUNIT_EXPECT_NULL(test, ftm_test_lookup(i));
		KUNIT_EXPECT_EQ(test, ftm_type_count(), FTM_TYPE_COUNT - i - 1);
	}
}

/* A taken slot refuses a second type and keeps the first. */
static void ftm_registry_test_duplicate_slot(struct kunit *test)
{
	const struct ftm_type a = {
		.id = FTMIGRATE_TYPE_ID_FT, .name = "a", .ops = &ftm_test_ops,
	};
	const struct ftm_type b = {
		.id = FTMIGRATE_TYPE_ID_FT, .name = "b", .ops = &ftm_test_ops,
	};

	KUNIT_ASSERT_EQ(test, ftm_type_register(&a), 0);
	KUNIT_EXPECT_EQ(test, ftm_type_register(&b), -EEXIST);
	KUNIT_EXPECT_EQ(test, ftm_type_register(&a), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, ftm_test_lookup(FTMIGRATE_TYPE_ID_FT), &a);
	KUNIT_EXPECT_EQ(test, ftm_type_count(), 1U);
	ftm_type_unregister(&a);
	KUNIT_EXPECT_EQ(test, ftm_type_count(), 0U);
	/* The slot is free again. */
	KUNIT_EXPECT_EQ(test, ftm_type_register(&b), 0);
	ftm_type_unregister(&b);
}

/* Malformed descriptors are refused without touching the registry. */
static void ftm_registry_test_malformed(struct kunit *test)
{
	const struct ftm_type bad[] = {
		{ .id = FTM_TYPE_COUNT, .name = "x", .ops = &ftm_test_ops },
		{ .id = (enum ftmigrate_type_id)0x7fffffff, .name = "x", .ops = &ftm_test_ops },
		{ .id = (enum ftmigrate_type_id)-1, .name = "x", .ops = &ftm_test_ops },
		{ .id = FTMIGRATE_TYPE_ID_VMOTION, .name = NULL, .ops = &ftm_test_ops },
		{ .id = FTMIGRATE_TYPE_ID_VMOTION, .name = "x", .ops = NULL },
		{ .id = FTMIGRATE_TYPE_ID_VMOTION, .name = "x", .ops = &ftm_test_ops_noname },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, ftm_type_register(&bad[i]), -EINVAL,
				    "descriptor %u", i);
	KUNIT_EXPECT_EQ(test, ftm_type_count(), 0U);
	for (i = 0; i < FTM_TYPE_COUNT; i++)
		KUNIT_EXPECT_NULL(test, ftm_test_lookup(i));
	KUNIT_EXPECT_NULL(test, ftm_test_lookup(FTM_TYPE_COUNT));
	KUNIT_EXPECT_NULL(test, ftm_test_lookup((enum ftmigrate_type_id)-1));
}

/* VMotion, FT and FTCpt: one ops table, per-type behaviour as data. */
static void ftm_registry_test_one_ops_table(struct kunit *test)
{
	const u32 storage = FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE |
			    FTMIGRATE_TYPE_FLAGS_DISK_COPY;
	const u32 clone = FTMIGRATE_TYPE_FLAGS_SOURCE_RESUMES |
			  FTMIGRATE_TYPE_FLAGS_DEST_WAITS_FAILOVER;
	const struct ftm_type *vmotion, *ft, *ftcpt;

	KUNIT_ASSERT_EQ(test, ftm_vmotion_init(), 0);
	KUNIT_EXPECT_EQ(test, ftm_type_count(), 3U);
	vmotion = ftm_test_lookup(FTMIGRATE_TYPE_ID_VMOTION);
	ft = ftm_test_lookup(FTMIGRATE_TYPE_ID_FT);
	ftcpt = ftm_test_lookup(FTMIGRATE_TYPE_ID_FTCPT);
	KUNIT_ASSERT_NOT_NULL(test, vmotion);
	KUNIT_ASSERT_NOT_NULL(test, ft);
	KUNIT_ASSERT_NOT_NULL(test, ftcpt);

	KUNIT_EXPECT_STREQ(test, vmotion->name, "VMotion");
	KUNIT_EXPECT_STREQ(test, ft->name, "FT");
	KUNIT_EXPECT_STREQ(test, ftcpt->name, "FTCpt");
	KUNIT_EXPECT_PTR_EQ(test, vmotion->ops, ft->ops);
	KUNIT_EXPECT_PTR_EQ(test, vmotion->ops, ftcpt->ops);
	KUNIT_EXPECT_STREQ(test, vmotion->ops->name, "vmotion");

	/* A move keeps shared disks; a clone resumes the source and waits. */
	KUNIT_EXPECT_EQ(test, vmotion->flags, (u32)FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE);
	KUNIT_EXPECT_EQ(test, ft->flags & storage, (u32)FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE);
	KUNIT_EXPECT_EQ(test, ft->flags & clone, clone);
	KUNIT_EXPECT_EQ(test, ftcpt->flags & storage, (u32)FTMIGRATE_TYPE_FLAGS_DISK_COPY);
	KUNIT_EXPECT_EQ(test, ftcpt->flags & clone, clone);

	ftm_vmotion_exit();
	KUNIT_EXPECT_EQ(test, ftm_type_count(), 0U);
}

/*
 * The seed's VMotion_Init() forgets to unregister FT when FTCpt fails: a
 * failure at any registration must leave no type behind.
 */
static void ftm_registry_test_init_unwind(struct kunit *test)
{
	unsigned int n, i;

	for (n = 1; n <= FTM_TYPE_COUNT; n++) {
		mutex_lock(&ftm_types_lock);
		fail_type_register = n;
		ftm_register_calls = 0;
		mutex_unlock(&ftm_types_lock);

		KUNIT_EXPECT_EQ_MSG(test, ftm_vmotion_init(), -EBUSY,
				    "registration %u fails", n);
		KUNIT_EXPECT_EQ_MSG(test, ftm_type_count(), 0U,
				    "registration %u fails", n);
		for (i = 0; i < FTM_TYPE_COUNT; i++)
			KUNIT_EXPECT_NULL(test, ftm_test_lookup(i));
	}
	mutex_lock(&ftm_types_lock);
	fail_type_register = 0;
	mutex_unlock(&ftm_types_lock);
	KUNIT_EXPECT_EQ(test, ftm_vmotion_init(), 0);
	KUNIT_EXPECT_EQ(test, ftm_type_count(), 3U);
	ftm_vmotion_exit();
}

static struct kunit_case ftm_registry_test_cases[] = {
	KUNIT_CASE(ftm_registry_test_register_lookup),
	KUNIT_CASE(ftm_registry_test_duplicate_slot),
	KUNIT_CASE(ftm_registry_test_malformed),
	KUNIT_CASE(ftm_registry_test_one_ops_table),
	KUNIT_CASE(ftm_registry_test_init_unwind),
	{}
};

static struct kunit_suite ftm_registry_test_suite = {
	.name = "ftmigrate_registry",
	.init = ftm_registry_test_init,
	.exit = ftm_registry_test_exit,
	.test_cases = ftm_registry_test_cases,
};
kunit_test_suite(ftm_registry_test_suite);
