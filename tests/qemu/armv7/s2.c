/* SPDX-License-Identifier: MIT */
/*
 * s2.c - the CPU's stage 2 translation (QEMU cortex-a15 with
 * -M virt,virtualization=on) walks VMSAv7 long-descriptor stage 2 tables
 * (IOPGT_FMT_ARM32_S2, 4K granule, IPA 40 bits) that the library built.
 *
 * The guest starts in Hyp mode and continues in Non-secure SVC mode with
 * its own (stage 1) MMU off and HCR.DC = 1, so that a VA is the IPA and
 * the memory attributes come from stage 2 alone (B3.8, "Combining the
 * stage 1 and stage 2 memory attributes"). The library runs in Hyp mode
 * (rt_hyp_call()): it builds the tables, Hyp programs VTTBR and VTCR as
 * iopgt_get_regs() returns them and sets HCR.VM. The guest then checks for
 * 1G and 2M blocks, pages and a 64K contiguous run:
 *   - ATS12NSOPR/ATS12NSOPW (from Hyp mode) and the 64-bit PAR: PA[39:12],
 *     PAR.ATTR from stage 2 MemAttr, stage 2 permission faults
 *     (PAR.FSTAGE), write-only pages,
 *   - loads and stores from SVC mode with the data at the PA (a 1G block at
 *     PA 4 GiB against a 2M block mapping its last 2 MiB),
 *   - instruction fetches (stage 2 XN), stage 2 translation and permission
 *     faults as Hyp traps (HSR, HDFAR, HPFAR),
 *   - that iopgt_unmap() (TLB hooks: TLBIALLNSNH) makes them fault.
 *
 * References: ARMv7-A/R ARM DDI0406C, B3.6 (long-descriptor format, stage
 * 2 descriptors), B3.7 (HAP), B3.8, B3.13 (HSR encodings), B4.1 (PAR, VTCR,
 * VTTBR, HCR, HSR, HDFAR, HPFAR), B4.2 (TLBIALLNSNH).
 *
 * Negative controls (-append): "neg=desc" (an output address patched),
 * "neg=vtcr" (T0SZ = 1: the IPA space cut to 2 GiB),
 * "neg=notlb" (no TLB hooks).
 */
#include "rt.h"

#define SZ_4K  0x1000u
#define SZ_64K 0x10000u
#define SZ_2M  0x200000u
#define SZ_1G  0x40000000u

#define RW (IOPGT_READ | IOPGT_WRITE)
#define C  IOPGT_CACHE

#define ST_TRANS(l) (0x04u | (l))
#define ST_PERM(l)  (0x0cu | (l))

/* HSR (B3.13, "Use of the HSR"): EC [31:26], ISS [24:0]; data aborts: WnR ISS[6], DFSC [5:0] */
#define EC_DABT_LOWER 0x24u
#define EC_PABT_LOWER 0x20u
#define HSR_WNR (1u << 6)

#define ATTR_NC  0x44u
#define ATTR_WB  0xffu
#define ATTR_DEV 0x04u

uint32_t rt_hyp_call(uint32_t (*fn)(uint32_t, uint32_t, uint32_t), uint32_t a, uint32_t b,
		     uint32_t c);

struct tmap {
	const char *name;
	uint32_t ipa;
	uint64_t pa;
	uint32_t size;
	uint32_t prot;
	unsigned level;
};

#define PA_HIGH 0x100000000ull

