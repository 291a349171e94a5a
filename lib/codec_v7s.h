/* SPDX-License-Identifier: MIT */
/*
 * lib/codec_v7s.h - the VMSAv7 short-descriptor codec (IOPGT_FMT_ARMV7S).
 *
 * Included by codec.h only. References are to the ARMv7-A/R Architecture
 * Reference Manual, DDI0406C: B3.5 (short-descriptor translation table
 * format), B3.5.1 (descriptor formats), B3.6 (access permissions, with
 * SCTLR.AFE = 1: AP[0] is the access flag, AP[2:1] the simplified model),
 * B3.8.2 (TEX remap, SCTLR.TRE = 1).
 *
 * Walk level 0 is v7s level 1: 4096 4-byte entries of 1 MiB each:
 *
 *   page table   [31:10] base, [8:5] domain, [3] NS, [1:0] = 0b01
 *   section      [31:20] base, [19] NS, [18] = 0, [17] nG, [16] S,
 *                [15] AP[2], [14:12] TEX, [11:10] AP[1:0], [9] impl. def.,
 *                [8:5] domain, [4] XN, [3] C, [2] B, [1:0] = 0b10
 *   supersection as a section, but [18] = 1, [31:24] PA[31:24],
 *                [23:20] PA[35:32], [8:5] PA[39:36] (no domain: 0);
 *                written as 16 identical entries (B3.5.1, "supersections")
 *
 * Walk level 1 is v7s level 2: 256 4-byte entries of 4 KiB each:
 *
 *   small page   [31:12] base, [11] nG, [10] S, [9] AP[2], [8:6] TEX,
 *                [5:4] AP[1:0], [3] C, [2] B, [1] = 1, [0] XN
 *   large page   [31:16] base, [15] XN, [14:12] TEX, [11] nG, [10] S,
 *                [9] AP[2], [8:6] 0, [5:4] AP[1:0], [3] C, [2] B,
 *                [1:0] = 0b01; written as 16 identical entries
 *
 * The attributes iopgt writes are those Linux's io-pgtable writes for the
 * same prot flags: nG and S on every leaf; AP[0] = 1 (access flag), AP[1] =
 * unprivileged access allowed (no IOPGT_PRIV), AP[2] = read-only (no
 * IOPGT_WRITE); XN for IOPGT_NOEXEC; TEX[0]:C:B is the TEX remap index
 * (B3.8.2): 1 = Device (IOPGT_MMIO), 4 = Normal non-cacheable, 7 = Normal
 * write-back write-allocate (IOPGT_CACHE), see v7s_get_regs() for PRRR/NMRR.
 * With IOPGT_QUIRK_NO_PERMS no AP or XN bit is written. Domain 0 everywhere.
 *
 * IOPGT_QUIRK_MTK_EXT (MediaTek M4U): PA[32], PA[33], PA[34] are held in
 * descriptor bits 9, 4 and 5 of sections, supersections, small and large
 * pages (the M4U ignores the AP and XN bits there: the quirk needs
 * NO_PERMS). Supersections then use these bits too, not the extended base.
 *
 * Descriptors travel as uint64_t holding the 32-bit value. A descriptor is a
 * leaf (D_LEAF) only if it is exactly what v7s_leaf() writes for its own
 * output address and attributes: anything else is D_BAD, so that tables the
 * library did not write are noticed (iopgt_lookup: IOPGT_ERR_CORRUPT).
 */
#ifndef IOPGT_CODEC_V7S_H
#define IOPGT_CODEC_V7S_H

#include "internal.h"

/* Descriptor bits (B3.5.1). */
#define V7S_TYPE_MASK     0x3u
#define V7S_L1_TABLE      0x1u   /* page table descriptor */
#define V7S_L1_SECT       0x2u   /* section or supersection; 0b11: PXN / reserved */
#define V7S_L2_LARGE      0x1u
#define V7S_L2_SMALL      0x2u   /* bit 1 set; bit 0 is XN */
#define V7S_B             (1u << 2)
#define V7S_C             (1u << 3)
#define V7S_TBL_NS        (1u << 3)
#define V7S_SECT_XN       (1u << 4)
#define V7S_SECT_SUPER    (1u << 18)
#define V7S_SECT_NS       (1u << 19)
#define V7S_SMALL_XN      (1u << 0)
#define V7S_LARGE_XN      (1u << 15)
#define V7S_LARGE_TEX_SHIFT 12
#define V7S_MTK_PA32      (1u << 9)
#define V7S_MTK_PA33      (1u << 4)
#define V7S_MTK_PA34      (1u << 5)

