/* SPDX-License-Identifier: MIT */
/*
 * iopgt/backends.h - the stock cache-maintenance backends.
 *
 * Each backend is a ready struct iopgt_sync: fill its state, then plug the
 * value its *_sync() function returns into iopgt_cfg.sync. The library calls
 * sync.fn with the dirty ranges of table memory; a backend makes them visible
 * to the table walker before it returns.
 *
 *   recorder     records every range and call, keeps totals, can pass them
 *                on to a second backend and print what it saw (any target).
 *   DMA API      calls a dma_sync_single_for_device()-shaped function once
 *                per range (Linux kernel shims; any target).
 *   DC CVAC      arm64 "dc cvac" per cache line, one "dsb sy" per call
 *                (firmware, hypervisors). Present when IOPGT_HAVE_DCCVAC.
 *   DCCMVAC      ARMv7 "mcr p15, 0, rX, c7, c10, 1" per cache line, one
 *                "dsb sy" per call (privileged AArch32 code). Present when
 *                IOPGT_HAVE_DCCMVAC.
 *
 * For a walker that is coherent with the CPU caches, use no backend at all:
 * leave iopgt_cfg.sync.fn NULL. The library then reports nothing and
 * programs cacheable walks; any backend here makes it program non-cacheable
 * walks.
 *
 * None of the backends allocates, calls the C library or keeps global
 * state; each may be shared by several struct iopgt objects, with the
 * recorder's exception that its calls must then be serialised by the caller.
 */
#ifndef IOPGT_BACKENDS_H
#define IOPGT_BACKENDS_H

