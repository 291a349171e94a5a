/* SPDX-License-Identifier: MIT */
/*
 * lpae.c - the CPU's own MMU (QEMU cortex-a15) walks VMSAv7 long-descriptor
 * stage 1 tables (IOPGT_FMT_ARM32_S1, 4K granule) that the library built.
 *
 * The guest maps its RAM and the UART through the library, enables the MMU
 * with TTBR0 (64 bits), TTBCR, MAIR0 and MAIR1 as iopgt_get_regs() returns
 * them (coherent walks: no sync callback), then for 1G and 2M blocks, 32M
 * contiguous runs of blocks, 4K pages and 64K contiguous runs of pages
 * checks:
 *   - ATS1CPR/ATS1CPW/ATS1CUR/ATS1CUW and the 64-bit PAR: PA[39:12], the
 *     memory attributes (PAR.ATTR, from MAIR) and shareability, or the
 *     fault status and level,
 *   - loads and stores (also LDRT/STRT) with the data at the PA: a 1G block
 *     at PA 4 GiB is checked against a 2M block mapping its last 2 MiB,
 *   - instruction fetches (XN), translation, permission and access-flag
 *     faults (long-descriptor DFSR/IFSR),
 *   - that iopgt_unmap() makes the addresses fault, also after splits of a
 *     block and of contiguous runs.
 *
 * References: ARMv7-A/R ARM DDI0406C, B3.6 (long-descriptor format), B3.7
 * (memory access control), B3.8 (memory region attributes, MAIR), B3.13
 * (exception reporting: long-descriptor fault status encodings), B4.1
 * (PAR, TTBCR, MAIR0/MAIR1, DFSR, IFSR).
 *
 * A second set of tables with IAS 31 (TTBCR.T0SZ = 1) runs the guest for a
 * while too. Stage 2 is checked by s2.c.
 *
 * Negative controls (-append): "neg=desc" (an output address patched after
 * iopgt_map), "neg=mair" (MAIR0 attributes 0 and 1 swapped), "neg=ttbcr"
 * (T0SZ = 1: VAs from 2 GiB go to the disabled TTBR1 half), "neg=notlb" (no
 * TLB hooks). Each must make the run fail.
 */
#include "rt.h"

#define SZ_4K  0x1000u
#define SZ_64K 0x10000u
#define SZ_2M  0x200000u
#define SZ_32M 0x2000000u
#define SZ_1G  0x40000000u

#define RW (IOPGT_READ | IOPGT_WRITE)
#define C  IOPGT_CACHE

/* long-descriptor fault status (B3.13, "Fault status encodings"): type | level */
#define ST_TRANS(l) (0x04u | (l))
#define ST_AF(l)    (0x08u | (l))
#define ST_PERM(l)  (0x0cu | (l))
#define FSR_LPAE    (1u << 9)
#define FSR_WNR     (1u << 11)

/* MAIR attributes the library's indices name (as Linux's io-pgtable) */
#define ATTR_NC  0x44u
#define ATTR_WB  0xffu
#define ATTR_DEV 0x04u

struct tmap {
	const char *name;
	uint32_t va;
	uint64_t pa;
	uint32_t size;
	uint32_t prot;
	unsigned level;   /* architectural level of the leaf */
	unsigned entries; /* descriptors making it up (contiguous runs: 16) */
};

#define PA_HIGH 0x100000000ull /* 4 GiB: needs -m 5G or more */

