/* SPDX-License-Identifier: MIT */
/*
 * lib/fastpath.c - the hot path of DMA mapping: calls of exactly one leaf
 * (a page, a block) into a table that exists, and unmaps of one leaf from a
 * table that keeps another live entry. Anything else goes to the passes
 * (map.c, unmap.c), which also report every error.
 *
 * Two ways in, tried in order:
 *   1. the walk cache (never with IOPGT_QUIRK_CONCURRENT, where other
 *      threads change tables): the table the last fast map or unmap
 *      reached, with the address and value of every table descriptor on the
 *      way to it. A hit needs an offset in the same span and every one of
 *      those descriptors still holding its value, checked from the root
 *      down, so that no table is read that may have been freed since; the
 *      walk would then reach the very same table. The slow paths clear it
 *      anyway (they may free tables).
 *   2. a single descent from the root (struct path), which also fills the
 *      cache.
 * A one-leaf store is synced at once (put_now): one sync call, one
 * descriptor.
 */
#include "publish.h"

_Static_assert(sizeof(((struct iopgt *)0)->hint_.slot) / sizeof(void *) >= IOPGT_MAXLVL - 1,
	       "a walk cache slot per level above the last");

void hint_clear(struct iopgt *pt)
{
	if (!pt_conc(pt))
		pt->hint_.tv = NULL;
}

/*
 * A descent along @off reached the table @p->tv[@wl]: remember it, with
 * the address and value of every table descriptor on the way (read again
 * here: nothing changed them since the descent read them). The span, entry
 * size and index mask are kept as well, derived once here rather than on
 * every hit.
 */
static void hint_set(struct iopgt *pt, unsigned wl, const struct path *p, uint64_t off)
{
	struct iopgt_hint_ *h = &pt->hint_;
	const enum fam F = pt_fam(pt);

	if (pt_conc(pt))
		return;

	h->tv = p->tv[wl];
	h->tpa = p->tpa[wl];
	h->wl = (uint8_t)wl;
	h->span = (uint8_t)(wl ? lvl_shift(pt, wl - 1) : pt->ias_); /* the root: every offset */
	h->eshift = (uint8_t)lvl_shift(pt, wl);
	h->imask = (uint32_t)(BIT64(lvl_bits(pt, wl)) - 1);
	h->region = off >> h->span;
	h->prot = 0;
	/* the root's descriptor last: slot[wl - 1] */
	for (unsigned k = 0; k < wl; k++) {
		const size_t i = lvl_index(pt, k, off);

		h->slot[wl - 1 - k] = (const char *)p->tv[k] + (i << pt->dshift_);
		h->want[wl - 1 - k] = d_read(F, false, p->tv[k], i);
	}
}

/*
 * The cached table, when [@off, @off + @size) is exactly one of its entries
 * (at index *@i); NULL otherwise.
 */
IOPGT_INLINE void *hint_hit(const enum fam F, const struct iopgt *pt, uint64_t off,
			    uint64_t size, size_t *i)
{
	const struct iopgt_hint_ *h = &pt->hint_;

	if (!h->tv || off >> h->span != h->region || size != BIT64(h->eshift) ||
	    (off & (size - 1)))
		return NULL;
	/* the root's descriptor first (slot[wl - 1]): a table below is read
	 * only while the descriptor above still links it (walk levels: at
	 * most 5); the cases share their tails */
#define HINT_SAME(k) (d_read(F, false, h->slot[k], 0) == h->want[k])
	if (F == FAM_V7S) {
		/* two levels: the root's descriptor alone */
		if (h->wl > 0 && !HINT_SAME(0))
			return NULL;
	} else {
		switch (h->wl) {
		case 0:
			break;
		case 1:
			if (!HINT_SAME(0))
				return NULL;
			break;
		case 2:
			if (!(HINT_SAME(1) && HINT_SAME(0)))
				return NULL;
			break;
		case 3:
			if (!(HINT_SAME(2) && HINT_SAME(1) && HINT_SAME(0)))
				return NULL;
			break;
		default:
			if (!(HINT_SAME(3) && HINT_SAME(2) && HINT_SAME(1) && HINT_SAME(0)))
				return NULL;
			break;
		}
	}
#undef HINT_SAME
	*i = (size_t)(off >> h->eshift) & h->imask;
	return h->tv;
}

