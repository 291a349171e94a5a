/* SPDX-License-Identifier: MIT */
/*
 * tests/support/refwalk_lpae.c - a long-descriptor translation table walk as
 * the Arm Architecture Reference Manual describes it: VMSAv8-64 stage 1 and
 * stage 2 (DDI0487, chapter D8: translation table walks, descriptor formats,
 * memory attributes and access permissions) and the VMSAv7 long-descriptor
 * format used by AArch32 (DDI0406C, B3.6). The 52-bit layouts: FEAT_LPA2
 * for the 4K and 16K granules (TCR_EL1.DS, bit 59; VTCR_EL2.DS, bit 32, and
 * SL2, bit 33; D8.3.1 and D8.3.2: OA[49:n] in place, OA[51:50] in bits
 * [9:8], level -1 with 4K, blocks at 4K level 0 and 16K level 1), FEAT_LPA
 * and FEAT_LVA for 64K (OA[51:48] in bits [15:12], T0SZ down to 12).
 *
 * Written independently of the library: it shares no code and no definitions
 * with lib/. The geometry comes from the register values only (TCR_EL1 or
 * TTBCR, VTCR_EL2 or VTCR), never from the library's configuration.
 *
 * The walk is stricter than hardware where the library's contract is
 * stricter: bits the library never writes (a lone UXN or PXN, stage-2 XN
 * other than 0b00/0b10, memory attributes that are not one of the four
 * IOPGT_* types, a contiguous run whose entries disagree) are reported as
 * REFWALK_RESERVED.
 */
#include "refwalk.h"

#define B64(n) ((uint64_t)1 << (n))
#define GENMASK64(hi, lo) ((~(uint64_t)0 >> (63 - (hi))) & ~(B64(lo) - 1))

static unsigned field(uint64_t v, unsigned lo, unsigned bits)
{
	return (unsigned)((v >> lo) & (B64(bits) - 1));
}

unsigned refwalk_lpae_entry_shift(const struct refwalk_lpae_geom *g, int level)
{
	return g->gshift + g->stride * (unsigned)(3 - level);
}

/* Output-size encodings of TCR_ELx.IPS / VTCR_EL2.PS; 0b110 (52 bits) only
 * with the 64K granule or DS = 1, 48 bits otherwise. */
static int ps_bits(unsigned enc, unsigned gshift, bool ds)
{
	static const int bits[8] = { 32, 36, 40, 42, 44, 48, 52, -1 };

	if (enc == 6 && gshift != 16 && !ds)
		return 48;
	return bits[enc & 7];
}

/* The smallest TnSZ: 16, or 12 (52-bit input) with DS = 1 or the 64K
 * granule (FEAT_LVA). */
static unsigned tsz_min(unsigned gshift, bool ds)
{
	return (ds || gshift == 16) ? 12 : 16;
}

static bool root_ok(struct refwalk_lpae_geom *g, uint64_t diffbits, bool s2)
{
	/* diffbits: address bits the start level resolves */
	if (diffbits < 1)
		return false;
	if (!s2)
		return diffbits <= g->stride;
	/* stage 2: up to 16 concatenated tables, none at level 0 but with the
	 * 4K granule and DS = 1 (IPA 49..52 bits), none at level -1 */
	if (g->start_level < 0 || (g->start_level == 0 && !(g->gshift == 12 && g->ds)))
		return diffbits <= g->stride;
	return diffbits <= g->stride + 4;
}

int refwalk_lpae_geom(enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
		      struct refwalk_lpae_geom *g)
{
	uint64_t ttbr;
	unsigned diff;

	*g = (struct refwalk_lpae_geom){ 0 };
	g->s2 = fmt == IOPGT_FMT_ARM64_S2 || fmt == IOPGT_FMT_ARM32_S2;
	g->aarch32 = fmt == IOPGT_FMT_ARM32_S1 || fmt == IOPGT_FMT_ARM32_S2;

