/* SPDX-License-Identifier: MIT */
/*
 * tests/lpae/test_lpae_regs.c - register values (TCR/TTBR, VTCR/VTTBR,
 * TTBCR, MAIR) field by field, and the exact descriptor bits for a set of
 * prot flags compared with the encoding Linux's io-pgtable-arm uses for the
 * same flags (except stage-2 XN, 0b10 here by design), and the quirks that
 * change descriptor bits: NS, S2FWB, OUTER_WBWA, HW_DIRTY and HW_ACCESS (with
 * HA and HD in the registers).
 */
#include "lcommon.h"

static struct th h;

static unsigned f(uint64_t v, unsigned lo, unsigned bits)
{
	return (unsigned)((v >> lo) & (tbit(bits) - 1));
}

static unsigned ips_enc(unsigned oas)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned i;

	for (i = 0; i < 7; i++)
		if (bits[i] >= oas)
			return i;
	return 7;
}

static unsigned tg0_enc(uint64_t gran)
{
	return gran == SZ_4K ? 0 : gran == SZ_64K ? 1 : 2;
}

static unsigned tg1_enc(uint64_t gran)
{
	return gran == SZ_4K ? 2 : gran == SZ_16K ? 1 : 3;
}

static uint64_t ttbr_of(uint64_t pa, bool lpa)
{
	if (lpa)
		return (pa & 0x0000ffffffffffc0ull) | (((pa >> 48) & 0xf) << 2);
	return pa;
}

static void nop_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)ctx;
	(void)r;
	(void)n;
}

static void check_walk_attrs(uint64_t reg, unsigned lo_irgn, bool coherent, bool owbwa,
			     const char *what)
{
	unsigned irgn = f(reg, lo_irgn, 2), orgn = f(reg, lo_irgn + 2, 2), sh = f(reg, lo_irgn + 4, 2);

	if (coherent) {
		TCHECK(sh == 3 && irgn == 1 && orgn == 1,
		       "%s coherent: SH %u IRGN %u ORGN %u, want IS WBWA WBWA", what, sh, irgn, orgn);
	} else {
		TCHECK(sh == 2 && irgn == 0 && orgn == (owbwa ? 1u : 0u),
		       "%s non-coherent: SH %u IRGN %u ORGN %u, want OS NC %s", what, sh, irgn, orgn,
		       owbwa ? "WBWA" : "NC");
	}
}

/* HA with either hardware-update quirk (HD needs it), HD with HW_DIRTY */
static unsigned hw_ha(const struct lcfg *l)
{
	return (l->quirks & (IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS)) != 0;
}

static unsigned hw_hd(const struct lcfg *l)
{
	return (l->quirks & IOPGT_QUIRK_HW_DIRTY) != 0;
}

/* The LPA2 layout (TCR.DS / VTCR.DS = 1): 4K and 16K with an address
 * above 48 bits. */
static bool lpa2(const struct lcfg *l)
{
	return l->gran != SZ_64K && (l->ias > 48 || l->oas > 48);
}

/* TTBR with BADDR[51:48] in bits [5:2]: DS, or 64K with a 52-bit OA */
static bool ttbr52(const struct lcfg *l)
{
	return lpa2(l) || l->oas == 52;
}

