/* SPDX-License-Identifier: MIT */
/*
 * iopgt/iopgt.h - build and edit ARM page tables, and report every byte of
 * table memory written so that a non-coherent walker always reads what the
 * library meant.
 *
 * Formats: VMSAv8-64 stage 1 and stage 2 (4K, 16K, 64K granules, input and
 * output addresses up to 52 bits), VMSAv7 long-descriptor (LPAE) stage 1
 * and stage 2, VMSAv7 short-descriptor (v7s).
 *
 * Threads. Calls on different struct iopgt objects are independent. Calls
 * on one object must be serialised by the caller, unless it was initialised
 * with IOPGT_QUIRK_CONCURRENT: then iopgt_map(), iopgt_unmap(),
 * iopgt_lookup(), iopgt_walk(), iopgt_read_and_clear_dirty() and
 * iopgt_test_and_clear_young() may run on several threads at once, with
 * no caller lock, as long as their ranges are disjoint (a call's range is
 * [iova, iova + size), widened to every leaf a partial unmap splits or a
 * tracking call reports; a lookup's range is its one address). The walker
 * itself (IOPGT_QUIRK_HW_DIRTY, _HW_ACCESS) updates leaves at any time,
 * with or without that quirk: see "Hardware updates" below. iopgt_init(),
 * iopgt_fini(), iopgt_adopt(), iopgt_detach() and iopgt_get_regs() still
 * need the object to themselves; iopgt_get_stats() may run at any time;
 * iopgt_compact() may be called, and runs alone (it waits for the calls
 * running and holds off new ones). Calls whose ranges overlap are the caller's bug:
 * their results there are undefined and memory may be lost, but tables
 * outside the overlap are not corrupted and no freed memory is written.
 * With IOPGT_QUIRK_CONCURRENT:
 *   - a table a call empties is still freed (clause 5 holds), once no other
 *     call can reach it; a call may wait (spin) while another call frees a
 *     table its range reaches, never otherwise;
 *   - clause 6 holds: before a map returns, every table descriptor its
 *     leaves hang under is visible to the walker, including one another
 *     call installed and has not synced yet (such a descriptor is reported
 *     again, the one exception to clause 3; on LPAE a software bit, bit 55
 *     of table descriptors, marks those already synced);
 *   - a map that installs a table on an edge of its range reports it in
 *     two extra sync.fn calls (the table, then the link), and an unmap that
 *     frees such a table in one more (clause 4's counts grow by these);
 *   - cost: an atomic read-modify-write pair per call on a counter shared
 *     by the calls in the same last-level table's span (one per such span
 *     the range reaches, at most 64), acquire loads of descriptors, one
 *     sequentially consistent fence per unmap, and IOPGT_CONCURRENT_BYTES
 *     of memory allocated at iopgt_init.
 *
 * Memory ordering. The core uses the GCC/Clang __atomic builtins, which
 * are the C11 atomic operations (<stdatomic.h> is not used): relaxed loads
 * and stores of descriptors (acquire loads with IOPGT_QUIRK_CONCURRENT); a
 * release fence before the stores that link new tables; compare-and-swap
 * (release) for tables installed concurrently; acquire/release
 * read-modify-writes on the pin counters; one sequentially consistent
 * fence between an unmap's stores and its check for an emptied table;
 * relaxed read-modify-writes on the statistics; with IOPGT_QUIRK_HW_DIRTY
 * or _HW_ACCESS, acquire-release exchanges and compare-and-swaps of leaves
 * the walker may be updating (tracking calls, splits). Descriptor accesses are
 * naturally aligned 4- or 8-byte single-copy atomic accesses (Arm ARM
 * B2.2.1): a 32-bit Arm build of the LPAE formats needs 64-bit atomics
 * (LDRD/STRD with LPAE, or LDREXD/STREXD). A compiler without these
 * builtins must provide them (same names and memory-order constants);
 * nothing else is needed, and sync.fn remains the only way table writes
 * reach a non-coherent walker.
 *
 * Memory: the library allocates only through cfg->mem (or the built-in
 * hosted allocator when every member of cfg->mem is NULL). It allocates the
 * tables, and, for an operation whose list of dirty ranges does not fit a
 * small on-stack buffer (a map that creates many tables, an unmap over a
 * fragmented range, a compaction of many separate places), one scratch
 * array that is freed before the call returns; so does iopgt_adopt() for
 * the addresses of a tree of more than 64 tables. Nothing else is
 * allocated. Stack: map and unmap use about 3 KiB
 * at most (a 640-byte record buffer plus one frame per level), lookup and
 * the iterator well under 1 KiB.
 */
#ifndef IOPGT_IOPGT_H
#define IOPGT_IOPGT_H

#include "iopgt/env.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(IOPGT_BUILD) && defined(__GNUC__)
#define IOPGT_API __attribute__((__visibility__("default")))
#else
#define IOPGT_API
#endif

/** enum iopgt_fmt - the table formats. */
enum iopgt_fmt {
	IOPGT_FMT_ARM64_S1 = 1, /* VMSAv8-64 stage 1 (SMMUv3 CD, TTBRn_ELx) */
	IOPGT_FMT_ARM64_S2,     /* VMSAv8-64 stage 2 (SMMUv3 STE S2, VTTBR_EL2) */
	IOPGT_FMT_ARM32_S1,     /* VMSAv7 long-descriptor stage 1 */
	IOPGT_FMT_ARM32_S2,     /* VMSAv7 long-descriptor stage 2 */
	IOPGT_FMT_ARMV7S,       /* VMSAv7 short-descriptor */
};

/* Protection flags for iopgt_map() and struct iopgt_mapping. */
#define IOPGT_READ   (1u << 0)
#define IOPGT_WRITE  (1u << 1)
#define IOPGT_CACHE  (1u << 2) /* Normal write-back cacheable; without it Normal non-cacheable */
#define IOPGT_NOEXEC (1u << 3)
#define IOPGT_MMIO   (1u << 4) /* Device-nGnRE; overrides CACHE */
#define IOPGT_PRIV   (1u << 5) /* privileged access only (stage 1) */
#define IOPGT_PROT_ALL (IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE | IOPGT_NOEXEC | \
			IOPGT_MMIO | IOPGT_PRIV)

/*
 * Quirks (cfg.quirks). A quirk the format does not have is IOPGT_ERR_NOTSUP;
 * a bit that names no quirk is IOPGT_ERR_INVAL.
 */
