/* SPDX-License-Identifier: MIT */
/*
 * tests/v7s/test_v7s_map.c - VMSAv7 short-descriptor tables end to end,
 * through the public API: page sizes at the edges of the 4 GiB space,
 * random sequences against the reference model and the independent table
 * walk (refwalk_v7s), allocation failure at every point, leaks, output
 * addresses above 4 GiB (MediaTek extension, supersections), splits, and
 * the exact dirty ranges v7s tables need.
 *
 * Every map and unmap runs through the walker-image harness (tests/support
 * image.h), which checks it against the model and the dirty-range contract;
 * the tests here add what is particular to v7s, and look at exact ranges
 * and allocations in h.log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define RW (IOPGT_READ | IOPGT_WRITE)

static struct th h;

/* v7s tables at 2 GiB, v7s leaf permissions: the harness' defaults for v7s */
static int open_seeded(unsigned oas, uint64_t pgsizes, uint32_t quirks, uint64_t seed)
{
	struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARMV7S, .ias = 32, .oas = oas,
				 .pgsizes = pgsizes, .quirks = quirks };

	tctx_set("v7s oas %u pgsizes 0x%llx quirks 0x%x seed 0x%llx", oas,
		 (unsigned long long)pgsizes, quirks, (unsigned long long)seed);
	return th_init(&h, &cfg, NULL, seed);
}

static void fx_open(unsigned oas, uint64_t pgsizes, uint32_t quirks)
{
	int err = open_seeded(oas, pgsizes, quirks, test_seed(0x7e57));

	TCHECK(err == IOPGT_OK, "iopgt_init: %d", err);
}

/* Frees everything; a leaked table fails (th_fini, tmem_fini). */
static void fx_close(void)
{
	th_fini(&h);
}

static uint32_t desc_at(struct th *t, uint64_t pa)
{
	return (uint32_t)th_desc(t, pa); /* fails for no table memory at pa */
}

static uint64_t root_pa(struct th *t)
{
	struct iopgt_regs r;

	iopgt_get_regs(&t->pt, &r);
	return r.ttbr & 0xffffc000u;
}

/* address of the level-1 entry for iova */
static uint64_t l1e(struct th *t, uint64_t iova)
{
	return root_pa(t) + ((iova >> 20) << 2);
}

/* address of the level-2 entry for iova (the level-1 entry must be a table) */
static uint64_t l2e(struct th *t, uint64_t iova)
{
	uint32_t d = desc_at(t, l1e(t, iova));

	TCHECK((d & 3) == 1, "no level-2 table at 0x%llx: 0x%x", (unsigned long long)iova, d);
	return (d & 0xfffffc00u) + (((iova >> 12) & 0xff) << 2);
}

/*
 * lookup, refwalk and the model agree at iova: th_check_iova() checks the
 * lookup, the walks of the CPU tables and of the walker's image against the
 * model (address, prot as th_norm_default() says v7s leaves read, the leaf
 * inside its model chunk, exact where map made it); then the v7s leaf
 * itself: its size, level, nG and domain.
 */
static void check_at(struct th *t, uint64_t iova)
{
	const struct mchunk *c = model_lookup(&t->md, iova);
	struct iopgt_mapping m;
	struct refwalk_result r;
	int err, st;

	th_check_iova(t, iova);
	if (!c)
		return;
	err = iopgt_lookup(&t->pt, iova, &m);
	st = th_walk(t, false, iova, &r);
	TCHECK(err == IOPGT_OK, "iova 0x%llx: lookup %d", (unsigned long long)iova, err);
	TCHECK(st == REFWALK_OK, "iova 0x%llx: refwalk %d", (unsigned long long)iova, st);
	TCHECK(m.size == SZ_4K || m.size == SZ_64K || m.size == SZ_1M || m.size == SZ_16M,
	       "leaf size 0x%llx", (unsigned long long)m.size);
	TCHECK(r.level == (m.size >= SZ_1M ? 1u : 2u), "level %u", r.level);
	/* nG on every leaf; level 1: domain 0 */
	if (r.level == 1) {
		TCHECK(r.desc & (1u << 17), "section without nG: 0x%llx", (unsigned long long)r.desc);
		if (!(t->cfg.quirks & IOPGT_QUIRK_MTK_EXT) && m.size == SZ_1M)
			TCHECK(!(r.desc & 0x1e0), "section domain: 0x%llx", (unsigned long long)r.desc);
	} else {
		TCHECK(r.desc & (1u << 11), "page without nG: 0x%llx", (unsigned long long)r.desc);
		TCHECK(!(desc_at(t, l1e(t, iova)) & 0x1e0), "page table descriptor domain");
	}
}

struct walk_acc {
	struct th *t;
	uint64_t next, covered;
	unsigned n;
};

static int walk_leaf(void *ctx, const struct iopgt_leaf *l)
{
	struct walk_acc *a = ctx;

	TCHECK(l->m.iova >= a->next, "walk out of order at 0x%llx", (unsigned long long)l->m.iova);
	a->next = l->m.iova + l->m.size;
	a->covered += l->m.size;
	a->n++;
	TCHECK(l->entries == ((l->m.size == SZ_16M || l->m.size == SZ_64K) ? 16u : 1u),
	       "leaf of 0x%llx bytes with %u entries", (unsigned long long)l->m.size, l->entries);
	TCHECK(l->level == (l->m.size >= SZ_1M ? 1u : 2u), "leaf level %u", l->level);
	check_at(a->t, l->m.iova);
	check_at(a->t, l->m.iova + l->m.size - SZ_4K);
	return 0;
}

/* everything in [base, base + size): every page and every leaf */
static void check_range(struct th *t, uint64_t base, uint64_t size)
{
	struct walk_acc a = { t, base, 0, 0 };
	uint64_t mapped = 0;
	int err;

	for (uint64_t p = base; p < base + size; p += SZ_4K) {
		check_at(t, p);
		if (model_lookup(&t->md, p))
			mapped += SZ_4K;
	}
	a.next = 0;
	err = iopgt_walk(&t->pt, base, size, walk_leaf, &a);
	TCHECK(err == IOPGT_OK, "iopgt_walk %d", err);
	/* leaves that straddle the range edges are counted whole */
	TCHECK(a.covered >= mapped, "walk covered 0x%llx of 0x%llx", (unsigned long long)a.covered,
	       (unsigned long long)mapped);
}