static void regs_case(const struct lcfg *l, bool coherent)
{
	struct iopgt pt;
	struct tmem m;
	struct iopgt_cfg c = lc_cfg(l);
	struct iopgt_regs r;
	struct refwalk_lpae_geom g;
	uint64_t root;
	bool owbwa = l->quirks & IOPGT_QUIRK_OUTER_WBWA;
	int rc;

	lc_ctx(l, 0);
	tmem_init(&m, tbit(l->oas - 1) + 0x10000000ull, l->oas, 77);
	tmem_hooks(&m, &c.mem);
	if (!coherent)
		c.sync.fn = nop_sync;
	rc = iopgt_init(&pt, &c);
	TCHECK(rc == IOPGT_OK, "init %d", rc);
	iopgt_get_regs(&pt, &r);
	root = m.recs[0].pa;
	TCHECK(refwalk_lpae_geom(l->fmt, &r, l->oas, &g) == REFWALK_OK,
	       "registers describe no valid walk");
	TCHECK(g.root_pa == root, "root 0x%llx, registers point to 0x%llx", (unsigned long long)root,
	       (unsigned long long)g.root_pa);
	TCHECK(m.recs[0].size == (size_t)g.root_entries * 8 ||
	       (g.root_entries * 8 < 64 && m.recs[0].size == 64),
	       "root of %zu bytes, the registers give %u entries", m.recs[0].size, g.root_entries);
	TCHECK(g.ias == l->ias, "registers give %u input bits", g.ias);

	switch (l->fmt) {
	case IOPGT_FMT_ARM64_S1: {
		bool t1 = l->quirks & IOPGT_QUIRK_TTBR1;
		unsigned tsz = 64 - l->ias;

		TCHECK_EQ(r.ttbr, ttbr_of(root, ttbr52(l)));
		TCHECK_EQ(f(r.tcr, 0, 6), tsz);  /* T0SZ */
		TCHECK_EQ(f(r.tcr, 16, 6), tsz); /* T1SZ */
		TCHECK_EQ(f(r.tcr, 14, 2), tg0_enc(l->gran));
		TCHECK_EQ(f(r.tcr, 30, 2), tg1_enc(l->gran));
		TCHECK_EQ(f(r.tcr, 32, 3), ips_enc(l->oas));
		TCHECK_EQ(f(r.tcr, 7, 1), t1 ? 1 : 0);  /* EPD0 */
		TCHECK_EQ(f(r.tcr, 23, 1), t1 ? 0 : 1); /* EPD1 */
		check_walk_attrs(r.tcr, t1 ? 24 : 8, coherent, owbwa, "TCR");
		TCHECK_EQ(f(r.tcr, 22, 1), 0); /* A1: ASID from TTBR0 */
		TCHECK_EQ(r.mair & 0xffffffffull, 0xf404ff44ull);
		TCHECK(r.vttbr == 0 && r.vtcr == 0, "stage-2 registers set for stage 1");
		TCHECK_EQ(f(r.tcr, 39, 1), hw_ha(l)); /* HA */
		TCHECK_EQ(f(r.tcr, 40, 1), hw_hd(l)); /* HD */
		TCHECK_EQ(f(r.tcr, 59, 1), lpa2(l) ? 1 : 0); /* DS */
		TCHECK_EQ(r.tcr >> 60, 0);
		break;
	}
	case IOPGT_FMT_ARM64_S2:
		TCHECK_EQ(r.vttbr, ttbr_of(root, ttbr52(l)));
		TCHECK_EQ(f(r.vtcr, 0, 6), 64 - l->ias);
		TCHECK_EQ(f(r.vtcr, 14, 2), tg0_enc(l->gran));
		TCHECK_EQ(f(r.vtcr, 16, 3), ips_enc(l->oas));
		TCHECK_EQ(f(r.vtcr, 31, 1), 1); /* RES1 */
		check_walk_attrs(r.vtcr, 8, coherent, owbwa, "VTCR");
		TCHECK(r.ttbr == 0 && r.tcr == 0 && r.mair == 0, "stage-1 registers set for stage 2");
		TCHECK_EQ(f(r.vtcr, 21, 1), hw_ha(l)); /* HA */
		TCHECK_EQ(f(r.vtcr, 22, 1), hw_hd(l)); /* HD */
		TCHECK_EQ(f(r.vtcr, 32, 1), lpa2(l) ? 1 : 0); /* DS */
		TCHECK_EQ(f(r.vtcr, 33, 1), 0);                /* SL2: never level -1 */
		TCHECK_EQ(r.vtcr >> 34, 0);
		break;
	case IOPGT_FMT_ARM32_S1:
		TCHECK_EQ(r.ttbr, root);
		TCHECK_EQ(f(r.tcr, 31, 1), 1); /* EAE */
		TCHECK_EQ(f(r.tcr, 23, 1), 1); /* EPD1 */
		TCHECK_EQ(f(r.tcr, 7, 1), 0);  /* EPD0 */
		TCHECK_EQ(f(r.tcr, 0, 3), 32 - l->ias);
		check_walk_attrs(r.tcr, 8, coherent, owbwa, "TTBCR");
		TCHECK_EQ(r.mair & 0xffffffffull, 0xf404ff44ull);
		break;
	default: /* ARM32 S2 */
		TCHECK_EQ(r.vttbr, root);
		TCHECK_EQ(f(r.vtcr, 0, 4), (32 - (int)l->ias) & 0xf);
		TCHECK_EQ(f(r.vtcr, 4, 1), l->ias > 32 ? 1 : 0); /* S: sign of T0SZ */
		TCHECK_EQ(f(r.vtcr, 31, 1), 1);
		check_walk_attrs(r.vtcr, 8, coherent, owbwa, "VTCR");
		break;
	}
	iopgt_fini(&pt);
	tmem_fini(&m);
}

