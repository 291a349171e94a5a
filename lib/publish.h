/* SPDX-License-Identifier: MIT */
/*
 * lib/publish.h - the operation and its records, and the one family of
 * helpers through which the core stores descriptors (put*).
 *
 * A table-changing call runs the same recursive walk twice (map.c, unmap.c):
 *
 *   1. prepare (op->commit false): reads the tables, checks the request
 *      (overlaps, splits the configuration forbids, corrupt descriptors) and
 *      counts what the commit will need: new tables and records (dirty
 *      ranges, deferred stores, TLB invalidations, tables to free). Nothing
 *      is written.
 *   2. commit (op->commit true): after op_reserve() allocated every table
 *      and, if the records do not fit the on-stack buffer, one scratch
 *      array, the same walk writes descriptors and fills the records. It
 *      cannot fail, so an operation is all or nothing.
 *
 * Then op_publish() (publish.c) makes it visible in contract order and
 * op_free() frees what it detached.
 *
 * The put family is the only code that writes table memory:
 *   put()        stores into a table during a pass, recording the span
 *                (a live table's stores; a fresh table was recorded whole)
 *   put_val(), put_span()  the same for values that do not step evenly
 *   put_clear()  clears the rest of a fresh table in the commit pass
 *   put_late()   a store deferred to after the first sync call: a link to
 *                a new table, an entry of a split run
 *   put_again()  a store into bytes already recorded (compaction)
 *   put_now()    one descriptor, stored and synced at once (fast paths)
 *   put_break()  invalidates a leaf to split it, keeping the walker's state
 *   put_park_leaf() parks a leaf to compact it, keeping the walker's state
 *   publish.c:   put_now_with(), put_new_table(), put_cas_link(),
 *                put_mark_synced() for the fast and concurrent paths;
 *                put_cas_leaf() for the tracking calls (track.c)
 */
#ifndef IOPGT_PUBLISH_H
#define IOPGT_PUBLISH_H

#include "table.h"

struct wrec {            /* a store deferred to phase 2 */
	void *ptr;
	uint64_t val;
	uint64_t pa;
};

enum { T_LEAF, T_WALK };

struct trec {            /* a TLB invalidation */
	uint64_t iova, size;
	uint64_t granule;
	uint8_t kind, late;
};

struct frec {            /* a detached subtree to free */
	void *va;
	uint64_t pa;
	uint64_t iova;   /* the first offset it translated */
	uint64_t lo, hi; /* table links only where it translated some of these */
	unsigned wl;
	const void *path[IOPGT_MAXLVL]; /* its ancestors, the root first */
};

#define OP_STACK_BYTES 640

struct op {
	struct iopgt *pt;
	bool commit;
	int err;
	/* counts (prepare) / fill levels (commit) */
	size_t n1, nw, nt, nf, ntab;
	struct iopgt_range *r1;
	struct wrec *w;
	struct trec *t;
	struct frec *f;
	/* coalescing on the fly, identical in both passes */
	void *e1va;
	uint64_t e1pa;
	struct trec tlast;
	bool thave;
	/* tables allocated by prepare, linked through their first bytes */
	void *pool;
	uint64_t pool_pa;
	/* subtree_empties() results, at most two partial tables per level */
	struct {
		const void *tv;
		bool empties;
	} ecache[IOPGT_MAXLVL][2];
	uint8_t ecount[IOPGT_MAXLVL];
	/* the tables on the way down: path[wl] is the table at walk level wl */
	const void *path[IOPGT_MAXLVL];
	/* IOPGT_QUIRK_HW_* with IOPGT_QUIRK_SPLIT_IN_PLACE: the splits (one per
	 * edge at most) whose leaf the walker may still mark until the
	 * deferred stores replace its entries; @d: the state the new leaves
	 * were given, @seen: with what the replaced entries held added */
	struct op_hwsplit {
		void *tv;
		size_t idx, n;
		unsigned wl;
		uint64_t d, seen;
	} hw[2];
	uint8_t nhw;
	/* scratch */
	void *scratch;
	uint64_t scratch_pa;
	size_t scratch_size;
	uint64_t stack[OP_STACK_BYTES / 8];
};

/* publish.c */
void op_init(struct op *op, struct iopgt *pt);
int op_reserve(struct op *op);
void op_publish(struct op *op);
void op_free(struct op *op);
void op_publish_remake(struct op *op, void (*remake)(void *ctx), void *ctx);
void pub_free_detached(struct iopgt *pt, unsigned wl, void *va, uint64_t pa,
		       const void *const *anc);
void pub_ranges(const struct iopgt *pt, struct iopgt_range *r, size_t n);
void pub_sync(const struct iopgt *pt, const struct iopgt_range *r, size_t n);
void pub_sync_one(const struct iopgt *pt, void *va, uint64_t pa, size_t len);
void pub_tlb(const struct iopgt *pt, const struct trec *t, size_t n, bool late);
void pub_free_subtree(struct iopgt *pt, unsigned wl, void *va, uint64_t pa,
		      const void *const *anc);
void pub_free_subtree_in(struct iopgt *pt, unsigned wl, void *va, uint64_t pa,
			 const void *const *anc, uint64_t base, uint64_t lo, uint64_t hi);
