/* SPDX-License-Identifier: MIT */
/*
 * lib/table.c - table memory: allocation and the checks on what the
 * allocator returns, the root, and questions about a table's contents.
 */
#include "publish.h"

/* Can a table of @size bytes live at @va / @pa (aligned to its size, below
 * the OAS, mapped back by phys_to_virt)? */
bool table_mem_ok(const struct iopgt *pt, const void *va, uint64_t pa, size_t size)
{
	if (((uintptr_t)va & (size - 1)) || (pa & (size - 1)))
		return false;
	if (pt->oas_ < 64 && (pa >> pt->oas_ || (pa + size - 1) >> pt->oas_))
		return false;
	if (!c_table_mem_ok(pt_fam(pt), pt, pa, size))
		return false;
	return tbl_va(pt, pa) == va;
}

/*
 * Allocate one table of @size bytes (any contents). Return IOPGT_OK,
 * IOPGT_ERR_NOMEM, or IOPGT_ERR_NOTSUP for memory the tables cannot use
 * (given back at once).
 */
int table_alloc(const struct iopgt *pt, size_t size, void **va, uint64_t *pa)
{
	uint64_t p = 0;
	void *v = pt->mem_.alloc(pt->mem_.ctx, size, size, &p);

	if (!v)
		return IOPGT_ERR_NOMEM;
	if (!table_mem_ok(pt, v, p, size)) {
		mem_give(pt, v, p, size);
		return IOPGT_ERR_NOTSUP;
	}
	*va = v;
	*pa = p;
	return IOPGT_OK;
}

int table_alloc_root(struct iopgt *pt)
{
	size_t size = root_bytes(pt);
	int err = table_alloc(pt, size, &pt->root_, &pt->root_pa_);

	if (err)
		return err;
	pt->root_size_ = size;
	pt->table_bytes_ = size;
	pt->tables_ = 1;
	put_new_table(pt, pt->root_, pt->root_pa_, size);
	return IOPGT_OK;
}

void table_free_all(struct iopgt *pt)
{
	hint_clear(pt);
	pub_free_subtree(pt, 0, pt->root_, pt->root_pa_, NULL);
	mem_give(pt, pt->root_, pt->root_pa_, pt->root_size_);
	pt->table_bytes_ = 0;
	pt->tables_ = 0;
}

/* The rest of live_outside(): the cache line on each side of
 * [@lo, @hi) first, then what lies beyond each, in one linear pass; with
 * the family and @conc constants, a loop that compilers unroll or
 * vectorize. */
IOPGT_INLINE bool live_scan_as(const enum fam F, const bool conc, const struct iopgt *pt,
			       const void *tv, size_t n, size_t lo, size_t hi)
{
	const size_t g = (size_t)64 >> pt->dshift_;
	const uint64_t live = c_live_bits(F);
	const size_t a = lo > 0 ? (lo - 1) & ~(g - 1) : 0;
	size_t b = hi < n ? (hi + g) & ~(g - 1) : n;

	if (b > n)
		b = n;
	if ((d_or(F, conc, tv, a, lo) | d_or(F, conc, tv, hi, b)) & live)
		return true;
	return ((d_or(F, conc, tv, 0, a) | d_or(F, conc, tv, b, n)) & live) != 0;
}

bool live_scan(const struct iopgt *pt, const void *tv, size_t n, size_t lo, size_t hi)
{
	if (pt_conc(pt))
		return FAM_DISPATCH(pt_fam(pt), live_scan_as, true, pt, tv, n, lo, hi);
	return FAM_DISPATCH(pt_fam(pt), live_scan_as, false, pt, tv, n, lo, hi);
}

/* Has the table @tv at walk level @wl no live entry? Looks at @e's entry,
 * then outwards from it, where live neighbours usually are. */
bool table_empty_at(const struct iopgt *pt, unsigned wl, const void *tv, uint64_t e)
{
	const enum fam F = pt_fam(pt);
	const size_t i = lvl_index(pt, wl, e);
	bool run;

	return c_kind(F, pt, wl, d_load(F, pt, tv, i), &run) == D_INVALID &&
	       !live_outside(pt, wl, tv, i, i);
}

/*
 * Do the @n entries of the run at @rs agree: all leaves of a run, the same
 * attributes, each entry's output address @rpa plus the run step times its
 * index? Arm ARM D8.7.1: a run whose entries differ is a programming error.
 * The state the walker keeps (IOPGT_QUIRK_HW_*) may differ from entry to
 * entry: it may mark any one of them.
 */
bool run_agrees(const struct iopgt *pt, unsigned wl, const void *tv, size_t rs, size_t n,
		uint64_t rpa)
{
	const enum fam F = pt_fam(pt);
	const uint64_t step = c_run_step(F, pt, wl);
	const uint64_t d0 = c_hw_norm(F, pt, d_load(F, pt, tv, rs));
	const uint64_t attrs = c_retarget(F, pt, wl, d0, wl, 0, true);

	for (size_t i = 0; i < n; i++) {
		uint64_t d = d_load(F, pt, tv, rs + i);
		bool run;

		if (c_kind(F, pt, wl, d, &run) != D_LEAF || !run ||
		    c_retarget(F, pt, wl, c_hw_norm(F, pt, d), wl, 0, true) != attrs ||
		    c_leaf_pa(F, pt, wl, d) != rpa + i * step)
			return false;
	}
	return true;
}
