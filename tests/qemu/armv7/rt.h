/* SPDX-License-Identifier: MIT */
/*
 * rt.h - the bare-metal runtime of the ARMv7-A QEMU guests: console, exit,
 * table memory pool, CP15 accessors, access probes and the check counters.
 *
 * CP15 encodings: ARMv7-A/R ARM DDI0406C, B4.2 (the summary tables of the
 * VMSA CP15 registers) and B4.1 (each register).
 */
#ifndef ARMV7_GUEST_RT_H
#define ARMV7_GUEST_RT_H

#include <stdarg.h>
#include "iopgt/iopgt.h"

/* --- what start.S records ------------------------------------------------- */
struct rt_abort {
	uint32_t fsr;     /* DFSR / IFSR (Hyp: HSR) */
	uint32_t far;     /* DFAR / IFAR (Hyp: HDFAR / HIFAR) */
	uint32_t hpfar;   /* Hyp: HPFAR */
	uint32_t pc;      /* the faulting instruction */
	uint32_t ndabt;   /* data aborts taken (Hyp: every trap) */
	uint32_t npabt;   /* prefetch aborts taken */
};
extern volatile struct rt_abort rt_abort;
extern volatile uint32_t rt_expect_abort;
extern volatile uint32_t rt_boot_mode;

uint32_t probe_ldr(uintptr_t va);
void probe_str(uintptr_t va, uint32_t v);
uint32_t probe_ldrt(uintptr_t va);
void probe_strt(uintptr_t va, uint32_t v);
uint32_t probe_exec(uintptr_t va);
int rt_semihost(int op, void *block);

/* --- console, exit, command line ------------------------------------------ */
/* %s %c %u %d %x %08x %llx %p; uint32_t (unsigned long here) goes as %x */
void rt_printf(const char *fmt, ...);
void rt_exit(int code) __attribute__((noreturn));
/* the words after the program name on QEMU's -append line */
const char *rt_cmdline(void);
bool rt_has_arg(const char *word);

/* --- memory ---------------------------------------------------------------- */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* a struct iopgt_mem over a static pool (pa == va); new memory is filled
 * with a pattern that decodes as valid descriptors in every format */
struct iopgt_mem rt_pool_mem(void);
struct rt_pool_stats { uint32_t allocs, frees, bytes_live; };
struct rt_pool_stats rt_pool_stats(void);

/* --- checks ---------------------------------------------------------------- */
struct rt_counts { unsigned translations, accesses, faults, failures; };
extern struct rt_counts rt_counts;
void rt_check(bool ok, const char *what, uint32_t a, uint32_t b);
#define CHECK(cond, what, a, b) rt_check((cond), (what), (uint32_t)(a), (uint32_t)(b))
void rt_check_ok(int err, const char *what);

/* --- CP15 -------------------------------------------------------------------- */
#define CP15_RD(name, op1, crn, crm, op2)                                        \
	static inline uint32_t rd_##name(void)                                   \
	{                                                                        \
		uint32_t v;                                                      \
		__asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 \
				 : "=r"(v));                                     \
		return v;                                                        \
	}
#define CP15_WR(name, op1, crn, crm, op2)                                        \
	static inline void wr_##name(uint32_t v)                                 \
	{                                                                        \
		__asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 \
				 : : "r"(v) : "memory");                         \
	}
#define CP15_RW(name, op1, crn, crm, op2) CP15_RD(name, op1, crn, crm, op2) \
	CP15_WR(name, op1, crn, crm, op2)