	if (fmt == IOPGT_FMT_ARM64_S1) {
		uint64_t tcr = regs->tcr;
		bool epd0 = tcr & B64(7), epd1 = tcr & B64(23);
		unsigned tsz, tg;
		int ps;

		if (epd0 == epd1)
			return REFWALK_RESERVED; /* exactly one half must walk */
		g->ttbr1 = epd0;
		if (!g->ttbr1) {
			tsz = field(tcr, 0, 6);
			tg = field(tcr, 14, 2);
			g->gshift = tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0;
		} else {
			tsz = field(tcr, 16, 6);
			tg = field(tcr, 30, 2);
			g->gshift = tg == 1 ? 14 : tg == 2 ? 12 : tg == 3 ? 16 : 0;
		}
		/* DS (bit 59) counts for the 4K and 16K granules only */
		g->ds = ((tcr >> 59) & 1) && g->gshift && g->gshift != 16;
		if (!g->gshift || tsz < tsz_min(g->gshift, g->ds) || tsz > 39)
			return REFWALK_RESERVED;
		g->ias = 64 - tsz;
		g->stride = g->gshift - 3;
		ps = ps_bits(field(tcr, 32, 3), g->gshift, g->ds);
		if (ps < 0)
			return REFWALK_RESERVED;
		g->ps = (unsigned)ps;
		g->ha = (tcr >> 39) & 1;
		g->hd = g->ha && ((tcr >> 40) & 1);
		/* the fewest levels that resolve ias bits (5 from level -1) */
		{
			unsigned levels = (g->ias - g->gshift + g->stride - 1) / g->stride;

			g->start_level = 4 - (int)levels;
		}
		ttbr = regs->ttbr;
	} else if (fmt == IOPGT_FMT_ARM64_S2) {
		uint64_t vtcr = regs->vtcr;
		unsigned tsz = field(vtcr, 0, 6), sl0 = field(vtcr, 6, 2), tg = field(vtcr, 14, 2);
		int ps;

		unsigned sl2 = field(vtcr, 33, 1);

		g->gshift = tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0;
		/* DS (bit 32) counts for the 4K and 16K granules only; SL2
		 * (bit 33) only with DS and 4K */
		g->ds = ((vtcr >> 32) & 1) && g->gshift && g->gshift != 16;
		if (!g->gshift || tsz < tsz_min(g->gshift, g->ds) || tsz > 39)
			return REFWALK_RESERVED;
		if (sl2 && !(g->ds && g->gshift == 12))
			return REFWALK_RESERVED;
		g->ias = 64 - tsz;
		g->stride = g->gshift - 3;
		ps = ps_bits(field(vtcr, 16, 3), g->gshift, g->ds);
		if (ps < 0)
			return REFWALK_RESERVED;
		g->ps = (unsigned)ps;
		g->ha = (vtcr >> 21) & 1;
		g->hd = g->ha && ((vtcr >> 22) & 1);
		/* SL0 (VTCR_EL2): 4K: 0b00 level 2 (level -1 with SL2), 0b01
		 * level 1, 0b10 level 0, 0b11 level 3 (FEAT_TTST, not used);
		 * 16K/64K: 0b00 level 3, 0b01 level 2, 0b10 level 1, 0b11 level
		 * 0 with 16K and DS only */
		if (g->gshift == 12) {
			if (sl0 == 3 || (sl2 && sl0 != 0))
				return REFWALK_RESERVED;
			g->start_level = sl2 ? -1 : 2 - (int)sl0;
		} else {
			if (sl0 == 3 && !(g->gshift == 14 && g->ds))
				return REFWALK_RESERVED;
			g->start_level = 3 - (int)sl0;
		}
		ttbr = regs->vttbr;
	} else if (fmt == IOPGT_FMT_ARM32_S1) {
		uint64_t ttbcr = regs->tcr;
		unsigned t0sz = field(ttbcr, 0, 3);

		if (!(ttbcr & B64(31)) || (ttbcr & B64(7)))
			return REFWALK_RESERVED; /* EAE = 1, TTBR0 walks enabled */
		g->gshift = 12;
		g->stride = 9;
		g->ias = 32 - t0sz;
		g->ps = 40;
		g->start_level = t0sz <= 1 ? 1 : 2;
		ttbr = regs->ttbr;
	} else if (fmt == IOPGT_FMT_ARM32_S2) {
		uint64_t vtcr = regs->vtcr;
		unsigned t0sz = field(vtcr, 0, 4), s = field(vtcr, 4, 1), sl0 = field(vtcr, 6, 2);
		int ssz = (t0sz & 8) ? (int)t0sz - 16 : (int)t0sz;

		if (s != (t0sz >> 3) || sl0 > 1)
			return REFWALK_RESERVED;
		g->gshift = 12;
		g->stride = 9;
		g->ias = (unsigned)(32 - ssz);
		g->ps = 40;
		g->start_level = 2 - sl0;
		ttbr = regs->vttbr;
	} else {
		return REFWALK_RESERVED;
	}