/* map through the harness, which follows it in the model; the library and
 * the model must agree on the result */
static int do_map(struct th *t, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	int want = model_overlaps(&t->md, iova, size) ? IOPGT_ERR_EXIST : IOPGT_OK;
	int err = th_map(t, iova, pa, size, prot);

	TCHECK(err == want, "map: %d, model %d", err, want);
	TCHECK(t->log.calls <= 2, "map made %u sync calls", t->log.calls);
	if (err)
		TCHECK(t->log.calls == 0, "failed map made %u sync calls", t->log.calls);
	return err;
}

/* a map the library must refuse: nothing synced, the model untouched */
static int do_map_refused(struct th *t, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	int err = th_map(t, iova, pa, size, prot);

	TCHECK(err != IOPGT_OK, "map succeeded");
	TCHECK(t->log.calls == 0, "refused map made %u sync calls", t->log.calls);
	return err;
}

static int do_unmap(struct th *t, uint64_t iova, uint64_t size)
{
	int err = th_unmap(t, iova, size);

	if (err != IOPGT_OK)
		TCHECK(t->log.calls == 0, "failed unmap made %u sync calls", t->log.calls);
	return err;
}

static void must_map(struct th *t, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	int err = do_map(t, iova, pa, size, prot);

	TCHECK(err == IOPGT_OK, "map: %d", err);
}

static void must_unmap(struct th *t, uint64_t iova, uint64_t size)
{
	int err = do_unmap(t, iova, size);

	TCHECK(err == IOPGT_OK, "unmap: %d", err);
}

static void check_stats(struct th *t, uint64_t tables, uint64_t bytes)
{
	struct iopgt_stats st;

	TCHECK(iopgt_get_stats(&t->pt, &st) == IOPGT_OK, "stats");
	TCHECK(st.tables == tables, "tables %llu want %llu", (unsigned long long)st.tables,
	       (unsigned long long)tables);
	TCHECK(st.table_bytes == bytes, "table bytes %llu want %llu",
	       (unsigned long long)st.table_bytes, (unsigned long long)bytes);
	TCHECK(t->mem.bytes_held == bytes, "allocator holds %llu want %llu",
	       (unsigned long long)t->mem.bytes_held, (unsigned long long)bytes);
}

/* the first logged range, for messages (0 when there is none) */
static uint64_t log_pa0(const struct th *t)
{
	return t->log.nrg ? t->log.rg[0].pa : 0;
}

static size_t log_len0(const struct th *t)
{
	return t->log.nrg ? t->log.rg[0].len : 0;
}

/* ------------------------------------------------------------------------ */

static void test_geometry_and_root(void **state)
{
	struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARMV7S, .ias = 32, .oas = 32 };
	struct th_opts o = { .no_tlb = true };
	struct iopgt_stats st;
	struct iopgt_regs r;

	(void)state;
	tctx_set("v7s geometry");
	TCHECK(th_init(&h, &cfg, &o, 1) == IOPGT_OK, "init");
	/* the 16 KiB level-1 table, 16 KiB aligned, reported whole */
	TCHECK(h.log.nal == 1 && h.log.al[0].size == 16384 && h.log.al[0].align == 16384,
	       "root allocation %zu/%zu", h.log.nal ? h.log.al[0].size : 0,
	       h.log.nal ? h.log.al[0].align : 0);
	TCHECK(h.log.calls == 1 && h.log.nrg == 1 && h.log.rg[0].len == 16384, "root sync");
	TCHECK(iopgt_get_stats(&h.pt, &st) == IOPGT_OK, "stats");
	TCHECK(st.levels == 2 && st.start_level == 1 && st.root_entries == 4096 &&
		       st.granule == SZ_4K && st.tables == 1 && st.table_bytes == 16384,
	       "stats");
	iopgt_get_regs(&h.pt, &r);
	TCHECK((r.ttbr & 0xffffc000u) == h.log.rg[0].pa, "ttbr 0x%llx",
	       (unsigned long long)r.ttbr);
	TCHECK((r.ttbr & 0x3fff) == 0x2, "non-coherent ttbr attributes 0x%llx",
	       (unsigned long long)r.ttbr);
	TCHECK(r.tcr == 0 && r.mair == 0 && r.prrr == 0x800b8204 && r.nmrr == 0x40004000,
	       "regs");
	th_fini(&h);
	/* a coherent walker (sync.fn NULL, which the harness cannot follow:
	 * the test allocator alone): write-back walks */
	{
		struct tmem m;
		struct iopgt pt;

		tmem_init(&m, 0x80000000ull, 32, 1);
		tmem_hooks(&m, &cfg.mem);
		TCHECK(iopgt_init(&pt, &cfg) == IOPGT_OK, "init");
		iopgt_get_regs(&pt, &r);
		TCHECK((r.ttbr & 0x3fff) == 0x6a, "coherent ttbr attributes 0x%llx",
		       (unsigned long long)r.ttbr);
		iopgt_fini(&pt);
		tmem_fini(&m);
	}
}

