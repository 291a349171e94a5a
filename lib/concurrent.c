/* SPDX-License-Identifier: MIT */
/*
 * lib/concurrent.c - concurrent calls (IOPGT_QUIRK_CONCURRENT): pins, edge
 * tables installed before the passes, and emptied tables freed after them.
 *
 * A last-level table belongs to a region: the span of the one parent entry
 * that links it. A call pins every region its range reaches: reader-writer
 * counters, hashed by region into 64 buckets a cache line apart (a range
 * over 64 regions or more takes every bucket). Map, unmap, lookup and walk
 * take their pins shared; only the code that frees an emptied table takes
 * pins exclusively: the table's own bucket for a last-level table, every
 * bucket for a table above (rare: it empties only after all its
 * last-level tables went).
 *
 *  - No table is freed while a call that may reach it runs, even a call
 *    whose range overlaps (the caller's bug): a call that reaches a
 *    last-level table holds its region shared, and every call holds some
 *    bucket shared, which freeing a higher table needs exclusively.
 *  - Only tables that straddle an edge of a call's range can be reached
 *    by another call whose range is disjoint; those are where the passes
 *    could meet another call's changes.
 *  - Tables on the edges are installed before the two passes run, with a
 *    compare-and-swap on the parent entry; the loser frees its (never
 *    linked) table and walks into the winner's. The passes then see a
 *    structure no other call changes inside their range.
 *  - A table that a call empties is freed afterwards: with the pins taken
 *    exclusively, the table is checked again and freed only if still
 *    empty. Two calls that empty one table each check after a sequentially
 *    consistent fence, so at least one of them sees it empty.
 *  - Visible on return: a map reports once more the table descriptors on
 *    its edges that are not marked as synced (LPAE: software bit 55, set
 *    once the installing call's sync returned; v7s has no such bit), since
 *    another call may have installed one and not yet had it synced.
 * Buckets are taken in increasing address order, shared or exclusive, so
 * no cycle of waits can form. A call waits only while another call frees a
 * table in one of its regions.
 *
 * Emptied tables are freed by two mechanisms, and they stay two. The
 * passes (unmap.c) drop a table they empty from its parent in the same
 * call, which is right when no other call can reach it: any table that
 * lies inside the range, and with one call at a time every table. A table
 * that straddles an edge of the range can be reached by another call at
 * the same time, which may be about to link a leaf into it; whether it is
 * empty is only known after the passes, with its pins held exclusively
 * (edge_reap() here). The plain path does not pay for that second look.
 */
#include "publish.h"

#define PIN_SLOTS  64u          /* hash buckets */
#define PIN_STRIDE 16u          /* 32-bit words per bucket: 64 bytes */
#define PIN_EXCL   0x80000000u

_Static_assert(PIN_SLOTS * PIN_STRIDE * 4 == IOPGT_PIN_BYTES, "pin array size");

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

static inline unsigned pin_hash(uint64_t region)
{
	return (unsigned)((region * 0x9e3779b97f4a7c15ull) >> 58);
}

static inline uint64_t pin_region(const struct iopgt *pt, uint64_t off)
{
	return off >> lvl_shift(pt, pt->levels_ - 2u);
}

/* the pin of the region of the last-level table that translates @off */
static inline uint32_t *pin_of(const struct iopgt *pt, uint64_t off)
{
	return (uint32_t *)pt->pins_ + pin_hash(pin_region(pt, off)) * PIN_STRIDE;
}

static void pin_shared(uint32_t *p)
{
	for (;;) {
		uint32_t v = __atomic_fetch_add(p, 1, __ATOMIC_ACQUIRE);

		if (!(v & PIN_EXCL))
			return;
		__atomic_fetch_sub(p, 1, __ATOMIC_RELAXED);
		while (__atomic_load_n(p, __ATOMIC_RELAXED) & PIN_EXCL)
			cpu_relax();
	}
}

static void unpin_shared(uint32_t *p)
{
	__atomic_fetch_sub(p, 1, __ATOMIC_RELEASE);
}

