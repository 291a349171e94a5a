/* SPDX-License-Identifier: MIT */
/*
 * lib/publish.c - publication: the only file that calls sync.fn, the TLB
 * hooks and mem.free, in the order the dirty-range contract asks.
 *
 * op_publish() after a call's commit pass: sync call 1 (every byte of every
 * new table, and every store into a live table that does not link a new
 * table), the TLB invalidations of what call 1 removed, the deferred stores
 * (descriptors that link new tables into live ones, and the rewritten
 * entries of a split run), sync call 2, late TLB invalidations (in-place
 * splits). op_free() then frees the detached subtrees. Compaction's
 * break-before-make goes through op_publish_remake() instead. A link is stored
 * only after the table it points to was synced, so the walker can never
 * reach table memory it has not been given, even if a dirty cache line is
 * evicted early.
 *
 * The fast and concurrent paths store single descriptors and sync them at
 * once, through the put_* helpers at the end of this file.
 */
#include "publish.h"

/* ------------------------------------------------------------------------ */
/* the operation's storage */

void op_init(struct op *op, struct iopgt *pt)
{
	op->pt = pt;
	op->commit = false;
	op->err = 0;
	op->n1 = op->nw = op->nt = op->nf = op->ntab = 0;
	op->r1 = NULL;
	op->w = NULL;
	op->t = NULL;
	op->f = NULL;
	op->e1va = NULL;
	op->e1pa = 0;
	op->thave = false;
	op->pool = NULL;
	op->pool_pa = 0;
	op->scratch = NULL;
	op->scratch_pa = 0;
	op->scratch_size = 0;
	for (unsigned i = 0; i < IOPGT_MAXLVL; i++)
		op->ecount[i] = 0;
	op->nhw = 0;
}

void mem_give(const struct iopgt *pt, void *va, uint64_t pa, size_t size)
{
	pt->mem_.free(pt->mem_.ctx, va, pa, size);
}

/* tables of the pool (never linked) back to the allocator */
static void pool_release(struct op *op)
{
	size_t size = tbl_size(op->pt, 1);

	while (op->pool) {
		struct pool_link *l = op->pool;
		void *next = l->next;
		uint64_t next_pa = l->next_pa;

		mem_give(op->pt, op->pool, op->pool_pa, size);
		op->pool = next;
		op->pool_pa = next_pa;
	}
}

/* Between the passes: allocate the tables and the record storage. */
int op_reserve(struct op *op)
{
	const struct iopgt *pt = op->pt;
	size_t size = tbl_size(pt, 1);
	size_t bytes;
	char *p;

	for (size_t i = 0; i < op->ntab; i++) {
		void *va;
		uint64_t pa;
		int err = table_alloc(pt, size, &va, &pa);

		if (err) {
			pool_release(op);
			return err;
		}
		struct pool_link *l = va;

		l->next = op->pool;
		l->next_pa = op->pool_pa;
		op->pool = va;
		op->pool_pa = pa;
	}

	bytes = op->n1 * sizeof(struct iopgt_range) + op->nw * sizeof(struct wrec) +
		op->nt * sizeof(struct trec) + op->nf * sizeof(struct frec);
	if (bytes <= sizeof(op->stack)) {
		p = (char *)op->stack;
	} else {
		uint64_t spa;

		p = pt->mem_.alloc(pt->mem_.ctx, bytes, 8, &spa);
		if (!p) {
			pool_release(op);
			return IOPGT_ERR_NOMEM;
		}
		op->scratch = p;
		op->scratch_pa = spa;
		op->scratch_size = bytes;
	}
	/* the largest alignment first: every record type is 8-byte aligned */
	op->r1 = (struct iopgt_range *)(void *)p;
	p += op->n1 * sizeof(struct iopgt_range);
	op->w = (struct wrec *)(void *)p;
	p += op->nw * sizeof(struct wrec);
	op->t = (struct trec *)(void *)p;
	p += op->nt * sizeof(struct trec);
	op->f = (struct frec *)(void *)p;

	op->commit = true;
	op->n1 = op->nw = op->nt = op->nf = op->ntab = 0;
	op->e1va = NULL;
	op->e1pa = 0;
	op->thave = false;
	return IOPGT_OK;
}

/* ------------------------------------------------------------------------ */
/* sync calls */

static void sort_ranges(struct iopgt_range *r, size_t n)
{
	/* Shell sort (Ciura's gaps): no recursion, no allocation; the input is
	 * usually almost sorted already. */
	static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		size_t gap = gaps[g];

		for (size_t i = gap; i < n; i++) {
			struct iopgt_range tmp = r[i];
			size_t j = i;

			while (j >= gap && (uintptr_t)r[j - gap].va > (uintptr_t)tmp.va) {
				r[j] = r[j - gap];
				j -= gap;
			}
			r[j] = tmp;
		}
	}
}