static void test_init_rejects_bad_configs(void **state)
{
	static const struct {
		unsigned ias, oas;
		uint64_t pgsizes;
		uint32_t quirks;
		int want;
	} cases[] = {
		{ 32, 32, 0, 0, IOPGT_OK },
		{ 30, 32, 0, 0, IOPGT_ERR_INVAL },
		{ 32, 33, SZ_4K | SZ_1M, 0, IOPGT_ERR_INVAL },
		{ 32, 40, 0, 0, IOPGT_OK },
		{ 32, 41, 0, 0, IOPGT_ERR_INVAL },
		{ 32, 36, 0, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, IOPGT_ERR_INVAL },
		{ 32, 35, 0, IOPGT_QUIRK_MTK_EXT, IOPGT_ERR_NOTSUP },
		{ 32, 32, SZ_4K | 0x200000, 0, IOPGT_ERR_INVAL },
		{ 32, 32, 0x4000, 0, IOPGT_ERR_NOTSUP },
		{ 32, 32, 0, IOPGT_QUIRK_TTBR1, IOPGT_ERR_NOTSUP },
		{ 32, 32, 0, IOPGT_QUIRK_S2FWB, IOPGT_ERR_NOTSUP },
		{ 32, 32, 0, 1u << 31, IOPGT_ERR_INVAL },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARMV7S, .ias = cases[i].ias,
					 .oas = cases[i].oas, .pgsizes = cases[i].pgsizes,
					 .quirks = cases[i].quirks };
		struct th_opts o = { .no_tlb = true };
		int err;

		tctx_set("case %u", i);
		/* a failed th_init checks that nothing is held and frees its
		 * allocator; the allocator's counts stay */
		err = th_init(&h, &cfg, &o, 1);
		TCHECK(err == cases[i].want, "case %u: %d, want %d", i, err, cases[i].want);
		if (err == IOPGT_OK)
			th_fini(&h);
		else
			TCHECK(h.mem.allocs_total + h.mem.failed_total == 0,
			       "a rejected config allocated");
	}
}

static void test_every_page_size_at_the_edges_of_4g(void **state)
{
	static const uint64_t sizes[] = { SZ_4K, SZ_64K, SZ_1M, SZ_16M };

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t s = sizes[i];

		fx_open(32, 0, 0);
		/* the first and the last leaf of the input space, to the first
		 * and the last output addresses */
		must_map(&h, 0, SZ_4G - s, s, RW | IOPGT_CACHE);
		must_map(&h, SZ_4G - s, 0, s, IOPGT_READ | IOPGT_NOEXEC);
		check_at(&h, 0);
		check_at(&h, s - SZ_4K);
		check_at(&h, SZ_4G - s);
		check_at(&h, SZ_4G - SZ_4K);
		check_at(&h, s);
		check_at(&h, SZ_4G - s - SZ_4K);
		{
			struct iopgt_mapping m;

			TCHECK(iopgt_lookup(&h.pt, SZ_4G - 1, &m) == IOPGT_OK, "lookup");
			TCHECK(m.iova == SZ_4G - s && m.size == s && m.pa == 0, "last leaf");
			TCHECK(iopgt_lookup(&h.pt, 0, &m) == IOPGT_OK, "lookup");
			TCHECK(m.iova == 0 && m.size == s && m.pa == SZ_4G - s, "first leaf");
			TCHECK(iopgt_lookup(&h.pt, SZ_4G, &m) == IOPGT_ERR_RANGE, "lookup at 4G");
		}
		/* beyond the edges */
		TCHECK(iopgt_map(&h.pt, SZ_4G, 0, s, RW) == IOPGT_ERR_RANGE, "map at 4G");
		TCHECK(iopgt_map(&h.pt, SZ_4G - s, 0, 2 * s, RW) == IOPGT_ERR_RANGE, "map over 4G");
		TCHECK(iopgt_map(&h.pt, SZ_16M * 8, SZ_4G, s, RW) == IOPGT_ERR_RANGE, "pa at 4G");
		TCHECK(iopgt_map(&h.pt, SZ_16M * 8, SZ_4G - s, 2 * s, RW) == IOPGT_ERR_RANGE,
		       "pa over 4G");
		TCHECK(iopgt_unmap(&h.pt, SZ_4G - s, 2 * s) == IOPGT_ERR_RANGE, "unmap over 4G");
		TCHECK(do_map(&h, SZ_4G - s, 0, s, RW) == IOPGT_ERR_EXIST, "overlap");
		check_range(&h, 0, s);
		check_range(&h, SZ_4G - s, s);
		must_unmap(&h, SZ_4G - s, s);
		must_unmap(&h, 0, s);
		check_at(&h, 0);
		check_at(&h, SZ_4G - SZ_4K);
		check_stats(&h, 1, 16384);
		fx_close();
	}
}

struct want_leaf {
	uint64_t iova, size;
	unsigned level, entries;
};

struct leaf_list {
	struct iopgt_leaf l[64];
	unsigned n;
};

static int collect(void *ctx, const struct iopgt_leaf *l)
{
	struct leaf_list *ll = ctx;

	if (ll->n < 64)
		ll->l[ll->n] = *l;
	ll->n++;
	return 0;
}

