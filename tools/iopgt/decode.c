/* SPDX-License-Identifier: MIT */
/*
 * tools/iopgt/decode.c - descriptors and registers in words.
 *
 * The tree dump reads the tables the way a walker does: from the root
 * address in the registers, with the geometry iopgt_get_stats() reports,
 * decoding each descriptor from its bits (Arm ARM DDI0487 D8.3 for the
 * long-descriptor formats, DDI0406C B3.5 for the short-descriptor format).
 * Where an AArch64 output address may be wider than 48 bits, the registers
 * say how the descriptors hold its top bits, as they tell the walker: with
 * the 64K granule and (V)TCR.(I)PS 0b110 (FEAT_LPA), PA[51:48] sit in bits
 * [15:12]; with the 4K or 16K granule and (V)TCR.DS = 1 (FEAT_LPA2),
 * PA[49:48] sit in place and PA[51:50] in bits [9:8], where shareability
 * was (it comes from the (V)TCR then). Levels are signed: FEAT_LPA2 walks
 * a 52-bit input range with the 4K granule from level -1.
 */
#include <inttypes.h>
#include <string.h>

#include "tool.h"

#define BIT(n) ((uint64_t)1 << (n))
#define FIELD(v, hi, lo) (((v) >> (lo)) & ((BIT((hi) - (lo) + 1)) - 1))
#define MASK(hi, lo) (((~(uint64_t)0) >> (63 - (hi))) & ~(BIT(lo) - 1))

const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char suffix[] = "KMGTPE";
	unsigned i = 0;

	if (v == 0 || (v & 1023)) {
		snprintf(buf, len, "0x%" PRIx64, v);
		return buf;
	}
	v >>= 10;
	while ((v & 1023) == 0 && i < 5) {
		v >>= 10;
		i++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", v, suffix[i]);
	return buf;
}

static bool is_s2(enum iopgt_fmt f)
{
	return f == IOPGT_FMT_ARM64_S2 || f == IOPGT_FMT_ARM32_S2;
}

static bool is_a32(enum iopgt_fmt f)
{
	return f == IOPGT_FMT_ARM32_S1 || f == IOPGT_FMT_ARM32_S2;
}

/* ---- memory attributes ------------------------------------------------- */

static const char *cache_nibble(unsigned n)
{
	if (n == 4)
		return "non-cacheable";
	if (n >= 0xc)
		return "write-back";
	if (n >= 8)
		return "write-through";
	if (n >= 5)
		return "write-back transient";
	if (n >= 1)
		return "write-through transient";
	return "?";
}

static const char *device_type(unsigned t)
{
	static const char *const names[] = { "nGnRnE", "nGnRE", "nGRE", "GRE" };

	return names[t & 3];
}

/* a MAIR attribute byte (D19.2 MAIR_EL1) in words */
static void mair_words(unsigned attr, char *buf, size_t len)
{
	unsigned o = attr >> 4, i = attr & 15;

	if (o == 0)
		snprintf(buf, len, "device-%s", (i & 3) ? "?" : device_type(i >> 2));
	else if (o == i)
		snprintf(buf, len, "normal %s", cache_nibble(o));
	else
		snprintf(buf, len, "normal inner %s, outer %s", cache_nibble(i), cache_nibble(o));
}

/* stage-2 MemAttr[3:0] (D8.5.5; with FEAT_S2FWB D8.5.6) in words */
static void s2_memattr_words(unsigned ma, bool fwb, char *buf, size_t len)
{
	static const char *const rgn[] = { "?", "non-cacheable", "write-through", "write-back" };

	if (fwb) {
		if (!(ma & 4))
			snprintf(buf, len, "device-%s", device_type(ma));
		else if (ma == 5)
			snprintf(buf, len, "normal non-cacheable");
		else if (ma == 6)
			snprintf(buf, len, "normal write-back (FWB: forced)");
		else if (ma == 7)
			snprintf(buf, len, "stage-1 attributes (FWB)");
		else
			snprintf(buf, len, "reserved");
	} else if ((ma >> 2) == 0) {
		snprintf(buf, len, "device-%s", device_type(ma));
	} else if ((ma >> 2) == (ma & 3)) {
		snprintf(buf, len, "normal %s", rgn[ma & 3]);
	} else {
		snprintf(buf, len, "normal inner %s, outer %s", rgn[ma & 3], rgn[ma >> 2]);
	}
}

static const char *shareability(unsigned sh)
{
	static const char *const names[] = { "non-shareable", "reserved-sh", "outer-shareable",
					     "inner-shareable" };

	return names[sh & 3];
}

/* ---- wide output addresses ------------------------------------------- */

enum oa_mode {
	OA_48,    /* PA[47:0] (AArch32: PA[39:0]) */
	OA_LPA,   /* 64K granule, PS 0b110: PA[51:48] in bits [15:12] */
	OA_LPA2,  /* 4K/16K granule, DS = 1: PA[51:50] in bits [9:8] */
};

/* DS and PS of the AArch64 control register the format uses */
static bool ctl_ds(enum iopgt_fmt f, const struct iopgt_regs *r)
{
	return is_s2(f) ? FIELD(r->vtcr, 32, 32) : FIELD(r->tcr, 59, 59);
}

static unsigned ctl_ps(enum iopgt_fmt f, const struct iopgt_regs *r)
{
	return is_s2(f) ? (unsigned)FIELD(r->vtcr, 18, 16) : (unsigned)FIELD(r->tcr, 34, 32);
}

