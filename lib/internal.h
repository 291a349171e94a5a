/* SPDX-License-Identifier: MIT */
/*
 * lib/internal.h - what the core's files share: geometry, the descriptor
 * codec interface, descriptor access, the dirty-range collector.
 *
 * Walk levels are numbered from the root: walk level 0 is the root table,
 * walk level levels_-1 holds pages. The architectural level of walk level i
 * is start_lvl_ + i.
 */
#ifndef IOPGT_INTERNAL_H
#define IOPGT_INTERNAL_H

#include "iopgt/iopgt.h"

#define IOPGT_MAGIC 0x69706774u /* "iopt" while initialised */
#define IOPGT_DEAD  0x64656164u /* after iopgt_fini */
#define IOPGT_MAXLVL 4

#if defined(__GNUC__)
#define IOPGT_INLINE static inline __attribute__((always_inline))
#else
#define IOPGT_INLINE static inline
#endif

#if defined(__GNUC__)
#define IOPGT_NOINLINE __attribute__((noinline))
#else
#define IOPGT_NOINLINE
#endif

#define BIT64(n) ((uint64_t)1 << (n))
#define MASK64(hi, lo) (((~(uint64_t)0) >> (63 - (hi))) & ~(BIT64(lo) - 1))

static inline bool pt_live(const struct iopgt *pt)
{
	return pt && pt->magic_ == IOPGT_MAGIC;
}

IOPGT_INLINE bool pt_is_v7s(const struct iopgt *pt)
{
	return pt->fmt_ == IOPGT_FMT_ARMV7S;
}

IOPGT_INLINE bool pt_is_s2(const struct iopgt *pt)
{
	return pt->fmt_ == IOPGT_FMT_ARM64_S2 || pt->fmt_ == IOPGT_FMT_ARM32_S2;
}

/*
 * The f_* helpers take the codec family as @v7s (pt_is_v7s(pt)); their
 * c_*, lvl_* and d_* wrappers test it themselves. A walk that passes a
 * constant gets one copy per family with the format's tests folded, also
 * after calls (phys_to_virt) that could have changed *pt for all the
 * compiler knows.
 */

/* log2 of the bytes one entry at walk level @wl translates */
IOPGT_INLINE unsigned f_shift(bool v7s, const struct iopgt *pt, unsigned wl)
{
	if (v7s)
		return 12u + 8u * (1u - wl);
	return pt->gshift_ + pt->stride_ * (pt->levels_ - 1 - wl);
}

IOPGT_INLINE unsigned lvl_shift(const struct iopgt *pt, unsigned wl)
{
	return f_shift(pt_is_v7s(pt), pt, wl);
}

/* index bits of a table at walk level @wl */
IOPGT_INLINE unsigned f_bits(bool v7s, const struct iopgt *pt, unsigned wl)
{
	if (v7s)
		return wl == 0 ? 12u : 8u;
	return wl == 0 ? pt->root_bits_ : pt->stride_;
}

IOPGT_INLINE unsigned lvl_bits(const struct iopgt *pt, unsigned wl)
{
	return f_bits(pt_is_v7s(pt), pt, wl);
}

/* bytes of a (non-root) table at walk level @wl */
IOPGT_INLINE size_t tbl_size(const struct iopgt *pt, unsigned wl)
{
	return (size_t)1 << (lvl_bits(pt, wl) + pt->dshift_);
}

IOPGT_INLINE unsigned lvl_index(const struct iopgt *pt, unsigned wl, uint64_t iova)
{
	return (unsigned)((iova >> lvl_shift(pt, wl)) & (BIT64(lvl_bits(pt, wl)) - 1));
}

/* Descriptor classes the codecs tell apart. */
enum dkind {
	D_INVALID = 0, /* translation fault: bit 0 (LPAE) / type bits clear */
	D_TABLE,       /* points to a next-level table */
	D_LEAF,        /* block or page (maybe one entry of a run) */
	D_BAD,         /* a reserved encoding, or one the library never writes */
};