static void test_map_uses_the_largest_size_each_part_allows(void **state)
{
	static const struct want_leaf want[] = {
		{ 0x00fef000, SZ_4K, 2, 1 },
		{ 0x00ff0000, SZ_64K, 2, 16 },
		{ 0x01000000, SZ_16M, 1, 16 },
		{ 0x02000000, SZ_1M, 1, 1 },
		{ 0x02100000, SZ_64K, 2, 16 },
		{ 0x02110000, SZ_4K, 2, 1 },
	};
	struct leaf_list ll = { .n = 0 };
	uint64_t iova = 0x00fef000, size = 0x02111000 - 0x00fef000;

	(void)state;
	fx_open(32, 0, 0);
	must_map(&h, iova, iova + 0x40000000, size, RW);
	TCHECK(iopgt_walk(&h.pt, 0, 0, collect, &ll) == IOPGT_OK, "walk");
	TCHECK(ll.n == 6, "%u leaves", ll.n);
	for (unsigned i = 0; i < 6; i++) {
		TCHECK(ll.l[i].m.iova == want[i].iova && ll.l[i].m.size == want[i].size &&
			       ll.l[i].m.pa == want[i].iova + 0x40000000 &&
			       ll.l[i].level == want[i].level && ll.l[i].entries == want[i].entries,
		       "leaf %u: 0x%llx+0x%llx L%u x%u", i, (unsigned long long)ll.l[i].m.iova,
		       (unsigned long long)ll.l[i].m.size, ll.l[i].level, ll.l[i].entries);
	}
	/* the descriptors, by value (Linux's encoding for READ|WRITE) */
	TCHECK(ll.l[0].desc == (0x40fef000u | 0x00000c72u), "small 0x%llx",
	       (unsigned long long)ll.l[0].desc);
	TCHECK(ll.l[1].desc == (0x40ff0000u | 0x00001c31u), "large 0x%llx",
	       (unsigned long long)ll.l[1].desc);
	TCHECK(ll.l[2].desc == (0x41000000u | 0x00071c02u), "supersection 0x%llx",
	       (unsigned long long)ll.l[2].desc);
	TCHECK(ll.l[3].desc == (0x42000000u | 0x00031c02u), "section 0x%llx",
	       (unsigned long long)ll.l[3].desc);
	/* every replicated entry holds the same descriptor */
	for (unsigned i = 0; i < 16; i++) {
		TCHECK(desc_at(&h, l1e(&h, 0x01000000) + 4 * i) == 0x41071c02u, "super entry %u", i);
		TCHECK(desc_at(&h, l2e(&h, 0x00ff0000) + 4 * i) == 0x40ff1c31u, "large entry %u", i);
	}
	check_range(&h, 0x00f00000, 0x01300000);
	/* and pgsizes limits the choice */
	must_unmap(&h, 0, SZ_4G);
	check_stats(&h, 1, 16384);
	fx_close();

	fx_open(32, SZ_4K | SZ_1M, 0);
	must_map(&h, iova, iova + 0x40000000, size, RW);
	check_range(&h, 0x00f00000, 0x01300000);
	ll.n = 0;
	TCHECK(iopgt_walk(&h.pt, 0x00ff0000, SZ_64K, collect, &ll) == IOPGT_OK, "walk");
	TCHECK(ll.n == 16 && ll.l[0].m.size == SZ_4K, "no large pages: %u", ll.n);
	ll.n = 0;
	TCHECK(iopgt_walk(&h.pt, 0x01000000, SZ_16M, collect, &ll) == IOPGT_OK, "walk");
	TCHECK(ll.n == 16 && ll.l[0].m.size == SZ_1M && ll.l[0].entries == 1,
	       "no supersections: %u", ll.n);
	fx_close();

	/* supersections without sections: 1M-aligned parts are pages */
	fx_open(32, SZ_4K | SZ_16M, 0);
	must_map(&h, 0x00f00000, 0x40f00000, SZ_1M + SZ_16M, RW);
	check_range(&h, 0x00f00000, SZ_1M + SZ_16M);
	ll.n = 0;
	TCHECK(iopgt_walk(&h.pt, 0x00f00000, SZ_1M, collect, &ll) == IOPGT_OK, "walk");
	TCHECK(ll.n == 256, "pages: %u", ll.n);
	TCHECK(ll.l[0].m.size == SZ_4K, "size 0x%llx", (unsigned long long)ll.l[0].m.size);
	fx_close();
}

static void test_level2_tables_are_1k_allocations(void **state)
{
	(void)state;
	fx_open(32, 0, 0);
	check_stats(&h, 1, 16384);
	must_map(&h, 0x12345000, 0x80000000, SZ_4K, RW);
	TCHECK(h.log.nal == 1 && h.log.al[0].size == 1024 && h.log.al[0].align == 1024,
	       "level-2 allocation: %zu allocations, %zu/%zu", h.log.nal,
	       h.log.nal ? h.log.al[0].size : 0, h.log.nal ? h.log.al[0].align : 0);
	check_stats(&h, 2, 16384 + 1024);
	/* the new table is reported whole, then the level-1 entry */
	TCHECK(h.log.calls == 2, "%u sync calls", h.log.calls);
	TCHECK(h.log.nrg == 2 && h.log.rg[0].call == 0 && h.log.rg[0].len == 1024 &&
		       h.log.rg[0].pa == (desc_at(&h, l1e(&h, 0x12345000)) & 0xfffffc00u) &&
		       h.log.rg[1].call == 1 && h.log.rg[1].len == 4 &&
		       h.log.rg[1].pa == l1e(&h, 0x12345000),
	       "ranges");
	/* three more tables for a range over three more megabytes */
	must_map(&h, 0x20080000, 0x80080000, 3 * SZ_1M, RW);
	TCHECK(h.log.nal == 2, "%zu allocations", h.log.nal);
	{
		unsigned n1k = 0;

		for (size_t i = 0; i < h.log.nal; i++) {
			if (h.log.al[i].size == 1024) {
				TCHECK(h.log.al[i].align == 1024, "align %zu", h.log.al[i].align);
				n1k++;
			}
		}
		/* two partial megabytes at the ends; the middle ones are sections */
		TCHECK(n1k == 2, "%u level-2 tables", n1k);
	}
	check_stats(&h, 4, 16384 + 3 * 1024); /* the first map's table and two */
	check_range(&h, 0x20000000, 4 * SZ_1M);
	/* unmapping everything frees every level-2 table */
	must_unmap(&h, 0, SZ_4G);
	check_stats(&h, 1, 16384);
	check_at(&h, 0x12345000);
	fx_close();
}