static enum oa_mode oa_mode(enum iopgt_fmt f, const struct iopgt_regs *r, uint64_t granule)
{
	if (f != IOPGT_FMT_ARM64_S1 && f != IOPGT_FMT_ARM64_S2)
		return OA_48;
	if (granule == 65536)
		return ctl_ps(f, r) == 6 ? OA_LPA : OA_48;
	return ctl_ds(f, r) ? OA_LPA2 : OA_48;
}

/* TTBR/VTTBR BADDR: with a 52-bit output address PA[51:48] are in [5:2] */
static uint64_t ttbr_baddr(uint64_t r, enum oa_mode m)
{
	if (m != OA_48)
		return (r & MASK(47, 6)) | FIELD(r, 5, 2) << 48;
	return r & MASK(47, 1);
}

/* ---- long-descriptor tree --------------------------------------------- */

struct tree {
	FILE *out;
	const struct iopgt *pt;
	const struct iopgt_cfg *cfg;
	const struct pool *pool;
	struct iopgt_regs regs;
	struct iopgt_stats st;
	unsigned gshift, stride;
	int last;
	uint64_t va_base;
	enum oa_mode oa;
	int err;
};

static unsigned ilog2(uint64_t v)
{
	unsigned n = 0;

	while (v >>= 1)
		n++;
	return n;
}

static uint64_t lpae_oa(const struct tree *t, uint64_t d, unsigned shift)
{
	switch (t->oa) {
	case OA_LPA:
		return (d & MASK(47, shift < 16 ? 16 : shift)) | FIELD(d, 15, 12) << 48;
	case OA_LPA2:
		return (d & MASK(49, shift)) | FIELD(d, 9, 8) << 50;
	default:
		return d & MASK(is_a32(t->cfg->fmt) ? 39 : 47, shift);
	}
}

static unsigned lpae_entry_shift(const struct tree *t, int level)
{
	return t->gshift + t->stride * (unsigned)(t->last - level);
}

static void lpae_leaf_words(const struct tree *t, uint64_t d, char *buf, size_t len)
{
	char attr[128];
	size_t p;

	if (is_s2(t->cfg->fmt)) {
		static const char *const s2ap[] = { "none", "read-only", "write-only",
						    "read-write" };
		unsigned xn = (unsigned)FIELD(d, 54, 53);

		s2_memattr_words((unsigned)FIELD(d, 5, 2),
				 (t->cfg->quirks & IOPGT_QUIRK_S2FWB) != 0, attr, sizeof(attr));
		p = (size_t)snprintf(buf, len, "MemAttr 0x%x (%s), S2AP %s, %s",
				     (unsigned)FIELD(d, 5, 2), attr, s2ap[FIELD(d, 7, 6)],
				     t->oa == OA_LPA2 ? "shareability from VTCR_EL2.SH0" :
				     shareability((unsigned)FIELD(d, 9, 8)));
		if (p < len && (d & BIT(51)))
			p += (size_t)snprintf(buf + p, len - p, ", DBM: writable-%s",
					      (d & BIT(7)) ? "dirty" : "clean");
		if (p < len && xn)
			p += (size_t)snprintf(buf + p, len - p, ", XN %u%u%s", xn >> 1, xn & 1,
					      xn == 2 ? " (no execution at any EL)" : "");
	} else {
		unsigned idx = (unsigned)FIELD(d, 4, 2);

		mair_words((unsigned)FIELD(t->regs.mair, 8 * idx + 7, 8 * idx), attr, sizeof(attr));
		p = (size_t)snprintf(buf, len, "AttrIndx %u (%s), %s, %s, %s", idx, attr,
				     (d & BIT(51)) ? ((d & BIT(7)) ? "DBM: writable-clean" :
						      "DBM: writable-dirty") :
				     (d & BIT(7)) ? "read-only" : "read-write",
				     (d & BIT(6)) ? "EL0 and EL1" : "EL1 only",
				     t->oa == OA_LPA2 ? "shareability from TCR_EL1" :
				     shareability((unsigned)FIELD(d, 9, 8)));
		if (p < len && (d & BIT(11)))
			p += (size_t)snprintf(buf + p, len - p, ", nG");
		if (p < len && (d & BIT(5)))
			p += (size_t)snprintf(buf + p, len - p, ", NS");
		if (p < len && (d & BIT(53)))
			p += (size_t)snprintf(buf + p, len - p, ", PXN");
		if (p < len && (d & BIT(54)))
			p += (size_t)snprintf(buf + p, len - p, is_a32(t->cfg->fmt) ? ", XN" : ", UXN");
	}
	if (p < len && (d & BIT(10)))
		p += (size_t)snprintf(buf + p, len - p, ", AF");
	if (p < len && (d & BIT(52)))
		snprintf(buf + p, len - p, ", contiguous");
}

static void indent(FILE *out, unsigned depth)
{
	fprintf(out, "  ");
	for (unsigned i = 0; i < depth; i++)
		fprintf(out, "  ");
}

/*
 * The last index of a run of leaves from i on whose descriptors step by
 * the same amount, 0 (replicated entries) or one entry's output size: the
 * tree prints such a run as its first entry, a count and its last entry.
 */
static uint64_t leaf_run(const void *tbl, size_t dsize, uint64_t i, uint64_t n, bool tables,
			 uint64_t step)
{
	uint64_t delta = 0, j;

#define D(k) (dsize == 8 ? ((const uint64_t *)tbl)[k] : ((const uint32_t *)tbl)[k])
#define LEAF(d) (dsize == 8 ? (((d) & 1) && !(tables && ((d) & 2))) : \
		 (tables ? ((d) & 3) == 2 : ((d) & 3) != 0))
	if (i + 1 >= n || !LEAF(D(i + 1)))
		return i;
	delta = D(i + 1) - D(i);
	if (delta != 0 && delta != step)
		return i;
	for (j = i + 1; j + 1 < n && LEAF(D(j + 1)) && D(j + 1) - D(j) == delta; j++)
		;
