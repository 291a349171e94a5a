/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_core.c - the format-independent API: error strings,
 * iopgt_init() validation for every format, the hosted default allocator,
 * the object's life cycle (fini twice, use after fini), and the text of a
 * leaf.
 */
#include <stdio.h>
#include <string.h>

#include "image.h" /* and, through tutil.h, the SZ_* sizes */

static const enum iopgt_fmt all_fmts[] = { IOPGT_FMT_ARM64_S1, IOPGT_FMT_ARM64_S2,
					   IOPGT_FMT_ARM32_S1, IOPGT_FMT_ARM32_S2,
					   IOPGT_FMT_ARMV7S };

/* a valid configuration of each format, with the test allocator */
static struct iopgt_cfg base_cfg(enum iopgt_fmt f, struct tmem *m)
{
	struct iopgt_cfg c;

	memset(&c, 0, sizeof(c));
	c.fmt = f;
	switch (f) {
	case IOPGT_FMT_ARM64_S1:
	case IOPGT_FMT_ARM64_S2:
		c.ias = 48;
		c.oas = 48;
		break;
	case IOPGT_FMT_ARM32_S1:
		c.ias = 32;
		c.oas = 40;
		break;
	case IOPGT_FMT_ARM32_S2:
		c.ias = 40;
		c.oas = 40;
		break;
	default:
		c.ias = 32;
		c.oas = 32;
		break;
	}
	if (m)
		tmem_hooks(m, &c.mem);
	return c;
}

/* iopgt_init with @c must return @want; on success fini; no leak either way */
static void expect_init(const struct iopgt_cfg *c, int want, const char *what)
{
	struct iopgt pt;
	struct tmem *m = c->mem.ctx;
	int rc;

	memset(&pt, 0xa5, sizeof(pt));
	rc = iopgt_init(&pt, c);
	TCHECK(rc == want, "%s: fmt %d ias %u oas %u pgsizes 0x%llx quirks 0x%x: init = %d (%s), "
	       "expected %d", what, c->fmt, c->ias, c->oas, (unsigned long long)c->pgsizes,
	       c->quirks, rc, iopgt_strerror(rc), want);
	if (rc == IOPGT_OK)
		iopgt_fini(&pt);
	if (m)
		TCHECK(m->allocs_held == 0, "%s: init/fini left %llu tables", what,
		       (unsigned long long)m->allocs_held);
}

static void strerror_names_every_code(void **state)
{
	int e;
	const char *unknown = iopgt_strerror(12345);

	(void)state;
	assert_non_null(unknown);
	assert_string_equal(unknown, "unknown error");
	for (e = IOPGT_ERR_CORRUPT; e <= IOPGT_OK; e++) {
		const char *s = iopgt_strerror(e);
		int f;

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, unknown);
		for (f = IOPGT_ERR_CORRUPT; f < e; f++)
			assert_string_not_equal(s, iopgt_strerror(f));
	}
	assert_string_equal(iopgt_strerror(IOPGT_ERR_CORRUPT - 1), unknown);
	assert_string_equal(iopgt_strerror(1), unknown);
	assert_string_equal(iopgt_strerror(-1000), unknown);
}

static void init_rejects_null_pt_and_cfg(void **state)
{
	struct iopgt pt;
	struct iopgt_cfg c = base_cfg(IOPGT_FMT_ARM64_S1, NULL);

	(void)state;
	assert_int_equal(iopgt_init(NULL, &c), IOPGT_ERR_INVAL);
	assert_int_equal(iopgt_init(&pt, NULL), IOPGT_ERR_INVAL);
}

static void init_rejects_unknown_format(void **state)
{
	struct tmem m;
	struct iopgt_cfg c;

	(void)state;
	tmem_init(&m, 0x80000000ull, 40, 1);
	c = base_cfg(IOPGT_FMT_ARM64_S1, &m);
	c.fmt = (enum iopgt_fmt)0;
	expect_init(&c, IOPGT_ERR_INVAL, "fmt 0");
	c.fmt = (enum iopgt_fmt)6;
	expect_init(&c, IOPGT_ERR_INVAL, "fmt 6");
	c.fmt = (enum iopgt_fmt)-1;
	expect_init(&c, IOPGT_ERR_INVAL, "fmt -1");
	tmem_fini(&m);
}