static void test_table_entry_is_not_rewritten_when_a_page_is_added(void **state)
{
	uint64_t e1, e2;
	uint32_t d1;

	(void)state;
	fx_open(32, 0, IOPGT_QUIRK_NS);
	must_map(&h, 0x40000000, 0x10000000, SZ_4K, RW);
	e1 = l1e(&h, 0x40000000);
	d1 = desc_at(&h, e1);
	TCHECK((d1 & 0x3ff) == 0x009, "table descriptor 0x%x (NS, domain 0)", d1);
	for (unsigned i = 1; i < 256; i += 7) {
		uint64_t iova = 0x40000000 + i * SZ_4K;

		must_map(&h, iova, 0x10000000 + i * SZ_4K, SZ_4K, IOPGT_READ);
		e2 = l2e(&h, iova);
		TCHECK(desc_at(&h, e1) == d1, "level-1 entry changed");
		/* exactly the new 4-byte entry, once */
		TCHECK(h.log.calls == 1 && h.log.nrg == 1 && h.log.rg[0].pa == e2 &&
			       h.log.rg[0].len == 4,
		       "page %u: %u calls, %zu ranges, first 0x%llx+%zu", i, h.log.calls, h.log.nrg,
		       (unsigned long long)log_pa0(&h), log_len0(&h));
		TCHECK(h.log.nal == 0, "allocated");
	}
	/* and when one of many pages goes */
	must_unmap(&h, 0x40000000 + 8 * SZ_4K, SZ_4K);
	TCHECK(desc_at(&h, e1) == d1, "level-1 entry changed");
	for (size_t i = 0; i < h.log.nrg; i++)
		TCHECK(h.log.rg[i].pa + h.log.rg[i].len <= e1 || h.log.rg[i].pa >= e1 + 4,
		       "level-1 entry reported on unmap");
	check_range(&h, 0x40000000, SZ_1M);
	fx_close();
}

static void test_sixteen_entries_are_one_64_byte_range(void **state)
{
	(void)state;
	fx_open(32, 0, 0);
	/* a supersection in the root */
	must_map(&h, 0x30000000, 0x50000000, SZ_16M, RW | IOPGT_CACHE);
	TCHECK(h.log.calls == 1 && h.log.nrg == 1 && h.log.rg[0].pa == l1e(&h, 0x30000000) &&
		       h.log.rg[0].len == 64,
	       "supersection: %u calls %zu ranges 0x%llx+%zu", h.log.calls, h.log.nrg,
	       (unsigned long long)log_pa0(&h), log_len0(&h));
	/* a large page in an existing level-2 table */
	must_map(&h, 0x40000000, 0x60000000, SZ_4K, RW);
	must_map(&h, 0x40010000, 0x60010000, SZ_64K, RW);
	TCHECK(h.log.calls == 1 && h.log.nrg == 1 && h.log.rg[0].pa == l2e(&h, 0x40010000) &&
		       h.log.rg[0].len == 64,
	       "large page: %u calls %zu ranges 0x%llx+%zu", h.log.calls, h.log.nrg,
	       (unsigned long long)log_pa0(&h), log_len0(&h));
	/* removing them: the same 64 bytes */
	must_unmap(&h, 0x40010000, SZ_64K);
	TCHECK(h.log.nrg == 1 && h.log.rg[0].pa == l2e(&h, 0x40010000) && h.log.rg[0].len == 64,
	       "large page unmap");
	must_unmap(&h, 0x30000000, SZ_16M);
	TCHECK(h.log.nrg == 1 && h.log.rg[0].pa == l1e(&h, 0x30000000) && h.log.rg[0].len == 64,
	       "supersection unmap");
	/* two adjacent large pages: one 128-byte range */
	must_map(&h, 0x40020000, 0x60020000, 2 * SZ_64K, RW);
	TCHECK(h.log.nrg == 1 && h.log.rg[0].pa == l2e(&h, 0x40020000) && h.log.rg[0].len == 128,
	       "two large pages");
	check_range(&h, 0x40000000, SZ_1M);
	fx_close();
}

/* After a split: every page of [iova, iova + size) and its neighbours agree with the model. */
static void check_split(struct th *t, uint64_t iova, uint64_t size)
{
	check_range(t, iova, size);
	/* the library and refwalk agree with the model everywhere around it */
	check_at(t, iova - SZ_4K);
	check_at(t, iova + size);
}

static void test_split_replicates_the_remaining_parts(void **state)
{
	static const uint32_t quirk_sets[] = { 0, IOPGT_QUIRK_SPLIT_IN_PLACE, IOPGT_QUIRK_NS };

	(void)state;
	for (unsigned q = 0; q < 3; q++) {
		struct leaf_list ll = { .n = 0 };
		const uint32_t prot = RW | IOPGT_CACHE | IOPGT_NOEXEC;

		fx_open(32, 0, quirk_sets[q]);
		/* a supersection loses one page: 15 sections and 255 pages stay */
		must_map(&h, 0x03000000, 0x5b000000, SZ_16M, prot);
		must_unmap(&h, 0x03000000 + 5 * SZ_1M + 3 * SZ_4K, SZ_4K);
		TCHECK(h.log.calls <= 4, "split made %u sync calls", h.log.calls);
		TCHECK(h.op.nfl > 0, "no TLB maintenance for a split");
		check_split(&h, 0x03000000, SZ_16M);
		/* the 15 other sections, by value */
		for (unsigned i = 0; i < 16; i++) {
			uint32_t ns = (quirk_sets[q] & IOPGT_QUIRK_NS) ? (1u << 19) : 0;
			uint32_t want = (uint32_t)(0x5b000000 + i * SZ_1M) | 0x00031c1eu | ns;
			uint32_t d = desc_at(&h, l1e(&h, 0x03000000 + i * SZ_1M));

			if (i == 5)
				TCHECK((d & 0x3ff) == (ns ? 0x009u : 0x001u), "table 0x%x", d);
			else
				TCHECK(d == want, "section %u: 0x%x want 0x%x", i, d, want);
		}
		TCHECK(iopgt_walk(&h.pt, 0x03000000, SZ_16M, collect, &ll) == IOPGT_OK, "walk");
		TCHECK(ll.n >= 15 + 15 && ll.n <= 15 + 255, "%u leaves", ll.n);
		/* the pages of the split section, by value */
		for (unsigned i = 0; i < 256; i++) {
			uint64_t iova = 0x03500000 + i * SZ_4K;
			uint32_t d = desc_at(&h, l2e(&h, iova));
			uint32_t want = i == 3 ? 0 : (uint32_t)(0x5b500000 + i * SZ_4K) | 0x00000c7fu;

			if (i != 3 && (d & 3) == 1) /* a large page (64K parts may stay large) */
				want = (uint32_t)(0x5b500000 + (i & ~15u) * SZ_4K) | 0x00009c3du;
			TCHECK(d == want, "page %u: 0x%x want 0x%x", i, d, want);
		}

		/* a large page loses one page */
		ll.n = 0;
		must_map(&h, 0x40010000, 0x76540000, SZ_64K, IOPGT_READ);
		must_unmap(&h, 0x40013000, SZ_4K);
		check_split(&h, 0x40010000, SZ_64K);
		for (unsigned i = 0; i < 16; i++) {
			uint32_t d = desc_at(&h, l2e(&h, 0x40010000 + i * SZ_4K));
			uint32_t want = i == 3 ? 0 : (uint32_t)(0x76540000 + i * SZ_4K) | 0x00000e72u;

			TCHECK(d == want, "large split %u: 0x%x want 0x%x", i, d, want);
		}
		/* a section loses its last page */
		must_map(&h, 0x50000000, 0x10000000, SZ_1M, IOPGT_WRITE | IOPGT_MMIO);
		must_unmap(&h, 0x500ff000, SZ_4K);
		check_split(&h, 0x50000000, SZ_1M);
		/* a supersection loses a whole section in the middle: no table */
		must_map(&h, 0x60000000, 0x20000000, SZ_16M, IOPGT_READ | IOPGT_PRIV);
		must_unmap(&h, 0x60700000, SZ_1M);
		TCHECK(h.log.nal == 0, "a section-sized hole allocated");
		check_split(&h, 0x60000000, SZ_16M);
		/* unmapping across the pieces */
		must_unmap(&h, 0x03000000, SZ_16M);
		must_unmap(&h, 0x40000000, SZ_1M);
		must_unmap(&h, 0x50000000, SZ_1M);
		must_unmap(&h, 0x60000000, SZ_16M);
		check_stats(&h, 1, 16384);
		fx_close();
	}
}

