/* SPDX-License-Identifier: MIT */
/*
 * tests/lpae/test_lpae_random.c - seeded random sequences of map and unmap
 * against the reference model. Sizes are biased towards blocks and
 * contiguous runs, unmaps towards partial ones that split them, and every
 * few operations a map overlaps a live mapping and must fail with EXIST.
 * Every call goes through the image checker (dirty ranges, TLB ordering);
 * the full state is compared every 64 operations and at the end.
 * IOPGT_TEST_SEED=n replays a seed; IOPGT_TEST_SCALE scales the counts.
 */
#include "lcommon.h"

static struct th h;

struct gen {
	struct trng r;
	uint64_t sizes[16];
	unsigned nsizes;
	uint64_t win[2], wsize; /* two windows: bottom and top of the range */
	uint64_t big;           /* largest size */
	bool faults;            /* inject allocation failures now and then */
};

static uint64_t pick_size(struct gen *g)
{
	if (trng_below(&g->r, 10) < 3)
		return g->sizes[0];
	return g->sizes[trng_below(&g->r, g->nsizes)];
}

static uint64_t rand_oa(struct gen *g, uint64_t iova, uint64_t size, bool congruent)
{
	uint64_t otop = tbit(h.cfg.oas), pa;
	uint64_t align = g->big;

	if (align > otop / 4)
		align = otop / 4;
	pa = trng_below(&g->r, otop / align - 1) * align;
	if (congruent)
		pa += (iova - h.base) & (align - 1);
	else
		pa += trng_below(&g->r, align / h.granule) * h.granule;
	if (pa + size > otop || pa + size < pa)
		pa = (otop - size - align) & ~(align - 1);
	return pa;
}

static void one_map(struct gen *g, bool overlap)
{
	uint64_t s = pick_size(g), size, iova, pa, w = g->win[trng_below(&g->r, 2)];
	uint32_t prot = lc_prots[trng_below(&g->r, LC_NPROTS)];
	bool congruent = trng_below(&g->r, 10) < 8;
	bool had = h.md.n != 0;
	int rc;

	size = s * (1 + trng_below(&g->r, 3));
	if (trng_below(&g->r, 4) == 0)
		size += h.granule * (1 + trng_below(&g->r, 8));
	if (!congruent && size > 64 * h.granule)
		size = h.granule * (1 + trng_below(&g->r, 64));
	if (size > g->wsize / 2)
		size = g->wsize / 2;
	if (overlap && h.md.n) {
		const struct mchunk *c = &h.md.c[trng_below(&g->r, h.md.n)];
		uint64_t at = c->iova + (trng_below(&g->r, c->size) & ~(h.granule - 1));

		/* start before, inside or exactly at the chunk */
		iova = h.base + at;
		if (trng_below(&g->r, 2) && at >= size)
			iova = h.base + at - (size - h.granule);
		if (iova + size - 1 > h.range_last || iova < h.base)
			iova = h.base + c->iova;
		if (size - 1 > h.range_last - iova)
			size = h.range_last - iova + 1;
	} else {
		uint64_t al = trng_below(&g->r, 5) == 0 ? h.granule : s;

		iova = w + (trng_below(&g->r, (g->wsize - size) / al + 1) * al);
	}
	if (iova < w || iova + size - 1 > w + g->wsize - 1) {
		if (!overlap)
			return;
	}
	pa = rand_oa(g, iova, size, congruent);
	if (g->faults && trng_below(&g->r, 3) == 0)
		h.mem.fail_at = 1 + (unsigned)trng_below(&g->r, 2);
	rc = th_map(&h, iova, pa, size, prot);
	if (rc == IOPGT_ERR_NOMEM)
		TCHECK(g->faults && h.mem.fail_at == 0, "unexpected NOMEM");
	else
		TCHECK(rc == IOPGT_OK || rc == IOPGT_ERR_EXIST, "map = %d (%s)", rc,
		       iopgt_strerror(rc));
	h.mem.fail_at = 0;
	if (overlap && had)
		TCHECK(rc == IOPGT_ERR_EXIST, "overlapping map = %d", rc);
}