void mem_give(const struct iopgt *pt, void *va, uint64_t pa, size_t size);
void put_now_with(const struct iopgt *pt, void *tv, uint64_t tpa, size_t idx, uint64_t d,
		  struct iopgt_range *r, size_t n);
void put_new_table(const struct iopgt *pt, void *va, uint64_t pa, size_t size);
bool put_cas_link(const struct iopgt *pt, void *tv, uint64_t tpa, size_t idx, uint64_t old,
		  uint64_t link);
void put_mark_synced(const struct iopgt *pt, void *tv, size_t idx);
bool put_cas_leaf(const struct iopgt *pt, void *tv, size_t idx, uint64_t *old, uint64_t v);

IOPGT_INLINE void rec_dirty(struct op *op, void *va, uint64_t pa, size_t len)
{
	if (va == op->e1va && pa == op->e1pa) {
		if (op->commit)
			op->r1[op->n1 - 1].len += len;
	} else {
		if (op->commit) {
			op->r1[op->n1].va = va;
			op->r1[op->n1].pa = pa;
			op->r1[op->n1].len = len;
		}
		op->n1++;
	}
	op->e1va = (char *)va + len;
	op->e1pa = pa + len;
}

/*
 * Store @n entries of the table @tv from @idx, the first @d, each next one
 * @step more. A live table's stores are recorded as one dirty span; a fresh
 * table needs no record, since the whole table was recorded when it was
 * taken. The prepare pass only counts.
 */
IOPGT_INLINE void put(struct op *op, void *tv, uint64_t tpa, bool fresh, size_t idx, size_t n,
		      uint64_t d, uint64_t step)
{
	const enum fam F = pt_fam(op->pt);
	const unsigned dsh = op->pt->dshift_;

	if (op->commit)
		for (size_t i = 0; i < n; i++, d += step)
			d_store(F, tv, idx + i, d);
	if (!fresh)
		rec_dirty(op, (char *)tv + (idx << dsh), tpa + (idx << dsh), n << dsh);
}

/*
 * The same in two steps, for stores whose values do not step evenly (pages
 * of scattered segments): put_val() for each entry, commit pass only (the
 * family @F as the caller holds it: a store may alias *pt, and a loop
 * should not read it again), then put_span() once for the @n entries from
 * @idx, in both passes.
 */
IOPGT_INLINE void put_val(enum fam F, void *tv, size_t idx, uint64_t d)
{
	d_store(F, tv, idx, d);
}

IOPGT_INLINE void put_span(struct op *op, void *tv, uint64_t tpa, bool fresh, size_t idx, size_t n)
{
	const unsigned dsh = op->pt->dshift_;

	if (!fresh)
		rec_dirty(op, (char *)tv + (idx << dsh), tpa + (idx << dsh), n << dsh);
}

/* Entries [@from, @to) of a fresh table, in the commit pass. */
IOPGT_INLINE void put_clear(struct op *op, void *tv, size_t from, size_t to)
{
	if (op->commit)
		d_zero(pt_fam(op->pt), tv, from, to);
}

/*
 * Make the @n live leaf entries of @tv from @idx invalid, to break a leaf
 * before a split: put(.., 0, 0) that returns @d with the state the walker
 * kept in the entries added (IOPGT_QUIRK_HW_*: each entry is swapped out
 * atomically, so that nothing it marked before the entry went invalid is
 * lost; c_hw_merge()).
 */
IOPGT_INLINE uint64_t put_break(struct op *op, void *tv, uint64_t tpa, size_t idx, size_t n,
				uint64_t d)
{
	const enum fam F = pt_fam(op->pt);
	const unsigned dsh = op->pt->dshift_;

	if (!op->commit || !c_hw(F, op->pt)) {
		put(op, tv, tpa, false, idx, n, 0, 0);
		return d;
	}
	for (size_t i = 0; i < n; i++)
		d = c_hw_merge(F, op->pt, d, d_xchg(tv, idx + i, 0));
	rec_dirty(op, (char *)tv + (idx << dsh), tpa + (idx << dsh), n << dsh);
	return d;
}

/*
 * IOPGT_QUIRK_HW_* and a split in place: the entries [@idx, @idx + @n) of
 * @tv (walk level @wl) stay live until their deferred stores, and the
 * walker may mark them until then; op_publish() swaps them out and carries
 * what it finds over to the new leaves (given the state of @d).
 */
IOPGT_INLINE void rec_hw_split(struct op *op, unsigned wl, void *tv, size_t idx, size_t n,
			       uint64_t d)
{
	struct op_hwsplit *h;

	if (!op->commit || !c_hw(pt_fam(op->pt), op->pt) ||
	    op->nhw >= sizeof(op->hw) / sizeof(op->hw[0]))
		return;
	h = &op->hw[op->nhw++];
	h->tv = tv;
	h->idx = idx;
	h->n = n;
	h->wl = wl;
	h->d = h->seen = d;
}

