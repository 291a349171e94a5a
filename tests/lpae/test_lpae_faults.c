/* SPDX-License-Identifier: MIT */
/*
 * tests/lpae/test_lpae_faults.c - allocation failure at every allocation of
 * a map and of a splitting unmap (all or nothing, no leak), TLB maintenance
 * (flush_leaf for removed leaves, flush_walk before a table is freed and
 * around a block's break-before-make), and the split quirks: NO_SPLIT
 * (BUSY, nothing changed) and SPLIT_IN_PLACE (no invalid window).
 */
#include "lcommon.h"

static struct th h;

static const struct lcfg fault_cfgs[] = {
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_16K, 48, 48, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_64K, 48, 52, 0 },
	{ IOPGT_FMT_ARM64_S2, SZ_4K, 40, 40, 0 },
	{ IOPGT_FMT_ARM64_S2, SZ_64K, 42, 44, 0 },
	{ IOPGT_FMT_ARM32_S1, SZ_4K, 32, 40, 0 },
	{ IOPGT_FMT_ARM32_S2, SZ_4K, 40, 40, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 39, 40, IOPGT_QUIRK_TTBR1 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, IOPGT_QUIRK_SPLIT_IN_PLACE },
};
#define NFAULT (sizeof(fault_cfgs) / sizeof(fault_cfgs[0]))

/* bytes one last-level table translates */
static uint64_t table_span(uint64_t gran)
{
	return gran == SZ_4K ? SZ_2M : gran == SZ_16K ? SZ_32M : SZ_512M;
}

/* Run @op with the n-th allocation failing, for n = 1, 2, ... until it
 * succeeds; every failure must leave tables, memory and model untouched
 * (th_* checks that). Returns the allocations the successful call made. */
static unsigned fail_each_allocation(int (*op)(void *), void *arg)
{
	unsigned n;

	for (n = 1; n < 10000; n++) {
		uint64_t before = h.mem.allocs_total;
		int rc;

		h.mem.fail_at = n;
		rc = op(arg);
		h.mem.fail_at = 0;
		if (rc == IOPGT_OK)
			return (unsigned)(h.mem.allocs_total - before);
		TCHECK(rc == IOPGT_ERR_NOMEM, "allocation %u failing: %d (%s)", n, rc,
		       iopgt_strerror(rc));
		/* byte-identical tables were checked by the harness; the full
		 * comparison only while it is cheap */
		if (h.md.n < 256 || n % 16 == 1)
			th_check_all(&h);
	}
	TCHECK(0, "never succeeded");
	return 0;
}

struct mapargs {
	uint64_t iova, pa, size;
	uint32_t prot;
};

static int do_map(void *p)
{
	struct mapargs *a = p;

	return th_map(&h, a->iova, a->pa, a->size, a->prot);
}

static int do_unmap(void *p)
{
	struct mapargs *a = p;

	return th_unmap(&h, a->iova, a->size);
}

static void map_is_all_or_nothing_when_any_allocation_fails(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NFAULT; i++) {
		const struct lcfg *l = &fault_cfgs[i];
		struct iopgt_cfg c = lc_cfg(l);
		uint64_t g = l->gran, span = table_span(g), base;
		struct mapargs a;
		unsigned n;

		lc_ctx(l, 3);
		TCHECK(th_init(&h, &c, NULL, 3) == IOPGT_OK, "init");
		base = h.base + tbit(l->ias) / 4;
		/* one page: a table at each level */
		a = (struct mapargs){ base + 5 * g, 0x100000000ull + 5 * g, g, IOPGT_READ };
		n = fail_each_allocation(do_map, &a);
		TCHECK(n >= 1, "a first page needed no table");
		/* pages across several last-level tables, 64 tables worth: the
		 * dirty list outgrows any small buffer */
		a = (struct mapargs){ base + span, 0, 0, IOPGT_READ | IOPGT_WRITE };
		a.size = span * (g == SZ_4K ? 64 : 3) + 3 * g;
		if (a.size > tbit(l->ias) / 4)
			a.size = tbit(l->ias) / 4;
		/* misaligned with the iova: pages only */
		a.pa = tbit(l->oas) / 2 + g;
		fail_each_allocation(do_map, &a);
		/* a failing map next to live mappings leaves them alone */
		a = (struct mapargs){ base + 6 * g, 0x100000000ull + 6 * g, g, IOPGT_READ };
		fail_each_allocation(do_map, &a);
		th_check_all(&h);
		TCHECK(th_unmap(&h, h.base, tbit(l->ias) / 2) == IOPGT_OK, "unmap all");
		lc_expect_root_only(&h);
		th_fini(&h);
	}
}

