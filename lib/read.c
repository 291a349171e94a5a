/* SPDX-License-Identifier: MIT */
/*
 * lib/read.c - reading: lookup (the leaf that holds one address),
 * translate (the output address of one address: the lean question of a
 * DMA path) and the leaf iterator (a range). Nothing here writes; all
 * report IOPGT_ERR_CORRUPT for tables the library could not have written.
 */
#include "publish.h"

/*
 * The leaf at entry @i of @tv (walk level @wl), with @d its descriptor and
 * @run set: check the run's entries agree and describe the whole run.
 */
static int leaf_describe(const struct iopgt *pt, unsigned wl, const void *tv, size_t i,
			 uint64_t d, bool run, uint64_t es, struct iopgt_leaf *leaf)
{
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));

	leaf->level = pt->start_lvl_ + wl;
	leaf->entries = 1;
	if (run) {
		size_t n = (size_t)1 << c_run_log2(F, pt, wl);
		size_t rs = i & ~(n - 1);
		uint64_t d0 = d_load(F, pt, tv, rs);
		uint64_t rpa = c_leaf_pa(F, pt, wl, d0) & ~(esz * n - 1);

		if (!run_agrees(pt, wl, tv, rs, n, rpa))
			return IOPGT_ERR_CORRUPT;
		leaf->m.iova = es - (uint64_t)(i - rs) * esz;
		leaf->m.pa = rpa;
		leaf->m.size = esz * n;
		leaf->entries = (unsigned)n;
		d = d0;
	} else {
		leaf->m.iova = es;
		leaf->m.pa = c_leaf_pa(F, pt, wl, d);
		leaf->m.size = esz;
	}
	leaf->m.prot = c_leaf_prot(F, pt, wl, d);
	leaf->desc = d;
	return IOPGT_OK;
}

/* One copy per codec family and @conc: both constants where inlined. */
IOPGT_INLINE int lookup_walk(const enum fam F, const struct iopgt *pt, uint64_t off,
			     struct iopgt_mapping *m, const bool conc)
{
	const void *tv = pt->root_, *path[IOPGT_MAXLVL];
	const unsigned levels = c_levels(F, pt);

	for (unsigned wl = 0; wl < levels; wl++) {
		const unsigned s = c_shift(F, pt, wl);
		const size_t i = (size_t)(off >> s) & (((size_t)1 << c_bits(F, pt, wl)) - 1);
		const uint64_t d = d_read(F, conc, tv, i);
		bool run;

		path[wl] = tv;
		switch (c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
			return IOPGT_ERR_NOENT;
		case D_TABLE:
			if (wl + 1u >= levels)
				return IOPGT_ERR_CORRUPT;
			tv = tbl_follow(F, pt, wl, d, path, NULL);
			if (!tv)
				return IOPGT_ERR_CORRUPT;
			break;
		case D_LEAF:
			if (!run) {
				m->iova = pt->va_base_ + (off & ~(BIT64(s) - 1));
				m->pa = c_leaf_pa(F, pt, wl, d);
				m->size = BIT64(s);
				m->prot = c_leaf_prot(F, pt, wl, d);
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

/* @conc: other threads may store into the tables (their pins held). */
int read_lookup(const struct iopgt *pt, uint64_t off, struct iopgt_mapping *m, bool conc)
{
	if (conc)
		return FAM_DISPATCH(pt_fam(pt), lookup_walk, pt, off, m, true);
	return FAM_DISPATCH(pt_fam(pt), lookup_walk, pt, off, m, false);
}

/*
 * One copy per codec family, @conc and @ident (phys_to_virt NULL): the
 * output address of @off alone. Without calls in the loop (@ident) the
 * geometry stays in registers.
 */
IOPGT_INLINE int translate_walk(const enum fam F, const struct iopgt *obj, uint64_t off,
				uint64_t *pa, const bool conc, const bool ident)
{
	struct iopgt g;
	const struct iopgt *const pt = &g; /* what the codecs read, in registers */
	const void *tv;
	unsigned levels;

	c_snapshot(&g, obj);
	g.mem_ = obj->mem_;
	tv = pt->root_;
	levels = c_levels(F, pt);

	for (unsigned wl = 0; wl < levels; wl++) {
		const size_t i = (size_t)(off >> c_shift(F, pt, wl)) &
				 (((size_t)1 << c_bits(F, pt, wl)) - 1);
		const uint64_t d = d_read(F, conc, tv, i);
		bool run;

		switch (c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
			return IOPGT_ERR_NOENT;
		case D_TABLE:
			if (wl + 1u >= levels)
				return IOPGT_ERR_CORRUPT;
			tv = tbl_follow_as(F, pt, wl, d, NULL, NULL, ident);
			if (!tv)
				return IOPGT_ERR_CORRUPT;
			break;
		case D_LEAF:
			*pa = c_leaf_oa(F, pt, wl, d, run, off);
			return IOPGT_OK;
		default:
			return IOPGT_ERR_CORRUPT;
		}
	}
	return IOPGT_ERR_CORRUPT;
}

int read_translate(const struct iopgt *pt, uint64_t off, uint64_t *pa, bool conc)
{
	const enum fam F = pt_fam(pt);

	if (conc)
		return FAM_DISPATCH(F, translate_walk, pt, off, pa, true, false);
	if (!pt->mem_.phys_to_virt)
		return FAM_DISPATCH(F, translate_walk, pt, off, pa, false, true);
	return FAM_DISPATCH(F, translate_walk, pt, off, pa, false, false);
}

static int walk_tbl(const struct iopgt *pt, unsigned wl, const void *tv, uint64_t lo,
		    uint64_t hi, iopgt_leaf_fn fn, void *ctx, const void **path)
{
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	const size_t i0 = lvl_index(pt, wl, lo), i1 = lvl_index(pt, wl, hi - 1);
	uint64_t es = lo & ~(esz - 1);

	path[wl] = tv;
	for (size_t i = i0; i <= i1; i++, es += esz) {
		uint64_t d = d_load(F, pt, tv, i);
		bool run;
		int ret;

		switch (c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
			break;
		case D_TABLE: {
			const void *cva;

			if (wl + 1u >= pt->levels_)
				return IOPGT_ERR_CORRUPT;
			cva = tbl_follow(F, pt, wl, d, path, NULL);
			if (!cva)
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

int read_walk(const struct iopgt *pt, uint64_t off, uint64_t size, iopgt_leaf_fn fn, void *ctx)
{
	const void *path[IOPGT_MAXLVL];

	return walk_tbl(pt, 0, pt->root_, off, off + size, fn, ctx, path);
}
