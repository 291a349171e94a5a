/* SPDX-License-Identifier: MIT */
/*
 * rt.h - the bare-metal run time of the AArch64 guests: console, exit,
 * table memory, exception records, system register access and the check
 * counters every guest prints at the end.
 *
 * Memory map (QEMU -M virt): RAM from 0x40000000 (the DTB sits at its
 * start, the image is linked at 0x40200000), PL011 UART at 0x09000000.
 * Physical and virtual addresses of guest memory are equal.
 */
#ifndef QA64_RT_H
#define QA64_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iopgt/iopgt.h>

#define RAM_BASE   0x40000000ull
#define RAM_SIZE   0x40000000ull  /* QEMU is run with -m 1G */
#define UART_BASE  0x09000000ull

/* exit codes: meson counts 99 as a hard error even for should_fail tests,
 * so a guest that breaks for an unrelated reason never passes as a
 * negative control */
#define EXIT_PASS  0
#define EXIT_CHECK 1
#define EXIT_SETUP 99

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

__attribute__((format(printf, 1, 2))) void pr(const char *fmt, ...);
__attribute__((noreturn)) void guest_exit(unsigned code);
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);

/* ---- checks ---------------------------------------------------------- */

struct counts {
	unsigned long at;       /* AT translations compared with the expectation */
	unsigned long access;   /* real loads and stores that had to succeed */
	unsigned long fault;    /* faults (AT or real) that had to be reported */
	unsigned long fail;     /* mismatches */
};
extern struct counts g_n;

/* records a mismatch (and prints the first few of them) */
__attribute__((format(printf, 1, 2))) void fail(const char *fmt, ...);
/* exits with EXIT_CHECK after the line that says the checks failed */
__attribute__((noreturn)) void fail_exit(void);
/* prints the summary line and exits: EXIT_PASS or EXIT_CHECK */
__attribute__((noreturn)) void finish(const char *name);

/* ---- table memory ---------------------------------------------------- */

/* iopgt_mem over a static pool; freed blocks are reused (same size), and
 * every block handed out is filled with 0xff first: the library must write
 * every descriptor it relies on. */
struct iopgt_mem pool_mem(void);
unsigned long pool_in_use(void);

/* a 64 MiB region of RAM for real accesses, aligned to 32 MiB */
extern uint8_t scratch[];
#define SCRATCH_SIZE (64ull << 20)

/* ---- exceptions ------------------------------------------------------ */

struct frame {
	uint64_t x[31];
	uint64_t elr, spsr;
};

/* An armed probe: the next data or instruction abort taken (at the current
 * EL, or from EL1 into EL2) is recorded here and the faulting instruction
 * skipped (data abort) or returned from (instruction abort, to x30). */
struct fault_rec {
	volatile unsigned armed;
	volatile unsigned taken;
	volatile uint64_t esr, far, hpfar;
};
extern struct fault_rec g_fault;

uint64_t exc_entry(struct frame *f, uint64_t kind);

/* start.S: drop to EL1 (stage 1 off, interrupts masked) on @stack, run
 * fn(arg) there and come back with its result through HVC. EL2 only. */
uint64_t el1_call(uint64_t (*fn)(uint64_t), uint64_t arg, void *stack);

/* ---- system registers ------------------------------------------------ */

#define SYSREG_READ(name) __extension__({ uint64_t v_; \
	__asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" :: "r"((uint64_t)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }

static inline unsigned current_el(void)
{
	return (unsigned)(SYSREG_READ(CurrentEL) >> 2) & 3;
}

/* AT then PAR_EL1 (Arm ARM D17.2.113 "PAR_EL1"; bit 0 F: fault) */
#define AT_OP(op) \
static inline uint64_t at_##op(uint64_t va) \
{ \
	uint64_t par; \
	__asm__ volatile("at " #op ", %1\n\tisb\n\tmrs %0, par_el1" \
			 : "=r"(par) : "r"(va) : "memory"); \
	return par; \
}
AT_OP(s1e1r)
AT_OP(s1e1w)
AT_OP(s1e0r)
AT_OP(s1e0w)
AT_OP(s12e1r)
AT_OP(s12e1w)

#define PAR_F         1ull
#define PAR_FST(p)    ((unsigned)((p) >> 1) & 0x3f)   /* F = 1 */
#define PAR_S2(p)     (((p) >> 9) & 1)               /* F = 1: stage 2 fault */
#define PAR_PA(p)     ((p) & 0x000ffffffffff000ull)  /* F = 0: PA[51:12] (PA[51:48]: FEAT_LPA) */
#define PAR_SH(p)     ((unsigned)((p) >> 7) & 3)     /* F = 0 */
#define PAR_ATTR(p)   ((unsigned)((p) >> 56) & 0xff) /* F = 0: MAIR encoding */

/* Fault status codes (ESR_ELx.DFSC / PAR_EL1.FST, D17.2.40): the level is
 * in bits [1:0]; level -1 (FEAT_LPA2) has codes of its own, 0x29 address
 * size and 0x2b translation. */
#define FSC_TYPE(f)   ((f) == 0x2b ? FSC_TRANS : (f) == 0x29 ? FSC_ADDRSIZE : (f) & 0x3c)
#define FSC_ADDRSIZE  0x00
#define FSC_TRANS     0x04
#define FSC_AF        0x08
#define FSC_PERM      0x0c

/* ESR_ELx.EC values */
#define EC_IABT_LOW   0x20
#define EC_IABT_CUR   0x21
#define EC_HVC64      0x16
#define EC_DABT_LOW   0x24
#define EC_DABT_CUR   0x25

/* ---- probes ---------------------------------------------------------- */

/* One load or store of 8 bytes at @va. If it faults, *esr gets ESR and the
 * function returns false; otherwise true. Only for the current EL's own
 * translation regime (stage 1 guests). */
bool probe_load(uint64_t va, uint64_t *val, uint64_t *esr);
bool probe_store(uint64_t va, uint64_t val, uint64_t *esr);

/* An EL1 probe seen from EL2 (stage 2 guests): the access runs at EL1 with
 * stage 1 off; a stage 2 fault is taken to EL2 and recorded. */
enum { EL1_LOAD, EL1_STORE, EL1_EXEC };
struct el1_op {
	uint64_t addr, val;
	unsigned kind;      /* EL1_*; EL1_EXEC branches to addr, which holds RET */
};
bool el1_probe(struct el1_op *op, uint64_t *esr, uint64_t *hpfar);

#endif /* QA64_RT_H */
