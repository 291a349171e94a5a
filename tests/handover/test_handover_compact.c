/* SPDX-License-Identifier: MIT */
/*
 * test_handover_compact.c - iopgt_compact() in every format, under the
 * walker-image checker (clauses 1-5 at every sync call: the break-before-
 * make of the entries replaced, one flush_walk before the frees and the new
 * leaves, at most two sync calls), against the model (every translation as
 * before), and against the table memory the largest leaves need.
 */
#include "hcommon.h"

static struct th h;

static struct iopgt_stats stats(void)
{
	struct iopgt_stats st;

	TCHECK(iopgt_get_stats(&h.pt, &st) == IOPGT_OK, "stats");
	return st;
}

/* the leaf that translates @iova */
static struct iopgt_mapping leaf(uint64_t iova)
{
	struct iopgt_mapping m;
	int rc = iopgt_lookup(&h.pt, iova, &m);

	TCHECK(rc == IOPGT_OK, "lookup 0x%llx: %d", (unsigned long long)iova, rc);
	return m;
}

/*
 * A block of the level above the last: a granule unmapped in its middle
 * (the split makes a table), mapped again, then compacted: the block is
 * back, the table freed, in two sync calls and one flush_walk.
 */
static void a_split_block_is_formed_again_in_every_format(void **state)
{
	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		const struct bcfg *b = &bcfgs[k];
		uint64_t blk, at, pa, g = b->gran;
		struct iopgt_stats st0, st1;
		int lvl;

		bc_th_init(&h, b, 0xb10c + k);
		lvl = h.last_level - 1;
		if (lvl < h.start_level || !hc_block(&h, lvl)) {
			th_fini(&h);
			continue;
		}
		blk = hc_esz(&h, lvl);
		at = h.base + 2 * blk;
		pa = hc_pa(b) + blk;
		assert_int_equal(th_map(&h, at, pa, blk, IOPGT_READ | IOPGT_WRITE), IOPGT_OK);
		st0 = stats();
		assert_int_equal(th_unmap(&h, at + blk / 2, g), IOPGT_OK);
		assert_int_equal(th_map(&h, at + blk / 2, pa + blk / 2, g, IOPGT_READ | IOPGT_WRITE),
				 IOPGT_OK);
		TCHECK(leaf(at).size < blk, "%s: split", b->name);
		st1 = stats();
		TCHECK(st1.tables == st0.tables + 1, "%s: the split's table", b->name);
		assert_int_equal(th_compact(&h, h.base, 8 * blk), IOPGT_OK);
		TCHECK(h.op.syncs == 2 && h.op.nfl == 1, "%s: %u sync calls, %zu flushes", b->name,
		       h.op.syncs, h.op.nfl);
		TCHECK(leaf(at + g).size == blk && leaf(at).iova == at, "%s: the block is back",
		       b->name);
		TCHECK(stats().tables == st0.tables && stats().table_bytes == st0.table_bytes,
		       "%s: %llu tables after, %llu before the split", b->name,
		       (unsigned long long)stats().tables, (unsigned long long)st0.tables);
		/* again: nothing to do, nothing reported */
		assert_int_equal(th_compact(&h, h.base, 8 * blk), IOPGT_OK);
		TCHECK(h.op.syncs == 0 && h.op.nfl == 0, "%s: a second compaction wrote", b->name);
		th_check_all(&h);
		th_fini(&h);
	}
}


/*
 * A contiguous run at each level pgsizes has one: a granule unmapped in it
 * (the run's other entries lose the contiguous bit, the hit one becomes a
 * table unless it is a page), mapped again, then compacted: the run is
 * back and nothing more is held than before.
 */
