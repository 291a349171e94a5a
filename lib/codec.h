/* SPDX-License-Identifier: MIT */
/*
 * lib/codec.h - descriptors: the codec interface and descriptor access.
 *
 * Two codec families implement the interface as static inline functions:
 * codec_lpae.h (lpae_*: VMSAv8-64 stage 1 and 2, VMSAv7 LPAE) and
 * codec_v7s.h (v7s_*: VMSAv7 short descriptors). The engine (map, unmap,
 * read, the fast paths, concurrent calls) calls only the c_* and d_*
 * functions below and never tests the format itself.
 *
 * Every c_* and d_* function takes the family @F first, as pt_fam(pt)
 * gives it. A walk that holds it in a constant (FAM_DISPATCH) gets one copy
 * per family with the other family's code folded away, also after calls
 * (phys_to_virt) that could have changed *pt for all the compiler knows.
 *
 *  c_leaf(F, pt, wl, pa, prot, run): the descriptor of the first entry of a
 *      leaf at walk level wl mapping pa with prot; run: the leaf is a
 *      contiguous run (LPAE contiguous bit; v7s supersection at wl 0, large
 *      page at wl 1). prot has been validated.
 *  c_leaf_addr(F, pt, wl, pa): the output-address bits of a leaf that is no
 *      run: c_leaf(.., pa, prot, false) == c_leaf(.., 0, prot, false) |
 *      c_leaf_addr(.., pa).
 *  c_run_step(F, pt, wl): what is added to a run's descriptor from one entry
 *      to the next (LPAE: the entry's size, as each entry holds its own
 *      output address; v7s: 0, replicated entries hold the run's base).
 *  c_run_log2(F, pt, wl): log2 entries of the runs the format writes at wl,
 *      independent of pgsizes: needed to decode tables.
 *  c_kind(F, pt, wl, d, &run): the class of d; *run set for a run's entry.
 *  c_leaf_addr_bits(F, pt, wl): the bits in which the next single leaf of
 *      a series (the address one entry on) differs from a single leaf.
 *  c_kind_again(): the same for a descriptor that c_kind() classified as
 *      D_INVALID, D_TABLE or D_LEAF before and that nothing wrote since (the
 *      commit pass after the prepare pass); v7s skips the canonical check.
 *  c_leaf_pa(), c_leaf_prot(): the output address and IOPGT_* flags of a leaf.
 *  c_leaf_oa_at(F, pt, wl, s, d, run, off): the output address of @off in
 *      leaf d, with s = c_shift(F, pt, wl) (a constant in unrolled walks).
 *  c_table(F, pt, wl, pa) / c_table_pa(F, pt, wl, d): a table descriptor
 *      for a table at pa, and the address a table descriptor holds.
 *  c_retarget(F, pt, wl, d, to_wl, pa, run): a leaf at to_wl with the
 *      attributes of leaf d (at wl), mapping pa; run as for c_leaf().
 *  c_can_retarget(F, pt, wl, d, to_wl): whether a split can rewrite d there.
 *  c_can_leaf(F, pt, wl, pa, run): whether a leaf at wl can hold pa.
 *  c_batch(F, pt, wl, pa, n): how many of n single leaves from pa one store
 *      of consecutive entries may write, adding the entry size each time.
 *  c_live_bits(F): bits of which one is set in every descriptor that is not
 *      D_INVALID (LPAE: valid; v7s: the type field).
 *  c_synced_mark(F): IOPGT_QUIRK_CONCURRENT: the mark of a table descriptor
 *      known to be synced, a bit the walker ignores (v7s has none: 0).
 *  c_table_mem_ok(F, pt, pa, size): whether a table may live at pa.
 *  c_leaf_canon(F, pt, wl, d, run), c_table_canon(F, pt, wl, d): whether
 *      a leaf or table descriptor (as c_kind() classified it) is exactly
 *      what the library writes for its address, below 2^OAS (LPAE; v7s
 *      descriptors are that already when c_kind() accepts them).
 *  c_leaf_key(F, pt, wl, d): equal for two leaves (of any levels) exactly
 *      when c_retarget() makes the same leaves of them (compaction).
 *  c_park(F, pt, wl, d), c_unpark(F, pt, wl, p): a valid descriptor made
 *      invalid (no bit of c_live_bits() set) and back, exactly: a table
 *      descriptor, or a leaf that is no run (and no v7s supersection).
 *  c_hw(F, pt): whether the walker changes leaves (IOPGT_QUIRK_HW_DIRTY or
 *      _HW_ACCESS; LPAE only). The walker's state of a leaf, for
 *      those tables: c_dirty(), c_young() test it, c_clean(), c_old() take
 *      it away, c_hw_merge(F, pt, d, from) adds the state of @from to @d,
 *      c_hw_norm() gives a leaf clean and old (what a run's entries agree
 *      on).
 *  c_shift(), c_bits(), c_levels(): lvl_shift(), lvl_bits() and levels_
 *      with the constants of a fixed geometry folded in (v7s), for the
 *      hottest walks.
 */
