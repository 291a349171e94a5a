/* SPDX-License-Identifier: MIT */
/*
 * s2.c - VMSAv8-64 stage 2 tables built by iopgt, walked by the CPU.
 *
 * Runs at EL2 (-M virt,virtualization=on). The stage 2 tables map the
 * guest's RAM and UART with the identity (IPA = PA) and, in the top half of
 * the IPA range, a test area of pages, blocks and contiguous runs of every
 * size the granule has. The configuration is one where iopgt concatenates
 * tables at the start level (Arm ARM D8.2.7): 4K granule, IPA 40 bits, two
 * level 1 tables; 16K, 40 bits, sixteen level 2 tables; 64K, 44 bits, four
 * level 2 tables. VTTBR_EL2 and VTCR_EL2 are programmed exactly as
 * iopgt_get_regs() returns them, with HCR_EL2.VM = 1 and EL1's stage 1 off
 * (SCTLR_EL1.M = 0; HCR_EL2.DC = 1 so that EL1's accesses are Normal
 * write-back at stage 1 and the memory type PAR_EL1 reports is stage 2's).
 *
 *  - every leaf is translated with AT S12E1R/S12E1W from EL2 and PAR_EL1
 *    compared with the mapping (output address, attributes, stage 2
 *    permission faults for read-only and write-only leaves, translation
 *    faults next to each mapping);
 *  - real loads, stores and instruction fetches run at EL1; a stage 2
 *    fault is taken to EL2, which checks ESR_EL2 and HPFAR_EL2;
 *  - splits, full unmaps and live edits as at stage 1, with TLB hooks that
 *    issue TLBI IPAS2LE1IS/IPAS2E1IS and then TLBI VMALLE1IS (entries that
 *    combine both stages are tagged by VA, not IPA).
 *
 * With QA_TRACK the tables have IOPGT_QUIRK_HW_DIRTY and _HW_ACCESS and the
 * guest runs the tracking checks of track.c instead.
 *
 * With QA_52 the IPA and output sizes are 52 bits (IPA QA_IAS bits, 52 by
 * default): 4K with FEAT_LPA2 concatenates sixteen level 0 tables
 * (VTCR_EL2.DS = 1, SL2 = 0), 16K walks from a level 0 table of 32
 * entries, 64K (FEAT_LPA) from a level 1 table of 1024 entries. The test
 * area lies above 2^48 of the IPA range, and besides RAM the mappings lead
 * to RAM above 2^50 (highmem.c), which EL2 reads and writes directly (its
 * own translation is off).
 *
 * QEMU 7.2 faults every stage 2 walk of the 16K granule that starts at
 * level 0 (VTCR_EL2.SL0 0b11 with DS = 1; its check_s2_mmu_setup() allows
 * no level 0 for 16K, fixed in QEMU 8.0), so the 16K guest takes a 51-bit
 * IPA range, sixteen level 1 tables concatenated: 52-bit output addresses
 * all the same, and an IPA range above 2^48.
 *
 * Build-time knobs: GRAN_SHIFT (12, 14, 16); QA_NEG (common.h); QA_FWB:
 * IOPGT_QUIRK_S2FWB with HCR_EL2.FWB = 1 and HCR_EL2.DC = 0. Stage 1 off
 * then makes every data access Device-nGnRnE at stage 1, and the
 * FEAT_S2FWB encodings decide (Arm ARM D8.5.6): 0b0110 forces write-back,
 * 0b0001 forces Device-nGnRE, 0b0101 (non-cacheable) keeps stage 1's
 * Device type.
 */
/*
 * An IPA size above VTCR_EL2.PS is CONSTRAINED UNPREDICTABLE (QEMU faults
 * every walk), so the output size is the IPA size here.
 */
#if defined(QA_52) && QA_52
#ifndef QA_IAS
#define QA_IAS 52
#endif
#define IAS QA_IAS
#define OAS 52
#elif GRAN_SHIFT == 16
#define IAS 44
#define OAS 44
#else
#define IAS 40
#define OAS 40
#endif

#include "common.h"

#ifndef QA_FWB
#define QA_FWB 0
#endif
#if QA_NEG == NEG_DS && GRAN_SHIFT == 16
/* 64K has no DS, and a PS below the IPA range makes every walk fault */
#error "NEG_DS needs the 4K or 16K granule at stage 2"
#endif
#define EXIT_SKIP 77   /* meson: skipped */

const bool stage2 = true;
/* with FWB and stage 1's Device-nGnRnE: MemAttr 0b0101 (non-cacheable)
 * yields to stage 1's Device type, 0b0001 forces Device-nGnRE */
