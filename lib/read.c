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
 * iopgt_translate(): the output address of @off alone, in one copy per
 * codec family and granule (@G: log2 of the granule, @S: index bits of a
 * table below the root, both constants), @conc and @ident (phys_to_virt
 * NULL). The levels are unrolled from the last one up: the step @k levels
 * above the last has constant shifts and masks. The walk enters at the
 * root's height through a copy of that step that reads the root: its
 * index needs no mask, as api.c checked @off against the input size, and
 * the steps below mask theirs with a constant.
 *
 * The descriptor classes are the walker's (c_kind_read()); a table link
 * is checked against the root only where the root is smaller than a table
 * (reading it as one could leave it): iopgt.h says what is not checked.
 */
#define XLATE_MORE 1 /* a table followed: the next step */

IOPGT_INLINE int xlate_step(const enum fam F, const struct iopgt *pt, const unsigned G,
			    const unsigned S, const unsigned k, const bool root, const unsigned top,
			    const void **tvp, uint64_t off, uint64_t *pa, const bool conc,
			    const bool ident, const bool root_small)
{
	const unsigned wl = root ? 0u : top - k, s = G + S * k;
	const size_t i = root ? (size_t)(off >> s) : (size_t)(off >> s) & (((size_t)1 << S) - 1);
	const uint64_t d = d_read(F, conc, *tvp, i);
	bool run;

	switch (c_kind_read(F, pt, wl, d, &run)) {
	case D_INVALID:
		return IOPGT_ERR_NOENT;
	case D_TABLE:
		if (k == 0)
			return IOPGT_ERR_CORRUPT;
		*tvp = tbl_follow_as(F, pt, wl, d, NULL, NULL, ident, root_small);
		return *tvp ? XLATE_MORE : IOPGT_ERR_CORRUPT;
	case D_LEAF:
		*pa = c_leaf_oa_at(F, pt, wl, s, d, run, off);
		return IOPGT_OK;
	default:
		return IOPGT_ERR_CORRUPT;
	}
}

/* the step @k, reading the root (@root) or a table below it; @k above the
 * granule's highest possible level is never taken (and would shift by 64) */
#define XLATE_AT(k, root)                                                                  \
	do {                                                                               \
		if (G + S * (k) < 64) {                                                    \
			r = xlate_step(F, pt, G, S, (k), (root), top, &tv, off, pa, conc,  \
				       ident, root_small);                                 \
			if (r != XLATE_MORE)                                               \
				return r;                                                  \
		}                                                                          \
	} while (0)

IOPGT_INLINE int translate_walk(const enum fam F, const unsigned G, const unsigned S,
				const struct iopgt *obj, uint64_t off, uint64_t *pa, const bool conc,
				const bool ident)
{
	/*
	 * LPAE: what the codecs read, in registers (c_snapshot()). v7s reads
	 * few fields, each once: it loads them from the object where needed,
	 * and needs no callee-saved register.
	 */
	struct iopgt g;
	const struct iopgt *const pt = F == FAM_V7S ? obj : &g;
	unsigned top;
	bool root_small;
	const void *tv;
	int r;

	if (F != FAM_V7S) {
		c_snapshot(&g, obj);
		g.mem_ = obj->mem_;
	}
	tv = pt->root_;
	top = c_levels(F, pt) - 1;
	root_small = c_root_small(F, pt);

	_Static_assert(IOPGT_MAXLVL <= 5, "translate_walk() unrolls five levels");
	switch (top) {
	case 4:
		XLATE_AT(4, true);
		goto below3;
	case 3:
		XLATE_AT(3, true);
		goto below2;
	case 2:
		XLATE_AT(2, true);
		goto below1;
	case 1:
		XLATE_AT(1, true);
		goto below0;
	case 0:
		return xlate_step(F, pt, G, S, 0, true, top, &tv, off, pa, conc, ident, root_small);
	default:
		return IOPGT_ERR_CORRUPT;
	}
below3:
	XLATE_AT(3, false);
below2:
	XLATE_AT(2, false);
below1:
	XLATE_AT(1, false);
below0:
	/* the last level: XLATE_MORE cannot come back from it */
	return xlate_step(F, pt, G, S, 0, false, top, &tv, off, pa, conc, ident, root_small);
}

/*
 * One function per geometry and (@conc, @ident): a walk without calls that
 * holds one copy needs no callee-saved registers, which a function holding
 * all four copies would save and restore on every call.
 */
#define XLATE_FN(name, F, G, S, conc, ident)                                           \
	static IOPGT_NOINLINE int name(const struct iopgt *pt, uint64_t off, uint64_t *pa) \
	{                                                                              \
		return translate_walk(F, G, S, pt, off, pa, conc, ident);               \
	}
#define XLATE_SET(sfx, conc, ident)                                                    \
	XLATE_FN(xlate_v7s_##sfx, FAM_V7S, 12u, 8u, conc, ident)                        \
	XLATE_FN(xlate_4k_##sfx, FAM_LPAE, 12u, 9u, conc, ident)                        \
	XLATE_FN(xlate_16k_##sfx, FAM_LPAE, 14u, 11u, conc, ident)                      \
	XLATE_FN(xlate_64k_##sfx, FAM_LPAE, 16u, 13u, conc, ident)
XLATE_SET(ident, false, true)
XLATE_SET(p2v, false, false)
XLATE_SET(conc, true, false)

/* the walks by read_xlate_pick(): geometry, then identity, phys_to_virt,
 * IOPGT_QUIRK_CONCURRENT */
static int (*const xlate_by_pick[])(const struct iopgt *, uint64_t, uint64_t *) = {
	xlate_v7s_ident, xlate_4k_ident, xlate_16k_ident, xlate_64k_ident,
	xlate_v7s_p2v,   xlate_4k_p2v,   xlate_16k_p2v,   xlate_64k_p2v,
	xlate_v7s_conc,  xlate_4k_conc,  xlate_16k_conc,  xlate_64k_conc,
};

uint8_t read_xlate_pick(const struct iopgt *pt)
{
	const unsigned geom = pt_is_v7s(pt) ? 0u : pt->gshift_ == 12u ? 1u : pt->gshift_ == 14u ? 2u : 3u;
	const unsigned how = pt_conc(pt) ? 2u : pt->mem_.phys_to_virt ? 1u : 0u;

	return (uint8_t)(geom + 4u * how);
}

int read_translate(const struct iopgt *pt, uint64_t off, uint64_t *pa)
{
	return xlate_by_pick[pt->xlate_](pt, off, pa);
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
