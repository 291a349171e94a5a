/* SPDX-License-Identifier: MIT */
/*
 * lib/lpae.c - long-descriptor formats: configuration checks, geometry and
 * register values. The descriptor codec is in codec_lpae.h.
 */
#include "codec.h"

static bool is_a32(enum iopgt_fmt fmt)
{
	return fmt == IOPGT_FMT_ARM32_S1 || fmt == IOPGT_FMT_ARM32_S2;
}

static unsigned ilog2_u64(uint64_t v)
{
	unsigned n = 0;

	while (v >>= 1)
		n++;
	return n;
}

/*
 * Every size a configuration can produce: pages and blocks of the levels the
 * geometry has, and contiguous runs of them that fit in one table.
 */
static uint64_t lpae_possible_sizes(const struct iopgt *pt, bool with_runs)
{
	uint64_t sizes = 0;

	for (unsigned wl = 0; wl < pt->levels_; wl++) {
		unsigned s = lvl_shift(pt, wl);
		unsigned c = lpae_run_log2(pt, wl);

		if (!lpae_block_ok(pt, wl))
			continue;
		sizes |= BIT64(s);
		if (with_runs && c <= lvl_bits(pt, wl) && s + c < 64)
			sizes |= BIT64(s + c);
	}
	return sizes;
}

