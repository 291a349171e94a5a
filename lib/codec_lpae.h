/* SPDX-License-Identifier: MIT */
/*
 * lib/codec_lpae.h - long-descriptor codec: VMSAv8-64 stage 1 and stage 2
 * (Arm ARM DDI0487, D8.3 "Translation table descriptor formats") and the
 * VMSAv7 long-descriptor format (DDI0406C, B3.6.1), which share the layout:
 *
 *   bit  0      valid
 *   bit  1      table (levels above the last) / page (last level); a block
 *               has bit 1 clear, and bits [1:0] = 0b01 at the last level is
 *               reserved
 *   [4:2]       stage 1 AttrIndx (index into MAIR)
 *   [5:2]       stage 2 MemAttr
 *   5           stage 1 NS
 *   [7:6]       stage 1 AP[2:1], stage 2 S2AP
 *   [9:8]       SH; in the 52-bit layout of the 4K and 16K granules
 *               (FEAT_LPA2, TCR_ELx.DS = 1 / VTCR_EL2.DS = 1) PA[51:50]
 *               instead, and shareability comes from TCR.SH0 / VTCR.SH0
 *   10          AF
 *   11          stage 1 nG
 *   [47:12]     output address (AArch32: [39:12]); with the 64K granule and
 *               a 52-bit OA, PA[51:48] sit in [15:12] (D8.3.1, FEAT_LPA);
 *               in the LPA2 layout [49:12] hold PA[49:12] (D8.3.1, D8.3.2:
 *               block, page and table descriptors alike)
 *   51          DBM (FEAT_HAFDBS): the walker may grant the write permission
 *   52          Contiguous
 *   53, 54      stage 1 PXN, UXN/XN; stage 2 XN[1:0] (D8.4.2)
 *   63          table descriptors: NSTable
 */
#ifndef IOPGT_CODEC_LPAE_H
#define IOPGT_CODEC_LPAE_H

#include "internal.h"

#define LPAE_VALID    BIT64(0)
#define LPAE_TYPE     BIT64(1)
#define LPAE_NS       BIT64(5)
#define LPAE_AP_UNPRIV BIT64(6)  /* stage 1 AP[1]: EL0 access */
#define LPAE_AP_RDONLY BIT64(7)  /* stage 1 AP[2]: read-only */
/* bit 7 is also the one the walker changes to mark a DBM leaf dirty */
#define LPAE_DIRTY_BIT BIT64(7)
#define LPAE_S2AP_R   BIT64(6)
#define LPAE_S2AP_W   BIT64(7)
#define LPAE_SH_OS    ((uint64_t)2 << 8)
#define LPAE_SH_IS    ((uint64_t)3 << 8)
#define LPAE_AF       BIT64(10)
#define LPAE_NG       BIT64(11)
#define LPAE_DBM      BIT64(51)
#define LPAE_CONT     BIT64(52)
#define LPAE_PXN      BIT64(53)
#define LPAE_UXN      BIT64(54)
#define LPAE_S2_XN    BIT64(54)  /* XN[1:0] = 0b10: not executable at any EL */
#define LPAE_NSTABLE  BIT64(63)
/* Table descriptors, bit 55: ignored by the walker (Arm ARM D8.3.1, the
 * table descriptor's IGNORED bits [58:51]). IOPGT_QUIRK_CONCURRENT: set on
 * a link that is known to have been synced. */
#define LPAE_SW_SYNCED BIT64(55)

/* stage 1 MAIR indices and attributes, as Linux's io-pgtable uses them */
#define LPAE_MAIR_IDX_NC    0u
#define LPAE_MAIR_IDX_WB    1u
#define LPAE_MAIR_IDX_DEV   2u
#define LPAE_MAIR_IDX_INC_OWB 3u
#define LPAE_MAIR_VALUE     (0x44ull | 0xffull << 8 | 0x04ull << 16 | 0xf4ull << 24)

/* stage 2 MemAttr[3:0] (D8.5.5), and with FEAT_S2FWB (D8.5.6) */
#define LPAE_S2_MEMATTR_DEV   0x1ull
#define LPAE_S2_MEMATTR_NC    0x5ull
#define LPAE_S2_MEMATTR_WB    0xfull
#define LPAE_S2FWB_MEMATTR_WB 0x6ull