/* Writer first: once PIN_EXCL is set no new shared pin is taken, then the
 * shared pins already held drain (calls finish without waiting on this). */
static void pin_excl(uint32_t *p)
{
	while (__atomic_fetch_or(p, PIN_EXCL, __ATOMIC_ACQUIRE) & PIN_EXCL)
		while (__atomic_load_n(p, __ATOMIC_RELAXED) & PIN_EXCL)
			cpu_relax();
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) & ~PIN_EXCL)
		cpu_relax();
}

static void unpin_excl(uint32_t *p)
{
	__atomic_fetch_and(p, ~PIN_EXCL, __ATOMIC_RELEASE);
}

/* The lowest set bit of @m (not 0), in increasing order as @m &= @m - 1
 * goes: 32-bit halves, so that 32-bit targets need no libgcc helper. */
static inline unsigned low_bit(uint64_t m)
{
	uint32_t lo = (uint32_t)m;

	return lo ? (unsigned)__builtin_ctz(lo) : 32u + (unsigned)__builtin_ctz((uint32_t)(m >> 32));
}

struct pinset {
	const struct iopgt *pt;
	uint64_t mask; /* bit h: bucket h held shared */
};

/* every region [first, last] reaches, shared, in bucket order */
static void pins_take(const struct iopgt *pt, uint64_t first, uint64_t last, struct pinset *ps)
{
	uint64_t m = 0;

	ps->pt = pt;
	ps->mask = 0;
	if (pt->levels_ < 2)
		return; /* the root alone, never freed */
	{
		uint64_t r0 = pin_region(pt, first), r1 = pin_region(pt, last);

		if (r1 - r0 >= PIN_SLOTS)
			m = ~(uint64_t)0;
		else
			for (uint64_t r = r0;; r++) {
				m |= BIT64(pin_hash(r));
				if (r == r1)
					break;
			}
	}
	for (uint64_t b = m; b; b &= b - 1)
		pin_shared((uint32_t *)pt->pins_ + low_bit(b) * PIN_STRIDE);
	ps->mask = m;
}

static void pins_drop(struct pinset *ps)
{
	for (uint64_t b = ps->mask; b; b &= b - 1)
		unpin_shared((uint32_t *)ps->pt->pins_ + low_bit(b) * PIN_STRIDE);
	ps->mask = 0;
}

/* every bucket exclusively, in address order (freeing a higher table) */
static void pins_take_all(const struct iopgt *pt)
{
	for (unsigned h = 0; h < PIN_SLOTS; h++)
		pin_excl((uint32_t *)pt->pins_ + h * PIN_STRIDE);
}

static void pins_drop_all(const struct iopgt *pt)
{
	for (unsigned h = 0; h < PIN_SLOTS; h++)
		unpin_excl((uint32_t *)pt->pins_ + h * PIN_STRIDE);
}

/* the buckets of @mask exclusively, in address order, and back */
static void pins_excl_mask(const struct iopgt *pt, uint64_t mask, bool take)
{
	for (uint64_t b = mask; b; b &= b - 1) {
		uint32_t *p = (uint32_t *)pt->pins_ + low_bit(b) * PIN_STRIDE;

		if (take)
			pin_excl(p);
		else
			unpin_excl(p);
	}
}

int conc_alloc_pins(struct iopgt *pt)
{
	uint64_t pa = 0;
	uint32_t *p = pt->mem_.alloc(pt->mem_.ctx, IOPGT_PIN_BYTES, 64, &pa);

	if (!p)
		return IOPGT_ERR_NOMEM;
	for (size_t i = 0; i < IOPGT_PIN_BYTES / 4; i++)
		p[i] = 0;
	pt->pins_ = p;
	pt->pins_pa_ = pa;
	return IOPGT_OK;
}

void conc_free_pins(struct iopgt *pt)
{
	if (pt->pins_)
		mem_give(pt, pt->pins_, pt->pins_pa_, IOPGT_PIN_BYTES);
	pt->pins_ = NULL;
}