#include "iopgt/iopgt.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * IOPGT_HAVE_DCCVAC - 1 when the target is AArch64 and the DC CVAC backend
 * (iopgt_dccvac_*) is part of the library, 0 otherwise.
 * IOPGT_HAVE_DCCMVAC - 1 when the target is 32-bit ARM (A32 or T32, ARMv7 or
 * later with the A profile's CP15 cache operations) and the DCCMVAC backend
 * (iopgt_dccmvac_*) is part of the library, 0 otherwise.
 *
 * Both are decided here from the compiler's target macros, never from a
 * build option: code that names a backend the target lacks fails to
 * compile instead of silently cleaning nothing.
 */
#if defined(__aarch64__)
#define IOPGT_HAVE_DCCVAC 1
#else
#define IOPGT_HAVE_DCCVAC 0
#endif

#if defined(__arm__) && !defined(__aarch64__)
#define IOPGT_HAVE_DCCMVAC 1
#else
#define IOPGT_HAVE_DCCMVAC 0
#endif

/*
 * IOPGT_HAVE_CLFLUSHOPT - 1 when the target is x86-64 and the CLFLUSHOPT
 * host backend (iopgt_clflushopt_*) is part of the library, 0 otherwise.
 */
#if defined(__x86_64__)
#define IOPGT_HAVE_CLFLUSHOPT 1
#else
#define IOPGT_HAVE_CLFLUSHOPT 0
#endif

/*
 * IOPGT_BACKEND_TEST_HOOKS - defined only by the library's own tests: the
 * instruction backends are then declared on every target, and their
 * instructions are calls to iopgt_test_hook_read_ctr(),
 * iopgt_test_hook_clean() and iopgt_test_hook_dsb(), which the test defines.
 */
#ifdef IOPGT_BACKEND_TEST_HOOKS
uint64_t iopgt_test_hook_read_ctr(void);
void iopgt_test_hook_clean(uintptr_t line);
void iopgt_test_hook_dsb(void);
#endif

/* ---------------------------------------------------------------------- */
/* Cache-line arithmetic (every target)                                    */
/* ---------------------------------------------------------------------- */

/**
 * typedef iopgt_line_fn - receives one cache line from
 * iopgt_lines_for_ranges().
 * @ctx:  the context given to iopgt_lines_for_ranges().
 * @line: the address of the first byte of the line (aligned to its size).
 */
typedef void (*iopgt_line_fn)(void *ctx, uintptr_t line);

/**
 * iopgt_lines_for_ranges() - the cache lines that a set of ranges touches,
 * each once, in ascending order.
 * @r:          the ranges, sorted by va (as one sync.fn call gives them);
 *              they may share lines, overlap, or have length 0.
 * @n:          the number of ranges.
 * @line_shift: log2 of the line size in bytes, 2..(bits of uintptr_t - 1).
 * @emit:       called once per line, in ascending address order; NULL only
 *              counts.
 * @ctx:        passed to @emit.
 *
 * A line shared by two ranges (the end of one, the start of the next) is
 * emitted once. Ranges of length 0 touch no line. A range that would run
 * past the top of the address space is cut at the top. When the ranges are
 * not sorted, every line is still emitted, but a line may then be emitted
 * more than once.
 *
 * Return: the number of lines emitted; 0 for a @line_shift out of range
 * (nothing is emitted then).
 */
IOPGT_API size_t iopgt_lines_for_ranges(const struct iopgt_range *r, size_t n,
					unsigned line_shift, iopgt_line_fn emit,
					void *ctx);

/* ---------------------------------------------------------------------- */
/* Recorder (every target)                                                 */
/* ---------------------------------------------------------------------- */

/* The line size the recorder counts distinct lines in: 64 bytes. */
#define IOPGT_RECORDER_LINE_SHIFT 6

/**
 * struct iopgt_rec_call - what the recorder keeps of one sync.fn call.
 * @first:  index in the recorder's range log of the call's first range.
 * @n:      ranges the call passed.
 * @stored: how many of them are in the log: @n, or fewer once the log is
 *          full (the stored ones are the first @stored of the call).
 * @bytes:  the sum of the lengths of the call's ranges.
 * @lines:  distinct 64-byte lines the call's ranges touch (a line shared by
 *          two ranges counts once).
 */
struct iopgt_rec_call {
	size_t first;
	size_t n;
	size_t stored;
	uint64_t bytes;
	uint64_t lines;
};

/**
 * struct iopgt_recorder - the no-op backend: records what it is given.
 * Set it up with iopgt_recorder_init(); read the members freely, write them
 * only through the functions below.
 * @ranges:     the caller's range log, @ranges_cap entries.
 * @ranges_cap: entries of @ranges; 0 (and @ranges NULL) keeps no ranges.
 * @calls:      the caller's call log, @calls_cap entries.
 * @calls_cap:  entries of @calls; 0 (and @calls NULL) keeps no calls.
 * @n_ranges:   entries of @ranges filled, in call order.
 * @n_calls:    entries of @calls filled, in call order.
 * @total_calls:  sync.fn calls seen (also those not logged).
 * @total_ranges: ranges seen.
 * @total_bytes:  bytes seen (sum of range lengths).
 * @total_lines:  the sum over calls of the distinct 64-byte lines per call.
 * @dropped_ranges: ranges seen but not logged because @ranges was full.
 * @dropped_calls:  calls seen but not logged because @calls was full.
 * @next:       where every call is passed on after it was recorded, with the
 *              same arguments; @next.fn NULL: nowhere.
 *
 * The log is never written past its end; what does not fit is counted in
 * the dropped_* members, and the totals still count it.
 */
struct iopgt_recorder {
	struct iopgt_range *ranges;
	size_t ranges_cap;
	struct iopgt_rec_call *calls;
	size_t calls_cap;
	size_t n_ranges;
	size_t n_calls;
	uint64_t total_calls;
	uint64_t total_ranges;
	uint64_t total_bytes;
	uint64_t total_lines;
	uint64_t dropped_ranges;
	uint64_t dropped_calls;
	struct iopgt_sync next;
};

/**
 * iopgt_recorder_init() - set up a recorder with the caller's storage.
 * @r:          the recorder (any contents).
 * @ranges:     storage for @ranges_cap ranges, or NULL with 0.
 * @ranges_cap: entries of @ranges.
 * @calls:      storage for @calls_cap call records, or NULL with 0.
 * @calls_cap:  entries of @calls.
 * @next:       a backend to pass every call on to (copied), or NULL.
 *
 * Nothing is allocated; the storage must outlive the recorder's use. A NULL
 * array with a non-zero capacity is treated as capacity 0.
 */
IOPGT_API void iopgt_recorder_init(struct iopgt_recorder *r,
				   struct iopgt_range *ranges, size_t ranges_cap,
				   struct iopgt_rec_call *calls, size_t calls_cap,
				   const struct iopgt_sync *next);

/**
 * iopgt_recorder_sync() - the struct iopgt_sync that records into @r.
 * @r: an initialised recorder.
 *
 * Return: { iopgt_recorder_record, r }, for iopgt_cfg.sync.
 */
IOPGT_API struct iopgt_sync iopgt_recorder_sync(struct iopgt_recorder *r);

/**
 * iopgt_recorder_record() - the recorder's sync.fn.
 * @ctx:    the struct iopgt_recorder.
 * @ranges: the ranges of this call.
 * @n:      their number; a call with 0 ranges is recorded as a call too.
 *
 * Logs the call and its ranges as far as the storage allows, updates the
 * totals, then passes the same arguments on to the recorder's @next.
 */
IOPGT_API void iopgt_recorder_record(void *ctx, const struct iopgt_range *ranges,
				     size_t n);

/**
 * iopgt_recorder_reset() - forget everything recorded: empty logs, zero
 * totals. The storage and @next stay.
 * @r: an initialised recorder.
 */
IOPGT_API void iopgt_recorder_reset(struct iopgt_recorder *r);

/* What iopgt_recorder_print() prints; IOPGT_REC_PRINT_ALL: all of it. */
#define IOPGT_REC_PRINT_CALLS  (1u << 0) /* one line per logged call */
#define IOPGT_REC_PRINT_RANGES (1u << 1) /* one line per logged range (after its call) */
#define IOPGT_REC_PRINT_TOTALS (1u << 2) /* one line of totals, last */
#define IOPGT_REC_PRINT_ALL    (IOPGT_REC_PRINT_CALLS | IOPGT_REC_PRINT_RANGES | \
				IOPGT_REC_PRINT_TOTALS)