/* attribute bits carried over when a leaf is rewritten at another level
 * (lpae_attr_mask(): without the output-address bits the layout keeps in
 * [9:8]) */
#define LPAE_ATTR_MASK (MASK64(11, 2) | MASK64(63, 50))

/* "no run": a log2 of entries larger than any table's index bits */
#define LPAE_NO_RUN 31u

/* The 64K granule's 52-bit OA layout (FEAT_LPA): PA[51:48] in [15:12]. */
IOPGT_INLINE bool lpae_pa52(const struct iopgt *pt)
{
	return pt->gshift_ == 16 && pt->oas_ > 48;
}

/* The highest output-address bit held in place: AArch32 39, AArch64 47,
 * the LPA2 layout 49. */
IOPGT_INLINE unsigned lpae_addr_top(const struct iopgt *pt)
{
	if (pt->fmt_ == IOPGT_FMT_ARM32_S1 || pt->fmt_ == IOPGT_FMT_ARM32_S2)
		return 39;
	return pt->ds_ ? 49 : 47;
}

/* Output addresses above 2^48: the OAS is 52 (AArch64 allows nothing
 * between 48 and 52). */
IOPGT_INLINE bool lpae_oa52(const struct iopgt *pt)
{
	return pt->oas_ == 52;
}

/*
 * The output-address bits a 52-bit layout holds apart from the others
 * (D8.3.1): the 64K granule PA[51:48] in bits [15:12] (FEAT_LPA), the LPA2
 * layout PA[51:50] in bits [9:8]. Which one, once the OAS is 52: the LPA2
 * layout keeps bits [49:48] in place (oa_bits_), the other does not; the
 * walks already hold oa_bits_, so they need no other field for it.
 */
#define LPAE_HI_64K  MASK64(15, 12)
#define LPAE_HI_LPA2 MASK64(9, 8)

IOPGT_INLINE bool lpae_hi_lpa2(const struct iopgt *pt)
{
	return (pt->oa_bits_ & BIT64(49)) != 0;
}

/* The lowest address bit held apart: PA[48] (64K) or PA[50] (LPA2). */
IOPGT_INLINE unsigned lpae_oa_hi_pa(const struct iopgt *pt)
{
	return lpae_hi_lpa2(pt) ? 50 : 48;
}

IOPGT_INLINE uint64_t lpae_attr_mask(const struct iopgt *pt)
{
	return pt->ds_ ? LPAE_ATTR_MASK & ~LPAE_HI_LPA2 : LPAE_ATTR_MASK;
}

/*
 * The address fields, for a granule-aligned @pa: oa_bits_ holds the bits
 * kept in place (MASK64(lpae_addr_top(), 12), set by lpae_configure()).
 * An address below 2^48 has no bits held apart, whatever the layout: one
 * test of the OAS, as the 48-bit formats always made, keeps their path as
 * it was.
 */
IOPGT_INLINE uint64_t lpae_enc_addr(const struct iopgt *pt, uint64_t pa)
{
	if (lpae_oa52(pt))
		return lpae_hi_lpa2(pt) ? (pa & MASK64(49, 12)) | ((pa >> 42) & LPAE_HI_LPA2)
					: (pa & MASK64(47, 12)) | ((pa >> 36) & LPAE_HI_64K);
	return pa & MASK64(47, 12);
}

IOPGT_INLINE uint64_t lpae_dec_addr(const struct iopgt *pt, uint64_t d, unsigned shift)
{
	uint64_t pa = d & pt->oa_bits_ & ~(BIT64(shift) - 1);

	if (lpae_oa52(pt))
		pa |= lpae_hi_lpa2(pt) ? (d & LPAE_HI_LPA2) << 42 : (d & LPAE_HI_64K) << 36;
	return pa;
}

/*
 * May walk level wl hold a block (or page) architecturally? D8.3.1: 4K
 * blocks at levels 1 and 2, and 0 in the LPA2 layout (512G); 16K at level
 * 2, and 1 in the LPA2 layout (64G); 64K at level 2, and 1 with FEAT_LPA
 * (4T). Level -1 (4K, LPA2) holds tables only.
 */
