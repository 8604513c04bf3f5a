// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the guest-address arithmetic of memory.c: page numbers
 * and guest physical addresses map to each other across all regions, and
 * an address from the network outside the registered memory (unaligned,
 * below, between, above the regions, past the top of the address space)
 * maps to nothing.  Included at the end of memory.c when the target kernel
 * has CONFIG_KUNIT.
 *
 * The VMs are built by hand, regions without files: the arithmetic never
 * touches them, and registering real memfds is covered by the selftests.
 */
#include <kunit/test.h>

/*
 * Three regions, registered out of address order as a vmx may:
 *   0: [64 KiB, 640 KiB)         pages   0..143
 *   1: [top - 1 MiB, top - 4 KiB) pages 144..398, the highest region
 *      ftm_mem_add_region() accepts (its end must not wrap to 0)
 *   2: [1 MiB, 2 MiB)            pages 399..654
 */
#define FTM_MEM_TEST_R0		0x10000ULL
#define FTM_MEM_TEST_R0_PAGES	144
#define FTM_MEM_TEST_R1		(0ULL - 0x100000ULL)
#define FTM_MEM_TEST_R1_PAGES	255
#define FTM_MEM_TEST_R2		0x100000ULL
#define FTM_MEM_TEST_R2_PAGES	256
#define FTM_MEM_TEST_PAGES	(FTM_MEM_TEST_R0_PAGES + FTM_MEM_TEST_R1_PAGES + \
				 FTM_MEM_TEST_R2_PAGES)

static void ftm_mem_test_add(struct ftm_vm *vm, u64 gpa, u64 pages)
{
	struct ftm_mem_region *reg = &vm->regions[vm->nr_regions++];

	reg->gpa = gpa;
	reg->pages = pages;
	reg->first = vm->nr_pages;
	vm->nr_pages += pages;
}

static int ftm_mem_test_init(struct kunit *test)
{
	struct ftm_vm *vm;

	vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return -ENOMEM;
	ftm_mem_test_add(vm, FTM_MEM_TEST_R0, FTM_MEM_TEST_R0_PAGES);
	ftm_mem_test_add(vm, FTM_MEM_TEST_R1, FTM_MEM_TEST_R1_PAGES);
	ftm_mem_test_add(vm, FTM_MEM_TEST_R2, FTM_MEM_TEST_R2_PAGES);
	test->priv = vm;
	return 0;
}

/* ftm_mem_gpa_page() of @gpa must be @want. */
static void ftm_mem_test_expect_page(struct kunit *test, u64 gpa, u64 want)
{
	u64 page = U64_MAX;

	KUNIT_EXPECT_EQ_MSG(test, ftm_mem_gpa_page(test->priv, gpa, &page), 0,
			    "gpa %llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, page, want, "gpa %llx", gpa);
}

/* ftm_mem_gpa_page() of @gpa must refuse it and leave the page alone. */
static void ftm_mem_test_expect_none(struct kunit *test, u64 gpa)
{
	u64 page = 12345;

	KUNIT_EXPECT_EQ_MSG(test, ftm_mem_gpa_page(test->priv, gpa, &page), -ERANGE,
			    "gpa %llx", gpa);
	KUNIT_EXPECT_EQ_MSG(test, page, 12345, "gpa %llx", gpa);
}

static void ftm_mem_test_region_edges(struct kunit *test)
{
	const u64 r1_last = FTM_MEM_TEST_R1 + (FTM_MEM_TEST_R1_PAGES - 1) * (u64)PAGE_SIZE;

	/* First and last page of each region. */
	ftm_mem_test_expect_page(test, FTM_MEM_TEST_R0, 0);
	ftm_mem_test_expect_page(test, FTM_MEM_TEST_R0 + PAGE_SIZE, 1);
	ftm_mem_test_expect_page(test, 0xa0000 - PAGE_SIZE, FTM_MEM_TEST_R0_PAGES - 1);
	ftm_mem_test_expect_page(test, FTM_MEM_TEST_R1, FTM_MEM_TEST_R0_PAGES);
	ftm_mem_test_expect_page(test, r1_last,
				 FTM_MEM_TEST_R0_PAGES + FTM_MEM_TEST_R1_PAGES - 1);
	KUNIT_EXPECT_EQ(test, r1_last, 0xffffffffffffe000ULL);
	ftm_mem_test_expect_page(test, FTM_MEM_TEST_R2,
				 FTM_MEM_TEST_R0_PAGES + FTM_MEM_TEST_R1_PAGES);
	ftm_mem_test_expect_page(test, 0x200000 - PAGE_SIZE, FTM_MEM_TEST_PAGES - 1);
}

static void ftm_mem_test_unaligned(struct kunit *test)
{
	static const u64 offs[] = { 1, 8, PAGE_SIZE / 2, PAGE_SIZE - 1 };
	static const u64 bases[] = {
		FTM_MEM_TEST_R0, 0x90000, FTM_MEM_TEST_R1, FTM_MEM_TEST_R2,
		0x200000 - PAGE_SIZE, 0xffffffffffffe000ULL,
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(bases); i++)
		for (j = 0; j < ARRAY_SIZE(offs); j++)
			ftm_mem_test_expect_none(test, bases[i] + offs[j]);
	ftm_mem_test_expect_none(test, U64_MAX);
}

static void ftm_mem_test_outside(struct kunit *test)
{
	static const u64 gpas[] = {
		0, PAGE_SIZE, FTM_MEM_TEST_R0 - PAGE_SIZE,	/* below */
		0xa0000, 0xc0000, FTM_MEM_TEST_R2 - PAGE_SIZE,	/* between */
		0x200000, 0x100000000ULL, 1ULL << 52,
		FTM_MEM_TEST_R1 - PAGE_SIZE,			/* between */
		0xfffffffffffff000ULL,		/* above: the top page */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gpas); i++)
		ftm_mem_test_expect_none(test, gpas[i]);
}

