/* SPDX-License-Identifier: MIT */
/*
 * lib/walk.c - the generic walker: map, unmap, lookup and the leaf iterator
 * over any format's geometry, and the dirty-range collector.
 *
 * Every table-changing operation runs the same recursive code twice:
 *
 *   1. prepare (op->commit false): reads the tables, checks the request
 *      (overlaps, splits the configuration forbids, corrupt descriptors) and
 *      counts what the commit will need: new tables and records (dirty
 *      ranges, deferred stores, TLB invalidations, tables to free). Nothing
 *      is written.
 *   2. commit (op->commit true): after every table and, if the records do
 *      not fit the on-stack buffer, one scratch array have been allocated,
 *      the same walk writes descriptors and fills the records. It cannot
 *      fail, so an operation is all or nothing.
 *
 * Then finish() publishes: sync call 1 (every byte of every new table, and
 * every store into a live table that does not link a new table), the TLB
 * invalidations of what call 1 removed, the deferred stores (descriptors
 * that link new tables into live ones, and the rewritten entries of a split
 * run), sync call 2, late TLB invalidations (in-place splits), and last the
 * frees. A link is stored only after the table it points to was synced, so
 * the walker can never reach table memory it has not been given, even if a
 * dirty cache line is evicted early.
 */
#include "internal.h"

/* ------------------------------------------------------------------------ */
/* table memory */

static inline void *tbl_va(const struct iopgt *pt, uint64_t pa)
{
	if (pt->mem_.phys_to_virt)
		return pt->mem_.phys_to_virt(pt->mem_.ctx, pa);
	if (pa > (uint64_t)UINTPTR_MAX)
		return NULL;
	return (void *)(uintptr_t)pa;
}

/*
 * A table descriptor below the tables @path[0..n) (the root first) points to
 * @cva: a loop back into the root or to a table on the way down is no tree
 * the library wrote (IOPGT_ERR_CORRUPT), and reading the root as a deeper
 * table could run past its end.
 */
IOPGT_INLINE bool tbl_loop(const struct iopgt *pt, const void *cva, const void *const *path,
			   unsigned n)
{
	uintptr_t c = (uintptr_t)cva, r = (uintptr_t)pt->root_;

	if (c < r + pt->root_size_ && r < c + tbl_size(pt, 1))
		return true;
	for (unsigned k = 0; k < n; k++)
		if (path[k] == cva)
			return true;
	return false;
}

static inline void d_store(const struct iopgt *pt, void *tbl, size_t idx, uint64_t v)
{
	if (pt_is_v7s(pt)) /* 4-byte descriptors */
		__atomic_store_n(&((uint32_t *)tbl)[idx], (uint32_t)v, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&((uint64_t *)tbl)[idx], v, __ATOMIC_RELAXED);
}

static inline void d_zero(const struct iopgt *pt, void *tbl, size_t from, size_t to)
{
	if (pt->dshift_ == 2) {
		uint32_t *t = tbl;

		for (size_t i = from; i < to; i++)
			t[i] = 0;
	} else {
		uint64_t *t = tbl;

		for (size_t i = from; i < to; i++)
			t[i] = 0;
	}
}

/*
 * Table memory held. Concurrent calls allocate and free at once: atomic
 * additions; otherwise one call at a time, and a plain update (still
 * single-copy atomic, for iopgt_get_stats() on another thread).
 */
static inline void stats_move(struct iopgt *pt, uint64_t bytes, uint64_t tables)
{
	if (pt_conc(pt)) {
		__atomic_fetch_add(&pt->table_bytes_, bytes, __ATOMIC_RELAXED);
		__atomic_fetch_add(&pt->tables_, tables, __ATOMIC_RELAXED);
		return;
	}
	__atomic_store_n(&pt->table_bytes_,
			 __atomic_load_n(&pt->table_bytes_, __ATOMIC_RELAXED) + bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&pt->tables_, __atomic_load_n(&pt->tables_, __ATOMIC_RELAXED) + tables,
			 __ATOMIC_RELAXED);
}

static inline void stats_add(struct iopgt *pt, size_t bytes)
{
	stats_move(pt, (uint64_t)bytes, 1);
}

static inline void stats_sub(struct iopgt *pt, size_t bytes)
{
	stats_move(pt, -(uint64_t)bytes, (uint64_t)-1);
}

/* ------------------------------------------------------------------------ */
/* the operation and its records */

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
	unsigned wl;
	const void *path[IOPGT_MAXLVL]; /* its ancestors, the root first */
};

#define OP_STACK_BYTES 640

struct op {
	struct iopgt *pt;
	bool commit;
	bool keep;    /* finish(): leave the frees to the caller (concurrent calls) */
	bool pending; /* finish() ran with keep: op_free_tables() is due */
	bool free_all;     /* concurrent calls: a detached table above the last level */
	uint64_t free_pins; /* concurrent calls: buckets of detached last-level tables */
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
	/* scratch */
	void *scratch;
	uint64_t scratch_pa;
	size_t scratch_size;
	uint64_t stack[OP_STACK_BYTES / 8];
};

struct pool_link {
	void *next;
	uint64_t next_pa;
};

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

/* prepare: a new table's range, address unknown yet */
static void rec_dirty_new(struct op *op, void *va, uint64_t pa, size_t len)
{
	if (op->commit) {
		rec_dirty(op, va, pa, len);
	} else {
		op->n1++;
		op->e1va = NULL;
	}
}

/*
 * The one way the walker writes descriptors into a table: @n entries from
 * @idx, the first @d, each next one @step more. A live table's stores are
 * recorded as one dirty span; a fresh table needs no record, since the whole
 * table was recorded when it was taken. The prepare pass only counts.
 */
IOPGT_INLINE void put(struct op *op, void *tv, uint64_t tpa, bool fresh, size_t idx, size_t n,
		      uint64_t d, uint64_t step)
{
	const unsigned dsh = op->pt->dshift_;

	if (op->commit)
		for (size_t i = 0; i < n; i++, d += step)
			d_store(op->pt, tv, idx + i, d);
	if (!fresh)
		rec_dirty(op, (char *)tv + (idx << dsh), tpa + (idx << dsh), n << dsh);
}

/* The fast paths' store: one descriptor, synced at once. */
static void put_now(const struct iopgt *pt, void *tv, uint64_t tpa, size_t idx, uint64_t d)
{
	d_store(pt, tv, idx, d);
	if (pt->sync_.fn) {
		size_t dsz = (size_t)1 << pt->dshift_;
		struct iopgt_range r = { (char *)tv + idx * dsz, tpa + idx * dsz, dsz };

		pt->sync_.fn(pt->sync_.ctx, &r, 1);
	}
}