static void split_runs_are_formed_again_at_every_level(void **state)
{
	unsigned runs = 0;

	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		const struct bcfg *b = &bcfgs[k];

		bc_th_init(&h, b, 0x7a + k);
		for (int lvl = h.start_level; lvl <= h.last_level; lvl++) {
			const uint64_t rsz = hc_run(&h, lvl), g = b->gran;
			uint64_t at, pa, hole;
			struct iopgt_stats st0;

			if (!rsz || rsz > 0x400000000ull)
				continue;
			at = h.base + 2 * rsz;
			pa = hc_pa(b) + rsz;
			hole = at + rsz / 2 + (hc_esz(&h, lvl) > g ? hc_esz(&h, lvl) / 2 : 0);
			assert_int_equal(th_map(&h, at, pa, rsz, IOPGT_READ | IOPGT_CACHE), IOPGT_OK);
			st0 = stats();
			TCHECK(leaf(at).size == rsz, "%s: level %u: a run of 0x%llx", b->name, lvl,
			       (unsigned long long)rsz);
			assert_int_equal(th_unmap(&h, hole, g), IOPGT_OK);
			assert_int_equal(th_map(&h, hole, pa + (hole - at), g, IOPGT_READ | IOPGT_CACHE),
					 IOPGT_OK);
			TCHECK(leaf(at).size < rsz, "%s: level %u: split", b->name, lvl);
			assert_int_equal(th_compact(&h, at, rsz), IOPGT_OK);
			TCHECK(leaf(hole).size == rsz && leaf(hole).iova == at,
			       "%s: level %u: the run is back (leaf 0x%llx)", b->name, lvl,
			       (unsigned long long)leaf(hole).size);
			TCHECK(stats().tables == st0.tables, "%s: level %u: %llu tables, %llu before",
			       b->name, lvl, (unsigned long long)stats().tables,
			       (unsigned long long)st0.tables);
			assert_int_equal(th_unmap(&h, at, rsz), IOPGT_OK);
			runs++;
		}
		th_check_all(&h);
		th_fini(&h);
	}
	TCHECK(runs >= NBCFGS + 4, "only %u runs re-formed", runs);
}

/*
 * Several levels in one call: in a region of the second level's block
 * size, the first of its entries mapped page by page, the rest as one map
 * (blocks and runs): the whole region becomes one block, both levels of
 * tables below it freed. (Configurations whose block there holds at most
 * 2048 pages, and a level with blocks above the one above the pages.)
 */
static void pages_and_blocks_become_one_larger_block(void **state)
{
	unsigned done = 0;

	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		const struct bcfg *b = &bcfgs[k];
		const uint64_t g = b->gran;
		uint64_t big, blk, at, pa;
		struct iopgt_stats st0, st1;
		int top;

		bc_th_init(&h, b, 0x3a + k);
		top = h.last_level - 2;
		if (h.last_level < 2 || top < h.start_level || !hc_block(&h, top) ||
		    hc_esz(&h, h.last_level - 1) / g > 2048 || hc_esz(&h, top) > 0x400000000ull) {
			th_fini(&h);
			continue;
		}
		h.o.check_every = 512;
		big = hc_esz(&h, top);
		blk = hc_esz(&h, h.last_level - 1);
		at = h.base + big;
		pa = hc_pa(b) & ~(big - 1);
		st0 = stats();
		for (uint64_t o = 0; o < blk; o += g)
			assert_int_equal(th_map(&h, at + o, pa + o, g, IOPGT_READ | IOPGT_WRITE),
					 IOPGT_OK);
		assert_int_equal(th_map(&h, at + blk, pa + blk, big - blk, IOPGT_READ | IOPGT_WRITE),
				 IOPGT_OK);
		st1 = stats();
		TCHECK(st1.tables >= st0.tables + 2, "%s: two tables", b->name);
		assert_int_equal(th_compact(&h, h.base, 4 * big), IOPGT_OK);
		TCHECK(h.op.syncs == 2, "%s: %u sync calls", b->name, h.op.syncs);
		TCHECK(leaf(at + blk / 2).size == big, "%s: leaf 0x%llx, wanted 0x%llx", b->name,
		       (unsigned long long)leaf(at + blk / 2).size, (unsigned long long)big);
		TCHECK(stats().tables == st1.tables - 2 &&
		       stats().table_bytes == st1.table_bytes - 2 * (h.dsize == 4 ? 0x400 : g),
		       "%s: %llu tables after, %llu before", b->name,
		       (unsigned long long)stats().tables, (unsigned long long)st1.tables);
		th_check_all(&h);
		th_fini(&h);
		done++;
	}
	TCHECK(done >= 4, "only %u configurations have the levels", done);
}

/*
 * With IOPGT_QUIRK_SPLIT_IN_PLACE the new leaves replace the entries in one
 * sync call, the flush_walk comes after it and the frees last.
 */