const unsigned attr_dev = 0x04, attr_nc = QA_FWB ? 0x00 : 0x44;

static struct iopgt_stats st;

/* ---- TLB maintenance hooks (Arm ARM C5.5 "A64 TLB maintenance") ------ */

/* TLBI by IPA operand: IPA[51:12] in bits [39:0] (IPA[51:48] with FEAT_LPA) */
static inline uint64_t tlbi_ipa(uint64_t ipa)
{
	return (ipa >> 12) & ((1ull << 40) - 1);
}

static void tlb_all(void *ctx)
{
	(void)ctx;
	dsb_ishst();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb_ish();
	isb();
	tlbi_all_count++;
}

static void tlb_range(uint64_t ipa, uint64_t size, size_t granule, bool leaf)
{
	uint64_t step = granule ? granule : G;

	/* a long range: one invalidate-all instead of thousands of TLBIs */
	if (size / step > 4096) {
		tlb_all(NULL);
		return;
	}
	dsb_ishst();
	for (uint64_t a = ipa; a - ipa < size; a += step) {
		if (leaf)
			__asm__ volatile("tlbi ipas2le1is, %0" :: "r"(tlbi_ipa(a)) : "memory");
		else
			__asm__ volatile("tlbi ipas2e1is, %0" :: "r"(tlbi_ipa(a)) : "memory");
		tlbi_count++;
	}
	dsb_ish();
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
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

/* ---- the regime under test: EL1&0 stage 2, stage 1 off --------------- */

void at_mapped(uint64_t ipa, uint64_t pa, uint32_t prot)
{
	at_one("S12E1R", at_s12e1r(ipa), prot & IOPGT_READ, ipa, pa, prot);
	at_one("S12E1W", at_s12e1w(ipa), prot & IOPGT_WRITE, ipa, pa, prot);
}

void at_unmapped(uint64_t ipa)
{
	at_fault("S12E1R", at_s12e1r(ipa), ipa, FSC_TRANS);
}

/* runs an access at EL1; a stage 2 fault must come as a lower-EL abort
 * with HPFAR_EL2 holding the IPA (Arm ARM D17.2.54 HPFAR_EL2.FIPA [43:4]:
 * IPA[51:12]) and FAR_EL2 the VA, here the same */
static void el1_do(unsigned kind, uint64_t ipa, uint64_t val, struct probe *p)
{
	struct el1_op op = { ipa, val, kind };
	uint64_t esr, hpfar, want_ec = kind == EL1_EXEC ? EC_IABT_LOW : EC_DABT_LOW;

	p->ok = el1_probe(&op, &esr, &hpfar);
	p->val = op.val;
	p->fsc = (esr >> 26) == want_ec ? (unsigned)esr & 0x3f : 0xff;
	p->addr = (hpfar & 0xfffffffffff0ull) << 8 | (g_fault.far & 0xfff);
	if ((g_fault.far & ~0xfffull) != (p->addr & ~0xfffull))
		p->addr = g_fault.far;   /* FAR_EL2 and HPFAR_EL2 disagree: report FAR */
}

void mem_load(uint64_t ipa, struct probe *p)
{
	el1_do(EL1_LOAD, ipa, 0, p);
}

void mem_store(uint64_t ipa, uint64_t val, struct probe *p)
{
	el1_do(EL1_STORE, ipa, val, p);
}

void mem_exec(uint64_t ipa, struct probe *p)
{
	el1_do(EL1_EXEC, ipa, 0, p);
}

/* EL2's own translation is off: physical addresses directly */
uint64_t bus_read(uint64_t pa)
{
	return *(volatile uint64_t *)(uintptr_t)pa;
}

void bus_write(uint64_t pa, uint64_t val)
{
	*(volatile uint64_t *)(uintptr_t)pa = val;
}

/* ---- setup ---------------------------------------------------------- */

static void check_cpu(void)
{
	static const unsigned char pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t mmfr0 = SYSREG_READ(id_aa64mmfr0_el1);
	unsigned pa = mmfr0 & 0xf, f, f1;
	bool have;

	/* ID_AA64MMFR0_EL1 (D17.2.64): TGranN_2 0b0000 as the stage 1 field,
	 * 0b0001 absent, 0b0010/0b0011 present. Stage 1 fields: TGran4 0b0000/1,
	 * TGran16 0b0001/2, TGran64 0b0000 present. */
	switch (GRAN_SHIFT) {
	case 12:
		f = (mmfr0 >> 40) & 0xf;
		f1 = (mmfr0 >> 28) & 0xf;
		have = f >= 2 || (f == 0 && f1 <= 1);
		break;
	case 14:
		f = (mmfr0 >> 32) & 0xf;
		f1 = (mmfr0 >> 20) & 0xf;
		have = f >= 2 || (f == 0 && (f1 == 1 || f1 == 2));
		break;
	default:
		f = (mmfr0 >> 36) & 0xf;
		f1 = (mmfr0 >> 24) & 0xf;
		have = f >= 2 || (f == 0 && f1 == 0);
		break;
	}
	pr("CPU: ID_AA64MMFR0_EL1 %lx: PARange %u, stage 2 " GNAME " field %u, stage 1 %u\n",
	   (unsigned long)mmfr0, pa, f, f1);
	if (!have) {
		pr("this CPU has no " GNAME " granule at stage 2: refusing to test it\n");
		fail_exit();
	}
	if (QA_FWB && ((SYSREG_READ(id_aa64mmfr2_el1) >> 40) & 0xf) == 0) {
		/* ID_AA64MMFR2_EL1.FWB, bits [43:40] */
		pr("this CPU has no FEAT_S2FWB: skipped\n");
		guest_exit(EXIT_SKIP);
	}
	if (QA_52) {
		/* 52 bits: PARange 0b0110; with 4K and 16K, FEAT_LPA2 at stage 2:
		 * TGranN_2 0b0011, or 0b0000 with the stage 1 field saying so
		 * (TGran4 0b0001, TGran16 0b0010) */
		bool ok = pa == 6;

		if (GRAN_SHIFT == 12)
			ok = ok && (f == 3 || (f == 0 && f1 == 1));
		else if (GRAN_SHIFT == 14)
			ok = ok && (f == 3 || (f == 0 && f1 == 2));
		if (!ok) {
			pr("this CPU has no 52-bit addresses with the " GNAME " granule at "
			   "stage 2: refusing to test them\n");
			fail_exit();
		}
	}
	if (pa >= sizeof(pa_bits) || pa_bits[pa] < IAS)
		die("PARange %u below the %u-bit IPA size used here", pa, IAS);
}

static void init_tables(void)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM64_S2,
		.ias = IAS,
		.oas = OAS,
		.pgsizes = all_pgsizes(),
		.quirks = (QA_FWB && QA_NEG != NEG_NOFWB ? IOPGT_QUIRK_S2FWB : 0) | QA_TRACK_QUIRKS,
		.mem = pool_mem(),
	};
	int err;

	if (QA_NEG != NEG_NOTLBI) {
		cfg.tlb.flush_all = tlb_all;
		cfg.tlb.flush_walk = tlb_walk;
		cfg.tlb.flush_leaf = tlb_leaf;
	}
	err = iopgt_init(&pt, &cfg);
	if (err)
		die("iopgt_init: %s", iopgt_strerror(err));
	pt_cfg = cfg;
	err = iopgt_map(&pt, RAM_BASE, RAM_BASE, RAM_SIZE, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
	if (!err)
		err = iopgt_map(&pt, UART_BASE, UART_BASE, G,
				IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO | IOPGT_NOEXEC);
	if (err)
		die("identity map: %s", iopgt_strerror(err));
	iopgt_get_stats(&pt, &st);
	/* the point of this configuration: a concatenated start level (with
	 * IPA 52, 16K and 64K have none: their root is a level 0 table of 32
	 * entries and a level 1 table of 1024) */
	if (QA_52 && GRAN_SHIFT != 12 && IAS == 52) {
		if (st.root_entries != (GRAN_SHIFT == 14 ? 32u : 1024u))
			die("root of %u entries", st.root_entries);
	} else if (st.root_entries <= (1u << (GRAN_SHIFT - 3))) {
		die("no concatenated start level: %u root entries", st.root_entries);
	}
}

