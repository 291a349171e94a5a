/* SPDX-License-Identifier: MIT */
/*
 * lib/track.c - dirty and access tracking: iopgt_read_and_clear_dirty()
 * and iopgt_test_and_clear_young() (IOPGT_QUIRK_HW_DIRTY, _HW_ACCESS).
 *
 * One walk over the range, like the leaf iterator (read.c). Each leaf that
 * holds the state asked for (dirty or young; a contiguous run when any of
 * its entries does, c_dirty(), c_young()) is reported whole; unless told
 * not to, every entry holding the state loses it with a compare-and-swap
 * (put_cas_leaf()) that is retried with the value found: the walker may
 * mark the same descriptor at the same time, and only ever adds state, so
 * what it added is kept.
 *
 * The spans to report and the TLB invalidations due are gathered in small
 * buffers, coalesced on the fly: adjacent leaves make one span, adjacent
 * leaves of one entry size one invalidation. When a buffer fills, and at
 * the end, the invalidations go first (tlb_run()), then the spans that are
 * complete go to the caller: a span is reported only once its TLB entries
 * are gone, so data the caller copies for it is at least as new as the
 * clean. The last span, and the last invalidation, stay open while the next
 * leaf may extend them.
 *
 * Nothing is synced: these quirks need sync.fn NULL (iopgt.h, "Hardware
 * updates"), and a clean changes no table descriptor, so the one-leaf walk
 * cache of fastpath.c stays valid.
 *
 * Only the long-descriptor family has the quirks (api.c refuses the calls
 * for any object without them), so the walk is compiled for FAM_LPAE alone,
 * as FAM_DISPATCH would compile one copy per family.
 */
#include "publish.h"

#define TRK_SPANS 16
#define TRK_TLBS  16

struct trk {
	const struct iopgt *pt;
	bool young;           /* the Access flag, else the dirty state */
	bool clear;
	iopgt_span_fn fn;
	void *ctx;
	uint64_t span[TRK_SPANS][2]; /* complete spans: offset, size */
	size_t nspan;
	bool open;            /* the span that the next leaf may extend */
	uint64_t open_lo, open_hi;
	struct trec t[TRK_TLBS];
	size_t nt;
	const void *path[IOPGT_MAXLVL];
};

/*
 * The invalidations due, then the complete spans (@all: the open one too).
 * The last invalidation may still grow with the next leaf: it waits, unless
 * a span reported now reaches it.
 */
static void trk_flush(struct trk *k, bool all)
{
	const struct iopgt *pt = k->pt;
	struct trec keep;
	bool hold = false;

	if (!all && k->nt &&
	    (!k->nspan || k->t[k->nt - 1].iova >= k->span[k->nspan - 1][0] + k->span[k->nspan - 1][1])) {
		keep = k->t[--k->nt];
		hold = true;
	}
	tlb_run(pt, k->t, k->nt, false);
	k->nt = 0;
	if (hold)
		k->t[k->nt++] = keep;
	for (size_t i = 0; i < k->nspan; i++)
		k->fn(k->ctx, pt->va_base_ + k->span[i][0], k->span[i][1]);
	k->nspan = 0;
	if (all && k->open) {
		k->fn(k->ctx, pt->va_base_ + k->open_lo, k->open_hi - k->open_lo);
		k->open = false;
	}
}

/* [@lo, @lo + @size) holds the state: to report. */
static void trk_span(struct trk *k, uint64_t lo, uint64_t size)
{
	if (k->open && k->open_hi == lo) {
		k->open_hi += size;
		return;
	}
	if (k->open) {
		if (k->nspan == TRK_SPANS)
			trk_flush(k, false);
		k->span[k->nspan][0] = k->open_lo;
		k->span[k->nspan][1] = k->open_hi - k->open_lo;
		k->nspan++;
	}
	k->open = true;
	k->open_lo = lo;
	k->open_hi = lo + size;
}

/* [@lo, @lo + @size), entries of log2 size @s, lost the state: invalidate. */
static void trk_tlb(struct trk *k, uint64_t lo, uint64_t size, unsigned s)
{
	struct trec *l = k->nt ? &k->t[k->nt - 1] : NULL;

	if (l && l->granule == BIT64(s) && l->iova + l->size == lo) {
		l->size += size;
		return;
	}
	if (k->nt == TRK_TLBS)
		trk_flush(k, false);
	l = &k->t[k->nt++];
	l->iova = lo;
	l->size = size;
	l->granule = BIT64(s);
	l->kind = T_LEAF;
	l->late = 0;
}

static bool trk_has(const struct trk *k, uint64_t d)
{
	return k->young ? c_young(FAM_LPAE, d) : c_dirty(FAM_LPAE, k->pt, d);
}