#ifndef IOPGT_CODEC_H
#define IOPGT_CODEC_H

#include "internal.h"
#include "codec_lpae.h"
#include "codec_v7s.h"

enum fam { FAM_LPAE = 0, FAM_V7S = 1 };

IOPGT_INLINE enum fam pt_fam(const struct iopgt *pt)
{
	return pt_is_v7s(pt) ? FAM_V7S : FAM_LPAE;
}

/* @fn(FAM_x, args...) with the family of @F as a constant: one copy each. */
#define FAM_DISPATCH(F, fn, ...) \
	((F) == FAM_V7S ? fn(FAM_V7S, __VA_ARGS__) : fn(FAM_LPAE, __VA_ARGS__))

IOPGT_INLINE unsigned c_shift(enum fam F, const struct iopgt *pt, unsigned wl)
{
	return F == FAM_V7S ? 12u + 8u * (1u - wl) : lvl_shift(pt, wl);
}

IOPGT_INLINE unsigned c_bits(enum fam F, const struct iopgt *pt, unsigned wl)
{
	return F == FAM_V7S ? (wl == 0 ? 12u : 8u) : lvl_bits(pt, wl);
}

IOPGT_INLINE unsigned c_levels(enum fam F, const struct iopgt *pt)
{
	return F == FAM_V7S ? 2u : pt->levels_;
}

IOPGT_INLINE uint64_t c_leaf(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t pa,
			      uint32_t prot, bool run)
{
	return F == FAM_V7S ? v7s_leaf(pt, wl, pa, prot, run) : lpae_leaf(pt, wl, pa, prot, run);
}

IOPGT_INLINE uint64_t c_leaf_addr(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t pa)
{
	return F == FAM_V7S ? v7s_pa_bits(pt, wl, pa, false) : lpae_enc_addr(pt, pa);
}

IOPGT_INLINE uint64_t c_run_step(enum fam F, const struct iopgt *pt, unsigned wl)
{
	return F == FAM_V7S ? 0 : BIT64(lvl_shift(pt, wl));
}

/*
 * The bits in which the single leaf at @wl after a single leaf d differs
 * from d: its output address, kept in place below 2^OAS. A descriptor that
 * is d plus the entry size (c_shift()), and differs from d in no other bit,
 * is the next leaf of a series, and c_kind() classifies it as it did d.
 */
IOPGT_INLINE uint64_t c_leaf_addr_bits(enum fam F, const struct iopgt *pt, unsigned wl)
{
	const uint64_t below = pt->oas_ < 64 ? BIT64(pt->oas_) - 1 : ~(uint64_t)0;
	const uint64_t inplace = F == FAM_V7S ? (wl == 0 ? 0xfff00000ull : 0xfffff000ull)
					      : pt->oa_bits_;

	return inplace & below;
}

IOPGT_INLINE unsigned c_run_log2(enum fam F, const struct iopgt *pt, unsigned wl)
{
	return F == FAM_V7S ? v7s_run_log2(pt, wl) : lpae_run_log2(pt, wl);
}

IOPGT_INLINE enum dkind c_kind(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
			       bool *run)
{
	return F == FAM_V7S ? v7s_kind(pt, wl, d, run) : lpae_kind(pt, wl, d, run);
}

/*
 * Bit 0 set where the type field of @d says "table" (at a level that may
 * hold tables): a test for many entries at once, ORed, before c_kind() on
 * each. LPAE: bits [1:0] = 0b11; v7s (first level): 0b01.
 */
IOPGT_INLINE uint64_t c_table_type(enum fam F, uint64_t d)
{
	return F == FAM_V7S ? d & ~(d >> 1) & 1 : d & (d >> 1) & 1;
}