static void stage2_on(void)
{
	struct iopgt_regs r;
	uint64_t vtcr;

	iopgt_get_regs(&pt, &r);
	vtcr = r.vtcr;
	if (QA_NEG == NEG_T0SZ)
		vtcr += 1;
	/* VTCR_EL2.DS is bit 32 */
	if (QA_NEG == NEG_DS)
		vtcr &= ~(1ull << 32);
	pr("VTTBR_EL2 %lx VTCR_EL2 %lx\n", (unsigned long)r.vttbr, (unsigned long)vtcr);
	/* EL1 stage 1 off; SCTLR_EL1.M (bit 0) */
	SYSREG_WRITE(sctlr_el1, SYSREG_READ(sctlr_el1) & ~1ull);
	SYSREG_WRITE(vttbr_el2, r.vttbr);
	SYSREG_WRITE(vtcr_el2, vtcr);
	/* HCR_EL2 (D17.2.48): VM bit 0, DC bit 12, RW bit 31, FWB bit 46 */
	SYSREG_WRITE(hcr_el2, 1ull << 0 | (uint64_t)!QA_FWB << 12 | 1ull << 31 |
			      (uint64_t)QA_FWB << 46);
	isb();
	__asm__ volatile("tlbi vmalls12e1is\n\tdsb ish\n\tisb" ::: "memory");
}

