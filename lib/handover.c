/* SPDX-License-Identifier: MIT */
/*
 * lib/handover.c - iopgt_adopt(): a tree built elsewhere (another object
 * that let it go with iopgt_detach(), firmware's prebuilt tables, a kernel
 * before kexec) is checked whole before the object takes it, so that every
 * later call can trust it as it trusts the tables it wrote itself.
 *
 * Nothing here writes table memory or calls a hook. The first walk checks
 * every table reachable from the root, as the configuration's geometry
 * lays them out:
 *  - each table's memory: aligned to its size, below the OAS (v7s: 4 GiB),
 *    mapped back by phys_to_virt (table_mem_ok());
 *  - each descriptor: no reserved encoding (c_kind() D_BAD), table and
 *    leaf descriptors exactly as the library writes them for their address
 *    (c_table_canon(), c_leaf_canon(): no stray address bits, outputs below
 *    2^OAS), no table descriptor at the last level;
 *  - each contiguous run: starts on its alignment and its entries agree
 *    (run_agrees());
 *  - the root's bytes past its entries (a root smaller than 64 bytes, or
 *    input addresses past the IAS) hold no valid descriptor;
 *  - no loop: a table descriptor into the root or to a table on its own
 *    way down (tbl_follow()'s check).
 * It counts the tables. A table that two descriptors point to is found by
 * the second walk: it collects the CPU address of every table into a
 * scratch array (on the stack for up to ADOPT_STACK_TABLES, else one
 * mem.alloc, freed before return), sorts it and looks for a repeat.
 */
#include "publish.h"

#define ADOPT_STACK_TABLES 64

struct adopt {
	struct iopgt *pt;
	uintptr_t *seen; /* the second walk: every table's CPU address */
	size_t n, cap;   /* tables met (the first walk counts them) */
	const void *path[IOPGT_MAXLVL];
};

/* Walk the table @tv at walk level @wl; IOPGT_OK or IOPGT_ERR_CORRUPT. */
static int adopt_tbl(struct adopt *a, unsigned wl, const void *tv)
{
	const struct iopgt *pt = a->pt;
	const enum fam F = pt_fam(pt);
	const size_t n = (size_t)1 << lvl_bits(pt, wl);
	const size_t tsize = tbl_size(pt, 1);
	size_t run_end = 0;

	a->path[wl] = tv;
	if (wl == 0 && live_scan(pt, tv, root_bytes(pt) >> pt->dshift_, 0, n))
		return IOPGT_ERR_CORRUPT; /* beyond the input range */
	for (size_t i = 0; i < n; i++) {
		uint64_t d = d_load(F, pt, tv, i), cpa;
		bool run;
		const void *cva;
		int err;

		switch (c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_LEAF:
			if (!c_leaf_canon(F, pt, wl, d, run))
				return IOPGT_ERR_CORRUPT;
			if (run && i >= run_end) {
				/* a run's first entry: on the run's alignment, in
				 * input and output, and the others agree */
				const unsigned rl = c_run_log2(F, pt, wl);
				const size_t rn = (size_t)1 << rl;
				const uint64_t rpa = c_leaf_pa(F, pt, wl, d);
				const uint64_t rsz = BIT64(lvl_shift(pt, wl) + rl);

				if ((i & (rn - 1)) || (rpa & (rsz - 1)) ||
				    !run_agrees(pt, wl, tv, i, rn, rpa))
					return IOPGT_ERR_CORRUPT;
				run_end = i + rn;
			}
			break;
		case D_TABLE:
			if (wl + 1u >= pt->levels_ || !c_table_canon(F, pt, wl, d))
				return IOPGT_ERR_CORRUPT;
			cpa = c_table_pa(F, pt, wl, d);
			cva = tbl_va(pt, cpa);
			if (!cva || !table_mem_ok(pt, cva, cpa, tsize) ||
			    tbl_loop(pt, cva, a->path, wl + 1))
				return IOPGT_ERR_CORRUPT;
			if (a->seen && a->n < a->cap)
				a->seen[a->n] = (uintptr_t)cva;
			a->n++;
			err = adopt_tbl(a, wl + 1, cva);
			if (err)
				return err;
			break;
		default:
			return IOPGT_ERR_CORRUPT;
		}
	}
	return IOPGT_OK;
}

/* Heap sort: no recursion, no allocation. */
static void sift(uintptr_t *v, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;
		uintptr_t t;

		if (c >= n)
			return;
		if (c + 1 < n && v[c + 1] > v[c])
			c++;
		if (v[root] >= v[c])
			return;
		t = v[root];
		v[root] = v[c];
		v[c] = t;
		root = c;
	}
}

static void sort_addrs(uintptr_t *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(v, i, n);
	for (size_t end = n; end > 1; end--) {
		uintptr_t t = v[0];

		v[0] = v[end - 1];
		v[end - 1] = t;
		sift(v, 0, end - 1);
	}
}

/* The second walk: is any table reached twice? */
static int adopt_unique(struct adopt *a)
{
	const struct iopgt *pt = a->pt;
	uintptr_t stack[ADOPT_STACK_TABLES], *seen = stack;
	const size_t count = a->n;
	uint64_t spa = 0;
	size_t bytes = count * sizeof(uintptr_t);
	int err = IOPGT_OK;

	if (count < 2)
		return IOPGT_OK;
	if (count > ADOPT_STACK_TABLES) {
		if (bytes / sizeof(uintptr_t) != count)
			return IOPGT_ERR_NOMEM;
		seen = pt->mem_.alloc(pt->mem_.ctx, bytes, 8, &spa);
		if (!seen)
			return IOPGT_ERR_NOMEM;
	}
	a->seen = seen;
	a->cap = count;
	a->n = 0;
	if (adopt_tbl(a, 0, pt->root_) || a->n != count) {
		err = IOPGT_ERR_CORRUPT; /* the tables changed under the walk */
	} else {
		sort_addrs(seen, count);
		for (size_t k = 1; k < count; k++)
			if (seen[k] == seen[k - 1])
				err = IOPGT_ERR_CORRUPT;
	}
	if (seen != stack)
		mem_give(pt, seen, spa, bytes);
	return err;
}

int adopt_tree(struct iopgt *pt, uint64_t root_pa)
{
	const size_t rsz = root_bytes(pt);
	void *rv = tbl_va(pt, root_pa);
	struct adopt a;
	int err;

	if (!rv || !table_mem_ok(pt, rv, root_pa, rsz))
		return IOPGT_ERR_CORRUPT;
	/* tbl_loop() compares with the root */
	pt->root_ = rv;
	pt->root_pa_ = root_pa;
	pt->root_size_ = rsz;
	a.pt = pt;
	a.seen = NULL;
	a.n = a.cap = 0;
	err = adopt_tbl(&a, 0, rv);
	if (!err)
		err = adopt_unique(&a);
	if (err) {
		pt->root_ = NULL;
		return err;
	}
	pt->table_bytes_ = rsz + (uint64_t)a.n * tbl_size(pt, 1);
	pt->tables_ = 1 + (uint64_t)a.n;
	pt->hint_.tv = NULL;
	return IOPGT_OK;
}
