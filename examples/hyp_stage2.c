/* SPDX-License-Identifier: MIT */
/*
 * hyp_stage2.c - a hypervisor's stage-2 tables for one guest, with a
 * concatenated root table.
 *
 * What you learn here:
 *   1. Stage 2 with a 40-bit IPA space and the 4K granule: instead of a
 *      fourth level, the walk starts at level 1 with two concatenated root
 *      tables (8 KiB, 1024 entries, aligned to 8 KiB); VTCR_EL2.SL0 says so.
 *   2. Table memory the hypervisor owns at its own physical addresses: the
 *      allocator returns a walker address (pa) that is not the CPU address,
 *      and mem.phys_to_virt maps it back.
 *   3. Guest RAM with 1G/2M blocks, an emulated device left unmapped (its
 *      accesses fault to the hypervisor), a passed-through device as
 *      Device memory, and the VTTBR_EL2/VTCR_EL2 values.
 * The program checks its own results and exits 1 on any mismatch.
 */
#include <inttypes.h>
#include <stdio.h>

#include <iopgt/iopgt.h>

#define POOL_BYTES (64u << 10)
#define POOL_PA 0x880000000ull  /* where the hypervisor's table pool sits */

static _Alignas(8192) unsigned char pool[POOL_BYTES];
static size_t used;

static void *s2_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	size_t at = (used + align - 1) & ~(align - 1);

	(void)ctx;
	if (align > 8192 || at + size > POOL_BYTES)
		return NULL;
	used = at + size;
	*pa = POOL_PA + at;
	return pool + at;
}

static void s2_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx; (void)va; (void)pa; (void)size; /* a bump pool frees at teardown */
}

static void *s2_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < POOL_PA || pa - POOL_PA >= used)
		return NULL; /* not table memory: the library reports corruption */
	return pool + (pa - POOL_PA);
}

static void no_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)ctx; (void)r; (void)n; /* the real hypervisor cleans these ranges */
}

int main(void)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM64_S2,
		.ias = 40, .oas = 40,
		.pgsizes = (1u << 12) | (1u << 21) | (1u << 30),
		.mem = { s2_alloc, s2_free, s2_phys_to_virt, NULL },
		.sync = { no_sync, NULL },
	};
	const uint32_t ram = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;
	const uint32_t dev = IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO | IOPGT_NOEXEC;
	struct iopgt pt;
	struct iopgt_stats st;
	struct iopgt_regs r;
	struct iopgt_mapping m;
	unsigned bad = 0;
	int err = iopgt_init(&pt, &cfg);

	/* guest RAM: IPA 0x40000000 (3 GiB) at PA 0x900000000 */
	if (!err)
		err = iopgt_map(&pt, 0x40000000, 0x900000000ull, 3ull << 30, ram);
	/* a passed-through device: IPA 0x0a000000 at PA 0x1c0a0000 */
	if (!err)
		err = iopgt_map(&pt, 0x0a000000, 0x1c0a0000, 0x10000, dev);
	/* RAM high in the IPA space: only a concatenated root reaches it at level 1 */
	if (!err)
		err = iopgt_map(&pt, 0xff00000000ull, 0xa00000000ull, 2u << 20, ram);
	if (err) {
		printf("stage 2: %s\n", iopgt_strerror(err));
		return 1;
	}
	iopgt_get_stats(&pt, &st);
	iopgt_get_regs(&pt, &r);
	printf("start level %d, %u root entries (%u concatenated tables)\n", st.start_level,
	       st.root_entries, st.root_entries / 512);
	printf("VTTBR_EL2 0x%016" PRIx64 "\nVTCR_EL2  0x%016" PRIx64 "\n", r.vttbr, r.vtcr);

	/* the root is two 4K tables: start level 1, SL0 = 1, T0SZ = 24 */
	if (st.start_level != 1 || st.root_entries != 1024 || r.vttbr != POOL_PA ||
	    ((r.vtcr >> 6) & 3) != 1 || (r.vtcr & 0x3f) != 24)
		bad++;
	if (iopgt_lookup(&pt, 0x80001234, &m) || m.size != 1u << 30 ||
	    m.pa + (0x80001234 - m.iova) != 0x940001234ull)
		bad++;
	if (iopgt_lookup(&pt, 0x0a00fffc, &m) || m.pa + (0x0a00fffc - m.iova) != 0x1c0afffc ||
	    m.prot != dev)
		bad++;
	if (iopgt_lookup(&pt, 0xff001fff00ull, &m) || m.size != 2u << 20 ||
	    m.pa + (0xff001fff00ull - m.iova) != 0xa001fff00ull)
		bad++;
	/* the emulated UART at IPA 0x09000000 stays unmapped: stage-2 fault */
	if (iopgt_lookup(&pt, 0x09000000, &m) != IOPGT_ERR_NOENT)
		bad++;
	/* beyond the 40-bit IPA space */
	if (iopgt_map(&pt, 1ull << 40, 0, 4096, ram) != IOPGT_ERR_RANGE)
		bad++;
	iopgt_fini(&pt);
	printf("%s\n", bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}