static void build_specs(void)
{
	uint64_t s = (uint64_t)(uintptr_t)scratch, va = add_leaf_specs();

	/* page-sized permission and attribute variants */
	add_spec(va, s + 1 * 64 * K, G, G, IOPGT_READ | IOPGT_CACHE);
	add_spec(va + 1 * PERM_STEP, s + 2 * 64 * K, G, G, IOPGT_WRITE | IOPGT_CACHE);
	add_spec(va + 2 * PERM_STEP, s + 3 * 64 * K, G, G, IOPGT_READ | IOPGT_WRITE);
	add_spec(va + 3 * PERM_STEP, s + 4 * 64 * K, G, G, IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO);
	/* PRIV means nothing at stage 2: a plain read-write leaf */
	add_spec(va + 4 * PERM_STEP, s + 5 * 64 * K, G, G,
		 IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE | IOPGT_PRIV);
	/* executable and its execute-never twin */
	add_spec(va + 5 * PERM_STEP, s + 6 * 64 * K, G, G, IOPGT_READ | IOPGT_CACHE);
	add_spec(va + 6 * PERM_STEP, s + 7 * 64 * K, G, G,
		 IOPGT_READ | IOPGT_CACHE | IOPGT_NOEXEC);
	add_mixed_spec(va + SLOT);
	add_sg_specs(va + 2 * SLOT);
	if (QA_52)
		add_high_specs(va + 3 * SLOT);
}

int guest_main(void);
int guest_main(void)
{
	static const char *const negname[] = { "", " [negative control: output address flipped]",
		" [negative control: access flag cleared]", "",
		" [negative control: T0SZ perturbed]", " [negative control: no TLB invalidation]",
		" [negative control: FWB on, tables without the S2FWB quirk]",
		" [negative control: VTCR_EL2.DS cleared]",
		" [negative control: PA[50] dropped from a leaf]" };
	unsigned long base_bytes;
	const struct spec *x, *xn;
	struct iopgt_regs r;

	pr("iopgt AArch64 stage 2, " GNAME " granule, IPA %u bits OAS %u%s%s%s\n", IAS, OAS,
	   QA_FWB ? ", S2FWB" : "", QA_TRACK ? ", hardware dirty and access tracking" : "",
	   negname[QA_NEG]);
	if (current_el() != 2)
		die("expected to start at EL2, not EL%u (needs -M virt,virtualization=on)",
		    current_el());
	check_cpu();
	if (QA_52)
		high_ram_init();
	if (QA_TRACK)
		check_tracking_cpu();
	init_tables();
	base_bytes = pool_in_use();
	test_base = 1ull << (IAS - 1);
	stage2_on();
	pr("tables: %u levels from level %d, root %u entries (%u tables concatenated)\n",
	   st.levels, st.start_level, st.root_entries, st.root_entries >> (GRAN_SHIFT - 3));
	if (QA_TRACK) {
		check_tracking();
		if (pool_in_use() != base_bytes)
			fail("table memory after the tracking checks: %lu bytes, %lu before",
			     pool_in_use(), base_bytes);
		pr("TLB hooks: %lu TLBI by address, %lu invalidate-all\n", tlbi_count,
		   tlbi_all_count);
		finish("stage2-" GNAME "-tracking");
	}

	build_specs();
	iopgt_get_stats(&pt, &st);
	pr("mapped %u test ranges: %lu tables, %lu bytes of tables\n", nspecs,
	   (unsigned long)st.tables, (unsigned long)st.table_bytes);
	check_leaf_sizes();
	iopgt_get_regs(&pt, &r);
	perturb_first_leaf(ttbr_pa(r.vttbr), st.start_level, IAS);
	tlb_all(NULL);

	check_all_specs("mapped");
	x = &specs[n_leaf_sizes + 5];
	xn = &specs[n_leaf_sizes + 6];
	exec_check(x->va, x->pa, false);
	exec_check(xn->va, xn->pa, true);
	check_splits();
	check_handover();
	check_unmap_all();
	check_live();

	if (pool_in_use() != base_bytes)
		fail("table memory after unmapping everything: %lu bytes, %lu before",
		     pool_in_use(), base_bytes);
	pr("TLB hooks: %lu TLBI by address, %lu invalidate-all\n", tlbi_count, tlbi_all_count);
	finish("stage2-" GNAME);
}