/* A store into the live table @tv that goes after the first sync call. */
IOPGT_INLINE void put_late(struct op *op, void *tv, uint64_t tpa, size_t idx, uint64_t val)
{
	const unsigned dsh = op->pt->dshift_;

	if (op->commit) {
		op->w[op->nw].ptr = (char *)tv + (idx << dsh);
		op->w[op->nw].val = val;
		op->w[op->nw].pa = tpa + (idx << dsh);
	}
	op->nw++;
}

/*
 * Park the live leaf at entry @idx of @tv (walk level @wl), which held
 * @old, as put(.., c_park(old)) does: with IOPGT_QUIRK_HW_* by a
 * compare-and-swap, retried with the value found, so that the parked entry
 * keeps what the walker marked until it went invalid (compaction).
 */
IOPGT_INLINE void put_park_leaf(struct op *op, void *tv, uint64_t tpa, size_t idx, unsigned wl,
				uint64_t old)
{
	const enum fam F = pt_fam(op->pt);
	const unsigned dsh = op->pt->dshift_;

	if (!op->commit || !c_hw(F, op->pt)) {
		put(op, tv, tpa, false, idx, 1, c_park(F, op->pt, wl, old), 0);
		return;
	}
	while (!d_cas_leaf(tv, idx, &old, c_park(F, op->pt, wl, old)))
		;
	rec_dirty(op, (char *)tv + (idx << dsh), tpa + (idx << dsh), (size_t)1 << dsh);
}

/* A store into bytes an earlier store of the same call recorded (the
 * second half of op_publish_remake()): no record. */
IOPGT_INLINE void put_again(struct op *op, void *tv, size_t idx, uint64_t d)
{
	d_store(pt_fam(op->pt), tv, idx, d);
}

/* One descriptor, synced at once. */
IOPGT_INLINE void put_now(const struct iopgt *pt, void *tv, uint64_t tpa, size_t idx, uint64_t d)
{
	const unsigned dsh = pt->dshift_;

	d_store(pt_fam(pt), tv, idx, d);
	if (pt->sync_.fn) {
		struct iopgt_range r = { (char *)tv + (idx << dsh), tpa + (idx << dsh),
					 (size_t)1 << dsh };

		pub_sync(pt, &r, 1);
	}
}

/* prepare: a new table's range, address unknown yet */
IOPGT_INLINE void rec_dirty_new(struct op *op, void *va, uint64_t pa, size_t len)
{
	if (op->commit) {
		rec_dirty(op, va, pa, len);
	} else {
		op->n1++;
		op->e1va = NULL;
	}
}

IOPGT_INLINE void rec_tlb(struct op *op, uint64_t iova, uint64_t size, unsigned gshift, int kind,
			  bool late)
{
	struct trec *l = &op->tlast;

	if (op->thave && l->kind == kind && l->late == late && l->granule == BIT64(gshift) &&
	    l->iova + l->size == iova) {
		l->size += size;
		if (op->commit)
			op->t[op->nt - 1].size += size;
		return;
	}
	l->iova = iova;
	l->size = size;
	l->granule = BIT64(gshift);
	l->kind = (uint8_t)kind;
	l->late = late;
	op->thave = true;
	if (op->commit)
		op->t[op->nt] = *l;
	op->nt++;
}

/* The subtree at @va (walk level @wl, translating from @iova) goes last;
 * table links in it are only where it translates some of [@lo, @hi). */
IOPGT_INLINE void rec_free_in(struct op *op, void *va, uint64_t pa, unsigned wl, uint64_t iova,
			      uint64_t lo, uint64_t hi)
{
	if (op->commit) {
		struct frec *f = &op->f[op->nf];

		f->va = va;
		f->pa = pa;
		f->iova = iova;
		f->lo = lo;
		f->hi = hi;
		f->wl = wl;
		for (unsigned k = 0; k < wl; k++)
			f->path[k] = op->path[k];
	}
	op->nf++;
}

/* The whole subtree at @va goes last. */
IOPGT_INLINE void rec_free(struct op *op, void *va, uint64_t pa, unsigned wl, uint64_t iova)
{
	rec_free_in(op, va, pa, wl, iova, 0, ~(uint64_t)0);
}

struct pool_link {
	void *next;
	uint64_t next_pa;
};

/* A new non-root table: prepare counts it, commit takes it from the pool. */
IOPGT_INLINE void take_table(struct op *op, void **va, uint64_t *pa)
{
	if (!op->commit) {
		op->ntab++;
		*va = NULL;
		*pa = 0;
		return;
	}
	struct pool_link *l = op->pool;

	*va = op->pool;
	*pa = op->pool_pa;
	op->pool = l->next;
	op->pool_pa = l->next_pa;
	stats_add(op->pt, tbl_size(op->pt, 1));
}

/* The TLB invalidations of @t[0..n) that are (@late) or are not due now. */
IOPGT_INLINE void tlb_run(const struct iopgt *pt, const struct trec *t, size_t n, bool late)
{
	const struct iopgt_tlb *tlb = &pt->tlb_;

	if (tlb->flush_leaf || tlb->flush_walk || tlb->flush_all) /* else no TLB to maintain */
		pub_tlb(pt, t, n, late);
}

#endif /* IOPGT_PUBLISH_H */
