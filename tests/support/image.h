/* SPDX-License-Identifier: MIT */
/*
 * tests/support/image.h - the test harness around one struct iopgt: the
 * test allocator, the reference model, the TLB recorder and the walker
 * image, the dirty-range checker that enforces the dirty-range contract
 * (docs/guide.md, section 3; the clauses below are its numbered ones).
 *
 * The image is the walker's view of table memory: every new allocation
 * starts there as random bytes (independent of what the CPU sees), and the
 * only way bytes get into it is a sync.fn call. After each sync.fn call the
 * checker verifies that the ranges are sorted, disjoint, not adjacent,
 * inside live tables, that every reported descriptor changed (clause 3),
 * that a table is complete in the image before a descriptor pointing to it
 * appears (clause 2), and that IOVAs outside the operation still translate
 * as before (clause 2, with the break-before-make exception for a split
 * unless IOPGT_QUIRK_SPLIT_IN_PLACE). When the operation returns it checks
 * that the image equals the CPU tables (clause 1), the number of sync calls
 * (clause 4), that every removed translation was covered by a TLB flush
 * made after the sync call that removed it, that frees came after the
 * unlink, its sync and a flush_walk/flush_all (clause 5), and on error that
 * nothing changed and nothing leaked.
 *
 * Usage (any format; the walker is refwalk_lpae or refwalk_v7s by cfg.fmt):
 *   static struct th h;                 // large: keep it off small stacks
 *   struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARM64_S1, .ias = 48, .oas = 48 };
 *   assert_int_equal(th_init(&h, &cfg, NULL, seed), IOPGT_OK);
 *   assert_int_equal(th_map(&h, iova, pa, size, IOPGT_READ), IOPGT_OK);
 *   assert_int_equal(th_unmap(&h, iova, size), IOPGT_OK);
 *   th_check_all(&h);                   // model vs lookup, iopgt_walk, refwalk
 *   th_fini(&h);                        // iopgt_fini + leak check
 * cfg.mem/sync/tlb are replaced by the harness' hooks (sync left NULL with
 * th_opts.coherent, for the hardware-update quirks). th_map/th_unmap
 * return the library's result after checking it against the model (EXIST
 * exactly when the model overlaps); the model follows successful calls.
 * h.log holds what the last th_map/th_unmap (or th_init) reported: every
 * range of every sync call and every allocation, for tests that expect
 * exact ranges; h.op.syncs and h.op.nfl count its sync calls and flushes.
 */
#ifndef IOPGT_TEST_IMAGE_H
#define IOPGT_TEST_IMAGE_H

#include "model.h"
#include "refwalk.h"
#include "tmem.h"

struct th;

typedef int (*th_walk_fn)(struct th *h, bool image, uint64_t iova, struct refwalk_result *r);

struct th_opts {
	uint64_t pa_base;     /* 0: 2^(oas - 1) (2^31 for 32-bit output and v7s) */
	unsigned samples;     /* random IOVAs checked at each sync call (default 6) */
	unsigned check_every; /* th_check_all every n operations (0: default 64, ~0u: never) */
	bool no_garbage;      /* allocator memory starts zeroed */
	bool no_tlb;          /* leave cfg.tlb NULL (and skip TLB checks) */
	unsigned tlb_hooks;   /* which hooks to set: bit 0 flush_all, 1 flush_walk, 2 flush_leaf
			       * (0: all); flush_all is always needed for the checks */
	/* called from the harness' allocator and TLB hooks, in the middle of
	 * the library's calls, after the harness' own bookkeeping (@what:
	 * TH_HOOK_*; iova, size, granule: those of a flush) */
	void (*hook)(void *ctx, int what, uint64_t iova, uint64_t size, size_t granule);
	void *hook_ctx;
	bool coherent;        /* leave cfg.sync NULL: the walker reads the CPU's tables (no
			       * image, no sync checks; freed tables must be unreachable
			       * and covered by a flush_walk of their call) */
};

enum { TH_HOOK_FLUSH_ALL, TH_HOOK_FLUSH_WALK, TH_HOOK_FLUSH_LEAF, TH_HOOK_ALLOC };

struct th_flush {
	uint64_t seq, first, last;
	int kind;             /* 0 flush_all, 1 flush_walk, 2 flush_leaf */
	size_t granule;
};

struct th_event {             /* a translation removed from the image */
	uint64_t first, last, seq;
	bool table;           /* a table descriptor (needs flush_walk/flush_all) */
};

struct th_bbm {               /* a live descriptor made invalid in this op */
	uint64_t slot_pa, first, last, seq;
};

struct th_sample {
	uint64_t iova, pa;
	uint32_t prot;
	int st;
	bool straddle;        /* its leaf is partly inside the op: may be split */
};

/* One range of a sync call, as the library reported it. */
struct th_range {
	uint64_t pa;
	size_t len;
	unsigned call;        /* which sync call of the operation, from 0 */
};

/* One allocation, as the library asked for it. */
struct th_alloc {
	size_t size, align;
};