/**
 * iopgt_recorder_print() - print what @r saw, one line per @print call.
 * @r:     an initialised recorder.
 * @flags: IOPGT_REC_PRINT_* bits.
 * @print: receives each line, NUL-terminated, without a newline.
 * @ctx:   passed to @print.
 *
 * The lines read (numbers in hex with 0x, counts in decimal):
 *
 *   call 0: 2 ranges, 0x48 bytes, 2 lines
 *     va 0x7f0000001000 pa 0x80001000 len 0x8
 *     va 0x7f0000002000 pa 0x80002000 len 0x40
 *   call 1: 3 ranges (1 logged), 0x18 bytes, 1 lines
 *     ...
 *   total: 2 calls, 5 ranges, 0x60 bytes, 3 lines; dropped 0 calls, 2 ranges
 *
 * No C library function is used. Does nothing when @print is NULL.
 */
IOPGT_API void iopgt_recorder_print(const struct iopgt_recorder *r, unsigned flags,
				    void (*print)(void *ctx, const char *line),
				    void *ctx);

/* ---------------------------------------------------------------------- */
/* DMA API (every target)                                                  */
/* ---------------------------------------------------------------------- */

/* Linux's enum dma_data_direction value DMA_TO_DEVICE (DMA_BIDIRECTIONAL
 * is 0, DMA_FROM_DEVICE 2, DMA_NONE 3). */
#define IOPGT_DMA_TO_DEVICE 1

/**
 * typedef iopgt_dma_sync_fn - a function shaped like Linux's
 * dma_sync_single_for_device(dev, dma_addr, size, dir).
 * @dev:      the device given to iopgt_dma_sync_init() (the IOMMU's struct
 *            device, whose walker reads the tables).
 * @dma_addr: the range's pa, the address the allocator returned for it.
 * @size:     the range's length in bytes.
 * @dir:      the to-device direction chosen at init.
 *
 * In a kernel, write a short wrapper that calls
 * dma_sync_single_for_device() with the right types; do not cast the kernel
 * function to this type: the prototypes differ, and a kernel built with
 * control-flow integrity traps on the mismatched indirect call.
 *
 * One range may cover two tables: the library merges the ranges of tables
 * that lie next to each other in memory (within a call, ranges are never
 * adjacent), and does not know where one allocation ends. The DMA API
 * wants each sync inside one mapping, so a wrapper whose tables are mapped
 * one by one cuts the range at the mappings' edges: at page boundaries when
 * every table takes whole pages of its own (examples/linux-module/).
 */