static void get_regs_fields_match_the_configuration(void **state)
{
	static const unsigned ias4[] = { 25, 30, 31, 39, 40, 48 };
	static const unsigned oas4[] = { 32, 36, 40, 42, 44, 48 };
	static const uint64_t grans[] = { SZ_4K, SZ_16K, SZ_64K };
	enum iopgt_fmt fmts[] = { IOPGT_FMT_ARM64_S1, IOPGT_FMT_ARM64_S2 };
	size_t a, b, gi, fi;
	int coh;

	(void)state;
	for (fi = 0; fi < 2; fi++)
		for (gi = 0; gi < 3; gi++)
			for (a = 0; a < 6; a++)
				for (b = 0; b < 6; b++)
					for (coh = 0; coh < 2; coh++) {
						struct lcfg l = { fmts[fi], grans[gi], ias4[a], oas4[b], 0 };

						/* stage 2, 4K, IAS 25: its own test below */
						if (fi == 1 && gi == 0 && ias4[a] == 25)
							continue;
						regs_case(&l, coh);
						if (!coh) {
							l.quirks = IOPGT_QUIRK_OUTER_WBWA;
							regs_case(&l, false);
						}
						if (fi == 0) {
							l.quirks = IOPGT_QUIRK_TTBR1;
							regs_case(&l, coh);
						}
						if (coh && b == 5) {
							l.quirks = IOPGT_QUIRK_HW_DIRTY;
							regs_case(&l, true);
							l.quirks = IOPGT_QUIRK_HW_ACCESS;
							regs_case(&l, true);
							l.quirks = IOPGT_QUIRK_HW_DIRTY |
								   IOPGT_QUIRK_HW_ACCESS;
							regs_case(&l, true);
						}
					}
	{
		struct lcfg l = { IOPGT_FMT_ARM64_S1, SZ_64K, 48, 52, 0 };

		regs_case(&l, false);
		l.fmt = IOPGT_FMT_ARM64_S2;
		regs_case(&l, true);
	}
	/* 52 bits in, out, or both, with every granule */
	for (fi = 0; fi < 2; fi++)
		for (gi = 0; gi < 3; gi++)
			for (a = 0; a < 4; a++)
				for (coh = 0; coh < 2; coh++) {
					static const unsigned ia[] = { 40, 48, 49, 52 };
					static const unsigned oa[] = { 52, 52, 44, 52 };
					struct lcfg l = { fmts[fi], grans[gi], ia[a], oa[a], 0 };

					regs_case(&l, coh);
					l.oas = 48;
					regs_case(&l, coh);
					l.oas = oa[a];
					if (fi == 0) {
						l.quirks = IOPGT_QUIRK_TTBR1;
						regs_case(&l, coh);
					}
					if (coh) {
						l.quirks = IOPGT_QUIRK_HW_DIRTY;
						regs_case(&l, true);
					} else {
						l.quirks = IOPGT_QUIRK_OUTER_WBWA;
						regs_case(&l, false);
					}
				}
	for (a = 25; a <= 40; a++)
		for (coh = 0; coh < 2; coh++) {
			struct lcfg l1 = { IOPGT_FMT_ARM32_S1, SZ_4K, (unsigned)a, 40, 0 };
			struct lcfg l2 = { IOPGT_FMT_ARM32_S2, SZ_4K, (unsigned)a, 40, 0 };

			if (a <= 32)
				regs_case(&l1, coh);
			if (a == 25)
				continue; /* its own test below */
			regs_case(&l2, coh);
			l2.quirks = IOPGT_QUIRK_OUTER_WBWA;
			if (!coh)
				regs_case(&l2, false);
		}
}

/*
 * 52-bit geometry, written out from the Arm ARM (D8.2: the initial lookup
 * level for the IAS and granule; D8.2.7: stage 2 concatenates up to 16
 * tables, at level 0 too with the 4K granule and DS = 1; VTCR_EL2.SL0,
 * SL2): levels, start level, root entries and the register fields, per
 * configuration.
 */
struct geo52 {
	enum iopgt_fmt fmt;
	uint64_t gran;
	unsigned ias, oas;
	unsigned levels;
	int start;
	unsigned root_entries;
	unsigned ds, sl0; /* sl0: stage 2 only */
};