/* A map of one leaf into the cached table; 1: not done, take the other paths. */
IOPGT_INLINE int map_hit(const enum fam F, struct iopgt *pt, uint64_t off, uint64_t pa,
			 uint64_t size, uint32_t prot)
{
	struct iopgt_hint_ *h = &pt->hint_;
	const unsigned wl = h->wl;
	size_t i;
	void *tv = hint_hit(F, pt, off, size, &i);
	bool run;

	if (!tv || !((pt->leaf_lvls_ >> wl) & 1) || (pa & (size - 1)) ||
	    c_kind(F, pt, wl, d_read(F, false, tv, i), &run) != D_INVALID ||
	    !c_can_leaf(F, pt, wl, pa, false))
		return 1;
	if (h->prot != prot) {
		h->leaf = c_leaf(F, pt, wl, 0, prot, false);
		h->prot = prot;
	}
	put_now(pt, tv, h->tpa, i, h->leaf | c_leaf_addr(F, pt, wl, pa));
	return 0;
}

/* One leaf's TLB entries, after the store that removed it was synced. */
IOPGT_INLINE void tlb_one_leaf(const struct iopgt *pt, uint64_t off, uint64_t size)
{
	struct trec t = { off, size, size, T_LEAF, 0 };

	tlb_run(pt, &t, 1, false);
}

/*
 * An unmap of one leaf from the cached table; 1: not done (a run, a table,
 * a miss), UNMAP_LAST: not done, the leaf is its table's last live entry
 * and the table is to be freed (unmap_drop()).
 */
#define UNMAP_LAST 2
IOPGT_INLINE int unmap_hit(const enum fam F, struct iopgt *pt, uint64_t off, uint64_t size)
{
	const unsigned wl = pt->hint_.wl;
	size_t i;
	void *tv = hint_hit(F, pt, off, size, &i);
	bool run;

	if (!tv)
		return 1;
	switch (c_kind(F, pt, wl, d_read(F, false, tv, i), &run)) {
	case D_INVALID:
		return 0; /* nothing mapped there */
	case D_LEAF: /* the root is never freed; a table with another live entry stays */
		if (run)
			return 1;
		if (wl > 0 && !live_outside(pt, wl, tv, i, i))
			return UNMAP_LAST;
		break;
	default:
		return 1;
	}
	put_now(pt, tv, pt->hint_.tpa, i, 0);
	tlb_one_leaf(pt, off, size);
	return 0;
}

/*
 * The walk level whose entry along @off is cleared when the entry at @w
 * (a link) goes: the table at @w goes with it while it holds no other live
 * entry, and so on up; never the root.
 */
IOPGT_INLINE unsigned drop_level(const struct iopgt *pt, void *const *tv, unsigned w, uint64_t off)
{
	while (w > 0 && !live_outside(pt, w, tv[w], lvl_index(pt, w, off), lvl_index(pt, w, off)))
		w--;
	return w;
}

/* Clear the link at walk level @w along @off in the table @tv and sync it,
 * then invalidate the walk over its span, as the passes drop a table. */
IOPGT_INLINE void drop_link(struct iopgt *pt, void *tv, uint64_t tpa, unsigned w, uint64_t off)
{
	const unsigned s = lvl_shift(pt, w);
	const struct trec tr = { off & ~(BIT64(s) - 1), BIT64(s), BIT64(pt->gshift_), T_WALK, 0 };

	hint_clear(pt);
	put_now(pt, tv, tpa, lvl_index(pt, w, off), 0);
	tlb_run(pt, &tr, 1, false);
}

