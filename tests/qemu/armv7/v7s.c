/* SPDX-License-Identifier: MIT */
/*
 * v7s.c - the CPU's own MMU (QEMU cortex-a15) walks short-descriptor tables
 * (IOPGT_FMT_ARMV7S) that the library built in guest memory.
 *
 * The guest maps its own RAM and the UART through the library, enables the
 * MMU with the registers iopgt_get_regs() returns (SCTLR.TRE = 1,
 * SCTLR.AFE = 1, DACR domain 0 client), then for sections, supersections,
 * large and small pages checks:
 *   - ATS1CPR/ATS1CPW/ATS1CUR/ATS1CUW and PAR (output address or fault),
 *   - loads and stores through the mappings (data arrives at the PA), also
 *     unprivileged ones (LDRT/STRT), and instruction fetches (XN),
 *   - translation, permission and access-flag faults (DFSR, DFAR, IFSR),
 *   - that iopgt_unmap() (with TLBIMVA/TLBIALL hooks) makes them fault,
 *     also after a split of a section,
 *   - that the split section, its hole mapped again, is one section again
 *     after iopgt_compact() and translates whole (its page table freed),
 *   - a supersection whose output address is above 4 GiB (PA[35:32] in
 *     descriptor bits [23:20]): written through it, read back through a
 *     long-descriptor mapping of the same PA built by the library, and the
 *     reverse (QEMU 7.2 leaves PA[39:32] out of the short-format PAR).
 *
 * References: ARMv7-A/R ARM DDI0406C, B3.5 (short-descriptor format),
 * B3.7 (access permissions, AFE), B3.8.2 (TEX remap), B3.12 (memory
 * aborts), B3.13 (short-descriptor fault status encodings), B4.1 (PAR,
 * DACR, DFSR, IFSR, PRRR, NMRR), B4.2 (TLB maintenance operations).
 *
 * Negative controls, chosen with QEMU's -append: "neg=desc" (an output
 * address patched after iopgt_map), "neg=ap" (AP[2] patched in, making a
 * writable page read-only), "neg=ttbcr" (TTBCR.N = 1: VAs from 2 GiB walk
 * TTBR1), "neg=notlb" (no TLB hooks: stale TLB entries survive unmap).
 * Each must make the run fail.
 */
#include "rt.h"
#include "iopgt/backends.h"

#define SZ_4K  0x1000u
#define SZ_64K 0x10000u
#define SZ_1M  0x100000u
#define SZ_16M 0x1000000u

/* short-descriptor fault status, FS[4:0] = DFSR[10,3:0] (B3.13, "Fault status encodings") */
#define FS_TRANS_SECT 0x05u
#define FS_TRANS_PAGE 0x07u
#define FS_AF_SECT    0x03u
#define FS_AF_PAGE    0x06u
#define FS_PERM_SECT  0x0du
#define FS_PERM_PAGE  0x0fu
#define DFSR_WNR      (1u << 11)

enum kind { K_SECT, K_SUPER, K_LARGE, K_SMALL };

struct tmap {
	const char *name;
	uint32_t va;
	uint64_t pa;
	uint32_t size;
	uint32_t prot;
	enum kind kind;
};

#define RW (IOPGT_READ | IOPGT_WRITE)
#define C  IOPGT_CACHE

/* Physical RAM of the virt board starts at 0x40000000; the targets sit at
 * 0x44000000 and up, outside the image and the pool, inside the identity
 * mapping, so that the guest can look at the bytes at their PA. */