/* Stage 1 (AArch64, AArch32 LPAE, v7s): leaves get NS, table descriptors NSTable. */
#define IOPGT_QUIRK_NS          (1u << 0)
/* AArch64 stage 1: the tables translate the upper range [2^64 - 2^IAS, 2^64)
 * through TTBR1; regs.tcr describes TTBR1 and disables TTBR0 walks. */
#define IOPGT_QUIRK_TTBR1       (1u << 1)
/* Long-descriptor: a non-coherent walker's outer walk attribute is
 * write-back write-allocate instead of non-cacheable (ORGN = 0b01). */
#define IOPGT_QUIRK_OUTER_WBWA  (1u << 2)
/* Stage 2: MemAttr uses the FEAT_S2FWB encoding (HCR_EL2.FWB = 1). */
#define IOPGT_QUIRK_S2FWB       (1u << 3)
/* Refuse to split a block or contiguous run on a partial unmap: such an
 * unmap fails with IOPGT_ERR_BUSY and changes nothing. */
#define IOPGT_QUIRK_NO_SPLIT    (1u << 4)
/* The walker tolerates a block or contiguous run being replaced in place by
 * an equivalent table or by entries without the contiguous bit (FEAT_BBM
 * level 2 style): splits skip the break-before-make invalid window. */
#define IOPGT_QUIRK_SPLIT_IN_PLACE (1u << 5)
/* v7s: MediaTek's PA extension: PA bits 32, 33, 34 in descriptor bits 9, 4,
 * 5 of sections and pages (OAS up to 35). Those bits are permission bits
 * otherwise, so it needs IOPGT_QUIRK_NO_PERMS too (as in Linux). */
#define IOPGT_QUIRK_MTK_EXT     (1u << 6)
/* v7s: write no permission bits (AP, XN): every descriptor allows read and
 * write, as MediaTek's M4U expects; prot READ/WRITE are still checked. */
#define IOPGT_QUIRK_NO_PERMS    (1u << 7)
/* Every format: calls on disjoint ranges may run on several threads at once
 * without a caller lock (see "Threads" at the top of this file). Costs an
 * atomic read-modify-write pair per call and one allocation of
 * IOPGT_CONCURRENT_BYTES at iopgt_init. */
#define IOPGT_QUIRK_CONCURRENT  (1u << 8)
/* the bytes IOPGT_QUIRK_CONCURRENT allocates at iopgt_init (64-byte aligned) */
#define IOPGT_CONCURRENT_BYTES  4096u
/*
 * AArch64 stage 1 and stage 2: the walker manages the dirty state (FEAT_HAFDBS
 * on a CPU, HTTU on an SMMUv3; Arm ARM DDI0487, chapter D8, "Hardware
 * management of the dirty state"). Every writable leaf is written
 * writable-clean: DBM (bit 51) set and the write permission withheld (stage
 * 1 AP[2] = 1, stage 2 S2AP[1] = 0); the walker's first write through it
 * grants the permission itself (AP[2] = 0, S2AP[1] = 1): the leaf is then
 * writable-dirty. iopgt_lookup() and iopgt_walk() report such a leaf as
 * IOPGT_WRITE, clean or dirty. iopgt_get_regs() sets TCR_EL1.HD (bit 40) or
 * VTCR_EL2.HD (bit 22), and HA with it (bit 39, bit 21), without which HD
 * has no effect. iopgt_read_and_clear_dirty() reports and cleans. Needs
 * sync.fn NULL (see "Hardware updates" below).
 */
#define IOPGT_QUIRK_HW_DIRTY    (1u << 9)
/*
 * AArch64 stage 1 and stage 2: the walker manages the Access flag (Arm ARM
 * DDI0487, chapter D8, "Hardware management of the Access flag"). Leaves
 * are written with AF = 0 (bit 10), and the walker sets it on the first
 * access instead of faulting. iopgt_get_regs() sets TCR_EL1.HA (bit 39) or
 * VTCR_EL2.HA (bit 21). iopgt_test_and_clear_young() reports and clears it.
 * Needs sync.fn NULL, as HW_DIRTY.
 */
#define IOPGT_QUIRK_HW_ACCESS   (1u << 10)
#define IOPGT_QUIRK_ALL         ((1u << 11) - 1)

/*
 * Hardware updates and non-coherent walkers. IOPGT_QUIRK_HW_DIRTY and
 * IOPGT_QUIRK_HW_ACCESS need a walker coherent with the CPU's caches: with
 * sync.fn set iopgt_init() refuses them (IOPGT_ERR_NOTSUP). A non-coherent
 * walker updates descriptors in memory, past the CPU's caches, while the
 * library reads and writes table memory through them:
 *   - a descriptor whose line the CPU holds reads as it was: a page the
 *     walker made dirty would be reported clean;
 *   - the library's compare-and-swap happens in the CPU's cache and is not
 *     atomic with the walker's update in memory;
 *   - a store the library makes to any other descriptor of the same cache
 *     line, cleaned to memory by sync.fn, writes the whole line back and
 *     overwrites the walker's update: a dirty page made clean again, lost
 *     without a trace.
 * Besides, walkers commonly perform hardware updates only for walks with
 * write-back cacheable attributes, which iopgt_get_regs() programs only for
 * a coherent walker (sync.fn NULL); other walks may abort instead.
 * A walker and the library share the descriptors: every store the library
 * makes over a leaf that the walker may be updating (a split of a block or
 * contiguous run, a clean) is an atomic exchange or compare-and-swap, and
 * the state found is carried over: the pieces of a split leaf are dirty
 * (young) when it was, also when the walker marked it while the split ran
 * (with IOPGT_QUIRK_SPLIT_IN_PLACE the mark is carried to the pieces after
 * they replaced it). The walker may mark any one entry of a contiguous run:
 * the run is dirty (young) when any of its entries is. An unmap drops the
 * state of what it removes: read it before, if it matters.
 * AArch32 LPAE and v7s have neither quirk (IOPGT_ERR_NOTSUP): hardware
 * updates of the Access flag and the dirty state are defined for the
 * VMSAv8-64 translation regimes only, and the tracking calls return
 * IOPGT_ERR_NOTSUP there.
 */

/**
 * enum iopgt_err - error codes. Every function that can fail returns one of
 * these: 0 on success, a negative value on failure.
 */