/* Do @a and @b reach the same last-level table (or is the root all)? */
static inline bool one_path(const struct iopgt *pt, uint64_t a, uint64_t b)
{
	return pt->levels_ < 2 || !((a ^ b) >> lvl_shift(pt, pt->levels_ - 2u));
}

/* the links a call installed itself: edges_publish() need not repeat them */
struct own_links {
	const void *slot[2 * IOPGT_MAXLVL];
	unsigned n;
};

/*
 * Before a map's passes: make sure every entry on the path to @e whose span
 * leaves [lo, last] points to a table, installing empty ones (synced, then
 * linked by compare-and-swap, then the link synced). Anything else found on
 * the way (a leaf, a reserved encoding) is left for the passes to report.
 */
static int edge_ensure(struct iopgt *pt, uint64_t e, uint64_t lo, uint64_t last,
		       struct own_links *own)
{
	const enum fam F = pt_fam(pt);
	const unsigned dsh = pt->dshift_;
	struct path p;

	path_root(pt, &p);
	for (unsigned wl = 0; wl + 1u < pt->levels_; wl++) {
		const uint64_t esz = BIT64(lvl_shift(pt, wl));
		const uint64_t es = e & ~(esz - 1);
		const size_t i = lvl_index(pt, wl, e);
		void *tv = p.tv[wl];

		if (lo <= es && es + (esz - 1) <= last)
			return IOPGT_OK; /* inside the range: no other call gets here */
		for (;;) {
			uint64_t d = d_load(F, pt, tv, i);
			bool run;
			enum dkind k = c_kind(F, pt, wl, d, &run);

			if (k == D_TABLE) {
				if (!path_down(F, pt, &p, wl, d))
					return IOPGT_OK; /* the passes report it */
				break;
			}
			if (k != D_INVALID)
				return IOPGT_OK;

			size_t size = tbl_size(pt, wl + 1);
			void *nv;
			uint64_t npa;
			int err = table_alloc(pt, size, &nv, &npa);

			if (err)
				return err;
			put_new_table(pt, nv, npa, size);
			if (put_cas_link(pt, tv, p.tpa[wl], i, d,
					 c_table(F, pt, wl, npa) & ~c_synced_mark(F))) {
				stats_add(pt, size);
				own->slot[own->n++] = (char *)tv + (i << dsh);
				put_mark_synced(pt, tv, i);
			} else {
				/* another call linked its table first */
				mem_give(pt, nv, npa, size);
			}
		}
	}
	return IOPGT_OK;
}

static bool own_link(const struct own_links *own, const void *slot)
{
	for (unsigned k = 0; k < own->n; k++)
		if (own->slot[k] == slot)
			return true;
	return false;
}

/* Clause 6: report again the table descriptors on the edges of [lo, last]. */
static void edges_publish(const struct iopgt *pt, uint64_t lo, uint64_t last,
			  const struct own_links *own)
{
	const enum fam F = pt_fam(pt);
	const unsigned dsh = pt->dshift_;
	struct iopgt_range r[2 * IOPGT_MAXLVL];
	size_t n = 0;
	const uint64_t e2[2] = { lo, last };

	if (!pt->sync_.fn)
		return;
	for (int k = 0; k < (one_path(pt, lo, last) ? 1 : 2); k++) {
		struct path p;

		path_root(pt, &p);
		for (unsigned wl = 0; wl + 1u < pt->levels_; wl++) {
			const uint64_t esz = BIT64(lvl_shift(pt, wl));
			const uint64_t es = e2[k] & ~(esz - 1);
			const size_t i = lvl_index(pt, wl, e2[k]);
			char *slot = (char *)p.tv[wl] + (i << dsh);
			uint64_t d = d_load(F, pt, p.tv[wl], i);
			bool run;

			if ((lo <= es && es + (esz - 1) <= last) ||
			    c_kind(F, pt, wl, d, &run) != D_TABLE)
				break;
			if (!(d & c_synced_mark(F)) && !own_link(own, slot)) {
				r[n].va = slot;
				r[n].pa = p.tpa[wl] + (i << dsh);
				r[n].len = (size_t)1 << dsh;
				n++;
			}
			if (!path_down(F, pt, &p, wl, d))
				break;
		}
	}
	pub_ranges(pt, r, n);
}