static void in_place_compaction_makes_one_sync_call(void **state)
{
	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		struct bcfg b = bcfgs[k];
		uint64_t blk, at, pa, g = b.gran;
		struct iopgt_stats st0;
		int lvl;

		b.quirks |= IOPGT_QUIRK_SPLIT_IN_PLACE;
		bc_th_init(&h, &b, 0x1b + k);
		lvl = h.last_level - 1;
		if (lvl < h.start_level || !hc_block(&h, lvl)) {
			th_fini(&h);
			continue;
		}
		blk = hc_esz(&h, lvl);
		at = h.base + blk;
		pa = hc_pa(&b) + 3 * blk;
		assert_int_equal(th_map(&h, at, pa, 3 * blk, IOPGT_READ), IOPGT_OK);
		st0 = stats();
		for (unsigned i = 0; i < 3; i++) {
			assert_int_equal(th_unmap(&h, at + i * blk + g, g), IOPGT_OK);
			assert_int_equal(th_map(&h, at + i * blk + g, pa + i * blk + g, g, IOPGT_READ),
					 IOPGT_OK);
		}
		assert_int_equal(th_compact(&h, at, 3 * blk), IOPGT_OK);
		TCHECK(h.op.syncs == 1 && h.op.nfl == 1, "%s: %u sync calls, %zu flushes", b.name,
		       h.op.syncs, h.op.nfl);
		TCHECK(leaf(at + blk).size == blk, "%s: a block again", b.name);
		TCHECK(stats().tables == st0.tables, "%s: tables freed", b.name);
		th_check_all(&h);
		th_fini(&h);
	}
}

/*
 * Only what lies inside the range is replaced: a table whose span reaches
 * out of it stays (its groups of pages inside the range become runs), a
 * range that covers it whole replaces it.
 */
static void only_spans_inside_the_range_are_replaced(void **state)
{
	const struct bcfg *b = &bcfgs[0]; /* AArch64 stage 1, 4K */
	const uint64_t g = b->gran, blk = 0x200000;
	uint64_t at, pa;
	struct iopgt_stats st0;

	(void)state;
	bc_th_init(&h, b, 0x1e);
	at = h.base + 4 * blk;
	pa = hc_pa(b);
	assert_int_equal(th_map(&h, at, pa, blk, IOPGT_READ), IOPGT_OK);
	st0 = stats();
	assert_int_equal(th_unmap(&h, at, g), IOPGT_OK);
	assert_int_equal(th_map(&h, at, pa, g, IOPGT_READ), IOPGT_OK);
	TCHECK(leaf(at + 16 * g).size == g, "split into pages");
	assert_int_equal(th_compact(&h, at + g, blk - g), IOPGT_OK);
	TCHECK(leaf(at).size == g && leaf(at + 15 * g).size == g, "the first group: in part outside");
	TCHECK(leaf(at + 16 * g).size == 16 * g && leaf(at + blk - g).size == 16 * g,
	       "the other groups: runs");
	TCHECK(stats().tables == st0.tables + 1, "the table stays");
	assert_int_equal(th_compact(&h, at - blk, blk + 16 * g), IOPGT_OK);
	TCHECK(h.op.syncs == 2 && leaf(at).size == 16 * g, "the first group alone: a run");
	assert_int_equal(th_compact(&h, at, blk), IOPGT_OK);
	TCHECK(leaf(at).size == blk && stats().tables == st0.tables, "the whole span: a block");
	th_check_all(&h);
	th_fini(&h);
}