/* Every page's address maps back to it, and addresses are in its region. */
static void ftm_mem_test_round_trip(struct kunit *test)
{
	struct ftm_vm *vm = test->priv;
	u64 page, gpa, got;

	KUNIT_ASSERT_EQ(test, vm->nr_pages, (u64)FTM_MEM_TEST_PAGES);
	for (page = 0; page < vm->nr_pages; page++) {
		gpa = ftm_mem_page_gpa(vm, page);
		KUNIT_EXPECT_TRUE_MSG(test, PAGE_ALIGNED(gpa), "page %llu", page);
		got = U64_MAX;
		KUNIT_EXPECT_EQ_MSG(test, ftm_mem_gpa_page(vm, gpa, &got), 0,
				    "page %llu gpa %llx", page, gpa);
		KUNIT_EXPECT_EQ_MSG(test, got, page, "gpa %llx", gpa);
	}
	KUNIT_EXPECT_EQ(test, ftm_mem_page_gpa(vm, 0), FTM_MEM_TEST_R0);
	KUNIT_EXPECT_EQ(test, ftm_mem_page_gpa(vm, FTM_MEM_TEST_R0_PAGES), FTM_MEM_TEST_R1);
	KUNIT_EXPECT_EQ(test, ftm_mem_page_gpa(vm, FTM_MEM_TEST_R0_PAGES +
					       FTM_MEM_TEST_R1_PAGES - 1),
			0xffffffffffffe000ULL);
	KUNIT_EXPECT_EQ(test, ftm_mem_page_gpa(vm, FTM_MEM_TEST_PAGES - 1),
			0x200000 - PAGE_SIZE);
}

/* Page numbers past the last region are in none. */
static void ftm_mem_test_page_outside(struct kunit *test)
{
	struct ftm_vm *vm = test->priv;
	static const u64 pages[] = {
		FTM_MEM_TEST_PAGES, FTM_MEM_TEST_PAGES + 1, 1ULL << 40, U64_MAX,
		U64_MAX - FTM_MEM_TEST_R0_PAGES,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++)
		KUNIT_EXPECT_EQ_MSG(test, ftm_mem_page_gpa(vm, pages[i]), 0,
				    "page %llu", pages[i]);
}

static void ftm_mem_test_no_regions(struct kunit *test)
{
	struct ftm_vm *vm = test->priv;

	vm->nr_regions = 0;
	vm->nr_pages = 0;
	ftm_mem_test_expect_none(test, 0);
	ftm_mem_test_expect_none(test, FTM_MEM_TEST_R0);
	ftm_mem_test_expect_none(test, FTM_MEM_TEST_R2);
	KUNIT_EXPECT_EQ(test, ftm_mem_page_gpa(vm, 0), 0);
}

/* A region at 0 and a region of one page next to it, then nothing. */
static void ftm_mem_test_adjacent(struct kunit *test)
{
	struct ftm_vm *vm = test->priv;

	memset(vm->regions, 0, sizeof(vm->regions));
	vm->nr_regions = 0;
	vm->nr_pages = 0;
	ftm_mem_test_add(vm, 0, 2);
	ftm_mem_test_add(vm, 2 * PAGE_SIZE, 1);
	ftm_mem_test_expect_page(test, 0, 0);
	ftm_mem_test_expect_page(test, PAGE_SIZE, 1);
	ftm_mem_test_expect_page(test, 2 * PAGE_SIZE, 2);
	ftm_mem_test_expect_none(test, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ftm_mem_page_gpa(vm, 2), 2 * PAGE_SIZE);
	/* The most regions a VM has, one page each, every other page. */
	memset(vm->regions, 0, sizeof(vm->regions));
	vm->nr_regions = 0;
	vm->nr_pages = 0;
	while (vm->nr_regions < FTM_MAX_MEMORY_REGIONS)
		ftm_mem_test_add(vm, 2 * vm->nr_regions * PAGE_SIZE, 1);
	ftm_mem_test_expect_page(test, 2 * (FTM_MAX_MEMORY_REGIONS - 1) * PAGE_SIZE,
				 FTM_MAX_MEMORY_REGIONS - 1);
	ftm_mem_test_expect_none(test, 2 * FTM_MAX_MEMORY_REGIONS * PAGE_SIZE);
	ftm_mem_test_expect_none(test, PAGE_SIZE);
}

static struct kunit_case ftm_mem_test_cases[] = {
	KUNIT_CASE(ftm_mem_test_region_edges),
	KUNIT_CASE(ftm_mem_test_unaligned),
	KUNIT_CASE(ftm_mem_test_outside),
	KUNIT_CASE(ftm_mem_test_round_trip),
	KUNIT_CASE(ftm_mem_test_page_outside),
	KUNIT_CASE(ftm_mem_test_no_regions),
	KUNIT_CASE(ftm_mem_test_adjacent),
	{}
};

static struct kunit_suite ftm_mem_test_suite = {
	.name = "ftmigrate_memory",
	.init = ftm_mem_test_init,
	.test_cases = ftm_mem_test_cases,
};
kunit_test_suite(ftm_mem_test_suite);