static size_t coalesce(struct iopgt_range *r, size_t n)
{
	size_t o = 0;

	if (n < 2)
		return n;
	sort_ranges(r, n);
	for (size_t i = 1; i < n; i++) {
		struct iopgt_range *p = &r[o];
		uintptr_t pend = (uintptr_t)p->va + p->len;
		uintptr_t s = (uintptr_t)r[i].va;

		if (s <= pend && r[i].pa - p->pa == s - (uintptr_t)p->va) {
			uintptr_t e = s + r[i].len;

			if (e > pend)
				p->len += e - pend;
		} else {
			r[++o] = r[i];
		}
	}
	return o + 1;
}

/* One sync call for the ranges @r[0..n) (sorted and coalesced in place). */
void pub_ranges(const struct iopgt *pt, struct iopgt_range *r, size_t n)
{
	if (!n || !pt->sync_.fn)
		return;
	pub_sync(pt, r, coalesce(r, n));
}

/* One sync call for ranges already sorted and coalesced; sync.fn is set. */
void pub_sync(const struct iopgt *pt, const struct iopgt_range *r, size_t n)
{
	pt->sync_.fn(pt->sync_.ctx, r, n);
}

void pub_sync_one(const struct iopgt *pt, void *va, uint64_t pa, size_t len)
{
	if (pt->sync_.fn) {
		struct iopgt_range r = { va, pa, len };

		pub_sync(pt, &r, 1);
	}
}

/* ------------------------------------------------------------------------ */
/* TLB hooks */