/* Corrupt descriptors in the range: IOPGT_ERR_CORRUPT, nothing written. */
static void a_corrupt_descriptor_in_the_range_changes_nothing(void **state)
{
	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		const struct bcfg *b = &bcfgs[k];
		const uint64_t g = b->gran;
		uint64_t blk, at, pa, v;
		struct tmem_rec *r;
		struct snap sn;
		size_t idx;
		int lvl;
		int rc;

		bc_th_init(&h, b, 0xc0 + k);
		lvl = h.last_level - 1;
		if (lvl < h.start_level || !hc_block(&h, lvl)) {
			th_fini(&h);
			continue;
		}
		blk = hc_esz(&h, lvl);
		at = h.base + 2 * blk;
		pa = hc_pa(b);
		assert_int_equal(th_map(&h, at, pa, blk, IOPGT_READ), IOPGT_OK);
		assert_int_equal(th_unmap(&h, at + g, g), IOPGT_OK);
		assert_int_equal(th_map(&h, at + g, pa + g, g, IOPGT_READ), IOPGT_OK);
		/* the last-level table: its last entry made reserved */
		r = NULL;
		for (size_t i = 0; i < h.mem.n; i++)
			if (h.mem.recs[i].linked && h.mem.recs[i].level == h.last_level &&
			    h.mem.recs[i].span_first == at)
				r = &h.mem.recs[i];
		TCHECK(r != NULL, "%s: no table", b->name);
		idx = r->size / h.dsize - 1;
		v = 0;
		for (unsigned q = 0; q < h.dsize; q++)
			v |= (uint64_t)r->va[idx * h.dsize + q] << (8 * q);
		/* LPAE: a block type at the last level; v7s: a large page with
		 * TEX bits in its attribute block */
		v = bc_v7s(b) ? (v & 0xffff0000u) | 0x41 : v & ~(uint64_t)2;
		for (unsigned q = 0; q < h.dsize; q++)
			r->va[idx * h.dsize + q] = r->img[idx * h.dsize + q] = (uint8_t)(v >> (8 * q));
		snap_take(&sn, &h.mem);
		rc = iopgt_compact(&h.pt, h.base, 8 * blk);
		TCHECK(rc == IOPGT_ERR_CORRUPT, "%s: compact over the corrupt entry: %d", b->name, rc);
		snap_expect(&sn, &h.mem, "compact over a corrupt entry");
		/* a range beside it is fine */
		assert_int_equal(th_compact(&h, h.base, 2 * blk), IOPGT_OK);
		snap_free(&sn);
		assert_int_equal(th_unmap(&h, at, blk), IOPGT_OK);
		th_check_all(&h);
		th_fini(&h);
	}
}

/*
 * Compaction allocates no table. With every allocation failing, a
 * compaction of a few places still succeeds; one with more separate places
 * than the on-stack records hold needs its scratch array: IOPGT_ERR_NOMEM,
 * and nothing changed (the harness compares every byte and the walker's
 * view); with memory, the same call succeeds.
 */
static void allocation_failure_never_leaves_a_partial_compaction(void **state)
{
	static const uint32_t quirks[] = { 0, IOPGT_QUIRK_SPLIT_IN_PLACE };

	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		for (unsigned q = 0; q < 2; q++) {
			struct bcfg b = bcfgs[k];
			uint64_t blk, g = b.gran, pa;
			int lvl;
			unsigned places;
			struct snap sn;
			int rc;

			b.quirks |= quirks[q];
			bc_th_init(&h, &b, 0xa1 + k);
			lvl = h.last_level - 1;
			if (lvl < h.start_level || !hc_block(&h, lvl)) {
				th_fini(&h);
				continue;
			}
			blk = hc_esz(&h, lvl);
			pa = hc_pa(&b);
			places = hc_esz(&h, lvl) >= 0x20000000 ? 20 : 40;
			/* every other block split and mapped again */
			for (unsigned i = 0; i < places; i++) {
				uint64_t at = h.base + 2 * i * blk;

				assert_int_equal(th_map(&h, at, pa + 2 * i * blk, blk, IOPGT_READ),
						 IOPGT_OK);
				assert_int_equal(th_unmap(&h, at, g), IOPGT_OK);
				assert_int_equal(th_map(&h, at, pa + 2 * i * blk, g, IOPGT_READ),
						 IOPGT_OK);
			}
			h.mem.fail_all = true;
			/* two places: on the stack */
			assert_int_equal(th_compact(&h, h.base, 3 * blk), IOPGT_OK);
			TCHECK(leaf(h.base).size == blk && h.mem.failed_total == 0,
			       "%s: a small compaction allocated", b.name);
			snap_take(&sn, &h.mem);
			rc = th_compact(&h, h.base, 2 * places * blk);
			if (places >= 40 || q) {
				TCHECK(rc == IOPGT_ERR_NOMEM && h.mem.failed_total == 1,
				       "%s: many places with no memory: %d", b.name, rc);
				snap_expect(&sn, &h.mem, "a failed compaction");
			} else {
				TCHECK(rc == IOPGT_OK && h.mem.failed_total == 0,
				       "%s: %u places on the stack: %d", b.name, places, rc);
			}
			snap_free(&sn);
			h.mem.fail_all = false;
			assert_int_equal(th_compact(&h, h.base, 2 * places * blk), IOPGT_OK);
			TCHECK(leaf(h.base + 2 * (places - 1) * blk).size == blk, "%s: compacted",
			       b.name);
			th_check_all(&h);
			th_fini(&h);
		}
	}
}