static const struct geo52 geo52s[] = {
	/* stage 1, 4K: level -1 resolves IA[51:48] (2..16 entries) */
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 52, 52, 5, -1, 16, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 51, 48, 5, -1, 8, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 49, 40, 5, -1, 2, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 52, 4, 0, 512, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 40, 52, 4, 0, 2, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 39, 52, 3, 1, 512, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 4, 0, 512, 0, 0 },
	/* stage 1, 16K: level 0 resolves IA[51:47] (2..32 entries) */
	{ IOPGT_FMT_ARM64_S1, SZ_16K, 52, 52, 4, 0, 32, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_16K, 49, 48, 4, 0, 4, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_16K, 47, 52, 3, 1, 2048, 1, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_16K, 48, 48, 4, 0, 2, 0, 0 },
	/* stage 1, 64K: FEAT_LVA widens the level-1 root to 10 bits */
	{ IOPGT_FMT_ARM64_S1, SZ_64K, 52, 52, 3, 1, 1024, 0, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_64K, 52, 48, 3, 1, 1024, 0, 0 },
	{ IOPGT_FMT_ARM64_S1, SZ_64K, 49, 44, 3, 1, 128, 0, 0 },
	/* stage 2, 4K: 2..16 concatenated level-0 tables (SL0 = 2, SL2 = 0) */
	{ IOPGT_FMT_ARM64_S2, SZ_4K, 52, 52, 4, 0, 8192, 1, 2 },
	{ IOPGT_FMT_ARM64_S2, SZ_4K, 49, 48, 4, 0, 1024, 1, 2 },
	{ IOPGT_FMT_ARM64_S2, SZ_4K, 48, 52, 4, 0, 512, 1, 2 },
	{ IOPGT_FMT_ARM64_S2, SZ_4K, 42, 52, 3, 1, 4096, 1, 1 },
	/* stage 2, 16K: level 0 is SL0 = 3 with DS */
	{ IOPGT_FMT_ARM64_S2, SZ_16K, 52, 52, 4, 0, 32, 1, 3 },
	{ IOPGT_FMT_ARM64_S2, SZ_16K, 51, 40, 3, 1, 32768, 1, 2 }, /* 16 tables */
	{ IOPGT_FMT_ARM64_S2, SZ_16K, 49, 52, 3, 1, 8192, 1, 2 },
	/* stage 2, 64K: a level-1 root of up to 1024 entries */
	{ IOPGT_FMT_ARM64_S2, SZ_64K, 52, 52, 3, 1, 1024, 0, 2 },
	{ IOPGT_FMT_ARM64_S2, SZ_64K, 50, 48, 3, 1, 256, 0, 2 },
};

static void geometry_and_registers_of_52bit_configurations(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(geo52s) / sizeof(geo52s[0]); i++) {
		const struct geo52 *e = &geo52s[i];
		struct lcfg l = { e->fmt, e->gran, e->ias, e->oas, 0 };
		struct iopgt_cfg c;
		struct iopgt pt;
		struct iopgt_stats st;
		struct iopgt_regs r;
		struct tmem m;
		const bool s2 = e->fmt == IOPGT_FMT_ARM64_S2;

		lc_ctx(&l, 0);
		memset(&c, 0, sizeof(c));
		c.fmt = e->fmt;
		c.ias = e->ias;
		c.oas = e->oas;
		c.pgsizes = e->gran;
		tmem_init(&m, tbit(e->oas - 1), e->oas, 5);
		tmem_hooks(&m, &c.mem);
		TCHECK(iopgt_init(&pt, &c) == IOPGT_OK, "init");
		TCHECK(iopgt_get_stats(&pt, &st) == IOPGT_OK, "stats");
		TCHECK(st.levels == e->levels && st.start_level == e->start &&
		       st.root_entries == e->root_entries,
		       "%u levels from level %d, a root of %u entries; want %u, %d, %u", st.levels,
		       st.start_level, st.root_entries, e->levels, e->start, e->root_entries);
		TCHECK(st.granule == e->gran, "granule");
		iopgt_get_regs(&pt, &r);
		if (!s2) {
			TCHECK_EQ(f(r.tcr, 0, 6), 64 - e->ias);
			TCHECK_EQ(f(r.tcr, 59, 1), e->ds);
			TCHECK_EQ(f(r.tcr, 32, 3), e->oas == 52 ? 6u : ips_enc(e->oas));
		} else {
			TCHECK_EQ(f(r.vtcr, 0, 6), 64 - e->ias);
			TCHECK_EQ(f(r.vtcr, 6, 2), e->sl0);
			TCHECK_EQ(f(r.vtcr, 32, 1), e->ds);
			TCHECK_EQ(f(r.vtcr, 33, 1), 0);
			TCHECK_EQ(f(r.vtcr, 16, 3), e->oas == 52 ? 6u : ips_enc(e->oas));
		}
		/* the registers walk from the root the library allocated */
		regs_case(&l, true);
		iopgt_fini(&pt);
		tmem_fini(&m);
	}
}

