/* SPDX-License-Identifier: MIT */
/*
 * tests/lpae/test_lpae_refwalk.c - the reference walker itself, on tables
 * built by hand from the Arm ARM's descriptor formats (no library code):
 * start levels from TxSZ/SL0, blocks, pages, contiguous runs, access flag,
 * reserved encodings, 52-bit addresses with the 64K granule and in the LPA2
 * layout (level -1, DS, SL2), TTBR1, stage 2 concatenation and
 * permissions, AArch32 TTBCR.
 */
#include <string.h>

#include "lcommon.h"

#define NPAGES 8
struct fmem {
	uint64_t pa[NPAGES];
	uint8_t buf[NPAGES][0x10000];
};

static struct fmem fm;

static int rd(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	struct fmem *m = ctx;
	unsigned i;

	for (i = 0; i < NPAGES; i++)
		if (m->pa[i] && pa >= m->pa[i] && pa + len <= m->pa[i] + 0x10000) {
			uint64_t v = 0;
			unsigned k;

			for (k = 0; k < len; k++)
				v |= (uint64_t)m->buf[i][pa - m->pa[i] + k] << (8 * k);
			*val = v;
			return 0;
		}
	return -1;
}

static void put(uint64_t pa, uint64_t d)
{
	unsigned i, k;

	for (i = 0; i < NPAGES; i++)
		if (fm.pa[i] && pa >= fm.pa[i] && pa + 8 <= fm.pa[i] + 0x10000) {
			for (k = 0; k < 8; k++)
				fm.buf[i][pa - fm.pa[i] + k] = (uint8_t)(d >> (8 * k));
			return;
		}
	fail_msg("no page at 0x%llx", (unsigned long long)pa);
}

static void pages(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	memset(&fm, 0, sizeof(fm));
	fm.pa[0] = a;
	fm.pa[1] = b;
	fm.pa[2] = c;
	fm.pa[3] = d;
}

#define AF (1ull << 10)
#define MAIR_LINUX 0xf404ff44ull

static int walk(enum iopgt_fmt f, const struct iopgt_regs *r, unsigned oas, uint64_t iova,
		struct refwalk_result *o)
{
	return refwalk_lpae_ex(f, r, oas, 0, rd, &fm, iova, o);
}