#undef D
#undef LEAF
	return j;
}

static void lpae_table(struct tree *t, uint64_t pa, int level, uint64_t entries,
		       uint64_t va, unsigned depth);

static void lpae_entry(struct tree *t, const uint64_t *tbl, int level, uint64_t i,
		       uint64_t va, unsigned depth)
{
	unsigned shift = lpae_entry_shift(t, level);
	uint64_t d = tbl[i], e_va = va + (i << shift);
	char sz[32], words[256];

	indent(t->out, depth + 1);
	fprintf(t->out, "L%d[%" PRIu64 "] 0x%016" PRIx64 " iova 0x%" PRIx64 ": ", level, i, d,
		e_va);
	if (level < t->last && (d & 2)) {
		uint64_t next = lpae_oa(t, d, t->oa == OA_48 ? 12 : t->gshift);

		fprintf(t->out, "table -> 0x%" PRIx64, next);
		if (d & BIT(63))
			fprintf(t->out, ", NSTable");
		if (FIELD(d, 62, 61))
			fprintf(t->out, ", APTable %u", (unsigned)FIELD(d, 62, 61));
		if (d & BIT(60))
			fprintf(t->out, ", %sXNTable", is_s2(t->cfg->fmt) ? "" : "U");
		if (d & BIT(59))
			fprintf(t->out, ", PXNTable");
		fprintf(t->out, "\n");
		lpae_table(t, next, level + 1, BIT(t->stride), e_va, depth + 2);
	} else if (level == t->last && !(d & 2)) {
		fprintf(t->out, "reserved encoding\n");
	} else {
		lpae_leaf_words(t, d, words, sizeof(words));
		fprintf(t->out, "%s -> 0x%" PRIx64 " %s, %s\n", level == t->last ? "page" : "block",
			lpae_oa(t, d, shift), size_str(BIT(shift), sz, sizeof(sz)), words);
	}
}

static void lpae_table(struct tree *t, uint64_t pa, int level, uint64_t entries,
		       uint64_t va, unsigned depth)
{
	const uint64_t *tbl = pool_p2v(t->pool, pa);
	unsigned shift = lpae_entry_shift(t, level);
	uint64_t valid = 0;
	char sz[32];

	if (!tbl) {
		indent(t->out, depth);
		fprintf(t->out, "0x%" PRIx64 ": not table memory\n", pa);
		t->err = IOPGT_ERR_CORRUPT;
		return;
	}
	for (uint64_t i = 0; i < entries; i++)
		valid += tbl[i] & 1;
	indent(t->out, depth);
	fprintf(t->out, "level %d table at 0x%" PRIx64 ": %" PRIu64 " of %" PRIu64
		" entries valid, %s each\n", level, pa, valid, entries,
		size_str(BIT(shift), sz, sizeof(sz)));
	for (uint64_t i = 0; i < entries; i++) {
		uint64_t d = tbl[i], j;

		if (!(d & 1))
			continue;
		if (level < t->last && (d & 2)) {
			lpae_entry(t, tbl, level, i, va, depth);
			continue;
		}
		j = leaf_run(tbl, sizeof(*tbl), i, entries, level < t->last, BIT(shift));
		lpae_entry(t, tbl, level, i, va, depth);
		if (j > i + 2) {
			indent(t->out, depth + 1);
			fprintf(t->out, "L%d[%" PRIu64 "..%" PRIu64 "] %" PRIu64 " more entries like these\n",
				level, i + 1, j - 1, j - i - 1);
			i = j;
			lpae_entry(t, tbl, level, i, va, depth);
		}
	}
}

/* ---- short-descriptor tree -------------------------------------------- */

static void v7s_remap_words(const struct tree *t, unsigned idx, char *buf, size_t len)
{
	static const char *const tr[] = { "strongly-ordered", "device", "normal", "reserved" };
	static const char *const rgn[] = { "non-cacheable", "write-back write-allocate",
					   "write-through", "write-back" };
	unsigned type = (unsigned)FIELD(t->regs.prrr, 2 * idx + 1, 2 * idx);

	if (type != 2) {
		snprintf(buf, len, "%s", tr[type]);
		return;
	}
	snprintf(buf, len, "normal, inner %s, outer %s",
		 rgn[FIELD(t->regs.nmrr, 2 * idx + 1, 2 * idx)],
		 rgn[FIELD(t->regs.nmrr, 2 * idx + 17, 2 * idx + 16)]);
}

/* words for the AP/TEX/C/B/S/nG of a v7s leaf; ap: AP[2]:AP[1]:AP[0] */
static size_t v7s_attr_words(const struct tree *t, uint32_t d, unsigned tex, unsigned ap,
			     bool s, bool ng, bool xn, char *buf, size_t len)
{
	bool mtk = (t->cfg->quirks & IOPGT_QUIRK_MTK_EXT) != 0;
	bool perms = !(t->cfg->quirks & IOPGT_QUIRK_NO_PERMS);
	unsigned idx = (tex & 1) << 2 | (unsigned)FIELD(d, 3, 2);
	char mem[80];
	size_t p;

	v7s_remap_words(t, idx, mem, sizeof(mem));
	p = (size_t)snprintf(buf, len, "TEX[0]:C:B %u (%s)", idx, mem);
	if (p < len && perms)
		p += (size_t)snprintf(buf + p, len - p, ", %s, %s%s%s",
				      (ap & 4) ? "read-only" : "read-write",
				      (ap & 2) ? "user" : "privileged only",
				      (ap & 1) ? ", AF" : "", xn ? ", XN" : "");
	else if (p < len)
		p += (size_t)snprintf(buf + p, len - p, ", no permission bits (read-write)");
	if (p < len && mtk)
		p += (size_t)snprintf(buf + p, len - p, ", PA[34:32] %u (bits 5, 4, 9)",
				      (unsigned)(FIELD(d, 5, 5) << 2 | FIELD(d, 4, 4) << 1 |
						 FIELD(d, 9, 9)));
	if (p < len && s)
		p += (size_t)snprintf(buf + p, len - p, ", shareable");
	if (p < len && ng)
		p += (size_t)snprintf(buf + p, len - p, ", nG");
	return p;
}