/*
 * Stage 2 with the 4K granule and a 25-bit IPA: VTCR_EL2.SL0 can start the
 * 4K walk at level 2, 1 or 0 (level 3 only with FEAT_TTST), VMSAv7's VTCR
 * at level 2 or 1: the root must be 16 entries at level 2.
 */
static void stage2_4k_ias25_starts_at_level_2(void **state)
{
	enum iopgt_fmt fmts[] = { IOPGT_FMT_ARM64_S2, IOPGT_FMT_ARM32_S2 };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct lcfg l = { fmts[i], SZ_4K, 25, 32, 0 };

		lc_ctx(&l, 0);
		TCHECK(lc_start_level(&l) == 2, "start level");
		regs_case(&l, false);
		regs_case(&l, true);
	}
}

/*
 * Stage 2 concatenates start-level tables to save a level, but not at the
 * cost of a block size pgsizes asks for: with the 4K granule and IAS 31..34
 * Linux's 4K|2M|1G must start at level 1 and map 1G blocks.
 */
static void stage2_4k_keeps_1g_blocks_that_pgsizes_asks_for(void **state)
{
	(void)state;
	for (unsigned ias = 31; ias <= 34; ias++) {
		struct iopgt_cfg cfg = { 0 };
		struct iopgt pt;
		struct iopgt_stats st;
		struct iopgt_mapping m;

		cfg.fmt = IOPGT_FMT_ARM64_S2;
		cfg.ias = ias;
		cfg.oas = 48; /* the built-in allocator's addresses need it */
		cfg.pgsizes = SZ_4K | SZ_2M | SZ_1G;
		TCHECK(iopgt_init(&pt, &cfg) == IOPGT_OK, "ias %u", ias);
		TCHECK(iopgt_get_stats(&pt, &st) == IOPGT_OK, "stats");
		TCHECK(st.start_level == 1, "ias %u starts at level %u", ias, st.start_level);
		TCHECK(iopgt_map(&pt, SZ_1G, 2 * SZ_1G, SZ_1G, IOPGT_READ) == IOPGT_OK, "map 1G");
		TCHECK(iopgt_lookup(&pt, SZ_1G + 0x1234000, &m) == IOPGT_OK, "lookup");
		TCHECK(m.size == SZ_1G && m.iova == SZ_1G && m.pa == 2 * SZ_1G, "a 1G block");
		iopgt_fini(&pt);

		/* without 1G the concatenated level-2 start stays */
		cfg.pgsizes = SZ_4K | SZ_2M;
		TCHECK(iopgt_init(&pt, &cfg) == IOPGT_OK, "ias %u without 1G", ias);
		TCHECK(iopgt_get_stats(&pt, &st) == IOPGT_OK, "stats");
		TCHECK(st.start_level == 2, "ias %u without 1G starts at level %u", ias,
		       st.start_level);
		iopgt_fini(&pt);
	}
}

/*
 * The descriptor Linux's io-pgtable-arm writes for these prot flags, from
 * arm_lpae_prot_to_pte(): stage 1: nG, AP[2] (read-only) when READ without
 * WRITE, AP[1] (EL0) unless PRIV, AttrIndx 2 for MMIO, 1 for CACHE, else 0;
 * stage 2: S2AP read/write bits, MemAttr 0x1 MMIO, 0xf CACHE, 0x5 otherwise;
 * both: SH inner-shareable when CACHE is set, else outer-shareable; XN
 * (stage 1: UXN|PXN; stage 2 here: XN[1:0] = 0b10) for NOEXEC; NS with the
 * NS quirk; AF. The type bits: 0b11 at the last level, 0b01 for blocks.
 */
static uint64_t linux_attrs(bool s2, uint32_t prot, bool ns, bool fwb)
{
	uint64_t d = tbit(10);

	if (!s2) {
		d |= tbit(11);
		if ((prot & IOPGT_READ) && !(prot & IOPGT_WRITE))
			d |= tbit(7);
		if (!(prot & IOPGT_PRIV))
			d |= tbit(6);
		if (prot & IOPGT_MMIO)
			d |= 2ull << 2;
		else if (prot & IOPGT_CACHE)
			d |= 1ull << 2;
		if (prot & IOPGT_NOEXEC)
			d |= 3ull << 53;
		if (ns)
			d |= tbit(5);
	} else {
		if (prot & IOPGT_READ)
			d |= tbit(6);
		if (prot & IOPGT_WRITE)
			d |= tbit(7);
		if (prot & IOPGT_MMIO)
			d |= 0x1ull << 2;
		else if (prot & IOPGT_CACHE)
			d |= (fwb ? 0x6ull : 0xfull) << 2;
		else
			d |= 0x5ull << 2;
		if (prot & IOPGT_NOEXEC)
			d |= 2ull << 53;
	}
	d |= (prot & IOPGT_CACHE) ? 3ull << 8 : 2ull << 8;
	return d;
}

