/* SPDX-License-Identifier: MIT */
/*
 * lib/internal.h - what every file of the core shares: the object's state
 * tests, the geometry of a format's walk, and the functions one station of
 * the data path offers the others.
 *
 * The stations, in the order data flows (docs/guide.md, "Reading the code"):
 *
 *   api.c         the public calls: argument checks, then routing
 *   fastpath.c    one-leaf map and unmap: the walk cache, a single descent
 *   map.c         map: the prepare and commit passes
 *   unmap.c       unmap: splits, emptied tables
 *   compact.c     compaction: tables and entries re-formed into blocks and runs
 *   handover.c    adoption: a tree built elsewhere checked whole
 *   read.c        lookup and the leaf iterator
 *   track.c       dirty and access tracking (IOPGT_QUIRK_HW_*)
 *   concurrent.c  IOPGT_QUIRK_CONCURRENT: pins, edge tables, reaping
 *   codec.h       descriptors: the format families' codecs behind one
 *                 interface (codec_lpae.h, codec_v7s.h), descriptor access
 *   table.[ch]    table memory: allocation, statistics, following a link
 *   publish.[ch]  the operation's records, the one store helper family, and
 *                 the only calls of sync.fn, the TLB hooks and mem.free
 *   lpae.c, v7s.c configuration checks, geometry and registers per format
 *   format.c      text without a C library; hosted.c the built-in allocator
 *
 * Walk levels are numbered from the root: walk level 0 is the root table,
 * walk level levels_-1 holds pages. The architectural level of walk level i
 * is start_lvl_ + i.
 */
#ifndef IOPGT_INTERNAL_H
#define IOPGT_INTERNAL_H

#include "iopgt/iopgt.h"

#define IOPGT_MAGIC 0x69706774u /* "iopt" while initialised */
#define IOPGT_DEAD  0x64656164u /* after iopgt_fini */
#define IOPGT_MAXLVL 5

/* Attributes are spelled with underscores: a kernel build defines
 * "noinline" and "always_inline" as macros. */
#if defined(__GNUC__)
#define IOPGT_INLINE static inline __attribute__((__always_inline__))
#define IOPGT_NOINLINE __attribute__((__noinline__))
#else
#define IOPGT_INLINE static inline
#define IOPGT_NOINLINE
#endif

#define BIT64(n) ((uint64_t)1 << (n))
#define MASK64(hi, lo) (((~(uint64_t)0) >> (63 - (hi))) & ~(BIT64(lo) - 1))

static inline bool pt_live(const struct iopgt *pt)
{
	return pt && pt->magic_ == IOPGT_MAGIC;
}

IOPGT_INLINE bool pt_is_v7s(const struct iopgt *pt)
{
	return pt->fmt_ == IOPGT_FMT_ARMV7S;
}

IOPGT_INLINE bool pt_is_s2(const struct iopgt *pt)
{
	return pt->fmt_ == IOPGT_FMT_ARM64_S2 || pt->fmt_ == IOPGT_FMT_ARM32_S2;
}

IOPGT_INLINE bool pt_conc(const struct iopgt *pt)
{
	return pt->quirks_ & IOPGT_QUIRK_CONCURRENT;
}

/*
 * Geometry: the same formulas for every format (v7s: a 12-bit root of
 * 1 MiB entries, 8-bit tables of 4 KiB entries).
 */

/* log2 of the bytes one entry at walk level @wl translates */
IOPGT_INLINE unsigned lvl_shift(const struct iopgt *pt, unsigned wl)
{
	return pt->gshift_ + pt->stride_ * (pt->levels_ - 1 - wl);
}

/* index bits of a table at walk level @wl */
IOPGT_INLINE unsigned lvl_bits(const struct iopgt *pt, unsigned wl)
{
	return wl == 0 ? pt->root_bits_ : pt->stride_;
}

/* bytes of a (non-root) table at walk level @wl */
IOPGT_INLINE size_t tbl_size(const struct iopgt *pt, unsigned wl)
{
	return (size_t)1 << (lvl_bits(pt, wl) + pt->dshift_);
}

IOPGT_INLINE unsigned lvl_index(const struct iopgt *pt, unsigned wl, uint64_t iova)
{
	return (unsigned)((iova >> lvl_shift(pt, wl)) & (BIT64(lvl_bits(pt, wl)) - 1));
}

/* Descriptor classes the codecs tell apart (codec.h). */
enum dkind {
	D_INVALID = 0, /* translation fault: bit 0 (LPAE) / type bits clear */
	D_TABLE,       /* points to a next-level table */
	D_LEAF,        /* block or page (maybe one entry of a run) */
	D_BAD,         /* a reserved encoding, or one the library never writes */
};

