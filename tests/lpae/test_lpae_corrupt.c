/* SPDX-License-Identifier: MIT */
/*
 * test_lpae_corrupt.c - tables the library did not write: a contiguous run
 * whose entries disagree, a leaf with a reserved encoding, a table
 * descriptor pointing outside table memory. Every reader reports
 * IOPGT_ERR_CORRUPT, and map/unmap refuse without changing a byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <iopgt/iopgt.h>

#define RUN_IOVA 0x40000000ull
#define RUN_PA 0x80000000ull

/* the last range of the last sync call: where the map wrote its leaves */
static struct iopgt_range last;

static void grab(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)ctx;
	if (n)
		last = r[n - 1];
}

static int count_leaf(void *ctx, const struct iopgt_leaf *leaf)
{
	(void)leaf;
	(*(int *)ctx)++;
	return 0;
}

/* A 64K run (16 x 4K) in a table of its own; returns its 16 descriptors. */
static uint64_t *setup_run(struct iopgt *pt)
{
	struct iopgt_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = IOPGT_FMT_ARM64_S1;
	cfg.ias = 48;
	cfg.oas = 48;
	cfg.pgsizes = 0x1000 | 0x10000;
	cfg.sync.fn = grab;
	assert_int_equal(iopgt_init(pt, &cfg), IOPGT_OK);
	/* a page first, so that the run goes into a table that exists and its
	 * 128 bytes are the last range reported */
	assert_int_equal(iopgt_map(pt, RUN_IOVA + 0x100000, RUN_PA, 0x1000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(iopgt_map(pt, RUN_IOVA, RUN_PA, 0x10000, IOPGT_READ | IOPGT_WRITE),
			 IOPGT_OK);
	assert_int_equal(last.len, 16 * 8);
	return last.va;
}

static void check_refused(struct iopgt *pt, const uint64_t *run, const uint64_t *before)
{
	struct iopgt_mapping m;
	int leaves = 0;

	assert_int_equal(iopgt_lookup(pt, RUN_IOVA + 0x3000, &m), IOPGT_ERR_CORRUPT);
	assert_int_equal(iopgt_walk(pt, RUN_IOVA, 0x10000, count_leaf, &leaves), IOPGT_ERR_CORRUPT);
	/* a partial unmap would split the run: refused, nothing written */
	assert_int_equal(iopgt_unmap(pt, RUN_IOVA + 0x1000, 0x1000), IOPGT_ERR_CORRUPT);
	assert_memory_equal(run, before, 16 * 8);
	/* the page next to it is still fine */
	assert_int_equal(iopgt_lookup(pt, RUN_IOVA + 0x100000, &m), IOPGT_OK);
	assert_int_equal(m.pa, RUN_PA);
}

static void run_with_a_different_attribute_is_corrupt(void **state)
{
	struct iopgt pt;
	uint64_t *run = setup_run(&pt), before[16];

	(void)state;
	run[5] |= 1ull << 7; /* AP[2]: read-only in one entry only */
	memcpy(before, run, sizeof(before));
	check_refused(&pt, run, before);
	run[5] &= ~(1ull << 7);
	iopgt_fini(&pt);
}

static void run_with_a_wrong_output_address_is_corrupt(void **state)
{
	struct iopgt pt;
	uint64_t *run = setup_run(&pt), before[16];

	(void)state;
	run[9] += 0x1000; /* entry 9 points one page too far */
	memcpy(before, run, sizeof(before));
	check_refused(&pt, run, before);
	run[9] -= 0x1000;
	iopgt_fini(&pt);
}

static void reserved_last_level_encoding_is_corrupt(void **state)
{
	struct iopgt pt;
	uint64_t *run = setup_run(&pt);
	struct iopgt_mapping m;
	uint64_t saved;

	(void)state;
	/* unmap the run, then plant a 0b01 (block) descriptor at level 3 */
	assert_int_equal(iopgt_unmap(&pt, RUN_IOVA, 0x10000), IOPGT_OK);
	saved = run[0];
	run[0] = RUN_PA | 0x401; /* valid, block type, AF */
	assert_int_equal(iopgt_lookup(&pt, RUN_IOVA, &m), IOPGT_ERR_CORRUPT);
	assert_int_equal(iopgt_map(&pt, RUN_IOVA, RUN_PA, 0x1000, IOPGT_READ), IOPGT_ERR_CORRUPT);
	assert_int_equal(run[0], RUN_PA | 0x401);
	run[0] = saved;
	iopgt_fini(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_with_a_different_attribute_is_corrupt),
		cmocka_unit_test(run_with_a_wrong_output_address_is_corrupt),
		cmocka_unit_test(reserved_last_level_encoding_is_corrupt),
	};

	return cmocka_run_group_tests_name("lpae-corrupt", tests, NULL, NULL);
}