/* the walker's view alone (iopgt_translate()): see v7s_kind_read() */
IOPGT_INLINE enum dkind c_kind_read(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
				    bool *run)
{
	return F == FAM_V7S ? v7s_kind_read(pt, wl, d, run) : lpae_kind(pt, wl, d, run);
}

/* May a table link into the root make a walk read past the root's end
 * (a root smaller than a table)? */
IOPGT_INLINE bool c_root_small(enum fam F, const struct iopgt *pt)
{
	return F == FAM_V7S ? false : pt->root_size_ < tbl_size(pt, 1);
}

IOPGT_INLINE enum dkind c_kind_again(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
				     bool *run)
{
	return F == FAM_V7S ? v7s_kind_again(wl, d, run) : lpae_kind(pt, wl, d, run);
}

IOPGT_INLINE uint64_t c_leaf_pa(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return F == FAM_V7S ? v7s_leaf_pa(pt, wl, d) : lpae_leaf_pa(pt, wl, d);
}

/*
 * The output address of @off in the leaf d (an entry of a run with @run):
 * LPAE entries hold their own output address; v7s entries of a run all
 * hold the run's.
 */
IOPGT_INLINE uint64_t c_leaf_oa_at(enum fam F, const struct iopgt *pt, unsigned wl, unsigned s,
				   uint64_t d, bool run, uint64_t off)
{
	if (F == FAM_V7S)
		return v7s_leaf_pa(pt, wl, d) | (off & (BIT64(run ? s + 4 : s) - 1));
	return lpae_dec_addr(pt, d, s) | (off & (BIT64(s) - 1));
}

IOPGT_INLINE uint32_t c_leaf_prot(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return F == FAM_V7S ? v7s_leaf_prot(pt, wl, d) : lpae_leaf_prot(pt, wl, d);
}

IOPGT_INLINE uint64_t c_table(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t pa)
{
	return F == FAM_V7S ? v7s_table(pt, wl, pa) : lpae_table(pt, wl, pa);
}

IOPGT_INLINE uint64_t c_table_pa(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return F == FAM_V7S ? v7s_table_pa(pt, wl, d) : lpae_table_pa(pt, wl, d);
}

IOPGT_INLINE uint64_t c_retarget(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
				  unsigned to_wl, uint64_t pa, bool run)
{
	return F == FAM_V7S ? v7s_retarget(pt, wl, d, to_wl, pa, run)
			    : lpae_retarget(pt, wl, d, to_wl, pa, run);
}

IOPGT_INLINE bool c_can_retarget(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
				 unsigned to_wl)
{
	return F == FAM_V7S ? v7s_can_retarget(pt, wl, d, to_wl)
			    : lpae_can_retarget(pt, wl, d, to_wl);
}

IOPGT_INLINE bool c_can_leaf(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t pa,
			     bool run)
{
	return F == FAM_V7S ? v7s_can_leaf(pt, wl, pa, run) : true;
}

/*
 * The output-address bit that consecutive single leaves, each the entry
 * size more than the last, must not carry into: v7s: 32 (without MTK_EXT no
 * section or page holds more, c_can_leaf() checks the first leaf beyond;
 * with it PA[34:32] sit apart); LPAE, the lowest of the bits held apart:
 * 48 with the 64K granule's 52-bit OA (PA[51:48] in bits [15:12]), 50 in
 * the LPA2 layout (PA[51:50] in bits [9:8]); otherwise none (64).
 */
IOPGT_INLINE size_t c_batch(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t pa,
			    size_t n)
{
	const unsigned top = F == FAM_V7S ? 32u : lpae_oa52(pt) ? lpae_oa_hi_pa(pt) : 64u;

	if (top < 64) {
		uint64_t to = (BIT64(top) - (pa & (BIT64(top) - 1))) >> lvl_shift(pt, wl);

		if (to < n)
			n = (size_t)to;
	}
	return n;
}

IOPGT_INLINE uint64_t c_live_bits(enum fam F)
{
	return F == FAM_V7S ? V7S_TYPE_MASK : LPAE_VALID;
}

IOPGT_INLINE uint64_t c_synced_mark(enum fam F)
{
	return F == FAM_V7S ? 0 : LPAE_SW_SYNCED;
}