static const struct tmap maps[] = {
	{ "1G block",       0xc0000000u, PA_HIGH,                 SZ_1G,  RW | C,          1, 1 },
	{ "2M block",       0x80000000u, PA_HIGH + SZ_1G - SZ_2M, SZ_2M,  RW,              2, 1 },
	{ "2M block ro",    0x80200000u, 0x44400000u,             SZ_2M,  IOPGT_READ | C,  2, 1 },
	{ "2M block priv",  0x80400000u, 0x44600000u,             SZ_2M,  RW | IOPGT_PRIV | C, 2, 1 },
	{ "32M contiguous", 0x82000000u, 0x46000000u,             SZ_32M, RW | C,          2, 16 },
	{ "64K contiguous", 0x84010000u, 0x44310000u,             SZ_64K, RW | C,          3, 16 },
	{ "page",           0x84001000u, 0x44305000u,             SZ_4K,  RW | C,          3, 1 },
	{ "page ro",        0x84002000u, 0x44306000u,             SZ_4K,  IOPGT_READ | C,  3, 1 },
	{ "page priv",      0x84003000u, 0x44307000u,             SZ_4K,  RW | IOPGT_PRIV | C, 3, 1 },
	{ "page priv ro",   0x84004000u, 0x44308000u,             SZ_4K,  IOPGT_READ | IOPGT_PRIV, 3, 1 },
	{ "page xn",        0x84005000u, 0x44309000u,             SZ_4K,  RW | IOPGT_NOEXEC | C, 3, 1 },
	{ "page x",         0x84006000u, 0x4430a000u,             SZ_4K,  IOPGT_READ | C,  3, 1 },
	{ "page mmio",      0x84007000u, 0x4430b000u,             SZ_4K,  RW | IOPGT_MMIO, 3, 1 },
	{ "page nc",        0x84008000u, 0x4430c000u,             SZ_4K,  RW,              3, 1 },
};
#define NMAPS (sizeof(maps) / sizeof(maps[0]))
#define M_1G  0
#define M_2M  1
#define M_PAGE 6
#define M_XN  10
#define M_X   11

#define VA_NOTHING_L2 0x88000000u /* level-2 table present, entry invalid */
#define VA_NOTHING_L3 0x84009000u /* level-3 table present, entry invalid */
#define VA_AF_PAGE    0x8400a000u
#define PA_AF_PAGE    0x4430d000u
#define VA_AF_BLOCK   0x80600000u
#define PA_AF_BLOCK   0x44800000u
#define VA_SPLIT      0x86000000u
#define PA_SPLIT      0x48000000u

static struct iopgt pt;
static struct iopgt_regs regs;
static bool neg_desc, neg_mair, neg_ttbcr, neg_notlb;

/* --- the walk done by hand, to look at and patch descriptors ---------------- */
static volatile uint64_t *lpae_desc(uint32_t va, unsigned level)
{
	volatile uint64_t *t = (volatile uint64_t *)(uintptr_t)(regs.ttbr & 0xffffffe0u);
	unsigned shift = 30;

	for (unsigned l = 1; l < level; l++) {
		uint64_t d = t[(va >> shift) & (l == 1 ? 3u : 0x1ffu)];

		if ((d & 3u) != 3u)
			return NULL;
		t = (volatile uint64_t *)(uintptr_t)(uint32_t)(d & 0xfffffff000ull);
		shift -= 9;
	}
	return &t[(va >> shift) & (level == 1 ? 3u : 0x1ffu)];
}

static void tlb_one(uint32_t va)
{
	dsb();
	wr_tlbimva(va & 0xfffff000u);
	dsb();
	isb();
}

/* --- address translation instructions -------------------------------------- */
static uint64_t at(uint32_t va, bool user, bool write)
{
	if (user)
		write ? wr_ats1cuw(va) : wr_ats1cur(va);
	else
		write ? wr_ats1cpw(va) : wr_ats1cpr(va);
	isb();
	rt_counts.translations++;
	return rd_par64();
}

static unsigned expect_attr(uint32_t prot)
{
	if (prot & IOPGT_MMIO)
		return ATTR_DEV;
	return (prot & IOPGT_CACHE) ? ATTR_WB : ATTR_NC;
}

/* the long-descriptor PAR (B4.1, "PAR, Physical Address Register"): F bit 0, LPAE bit 11; success:
 * SH [8:7], NS bit 9, PA[39:12], ATTR [63:56]; fault: FST [6:1] */
static void check_at_ok(const struct tmap *m, uint32_t va, uint64_t pa, bool user, bool write)
{
	uint64_t par = at(va, user, write);
	uint32_t hi = (uint32_t)(par >> 32), lo = (uint32_t)par;

	if (par & 1u) {
		rt_printf("  %s: AT%s%s va 0x%08x faulted, fst 0x%x\n", m->name, user ? "U" : "P",
			  write ? "W" : "R", va, (lo >> 1) & 0x3fu);
		CHECK(false, "translation expected", va, lo);
		return;
	}
	CHECK(lo & (1u << 11), "PAR.LPAE", hi, lo);
	CHECK((par & 0xfffffff000ull) == (pa & 0xfffffff000ull), "PAR PA[39:12]", hi, lo);
	CHECK((hi >> 24) == expect_attr(m->prot), "PAR.ATTR (MAIR)", hi, expect_attr(m->prot));
	if (m->prot & IOPGT_CACHE)
		CHECK(((lo >> 7) & 3u) == 3u, "PAR.SH inner shareable", lo, 3);
}

