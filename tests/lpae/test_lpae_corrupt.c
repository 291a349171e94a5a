/* SPDX-License-Identifier: MIT */
/*
 * test_lpae_corrupt.c - tables the library did not write: a contiguous run
 * whose entries disagree, a leaf with a reserved encoding, a table
 * descriptor pointing outside table memory, and in the LPA2 layout a block
 * at level -1, a contiguous level-0 block, a leaf beyond the OAS. Every
 * reader reports IOPGT_ERR_CORRUPT, and map/unmap refuse without changing
 * a byte.
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

/*
 * The LPA2 layout (4K granule, stage 1, IAS 52): level -1 holds tables
 * only (a block descriptor there is reserved), and the Contiguous bit is
 * RES0 in a level-0 block (Arm ARM D8.7.1): the library writes neither,
 * and reads neither as a leaf.
 */
static uint64_t *lpa2_root(struct iopgt *pt, unsigned ias, unsigned oas, uint64_t pgsizes)
{
	struct iopgt_cfg cfg;
	struct iopgt_regs r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = IOPGT_FMT_ARM64_S1;
	cfg.ias = ias;
	cfg.oas = oas;
	cfg.pgsizes = pgsizes;
	cfg.sync.fn = grab;
	assert_int_equal(iopgt_init(pt, &cfg), IOPGT_OK);
	iopgt_get_regs(pt, &r);
	assert_int_equal((r.tcr >> 59) & 1, 1); /* DS */
	/* the built-in allocator: walker address = CPU address, below 2^48 */
	return (uint64_t *)(uintptr_t)(r.ttbr & 0x0000ffffffffffc0ull);
}

static void lpa2_block_at_level_minus_1_is_corrupt(void **state)
{
	struct iopgt pt;
	struct iopgt_stats st;
	struct iopgt_mapping m;
	uint64_t *root = lpa2_root(&pt, 52, 52, 0x1000 | 0x200000 | 0x40000000 | (1ull << 39));

	(void)state;
	assert_int_equal(iopgt_get_stats(&pt, &st), IOPGT_OK);
	assert_int_equal(st.start_level, -1);
	assert_int_equal(st.levels, 5);
	assert_int_equal(st.root_entries, 16);
	/* entry 1 of the root translates [2^48, 2^49) */
	root[1] = (1ull << 48) | 0x401; /* valid, block type, AF */
	assert_int_equal(iopgt_lookup(&pt, 1ull << 48, &m), IOPGT_ERR_CORRUPT);
	assert_int_equal(iopgt_map(&pt, (1ull << 48) + 0x1000, 0x1000, 0x1000, IOPGT_READ),
			 IOPGT_ERR_CORRUPT);
	assert_int_equal(root[1], (1ull << 48) | 0x401);
	root[1] = 0;
	/* a 512G block at level 0, below the root, maps and looks up */
	assert_int_equal(iopgt_map(&pt, 3ull << 39, (5ull << 39) | (3ull << 50), 1ull << 39,
				   IOPGT_READ), IOPGT_OK);
	assert_int_equal(iopgt_lookup(&pt, (3ull << 39) + 0x12345000, &m), IOPGT_OK);
	assert_int_equal(m.size, 1ull << 39);
	assert_int_equal(m.pa, (5ull << 39) | (3ull << 50));
	iopgt_fini(&pt);
}

static void lpa2_contiguous_level_0_block_is_corrupt(void **state)
{
	struct iopgt pt;
	struct iopgt_mapping m;
	uint64_t *d;

	(void)state;
	lpa2_root(&pt, 48, 52, 0x1000 | (1ull << 39));
	/* the map's one sync call holds the level-0 descriptor alone */
	assert_int_equal(iopgt_map(&pt, 2ull << 39, 7ull << 39, 1ull << 39, IOPGT_READ), IOPGT_OK);
	assert_int_equal(last.len, 8);
	d = last.va;
	*d |= 1ull << 52;
	assert_int_equal(iopgt_lookup(&pt, 2ull << 39, &m), IOPGT_ERR_CORRUPT);
	assert_int_equal(iopgt_unmap(&pt, 2ull << 39, 0x1000), IOPGT_ERR_CORRUPT);
	*d &= ~(1ull << 52);
	assert_int_equal(iopgt_lookup(&pt, 2ull << 39, &m), IOPGT_OK);
	iopgt_fini(&pt);
}

/*
 * Adopting an LPA2 tree whose OAS is 48 (IAS above 48): a leaf with bits
 * [9:8] set names an output address above 2^50 (they are no shareability
 * in this layout): refused whole. The same leaf is fine in the 48-bit
 * layout, where they are SH.
 */
static void lpa2_adopt_refuses_a_leaf_beyond_the_oas(void **state)
{
	struct iopgt pt, pt2;
	struct iopgt_cfg cfg;
	struct iopgt_regs r;
	uint64_t root_pa, *leaf;

	(void)state;
	lpa2_root(&pt, 50, 48, 0x1000);
	assert_int_equal(iopgt_map(&pt, 0x100000, 0x200000, 0x1000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(iopgt_map(&pt, 0x101000, 0x300000, 0x1000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(last.len, 8);
	leaf = last.va;
	assert_int_equal(*leaf & (3ull << 8), 0); /* no SH written */
	iopgt_get_regs(&pt, &r);
	assert_int_equal(iopgt_detach(&pt, &root_pa), IOPGT_OK);
	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = IOPGT_FMT_ARM64_S1;
	cfg.ias = 50;
	cfg.oas = 48;
	cfg.pgsizes = 0x1000;
	*leaf |= 2ull << 8;
	assert_int_equal(iopgt_adopt(&pt2, &cfg, root_pa), IOPGT_ERR_CORRUPT);
	/* with OAS 52 it is an address: PA[51] */
	cfg.oas = 52;
	assert_int_equal(iopgt_adopt(&pt2, &cfg, root_pa), IOPGT_OK);
	{
		struct iopgt_mapping m;

		assert_int_equal(iopgt_lookup(&pt2, 0x101000, &m), IOPGT_OK);
		assert_int_equal(m.pa, 0x300000 | (1ull << 51));
	}
	iopgt_fini(&pt2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_with_a_different_attribute_is_corrupt),
		cmocka_unit_test(run_with_a_wrong_output_address_is_corrupt),
		cmocka_unit_test(reserved_last_level_encoding_is_corrupt),
		cmocka_unit_test(lpa2_block_at_level_minus_1_is_corrupt),
		cmocka_unit_test(lpa2_contiguous_level_0_block_is_corrupt),
		cmocka_unit_test(lpa2_adopt_refuses_a_leaf_beyond_the_oas),
	};

	return cmocka_run_group_tests_name("lpae-corrupt", tests, NULL, NULL);
}
