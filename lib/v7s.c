/* SPDX-License-Identifier: MIT */
/*
 * lib/v7s.c - VMSAv7 short-descriptor format: configuration checks,
 * geometry and register values. The descriptor codec is codec_v7s.h.
 *
 * References: ARMv7-A/R Architecture Reference Manual, DDI0406C: B3.5
 * (short-descriptor translation table format), B3.8.2 (short-descriptor
 * TEX remap), B4.1.153 (TTBR0), and the TTBCR, PRRR and NMRR register
 * descriptions in B4.1.
 */
#include "codec.h"

#define SZ_4K  BIT64(12)
#define SZ_64K BIT64(16)
#define SZ_1M  BIT64(20)
#define SZ_16M BIT64(24)

#define V7S_PGSIZES (SZ_4K | SZ_64K | SZ_1M | SZ_16M)
#define V7S_QUIRKS (IOPGT_QUIRK_NS | IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS | \
		    IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE | IOPGT_QUIRK_CONCURRENT)

/*
 * Error classes:
 * - IOPGT_ERR_INVAL: a value outside what the format defines: ias other than
 *   32; oas below 32 or above its limit (32; 40 when 16M supersections are
 *   allowed, as they carry PA[39:32]; 35 with MTK_EXT, whose PA[34:32] bits
 *   are the only extension then, as they overlap the extended base address
 *   field [8:5] of a supersection); a granule (lowest set bit of pgsizes)
 *   that is no granule at all; a size that is no v7s page, section,
 *   supersection or large page.
 * - IOPGT_ERR_NOTSUP: well-formed, but v7s cannot do it: a quirk v7s does
 *   not have; a granule of another format (16K, 64K: short descriptors have
 *   only 4K pages); MTK_EXT without NO_PERMS (the PA bits 9, 4, 5 of pages
 *   are AP[2], AP[0], AP[1], and bit 4 of sections is XN: one descriptor
 *   cannot hold both).
 */
int v7s_configure(struct iopgt *pt, const struct iopgt_cfg *cfg)
{
	/* cfg's values where given: pt's 8-bit copies of ias/oas may be truncated */
	unsigned ias = cfg ? cfg->ias : pt->ias_;
	unsigned oas = cfg ? cfg->oas : pt->oas_;
	uint32_t quirks = cfg ? cfg->quirks : pt->quirks_;
	uint64_t sizes = cfg ? cfg->pgsizes : pt->pgsizes_;
	uint64_t granule;
	unsigned max_oas;

	if (!sizes)
		sizes = V7S_PGSIZES;
	granule = sizes & (~sizes + 1);
	if (quirks & ~(uint32_t)V7S_QUIRKS)
		return IOPGT_ERR_NOTSUP;
	if ((quirks & IOPGT_QUIRK_MTK_EXT) && !(quirks & IOPGT_QUIRK_NO_PERMS))
		return IOPGT_ERR_NOTSUP;
	if ((quirks & IOPGT_QUIRK_NO_SPLIT) && (quirks & IOPGT_QUIRK_SPLIT_IN_PLACE))
		return IOPGT_ERR_INVAL; /* contradictory, as for the long-descriptor formats */
	if (ias != 32)
		return IOPGT_ERR_INVAL;
	if (granule == BIT64(14) || granule == BIT64(16))
		return IOPGT_ERR_NOTSUP;
	if (granule != SZ_4K || (sizes & ~V7S_PGSIZES))
		return IOPGT_ERR_INVAL;
	if (quirks & IOPGT_QUIRK_MTK_EXT)
		max_oas = 35;
	else if (sizes & SZ_16M)
		max_oas = 40;
	else
		max_oas = 32;
	if (oas < 32 || oas > max_oas)
		return IOPGT_ERR_INVAL;

	pt->pgsizes_ = sizes;
	pt->levels_ = 2;
	pt->start_lvl_ = 1;
	pt->dshift_ = 2;
	pt->gshift_ = 12;
	pt->stride_ = 8;
	pt->root_bits_ = 12;
	pt->leaf_lvls_ = (uint8_t)(((sizes & SZ_1M) ? 1u : 0u) | ((sizes & SZ_4K) ? 2u : 0u));
	pt->contig_[0] = (sizes & SZ_16M) ? 4 : 0;
	pt->contig_[1] = (sizes & SZ_64K) ? 4 : 0;
	pt->contig_[2] = 0;
	pt->contig_[3] = 0;
	pt->va_base_ = 0;
	for (unsigned wl = 0; wl < 2; wl++)
		for (unsigned run = 0; run < 2; run++)
			v7s_canon_masks(pt, wl, run, &pt->canon_one_[v7s_shape(wl, run)],
					&pt->canon_mask_[v7s_shape(wl, run)]);
	return IOPGT_OK;
}