static void encodings_case(const struct lcfg *l, bool mmio_cache)
{
	struct iopgt_cfg c = lc_cfg(l);
	bool s2 = lc_s2(l);
	uint64_t sizes[3] = { SZ_4K, SZ_64K, SZ_2M }, iova = 0x40000000ull;
	size_t p, k;
	/* the hardware-update quirks need a coherent walker */
	struct th_opts o = { .coherent = (l->quirks & (IOPGT_QUIRK_HW_DIRTY |
							IOPGT_QUIRK_HW_ACCESS)) != 0 };

	lc_ctx(l, 1);
	c.pgsizes = SZ_4K | SZ_64K | SZ_2M;
	TCHECK(th_init(&h, &c, &o, 1) == IOPGT_OK, "init");
	for (p = 0; p < LC_NPROTS; p++)
		for (k = 0; k < 3; k++) {
			uint32_t prot = lc_prots[p];
			struct refwalk_result r;
			bool both = (prot & IOPGT_MMIO) && (prot & IOPGT_CACHE);
			uint64_t pa = 0x80000000ull + p * 0x1000000ull + k * SZ_2M, want, got, e;
			uint64_t oa_mask = 0x0000fffffffff000ull; /* bit 51 is DBM */
			unsigned n = sizes[k] == SZ_64K ? 16 : 1;

			if (both != mmio_cache)
				continue;
			TCHECK(th_map(&h, iova, pa, sizes[k], prot) == IOPGT_OK, "map");
			TCHECK(th_walk(&h, false, iova, &r) == REFWALK_OK, "refwalk");
			want = linux_attrs(s2, prot, l->quirks & IOPGT_QUIRK_NS,
					   l->quirks & IOPGT_QUIRK_S2FWB);
			/* hardware updates: AF clear; a writable leaf
			 * writable-clean, with DBM (bit 51) and bit 7 as a
			 * read-only leaf has it (S1 AP[2] = 1, S2 S2AP[1] = 0) */
			if (l->quirks & IOPGT_QUIRK_HW_ACCESS)
				want &= ~tbit(10);
			if ((l->quirks & IOPGT_QUIRK_HW_DIRTY) && (prot & IOPGT_WRITE))
				want = (s2 ? want & ~tbit(7) : want | tbit(7)) | tbit(51);
			want |= sizes[k] == SZ_2M ? 1 : 3;
			if (n > 1)
				want |= tbit(52);
			got = r.desc & ~oa_mask;
			TCHECK(got == want,
			       "prot 0x%x size 0x%llx: descriptor 0x%016llx attributes 0x%016llx, "
			       "Linux's encoding 0x%016llx (differs in 0x%llx)",
			       prot, (unsigned long long)sizes[k], (unsigned long long)r.desc,
			       (unsigned long long)got, (unsigned long long)want,
			       (unsigned long long)(got ^ want));
			TCHECK_EQ(r.desc & oa_mask, pa);
			/* every entry of a run carries the same attributes */
			for (e = 1; e < n; e++) {
				struct refwalk_result re;

				TCHECK(th_walk(&h, false, iova + e * SZ_4K, &re) == REFWALK_OK, "run");
				TCHECK_EQ(re.desc & ~oa_mask, want);
				TCHECK_EQ(re.desc & oa_mask, pa + e * SZ_4K);
			}
			TCHECK(th_unmap(&h, iova, sizes[k]) == IOPGT_OK, "unmap");
		}
	th_fini(&h);
}

/*
 * The LPA2 layout (D8.3.1, D8.3.2): a leaf holds OA[49:n] in place and
 * OA[51:50] in bits [9:8], where no shareability is written (TCR.SH0 and
 * VTCR.SH0 give it); the other attributes as in the 48-bit layout. Table
 * descriptors hold their table's address the same way (the harness
 * allocates tables from 2^(OAS-1) = 2^51 up).
 */
