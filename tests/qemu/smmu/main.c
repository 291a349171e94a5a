/* SPDX-License-Identifier: MIT */
/*
 * main.c - QEMU's edu PCI device DMAs through IOVAs that QEMU's SMMUv3
 * model translates by walking stage-1 tables built by iopgt.
 *
 * The tables live in two copies: the CPU's copy, which the library writes
 * (its struct iopgt_mem.phys_to_virt maps the walker's addresses to it),
 * and the walker's copy, which the SMMU reads. The sync backend copies
 * every dirty range it is given from the one to the other, so the SMMU
 * sees exactly the bytes the library reported, as a non-coherent walker
 * would see exactly the bytes that were cleaned to memory; after every
 * iopgt_map and iopgt_unmap the two copies must be equal.
 *
 * The checks: DMA reads and writes through pages, a 2M leaf and a 64K
 * leaf arrive at the physical addresses the mappings name (read back by
 * the CPU, with guard bytes); a write to a read-only page is F_PERMISSION
 * and an unmapped IOVA F_TRANSLATION, with edu's StreamID, the IOVA and
 * the direction in the event; after iopgt_unmap (whose TLB hooks send
 * SMMU invalidations) an IOVA the SMMU had cached faults, also a hole
 * punched into a 2M or 64K leaf, while its neighbours still translate.
 *
 * Built once per granule as the check and once per negative control
 * (NEG_*), each of which makes one deliberate mistake the checks must
 * catch.
 */
#include <iopgt/backends.h>
#include <iopgt/iopgt.h>

#include "guest.h"

#define ASID 1u
#define SZ_4K  0x1000ull
#define SZ_64K 0x10000ull
#define SZ_2M  0x200000ull

/*
 * The granule: 4K (the default) or 64K (GRAN_SHIFT=16). QEMU 7.2's SMMUv3
 * walks 4K and 64K granules. With 4K, B is a 2M block and C a 64K
 * contiguous run; with 64K, B is a 2M contiguous run and C one page.
 */
#ifndef GRAN_SHIFT
#define GRAN_SHIFT 12
#endif
#define GRAN (1ull << GRAN_SHIFT)
#if GRAN_SHIFT == 12
#define PGSIZES (SZ_4K | SZ_64K | SZ_2M)
#define GRAN_NAME "4K"
#elif GRAN_SHIFT == 16
#define PGSIZES (SZ_64K | SZ_2M)
#define GRAN_NAME "64K"
#else
#error "GRAN_SHIFT must be 12 or 16"
#endif

/* IOVAs and the physical addresses they map to (all 64K-aligned) */
#define IOVA_A  0x000010000000ull /* two pages, scattered */
#define PA_A0   (DATA_BASE + 0x30000)
#define PA_A1   (DATA_BASE + 0x110000)
#define PA_A2   (DATA_BASE + 0x1a0000) /* A's second page after a remap */
#define IOVA_B  0x000020000000ull /* 2M: a block (4K) or contiguous run (64K) */
#define PA_B    (DATA_BASE + 0x200000)
#define IOVA_C  0x000030000000ull /* 64K: a contiguous run (4K) or a page */
#define PA_C    (DATA_BASE + 0x410000)
#define IOVA_D  0x000040000000ull /* one read-only page */
#define PA_D    (DATA_BASE + 0x500000)
#define IOVA_E  0x000050000000ull /* never mapped */
#define IOVA_F  ((1ull << 48) - GRAN) /* the last page of the input range */
#define PA_F    (DATA_BASE + 0x600000)
/* what the CPU expects to find, copied there before a DMA */
#define SCRATCH (DATA_BASE + 0x000000) /* 4K */
#define SAVED_D (DATA_BASE + 0x010000) /* a copy of D, one page */

/* edu transfers must end below the end of its 4 KiB buffer (QEMU 7.2's
 * range check is exclusive of the last byte): at most 4095 bytes */
#define XFER 0xf80ull

#define RW   (IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE)
#define RO   (IOPGT_READ | IOPGT_CACHE)

/*
 * The negative controls, one per build (at most one NEG_* defined):
 *   NEG_BAD_OA     the 2M block's output address is patched after iopgt_map
 *   NEG_T0SZ       the CD's T0SZ is 25 instead of the register's 16
 *   NEG_TG0        the CD's TG0 says 64K instead of the register's 4K
 *   NEG_NO_TLBI    the TLB hooks send no invalidation
 *   NEG_DROP_SYNC  the ranges of one iopgt_map never reach the walker
 *   NEG_RO_WRITABLE the "read-only" page is mapped writable
 */