static void check_at_fault(const char *what, uint32_t va, unsigned st, bool user, bool write)
{
	uint64_t par = at(va, user, write);
	uint32_t lo = (uint32_t)par;

	rt_counts.faults++;
	if (!(lo & 1u) || ((lo >> 1) & 0x3fu) != st) {
		rt_printf("  %s: AT%s%s va 0x%08x: PAR 0x%08x, expected fault status 0x%x\n", what,
			  user ? "U" : "P", write ? "W" : "R", va, lo, st);
		CHECK(false, "fault expected from AT", va, lo);
	}
}

static void check_access_fault(const char *what, enum acc a, uint32_t va, unsigned st)
{
	uint32_t v = 0x5eed0000u, dfsr;

	rt_counts.faults++;
	if (access(a, va, &v)) {
		rt_printf("  %s: access to 0x%08x did not fault\n", what, va);
		CHECK(false, "data abort expected", va, 0);
		return;
	}
	dfsr = rt_abort.fsr;
	CHECK((dfsr & FSR_LPAE) && (dfsr & 0x3fu) == st, "DFSR status (long format)", dfsr, st);
	CHECK(rt_abort.far == va, "DFAR", rt_abort.far, va);
	CHECK(!!(dfsr & FSR_WNR) == (a == STR || a == STRT), "DFSR.WnR", dfsr, a);
}

/*
 * Where the guest sees physical address pa other than through m: RAM below
 * 2 GiB through the identity mapping, the last 2 MiB of the 1G block at
 * 4 GiB through the 2M block and the reverse.
 */
static bool witness(const struct tmap *m, uint64_t pa, uint32_t *va)
{
	const struct tmap *b = &maps[M_1G], *s = &maps[M_2M];

	if (pa >= 0x40000000u && pa < 0x80000000u) {
		*va = (uint32_t)pa;
		return true;
	}
	if (m == b && pa >= s->pa && pa < s->pa + s->size) {
		*va = s->va + (uint32_t)(pa - s->pa);
		return true;
	}
	if (m == s) {
		*va = b->va + (uint32_t)(pa - b->pa);
		return true;
	}
	return false;
}

static void check_data(const struct tmap *m, uint32_t va, uint64_t pa, bool user)
{
	uint32_t v = pattern(va, user ? 0x55555555u : 0x11111111u), r, wva;

	if (!witness(m, pa, &wva))
		return;
	if (!access(user ? STRT : STR, va, &v)) {
		rt_printf("  %s: store to 0x%08x faulted (dfsr 0x%08x)\n", m->name, va, rt_abort.fsr);
		CHECK(false, "store expected to succeed", va, rt_abort.fsr);
		return;
	}
	dsb();
	CHECK(access(LDR, wva, &r) && r == v, m->name, r, v);
	v ^= 0xffffffffu;
	access(STR, wva, &v);
	dsb();
	if (!access(user ? LDRT : LDR, va, &r)) {
		CHECK(false, "load expected to succeed", va, rt_abort.fsr);
		return;
	}
	CHECK(r == v, m->name, r, v);
}