static void stage1_4k_blocks_pages_runs_and_faults_decode_as_the_arm_arm_says(void **state)
{
	struct iopgt_regs r = { 0 };
	struct refwalk_result o;

	(void)state;
	pages(0x10000, 0x20000, 0x30000, 0);
	/* T0SZ 25 (39 bits): start at level 1, 512 entries; TG0 4K; IPS 40; EPD1 */
	r.tcr = 25 | (2ull << 32) | (1ull << 23);
	r.ttbr = 0x10000;
	r.mair = MAIR_LINUX;
	put(0x10000 + 1 * 8, 0x20000 | 3);                              /* L1[1] -> L2 */
	put(0x20000 + 0 * 8, 0x40000000 | AF | (1 << 6) | (1 << 2) | 1); /* 2M block, EL0 RW, WB */
	put(0x20000 + 1 * 8, 0x30000 | 3);                              /* L2[1] -> L3 */
	/* L3[0]: page, AP[2] (RO), privileged, UXN|PXN, Device */
	put(0x30000, 0x80000000 | AF | (1 << 7) | (2 << 2) | (3ull << 53) | 3);
	put(0x30000 + 2 * 8, 0x80002000 | (1 << 6) | 3);                /* no AF */
	put(0x30000 + 3 * 8, 0x80003000 | AF | 1);                      /* 0b01 at level 3 */
	for (unsigned i = 16; i < 32; i++)                              /* a 64K run */
		put(0x30000 + i * 8, (0x90000000 + (i - 16) * 0x1000ull) | AF | (1 << 6) |
					     (1ull << 52) | 3);
	put(0x10000 + 2 * 8, 0xc0000000 | AF | (1 << 6) | 1);           /* 1G block, NC */

	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40012345, &o), REFWALK_OK);
	assert_true(o.pa == 0x40012345 && o.size == SZ_2M && o.level == 2);
	assert_int_equal(o.prot, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40200abc, &o), REFWALK_OK);
	assert_true(o.pa == 0x80000abc && o.size == SZ_4K && o.level == 3);
	assert_int_equal(o.prot, IOPGT_READ | IOPGT_PRIV | IOPGT_NOEXEC | IOPGT_MMIO);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40202000, &o), REFWALK_FAULT);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40203000, &o), REFWALK_RESERVED);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40201000, &o), REFWALK_FAULT);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40215000, &o), REFWALK_OK);
	assert_true(o.pa == 0x90005000 && o.size == SZ_64K);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x80000000 + 0x1234567, &o), REFWALK_OK);
	assert_true(o.pa == 0xc1234567 && o.size == SZ_1G && o.level == 1);
	assert_int_equal(o.prot, IOPGT_READ | IOPGT_WRITE);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 1ull << 39, &o), REFWALK_FAULT);
	/* a run entry that disagrees is reserved */
	put(0x30000 + 20 * 8, 0x90009000 | AF | (1 << 6) | (1ull << 52) | 3);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40215000, &o), REFWALK_RESERVED);
	/* a lone UXN is not something the library writes */
	put(0x30000, 0x80000000 | AF | (1ull << 54) | 3);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40200000, &o), REFWALK_RESERVED);
	/* table outside memory */
	put(0x20000 + 2 * 8, 0x70000 | 3);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40400000, &o), REFWALK_BADADDR);
	/* TTBR1: EPD0, T1SZ 25, TG1 4K (0b10) */
	r.tcr = (25ull << 16) | (2ull << 30) | (2ull << 32) | (1ull << 7);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0xffffff8040012345ull, &o), REFWALK_OK);
	assert_true(o.pa == 0x40012345);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 40, 0x40012345, &o), REFWALK_FAULT);
}

static void stage1_64k_52bit_addresses_use_bits_15_to_12(void **state)
{
	struct iopgt_regs r = { 0 };
	struct refwalk_result o;
	uint64_t root = 0x0001000000010000ull, l2 = 0x0002000000020000ull, l3 = 0x0003000000030000ull;
	uint64_t oa = 0x000a000012340000ull;

	(void)state;
	pages(root, l2, l3, 0);
	/* T0SZ 16, TG0 64K (0b01), IPS 52 (0b110), EPD1: start level 1, 64 entries */
	r.tcr = 16 | (1ull << 14) | (6ull << 32) | (1ull << 23);
	r.ttbr = (root & 0xffffffffffc0ull) | (((root >> 48) & 0xf) << 2);
	r.mair = MAIR_LINUX;
	put(root + 1 * 8, (l2 & 0xffffffff0000ull) | ((l2 >> 48) << 12) | 3);
	put(l2 + 2 * 8, (l3 & 0xffffffff0000ull) | ((l3 >> 48) << 12) | 3);
	put(l3 + 3 * 8, (oa & 0xffffffff0000ull) | ((oa >> 48) << 12) | AF | (1 << 6) | 3);
	{
		uint64_t iova = (1ull << 42) | (2ull << 29) | (3ull << 16) | 0x1234;

		assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, iova, &o), REFWALK_OK);
		assert_true(o.pa == oa + 0x1234 && o.size == SZ_64K && o.level == 3);
	}
	/* a 4T level-1 block exists with 52-bit output */
	put(root + 2 * 8, (0x0004000000000000ull >> 48 << 12) | AF | (1 << 6) | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, (2ull << 42) + 0x123, &o), REFWALK_OK);
	assert_true(o.pa == 0x0004000000000123ull && o.size == (1ull << 42) && o.level == 1);
}

/* LPA2 (TCR.DS = 1) table or leaf address: [49:12] in place, [51:50] in
 * bits [9:8] (D8.3.1, D8.3.2) */
static uint64_t lpa2_addr(uint64_t a)
{
	return (a & 0x0003fffffffff000ull) | ((a >> 50) & 3) << 8;
}