/*
 * The codec interface. Each format family implements these as static inline
 * functions (codec_lpae.h: lpae_*, codec_v7s.h: v7s_*); the c_* dispatchers
 * below pick one.
 *
 *  leaf(pt, wl, pa, prot, run): the descriptor of the first entry of a leaf
 *      at walk level wl mapping pa with prot; run: the leaf is a contiguous
 *      run (LPAE contiguous bit; v7s supersection at wl 0, large page at
 *      wl 1). prot has been validated.
 *  run_step(pt, wl): what is added to a run's descriptor from one entry to
 *      the next (LPAE: the entry's size, as each entry holds its own output
 *      address; v7s: 0, replicated entries hold the run's base).
 *  kind(pt, wl, d, &run): the class of d; *run set for a run's entry.
 *  leaf_pa(pt, wl, d): the output address held in leaf d.
 *  leaf_prot(pt, wl, d): IOPGT_* flags that d grants.
 *  table(pt, wl, pa): a table descriptor at walk level wl for a table at pa.
 *  table_pa(pt, wl, d): the address of the table d points to.
 *  retarget(pt, wl, d, to_wl, pa, run): a leaf at to_wl, with the attributes
 *      of leaf d (at wl), mapping pa; run as for leaf().
 *  run_log2(pt, wl): log2 entries of the runs the format writes at wl (0:
 *      none) independent of pgsizes: needed to decode tables.
 */
#include "codec_lpae.h"
#include "codec_v7s.h"

IOPGT_INLINE uint64_t c_leaf(const struct iopgt *pt, unsigned wl, uint64_t pa, uint32_t prot,
			      bool run)
{
	return pt_is_v7s(pt) ? v7s_leaf(pt, wl, pa, prot, run) : lpae_leaf(pt, wl, pa, prot, run);
}

/*
 * The output-address bits of a leaf that is no run:
 * c_leaf(pt, wl, pa, prot, false) is c_leaf(pt, wl, 0, prot, false) | c_leaf_addr(pt, wl, pa).
 */
IOPGT_INLINE uint64_t c_leaf_addr(const struct iopgt *pt, unsigned wl, uint64_t pa)
{
	return pt_is_v7s(pt) ? v7s_pa_bits(pt, wl, pa, false) : lpae_enc_addr(pt, pa);
}

/* The bits of which one at least is set in every descriptor that is not
 * D_INVALID (LPAE: valid; v7s: the type field). */
IOPGT_INLINE uint64_t c_live_bits(const struct iopgt *pt)
{
	return pt_is_v7s(pt) ? V7S_TYPE_MASK : LPAE_VALID;
}

IOPGT_INLINE uint64_t c_run_step(const struct iopgt *pt, unsigned wl)
{
	return pt_is_v7s(pt) ? 0 : BIT64(lvl_shift(pt, wl));
}

IOPGT_INLINE enum dkind f_kind(bool v7s, const struct iopgt *pt, unsigned wl, uint64_t d, bool *run)
{
	return v7s ? v7s_kind(pt, wl, d, run) : lpae_kind(pt, wl, d, run);
}

IOPGT_INLINE enum dkind c_kind(const struct iopgt *pt, unsigned wl, uint64_t d, bool *run)
{
	return f_kind(pt_is_v7s(pt), pt, wl, d, run);
}

/*
 * c_kind() of a descriptor that c_kind() classified as D_INVALID, D_TABLE or
 * D_LEAF before and that nothing wrote since: the commit pass of map and
 * unmap, after their prepare pass. v7s skips the canonical check.
 */
IOPGT_INLINE enum dkind c_kind_again(const struct iopgt *pt, unsigned wl, uint64_t d, bool *run)
{
	return pt_is_v7s(pt) ? v7s_kind_again(wl, d, run) : lpae_kind(pt, wl, d, run);
}

IOPGT_INLINE uint64_t f_leaf_pa(bool v7s, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return v7s ? v7s_leaf_pa(pt, wl, d) : lpae_leaf_pa(pt, wl, d);
}

IOPGT_INLINE uint64_t c_leaf_pa(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return f_leaf_pa(pt_is_v7s(pt), pt, wl, d);
}

IOPGT_INLINE uint32_t f_leaf_prot(bool v7s, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return v7s ? v7s_leaf_prot(pt, wl, d) : lpae_leaf_prot(pt, wl, d);
}

IOPGT_INLINE uint32_t c_leaf_prot(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return f_leaf_prot(pt_is_v7s(pt), pt, wl, d);
}

IOPGT_INLINE uint64_t c_table(const struct iopgt *pt, unsigned wl, uint64_t pa)
{
	return pt_is_v7s(pt) ? v7s_table(pt, wl, pa) : lpae_table(pt, wl, pa);
}

IOPGT_INLINE uint64_t f_table_pa(bool v7s, const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return v7s ? v7s_table_pa(pt, wl, d) : lpae_table_pa(pt, wl, d);
}

IOPGT_INLINE uint64_t c_table_pa(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return f_table_pa(pt_is_v7s(pt), pt, wl, d);
}