IOPGT_INLINE bool lpae_block_ok(const struct iopgt *pt, unsigned wl)
{
	const int lvl = pt->start_lvl_ + (int)wl;

	if (wl == (unsigned)pt->levels_ - 1)
		return true;
	if (pt->gshift_ == 12)
		return lvl >= (pt->ds_ ? 0 : 1);
	if (pt->gshift_ == 14)
		return lvl >= (pt->ds_ ? 1 : 2);
	return lvl >= 2 || (lvl == 1 && lpae_pa52(pt));
}

/*
 * D8.7.1 "The Contiguous bit": 4K: 16 entries; 16K: 128 at level 3, 32 at
 * level 2; 64K: 32. The bit is RES0 in the blocks of the levels that LPA2
 * adds, 4K level 0 and 16K level 1, and in the 4T blocks that FEAT_LPA
 * adds at 64K level 1: LPAE_NO_RUN there (and at the levels that hold
 * tables only).
 */
IOPGT_INLINE unsigned lpae_run_log2(const struct iopgt *pt, unsigned wl)
{
	const int lvl = pt->start_lvl_ + (int)wl;

	if (pt->gshift_ == 12)
		return lvl >= 1 ? 4 : LPAE_NO_RUN;
	if (pt->gshift_ == 14)
		return lvl == 3 ? 7 : lvl == 2 ? 5 : LPAE_NO_RUN;
	return lvl >= 2 ? 5 : LPAE_NO_RUN;
}

IOPGT_INLINE uint64_t lpae_leaf(const struct iopgt *pt, unsigned wl, uint64_t pa, uint32_t prot,
				 bool run)
{
	uint64_t d = lpae_enc_addr(pt, pa) | LPAE_VALID;
	/* IOPGT_QUIRK_HW_DIRTY: a writable leaf starts writable-clean */
	const bool dbm = (prot & IOPGT_WRITE) && (pt->quirks_ & IOPGT_QUIRK_HW_DIRTY);

	if (!(pt->quirks_ & IOPGT_QUIRK_HW_ACCESS))
		d |= LPAE_AF;
	if (dbm)
		d |= LPAE_DBM;
	if (wl == (unsigned)pt->levels_ - 1)
		d |= LPAE_TYPE;
	if (run)
		d |= LPAE_CONT;
	/* the LPA2 layout has no SH field: TCR.SH0 / VTCR.SH0 give it */
	if (!pt->ds_)
		d |= (prot & IOPGT_CACHE) ? LPAE_SH_IS : LPAE_SH_OS;
	if (pt_is_s2(pt)) {
		uint64_t ma;

		if (prot & IOPGT_READ)
			d |= LPAE_S2AP_R;
		if ((prot & IOPGT_WRITE) && !dbm)
			d |= LPAE_S2AP_W;
		if (prot & IOPGT_MMIO)
			ma = LPAE_S2_MEMATTR_DEV;
		else if (prot & IOPGT_CACHE)
			ma = (pt->quirks_ & IOPGT_QUIRK_S2FWB) ? LPAE_S2FWB_MEMATTR_WB : LPAE_S2_MEMATTR_WB;
		else
			ma = LPAE_S2_MEMATTR_NC;
		d |= ma << 2;
		if (prot & IOPGT_NOEXEC)
			d |= LPAE_S2_XN;
	} else {
		unsigned idx;

		d |= LPAE_NG;
		if (!(prot & IOPGT_WRITE) || dbm)
			d |= LPAE_AP_RDONLY;
		if (!(prot & IOPGT_PRIV))
			d |= LPAE_AP_UNPRIV;
		if (prot & IOPGT_MMIO)
			idx = LPAE_MAIR_IDX_DEV;
		else if (prot & IOPGT_CACHE)
			idx = LPAE_MAIR_IDX_WB;
		else
			idx = LPAE_MAIR_IDX_NC;
		d |= (uint64_t)idx << 2;
		if (prot & IOPGT_NOEXEC)
			d |= LPAE_UXN | LPAE_PXN;
		if (pt->quirks_ & IOPGT_QUIRK_NS)
			d |= LPAE_NS;
	}
	return d;
}

