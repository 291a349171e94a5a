/* SPDX-License-Identifier: MIT */
/*
 * s1.c - VMSAv8-64 stage 1 tables built by iopgt, walked by the CPU.
 *
 * Runs at EL1. One set of tables maps the guest's RAM and UART with the
 * identity and, in the top half of the input range, a test area of pages,
 * blocks and contiguous runs of every size the granule has. TTBR0_EL1,
 * TCR_EL1 and MAIR_EL1 are programmed exactly as iopgt_get_regs() returns
 * them and the MMU is switched on. Then:
 *
 *  - every leaf is translated with AT S1E1R/S1E1W/S1E0R/S1E0W and PAR_EL1
 *    compared with the mapping: output address, memory attributes,
 *    shareability, and permission faults for read-only and privileged
 *    leaves; translation faults next to each mapping;
 *  - real loads and stores go through pages, blocks and runs backed by RAM
 *    (the data must arrive at the physical address), stores to read-only
 *    leaves must fault, execution from an execute-never page must fault;
 *  - a partial unmap splits each block and run: the hole must fault, the
 *    rest must still translate;
 *  - hand-over and compaction (common.c, check_handover()): the tables are
 *    detached and adopted again with the MMU on, each hole is mapped again
 *    and the range compacted: the block or run must be one leaf again and
 *    translate whole (AT and real accesses), the split's tables freed;
 *  - the full unmap must leave nothing;
 *  - live edits: translate with a real access (the TLB now holds the
 *    entry), remap through iopgt, access again: the new mapping must be
 *    seen. The TLB hooks given to iopgt issue TLBI VALE1IS/VAE1IS.
 *
 * With QA_TRACK the tables have IOPGT_QUIRK_HW_DIRTY and _HW_ACCESS and the
 * guest runs the tracking checks of track.c instead.
 *
 * With QA_52 the tables have 52-bit input and output addresses (IAS
 * QA_IAS, 52 by default; OAS 52): FEAT_LPA2 with 4K and 16K (TCR_EL1.DS,
 * the 4K walk from level -1 with IAS 52), FEAT_LVA and FEAT_LPA with 64K.
 * The test area lies above 2^48 of the input range, and besides RAM the
 * mappings lead to RAM above 2^50 (highmem.c), which the guest reads and
 * writes with the MMU off to see where stores through the tables landed.
 *
 * Build-time knobs: GRAN_SHIFT (12, 14, 16); QA_TTBR1 (the test tables use
 * IOPGT_QUIRK_TTBR1 and TTBR1_EL1, the identity map is a second set of
 * tables in TTBR0_EL1); QA_NONCOH (a DC CVAC sync backend, so non-cacheable
 * walks); QA_NEG (a deliberate error the checks must report, common.h);
 * QA_52 and QA_IAS (above).
 */
#include "common.h"

#include <iopgt/backends.h>

#ifndef QA_TTBR1
#define QA_TTBR1 0
#endif
#ifndef QA_NONCOH
#define QA_NONCOH 0
#endif

#if QA_52
#define IAS QA_IAS
#elif GRAN_SHIFT == 14
#define IAS 47
#else
#define IAS 48
#endif

const bool stage2 = false;
const unsigned attr_dev = 0x04, attr_nc = 0x44;

#if QA_TTBR1
static struct iopgt pt_lo;   /* the identity map, through TTBR0_EL1 */
#endif
static struct iopgt_stats st;

/* ---- TLB maintenance hooks (Arm ARM C5.5 "A64 TLB maintenance") ------ */

/* TLBI by VA operand: VA[55:12] in bits [43:0], ASID 0 */
static inline uint64_t tlbi_arg(uint64_t va)
{
	return (va >> 12) & ((1ull << 44) - 1);
}

static void tlb_all(void *ctx)
{
	(void)ctx;
	dsb_ishst();
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb_ish();
	isb();
	tlbi_all_count++;
}