static void splitting_unmap_is_all_or_nothing_when_any_allocation_fails(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NFAULT; i++) {
		const struct lcfg *l = &fault_cfgs[i];
		struct iopgt_cfg c = lc_cfg(l);
		uint64_t g = l->gran, b;
		unsigned splits = 0;

		lc_ctx(l, 4);
		TCHECK(th_init(&h, &c, NULL, 4) == IOPGT_OK, "init");
		/* every block and run size: map one, punch a page out of the middle */
		for (b = 0; b < 64; b++) {
			uint64_t s = tbit(b), iova, pa;
			struct mapargs a;
			unsigned n;

			if (!(c.pgsizes & s) || s == g || s > tbit(l->ias) / 4 || s > tbit(l->oas) / 4)
				continue;
			iova = h.base + s;
			pa = tbit(l->oas) / 2;
			TCHECK(th_map(&h, iova, pa, s, IOPGT_READ | IOPGT_CACHE) == IOPGT_OK, "map");
			a = (struct mapargs){ iova + s / 2 + g, 0, g, 0 };
			n = fail_each_allocation(do_unmap, &a);
			(void)n;
			splits++;
			/* the rest is still mapped, with the right output address */
			th_check_iova(&h, iova);
			th_check_iova(&h, iova + s / 2);
			th_check_iova(&h, iova + s - g);
			TCHECK(th_unmap(&h, iova, s) == IOPGT_OK, "unmap rest");
			lc_expect_root_only(&h);
		}
		TCHECK(splits > 0, "no block sizes");
		th_fini(&h);
	}
}

/* Count the flushes of one op (the harness records them). */
static size_t flushes_of_kind(int kind)
{
	size_t i, n = 0;

	for (i = 0; i < h.op.nfl; i++)
		n += h.op.fl[i].kind == kind;
	return n;
}

static void unmap_flushes_leaves_and_walks_before_freeing_tables(void **state)
{
	struct lcfg l = { IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 0 };
	struct iopgt_cfg c = lc_cfg(&l);
	uint64_t iova = 0x7f0000200000ull;
	size_t i;

	(void)state;
	lc_ctx(&l, 5);
	TCHECK(th_init(&h, &c, NULL, 5) == IOPGT_OK, "init");
	/* two pages in one table: unmapping one is a leaf flush, no table freed */
	TCHECK(th_map(&h, iova, 0x1000000, 2 * SZ_4K, IOPGT_READ) == IOPGT_OK, "map");
	TCHECK(th_unmap(&h, iova, SZ_4K) == IOPGT_OK, "unmap 1");
	TCHECK(h.op.nfl >= 1, "no TLB flush for a removed page");
	for (i = 0; i < h.op.nfl; i++)
		TCHECK(h.op.fl[i].kind == 0 || (h.op.fl[i].first <= iova && h.op.fl[i].last >= iova),
		       "flush 0x%llx-0x%llx misses the page", (unsigned long long)h.op.fl[i].first,
		       (unsigned long long)h.op.fl[i].last);
	/* the last page: the tables up to the root are freed after flush_walk */
	TCHECK(th_unmap(&h, iova + SZ_4K, SZ_4K) == IOPGT_OK, "unmap 2");
	TCHECK(flushes_of_kind(1) + flushes_of_kind(0) >= 1, "tables freed without flush_walk");
	lc_expect_root_only(&h);
	/* a block: its removal is flushed; a split replaces it (break-before-make) */
	TCHECK(th_map(&h, iova, 0x40000000, SZ_2M, IOPGT_READ) == IOPGT_OK, "map block");
	TCHECK(th_unmap(&h, iova + SZ_64K, SZ_4K) == IOPGT_OK, "split");
	TCHECK(h.op.splits == 1 && h.op.syncs >= 2, "split: %u splits, %u syncs", h.op.splits,
	       h.op.syncs);
	TCHECK(flushes_of_kind(1) + flushes_of_kind(0) >= 1,
	       "block replaced by a table without flush_walk");
	th_check_iova(&h, iova);
	th_check_iova(&h, iova + SZ_64K);
	th_check_iova(&h, iova + SZ_2M - SZ_4K);
	TCHECK(th_unmap(&h, iova, SZ_2M) == IOPGT_OK, "unmap rest");
	lc_expect_root_only(&h);
	th_fini(&h);
}