struct range_case {
	enum iopgt_fmt fmt;
	unsigned ias_lo, ias_hi, oas_lo, oas_hi;
};

static void init_checks_ias_and_oas_ranges_per_format(void **state)
{
	static const struct range_case rc[] = {
		{ IOPGT_FMT_ARM64_S1, 25, 52, 32, 48 },
		{ IOPGT_FMT_ARM64_S2, 25, 52, 32, 48 },
		{ IOPGT_FMT_ARM32_S1, 25, 32, 32, 40 },
		{ IOPGT_FMT_ARM32_S2, 25, 40, 32, 40 },
	};
	struct tmem m;
	size_t i;

	(void)state;
	tmem_init(&m, 0x80000000ull, 32, 2);
	for (i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		struct iopgt_cfg c = base_cfg(rc[i].fmt, &m);
		unsigned v;

		for (v = 0; v <= 64; v++) {
			bool ok = v >= rc[i].ias_lo && v <= rc[i].ias_hi;

			c.ias = v;
			c.oas = 32;
			/* AArch64 49..52: FEAT_LPA2 with the 4K granule (level -1) */
			expect_init(&c, ok ? IOPGT_OK : IOPGT_ERR_INVAL, "ias sweep");
		}
		c = base_cfg(rc[i].fmt, &m);
		for (v = 0; v <= 64; v++) {
			bool ok = v >= rc[i].oas_lo && v <= rc[i].oas_hi;

			c.oas = v;
			/* AArch64 52 (no PARange lies between 48 and 52): FEAT_LPA2
			 * with the 4K granule */
			if (rc[i].ias_hi == 52 && v == 52)
				ok = true;
			expect_init(&c, ok ? IOPGT_OK : IOPGT_ERR_INVAL, "oas sweep");
		}
	}
	/* 52-bit output with every granule: FEAT_LPA (64K), FEAT_LPA2 (4K, 16K) */
	{
		struct iopgt_cfg c = base_cfg(IOPGT_FMT_ARM64_S1, &m);

		c.oas = 52;
		c.pgsizes = SZ_64K;
		expect_init(&c, IOPGT_OK, "oas 52 with 64K");
		c.oas = 49;
		expect_init(&c, IOPGT_ERR_INVAL, "oas 49 with 64K");
		c.oas = 53;
		expect_init(&c, IOPGT_ERR_INVAL, "oas 53 with 64K");
		c = base_cfg(IOPGT_FMT_ARM64_S2, &m);
		c.oas = 52;
		c.pgsizes = SZ_64K;
		expect_init(&c, IOPGT_OK, "S2 oas 52 with 64K");
		for (unsigned f = IOPGT_FMT_ARM64_S1; f <= IOPGT_FMT_ARM64_S2; f++) {
			c = base_cfg((enum iopgt_fmt)f, &m);
			c.oas = 52;
			c.pgsizes = SZ_4K;
			expect_init(&c, IOPGT_OK, "oas 52 with 4K");
			c.pgsizes = SZ_16K;
			expect_init(&c, IOPGT_OK, "oas 52 with 16K");
			c.ias = 52;
			expect_init(&c, IOPGT_OK, "ias 52 with 16K");
			c.pgsizes = SZ_64K;
			expect_init(&c, IOPGT_OK, "ias 52 with 64K");
			c.ias = 53;
			expect_init(&c, IOPGT_ERR_INVAL, "ias 53");
			c.ias = 52;
			c.oas = 51;
			expect_init(&c, IOPGT_ERR_INVAL, "oas 51");
		}
	}
	/* v7s: ias 32 only; oas 32, up to 40 with 16M supersections, 35 with MTK_EXT */
	{
		struct iopgt_cfg c = base_cfg(IOPGT_FMT_ARMV7S, &m);
		unsigned v;

		for (v = 0; v <= 64; v++) {
			c.ias = v;
			expect_init(&c, v == 32 ? IOPGT_OK : IOPGT_ERR_INVAL, "v7s ias sweep");
		}
		c.ias = 32;
		c.oas = 31;
		expect_init(&c, IOPGT_ERR_INVAL, "v7s oas 31");
		c.oas = 40;
		c.pgsizes = SZ_4K | SZ_64K | SZ_1M | SZ_16M;
		expect_init(&c, IOPGT_OK, "v7s oas 40 with supersections");
		c.oas = 41;
		expect_init(&c, IOPGT_ERR_INVAL, "v7s oas 41");
		c.oas = 33;
		c.pgsizes = SZ_4K | SZ_64K | SZ_1M;
		expect_init(&c, IOPGT_ERR_INVAL, "v7s oas 33 without supersections");
		c.quirks = IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS;
		c.oas = 35;
		expect_init(&c, IOPGT_OK, "v7s oas 35 with MTK_EXT");
	}
	tmem_fini(&m);
}

