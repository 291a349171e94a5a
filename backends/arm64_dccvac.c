/* SPDX-License-Identifier: MIT */
/*
 * backends/arm64_dccvac.c - the arm64 DC CVAC backend, for firmware and
 * hypervisors: one DC CVAC per cache line the dirty ranges of a sync.fn call
 * touch, then one DSB SY. Built only for AArch64 targets.
 *
 * References are to the Arm Architecture Reference Manual for A-profile
 * architecture (DDI 0487):
 *   - "CTR_EL0, Cache Type Register": DminLine, bits [19:16], is log2 of the
 *     number of 4-byte words in the smallest data or unified cache line of
 *     the caches the PE controls.
 *   - "DC CVAC, Data or unified Cache line Clean by VA to PoC": cleans the
 *     line holding the address (any address in the line will do).
 *   - "Ordering and completion of data and instruction cache instructions":
 *     a DC by VA is ordered after earlier loads and stores to the same line
 *     of minimum size (so no barrier is needed between the table stores and
 *     the cleans); cleans complete only at a later DSB, and only for the
 *     observers of the DSB's shareability domain.
 *   - "Data Synchronization Barrier (DSB)": with SY the domain is the full
 *     system, which is where a non-coherent walker (a DMA master outside the
 *     CPUs' Inner Shareable domain) observes memory.
 */
#include "lines.h"

#if !IOPGT_HAVE_DCCVAC && !defined(IOPGT_BACKEND_TEST_HOOKS)
#error "backends/arm64_dccvac.c is for AArch64 targets only"
#endif

#ifdef IOPGT_BACKEND_TEST_HOOKS
#define read_ctr_el0() iopgt_test_hook_read_ctr()
#define dc_cvac(line) iopgt_test_hook_clean(line)
#define dsb_sy() iopgt_test_hook_dsb()
#else
static inline uint64_t read_ctr_el0(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(v));
	return v;
}

static inline void dc_cvac(uintptr_t line)
{
	/* "memory": the table stores before must not move past the clean */
	__asm__ volatile("dc cvac, %0" : : "r"(line) : "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}
#endif

#define CTR_DMINLINE_SHIFT 16
#define CTR_DMINLINE_MASK 0xfu

static void clean_line(void *ctx, uintptr_t line)
{
	(void)ctx;
	dc_cvac(line);
}

IOPGT_API unsigned iopgt_dccvac_line_shift(void)
{
	uint64_t ctr = read_ctr_el0();

	return (unsigned)((ctr >> CTR_DMINLINE_SHIFT) & CTR_DMINLINE_MASK) + 2;
}

IOPGT_API int iopgt_dccvac_init(struct iopgt_dccvac *c, unsigned line_shift)
{
	if (!c)
		return IOPGT_ERR_INVAL;
	if (line_shift == 0)
		line_shift = iopgt_dccvac_line_shift();
	if (line_shift < LINES_MIN_SHIFT || line_shift > LINES_MAX_SHIFT) {
		c->line_shift = 0;
		return IOPGT_ERR_INVAL;
	}
	c->line_shift = line_shift;
	return IOPGT_OK;
}

IOPGT_API struct iopgt_sync iopgt_dccvac_sync(struct iopgt_dccvac *c)
{
	struct iopgt_sync s;

	s.fn = iopgt_dccvac_sync_ranges;
	s.ctx = c;
	return s;
}

IOPGT_API void iopgt_dccvac_sync_ranges(void *ctx, const struct iopgt_range *ranges,
					size_t n)
{
	const struct iopgt_dccvac *c = ctx;
	unsigned shift = lines_usable_shift(c->line_shift);

	/* one DSB for the whole call, after the last clean */
	if (lines_walk(ranges, n, shift, clean_line, NULL))
		dsb_sy();
}