IOPGT_INLINE enum dkind lpae_kind(const struct iopgt *pt, unsigned wl, uint64_t d, bool *run)
{
	*run = false;
	if (!(d & LPAE_VALID))
		return D_INVALID;
	if (wl == (unsigned)pt->levels_ - 1) {
		if (!(d & LPAE_TYPE))
			return D_BAD;
	} else if (d & LPAE_TYPE) {
		return D_TABLE;
	} else if (!((pt->arch_lvls_ >> wl) & 1)) { /* lpae_block_ok(), set at configure */
		return D_BAD;
	}
	if (d & LPAE_CONT) {
		/* a run longer than its table (a root of a few entries), or at
		 * a level without runs, is no run the library writes, and
		 * reading it could leave the table (bit 8 + wl, set at
		 * configure from lpae_run_log2()) */
		if (!((pt->arch_lvls_ >> (8 + wl)) & 1))
			return D_BAD;
		*run = true;
	}
	return D_LEAF;
}

IOPGT_INLINE uint64_t lpae_leaf_pa(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return lpae_dec_addr(pt, d, lvl_shift(pt, wl));
}

IOPGT_INLINE uint32_t lpae_leaf_prot(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	uint32_t prot = 0;
	/* a writable-clean leaf is writable: the walker grants the permission */
	const bool dbm = (d & LPAE_DBM) && (pt->quirks_ & IOPGT_QUIRK_HW_DIRTY);

	(void)wl;
	if (pt_is_s2(pt)) {
		uint64_t ma = (d >> 2) & 0xf;

		if (d & LPAE_S2AP_R)
			prot |= IOPGT_READ;
		if ((d & LPAE_S2AP_W) || dbm)
			prot |= IOPGT_WRITE;
		if (d & LPAE_S2_XN)
			prot |= IOPGT_NOEXEC;
		if ((ma & 0xc) == 0)
			prot |= IOPGT_MMIO;
		else if (ma == ((pt->quirks_ & IOPGT_QUIRK_S2FWB) ? LPAE_S2FWB_MEMATTR_WB
								  : LPAE_S2_MEMATTR_WB))
			prot |= IOPGT_CACHE;
	} else {
		unsigned idx = (unsigned)(d >> 2) & 7;

		prot |= IOPGT_READ;
		if (!(d & LPAE_AP_RDONLY) || dbm)
			prot |= IOPGT_WRITE;
		if (!(d & LPAE_AP_UNPRIV))
			prot |= IOPGT_PRIV;
		if (d & LPAE_UXN)
			prot |= IOPGT_NOEXEC;
		if (idx == LPAE_MAIR_IDX_DEV)
			prot |= IOPGT_MMIO;
		else if (idx == LPAE_MAIR_IDX_WB || idx == LPAE_MAIR_IDX_INC_OWB)
			prot |= IOPGT_CACHE;
	}
	return prot;
}

IOPGT_INLINE uint64_t lpae_table(const struct iopgt *pt, unsigned wl, uint64_t pa)
{
	uint64_t d = lpae_enc_addr(pt, pa) | LPAE_VALID | LPAE_TYPE;

	(void)wl;
	/* concurrent calls: a link stored by the passes lies inside the
	 * call's range, where no other call walks before it returns, synced */
	if (pt->quirks_ & IOPGT_QUIRK_CONCURRENT)
		d |= LPAE_SW_SYNCED;
	if (!pt_is_s2(pt) && (pt->quirks_ & IOPGT_QUIRK_NS))
		d |= LPAE_NSTABLE;
	return d;
}

IOPGT_INLINE uint64_t lpae_table_pa(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	(void)wl;
	return lpae_dec_addr(pt, d, pt->gshift_);
}

IOPGT_INLINE uint64_t lpae_retarget(const struct iopgt *pt, unsigned wl, uint64_t d,
				     unsigned to_wl, uint64_t pa, bool run)
{
	uint64_t n = (d & lpae_attr_mask(pt) & ~LPAE_CONT) | lpae_enc_addr(pt, pa) | LPAE_VALID;

	(void)wl;
	if (to_wl == (unsigned)pt->levels_ - 1)
		n |= LPAE_TYPE;
	if (run)
		n |= LPAE_CONT;
	return n;
}