/* MediaTek PA[34:32] in bits 9, 4, 5 */
static uint64_t v7s_mtk_pa(const struct tree *t, uint32_t d)
{
	if (!(t->cfg->quirks & IOPGT_QUIRK_MTK_EXT))
		return 0;
	return (uint64_t)((d >> 9) & 1) << 32 | (uint64_t)((d >> 4) & 1) << 33 |
	       (uint64_t)((d >> 5) & 1) << 34;
}

static void v7s_l2_entry(struct tree *t, const uint32_t *tbl, unsigned i, uint64_t va,
			 unsigned depth)
{
	uint32_t d = tbl[i];
	bool large = (d & 3) == 1;
	uint64_t oa = (large ? (d & 0xffff0000u) : (d & 0xfffff000u)) | v7s_mtk_pa(t, d);
	char words[256];

	indent(t->out, depth + 1);
	fprintf(t->out, "L2[%u] 0x%08" PRIx32 " iova 0x%" PRIx64 ": ", i, d,
		va + ((uint64_t)i << 12));
	v7s_attr_words(t, d, large ? (unsigned)FIELD(d, 14, 12) : (unsigned)FIELD(d, 8, 6),
		       (unsigned)(FIELD(d, 9, 9) << 2 | FIELD(d, 5, 4)), d & BIT(10), d & BIT(11),
		       large ? (d & BIT(15)) != 0 : (d & 1) != 0, words, sizeof(words));
	fprintf(t->out, "%s -> 0x%" PRIx64 " %s, %s\n", large ? "large page" : "small page", oa,
		large ? "64K" : "4K", words);
}

static void v7s_l2(struct tree *t, uint64_t pa, uint64_t va, unsigned depth)
{
	const uint32_t *tbl = pool_p2v(t->pool, pa);
	unsigned valid = 0;

	if (!tbl) {
		indent(t->out, depth);
		fprintf(t->out, "0x%" PRIx64 ": not table memory\n", pa);
		t->err = IOPGT_ERR_CORRUPT;
		return;
	}
	for (unsigned i = 0; i < 256; i++)
		valid += (tbl[i] & 3) != 0;
	indent(t->out, depth);
	fprintf(t->out, "level 2 table at 0x%" PRIx64 ": %u of 256 entries valid, 4K each\n", pa,
		valid);
	for (unsigned i = 0; i < 256; i++) {
		unsigned j;

		if (!(tbl[i] & 3))
			continue;
		j = (unsigned)leaf_run(tbl, 4, i, 256, false, 0x1000);
		v7s_l2_entry(t, tbl, i, va, depth);
		if (j > i + 2) {
			indent(t->out, depth + 1);
			fprintf(t->out, "L2[%u..%u] %u more entries like these\n", i + 1, j - 1,
				j - i - 1);
			i = j;
			v7s_l2_entry(t, tbl, i, va, depth);
		}
	}
}

static void v7s_l1_entry(struct tree *t, const uint32_t *tbl, unsigned i)
{
	bool mtk = (t->cfg->quirks & IOPGT_QUIRK_MTK_EXT) != 0;
	uint32_t d = tbl[i];
	uint64_t va = (uint64_t)i << 20, oa;
	char words[256];
	bool super;
	size_t p;

	indent(t->out, 1);
	fprintf(t->out, "L1[%u] 0x%08" PRIx32 " iova 0x%" PRIx64 ": ", i, d, va);
	if ((d & 3) == 1) {
		fprintf(t->out, "page table -> 0x%" PRIx32 ", domain %u%s\n", d & 0xfffffc00u,
			(unsigned)FIELD(d, 8, 5), (d & BIT(3)) ? ", NS" : "");
		v7s_l2(t, d & 0xfffffc00u, va, 3);
		return;
	}
	if ((d & 3) == 3) {
		fprintf(t->out, "reserved encoding (PXN section)\n");
		return;
	}
	super = (d & BIT(18)) != 0;
	oa = (super ? (d & 0xff000000u) : (d & 0xfff00000u)) | v7s_mtk_pa(t, d);
	if (super && !mtk)
		oa |= FIELD(d, 23, 20) << 32 | FIELD(d, 8, 5) << 36;
	p = v7s_attr_words(t, d, (unsigned)FIELD(d, 14, 12),
			   (unsigned)(FIELD(d, 15, 15) << 2 | FIELD(d, 11, 10)), d & BIT(16),
			   d & BIT(17), (d & BIT(4)) != 0, words, sizeof(words));
	if (p < sizeof(words) && !super)
		p += (size_t)snprintf(words + p, sizeof(words) - p, ", domain %u",
				      (unsigned)FIELD(d, 8, 5));
	if (p < sizeof(words) && (d & BIT(19)))
		snprintf(words + p, sizeof(words) - p, ", NS");
	fprintf(t->out, "%s -> 0x%" PRIx64 " %s, %s\n", super ? "supersection" : "section", oa,
		super ? "16M" : "1M", words);
}