	diff = g->ias - refwalk_lpae_entry_shift(g, g->start_level);
	if (g->ias <= refwalk_lpae_entry_shift(g, g->start_level) ||
	    !root_ok(g, diff, g->s2))
		return REFWALK_RESERVED;
	g->root_entries = 1u << diff;
	g->base = g->ttbr1 ? (uint64_t)0 - B64(g->ias) : 0;
	g->lpa = !g->aarch32 && g->gshift == 16 && g->ps == 52;
	g->l1_block = g->gshift == 12 || (g->gshift == 14 && g->ds) ||
		      (g->gshift == 16 && (g->lpa || oas > 48));
	g->l0_block = g->gshift == 12 && g->ds;

	if (g->aarch32) {
		if (ttbr & GENMASK64(47, 40))
			return REFWALK_RESERVED;
		g->root_pa = ttbr & GENMASK64(39, 0);
	} else if (g->lpa || g->ds) {
		/* TTBR_ELx.BADDR with 52-bit addresses: BADDR[51:48] in [5:2] */
		g->root_pa = (ttbr & GENMASK64(47, 6)) | ((uint64_t)field(ttbr, 2, 4) << 48);
	} else {
		g->root_pa = ttbr & GENMASK64(47, 1);
	}
	{
		uint64_t rsz = (uint64_t)g->root_entries * 8;

		if (rsz < 64 && (g->lpa || g->ds))
			rsz = 64;
		if (g->root_pa & (rsz - 1))
			return REFWALK_RESERVED;
	}
	if (g->root_pa >> g->ps)
		return REFWALK_RESERVED;
	return REFWALK_OK;
}

/* The output/next-table address held in bits [47:gshift] (and [15:12] with
 * LPA; [49:gshift] and [9:8] with DS). */
static uint64_t desc_addr(const struct refwalk_lpae_geom *g, uint64_t d)
{
	if (g->ds)
		return (d & GENMASK64(49, g->gshift)) | (uint64_t)field(d, 8, 2) << 50;
	if (g->lpa)
		return (d & GENMASK64(47, g->gshift)) | (uint64_t)field(d, 12, 4) << 48;
	return d & GENMASK64(47, g->gshift);
}

/* The descriptor bits desc_addr() reads. */
static uint64_t desc_addr_bits(const struct refwalk_lpae_geom *g)
{
	if (g->ds)
		return GENMASK64(49, g->gshift) | GENMASK64(9, 8);
	if (g->lpa)
		return GENMASK64(47, g->gshift) | GENMASK64(15, 12);
	return GENMASK64(47, g->gshift);
}

/* Bits between the granule and bit 12 (16K/64K) must be zero, as must
 * AArch32's bits [47:40]. */
static bool addr_res0_ok(const struct refwalk_lpae_geom *g, uint64_t d)
{
	if (g->aarch32 && (d & GENMASK64(47, 40)))
		return false;
	if (!g->lpa && g->gshift > 12 && (d & GENMASK64(g->gshift - 1, 12)))
		return false;
	return true;
}

static bool block_allowed(const struct refwalk_lpae_geom *g, int level)
{
	if (level == 2)
		return true;
	if (level == 1)
		return g->l1_block;
	if (level == 0)
		return g->l0_block;
	return false; /* level -1: tables only */
}

int refwalk_lpae_decode(const struct refwalk_lpae_geom *g, int level, uint64_t d,
			uint64_t *next)
{
	if (!(d & 1))
		return 0;
	if (level == 3)
		return (d & 3) == 3 ? 1 : 3;
	if ((d & 3) == 1)
		return block_allowed(g, level) ? 1 : 3;
	if (!addr_res0_ok(g, d))
		return 3;
	*next = desc_addr(g, d);
	if (*next >> g->ps)
		return 3;
	return 2;
}

/* log2 entries of a contiguous run at @level (0: none). D8.7.1: the
 * Contiguous bit is RES0 in the blocks of 4K level 0 and 16K level 1 (DS)
 * and of 64K level 1 (FEAT_LPA). */