/*
 * The last live leaf of the cached table goes (unmap_hit() said so): the
 * table goes with it, and each table above that holds nothing else, up to
 * the root or the first that keeps another live entry. As the passes drop
 * a table: the one link that detaches them is cleared and synced, the walk
 * over its span invalidated, then the tables are freed, deepest first.
 * The cache checked every descriptor on the way down (hint_hit()); the
 * tables above are found from the addresses of those descriptors.
 */
IOPGT_INLINE void unmap_drop(const enum fam F, struct iopgt *pt, uint64_t off)
{
	const struct iopgt_hint_ *h = &pt->hint_;
	const unsigned wl = h->wl, dsh = pt->dshift_;
	const size_t tsz = tbl_size(pt, 1);
	void *tv[IOPGT_MAXLVL];
	uint64_t tpa[IOPGT_MAXLVL];
	unsigned w;

	tv[wl] = h->tv;
	tpa[wl] = h->tpa;
	for (unsigned k = 0; k < wl; k++) {
		tv[k] = (char *)(uintptr_t)h->slot[wl - 1 - k] - ((size_t)lvl_index(pt, k, off) << dsh);
		tpa[k] = k ? c_table_pa(F, pt, k - 1, h->want[wl - k]) : pt->root_pa_;
	}
	w = drop_level(pt, tv, wl - 1, off);
	drop_link(pt, tv[w], tpa[w], w, off);
	/* the tables below hold the one link, and the last the one leaf */
	for (unsigned k = wl + 1; k-- > w + 1;) {
		mem_give(pt, tv[k], tpa[k], tsz);
		stats_sub(pt, tsz);
	}
}

/*
 * Leaves below the invalid entry @i of the table at walk level @wl of @p
 * (not with IOPGT_QUIRK_CONCURRENT), where the passes would make one chain
 * of new tables and fill part of the last with single leaves of one size:
 * the first level below where a leaf fits the range's size and alignment,
 * with no contiguous run possible there, the range within one entry at
 * every level above. The tables are allocated first (an allocation that
 * fails changes nothing), cleared, linked among themselves and given the
 * leaves, then synced whole in one call; the link into the live table goes
 * last, in a second call, as the passes' deferred store does. Returns 1
 * when the request is not of that shape, 0 when done, an error otherwise.
 */
IOPGT_INLINE int map_new_tables(const enum fam F, struct iopgt *pt, struct path *p, unsigned wl,
				size_t i, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	const size_t tsz = tbl_size(pt, 1);
	struct iopgt_range r[IOPGT_MAXLVL];
	uint64_t lsz = 0, leaf;
	unsigned lw, n;
	size_t i0;

	if ((off & (BIT64(lvl_shift(pt, wl)) - 1)) + size > BIT64(lvl_shift(pt, wl)))
		return 1;
	for (lw = wl + 1; lw < pt->levels_; lw++) {
		lsz = BIT64(lvl_shift(pt, lw));
		if (lsz <= size && ((pt->leaf_lvls_ >> lw) & 1) && !((off | pa) & (lsz - 1)))
			break;
		if (lsz < size || (off & (lsz - 1)) + size > lsz)
			return 1; /* tables for several entries here */
	}
	if (lw >= pt->levels_ || (size & (lsz - 1)) || (pt->contig_[lw] && size > lsz) ||
	    !c_can_leaf(F, pt, lw, pa, false) || !c_can_leaf(F, pt, lw, pa + size - lsz, false))
		return 1;
	n = lw - wl;
	/* the deepest first, as the passes' pool hands them out */
	for (unsigned k = 0; k < n; k++) {
		int err = table_alloc(pt, tsz, &p->tv[lw - k], &p->tpa[lw - k]);

		if (err) {
			while (k--)
				mem_give(pt, p->tv[lw - k], p->tpa[lw - k], tsz);
			return err;
		}
	}
	i0 = lvl_index(pt, lw, off);
	leaf = c_leaf(F, pt, lw, 0, prot, false);
	for (unsigned k = wl + 1; k <= lw; k++) {
		if (k < lw) {
			d_zero(F, p->tv[k], 0, tsz >> pt->dshift_);
			d_store(F, p->tv[k], lvl_index(pt, k, off), c_table(F, pt, k, p->tpa[k + 1]));
		} else {
			/* the leaves' entries are written below */
			d_zero(F, p->tv[k], 0, i0);
			d_zero(F, p->tv[k], i0 + (size_t)(size >> lvl_shift(pt, lw)), tsz >> pt->dshift_);
		}
		stats_add(pt, tsz);
		r[k - wl - 1].va = p->tv[k];
		r[k - wl - 1].pa = p->tpa[k];
		r[k - wl - 1].len = tsz;
	}
	/* in batches whose address bits step with the descriptor (c_batch()) */
	for (uint64_t o = 0; o < size;) {
		const size_t m = c_batch(F, pt, lw, pa + o, (size_t)((size - o) >> lvl_shift(pt, lw)));
		uint64_t d = leaf | c_leaf_addr(F, pt, lw, pa + o);

		for (size_t k = 0; k < m; k++, d += lsz)
			d_store(F, p->tv[lw], i0++, d);
		o += (uint64_t)m * lsz;
	}
	pub_ranges(pt, r, n);
	/* the new tables' contents before the link, for a coherent walker */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	put_now(pt, p->tv[wl], p->tpa[wl], i, c_table(F, pt, wl, p->tpa[wl + 1]));
	hint_set(pt, lw, p, off);
	return 0;
}