CP15_RW(sctlr, 0, c1, c0, 0)
CP15_RW(ttbr0, 0, c2, c0, 0)
CP15_RW(ttbr1, 0, c2, c0, 1)
CP15_RW(ttbcr, 0, c2, c0, 2)
CP15_RW(dacr, 0, c3, c0, 0)
CP15_RW(par, 0, c7, c4, 0)
CP15_WR(ats1cpr, 0, c7, c8, 0)
CP15_WR(ats1cpw, 0, c7, c8, 1)
CP15_WR(ats1cur, 0, c7, c8, 2)
CP15_WR(ats1cuw, 0, c7, c8, 3)
CP15_WR(ats12nsopr, 0, c7, c8, 4)
CP15_WR(ats12nsopw, 0, c7, c8, 5)
CP15_WR(ats1hr, 4, c7, c8, 0)
CP15_WR(ats1hw, 4, c7, c8, 1)
CP15_WR(iciallu, 0, c7, c5, 0)
CP15_WR(bpiall, 0, c7, c5, 6)
CP15_WR(tlbiall, 0, c8, c7, 0)
CP15_WR(tlbimva, 0, c8, c7, 1)
CP15_WR(tlbiallnsnh, 4, c8, c7, 4)
CP15_RW(prrr, 0, c10, c2, 0)   /* MAIR0 when TTBCR.EAE = 1 */
CP15_RW(nmrr, 0, c10, c2, 1)   /* MAIR1 when TTBCR.EAE = 1 */
CP15_RW(contextidr, 0, c13, c0, 1)
CP15_RW(hcr, 4, c1, c1, 0)
CP15_RW(vtcr, 4, c2, c1, 2)
CP15_RW(hsctlr, 4, c1, c0, 0)
CP15_RW(htcr, 4, c2, c0, 2)
CP15_RW(hmair0, 4, c10, c2, 0)
CP15_RW(vmpidr, 4, c0, c0, 5)

static inline void wr_ttbr0_64(uint64_t v)
{
	__asm__ volatile("mcrr p15, 0, %Q0, %R0, c2" : : "r"(v) : "memory");
}
static inline uint64_t rd_ttbr0_64(void)
{
	uint64_t v;
	__asm__ volatile("mrrc p15, 0, %Q0, %R0, c2" : "=r"(v));
	return v;
}
static inline void wr_ttbr1_64(uint64_t v)
{
	__asm__ volatile("mcrr p15, 1, %Q0, %R0, c2" : : "r"(v) : "memory");
}
static inline void wr_vttbr(uint64_t v)
{
	__asm__ volatile("mcrr p15, 6, %Q0, %R0, c2" : : "r"(v) : "memory");
}
static inline void wr_httbr(uint64_t v)
{
	__asm__ volatile("mcrr p15, 4, %Q0, %R0, c2" : : "r"(v) : "memory");
}
static inline uint64_t rd_par64(void)
{
	uint64_t v;
	__asm__ volatile("mrrc p15, 0, %Q0, %R0, c7" : "=r"(v));
	return v;
}
static inline void dsb(void) { __asm__ volatile("dsb sy" : : : "memory"); }
static inline void isb(void) { __asm__ volatile("isb" : : : "memory"); }

/* SCTLR bits (B4.1, "SCTLR, System Control Register, VMSA") */
#define SCTLR_M   (1u << 0)
#define SCTLR_A   (1u << 1)
#define SCTLR_C   (1u << 2)
#define SCTLR_I   (1u << 12)
#define SCTLR_TRE (1u << 28)
#define SCTLR_AFE (1u << 29)

/* the registers rt_mmu_load() loads, with the MMU off, in this order */
struct rt_mmu_regs {
	uint32_t ttbcr, ttbr0_lo, ttbr0_hi, prrr_mair0, nmrr_mair1, dacr, sctlr;
};
void rt_mmu_load(const struct rt_mmu_regs *r);

/* TLB hooks for iopgt: TLBIMVA per granule (TLBIALL for long ranges), then
 * DSB and ISB (B3.10, "TLB maintenance requirements"). Counted. */
struct rt_tlb_counts { unsigned all, walk, leaf, ops; };
extern struct rt_tlb_counts rt_tlb_counts;
struct iopgt_tlb rt_tlb(void);

/* one probe access; false when it took a data abort (see rt_abort) */
enum acc { LDR, STR, LDRT, STRT };
bool access(enum acc a, uint32_t va, uint32_t *v);
/* a word to store at va, different per salt */
uint32_t pattern(uint32_t va, uint32_t salt);
/* put "mov r0, #0x5a; bx lr" at pa (identity-mapped) and make it fetchable */
void put_code(uint64_t pa);
/* call the code at va: true when it ran and returned 0x5a; *ifsr on a fault */
bool exec_at(uint32_t va, uint32_t *ifsr);

#endif