static void tlb_range(uint64_t iova, uint64_t size, size_t granule, bool leaf)
{
	uint64_t step = granule ? granule : G;

	/* a long range: one invalidate-all instead of thousands of TLBIs */
	if (size / step > 4096) {
		tlb_all(NULL);
		return;
	}
	dsb_ishst();
	for (uint64_t a = iova; a - iova < size; a += step) {
		if (leaf)
			__asm__ volatile("tlbi vale1is, %0" :: "r"(tlbi_arg(a)) : "memory");
		else
			__asm__ volatile("tlbi vae1is, %0" :: "r"(tlbi_arg(a)) : "memory");
		tlbi_count++;
	}
	dsb_ish();
	isb();
}

static void tlb_walk(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	tlb_range(iova, size, granule, false);
}

static void tlb_leaf(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	tlb_range(iova, size, granule, true);
}

/* ---- setup ---------------------------------------------------------- */

static void check_cpu(void)
{
	uint64_t mmfr0 = SYSREG_READ(id_aa64mmfr0_el1);
	unsigned pa = mmfr0 & 0xf, t4 = (mmfr0 >> 28) & 0xf, t16 = (mmfr0 >> 20) & 0xf;
	unsigned t64 = (mmfr0 >> 24) & 0xf;
	bool have;

	/* ID_AA64MMFR0_EL1 (D17.2.64): TGran4 0b0000/0b0001 supported, TGran16
	 * 0b0001/0b0010 supported, TGran64 0b0000 supported */
	switch (GRAN_SHIFT) {
	case 12: have = t4 == 0 || t4 == 1; break;
	case 14: have = t16 == 1 || t16 == 2; break;
	default: have = t64 == 0; break;
	}
	pr("CPU: ID_AA64MMFR0_EL1 %lx: PARange %u, TGran4 %u, TGran16 %u, TGran64 %u\n",
	   (unsigned long)mmfr0, pa, t4, t16, t64);
	if (!have) {
		/* QEMU would walk the tables with some other granule */
		pr("this CPU has no " GNAME " granule: refusing to test it\n");
		fail_exit();
	}
	if (pa < 2)
		die("PARange %u below the 40-bit OAS used here", pa);
	if (QA_52) {
		/* 52 bits: PARange 0b0110; TGran4 0b0001 and TGran16 0b0010 mean
		 * the granule has FEAT_LPA2; with 64K an input range above 48 bits
		 * needs FEAT_LVA, ID_AA64MMFR2_EL1.VARange (bits [19:16]) 0b0001 */
		unsigned va = (SYSREG_READ(id_aa64mmfr2_el1) >> 16) & 0xf;
		bool ok = pa == 6;

		if (GRAN_SHIFT == 12)
			ok = ok && t4 == 1;
		else if (GRAN_SHIFT == 14)
			ok = ok && t16 == 2;
		else if (IAS > 48)
			ok = ok && va == 1;
		pr("CPU: VARange %u\n", va);
		if (!ok) {
			pr("this CPU has no 52-bit addresses with the " GNAME " granule: "
			   "refusing to test them\n");
			fail_exit();
		}
	}
}

/*
 * Memory outside the guest's RAM, with the MMU off for the one access: the
 * guest's code and stack are identity-mapped, so the next instruction is
 * the same either way. QEMU models no caches; on hardware the lines of the
 * cacheable mappings would need cleaning and invalidating around it.
 */
static uint64_t bus_access(uint64_t pa, uint64_t val, bool store)
{
	uint64_t on = SYSREG_READ(sctlr_el1), off = on & ~1ull;

	__asm__ volatile("msr sctlr_el1, %[off]\n\tisb\n\t"
			 "cbz %w[st], 1f\n\t"
			 "str %[v], [%[pa]]\n\t"
			 "b 2f\n"
			 "1:\tldr %[v], [%[pa]]\n"
			 "2:\tmsr sctlr_el1, %[on]\n\tisb"
			 : [v] "+&r"(val)
			 : [off] "r"(off), [on] "r"(on), [pa] "r"(pa), [st] "r"((unsigned)store)
			 : "memory");
	return val;
}

