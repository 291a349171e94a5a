/* SPDX-License-Identifier: MIT */
/*
 * backends/x86_clflushopt.c - a host stand-in for DC CVAC on x86-64: one
 * CLFLUSHOPT per cache line the dirty ranges of a sync.fn call touch, then
 * one SFENCE. Built only for x86-64 targets.
 *
 * x86 DMA is cache-coherent, so no x86 walker needs this backend. It is
 * there to measure on a workstation what a non-coherent walker costs: the
 * line write-backs and the one barrier per call, as the arm64 backend
 * issues DC CVAC per line and one DSB SY per call.
 *
 * References are to the Intel 64 and IA-32 Architectures Software
 * Developer's Manual: CLFLUSHOPT ("Flush Cache Line Optimized") writes a
 * modified line back and invalidates it; it is ordered with older stores to
 * the same line but not with other CLFLUSHOPTs, and SFENCE orders every
 * CLFLUSHOPT before it with later stores. CPUID.(EAX=07H,ECX=0):EBX bit 23
 * says the instruction exists; CPUID.01H:EBX bits [15:8] give the line size
 * it flushes, in units of 8 bytes.
 */
#include <cpuid.h>

#include "lines.h"

#if !IOPGT_HAVE_CLFLUSHOPT
#error "backends/x86_clflushopt.c is for x86-64 targets only"
#endif

#ifdef IOPGT_BACKEND_TEST_HOOKS
#define clflushopt(line) iopgt_test_hook_clean(line)
#define sfence() iopgt_test_hook_dsb()
#else
static inline void clflushopt(uintptr_t line)
{
	/* "memory": the table stores before must not move past the flush */
	__asm__ volatile("clflushopt %0" : "+m"(*(volatile char *)line) : : "memory");
}

static inline void sfence(void)
{
	__asm__ volatile("sfence" : : : "memory");
}
#endif

static void flush_line(void *ctx, uintptr_t line)
{
	(void)ctx;
	clflushopt(line);
}

IOPGT_API int iopgt_clflushopt_init(struct iopgt_clflushopt *c)
{
	unsigned a, b, cx, d, shift;

	if (!c)
		return IOPGT_ERR_INVAL;
	c->line_shift = 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &cx, &d) || !(b & (1u << 23)))
		return IOPGT_ERR_NOTSUP;
	if (!__get_cpuid(1, &a, &b, &cx, &d))
		return IOPGT_ERR_NOTSUP;
	/* line size = 8 * EBX[15:8] bytes; the smallest power of two at or
	 * below it, so that no line is skipped */
	b = (b >> 8) & 0xffu;
	for (shift = 3; (2u << shift) <= 8u * b; shift++)
		;
	if (!b || shift < LINES_MIN_SHIFT || shift > LINES_MAX_SHIFT)
		return IOPGT_ERR_NOTSUP;
	c->line_shift = shift;
	return IOPGT_OK;
}

IOPGT_API struct iopgt_sync iopgt_clflushopt_sync(struct iopgt_clflushopt *c)
{
	struct iopgt_sync s;

	s.fn = iopgt_clflushopt_sync_ranges;
	s.ctx = c;
	return s;
}

IOPGT_API void iopgt_clflushopt_sync_ranges(void *ctx, const struct iopgt_range *ranges,
					    size_t n)
{
	const struct iopgt_clflushopt *c = ctx;

	/* one SFENCE for the whole call, after the last flush */
	if (lines_walk(ranges, n, lines_usable_shift(c->line_shift), flush_line, NULL))
		sfence();
}