static void one_unmap(struct gen *g)
{
	uint64_t iova, size;
	int rc;

	if (h.md.n && trng_below(&g->r, 4) != 0) {
		const struct mchunk *c = &h.md.c[trng_below(&g->r, h.md.n)];
		uint64_t pages = c->size / h.granule;

		switch (trng_below(&g->r, 4)) {
		case 0: /* the whole chunk */
			iova = h.base + c->iova;
			size = c->size;
			break;
		case 1: /* a piece inside: splits */
		{
			uint64_t a = trng_below(&g->r, pages), n = 1 + trng_below(&g->r, pages - a);

			if (trng_below(&g->r, 2))
				n = 1;
			iova = h.base + c->iova + a * h.granule;
			size = n * h.granule;
			break;
		}
		case 2: /* the head or the tail */
		{
			uint64_t n = 1 + trng_below(&g->r, pages);

			if (trng_below(&g->r, 2)) {
				iova = h.base + c->iova;
			} else {
				iova = h.base + c->iova + c->size - n * h.granule;
			}
			size = n * h.granule;
			break;
		}
		default: /* across it and its neighbours */
		{
			uint64_t pre = trng_below(&g->r, 4) * h.granule;

			iova = h.base + c->iova;
			iova = iova - h.base >= pre ? iova - pre : h.base;
			size = c->size + pre + pick_size(g);
			if (size - 1 > h.range_last - iova)
				size = h.range_last - iova + 1;
			break;
		}
		}
	} else {
		uint64_t w = g->win[trng_below(&g->r, 2)], s = pick_size(g);

		size = s * (1 + trng_below(&g->r, 2));
		if (size > g->wsize)
			size = g->wsize;
		iova = w + trng_below(&g->r, (g->wsize - size) / h.granule + 1) * h.granule;
	}
	if (g->faults && trng_below(&g->r, 2) == 0)
		h.mem.fail_at = 1;
	rc = th_unmap(&h, iova, size);
	if (rc == IOPGT_ERR_NOMEM)
		TCHECK(g->faults && h.mem.fail_at == 0, "unexpected NOMEM");
	else if (rc == IOPGT_ERR_BUSY)
		TCHECK((h.cfg.quirks & IOPGT_QUIRK_NO_SPLIT) && h.op.splits > 0,
		       "BUSY without a split to refuse");
	else
		TCHECK(rc == IOPGT_OK, "unmap = %d (%s)", rc, iopgt_strerror(rc));
	if (rc == IOPGT_OK && (h.cfg.quirks & IOPGT_QUIRK_NO_SPLIT))
		TCHECK(h.op.splits == 0, "NO_SPLIT: an unmap split a leaf");
	h.mem.fail_at = 0;
}

static void run_random_opts(const struct lcfg *l, unsigned nops, uint64_t seed_default,
			    const struct th_opts *o, bool faults);

static void run_random(const struct lcfg *l, unsigned nops, uint64_t seed_default)
{
	run_random_opts(l, nops, seed_default, NULL, false);
}

static void run_random_opts(const struct lcfg *l, unsigned nops, uint64_t seed_default,
			    const struct th_opts *o, bool faults)
{
	struct iopgt_cfg c = lc_cfg(l);
	uint64_t seed = test_seed(seed_default);
	struct gen g;
	unsigned i, b;
	int rc;

	lc_ctx(l, seed);
	memset(&g, 0, sizeof(g));
	trng_seed(&g.r, seed ^ 0x72616e64ull);
	g.faults = faults;
	rc = th_init(&h, &c, o, seed);
	TCHECK(rc == IOPGT_OK, "init = %d", rc);
	for (b = 0; b < 64; b++)
		if (c.pgsizes & tbit(b)) {
			g.sizes[g.nsizes++] = tbit(b);
			g.big = tbit(b);
		}
	/* windows of 4 largest sizes (at most half the range each) */
	g.wsize = g.big * 4;
	if (g.wsize > tbit(l->ias) / 2)
		g.wsize = tbit(l->ias) / 2;
	while (g.nsizes > 1 && g.sizes[g.nsizes - 1] > g.wsize / 2)
		g.nsizes--;
	g.win[0] = h.base;
	g.win[1] = h.range_last - g.wsize + 1;

	for (i = 0; i < nops; i++) {
		unsigned k = (unsigned)trng_below(&g.r, 16);

		if (k < 7)
			one_map(&g, false);
		else if (k < 9)
			one_map(&g, true);
		else
			one_unmap(&g);
	}
	th_check_all(&h);
	tctx_op("final unmap");
	if (h.cfg.quirks & IOPGT_QUIRK_NO_SPLIT) {
		/* whole chunks only (the windows' edges may cut a run) */
		while (h.md.n) {
			struct mchunk ch = h.md.c[0];

			TCHECK(th_unmap(&h, h.base + ch.iova, ch.size) == IOPGT_OK, "unmap chunk");
		}
	}
	TCHECK(th_unmap(&h, g.win[0], g.wsize) == IOPGT_OK, "unmap window 0");
	TCHECK(th_unmap(&h, g.win[1], g.wsize) == IOPGT_OK, "unmap window 1");
	TCHECK(h.md.n == 0, "model still has %zu chunks", h.md.n);
	lc_expect_root_only(&h);
	print_message("%s gran 0x%llx ias %u quirks 0x%x: %u ops, %llu syncs, %llu splits, %llu "
		      "flushes, %llu failed allocations\n",
		      fmt_name(l->fmt), (unsigned long long)l->gran, l->ias, l->quirks, nops,
		      (unsigned long long)h.syncs_total, (unsigned long long)h.splits_seen,
		      (unsigned long long)h.flushes_total, (unsigned long long)h.mem.failed_total);
	th_fini(&h);
}