static void rec_store2(struct op *op, void *ptr, uint64_t val, uint64_t pa)
{
	if (op->commit) {
		op->w[op->nw].ptr = ptr;
		op->w[op->nw].val = val;
		op->w[op->nw].pa = pa;
	}
	op->nw++;
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

static void rec_free(struct op *op, void *va, uint64_t pa, unsigned wl)
{
	if (op->commit) {
		op->f[op->nf].va = va;
		op->f[op->nf].pa = pa;
		op->f[op->nf].wl = wl;
		for (unsigned k = 0; k < wl; k++)
			op->f[op->nf].path[k] = op->path[k];
	}
	op->nf++;
}

/* A new non-root table: prepare counts it, commit takes it from the pool. */
static void take_table(struct op *op, void **va, uint64_t *pa)
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

/* ------------------------------------------------------------------------ */
/* allocation */

static bool table_mem_ok(const struct iopgt *pt, void *va, uint64_t pa, size_t size)
{
	if (((uintptr_t)va & (size - 1)) || (pa & (size - 1)))
		return false;
	if (pt->oas_ < 64 && (pa >> pt->oas_ || (pa + size - 1) >> pt->oas_))
		return false;
	if (pt_is_v7s(pt) && (pa + size - 1) >> 32)
		return false; /* table descriptors and TTBR hold 32-bit addresses */
	return tbl_va(pt, pa) == va;
}

/*
 * Allocate one table of @size bytes. Return IOPGT_OK, IOPGT_ERR_NOMEM, or
 * IOPGT_ERR_NOTSUP for memory the tables cannot use (given back at once).
 */
static int alloc_table(const struct iopgt *pt, size_t size, void **va, uint64_t *pa)
{
	uint64_t p = 0;
	void *v = pt->mem_.alloc(pt->mem_.ctx, size, size, &p);

	if (!v)
		return IOPGT_ERR_NOMEM;
	if (!table_mem_ok(pt, v, p, size)) {
		pt->mem_.free(pt->mem_.ctx, v, p, size);
		return IOPGT_ERR_NOTSUP;
	}
	*va = v;
	*pa = p;
	return IOPGT_OK;
}

int iopgt_alloc_root(struct iopgt *pt)
{
	size_t size = (size_t)1 << (pt->root_bits_ + pt->dshift_);

	if (size < 64)
		size = 64; /* TTBR alignment: at least 64 bytes (D19.2 TTBR0_EL1.BADDR) */
	int err = alloc_table(pt, size, &pt->root_, &pt->root_pa_);

	if (err)
		return err;
	pt->root_size_ = size;
	d_zero(pt, pt->root_, 0, size >> pt->dshift_);
	pt->table_bytes_ = size;
	pt->tables_ = 1;
	if (pt->sync_.fn) {
		struct iopgt_range r = { pt->root_, pt->root_pa_, size };

		pt->sync_.fn(pt->sync_.ctx, &r, 1);
	}
	return IOPGT_OK;
}

static void pool_release(struct op *op)
{
	size_t size = tbl_size(op->pt, 1);

	while (op->pool) {
		struct pool_link *l = op->pool;
		void *next = l->next;
		uint64_t next_pa = l->next_pa;

		op->pt->mem_.free(op->pt->mem_.ctx, op->pool, op->pool_pa, size);
		op->pool = next;
		op->pool_pa = next_pa;
	}
}

/* Between the passes: allocate the tables and the record storage. */
static int op_reserve(struct op *op)
{
	const struct iopgt *pt = op->pt;
	size_t size = tbl_size(pt, 1);
	size_t bytes;
	char *p;

	for (size_t i = 0; i < op->ntab; i++) {
		void *va;
		uint64_t pa;
		int err = alloc_table(pt, size, &va, &pa);

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

static void op_init(struct op *op, struct iopgt *pt)
{
	op->pt = pt;
	op->commit = false;
	op->keep = false;
	op->pending = false;
	op->free_all = false;
	op->free_pins = 0;
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
}

/* ------------------------------------------------------------------------ */
/* publication */

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

static void publish(const struct iopgt *pt, struct iopgt_range *r, size_t n)
{
	if (!n || !pt->sync_.fn)
		return;
	n = coalesce(r, n);
	pt->sync_.fn(pt->sync_.ctx, r, n);
}

static void tlb_hooks(const struct iopgt *pt, const struct trec *t, size_t n, bool late)
{
	const struct iopgt_tlb *tlb = &pt->tlb_;
	bool all_done = false;

	for (size_t i = 0; i < n; i++) {
		if ((bool)t[i].late != late)
			continue;
		uint64_t iova = pt->va_base_ + t[i].iova;
		/* a granule size_t cannot hold (4T blocks on a 32-bit host):
		 * the translation granule, which is never wrong */
		size_t granule = t[i].granule > (uint64_t)SIZE_MAX ? (size_t)BIT64(pt->gshift_)
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

/* The TLB invalidations of @t[0..n) that are (@late) or are not due now. */
IOPGT_INLINE void tlb_run(const struct iopgt *pt, const struct trec *t, size_t n, bool late)
{
	const struct iopgt_tlb *tlb = &pt->tlb_;

	if (tlb->flush_leaf || tlb->flush_walk || tlb->flush_all) /* else no TLB to maintain */
		tlb_hooks(pt, t, n, late);
}

static void free_subtree(struct iopgt *pt, unsigned wl, void *va, uint64_t pa,
			 const void *const *anc)
{
	const void *path[IOPGT_MAXLVL];

	for (unsigned k = 0; k < wl; k++)
		path[k] = anc[k];
	path[wl] = va;
	if (wl + 1u < pt->levels_) {
		size_t n = (size_t)1 << lvl_bits(pt, wl);

		for (size_t i = 0; i < n; i++) {
			uint64_t d = d_load(pt, va, i);
			bool run;

			if (c_kind(pt, wl, d, &run) == D_TABLE) {
				uint64_t cpa = c_table_pa(pt, wl, d);
				void *cva = tbl_va(pt, cpa);

				if (cva && !tbl_loop(pt, cva, path, wl + 1))
					free_subtree(pt, wl + 1, cva, cpa, path);
			}
		}
	}
	if (wl == 0)
		return; /* the root is freed by iopgt_fini */
	pt->mem_.free(pt->mem_.ctx, va, pa, tbl_size(pt, wl));
	stats_sub(pt, tbl_size(pt, wl));
}

/* The last step of a call: the detached subtrees, then the scratch array. */
static void op_free_tables(struct op *op)
{
	struct iopgt *pt = op->pt;

	for (size_t i = 0; i < op->nf; i++)
		if (tbl_va(pt, op->f[i].pa) == op->f[i].va) /* not freed already */
			free_subtree(pt, op->f[i].wl, op->f[i].va, op->f[i].pa, op->f[i].path);
	if (op->scratch)
		pt->mem_.free(pt->mem_.ctx, op->scratch, op->scratch_pa, op->scratch_size);
	op->pending = false;
}

static void finish(struct op *op)
{
	struct iopgt *pt = op->pt;

	publish(pt, op->r1, op->n1);
	tlb_run(pt, op->t, op->nt, false);
	if (op->nw) {
		struct iopgt_range *r2 = (struct iopgt_range *)(void *)op->w;
		size_t dsz = (size_t)1 << pt->dshift_;

		/* order the new tables' contents before the descriptors that
		 * link them, for a coherent walker */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		for (size_t i = 0; i < op->nw; i++) {
			struct wrec w = op->w[i];

			if (pt->dshift_ == 2)
				__atomic_store_n((uint32_t *)w.ptr, (uint32_t)w.val, __ATOMIC_RELAXED);
			else
				__atomic_store_n((uint64_t *)w.ptr, w.val, __ATOMIC_RELAXED);
			/* same size as struct wrec: convert in place */
			r2[i].va = w.ptr;
			r2[i].pa = w.pa;
			r2[i].len = dsz;
		}
		publish(pt, r2, op->nw);
	}
	tlb_run(pt, op->t, op->nt, true);
	if (op->keep) {
		op->pending = true;
		return;
	}
	op_free_tables(op);
}

_Static_assert(sizeof(struct wrec) >= sizeof(struct iopgt_range),
	       "deferred stores are converted to ranges in place");

/* ------------------------------------------------------------------------ */
/* argument checks */

static bool prot_ok(uint32_t prot)
{
	return !(prot & ~IOPGT_PROT_ALL) && (prot & (IOPGT_READ | IOPGT_WRITE));
}

/* iova range -> offset from va_base_; 0 or an error */
static int check_in(const struct iopgt *pt, uint64_t iova, uint64_t size, uint64_t *off)
{
	uint64_t g = BIT64(pt->gshift_) - 1;
	uint64_t span = BIT64(pt->ias_);

	if ((iova | size) & g || !size)
		return IOPGT_ERR_INVAL;
	if (iova < pt->va_base_)
		return IOPGT_ERR_RANGE;
	*off = iova - pt->va_base_;
	if (*off >= span || size > span - *off)
		return IOPGT_ERR_RANGE;
	return IOPGT_OK;
}

/* ------------------------------------------------------------------------ */
/*
 * Concurrent calls (IOPGT_QUIRK_CONCURRENT).
 *
 * A last-level table belongs to a region: the span of the one parent entry
 * that links it. A call pins every region its range reaches: reader-writer
 * counters, hashed by region into 64 buckets a cache line apart (a range
 * over 64 regions or more takes every bucket). Map, unmap, lookup and walk
 * take their pins shared; only the code that frees an emptied table takes
 * pins exclusively: the table's own bucket for a last-level table, every
 * bucket for a table above (rare: it empties only after all its
 * last-level tables went).
 *
 *  - No table is freed while a call that may reach it runs, even a call
 *    whose range overlaps (the caller's bug): a call that reaches a
 *    last-level table holds its region shared, and every call holds some
 *    bucket shared, which freeing a higher table needs exclusively.
 *  - Only tables that straddle an edge of a call's range can be reached
 *    by another call whose range is disjoint; those are where the passes
 *    could meet another call's changes.
 *  - Tables on the edges are installed before the two passes run, with a
 *    compare-and-swap on the parent entry; the loser frees its (never
 *    linked) table and walks into the winner's. The passes then see a
 *    structure no other call changes inside their range.
 *  - A table that a call empties is freed afterwards: with the pins taken
 *    exclusively, the table is checked again and freed only if still
 *    empty. Two calls that empty one table each check after a sequentially
 *    consistent fence, so at least one of them sees it empty.
 *  - Visible on return: a map reports once more the table descriptors on
 *    its edges that are not marked as synced (LPAE: software bit 55, set
 *    once the installing call's sync returned; v7s has no such bit), since
 *    another call may have installed one and not yet had it synced.
 * Buckets are taken in increasing address order, shared or exclusive, so
 * no cycle of waits can form. A call waits only while another call frees a
 * table in one of its regions.
 */
#define PIN_SLOTS  64u          /* hash buckets */
#define PIN_STRIDE 16u          /* 32-bit words per bucket: 64 bytes */
#define PIN_EXCL   0x80000000u

_Static_assert(PIN_SLOTS * PIN_STRIDE * 4 == IOPGT_PIN_BYTES, "pin array size");

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

static inline unsigned pin_hash(uint64_t region)
{
	return (unsigned)((region * 0x9e3779b97f4a7c15ull) >> 58);
}

static inline uint64_t pin_region(const struct iopgt *pt, uint64_t off)
{
	return off >> lvl_shift(pt, pt->levels_ - 2u);
}

/* the pin of the region of the last-level table that translates @off */
static inline uint32_t *pin_of(const struct iopgt *pt, uint64_t off)
{
	return (uint32_t *)pt->pins_ + pin_hash(pin_region(pt, off)) * PIN_STRIDE;
}

static void pin_shared(uint32_t *p)
{
	for (;;) {
		uint32_t v = __atomic_fetch_add(p, 1, __ATOMIC_ACQUIRE);

		if (!(v & PIN_EXCL))
			return;
		__atomic_fetch_sub(p, 1, __ATOMIC_RELAXED);
		while (__atomic_load_n(p, __ATOMIC_RELAXED) & PIN_EXCL)
			cpu_relax();
	}
}

static void unpin_shared(uint32_t *p)
{
	__atomic_fetch_sub(p, 1, __ATOMIC_RELEASE);
}

/* Writer first: once PIN_EXCL is set no new shared pin is taken, then the
 * shared pins already held drain (calls finish without waiting on this). */
static void pin_excl(uint32_t *p)
{
	while (__atomic_fetch_or(p, PIN_EXCL, __ATOMIC_ACQUIRE) & PIN_EXCL)
		while (__atomic_load_n(p, __ATOMIC_RELAXED) & PIN_EXCL)
			cpu_relax();
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) & ~PIN_EXCL)
		cpu_relax();
}

static void unpin_excl(uint32_t *p)
{
	__atomic_fetch_and(p, ~PIN_EXCL, __ATOMIC_RELEASE);
}

/* The lowest set bit of @m (not 0), in increasing order as @m &= @m - 1
 * goes: 32-bit halves, so that 32-bit targets need no libgcc helper. */
static inline unsigned low_bit(uint64_t m)
{
	uint32_t lo = (uint32_t)m;

	return lo ? (unsigned)__builtin_ctz(lo) : 32u + (unsigned)__builtin_ctz((uint32_t)(m >> 32));
}

struct pinset {
	const struct iopgt *pt;
	uint64_t mask; /* bit h: bucket h held shared */
};

/* every region [first, last] reaches, shared, in bucket order */
static void pins_take(const struct iopgt *pt, uint64_t first, uint64_t last, struct pinset *ps)
{
	uint64_t m = 0;

	ps->pt = pt;
	ps->mask = 0;
	if (pt->levels_ < 2)
		return; /* the root alone, never freed */
	{
		uint64_t r0 = pin_region(pt, first), r1 = pin_region(pt, last);

		if (r1 - r0 >= PIN_SLOTS)
			m = ~(uint64_t)0;
		else
			for (uint64_t r = r0;; r++) {
				m |= BIT64(pin_hash(r));
				if (r == r1)
					break;
			}
	}
	for (uint64_t b = m; b; b &= b - 1)
		pin_shared((uint32_t *)pt->pins_ + low_bit(b) * PIN_STRIDE);
	ps->mask = m;
}

static void pins_drop(struct pinset *ps)
{
	for (uint64_t b = ps->mask; b; b &= b - 1)
		unpin_shared((uint32_t *)ps->pt->pins_ + low_bit(b) * PIN_STRIDE);
	ps->mask = 0;
}

/* every bucket exclusively, in address order (freeing a higher table) */
static void pins_take_all(const struct iopgt *pt)
{
	for (unsigned h = 0; h < PIN_SLOTS; h++)
		pin_excl((uint32_t *)pt->pins_ + h * PIN_STRIDE);
}

static void pins_drop_all(const struct iopgt *pt)
{
	for (unsigned h = 0; h < PIN_SLOTS; h++)
		unpin_excl((uint32_t *)pt->pins_ + h * PIN_STRIDE);
}

/* the buckets of @mask exclusively, in address order, and back */
static void pins_excl_mask(const struct iopgt *pt, uint64_t mask, bool take)
{
	for (uint64_t b = mask; b; b &= b - 1) {
		uint32_t *p = (uint32_t *)pt->pins_ + low_bit(b) * PIN_STRIDE;

		if (take)
			pin_excl(p);
		else
			unpin_excl(p);
	}
}

int iopgt_alloc_pins(struct iopgt *pt)
{
	uint64_t pa = 0;
	uint32_t *p = pt->mem_.alloc(pt->mem_.ctx, IOPGT_PIN_BYTES, 64, &pa);

	if (!p)
		return IOPGT_ERR_NOMEM;
	for (size_t i = 0; i < IOPGT_PIN_BYTES / 4; i++)
		p[i] = 0;
	pt->pins_ = p;
	pt->pins_pa_ = pa;
	return IOPGT_OK;
}

void iopgt_free_pins(struct iopgt *pt)
{
	if (pt->pins_)
		pt->mem_.free(pt->mem_.ctx, pt->pins_, pt->pins_pa_, IOPGT_PIN_BYTES);
	pt->pins_ = NULL;
}

/* Do @a and @b reach the same last-level table (or is the root all)? */
static inline bool one_path(const struct iopgt *pt, uint64_t a, uint64_t b)
{
	return pt->levels_ < 2 || !((a ^ b) >> lvl_shift(pt, pt->levels_ - 2u));
}

static bool d_cas(const struct iopgt *pt, void *tbl, size_t idx, uint64_t old, uint64_t v)
{
	/* release: the new table's zeroed contents before the link */
	if (pt->dshift_ == 2) {
		uint32_t o = (uint32_t)old;

		return __atomic_compare_exchange_n(&((uint32_t *)tbl)[idx], &o, (uint32_t)v, false,
						   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	}
	return __atomic_compare_exchange_n(&((uint64_t *)tbl)[idx], &old, v, false,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

static void sync_one(const struct iopgt *pt, void *va, uint64_t pa, size_t len)
{
	if (pt->sync_.fn) {
		struct iopgt_range r = { va, pa, len };

		pt->sync_.fn(pt->sync_.ctx, &r, 1);
	}
}

/*
 * Before a map's passes: make sure every entry on the path to @e whose span
 * leaves [lo, last] points to a table, installing empty ones (synced, then
 * linked by compare-and-swap, then the link synced). Anything else found on
 * the way (a leaf, a reserved encoding) is left for the passes to report.
 */
/* the links a call installed itself: edges_publish() need not repeat them */
struct own_links {
	const void *slot[2 * IOPGT_MAXLVL];
	unsigned n;
};

static int edge_ensure(struct iopgt *pt, uint64_t e, uint64_t lo, uint64_t last,
		       struct own_links *own)
{
	void *tv = pt->root_;
	uint64_t tpa = pt->root_pa_;
	const void *path[IOPGT_MAXLVL];

	for (unsigned wl = 0; wl + 1u < pt->levels_; wl++) {
		const uint64_t esz = BIT64(lvl_shift(pt, wl));
		const uint64_t es = e & ~(esz - 1);
		const size_t i = lvl_index(pt, wl, e);
		const unsigned dsh = pt->dshift_;

		path[wl] = tv;
		if (lo <= es && es + (esz - 1) <= last)
			return IOPGT_OK; /* inside the range: no other call gets here */
		for (;;) {
			uint64_t d = d_load(pt, tv, i);
			bool run;
			enum dkind k = c_kind(pt, wl, d, &run);

			if (k == D_TABLE) {
				tpa = c_table_pa(pt, wl, d);
				tv = tbl_va(pt, tpa);
				if (!tv || tbl_loop(pt, tv, path, wl + 1))
					return IOPGT_OK; /* the passes report it */
				break;
			}
			if (k != D_INVALID)
				return IOPGT_OK;

			size_t size = tbl_size(pt, wl + 1);
			void *nv;
			uint64_t npa;
			int err = alloc_table(pt, size, &nv, &npa);

			if (err)
				return err;
			const uint64_t mark = c_synced_mark(pt);
			const uint64_t link = c_table(pt, wl, npa) & ~mark;

			d_zero(pt, nv, 0, size >> dsh);
			sync_one(pt, nv, npa, size);
			if (d_cas(pt, tv, i, d, link)) {
				stats_add(pt, size);
				sync_one(pt, (char *)tv + (i << dsh), tpa + (i << dsh),
					 (size_t)1 << dsh);
				own->slot[own->n++] = (char *)tv + (i << dsh);
				/* synced: other calls need not report it again
				 * (the mark is not for the walker: no sync) */
				if (mark)
					__atomic_fetch_or(&((uint64_t *)tv)[i], mark, __ATOMIC_RELEASE);
			} else {
				/* another call linked its table first */
				pt->mem_.free(pt->mem_.ctx, nv, npa, size);
			}
		}
	}
	return IOPGT_OK;
}

/* Clause 6: report again the table descriptors on the edges of [lo, last]. */
static bool own_link(const struct own_links *own, const void *slot)
{
	for (unsigned k = 0; k < own->n; k++)
		if (own->slot[k] == slot)
			return true;
	return false;
}

static void edges_publish(const struct iopgt *pt, uint64_t lo, uint64_t last,
			  const struct own_links *own)
{
	struct iopgt_range r[2 * IOPGT_MAXLVL];
	size_t n = 0;
	const uint64_t e2[2] = { lo, last };

	if (!pt->sync_.fn)
		return;
	for (int k = 0; k < (one_path(pt, lo, last) ? 1 : 2); k++) {
		const void *tv = pt->root_, *path[IOPGT_MAXLVL];
		uint64_t tpa = pt->root_pa_;

		for (unsigned wl = 0; wl + 1u < pt->levels_; wl++) {
			path[wl] = tv;
			const uint64_t esz = BIT64(lvl_shift(pt, wl));
			const uint64_t es = e2[k] & ~(esz - 1);
			const size_t i = lvl_index(pt, wl, e2[k]);
			uint64_t d = d_load(pt, tv, i);
			bool run;

			if ((lo <= es && es + (esz - 1) <= last) ||
			    c_kind(pt, wl, d, &run) != D_TABLE)
				break;
			if (!(d & c_synced_mark(pt)) &&
			    !own_link(own, (const char *)tv + (i << pt->dshift_))) {
				r[n].va = (char *)(uintptr_t)tv + (i << pt->dshift_);
				r[n].pa = tpa + (i << pt->dshift_);
				r[n].len = (size_t)1 << pt->dshift_;
				n++;
			}
			tpa = c_table_pa(pt, wl, d);
			tv = tbl_va(pt, tpa);
			if (!tv || tbl_loop(pt, tv, path, wl + 1))
				break;
		}
	}
	publish(pt, r, n);
}

/* The OR of entries [@a, @b) of @tv. */
IOPGT_INLINE uint64_t or_entries(const struct iopgt *pt, const void *tv, size_t a, size_t b)
{
	uint64_t any = 0;

	if (pt->dshift_ == 2)
		for (size_t j = a; j < b; j++)
			any |= __atomic_load_n(&((const uint32_t *)tv)[j], __ATOMIC_RELAXED);
	else
		for (size_t j = a; j < b; j++)
			any |= __atomic_load_n(&((const uint64_t *)tv)[j], __ATOMIC_RELAXED);
	return any;
}

/* The rest of live_outside(): outwards from the neighbours, a cache line
 * at a time. */
static bool live_scan(const struct iopgt *pt, const void *tv, size_t n, size_t lo, size_t hi)
{
	const size_t g = (size_t)64 >> pt->dshift_;
	const uint64_t live = c_live_bits(pt);

	while (lo > 0 || hi < n) {
		if (lo > 0) {
			size_t a = (lo - 1) & ~(g - 1);

			if (or_entries(pt, tv, a, lo) & live)
				return true;
			lo = a;
		}
		if (hi < n) {
			size_t b = (hi + g) & ~(g - 1);

			if (b > n)
				b = n;
			if (or_entries(pt, tv, hi, b) & live)
				return true;
			hi = b;
		}
	}
	return false;
}

/*
 * Does table @tv (walk level @wl) hold a live entry outside [@i0, @i1]?
 * The neighbours first (in a table emptied in order, one of them is live),
 * then outwards.
 */
IOPGT_INLINE bool live_outside(const struct iopgt *pt, unsigned wl, const void *tv, size_t i0,
			       size_t i1)
{
	const size_t n = (size_t)1 << lvl_bits(pt, wl);
	const uint64_t live = c_live_bits(pt);

	if (i1 + 1 < n && d_load(pt, tv, i1 + 1) & live)
		return true;
	if (i0 > 0 && d_load(pt, tv, i0 - 1) & live)
		return true;
	return live_scan(pt, tv, n, i0, i1 + 1);
}

/* Has the table @tv at walk level @wl no live entry? Looks at @e's entry,
 * then outwards from it, where live neighbours usually are. */
static bool table_empty_at(const struct iopgt *pt, unsigned wl, const void *tv, uint64_t e)
{
	const size_t i = lvl_index(pt, wl, e);
	bool run;

	return c_kind(pt, wl, d_load(pt, tv, i), &run) == D_INVALID &&
	       !live_outside(pt, wl, tv, i, i);
}

/*
 * With the call's pins held: the deepest table on the path to @e if it has
 * no live entry (a candidate for edge_reap()), else NULL.
 */
static const void *edge_empty(const struct iopgt *pt, uint64_t e)
{
	const void *tv = pt->root_, *path[IOPGT_MAXLVL];
	unsigned wl = 0;

	for (; wl + 1u < pt->levels_; wl++) {
		uint64_t d = d_load(pt, tv, lvl_index(pt, wl, e));
		bool run;
		const void *cv;

		path[wl] = tv;
		if (c_kind(pt, wl, d, &run) != D_TABLE)
			break;
		cv = tbl_va(pt, c_table_pa(pt, wl, d));
		if (!cv || tbl_loop(pt, cv, path, wl + 1))
			break;
		tv = cv;
	}
	if (wl == 0 || !table_empty_at(pt, wl, tv, e))
		return NULL;
	return tv;
}

/*
 * Free the empty tables on the path to @e, the call's own pins dropped:
 * take @e's bucket exclusively, look again, and free the highest table of
 * the chain of tables that are empty but for the link to the next one. A
 * chain that reaches above the last level starts again with every bucket.
 */
static void edge_reap(struct iopgt *pt, uint64_t e)
{
	bool all = false;

	for (;;) {
		void *tv[IOPGT_MAXLVL];
		uint64_t tpa[IOPGT_MAXLVL];
		unsigned deep = 0, h;
		uint32_t *p = pin_of(pt, e);

		if (all)
			pins_take_all(pt);
		else
			pin_excl(p);
		tv[0] = pt->root_;
		tpa[0] = pt->root_pa_;
		while (deep + 1u < pt->levels_) {
			uint64_t d = d_load(pt, tv[deep], lvl_index(pt, deep, e));
			bool run;

			if (c_kind(pt, deep, d, &run) != D_TABLE)
				break;
			tpa[deep + 1] = c_table_pa(pt, deep, d);
			tv[deep + 1] = tbl_va(pt, tpa[deep + 1]);
			if (!tv[deep + 1] ||
			    tbl_loop(pt, tv[deep + 1], (const void *const *)tv, deep + 1))
				break;
			deep++;
		}
		h = deep + 1;
		for (unsigned wl = deep; wl >= 1; wl--) {
			/* above the deepest: empty but for the entry that leads down */
			const size_t i = lvl_index(pt, wl, e);

			if (wl < deep ? live_outside(pt, wl, tv[wl], i, i)
				      : !table_empty_at(pt, wl, tv[wl], e))
				break;
			h = wl;
		}
		const bool need_all = h + 1u < pt->levels_;

		if (h <= deep && (all || !need_all)) {
			const unsigned s = lvl_shift(pt, h - 1);
			struct trec t = { e & ~(BIT64(s) - 1), BIT64(s), BIT64(pt->gshift_), T_WALK, 0 };

			put_now(pt, tv[h - 1], tpa[h - 1], lvl_index(pt, h - 1, e), 0);
			tlb_run(pt, &t, 1, false);
			free_subtree(pt, h, tv[h], tpa[h], (const void *const *)tv);
		}
		if (all)
			pins_drop_all(pt);
		else
			unpin_excl(p);
		if (h > deep || all || !need_all)
			return;
		all = true;
	}
}

/* After a call, its pins still held: the edges' empty tables, then reap. */
static void edges_reap(struct iopgt *pt, struct pinset *ps, uint64_t lo, uint64_t last)
{
	const void *a, *b;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	a = edge_empty(pt, lo);
	b = one_path(pt, lo, last) ? NULL : edge_empty(pt, last);
	pins_drop(ps);
	if (a)
		edge_reap(pt, lo);
	if (b && b != a)
		edge_reap(pt, last);
}

/* ------------------------------------------------------------------------ */
/* map */

static int map_tbl(struct op *op, unsigned wl, void *tv, uint64_t tpa, bool fresh,
		   uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct iopgt *pt = op->pt;
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	/* wl < levels_ <= IOPGT_MAXLVL; said again for the compiler's bounds
	 * analysis at -O3 */
	const unsigned c = wl < IOPGT_MAXLVL ? pt->contig_[wl] : 0;
	const uint64_t rsz = c ? BIT64(s + c) : 0;
	const bool leaf_ok = (pt->leaf_lvls_ >> wl) & 1;
	const unsigned dsh = pt->dshift_;
	const size_t first = lvl_index(pt, wl, off);
	size_t idx = first;

	op->path[wl] = tv;
	if (fresh && !op->commit && wl + 1u == pt->levels_) {
		/* nothing to count in a new last-level table; only whether its
		 * leaves can hold the output range (v7s pages stop at 4 GiB) */
		uint64_t lastpa = pa + size - BIT64(s);

		if (!c_can_leaf(pt, wl, pa, false) || !c_can_leaf(pt, wl, lastpa, false))
			return IOPGT_ERR_NOTSUP;
		return IOPGT_OK;
	}

	while (size) {
		/* a contiguous run, then a single leaf, then a next-level table */
		if (c && !((off | pa) & (rsz - 1)) && size >= rsz && c_can_leaf(pt, wl, pa, true)) {
			size_t n = (size_t)1 << c;

			if (!fresh && !op->commit) { /* checked by the prepare pass */
				for (size_t i = 0; i < n; i++) {
					bool run;
					enum dkind k = c_kind(pt, wl, d_load(pt, tv, idx + i), &run);

					if (k == D_BAD)
						return IOPGT_ERR_CORRUPT;
					if (k != D_INVALID)
						return IOPGT_ERR_EXIST;
				}
			}
			put(op, tv, tpa, fresh, idx, n, c_leaf(pt, wl, pa, prot, true),
			    c_run_step(pt, wl));
			idx += n;
			off += rsz;
			pa += rsz;
			size -= rsz;
			continue;
		}
		if (leaf_ok && !((off | pa) & (esz - 1)) && size >= esz &&
		    c_can_leaf(pt, wl, pa, false)) {
			/* a batch of single leaves: up to the table's end, the
			 * size's, or the next place a run fits */
			size_t n = ((size_t)1 << lvl_bits(pt, wl)) - idx;

			if (n > size >> s)
				n = (size_t)(size >> s);
			if (c && !((off ^ pa) & (rsz - 1))) {
				size_t to_run = (size_t)(((rsz - (off & (rsz - 1))) & (rsz - 1)) >> s);

				if (to_run && to_run < n)
					n = to_run;
			}
			if (pt_is_v7s(pt)) {
				/* stay below the next 4 GiB: without MTK_EXT no section
				 * or page holds more (c_can_leaf() checks the next one);
				 * with it PA[34:32] sit apart */
				size_t to4g = (size_t)((BIT64(32) - (pa & (BIT64(32) - 1))) >> s);

				if (to4g < n)
					n = to4g;
			}
			if (!pt_is_v7s(pt) && lpae_pa52(pt)) {
				/* PA[51:48] sit apart (bits [15:12]): the entries'
				 * step must not carry out of bit 47 */
				uint64_t to48 = (BIT64(48) - (pa & (BIT64(48) - 1))) >> s;

				if (to48 < n)
					n = (size_t)to48;
			}
			if (!fresh && !op->commit) { /* checked by the prepare pass */
				for (size_t i = 0; i < n; i++) {
					bool run;
					enum dkind k = c_kind(pt, wl, d_load(pt, tv, idx + i), &run);

					if (k == D_BAD)
						return IOPGT_ERR_CORRUPT;
					if (k != D_INVALID)
						return IOPGT_ERR_EXIST;
				}
			}
			put(op, tv, tpa, fresh, idx, n, c_leaf(pt, wl, pa, prot, false), esz);
			idx += n;
			off += (uint64_t)n << s;
			pa += (uint64_t)n << s;
			size -= (uint64_t)n << s;
			continue;
		}

		/* next level */
		uint64_t chunk = esz - (off & (esz - 1));
		uint64_t d = fresh ? 0 : d_load(pt, tv, idx);
		bool run;
		enum dkind k = c_kind(pt, wl, d, &run);
		int err;

		if (chunk > size)
			chunk = size;
		if (wl + 1u >= pt->levels_)
			return IOPGT_ERR_NOTSUP; /* no leaf can hold this output address */
		if (k == D_TABLE) {
			uint64_t cpa = c_table_pa(pt, wl, d);
			void *cva = tbl_va(pt, cpa);

			if (!cva || tbl_loop(pt, cva, op->path, wl + 1))
				return IOPGT_ERR_CORRUPT;
			err = map_tbl(op, wl + 1, cva, cpa, false, off, pa, chunk, prot);
			if (err)
				return err;
		} else if (k == D_INVALID) {
			void *cva;
			uint64_t cpa;

			take_table(op, &cva, &cpa);
			rec_dirty_new(op, cva, cpa, tbl_size(pt, wl + 1));
			err = map_tbl(op, wl + 1, cva, cpa, true, off, pa, chunk, prot);
			if (err)
				return err;
			if (fresh)
				put(op, tv, tpa, true, idx, 1, c_table(pt, wl, cpa), 0);
			else
				rec_store2(op, (char *)tv + (idx << dsh), c_table(pt, wl, cpa),
					   tpa + (idx << dsh));
		} else if (k == D_LEAF) {
			return IOPGT_ERR_EXIST;
		} else {
			return IOPGT_ERR_CORRUPT;
		}
		idx++;
		off += chunk;
		pa += chunk;
		size -= chunk;
	}
	if (fresh && op->commit) {
		/* every entry in [first, idx) was written; clear the rest */
		d_zero(pt, tv, 0, first);
		d_zero(pt, tv, idx, (size_t)1 << lvl_bits(pt, wl));
	}
	return IOPGT_OK;
}

/*
 * The walk cache of the one-leaf fast paths (never with
 * IOPGT_QUIRK_CONCURRENT, where other threads change tables): the table
 * the last fast map or unmap reached, with the address and value of every
 * table descriptor on the way to it. A hit needs an offset in the same
 * span and every one of those descriptors still holding its value, checked
 * from the root down, so that no table is read that may have been freed
 * since; the walk would then reach the very same table. The slow paths
 * clear it anyway (they may free tables).
 */
_Static_assert(sizeof(((struct iopgt *)0)->hint_.slot) / sizeof(void *) >= IOPGT_MAXLVL - 1,
	       "a walk cache slot per level above the last");

static inline void hint_clear(struct iopgt *pt)
{
	if (!pt_conc(pt))
		pt->hint_.tv = NULL;
}

/*
 * A walk reached @tv (walk level @wl) through @slot[k] holding @want[k].
 * The span, entry size and index mask are kept as well, derived once here
 * rather than on every hit.
 */
static void hint_set(struct iopgt *pt, unsigned wl, void *tv, uint64_t tpa, uint64_t off,
		     const void *const *slot, const uint64_t *want)
{
	struct iopgt_hint_ *h = &pt->hint_;

	if (pt_conc(pt))
		return;

	h->tv = tv;
	h->tpa = tpa;
	h->wl = (uint8_t)wl;
	h->span = (uint8_t)(wl ? lvl_shift(pt, wl - 1) : pt->ias_); /* the root: every offset */
	h->eshift = (uint8_t)lvl_shift(pt, wl);
	h->imask = (uint32_t)(BIT64(lvl_bits(pt, wl)) - 1);
	h->region = off >> h->span;
	h->prot = 0;
	for (unsigned k = 0; k < wl; k++) {
		h->slot[k] = slot[k];
		h->want[k] = want[k];
	}
}

/*
 * The cached table, when [@off, @off + @size) is exactly one of its entries
 * (at index *@i); NULL otherwise.
 */
IOPGT_INLINE void *hint_hit(const struct iopgt *pt, uint64_t off, uint64_t size, size_t *i)
{
	const struct iopgt_hint_ *h = &pt->hint_;

	if (!h->tv || off >> h->span != h->region || size != BIT64(h->eshift) ||
	    (off & (size - 1)))
		return NULL;
	/* the root's descriptor first: a table below is read only while the
	 * descriptor above still links it (walk levels: at most 4) */
	if (!pt_is_v7s(pt)) {
		if (h->wl > 0 &&
		    (__atomic_load_n((const uint64_t *)h->slot[0], __ATOMIC_RELAXED) != h->want[0] ||
		     (h->wl > 1 &&
		      (__atomic_load_n((const uint64_t *)h->slot[1], __ATOMIC_RELAXED) != h->want[1] ||
		       (h->wl > 2 &&
			__atomic_load_n((const uint64_t *)h->slot[2], __ATOMIC_RELAXED) != h->want[2])))))
			return NULL;
	} else {
		for (unsigned k = 0; k < h->wl; k++)
			if (d_load(pt, h->slot[k], 0) != h->want[k])
				return NULL;
	}
	*i = (size_t)(off >> h->eshift) & h->imask;
	return h->tv;
}

/*
 * A map of one leaf into the cached table (never with
 * IOPGT_QUIRK_CONCURRENT); 1: not done, take the other paths.
 */
IOPGT_INLINE int map_hit(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct iopgt_hint_ *h = &pt->hint_;
	const unsigned wl = h->wl;
	size_t i;
	void *tv = hint_hit(pt, off, size, &i);
	bool run;

	if (!tv || !((pt->leaf_lvls_ >> wl) & 1) || (pa & (size - 1)) ||
	    c_kind(pt, wl, d_load(pt, tv, i), &run) != D_INVALID || !c_can_leaf(pt, wl, pa, false))
		return 1;
	if (h->prot != prot) {
		h->leaf = c_leaf(pt, wl, 0, prot, false);
		h->prot = prot;
	}
	put_now(pt, tv, h->tpa, i, h->leaf | c_leaf_addr(pt, wl, pa));
	return 0;
}

/*
 * An unmap of one leaf from the cached table; 1: not done (a run, a table,
 * or the last live entry, whose table is to be freed: the other paths).
 */
IOPGT_INLINE int unmap_hit(struct iopgt *pt, uint64_t off, uint64_t size)
{
	const unsigned wl = pt->hint_.wl;
	size_t i;
	void *tv = hint_hit(pt, off, size, &i);
	bool run;

	if (!tv)
		return 1;
	switch (c_kind(pt, wl, d_load(pt, tv, i), &run)) {
	case D_INVALID:
		return 0; /* nothing mapped there */
	case D_LEAF: /* the root is never freed; a table with another live entry stays */
		if (run || (wl > 0 && !live_outside(pt, wl, tv, i, i)))
			return 1;
		break;
	default:
		return 1;
	}
	put_now(pt, tv, pt->hint_.tpa, i, 0);
	{
		struct trec t = { off, size, size, T_LEAF, 0 };

		tlb_run(pt, &t, 1, false);
	}
	return 0;
}

/*
 * One leaf into a table that exists, by a walk from the root (the walk
 * cache missed, or concurrent calls). Returns 1 when the request is not of
 * that shape (the general path takes it, and reports any error), 0 when
 * done.
 */
static int map_fast(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	void *tv = pt->root_;
	uint64_t tpa = pt->root_pa_;
	const void *path[IOPGT_MAXLVL], *slot[IOPGT_MAXLVL];
	uint64_t want[IOPGT_MAXLVL];
	/* concurrent calls: the links on the way not marked synced go again,
	 * in the leaf's sync call (clause 6) */
	struct iopgt_range r[IOPGT_MAXLVL];
	size_t n = 0;
	const unsigned dsh = pt->dshift_;

	for (unsigned wl = 0; wl < pt->levels_; wl++) {
		path[wl] = tv;
		const unsigned s = lvl_shift(pt, wl);
		const size_t i = lvl_index(pt, wl, off);
		uint64_t d = d_load(pt, tv, i);
		bool run;

		if (size == BIT64(s)) {
			if (!((pt->leaf_lvls_ >> wl) & 1) || ((off | pa) & (size - 1)) ||
			    c_kind(pt, wl, d, &run) != D_INVALID || !c_can_leaf(pt, wl, pa, false))
				return 1;
			hint_set(pt, wl, tv, tpa, off, slot, want);
			if (!n) {
				put_now(pt, tv, tpa, i, c_leaf(pt, wl, pa, prot, false));
				return 0;
			}
			d_store(pt, tv, i, c_leaf(pt, wl, pa, prot, false));
			r[n].va = (char *)tv + (i << dsh);
			r[n].pa = tpa + (i << dsh);
			r[n].len = (size_t)1 << dsh;
			publish(pt, r, n + 1);
			return 0;
		}
		if (size > BIT64(s) || c_kind(pt, wl, d, &run) != D_TABLE || wl + 1u >= pt->levels_)
			return 1;
		if (pt_conc(pt) && pt->sync_.fn && !(d & c_synced_mark(pt))) {
			r[n].va = (char *)tv + (i << dsh);
			r[n].pa = tpa + (i << dsh);
			r[n].len = (size_t)1 << dsh;
			n++;
		}
		slot[wl] = (const char *)tv + (i << dsh);
		want[wl] = d;
		tpa = c_table_pa(pt, wl, d);
		tv = tbl_va(pt, tpa);
		if (!tv || tbl_loop(pt, tv, path, wl + 1))
			return 1;
	}
	return 1;
}

IOPGT_NOINLINE static int map_passes(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size,
				     uint32_t prot)
{
	struct op op;
	int err;

	if (!map_fast(pt, off, pa, size, prot))
		return IOPGT_OK;
	hint_clear(pt);
	op_init(&op, pt);
	err = map_tbl(&op, 0, pt->root_, pt->root_pa_, false, off, pa, size, prot);
	if (err)
		return err;
	err = op_reserve(&op);
	if (err)
		return err;
	map_tbl(&op, 0, pt->root_, pt->root_pa_, false, off, pa, size, prot);
	finish(&op);
	return IOPGT_OK;
}


IOPGT_NOINLINE static int map_conc(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size,
				   uint32_t prot)
{
	const uint64_t last = off + (size - 1);
	struct pinset ps;
	int err;

	pins_take(pt, off, last, &ps);
	if (!map_fast(pt, off, pa, size, prot)) {
		pins_drop(&ps);
		return IOPGT_OK;
	}
	struct own_links own;

	own.n = 0; /* (no initialiser: ARM GCC would call memset for it) */

	err = edge_ensure(pt, off, off, last, &own);
	if (!err && !one_path(pt, off, last))
		err = edge_ensure(pt, last, off, last, &own);
	if (!err)
		err = map_passes(pt, off, pa, size, prot);
	if (err) {
		edges_reap(pt, &ps, off, last); /* tables edge_ensure() installed */
		return err;
	}
	edges_publish(pt, off, last, &own);
	pins_drop(&ps);
	return IOPGT_OK;
}

int iopgt_map(struct iopgt *pt, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	uint64_t off;
	int err;

	if (!pt_live(pt))
		return IOPGT_ERR_INVAL;
	if (!prot_ok(prot) || (pa & (BIT64(pt->gshift_) - 1)))
		return IOPGT_ERR_INVAL;
	err = check_in(pt, iova, size, &off);
	if (err)
		return err;
	if (pa + size < pa || (pt->oas_ < 64 && (pa + size - 1) >> pt->oas_))
		return IOPGT_ERR_RANGE;
	/* MMIO overrides CACHE in the codecs, which still see both: Linux
	 * derives shareability from CACHE alone */
	if (pt_is_s2(pt))
		prot &= ~IOPGT_PRIV;
	if (pt_conc(pt))
		return map_conc(pt, off, pa, size, prot);
	if (!map_hit(pt, off, pa, size, prot))
		return IOPGT_OK;
	return map_passes(pt, off, pa, size, prot);
}

/* ------------------------------------------------------------------------ */
/* unmap */

/*
 * Fill the new table @tv at walk level @wl that replaces a leaf @d of walk
 * level @swl spanning from @base with output address @bpa: every part
 * outside [lo, hi) keeps its translation, parts inside are left invalid,
 * parts that straddle an edge get a further table.
 */
static int split_fill(struct op *op, unsigned wl, void *tv, uint64_t base, uint64_t bpa,
		      uint64_t d, unsigned swl, uint64_t lo, uint64_t hi)
{
	struct iopgt *pt = op->pt;
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	const size_t n = (size_t)1 << lvl_bits(pt, wl);

	if (!c_can_retarget(pt, swl, d, wl))
		return IOPGT_ERR_NOTSUP;
	for (size_t i = 0; i < n; i++) {
		uint64_t es = base + i * esz, ee = es + esz;
		uint64_t v = 0;

		if (ee <= lo || es >= hi) {
			v = c_retarget(pt, swl, d, wl, bpa + i * esz, false);
		} else if (lo <= es && ee <= hi) {
			v = 0;
		} else {
			void *cva;
			uint64_t cpa;
			int err;

			take_table(op, &cva, &cpa);
			rec_dirty_new(op, cva, cpa, tbl_size(pt, wl + 1));
			err = split_fill(op, wl + 1, cva, es, bpa + i * esz, d, swl, lo, hi);
			if (err)
				return err;
			v = c_table(pt, wl, cpa);
		}
		put(op, tv, 0, true, i, 1, v, 0);
	}
	return IOPGT_OK;
}

/* A new table at @wl + 1 for the leaf @d at entry @idx; returns its link. */
static int split_leaf(struct op *op, unsigned wl, uint64_t d, uint64_t es, uint64_t bpa,
		      uint64_t lo, uint64_t hi, uint64_t *link)
{
	struct iopgt *pt = op->pt;
	void *cva;
	uint64_t cpa;
	int err;

	take_table(op, &cva, &cpa);
	rec_dirty_new(op, cva, cpa, tbl_size(pt, wl + 1));
	err = split_fill(op, wl + 1, cva, es, bpa, d, wl, lo, hi);
	*link = c_table(pt, wl, cpa);
	return err;
}

static bool subtree_empties(struct op *op, unsigned wl, const void *tv, uint64_t lo, uint64_t hi);

/* Does the subtree at @tv (walk level @wl) become empty when [lo, hi) goes? */
static bool subtree_empties_scan(struct op *op, unsigned wl, const void *tv, uint64_t lo,
				 uint64_t hi)
{
	const struct iopgt *pt = op->pt;
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	const size_t i0 = lvl_index(pt, wl, lo), i1 = lvl_index(pt, wl, hi - 1);
	const size_t edge[2] = { i0, i1 };

	op->path[wl] = tv;
	/* the (at most two) entries that straddle an edge */
	for (int e = 0; e < 2; e++) {
		size_t i = edge[e];
		uint64_t es = (lo & ~(esz - 1)) + (uint64_t)(i - i0) * esz;
		bool run;
		uint64_t d;

		if (e == 1 && i1 == i0)
			break;
		if (lo <= es && es + esz <= hi)
			continue;
		d = d_load(pt, tv, i);
		switch (c_kind(pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_TABLE: {
			uint64_t cpa = c_table_pa(pt, wl, d);
			const void *cva = tbl_va(pt, cpa);

			if (!cva || tbl_loop(pt, cva, op->path, wl + 1)) {
				op->err = IOPGT_ERR_CORRUPT;
				return false;
			}
			if (!subtree_empties(op, wl + 1, cva, lo > es ? lo : es,
					     hi < es + esz ? hi : es + esz))
				return false;
			break;
		}
		case D_LEAF:
			return false; /* a split keeps the rest */
		default:
			op->err = IOPGT_ERR_CORRUPT;
			return false;
		}
	}
	/* every entry outside the range must be invalid */
	return !live_outside(pt, wl, tv, i0, i1);
}

/*
 * The same, remembered: both passes ask for the same tables, and a table's
 * answer is also needed by its parent's; each is computed once per call.
 */
static bool subtree_empties(struct op *op, unsigned wl, const void *tv, uint64_t lo, uint64_t hi)
{
	unsigned n = op->ecount[wl];
	bool e;

	for (unsigned k = 0; k < n; k++)
		if (op->ecache[wl][k].tv == tv)
			return op->ecache[wl][k].empties;
	e = subtree_empties_scan(op, wl, tv, lo, hi);
	if (op->err)
		return false;
	if (n < 2) {
		op->ecache[wl][n].tv = tv;
		op->ecache[wl][n].empties = e;
		op->ecount[wl] = (uint8_t)(n + 1);
	}
	return e;
}

/* Drop the table at entry @idx: clear the one descriptor, invalidate the
 * walk, free the subtree last. */
static void drop_table(struct op *op, unsigned wl, void *tv, uint64_t tpa, size_t idx,
		       uint64_t es, void *cva, uint64_t cpa)
{
	struct iopgt *pt = op->pt;

	put(op, tv, tpa, false, idx, 1, 0, 0);
	rec_tlb(op, es, BIT64(lvl_shift(pt, wl)), pt->gshift_, T_WALK, false);
	rec_free(op, cva, cpa, wl + 1);
	/* concurrent calls: the pins its freeing will need exclusively */
	if (wl + 2u == pt->levels_)
		op->free_pins |= BIT64(pin_hash(pin_region(pt, es)));
	else
		op->free_all = true;
}

/*
 * Do the @n entries of the run at @rs agree: all leaves of a run, the same
 * attributes, output addresses @rpa + i * entry size (v7s: all @rpa)? Arm
 * ARM D8.7.1: a run whose entries differ is a programming error.
 */
static bool run_agrees(const struct iopgt *pt, unsigned wl, const void *tv, size_t rs, size_t n,
		       uint64_t rpa)
{
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	const uint64_t d0 = d_load(pt, tv, rs);
	const uint64_t attrs = c_retarget(pt, wl, d0, wl, 0, true);

	for (size_t i = 0; i < n; i++) {
		uint64_t d = d_load(pt, tv, rs + i);
		bool run;

		if (c_kind(pt, wl, d, &run) != D_LEAF || !run ||
		    c_retarget(pt, wl, d, wl, 0, true) != attrs ||
		    c_leaf_pa(pt, wl, d) != (pt_is_v7s(pt) ? rpa : rpa + i * esz))
			return false;
	}
	return true;
}

/* A contiguous run at entries [rs, rs + n) that the range covers in part. */
static int split_run(struct op *op, unsigned wl, void *tv, uint64_t tpa, size_t rs,
		     uint64_t rbase, uint64_t lo, uint64_t hi)
{
	struct iopgt *pt = op->pt;
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	const unsigned dsh = pt->dshift_;
	const size_t n = (size_t)1 << c_run_log2(pt, wl);
	const bool inplace = pt->quirks_ & IOPGT_QUIRK_SPLIT_IN_PLACE;
	uint64_t d0 = d_load(pt, tv, rs), rpa;
	bool any_table = false;

	if (pt->quirks_ & IOPGT_QUIRK_NO_SPLIT)
		return IOPGT_ERR_BUSY;
	if (!c_can_retarget(pt, wl, d0, wl))
		return IOPGT_ERR_NOTSUP;
	rpa = c_leaf_pa(pt, wl, d0) & ~(esz * n - 1);
	if (!run_agrees(pt, wl, tv, rs, n, rpa))
		return IOPGT_ERR_CORRUPT;
	if (!inplace) {
		/* break: the whole run goes invalid first */
		put(op, tv, tpa, false, rs, n, 0, 0);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t es = rbase + i * esz, ee = es + esz, v;

		if (ee <= lo || es >= hi) {
			v = c_retarget(pt, wl, d0, wl, rpa + i * esz, false);
		} else if (lo <= es && ee <= hi) {
			v = 0;
			if (!inplace)
				continue; /* already invalid */
		} else {
			int err = split_leaf(op, wl, d0, es, rpa + i * esz, lo, hi, &v);

			if (err)
				return err;
			any_table = true;
		}
		rec_store2(op, (char *)tv + ((rs + i) << dsh), v, tpa + ((rs + i) << dsh));
	}
	/* the entries removed are the run's, whatever replaces them */
	rec_tlb(op, rbase, esz * n, s, any_table ? T_WALK : T_LEAF,
		inplace);
	return IOPGT_OK;
}

static int unmap_tbl(struct op *op, unsigned wl, void *tv, uint64_t tpa, uint64_t lo, uint64_t hi)
{
	struct iopgt *pt = op->pt;
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	const unsigned dsh = pt->dshift_;
	const size_t i0 = lvl_index(pt, wl, lo), i1 = lvl_index(pt, wl, hi - 1);
	uint64_t es = lo & ~(esz - 1);

	op->path[wl] = tv;
	for (size_t i = i0; i <= i1; i++, es += esz) {
		uint64_t d = d_load(pt, tv, i), ee = es + esz;
		bool run, covered = lo <= es && ee <= hi;
		int err;

		switch (op->commit ? c_kind_again(pt, wl, d, &run) : c_kind(pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_TABLE: {
			uint64_t cpa = c_table_pa(pt, wl, d);
			void *cva = tbl_va(pt, cpa);
			uint64_t clo = lo > es ? lo : es, chi = hi < ee ? hi : ee;

			if (!cva || tbl_loop(pt, cva, op->path, wl + 1))
				return IOPGT_ERR_CORRUPT;
			/* concurrent calls: a table that other calls may reach
			 * is freed afterwards, by edges_reap() */
			if (covered || (!pt_conc(pt) && subtree_empties(op, wl + 1, cva, clo, chi))) {
				if (op->err)
					return op->err;
				drop_table(op, wl, tv, tpa, i, es, cva, cpa);
			} else {
				if (op->err)
					return op->err;
				err = unmap_tbl(op, wl + 1, cva, cpa, clo, chi);
				if (err)
					return err;
			}
			break;
		}
		case D_LEAF:
			if (run) {
				size_t n = (size_t)1 << c_run_log2(pt, wl);
				size_t rs = i & ~(n - 1);
				uint64_t rbase = es - (uint64_t)(i - rs) * esz;

				if (!(lo <= rbase && rbase + n * esz <= hi)) {
					err = split_run(op, wl, tv, tpa, rs, rbase, lo, hi);
					if (err)
						return err;
					/* skip the rest of the run */
					es = rbase + (n - 1) * esz;
					i = rs + n - 1;
					break;
				}
			}
			if (covered) {
				/* this leaf and the covered leaves right after it */
				size_t n = 1;

				while (i + n <= i1 && es + (n + 1) * esz <= hi) {
					bool r;

					uint64_t dn = d_load(pt, tv, i + n);

					if ((op->commit ? c_kind_again(pt, wl, dn, &r)
							: c_kind(pt, wl, dn, &r)) != D_LEAF || r)
						break;
					n++;
				}
				put(op, tv, tpa, false, i, n, 0, 0);
				rec_tlb(op, es, n * esz, s, T_LEAF, false);
				i += n - 1;
				es += (n - 1) * esz;
			} else {
				bool inplace = pt->quirks_ & IOPGT_QUIRK_SPLIT_IN_PLACE;
				uint64_t link;

				if (pt->quirks_ & IOPGT_QUIRK_NO_SPLIT)
					return IOPGT_ERR_BUSY;
				err = split_leaf(op, wl, d, es, c_leaf_pa(pt, wl, d), lo, hi, &link);
				if (err)
					return err;
				if (!inplace) {
					put(op, tv, tpa, false, i, 1, 0, 0);
				}
				rec_store2(op, (char *)tv + (i << dsh), link, tpa + (i << dsh));
				/* the entry removed is the block */
				rec_tlb(op, es, esz, s, T_WALK, inplace);
			}
			break;
		default:
			return IOPGT_ERR_CORRUPT;
		}
		if (i == i1)
			break;
	}
	return IOPGT_OK;
}

/*
 * The hot path of a DMA unmapping: exactly one leaf, in a table that keeps
 * other live entries (or nothing mapped at all). Returns 1 when the request
 * is not of that shape, 0 when done.
 */
static int unmap_fast(struct iopgt *pt, uint64_t off, uint64_t size, const void **tvp)
{
	void *tv = pt->root_;
	uint64_t tpa = pt->root_pa_;
	const void *path[IOPGT_MAXLVL], *slot[IOPGT_MAXLVL];
	uint64_t want[IOPGT_MAXLVL];

	*tvp = NULL;
	for (unsigned wl = 0; wl < pt->levels_; wl++) {
		path[wl] = tv;
		const unsigned s = lvl_shift(pt, wl);
		const uint64_t esz = BIT64(s);
		const size_t i = lvl_index(pt, wl, off);
		uint64_t d = d_load(pt, tv, i);
		bool run;

		if (size > esz || (off & (esz - 1)) + size > esz)
			return 1;
		switch (c_kind(pt, wl, d, &run)) {
		case D_INVALID:
			return 0; /* nothing mapped in the range */
		case D_TABLE:
			if (size == esz || wl + 1u >= pt->levels_)
				return 1;
			slot[wl] = (const char *)tv + (lvl_index(pt, wl, off) << pt->dshift_);
			want[wl] = d;
			tpa = c_table_pa(pt, wl, d);
			tv = tbl_va(pt, tpa);
			if (!tv || tbl_loop(pt, tv, path, wl + 1))
				return 1;
			continue;
		case D_LEAF:
			break;
		default:
			return 1;
		}
		if (run || size != esz)
			return 1;
		if (wl > 0 && !pt_conc(pt)) {
			/* the table must keep a live entry, or it is freed
			 * (concurrent calls: afterwards, by edge_reap()) */
			if (!live_outside(pt, wl, tv, i, i))
				return 1;
		}
		hint_set(pt, wl, tv, tpa, off, slot, want);
		put_now(pt, tv, tpa, i, 0);
		{
			struct trec t = { off, size, size, T_LEAF, 0 };

			tlb_run(pt, &t, 1, false);
		}
		*tvp = tv;
		return 0;
	}
	return 1;
}

/* The two passes (the caller tried unmap_fast() first). @op: the caller's;
 * with @keep, finish() leaves the frees to the caller. */
static int unmap_passes(struct iopgt *pt, uint64_t off, uint64_t size, struct op *op, bool keep)
{
	int err;

	op_init(op, pt);
	hint_clear(pt);
	op->keep = keep;
	err = unmap_tbl(op, 0, pt->root_, pt->root_pa_, off, off + size);
	if (err)
		return err;
	if (!op->n1 && !op->nw)
		return IOPGT_OK; /* nothing was mapped there */
	err = op_reserve(op);
	if (err)
		return err;
	unmap_tbl(op, 0, pt->root_, pt->root_pa_, off, off + size);
	finish(op);
	return IOPGT_OK;
}


static int unmap_plain(struct iopgt *pt, uint64_t off, uint64_t size);
static int unmap_conc(struct iopgt *pt, uint64_t off, uint64_t size);

int iopgt_unmap(struct iopgt *pt, uint64_t iova, uint64_t size)
{
	uint64_t off;
	int err;

	if (!pt_live(pt))
		return IOPGT_ERR_INVAL;
	err = check_in(pt, iova, size, &off);
	if (err)
		return err;
	if (pt_conc(pt))
		return unmap_conc(pt, off, size);
	if (!unmap_hit(pt, off, size))
		return IOPGT_OK;
	return unmap_plain(pt, off, size);
}

IOPGT_NOINLINE static int unmap_plain(struct iopgt *pt, uint64_t off, uint64_t size)
{
	struct op op;
	const void *tv;

	if (!unmap_fast(pt, off, size, &tv))
		return IOPGT_OK;
	return unmap_passes(pt, off, size, &op, false);
}

IOPGT_NOINLINE static int unmap_conc(struct iopgt *pt, uint64_t off, uint64_t size)
{
	const uint64_t last = off + (size - 1);
	struct pinset ps;
	const void *tv;
	int err;

	pins_take(pt, off, last, &ps);
	if (!unmap_fast(pt, off, size, &tv)) {
		/* one leaf went (or nothing was there): its table too? */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		bool empty = tv && edge_empty(pt, off) == tv;

		pins_drop(&ps);
		if (empty)
			edge_reap(pt, off);
		return IOPGT_OK;
	}
	/*
	 * Tables the range covered were detached by the passes; they
	 * are freed with their pins held exclusively (every pin for a
	 * table above the last level), so that not even a call
	 * overlapping the range (the caller's bug) can be inside one.
	 */
	struct op op;
	const void *a, *b;

	err = unmap_passes(pt, off, size, &op, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	a = edge_empty(pt, off);
	b = one_path(pt, off, last) ? NULL : edge_empty(pt, last);
	pins_drop(&ps);
	if (op.pending) {
		const uint64_t mask = op.free_all ? ~(uint64_t)0 : op.free_pins;

		pins_excl_mask(pt, mask, true);
		op_free_tables(&op);
		pins_excl_mask(pt, mask, false);
	}
	if (a)
		edge_reap(pt, off);
	if (b && b != a)
		edge_reap(pt, last);
	return err;
}

/* ------------------------------------------------------------------------ */
/* reading */

/*
 * The leaf at entry @i of @tv (walk level @wl), with @d its descriptor and
 * @run set: check the run's entries agree and describe the whole run.
 */
static int leaf_describe(const struct iopgt *pt, unsigned wl, const void *tv, size_t i,
			 uint64_t d, bool run, uint64_t es, struct iopgt_leaf *leaf)
{
	const unsigned s = lvl_shift(pt, wl);
	uint64_t esz = BIT64(s);

	leaf->level = pt->start_lvl_ + wl;
	leaf->entries = 1;
	if (run) {
		size_t n = (size_t)1 << c_run_log2(pt, wl);
		size_t rs = i & ~(n - 1);
		uint64_t d0 = d_load(pt, tv, rs);
		uint64_t rpa = c_leaf_pa(pt, wl, d0) & ~(esz * n - 1);

		if (!run_agrees(pt, wl, tv, rs, n, rpa))
			return IOPGT_ERR_CORRUPT;
		leaf->m.iova = es - (uint64_t)(i - rs) * esz;
		leaf->m.pa = rpa;
		leaf->m.size = esz * n;
		leaf->entries = (unsigned)n;
		d = d0;
	} else {
		leaf->m.iova = es;
		leaf->m.pa = c_leaf_pa(pt, wl, d);
		leaf->m.size = esz;
	}
	leaf->m.prot = c_leaf_prot(pt, wl, d);
	leaf->desc = d;
	return IOPGT_OK;
}

/* One copy per codec family: @v7s a constant where it is inlined. */
IOPGT_INLINE int lookup_walk(const struct iopgt *pt, uint64_t off, struct iopgt_mapping *m,
			     const bool v7s)
{
	const void *tv = pt->root_, *path[IOPGT_MAXLVL];
	const unsigned levels = v7s ? 2u : pt->levels_;
	const bool conc = pt_conc(pt);

	for (unsigned wl = 0; wl < levels; wl++) {
		const unsigned s = f_shift(v7s, pt, wl);
		const size_t i = (size_t)(off >> s) & (((size_t)1 << f_bits(v7s, pt, wl)) - 1);
		const uint64_t d = f_load(v7s, conc, tv, i);
		bool run;

		path[wl] = tv;
		switch (f_kind(v7s, pt, wl, d, &run)) {
		case D_INVALID:
			return IOPGT_ERR_NOENT;
		case D_TABLE:
			if (wl + 1u >= levels)
				return IOPGT_ERR_CORRUPT;
			tv = tbl_va(pt, f_table_pa(v7s, pt, wl, d));
			if (!tv || tbl_loop(pt, tv, path, wl + 1))
				return IOPGT_ERR_CORRUPT;
			break;
		case D_LEAF:
			if (!run) {
				m->iova = pt->va_base_ + (off & ~(BIT64(s) - 1));
				m->pa = f_leaf_pa(v7s, pt, wl, d);
				m->size = BIT64(s);
				m->prot = f_leaf_prot(v7s, pt, wl, d);
				return IOPGT_OK;
			} else {
				struct iopgt_leaf leaf;
				int err = leaf_describe(pt, wl, tv, i, d, run, off & ~(BIT64(s) - 1),
							&leaf);

				if (err)
					return err;
				*m = leaf.m;
				m->iova += pt->va_base_;
				return IOPGT_OK;
			}
		default:
			return IOPGT_ERR_CORRUPT;
		}
	}
	return IOPGT_ERR_CORRUPT;
}

int iopgt_lookup(const struct iopgt *pt, uint64_t iova, struct iopgt_mapping *m)
{
	uint64_t off;

	if (!pt_live(pt) || !m)
		return IOPGT_ERR_INVAL;
	if (iova < pt->va_base_ || (off = iova - pt->va_base_) >> pt->ias_)
		return IOPGT_ERR_RANGE;
	if (pt_conc(pt)) {
		struct pinset ps;
		int err;

		pins_take(pt, off, off, &ps);
		err = pt_is_v7s(pt) ? lookup_walk(pt, off, m, true) : lookup_walk(pt, off, m, false);
		pins_drop(&ps);
		return err;
	}
	if (pt_is_v7s(pt))
		return lookup_walk(pt, off, m, true);
	return lookup_walk(pt, off, m, false);
}

static int walk_tbl(const struct iopgt *pt, unsigned wl, const void *tv, uint64_t lo,
		    uint64_t hi, iopgt_leaf_fn fn, void *ctx, const void **path)
{
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	const size_t i0 = lvl_index(pt, wl, lo), i1 = lvl_index(pt, wl, hi - 1);
	uint64_t es = lo & ~(esz - 1);

	path[wl] = tv;
	for (size_t i = i0; i <= i1; i++, es += esz) {
		uint64_t d = d_load(pt, tv, i);
		bool run;
		int ret;

		switch (c_kind(pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_TABLE: {
			const void *cva;

			if (wl + 1u >= pt->levels_)
				return IOPGT_ERR_CORRUPT;
			cva = tbl_va(pt, c_table_pa(pt, wl, d));
			if (!cva || tbl_loop(pt, cva, path, wl + 1))
				return IOPGT_ERR_CORRUPT;
			ret = walk_tbl(pt, wl + 1, cva, lo > es ? lo : es,
				       hi < es + esz ? hi : es + esz, fn, ctx, path);
			if (ret)
				return ret;
			break;
		}
		case D_LEAF: {
			struct iopgt_leaf leaf;

			ret = leaf_describe(pt, wl, tv, i, d, run, es, &leaf);
			if (ret)
				return ret;
			if (leaf.entries > 1) {
				/* skip the rest of the run */
				size_t rs = i & ~((size_t)leaf.entries - 1);

				es = leaf.m.iova + (uint64_t)(leaf.entries - 1) * esz;
				i = rs + leaf.entries - 1;
			}
			leaf.m.iova += pt->va_base_;
			ret = fn(ctx, &leaf);
			if (ret)
				return ret;
			break;
		}
		default:
			return IOPGT_ERR_CORRUPT;
		}
		if (i >= i1)
			break;
	}
	return IOPGT_OK;
}

int iopgt_walk(const struct iopgt *pt, uint64_t iova, uint64_t size, iopgt_leaf_fn fn, void *ctx)
{
	uint64_t off;
	const void *path[IOPGT_MAXLVL];

	if (!pt_live(pt) || !fn)
		return IOPGT_ERR_INVAL;
	if (!size) {
		iova = pt->va_base_;
		size = BIT64(pt->ias_);
	}
	if (iova < pt->va_base_)
		return IOPGT_ERR_RANGE;
	off = iova - pt->va_base_;
	if (off >> pt->ias_ || size > BIT64(pt->ias_) - off)
		return IOPGT_ERR_RANGE;
	if (pt_conc(pt)) {
		struct pinset ps;
		int err;

		pins_take(pt, off, off + (size - 1), &ps);
		err = walk_tbl(pt, 0, pt->root_, off, off + size, fn, ctx, path);
		pins_drop(&ps);
		return err;
	}
	return walk_tbl(pt, 0, pt->root_, off, off + size, fn, ctx, path);
}

void iopgt_free_all(struct iopgt *pt)
{
	hint_clear(pt);
	free_subtree(pt, 0, pt->root_, pt->root_pa_, NULL);
	pt->mem_.free(pt->mem_.ctx, pt->root_, pt->root_pa_, pt->root_size_);
	pt->table_bytes_ = 0;
	pt->tables_ = 0;
}