static void v7s_tree(struct tree *t, uint64_t root)
{
	const uint32_t *tbl = pool_p2v(t->pool, root);
	unsigned valid = 0;

	if (!tbl) {
		fprintf(t->out, "  0x%" PRIx64 ": not table memory\n", root);
		t->err = IOPGT_ERR_CORRUPT;
		return;
	}
	for (unsigned i = 0; i < 4096; i++)
		valid += (tbl[i] & 3) != 0;
	fprintf(t->out, "  level 1 table at 0x%" PRIx64 ": %u of 4096 entries valid, 1M each\n",
		root, valid);
	for (unsigned i = 0; i < 4096; i++) {
		unsigned j;

		if (!(tbl[i] & 3))
			continue;
		if ((tbl[i] & 3) != 2) {
			v7s_l1_entry(t, tbl, i);
			continue;
		}
		j = (unsigned)leaf_run(tbl, 4, i, 4096, true, 0x100000);
		v7s_l1_entry(t, tbl, i);
		if (j > i + 2) {
			indent(t->out, 1);
			fprintf(t->out, "L1[%u..%u] %u more entries like these\n", i + 1, j - 1,
				j - i - 1);
			i = j;
			v7s_l1_entry(t, tbl, i);
		}
	}
}

int decode_tree(FILE *out, const struct iopgt *pt, const struct iopgt_cfg *cfg,
		const struct pool *pool)
{
	struct tree t;
	int err;

	memset(&t, 0, sizeof(t));
	t.out = out;
	t.pt = pt;
	t.cfg = cfg;
	t.pool = pool;
	err = iopgt_get_stats(pt, &t.st);
	if (err)
		return err;
	iopgt_get_regs(pt, &t.regs);
	if (cfg->fmt == IOPGT_FMT_ARMV7S) {
		v7s_tree(&t, t.regs.ttbr & ~(uint64_t)0x3fff);
		return t.err;
	}
	t.gshift = ilog2(t.st.granule);
	t.stride = t.gshift - 3;
	t.last = 3;
	t.oa = oa_mode(cfg->fmt, &t.regs, t.st.granule);
	if (cfg->quirks & IOPGT_QUIRK_TTBR1)
		t.va_base = ~(uint64_t)0 << cfg->ias;
	{
		uint64_t r = is_s2(cfg->fmt) ? t.regs.vttbr : t.regs.ttbr;
		uint64_t root = is_a32(cfg->fmt) ? r & MASK(39, 4) : ttbr_baddr(r, t.oa);

		lpae_table(&t, root, t.st.start_level, t.st.root_entries, t.va_base, 0);
	}
	return t.err;
}

/* ---- registers -------------------------------------------------------- */

static const char *rgn_words(unsigned v)
{
	static const char *const names[] = { "non-cacheable", "write-back write-allocate",
					     "write-through", "write-back no write-allocate" };

	return names[v & 3];
}

static const char *tg0_words(unsigned v)
{
	static const char *const names[] = { "4K", "64K", "16K", "reserved" };

	return names[v & 3];
}

static const char *tg1_words(unsigned v)
{
	static const char *const names[] = { "reserved", "16K", "4K", "64K" };

	return names[v & 3];
}

static unsigned ps_bits(unsigned v)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52, 0 };

	return bits[v & 7];
}

#define F(name, v) fprintf(out, "    %-6s %-6" PRIu64 " ", name, (uint64_t)(v))

static void walk_attrs(FILE *out, uint64_t r, unsigned lo)
{
	F("IRGN", FIELD(r, lo + 1, lo));
	fprintf(out, "inner walks %s\n", rgn_words((unsigned)FIELD(r, lo + 1, lo)));
	F("ORGN", FIELD(r, lo + 3, lo + 2));
	fprintf(out, "outer walks %s\n", rgn_words((unsigned)FIELD(r, lo + 3, lo + 2)));
	F("SH", FIELD(r, lo + 5, lo + 4));
	fprintf(out, "walks %s\n", shareability((unsigned)FIELD(r, lo + 5, lo + 4)));
}

static void mair_lines(FILE *out, uint64_t mair, unsigned n)
{
	char w[128];

	for (unsigned i = 0; i < n; i++) {
		unsigned a = (unsigned)FIELD(mair, 8 * i + 7, 8 * i);

		mair_words(a, w, sizeof(w));
		fprintf(out, "    Attr%u  0x%02x   %s%s\n", i, a, a ? w : "device-nGnRnE",
			a ? "" : " (unused)");
	}
}

/* HA and HD, when set (hardware updates of AF and of the dirty state) */
static void hw_updates(FILE *out, uint64_t ha, uint64_t hd)
{
	if (ha) {
		F("HA", ha);
		fprintf(out, "the walker sets the Access flag\n");
	}
	if (hd) {
		F("HD", hd);
		fprintf(out, "the walker marks DBM leaves dirty (with HA)\n");
	}
}

/* BADDR of TTBRn_EL1/VTTBR_EL2, with PA[51:48] from bits [5:2] when set */
static void baddr_line(FILE *out, uint64_t r, enum oa_mode m)
{
	fprintf(out, "    BADDR  0x%" PRIx64 " root table%s\n", ttbr_baddr(r, m),
		m != OA_48 && FIELD(r, 5, 2) ? " (PA[51:48] from bits [5:2])" : "");
}

/* (I)PS: a 52-bit size with the 4K or 16K granule needs DS = 1 */
static void ps_line(FILE *out, const char *name, unsigned ps, bool small_granule, bool ds)
{
	F(name, ps);
	fprintf(out, "%u-bit output addresses%s\n", ps_bits(ps),
		ps == 6 && small_granule && !ds ? " (48 bits: DS is 0)" : "");
}