int lpae_configure(struct iopgt *pt, const struct iopgt_cfg *cfg)
{
	enum iopgt_fmt fmt = cfg->fmt;
	bool s2 = fmt == IOPGT_FMT_ARM64_S2 || fmt == IOPGT_FMT_ARM32_S2;
	bool a32 = is_a32(fmt);
	unsigned ias = cfg->ias, oas = cfg->oas, g, stride, levels, root_bits, last;
	uint64_t pgsizes = cfg->pgsizes ? cfg->pgsizes : BIT64(12);
	uint32_t allowed;

	/* quirks this family has */
	allowed = IOPGT_QUIRK_OUTER_WBWA | IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE |
		  IOPGT_QUIRK_CONCURRENT;
	if (!s2)
		allowed |= IOPGT_QUIRK_NS;
	if (fmt == IOPGT_FMT_ARM64_S1)
		allowed |= IOPGT_QUIRK_TTBR1;
	if (fmt == IOPGT_FMT_ARM64_S2)
		allowed |= IOPGT_QUIRK_S2FWB;
	if (!a32)
		allowed |= IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS;
	if (cfg->quirks & ~allowed)
		return IOPGT_ERR_NOTSUP;
	/* hardware updates need a coherent walker (iopgt.h, "Hardware updates") */
	if ((cfg->quirks & (IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS)) && cfg->sync.fn)
		return IOPGT_ERR_NOTSUP;
	if ((cfg->quirks & IOPGT_QUIRK_NO_SPLIT) && (cfg->quirks & IOPGT_QUIRK_SPLIT_IN_PLACE))
		return IOPGT_ERR_INVAL;

	/* granule: the lowest size in pgsizes */
	g = ilog2_u64(pgsizes & -pgsizes);
	if (g != 12 && g != 14 && g != 16)
		return IOPGT_ERR_INVAL;
	if (a32 && g != 12)
		return IOPGT_ERR_NOTSUP;

	/* input size: TxSZ limits (D8.2.6; DDI0406C B3.6.6 for AArch32) */
	if (a32) {
		if (ias < 25 || ias > (s2 ? 40u : 32u))
			return IOPGT_ERR_INVAL;
		if (oas < 32 || oas > 40)
			return IOPGT_ERR_INVAL;
	} else {
		/* up to 52 bits in and out: FEAT_LVA and FEAT_LPA (64K),
		 * FEAT_LPA2 (4K, 16K) */
		if (ias < 25 || ias > 52)
			return IOPGT_ERR_INVAL;
		if (oas < 32 || (oas > 48 && oas != 52))
			return IOPGT_ERR_INVAL;
	}

	/*
	 * The descriptor layout (D8.3.1): the 4K and 16K granules take the
	 * LPA2 one (TCR.DS = 1) exactly when an address is wider than 48
	 * bits; the 64K granule keeps its own, with PA[51:48] in [15:12]
	 * for an OAS above 48 (FEAT_LPA) and a wider level-1 root for an IAS
	 * above 48 (FEAT_LVA).
	 */
	pt->ds_ = !a32 && g != 16 && (ias > 48 || oas > 48);
	pt->oa_hi_ = 0;
	pt->oa_hi_pa_ = 0;
	pt->oa_hi_desc_ = 0;
	pt->gshift_ = (uint8_t)g;
	if (pt->ds_) {
		pt->oa_hi_ = 0x3;      /* PA[51:50] in bits [9:8] */
		pt->oa_hi_pa_ = 50;
		pt->oa_hi_desc_ = 8;
	} else if (lpae_pa52(pt)) {
		pt->oa_hi_ = 0xf;      /* PA[51:48] in bits [15:12] */
		pt->oa_hi_pa_ = 48;
		pt->oa_hi_desc_ = 12;
	}

	stride = g - 3;
	/*
	 * Levels: stage 1 resolves at most one table's worth of bits at the
	 * start level; stage 2 may concatenate up to 16 tables there, so it
	 * takes up to 4 more bits and saves a level where that suffices
	 * (D8.2.7 "Concatenated translation tables").
	 */
	if (s2) {
		levels = 1;
		while (ias - g > stride * (levels - 1) + stride + 4)
			levels++;
	} else {
		/* ceil((ias - g) / stride), without a division: 32-bit Arm
		 * targets would call a runtime helper for it */
		levels = 1;
		while (ias - g > stride * levels)
			levels++;
	}
	/* the 4K granule cannot start at level 3 (that needs FEAT_TTST); at
	 * stage 1 with an IAS above 48 it starts at level -1 (5 levels) */
	if (g == 12 && levels < 2)
		levels = 2;
	last = 3;
	for (;;) {
		root_bits = ias - g - stride * (levels - 1);
		if (a32 && levels > 3)
			return IOPGT_ERR_INVAL;
		pt->levels_ = (uint8_t)levels;
		pt->start_lvl_ = (int8_t)((int)last + 1 - (int)levels);
		pt->dshift_ = 3;
		pt->gshift_ = (uint8_t)g;
		pt->stride_ = (uint8_t)stride;
		pt->root_bits_ = (uint8_t)root_bits;
		if (!cfg->pgsizes || !(pgsizes & ~lpae_possible_sizes(pt, true)))
			break;
		/*
		 * Stage 2 concatenates to save a level; when that costs a block
		 * size pgsizes asks for (1G blocks with the 4K granule and IAS
		 * 31..34, as Linux configures it), start a level higher.
		 */
		if (!s2 || levels >= (a32 ? 3u : g == 12 ? 4u : 3u) ||
		    ias - g <= stride * levels)
			return IOPGT_ERR_INVAL;
		levels++;
	}
	pt->va_base_ = (cfg->quirks & IOPGT_QUIRK_TTBR1) ? ~(uint64_t)0 << ias : 0;
	if (!cfg->pgsizes)
		pgsizes = lpae_possible_sizes(pt, false);
	pt->pgsizes_ = pgsizes;
	pt->oa_bits_ = MASK64(lpae_addr_top(pt), 12);
	pt->arch_lvls_ = 0;
	for (unsigned wl = 0; wl < levels; wl++)
		if (lpae_block_ok(pt, wl))
			pt->arch_lvls_ |= (uint8_t)(1u << wl);
	pt->leaf_lvls_ = 0;
	for (unsigned wl = 0; wl < levels; wl++) {
		unsigned s = lvl_shift(pt, wl), c = lpae_run_log2(pt, wl);

		pt->contig_[wl] = 0;
		if (!lpae_block_ok(pt, wl))
			continue;
		if (pgsizes & BIT64(s))
			pt->leaf_lvls_ |= (uint8_t)(1u << wl);
		if (s + c < 64 && (pgsizes & BIT64(s + c)) && c <= lvl_bits(pt, wl))
			pt->contig_[wl] = (uint8_t)c;
	}
	/* the granule's page itself must be usable */
	if (!(pt->leaf_lvls_ & (1u << (levels - 1))) && !pt->contig_[levels - 1])
		return IOPGT_ERR_INVAL;
	return IOPGT_OK;
}

/* TCR/VTCR PS/IPS encoding: the smallest size >= oas (D19.2 TCR_EL1.IPS) */
static uint64_t lpae_ps(unsigned oas)
{
	static const unsigned char bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	for (unsigned i = 0; i < sizeof(bits); i++)
		if (oas <= bits[i])
			return i;
	return 6;
}

/*
 * TTBR/VTTBR BADDR: in the 52-bit layouts (the 64K granule with IPS/PS =
 * 0b110, and TCR.DS = 1), PA[51:48] go in bits [5:2] and the root is
 * aligned to at least 64 bytes (D19.2, TTBR0_EL1.BADDR; D8.2 "translation
 * table base address"), which every root is.
 */
static uint64_t lpae_baddr(const struct iopgt *pt)
{
	uint64_t pa = pt->root_pa_;

	if (pt->oa_hi_)
		return (pa & MASK64(47, 6)) | ((pa >> 48) & 0xf) << 2;
	return pa;
}