static void test_no_split_quirk_refuses(void **state)
{
	(void)state;
	fx_open(32, 0, IOPGT_QUIRK_NO_SPLIT);
	must_map(&h, 0x03000000, 0x5b000000, SZ_16M, RW);
	must_map(&h, 0x40010000, 0x76540000, SZ_64K, RW);
	TCHECK(do_unmap(&h, 0x03100000, SZ_4K) == IOPGT_ERR_BUSY, "supersection");
	TCHECK(do_unmap(&h, 0x03100000, SZ_1M) == IOPGT_ERR_BUSY, "supersection part");
	TCHECK(do_unmap(&h, 0x40012000, SZ_4K) == IOPGT_ERR_BUSY, "large page");
	check_range(&h, 0x03000000, SZ_16M);
	check_range(&h, 0x40000000, SZ_1M);
	must_unmap(&h, 0x03000000, SZ_16M);
	must_unmap(&h, 0x40000000, SZ_1M);
	fx_close();
}

static void test_supersection_above_4g(void **state)
{
	struct leaf_list ll = { .n = 0 };
	uint64_t held;

	(void)state;
	fx_open(40, 0, 0);
	must_map(&h, 0x20000000, 0xabcd000000ull, SZ_16M, RW | IOPGT_CACHE);
	must_map(&h, 0x21000000, 0xff01000000ull, 2 * SZ_16M, IOPGT_READ);
	check_range(&h, 0x20000000, 3 * SZ_16M);
	TCHECK(desc_at(&h, l1e(&h, 0x20000000)) == 0xcdb71d4eu, "extended base 0x%x",
	       desc_at(&h, l1e(&h, 0x20000000)));
	TCHECK(iopgt_walk(&h.pt, 0x20000000, SZ_16M, collect, &ll) == IOPGT_OK, "walk");
	TCHECK(ll.n == 1 && ll.l[0].m.pa == 0xabcd000000ull && ll.l[0].entries == 16, "leaf");
	/* a partial unmap would need sections or pages: refused, nothing changes */
	held = h.mem.bytes_held;
	TCHECK(do_unmap(&h, 0x20003000, SZ_4K) == IOPGT_ERR_NOTSUP, "page of a supersection");
	TCHECK(do_unmap(&h, 0x20100000, SZ_1M) == IOPGT_ERR_NOTSUP, "section of a supersection");
	TCHECK(do_unmap(&h, 0x1ff00000, 2 * SZ_1M) == IOPGT_ERR_NOTSUP, "straddling");
	TCHECK(do_unmap(&h, 0x21800000, SZ_16M) == IOPGT_ERR_NOTSUP, "between two");
	TCHECK(h.mem.bytes_held == held && h.log.nal == 0, "memory on refusal");
	check_range(&h, 0x20000000, 3 * SZ_16M);
	/* whole supersections go */
	must_unmap(&h, 0x1f000000, 2 * SZ_16M);
	check_range(&h, 0x1f000000, 4 * SZ_16M);
	must_unmap(&h, 0x21000000, 2 * SZ_16M);
	/* below 4 GiB the same configuration splits */
	must_map(&h, 0x20000000, 0xff000000ull, SZ_16M, RW);
	must_unmap(&h, 0x20003000, SZ_4K);
	check_range(&h, 0x20000000, SZ_16M);
	must_unmap(&h, 0x20000000, SZ_16M);
	check_stats(&h, 1, 16384);
	fx_close();
}

static void test_sections_and_pages_cannot_hold_addresses_above_4g(void **state)
{
	(void)state;
	fx_open(40, 0, 0);
	TCHECK(do_map_refused(&h, 0x00100000, 0x100000000ull, SZ_1M, RW) == IOPGT_ERR_NOTSUP,
	       "section");
	TCHECK(do_map_refused(&h, 0x00001000, 0x100001000ull, SZ_4K, RW) == IOPGT_ERR_NOTSUP,
	       "page");
	TCHECK(do_map_refused(&h, 0x00010000, 0x100010000ull, SZ_64K, RW) == IOPGT_ERR_NOTSUP,
	       "large");
	/* all or nothing: a supersection followed by a section */
	TCHECK(do_map_refused(&h, 0x01000000, 0x200000000ull, SZ_16M + SZ_1M, RW) ==
		       IOPGT_ERR_NOTSUP,
	       "supersection and section");
	check_range(&h, 0, 0x02200000);
	check_stats(&h, 1, 16384);
	fx_close();
}

