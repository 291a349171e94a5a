/* SPDX-License-Identifier: MIT */
/*
 * lib/unmap.c - unmap: the prepare and commit passes (publish.h), splits of
 * blocks and contiguous runs that straddle an edge of the range, and the
 * tables the range empties.
 *
 * A split builds the new tables from the pool, fills them with the parts of
 * the leaf outside the range (split_fill), and links them with a deferred
 * store. Break-before-make: the old entry is cleared in the first sync call,
 * its TLB entries invalidated, and the link stored after that; with
 * IOPGT_QUIRK_SPLIT_IN_PLACE the link replaces the leaf directly and the
 * invalidation comes last. The new leaves have the old leaf's attributes,
 * the state the walker keeps in it included (IOPGT_QUIRK_HW_*: dirty,
 * young; a run's state is that of all its entries): the break swaps the
 * old entries out before the new leaves are made, and a split in place
 * carries over, after its deferred stores, what the walker marked until
 * then (publish.c).
 *
 * A table that the range empties is dropped from its parent instead of
 * being cleared entry by entry: subtree_empties() answers whether it
 * empties, once per table and call. Concurrent calls
 * (IOPGT_QUIRK_CONCURRENT) drop here only tables inside their range; a
 * table that straddles an edge may be reached by another call, and
 * concurrent.c frees it afterwards with its pins held exclusively.
 */