static const struct tmap maps[] = {
	{ "section",         0x80000000u, 0x44100000u, SZ_1M,  RW | C,                K_SECT },
	{ "section ro",      0x80100000u, 0x44400000u, SZ_1M,  IOPGT_READ,            K_SECT },
	{ "section priv",    0x80200000u, 0x44500000u, SZ_1M,  RW | IOPGT_PRIV,       K_SECT },
	{ "supersection",    0x81000000u, 0x45000000u, SZ_16M, RW | C,                K_SUPER },
	{ "large page",      0x82010000u, 0x44230000u, SZ_64K, RW,                    K_LARGE },
	{ "large page ro",   0x82020000u, 0x44240000u, SZ_64K, IOPGT_READ | C,        K_LARGE },
	{ "small page",      0x82001000u, 0x44305000u, SZ_4K,  RW | C,                K_SMALL },
	{ "small page ro",   0x82002000u, 0x44306000u, SZ_4K,  IOPGT_READ | C,        K_SMALL },
	{ "small page priv", 0x82003000u, 0x44307000u, SZ_4K,  RW | IOPGT_PRIV | C,   K_SMALL },
	{ "small priv ro",   0x82004000u, 0x44308000u, SZ_4K,  IOPGT_READ | IOPGT_PRIV, K_SMALL },
	{ "small page xn",   0x82005000u, 0x44309000u, SZ_4K,  RW | IOPGT_NOEXEC | C, K_SMALL },
	{ "small page x",    0x82006000u, 0x4430a000u, SZ_4K,  IOPGT_READ | C,        K_SMALL },
	{ "small page mmio", 0x82009000u, 0x4430b000u, SZ_4K,  RW | IOPGT_MMIO,       K_SMALL },
};
#define NMAPS (sizeof(maps) / sizeof(maps[0]))

#define VA_NOTHING_L1 0x83000000u  /* no level-1 entry */
#define VA_NOTHING_L2 0x82007000u  /* level-2 table present, entry invalid */
#define VA_AF_PAGE    0x82008000u
#define PA_AF_PAGE    0x4430c000u
#define VA_AF_SECT    0x80300000u
#define PA_AF_SECT    0x44700000u
#define VA_SPLIT      0x84000000u
#define PA_SPLIT      0x44800000u
#define VA_HIGH       0x90000000u
#define PA_HIGH       0x120000000ull  /* above 4 GiB: needs -m 5G or more */
#define VA_HIGH_LPAE  0xa0000000u

static struct iopgt pt;
static struct iopgt_regs regs;
static struct iopgt_dccmvac dcc;
static bool neg_desc, neg_ap, neg_ttbcr, neg_notlb;

/* --- the table walk done by hand, to patch descriptors ---------------------- */
static volatile uint32_t *v7s_desc(uint32_t va)
{
	volatile uint32_t *l1 = (volatile uint32_t *)(uintptr_t)(regs.ttbr & 0xffffc000u);
	uint32_t d = l1[va >> 20];

	if ((d & 3u) != 1u)
		return &l1[va >> 20];
	return (volatile uint32_t *)(uintptr_t)(d & 0xfffffc00u) + ((va >> 12) & 0xff);
}

static void tlb_one(uint32_t va)
{
	dsb();
	wr_tlbimva(va & 0xfffff000u);
	dsb();
	isb();
}

/* --- address translation instructions -------------------------------------- */
static uint32_t at(uint32_t va, bool user, bool write)
{
	if (user)
		write ? wr_ats1cuw(va) : wr_ats1cur(va);
	else
		write ? wr_ats1cpw(va) : wr_ats1cpr(va);
	isb();
	rt_counts.translations++;
	return rd_par();
}

/* the short-descriptor PAR (B4.1, "PAR, Physical Address Register"): F bit 0; on a fault PAR[6:1] holds
 * DFSR bits 12, 10, 3:0, so FS[4:0] is PAR[5,4:1]; on success PA[31:12],
 * or for a supersection SS (bit 1) and PA[31:24] (QEMU 7.2 reports none of
 * PA[39:32] there, so the supersection above 4 GiB is also checked with
 * real accesses) */
static unsigned par_fs(uint32_t par)
{
	return ((par >> 1) & 0xfu) | ((par >> 5) & 1u) << 4;
}