/*
 * One leaf into a table that exists, by a descent from the root (the walk
 * cache missed, or concurrent calls), or below an invalid entry through
 * new tables (map_new_tables()). Returns 1 when the request is not of
 * that shape, 0 when done, an error otherwise.
 */
IOPGT_INLINE int map_walk(const enum fam F, struct iopgt *pt, uint64_t off, uint64_t pa,
			  uint64_t size, uint32_t prot)
{
	struct path p;
	/* concurrent calls: the links on the way not marked synced go again,
	 * in the leaf's sync call (clause 6) */
	struct iopgt_range r[IOPGT_MAXLVL];
	size_t n = 0;
	const unsigned dsh = pt->dshift_;

	path_root(pt, &p);
	for (unsigned wl = 0; wl < pt->levels_; wl++) {
		void *tv = p.tv[wl];
		const unsigned s = lvl_shift(pt, wl);
		const size_t i = lvl_index(pt, wl, off);
		uint64_t d = d_load(F, pt, tv, i);
		bool run;

		if (size == BIT64(s)) {
			const uint64_t leaf = c_leaf(F, pt, wl, pa, prot, false);

			if (!((pt->leaf_lvls_ >> wl) & 1) || ((off | pa) & (size - 1)) ||
			    c_kind(F, pt, wl, d, &run) != D_INVALID ||
			    !c_can_leaf(F, pt, wl, pa, false))
				return 1;
			hint_set(pt, wl, &p, off);
			if (!n)
				put_now(pt, tv, p.tpa[wl], i, leaf);
			else
				put_now_with(pt, tv, p.tpa[wl], i, leaf, r, n);
			return 0;
		}
		if (size > BIT64(s) || wl + 1u >= pt->levels_)
			return 1;
		switch (c_kind(F, pt, wl, d, &run)) {
		case D_TABLE:
			break;
		case D_INVALID:
			return pt_conc(pt) ? 1 : map_new_tables(F, pt, &p, wl, i, off, pa, size, prot);
		default:
			return 1;
		}
		if (pt_conc(pt) && pt->sync_.fn && !(d & c_synced_mark(F))) {
			r[n].va = (char *)tv + (i << dsh);
			r[n].pa = p.tpa[wl] + (i << dsh);
			r[n].len = (size_t)1 << dsh;
			n++;
		}
		if (!path_down(F, pt, &p, wl, d))
			return 1;
	}
	return 1;
}