/*
 * Take the state away from entry @i of @tv, which held @d. Returns whether
 * the descriptor changed. A value that differs in more than the walker's
 * state was stored by someone else (an overlapping call: the caller's bug)
 * and is left alone.
 */
static bool trk_take(struct trk *k, void *tv, size_t i, uint64_t d)
{
	const struct iopgt *pt = k->pt;
	const uint64_t norm = c_hw_norm(FAM_LPAE, pt, d);
	uint64_t cur = d;

	while (trk_has(k, cur)) {
		uint64_t nv = k->young ? c_old(FAM_LPAE, cur) : c_clean(FAM_LPAE, pt, cur);

		if (put_cas_leaf(pt, tv, i, &cur, nv))
			return true;
		if (c_hw_norm(FAM_LPAE, pt, cur) != norm)
			return false;
	}
	return false;
}

/* The leaf at entry @i of @tv (walk level @wl, from @es), @d; a run's
 * entries from *@i to its end. */
static int trk_leaf(struct trk *k, unsigned wl, void *tv, size_t *i, uint64_t *es, uint64_t d,
		    bool run)
{
	const struct iopgt *pt = k->pt;
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	size_t first = *i, n = 1;
	uint64_t lo = *es;
	bool has, changed = false;

	if (run) {
		n = (size_t)1 << c_run_log2(FAM_LPAE, pt, wl);
		first = *i & ~(n - 1);
		lo = *es - (uint64_t)(*i - first) * esz;
		if (!run_agrees(pt, wl, tv, first, n,
				c_leaf_pa(FAM_LPAE, pt, wl, d) & ~(esz * n - 1)))
			return IOPGT_ERR_CORRUPT;
		*i = first + n - 1;
		*es = lo + (uint64_t)(n - 1) * esz;
	}
	has = false;
	for (size_t j = first; j < first + n && !has; j++)
		has = trk_has(k, d_load(FAM_LPAE, pt, tv, j));
	if (!has)
		return IOPGT_OK;
	if (k->clear)
		for (size_t j = first; j < first + n; j++)
			changed |= trk_take(k, tv, j, d_load(FAM_LPAE, pt, tv, j));
	if (changed)
		trk_tlb(k, lo, n * esz, s);
	trk_span(k, lo, n * esz);
	return IOPGT_OK;
}

static int trk_tbl(struct trk *k, unsigned wl, void *tv, uint64_t lo, uint64_t hi)
{
	const struct iopgt *pt = k->pt;
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	const size_t i0 = lvl_index(pt, wl, lo), i1 = lvl_index(pt, wl, hi - 1);
	uint64_t es = lo & ~(esz - 1);
	int err;

	/* a tree the library wrote is never deeper (and the bound lets the
	 * compiler see that k->path is not overrun) */
	if (wl >= IOPGT_MAXLVL)
		return IOPGT_ERR_CORRUPT;
	k->path[wl] = tv;
	for (size_t i = i0; i <= i1; i++, es += esz) {
		uint64_t d = d_load(FAM_LPAE, pt, tv, i);
		bool run;
		void *cva;

		switch (c_kind(FAM_LPAE, pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_TABLE:
			if (wl + 1u >= pt->levels_)
				return IOPGT_ERR_CORRUPT;
			cva = tbl_follow(FAM_LPAE, pt, wl, d, k->path, NULL);
			if (!cva)
				return IOPGT_ERR_CORRUPT;
			err = trk_tbl(k, wl + 1, cva, lo > es ? lo : es, hi < es + esz ? hi : es + esz);
			if (err)
				return err;
			break;
		case D_LEAF:
			err = trk_leaf(k, wl, tv, &i, &es, d, run);
			if (err)
				return err;
			break;
		default:
			return IOPGT_ERR_CORRUPT;
		}
		if (i >= i1)
			break;
	}
	return IOPGT_OK;
}

/* Report [@off, @off + @size) and take the state away (api.c checked the
 * arguments; concurrent.c holds the pins). */
int track_range(const struct iopgt *pt, uint64_t off, uint64_t size, bool young, uint32_t flags,
		iopgt_span_fn fn, void *ctx)
{
	struct trk k;
	int err;

	k.pt = pt;
	k.young = young;
	k.clear = !(flags & IOPGT_TRACK_NO_CLEAR);
	k.fn = fn;
	k.ctx = ctx;
	k.nspan = 0;
	k.open = false;
	k.nt = 0;
	err = trk_tbl(&k, 0, pt->root_, off, off + size);
	/* also on error: what was cleaned is invalidated and reported */
	trk_flush(&k, true);
	return err;
}