static void no_split_quirk_refuses_partial_unmaps_of_blocks_and_runs(void **state)
{
	static const struct lcfg cases[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, IOPGT_QUIRK_NO_SPLIT },
		{ IOPGT_FMT_ARM64_S2, SZ_16K, 40, 40, IOPGT_QUIRK_NO_SPLIT },
		{ IOPGT_FMT_ARM32_S1, SZ_4K, 32, 40, IOPGT_QUIRK_NO_SPLIT },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iopgt_cfg c = lc_cfg(&cases[i]);
		uint64_t g = cases[i].gran, b;

		lc_ctx(&cases[i], 6);
		TCHECK(th_init(&h, &c, NULL, 6) == IOPGT_OK, "init");
		for (b = 0; b < 64; b++) {
			uint64_t s = tbit(b), iova = h.base + 4 * s;
			int rc;

			if (!(c.pgsizes & s) || s == g || 8 * s > tbit(cases[i].ias))
				continue;
			TCHECK(th_map(&h, iova, s, s, IOPGT_READ) == IOPGT_OK, "map");
			TCHECK(th_map(&h, iova + s, 2 * s, g, IOPGT_READ) == IOPGT_OK, "map page");
			/* the middle, the head, and a range straddling the end */
			rc = th_unmap(&h, iova + g, g);
			TCHECK(rc == IOPGT_ERR_BUSY, "partial unmap of 0x%llx = %d",
			       (unsigned long long)s, rc);
			rc = th_unmap(&h, iova, s - g);
			TCHECK(rc == IOPGT_ERR_BUSY, "head unmap = %d", rc);
			rc = th_unmap(&h, iova + s - g, 2 * g);
			TCHECK(rc == IOPGT_ERR_BUSY, "unmap across the end = %d", rc);
			th_check_all(&h);
			/* whole: fine */
			TCHECK(th_unmap(&h, iova, s + g) == IOPGT_OK, "full unmap");
			lc_expect_root_only(&h);
		}
		th_fini(&h);
	}
}

static void split_in_place_keeps_the_rest_of_the_block_translating(void **state)
{
	static const struct lcfg cases[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, IOPGT_QUIRK_SPLIT_IN_PLACE },
		{ IOPGT_FMT_ARM64_S2, SZ_64K, 48, 48, IOPGT_QUIRK_SPLIT_IN_PLACE },
		{ IOPGT_FMT_ARM32_S2, SZ_4K, 40, 40, IOPGT_QUIRK_SPLIT_IN_PLACE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iopgt_cfg c = lc_cfg(&cases[i]);
		uint64_t g = cases[i].gran, b;

		lc_ctx(&cases[i], 7);
		/* more samples: the harness fails if any sample outside the op
		 * stops translating at any sync boundary */
		{
			struct th_opts o = { .samples = 24 };

			TCHECK(th_init(&h, &c, &o, 7) == IOPGT_OK, "init");
		}
		for (b = 0; b < 64; b++) {
			uint64_t s = tbit(b), iova = h.base + 2 * s, k;

			if (!(c.pgsizes & s) || s == g || 4 * s > tbit(cases[i].ias))
				continue;
			TCHECK(th_map(&h, iova, s, s, IOPGT_READ | IOPGT_WRITE) == IOPGT_OK, "map");
			for (k = 0; k < 4; k++) {
				uint64_t at = iova + ((s / 4) * k) + g * (k + 1);

				TCHECK(th_unmap(&h, at, g) == IOPGT_OK, "split");
				TCHECK(h.op.syncs <= 2 + 2 * h.op.splits, "syncs");
			}
			th_check_all(&h);
			TCHECK(th_unmap(&h, iova, s) == IOPGT_OK, "rest");
			lc_expect_root_only(&h);
		}
		th_fini(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_is_all_or_nothing_when_any_allocation_fails),
		cmocka_unit_test(splitting_unmap_is_all_or_nothing_when_any_allocation_fails),
		cmocka_unit_test(unmap_flushes_leaves_and_walks_before_freeing_tables),
		cmocka_unit_test(no_split_quirk_refuses_partial_unmaps_of_blocks_and_runs),
		cmocka_unit_test(split_in_place_keeps_the_rest_of_the_block_translating),
	};

	return cmocka_run_group_tests_name("lpae-faults", tests, NULL, NULL);
}
