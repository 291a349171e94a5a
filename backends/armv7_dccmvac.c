/* SPDX-License-Identifier: MIT */
/*
 * backends/armv7_dccmvac.c - the ARMv7 DCCMVAC backend, for privileged
 * AArch32 code (PL1 or PL2): one DCCMVAC per cache line the dirty ranges of
 * a sync.fn call touch, then one DSB SY. Built only for 32-bit ARM targets
 * (ARMv7-A or later).
 *
 * References are to the ARM Architecture Reference Manual, ARMv7-A and
 * ARMv7-R edition (DDI 0406C):
 *   - "CTR, Cache Type Register" (CP15 c0, opc1 0, CRm c0, opc2 1): in the
 *     ARMv7 format (bits [31:29] = 0b100) DminLine, bits [19:16], is log2
 *     of the number of words in the smallest data cache line.
 *   - "Cache and branch predictor maintenance operations, VMSA": DCCMVAC
 *     (CP15 c7, opc1 0, CRm c10, opc2 1) cleans the data cache line holding
 *     the MVA to the Point of Coherency.
 *   - "Ordering of cache and branch predictor maintenance operations": a
 *     clean by MVA is ordered after earlier stores to the same line; the
 *     operations complete at a later DSB.
 *   - "Data Synchronization Barrier (DSB)": with SY, for every observer in
 *     the system, which a non-coherent walker is.
 */
#include "lines.h"

#if !IOPGT_HAVE_DCCMVAC && !defined(IOPGT_BACKEND_TEST_HOOKS)
#error "backends/armv7_dccmvac.c is for 32-bit ARM targets only"
#endif

#ifdef IOPGT_BACKEND_TEST_HOOKS
#define read_ctr() ((uint32_t)iopgt_test_hook_read_ctr())
#define dccmvac(line) iopgt_test_hook_clean(line)
#define dsb_sy() iopgt_test_hook_dsb()
#else
static inline uint32_t read_ctr(void)
{
	uint32_t v;

	__asm__ volatile("mrc p15, 0, %0, c0, c0, 1" : "=r"(v));
	return v;
}

static inline void dccmvac(uintptr_t line)
{
	/* "memory": the table stores before must not move past the clean */
	__asm__ volatile("mcr p15, 0, %0, c7, c10, 1" : : "r"(line) : "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}
#endif

#define CTR_FORMAT_SHIFT 29
#define CTR_FORMAT_ARMV7 0x4u
#define CTR_DMINLINE_SHIFT 16
#define CTR_DMINLINE_MASK 0xfu

static void clean_line(void *ctx, uintptr_t line)
{
	(void)ctx;
	dccmvac(line);
}

IOPGT_API unsigned iopgt_dccmvac_line_shift(void)
{
	uint32_t ctr = read_ctr();

	if ((ctr >> CTR_FORMAT_SHIFT) != CTR_FORMAT_ARMV7)
		return 0;
	return (unsigned)((ctr >> CTR_DMINLINE_SHIFT) & CTR_DMINLINE_MASK) + 2;
}

IOPGT_API int iopgt_dccmvac_init(struct iopgt_dccmvac *c, unsigned line_shift)
{
	if (!c)
		return IOPGT_ERR_INVAL;
	c->line_shift = 0;
	if (line_shift == 0) {
		line_shift = iopgt_dccmvac_line_shift();
		if (line_shift == 0)
			return IOPGT_ERR_NOTSUP;
	}
	if (line_shift < LINES_MIN_SHIFT || line_shift > LINES_MAX_SHIFT)
		return IOPGT_ERR_INVAL;
	c->line_shift = line_shift;
	return IOPGT_OK;
}

IOPGT_API struct iopgt_sync iopgt_dccmvac_sync(struct iopgt_dccmvac *c)
{
	struct iopgt_sync s;

	s.fn = iopgt_dccmvac_sync_ranges;
	s.ctx = c;
	return s;
}

IOPGT_API void iopgt_dccmvac_sync_ranges(void *ctx, const struct iopgt_range *ranges,
					 size_t n)
{
	const struct iopgt_dccmvac *c = ctx;
	unsigned shift = lines_usable_shift(c->line_shift);

	/* one DSB for the whole call, after the last clean */
	if (lines_walk(ranges, n, shift, clean_line, NULL))
		dsb_sy();
}