/*
 * The 8-bit attribute block AP[0], AP[1], TEX[2:0], AP[2], S, nG sits at
 * bits [17:10] of a section and bits [11:4] of a small page.
 */
#define V7S_A_AP0         (1u << 0)  /* access flag */
#define V7S_A_AP1         (1u << 1)  /* unprivileged access */
#define V7S_A_TEX_SHIFT   2
#define V7S_A_AP2         (1u << 5)  /* read-only */
#define V7S_A_S           (1u << 6)
#define V7S_A_NG          (1u << 7)

/* TEX remap indices TEX[0]:C:B (B3.8.2) */
#define V7S_IDX_DEVICE    1u
#define V7S_IDX_NC        4u
#define V7S_IDX_WBWA      7u

IOPGT_INLINE unsigned v7s_attr_shift(unsigned wl)
{
	return wl == 0 ? 10 : 4;
}

IOPGT_INLINE bool v7s_mtk(const struct iopgt *pt)
{
	return (pt->quirks_ & IOPGT_QUIRK_MTK_EXT) != 0;
}

IOPGT_INLINE bool v7s_perms(const struct iopgt *pt)
{
	return (pt->quirks_ & IOPGT_QUIRK_NO_PERMS) == 0;
}

/* The output address field of a leaf. */
IOPGT_INLINE uint32_t v7s_pa_bits(const struct iopgt *pt, unsigned wl, uint64_t pa, bool run)
{
	uint32_t d;

	if (wl == 0)
		d = (uint32_t)pa & (run ? 0xff000000u : 0xfff00000u);
	else
		d = (uint32_t)pa & (run ? 0xffff0000u : 0xfffff000u);
	if (v7s_mtk(pt)) {
		if (pa & BIT64(32))
			d |= V7S_MTK_PA32;
		if (pa & BIT64(33))
			d |= V7S_MTK_PA33;
		if (pa & BIT64(34))
			d |= V7S_MTK_PA34;
	} else if (wl == 0 && run) {
		/* supersection extended base address: PA[35:32], PA[39:36] */
		d |= (uint32_t)((pa >> 32) & 0xf) << 20;
		d |= (uint32_t)((pa >> 36) & 0xf) << 5;
	}
	return d;
}

IOPGT_INLINE uint64_t v7s_leaf(const struct iopgt *pt, unsigned wl, uint64_t pa, uint32_t prot,
				bool run)
{
	bool perms = v7s_perms(pt);
	uint32_t a = V7S_A_NG | V7S_A_S, d, idx, tex;

	if (prot & IOPGT_MMIO)
		idx = V7S_IDX_DEVICE;
	else if (prot & IOPGT_CACHE)
		idx = V7S_IDX_WBWA;
	else
		idx = V7S_IDX_NC;
	tex = idx >> 2;
	if (perms) {
		a |= V7S_A_AP0;
		if (!(prot & IOPGT_PRIV))
			a |= V7S_A_AP1;
		if (!(prot & IOPGT_WRITE))
			a |= V7S_A_AP2;
	}
	d = (idx & 3u) << 2; /* C:B */
	if (wl == 0) {
		d |= (a | tex << V7S_A_TEX_SHIFT) << v7s_attr_shift(0);
		d |= V7S_L1_SECT;
		if (run)
			d |= V7S_SECT_SUPER;
		if (perms && (prot & IOPGT_NOEXEC))
			d |= V7S_SECT_XN;
		if (pt->quirks_ & IOPGT_QUIRK_NS)
			d |= V7S_SECT_NS;
	} else if (!run) {
		d |= (a | tex << V7S_A_TEX_SHIFT) << v7s_attr_shift(1);
		d |= V7S_L2_SMALL;
		if (perms && (prot & IOPGT_NOEXEC))
			d |= V7S_SMALL_XN;
	} else {
		d |= a << v7s_attr_shift(1);
		d |= tex << V7S_LARGE_TEX_SHIFT;
		d |= V7S_L2_LARGE;
		if (perms && (prot & IOPGT_NOEXEC))
			d |= V7S_LARGE_XN;
	}
	return d | v7s_pa_bits(pt, wl, pa, run);
}

/* Whether leaf descriptor d (of a known type) is a supersection/large page. */
IOPGT_INLINE bool v7s_is_run(unsigned wl, uint32_t d)
{
	return wl == 0 ? (d & V7S_SECT_SUPER) != 0 : (d & V7S_TYPE_MASK) == V7S_L2_LARGE;
}