/* Down towards @e as far as table descriptors lead: the walk level of the
 * deepest table reached, @p the path to it. */
static unsigned edge_descend(const struct iopgt *pt, uint64_t e, struct path *p)
{
	const enum fam F = pt_fam(pt);
	unsigned wl = 0;

	path_root(pt, p);
	for (; wl + 1u < pt->levels_; wl++) {
		uint64_t d = d_load(F, pt, p->tv[wl], lvl_index(pt, wl, e));
		bool run;

		if (c_kind(F, pt, wl, d, &run) != D_TABLE || !path_down(F, pt, p, wl, d))
			break;
	}
	return wl;
}

/*
 * With the call's pins held: the deepest table on the path to @e if it has
 * no live entry (a candidate for edge_reap()), else NULL.
 */
static const void *edge_empty(const struct iopgt *pt, uint64_t e)
{
	struct path p;
	unsigned wl = edge_descend(pt, e, &p);

	if (wl == 0 || !table_empty_at(pt, wl, p.tv[wl], e))
		return NULL;
	return p.tv[wl];
}

/*
 * Free the empty tables on the path to @e, the call's own pins dropped:
 * take @e's bucket exclusively, look again, and free the highest table of
 * the chain of tables that are empty but for the link to the next one. A
 * chain that reaches above the last level starts again with every bucket.
 */
static void edge_reap(struct iopgt *pt, uint64_t e)
{
	bool all = false;

	for (;;) {
		struct path p;
		unsigned deep, h;
		uint32_t *pin = pin_of(pt, e);

		if (all)
			pins_take_all(pt);
		else
			pin_excl(pin);
		deep = edge_descend(pt, e, &p);
		h = deep + 1;
		for (unsigned wl = deep; wl >= 1; wl--) {
			/* above the deepest: empty but for the entry that leads down */
			const size_t i = lvl_index(pt, wl, e);

			if (wl < deep ? live_outside(pt, wl, p.tv[wl], i, i)
				      : !table_empty_at(pt, wl, p.tv[wl], e))
				break;
			h = wl;
		}
		const bool need_all = h + 1u < pt->levels_;

		if (h <= deep && (all || !need_all)) {
			const unsigned s = lvl_shift(pt, h - 1);
			struct trec t = { e & ~(BIT64(s) - 1), BIT64(s), BIT64(pt->gshift_), T_WALK, 0 };

			put_now(pt, p.tv[h - 1], p.tpa[h - 1], lvl_index(pt, h - 1, e), 0);
			tlb_run(pt, &t, 1, false);
			pub_free_subtree(pt, h, p.tv[h], p.tpa[h], (const void *const *)p.tv);
		}
		if (all)
			pins_drop_all(pt);
		else
			unpin_excl(pin);
		if (h > deep || all || !need_all)
			return;
		all = true;
	}
}

/* After a call, its pins still held: the edges' empty tables, then reap. */
static void edges_reap(struct iopgt *pt, struct pinset *ps, uint64_t lo, uint64_t last)
{
	const void *a, *b;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	a = edge_empty(pt, lo);
	b = one_path(pt, lo, last) ? NULL : edge_empty(pt, last);
	pins_drop(ps);
	if (a)
		edge_reap(pt, lo);
	if (b && b != a)
		edge_reap(pt, last);
}

IOPGT_NOINLINE int conc_map(struct iopgt *pt, uint64_t off, uint64_t size,
			    const struct iopgt_seg *segs, size_t n, uint32_t prot)
{
	const uint64_t last = off + (size - 1);
	struct pinset ps;
	struct own_links own;
	int err;

	pins_take(pt, off, last, &ps);
	if (n == 1 && !fast_map_walk(pt, off, segs->pa, size, prot)) {
		pins_drop(&ps);
		return IOPGT_OK;
	}
	own.n = 0; /* (no initialiser: ARM GCC would call memset for it) */
	err = edge_ensure(pt, off, off, last, &own);
	if (!err && !one_path(pt, off, last))
		err = edge_ensure(pt, last, off, last, &own);
	if (!err)
		err = map_passes(pt, off, size, segs, n, prot);
	if (err) {
		edges_reap(pt, &ps, off, last); /* tables edge_ensure() installed */
		return err;
	}
	edges_publish(pt, off, last, &own);
	pins_drop(&ps);
	return IOPGT_OK;
}