typedef void (*iopgt_dma_sync_fn)(void *dev, uint64_t dma_addr, size_t size, int dir);

/**
 * struct iopgt_dma_sync - the DMA API backend.
 * @sync_for_device: the function to call once per range.
 * @dev:             its first argument.
 * @dir:             its last argument, as iopgt_dma_sync_init() settled it.
 */
struct iopgt_dma_sync {
	iopgt_dma_sync_fn sync_for_device;
	void *dev;
	int dir;
};

/**
 * iopgt_dma_sync_init() - set up the DMA API backend.
 * @d:   the backend state (any contents).
 * @fn:  the dma_sync_single_for_device()-shaped function.
 * @dev: its device.
 * @dir: the value to pass as the direction; 0 means IOPGT_DMA_TO_DEVICE
 *       (1), Linux's DMA_TO_DEVICE.
 *
 * DMA_TO_DEVICE is what table memory needs: the CPU writes it and the
 * walker only reads it, so the CPU caches must be cleaned to the point of
 * coherency and nothing needs invalidating. It is also what Linux's
 * io-pgtable uses, and what the table memory must have been mapped with
 * (dma_map_single(..., DMA_TO_DEVICE)): the DMA API debug checks want the
 * same direction on sync as on map. Because 0 selects the default, Linux's
 * DMA_BIDIRECTIONAL (0) cannot be chosen here; a user who maps tables
 * bidirectionally passes its own value from its wrapper instead.
 *
 * Return: IOPGT_OK, or IOPGT_ERR_INVAL when @d or @fn is NULL (@d is then
 * unchanged).
 */
IOPGT_API int iopgt_dma_sync_init(struct iopgt_dma_sync *d, iopgt_dma_sync_fn fn,
				  void *dev, int dir);

/**
 * iopgt_dma_sync() - the struct iopgt_sync that calls @d's function.
 * @d: an initialised DMA API backend.
 *
 * Return: { iopgt_dma_sync_ranges, d }, for iopgt_cfg.sync.
 */
IOPGT_API struct iopgt_sync iopgt_dma_sync(struct iopgt_dma_sync *d);

/**
 * iopgt_dma_sync_ranges() - the DMA API backend's sync.fn: calls
 * d->sync_for_device(d->dev, ranges[i].pa, ranges[i].len, d->dir) for each
 * range in order, skipping ranges of length 0.
 * @ctx:    the struct iopgt_dma_sync.
 * @ranges: the ranges.
 * @n:      their number.
 *
 * One call per range: the DMA API has no batched form, and the kernel's
 * implementation completes each call with its own barrier.
 */
IOPGT_API void iopgt_dma_sync_ranges(void *ctx, const struct iopgt_range *ranges,
				     size_t n);

/* ---------------------------------------------------------------------- */
/* arm64 DC CVAC (AArch64 targets)                                         */
/* ---------------------------------------------------------------------- */

/**
 * struct iopgt_dccvac - the arm64 DC CVAC backend.
 * @line_shift: log2 of the line size cleaned per DC CVAC, in bytes.
 *
 * Read-only after iopgt_dccvac_init(), so one instance may serve every CPU
 * and every struct iopgt at once. A @line_shift outside 4..11 (a zeroed or
 * failed struct) makes the backend step by 16 bytes, the smallest line
 * there is: slower, never wrong.
 */
struct iopgt_dccvac {
	unsigned line_shift;
};

#if IOPGT_HAVE_DCCVAC || defined(IOPGT_BACKEND_TEST_HOOKS)
/**
 * iopgt_dccvac_line_shift() - read CTR_EL0 and return log2 of the smallest
 * data cache line size, in bytes: DminLine (bits [19:16], log2 of the
 * number of 4-byte words) + 2. Arm ARM (DDI 0487), "CTR_EL0, Cache Type
 * Register".
 *
 * At EL0 the read needs SCTLR_EL1.UCT = 1 (Linux sets it, or emulates the
 * read with the system-wide safe value).
 */
IOPGT_API unsigned iopgt_dccvac_line_shift(void);