/*
 * With IOPGT_QUIRK_CONCURRENT compaction runs alone (every pin held): the
 * same block formed again, with the test allocator alone (the harness
 * counts no IOPGT_CONCURRENT_BYTES).
 */
static void compaction_works_with_concurrent_calls_allowed(void **state)
{
	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		const struct bcfg *b = &bcfgs[k];
		struct iopgt_cfg c = bc_cfg(b);
		const uint64_t g = b->gran, base = bc_base(b), pa = hc_pa(b);
		struct iopgt pt;
		struct iopgt_mapping m;
		struct iopgt_stats st0, st1;
		struct tmem mem;
		uint64_t blk = 0, at;

		for (unsigned bit = 63; bit > 0; bit--)
			if ((b->pgsizes & tbit(bit)) && tbit(bit) < 0x40000000ull &&
			    (bc_v7s(b) ? bit == 20 : tbit(bit) > g * 64)) {
				blk = tbit(bit);
				break;
			}
		tctx_set("%s: concurrent", b->name);
		c.quirks |= IOPGT_QUIRK_CONCURRENT;
		tmem_init(&mem, bc_pa_base(b), b->oas, 0xcc);
		tmem_hooks(&mem, &c.mem);
		assert_int_equal(iopgt_init(&pt, &c), IOPGT_OK);
		at = base + 2 * blk;
		assert_int_equal(iopgt_map(&pt, at, pa, blk, IOPGT_READ), IOPGT_OK);
		assert_int_equal(iopgt_get_stats(&pt, &st0), IOPGT_OK);
		assert_int_equal(iopgt_unmap(&pt, at + blk - g, g), IOPGT_OK);
		assert_int_equal(iopgt_map(&pt, at + blk - g, pa + blk - g, g, IOPGT_READ), IOPGT_OK);
		assert_int_equal(iopgt_get_stats(&pt, &st1), IOPGT_OK);
		TCHECK(st1.tables == st0.tables + 1, "split");
		assert_int_equal(iopgt_compact(&pt, base, 4 * blk), IOPGT_OK);
		assert_int_equal(iopgt_lookup(&pt, at + blk - g, &m), IOPGT_OK);
		TCHECK(m.size == blk && m.iova == at && m.pa == pa, "a block again: 0x%llx",
		       (unsigned long long)m.size);
		assert_int_equal(iopgt_get_stats(&pt, &st1), IOPGT_OK);
		TCHECK(st1.tables == st0.tables, "the table freed");
		iopgt_fini(&pt);
		tmem_fini(&mem);
	}
}

/* ------------------------------------------------------------------ */
/* the table memory the largest leaves need, from the model alone */

/* Is [a, a + size) (offsets) one chunk of the compacted model, with an
 * output address aligned to @size that a leaf of @level can hold? */
static bool one_leaf_fits(uint64_t a, uint64_t size, unsigned level, bool run)
{
	const struct mchunk *c = model_lookup(&h.md, a);
	uint64_t pa;

	if (!c || c->iova + c->size < a + size)
		return false;
	pa = c->pa + (a - c->iova);
	if (pa & (size - 1))
		return false;
	/* v7s without MTK_EXT: only supersections hold addresses above 4 GiB */
	if (h.cfg.fmt == IOPGT_FMT_ARMV7S && !(h.cfg.quirks & IOPGT_QUIRK_MTK_EXT) &&
	    !(level == 1 && run) && pa + size > tbit(32))
		return false;
	return true;
}

/* Is the span of one entry at @level from @a covered by a leaf at @level
 * or above in the largest-leaf layout? */