static void stage1_4k_lpa2_walks_from_level_minus_1_with_pa_51_50_in_bits_9_8(void **state)
{
	struct iopgt_regs r = { 0 };
	struct refwalk_result o;
	struct refwalk_lpae_geom g;
	const uint64_t lm1 = 0x000c000000010000ull, l0 = 0x0008000000020000ull;
	const uint64_t l1 = 0x0004000000030000ull, l2 = 0x0001000000040000ull;
	const uint64_t l3 = 0x0002000000050000ull, oa = 0x000f123456789000ull;
	const uint64_t iova = (5ull << 48) | (6ull << 39) | (7ull << 30) | (8ull << 21) |
			      (9ull << 12) | 0x123;

	(void)state;
	memset(&fm, 0, sizeof(fm));
	fm.pa[0] = lm1;
	fm.pa[1] = l0;
	fm.pa[2] = l1;
	fm.pa[3] = l2;
	fm.pa[4] = l3;
	/* T0SZ 12 (52 bits), TG0 4K, IPS 52, EPD1, DS (bit 59) */
	r.tcr = 12 | (6ull << 32) | (1ull << 23) | (1ull << 59);
	r.ttbr = (lm1 & 0xffffffffffc0ull) | (((lm1 >> 48) & 0xf) << 2);
	r.mair = MAIR_LINUX;
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S1, &r, 52, &g), REFWALK_OK);
	assert_true(g.start_level == -1 && g.root_entries == 16 && g.ds && g.ps == 52);
	assert_true(g.root_pa == lm1);
	put(lm1 + 5 * 8, lpa2_addr(l0) | 3);
	put(l0 + 6 * 8, lpa2_addr(l1) | 3);
	put(l1 + 7 * 8, lpa2_addr(l2) | 3);
	put(l2 + 8 * 8, lpa2_addr(l3) | 3);
	put(l3 + 9 * 8, lpa2_addr(oa) | AF | (1 << 6) | 3);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, iova, &o), REFWALK_OK);
	assert_true(o.pa == oa + 0x123 && o.size == SZ_4K && o.level == 3);
	/* a 512G block at level 0 */
	put(l0 + 1 * 8, lpa2_addr(0x000d008000000000ull) | AF | (1 << 6) | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, (5ull << 48) | (1ull << 39) | 0x77, &o),
			 REFWALK_OK);
	assert_true(o.pa == 0x000d008000000077ull && o.size == (1ull << 39) && o.level == 0);
	/* with the Contiguous bit, RES0 in a level-0 block (D8.7.1) */
	put(l0 + 1 * 8, lpa2_addr(0x000d008000000000ull) | AF | (1ull << 52) | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, (5ull << 48) | (1ull << 39), &o),
			 REFWALK_RESERVED);
	/* level -1 holds tables only */
	put(lm1 + 2 * 8, AF | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, 2ull << 48, &o), REFWALK_RESERVED);
	/* without DS, T0SZ 12 is no walk with 4K, and bits [9:8] are SH */
	r.tcr &= ~(1ull << 59);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, iova, &o), REFWALK_RESERVED);
	/* IAS 48 with DS: level 0, 512 entries, the same layout */
	r.tcr = 16 | (6ull << 32) | (1ull << 23) | (1ull << 59);
	r.ttbr = (l0 & 0xffffffffffc0ull) | (((l0 >> 48) & 0xf) << 2);
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S1, &r, 52, &g), REFWALK_OK);
	assert_true(g.start_level == 0 && g.root_entries == 512 && g.ds);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S1, &r, 52, iova & ~(0xfull << 48), &o), REFWALK_OK);
	assert_true(o.pa == oa + 0x123);
}