static void ds_line(FILE *out, const char *sh)
{
	F("DS", 1);
	fprintf(out, "FEAT_LPA2 descriptors: 52-bit addresses, PA[51:50] in bits [9:8], "
		"shareability from %s\n", sh);
}

static void regs_arm64_s1(FILE *out, const struct iopgt_regs *r, bool ttbr1, uint64_t granule)
{
	uint64_t t = r->tcr;
	bool ds = FIELD(t, 59, 59);

	fprintf(out, "  TTBR%d_EL1 0x%016" PRIx64 "\n", ttbr1 ? 1 : 0, r->ttbr);
	baddr_line(out, r->ttbr, oa_mode(IOPGT_FMT_ARM64_S1, r, granule));
	fprintf(out, "    ASID   %u\n", (unsigned)FIELD(r->ttbr, 63, 48));
	fprintf(out, "  TCR_EL1 0x%016" PRIx64 "\n", t);
	F("T0SZ", FIELD(t, 5, 0));
	fprintf(out, "%u-bit input range (TTBR0)\n", 64 - (unsigned)FIELD(t, 5, 0));
	F("EPD0", FIELD(t, 7, 7));
	fprintf(out, "%s\n", FIELD(t, 7, 7) ? "TTBR0 walks disabled" : "TTBR0 walks enabled");
	if (!ttbr1)
		walk_attrs(out, t, 8);
	F("TG0", FIELD(t, 15, 14));
	fprintf(out, "%s granule (TTBR0)\n", tg0_words((unsigned)FIELD(t, 15, 14)));
	F("T1SZ", FIELD(t, 21, 16));
	fprintf(out, "%u-bit input range (TTBR1)\n", 64 - (unsigned)FIELD(t, 21, 16));
	F("EPD1", FIELD(t, 23, 23));
	fprintf(out, "%s\n", FIELD(t, 23, 23) ? "TTBR1 walks disabled" : "TTBR1 walks enabled");
	if (ttbr1)
		walk_attrs(out, t, 24);
	F("TG1", FIELD(t, 31, 30));
	fprintf(out, "%s granule (TTBR1)\n", tg1_words((unsigned)FIELD(t, 31, 30)));
	ps_line(out, "IPS", (unsigned)FIELD(t, 34, 32), granule != 65536, ds);
	hw_updates(out, FIELD(t, 39, 39), FIELD(t, 40, 40));
	if (ds)
		ds_line(out, ttbr1 ? "SH1" : "SH0");
	fprintf(out, "  MAIR_EL1 0x%016" PRIx64 "\n", r->mair);
	mair_lines(out, r->mair, 8);
}

/*
 * VTCR_EL2 start level (D8.2.5): SL0 counts down from level 2 (4K) or 3
 * (16K, 64K); with the 4K granule SL0 0b11 is level 3 (FEAT_TTST), and
 * with DS = 1 SL2 = 1, SL0 0b00 is level -1.
 */
static int s2_start_level(uint64_t granule, unsigned sl0, bool sl2)
{
	if (granule == 4096) {
		if (sl2)
			return sl0 == 0 ? -1 : 4;
		return sl0 == 3 ? 3 : 2 - (int)sl0;
	}
	return 3 - (int)sl0;
}

static void regs_arm64_s2(FILE *out, const struct iopgt_regs *r, const struct iopgt_stats *st)
{
	uint64_t t = r->vtcr;
	unsigned sl0 = (unsigned)FIELD(t, 7, 6);
	bool ds = FIELD(t, 32, 32), sl2 = ds && FIELD(t, 33, 33);
	int start = s2_start_level(st->granule, sl0, sl2);

	fprintf(out, "  VTTBR_EL2 0x%016" PRIx64 "\n", r->vttbr);
	baddr_line(out, r->vttbr, oa_mode(IOPGT_FMT_ARM64_S2, r, st->granule));
	fprintf(out, "    VMID   %u\n", (unsigned)FIELD(r->vttbr, 63, 48));
	fprintf(out, "  VTCR_EL2 0x%016" PRIx64 "\n", t);
	F("T0SZ", FIELD(t, 5, 0));
	fprintf(out, "%u-bit input (IPA) range\n", 64 - (unsigned)FIELD(t, 5, 0));
	F("SL0", sl0);
	if (start > 3)
		fprintf(out, "reserved with SL2 = 1\n");
	else
		fprintf(out, "walks start at level %d, %u concatenated table(s)\n", start,
		(unsigned)(st->root_entries / (st->granule / 8)) ?
		(unsigned)(st->root_entries / (st->granule / 8)) : 1);
	walk_attrs(out, t, 8);
	F("TG0", FIELD(t, 15, 14));
	fprintf(out, "%s granule\n", tg0_words((unsigned)FIELD(t, 15, 14)));
	ps_line(out, "PS", (unsigned)FIELD(t, 18, 16), st->granule != 65536, ds);
	hw_updates(out, FIELD(t, 21, 21), FIELD(t, 22, 22));
	F("RES1", FIELD(t, 31, 31));
	fprintf(out, "bit 31\n");
	if (ds) {
		ds_line(out, "SH0");
		F("SL2", FIELD(t, 33, 33));
		fprintf(out, "%s\n", FIELD(t, 33, 33) ? "with SL0: level -1 (4K granule)" :
			"start level from SL0 alone");
	}
}