static void init_rejects_sizes_the_granule_cannot_produce(void **state)
{
	static const struct {
		enum iopgt_fmt fmt;
		uint64_t pgsizes;
		int want;
	} cases[] = {
		/* 4K granule: pages, 64K runs, 2M blocks, 32M runs, 1G blocks, 16G runs */
		{ IOPGT_FMT_ARM64_S1, SZ_4K | 0x2000, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, SZ_4K | 0x20000, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, SZ_4K | SZ_1M, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, SZ_4K | SZ_512M, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, SZ_4K | (1ull << 39), IOPGT_ERR_INVAL }, /* no level-0 blocks */
		{ IOPGT_FMT_ARM64_S1, SZ_4K | SZ_64K | SZ_2M | SZ_32M | SZ_1G | (16 * SZ_1G),
		  IOPGT_OK },
		/* 16K: pages, 2M runs, 32M blocks, 1G runs; no 64G blocks */
		{ IOPGT_FMT_ARM64_S1, SZ_16K | SZ_2M | SZ_32M | SZ_1G, IOPGT_OK },
		{ IOPGT_FMT_ARM64_S1, SZ_16K | SZ_64K, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, SZ_16K | (64 * SZ_1G), IOPGT_ERR_INVAL },
		/* 64K: pages, 2M runs, 512M blocks, 16G runs; no 4T blocks at 48 bits */
		{ IOPGT_FMT_ARM64_S2, SZ_64K | SZ_2M | SZ_512M | 16 * SZ_1G, IOPGT_OK },
		{ IOPGT_FMT_ARM64_S2, SZ_64K | SZ_1M, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S2, SZ_64K | (1ull << 42), IOPGT_ERR_INVAL },
		/* two granules' pages mixed */
		{ IOPGT_FMT_ARM64_S1, SZ_4K | SZ_16K, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, SZ_4K | SZ_64K | SZ_16K, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S2, SZ_16K | SZ_64K, IOPGT_ERR_INVAL },
		/* granules the format lacks */
		{ IOPGT_FMT_ARM32_S1, SZ_16K, IOPGT_ERR_NOTSUP },
		{ IOPGT_FMT_ARM32_S2, SZ_64K, IOPGT_ERR_NOTSUP },
		{ IOPGT_FMT_ARM32_S1, SZ_4K | SZ_64K | SZ_2M | SZ_32M | SZ_1G, IOPGT_OK },
		{ IOPGT_FMT_ARM32_S1, SZ_4K | 0x8000, IOPGT_ERR_INVAL },
		/* v7s: 4K, 64K, 1M, 16M only */
		{ IOPGT_FMT_ARMV7S, SZ_4K | SZ_64K | SZ_1M | SZ_16M, IOPGT_OK },
		{ IOPGT_FMT_ARMV7S, SZ_4K | SZ_2M, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARMV7S, SZ_4K | 0x8000, IOPGT_ERR_INVAL },
		/* no granule at all: a block size alone is no page */
		{ IOPGT_FMT_ARM64_S1, 0x800, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, 1, IOPGT_ERR_INVAL },
		{ IOPGT_FMT_ARM64_S1, 1ull << 63, IOPGT_ERR_INVAL },
	};
	struct tmem m;
	size_t i;

	(void)state;
	tmem_init(&m, 0x80000000ull, 40, 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iopgt_cfg c = base_cfg(cases[i].fmt, &m);
		char what[64];

		c.pgsizes = cases[i].pgsizes;
		snprintf(what, sizeof(what), "pgsizes case %zu", i);
		expect_init(&c, cases[i].want, what);
	}
	tmem_fini(&m);
}