static void stage2_lpa2_start_levels_from_sl0_sl2_and_ds(void **state)
{
	struct iopgt_regs r = { 0 };
	struct refwalk_result o;
	struct refwalk_lpae_geom g;
	const uint64_t root = 0x0008000000000000ull, l1 = 0x0004000000010000ull;
	const uint64_t iova = (0x1a5ull << 39) | (3ull << 30) | 0x5;

	(void)state;
	pages(root, l1, 0, 0);
	/* 4K, T0SZ 12, SL0 2 (level 0), PS 52, DS: 16 concatenated level-0 tables */
	r.vtcr = 12 | (2ull << 6) | (6ull << 16) | (1ull << 31) | (1ull << 32);
	r.vttbr = (root & 0xffffffffffc0ull) | (((root >> 48) & 0xf) << 2);
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S2, &r, 52, &g), REFWALK_OK);
	assert_true(g.start_level == 0 && g.root_entries == 8192);
	put(root + 0x1a5 * 8, lpa2_addr(l1) | 3);
	put(l1 + 3 * 8, lpa2_addr(0x000c0000c0000000ull) | AF | (3 << 6) | (0xf << 2) | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S2, &r, 52, iova, &o), REFWALK_OK);
	assert_true(o.pa == 0x000c0000c0000005ull && o.size == SZ_1G && o.level == 1);
	/* SL2 = 1 with SL0 = 0: level -1, 16 entries; SL2 with another SL0: none */
	r.vtcr = 12 | (0ull << 6) | (6ull << 16) | (1ull << 31) | (1ull << 32) | (1ull << 33);
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S2, &r, 52, &g), REFWALK_OK);
	assert_true(g.start_level == -1 && g.root_entries == 16);
	r.vtcr |= 2ull << 6;
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S2, &r, 52, &g), REFWALK_RESERVED);
	/* without DS: T0SZ 12 is no walk with 4K */
	r.vtcr = 12 | (2ull << 6) | (6ull << 16) | (1ull << 31);
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S2, &r, 52, &g), REFWALK_RESERVED);
	/* 16K (TG0 0b10), T0SZ 12, SL0 3: level 0 with DS (32 entries), none without */
	r.vtcr = 12 | (3ull << 6) | (2ull << 14) | (6ull << 16) | (1ull << 31) | (1ull << 32);
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S2, &r, 52, &g), REFWALK_OK);
	assert_true(g.start_level == 0 && g.root_entries == 32 && g.l1_block && !g.l0_block);
	r.vtcr &= ~(1ull << 32);
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S2, &r, 52, &g), REFWALK_RESERVED);
	/* 64K (TG0 0b01), T0SZ 12, SL0 2: FEAT_LVA's level-1 root of 1024 entries */
	r.vtcr = 12 | (2ull << 6) | (1ull << 14) | (5ull << 16) | (1ull << 31);
	r.vttbr = 0x10000;
	assert_int_equal(refwalk_lpae_geom(IOPGT_FMT_ARM64_S2, &r, 48, &g), REFWALK_OK);
	assert_true(g.start_level == 1 && g.root_entries == 1024 && !g.ds);
}

static void stage2_concatenated_root_permissions_and_memattr(void **state)
{
	struct iopgt_regs r = { 0 };
	struct refwalk_result o;

	(void)state;
	pages(0x10000, 0, 0, 0);
	/* T0SZ 24 (40 bits), SL0 1 (level 1 for 4K): two concatenated tables */
	r.vtcr = 24 | (1ull << 6) | (2ull << 16) | (1ull << 31);
	r.vttbr = 0x10000;
	put(0x10000 + 600 * 8, 0x80000000 | AF | (3 << 6) | (0xf << 2) | (2ull << 53) | 1);
	put(0x10000 + 601 * 8, 0xc0000000 | AF | (1 << 7) | (0x5 << 2) | 1);
	put(0x10000 + 602 * 8, 0x40000000 | AF | (1 << 6) | (0x1 << 2) | (3ull << 53) | 1);
	put(0x10000 + 603 * 8, 0x40000000 | AF | (1 << 6) | (0x6 << 2) | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S2, &r, 40, (600ull << 30) + 5, &o), REFWALK_OK);
	assert_true(o.pa == 0x80000005 && o.size == SZ_1G);
	assert_int_equal(o.prot, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE | IOPGT_NOEXEC);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S2, &r, 40, 601ull << 30, &o), REFWALK_OK);
	assert_int_equal(o.prot, IOPGT_WRITE);
	/* XN 0b11 and MemAttr 0x6 without FWB: not written by the library */
	assert_int_equal(walk(IOPGT_FMT_ARM64_S2, &r, 40, 602ull << 30, &o), REFWALK_RESERVED);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S2, &r, 40, 603ull << 30, &o), REFWALK_RESERVED);
	assert_int_equal(refwalk_lpae_ex(IOPGT_FMT_ARM64_S2, &r, 40, IOPGT_QUIRK_S2FWB, rd, &fm,
					 603ull << 30, &o),
			 REFWALK_OK);
	assert_int_equal(o.prot, IOPGT_READ | IOPGT_CACHE);
	/* SL0 0b11 with 4K is no start level; 17+ concatenated tables neither */
	r.vtcr = 24 | (3ull << 6) | (2ull << 16) | (1ull << 31);
	assert_int_equal(walk(IOPGT_FMT_ARM64_S2, &r, 40, 0, &o), REFWALK_RESERVED);
	r.vtcr = 24 | (0ull << 6) | (2ull << 16) | (1ull << 31); /* level 2, 2^19 entries */
	assert_int_equal(walk(IOPGT_FMT_ARM64_S2, &r, 40, 0, &o), REFWALK_RESERVED);
}

