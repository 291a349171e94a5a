/* SPDX-License-Identifier: MIT */
/*
 * lib/table.h - table memory: from a table's physical address to the
 * memory the CPU reads, following a table descriptor safely (the one
 * descent primitive of every walk), statistics, and questions about a
 * table's contents.
 */
#ifndef IOPGT_TABLE_H
#define IOPGT_TABLE_H

#include "codec.h"

IOPGT_INLINE void *tbl_va(const struct iopgt *pt, uint64_t pa)
{
	if (pt->mem_.phys_to_virt)
		return pt->mem_.phys_to_virt(pt->mem_.ctx, pa);
	if (pa > (uint64_t)(uintptr_t)-1)
		return NULL;
	return (void *)(uintptr_t)pa;
}

/* Does a table at @cva overlap the root? Reading the root as a deeper
 * table could run past its end. */
IOPGT_INLINE bool tbl_in_root(const struct iopgt *pt, const void *cva)
{
	uintptr_t c = (uintptr_t)cva, r = (uintptr_t)pt->root_;

	return c < r + pt->root_size_ && r < c + tbl_size(pt, 1);
}

/*
 * A table descriptor below the tables @path[0..n) (the root first) points to
 * @cva: a loop back into the root or to a table on the way down is no tree
 * the library wrote (IOPGT_ERR_CORRUPT).
 */
IOPGT_INLINE bool tbl_loop(const struct iopgt *pt, const void *cva, const void *const *path,
			   unsigned n)
{
	if (tbl_in_root(pt, cva))
		return true;
	for (unsigned k = 0; k < n; k++)
		if (path[k] == cva)
			return true;
	return false;
}

/*
 * Follow the table descriptor @d (D_TABLE) of the table @path[@wl], reached
 * through @path[0..wl] from the root: the next table, its address in *@pa
 * (if @pa), or NULL where no tree the library wrote could lead (no virtual
 * address for it, or a loop): the callers report IOPGT_ERR_CORRUPT or stop.
 *
 * @path NULL: the root is checked, not the path, and only with @root_small
 * (iopgt_translate(): a walk bounded by the levels, which a loop between
 * deeper tables cannot make read outside table memory; reading a root at
 * least a table's size as a table cannot leave it either). @ident: the
 * caller knows phys_to_virt is NULL (a constant, so that the walk makes no
 * call and keeps *pt's fields in registers).
 */
IOPGT_INLINE void *tbl_follow_as(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
				 const void *const *path, uint64_t *pa, const bool ident,
				 const bool root_small)
{
	const uint64_t cpa = c_table_pa(F, pt, wl, d);
	void *cva = ident ? (cpa > (uint64_t)(uintptr_t)-1 ? NULL : (void *)(uintptr_t)cpa)
			  : tbl_va(pt, cpa);

	if (!cva || (path ? tbl_loop(pt, cva, path, wl + 1) : root_small && tbl_in_root(pt, cva)))
		return NULL;
	if (pa)
		*pa = cpa;
	return cva;
}

IOPGT_INLINE void *tbl_follow(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
			      const void *const *path, uint64_t *pa)
{
	const uint64_t cpa = c_table_pa(F, pt, wl, d);
	void *cva = tbl_va(pt, cpa);

	if (!cva || tbl_loop(pt, cva, path, wl + 1))
		return NULL;
	if (pa)
		*pa = cpa;
	return cva;
}

/*
 * One path from the root down, for the walks that follow a single address:
 * tv[k] is the table at walk level k, tpa[k] its address.
 */
struct path {
	void *tv[IOPGT_MAXLVL];
	uint64_t tpa[IOPGT_MAXLVL];
};

IOPGT_INLINE void path_root(const struct iopgt *pt, struct path *p)
{
	p->tv[0] = pt->root_;
	p->tpa[0] = pt->root_pa_;
}

/* Step from tv[@wl] through its table descriptor @d; false: see tbl_follow(). */
IOPGT_INLINE bool path_down(enum fam F, const struct iopgt *pt, struct path *p, unsigned wl,
			    uint64_t d)
{
	void *cva = tbl_follow(F, pt, wl, d, (const void *const *)p->tv, &p->tpa[wl + 1]);

	p->tv[wl + 1] = cva;
	return cva != NULL;
}

/*
 * Table memory held. Concurrent calls allocate and free at once: atomic
 * additions; otherwise one call at a time, and a plain update (still
 * single-copy atomic, for iopgt_get_stats() on another thread).
 */
IOPGT_INLINE void stats_move(struct iopgt *pt, uint64_t bytes, uint64_t tables)
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

IOPGT_INLINE void stats_add(struct iopgt *pt, size_t bytes)
{
	stats_move(pt, (uint64_t)bytes, 1);
}

IOPGT_INLINE void stats_sub(struct iopgt *pt, size_t bytes)
{
	stats_move(pt, -(uint64_t)bytes, (uint64_t)-1);
}

/* the bytes of the root table: its entries, at least 64 (TTBR alignment,
 * D19.2 TTBR0_EL1.BADDR) */
IOPGT_INLINE size_t root_bytes(const struct iopgt *pt)
{
	size_t size = (size_t)1 << (pt->root_bits_ + pt->dshift_);

	return size < 64 ? 64 : size;
}

/* table.c */
bool table_mem_ok(const struct iopgt *pt, const void *va, uint64_t pa, size_t size);
int table_alloc(const struct iopgt *pt, size_t size, void **va, uint64_t *pa);
bool live_scan(const struct iopgt *pt, const void *tv, size_t n, size_t lo, size_t hi);
bool table_empty_at(const struct iopgt *pt, unsigned wl, const void *tv, uint64_t e);
bool run_agrees(const struct iopgt *pt, unsigned wl, const void *tv, size_t rs, size_t n,
		uint64_t rpa);

/*
 * Does table @tv (walk level @wl) hold a live entry outside [@i0, @i1]?
 * The neighbours first (in a table emptied in order, one of them is live),
 * then outwards.
 */
IOPGT_INLINE bool live_outside(const struct iopgt *pt, unsigned wl, const void *tv, size_t i0,
			       size_t i1)
{
	const enum fam F = pt_fam(pt);
	const size_t n = (size_t)1 << lvl_bits(pt, wl);
	const uint64_t live = c_live_bits(F);

	if (i1 + 1 < n && d_load(F, pt, tv, i1 + 1) & live)
		return true;
	if (i0 > 0 && d_load(F, pt, tv, i0 - 1) & live)
		return true;
	return live_scan(pt, tv, n, i0, i1 + 1);
}

#endif /* IOPGT_TABLE_H */