IOPGT_INLINE bool lpae_can_retarget(const struct iopgt *pt, unsigned wl, uint64_t d,
				     unsigned to_wl)
{
	(void)pt; (void)wl; (void)d; (void)to_wl;
	return true;
}

/*
 * A leaf exactly as lpae_retarget() would write it at its own level for its
 * own output address, which lies below 2^OAS: no bit of the address field
 * below the leaf's size and none above the format's address (AArch64:
 * bits [49:48] outside the LPA2 layout), D8.3.1. Attributes are any (in
 * the LPA2 layout bits [9:8] are address bits, and held to it).
 */
IOPGT_INLINE bool lpae_leaf_canon(const struct iopgt *pt, unsigned wl, uint64_t d, bool run)
{
	const uint64_t pa = lpae_leaf_pa(pt, wl, d);

	return d == lpae_retarget(pt, wl, d, wl, pa, run) && !(pa >> pt->oas_);
}

/* A table descriptor exactly as lpae_table() writes it, but for the synced
 * mark (bit 55, which either configuration may have left). */
IOPGT_INLINE bool lpae_table_canon(const struct iopgt *pt, unsigned wl, uint64_t d)
{
	return !((d ^ lpae_table(pt, wl, lpae_table_pa(pt, wl, d))) & ~LPAE_SW_SYNCED);
}

/* What two leaves must share to be parts of one: the attribute fields
 * verbatim, without the contiguous bit (each leaf level holds them at the
 * same places). */
IOPGT_INLINE uint64_t lpae_leaf_key(const struct iopgt *pt, uint64_t d)
{
	return d & lpae_attr_mask(pt) & ~LPAE_CONT;
}

/*
 * The state the walker keeps in leaves (IOPGT_QUIRK_HW_DIRTY, _HW_ACCESS;
 * Arm ARM DDI0487, chapter D8, "Hardware management of the Access flag"
 * and "Hardware management of the dirty state"). A leaf with DBM set is
 * writable-clean while the walker withholds the write permission (stage 1
 * AP[2] = 1, stage 2 S2AP[1] = 0) and writable-dirty once its first write
 * granted it (AP[2] = 0, S2AP[1] = 1): bit 7 either way, set at stage 2 and
 * clear at stage 1 when dirty. A leaf with AF set is young. The walker
 * only ever adds state (marks dirty, sets AF); the library takes it away
 * (cleans, clears AF) with a compare-and-swap.
 */
IOPGT_INLINE bool lpae_dirty(const struct iopgt *pt, uint64_t d)
{
	return (d & LPAE_DBM) && ((d & LPAE_DIRTY_BIT) != 0) == pt_is_s2(pt);
}

IOPGT_INLINE bool lpae_young(uint64_t d)
{
	return (d & LPAE_AF) != 0;
}

IOPGT_INLINE uint64_t lpae_clean(const struct iopgt *pt, uint64_t d)
{
	return pt_is_s2(pt) ? d & ~LPAE_DIRTY_BIT : d | LPAE_DIRTY_BIT;
}

IOPGT_INLINE uint64_t lpae_old(uint64_t d)
{
	return d & ~LPAE_AF;
}

/* @d with the state of @from added: dirty if @from is (and @d has DBM), young if @from is */
IOPGT_INLINE uint64_t lpae_hw_merge(const struct iopgt *pt, uint64_t d, uint64_t from)
{
	if ((d & LPAE_DBM) && lpae_dirty(pt, from))
		d = pt_is_s2(pt) ? d | LPAE_DIRTY_BIT : d & ~LPAE_DIRTY_BIT;
	if ((pt->quirks_ & IOPGT_QUIRK_HW_ACCESS) && lpae_young(from))
		d |= LPAE_AF;
	return d;
}

/* @d clean and (with HW_ACCESS) old: what the entries of a run agree on */
IOPGT_INLINE uint64_t lpae_hw_norm(const struct iopgt *pt, uint64_t d)
{
	if ((pt->quirks_ & IOPGT_QUIRK_HW_DIRTY) && (d & LPAE_DBM))
		d = lpae_clean(pt, d);
	if (pt->quirks_ & IOPGT_QUIRK_HW_ACCESS)
		d = lpae_old(d);
	return d;
}

#endif /* IOPGT_CODEC_LPAE_H */