enum iopgt_err {
	IOPGT_OK = 0,
	IOPGT_ERR_INVAL = -1,  /* an argument or configuration is malformed */
	IOPGT_ERR_RANGE = -2,  /* an address is outside the input or output range */
	IOPGT_ERR_EXIST = -3,  /* the range overlaps a live mapping */
	IOPGT_ERR_NOMEM = -4,  /* the allocator failed */
	IOPGT_ERR_NOENT = -5,  /* nothing is mapped there */
	IOPGT_ERR_NOTSUP = -6, /* well-formed, but this format cannot do it */
	IOPGT_ERR_BUSY = -7,   /* refused: a split the configuration forbids */
	IOPGT_ERR_CORRUPT = -8, /* table memory holds what the library never writes */
};

/**
 * iopgt_strerror() - a short English description of an error code.
 * @err: a value of enum iopgt_err (or anything else).
 *
 * Return: a static string; "unknown error" for a value that is no error code.
 */
IOPGT_API const char *iopgt_strerror(int err);

/** struct iopgt_range - a byte range of table memory. */
struct iopgt_range {
	void *va;     /* CPU address */
	uint64_t pa;  /* the address the walker uses (as the allocator gave it) */
	size_t len;   /* bytes */
};

/**
 * struct iopgt_mem - table memory. All members NULL: the built-in hosted
 * allocator, with pa == (uintptr_t)va: blocks of each power-of-two size
 * from 512 bytes to 64 KiB carved from 2 MiB chunks (aligned_alloc, a huge
 * page where Linux gives one), shared by every object of the process; an
 * empty chunk goes back to the C library while another of its size has a
 * free block. Other sizes come from aligned_alloc/free directly.
 * @alloc: return @size bytes aligned to @align (a power of two, at least 64
 *         for table memory) and store the walker's address of it in *@pa;
 *         NULL on failure. The contents may be anything. The returned pa
 *         must be aligned like va and fit in the output address size.
 * @free:  give back what alloc returned, with the same @size.
 * @phys_to_virt: the CPU address of table memory at walker address @pa;
 *         NULL member: the identity (va == pa). Return NULL for an address
 *         that is not table memory (memory already given back to @free
 *         included): walks stop there with IOPGT_ERR_CORRUPT, and
 *         iopgt_fini() does not follow it (see there). With the identity
 *         every address counts as table memory: a corrupt table
 *         descriptor is then followed wherever it points. The address
 *         given for a table must stay the same while the table is
 *         allocated: map and unmap keep it from one call to the next.
 * @ctx:   passed to each callback.
 */