void lpae_get_regs(const struct iopgt *pt, struct iopgt_regs *regs)
{
	bool coherent = pt->sync_.fn == NULL;
	uint64_t sh, irgn, orgn, tsz = 64 - pt->ias_;
	uint64_t walk, tg0, tg1, ha, hd;

	/* walk attributes: SH, IRGN, ORGN; RGN 0b01 = write-back write-allocate */
	if (coherent) {
		sh = 3;
		irgn = 1;
		orgn = 1;
	} else {
		sh = 2;
		irgn = 0;
		orgn = (pt->quirks_ & IOPGT_QUIRK_OUTER_WBWA) ? 1 : 0;
	}
	walk = irgn << 8 | orgn << 10 | sh << 12;
	/* hardware updates: HA, and HD, which needs HA (TCR_EL1 bits 39, 40;
	 * VTCR_EL2 bits 21, 22) */
	ha = (pt->quirks_ & (IOPGT_QUIRK_HW_ACCESS | IOPGT_QUIRK_HW_DIRTY)) != 0;
	hd = (pt->quirks_ & IOPGT_QUIRK_HW_DIRTY) != 0;
	/* TG0: 4K 0b00, 64K 0b01, 16K 0b10; TG1: 16K 0b01, 4K 0b10, 64K 0b11 */
	switch (pt->gshift_) {
	case 12: tg0 = 0; tg1 = 2; break;
	case 14: tg0 = 2; tg1 = 1; break;
	default: tg0 = 1; tg1 = 3; break;
	}

	switch (pt->fmt_) {
	case IOPGT_FMT_ARM64_S1:
		regs->ttbr = lpae_baddr(pt);
		regs->mair = LPAE_MAIR_VALUE;
		if (pt->quirks_ & IOPGT_QUIRK_TTBR1)
			/* T1SZ, IRGN1/ORGN1/SH1 (bits 24..29), TG1; EPD0 (bit 7) */
			regs->tcr = tsz | BIT64(7) | tg0 << 14 | tsz << 16 | walk << 16 |
				    tg1 << 30 | lpae_ps(pt->oas_) << 32;
		else
			/* T0SZ, walk attributes, TG0; T1SZ = T0SZ, EPD1 (bit 23), TG1 */
			regs->tcr = tsz | walk | tg0 << 14 | tsz << 16 | BIT64(23) |
				    tg1 << 30 | lpae_ps(pt->oas_) << 32;
		/* DS (bit 59): the LPA2 layout, for both halves; SH0/SH1 then
		 * also give the shareability of the memory the leaves map */
		regs->tcr |= ha << 39 | hd << 40 | (uint64_t)pt->ds_ << 59;
		break;
	case IOPGT_FMT_ARM64_S2: {
		/*
		 * SL0 (D19.2 VTCR_EL2): 4K: L2 0, L1 1, L0 2; 16K/64K: L3 0,
		 * L2 1, L1 2, and 16K L0 3 (LPA2). SL2 (bit 33) stays 0: the 4K
		 * granule's level -1 (SL2 = 1, SL0 = 0) is never the start
		 * level here, as stage 2 concatenates at level 0 instead. DS
		 * (bit 32): the LPA2 layout, SH0 the shareability of the
		 * memory the leaves map.
		 */
		uint64_t sl0 = (uint64_t)((pt->gshift_ == 12 ? 2 : 3) - pt->start_lvl_);

		regs->vttbr = lpae_baddr(pt);
		regs->vtcr = tsz | sl0 << 6 | walk | tg0 << 14 | lpae_ps(pt->oas_) << 16 |
			     ha << 21 | hd << 22 | BIT64(31) | (uint64_t)pt->ds_ << 32;
		break;
	}
	case IOPGT_FMT_ARM32_S1:
		/* TTBCR (DDI0406C B4.1.153): T0SZ [2:0], EPD1 bit 23, EAE bit 31 */
		regs->ttbr = pt->root_pa_;
		regs->tcr = (32 - (uint64_t)pt->ias_) | walk | BIT64(23) | BIT64(31);
		regs->mair = LPAE_MAIR_VALUE; /* MAIR0; MAIR1 = 0 */
		break;
	case IOPGT_FMT_ARM32_S2: {
		/* VTCR (B4.1.159): T0SZ [3:0] signed, S bit 4 = T0SZ[3], SL0 [7:6]
		 * (L2 0, L1 1), walk attributes, bit 31 RES1 */
		uint64_t t0sz = (uint64_t)(32 - (int)pt->ias_) & 0xf;

		regs->vttbr = pt->root_pa_;
		regs->vtcr = t0sz | ((t0sz >> 3) & 1) << 4 | (uint64_t)(2 - pt->start_lvl_) << 6 |
			     walk | BIT64(31);
		break;
	}
	default:
		break;
	}
}