uint64_t bus_read(uint64_t pa)
{
	return bus_access(pa, 0, false);
}

void bus_write(uint64_t pa, uint64_t val)
{
	bus_access(pa, val, true);
}

static void init_tables(struct iopgt *p, uint32_t quirks)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM64_S1,
		.ias = IAS,
		.oas = OAS,
		.pgsizes = all_pgsizes(),
		.quirks = quirks,
		.mem = pool_mem(),
	};
	int err;
#if QA_NONCOH
	static struct iopgt_dccvac dc;

	if (iopgt_dccvac_init(&dc, 0))
		die("iopgt_dccvac_init");
	cfg.sync = iopgt_dccvac_sync(&dc);
#endif
	if (QA_NEG != NEG_NOTLBI) {
		cfg.tlb.flush_all = tlb_all;
		cfg.tlb.flush_walk = tlb_walk;
		cfg.tlb.flush_leaf = tlb_leaf;
	}
	err = iopgt_init(p, &cfg);
	if (err)
		die("iopgt_init: %s", iopgt_strerror(err));
	if (p == &pt)
		pt_cfg = cfg;
}

static void map_identity(struct iopgt *p)
{
	int err = iopgt_map(p, RAM_BASE, RAM_BASE, RAM_SIZE,
			    IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE | IOPGT_PRIV);

	if (!err)
		err = iopgt_map(p, UART_BASE, UART_BASE, G,
				IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO | IOPGT_PRIV | IOPGT_NOEXEC);
	if (err)
		die("identity map: %s", iopgt_strerror(err));
}

static void mmu_on(void)
{
	struct iopgt_regs r;
	uint64_t tcr, sctlr;

	iopgt_get_regs(&pt, &r);
	tcr = r.tcr;
#if QA_TTBR1
	{
		struct iopgt_regs lo;

		iopgt_get_regs(&pt_lo, &lo);
		/* each half as its own tables want it: TCR_EL1 bits [15:0] are
		 * TTBR0's (T0SZ, EPD0, IRGN0, ORGN0, SH0, TG0), [31:16] TTBR1's,
		 * [34:32] IPS (D17.2.131) */
		if (!(r.tcr & (1ull << 7)) || !(lo.tcr & (1ull << 23)) ||
		    (r.tcr >> 32) != (lo.tcr >> 32) || r.mair != lo.mair)
			fail("TTBR1 tcr %lx and TTBR0 tcr %lx do not fit together",
			     (unsigned long)r.tcr, (unsigned long)lo.tcr);
		tcr = (lo.tcr & 0xffffull) | (r.tcr & 0xffff0000ull) | (r.tcr & ~0xffffffffull);
		pr("TTBR0_EL1 %lx TTBR1_EL1 %lx TCR_EL1 %lx (from %lx and %lx) MAIR_EL1 %lx\n",
		   (unsigned long)lo.ttbr, (unsigned long)r.ttbr, (unsigned long)tcr,
		   (unsigned long)lo.tcr, (unsigned long)r.tcr, (unsigned long)r.mair);
		SYSREG_WRITE(ttbr0_el1, lo.ttbr);
		SYSREG_WRITE(ttbr1_el1, r.ttbr);
	}
#else
#if QA_NEG == NEG_T0SZ
	tcr += 1;
#endif
#if QA_NEG == NEG_MAIR
	r.mair = (r.mair & ~0xffull) | 0xff;
#endif
#if QA_NEG == NEG_DS
	/* TCR_EL1.DS is bit 59; with 64K, which has no DS, IPS [34:32] drops
	 * from 0b110 to 0b101 (48 bits). Without DS, bits [9:8] are SH again
	 * and PA[51:50] are lost; the Arm ARM has no 4K level 0 block then,
	 * though QEMU 7.2 still walks one (to the address without PA[51:50]). */
	if (GRAN_SHIFT == 16)
		tcr = (tcr & ~(7ull << 32)) | 5ull << 32;
	else
		tcr &= ~(1ull << 59);
#endif
	pr("TTBR0_EL1 %lx TCR_EL1 %lx MAIR_EL1 %lx\n", (unsigned long)r.ttbr,
	   (unsigned long)tcr, (unsigned long)r.mair);
	SYSREG_WRITE(ttbr0_el1, r.ttbr);
#endif
	SYSREG_WRITE(mair_el1, r.mair);
	SYSREG_WRITE(tcr_el1, tcr);
	isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
	/* SCTLR_EL1: M (0), C (2), I (12) on; A (1), WXN (19) off */
	sctlr = SYSREG_READ(sctlr_el1);
	sctlr |= 1ull << 0 | 1ull << 2 | 1ull << 12;
	sctlr &= ~(1ull << 1 | 1ull << 19);
	SYSREG_WRITE(sctlr_el1, sctlr);
	isb();
}