static bool covered_above(uint64_t a, int level)
{
	for (int l = h.start_level; l <= level; l++) {
		uint64_t e = hc_esz(&h, l), r = hc_run(&h, l);

		if (hc_block(&h, l) && one_leaf_fits(a & ~(e - 1), e, l, false))
			return true;
		if (r && one_leaf_fits(a & ~(r - 1), r, l, true))
			return true;
	}
	return false;
}

/*
 * The tables the largest-leaf layout of the model needs: the root, and at
 * each level below it one table per span of an entry of the level above
 * that holds a mapping and that no leaf at that level or above covers.
 */
static uint64_t ideal_tables(void)
{
	uint64_t n = 1;

	for (int l = h.start_level + 1; l <= h.last_level; l++) {
		const uint64_t span = hc_esz(&h, l - 1);
		uint64_t last = ~(uint64_t)0;

		for (size_t i = 0; i < h.md.n; i++) {
			const struct mchunk *c = &h.md.c[i];

			for (uint64_t a = c->iova & ~(span - 1); a < c->iova + c->size; a += span) {
				if (a == last)
					continue;
				last = a;
				if (!covered_above(a, l - 1))
					n++;
			}
		}
	}
	return n;
}

/*
 * Random sequences of maps and unmaps (splits, holes mapped again page by
 * page, output addresses that continue each other), each ending in a
 * compaction of the whole input range, in every format; some compact a
 * random part of the window on the way. After the last compaction the
 * tables held are exactly those the largest-leaf layout of the model
 * needs. Every call runs under the checker.
 */
static void random_sequences_end_in_the_largest_leaves(void **state)
{
	uint64_t before, freed = 0, writes = 0, splits = 0;

	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		for (unsigned run = 0; run < 2; run++) {
			const struct bcfg *b = &bcfgs[k];
			const uint64_t seed = test_seed(0x5eed00 + 16 * k + run);
			struct trng r;
			uint64_t want;
			struct iopgt_stats st;

			bc_th_init(&h, b, seed);
			trng_seed(&r, seed);
			for (unsigned part = 0; part < 4; part++) {
				hc_random_ops(&h, &r, test_iters(20), hc_pa(b));
				if (part < 3) {
					uint64_t g = h.granule, a = trng_below(&r, 4096) * g;

					before = stats().tables;
					assert_int_equal(th_compact(&h, h.base + a,
								    g * (1 + trng_below(&r, 1u << 14))),
							 IOPGT_OK);
					freed += before - stats().tables;
					writes += h.op.syncs != 0;
				}
			}
			before = stats().tables;
			assert_int_equal(th_compact(&h, h.base, h.range_last - h.base + 1), IOPGT_OK);
			freed += before - stats().tables;
			writes += h.op.syncs != 0;
			splits += h.splits_seen;
			TCHECK(h.op.syncs <= 2, "%u sync calls", h.op.syncs);
			th_check_all(&h);
			st = stats();
			want = ideal_tables();
			TCHECK(st.tables == want,
			       "%s: %llu tables after compacting everything, the largest leaves need "
			       "%llu", b->name, (unsigned long long)st.tables, (unsigned long long)want);
			TCHECK(st.table_bytes ==
			       h.mem.recs[0].size + (want - 1) * (h.dsize == 4 ? 0x400 : h.granule),
			       "%s: table bytes", b->name);
			th_fini(&h);
		}
	}
	print_message("random compactions: %llu wrote, %llu tables freed, %llu splits before\n",
		      (unsigned long long)writes, (unsigned long long)freed,
		      (unsigned long long)splits);
	TCHECK(writes >= NBCFGS && freed >= NBCFGS, "compaction had too little to do");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_split_block_is_formed_again_in_every_format),
		cmocka_unit_test(split_runs_are_formed_again_at_every_level),
		cmocka_unit_test(pages_and_blocks_become_one_larger_block),
		cmocka_unit_test(in_place_compaction_makes_one_sync_call),
		cmocka_unit_test(only_spans_inside_the_range_are_replaced),
		cmocka_unit_test(a_corrupt_descriptor_in_the_range_changes_nothing),
		cmocka_unit_test(allocation_failure_never_leaves_a_partial_compaction),
		cmocka_unit_test(compaction_works_with_concurrent_calls_allowed),
		cmocka_unit_test(random_sequences_end_in_the_largest_leaves),
	};

	return cmocka_run_group_tests_name("handover-compact", tests, NULL, NULL);
}