/* Self-test of the checker: corrupt what the library reports (image.c). */
enum th_mutation {
	TH_MUT_NONE = 0,
	TH_MUT_DROP_LAST,       /* drop the last range of each sync call */
	TH_MUT_SPLIT_ADJACENT,  /* split a range in two adjacent ones */
	TH_MUT_EXTEND,          /* report one more (unchanged) descriptor */
	TH_MUT_DROP_FIRST_CALL, /* lose the first sync call of an op */
	TH_MUT_DROP_FLUSHES,    /* lose every TLB flush */
	TH_MUT_TOUCH_OUTSIDE,   /* also change a leaf outside the op (read-only) */
};

struct th {
	struct iopgt pt;
	enum th_mutation mutate;
	struct iopgt_cfg cfg;
	struct th_opts o;
	struct tmem mem;
	struct model md;
	struct iopgt_regs regs;
	struct trng rng;
	uint64_t seed;
	th_walk_fn walk;
	uint32_t (*norm)(const struct th *h, uint32_t prot); /* prot lookup reports for map's prot */

	/* geometry for following table descriptors in the image */
	unsigned dsize;
	int start_level, last_level; /* architectural levels (-1: 4K with LPA2) */
	unsigned eshift_[6];          /* by level + 1: th_eshift() */
	struct refwalk_lpae_geom lg;
	uint64_t base, granule, range_last; /* input range [base, range_last] */

	bool live, root_known, finishing;
	uint64_t pin_bytes;   /* IOPGT_QUIRK_CONCURRENT: the allocation that is no table */
	uint64_t seq;         /* sequence of sync, flush and free events */
	uint64_t ops;

	struct {
		bool active, unmap;
		uint64_t first, last;
		uint64_t seq0;        /* h->seq when the op began */
		unsigned syncs, splits;
		bool touched_old;
		uint64_t bytes_before, allocs_before;
		struct th_event *ev;
		size_t nev, cap_ev;
		struct th_flush *fl;
		size_t nfl, cap_fl;
		struct th_bbm *bbm;
		size_t nbbm, cap_bbm;
		struct th_sample smp[64];
		size_t nsmp;
	} op;

	struct {              /* since the last op began (or th_init) */
		struct th_range *rg;
		size_t nrg, cap_rg;
		unsigned calls;       /* sync calls, th_init's too */
		struct th_alloc *al;
		size_t nal, cap_al;
	} log;

	void *chg, *mut_buf;  /* scratch of the sync checker */
	size_t cap_chg, cap_mut;

	/* totals, for reports */
	uint64_t syncs_total, ranges_total, bytes_synced, flushes_total, splits_seen;
};

int th_init(struct th *h, const struct iopgt_cfg *cfg, const struct th_opts *o, uint64_t seed);
void th_fini(struct th *h);
/* Free the harness' own bookkeeping only (after a caught check failure
 * left the library mid-call; tmem_release_all() frees the tables). */
void th_release(struct th *h);
int th_map(struct th *h, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot);
int th_unmap(struct th *h, uint64_t iova, uint64_t size);
/* iopgt_map_sg(), checked as th_map() checks a map of the whole range. */
int th_map_sg(struct th *h, uint64_t iova, const struct iopgt_seg *segs, size_t n, uint32_t prot);
/* iopgt_compact() under the checker: at most two sync calls, every
 * translation as before (the model's chunks merged by th_key()). */
int th_compact(struct th *h, uint64_t iova, uint64_t size);
/* What a leaf's attributes are for prot: h->norm(), and for the
 * long-descriptor formats whether MMIO came with CACHE (SH follows CACHE
 * even for Device memory, as in Linux): leaves with equal keys are one
 * leaf's parts. */
uint64_t th_key(const void *h, uint32_t prot);

/* Full consistency: iopgt_walk, iopgt_lookup, refwalk of the CPU tables and
 * of the image against the model; stats against the allocator. */
void th_check_all(struct th *h);
/* One IOVA: lookup and both refwalks against the model. */
void th_check_iova(struct th *h, uint64_t iova);

/* Walk the CPU tables (image false) or the walker's image (image true). */
int th_walk(struct th *h, bool image, uint64_t iova, struct refwalk_result *r);
/* refwalk_read_fn readers; ctx = struct th *. */
int th_read_cpu(void *ctx, uint64_t pa, unsigned len, uint64_t *val);
int th_read_image(void *ctx, uint64_t pa, unsigned len, uint64_t *val);
/* The raw descriptor (CPU view) at walker address @pa. */
uint64_t th_desc(struct th *h, uint64_t pa);

/* The default normalisation: S1 WRITE implies READ, S2 ignores PRIV, MMIO
 * overrides CACHE; v7s leaves are always readable, and read and write
 * everything with IOPGT_QUIRK_NO_PERMS. */
uint32_t th_norm_default(const struct th *h, uint32_t prot);

/* The page, block and contiguous sizes a long-descriptor configuration can
 * produce (sizes <= 2^ias at levels >= the start level the Arm ARM gives
 * for @ias); @gran the granule. */
uint64_t th_lpae_sizes(enum iopgt_fmt fmt, uint64_t gran, unsigned ias, unsigned oas);
/* The same for a root at architectural level @start (stage 2 may start
 * deeper, with concatenated tables). */
uint64_t th_lpae_sizes_from(uint64_t gran, unsigned ias, unsigned oas, int start);

/* log2 of the bytes an entry at architectural @level translates */
static inline unsigned th_eshift(const struct th *h, int level)
{
	return h->eshift_[level + 1];
}

#endif