/* ---- the regime under test: EL1&0 stage 1 --------------------------- */

/* all four stage 1 AT operations (Arm ARM C5.4 "A64 address translation
 * instructions"): EL1 may always read, EL0 only without IOPGT_PRIV, writes
 * need IOPGT_WRITE */
void at_mapped(uint64_t va, uint64_t pa, uint32_t prot)
{
	bool w = prot & IOPGT_WRITE, el0 = !(prot & IOPGT_PRIV);

	at_one("S1E1R", at_s1e1r(va), true, va, pa, prot);
	at_one("S1E1W", at_s1e1w(va), w, va, pa, prot);
	at_one("S1E0R", at_s1e0r(va), el0, va, pa, prot);
	at_one("S1E0W", at_s1e0w(va), el0 && w, va, pa, prot);
}

void at_unmapped(uint64_t va)
{
	at_fault("S1E1R", at_s1e1r(va), va, FSC_TRANS);
}

static void probe_done(struct probe *p, bool ok, unsigned want_ec)
{
	uint64_t esr = g_fault.esr;

	p->ok = ok;
	p->fsc = (unsigned)(esr >> 26) == want_ec ? (unsigned)esr & 0x3f : 0xff;
	p->addr = g_fault.far;
}

void mem_load(uint64_t va, struct probe *p)
{
	uint64_t esr;
	bool ok = probe_load(va, &p->val, &esr);

	probe_done(p, ok, EC_DABT_CUR);
}

void mem_store(uint64_t va, uint64_t val, struct probe *p)
{
	uint64_t esr;
	bool ok = probe_store(va, val, &esr);

	probe_done(p, ok, EC_DABT_CUR);
}

void mem_exec(uint64_t va, struct probe *p)
{
	register uint64_t target __asm__("x9") = va;

	g_fault.taken = 0;
	g_fault.armed = 1;
	__asm__ volatile("blr %0" :: "r"(target) : "x30", "memory");
	g_fault.armed = 0;
	probe_done(p, !g_fault.taken, EC_IABT_CUR);
}

/* ---- the mappings ---------------------------------------------------- */

static void build_specs(void)
{
	uint64_t s = (uint64_t)(uintptr_t)scratch, va = add_leaf_specs();

	/* page-sized permission and attribute variants, each on its own page
	 * of the scratch region */
	add_spec(va, s + 1 * 64 * K, G, G, IOPGT_READ | IOPGT_CACHE);
	add_spec(va + 1 * PERM_STEP, s + 2 * 64 * K, G, G,
		 IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE | IOPGT_PRIV);
	add_spec(va + 2 * PERM_STEP, s + 3 * 64 * K, G, G, IOPGT_READ | IOPGT_WRITE);
	add_spec(va + 3 * PERM_STEP, s + 4 * 64 * K, G, G, IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO);
	/* executable at EL1 (privileged, so not writable at EL0, which would
	 * make it PXN) and its execute-never twin */
	add_spec(va + 4 * PERM_STEP, s + 5 * 64 * K, G, G, IOPGT_READ | IOPGT_CACHE | IOPGT_PRIV);
	add_spec(va + 5 * PERM_STEP, s + 6 * 64 * K, G, G,
		 IOPGT_READ | IOPGT_CACHE | IOPGT_PRIV | IOPGT_NOEXEC);
	add_mixed_spec(va + SLOT);
	add_sg_specs(va + 2 * SLOT);
	if (QA_52)
		add_high_specs(va + 3 * SLOT);
}

