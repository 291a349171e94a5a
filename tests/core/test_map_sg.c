/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_map_sg.c - iopgt_map_sg(): scattered segments mapped back
 * to back, in every format.
 *
 *  - Random segment lists and unmaps through the walker-image harness
 *    (dirty ranges, ordering, at most two sync calls per call, model), and
 *    differentially: a second object maps each segment with its own
 *    iopgt_map(), and both must hold the same leaves (a leaf never spans
 *    two segments, each segment gets the largest sizes its alignment
 *    allows).
 *  - A failed allocation at every allocation a call makes: nothing changes.
 *  - One sync call for scattered pages into a live table, one range.
 *  - Argument errors, and v7s output addresses that only supersections hold.
 * IOPGT_TEST_SEED=n replays a seed; IOPGT_TEST_SCALE scales the counts.
 */
#include <string.h>

#include "image.h"

static struct th h;
static struct tmem shadow_mem; /* the second object's tables */

struct sgcfg {
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t gran;
	uint32_t quirks;
};

static const struct sgcfg cfgs[] = {
	{ IOPGT_FMT_ARM64_S1, 48, 48, SZ_4K, 0 },
	{ IOPGT_FMT_ARM64_S2, 40, 44, SZ_16K, 0 },
	{ IOPGT_FMT_ARM64_S1, 48, 52, SZ_64K, 0 },
	{ IOPGT_FMT_ARM32_S1, 32, 40, SZ_4K, 0 },
	{ IOPGT_FMT_ARMV7S, 32, 32, SZ_4K, 0 },
	{ IOPGT_FMT_ARMV7S, 32, 35, SZ_4K, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS },
};

static uint64_t cfg_sizes(const struct sgcfg *c)
{
	if (c->fmt == IOPGT_FMT_ARMV7S)
		return V7S_PGSIZES;
	return th_lpae_sizes(c->fmt, c->gran, c->ias, c->oas);
}

static void start(const struct sgcfg *c, uint64_t seed, struct iopgt *shadow)
{
	struct iopgt_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = c->fmt;
	cfg.ias = c->ias;
	cfg.oas = c->oas;
	cfg.pgsizes = cfg_sizes(c);
	cfg.quirks = c->quirks;
	tctx_set("fmt %d granule 0x%llx ias %u oas %u quirks 0x%x seed %llu", c->fmt,
		 (unsigned long long)c->gran, c->ias, c->oas, c->quirks, (unsigned long long)seed);
	TCHECK_EQ(th_init(&h, &cfg, NULL, seed), IOPGT_OK);
	if (shadow) {
		unsigned bits = c->fmt == IOPGT_FMT_ARMV7S || c->oas > 40 ? 32 : c->oas;

		tmem_init(&shadow_mem, 1ull << 30, bits, seed);
		tmem_hooks(&shadow_mem, &cfg.mem);
		TCHECK_EQ(iopgt_init(shadow, &cfg), IOPGT_OK);
	}
}

/* ---- differential comparison of the leaves of two objects ---- */

struct cmp {
	const struct iopgt *other;
	uint64_t leaves;
};

/* every leaf of one object is a leaf of the other, exactly */
static int match_leaf(void *ctx, const struct iopgt_leaf *lf)
{
	struct cmp *c = ctx;
	struct iopgt_mapping m;
	int rc = iopgt_lookup(c->other, lf->m.iova, &m);

	TCHECK(rc == IOPGT_OK && m.iova == lf->m.iova && m.pa == lf->m.pa &&
		       m.size == lf->m.size && m.prot == lf->m.prot,
	       "leaf 0x%llx -> 0x%llx size 0x%llx prot 0x%x: the other object has %d, "
	       "0x%llx -> 0x%llx size 0x%llx prot 0x%x", (unsigned long long)lf->m.iova,
	       (unsigned long long)lf->m.pa, (unsigned long long)lf->m.size, lf->m.prot, rc,
	       (unsigned long long)m.iova, (unsigned long long)m.pa,
	       (unsigned long long)m.size, m.prot);
	c->leaves++;
	return 0;
}

static void same_leaves(const struct iopgt *a, const struct iopgt *b, uint64_t iova,
			uint64_t size)
{
	struct cmp ca = { b, 0 }, cb = { a, 0 };

	TCHECK_EQ(iopgt_walk(a, iova, size, match_leaf, &ca), IOPGT_OK);
	TCHECK_EQ(iopgt_walk(b, iova, size, match_leaf, &cb), IOPGT_OK);
	TCHECK(ca.leaves == cb.leaves, "map_sg made %llu leaves, one map per segment %llu",
	       (unsigned long long)ca.leaves, (unsigned long long)cb.leaves);
}

/* ---- random segment lists ---- */

#define MAXSEG 12