static void lpa2_descriptors_hold_pa_51_50_in_bits_9_8_without_shareability(void **state)
{
	static const struct lcfg cases[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 52, 0 },
		{ IOPGT_FMT_ARM64_S1, SZ_16K, 52, 52, IOPGT_QUIRK_NS },
		{ IOPGT_FMT_ARM64_S2, SZ_4K, 52, 52, 0 },
		{ IOPGT_FMT_ARM64_S2, SZ_16K, 49, 52, IOPGT_QUIRK_S2FWB },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lcfg *l = &cases[i];
		struct iopgt_cfg c = lc_cfg(l);
		const bool s2 = lc_s2(l);
		const uint64_t g = l->gran, iova = 7 * g;
		const uint64_t hi[] = { 0, tbit(48), tbit(49) | tbit(50), tbit(51) | tbit(48),
					tbit(50) | tbit(51) | tbit(49) };

		lc_ctx(l, 0);
		c.pgsizes = g;
		TCHECK(th_init(&h, &c, NULL, 3) == IOPGT_OK, "init");
		for (size_t p = 0; p < LC_NPROTS; p++)
			for (size_t k = 0; k < sizeof(hi) / sizeof(hi[0]); k++) {
				const uint32_t prot = lc_prots[p];
				const uint64_t pa = hi[k] | (0x1230ull + p) * g;
				struct refwalk_result r;
				uint64_t want;

				if ((prot & IOPGT_MMIO) && (prot & IOPGT_CACHE))
					continue;
				TCHECK(th_map(&h, iova, pa, g, prot) == IOPGT_OK, "map");
				TCHECK(th_walk(&h, true, iova, &r) == REFWALK_OK, "refwalk");
				TCHECK_EQ(r.pa, pa);
				want = linux_attrs(s2, prot, l->quirks & IOPGT_QUIRK_NS,
						   l->quirks & IOPGT_QUIRK_S2FWB);
				want &= ~(3ull << 8); /* no SH */
				want |= 3 | (pa & 0x0003fffffffff000ull) | ((pa >> 50) & 3) << 8;
				TCHECK(r.desc == want, "prot 0x%x pa 0x%llx: descriptor 0x%016llx, want "
				       "0x%016llx", prot, (unsigned long long)pa,
				       (unsigned long long)r.desc, (unsigned long long)want);
				TCHECK(th_unmap(&h, iova, g) == IOPGT_OK, "unmap");
			}
		/* a table descriptor in the root, to a table at or above 2^51 */
		TCHECK(th_map(&h, iova, g, g, IOPGT_READ) == IOPGT_OK, "map");
		{
			const struct tmem_rec *root = &h.mem.recs[0];
			uint64_t d, tpa;

			for (size_t j = 1; j < h.mem.n; j++)
				if (h.mem.recs[j].linked && h.mem.recs[j].level == h.start_level)
					root = &h.mem.recs[j];
			memcpy(&d, root->va, 8); /* iova 7 * g: entry 0 of the root */
			tpa = (d & 0x0003fffffffff000ull & ~(g - 1)) | ((d >> 8) & 3) << 50;
			TCHECK((d & 3) == 3 && tpa >= tbit(51) && tmem_find(&h.mem, tpa) &&
			       tmem_find(&h.mem, tpa)->pa == tpa,
			       "root entry 0x%016llx: no table at or above 2^51",
			       (unsigned long long)d);
			TCHECK_EQ((d >> 8) & 3, tpa >> 50);
		}
		TCHECK(th_unmap(&h, iova, g) == IOPGT_OK, "unmap");
		lc_expect_root_only(&h);
		th_fini(&h);
	}
}

static void descriptors_match_linux_io_pgtable_encodings(void **state)
{
	static const struct lcfg cases[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 0 },
		{ IOPGT_FMT_ARM64_S2, SZ_4K, 48, 48, 0 },
		{ IOPGT_FMT_ARM32_S1, SZ_4K, 32, 40, 0 },
		{ IOPGT_FMT_ARM32_S2, SZ_4K, 40, 40, 0 },
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 39, 44, IOPGT_QUIRK_NS },
		{ IOPGT_FMT_ARM32_S1, SZ_4K, 32, 40, IOPGT_QUIRK_NS },
		{ IOPGT_FMT_ARM64_S2, SZ_4K, 40, 42, IOPGT_QUIRK_S2FWB },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		encodings_case(&cases[i], false);
}

/* IOPGT_QUIRK_HW_DIRTY, _HW_ACCESS: Linux's encoding, but for the walker's
 * state: written clean and old. */