/*
 * One leaf out of a table that keeps other live entries (or nothing mapped
 * at all), by a descent from the root. Returns 1 when the request is not
 * of that shape, 0 when done; *@tvp: the table the leaf went from.
 */
IOPGT_INLINE int unmap_walk(const enum fam F, struct iopgt *pt, uint64_t off, uint64_t size,
			    const void **tvp)
{
	struct path p;

	*tvp = NULL;
	path_root(pt, &p);
	for (unsigned wl = 0; wl < pt->levels_; wl++) {
		void *tv = p.tv[wl];
		const uint64_t esz = BIT64(lvl_shift(pt, wl));
		const size_t i = lvl_index(pt, wl, off);
		uint64_t d = d_load(F, pt, tv, i);
		bool run;

		if (size > esz || (off & (esz - 1)) + size > esz)
			return 1;
		switch (c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
			return 0; /* nothing mapped in the range */
		case D_TABLE:
			if (wl + 1u >= pt->levels_ || !path_down(F, pt, &p, wl, d))
				return 1;
			if (size == esz) {
				unsigned w;

				/* the whole subtree, unread but for its
				 * links, as the passes drop a covered table
				 * (concurrent calls: concurrent.c) */
				if (pt_conc(pt) || (off & (esz - 1)))
					return 1;
				w = drop_level(pt, p.tv, wl, off);
				drop_link(pt, p.tv[w], p.tpa[w], w, off);
				/* nothing is live below outside the range */
				pub_free_subtree_in(pt, w + 1, p.tv[w + 1], p.tpa[w + 1],
						    (const void *const *)p.tv,
						    off & ~(BIT64(lvl_shift(pt, w)) - 1), off,
						    off + size);
				return 0;
			}
			continue;
		case D_LEAF:
			break;
		default:
			return 1;
		}
		if (run || size != esz)
			return 1;
		/* the table must keep a live entry, or it is freed (concurrent
		 * calls: afterwards, by concurrent.c) */
		if (wl > 0 && !pt_conc(pt) && !live_outside(pt, wl, tv, i, i))
			return 1;
		hint_set(pt, wl, &p, off);
		put_now(pt, tv, p.tpa[wl], i, 0);
		tlb_one_leaf(pt, off, size);
		*tvp = tv;
		return 0;
	}
	return 1;
}

int fast_map_walk(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	return FAM_DISPATCH(pt_fam(pt), map_walk, pt, off, pa, size, prot);
}

int fast_unmap_walk(struct iopgt *pt, uint64_t off, uint64_t size, const void **tvp)
{
	return FAM_DISPATCH(pt_fam(pt), unmap_walk, pt, off, size, tvp);
}

/* After a miss of the walk cache (out of line: the hit path stays small). */
IOPGT_NOINLINE static int map_miss(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size,
				   uint32_t prot)
{
	const struct iopgt_seg seg = { pa, size };
	const int r = fast_map_walk(pt, off, pa, size, prot);

	if (r != 1)
		return r;
	return map_passes(pt, off, size, &seg, 1, prot);
}

IOPGT_NOINLINE static int unmap_miss(struct iopgt *pt, uint64_t off, uint64_t size)
{
	struct op op;
	const void *tv;
	int err;

	if (!fast_unmap_walk(pt, off, size, &tv))
		return IOPGT_OK;
	err = unmap_passes(pt, off, size, &op);
	op_free(&op);
	return err;
}

int fast_map(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	if (!FAM_DISPATCH(pt_fam(pt), map_hit, pt, off, pa, size, prot))
		return IOPGT_OK;
	return map_miss(pt, off, pa, size, prot);
}

int fast_unmap(struct iopgt *pt, uint64_t off, uint64_t size)
{
	const int r = FAM_DISPATCH(pt_fam(pt), unmap_hit, pt, off, size);

	if (!r)
		return IOPGT_OK;
	if (r == UNMAP_LAST) {
		FAM_DISPATCH(pt_fam(pt), unmap_drop, pt, off);
		return IOPGT_OK;
	}
	return unmap_miss(pt, off, size);
}