static const struct tmap maps[] = {
	{ "s2 1G block",   0xc0000000u, PA_HIGH,                 SZ_1G,  RW | C,         1 },
	{ "s2 2M block",   0x80000000u, PA_HIGH + SZ_1G - SZ_2M, SZ_2M,  RW,             2 },
	{ "s2 2M ro",      0x80200000u, 0x44400000u,             SZ_2M,  IOPGT_READ | C, 2 },
	{ "s2 64K run",    0x84010000u, 0x44310000u,             SZ_64K, RW | C,         3 },
	{ "s2 page",       0x84001000u, 0x44305000u,             SZ_4K,  RW | C,         3 },
	{ "s2 page ro",    0x84002000u, 0x44306000u,             SZ_4K,  IOPGT_READ | C, 3 },
	{ "s2 page wo",    0x84003000u, 0x44307000u,             SZ_4K,  IOPGT_WRITE | C, 3 },
	{ "s2 page xn",    0x84005000u, 0x44309000u,             SZ_4K,  RW | IOPGT_NOEXEC | C, 3 },
	{ "s2 page x",     0x84006000u, 0x4430a000u,             SZ_4K,  IOPGT_READ | C, 3 },
	{ "s2 page mmio",  0x84007000u, 0x4430b000u,             SZ_4K,  RW | IOPGT_MMIO, 3 },
};
#define NMAPS (sizeof(maps) / sizeof(maps[0]))
#define M_1G 0
#define M_2M 1
#define M_PAGE 4
#define M_XN 7
#define M_X 8

#define IPA_NOTHING_L2 0x88000000u
#define IPA_NOTHING_L3 0x84009000u

static struct iopgt pt;
static struct iopgt_regs regs;
static bool neg_desc, neg_vtcr, neg_notlb;
static uint64_t hyp_par;

/* --- run in Hyp mode ----------------------------------------------------------- */
static void tlb_s2_all(void *ctx)
{
	(void)ctx;
	dsb();
	wr_tlbiallnsnh(0); /* ARMv7 has no invalidate by IPA */
	dsb();
	isb();
	rt_tlb_counts.all++;
	rt_tlb_counts.ops++;
}

static uint32_t hyp_setup(uint32_t a, uint32_t b, uint32_t c)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM32_S2, .ias = 40, .oas = 40,
		.pgsizes = SZ_4K | SZ_64K | SZ_2M | SZ_1G,
		.mem = rt_pool_mem(),
	};
	uint32_t vtcr;
	int err;

	(void)a; (void)b; (void)c;
	if (!neg_notlb)
		cfg.tlb.flush_all = tlb_s2_all;
	err = iopgt_init(&pt, &cfg);
	if (!err)
		err = iopgt_map(&pt, 0x40000000u, 0x40000000u, SZ_1G, RW | C);
	if (!err)
		err = iopgt_map(&pt, 0x09000000u, 0x09000000u, SZ_2M, RW | IOPGT_MMIO | IOPGT_NOEXEC);
	if (err)
		return (uint32_t)err;
	iopgt_get_regs(&pt, &regs);
	vtcr = (uint32_t)regs.vtcr;
	if (neg_vtcr) /* T0SZ = 1, S = 0: a 31-bit IPA space, so IPAs from 2 GiB fault */
		vtcr = (vtcr & ~0x1fu) | 1u;
	wr_vtcr(vtcr);
	wr_vttbr(regs.vttbr); /* VMID 0 */
	isb();
	/* HCR (B4.1, "HCR, Hyp Configuration Register"): VM (bit 0) stage 2 on, DC (bit 12) stage 1 off counts
	 * as Normal write-back memory */
	wr_hcr((1u << 0) | (1u << 12));
	isb();
	wr_tlbiallnsnh(0);
	dsb();
	isb();
	return 0;
}

static uint32_t hyp_map(uint32_t i, uint32_t b, uint32_t c)
{
	(void)b; (void)c;
	return (uint32_t)iopgt_map(&pt, maps[i].ipa, maps[i].pa, maps[i].size, maps[i].prot);
}

static uint32_t hyp_unmap(uint32_t ipa, uint32_t size, uint32_t c)
{
	(void)c;
	return (uint32_t)iopgt_unmap(&pt, ipa, size);
}

static uint32_t hyp_at(uint32_t va, uint32_t write, uint32_t c)
{
	(void)c;
	if (write)
		wr_ats12nsopw(va);
	else
		wr_ats12nsopr(va);
	isb();
	hyp_par = rd_par64();
	return 0;
}