IOPGT_INLINE bool c_leaf_canon(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d,
				bool run)
{
	return F == FAM_V7S || lpae_leaf_canon(pt, wl, d, run);
}

IOPGT_INLINE bool c_table_canon(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return F == FAM_V7S || lpae_table_canon(pt, wl, d);
}

IOPGT_INLINE uint64_t c_leaf_key(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	/* v7s: the encoding is canonical, so the prot flags are all of it */
	return F == FAM_V7S ? v7s_leaf_prot(pt, wl, d) : lpae_leaf_key(pt, d);
}

/* LPAE: bit 0 clear, every other bit kept (D8.3.1: an invalid descriptor's
 * bits [63:1] are ignored); v7s: v7s_park(). */
IOPGT_INLINE uint64_t c_park(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	(void)pt;
	return F == FAM_V7S ? v7s_park(wl, d) : d & ~LPAE_VALID;
}

IOPGT_INLINE uint64_t c_unpark(enum fam F, const struct iopgt *pt, unsigned wl, uint64_t p)
{
	(void)pt;
	return F == FAM_V7S ? v7s_unpark(wl, p) : p | LPAE_VALID;
}

IOPGT_INLINE bool c_hw(enum fam F, const struct iopgt *pt)
{
	return F == FAM_LPAE &&
	       (pt->quirks_ & (IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS));
}

IOPGT_INLINE bool c_dirty(enum fam F, const struct iopgt *pt, uint64_t d)
{
	return F == FAM_LPAE && lpae_dirty(pt, d);
}

IOPGT_INLINE bool c_young(enum fam F, uint64_t d)
{
	return F == FAM_LPAE && lpae_young(d);
}

IOPGT_INLINE uint64_t c_clean(enum fam F, const struct iopgt *pt, uint64_t d)
{
	return F == FAM_LPAE ? lpae_clean(pt, d) : d;
}

IOPGT_INLINE uint64_t c_old(enum fam F, uint64_t d)
{
	return F == FAM_LPAE ? lpae_old(d) : d;
}

IOPGT_INLINE uint64_t c_hw_merge(enum fam F, const struct iopgt *pt, uint64_t d, uint64_t from)
{
	return c_hw(F, pt) ? lpae_hw_merge(pt, d, from) : d;
}

IOPGT_INLINE uint64_t c_hw_norm(enum fam F, const struct iopgt *pt, uint64_t d)
{
	return c_hw(F, pt) ? lpae_hw_norm(pt, d) : d;
}

/* v7s: table descriptors and TTBR hold 32-bit addresses */
IOPGT_INLINE bool c_table_mem_ok(enum fam F, const struct iopgt *pt, uint64_t pa, size_t size)
{
	(void)pt;
	return F != FAM_V7S || !((pa + size - 1) >> 32);
}

/*
 * A copy of what the codecs and the geometry read of *@pt, for the hottest
 * read walks: the compiler keeps a local's fields in registers, where it
 * must load *pt's again after every atomic load of a descriptor.
 */
IOPGT_INLINE void c_snapshot(struct iopgt *g, const struct iopgt *pt)
{
	g->fmt_ = pt->fmt_;
	g->levels_ = pt->levels_;
	g->start_lvl_ = pt->start_lvl_;
	g->dshift_ = pt->dshift_;
	g->gshift_ = pt->gshift_;
	g->stride_ = pt->stride_;
	g->root_bits_ = pt->root_bits_;
	g->oas_ = pt->oas_;
	g->arch_lvls_ = pt->arch_lvls_;
	g->quirks_ = pt->quirks_;
	g->oa_bits_ = pt->oa_bits_;
	g->ds_ = pt->ds_;
	g->root_ = pt->root_;
	g->root_size_ = pt->root_size_;
}

/*
 * Descriptor access: 8-byte (LPAE) or 4-byte (v7s) entries, single-copy
 * atomic. Loads are acquire where other threads store into the same table
 * (IOPGT_QUIRK_CONCURRENT, @conc: a table descriptor that another call
 * installed with release is followed into the table it zeroed), relaxed
 * otherwise, the same instruction as a plain load. Constant memory orders:
 * a variable one would be seq_cst.
 */