#include "publish.h"

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
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	const size_t n = (size_t)1 << lvl_bits(pt, wl);

	if (!c_can_retarget(F, pt, swl, d, wl))
		return IOPGT_ERR_NOTSUP;
	for (size_t i = 0; i < n; i++) {
		uint64_t es = base + i * esz, ee = es + esz;
		uint64_t v = 0;

		if (ee <= lo || es >= hi) {
			v = c_retarget(F, pt, swl, d, wl, bpa + i * esz, false);
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
			v = c_table(F, pt, wl, cpa);
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
	*link = c_table(pt_fam(pt), pt, wl, cpa);
	return err;
}

static bool subtree_empties(struct op *op, unsigned wl, const void *tv, uint64_t lo, uint64_t hi);

/* Does the subtree at @tv (walk level @wl) become empty when [lo, hi) goes? */
static bool subtree_empties_scan(struct op *op, unsigned wl, const void *tv, uint64_t lo,
				 uint64_t hi)
{
	const struct iopgt *pt = op->pt;
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
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
		d = d_load(F, pt, tv, i);
		switch (c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_TABLE: {
			const void *cva = tbl_follow(F, pt, wl, d, op->path, NULL);

			if (!cva) {
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
 * walk, free the subtree last. Nothing in it is live outside [@clo, @chi)
 * (the unmap covers it, or empties it): only there can table links be. */
static void drop_table(struct op *op, unsigned wl, void *tv, uint64_t tpa, size_t idx,
		       uint64_t es, void *cva, uint64_t cpa, uint64_t clo, uint64_t chi)
{
	struct iopgt *pt = op->pt;

	put(op, tv, tpa, false, idx, 1, 0, 0);
	rec_tlb(op, es, BIT64(lvl_shift(pt, wl)), pt->gshift_, T_WALK, false);
	rec_free_in(op, cva, cpa, wl + 1, es, clo, chi);
}

/* A contiguous run at entries [rs, rs + n) that the range covers in part. */
static int split_run(struct op *op, unsigned wl, void *tv, uint64_t tpa, size_t rs,
		     uint64_t rbase, uint64_t lo, uint64_t hi)
{
	struct iopgt *pt = op->pt;
	const enum fam F = pt_fam(pt);
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	const size_t n = (size_t)1 << c_run_log2(F, pt, wl);
	const bool inplace = pt->quirks_ & IOPGT_QUIRK_SPLIT_IN_PLACE;
	uint64_t d0 = d_load(F, pt, tv, rs), rpa;
	bool any_table = false;

	if (pt->quirks_ & IOPGT_QUIRK_NO_SPLIT)
		return IOPGT_ERR_BUSY;
	if (!c_can_retarget(F, pt, wl, d0, wl))
		return IOPGT_ERR_NOTSUP;
	rpa = c_leaf_pa(F, pt, wl, d0) & ~(esz * n - 1);
	if (!run_agrees(pt, wl, tv, rs, n, rpa))
		return IOPGT_ERR_CORRUPT;
	if (!inplace) {
		/* break: the whole run goes invalid first; the walker may have
		 * marked any entry dirty or young, and every piece keeps that */
		d0 = put_break(op, tv, tpa, rs, n, d0);
	} else if (c_hw(F, pt)) {
		for (size_t i = 1; i < n; i++)
			d0 = c_hw_merge(F, pt, d0, d_load(F, pt, tv, rs + i));
		rec_hw_split(op, wl, tv, rs, n, d0);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t es = rbase + i * esz, ee = es + esz, v;

		if (ee <= lo || es >= hi) {
			v = c_retarget(F, pt, wl, d0, wl, rpa + i * esz, false);
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
		put_late(op, tv, tpa, rs + i, v);
	}
	/* the entries removed are the run's, whatever replaces them */
	rec_tlb(op, rbase, esz * n, s, any_table ? T_WALK : T_LEAF, inplace);
	return IOPGT_OK;
}

/* A leaf (no run) that the range covers in part: a table of the rest. */
static int split_block(struct op *op, unsigned wl, void *tv, uint64_t tpa, size_t i,
		       uint64_t d, uint64_t es, uint64_t lo, uint64_t hi)
{
	struct iopgt *pt = op->pt;
	const unsigned s = lvl_shift(pt, wl);
	const bool inplace = pt->quirks_ & IOPGT_QUIRK_SPLIT_IN_PLACE;
	uint64_t link;
	int err;

	if (pt->quirks_ & IOPGT_QUIRK_NO_SPLIT)
		return IOPGT_ERR_BUSY;
	/* the break first: the new leaves get the state the walker left */
	if (!inplace)
		d = put_break(op, tv, tpa, i, 1, d);
	else
		rec_hw_split(op, wl, tv, i, 1, d);
	err = split_leaf(op, wl, d, es, c_leaf_pa(pt_fam(pt), pt, wl, d), lo, hi, &link);
	if (err)
		return err;
	put_late(op, tv, tpa, i, link);
	/* the entry removed is the block */
	rec_tlb(op, es, BIT64(s), s, T_WALK, inplace);
	return IOPGT_OK;
}

/*
 * How many entries from @i (at most @nmax) hold the single leaf @d and the
 * single leaves that follow it one by one (the address one entry on, no
 * other bit changed: c_leaf_addr_bits()): one compare each, without
 * classifying them again.
 */
IOPGT_INLINE size_t leaf_series_as(const enum fam F, const struct iopgt *pt, unsigned wl,
				   const void *tv, size_t i, size_t nmax, uint64_t d)
{
	const uint64_t step = BIT64(c_shift(F, pt, wl)), other = ~c_leaf_addr_bits(F, pt, wl);
	size_t n = 1;

	while (n < nmax) {
		const uint64_t dn = d_read(F, false, tv, i + n); /* leaves: relaxed */

		if (dn - d != step || ((dn ^ d) & other))
			break;
		d = dn;
		n++;
	}
	return n;
}

static size_t leaf_series(const struct iopgt *pt, unsigned wl, const void *tv, size_t i,
			  size_t nmax, uint64_t d)
{
	return FAM_DISPATCH(pt_fam(pt), leaf_series_as, pt, wl, tv, i, nmax, d);
}

static int unmap_tbl(struct op *op, unsigned wl, void *tv, uint64_t tpa, uint64_t lo, uint64_t hi)
{
	struct iopgt *pt = op->pt;
	const enum fam F = pt_fam(pt);
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	const size_t i0 = lvl_index(pt, wl, lo), i1 = lvl_index(pt, wl, hi - 1);
	uint64_t es = lo & ~(esz - 1);

	op->path[wl] = tv;
	for (size_t i = i0; i <= i1; i++, es += esz) {
		uint64_t d = d_load(F, pt, tv, i), ee = es + esz;
		bool run, covered = lo <= es && ee <= hi;
		int err;

		switch (op->commit ? c_kind_again(F, pt, wl, d, &run) : c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_TABLE: {
			uint64_t cpa;
			void *cva = tbl_follow(F, pt, wl, d, op->path, &cpa);
			uint64_t clo = lo > es ? lo : es, chi = hi < ee ? hi : ee;

			if (!cva)
				return IOPGT_ERR_CORRUPT;
			/* concurrent calls: a table that other calls may reach
			 * is freed afterwards (concurrent.c) */
			if (covered || (!pt_conc(pt) && subtree_empties(op, wl + 1, cva, clo, chi))) {
				if (op->err)
					return op->err;
				drop_table(op, wl, tv, tpa, i, es, cva, cpa, clo, chi);
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
				size_t n = (size_t)1 << c_run_log2(F, pt, wl);
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
				/* this leaf and the covered single leaves right
				 * after it (a run's entries go one at a time) */
				const size_t nmax = i1 - i + 1 < (hi - es) >> s ? i1 - i + 1
									       : (size_t)((hi - es) >> s);
				size_t n = run ? 1 : leaf_series(pt, wl, tv, i, nmax, d);

				while (n < nmax) {
					bool r;
					uint64_t dn = d_load(F, pt, tv, i + n);

					if ((op->commit ? c_kind_again(F, pt, wl, dn, &r)
							: c_kind(F, pt, wl, dn, &r)) != D_LEAF || r)
						break;
					n += leaf_series(pt, wl, tv, i + n, nmax - n, dn);
				}
				put(op, tv, tpa, false, i, n, 0, 0);
				rec_tlb(op, es, n * esz, s, T_LEAF, false);
				i += n - 1;
				es += (n - 1) * esz;
			} else {
				err = split_block(op, wl, tv, tpa, i, d, es, lo, hi);
				if (err)
					return err;
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
 * Unmap [@off, @off + @size) with the two passes and publish it; the caller
 * frees with op_free(@op) (concurrent calls: with their pins held).
 */
int unmap_passes(struct iopgt *pt, uint64_t off, uint64_t size, struct op *op)
{
	int err;

	op_init(op, pt);
	hint_clear(pt);
	err = unmap_tbl(op, 0, pt->root_, pt->root_pa_, off, off + size);
	if (err)
		return err;
	if (!op->n1 && !op->nw)
		return IOPGT_OK; /* nothing was mapped there */
	err = op_reserve(op);
	if (err)
		return err;
	unmap_tbl(op, 0, pt->root_, pt->root_pa_, off, off + size);
	op_publish(op);
	return IOPGT_OK;
}