static void init_checks_quirks_per_format(void **state)
{
	/* which quirks each format has */
	static const struct {
		enum iopgt_fmt fmt;
		uint32_t has, either; /* either: the contract leaves it open */
	} q[] = {
		{ IOPGT_FMT_ARM64_S1, IOPGT_QUIRK_NS | IOPGT_QUIRK_TTBR1 | IOPGT_QUIRK_OUTER_WBWA |
					      IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE |
					      IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS, 0 },
		{ IOPGT_FMT_ARM64_S2, IOPGT_QUIRK_OUTER_WBWA | IOPGT_QUIRK_S2FWB |
					      IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE |
					      IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS, 0 },
		{ IOPGT_FMT_ARM32_S1, IOPGT_QUIRK_NS | IOPGT_QUIRK_OUTER_WBWA |
					      IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE, 0 },
		{ IOPGT_FMT_ARM32_S2, IOPGT_QUIRK_OUTER_WBWA | IOPGT_QUIRK_NO_SPLIT |
					      IOPGT_QUIRK_SPLIT_IN_PLACE, IOPGT_QUIRK_S2FWB },
		/* MTK_EXT alone: v7s documents NOTSUP without NO_PERMS */
		{ IOPGT_FMT_ARMV7S, IOPGT_QUIRK_NS | IOPGT_QUIRK_NO_PERMS,
		  IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE | IOPGT_QUIRK_MTK_EXT },
	};
	struct tmem m;
	size_t i;
	unsigned b;

	(void)state;
	tmem_init(&m, 0x80000000ull, 32, 4);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct iopgt_cfg c = base_cfg(q[i].fmt, &m);
		const uint32_t every = IOPGT_QUIRK_CONCURRENT; /* every format has it */

		for (b = 0; b < 32; b++) {
			uint32_t bit = 1u << b;
			char what[64];

			snprintf(what, sizeof(what), "quirk bit %u", b);
			c.quirks = bit;
			if (!(bit & IOPGT_QUIRK_ALL)) {
				expect_init(&c, IOPGT_ERR_INVAL, what);
			} else if (bit & q[i].either) {
				struct iopgt pt;
				int rc = iopgt_init(&pt, &c);

				TCHECK(rc == IOPGT_OK || rc == IOPGT_ERR_NOTSUP, "%s: %d", what, rc);
				if (rc == IOPGT_OK)
					iopgt_fini(&pt);
			}
			else if (bit & (q[i].has | every))
				expect_init(&c, IOPGT_OK, what);
			else
				expect_init(&c, IOPGT_ERR_NOTSUP, what);
		}
		/* an unknown bit is INVAL even next to a known one */
		c.quirks = (q[i].has & -q[i].has) | (1u << 31);
		expect_init(&c, IOPGT_ERR_INVAL, "known + unknown quirk");
	}
	tmem_fini(&m);
}

static void *dummy_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	(void)ctx;
	(void)size;
	(void)align;
	(void)pa;
	fail_msg("allocator called for an invalid configuration");
	return NULL;
}

static void dummy_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx;
	(void)va;
	(void)pa;
	(void)size;
	fail_msg("free called for an invalid configuration");
}

static void init_rejects_partial_mem_callbacks(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all_fmts) / sizeof(all_fmts[0]); i++) {
		struct iopgt_cfg c = base_cfg(all_fmts[i], NULL);

		c.mem.alloc = dummy_alloc;
		expect_init(&c, IOPGT_ERR_INVAL, "alloc without free");
		c.mem.alloc = NULL;
		c.mem.free = dummy_free;
		expect_init(&c, IOPGT_ERR_INVAL, "free without alloc");
		c.mem.free = NULL;
		c.mem.phys_to_virt = tmem_phys_to_virt;
		expect_init(&c, IOPGT_ERR_INVAL, "phys_to_virt alone");
	}
}

static void init_failure_of_the_root_allocation_is_nomem(void **state)
{
	size_t i;
	struct tmem m;

	(void)state;
	tmem_init(&m, 0x80000000ull, 32, 5);
	m.fail_all = true;
	for (i = 0; i < sizeof(all_fmts) / sizeof(all_fmts[0]); i++) {
		struct iopgt_cfg c = base_cfg(all_fmts[i], &m);

		expect_init(&c, IOPGT_ERR_NOMEM, "allocator fails");
	}
	tmem_fini(&m);
}