#define RANDOM_TEST(name, fmt, gran, ias, oas, quirks, seed)                      \
	static void name(void **state)                                            \
	{                                                                         \
		struct lcfg l = { fmt, gran, ias, oas, quirks };                  \
		(void)state;                                                      \
		run_random(&l, test_iters(2000), seed);                           \
	}

RANDOM_TEST(random_arm64_s1_4k_48bit_matches_model, IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 0, 1)
RANDOM_TEST(random_arm64_s1_16k_47bit_matches_model, IOPGT_FMT_ARM64_S1, SZ_16K, 47, 44, 0, 2)
RANDOM_TEST(random_arm64_s1_64k_52bit_oa_matches_model, IOPGT_FMT_ARM64_S1, SZ_64K, 48, 52, 0, 3)
RANDOM_TEST(random_arm64_s1_4k_ttbr1_matches_model, IOPGT_FMT_ARM64_S1, SZ_4K, 39, 40,
	    IOPGT_QUIRK_TTBR1, 4)
RANDOM_TEST(random_arm64_s1_4k_split_in_place_matches_model, IOPGT_FMT_ARM64_S1, SZ_4K, 36, 40,
	    IOPGT_QUIRK_SPLIT_IN_PLACE, 5)
RANDOM_TEST(random_arm64_s1_4k_ns_matches_model, IOPGT_FMT_ARM64_S1, SZ_4K, 32, 36,
	    IOPGT_QUIRK_NS, 6)
RANDOM_TEST(random_arm64_s2_4k_concatenated_matches_model, IOPGT_FMT_ARM64_S2, SZ_4K, 40, 40, 0,
	    7)
RANDOM_TEST(random_arm64_s2_16k_matches_model, IOPGT_FMT_ARM64_S2, SZ_16K, 36, 42, 0, 8)
RANDOM_TEST(random_arm64_s2_64k_fwb_matches_model, IOPGT_FMT_ARM64_S2, SZ_64K, 42, 48,
	    IOPGT_QUIRK_S2FWB, 9)
RANDOM_TEST(random_arm64_s2_64k_52bit_oa_split_in_place_matches_model, IOPGT_FMT_ARM64_S2,
	    SZ_64K, 48, 52, IOPGT_QUIRK_SPLIT_IN_PLACE, 10)
/* 52-bit addresses: the LPA2 layout (4K, 16K), FEAT_LVA and FEAT_LPA (64K);
 * output addresses drawn from the whole 2^52, most above 2^50 */
RANDOM_TEST(random_arm64_s1_4k_52bit_level_minus_1_matches_model, IOPGT_FMT_ARM64_S1, SZ_4K, 52,
	    52, 0, 21)
RANDOM_TEST(random_arm64_s1_4k_48bit_ia_52bit_oa_matches_model, IOPGT_FMT_ARM64_S1, SZ_4K, 48, 52,
	    0, 22)
RANDOM_TEST(random_arm64_s1_4k_50bit_ia_ttbr1_matches_model, IOPGT_FMT_ARM64_S1, SZ_4K, 50, 48,
	    IOPGT_QUIRK_TTBR1, 23)
RANDOM_TEST(random_arm64_s1_16k_52bit_matches_model, IOPGT_FMT_ARM64_S1, SZ_16K, 52, 52, 0, 24)
RANDOM_TEST(random_arm64_s1_16k_49bit_split_in_place_matches_model, IOPGT_FMT_ARM64_S1, SZ_16K, 49,
	    52, IOPGT_QUIRK_SPLIT_IN_PLACE, 25)
RANDOM_TEST(random_arm64_s1_64k_52bit_ia_and_oa_matches_model, IOPGT_FMT_ARM64_S1, SZ_64K, 52, 52,
	    0, 26)
