// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the fence rules of failover.c: which fence paths a host
 * accepts from a peer's FTCheck (a plain file name directly inside its
 * fence directory, nothing else), and which fence directories it takes.
 * Included at the end of failover.c when the target kernel has
 * CONFIG_KUNIT.  The fence's test-and-set itself is covered by the
 * selftests, on a real filesystem.
 */
#include <kunit/test.h>

static int ftm_fence_test_init(struct kunit *test)
{
	struct ftm_net *fn = kunit_kzalloc(test, sizeof(*fn), GFP_KERNEL);

	if (!fn)
		return -ENOMEM;
	mutex_init(&fn->listener_lock);
	test->priv = fn;
	return 0;
}

static void ftm_fence_test_names(struct kunit *test)
{
	static const char *const good[] = {
		"/shared/fences/p1", "/shared/fences/pair-42.fence",
		"/shared/fences/A_b-9", "/shared/fences/x",
	};
	static const char *const bad[] = {
		"/shared/fences", "/shared/fences/", "/shared/fences/.hidden",
		"/shared/fences/..", "/shared/fences/a/b", "/shared/fences/../etc",
		"/shared/fencesX/p1", "/shared/fence/p1", "/shared/fences//p1",
		"/etc/nologin", "shared/fences/p1", "/shared/fences/p 1",
		"/shared/fences/p\n", "",
	};
	struct ftm_net *fn = test->priv;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ftm_fence_dir_set(fn, "/shared/fences"), 0);
	for (i = 0; i < ARRAY_SIZE(good); i++)
		KUNIT_EXPECT_TRUE_MSG(test, ftm_fence_name_ok(fn, good[i]), "%s", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_FALSE_MSG(test, ftm_fence_name_ok(fn, bad[i]), "%s", bad[i]);
}

/* A host without a fence directory accepts no fence at all. */
static void ftm_fence_test_no_dir(struct kunit *test)
{
	struct ftm_net *fn = test->priv;

	KUNIT_EXPECT_FALSE(test, ftm_fence_name_ok(fn, "/p1"));
	KUNIT_EXPECT_FALSE(test, ftm_fence_name_ok(fn, "/shared/fences/p1"));
	KUNIT_ASSERT_EQ(test, ftm_fence_dir_set(fn, "/shared/fences"), 0);
	KUNIT_ASSERT_EQ(test, ftm_fence_dir_set(fn, ""), 0);
	KUNIT_EXPECT_FALSE(test, ftm_fence_name_ok(fn, "/shared/fences/p1"));
}

static void ftm_fence_test_dirs(struct kunit *test)
{
	char longest[FTM_FENCE_MAX];
	struct ftm_net *fn = test->priv;

	KUNIT_EXPECT_EQ(test, ftm_fence_dir_set(fn, "relative"), -EINVAL);
	KUNIT_EXPECT_EQ(test, ftm_fence_dir_set(fn, "/trailing/"), -EINVAL);
	KUNIT_EXPECT_EQ(test, ftm_fence_dir_set(fn, "/"), -EINVAL);
	/* Room must be left for '/' and a one-letter name. */
	memset(longest, 'a', sizeof(longest));
	longest[0] = '/';
	longest[FTM_FENCE_MAX - 3] = '\0';
	KUNIT_EXPECT_EQ(test, ftm_fence_dir_set(fn, longest), 0);
	longest[FTM_FENCE_MAX - 3] = 'a';
	longest[FTM_FENCE_MAX - 2] = '\0';
	KUNIT_EXPECT_EQ(test, ftm_fence_dir_set(fn, longest), -EINVAL);
}

static struct kunit_case ftm_fence_test_cases[] = {
	KUNIT_CASE(ftm_fence_test_names),
	KUNIT_CASE(ftm_fence_test_no_dir),
	KUNIT_CASE(ftm_fence_test_dirs),
	{}
};

static struct kunit_suite ftm_fence_test_suite = {
	.name = "ftmigrate_fence",
	.init = ftm_fence_test_init,
	.test_cases = ftm_fence_test_cases,
};
kunit_test_suite(ftm_fence_test_suite);