static void regs_arm32_s1(FILE *out, const struct iopgt_regs *r)
{
	uint64_t t = r->tcr;

	fprintf(out, "  TTBR0 0x%016" PRIx64 "\n", r->ttbr);
	fprintf(out, "    BADDR  0x%" PRIx64 " root table\n    ASID   %u\n", r->ttbr & MASK(39, 4),
		(unsigned)FIELD(r->ttbr, 55, 48));
	fprintf(out, "  TTBCR 0x%08" PRIx64 "\n", t);
	F("T0SZ", FIELD(t, 2, 0));
	fprintf(out, "%u-bit input range (TTBR0)\n", 32 - (unsigned)FIELD(t, 2, 0));
	F("EPD0", FIELD(t, 7, 7));
	fprintf(out, "%s\n", FIELD(t, 7, 7) ? "TTBR0 walks disabled" : "TTBR0 walks enabled");
	walk_attrs(out, t, 8);
	F("T1SZ", FIELD(t, 18, 16));
	fprintf(out, "TTBR1 input size field\n");
	F("EPD1", FIELD(t, 23, 23));
	fprintf(out, "%s\n", FIELD(t, 23, 23) ? "TTBR1 walks disabled" : "TTBR1 walks enabled");
	F("EAE", FIELD(t, 31, 31));
	fprintf(out, "%s\n", FIELD(t, 31, 31) ? "long descriptors (LPAE)" : "short descriptors");
	fprintf(out, "  MAIR0 0x%08" PRIx64 "  MAIR1 0x%08" PRIx64 "\n", r->mair & 0xffffffffu,
		r->mair >> 32);
	mair_lines(out, r->mair, 8);
}

static void regs_arm32_s2(FILE *out, const struct iopgt_regs *r)
{
	uint64_t t = r->vtcr;
	int t0sz = (int)FIELD(t, 3, 0);

	if (t0sz & 8)
		t0sz -= 16;
	fprintf(out, "  VTTBR 0x%016" PRIx64 "\n", r->vttbr);
	fprintf(out, "    BADDR  0x%" PRIx64 " root table\n    VMID   %u\n",
		r->vttbr & MASK(39, 4), (unsigned)FIELD(r->vttbr, 55, 48));
	fprintf(out, "  VTCR 0x%08" PRIx64 "\n", t);
	fprintf(out, "    %-6s %-6d %d-bit input (IPA) range\n", "T0SZ", t0sz, 32 - t0sz);
	F("S", FIELD(t, 4, 4));
	fprintf(out, "T0SZ[3] (sign)\n");
	F("SL0", FIELD(t, 7, 6));
	fprintf(out, "walks start at level %u\n", 2 - (unsigned)FIELD(t, 7, 6));
	walk_attrs(out, t, 8);
	F("RES1", FIELD(t, 31, 31));
	fprintf(out, "bit 31\n");
}

static void regs_v7s(FILE *out, const struct iopgt_regs *r, bool mtk)
{
	static const char *const tr[] = { "strongly-ordered", "device", "normal", "reserved" };
	uint64_t t = r->ttbr;
	unsigned irgn = (unsigned)(FIELD(t, 0, 0) << 1 | FIELD(t, 6, 6));

	fprintf(out, "  TTBR0 0x%08" PRIx64 "%s\n", t, mtk ? " (MediaTek: address only)" : "");
	fprintf(out, "    %-6s 0x%-4" PRIx64 " root table (16K aligned, TTBCR.N = 0)\n", "base",
		t & MASK(31, 14));
	F("IRGN", irgn);
	fprintf(out, "inner walks %s\n", rgn_words(irgn));
	F("S", FIELD(t, 1, 1));
	fprintf(out, "%s\n", FIELD(t, 1, 1) ? "walks shareable" : "walks non-shareable");
	F("RGN", FIELD(t, 4, 3));
	fprintf(out, "outer walks %s\n", rgn_words((unsigned)FIELD(t, 4, 3)));
	F("NOS", FIELD(t, 5, 5));
	fprintf(out, "%s\n", FIELD(t, 5, 5) ? "inner shareable" : "outer shareable");
	fprintf(out, "  TTBCR 0x%08" PRIx64 "\n", r->tcr);
	F("N", FIELD(r->tcr, 2, 0));
	fprintf(out, "TTBR0 translates all 4 GiB\n");
	F("EAE", FIELD(r->tcr, 31, 31));
	fprintf(out, "short descriptors\n");
	fprintf(out, "  PRRR 0x%08" PRIx32 " (TEX remap, SCTLR.TRE = 1)\n", r->prrr);
	for (unsigned n = 0; n < 8; n++) {
		unsigned type = (unsigned)FIELD(r->prrr, 2 * n + 1, 2 * n);

		if (!type)
			continue;
		fprintf(out, "    TR%u    %-6u %s%s\n", n, type, tr[type],
			type != 2 ? "" : (r->prrr & BIT(24 + n)) ?
			", NOS = 1: inner shareable when shareable" :
			", NOS = 0: outer shareable when shareable");
	}
	F("DS0", FIELD(r->prrr, 16, 16));
	fprintf(out, "device memory with S = 0 %s\n", FIELD(r->prrr, 16, 16) ? "shareable" :
		"non-shareable");
	F("DS1", FIELD(r->prrr, 17, 17));
	fprintf(out, "device memory with S = 1 %s\n", FIELD(r->prrr, 17, 17) ? "shareable" :
		"non-shareable");
	F("NS0", FIELD(r->prrr, 18, 18));
	fprintf(out, "normal memory with S = 0 %s\n", FIELD(r->prrr, 18, 18) ? "shareable" :
		"non-shareable");
	F("NS1", FIELD(r->prrr, 19, 19));
	fprintf(out, "normal memory with S = 1 %s\n", FIELD(r->prrr, 19, 19) ? "shareable" :
		"non-shareable");
	fprintf(out, "  NMRR 0x%08" PRIx32 "\n", r->nmrr);
	for (unsigned n = 0; n < 8; n++) {
		if (FIELD(r->prrr, 2 * n + 1, 2 * n) != 2)
			continue;
		fprintf(out, "    IR%u    %-6u inner %s\n", n,
			(unsigned)FIELD(r->nmrr, 2 * n + 1, 2 * n),
			rgn_words((unsigned)FIELD(r->nmrr, 2 * n + 1, 2 * n)));
		fprintf(out, "    OR%u    %-6u outer %s\n", n,
			(unsigned)FIELD(r->nmrr, 2 * n + 17, 2 * n + 16),
			rgn_words((unsigned)FIELD(r->nmrr, 2 * n + 17, 2 * n + 16)));
	}
}