static void aarch32_ttbcr_and_vtcr_select_the_start_level(void **state)
{
	struct iopgt_regs r = { 0 };
	struct refwalk_result o;

	(void)state;
	pages(0x10000, 0x20000, 0, 0);
	/* TTBCR: EAE, T0SZ 0, EPD1: level 1, 4 entries */
	r.tcr = (1ull << 31) | (1ull << 23);
	r.ttbr = 0x10000;
	r.mair = MAIR_LINUX;
	put(0x10000 + 3 * 8, 0x100000000ull | AF | (1 << 6) | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM32_S1, &r, 40, 0xc0001234, &o), REFWALK_OK);
	assert_true(o.pa == 0x100001234ull && o.size == SZ_1G && o.level == 1);
	/* T0SZ 2 (30 bits): level 2, 512 entries */
	r.tcr = 2 | (1ull << 31) | (1ull << 23);
	put(0x10000 + 5 * 8, 0x00200000 | AF | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM32_S1, &r, 40, 5 * SZ_2M + 7, &o), REFWALK_OK);
	assert_true(o.pa == 0x200007 && o.level == 2);
	assert_int_equal(walk(IOPGT_FMT_ARM32_S1, &r, 40, 1ull << 30, &o), REFWALK_FAULT);
	/* output bits above 40 are not AArch32 */
	put(0x10000 + 6 * 8, 0x10000200000ull | AF | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM32_S1, &r, 40, 6 * SZ_2M, &o), REFWALK_RESERVED);
	/* VTCR: T0SZ -8 (40 bits, S = 1), SL0 1: two concatenated level-1 tables */
	r.vtcr = 0x8 | (1ull << 4) | (1ull << 6) | (1ull << 31);
	r.vttbr = 0x10000;
	put(0x10000 + 1000 * 8, 0x80000000 | AF | (3 << 6) | (0xf << 2) | 1);
	assert_int_equal(walk(IOPGT_FMT_ARM32_S2, &r, 40, (1000ull << 30) + 9, &o), REFWALK_OK);
	assert_true(o.pa == 0x80000009);
	assert_int_equal(o.prot, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stage1_4k_blocks_pages_runs_and_faults_decode_as_the_arm_arm_says),
		cmocka_unit_test(stage1_64k_52bit_addresses_use_bits_15_to_12),
		cmocka_unit_test(stage1_4k_lpa2_walks_from_level_minus_1_with_pa_51_50_in_bits_9_8),
		cmocka_unit_test(stage2_lpa2_start_levels_from_sl0_sl2_and_ds),
		cmocka_unit_test(stage2_concatenated_root_permissions_and_memattr),
		cmocka_unit_test(aarch32_ttbcr_and_vtcr_select_the_start_level),
	};

	return cmocka_run_group_tests_name("lpae-refwalk", tests, NULL, NULL);
}