static uint32_t hyp_patch(uint32_t ipa, uint32_t xor_lo, uint32_t c)
{
	volatile uint64_t *t = (volatile uint64_t *)(uintptr_t)(regs.vttbr & 0xfffffff000ull);
	uint64_t d;

	(void)c;
	/* level 1 start, 2 concatenated tables: IPA[39:30] */
	d = t[ipa >> 30];
	t = (volatile uint64_t *)(uintptr_t)(uint32_t)(d & 0xfffffff000ull);
	d = t[(ipa >> 21) & 0x1ff];
	t = (volatile uint64_t *)(uintptr_t)(uint32_t)(d & 0xfffffff000ull);
	t[(ipa >> 12) & 0x1ff] ^= xor_lo;
	dsb();
	wr_tlbiallnsnh(0);
	dsb();
	isb();
	return 0;
}

/*
 * Other tables with IPA 33 bits (VTCR.T0SZ = -1): without 1G blocks the
 * library starts at level 2 with 8 concatenated tables (SL0 = 0), with
 * them at level 1 with an 8-entry root (SL0 = 1) (B3.6.6).
 */
static struct iopgt p2;
static struct iopgt_regs r2;

static uint32_t hyp_alt(uint32_t with1g, uint32_t b, uint32_t c)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM32_S2, .ias = 33, .oas = 40,
		.pgsizes = SZ_4K | SZ_2M | (with1g ? SZ_1G : 0),
		.mem = rt_pool_mem(),
	};
	int err;

	(void)b; (void)c;
	cfg.tlb.flush_all = tlb_s2_all;
	err = iopgt_init(&p2, &cfg);
	if (!err)
		err = iopgt_map(&p2, 0x40000000u, 0x40000000u, SZ_1G, RW | C);
	if (!err)
		err = iopgt_map(&p2, 0x09000000u, 0x09000000u, SZ_2M, RW | IOPGT_MMIO | IOPGT_NOEXEC);
	if (!err)
		err = iopgt_map(&p2, 0x84001000u, 0x44305000u, SZ_4K, RW | C);
	if (!err)
		err = iopgt_map(&p2, 0x80000000u, maps[M_2M].pa, SZ_2M, RW);
	if (err)
		return (uint32_t)err;
	iopgt_get_regs(&p2, &r2);
	wr_vtcr((uint32_t)r2.vtcr);
	wr_vttbr(r2.vttbr);
	isb();
	wr_tlbiallnsnh(0);
	dsb();
	isb();
	return 0;
}

static uint32_t hyp_alt_unmap(uint32_t a, uint32_t b, uint32_t c)
{
	(void)c;
	return (uint32_t)iopgt_unmap(&p2, a, b);
}

static uint32_t hyp_back(uint32_t a, uint32_t b, uint32_t c)
{
	(void)a; (void)b; (void)c;
	wr_vtcr((uint32_t)regs.vtcr);
	wr_vttbr(regs.vttbr);
	isb();
	wr_tlbiallnsnh(0);
	dsb();
	isb();
	iopgt_fini(&p2);
	return 0;
}

/* --- checks, from SVC mode ---------------------------------------------------- */
static uint64_t at(uint32_t ipa, bool write)
{
	rt_hyp_call(hyp_at, ipa, write, 0);
	rt_counts.translations++;
	return hyp_par;
}

static unsigned expect_attr(uint32_t prot)
{
	if (prot & IOPGT_MMIO)
		return ATTR_DEV;
	return (prot & IOPGT_CACHE) ? ATTR_WB : ATTR_NC;
}