/* TTBR0 fields (B4.1.153, with the Multiprocessing Extensions). */
#define TTBR_IRGN1  (1u << 0)   /* IRGN[1] */
#define TTBR_S      (1u << 1)
#define TTBR_RGN(x) ((uint32_t)(x) << 3)
#define TTBR_NOS    (1u << 5)
#define TTBR_IRGN0  (1u << 6)   /* IRGN[0] */
#define RGN_WBWA    1u

/* PRRR and NMRR (B4.1): TEX remap, B3.8.2. */
#define PRRR_TR(n, t)   ((uint32_t)(t) << (2 * (n)))
#define PRRR_DEVICE     1u
#define PRRR_NORMAL     2u
#define PRRR_DS0        (1u << 16)
#define PRRR_DS1        (1u << 17)
#define PRRR_NS1        (1u << 19)
#define PRRR_NOS(n)     (1u << (24 + (n)))
#define NMRR_IR(n, a)   ((uint32_t)(a) << (2 * (n)))
#define NMRR_OR(n, a)   ((uint32_t)(a) << (2 * (n) + 16))

/*
 * Register values, the same as Linux's io-pgtable for v7s:
 * - TTBR0: the root address (16 KiB aligned, TTBCR.N = 0), S = 1; when the
 *   walker is coherent (no sync callback) inner and outer write-back
 *   write-allocate walks (IRGN = RGN = 0b01) and NOS = 1 (inner shareable),
 *   otherwise non-cacheable walks. With MTK_EXT only the address, as the
 *   M4U's base register holds nothing else.
 * - TTBCR = 0: TTBR0 translates all 4 GiB, short descriptors (EAE = 0).
 * - PRRR/NMRR: index 1 (TEX[0]:C:B = 0b001, IOPGT_MMIO) Device, index 4
 *   (0b100) Normal non-cacheable, index 7 (0b111, IOPGT_CACHE) Normal inner
 *   and outer write-back write-allocate, inner shareable (NOS7); shareable
 *   Device and Normal memory with S = 1 is treated as shareable (DS0, DS1,
 *   NS1). Other indices are unused.
 */
void v7s_get_regs(const struct iopgt *pt, struct iopgt_regs *regs)
{
	uint32_t ttbr = (uint32_t)pt->root_pa_;

	if (!(pt->quirks_ & IOPGT_QUIRK_MTK_EXT)) {
		ttbr |= TTBR_S;
		if (!pt->sync_.fn)
			ttbr |= TTBR_NOS | TTBR_RGN(RGN_WBWA) |
				((RGN_WBWA & 1u) ? TTBR_IRGN0 : 0) |
				((RGN_WBWA & 2u) ? TTBR_IRGN1 : 0);
	}
	regs->ttbr = ttbr;
	regs->tcr = 0;
	regs->mair = 0;
	regs->vttbr = 0;
	regs->vtcr = 0;
	regs->prrr = PRRR_TR(V7S_IDX_DEVICE, PRRR_DEVICE) | PRRR_TR(V7S_IDX_NC, PRRR_NORMAL) |
		     PRRR_TR(V7S_IDX_WBWA, PRRR_NORMAL) | PRRR_DS0 | PRRR_DS1 | PRRR_NS1 |
		     PRRR_NOS(V7S_IDX_WBWA);
	regs->nmrr = NMRR_IR(V7S_IDX_WBWA, RGN_WBWA) | NMRR_OR(V7S_IDX_WBWA, RGN_WBWA);
}