static void check_map(const struct tmap *m)
{
	uint32_t offs[4] = { 0, m->size / 2 + 0x124,
			     m->size > SZ_2M ? m->size - SZ_2M + 0x124 : m->size / 4 + 0x800,
			     m->size - 4 };
	bool w = m->prot & IOPGT_WRITE, upriv = m->prot & IOPGT_PRIV;
	unsigned perm = ST_PERM(m->level);
	struct iopgt_mapping lm;
	volatile uint64_t *d = lpae_desc(m->va, m->level);

	rt_check_ok(iopgt_lookup(&pt, m->va, &lm), "iopgt_lookup");
	CHECK(lm.iova == m->va && lm.pa == m->pa && lm.size == m->size, m->name, (uint32_t)lm.pa,
	      (uint32_t)lm.size);
	/* the leaf kind the library chose: level, block or page, contiguous bit */
	CHECK(d != NULL, "leaf at the expected level", m->va, m->level);
	if (d) {
		for (unsigned i = 0; i < m->entries; i++) {
			uint64_t e = d[i];
			bool cont = (e >> 52) & 1u;

			CHECK((e & 3u) == (m->level == 3 ? 3u : 1u), "block/page descriptor type",
			      (uint32_t)e, m->level);
			CHECK(cont == (m->entries > 1), "contiguous bit", (uint32_t)(e >> 32), i);
			CHECK((e & 0xfffffff000ull) == m->pa + (uint64_t)i * (m->size / m->entries),
			      "descriptor output address", (uint32_t)(e >> 12), i);
		}
	}

	for (unsigned i = 0; i < 4; i++) {
		uint32_t va = m->va + offs[i];
		uint64_t pa = m->pa + offs[i];

		check_at_ok(m, va, pa, false, false);
		if (w)
			check_at_ok(m, va, pa, false, true);
		else
			check_at_fault(m->name, va, perm, false, true);
		if (upriv) {
			check_at_fault(m->name, va, perm, true, false);
			check_at_fault(m->name, va, perm, true, true);
		} else {
			check_at_ok(m, va, pa, true, false);
			if (w)
				check_at_ok(m, va, pa, true, true);
			else
				check_at_fault(m->name, va, perm, true, true);
		}
		if (w) {
			check_data(m, va, pa, false);
			if (!upriv)
				check_data(m, va, pa, true);
		} else {
			volatile uint32_t *phys = (volatile uint32_t *)(uintptr_t)pa;
			uint32_t before, r;

			*phys = pattern(va, 0x22222222u);
			dsb();
			before = *phys;
			CHECK(access(LDR, va, &r) && r == before, "load through read-only", r, before);
			check_access_fault(m->name, STR, va, perm);
			CHECK(*phys == before, "read-only memory unchanged", *phys, before);
		}
		if (upriv) {
			check_access_fault(m->name, LDRT, va, perm);
			check_access_fault(m->name, STRT, va, perm);
		}
	}
}

static void check_unmapped(const char *what, uint32_t va, unsigned st)
{
	check_at_fault(what, va, st, false, false);
	check_at_fault(what, va, st, false, true);
	check_at_fault(what, va, st, true, false);
	check_access_fault(what, LDR, va, st);
	check_access_fault(what, STR, va, st);
}

static void check_still(const char *what, uint32_t va, uint64_t pa, uint32_t prot)
{
	struct tmap m = { what, va, pa, SZ_4K, prot, 3, 1 };

	check_at_ok(&m, va, pa, false, true);
	check_data(&m, va, pa, true);
}

static void load_regs(void)
{
	struct rt_mmu_regs r = {
		.ttbcr = (uint32_t)regs.tcr,
		.ttbr0_lo = (uint32_t)regs.ttbr, .ttbr0_hi = (uint32_t)(regs.ttbr >> 32),
		.prrr_mair0 = (uint32_t)regs.mair, .nmrr_mair1 = (uint32_t)(regs.mair >> 32),
		.dacr = 1u, /* ignored with TTBCR.EAE = 1 */
		.sctlr = (rd_sctlr() | SCTLR_M | SCTLR_C | SCTLR_I) | SCTLR_A,
	};

	if (neg_mair) /* swap attributes 0 and 1 (B4.1, "MAIR0 and MAIR1") */
		r.prrr_mair0 = (r.prrr_mair0 & 0xffff0000u) | (r.prrr_mair0 & 0xffu) << 8 |
			       ((r.prrr_mair0 >> 8) & 0xffu);
	if (neg_ttbcr) /* T0SZ = 1: TTBR0 translates [0, 2 GiB) only */
		r.ttbcr = (r.ttbcr & ~7u) | 1u;
	rt_mmu_load(&r);
}

/*
 * A second set of tables with IAS 31: TTBCR.T0SZ = 1 (B4.1, "TTBCR"), a root of
 * two level-1 entries, TTBR1 (from 2 GiB) disabled. The guest runs on it
 * for a while: a page, a 2M block at a PA above 4 GiB whose bytes are then
 * read through the first tables' 2M block at the same PA.
 */