static void check_at_ok(const struct tmap *m, uint32_t ipa, uint64_t pa, bool write)
{
	uint64_t par = at(ipa, write);
	uint32_t hi = (uint32_t)(par >> 32), lo = (uint32_t)par;

	if (par & 1u) {
		rt_printf("  %s: ATS12NSOP%s 0x%08x faulted, PAR 0x%08x\n", m->name,
			  write ? "W" : "R", ipa, lo);
		CHECK(false, "translation expected", ipa, lo);
		return;
	}
	CHECK((par & 0xfffffff000ull) == (pa & 0xfffffff000ull), "PAR PA[39:12]", hi, lo);
	CHECK((hi >> 24) == expect_attr(m->prot), "PAR.ATTR (stage 2 MemAttr)", hi,
	      expect_attr(m->prot));
}

static void check_at_fault(const char *what, uint32_t ipa, unsigned st, bool write)
{
	uint32_t lo = (uint32_t)at(ipa, write);

	rt_counts.faults++;
	/* PAR fault: FST [6:1], FSTAGE bit 9 = 1 for stage 2 */
	if (!(lo & 1u) || ((lo >> 1) & 0x3fu) != st || !(lo & (1u << 9))) {
		rt_printf("  %s: ATS12NSOP%s 0x%08x: PAR 0x%08x, expected stage 2 fault 0x%x\n",
			  what, write ? "W" : "R", ipa, lo, st);
		CHECK(false, "stage 2 fault expected from AT", ipa, lo);
	}
}

static void check_access_fault(const char *what, enum acc a, uint32_t ipa, unsigned st)
{
	uint32_t v = 0x5eed0000u, hsr;

	rt_counts.faults++;
	if (access(a, ipa, &v)) {
		rt_printf("  %s: access to 0x%08x did not fault\n", what, ipa);
		CHECK(false, "stage 2 abort expected", ipa, 0);
		return;
	}
	hsr = rt_abort.fsr;
	CHECK((hsr >> 26) == EC_DABT_LOWER && (hsr & 0x3fu) == st, "HSR EC and DFSC", hsr, st);
	CHECK(!!(hsr & HSR_WNR) == (a == STR), "HSR WnR", hsr, a);
	CHECK(rt_abort.far == ipa, "HDFAR", rt_abort.far, ipa);
	CHECK(rt_abort.hpfar == (ipa >> 12) << 4, "HPFAR: IPA[39:12] in [31:4]", rt_abort.hpfar,
	      ipa);
}

static bool witness(const struct tmap *m, uint64_t pa, uint32_t *ipa)
{
	const struct tmap *b = &maps[M_1G], *s = &maps[M_2M];

	if (pa >= 0x40000000u && pa < 0x80000000u) {
		*ipa = (uint32_t)pa;
		return true;
	}
	if (m == b && pa >= s->pa && pa < s->pa + s->size) {
		*ipa = s->ipa + (uint32_t)(pa - s->pa);
		return true;
	}
	if (m == s) {
		*ipa = b->ipa + (uint32_t)(pa - b->pa);
		return true;
	}
	return false;
}

static void check_map(const struct tmap *m)
{
	uint32_t offs[3] = { 0, m->size / 2 + 0x124, m->size - 4 };
	bool r = m->prot & IOPGT_READ, w = m->prot & IOPGT_WRITE;
	unsigned perm = ST_PERM(m->level);

	for (unsigned i = 0; i < 3; i++) {
		uint32_t ipa = m->ipa + offs[i], wipa, v, got;
		uint64_t pa = m->pa + offs[i];
		bool seen = witness(m, pa, &wipa);

		if (r)
			check_at_ok(m, ipa, pa, false);
		else
			check_at_fault(m->name, ipa, perm, false);
		if (w)
			check_at_ok(m, ipa, pa, true);
		else
			check_at_fault(m->name, ipa, perm, true);
		if (!seen)
			continue;
		v = pattern(ipa, 0x66666666u);
		if (w) {
			CHECK(access(STR, ipa, &v), "store through stage 2", ipa, rt_abort.fsr);
			CHECK(access(LDR, wipa, &got) && got == v, m->name, got, v);
		} else {
			CHECK(access(STR, wipa, &v), "store at the PA", wipa, rt_abort.fsr);
			check_access_fault(m->name, STR, ipa, perm);
			CHECK(access(LDR, wipa, &got) && got == v, "read-only memory unchanged", got, v);
		}
		v ^= 0xffffffffu;
		access(STR, wipa, &v);
		if (r)
			CHECK(access(LDR, ipa, &got) && got == v, m->name, got, v);
		else
			check_access_fault(m->name, LDR, ipa, perm);
	}
}