static unsigned contig_log2(const struct refwalk_lpae_geom *g, int level)
{
	switch (g->gshift) {
	case 12:
		return level >= 1 ? 4 : 0;
	case 14:
		return level == 3 ? 7 : level == 2 ? 5 : 0;
	default:
		return level == 3 ? 5 : level == 2 ? 5 : 0;
	}
}

/* Normal memory nibble: 1 write-back, 0 non-cacheable, -1 anything else. */
static int nibble_type(unsigned n)
{
	if (n == 0x4)
		return 0;
	if ((n & 0xc) == 0xc || ((n & 0xc) == 0x4 && (n & 3)))
		return 1;
	return -1;
}

static int mair_prot(uint64_t mair, unsigned idx, uint32_t *prot)
{
	unsigned a = (unsigned)((mair >> (8 * idx)) & 0xff);
	int in, out;

	if ((a & 0xf0) == 0) {
		if (a & 0x3)
			return -1; /* reserved device encodings */
		*prot |= IOPGT_MMIO;
		return 0;
	}
	out = nibble_type(a >> 4);
	in = nibble_type(a & 0xf);
	if (in == 1 && out == 1)
		*prot |= IOPGT_CACHE;
	else if (!(in == 0 && out == 0))
		return -1;
	return 0;
}

static int s2_memattr_prot(unsigned ma, bool fwb, uint32_t *prot)
{
	if (ma == 0x1) {
		*prot |= IOPGT_MMIO;
		return 0;
	}
	if (ma == 0x5)
		return 0;
	if ((fwb && ma == 0x6) || (!fwb && ma == 0xf)) {
		*prot |= IOPGT_CACHE;
		return 0;
	}
	return -1;
}

static int walk(enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
		uint32_t quirks, bool ns_any, refwalk_read_fn rd, void *ctx, uint64_t iova,
		struct refwalk_result *out)
{
	struct refwalk_lpae_geom g;
	uint64_t off, tpa, d = 0;
	unsigned entries;
	int level;
	bool ap_ro = false, ap_priv = false, xn_t = false, pxn_t = false;
	bool want_ns = (quirks & IOPGT_QUIRK_NS) != 0;
	bool dbm;
	int st;

	*out = (struct refwalk_result){ 0 };
	st = refwalk_lpae_geom(fmt, regs, oas, &g);
	if (st)
		return st;

	/* the input range: TTBR0 below 2^ias, TTBR1 the top 2^ias */
	if (g.ttbr1) {
		if (iova < g.base)
			return REFWALK_FAULT;
	} else if (g.ias < 64 && (iova >> g.ias)) {
		return REFWALK_FAULT;
	}
	off = iova - g.base;

	level = g.start_level;
	tpa = g.root_pa;
	entries = g.root_entries;
	for (;;) {
		unsigned shift = refwalk_lpae_entry_shift(&g, level);
		uint64_t idx = (off >> shift) & (entries - 1);
		uint64_t next = 0;
		int kind;

		if (rd(ctx, tpa + idx * 8, 8, &d))
			return REFWALK_BADADDR;
		kind = refwalk_lpae_decode(&g, level, d, &next);
		if (kind == 0)
			return REFWALK_FAULT;
		if (kind == 3)
			return REFWALK_RESERVED;
		if (kind == 1) {
			out->level = (unsigned)level;
			out->desc = d;
			out->desc_pa = tpa + idx * 8;
			break;
		}
		/* table descriptor: hierarchical attributes */
		if (g.s2) {
			if (d & GENMASK64(63, 59))
				return REFWALK_RESERVED;
		} else {
			bool nst = (d >> 63) & 1;

			if (!ns_any && nst != want_ns)
				return REFWALK_RESERVED;
			ap_ro |= (d >> 62) & 1;
			ap_priv |= (d >> 61) & 1;
			xn_t |= (d >> 60) & 1;
			pxn_t |= (d >> 59) & 1;
		}
		tpa = next;
		entries = 1u << g.stride;
		level++;
	}