static void count_leaf(void *ctx, const char *line)
{
	(void)line;
	(*(int *)ctx)++;
}

/* Map, look up, unmap, with cfg.mem all NULL: built-in allocator, pa == va. */
static void hosted_default_allocator_works_and_does_not_leak(void **state)
{
	unsigned round, n = test_iters(200);
	size_t i;

	(void)state;
	for (round = 0; round < n; round++) {
		for (i = 0; i < sizeof(all_fmts) / sizeof(all_fmts[0]); i++) {
			struct iopgt_cfg c = base_cfg(all_fmts[i], NULL);
			struct iopgt pt;
			struct iopgt_mapping m;
			struct iopgt_stats st;
			int leaves = 0;
			uint64_t iova = 0x40000000ull + (uint64_t)round * SZ_2M;

			int rc;

			/* pa == va: AArch64 takes any user-space address with 48 output
			 * bits; 32/40-bit formats only get memory below 2^oas by luck
			 * on a 64-bit host, and then say NOTSUP */
			c.oas = all_fmts[i] == IOPGT_FMT_ARMV7S ? 32 : 40;
			if (all_fmts[i] == IOPGT_FMT_ARM64_S1 || all_fmts[i] == IOPGT_FMT_ARM64_S2)
				c.oas = 48;
			rc = iopgt_init(&pt, &c);
			if (rc == IOPGT_ERR_NOTSUP && c.oas < 48 && sizeof(void *) == 8)
				continue;
			assert_int_equal(rc, IOPGT_OK);
			rc = iopgt_map(&pt, iova, 0x12340000ull, SZ_64K, IOPGT_READ | IOPGT_WRITE);
			if (rc == IOPGT_ERR_NOTSUP && c.oas < 48 && sizeof(void *) == 8) {
				iopgt_fini(&pt);
				continue;
			}
			assert_int_equal(rc, IOPGT_OK);
			assert_int_equal(iopgt_map(&pt, iova + SZ_1M, 0x100000ull, SZ_4K, IOPGT_READ),
					 IOPGT_OK);
			assert_int_equal(iopgt_lookup(&pt, iova + 0x3000, &m), IOPGT_OK);
			assert_true(m.pa + (iova + 0x3000 - m.iova) == 0x12343000ull);
			assert_int_equal(iopgt_get_stats(&pt, &st), IOPGT_OK);
			assert_true(st.tables >= 2);
			assert_int_equal(iopgt_dump(&pt, count_leaf, &leaves), IOPGT_OK);
			assert_true(leaves >= 2);
			if (round & 1) /* half the rounds leave mappings for fini to free */
				assert_int_equal(iopgt_unmap(&pt, iova, SZ_2M), IOPGT_OK);
			iopgt_fini(&pt);
		}
	}
}

static void fini_twice_and_use_after_fini_are_inval(void **state)
{
	size_t i;
	struct tmem m;

	(void)state;
	tmem_init(&m, 0x80000000ull, 32, 6);
	for (i = 0; i < sizeof(all_fmts) / sizeof(all_fmts[0]); i++) {
		struct iopgt_cfg c = base_cfg(all_fmts[i], &m);
		struct iopgt pt;
		struct iopgt_mapping mp;
		struct iopgt_stats st;
		struct iopgt_regs regs;
		uint64_t frees;

		c.oas = 32;
		assert_int_equal(iopgt_init(&pt, &c), IOPGT_OK);
		assert_int_equal(iopgt_map(&pt, 0x100000, 0x200000, SZ_4K, IOPGT_READ), IOPGT_OK);
		iopgt_fini(&pt);
		assert_int_equal(m.allocs_held, 0);
		frees = m.frees_total;
		iopgt_fini(&pt); /* twice: nothing happens */
		assert_int_equal(m.frees_total, frees);
		assert_int_equal(iopgt_map(&pt, 0x100000, 0x200000, SZ_4K, IOPGT_READ),
				 IOPGT_ERR_INVAL);
		assert_int_equal(iopgt_unmap(&pt, 0x100000, SZ_4K), IOPGT_ERR_INVAL);
		assert_int_equal(iopgt_lookup(&pt, 0x100000, &mp), IOPGT_ERR_INVAL);
		assert_int_equal(iopgt_get_stats(&pt, &st), IOPGT_ERR_INVAL);
		memset(&regs, 0x5a, sizeof(regs));
		iopgt_get_regs(&pt, &regs);
		assert_true(regs.ttbr == 0 && regs.tcr == 0 && regs.mair == 0 && regs.vttbr == 0 &&
			    regs.vtcr == 0 && regs.prrr == 0 && regs.nmrr == 0);
		assert_int_equal(m.frees_total, frees);
	}
	iopgt_fini(NULL);
	tmem_fini(&m);
}