static void check_at_ok(const char *what, uint32_t va, uint64_t pa, bool super, bool user,
			bool write)
{
	uint32_t par = at(va, user, write);

	if (par & 1u) {
		rt_printf("  %s: AT%s%s va 0x%08x faulted, fs 0x%x\n", what, user ? "U" : "P",
			  write ? "W" : "R", va, par_fs(par));
		CHECK(false, "translation expected", va, par);
		return;
	}
	if (super) {
		CHECK((par & 0xff000002u) == (((uint32_t)pa & 0xff000000u) | 2u),
		      "supersection PAR: PA[31:24] and SS", par, (uint32_t)pa);
	} else {
		CHECK((par & 0xfffff002u) == ((uint32_t)pa & 0xfffff000u), "PAR PA[31:12]", par,
		      (uint32_t)pa);
	}
}

static void check_at_fault(const char *what, uint32_t va, unsigned fs, bool user, bool write)
{
	uint32_t par = at(va, user, write);

	rt_counts.faults++;
	if (!(par & 1u) || par_fs(par) != fs) {
		rt_printf("  %s: AT%s%s va 0x%08x: PAR 0x%08x, expected fault fs 0x%x\n", what,
			  user ? "U" : "P", write ? "W" : "R", va, par, fs);
		CHECK(false, "fault expected from AT", va, par);
	}
}

/* --- real accesses ---------------------------------------------------------- */
static void check_access_fault(const char *what, enum acc a, uint32_t va, unsigned fs)
{
	uint32_t v = 0x5eed0000u;
	uint32_t dfsr, dfs;

	rt_counts.faults++;
	if (access(a, va, &v)) {
		rt_printf("  %s: access to 0x%08x did not fault\n", what, va);
		CHECK(false, "data abort expected", va, 0);
		return;
	}
	dfsr = rt_abort.fsr;
	dfs = (dfsr & 0xfu) | ((dfsr >> 10) & 1u) << 4;
	CHECK(dfs == fs, "DFSR fault status", dfsr, fs);
	CHECK(rt_abort.far == va, "DFAR", rt_abort.far, va);
	CHECK(!!(dfsr & DFSR_WNR) == (a == STR || a == STRT), "DFSR.WnR", dfsr, a);
	/* DFSR.Domain of a permission fault: the descriptor's domain, 0 */
	if (fs == FS_PERM_SECT || fs == FS_PERM_PAGE)
		CHECK(((dfsr >> 4) & 0xfu) == 0, "DFSR.Domain", dfsr, 0);
}

/* store through va, see the word at pa; store at pa, load through va */
static void check_data(const char *what, uint32_t va, uint64_t pa, bool user)
{
	volatile uint32_t *phys = (volatile uint32_t *)(uintptr_t)pa;
	uint32_t v = pattern(va, 0x11111111u), r;

	if (!access(user ? STRT : STR, va, &v)) {
		rt_printf("  %s: store to 0x%08x faulted (dfsr 0x%08x)\n", what, va, rt_abort.fsr);
		CHECK(false, "store expected to succeed", va, rt_abort.fsr);
		return;
	}
	CHECK(*phys == v, what, *phys, v);
	*phys = v ^ 0xffffffffu;
	dsb();
	if (!access(user ? LDRT : LDR, va, &r)) {
		CHECK(false, "load expected to succeed", va, rt_abort.fsr);
		return;
	}
	CHECK(r == (v ^ 0xffffffffu), what, r, v ^ 0xffffffffu);
}

/* --- one mapping, everything -------------------------------------------------- */
static bool is_page(enum kind k)
{
	return k == K_LARGE || k == K_SMALL;
}