/**
 * iopgt_dccvac_init() - set up the DC CVAC backend.
 * @c:          the backend state (any contents).
 * @line_shift: log2 of the line size to use; 0 reads CTR_EL0 once, now,
 *              with iopgt_dccvac_line_shift().
 *
 * CTR_EL0 describes the CPU that reads it. On a system whose CPUs have
 * different smallest line sizes, pass the smallest of them (as Linux does
 * with its sanitised CTR_EL0): a larger value would leave lines dirty.
 *
 * Return: IOPGT_OK, or IOPGT_ERR_INVAL for a @line_shift outside 4..11
 * (16 to 2048 bytes, the sizes the architecture allows); @c then holds 0
 * and must not be used.
 */
IOPGT_API int iopgt_dccvac_init(struct iopgt_dccvac *c, unsigned line_shift);

/**
 * iopgt_dccvac_sync() - the struct iopgt_sync that cleans with @c.
 * @c: an initialised DC CVAC backend.
 *
 * Return: { iopgt_dccvac_sync_ranges, c }, for iopgt_cfg.sync.
 */
IOPGT_API struct iopgt_sync iopgt_dccvac_sync(struct iopgt_dccvac *c);

/**
 * iopgt_dccvac_sync_ranges() - the DC CVAC backend's sync.fn.
 * @ctx:    the struct iopgt_dccvac.
 * @ranges: the ranges, sorted by va.
 * @n:      their number.
 *
 * Issues one DC CVAC (clean by VA to the Point of Coherency; Arm ARM
 * DDI 0487, "DC CVAC, Data or unified Cache line Clean by VA to PoC") for
 * each line the ranges touch, each line once, in ascending order, then one
 * DSB SY. No barrier is needed before the cleans: a DC by VA is ordered
 * after earlier stores to the same line (Arm ARM, "Ordering and completion
 * of data and instruction cache instructions"). A DSB is what completes the
 * cleans, for the observers of its shareability domain only; the walker is
 * a non-coherent DMA master, not in the CPUs' Inner Shareable domain, so
 * the domain must be the full system: DSB SY (Arm ARM, "Data
 * Synchronization Barrier (DSB)"), as Linux's dcache_clean_poc, which its
 * DMA API uses for the same purpose, ends with. When no range touches a
 * line (n = 0, or every length 0) nothing is issued, not even the DSB.
 *
 * Some Cortex-A53 revisions have errata for which Linux issues DC CIVAC in
 * place of DC CVAC; this backend issues DC CVAC.
 */
IOPGT_API void iopgt_dccvac_sync_ranges(void *ctx, const struct iopgt_range *ranges,
					size_t n);
#endif

/* ---------------------------------------------------------------------- */
/* ARMv7 DCCMVAC (32-bit ARM targets, privileged code)                     */
/* ---------------------------------------------------------------------- */

/**
 * struct iopgt_dccmvac - the ARMv7 DCCMVAC backend.
 * @line_shift: log2 of the line size cleaned per DCCMVAC, in bytes.
 *
 * Read-only after iopgt_dccmvac_init(). A @line_shift outside 4..11 makes
 * the backend step by 16 bytes: slower, never wrong.
 */
struct iopgt_dccmvac {
	unsigned line_shift;
};

#if IOPGT_HAVE_DCCMVAC || defined(IOPGT_BACKEND_TEST_HOOKS)
/**
 * iopgt_dccmvac_line_shift() - read CTR ("mrc p15, 0, rX, c0, c0, 1") and
 * return log2 of the smallest data cache line size, in bytes: DminLine
 * (bits [19:16], log2 of words) + 2. ARMv7 ARM (DDI 0406C), "CTR, Cache
 * Type Register", ARMv7 format (bits [31:29] = 0b100). PL1 or higher.
 *
 * Return: the shift, or 0 when CTR is not in the ARMv7 format.
 */
IOPGT_API unsigned iopgt_dccmvac_line_shift(void);

/**
 * iopgt_dccmvac_init() - set up the DCCMVAC backend.
 * @c:          the backend state (any contents).
 * @line_shift: log2 of the line size to use; 0 reads CTR once, now. On a
 *              system whose CPUs differ, pass the smallest.
 *
 * Return: IOPGT_OK; IOPGT_ERR_INVAL for a @line_shift outside 4..11;
 * IOPGT_ERR_NOTSUP when @line_shift is 0 and CTR is not in the ARMv7
 * format. On error @c holds 0 and must not be used.
 */