static void calls_on_null_or_uninitialised_objects_are_inval(void **state)
{
	struct iopgt pt;
	struct iopgt_mapping mp;
	struct iopgt_stats st;
	struct iopgt_regs regs;

	(void)state;
	memset(&pt, 0, sizeof(pt));
	assert_int_equal(iopgt_map(NULL, 0, 0, SZ_4K, IOPGT_READ), IOPGT_ERR_INVAL);
	assert_int_equal(iopgt_unmap(NULL, 0, SZ_4K), IOPGT_ERR_INVAL);
	assert_int_equal(iopgt_lookup(NULL, 0, &mp), IOPGT_ERR_INVAL);
	assert_int_equal(iopgt_get_stats(NULL, &st), IOPGT_ERR_INVAL);
	assert_int_equal(iopgt_map(&pt, 0, 0, SZ_4K, IOPGT_READ), IOPGT_ERR_INVAL);
	assert_int_equal(iopgt_lookup(&pt, 0, &mp), IOPGT_ERR_INVAL);
	memset(&regs, 0x5a, sizeof(regs));
	iopgt_get_regs(NULL, &regs);
	assert_true(regs.ttbr == 0 && regs.tcr == 0 && regs.vtcr == 0 && regs.prrr == 0);
}

/* Argument checks of map/unmap/lookup common to every format. */
static void map_and_unmap_validate_arguments(void **state)
{
	size_t i;
	static struct th h;

	(void)state;
	for (i = 0; i < sizeof(all_fmts) / sizeof(all_fmts[0]); i++) {
		struct iopgt_cfg c = base_cfg(all_fmts[i], NULL);
		struct iopgt_mapping mp;
		uint64_t top;

		c.oas = 32;
		tctx_set("fmt %d", c.fmt);
		assert_int_equal(th_init(&h, &c, NULL, 7), IOPGT_OK);
		top = h.range_last + 1;
		assert_int_equal(th_map(&h, 0x1000, 0x1000, SZ_4K, 0), IOPGT_ERR_INVAL);
		assert_int_equal(th_map(&h, 0x1000, 0x1000, SZ_4K, IOPGT_NOEXEC | IOPGT_CACHE),
				 IOPGT_ERR_INVAL);
		assert_int_equal(th_map(&h, 0x1000, 0x1000, SZ_4K, IOPGT_READ | (1u << 6)),
				 IOPGT_ERR_INVAL);
		assert_int_equal(th_map(&h, 0x1800, 0x1000, SZ_4K, IOPGT_READ), IOPGT_ERR_INVAL);
		assert_int_equal(th_map(&h, 0x1000, 0x1800, SZ_4K, IOPGT_READ), IOPGT_ERR_INVAL);
		assert_int_equal(th_map(&h, 0x1000, 0x1000, 0x800, IOPGT_READ), IOPGT_ERR_INVAL);
		assert_int_equal(th_map(&h, 0x1000, 0x1000, 0, IOPGT_READ), IOPGT_ERR_INVAL);
		assert_int_equal(th_map(&h, top - SZ_4K, 0x1000, 2 * SZ_4K, IOPGT_READ),
				 IOPGT_ERR_RANGE);
		if (top)
			assert_int_equal(th_map(&h, top, 0x1000, SZ_4K, IOPGT_READ),
					 IOPGT_ERR_RANGE);
		assert_int_equal(th_map(&h, 0x1000, 0xfffff000ull, 2 * SZ_4K, IOPGT_READ),
				 IOPGT_ERR_RANGE);
		assert_int_equal(th_map(&h, 0x1000, ~0xfffull, 2 * SZ_4K, IOPGT_READ),
				 IOPGT_ERR_RANGE);
		assert_int_equal(th_unmap(&h, 0x1800, SZ_4K), IOPGT_ERR_INVAL);
		assert_int_equal(th_unmap(&h, 0x1000, 0), IOPGT_ERR_INVAL);
		assert_int_equal(th_unmap(&h, 0x1000, 0x800), IOPGT_ERR_INVAL);
		assert_int_equal(th_unmap(&h, top - SZ_4K, 2 * SZ_4K), IOPGT_ERR_RANGE);
		assert_int_equal(th_unmap(&h, ~0xfffull, 2 * SZ_4K), IOPGT_ERR_RANGE);
		assert_int_equal(iopgt_lookup(&h.pt, 0x1000, NULL), IOPGT_ERR_INVAL);
		if (top)
			assert_int_equal(iopgt_lookup(&h.pt, top, &mp), IOPGT_ERR_RANGE);
		assert_int_equal(iopgt_lookup(&h.pt, 0x1000, &mp), IOPGT_ERR_NOENT);
		/* nothing mapped: unmap is fine */
		assert_int_equal(th_unmap(&h, 0, SZ_1M), IOPGT_OK);
		/* WRITE alone is enough */
		assert_int_equal(th_map(&h, 0x1000, 0x1000, SZ_4K, IOPGT_WRITE), IOPGT_OK);
		assert_int_equal(th_map(&h, 0x1000, 0x3000, SZ_4K, IOPGT_READ), IOPGT_ERR_EXIST);
		th_check_all(&h);
		th_fini(&h);
	}
}