IOPGT_INLINE uint64_t d_read(enum fam F, bool conc, const void *tbl, size_t idx)
{
	if (conc) {
		if (F == FAM_V7S)
			return __atomic_load_n(&((const uint32_t *)tbl)[idx], __ATOMIC_ACQUIRE);
		return __atomic_load_n(&((const uint64_t *)tbl)[idx], __ATOMIC_ACQUIRE);
	}
	if (F == FAM_V7S)
		return __atomic_load_n(&((const uint32_t *)tbl)[idx], __ATOMIC_RELAXED);
	return __atomic_load_n(&((const uint64_t *)tbl)[idx], __ATOMIC_RELAXED);
}

IOPGT_INLINE uint64_t d_load(enum fam F, const struct iopgt *pt, const void *tbl, size_t idx)
{
	return d_read(F, pt_conc(pt), tbl, idx);
}

/* Stores: only through the put family of publish.h, which records them. */
IOPGT_INLINE void d_store(enum fam F, void *tbl, size_t idx, uint64_t v)
{
	if (F == FAM_V7S)
		__atomic_store_n(&((uint32_t *)tbl)[idx], (uint32_t)v, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&((uint64_t *)tbl)[idx], v, __ATOMIC_RELAXED);
}

/* Entries [@from, @to) of a table no walker can reach yet. */
IOPGT_INLINE void d_zero(enum fam F, void *tbl, size_t from, size_t to)
{
	if (F == FAM_V7S) {
		uint32_t *t = tbl;

		for (size_t i = from; i < to; i++)
			t[i] = 0;
	} else {
		uint64_t *t = tbl;

		for (size_t i = from; i < to; i++)
			t[i] = 0;
	}
}

/* Compare-and-swap; release: a new table's zeroed contents before its link. */
IOPGT_INLINE bool d_cas(enum fam F, void *tbl, size_t idx, uint64_t old, uint64_t v)
{
	if (F == FAM_V7S) {
		uint32_t o = (uint32_t)old;

		return __atomic_compare_exchange_n(&((uint32_t *)tbl)[idx], &o, (uint32_t)v, false,
						   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	}
	return __atomic_compare_exchange_n(&((uint64_t *)tbl)[idx], &old, v, false,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/*
 * Swap @v into a live entry the walker may be updating (IOPGT_QUIRK_HW_*):
 * the value it held last. LPAE only: v7s walkers change nothing.
 */
IOPGT_INLINE uint64_t d_xchg(void *tbl, size_t idx, uint64_t v)
{
	return __atomic_exchange_n(&((uint64_t *)tbl)[idx], v, __ATOMIC_ACQ_REL);
}

/* Compare-and-swap of a live leaf the walker may be updating; on failure
 * *@old is the value found. */
IOPGT_INLINE bool d_cas_leaf(void *tbl, size_t idx, uint64_t *old, uint64_t v)
{
	return __atomic_compare_exchange_n(&((uint64_t *)tbl)[idx], old, v, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/*
 * The OR of the entries [@a, @b) of @tv, or with @types of their
 * c_table_type() bits. One call at a time (!@conc): plain loads, which the
 * compiler may merge and vectorise (only the walker writes meanwhile, and
 * only marks on entries that are live anyway); other threads may store:
 * relaxed atomic loads.
 */
IOPGT_INLINE uint64_t d_fold(enum fam F, bool conc, const void *tv, size_t a, size_t b,
			     const bool types)
{
	uint64_t any = 0;

	for (size_t j = a; j < b; j++) {
		uint64_t d;

		if (F == FAM_V7S)
			d = conc ? __atomic_load_n(&((const uint32_t *)tv)[j], __ATOMIC_RELAXED)
				 : ((const uint32_t *)tv)[j];
		else
			d = conc ? __atomic_load_n(&((const uint64_t *)tv)[j], __ATOMIC_RELAXED)
				 : ((const uint64_t *)tv)[j];
		any |= types ? c_table_type(F, d) : d;
	}
	return any;
}

IOPGT_INLINE uint64_t d_or(enum fam F, bool conc, const void *tv, size_t a, size_t b)
{
	return d_fold(F, conc, tv, a, b, false);
}

/* Does an entry of [@a, @b) hold a table link's type field? A hint, to
 * be confirmed by c_kind(). */
IOPGT_INLINE bool d_any_table(enum fam F, bool conc, const void *tv, size_t a, size_t b)
{
	return d_fold(F, conc, tv, a, b, true) != 0;
}

#endif /* IOPGT_CODEC_H */