IOPGT_API int iopgt_dccmvac_init(struct iopgt_dccmvac *c, unsigned line_shift);

/**
 * iopgt_dccmvac_sync() - the struct iopgt_sync that cleans with @c.
 * @c: an initialised DCCMVAC backend.
 *
 * Return: { iopgt_dccmvac_sync_ranges, c }, for iopgt_cfg.sync.
 */
IOPGT_API struct iopgt_sync iopgt_dccmvac_sync(struct iopgt_dccmvac *c);

/**
 * iopgt_dccmvac_sync_ranges() - the DCCMVAC backend's sync.fn.
 * @ctx:    the struct iopgt_dccmvac.
 * @ranges: the ranges, sorted by va.
 * @n:      their number.
 *
 * Issues one DCCMVAC ("mcr p15, 0, rX, c7, c10, 1", clean data cache line
 * by MVA to the Point of Coherency; ARMv7 ARM, "Cache and branch predictor
 * maintenance operations, VMSA") for each line the ranges touch, each once,
 * in ascending order, then one DSB SY, which completes them for every
 * observer in the system (ARMv7 ARM, "Data Synchronization Barrier (DSB)").
 * Nothing is issued when no range touches a line.
 */
IOPGT_API void iopgt_dccmvac_sync_ranges(void *ctx, const struct iopgt_range *ranges,
					 size_t n);
#endif

/* ---------------------------------------------------------------------- */
/* x86-64 CLFLUSHOPT: a host stand-in for DC CVAC (measurement only)       */
/* ---------------------------------------------------------------------- */

/**
 * struct iopgt_clflushopt - the x86-64 CLFLUSHOPT backend.
 * @line_shift: log2 of the line size flushed per CLFLUSHOPT, in bytes.
 *
 * x86 DMA is cache-coherent: no x86 walker needs cleaning. This backend
 * exists to measure on an x86 workstation what a non-coherent walker
 * costs, with the same shape as the arm64 DC CVAC backend: one write-back
 * per line the ranges touch, one barrier per call. Read-only after
 * iopgt_clflushopt_init().
 */
struct iopgt_clflushopt {
	unsigned line_shift;
};

#if IOPGT_HAVE_CLFLUSHOPT
/**
 * iopgt_clflushopt_init() - set up the CLFLUSHOPT backend.
 * @c: the backend state (any contents).
 *
 * Reads CPUID: whether CLFLUSHOPT exists (leaf 07H, EBX bit 23) and the
 * line size it flushes (leaf 01H, EBX bits [15:8], in 8-byte units).
 *
 * Return: IOPGT_OK; IOPGT_ERR_INVAL for @c NULL; IOPGT_ERR_NOTSUP when the
 * CPU lacks CLFLUSHOPT or reports a line size outside 16..2048 bytes (@c
 * then holds 0 and must not be used).
 */
IOPGT_API int iopgt_clflushopt_init(struct iopgt_clflushopt *c);

/**
 * iopgt_clflushopt_sync() - the struct iopgt_sync that flushes with @c.
 * @c: an initialised CLFLUSHOPT backend.
 *
 * Return: { iopgt_clflushopt_sync_ranges, c }, for iopgt_cfg.sync.
 */
IOPGT_API struct iopgt_sync iopgt_clflushopt_sync(struct iopgt_clflushopt *c);

/**
 * iopgt_clflushopt_sync_ranges() - the CLFLUSHOPT backend's sync.fn.
 * @ctx:    the struct iopgt_clflushopt.
 * @ranges: the ranges, sorted by va.
 * @n:      their number.
 *
 * One CLFLUSHOPT for each line the ranges touch, each line once, in
 * ascending order, then one SFENCE (Intel SDM, "CLFLUSHOPT"); nothing when
 * no range touches a line.
 */
IOPGT_API void iopgt_clflushopt_sync_ranges(void *ctx, const struct iopgt_range *ranges,
					    size_t n);
#endif

#ifdef __cplusplus
}
#endif

#endif /* IOPGT_BACKENDS_H */