IOPGT_INLINE uint64_t v7s_leaf_pa(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	uint32_t v = (uint32_t)d;
	bool run = v7s_is_run(wl, v);
	uint64_t pa;

	if (wl == 0)
		pa = v & (run ? 0xff000000u : 0xfff00000u);
	else
		pa = v & (run ? 0xffff0000u : 0xfffff000u);
	if (v7s_mtk(pt)) {
		if (v & V7S_MTK_PA32)
			pa |= BIT64(32);
		if (v & V7S_MTK_PA33)
			pa |= BIT64(33);
		if (v & V7S_MTK_PA34)
			pa |= BIT64(34);
	} else if (wl == 0 && run) {
		pa |= (uint64_t)((v >> 20) & 0xf) << 32;
		pa |= (uint64_t)((v >> 5) & 0xf) << 36;
	}
	return pa;
}

IOPGT_INLINE uint32_t v7s_leaf_prot(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	uint32_t v = (uint32_t)d, a, tex, idx, xn, prot = IOPGT_READ;

	if (wl == 0) {
		a = (v >> v7s_attr_shift(0)) & 0xff;
		tex = (a >> V7S_A_TEX_SHIFT) & 7;
		xn = v & V7S_SECT_XN;
	} else if ((v & V7S_TYPE_MASK) == V7S_L2_LARGE) {
		a = (v >> v7s_attr_shift(1)) & 0xff;
		tex = (v >> V7S_LARGE_TEX_SHIFT) & 7;
		xn = v & V7S_LARGE_XN;
	} else {
		a = (v >> v7s_attr_shift(1)) & 0xff;
		tex = (a >> V7S_A_TEX_SHIFT) & 7;
		xn = v & V7S_SMALL_XN;
	}
	idx = (tex & 1u) << 2 | ((v >> 2) & 3u);
	if (idx == V7S_IDX_DEVICE)
		prot |= IOPGT_MMIO;
	else if (idx == V7S_IDX_WBWA)
		prot |= IOPGT_CACHE;
	if (!v7s_perms(pt))
		return prot | IOPGT_WRITE;
	if (!(a & V7S_A_AP2))
		prot |= IOPGT_WRITE;
	if (!(a & V7S_A_AP1))
		prot |= IOPGT_PRIV;
	if (xn)
		prot |= IOPGT_NOEXEC;
	return prot;
}

IOPGT_INLINE uint64_t v7s_table(const struct iopgt *pt, unsigned wl, uint64_t pa)
{
	uint32_t d = ((uint32_t)pa & 0xfffffc00u) | V7S_L1_TABLE;

	(void)wl;
	if (pt->quirks_ & IOPGT_QUIRK_NS)
		d |= V7S_TBL_NS;
	return d;
}

IOPGT_INLINE uint64_t v7s_table_pa(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	(void)pt;
	(void)wl;
	return (uint32_t)d & 0xfffffc00u;
}

/* Can a leaf of this shape hold an output address above 4 GiB? */
IOPGT_INLINE bool v7s_wide_pa(const struct iopgt *pt, unsigned wl, bool run)
{
	return v7s_mtk(pt) || (wl == 0 && run);
}

/*
 * Is leaf @v (walk level @wl, a run with @run, its type field checked)
 * exactly what v7s_leaf() writes for its own output address and
 * attributes? Said as the bits that must be set and those that must be
 * clear, so that no attribute is decoded and encoded again:
 *  - TEX[2:1] clear and TEX[0]:C:B one of the three remap indices;
 *  - S and nG set; with permissions AP[0] (the access flag) set, AP[1],
 *    AP[2] and XN free; without, AP[2:0] and XN clear, except where
 *    MTK_EXT keeps PA[34:32] (bits 9, 4, 5; a section's XN is bit 4);
 *  - a large page's attribute block holds no TEX (bits [8:6] clear);
 *  - sections: NS as the quirk says; bits [9:5] clear, except a
 *    supersection's PA[39:36] in [8:5] and MTK_EXT's bits 9 and 5 (and an
 *    MTK_EXT supersection holds nothing in [23:20]).
 * tests/v7s checks it against the encoder for every attribute bit pattern.
 */
/* The bits of v7s_canon() that depend on the configuration alone, for a
 * leaf at @wl (@run: supersection, large page): those that must be set
 * (*@one) among those that are checked (*@mask). v7s_configure() keeps
 * them in canon_one_ / canon_mask_, indexed by v7s_shape(). */