#if defined(NEG_BAD_OA)
#define NEG_NAME " (negative control: wrong output address)"
#elif defined(NEG_T0SZ)
#define NEG_NAME " (negative control: wrong CD.T0SZ)"
#elif defined(NEG_TG0)
#define NEG_NAME " (negative control: wrong CD.TG0)"
#elif defined(NEG_NO_TLBI)
#define NEG_NAME " (negative control: no TLB invalidation)"
#elif defined(NEG_DROP_SYNC)
#define NEG_NAME " (negative control: dirty ranges dropped)"
#elif defined(NEG_RO_WRITABLE)
#define NEG_NAME " (negative control: read-only page writable)"
#else
#define NEG_NAME ""
#endif
#ifdef NEG_T0SZ
#define NEG_CD_XOR (16ull ^ 25ull) /* CD.T0SZ [5:0] */
#elif defined(NEG_TG0)
#define NEG_CD_XOR (1ull << 6)     /* CD.TG0 [7:6]: 0b00 4K -> 0b01 64K */
#else
#define NEG_CD_XOR 0ull
#endif
#ifdef NEG_DROP_SYNC
#define NEG_DROP 1
#else
#define NEG_DROP 0
#endif
#ifdef NEG_RO_WRITABLE
#define NEG_RO_PROT RW
#else
#define NEG_RO_PROT RO
#endif

/* ------------------------------------------------------------------ */
/* table memory: a bump allocator over two copies                      */
/* ------------------------------------------------------------------ */

#define POOL_SIZE (1024u * 1024u) /* 64K-granule tables are 64 KiB */
static uint8_t pool_cpu[POOL_SIZE] __attribute__((aligned(65536)));
static uint8_t pool_walk[POOL_SIZE] __attribute__((aligned(65536)));
static size_t pool_used;
static uint64_t n_alloc, n_free;
/* garbage that reads as valid descriptors (bits [1:0] = 0b01: a block at
 * levels 1 and 2), so that table memory the library never reported would
 * send the walker astray */
#define POISON 0xa5

static uint64_t walk_pa(const void *cpu)
{
	return (uint64_t)(uintptr_t)pool_walk + (uint64_t)((const uint8_t *)cpu - pool_cpu);
}

static void *tbl_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	size_t off = (pool_used + align - 1) & ~(align - 1);

	(void)ctx;
	if (off + size > POOL_SIZE)
		return NULL;
	pool_used = off + size;
	memset(pool_cpu + off, POISON, size);
	memset(pool_walk + off, POISON, size);
	*pa = walk_pa(pool_cpu + off);
	n_alloc++;
	return pool_cpu + off;
}

/* never reused; both copies poisoned, so a walk through a freed table fails */
static void tbl_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx;
	memset(va, POISON, size);
	memset((void *)(uintptr_t)pa, POISON, size);
	n_free++;
}

static void *tbl_phys_to_virt(void *ctx, uint64_t pa)
{
	uint64_t base = (uint64_t)(uintptr_t)pool_walk;

	(void)ctx;
	if (pa < base || pa >= base + POOL_SIZE)
		return NULL;
	return pool_cpu + (pa - base);
}

/* ------------------------------------------------------------------ */
/* sync: the recorder, passing on to the copy into the walker's view    */
/* ------------------------------------------------------------------ */

static bool drop_sync; /* NEG_DROP_SYNC only */

static void walker_copy(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)ctx;
	if (drop_sync)
		return;
	for (size_t i = 0; i < n; i++)
		memcpy((void *)(uintptr_t)r[i].pa, r[i].va, r[i].len);
	dsb_sy();
}

static struct iopgt_recorder rec;

/* ------------------------------------------------------------------ */
/* TLB hooks: SMMU commands                                            */
/* ------------------------------------------------------------------ */

static uint64_t n_tlb;
static unsigned n_fail;

static void tlb_fail(bool ok)
{
	if (!ok) {
		con_puts("FAIL: TLB invalidation command\n");
		n_fail++;
	}
}