void decode_regs(FILE *out, const struct iopgt *pt, const struct iopgt_cfg *cfg)
{
	struct iopgt_regs r;
	struct iopgt_stats st;

	iopgt_get_regs(pt, &r);
	if (iopgt_get_stats(pt, &st))
		memset(&st, 0, sizeof(st));
	switch (cfg->fmt) {
	case IOPGT_FMT_ARM64_S1:
		regs_arm64_s1(out, &r, (cfg->quirks & IOPGT_QUIRK_TTBR1) != 0, st.granule);
		break;
	case IOPGT_FMT_ARM64_S2:
		regs_arm64_s2(out, &r, &st);
		break;
	case IOPGT_FMT_ARM32_S1:
		regs_arm32_s1(out, &r);
		break;
	case IOPGT_FMT_ARM32_S2:
		regs_arm32_s2(out, &r);
		break;
	case IOPGT_FMT_ARMV7S:
		regs_v7s(out, &r, (cfg->quirks & IOPGT_QUIRK_MTK_EXT) != 0);
		break;
	}
}

/* ---- the walker's hardware updates ------------------------------------- */

int decode_touch(FILE *out, const struct iopgt *pt, const struct iopgt_cfg *cfg,
		 const struct pool *pool, uint64_t iova, bool write, const char **msg)
{
	const bool s2 = is_s2(cfg->fmt);
	struct iopgt_stats st;
	struct iopgt_regs r;
	uint64_t off, tpa, ctl, d, nd, entries;
	unsigned gshift, stride;
	int level;
	enum oa_mode m;
	bool ha, hd, writable;

	if (cfg->fmt != IOPGT_FMT_ARM64_S1 && cfg->fmt != IOPGT_FMT_ARM64_S2) {
		*msg = "AArch64 formats only";
		return 1;
	}
	if (iopgt_get_stats(pt, &st)) {
		*msg = "no tables";
		return 1;
	}
	iopgt_get_regs(pt, &r);
	ctl = s2 ? r.vtcr : r.tcr;
	ha = s2 ? FIELD(ctl, 21, 21) : FIELD(ctl, 39, 39);
	hd = ha && (s2 ? FIELD(ctl, 22, 22) : FIELD(ctl, 40, 40));
	gshift = ilog2(st.granule);
	stride = gshift - 3;
	off = iova - ((cfg->quirks & IOPGT_QUIRK_TTBR1) ? ~(uint64_t)0 << cfg->ias : 0);
	if (cfg->ias < 64 && off >> cfg->ias) {
		*msg = "outside the input range";
		return 1;
	}
	m = oa_mode(cfg->fmt, &r, st.granule);
	tpa = ttbr_baddr(s2 ? r.vttbr : r.ttbr, m);
	entries = st.root_entries;
	for (level = st.start_level;; level++) {
		unsigned shift = gshift + stride * (unsigned)(3 - level);
		uint64_t idx = (off >> shift) & (entries - 1), *slot;

		slot = pool_p2v(pool, tpa + idx * 8);
		if (!slot) {
			*msg = "a descriptor outside table memory";
			return 1;
		}
		d = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		if (!(d & 1)) {
			fprintf(out, "  translation fault at level %d\n", level);
			return 0;
		}
		if (level < 3 && (d & 2)) {
			if (m == OA_LPA2)
				tpa = (d & MASK(49, gshift)) | FIELD(d, 9, 8) << 50;
			else
				tpa = (d & MASK(47, gshift)) | (m == OA_LPA ? FIELD(d, 15, 12) << 48 : 0);
			entries = BIT(stride);
			continue;
		}
		if (!(d & BIT(10)) && !ha) {
			fprintf(out, "  access flag fault at level %d\n", level);
			return 0;
		}
		writable = s2 ? (d & BIT(7)) || (hd && (d & BIT(51)))
			      : !(d & BIT(7)) || (hd && (d & BIT(51)));
		if (write && !writable) {
			fprintf(out, "  permission fault at level %d: not writable\n", level);
			return 0;
		}
		/* what the walker writes back: AF, and the write permission of a
		 * writable-clean leaf it writes through */
		nd = ha ? d | BIT(10) : d;
		if (write && hd && (d & BIT(51)))
			nd = s2 ? nd | BIT(7) : nd & ~BIT(7);
		if (nd == d) {
			fprintf(out, "  L%d descriptor at 0x%" PRIx64 ": 0x%016" PRIx64
				" (nothing to update)\n", level, tpa + idx * 8, d);
			return 0;
		}
		if (!__atomic_compare_exchange_n(slot, &d, nd, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			*msg = "the descriptor changed under the walker";
			return 1;
		}
		fprintf(out, "  L%d descriptor at 0x%" PRIx64 ": 0x%016" PRIx64 " -> 0x%016" PRIx64
			" (%s%s%s)\n", level, tpa + idx * 8, d, nd, (nd & ~d & BIT(10)) ? "AF set" : "",
			(nd & ~d & BIT(10)) && ((nd ^ d) & BIT(7)) ? ", " : "",
			((nd ^ d) & BIT(7)) ? "dirty" : "");
		return 0;
	}
}