static void check_map(const struct tmap *m)
{
	bool super = m->kind == K_SUPER;
	unsigned perm = is_page(m->kind) ? FS_PERM_PAGE : FS_PERM_SECT;
	uint32_t offs[3] = { 0, m->size / 2 + 0x124, m->size - 4 };
	bool w = m->prot & IOPGT_WRITE, upriv = m->prot & IOPGT_PRIV;
	struct iopgt_mapping lm;

	rt_check_ok(iopgt_lookup(&pt, m->va, &lm), "iopgt_lookup");
	CHECK(lm.iova == m->va && lm.pa == m->pa && lm.size == m->size, m->name, lm.pa, lm.size);

	for (unsigned i = 0; i < 3; i++) {
		uint32_t va = m->va + offs[i];
		uint64_t pa = m->pa + offs[i];

		check_at_ok(m->name, va, pa, super, false, false);
		if (w)
			check_at_ok(m->name, va, pa, super, false, true);
		else
			check_at_fault(m->name, va, perm, false, true);
		if (upriv) {
			check_at_fault(m->name, va, perm, true, false);
			check_at_fault(m->name, va, perm, true, true);
		} else {
			check_at_ok(m->name, va, pa, super, true, false);
			if (w)
				check_at_ok(m->name, va, pa, super, true, true);
			else
				check_at_fault(m->name, va, perm, true, true);
		}
		if (w) {
			check_data(m->name, va, pa, false);
			if (!upriv)
				check_data(m->name, va, pa, true);
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

static void check_unmapped(const char *what, uint32_t va, unsigned fs)
{
	check_at_fault(what, va, fs, false, false);
	check_at_fault(what, va, fs, false, true);
	check_at_fault(what, va, fs, true, false);
	check_access_fault(what, LDR, va, fs);
	check_access_fault(what, STR, va, fs);
}

/* --- switching the translation regime ---------------------------------------- */
#define SCTLR_ON (SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_TRE | SCTLR_AFE)

static void load_v7s_regs(void)
{
	struct rt_mmu_regs r = {
		.ttbcr = (uint32_t)regs.tcr, .ttbr0_lo = (uint32_t)regs.ttbr,
		.prrr_mair0 = regs.prrr, .nmrr_mair1 = regs.nmrr,
		.dacr = 1u, /* domain 0: client (B4.1, "DACR"); every other domain no access */
		.sctlr = (rd_sctlr() | SCTLR_ON) | SCTLR_A,
	};

	if (neg_ttbcr)
		r.ttbcr |= 1u; /* N = 1: TTBR0 translates [0, 2 GiB) only */
	rt_mmu_load(&r);
}

static struct iopgt lpt;
static struct iopgt_regs lregs;

static void load_lpae_regs(void)
{
	struct rt_mmu_regs r = {
		.ttbcr = (uint32_t)lregs.tcr, .ttbr0_lo = (uint32_t)lregs.ttbr,
		.ttbr0_hi = (uint32_t)(lregs.ttbr >> 32),
		.prrr_mair0 = (uint32_t)lregs.mair, .nmrr_mair1 = (uint32_t)(lregs.mair >> 32),
		.dacr = 1u, .sctlr = (rd_sctlr() | SCTLR_ON) | SCTLR_A,
	};

	rt_mmu_load(&r);
}

/*
 * The supersection above 4 GiB. Writes through VA_HIGH, switches to
 * long-descriptor tables (built by the library) that map VA_HIGH_LPAE to
 * the same PA with a 2M block, reads the bytes there, writes others,
 * switches back and reads those through the supersection.
 */
static void check_high_supersection(void)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM32_S1, .ias = 32, .oas = 40,
		.pgsizes = SZ_4K | (1u << 21) | (1u << 30),
		.mem = rt_pool_mem(), .tlb = rt_tlb(),
	};
	static const uint32_t offs[] = { 0, 0x1000, 0x123450, 0xfffffc };
	uint32_t par, r;
	uint64_t par64;

	cfg.sync = iopgt_dccmvac_sync(&dcc);
	rt_check_ok(iopgt_map(&pt, VA_HIGH, PA_HIGH, SZ_16M, RW | C), "map supersection > 4 GiB");
	CHECK(*v7s_desc(VA_HIGH) & (1u << 18), "supersection descriptor", *v7s_desc(VA_HIGH), 0);
	CHECK(((*v7s_desc(VA_HIGH) >> 20) & 0xfu) == (uint32_t)(PA_HIGH >> 32),
	      "supersection PA[35:32] in bits [23:20]", *v7s_desc(VA_HIGH), 0);
	par = at(VA_HIGH + 0x1000, false, true);
	CHECK((par & 0xff000003u) == (((uint32_t)PA_HIGH & 0xff000000u) | 2u),
	      "AT on the high supersection: PA[31:24], SS", par, 0);
	CHECK(iopgt_unmap(&pt, VA_HIGH, SZ_1M) == IOPGT_ERR_NOTSUP,
	      "partial unmap of a supersection above 4 GiB is NOTSUP", 0, 0);

	for (unsigned i = 0; i < 4; i++) {
		uint32_t v = pattern(VA_HIGH + offs[i], 0x33333333u);
		CHECK(access(STR, VA_HIGH + offs[i], &v), "store through high supersection",
		      VA_HIGH + offs[i], rt_abort.fsr);
	}
	dsb();

	rt_check_ok(iopgt_init(&lpt, &cfg), "iopgt_init (long-descriptor witness)");
	rt_check_ok(iopgt_map(&lpt, 0x40000000u, 0x40000000u, 1u << 30, RW | C), "map RAM (LPAE)");
	rt_check_ok(iopgt_map(&lpt, 0x09000000u, 0x09000000u, 1u << 21,
			      RW | IOPGT_MMIO | IOPGT_NOEXEC), "map UART (LPAE)");
	rt_check_ok(iopgt_map(&lpt, VA_HIGH_LPAE, PA_HIGH, SZ_16M, RW | C), "map high (LPAE)");
	iopgt_get_regs(&lpt, &lregs);
	load_lpae_regs();
	/* the long-descriptor PAR has all 40 bits (B4.1, "PAR, Physical Address Register") */
	wr_ats1cpr(VA_HIGH_LPAE + 0x123450);
	isb();
	rt_counts.translations++;
	par64 = rd_par64();
	CHECK(!(par64 & 1) && (par64 & 0xfffffff000ull) == ((PA_HIGH + 0x123000) & 0xfffffff000ull),
	      "LPAE PAR of the same PA", (uint32_t)(par64 >> 32), (uint32_t)par64);
	for (unsigned i = 0; i < 4; i++) {
		uint32_t v = pattern(VA_HIGH + offs[i], 0x33333333u);

		CHECK(access(LDR, VA_HIGH_LPAE + offs[i], &r) && r == v,
		      "bytes written through the supersection are at PA 0x1_2000_0000+", r, v);
		v = pattern(VA_HIGH + offs[i], 0x44444444u);
		access(STR, VA_HIGH_LPAE + offs[i], &v);
	}
	dsb();
	load_v7s_regs();
	for (unsigned i = 0; i < 4; i++) {
		uint32_t v = pattern(VA_HIGH + offs[i], 0x44444444u);

		CHECK(access(LDR, VA_HIGH + offs[i], &r) && r == v,
		      "bytes written at the high PA read through the supersection", r, v);
	}
	iopgt_fini(&lpt);
	rt_check_ok(iopgt_unmap(&pt, VA_HIGH, SZ_16M), "unmap high supersection");
	check_unmapped("high supersection unmapped", VA_HIGH + 0x2000, FS_TRANS_SECT);
	rt_printf("supersection at PA 0x%llx: 4 words written through it found there by a "
		  "long-descriptor mapping, and back\n", (unsigned long long)PA_HIGH);
}

int main(void)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARMV7S, .ias = 32, .oas = 40,
		.mem = rt_pool_mem(),
	};
	struct rt_pool_stats ps;
	uint32_t ifsr, r, v;

	neg_desc = rt_has_arg("neg=desc");
	neg_ap = rt_has_arg("neg=ap");
	neg_ttbcr = rt_has_arg("neg=ttbcr");
	neg_notlb = rt_has_arg("neg=notlb");
	rt_printf("armv7 v7s guest (cmdline \"%s\")\n", rt_cmdline());

	rt_check_ok(iopgt_dccmvac_init(&dcc, 0), "iopgt_dccmvac_init");
	cfg.sync = iopgt_dccmvac_sync(&dcc);
	if (!neg_notlb)
		cfg.tlb = rt_tlb();
	rt_check_ok(iopgt_init(&pt, &cfg), "iopgt_init");
	/* the guest itself: 128 MiB of RAM (supersections) and the UART */
	rt_check_ok(iopgt_map(&pt, 0x40000000u, 0x40000000u, 0x08000000u, RW | C), "map RAM");
	rt_check_ok(iopgt_map(&pt, 0x09000000u, 0x09000000u, SZ_1M,
			      RW | IOPGT_MMIO | IOPGT_NOEXEC), "map UART");
	iopgt_get_regs(&pt, &regs);
	rt_printf("TTBR0 0x%08x TTBCR 0x%08x PRRR 0x%08x NMRR 0x%08x\n", (uint32_t)regs.ttbr,
		  (uint32_t)regs.tcr, regs.prrr, regs.nmrr);
	load_v7s_regs();
	CHECK((rd_sctlr() & (SCTLR_M | SCTLR_TRE | SCTLR_AFE)) == (SCTLR_M | SCTLR_TRE | SCTLR_AFE),
	      "SCTLR.M, TRE, AFE", rd_sctlr(), 0);
	CHECK(rd_prrr() == regs.prrr && rd_nmrr() == regs.nmrr, "PRRR/NMRR read back", rd_prrr(),
	      rd_nmrr());
	rt_printf("MMU on (short descriptors)\n");

	/* everything else is mapped with the MMU on, the tables cleaned by DCCMVAC */
	for (unsigned i = 0; i < NMAPS; i++)
		rt_check_ok(iopgt_map(&pt, maps[i].va, maps[i].pa, maps[i].size, maps[i].prot),
			    maps[i].name);
	rt_check_ok(iopgt_map(&pt, VA_AF_PAGE, PA_AF_PAGE, SZ_4K, RW), "map af page");
	rt_check_ok(iopgt_map(&pt, VA_AF_SECT, PA_AF_SECT, SZ_1M, RW), "map af section");
	rt_check_ok(iopgt_map(&pt, VA_SPLIT, PA_SPLIT, SZ_1M, RW | C), "map split section");

	/* the descriptor kinds the library chose */
	CHECK((*v7s_desc(maps[0].va) & 0x40003u) == 2u, "section descriptor", *v7s_desc(maps[0].va), 0);
	CHECK((*v7s_desc(maps[3].va) & 0x40003u) == 0x40002u, "supersection descriptor",
	      *v7s_desc(maps[3].va), 0);
	CHECK((*v7s_desc(maps[4].va) & 3u) == 1u, "large page descriptor", *v7s_desc(maps[4].va), 0);
	CHECK((*v7s_desc(maps[6].va) & 2u) == 2u, "small page descriptor", *v7s_desc(maps[6].va), 0);

	if (neg_desc) {
		/* a wrong output address: the walker must disagree with the check */
		*v7s_desc(maps[6].va) ^= 0x00010000u;
		tlb_one(maps[6].va);
	}
	if (neg_ap) {
		/* AP[2] = 1 (read-only) on a writable small page (B3.7, "Access permissions") */
		*v7s_desc(maps[6].va) |= 1u << 9;
		tlb_one(maps[6].va);
	}

	for (unsigned i = 0; i < NMAPS; i++)
		check_map(&maps[i]);

	/* memory types: the MMIO page is usable, the mapping's attributes are
	 * not visible in the short-format PAR (QEMU writes none) */
	CHECK(((*v7s_desc(maps[12].va) >> 6) & 1u) == 0 && ((*v7s_desc(maps[12].va) >> 2) & 3u) == 1u,
	      "Device page: TEX[0]:C:B = 0b001", *v7s_desc(maps[12].va), 0);

	/* execute never */
	put_code(maps[11].pa);
	CHECK(exec_at(maps[11].va, &ifsr), "execute from an executable page", maps[11].va, ifsr);
	put_code(maps[10].pa);
	rt_counts.faults++;
	CHECK(!exec_at(maps[10].va, &ifsr), "execute from an XN page faults", maps[10].va, 0);
	CHECK(((ifsr & 0xfu) | ((ifsr >> 10) & 1u) << 4) == FS_PERM_PAGE, "IFSR permission",
	      ifsr, FS_PERM_PAGE);
	rt_counts.faults++;
	CHECK(!exec_at(VA_NOTHING_L1, &ifsr), "execute from nothing faults", VA_NOTHING_L1, 0);
	CHECK(((ifsr & 0xfu) | ((ifsr >> 10) & 1u) << 4) == FS_TRANS_SECT, "IFSR translation",
	      ifsr, FS_TRANS_SECT);

	/* translation faults where nothing is mapped */
	check_unmapped("nothing at level 1", VA_NOTHING_L1, FS_TRANS_SECT);
	check_unmapped("nothing at level 2", VA_NOTHING_L2, FS_TRANS_PAGE);

	/* AP[0] is the access flag (SCTLR.AFE = 1): the library sets it on
	 * every leaf; cleared by hand it must fault (B3.7, "The Access flag") */
	check_data("af page", VA_AF_PAGE, PA_AF_PAGE, true);
	check_data("af section", VA_AF_SECT, PA_AF_SECT, true);
	*v7s_desc(VA_AF_PAGE) &= ~(1u << 4);
	*v7s_desc(VA_AF_SECT) &= ~(1u << 10);
	tlb_one(VA_AF_PAGE);
	tlb_one(VA_AF_SECT);
	check_at_fault("af page", VA_AF_PAGE, FS_AF_PAGE, false, false);
	check_access_fault("af page", LDR, VA_AF_PAGE, FS_AF_PAGE);
	check_at_fault("af section", VA_AF_SECT, FS_AF_SECT, false, false);
	check_access_fault("af section", STR, VA_AF_SECT, FS_AF_SECT);
	*v7s_desc(VA_AF_PAGE) |= 1u << 4;
	*v7s_desc(VA_AF_SECT) |= 1u << 10;
	tlb_one(VA_AF_PAGE);
	tlb_one(VA_AF_SECT);

	/* a section split by a partial unmap: the pages around the hole keep
	 * their translation, the hole faults */
	check_data("split section", VA_SPLIT + 0x3000, PA_SPLIT + 0x3000, false);
	rt_check_ok(iopgt_unmap(&pt, VA_SPLIT + 0x3000, SZ_4K), "unmap inside a section");
	CHECK((*v7s_desc(VA_SPLIT) & 3u) != 0, "split section became pages", *v7s_desc(VA_SPLIT), 0);
	check_unmapped("hole in split section", VA_SPLIT + 0x3000, FS_TRANS_PAGE);
	for (uint32_t off = 0; off < SZ_1M; off += 0x7f000u) {
		if (off == 0x3000)
			continue;
		check_at_ok("split section", VA_SPLIT + off, PA_SPLIT + off, false, false, true);
		check_data("split section", VA_SPLIT + off, PA_SPLIT + off, true);
	}
	check_at_ok("split section", VA_SPLIT + 0x2000, PA_SPLIT + 0x2000, false, false, true);
	check_at_ok("split section", VA_SPLIT + 0x4000, PA_SPLIT + 0x4000, false, false, true);

	/* the hole mapped again (after an access next to it: the TLB holds
	 * that page) and the section compacted: one section again, its page
	 * table freed, every part translating after the call */
	{
		struct rt_pool_stats p0 = rt_pool_stats(), p1;
		struct iopgt_mapping lm;

		check_data("split section", VA_SPLIT + 0x2000, PA_SPLIT + 0x2000, false);
		rt_check_ok(iopgt_map(&pt, VA_SPLIT + 0x3000, PA_SPLIT + 0x3000, SZ_4K, RW | C),
			    "map the hole again");
		rt_check_ok(iopgt_compact(&pt, VA_SPLIT, SZ_1M), "iopgt_compact");
		p1 = rt_pool_stats();
		CHECK((*v7s_desc(VA_SPLIT) & 3u) == 2u, "compacted: a section again",
		      *v7s_desc(VA_SPLIT), 0);
		CHECK(p1.frees == p0.frees + 1 && p1.bytes_live + 0x400 == p0.bytes_live,
		      "compaction freed the page table", p1.bytes_live, p0.bytes_live);
		CHECK(iopgt_lookup(&pt, VA_SPLIT + 0x3000, &lm) == IOPGT_OK && lm.size == SZ_1M &&
		      lm.pa == PA_SPLIT, "lookup: a 1M leaf", (uint32_t)lm.size, (uint32_t)lm.pa);
		for (uint32_t off = 0; off < SZ_1M; off += 0x7f000u) {
			check_at_ok("compacted section", VA_SPLIT + off, PA_SPLIT + off, false, false,
				    true);
			check_data("compacted section", VA_SPLIT + off, PA_SPLIT + off, true);
		}
		check_at_ok("compacted section", VA_SPLIT + 0x3000, PA_SPLIT + 0x3000, false, false,
			    true);
		check_data("compacted section", VA_SPLIT + 0x3000, PA_SPLIT + 0x3000, false);
	}

	/* unmap everything that was checked: each must fault, also for a real
	 * access right after one that filled the TLB */
	for (unsigned i = 0; i < NMAPS; i++) {
		const struct tmap *m = &maps[i];
		unsigned fs = is_page(m->kind) ? FS_TRANS_PAGE : FS_TRANS_SECT;

		CHECK(access(LDR, m->va + 8, &r), "load before unmap", m->va, rt_abort.fsr);
		rt_check_ok(iopgt_unmap(&pt, m->va, m->size), "iopgt_unmap");
		check_at_fault(m->name, m->va + 8, fs, false, false);
		check_at_fault(m->name, m->va + m->size - 4, fs, false, false);
		check_access_fault(m->name, LDR, m->va + 8, fs);
		if (m->prot & IOPGT_WRITE)
			check_access_fault(m->name, STR, m->va + m->size - 4, fs);
	}
	/* the page table of 0x82000000 still holds the af page: once that goes
	 * too the level-1 entry is gone (section fault) */
	rt_check_ok(iopgt_unmap(&pt, 0x82000000u, SZ_1M), "unmap the rest of 0x82000000");
	check_unmapped("empty level-2 table freed", 0x82001000u, FS_TRANS_SECT);
	v = 0;
	CHECK((*v7s_desc(0x82000000u) & 3u) == 0, "level-1 entry cleared", *v7s_desc(0x82000000u), v);

	if (!neg_ttbcr)
		check_high_supersection();

	ps = rt_pool_stats();
	{
		struct iopgt_stats st;

		/* nothing leaked: the pool holds exactly the tables still in use */
		rt_check_ok(iopgt_get_stats(&pt, &st), "iopgt_get_stats");
		CHECK(ps.bytes_live == st.table_bytes, "pool bytes live == table bytes held",
		      ps.bytes_live, (uint32_t)st.table_bytes);
	}
	rt_printf("v7s leaves checked: 3 sections (rw, ro, priv), 2 supersections (one at PA "
		  "above 4 GiB), 2 64K large pages (rw, ro), 7 4K small pages (rw, ro, priv, "
		  "priv ro, xn, x, device), a section split by a partial unmap and compacted, "
		  "access flag\n");
	rt_printf("v7s: %u translations (ATS1C*), %u accesses, %u faults checked; "
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