static void check_unmapped(const char *what, uint32_t ipa, unsigned st)
{
	check_at_fault(what, ipa, st, false);
	check_at_fault(what, ipa, st, true);
	check_access_fault(what, LDR, ipa, st);
	check_access_fault(what, STR, ipa, st);
}

static void check_ipa33(bool with1g)
{
	struct tmap pg = { "ipa33 page", 0x84001000u, 0x44305000u, SZ_4K, RW | C, 3 };
	struct tmap blk = { "ipa33 2M block", 0x80000000u, maps[M_2M].pa, SZ_2M, RW, 2 };
	struct iopgt_stats st;
	uint32_t v, got, vtcr;
	int err = (int)rt_hyp_call(hyp_alt, with1g, 0, 0);

	rt_check_ok(err, "IPA 33 tables");
	if (err)
		return;
	vtcr = (uint32_t)r2.vtcr;
	rt_check_ok(iopgt_get_stats(&p2, &st), "iopgt_get_stats");
	if (with1g)
		CHECK(st.start_level == 1 && st.root_entries == 8, "IPA 33 with 1G: level-1 root",
		      st.start_level, st.root_entries);
	else
		CHECK(st.start_level == 2 && st.root_entries == 4096,
		      "IPA 33: 8 concatenated level-2 tables", st.start_level, st.root_entries);
	/* VTCR (B4.1, "VTCR"): T0SZ [3:0] = -1, S (bit 4) = T0SZ[3], SL0 [7:6] */
	CHECK((vtcr & 0x1fu) == 0x1fu && ((vtcr >> 6) & 3u) == (with1g ? 1u : 0u),
	      "VTCR T0SZ, S, SL0", vtcr, with1g);
	check_at_ok(&pg, pg.ipa + 0x40, pg.pa + 0x40, true);
	v = pattern(pg.ipa, 0x88888888u);
	CHECK(access(STR, pg.ipa + 0x40, &v) && *(volatile uint32_t *)(uintptr_t)(pg.pa + 0x40) == v,
	      "store through IPA 33 page at the PA", v, 0);
	check_at_ok(&blk, blk.ipa + 0x1234, blk.pa + 0x1234, true);
	v = pattern(blk.ipa, with1g ? 0x99999999u : 0xaaaaaaaau);
	CHECK(access(STR, blk.ipa + 0x1234, &v), "store through IPA 33 block", blk.ipa, rt_abort.fsr);
	rt_check_ok((int)rt_hyp_call(hyp_alt_unmap, pg.ipa, SZ_4K, 0), "IPA 33 unmap");
	/* the page was the only entry of its level-3 table: freed as well */
	check_unmapped("IPA 33 page unmapped", pg.ipa + 0x40, ST_TRANS(2));
	rt_hyp_call(hyp_back, 0, 0, 0);
	CHECK(access(LDR, maps[M_2M].ipa + 0x1234, &got) && got == v,
	      "bytes stored through the IPA 33 tables, read through the first ones", got, v);
}