void pub_tlb(const struct iopgt *pt, const struct trec *t, size_t n, bool late)
{
	const struct iopgt_tlb *tlb = &pt->tlb_;
	bool all_done = false;

	for (size_t i = 0; i < n; i++) {
		if ((bool)t[i].late != late)
			continue;
		uint64_t iova = pt->va_base_ + t[i].iova;
		/* a granule size_t cannot hold (4T blocks on a 32-bit host):
		 * the translation granule, which is never wrong */
		size_t granule = t[i].granule > (uint64_t)(size_t)-1 ? (size_t)BIT64(pt->gshift_)
								       : (size_t)t[i].granule;

		if (t[i].kind == T_LEAF && tlb->flush_leaf)
			tlb->flush_leaf(tlb->ctx, iova, t[i].size, granule);
		else if (tlb->flush_walk)
			tlb->flush_walk(tlb->ctx, iova, t[i].size, granule);
		else if (tlb->flush_all && !all_done) {
			tlb->flush_all(tlb->ctx);
			all_done = true;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* frees */

/* May a table link be among the entries [@a, @b) of @tv (d_any_table())?
 * With the family and the load constant: a loop compilers vectorize. */
static bool tbl_links_any(const struct iopgt *pt, const void *tv, size_t a, size_t b)
{
	if (pt_conc(pt))
		return FAM_DISPATCH(pt_fam(pt), d_any_table, true, tv, a, b);
	return FAM_DISPATCH(pt_fam(pt), d_any_table, false, tv, a, b);
}

/*
 * The subtree at @va (walk level @wl, below the tables @anc[0..wl),
 * translating from offset @base): every table in it, deepest first; the
 * root stays (iopgt_fini frees it). Only the entries that translate some of
 * [@lo, @hi) are looked at: the caller knows the others hold no table link
 * (an unmap that empties the subtree: nothing outside its range is live).
 */
void pub_free_subtree_in(struct iopgt *pt, unsigned wl, void *va, uint64_t pa,
			 const void *const *anc, uint64_t base, uint64_t lo, uint64_t hi)
{
	const enum fam F = pt_fam(pt);
	const void *path[IOPGT_MAXLVL];

	for (unsigned k = 0; k < wl; k++)
		path[k] = anc[k];
	path[wl] = va;
	if (wl + 1u < pt->levels_) {
		const size_t n = (size_t)1 << lvl_bits(pt, wl);
		const unsigned s = lvl_shift(pt, wl);
		const size_t i0 = lo <= base ? 0 : (size_t)((lo - base) >> s);
		const size_t i1 = hi - base >= ((uint64_t)n << s) ? n : (size_t)((hi - base - 1) >> s) + 1;
		/* most tables hold leaves: one pass over the range first; then
		 * a cache line of entries at a time, a line whose type fields
		 * hold no table link passed over whole */
		const size_t g = (size_t)64 >> pt->dshift_;
		const bool links = i0 < i1 && tbl_links_any(pt, va, i0, i1);

		for (size_t l = i0, e; links && l < i1; l = e) {
			e = ((l + g) & ~(g - 1)) < i1 ? (l + g) & ~(g - 1) : i1;
			if (tbl_links_any(pt, va, l, e)) {
				for (size_t i = l; i < e; i++) {
					uint64_t d = d_load(F, pt, va, i), cpa;
					bool run;
					void *cva;

					if (c_kind(F, pt, wl, d, &run) != D_TABLE)
						continue;
					cva = tbl_follow(F, pt, wl, d, path, &cpa);
					if (cva)
						pub_free_subtree_in(pt, wl + 1, cva, cpa, path,
								    base + ((uint64_t)i << s), lo, hi);
				}
			}
		}
	}
	if (wl == 0)
		return;
	mem_give(pt, va, pa, tbl_size(pt, wl));
	stats_sub(pt, tbl_size(pt, wl));
}

void pub_free_subtree(struct iopgt *pt, unsigned wl, void *va, uint64_t pa,
		      const void *const *anc)
{
	pub_free_subtree_in(pt, wl, va, pa, anc, 0, 0, ~(uint64_t)0);
}

/* The last step of a call: the detached subtrees, then the scratch array
 * (nothing for a call that ended before its commit pass). */
void op_free(struct op *op)
{
	struct iopgt *pt = op->pt;

	if (!op->commit)
		return;
	for (size_t i = 0; i < op->nf; i++)
		if (tbl_va(pt, op->f[i].pa) == op->f[i].va)
			pub_free_subtree_in(pt, op->f[i].wl, op->f[i].va, op->f[i].pa, op->f[i].path,
					    op->f[i].iova, op->f[i].lo, op->f[i].hi);
	if (op->scratch)
		mem_give(pt, op->scratch, op->scratch_pa, op->scratch_size);
}

/*
 * Add the walker's state of @from to every leaf of the entries
 * [@idx, @idx + @n) of the live table @tv (walk level @wl) and the tables
 * below them, each with a compare-and-swap (the walker may be marking them
 * too; it only ever adds state).
 */
static void hw_spread(const struct iopgt *pt, unsigned wl, void *tv, size_t idx, size_t n,
		      uint64_t from, const void **path)
{
	const enum fam F = pt_fam(pt);

	path[wl] = tv;
	for (size_t i = idx; i < idx + n; i++) {
		uint64_t d = d_load(F, pt, tv, i), nd;
		bool run;
		void *cva;

		switch (c_kind(F, pt, wl, d, &run)) {
		case D_LEAF:
			nd = c_hw_merge(F, pt, d, from);
			while (nd != d && !put_cas_leaf(pt, tv, i, &d, nd))
				nd = c_hw_merge(F, pt, d, from);
			break;
		case D_TABLE:
			cva = tbl_follow(F, pt, wl, d, path, NULL);
			if (cva && wl + 1u < pt->levels_)
				hw_spread(pt, wl + 1, cva, 0, (size_t)1 << lvl_bits(pt, wl + 1), from,
					  path);
			break;
		default:
			break;
		}
	}
}

/* The deferred store @w, which replaces an entry of a split in place that
 * the walker may still mark (IOPGT_QUIRK_HW_*): swapped in, the state it
 * replaced noted. False: no such entry. */
static bool hw_store(struct op *op, const struct wrec *w)
{
	const struct iopgt *pt = op->pt;

	for (unsigned k = 0; k < op->nhw; k++) {
		struct op_hwsplit *h = &op->hw[k];
		uint64_t *e = h->tv;

		if ((uint64_t *)w->ptr >= e + h->idx && (uint64_t *)w->ptr < e + h->idx + h->n) {
			h->seen = c_hw_merge(FAM_LPAE, pt, h->seen, d_xchg(w->ptr, 0, w->val));
			return true;
		}
	}
	return false;
}

/* After the deferred stores: what the walker marked in the replaced entries
 * goes to every leaf that replaced them. */
static void hw_carry(struct op *op)
{
	for (unsigned k = 0; k < op->nhw; k++) {
		struct op_hwsplit *h = &op->hw[k];
		const void *path[IOPGT_MAXLVL] = { NULL };

		if (h->seen != h->d)
			hw_spread(op->pt, h->wl, h->tv, h->idx, h->n, h->seen, path);
	}
}

_Static_assert(sizeof(struct wrec) >= sizeof(struct iopgt_range),
	       "deferred stores are converted to ranges in place");

void op_publish(struct op *op)
{
	struct iopgt *pt = op->pt;

	pub_ranges(pt, op->r1, op->n1);
	tlb_run(pt, op->t, op->nt, false);
	if (op->nw) {
		const enum fam F = pt_fam(pt);
		struct iopgt_range *r2 = (struct iopgt_range *)(void *)op->w;
		size_t dsz = (size_t)1 << pt->dshift_;

		/* order the new tables' contents before the descriptors that
		 * link them, for a coherent walker */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		for (size_t i = 0; i < op->nw; i++) {
			struct wrec w = op->w[i];

			if (!op->nhw || !hw_store(op, &w))
				d_store(F, w.ptr, 0, w.val);
			/* same size as struct wrec: convert in place */
			r2[i].va = w.ptr;
			r2[i].pa = w.pa;
			r2[i].len = dsz;
		}
		/* (IOPGT_QUIRK_HW_* needs sync.fn NULL: nothing more to sync) */
		hw_carry(op);
		pub_ranges(pt, r2, op->nw);
	}
	tlb_run(pt, op->t, op->nt, true);
}

/*
 * Break-before-make without deferred stores (compaction): the commit pass
 * made the entries to replace invalid, recorded in op->r1. Sync call 1 and
 * the TLB invalidations; then @remake stores the new descriptors into
 * exactly those bytes (op->r1 is sorted and coalesced by then, to say
 * which they are) and frees what they replace: unlinked, synced and
 * flushed already. Sync call 2 reports the same ranges again.
 */
void op_publish_remake(struct op *op, void (*remake)(void *ctx), void *ctx)
{
	struct iopgt *pt = op->pt;

	op->n1 = coalesce(op->r1, op->n1);
	if (pt->sync_.fn && op->n1)
		pub_sync(pt, op->r1, op->n1);
	tlb_run(pt, op->t, op->nt, false);
	remake(ctx);
	if (pt->sync_.fn && op->n1)
		pub_sync(pt, op->r1, op->n1);
	tlb_run(pt, op->t, op->nt, true);
}

/* The subtree at @va, unless it was freed already (see op_free()). */
void pub_free_detached(struct iopgt *pt, unsigned wl, void *va, uint64_t pa,
		       const void *const *anc)
{
	if (tbl_va(pt, pa) == va)
		pub_free_subtree(pt, wl, va, pa, anc);
}

/* ------------------------------------------------------------------------ */
/* single stores of the fast and concurrent paths */

/* One descriptor, synced in one call with the ranges @r[0..n) (room for
 * one more). */
void put_now_with(const struct iopgt *pt, void *tv, uint64_t tpa, size_t idx, uint64_t d,
		  struct iopgt_range *r, size_t n)
{
	const unsigned dsh = pt->dshift_;

	d_store(pt_fam(pt), tv, idx, d);
	r[n].va = (char *)tv + (idx << dsh);
	r[n].pa = tpa + (idx << dsh);
	r[n].len = (size_t)1 << dsh;
	pub_ranges(pt, r, n + 1);
}

/* A new table no walker can reach yet: cleared, then synced whole. */
void put_new_table(const struct iopgt *pt, void *va, uint64_t pa, size_t size)
{
	d_zero(pt_fam(pt), va, 0, size >> pt->dshift_);
	pub_sync_one(pt, va, pa, size);
}

/* Link a synced table with a compare-and-swap of entry @idx from @old; the
 * link synced if it went in. */
bool put_cas_link(const struct iopgt *pt, void *tv, uint64_t tpa, size_t idx, uint64_t old,
		  uint64_t link)
{
	const unsigned dsh = pt->dshift_;

	if (!d_cas(pt_fam(pt), tv, idx, old, link))
		return false;
	pub_sync_one(pt, (char *)tv + (idx << dsh), tpa + (idx << dsh), (size_t)1 << dsh);
	return true;
}

/*
 * A compare-and-swap of the live leaf at entry @idx from *@old to @v, which
 * the walker may be updating at the same time (IOPGT_QUIRK_HW_*); on
 * failure *@old is the value found, to retry with. No sync: those quirks
 * need sync.fn NULL (a coherent walker, iopgt.h "Hardware updates").
 */
bool put_cas_leaf(const struct iopgt *pt, void *tv, size_t idx, uint64_t *old, uint64_t v)
{
	(void)pt;
	return d_cas_leaf(tv, idx, old, v);
}

/*
 * Mark the link at entry @idx as synced (c_synced_mark(): a bit the walker
 * ignores, so no sync is due: other calls need not report the link again).
 */
void put_mark_synced(const struct iopgt *pt, void *tv, size_t idx)
{
	const uint64_t mark = c_synced_mark(pt_fam(pt));

	if (mark)
		__atomic_fetch_or(&((uint64_t *)tv)[idx], mark, __ATOMIC_RELEASE);
}