RANDOM_TEST(random_arm64_s2_4k_52bit_concatenated_level_0_matches_model, IOPGT_FMT_ARM64_S2,
	    SZ_4K, 52, 52, 0, 27)
RANDOM_TEST(random_arm64_s2_4k_49bit_ia_matches_model, IOPGT_FMT_ARM64_S2, SZ_4K, 49, 44, 0, 28)
RANDOM_TEST(random_arm64_s2_16k_52bit_level_0_matches_model, IOPGT_FMT_ARM64_S2, SZ_16K, 52, 52,
	    IOPGT_QUIRK_S2FWB, 29)
RANDOM_TEST(random_arm64_s2_64k_52bit_ia_matches_model, IOPGT_FMT_ARM64_S2, SZ_64K, 52, 48, 0, 30)
RANDOM_TEST(random_arm32_s1_matches_model, IOPGT_FMT_ARM32_S1, SZ_4K, 32, 40, 0, 11)
RANDOM_TEST(random_arm32_s2_matches_model, IOPGT_FMT_ARM32_S2, SZ_4K, 40, 40, 0, 12)

static void random_arm64_s1_4k_no_split_refuses_splits_and_matches_model(void **state)
{
	struct lcfg l = { IOPGT_FMT_ARM64_S1, SZ_4K, 40, 40, IOPGT_QUIRK_NO_SPLIT };

	(void)state;
	run_random(&l, test_iters(1000), 13);
}

static void random_with_allocation_failures_stays_all_or_nothing(void **state)
{
	static const struct lcfg ls[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 0 },
		{ IOPGT_FMT_ARM64_S2, SZ_16K, 40, 40, 0 },
		{ IOPGT_FMT_ARM32_S1, SZ_4K, 32, 40, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		run_random_opts(&ls[i], test_iters(700), 14 + i, NULL, true);
}

static void random_with_only_flush_all_or_flush_walk_hooks(void **state)
{
	struct lcfg l = { IOPGT_FMT_ARM64_S1, SZ_4K, 39, 40, 0 };
	struct th_opts o = { .tlb_hooks = 1 };

	(void)state;
	run_random_opts(&l, test_iters(500), 17, &o, false);
	o.tlb_hooks = 3;
	l.fmt = IOPGT_FMT_ARM64_S2;
	run_random_opts(&l, test_iters(500), 18, &o, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_arm64_s1_4k_48bit_matches_model),
		cmocka_unit_test(random_arm64_s1_16k_47bit_matches_model),
		cmocka_unit_test(random_arm64_s1_64k_52bit_oa_matches_model),
		cmocka_unit_test(random_arm64_s1_4k_ttbr1_matches_model),
		cmocka_unit_test(random_arm64_s1_4k_split_in_place_matches_model),
		cmocka_unit_test(random_arm64_s1_4k_ns_matches_model),
		cmocka_unit_test(random_arm64_s2_4k_concatenated_matches_model),
		cmocka_unit_test(random_arm64_s2_16k_matches_model),
		cmocka_unit_test(random_arm64_s2_64k_fwb_matches_model),
		cmocka_unit_test(random_arm64_s2_64k_52bit_oa_split_in_place_matches_model),
		cmocka_unit_test(random_arm64_s1_4k_52bit_level_minus_1_matches_model),
		cmocka_unit_test(random_arm64_s1_4k_48bit_ia_52bit_oa_matches_model),
		cmocka_unit_test(random_arm64_s1_4k_50bit_ia_ttbr1_matches_model),
		cmocka_unit_test(random_arm64_s1_16k_52bit_matches_model),
		cmocka_unit_test(random_arm64_s1_16k_49bit_split_in_place_matches_model),
		cmocka_unit_test(random_arm64_s1_64k_52bit_ia_and_oa_matches_model),
		cmocka_unit_test(random_arm64_s2_4k_52bit_concatenated_level_0_matches_model),
		cmocka_unit_test(random_arm64_s2_4k_49bit_ia_matches_model),
		cmocka_unit_test(random_arm64_s2_16k_52bit_level_0_matches_model),
		cmocka_unit_test(random_arm64_s2_64k_52bit_ia_matches_model),
		cmocka_unit_test(random_arm32_s1_matches_model),
		cmocka_unit_test(random_arm32_s2_matches_model),
		cmocka_unit_test(random_arm64_s1_4k_no_split_refuses_splits_and_matches_model),
		cmocka_unit_test(random_with_allocation_failures_stays_all_or_nothing),
		cmocka_unit_test(random_with_only_flush_all_or_flush_walk_hooks),
	};

	return cmocka_run_group_tests_name("lpae-random", tests, NULL, NULL);
}