int main(void)
{
	struct rt_pool_stats ps;
	uint32_t ifsr, r;
	int err;

	neg_desc = rt_has_arg("neg=desc");
	neg_vtcr = rt_has_arg("neg=vtcr");
	neg_notlb = rt_has_arg("neg=notlb");
	rt_printf("armv7 lpae stage 2 guest (cmdline \"%s\")\n", rt_cmdline());
	if (rt_boot_mode != 0x1a) {
		rt_printf("FAIL: not started in Hyp mode (mode 0x%x): needs -M virt,virtualization=on\n",
			  rt_boot_mode);
		return 1;
	}
	err = (int)rt_hyp_call(hyp_setup, 0, 0, 0);
	rt_check_ok(err, "stage 2 setup");
	if (err)
		return 1;
	rt_printf("VTTBR 0x%llx VTCR 0x%08x; stage 2 on (HCR.VM, HCR.DC)\n",
		  (unsigned long long)regs.vttbr, (uint32_t)regs.vtcr);

	for (unsigned i = 0; i < NMAPS; i++)
		rt_check_ok((int)rt_hyp_call(hyp_map, i, 0, 0), maps[i].name);
	if (neg_desc)
		rt_hyp_call(hyp_patch, maps[M_PAGE].ipa, 0x10000u, 0);

	for (unsigned i = 0; i < NMAPS; i++)
		check_map(&maps[i]);

	if (!neg_vtcr) {
		check_ipa33(false);
		check_ipa33(true);
	}

	put_code(maps[M_X].pa);
	CHECK(exec_at(maps[M_X].ipa, &ifsr), "execute from an executable page", maps[M_X].ipa, ifsr);
	put_code(maps[M_XN].pa);
	rt_counts.faults++;
	CHECK(!exec_at(maps[M_XN].ipa, &ifsr), "execute from a stage 2 XN page faults",
	      maps[M_XN].ipa, 0);
	CHECK((ifsr >> 26) == EC_PABT_LOWER && (ifsr & 0x3fu) == ST_PERM(3),
	      "HSR prefetch abort, permission level 3", ifsr, 0);

	check_unmapped("nothing at level 2", IPA_NOTHING_L2, ST_TRANS(2));
	check_unmapped("nothing at level 3", IPA_NOTHING_L3, ST_TRANS(3));

	for (unsigned i = 0; i < NMAPS; i++) {
		const struct tmap *m = &maps[i];
		unsigned st = ST_TRANS(m->level);

		/* the last one empties the level-3 table and the level-2 table
		 * above it: both are freed, the level-1 entry is cleared */
		if (i == NMAPS - 1)
			st = ST_TRANS(1);
		if (m->prot & IOPGT_READ)
			CHECK(access(LDR, m->ipa + 8, &r), "load before unmap", m->ipa, rt_abort.fsr);
		rt_check_ok((int)rt_hyp_call(hyp_unmap, m->ipa, m->size, 0), "iopgt_unmap");
		check_at_fault(m->name, m->ipa + 8, st, false);
		check_access_fault(m->name, LDR, m->ipa + 8, st);
		check_access_fault(m->name, STR, m->ipa + m->size - 4, st);
	}

	ps = rt_pool_stats();
	{
		struct iopgt_stats st;

		/* nothing leaked: the pool holds exactly the tables still in use */
		rt_check_ok(iopgt_get_stats(&pt, &st), "iopgt_get_stats");
		CHECK(ps.bytes_live == st.table_bytes, "pool bytes live == table bytes held",
		      ps.bytes_live, (uint32_t)st.table_bytes);
	}
	rt_printf("lpae s2 leaves checked: a 1G block at PA 4 GiB, 2 2M blocks (rw, ro), a 64K run, "
		  "6 4K pages (rw, ro, write-only, xn, x, device); "
		  "IPA 33 tables starting at level 2 (8 concatenated) and at level 1\n");
	rt_printf("lpae s2: %u translations (ATS12NSOP*), %u accesses, %u faults checked; "
		  "TLB hooks: %u TLBIALLNSNH; tables: %u allocated, %u freed\n",
		  rt_counts.translations, rt_counts.accesses, rt_counts.faults,
		  rt_tlb_counts.all, ps.allocs, ps.frees);
	if (rt_counts.failures) {
		rt_printf("FAIL: %u checks failed\n", rt_counts.failures);
		return 1;
	}
	rt_printf("PASS\n");
	return 0;
}