static void hw_quirks_write_leaves_clean_and_old(void **state)
{
	static const struct lcfg cases[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, IOPGT_QUIRK_HW_DIRTY },
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, IOPGT_QUIRK_HW_ACCESS },
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 39, 44,
		  IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS | IOPGT_QUIRK_NS },
		{ IOPGT_FMT_ARM64_S2, SZ_4K, 48, 48, IOPGT_QUIRK_HW_DIRTY },
		{ IOPGT_FMT_ARM64_S2, SZ_4K, 40, 42,
		  IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS | IOPGT_QUIRK_S2FWB },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		encodings_case(&cases[i], false);
		encodings_case(&cases[i], true);
	}
}

/* MMIO with CACHE: Device memory, and Linux still writes SH = inner
 * shareable because CACHE is set. */
static void mmio_with_cache_encodes_like_linux(void **state)
{
	static const struct lcfg cases[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 0 },
		{ IOPGT_FMT_ARM64_S2, SZ_4K, 48, 48, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		encodings_case(&cases[i], true);
}

/* NS quirk: NSTable (bit 63) on every table descriptor on the way to a leaf. */
static void ns_quirk_sets_nstable_on_table_descriptors(void **state)
{
	static const struct lcfg cases[] = {
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, IOPGT_QUIRK_NS },
		{ IOPGT_FMT_ARM64_S1, SZ_64K, 48, 48, IOPGT_QUIRK_NS },
		{ IOPGT_FMT_ARM32_S1, SZ_4K, 32, 40, IOPGT_QUIRK_NS },
		{ IOPGT_FMT_ARM64_S1, SZ_4K, 48, 48, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iopgt_cfg c = lc_cfg(&cases[i]);
		uint64_t iova = 0x123456000ull & (tbit(cases[i].ias) - 1) & ~(cases[i].gran - 1);
		uint64_t tpa, d;
		unsigned lvl, entries, levels_seen = 0;
		bool ns = cases[i].quirks & IOPGT_QUIRK_NS;

		lc_ctx(&cases[i], 2);
		TCHECK(th_init(&h, &c, NULL, 2) == IOPGT_OK, "init");
		TCHECK(th_map(&h, iova, 0x40000000ull, cases[i].gran, IOPGT_READ) == IOPGT_OK, "map");
		tpa = h.lg.root_pa;
		entries = h.lg.root_entries;
		for (lvl = h.lg.start_level; lvl < 3; lvl++) {
			unsigned sh = refwalk_lpae_entry_shift(&h.lg, lvl);

			d = th_desc(&h, tpa + ((iova >> sh) & (entries - 1)) * 8);
			TCHECK((d & 3) == 3, "level %u: no table descriptor (0x%llx)", lvl,
			       (unsigned long long)d);
			TCHECK(((d >> 63) & 1) == ns, "level %u table descriptor 0x%016llx: NSTable %s",
			       lvl, (unsigned long long)d, ns ? "clear" : "set");
			TCHECK((d & 0x7800000000000000ull) == 0, "APTable/XNTable set: 0x%016llx",
			       (unsigned long long)d);
			tpa = d & 0x0000fffffffff000ull & ~(cases[i].gran - 1);
			entries = 1u << h.lg.stride;
			levels_seen++;
		}
		TCHECK(levels_seen >= 1, "no table level");
		d = th_desc(&h, tpa + ((iova >> h.lg.gshift) & (entries - 1)) * 8);
		TCHECK(((d >> 5) & 1) == ns, "leaf 0x%016llx: NS %s", (unsigned long long)d,
		       ns ? "clear" : "set");
		TCHECK(th_unmap(&h, iova, cases[i].gran) == IOPGT_OK, "unmap");
		lc_expect_root_only(&h);
		th_fini(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_regs_fields_match_the_configuration),
		cmocka_unit_test(geometry_and_registers_of_52bit_configurations),
		cmocka_unit_test(stage2_4k_ias25_starts_at_level_2),
		cmocka_unit_test(stage2_4k_keeps_1g_blocks_that_pgsizes_asks_for),
		cmocka_unit_test(descriptors_match_linux_io_pgtable_encodings),
		cmocka_unit_test(lpa2_descriptors_hold_pa_51_50_in_bits_9_8_without_shareability),
		cmocka_unit_test(mmio_with_cache_encodes_like_linux),
		cmocka_unit_test(hw_quirks_write_leaves_clean_and_old),
		cmocka_unit_test(ns_quirk_sets_nstable_on_table_descriptors),
	};

	return cmocka_run_group_tests_name("lpae-regs", tests, NULL, NULL);
}