/* a segment size: pages, or one of the format's larger sizes */
static uint64_t seg_size(struct trng *r, uint64_t sizes)
{
	uint64_t big[16];
	unsigned nb = 0;

	for (unsigned b = 0; b < 64 && nb < 16; b++)
		if ((sizes & tbit(b)) && tbit(b) > h.granule && tbit(b) <= SZ_32M)
			big[nb++] = tbit(b);
	if (nb && trng_below(r, 3) == 0)
		return big[trng_below(r, nb)] * (1 + trng_below(r, 2));
	return h.granule * (1 + trng_below(r, 8));
}

/* an output address for @size: congruent with @iova to the largest size
 * most of the time (blocks form), anywhere granule-aligned otherwise */
static uint64_t seg_pa(struct trng *r, uint64_t iova, uint64_t size)
{
	const unsigned oas = h.cfg.fmt == IOPGT_FMT_ARMV7S && !(h.cfg.quirks & IOPGT_QUIRK_MTK_EXT)
				     ? 32 : h.cfg.oas;
	const uint64_t otop = tbit(oas), align = SZ_32M;
	uint64_t pa = trng_below(r, otop / align - 2) * align;

	if (trng_below(r, 4))
		pa += iova & (align - 1);
	else
		pa += trng_below(r, align / h.granule) * h.granule;
	if (pa + size > otop)
		pa = 0;
	return pa;
}

static void random_lists(const struct sgcfg *c, uint64_t seed, unsigned ops)
{
	static struct iopgt shadow;
	struct iopgt_seg segs[MAXSEG];
	const uint64_t sizes = cfg_sizes(c);
	uint64_t win;
	struct trng r;
	unsigned maps = 0, exist = 0, unmaps = 0;

	start(c, seed, &shadow);
	/* a window at the bottom of the input range */
	win = (h.range_last - h.base) < SZ_1G ? h.range_last - h.base + 1 : SZ_1G;
	trng_seed(&r, seed);
	for (unsigned op = 0; op < ops; op++) {
		if (trng_below(&r, 2)) {
			size_t n = 1 + trng_below(&r, MAXSEG);
			uint64_t total = 0, iova;
			uint32_t prot = trng_prot(&r);
			int rc;

			for (size_t k = 0; k < n; k++) {
				segs[k].size = seg_size(&r, sizes);
				total += segs[k].size;
			}
			if (total > win / 2)
				continue;
			iova = h.base + (trng_below(&r, (win - total) / h.granule) * h.granule);
			if (trng_below(&r, 2))
				iova = h.base + ((iova - h.base) & ~(SZ_2M - 1));
			{
				uint64_t at = iova;

				for (size_t k = 0; k < n; k++) {
					segs[k].pa = seg_pa(&r, at, segs[k].size);
					at += segs[k].size;
				}
			}
			rc = th_map_sg(&h, iova, segs, n, prot);
			if (rc == IOPGT_OK) {
				uint64_t at = iova;

				maps++;
				for (size_t k = 0; k < n; k++) {
					TCHECK_EQ(iopgt_map(&shadow, at, segs[k].pa, segs[k].size, prot),
						  IOPGT_OK);
					at += segs[k].size;
				}
				same_leaves(&h.pt, &shadow, iova, total);
			} else {
				TCHECK(rc == IOPGT_ERR_EXIST || (c->fmt == IOPGT_FMT_ARMV7S &&
								 rc == IOPGT_ERR_NOTSUP),
				       "map_sg: %d (%s)", rc, iopgt_strerror(rc));
				exist += rc == IOPGT_ERR_EXIST;
			}
		} else {
			uint64_t size = h.granule * (1 + trng_below(&r, 1024));

			if (trng_below(&r, 3) == 0)
				size = h.granule * (1 + trng_below(&r, SZ_1G / 8 / h.granule));
			uint64_t iova = h.base + trng_below(&r, (win - size) / h.granule) * h.granule;

			TCHECK_EQ(th_unmap(&h, iova, size), IOPGT_OK);
			TCHECK_EQ(iopgt_unmap(&shadow, iova, size), IOPGT_OK);
			unmaps++;
		}
	}
	th_check_all(&h);
	same_leaves(&h.pt, &shadow, h.base, win);
	TCHECK(maps > ops / 10 && exist > 0, "only %u maps, %u refused with EXIST", maps, exist);
	print_message("fmt %d granule 0x%llx: %u lists mapped, %u refused with EXIST, %u unmaps\n",
		      c->fmt, (unsigned long long)c->gran, maps, exist, unmaps);
	iopgt_fini(&shadow);
	tmem_fini(&shadow_mem);
	th_fini(&h);
}