static void check_ias31(void)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM32_S1, .ias = 31, .oas = 40,
		.pgsizes = SZ_4K | SZ_2M | SZ_1G,
		.mem = rt_pool_mem(), .tlb = rt_tlb(),
	};
	static struct iopgt p2;
	struct iopgt_regs r2, saved = regs;
	struct tmap pg = { "ias31 page", 0x10001000u, 0x44305000u, SZ_4K, RW | C, 3, 1 };
	struct tmap blk = { "ias31 2M block", 0x10200000u, maps[M_2M].pa, SZ_2M, RW, 2, 1 };
	struct iopgt_stats st;
	uint64_t par;
	uint32_t v, got;

	rt_check_ok(iopgt_init(&p2, &cfg), "iopgt_init ias 31");
	rt_check_ok(iopgt_map(&p2, 0x40000000u, 0x40000000u, SZ_1G, RW | C), "ias31 RAM");
	rt_check_ok(iopgt_map(&p2, 0x09000000u, 0x09000000u, SZ_2M,
			      RW | IOPGT_MMIO | IOPGT_NOEXEC), "ias31 UART");
	rt_check_ok(iopgt_map(&p2, pg.va, pg.pa, pg.size, pg.prot), pg.name);
	rt_check_ok(iopgt_map(&p2, blk.va, blk.pa, blk.size, blk.prot), blk.name);
	rt_check_ok(iopgt_get_stats(&p2, &st), "iopgt_get_stats");
	CHECK(st.start_level == 1 && st.root_entries == 2, "ias 31: level-1 root of 2 entries",
	      st.start_level, st.root_entries);
	iopgt_get_regs(&p2, &r2);
	CHECK((r2.tcr & 7u) == 1u, "TTBCR.T0SZ = 1", (uint32_t)r2.tcr, 0);
	regs = r2;
	load_regs();
	check_at_ok(&pg, pg.va + 0x10, pg.pa + 0x10, false, true);
	check_at_ok(&pg, pg.va + 0x10, pg.pa + 0x10, true, false);
	check_data(&pg, pg.va + 0x20, pg.pa + 0x20, true);
	check_at_ok(&blk, blk.va + 0x1234, blk.pa + 0x1234, false, true);
	v = pattern(blk.va, 0x77777777u);
	CHECK(access(STR, blk.va + 0x1234, &v), "store through ias31 block", blk.va, rt_abort.fsr);
	/* from 2 GiB: TTBR1's half, walks disabled (EPD1): a translation fault */
	par = at(0x80000000u, false, false);
	rt_counts.faults++;
	CHECK((par & 1u) && (((uint32_t)par >> 3) & 0xfu) == 0x1u,
	      "ias 31: a VA from 2 GiB is a translation fault", (uint32_t)par, 0);
	rt_check_ok(iopgt_unmap(&p2, pg.va, pg.size), "ias31 unmap");
	/* the only page of its level-3 table: the table is freed too */
	check_unmapped("ias31 page unmapped", pg.va + 0x20, ST_TRANS(2));
	regs = saved;
	load_regs();
	iopgt_fini(&p2);
	CHECK(access(LDR, maps[M_2M].va + 0x1234, &got) && got == v,
	      "bytes stored through the ias31 tables at the PA above 4 GiB", got, v);
}