static int keep_leaf(void *ctx, const struct iopgt_leaf *lf)
{
	*(struct iopgt_leaf *)ctx = *lf;
	return 0;
}

/*
 * The example line in the comment of iopgt_format_leaf() (iopgt.h) is what
 * the function prints: an AArch64 stage-1 4K page at IOVA 0x1000, mapped to
 * 0x80000000 read, write, cacheable. Keep the two the same.
 */
static void format_leaf_prints_the_documented_example(void **state)
{
	static const char doc_line[] = "0x1000-0x1fff -> 0x80000000 4K level 3 read write exec "
				       "cacheable unprivileged desc 0x80000f47";
	static const char doc_line_no_pt[] = "0x1000-0x1fff -> 0x80000000 4K level 3 read write "
					     "exec cacheable desc 0x80000f47";
	struct tmem m;
	struct iopgt_cfg c;
	struct iopgt pt;
	struct iopgt_leaf lf;
	char buf[160];

	(void)state;
	tmem_init(&m, tbit(47), 48, 8);
	c = base_cfg(IOPGT_FMT_ARM64_S1, &m);
	assert_int_equal(iopgt_init(&pt, &c), IOPGT_OK);
	assert_int_equal(iopgt_map(&pt, 0x1000, 0x80000000ull, SZ_4K,
				   IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE),
			 IOPGT_OK);
	memset(&lf, 0, sizeof(lf));
	assert_int_equal(iopgt_walk(&pt, 0x1000, SZ_4K, keep_leaf, &lf), IOPGT_OK);
	assert_int_equal(iopgt_format_leaf(&pt, &lf, buf, sizeof(buf)), strlen(doc_line));
	assert_string_equal(buf, doc_line);
	/* without the tables: the words that depend on the format are left out */
	assert_int_equal(iopgt_format_leaf(NULL, &lf, buf, sizeof(buf)), strlen(doc_line_no_pt));
	assert_string_equal(buf, doc_line_no_pt);
	iopgt_fini(&pt);
	tmem_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strerror_names_every_code),
		cmocka_unit_test(init_rejects_null_pt_and_cfg),
		cmocka_unit_test(init_rejects_unknown_format),
		cmocka_unit_test(init_checks_ias_and_oas_ranges_per_format),
		cmocka_unit_test(init_rejects_sizes_the_granule_cannot_produce),
		cmocka_unit_test(init_checks_quirks_per_format),
		cmocka_unit_test(init_rejects_partial_mem_callbacks),
		cmocka_unit_test(init_failure_of_the_root_allocation_is_nomem),
		cmocka_unit_test(hosted_default_allocator_works_and_does_not_leak),
		cmocka_unit_test(fini_twice_and_use_after_fini_are_inval),
		cmocka_unit_test(calls_on_null_or_uninitialised_objects_are_inval),
		cmocka_unit_test(map_and_unmap_validate_arguments),
		cmocka_unit_test(format_leaf_prints_the_documented_example),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
