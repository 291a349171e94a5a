/* SPDX-License-Identifier: MIT */
/*
 * tests/support/refwalk_v7s.c - a VMSAv7 short-descriptor table walk, as
 * the ARMv7-A/R Architecture Reference Manual (DDI0406C) describes it:
 * B3.5.5 (translation table walks, TTBCR.N = 0), B3.5.1 (descriptor
 * formats), B3.6 (access permissions, SCTLR.AFE = 1), B3.8.2 (TEX remap,
 * SCTLR.TRE = 1). Written independently of the library: it shares no code
 * and no definitions with lib/.
 *
 * MediaTek's PA extension (IOPGT_QUIRK_MTK_EXT): PA[32], PA[33], PA[34] in
 * descriptor bits 9, 4, 5 of sections, supersections and pages. With
 * IOPGT_QUIRK_NO_PERMS the walker ignores AP and XN: everything is readable
 * and writable.
 */
#include "refwalk.h"

/* Memory type of TEX remap index n, from PRRR.TRn and NMRR.IRn/ORn. */
static uint32_t remap_prot(const struct iopgt_regs *regs, unsigned n)
{
	unsigned tr = (regs->prrr >> (2 * n)) & 3;
	unsigned ir = (regs->nmrr >> (2 * n)) & 3;
	unsigned orr = (regs->nmrr >> (2 * n + 16)) & 3;

	switch (tr) {
	case 0: /* strongly-ordered */
	case 1: /* device */
		return IOPGT_MMIO;
	case 2: /* normal: write-back (WBWA 0b01, WB no write-allocate 0b11) both inner and outer */
		return ((ir == 1 || ir == 3) && (orr == 1 || orr == 3)) ? IOPGT_CACHE : 0;
	default: /* reserved: treated as strongly-ordered by the architecture here */
		return IOPGT_MMIO;
	}
}

/*
 * AP[2:0] with the access flag model (AFE = 1): AP[0] is the access flag,
 * AP[2] disables writes, AP[1] enables unprivileged access.
 */
static int perms(uint32_t ap0, uint32_t ap1, uint32_t ap2, uint32_t xn, uint32_t *prot)
{
	if (!ap0)
		return REFWALK_FAULT; /* access flag fault */
	*prot |= IOPGT_READ;
	if (!ap2)
		*prot |= IOPGT_WRITE;
	if (!ap1)
		*prot |= IOPGT_PRIV;
	if (xn)
		*prot |= IOPGT_NOEXEC;
	return REFWALK_OK;
}

static uint64_t mtk_bits(uint32_t d)
{
	uint64_t pa = 0;

	if (d & (1u << 9))
		pa |= (uint64_t)1 << 32;
	if (d & (1u << 4))
		pa |= (uint64_t)1 << 33;
	if (d & (1u << 5))
		pa |= (uint64_t)1 << 34;
	return pa;
}

int refwalk_v7s(const struct iopgt_regs *regs, uint32_t quirks, refwalk_read_fn rd, void *ctx,
		uint64_t iova, struct refwalk_result *out)
{
	const bool mtk = (quirks & IOPGT_QUIRK_MTK_EXT) != 0;
	const bool noperm = (quirks & IOPGT_QUIRK_NO_PERMS) != 0;
	uint64_t v, base, pa;
	uint32_t d, idx, ap0, ap1, ap2, xn, prot = 0;
	int st;

	if (iova >> 32)
		return REFWALK_FAULT;
	/* TTBCR.N = 0: the level-1 table is at TTBR0[31:14], indexed by VA[31:20]. */
	base = (uint32_t)regs->ttbr & 0xffffc000u;
	if (rd(ctx, base | ((iova >> 20) << 2), 4, &v))
		return REFWALK_BADADDR;
	d = (uint32_t)v;
	switch (d & 3) {
	case 0:
		return REFWALK_FAULT;
	case 3: /* section with PXN: never written for an IOMMU */
		return REFWALK_RESERVED;
	case 2:
		if (d & (1u << 18)) { /* supersection: 16 MiB */
			pa = d & 0xff000000u;
			if (mtk)
				pa |= mtk_bits(d);
			else
				pa |= (uint64_t)((d >> 20) & 0xf) << 32 |
				      (uint64_t)((d >> 5) & 0xf) << 36;
			out->size = (uint64_t)1 << 24;
		} else { /* section: 1 MiB */
			pa = d & 0xfff00000u;
			if (mtk)
				pa |= mtk_bits(d);
			out->size = (uint64_t)1 << 20;
		}
		/* B 2, C 3, XN 4, AP[1:0] 11:10, TEX 14:12, AP[2] 15 */
		idx = ((d >> 12) & 1) << 2 | ((d >> 3) & 1) << 1 | ((d >> 2) & 1);
		ap0 = (d >> 10) & 1;
		ap1 = (d >> 11) & 1;
		ap2 = (d >> 15) & 1;
		xn = (d >> 4) & 1;
		out->level = 1;
		break;
	default: { /* page table: level-2 table at [31:10], indexed by VA[19:12] */
		uint32_t t = d & 0xfffffc00u;

		if (rd(ctx, t | (((iova >> 12) & 0xff) << 2), 4, &v))
			return REFWALK_BADADDR;
		d = (uint32_t)v;
		if ((d & 3) == 0)
			return REFWALK_FAULT;
		if (d & 2) { /* small page: XN 0, B 2, C 3, AP[1:0] 5:4, TEX 8:6, AP[2] 9 */
			pa = d & 0xfffff000u;
			out->size = (uint64_t)1 << 12;
			idx = ((d >> 6) & 1) << 2 | ((d >> 3) & 1) << 1 | ((d >> 2) & 1);
			xn = d & 1;
		} else { /* large page: B 2, C 3, AP[1:0] 5:4, TEX 14:12, XN 15 */
			pa = d & 0xffff0000u;
			out->size = (uint64_t)1 << 16;
			idx = ((d >> 12) & 1) << 2 | ((d >> 3) & 1) << 1 | ((d >> 2) & 1);
			xn = (d >> 15) & 1;
		}
		if (mtk)
			pa |= mtk_bits(d);
		ap0 = (d >> 4) & 1;
		ap1 = (d >> 5) & 1;
		ap2 = (d >> 9) & 1;
		out->level = 2;
		break;
	}
	}
	prot = remap_prot(regs, idx);
	if (noperm) {
		prot |= IOPGT_READ | IOPGT_WRITE;
	} else {
		st = perms(ap0, ap1, ap2, xn, &prot);
		if (st != REFWALK_OK)
			return st;
	}
	out->pa = pa | (iova & (out->size - 1));
	out->prot = prot;
	out->desc = d;
	return REFWALK_OK;
}