int main(void)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM32_S1, .ias = 32, .oas = 40,
		.pgsizes = SZ_4K | SZ_64K | SZ_2M | SZ_32M | SZ_1G,
		.mem = rt_pool_mem(),
	};
	struct rt_pool_stats ps;
	uint32_t ifsr, r;

	neg_desc = rt_has_arg("neg=desc");
	neg_mair = rt_has_arg("neg=mair");
	neg_ttbcr = rt_has_arg("neg=ttbcr");
	neg_notlb = rt_has_arg("neg=notlb");
	rt_printf("armv7 lpae guest (cmdline \"%s\")\n", rt_cmdline());

	if (!neg_notlb)
		cfg.tlb = rt_tlb();
	rt_check_ok(iopgt_init(&pt, &cfg), "iopgt_init");
	rt_check_ok(iopgt_map(&pt, 0x40000000u, 0x40000000u, SZ_1G, RW | C), "map RAM");
	rt_check_ok(iopgt_map(&pt, 0x09000000u, 0x09000000u, SZ_2M,
			      RW | IOPGT_MMIO | IOPGT_NOEXEC), "map UART");
	iopgt_get_regs(&pt, &regs);
	rt_printf("TTBR0 0x%llx TTBCR 0x%08x MAIR0 0x%08x MAIR1 0x%08x\n",
		  (unsigned long long)regs.ttbr, (uint32_t)regs.tcr, (uint32_t)regs.mair,
		  (uint32_t)(regs.mair >> 32));
	CHECK((regs.tcr >> 31) & 1u, "TTBCR.EAE", (uint32_t)regs.tcr, 0);
	load_regs();
	CHECK(rd_ttbr0_64() == regs.ttbr, "TTBR0 read back", (uint32_t)rd_ttbr0_64(), 0);
	rt_printf("MMU on (long descriptors)\n");

	for (unsigned i = 0; i < NMAPS; i++)
		rt_check_ok(iopgt_map(&pt, maps[i].va, maps[i].pa, maps[i].size, maps[i].prot),
			    maps[i].name);
	rt_check_ok(iopgt_map(&pt, VA_AF_PAGE, PA_AF_PAGE, SZ_4K, RW), "map af page");
	rt_check_ok(iopgt_map(&pt, VA_AF_BLOCK, PA_AF_BLOCK, SZ_2M, RW), "map af block");
	rt_check_ok(iopgt_map(&pt, VA_SPLIT, PA_SPLIT, SZ_2M, RW | C), "map split block");

	if (neg_desc) {
		volatile uint64_t *d = lpae_desc(maps[M_PAGE].va, 3);

		*d ^= 0x10000u; /* a wrong output address */
		tlb_one(maps[M_PAGE].va);
	}

	for (unsigned i = 0; i < NMAPS; i++)
		check_map(&maps[i]);

	if (!neg_ttbcr)
		check_ias31();

	/* execute never (XN, bit 54) */
	put_code(maps[M_X].pa);
	CHECK(exec_at(maps[M_X].va, &ifsr), "execute from an executable page", maps[M_X].va, ifsr);
	put_code(maps[M_XN].pa);
	rt_counts.faults++;
	CHECK(!exec_at(maps[M_XN].va, &ifsr), "execute from an XN page faults", maps[M_XN].va, 0);
	CHECK((ifsr & FSR_LPAE) && (ifsr & 0x3fu) == ST_PERM(3), "IFSR permission level 3", ifsr, 0);
	rt_counts.faults++;
	CHECK(!exec_at(VA_NOTHING_L2, &ifsr), "execute from nothing faults", VA_NOTHING_L2, 0);
	CHECK((ifsr & 0x3fu) == ST_TRANS(2), "IFSR translation level 2", ifsr, 0);

	check_unmapped("nothing at level 2", VA_NOTHING_L2, ST_TRANS(2));
	check_unmapped("nothing at level 3", VA_NOTHING_L3, ST_TRANS(3));

	/* the access flag (bit 10): set by the library on every leaf; cleared
	 * by hand it must fault (B3.7, "The Access flag": it is always managed by
	 * software with the long-descriptor format) */
	{
		volatile uint64_t *dp = lpae_desc(VA_AF_PAGE, 3), *db = lpae_desc(VA_AF_BLOCK, 2);
		struct tmap afp = { "af page", VA_AF_PAGE, PA_AF_PAGE, SZ_4K, RW, 3, 1 };
		struct tmap afb = { "af block", VA_AF_BLOCK, PA_AF_BLOCK, SZ_2M, RW, 2, 1 };

		check_data(&afp, VA_AF_PAGE, PA_AF_PAGE, true);
		check_data(&afb, VA_AF_BLOCK + 0x1000, PA_AF_BLOCK + 0x1000, true);
		*dp &= ~(1ull << 10);
		*db &= ~(1ull << 10);
		tlb_one(VA_AF_PAGE);
		tlb_one(VA_AF_BLOCK + 0x1000);
		check_at_fault("af page", VA_AF_PAGE, ST_AF(3), false, false);
		check_access_fault("af page", LDR, VA_AF_PAGE, ST_AF(3));
		check_at_fault("af block", VA_AF_BLOCK + 0x1000, ST_AF(2), false, false);
		check_access_fault("af block", STR, VA_AF_BLOCK + 0x1000, ST_AF(2));
		*dp |= 1ull << 10;
		*db |= 1ull << 10;
		tlb_one(VA_AF_PAGE);
		tlb_one(VA_AF_BLOCK + 0x1000);
	}

	/* splits: a 2M block, a 64K run of pages, the 32M run of blocks */
	check_still("split block", VA_SPLIT + 0x3000, PA_SPLIT + 0x3000, RW | C);
	rt_check_ok(iopgt_unmap(&pt, VA_SPLIT + 0x3000, SZ_4K), "unmap inside a 2M block");
	check_unmapped("hole in split block", VA_SPLIT + 0x3000, ST_TRANS(3));
	check_still("split block", VA_SPLIT + 0x2000, PA_SPLIT + 0x2000, RW | C);
	check_still("split block", VA_SPLIT + 0x4000, PA_SPLIT + 0x4000, RW | C);
	check_still("split block", VA_SPLIT + 0x1ff000, PA_SPLIT + 0x1ff000, RW | C);

	check_still("split 64K run", maps[5].va + 0x5000, maps[5].pa + 0x5000, RW | C);
	rt_check_ok(iopgt_unmap(&pt, maps[5].va + 0x5000, SZ_4K), "unmap inside a 64K run");
	check_unmapped("hole in 64K run", maps[5].va + 0x5000, ST_TRANS(3));
	for (uint32_t off = 0; off < SZ_64K; off += 0x3000)
		if (off != 0x5000)
			check_still("split 64K run", maps[5].va + off, maps[5].pa + off, RW | C);
	CHECK(!((*lpae_desc(maps[5].va, 3) >> 52) & 1u), "split run lost the contiguous bit",
	      (uint32_t)(*lpae_desc(maps[5].va, 3) >> 32), 0);

	check_still("split 32M run", maps[4].va + 0x1234000, maps[4].pa + 0x1234000, RW | C);
	rt_check_ok(iopgt_unmap(&pt, maps[4].va + 0x1234000, SZ_4K), "unmap inside a 32M run");
	check_unmapped("hole in 32M run", maps[4].va + 0x1234000, ST_TRANS(3));
	check_still("split 32M run", maps[4].va + 0x1233000, maps[4].pa + 0x1233000, RW | C);
	check_still("split 32M run", maps[4].va + 0x1235000, maps[4].pa + 0x1235000, RW | C);
	for (uint32_t off = 0; off < SZ_32M; off += SZ_2M + 0x5000)
		check_still("split 32M run", maps[4].va + off, maps[4].pa + off, RW | C);

	/* unmap: every address must fault afterwards, also right after a real
	 * access filled the TLB */
	for (unsigned i = 0; i < NMAPS; i++) {
		const struct tmap *m = &maps[i];
		unsigned st = ST_TRANS(m->level);

		CHECK(access(LDR, m->va + 8, &r), "load before unmap", m->va, rt_abort.fsr);
		rt_check_ok(iopgt_unmap(&pt, m->va, m->size), "iopgt_unmap");
		check_at_fault(m->name, m->va + 8, st, false, false);
		check_at_fault(m->name, m->va + m->size - 4, st, false, false);
		check_access_fault(m->name, LDR, m->va + 8, st);
		if (m->prot & IOPGT_WRITE)
			check_access_fault(m->name, STR, m->va + m->size - 4, st);
	}
	rt_check_ok(iopgt_unmap(&pt, 0x84000000u, SZ_2M), "unmap the rest of 0x84000000");
	check_unmapped("empty level-3 table freed", 0x84001000u, ST_TRANS(2));
	CHECK(lpae_desc(0x84000000u, 3) == NULL, "level-2 entry cleared", 0, 0);

	ps = rt_pool_stats();
	{
		struct iopgt_stats st;

		/* nothing leaked: the pool holds exactly the tables still in use */
		rt_check_ok(iopgt_get_stats(&pt, &st), "iopgt_get_stats");
		CHECK(ps.bytes_live == st.table_bytes, "pool bytes live == table bytes held",
		      ps.bytes_live, (uint32_t)st.table_bytes);
	}
	rt_printf("lpae s1 leaves checked: a 1G block at PA 4 GiB, 3 2M blocks (rw, ro, priv), a "
		  "32M run of 2M blocks, a 64K run of pages, 8 4K pages (rw, ro, priv, priv ro, "
		  "xn, x, device, non-cacheable), splits of a block and of both runs, "
		  "tables with IAS 31 (T0SZ 1), access flag\n");
	rt_printf("lpae s1: %u translations (ATS1C*), %u accesses, %u faults checked; "
		  "TLB hooks: %u walk, %u leaf, %u all, %u ops; tables: %u allocated, %u freed\n",
		  rt_counts.translations, rt_counts.accesses, rt_counts.faults,
		  rt_tlb_counts.walk, rt_tlb_counts.leaf, rt_tlb_counts.all, rt_tlb_counts.ops,
		  ps.allocs, ps.frees);
	if (rt_counts.failures) {
		rt_printf("FAIL: %u checks failed\n", rt_counts.failures);
		return 1;
	}
	rt_printf("PASS\n");
	return 0;
}