static void test_random_lists_match_one_map_per_segment(void **state)
{
	const unsigned ops = 300 * test_scale();

	(void)state;
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		random_lists(&cfgs[i], test_seed(0x5e6 + i), ops);
}

/* ---- allocation failure at every allocation ---- */

static void test_allocation_failure_at_every_allocation_changes_nothing(void **state)
{
	const struct sgcfg *c = &cfgs[0];
	struct iopgt_seg segs[3] = {
		{ 0x40000000, SZ_4K },      /* a table per level down from the root */
		{ 0x80200000, SZ_2M },      /* a block */
		{ 0x7f0000000, 2 * SZ_4K }, /* into a new last-level table */
	};
	unsigned failures = 0;
	int rc;

	(void)state;
	start(c, 1, NULL);
	/* the last 4K of one 1G region, the next 2M block, then pages */
	for (unsigned j = 1;; j++) {
		h.mem.fail_at = j;
		rc = th_map_sg(&h, SZ_1G * 7 - SZ_4K, segs, 3, IOPGT_READ);
		if (rc == IOPGT_OK)
			break;
		TCHECK(rc == IOPGT_ERR_NOMEM, "allocation %u failed: %d, not NOMEM", j, rc);
		TCHECK(h.log.calls == 0, "failed map_sg made %u sync calls", h.log.calls);
		failures++;
		TCHECK(j < 64, "map_sg never succeeded");
	}
	h.mem.fail_at = 0;
	/* a level-1 table, a level-2 and a level-3 table for the first page,
	 * a level-2 table for the block and a level-3 table for the last
	 * pages: each of the five allocations failed once */
	TCHECK(failures == 5 && h.log.nal == 5, "%u allocations failed before success, %zu made",
	       failures, h.log.nal);
	th_check_all(&h);
	th_fini(&h);
}

/* ---- one sync call, one range ---- */

static void test_scattered_pages_into_a_live_table_are_one_sync_of_one_range(void **state)
{
	struct iopgt_seg segs[64];
	struct trng r;

	(void)state;
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		const struct sgcfg *c = &cfgs[i];
		const unsigned dsize = c->fmt == IOPGT_FMT_ARMV7S ? 4 : 8;
		/* a table of at least 64 pages, whose first page stays mapped */
		start(c, 2, NULL);
		trng_seed(&r, test_seed(77));
		TCHECK_EQ(th_map(&h, h.base, 0, h.granule, IOPGT_READ), IOPGT_OK);
		for (unsigned k = 0; k < 64; k++) {
			segs[k].pa = (SZ_16M + trng_below(&r, 4096) * h.granule) &
				     (tbit(c->oas < 32 ? c->oas : 32) - 1);
			segs[k].size = h.granule;
		}
		TCHECK_EQ(th_map_sg(&h, h.base + h.granule, segs, 64, IOPGT_READ | IOPGT_WRITE),
			  IOPGT_OK);
		TCHECK(h.log.calls == 1 && h.log.nrg == 1 && h.log.rg[0].len == 64u * dsize,
		       "%u sync calls, %zu ranges, first %zu bytes", h.log.calls, h.log.nrg,
		       h.log.nrg ? h.log.rg[0].len : 0);
		th_check_all(&h);
		th_fini(&h);
	}
}

/* ---- errors ---- */