#ifdef NEG_NO_TLBI
#define SEND_TLBI 0 /* negative control: TLB hooks send nothing */
#else
#define SEND_TLBI 1
#endif

static void tlb_all(void *ctx)
{
	(void)ctx;
	n_tlb++;
	con_puts("tlb: all\n");
	if (SEND_TLBI)
		tlb_fail(smmu_tlbi_asid(ASID));
}

static void tlb_walk(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	n_tlb++;
	con_printf("tlb: walk %x size %x granule %x\n", iova, size, (uint64_t)granule);
	if (SEND_TLBI)
		tlb_fail(smmu_tlbi_va(ASID, iova, size, granule, false));
}

static void tlb_leaf(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	n_tlb++;
	con_printf("tlb: leaf %x size %x granule %x\n", iova, size, (uint64_t)granule);
	if (SEND_TLBI)
		tlb_fail(smmu_tlbi_va(ASID, iova, size, granule, true));
}

/* ------------------------------------------------------------------ */
/* checks                                                              */
/* ------------------------------------------------------------------ */

static struct iopgt pt;
static struct edu edu;
static uint64_t n_dma, n_events;

static bool check(bool ok, const char *what)
{
	if (!ok) {
		con_printf("FAIL: %s\n", what);
		n_fail++;
	}
	return ok;
}

static uint8_t *pa_ptr(uint64_t pa)
{
	return (uint8_t *)(uintptr_t)pa;
}