struct iopgt_mem {
	void *(*alloc)(void *ctx, size_t size, size_t align, uint64_t *pa);
	void (*free)(void *ctx, void *va, uint64_t pa, size_t size);
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

/**
 * struct iopgt_sync - where dirty ranges go. @fn NULL: the walker is
 * coherent with the CPU caches and nothing is reported.
 * @fn: make every byte of @ranges[0..n) visible to the walker before
 *      returning. Within one call the ranges are sorted by va, disjoint and
 *      not adjacent. See "The dirty-range contract" in README.md.
 */
struct iopgt_sync {
	void (*fn)(void *ctx, const struct iopgt_range *ranges, size_t n);
	void *ctx;
};

/**
 * struct iopgt_tlb - TLB maintenance hooks. NULL members: nothing to do.
 * @flush_all:  invalidate everything cached for these tables.
 * @flush_walk: invalidate leaf and table (walk cache) entries for
 *              [iova, iova + size); @granule is the size of the entries
 *              removed (the smallest, if they differ).
 * @flush_leaf: invalidate leaf entries only for [iova, iova + size).
 * A NULL flush_walk or flush_leaf falls back to flush_all; flush_leaf NULL
 * with flush_walk set falls back to flush_walk.
 */
struct iopgt_tlb {
	void (*flush_all)(void *ctx);
	void (*flush_walk)(void *ctx, uint64_t iova, uint64_t size, size_t granule);
	void (*flush_leaf)(void *ctx, uint64_t iova, uint64_t size, size_t granule);
	void *ctx;
};

/**
 * struct iopgt_cfg - what iopgt_init() builds.
 * @fmt:     the format.
 * @ias:     input address bits. AArch64: 25..52 with every granule;
 *           AArch32 LPAE stage 1: 25..32, stage 2: 25..40; v7s: 32.
 * @oas:     output address bits. AArch64: 32..48, or 52 with every
 *           granule; AArch32 LPAE: 32..40; v7s: 32, up to 40 when @pgsizes
 *           holds 16M (supersections carry PA[39:32]), up to 35 with
 *           MTK_EXT.
 *
 * 52-bit addresses (Arm ARM D8.3.1, D8.2): with the 4K and 16K granules an
 * @ias or @oas above 48 selects the FEAT_LPA2 descriptor layout (regs:
 * TCR_EL1.DS, bit 59; VTCR_EL2.DS, bit 32): output-address bits [51:50]
 * sit in descriptor bits [9:8], which then hold no shareability; the
 * walker takes it from TCR.SH0 / VTCR.SH0 (inner shareable with sync.fn
 * NULL, outer shareable otherwise, for walks and cacheable memory alike).
 * That layout adds blocks of 512G (4K, level 0) and 64G (16K, level 1),
 * without contiguous runs of them. The 4K granule with an @ias above 48
 * starts at level -1 at stage 1 (a root of 2..16 entries); stage 2
 * concatenates 2..16 level-0 tables instead. The 64K granule keeps its
 * own layout: @oas 52 puts bits [51:48] in descriptor bits [15:12]
 * (FEAT_LPA), and an @ias above 48 widens the level-1 root to up to 1024
 * entries (FEAT_LVA). 48-bit configurations are unchanged.
 * @pgsizes: the page, block and contiguous-run sizes map may use; the
 *           lowest set bit is the granule. 0 means the 4K granule with its
 *           page and block sizes (v7s: 4K, 64K, 1M, 16M).
 *
 * The start level follows from @ias (Arm ARM D8.2). Stage 2 concatenates up
 * to 16 tables at the start level wherever that saves a level, unless
 * @pgsizes asks for a block size that only a higher start level has (1G
 * blocks with the 4K granule and IAS 31..34): it then starts higher.
 * iopgt_get_stats() tells the level chosen.
 * @quirks:  IOPGT_QUIRK_* bits.
 * @mem, @sync, @tlb: the callbacks.
 */
struct iopgt_cfg {
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t pgsizes;
	uint32_t quirks;
	struct iopgt_mem mem;
	struct iopgt_sync sync;
	struct iopgt_tlb tlb;
};

/**
 * struct iopgt - one set of tables. Defined here so that callers can place
 * it anywhere (static storage, inside a domain structure); every member is
 * private to the library.
 */
struct iopgt {
	uint32_t magic_;
	uint8_t fmt_;
	uint8_t levels_;      /* levels walked (up to 5) */
	int8_t start_lvl_;    /* architectural number of the root's level (-1 .. 3) */
	uint8_t dshift_;      /* log2 of the descriptor size */
	uint8_t gshift_;      /* log2 of the granule */
	uint8_t stride_;      /* index bits of a non-root table */
	uint8_t root_bits_;   /* index bits of the root (concatenated tables included) */
	uint8_t ias_, oas_;
	uint8_t leaf_lvls_;   /* bit i: walk level i may hold leaves */
	uint16_t arch_lvls_;  /* bit i: the architecture allows leaves at walk level i;
			       * bit 8 + i: and contiguous runs of them */
	uint8_t contig_[5];   /* log2 entries of the contiguous run usable at level i, 0: none */
	uint8_t ds_;          /* long descriptors: the 52-bit (LPA2) layout, TCR.DS = 1 */
	uint8_t xlate_;       /* iopgt_translate(): which walk serves this object */
	uint32_t quirks_;
	uint64_t pgsizes_;
	uint64_t va_base_;    /* first iova (the TTBR1 base, or 0) */
	uint64_t oa_bits_;    /* long descriptors: the bits that hold output-address bits in place */
	uint32_t canon_one_[4], canon_mask_[4]; /* v7s: bits a leaf of each shape has */
	void *root_;
	uint64_t root_pa_;
	size_t root_size_;
	uint64_t table_bytes_;
	uint64_t tables_;
	struct iopgt_mem mem_;
	struct iopgt_sync sync_;
	struct iopgt_tlb tlb_;
	void *pins_;          /* IOPGT_QUIRK_CONCURRENT: the region pins */
	uint64_t pins_pa_;
	struct iopgt_hint_ {  /* the one-leaf fast paths' walk cache */
		void *tv;             /* the table last reached, NULL: none */
		uint64_t tpa;
		uint64_t region;      /* which span of the parent level it maps */
		const void *slot[4];  /* the table descriptors leading to it */
		uint64_t want[4];     /* and their values then */
		uint64_t leaf;        /* the leaf for output address 0 and prot */
		uint32_t prot;        /* 0: leaf not computed */
		uint32_t imask;       /* index mask of the table (roots: to 17 bits) */
		uint8_t wl, span;     /* its walk level; log2 of its span */
		uint8_t eshift;       /* log2 of the bytes an entry maps */
	} hint_;
};

/**
 * iopgt_init() - validate @cfg and allocate the root table.
 * @pt:  the object to initialise (any contents).
 * @cfg: the configuration; copied, need not outlive the call.
 *
 * The root's bytes are reported through cfg->sync before return.
 *
 * Return:
 * * IOPGT_OK
 * * IOPGT_ERR_INVAL  - @pt or @cfg NULL; unknown @fmt; @ias or @oas out of
 *   the format's range (see struct iopgt_cfg: AArch64 @ias above 52, @oas
 *   49..51 or above 52); @pgsizes whose lowest bit is
 *   no granule (4K, 16K, 64K) or holding a size that is no page, block or
 *   contiguous run of the granule at the levels the geometry has; unknown
 *   quirk bits; NO_SPLIT together with SPLIT_IN_PLACE; mem callbacks only
 *   partly given (alloc without free or the reverse, or phys_to_virt
 *   without alloc).
 * * IOPGT_ERR_NOTSUP - a quirk the format does not have (HW_DIRTY and
 *   HW_ACCESS: AArch64 only); HW_DIRTY or HW_ACCESS with sync.fn set (a
 *   non-coherent walker, see "Hardware updates"); MTK_EXT without
 *   NO_PERMS; a granule the format lacks (16K/64K outside AArch64); no
 *   allocator in a freestanding build; a root the allocator returned
 *   misaligned, beyond @oas (v7s: above 4 GiB) or not mapped back by
 *   phys_to_virt (it is given back at once).
 * * IOPGT_ERR_NOMEM  - the allocator failed (for the root, or for the
 *   IOPGT_CONCURRENT_BYTES that IOPGT_QUIRK_CONCURRENT needs).
 * On any error nothing is held and @pt is unusable: every later call on
 * it returns IOPGT_ERR_INVAL (iopgt_fini() does nothing); only a NULL @cfg
 * leaves @pt untouched.
 */
IOPGT_API int iopgt_init(struct iopgt *pt, const struct iopgt_cfg *cfg);

/**
 * iopgt_fini() - free every table. @pt may be NULL or already finished; the
 * object is then unusable: every later call on it returns IOPGT_ERR_INVAL
 * (as long as its memory was not reused). No sync or TLB hook is called:
 * the caller must have stopped the walker using these tables.
 *
 * Tables the library did not write: the tables freed are those reached
 * from the root through table descriptors. A descriptor whose address
 * phys_to_virt maps to NULL is not followed (whatever it pointed to is not
 * freed), nor one that points into the root or back to a table on its own
 * way down (a loop). Two descriptors pointing to one table cannot be told
 * from a tree without remembering every table: such a table is freed once
 * only because phys_to_virt returns NULL for memory already freed; with
 * the identity (no phys_to_virt, as with the built-in allocator) it is
 * freed twice. The same holds for the tables iopgt_unmap() frees.
 */
IOPGT_API void iopgt_fini(struct iopgt *pt);

/**
 * iopgt_map() - map [iova, iova + size) to [pa, pa + size).
 * @pt:   initialised tables.
 * @iova: granule-aligned input address.
 * @pa:   granule-aligned output address.
 * @size: a non-zero multiple of the granule.
 * @prot: IOPGT_* flags; READ or WRITE required.
 *
 * Each part is mapped with the largest size in pgsizes that the alignment
 * of iova and pa and the remaining size allow. All or nothing: on error the
 * tables are exactly as before and nothing leaks. At most two sync calls.
 *
 * Return:
 * * IOPGT_OK
 * * IOPGT_ERR_INVAL  - @pt NULL or not initialised; @iova, @pa or @size not
 *   granule-aligned; @size zero; @prot without READ and WRITE, or with bits
 *   that are not IOPGT_* (IOPGT_PROT_ALL).
 * * IOPGT_ERR_RANGE  - [iova, iova + size) wraps past 2^64 or leaves the
 *   input range ([0, 2^IAS), or [2^64 - 2^IAS, 2^64) with the TTBR1
 *   quirk); [pa, pa + size) wraps or reaches 2^OAS.
 * * IOPGT_ERR_EXIST  - part of the range is already mapped (a leaf, or a
 *   table descriptor where the range needs a block or run).
 * * IOPGT_ERR_NOMEM  - a table allocation (or that of the scratch array)
 *   failed.
 * * IOPGT_ERR_NOTSUP - the allocator returned table memory that is
 *   misaligned, beyond the OAS (v7s: above 4 GiB), or not mapped back by
 *   phys_to_virt (it is given back); v7s without MTK_EXT: a part above
 *   4 GiB that is not a 16M supersection (sections and pages hold 32-bit
 *   addresses).
 * * IOPGT_ERR_CORRUPT - a descriptor on the way holds an encoding the
 *   library never writes, points outside table memory (phys_to_virt
 *   returns NULL), or loops (into the root, or back to a table on the way).
 * When arguments are bad in several ways, which of their errors is
 * returned is not specified. On any error nothing was changed, nothing was
 * reported to sync.fn or the TLB hooks, and no memory is held.
 */
IOPGT_API int iopgt_map(struct iopgt *pt, uint64_t iova, uint64_t pa,
			uint64_t size, uint32_t prot);

/* Defined where iopgt_map_sg() exists (for code built against several
 * versions). */
#define IOPGT_HAVE_MAP_SG 1

/** struct iopgt_seg - one physical segment of iopgt_map_sg(). */
struct iopgt_seg {
	uint64_t pa, size;
};

/**
 * iopgt_map_sg() - map physical segments back to back from @iova.
 * @pt:   initialised tables.
 * @iova: granule-aligned input address of the first segment.
 * @segs: @n segments; segment k is mapped at @iova plus the sizes of the
 *        segments before it. Each pa and size is granule-aligned, each
 *        size non-zero.
 * @n:    number of segments, at least one.
 * @prot: IOPGT_* flags; READ or WRITE required.
 *
 * What dma_map_sg() needs of an IOMMU: one contiguous IOVA range over a
 * scattered list of pages. Each segment is mapped with the largest sizes in
 * pgsizes that the alignment of its own iova and pa and its remaining size
 * allow (a leaf never spans two segments). All or nothing over the whole
 * list, and at most two sync calls for the whole call, with the ranges of
 * every segment coalesced together. A list of one segment is iopgt_map().
 *
 * Return: as for iopgt_map(), for any segment; also IOPGT_ERR_INVAL for
 * @segs NULL or @n zero, and IOPGT_ERR_RANGE for a total size that wraps.
 * On any error nothing was changed.
 */
IOPGT_API int iopgt_map_sg(struct iopgt *pt, uint64_t iova, const struct iopgt_seg *segs,
			   size_t n, uint32_t prot);

/**
 * iopgt_unmap() - unmap whatever is mapped in [iova, iova + size).
 * @pt:   initialised tables.
 * @iova: granule-aligned input address.
 * @size: a non-zero multiple of the granule. Holes are fine.
 *
 * A block or contiguous run that straddles an edge is split: break-before-
 * make (invalidate, sync, TLB invalidate, then the new table or entries)
 * unless IOPGT_QUIRK_SPLIT_IN_PLACE. Tables the call empties are freed
 * after their descriptor was cleared, synced and covered by flush_walk.
 * When the call returns, TLB hooks have covered everything removed.
 *
 * Return:
 * * IOPGT_OK         - also when nothing was mapped in the range (then
 *   nothing is written or reported).
 * * IOPGT_ERR_INVAL  - @pt NULL or not initialised; @iova or @size not
 *   granule-aligned; @size zero.
 * * IOPGT_ERR_RANGE  - the range wraps or leaves the input range (as for
 *   map).
 * * IOPGT_ERR_BUSY   - a split was needed and IOPGT_QUIRK_NO_SPLIT is set.
 * * IOPGT_ERR_NOMEM  - the allocator failed: a split needed a table, or an
 *   unmap over many leaves needed its scratch array.
 * * IOPGT_ERR_NOTSUP - v7s: a split of a supersection whose output address
 *   is above 4 GiB (pages cannot hold it); bad table memory as for map.
 * * IOPGT_ERR_CORRUPT - as for map. A table that the unmap empties is
 *   dropped without reading the entries the range covers: a corrupt
 *   descriptor among them goes with it (its loops are not followed when
 *   the table is freed; see iopgt_fini()).
 * On any error nothing was changed.
 */
IOPGT_API int iopgt_unmap(struct iopgt *pt, uint64_t iova, uint64_t size);

/**
 * iopgt_compact() - form blocks and contiguous runs again in [iova, iova + size).
 * @pt:   initialised (or adopted) tables.
 * @iova: granule-aligned input address.
 * @size: a non-zero multiple of the granule.
 *
 * After a partial unmap split a block and the hole was mapped again, or
 * after pages were mapped one by one, tables may map what one larger leaf
 * could. Top down, so that the largest leaf wins (the result of compacting
 * bottom up, several levels in one call), inside the range:
 *  - an aligned group of entries that could be a contiguous run (pgsizes
 *    holds the run's size at their level) and is not one becomes one when
 *    its entries map one physically contiguous span, aligned to the run's
 *    size, with identical attributes; its entries may be leaves, or tables
 *    whose entries (and so on down) map their part so;
 *  - otherwise a table whose entries map its span so, aligned to it,
 *    becomes a block, if pgsizes holds that size at the table's parent
 *    level; a table that maps nothing (only an adopted tree holds one) is
 *    dropped;
 *  - the tables replaced are freed (iopgt_get_stats() tells the bytes).
 * Only groups and tables whose whole span lies inside the range are
 * replaced; every translation stays as it was. A new leaf has the
 * attributes of the leaves it replaces (those of one of them, which are
 * the same). The v7s format forms sections, supersections and large pages.
 * The walker's state (IOPGT_QUIRK_HW_DIRTY, _HW_ACCESS) is no attribute:
 * leaves that differ only in being dirty or young are compacted, and the
 * new leaf is dirty (young) when any leaf it replaces was, also by a mark
 * the walker made while the call ran; with these quirks compaction always
 * breaks before it makes, IOPGT_QUIRK_SPLIT_IN_PLACE or not (the marks on
 * what is replaced are final only once the walker can no longer reach it).
 *
 * Break-before-make: every entry replaced is made invalid in the first
 * sync.fn call, one flush_walk covers all of them (from the first to the
 * last span replaced), the tables go, and the second sync.fn call
 * publishes the new leaves: at most two sync calls, and between them the
 * range's replaced spans translation-fault. With
 * IOPGT_QUIRK_SPLIT_IN_PLACE the new leaves replace the entries at once
 * (one sync call), then the flush_walk, then the frees. Nothing to replace:
 * nothing is written or called. No table is allocated; the dirty ranges
 * are kept on the stack unless the range has more separate places to
 * change than that holds (about 25), in which case one scratch array is
 * allocated and freed before the call returns.
 *
 * With IOPGT_QUIRK_CONCURRENT the call runs alone: it waits until every
 * running call has returned and holds off new ones until it returns.
 *
 * Return:
 * * IOPGT_OK         - also when nothing was replaced.
 * * IOPGT_ERR_INVAL  - @pt NULL or not initialised; @iova or @size not
 *   granule-aligned; @size zero.
 * * IOPGT_ERR_RANGE  - the range wraps or leaves the input range (as for
 *   map).
 * * IOPGT_ERR_NOMEM  - the scratch array could not be allocated.
 * * IOPGT_ERR_CORRUPT - a descriptor the range reaches holds an encoding
 *   the library never writes, points outside table memory or loops, or a
 *   contiguous run whose entries disagree (as for iopgt_lookup()).
 * On any error nothing was changed, reported or freed.
 */
IOPGT_API int iopgt_compact(struct iopgt *pt, uint64_t iova, uint64_t size);

/**
 * iopgt_adopt() - take over live tables built elsewhere.
 * @pt:      the object to initialise (any contents).
 * @cfg:     the configuration the tables were built for; copied.
 * @root_pa: the walker address of the root table (with the built-in
 *           allocator, the CPU address).
 *
 * For a next stage that must keep a walker running on tables another
 * owner built: an object that let them go with iopgt_detach() (before a
 * kexec, a live update, a hand-over from firmware to a hypervisor), or an
 * image made by "iopgt gen". Every table reachable from @root_pa through
 * cfg->mem.phys_to_virt is checked, and then either the object takes the
 * whole tree (statistics counted, every later call works on it as on
 * tables it built, iopgt_fini() frees them) or nothing is taken. Checked:
 * each table's memory is aligned to its size (the root's size as
 * iopgt_init() allocates it: its entries, at least 64 bytes), lies below
 * the OAS (v7s: below 4 GiB) and is mapped back by phys_to_virt; no
 * descriptor holds a reserved encoding; table and leaf descriptors hold
 * nothing in their address fields but the address (LPAE: table
 * descriptors nothing but what the library writes, e.g. no APTable or
 * XNTable, NSTable as IOPGT_QUIRK_NS says); output addresses lie below
 * 2^OAS; contiguous runs start on their alignment and their entries
 * agree; the root's bytes past its entries hold no valid descriptor; no
 * descriptor loops (into the root, or back up its own way) and no table
 * is reached twice. Leaf attributes are taken as they are (a later split
 * or compaction copies them). Leaves of a size pgsizes leaves out are
 * kept; map never writes more of them.
 *
 * Nothing is written and no hook is called: no sync.fn call (the walker
 * has seen these tables already), no TLB hook. The tables' memory becomes
 * the object's: cfg->mem.free is called for each table the object drops
 * later (unmap, compact, fini) with the size the library uses for it, so
 * it must be memory that free accepts back: tables allocated through the
 * same allocator (or one that knows them, as an allocator holding a
 * loaded "iopgt gen" image may). Invalid descriptors may hold any bits.
 * To find a table reached twice the check collects the address of every
 * table: on the stack for up to 64 tables, otherwise in one array
 * allocated through cfg->mem and freed before the call returns.
 *
 * Return:
 * * IOPGT_OK
 * * IOPGT_ERR_INVAL, IOPGT_ERR_NOTSUP - @cfg as for iopgt_init(); @pt or
 *   @cfg NULL.
 * * IOPGT_ERR_NOMEM  - the scratch array, or IOPGT_QUIRK_CONCURRENT's
 *   IOPGT_CONCURRENT_BYTES, could not be allocated.
 * * IOPGT_ERR_CORRUPT - the root or any table fails one of the checks.
 * On any error nothing is held (the tables stay the caller's, untouched)
 * and @pt is unusable: every later call on it returns IOPGT_ERR_INVAL.
 */
IOPGT_API int iopgt_adopt(struct iopgt *pt, const struct iopgt_cfg *cfg, uint64_t root_pa);

/**
 * iopgt_detach() - let the tables go without freeing or changing them.
 * @pt:      initialised (or adopted) tables.
 * @root_pa: receives the walker address of the root table.
 *
 * The object forgets its tables: nothing is written, freed or reported,
 * no hook is called, and the walker goes on using them. The memory
 * IOPGT_QUIRK_CONCURRENT allocated at init is freed. The object is then
 * as after iopgt_fini(): every later call on it returns IOPGT_ERR_INVAL
 * (iopgt_fini() does nothing), until iopgt_init() or iopgt_adopt() makes
 * it new. Hand @root_pa and the configuration to the next owner, which
 * calls iopgt_adopt(). Needs the object to itself, as iopgt_fini() does.
 *
 * Return:
 * * IOPGT_OK
 * * IOPGT_ERR_INVAL  - @pt NULL or not initialised, or @root_pa NULL
 *   (then nothing is done).
 */
IOPGT_API int iopgt_detach(struct iopgt *pt, uint64_t *root_pa);

/** struct iopgt_mapping - one leaf (block, page or contiguous run). */
struct iopgt_mapping {
	uint64_t iova, pa, size;
	uint32_t prot;
};

/**
 * iopgt_lookup() - the leaf that translates @iova.
 * @pt:   initialised tables.
 * @iova: any input address.
 * @m:    filled on success: first address, output address, size and prot
 *        of the whole leaf; the output address of @iova is
 *        m->pa + (iova - m->iova).
 *
 * Return:
 * * IOPGT_OK
 * * IOPGT_ERR_INVAL  - @pt or @m NULL, or @pt not initialised.
 * * IOPGT_ERR_RANGE  - @iova outside the input range.
 * * IOPGT_ERR_NOENT  - nothing is mapped at @iova.
 * * IOPGT_ERR_CORRUPT - a reserved encoding, a descriptor pointing outside
 *   table memory or looping (as for iopgt_map()), or a contiguous run
 *   whose entries disagree.
 */
IOPGT_API int iopgt_lookup(const struct iopgt *pt, uint64_t iova, struct iopgt_mapping *m);

/* Defined where iopgt_translate() exists. */
#define IOPGT_HAVE_TRANSLATE 1

/**
 * iopgt_translate() - the output address of @iova, and nothing else.
 * @pt:   initialised tables.
 * @iova: any input address.
 * @pa:   set on success to the output address of @iova itself.
 *
 * The lean question of a DMA path (Linux's iova_to_phys()): the walk
 * iopgt_lookup() makes, without describing the leaf, and with the checks
 * the walker's own answer needs. Within a contiguous run it uses the entry
 * that holds @iova, as the walker does, and does not check that the run's
 * other entries agree. It checks the encodings the walker would refuse,
 * not whether a leaf's attributes are ones the library writes. Of the
 * loops a corrupt tree can hold it refuses those that could make it read
 * past the root's end (into a root smaller than a table), not those the
 * walk's bound on levels keeps inside table memory (iopgt_lookup() checks
 * all of these).
 *
 * Return:
 * * IOPGT_OK
 * * IOPGT_ERR_INVAL  - @pt or @pa NULL, or @pt not initialised.
 * * IOPGT_ERR_RANGE  - @iova outside the input range.
 * * IOPGT_ERR_NOENT  - nothing is mapped at @iova.
 * * IOPGT_ERR_CORRUPT - a reserved encoding (v7s: also a table descriptor
 *   other than the library's, whose domain the walker would fault on), a
 *   descriptor pointing outside table memory, or a loop as said above.
 */
IOPGT_API int iopgt_translate(const struct iopgt *pt, uint64_t iova, uint64_t *pa);

/**
 * struct iopgt_leaf - a leaf as iopgt_walk() reports it.
 * @m:       the mapping, as iopgt_lookup() describes it.
 * @level:   the architectural level of the descriptor (AArch64 0..3,
 *           AArch32 LPAE 1..3, v7s 1..2; level -1 holds no leaves).
 * @entries: descriptors making up the leaf: 1, or the contiguous run's
 *           length (v7s: 16 for a supersection or large page).
 * @desc:    the first descriptor's raw value.
 */
struct iopgt_leaf {
	struct iopgt_mapping m;
	unsigned level;
	unsigned entries;
	uint64_t desc;
};

/** iopgt_leaf_fn - called by iopgt_walk() per leaf; non-zero stops the walk. */
typedef int (*iopgt_leaf_fn)(void *ctx, const struct iopgt_leaf *leaf);

/**
 * iopgt_walk() - call @fn for each leaf that intersects [iova, iova + size),
 * in ascending iova order.
 * @size: bytes; 0 means the whole input range.
 *
 * @iova and @size need no alignment: every leaf that holds one of the
 * bytes is reported whole. @size 0 ignores @iova.
 *
 * Return:
 * * IOPGT_OK, or the first non-zero value @fn returned.
 * * IOPGT_ERR_INVAL  - @pt or @fn NULL, @pt not initialised.
 * * IOPGT_ERR_RANGE  - the range wraps or leaves the input range.
 * * IOPGT_ERR_CORRUPT - as for iopgt_lookup() (leaves before the bad
 *   descriptor have been reported).
 */
IOPGT_API int iopgt_walk(const struct iopgt *pt, uint64_t iova, uint64_t size,
			 iopgt_leaf_fn fn, void *ctx);

/**
 * iopgt_format_leaf() - one line of text describing @leaf, for dumps: the
 * IOVA range, the output address, the size, the level, "contiguous xN"
 * for a run of N entries ("replicated xN" for v7s), "read", "write",
 * "exec" or "noexec", "device", "cacheable" or "non-cacheable", at stage 1
 * "privileged" or "unprivileged", and the descriptor. An AArch64 stage-1 4K
 * page at IOVA 0x1000 mapped to 0x80000000 with IOPGT_READ | IOPGT_WRITE |
 * IOPGT_CACHE reads
 *   0x1000-0x1fff -> 0x80000000 4K level 3 read write exec cacheable unprivileged desc 0x80000f47
 * @pt:  the tables @leaf came from, or NULL (then the text leaves out
 *       "privileged"/"unprivileged", and a run reads "contiguous").
 * @buf: at least 160 bytes; always NUL-terminated when @len is not 0.
 * Return: the length written (without the NUL), less than @len; 0 when
 * @buf is NULL or @len is 0 (nothing written), or @leaf is NULL (@buf then
 * holds "").
 */
IOPGT_API size_t iopgt_format_leaf(const struct iopgt *pt, const struct iopgt_leaf *leaf,
				   char *buf, size_t len);

/**
 * iopgt_dump() - call @print once per leaf with iopgt_format_leaf()'s line.
 * Return: as iopgt_walk() over the whole input range; IOPGT_ERR_INVAL also
 * for @print NULL.
 */
IOPGT_API int iopgt_dump(const struct iopgt *pt, void (*print)(void *ctx, const char *line),
			 void *ctx);

/* Flags of iopgt_read_and_clear_dirty() and iopgt_test_and_clear_young(). */
#define IOPGT_TRACK_NO_CLEAR (1u << 0) /* report only, leave the state as it is */

/**
 * iopgt_span_fn - one span [iova, iova + size) that a tracking call
 * reports: whole leaves, adjacent ones together.
 */
typedef void (*iopgt_span_fn)(void *ctx, uint64_t iova, uint64_t size);

/**
 * iopgt_read_and_clear_dirty() - report the dirty leaves of a range and
 * make them clean again.
 * @pt:    tables initialised with IOPGT_QUIRK_HW_DIRTY.
 * @iova:  granule-aligned input address.
 * @size:  a non-zero multiple of the granule.
 * @flags: 0, or IOPGT_TRACK_NO_CLEAR to report without cleaning.
 * @fn:    called with each dirty span, in ascending iova order: whole leaves
 *         (a block or contiguous run is reported whole, also where it
 *         reaches outside the range), adjacent dirty leaves in one call, so
 *         that no two spans of one call touch.
 * @ctx:   passed to @fn.
 *
 * A leaf is dirty when the walker wrote through it since it was mapped or
 * last cleaned: its write permission was granted by the walker (stage 1
 * AP[2] = 0, stage 2 S2AP[1] = 1, with DBM). A contiguous run is dirty when
 * any of its entries is: the walker may mark any one of them. A leaf that
 * an unmap's split leaves behind has the state of the leaf it came from (a
 * dirty block split into pages leaves every page dirty).
 *
 * Unless @flags has IOPGT_TRACK_NO_CLEAR, each dirty descriptor is made
 * writable-clean with an atomic compare-and-swap, retried with the value
 * found when the walker changed the descriptor in between (its update is
 * kept; a write after the clean makes the leaf dirty again for the next
 * call); every entry of a dirty run is cleaned. Their TLB entries are then
 * invalidated with flush_leaf (one call per span of adjacent leaves of one
 * size), and only after that is @fn called for them: data copied in @fn or
 * after the call is at least as new as the clean. No sync.fn call is made
 * (the quirk needs sync.fn NULL). The Access flag is left as it is.
 *
 * With IOPGT_QUIRK_CONCURRENT the call counts as a call on its range,
 * widened to the leaves it reports (see "Threads" at the top of this file):
 * it may run at once with map, unmap, lookup, walk and tracking calls on
 * disjoint ranges.
 *
 * Return:
 * * IOPGT_OK
 * * IOPGT_ERR_INVAL  - @pt NULL or not initialised; @fn NULL; @flags with
 *   other bits than IOPGT_TRACK_NO_CLEAR; @iova or @size not
 *   granule-aligned; @size zero.
 * * IOPGT_ERR_RANGE  - the range wraps or leaves the input range (as for
 *   iopgt_map()).
 * * IOPGT_ERR_NOTSUP - @pt was initialised without IOPGT_QUIRK_HW_DIRTY; so
 *   always for AArch32 LPAE and v7s, whose walkers do not manage the dirty
 *   state.
 * * IOPGT_ERR_CORRUPT - as for iopgt_lookup(). The spans before the bad
 *   descriptor have been cleaned, invalidated and reported; nothing after
 *   it was touched.
 */
IOPGT_API int iopgt_read_and_clear_dirty(struct iopgt *pt, uint64_t iova, uint64_t size,
					 uint32_t flags, iopgt_span_fn fn, void *ctx);

/**
 * iopgt_test_and_clear_young() - report the leaves of a range that the
 * walker accessed, and make them old again.
 * @pt:    tables initialised with IOPGT_QUIRK_HW_ACCESS.
 * @iova, @size, @flags, @fn, @ctx: as for iopgt_read_and_clear_dirty().
 *
 * A leaf is young when its Access flag is set: the walker translated
 * through it since it was mapped or made old (a contiguous run: when the
 * flag of any of its entries is set). Unless IOPGT_TRACK_NO_CLEAR, the flag
 * is cleared in each young descriptor with a compare-and-swap (retried as
 * above), the TLB entries are invalidated with flush_leaf, then @fn is
 * called; the dirty state is left as it is. Everything else as for
 * iopgt_read_and_clear_dirty().
 *
 * Return: as iopgt_read_and_clear_dirty(), with IOPGT_ERR_NOTSUP when @pt
 * was initialised without IOPGT_QUIRK_HW_ACCESS.
 */
IOPGT_API int iopgt_test_and_clear_young(struct iopgt *pt, uint64_t iova, uint64_t size,
					 uint32_t flags, iopgt_span_fn fn, void *ctx);

/** struct iopgt_regs - register values for the walker; see iopgt_get_regs(). */
struct iopgt_regs {
	uint64_t ttbr, tcr, mair;
	uint64_t vttbr, vtcr;
	uint32_t prrr, nmrr;
};

/**
 * iopgt_get_regs() - the register values that make a walker use the tables.
 * Stage 1: ttbr, tcr, mair (AArch64: TTBR0_EL1/TCR_EL1/MAIR_EL1 layouts,
 * the unused half's walks disabled; AArch32 LPAE: TTBR0, TTBCR with EAE,
 * MAIR1 << 32 | MAIR0; v7s: TTBR0, TTBCR = 0, 0, and prrr/nmrr for TEX
 * remap). Stage 2: vttbr, vtcr (VTTBR_EL2/VTCR_EL2 layouts, or VTTBR/VTCR).
 * Hardware updates: TCR_EL1.HA (bit 39) / VTCR_EL2.HA (bit 21) with
 * IOPGT_QUIRK_HW_ACCESS or _HW_DIRTY, HD (bit 40 / bit 22) with
 * IOPGT_QUIRK_HW_DIRTY; 0 otherwise.
 * 52-bit configurations (see struct iopgt_cfg): TCR_EL1.DS (bit 59) /
 * VTCR_EL2.DS (bit 32) for the LPA2 layout of the 4K and 16K granules,
 * whose SH0 (and SH1) then also give the shareability of the memory the
 * leaves map; IPS/PS 0b110 for an OAS of 52; T0SZ down to 12; VTCR_EL2.SL0
 * 0b11 for the 16K granule's level 0, SL2 (bit 33) always 0 (stage 2 never
 * starts at level -1); TTBR/VTTBR hold the root's bits [51:48] in bits
 * [5:2] whenever the layout can address them.
 * Members that do not apply are 0. @pt uninitialised, finished or NULL:
 * all zero. @regs NULL: nothing is done.
 */
IOPGT_API void iopgt_get_regs(const struct iopgt *pt, struct iopgt_regs *regs);

/** struct iopgt_stats - what iopgt_get_stats() reports. */
struct iopgt_stats {
	uint64_t table_bytes; /* table memory held, the root included */
	uint64_t tables;      /* tables held, the root counted once */
	uint64_t granule;     /* bytes */
	unsigned levels;      /* levels walked (1..5) */
	int start_level;      /* architectural level of the root: -1 (AArch64, 4K granule,
			       * stage 1, IAS above 48) to 3 */
	unsigned root_entries;/* entries in the root (concatenated tables included) */
};

/**
 * iopgt_get_stats() - table memory and geometry.
 * Return: IOPGT_OK, or IOPGT_ERR_INVAL for NULL, uninitialised or finished
 * @pt, or NULL @st.
 */
IOPGT_API int iopgt_get_stats(const struct iopgt *pt, struct iopgt_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* IOPGT_IOPGT_H */
