/* SPDX-License-Identifier: MIT */
/*
 * mtk_v7s.c - ARMv7 short-descriptor tables for a MediaTek-style IOMMU
 * (M4U) that reaches memory above 4 GiB.
 *
 * What you learn here:
 *   1. The v7s format: a 16 KiB level-1 table of 1M sections and 16M
 *      supersections, 1 KiB level-2 tables of 4K small and 64K large pages.
 *   2. IOPGT_QUIRK_MTK_EXT: PA bits 32..34 in descriptor bits 9, 4 and 5,
 *      so that sections and pages map buffers above 4 GiB (OAS 35); it
 *      needs IOPGT_QUIRK_NO_PERMS, as the M4U has no permission bits.
 *   3. The tables themselves must sit below 4 GiB (the descriptors hold
 *      32-bit table addresses): the allocator hands out walker addresses
 *      from a 32-bit window, whatever the CPU addresses are.
 * The program checks its own results and exits 1 on any mismatch.
 */
#include <inttypes.h>
#include <stdio.h>

#include <iopgt/iopgt.h>

#define POOL_BYTES (64u << 10)
#define POOL_PA 0x7f000000u   /* a 32-bit DMA window for the table memory */

static _Alignas(16384) unsigned char pool[POOL_BYTES];
static size_t used;

static void *m4u_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	size_t at = (used + align - 1) & ~(align - 1);

	(void)ctx;
	if (align > 16384 || at + size > POOL_BYTES)
		return NULL;
	used = at + size;
	*pa = POOL_PA + at;
	return pool + at;
}

static void m4u_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx; (void)va; (void)pa; (void)size;
}

static void *m4u_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return pa >= POOL_PA && pa - POOL_PA < used ? pool + (pa - POOL_PA) : NULL;
}

struct leaf_seen {
	uint64_t desc;
	unsigned level;
};

static int first_leaf(void *ctx, const struct iopgt_leaf *leaf)
{
	struct leaf_seen *s = ctx;

	s->desc = leaf->desc;
	s->level = leaf->level;
	return 1;
}

/* iova must translate to pa with a leaf of size; desc_bits must be set in it */
static unsigned check(const struct iopgt *pt, uint64_t iova, uint64_t pa, uint64_t size,
		      uint32_t desc_bits)
{
	struct iopgt_mapping m;
	struct leaf_seen s = { 0, 0 };

	if (iopgt_lookup(pt, iova, &m) || m.pa + (iova - m.iova) != pa || m.size != size ||
	    iopgt_walk(pt, iova, 1, first_leaf, &s) != 1 || (s.desc & desc_bits) != desc_bits) {
		printf("0x%" PRIx64 ": wrong translation or descriptor 0x%" PRIx64 "\n", iova, s.desc);
		return 1;
	}
	printf("0x%08" PRIx64 " -> 0x%09" PRIx64 " level %u descriptor 0x%08" PRIx64 "\n", iova,
	       pa, s.level, s.desc);
	return 0;
}

int main(void)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARMV7S,
		.ias = 32, .oas = 35,
		.quirks = IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS,
		.mem = { m4u_alloc, m4u_free, m4u_phys_to_virt, NULL },
		/* sync NULL: this M4U's walker is coherent */
	};
	const uint32_t rw = IOPGT_READ | IOPGT_WRITE;
	struct iopgt_regs r;
	struct iopgt pt;
	unsigned bad = 0;
	int err = iopgt_init(&pt, &cfg);

	if (!err) /* a 1M section at 5 GiB: PA[32] in bit 9 */
		err = iopgt_map(&pt, 0x10000000, 0x140000000ull, 1u << 20, rw | IOPGT_CACHE);
	if (!err) /* a 4K page at 9 GiB: PA[33] in bit 4 */
		err = iopgt_map(&pt, 0x10100000, 0x240001000ull, 4096, rw);
	if (!err) /* a 64K large page at 31 GiB: PA[32..34] in bits 9, 4, 5 */
		err = iopgt_map(&pt, 0x10110000, 0x7c0010000ull, 65536, rw);
	if (err) {
		printf("map: %s\n", iopgt_strerror(err));
		return 1;
	}
	bad += check(&pt, 0x10000000, 0x140000000ull, 1u << 20, 1u << 9);
	bad += check(&pt, 0x100ffffc, 0x1400ffffcull, 1u << 20, 1u << 9);
	bad += check(&pt, 0x10100010, 0x240001010ull, 4096, 1u << 4);
	bad += check(&pt, 0x1011fff0, 0x7c001fff0ull, 65536, (1u << 9) | (1u << 4) | (1u << 5));
	/* splitting the section keeps PA[32] in every page */
	if (iopgt_unmap(&pt, 0x10000000, 4096))
		bad++;
	bad += check(&pt, 0x10001000, 0x140001000ull, 4096, 1u << 9);
	/* PA bit 35 is beyond OAS 35 */
	if (iopgt_map(&pt, 0x20000000, 0x800000000ull, 4096, rw) != IOPGT_ERR_RANGE)
		bad++;
	iopgt_get_regs(&pt, &r);
	printf("TTBR0 0x%08" PRIx64 " (the M4U's base register: the address only)\n", r.ttbr);
	if (r.ttbr != POOL_PA)
		bad++;
	iopgt_fini(&pt);
	printf("%s\n", bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}