	/* the leaf */
	{
		unsigned shift = refwalk_lpae_entry_shift(&g, level);
		uint64_t esize = B64(shift), oa;
		uint32_t prot = 0;
		unsigned cl2;

		if (!addr_res0_ok(&g, d))
			return REFWALK_RESERVED;
		oa = desc_addr(&g, d);
		if (oa & (esize - 1))
			return REFWALK_RESERVED; /* block address bits below the block are RES0 */
		if (oa >> g.ps)
			return REFWALK_RESERVED;
		if (!(d & B64(10)) && !g.ha)
			return REFWALK_FAULT; /* access flag fault (the walker sets AF with HA) */
		if (g.s2 && (d & B64(11)))
			return REFWALK_RESERVED;
		if ((d & B64(51)) && !g.hd)
			return REFWALK_RESERVED; /* DBM: written only for hardware dirty state */
		dbm = (d & B64(51)) != 0;

		if (!g.s2) {
			unsigned uxn = (d >> 54) & 1, pxn = (d >> 53) & 1;
			bool ns = (d >> 5) & 1;

			if (!ns_any && ns != want_ns)
				return REFWALK_RESERVED;
			prot |= IOPGT_READ;
			if ((!((d >> 7) & 1) || dbm) && !ap_ro)
				prot |= IOPGT_WRITE;
			if (!((d >> 6) & 1) || ap_priv)
				prot |= IOPGT_PRIV;
			if (uxn != pxn || xn_t != pxn_t)
				return REFWALK_RESERVED;
			if (uxn || xn_t)
				prot |= IOPGT_NOEXEC;
			if (mair_prot(regs->mair, field(d, 2, 3), &prot))
				return REFWALK_RESERVED;
		} else {
			unsigned xn = field(d, 53, 2);

			if ((d >> 6) & 1)
				prot |= IOPGT_READ;
			if (((d >> 7) & 1) || dbm)
				prot |= IOPGT_WRITE;
			if (xn == 2)
				prot |= IOPGT_NOEXEC;
			else if (xn != 0)
				return REFWALK_RESERVED;
			if (s2_memattr_prot(field(d, 2, 4), (quirks & IOPGT_QUIRK_S2FWB) != 0, &prot))
				return REFWALK_RESERVED;
		}

		out->size = esize;
		out->pa = oa + (off & (esize - 1));
		out->entries = 1;
		out->run_pa = out->desc_pa;
		out->young = (d >> 10) & 1;
		out->dirty = dbm && ((d >> 7) & 1) == (unsigned)g.s2;
		cl2 = contig_log2(&g, level);
		if (d & B64(52)) {
			uint64_t n, first, k, idx;
			uint64_t attr_mask = ~desc_addr_bits(&g);
			unsigned tentries = level == g.start_level ? entries : (1u << g.stride);

			/* the state the walker keeps may differ from entry to entry */
			if (g.ha)
				attr_mask &= ~B64(10);
			if (g.hd && dbm)
				attr_mask &= ~B64(7);

			if (!cl2)
				return REFWALK_RESERVED;
			n = B64(cl2);
			idx = (off >> shift) & (tentries - 1);
			first = idx & ~(n - 1);
			if (first + n > tentries)
				return REFWALK_RESERVED;
			/* every entry of the run: same attributes, consecutive output */
			{
				uint64_t base_oa = oa - (idx - first) * esize;

				if (base_oa & (n * esize - 1))
					return REFWALK_RESERVED;
				for (k = 0; k < n; k++) {
					uint64_t e;

					if (rd(ctx, tpa + (first + k) * 8, 8, &e))
						return REFWALK_BADADDR;
					if ((e & attr_mask) != (d & attr_mask) ||
					    desc_addr(&g, e) != base_oa + k * esize)
						return REFWALK_RESERVED;
					out->young |= (e >> 10) & 1;
					out->dirty |= dbm && ((e >> 7) & 1) == (unsigned)g.s2;
				}
			}
			out->size = n * esize;
			out->entries = (unsigned)n;
			out->run_pa = tpa + first * 8;
		}
		out->prot = prot;
	}
	return REFWALK_OK;
}

int refwalk_lpae_ex(enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
		    uint32_t quirks, refwalk_read_fn rd, void *ctx, uint64_t iova,
		    struct refwalk_result *out)
{
	return walk(fmt, regs, oas, quirks, false, rd, ctx, iova, out);
}

int refwalk_lpae(enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
		 refwalk_read_fn rd, void *ctx, uint64_t iova, struct refwalk_result *out)
{
	return walk(fmt, regs, oas, 0, true, rd, ctx, iova, out);
}