IOPGT_INLINE uint64_t c_retarget(const struct iopgt *pt, unsigned wl, uint64_t d,
				  unsigned to_wl, uint64_t pa, bool run)
{
	return pt_is_v7s(pt) ? v7s_retarget(pt, wl, d, to_wl, pa, run)
			     : lpae_retarget(pt, wl, d, to_wl, pa, run);
}

IOPGT_INLINE bool c_can_retarget(const struct iopgt *pt, unsigned wl, uint64_t d, unsigned to_wl)
{
	return pt_is_v7s(pt) ? v7s_can_retarget(pt, wl, d, to_wl) : lpae_can_retarget(pt, wl, d, to_wl);
}

/* Can a leaf at @wl (a run's, with @run) hold output address @pa? */
IOPGT_INLINE bool c_can_leaf(const struct iopgt *pt, unsigned wl, uint64_t pa, bool run)
{
	return pt_is_v7s(pt) ? v7s_can_leaf(pt, wl, pa, run) : true;
}

IOPGT_INLINE unsigned c_run_log2(const struct iopgt *pt, unsigned wl)
{
	return pt_is_v7s(pt) ? v7s_run_log2(pt, wl) : lpae_run_log2(pt, wl);
}

/* Descriptor access: 8-byte (LPAE) or 4-byte (v7s) entries. */
/*
 * Atomic loads: other threads may store into the same table
 * (IOPGT_QUIRK_CONCURRENT, @conc). There, acquire: a table descriptor that
 * another call installed (release) is followed into the table it zeroed.
 * Otherwise relaxed, the same instruction as a plain load. v7s: 4-byte
 * descriptors. (Constant memory orders: a variable one would be seq_cst.)
 */
IOPGT_INLINE uint64_t f_load(bool v7s, bool conc, const void *tbl, size_t idx)
{
	if (conc) {
		if (v7s)
			return __atomic_load_n(&((const uint32_t *)tbl)[idx], __ATOMIC_ACQUIRE);
		return __atomic_load_n(&((const uint64_t *)tbl)[idx], __ATOMIC_ACQUIRE);
	}
	if (v7s)
		return __atomic_load_n(&((const uint32_t *)tbl)[idx], __ATOMIC_RELAXED);
	return __atomic_load_n(&((const uint64_t *)tbl)[idx], __ATOMIC_RELAXED);
}

IOPGT_INLINE uint64_t d_load(const struct iopgt *pt, const void *tbl, size_t idx)
{
	return f_load(pt_is_v7s(pt), (pt->quirks_ & IOPGT_QUIRK_CONCURRENT) != 0, tbl, idx);
}

IOPGT_INLINE bool pt_conc(const struct iopgt *pt)
{
	return pt->quirks_ & IOPGT_QUIRK_CONCURRENT;
}

/* Concurrent calls: the mark of a table descriptor known to be synced
 * (LPAE only; v7s descriptors have no bit the walker ignores). */
IOPGT_INLINE uint64_t c_synced_mark(const struct iopgt *pt)
{
	return pt_is_v7s(pt) ? 0 : LPAE_SW_SYNCED;
}

/* Root allocation and teardown (walk.c). */
int iopgt_alloc_root(struct iopgt *pt);
void iopgt_free_all(struct iopgt *pt);

/* The region pins of IOPGT_QUIRK_CONCURRENT (walk.c). */
#define IOPGT_PIN_BYTES IOPGT_CONCURRENT_BYTES
int iopgt_alloc_pins(struct iopgt *pt);
void iopgt_free_pins(struct iopgt *pt);

/* Register values (lpae.c, v7s.c). */
void lpae_get_regs(const struct iopgt *pt, struct iopgt_regs *regs);
void v7s_get_regs(const struct iopgt *pt, struct iopgt_regs *regs);

/* Format-specific configuration checks and geometry (lpae.c, v7s.c). */
int lpae_configure(struct iopgt *pt, const struct iopgt_cfg *cfg);
int v7s_configure(struct iopgt *pt, const struct iopgt_cfg *cfg);

/* Hosted allocator (hosted.c); absent in freestanding builds. */
#if IOPGT_HOSTED
void *iopgt_hosted_alloc(void *ctx, size_t size, size_t align, uint64_t *pa);
void iopgt_hosted_free(void *ctx, void *va, uint64_t pa, size_t size);
#endif

/* Formatting without a C library (format.c). */
size_t fmt_str(char *buf, size_t len, size_t pos, const char *s);
size_t fmt_hex(char *buf, size_t len, size_t pos, uint64_t v);
size_t fmt_size(char *buf, size_t len, size_t pos, uint64_t v);

#endif /* IOPGT_INTERNAL_H */