static void test_mtk_ext_addresses_above_4g(void **state)
{
	static const uint64_t sizes[] = { SZ_4K, SZ_64K, SZ_1M, SZ_16M };
	const uint32_t q = IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS;

	(void)state;
	fx_open(35, 0, q);
	for (unsigned i = 0; i < 4; i++) {
		for (unsigned hi = 1; hi < 8; hi++) {
			uint64_t iova = (uint64_t)(i * 8 + hi) * SZ_16M * 2;
			uint64_t pa = (uint64_t)hi << 32 | 0x5b000000ull;

			must_map(&h, iova, pa, sizes[i], IOPGT_READ);
			check_at(&h, iova);
			check_at(&h, iova + sizes[i] - SZ_4K);
		}
	}
	/* by value: PA[32] bit 9, PA[33] bit 4, PA[34] bit 5 */
	TCHECK(desc_at(&h, l2e(&h, 7 * 2 * SZ_16M)) == 0x5b000e72u, "small, PA[34:32] = 7: 0x%x",
	       desc_at(&h, l2e(&h, 7 * 2 * SZ_16M)));
	TCHECK(desc_at(&h, l1e(&h, 31 * 2 * SZ_16M)) == 0x5b071232u, "supersection: 0x%x",
	       desc_at(&h, l1e(&h, 31 * 2 * SZ_16M)));
	TCHECK(desc_at(&h, l1e(&h, 18 * 2 * SZ_16M)) == 0x5b031012u, "section, PA[33]: 0x%x",
	       desc_at(&h, l1e(&h, 18 * 2 * SZ_16M)));
	TCHECK(iopgt_map(&h.pt, 0, 0x800000000ull, SZ_4K, RW) == IOPGT_ERR_RANGE, "beyond 35 bits");
	/* splits keep the address bits */
	must_unmap(&h, 31 * 2 * SZ_16M + 0x00321000, SZ_4K);
	check_split(&h, 31 * 2 * SZ_16M, SZ_16M);
	must_unmap(&h, 0, SZ_4G);
	check_stats(&h, 1, 16384);
	fx_close();
}

/* a digest of every leaf, to compare before and after a failed call */
struct snap {
	uint64_t n, h;
};

static int snap_leaf(void *ctx, const struct iopgt_leaf *l)
{
	struct snap *s = ctx;
	const uint64_t v[7] = { l->m.iova, l->m.pa, l->m.size, l->m.prot, l->level, l->entries,
				l->desc };

	s->n++;
	for (unsigned i = 0; i < 7; i++)
		s->h = (s->h ^ v[i]) * 0x100000001b3ull;
	return 0;
}

static void take_snap(struct th *t, struct snap *s)
{
	s->n = 0;
	s->h = 0xcbf29ce484222325ull;
	TCHECK(iopgt_walk(&t->pt, 0, 0, snap_leaf, s) == IOPGT_OK, "walk");
}

static void same_snap(const struct snap *a, const struct snap *b)
{
	TCHECK(a->n == b->n && a->h == b->h, "leaves changed: %llu leaves, were %llu",
	       (unsigned long long)b->n, (unsigned long long)a->n);
}

/* Run op with the k-th allocation failing for k = 1, 2, ... until it works
 * (the harness checks each failed op for changes, leaks and reports too). */
static void fail_each_alloc(struct th *t, int (*op)(struct th *t, void *arg), void *arg)
{
	struct snap before, after;
	unsigned k;

	for (k = 1; k < 64; k++) {
		uint64_t held = t->mem.bytes_held;
		int err;

		take_snap(t, &before);
		t->mem.fail_at = k;
		err = op(t, arg);
		t->mem.fail_at = 0;
		if (err == IOPGT_OK)
			break;
		TCHECK(err == IOPGT_ERR_NOMEM, "allocation %u failing: %d", k, err);
		TCHECK(t->log.calls == 0, "allocation %u failing: %u sync calls", k, t->log.calls);
		TCHECK(t->mem.bytes_held == held, "allocation %u failing: %llu bytes held, were %llu",
		       k, (unsigned long long)t->mem.bytes_held, (unsigned long long)held);
		take_snap(t, &after);
		same_snap(&before, &after);
	}
	TCHECK(k > 1, "the operation allocated nothing");
	TCHECK(k < 64, "never succeeded");
}

/* the ops: th_map/th_unmap follow a successful one in the model */
static int op_map_many(struct th *t, void *arg)
{
	(void)arg;
	/* three level-2 tables and a supersection */
	return th_map(t, 0x0ff00000 - SZ_4K, 0x1ff00000 - SZ_4K,
		      SZ_4K + SZ_1M + SZ_16M + SZ_1M + SZ_4K + SZ_64K + SZ_4K, RW);
}

static int op_map_sparse(struct th *t, void *arg)
{
	/* a map over many tables needs more than a few dirty ranges */
	uint64_t base = *(uint64_t *)arg;

	return th_map(t, base + 0xff000, 0x30000000, 40 * SZ_1M, RW);
}

static int op_split(struct th *t, void *arg)
{
	uint64_t iova = *(uint64_t *)arg;

	return th_unmap(t, iova, SZ_4K);
}