/* ---- what the stations offer each other ---------------------------- */

/* fastpath.c: one-leaf calls first, the passes otherwise (@off: from va_base_) */
int fast_map(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot);
int fast_unmap(struct iopgt *pt, uint64_t off, uint64_t size);
/* the single descents alone: 1 when the request is not of one leaf's shape */
int fast_map_walk(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot);
int fast_unmap_walk(struct iopgt *pt, uint64_t off, uint64_t size, const void **tvp);
void hint_clear(struct iopgt *pt);

/* map.c, unmap.c: the two passes */
int map_passes(struct iopgt *pt, uint64_t off, uint64_t size, const struct iopgt_seg *segs,
	       size_t n, uint32_t prot);
struct op;
int unmap_passes(struct iopgt *pt, uint64_t off, uint64_t size, struct op *op);

/* compact.c: the passes of iopgt_compact() */
int compact_passes(struct iopgt *pt, uint64_t off, uint64_t size);

/* handover.c: check the tree at @root_pa whole and take it (root_, stats) */
int adopt_tree(struct iopgt *pt, uint64_t root_pa);

/* read.c */
int read_lookup(const struct iopgt *pt, uint64_t off, struct iopgt_mapping *m, bool conc);
int read_translate(const struct iopgt *pt, uint64_t off, uint64_t *pa);
/* the walk read_translate() uses for @pt (configured: family, granule, mem,
 * IOPGT_QUIRK_CONCURRENT) */
uint8_t read_xlate_pick(const struct iopgt *pt);
int read_walk(const struct iopgt *pt, uint64_t off, uint64_t size, iopgt_leaf_fn fn, void *ctx);

/* track.c: the tracking calls (@young: the Access flag, else dirty) */
int track_range(const struct iopgt *pt, uint64_t off, uint64_t size, bool young, uint32_t flags,
		iopgt_span_fn fn, void *ctx);

/* concurrent.c */
#define IOPGT_PIN_BYTES IOPGT_CONCURRENT_BYTES
int conc_map(struct iopgt *pt, uint64_t off, uint64_t size, const struct iopgt_seg *segs, size_t n,
	     uint32_t prot);
int conc_unmap(struct iopgt *pt, uint64_t off, uint64_t size);
int conc_lookup(const struct iopgt *pt, uint64_t off, struct iopgt_mapping *m);
int conc_translate(const struct iopgt *pt, uint64_t off, uint64_t *pa);
int conc_walk(const struct iopgt *pt, uint64_t off, uint64_t size, iopgt_leaf_fn fn, void *ctx);
int conc_compact(struct iopgt *pt, uint64_t off, uint64_t size);
int conc_track(const struct iopgt *pt, uint64_t off, uint64_t size, bool young, uint32_t flags,
	       iopgt_span_fn fn, void *ctx);
int conc_alloc_pins(struct iopgt *pt);
void conc_free_pins(struct iopgt *pt);

/* table.c */
int table_alloc_root(struct iopgt *pt);
void table_free_all(struct iopgt *pt);

/* lpae.c, v7s.c: configuration checks and geometry, register values */
int lpae_configure(struct iopgt *pt, const struct iopgt_cfg *cfg);
int v7s_configure(struct iopgt *pt, const struct iopgt_cfg *cfg);
void lpae_get_regs(const struct iopgt *pt, struct iopgt_regs *regs);
void v7s_get_regs(const struct iopgt *pt, struct iopgt_regs *regs);

/* hosted.c: the built-in allocator; absent in freestanding builds */
#if IOPGT_HOSTED
/* Does the built-in allocator carve blocks from chunks it keeps (not under
 * AddressSanitizer: hosted.c)? How many chunks of blocks of @size it holds
 * (white-box tests). */
bool iopgt_hosted_keeps(void);
size_t iopgt_hosted_chunks(size_t size);
void *iopgt_hosted_alloc(void *ctx, size_t size, size_t align, uint64_t *pa);
void iopgt_hosted_free(void *ctx, void *va, uint64_t pa, size_t size);
#endif

/* format.c: text without a C library */
size_t fmt_str(char *buf, size_t len, size_t pos, const char *s);
size_t fmt_hex(char *buf, size_t len, size_t pos, uint64_t v);
size_t fmt_size(char *buf, size_t len, size_t pos, uint64_t v);

#endif /* IOPGT_INTERNAL_H */