IOPGT_INLINE void v7s_canon_masks(const struct iopgt *pt, unsigned wl, bool run, uint32_t *one,
				  uint32_t *mask)
{
	const unsigned sh = v7s_attr_shift(wl);
	const bool large = wl == 1 && run, mtk = v7s_mtk(pt);
	uint32_t o = (V7S_A_S | V7S_A_NG) << sh, zero = 0;

	if (v7s_perms(pt)) {
		o |= V7S_A_AP0 << sh;
	} else {
		if (!mtk || wl == 0)
			zero |= (V7S_A_AP0 | V7S_A_AP1 | V7S_A_AP2) << sh;
		if (!mtk || wl == 1)
			zero |= wl == 0 ? V7S_SECT_XN : large ? V7S_LARGE_XN : V7S_SMALL_XN;
	}
	if (large)
		zero |= 7u << (sh + V7S_A_TEX_SHIFT);
	if (wl == 0) {
		if (pt->quirks_ & IOPGT_QUIRK_NS)
			o |= V7S_SECT_NS;
		else
			zero |= V7S_SECT_NS;
		if (mtk)
			zero |= 0x1c0u | (run ? 0xf00000u : 0);
		else
			zero |= run ? 0x200u : 0x3e0u;
	}
	*one = o;
	*mask = o | zero;
}

/* the index of canon_one_ / canon_mask_ for a leaf at @wl */
IOPGT_INLINE unsigned v7s_shape(unsigned wl, bool run)
{
	return wl * 2 + (run ? 1 : 0);
}

IOPGT_INLINE bool v7s_canon(const struct iopgt *pt, unsigned wl, uint32_t v, bool run)
{
	const unsigned sh = v7s_attr_shift(wl), k = v7s_shape(wl, run);
	const bool large = wl == 1 && run;
	const uint32_t tex = large ? (v >> V7S_LARGE_TEX_SHIFT) & 7u
				   : (v >> (sh + V7S_A_TEX_SHIFT)) & 7u;
	const uint32_t idx = (tex & 1u) << 2 | ((v >> 2) & 3u);

	if (tex >> 1 || !(idx == V7S_IDX_DEVICE || idx == V7S_IDX_NC || idx == V7S_IDX_WBWA))
		return false;
	return (v & pt->canon_mask_[k]) == pt->canon_one_[k];
}

/*
 * The class of @d, which v7s_kind() gave before (nothing wrote it since):
 * by the type field alone (the commit pass after the prepare pass).
 */
IOPGT_INLINE enum dkind v7s_kind_again(unsigned wl, uint64_t d, bool *run)
{
	const uint32_t t = (uint32_t)d & V7S_TYPE_MASK;

	*run = false;
	if (!t)
		return D_INVALID;
	if (wl == 0 && t == V7S_L1_TABLE)
		return D_TABLE;
	*run = v7s_is_run(wl, (uint32_t)d);
	return D_LEAF;
}

IOPGT_INLINE enum dkind v7s_kind(const struct iopgt *pt, unsigned wl, uint64_t d, bool *run)
{
	uint32_t v = (uint32_t)d;
	uint64_t pa;
	bool r;

	*run = false;
	if (d >> 32)
		return D_BAD;
	if ((v & V7S_TYPE_MASK) == 0)
		return D_INVALID;
	if (wl == 0) {
		if ((v & V7S_TYPE_MASK) == V7S_L1_TABLE)
			return d == v7s_table(pt, 0, v7s_table_pa(pt, 0, d)) ? D_TABLE : D_BAD;
		if ((v & V7S_TYPE_MASK) != V7S_L1_SECT)
			return D_BAD; /* 0b11: PXN section, never written */
	} else if (wl != 1) {
		return D_BAD;
	}
	r = v7s_is_run(wl, v);
	if (!v7s_canon(pt, wl, v, r))
		return D_BAD;
	/* an output address below 2^oas: only supersections and MTK_EXT
	 * hold bits above 31 */
	if (v7s_wide_pa(pt, wl, r) && pt->oas_ < 40) {
		pa = v7s_leaf_pa(pt, wl, d);
		if (pa >> pt->oas_)
			return D_BAD;
	}
	*run = r;
	return D_LEAF;
}