static void fill(uint64_t pa, size_t len, uint32_t seed)
{
	uint8_t *p = pa_ptr(pa);
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static bool same(uint64_t pa_a, uint64_t pa_b, size_t len)
{
	return memcmp(pa_ptr(pa_a), pa_ptr(pa_b), len) == 0;
}

static bool all(uint64_t pa, size_t len, uint8_t v)
{
	const uint8_t *p = pa_ptr(pa);

	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* a transfer that must succeed and raise no event */
static bool dma_ok(uint64_t src, uint64_t dst, uint64_t len, bool to_ram, const char *what)
{
	struct smmu_event ev[4];
	size_t n;
	bool ok = edu_dma(&edu, src, dst, len, to_ram);

	n_dma++;
	n = smmu_events(ev, 4);
	if (n) {
		con_printf("FAIL: %s: %d unexpected events, first type %x addr %x\n", what,
			   (uint64_t)n, (uint64_t)ev[0].type, ev[0].addr);
		n_fail++;
		return false;
	}
	return check(ok, what);
}

/* device buffer -> RAM at @iova, which must land at @pa: 64 guard bytes
 * either side stay as they were */
static void dma_out_check(unsigned dev_off, uint64_t iova, uint64_t pa, uint64_t len,
			  uint64_t expect_pa, const char *what)
{
	memset(pa_ptr(pa - 64), 0xee, len + 128);
	if (!dma_ok(EDU_BUF + dev_off, iova, len, true, what))
		return;
	check(same(pa, expect_pa, len), what);
	check(all(pa - 64, 64, 0xee) && all(pa + len, 64, 0xee), "guard bytes around a DMA");
}

/* a transfer that must fault: every event of @type, from edu's StreamID,
 * for an address in [iova, iova + len), with the access direction */
static void dma_fault(uint64_t src, uint64_t dst, uint64_t len, bool to_ram, uint8_t type,
		      const char *what)
{
	struct smmu_event ev[32];
	uint64_t iova = to_ram ? dst : src;
	size_t n;
	bool ok = edu_dma(&edu, src, dst, len, to_ram);

	n_dma++;
	n = smmu_events(ev, 32);
	if (!check(ok, what))
		return;
	if (n == 0) {
		con_printf("FAIL: %s: no event\n", what);
		n_fail++;
		return;
	}
	for (size_t i = 0; i < n && i < 32; i++) {
		bool good = ev[i].type == type && ev[i].sid == edu.sid &&
			    ev[i].addr >= iova && ev[i].addr < iova + len &&
			    ev[i].rnw == !to_ram;

		if (!good) {
			con_printf("FAIL: %s: event %d: type %x SID %x addr %x RnW %d\n", what,
				   (uint64_t)i, (uint64_t)ev[i].type, (uint64_t)ev[i].sid,
				   ev[i].addr, (uint64_t)ev[i].rnw);
			n_fail++;
			return;
		}
	}
	n_events += n;
}

static bool lookup_is(uint64_t iova, uint64_t pa, uint64_t size)
{
	struct iopgt_mapping m;

	return iopgt_lookup(&pt, iova, &m) == IOPGT_OK && m.size == size &&
	       m.pa + (iova - m.iova) == pa;
}

/* when a call returns, the walker's copy equals the CPU's: every byte the
 * library changed reached sync.fn (the dirty-range contract's first rule) */
static void views_agree(const char *call, uint64_t iova)
{
	for (size_t i = 0; i < pool_used; i++) {
		if (pool_cpu[i] != pool_walk[i]) {
			con_printf("FAIL: after %s %x, table byte at %x never reached the walker\n",
				   call, iova, walk_pa(pool_cpu + i));
			n_fail++;
			return;
		}
	}
}

static void map(uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	int err = iopgt_map(&pt, iova, pa, size, prot);

	if (err) {
		con_printf("FAIL: iopgt_map %x -> %x: %s\n", iova, pa, iopgt_strerror(err));
		n_fail++;
	}
	views_agree("iopgt_map", iova);
}

static void unmap(uint64_t iova, uint64_t size)
{
	int err = iopgt_unmap(&pt, iova, size);

	if (err) {
		con_printf("FAIL: iopgt_unmap %x: %s\n", iova, iopgt_strerror(err));
		n_fail++;
	}
	views_agree("iopgt_unmap", iova);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	con_printf("  %s\n", line);
}

#ifdef NEG_BAD_OA
/* the CPU copy's descriptor for @iova (4K granule, 4 levels) */
static uint64_t *desc_of(uint64_t iova)
{
	struct iopgt_regs regs;
	uint64_t *t;

	iopgt_get_regs(&pt, &regs);
	t = tbl_phys_to_virt(NULL, regs.ttbr & 0x0000fffffffff000ull);
	for (unsigned lvl = 0; lvl < 4; lvl++) {
		uint64_t *d = &t[(iova >> (39 - 9 * lvl)) & 0x1ff];

		if (lvl == 3 || (*d & 3) != 3)
			return d;
		t = tbl_phys_to_virt(NULL, *d & 0x0000fffffffff000ull);
	}
	return NULL;
}
#endif

static void run(void)
{
	/* ---- tables: scattered pages, 2M and 64K leaves, read-only, the top */
	map(IOVA_A, PA_A0, GRAN, RW);
	map(IOVA_A + GRAN, PA_A1, GRAN, RW);
	map(IOVA_B, PA_B, SZ_2M, RW);
	if (NEG_DROP) drop_sync = true;
	map(IOVA_C, PA_C, SZ_64K, RW);
	drop_sync = false;
	map(IOVA_D, PA_D, GRAN, NEG_RO_PROT);
	map(IOVA_F, PA_F, GRAN, RW);
	con_puts("leaves:\n");
	iopgt_dump(&pt, print_line, NULL);
	check(lookup_is(IOVA_B + 0x1234, PA_B + 0x1234, SZ_2M), "a 2M leaf for B");
	check(lookup_is(IOVA_C + 0x5000, PA_C + 0x5000, SZ_64K), "a 64K leaf for C");
	check(lookup_is(IOVA_F, PA_F, GRAN), "a page at the top of the input range");
#ifdef NEG_BAD_OA
	{
		/* a wrong output address in the block descriptor: PA_B + 2M */
		uint64_t *d = desc_of(IOVA_B);

		*d ^= SZ_2M;
		memcpy((void *)(uintptr_t)walk_pa(d), d, 8);
		dsb_sy();
		con_printf("negative control: B's descriptor now %x\n", *d);
	}
#endif

	/* ---- reads across two scattered pages, writes into B */
	fill(PA_A0, GRAN, 1);
	fill(PA_A1, GRAN, 2);
	memcpy(pa_ptr(SCRATCH), pa_ptr(PA_A0 + GRAN - 0x800), 0x800);
	memcpy(pa_ptr(SCRATCH + 0x800), pa_ptr(PA_A1), XFER - 0x800);
	dma_ok(IOVA_A + GRAN - 0x800, EDU_BUF, XFER, false,
	       "DMA from RAM across two scattered pages");
	dma_out_check(0, IOVA_B + 0x123400, PA_B + 0x123400, XFER, SCRATCH,
		      "DMA into a 2M leaf lands at its output address");

	/* ---- writes across a 4K boundary inside C */
	dma_out_check(0, IOVA_C + 0x7800, PA_C + 0x7800, XFER, SCRATCH,
		      "DMA into a 64K leaf lands at its output address");

	/* ---- a read-only page can be read; the last page of the range written */
	fill(PA_D, GRAN, 3);
	dma_ok(IOVA_D + 0x100, EDU_BUF + 0x100, 0xe00, false, "DMA from a read-only page");
	dma_out_check(0x100, IOVA_F + 0x80, PA_F + 0x80, 0xe00, PA_D + 0x100,
		      "DMA into the last page of the input range");

	/* ---- faults: write to read-only, read and write of unmapped IOVAs */
	memcpy(pa_ptr(SAVED_D), pa_ptr(PA_D), GRAN);
	dma_fault(EDU_BUF, IOVA_D + 0x40, 16, true, EVT_F_PERMISSION,
		  "DMA into a read-only page gives F_PERMISSION");
	check(same(PA_D, SAVED_D, GRAN), "a read-only page stays unchanged");
	dma_fault(IOVA_E + 0x20, EDU_BUF, 16, false, EVT_F_TRANSLATION,
		  "DMA from an unmapped IOVA gives F_TRANSLATION");
	dma_fault(EDU_BUF, IOVA_E + 0x20, 16, true, EVT_F_TRANSLATION,
		  "DMA into an unmapped IOVA gives F_TRANSLATION");

	/* ---- unmap one page (cached by the SMMU's TLB first), then remap */
	fill(PA_B + 0x32000, XFER, 4);
	dma_ok(IOVA_B + 0x32000, EDU_BUF, XFER, false, "DMA from a 2M block");
	dma_out_check(0, IOVA_A + GRAN + 0x200, PA_A1 + 0x200, 0x100, PA_B + 0x32000,
		      "DMA into a page before it is unmapped");
	unmap(IOVA_A + GRAN, GRAN);
	memset(pa_ptr(PA_A1), 0x5c, GRAN);
	dma_fault(EDU_BUF, IOVA_A + GRAN + 0x200, 16, true, EVT_F_TRANSLATION,
		  "DMA into an unmapped page (after TLB invalidation) gives F_TRANSLATION");
	check(all(PA_A1, GRAN, 0x5c), "an unmapped page's memory stays unchanged");
	dma_out_check(0, IOVA_A + 0x10, PA_A0 + 0x10, 0x100, PA_B + 0x32000,
		      "DMA into the page next to an unmapped one");
	map(IOVA_A + GRAN, PA_A2, GRAN, RW);
	dma_out_check(0, IOVA_A + GRAN + 0x200, PA_A2 + 0x200, 0x100, PA_B + 0x32000,
		      "DMA into a remapped page lands at its new output address");
	check(all(PA_A1, GRAN, 0x5c), "the old page stays unchanged after a remap");

	/* ---- split B: a one-page hole in its middle */
	unmap(IOVA_B + 0x100000, GRAN);
	check(lookup_is(IOVA_B + 0x100000 - GRAN, PA_B + 0x100000 - GRAN, GRAN),
	      "the split 2M leaf is pages");
	dma_fault(EDU_BUF, IOVA_B + 0x100000, 16, true, EVT_F_TRANSLATION,
		  "DMA into a hole punched in a 2M leaf gives F_TRANSLATION");
	dma_out_check(0, IOVA_B + 0xff800, PA_B + 0xff800, 0x800, PA_B + 0x32000,
		      "DMA next to the hole lands at the 2M leaf's output address");
	dma_out_check(0, IOVA_B + 0x100000 + GRAN, PA_B + 0x100000 + GRAN, 0x100,
		      PA_B + 0x32000, "DMA past the hole lands at the 2M leaf's output address");

#if GRAN_SHIFT == 12
	/* ---- split the 64K contiguous run: a 4K hole in its middle (both
	 * pages around 0x8000 are in the SMMU's TLB from the DMA above) */
	unmap(IOVA_C + 0x8000, SZ_4K);
	check(lookup_is(IOVA_C + 0x7000, PA_C + 0x7000, SZ_4K), "the split run is pages");
	dma_fault(EDU_BUF, IOVA_C + 0x8000, 16, true, EVT_F_TRANSLATION,
		  "DMA into a hole punched in a 64K run gives F_TRANSLATION");
	dma_out_check(0, IOVA_C + 0x7800, PA_C + 0x7800, 0x800, PA_B + 0x32000,
		      "DMA next to the hole lands at the run's output address");
	dma_out_check(0, IOVA_C + 0x9000, PA_C + 0x9000, 0x800, PA_B + 0x32000,
		      "DMA past the hole lands at the run's output address");
#endif

	/* ---- unmap the rest of the run, then everything */
	unmap(IOVA_C, SZ_64K);
	dma_fault(EDU_BUF, IOVA_C + 0x7800, 16, true, EVT_F_TRANSLATION,
		  "DMA into an unmapped 64K run gives F_TRANSLATION");
	unmap(0, 1ull << 48);
	dma_fault(EDU_BUF, IOVA_F + 0x80, 16, true, EVT_F_TRANSLATION,
		  "DMA after unmapping everything gives F_TRANSLATION");
	{
		struct iopgt_stats st;

		check(iopgt_get_stats(&pt, &st) == IOPGT_OK && st.tables == 1,
		      "unmapping everything frees every table but the root");
	}
}

int main(void)
{
	static struct iopgt_range rec_ranges[64];
	static struct iopgt_rec_call rec_calls[16];
	struct iopgt_sync copy = { .fn = walker_copy, .ctx = NULL };
	uint64_t ecam = VIRT_HIGH_ECAM_BASE, ecam_size = VIRT_HIGH_ECAM_SIZE;
	uint64_t smmu_base, smmu_size;
	const void *dtb = (const void *)(uintptr_t)VIRT_DTB_BASE;
	struct iopgt_regs regs;
	struct smmu_cd_regs cdr;
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM64_S1,
		.ias = 48,
		.oas = 44, /* QEMU's SMMU_IDR5.OAS */
		.pgsizes = PGSIZES,
		.mem = { tbl_alloc, tbl_free, tbl_phys_to_virt, NULL },
		.tlb = { tlb_all, tlb_walk, tlb_leaf, NULL },
	};
	int err;

	con_printf("iopgt SMMUv3 check, %s granule%s\n", GRAN_NAME, NEG_NAME);
	if (!fdt_find_reg(dtb, "pci-host-ecam-generic", &ecam, &ecam_size))
		con_puts("note: no ECAM node in the DTB, using the virt default\n");
	if (!fdt_find_reg(dtb, "arm,smmu-v3", &smmu_base, &smmu_size)) {
		con_puts("FAIL: no arm,smmu-v3 node in the DTB (virt without iommu=smmuv3?)\n");
		return EXIT_SETUP;
	}
	con_printf("ECAM %x size %x, SMMUv3 %x\n", ecam, ecam_size, smmu_base);

	if (!edu_find(ecam, ecam_size, VIRT_PCI_MMIO32_BASE, &edu) ||
	    !smmu_init(smmu_base, edu.sid))
		return EXIT_SETUP;

	iopgt_recorder_init(&rec, rec_ranges, 64, rec_calls, 16, &copy);
	cfg.sync = iopgt_recorder_sync(&rec);
	err = iopgt_init(&pt, &cfg);
	if (err) {
		con_printf("FAIL: iopgt_init: %s\n", iopgt_strerror(err));
		return EXIT_SETUP;
	}
	iopgt_get_regs(&pt, &regs);
	cdr.ttbr = regs.ttbr;
	cdr.tcr = regs.tcr;
	cdr.mair = regs.mair;
	cdr.asid = ASID;
	if (!smmu_attach(edu.sid, &cdr, NEG_CD_XOR))
		return EXIT_SETUP;

	run();

	check(smmu_gerror() == 0, "no global SMMU error");
	iopgt_fini(&pt);
	con_printf("smmu: %d DMAs checked, %d fault events checked; %d sync calls (%d bytes),"
		   " %d TLB hooks, %d SMMU commands, %d tables allocated, %d freed\n",
		   n_dma, n_events, rec.total_calls, rec.total_bytes, n_tlb, smmu_commands(),
		   n_alloc, n_free);
	con_printf("smmu: %s (%d failed checks)\n", n_fail ? "FAILED" : "passed",
		   (uint64_t)n_fail);
	return n_fail ? 1 : 0;
}