static void check_exec(void)
{
	const struct spec *x = &specs[n_leaf_sizes + 4], *xn = &specs[n_leaf_sizes + 5];

	exec_check(x->va, x->pa, false);
	exec_check(xn->va, xn->pa, true);
}

int guest_main(void);
int guest_main(void)
{
	unsigned long base_bytes;
	static const char *const negname[] = { "", " [negative control: output address flipped]",
		" [negative control: access flag cleared]", " [negative control: MAIR perturbed]",
		" [negative control: T0SZ perturbed]", " [negative control: no TLB invalidation]",
		"", GRAN_SHIFT == 16 ? " [negative control: IPS 48 bits]" :
		" [negative control: TCR_EL1.DS cleared]",
		" [negative control: PA[50] dropped from a leaf]" };

	pr("iopgt AArch64 stage 1, " GNAME " granule, IAS %u OAS %u%s%s%s%s\n", IAS, OAS,
	   QA_TTBR1 ? ", TTBR1" : "", QA_NONCOH ? ", DC CVAC sync" : "",
	   QA_TRACK ? ", hardware dirty and access tracking" : "", negname[QA_NEG]);
	if (current_el() != 1)
		die("expected to start at EL1, not EL%u", current_el());
	check_cpu();
	if (QA_52)
		high_ram_init();

#if QA_TTBR1
	init_tables(&pt_lo, 0);
	map_identity(&pt_lo);
	init_tables(&pt, IOPGT_QUIRK_TTBR1);
	test_base = ~0ull << IAS;
#else
	init_tables(&pt, QA_TRACK_QUIRKS);
	map_identity(&pt);
	test_base = 1ull << (IAS - 1);
#endif
	iopgt_get_stats(&pt, &st);
	base_bytes = pool_in_use();
	if (QA_TRACK)
		check_tracking_cpu();
	mmu_on();
	pr("tables: %u levels from level %d, root %u entries; MMU on\n", st.levels,
	   st.start_level, st.root_entries);
	if (QA_TRACK) {
		check_tracking();
		if (pool_in_use() != base_bytes)
			fail("table memory after the tracking checks: %lu bytes, %lu before",
			     pool_in_use(), base_bytes);
		pr("TLB hooks: %lu TLBI by address, %lu invalidate-all\n", tlbi_count,
		   tlbi_all_count);
		finish("stage1-" GNAME "-tracking");
	}

	build_specs();
	iopgt_get_stats(&pt, &st);
	pr("mapped %u test ranges: %lu tables, %lu bytes of tables\n", nspecs,
	   (unsigned long)st.tables, (unsigned long)st.table_bytes);
	check_leaf_sizes();

	{
		struct iopgt_regs r;

		iopgt_get_regs(&pt, &r);
		perturb_first_leaf(ttbr_pa(r.ttbr), st.start_level, IAS);
		tlb_all(NULL);
	}

	check_all_specs("mapped");
	check_exec();
	check_splits();
	check_handover();
	check_unmap_all();
	check_live();

	if (pool_in_use() != base_bytes)
		fail("table memory after unmapping everything: %lu bytes, %lu before",
		     pool_in_use(), base_bytes);
	pr("TLB hooks: %lu TLBI by address, %lu invalidate-all\n", tlbi_count, tlbi_all_count);
	finish("stage1-" GNAME);
}