static void test_bad_arguments_are_refused_and_change_nothing(void **state)
{
	const struct sgcfg *c = &cfgs[0];
	struct iopgt_seg s[2] = { { 0x100000, SZ_4K }, { 0x200000, SZ_4K } };
	struct iopgt_seg bad[2];
	struct iopgt dead;

	(void)state;
	start(c, 3, NULL);
	memset(&dead, 0, sizeof(dead));
	TCHECK_EQ(iopgt_map_sg(NULL, 0, s, 2, IOPGT_READ), IOPGT_ERR_INVAL);
	TCHECK_EQ(iopgt_map_sg(&dead, 0, s, 2, IOPGT_READ), IOPGT_ERR_INVAL);
	TCHECK_EQ(th_map_sg(&h, 0, NULL, 2, IOPGT_READ), IOPGT_ERR_INVAL);
	TCHECK_EQ(th_map_sg(&h, 0, s, 0, IOPGT_READ), IOPGT_ERR_INVAL);
	TCHECK_EQ(th_map_sg(&h, 0, s, 2, 0), IOPGT_ERR_INVAL);
	TCHECK_EQ(th_map_sg(&h, 0, s, 2, IOPGT_NOEXEC), IOPGT_ERR_INVAL);
	TCHECK_EQ(th_map_sg(&h, 0x800, s, 2, IOPGT_READ), IOPGT_ERR_INVAL);
	memcpy(bad, s, sizeof(s));
	bad[1].pa += 0x800;
	TCHECK_EQ(th_map_sg(&h, 0, bad, 2, IOPGT_READ), IOPGT_ERR_INVAL);
	memcpy(bad, s, sizeof(s));
	bad[1].size = 0;
	TCHECK_EQ(th_map_sg(&h, 0, bad, 2, IOPGT_READ), IOPGT_ERR_INVAL);
	memcpy(bad, s, sizeof(s));
	bad[1].size = SZ_4K + 8;
	TCHECK_EQ(th_map_sg(&h, 0, bad, 2, IOPGT_READ), IOPGT_ERR_INVAL);
	/* output beyond the OAS, a total that wraps, beyond the IAS */
	memcpy(bad, s, sizeof(s));
	bad[1].pa = tbit(48) - SZ_4K;
	bad[1].size = 2 * SZ_4K;
	TCHECK_EQ(th_map_sg(&h, 0, bad, 2, IOPGT_READ), IOPGT_ERR_RANGE);
	memcpy(bad, s, sizeof(s));
	bad[1].size = 0ull - SZ_4K;
	TCHECK_EQ(th_map_sg(&h, 0, bad, 2, IOPGT_READ), IOPGT_ERR_RANGE);
	TCHECK_EQ(th_map_sg(&h, tbit(48) - SZ_4K, s, 2, IOPGT_READ), IOPGT_ERR_RANGE);
	/* the second segment overlaps a live page: the first is not mapped */
	TCHECK_EQ(th_map(&h, SZ_4K, 0x300000, SZ_4K, IOPGT_READ), IOPGT_OK);
	TCHECK_EQ(th_map_sg(&h, 0, s, 2, IOPGT_READ), IOPGT_ERR_EXIST);
	{
		struct iopgt_mapping m;

		TCHECK_EQ(iopgt_lookup(&h.pt, 0, &m), IOPGT_ERR_NOENT);
	}
	th_check_all(&h);
	th_fini(&h);
}

static void test_v7s_pages_above_4g_are_refused_supersections_are_not(void **state)
{
	const struct sgcfg c = { IOPGT_FMT_ARMV7S, 32, 40, SZ_4K, 0 };
	struct iopgt_seg s[2] = { { 0x10000000, SZ_16M }, { 0x100000000ull, SZ_16M } };

	(void)state;
	start(&c, 4, NULL);
	TCHECK_EQ(th_map_sg(&h, 0x1000000, s, 2, IOPGT_READ), IOPGT_OK);
	s[1].size = SZ_1M;
	TCHECK_EQ(th_map_sg(&h, 0x8000000, s, 2, IOPGT_READ), IOPGT_ERR_NOTSUP);
	th_check_all(&h);
	th_fini(&h);
}

static void test_concurrent_objects_map_lists_too(void **state)
{
	struct iopgt pt;
	struct iopgt_cfg cfg;
	struct iopgt_seg s[3] = { { 0x5000, SZ_4K }, { 0x200000, SZ_2M }, { 0x9000, SZ_4K } };
	struct iopgt_mapping m;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = IOPGT_FMT_ARM64_S1;
	cfg.ias = cfg.oas = 48;
	cfg.quirks = IOPGT_QUIRK_CONCURRENT;
	TCHECK_EQ(iopgt_init(&pt, &cfg), IOPGT_OK);
	TCHECK_EQ(iopgt_map_sg(&pt, SZ_2M - SZ_4K, s, 3, IOPGT_READ), IOPGT_OK);
	TCHECK_EQ(iopgt_lookup(&pt, SZ_2M - SZ_4K, &m), IOPGT_OK);
	TCHECK(m.pa == 0x5000 && m.size == SZ_4K, "first segment");
	TCHECK_EQ(iopgt_lookup(&pt, SZ_2M + SZ_1M, &m), IOPGT_OK);
	TCHECK(m.pa == 0x200000 && m.size == SZ_2M, "second segment: a block");
	TCHECK_EQ(iopgt_lookup(&pt, 2 * SZ_2M, &m), IOPGT_OK);
	TCHECK(m.pa == 0x9000, "third segment");
	TCHECK_EQ(iopgt_map_sg(&pt, SZ_2M, s, 1, IOPGT_READ), IOPGT_ERR_EXIST);
	TCHECK_EQ(iopgt_unmap(&pt, 0, SZ_1G), IOPGT_OK);
	iopgt_fini(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_lists_match_one_map_per_segment),
		cmocka_unit_test(test_allocation_failure_at_every_allocation_changes_nothing),
		cmocka_unit_test(test_scattered_pages_into_a_live_table_are_one_sync_of_one_range),
		cmocka_unit_test(test_bad_arguments_are_refused_and_change_nothing),
		cmocka_unit_test(test_v7s_pages_above_4g_are_refused_supersections_are_not),
		cmocka_unit_test(test_concurrent_objects_map_lists_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