/* The buckets to hold exclusively while the subtrees @op detached go. */
static uint64_t free_pins(const struct op *op)
{
	const struct iopgt *pt = op->pt;
	uint64_t mask = 0;

	for (size_t i = 0; i < op->nf; i++) {
		if (op->f[i].wl + 1u < pt->levels_)
			return ~(uint64_t)0; /* a table above the last level */
		mask |= BIT64(pin_hash(pin_region(pt, op->f[i].iova)));
	}
	return mask;
}

IOPGT_NOINLINE int conc_unmap(struct iopgt *pt, uint64_t off, uint64_t size)
{
	const uint64_t last = off + (size - 1);
	struct pinset ps;
	const void *tv, *a, *b;
	struct op op;
	int err;

	pins_take(pt, off, last, &ps);
	if (!fast_unmap_walk(pt, off, size, &tv)) {
		/* one leaf went (or nothing was there): its table too? */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		bool empty = tv && edge_empty(pt, off) == tv;

		pins_drop(&ps);
		if (empty)
			edge_reap(pt, off);
		return IOPGT_OK;
	}
	/*
	 * Tables the range covered were detached by the passes; they are
	 * freed with their pins held exclusively (every pin for a table above
	 * the last level), so that not even a call overlapping the range (the
	 * caller's bug) can be inside one.
	 */
	err = unmap_passes(pt, off, size, &op);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	a = edge_empty(pt, off);
	b = one_path(pt, off, last) ? NULL : edge_empty(pt, last);
	pins_drop(&ps);
	if (op.commit) {
		const uint64_t mask = free_pins(&op);

		pins_excl_mask(pt, mask, true);
		op_free(&op);
		pins_excl_mask(pt, mask, false);
	}
	if (a)
		edge_reap(pt, off);
	if (b && b != a)
		edge_reap(pt, last);
	return err;
}

/*
 * Compaction frees tables anywhere in its range and rewrites entries of
 * tables that calls on other ranges share: it runs alone, with every pin
 * held exclusively (running calls finish first, new ones wait).
 */
int conc_compact(struct iopgt *pt, uint64_t off, uint64_t size)
{
	int err;

	pins_take_all(pt);
	err = compact_passes(pt, off, size);
	pins_drop_all(pt);
	return err;
}

int conc_lookup(const struct iopgt *pt, uint64_t off, struct iopgt_mapping *m)
{
	struct pinset ps;
	int err;

	pins_take(pt, off, off, &ps);
	err = read_lookup(pt, off, m, true);
	pins_drop(&ps);
	return err;
}

int conc_translate(const struct iopgt *pt, uint64_t off, uint64_t *pa)
{
	struct pinset ps;
	int err;

	pins_take(pt, off, off, &ps);
	err = read_translate(pt, off, pa);
	pins_drop(&ps);
	return err;
}

int conc_walk(const struct iopgt *pt, uint64_t off, uint64_t size, iopgt_leaf_fn fn, void *ctx)
{
	struct pinset ps;
	int err;

	pins_take(pt, off, off + (size - 1), &ps);
	err = read_walk(pt, off, size, fn, ctx);
	pins_drop(&ps);
	return err;
}

/* The tracking calls only store into leaves of their range: pinned like a
 * walk, so that no table on the way is freed meanwhile. */
int conc_track(const struct iopgt *pt, uint64_t off, uint64_t size, bool young, uint32_t flags,
	       iopgt_span_fn fn, void *ctx)
{
	struct pinset ps;
	int err;

	pins_take(pt, off, off + (size - 1), &ps);
	err = track_range(pt, off, size, young, flags, fn, ctx);
	pins_drop(&ps);
	return err;
}