/*
 * The class of @d as the walker sees it, for iopgt_translate(): the type
 * field, the bits a table descriptor holds besides its address (domain 0,
 * NS as configured: another domain faults), a large page's bits [8:6]
 * (SBZ) and a supersection's address within the OAS; not whether the
 * attributes are ones the library writes (v7s_kind() checks that too).
 */
IOPGT_INLINE enum dkind v7s_kind_read(const struct iopgt *pt, unsigned wl, uint64_t d, bool *run)
{
	const uint32_t v = (uint32_t)d, t = v & V7S_TYPE_MASK;

	*run = false;
	if (!t)
		return D_INVALID;
	if (wl == 0) {
		if (t == V7S_L1_TABLE)
			return (v & 0x3ffu) == (uint32_t)v7s_table(pt, 0, 0) ? D_TABLE : D_BAD;
		if (t != V7S_L1_SECT)
			return D_BAD;
		if (v & V7S_SECT_SUPER) {
			if (!v7s_mtk(pt) && pt->oas_ < 40 && v7s_leaf_pa(pt, 0, d) >> pt->oas_)
				return D_BAD;
			*run = true;
		}
		return D_LEAF;
	}
	if (t == V7S_L2_LARGE) {
		if (v & 0x1c0u)
			return D_BAD;
		*run = true;
	}
	return D_LEAF;
}

IOPGT_INLINE uint64_t v7s_retarget(const struct iopgt *pt, unsigned wl, uint64_t d,
				    unsigned to_wl, uint64_t pa, bool run)
{
	return v7s_leaf(pt, to_wl, pa, v7s_leaf_prot(pt, wl, d), run);
}

/*
 * Whether leaf d at wl can be rewritten at to_wl (a split). Without MTK_EXT
 * only supersections hold output addresses above 4 GiB: the sections and
 * pages a split would write cannot.
 */
IOPGT_INLINE bool v7s_can_retarget(const struct iopgt *pt, unsigned wl, uint64_t d,
				    unsigned to_wl)
{
	(void)to_wl;
	return v7s_mtk(pt) || (v7s_leaf_pa(pt, wl, d) >> 32) == 0;
}

/*
 * Whether a leaf at wl (run: supersection / large page) can hold output
 * address pa below 2^oas: without MTK_EXT, sections and pages hold only
 * 32-bit addresses.
 */
IOPGT_INLINE bool v7s_can_leaf(const struct iopgt *pt, unsigned wl, uint64_t pa, bool run)
{
	return v7s_mtk(pt) || (wl == 0 && run) || (pa >> 32) == 0;
}

IOPGT_INLINE unsigned v7s_run_log2(const struct iopgt *pt, unsigned wl)
{
	(void)pt;
	(void)wl;
	return 4; /* 16 supersection entries at level 1, 16 large page entries at level 2 */
}

/*
 * Parking (compaction's break-before-make): a descriptor made invalid so
 * that it can be made what it was again. A fault entry has type 0b00 and
 * the walker ignores bits [31:2] (B3.5.1), which keep the rest; what the
 * type field held is kept in bits that are known in every descriptor
 * v7s_kind() accepts:
 *  - level 1 (walk level 0): a page table descriptor has bits [9:4] clear
 *    (domain 0), and so has bit 7 every section (B3.5.1; v7s_canon() wants
 *    [9:5] clear, with MTK_EXT [8:6]): a parked table has bit 7 set, a
 *    parked section has it clear. Supersections are never parked.
 *  - level 2: a small page has S (bit 10) set always; a parked one keeps
 *    its XN (bit 0) there. Large pages are never parked.
 */
IOPGT_INLINE uint64_t v7s_park(unsigned wl, uint64_t d)
{
	const uint32_t v = (uint32_t)d;

	if (wl == 0)
		return (v & ~V7S_TYPE_MASK) | ((v & V7S_TYPE_MASK) == V7S_L1_TABLE ? 1u << 7 : 0);
	return (v & ~(V7S_TYPE_MASK | 1u << 10)) | (v & V7S_SMALL_XN) << 10;
}

IOPGT_INLINE uint64_t v7s_unpark(unsigned wl, uint64_t p)
{
	const uint32_t v = (uint32_t)p;

	if (wl == 0)
		return (v & (1u << 7)) ? (v & ~(1u << 7)) | V7S_L1_TABLE : v | V7S_L1_SECT;
	return v | 1u << 10 | V7S_L2_SMALL | ((v >> 10) & V7S_SMALL_XN);
}

#endif /* IOPGT_CODEC_V7S_H */