static void test_allocation_failure_at_every_point(void **state)
{
	uint64_t a;
	int err;

	(void)state;
	/* init: the root allocation fails (the test allocator alone, as
	 * th_init cannot fail its first allocation) */
	{
		struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARMV7S, .ias = 32, .oas = 32 };
		struct tmem m;
		struct iopgt pt;

		tctx_set("v7s init, the root allocation failing");
		tmem_init(&m, 0x80000000ull, 32, 3);
		tmem_hooks(&m, &cfg.mem);
		m.fail_at = 1;
		err = iopgt_init(&pt, &cfg);
		TCHECK(err == IOPGT_ERR_NOMEM, "init with a failing allocator: %d", err);
		TCHECK(m.bytes_held == 0, "leak");
		tmem_fini(&m);
	}

	fx_open(32, 0, 0);
	must_map(&h, 0x0ff00000 - 2 * SZ_4K, 0, SZ_4K, RW); /* a table already there */
	fail_each_alloc(&h, op_map_many, NULL);
	check_range(&h, 0x0fe00000, 0x01400000);
	a = 0x40000000;
	fail_each_alloc(&h, op_map_sparse, &a);
	check_range(&h, 0x40000000, 41 * SZ_1M);
	/* splits: a supersection's page, a section's page */
	must_map(&h, 0x80000000ull, 0x80000000ull, SZ_16M, RW);
	must_map(&h, 0xa0000000ull, 0x10000000ull, SZ_1M, RW);
	a = 0x80345000;
	fail_each_alloc(&h, op_split, &a);
	a = 0xa0055000;
	fail_each_alloc(&h, op_split, &a);
	check_range(&h, 0x80000000ull, SZ_16M);
	check_range(&h, 0xa0000000ull, SZ_1M);
	check_range(&h, 0x40000000, 41 * SZ_1M);
	must_unmap(&h, 0, SZ_4G);
	check_stats(&h, 1, 16384);
	fx_close();
}

/* ------------------------------------------------------------------------ */
/* random sequences */

struct rcfg {
	unsigned oas;
	uint64_t pgsizes;
	uint32_t quirks;
	uint64_t window; /* base of the 64 MiB window */
};

static void random_run(const struct rcfg *rc, uint64_t seed, unsigned ops)
{
	static const uint64_t cls[4] = { SZ_4K, SZ_64K, SZ_1M, SZ_16M };
	const uint64_t win = 64 * SZ_1M;
	const uint64_t pa_span = rc->quirks & IOPGT_QUIRK_MTK_EXT ? (1ull << 35) : SZ_4G;
	struct trng r;

	TCHECK(open_seeded(rc->oas, rc->pgsizes, rc->quirks, seed) == IOPGT_OK, "init");
	trng_seed(&r, seed);
	for (unsigned n = 0; n < ops; n++) {
		uint64_t c = cls[trng_below(&r, 4)];
		uint64_t iova, size, pa;
		int err;

		if (trng_below(&r, 3)) {
			/* map: a few units of a size class, at an offset that
			 * makes the greedy choice mix sizes */
			size = c * (1 + trng_below(&r, c == SZ_16M ? 2 : 6));
			if (trng_below(&r, 2))
				size += SZ_4K * trng_below(&r, 20);
			if (size > win)
				size = win;
			iova = rc->window + (trng_below(&r, (win - size) / c + 1) * c);
			if (trng_below(&r, 3) == 0 && iova + size + SZ_64K <= rc->window + win)
				iova += SZ_4K * trng_below(&r, 16);
			pa = (trng_below(&r, (pa_span - SZ_16M * 8) / SZ_16M) * SZ_16M) |
			     (iova & (SZ_16M - 1));
			if (trng_below(&r, 5) == 0)
				pa ^= SZ_4K * (1 + trng_below(&r, 15));
			do_map(&h, iova, pa, size, trng_prot(&r));
		} else {
			size = SZ_4K * (1 + trng_below(&r, trng_below(&r, 2) ? 40 : 5000));
			if (size > win)
				size = win;
			iova = rc->window + SZ_4K * trng_below(&r, (win - size) / SZ_4K + 1);
			err = do_unmap(&h, iova, size);
			TCHECK(err == IOPGT_OK, "unmap: %d", err);
		}
		check_at(&h, iova);
		check_at(&h, iova + size - SZ_4K);
		if (iova > rc->window)
			check_at(&h, iova - SZ_4K);
		if (iova + size < rc->window + win)
			check_at(&h, iova + size);
		if (n % 64 == 63 || n + 1 == ops)
			check_range(&h, rc->window, win);
	}
	/* everything goes, and every table with it */
	must_unmap(&h, 0, SZ_4G);
	check_stats(&h, 1, 16384);
	fx_close();
}

static void test_random_against_model_and_refwalk(void **state)
{
	static const struct rcfg cfgs[] = {
		{ 32, 0, 0, 0 },
		{ 32, 0, 0, SZ_4G - 64 * SZ_1M },
		{ 32, 0, IOPGT_QUIRK_NS | IOPGT_QUIRK_SPLIT_IN_PLACE, 0x40000000 },
		{ 32, 0, IOPGT_QUIRK_NO_PERMS, 0x7c000000 },
		{ 35, 0, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, SZ_4G - 64 * SZ_1M },
		{ 32, SZ_4K | SZ_1M, 0, 0x10000000 },
		{ 32, SZ_4K | SZ_64K | SZ_16M, 0, 0x20000000 },
		{ 32, SZ_4K, 0, 0x30000000 },
	};
	uint64_t seed = test_seed(0x5eed);
	unsigned ops = test_iters(600);

	(void)state;
	for (unsigned i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		random_run(&cfgs[i], seed + i, ops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry_and_root),
		cmocka_unit_test(test_init_rejects_bad_configs),
		cmocka_unit_test(test_every_page_size_at_the_edges_of_4g),
		cmocka_unit_test(test_map_uses_the_largest_size_each_part_allows),
		cmocka_unit_test(test_level2_tables_are_1k_allocations),
		cmocka_unit_test(test_table_entry_is_not_rewritten_when_a_page_is_added),
		cmocka_unit_test(test_sixteen_entries_are_one_64_byte_range),
		cmocka_unit_test(test_split_replicates_the_remaining_parts),
		cmocka_unit_test(test_no_split_quirk_refuses),
		cmocka_unit_test(test_supersection_above_4g),
		cmocka_unit_test(test_sections_and_pages_cannot_hold_addresses_above_4g),
		cmocka_unit_test(test_mtk_ext_addresses_above_4g),
		cmocka_unit_test(test_allocation_failure_at_every_point),
		cmocka_unit_test(test_random_against_model_and_refwalk),
	};

	return cmocka_run_group_tests_name("v7s map", tests, NULL, NULL);
}
