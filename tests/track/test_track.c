/* SPDX-License-Identifier: MIT */
/*
 * tests/track/test_track.c - dirty and access tracking
 * (IOPGT_QUIRK_HW_DIRTY, _HW_ACCESS: iopgt_read_and_clear_dirty(),
 * iopgt_test_and_clear_young()) against a model of what the walker marked.
 *
 * Seeded random sequences of maps (some of scattered segments, map_sg),
 * unmaps (partial ones split blocks and contiguous runs), compactions
 * (which form them again, marked when any leaf they replace was), accesses that a simulated walker makes (hwsim.h: AF
 * and the dirty state set with a compare-and-swap, a run marked in any one
 * of its entries) and tracking calls over random ranges, with and without
 * IOPGT_TRACK_NO_CLEAR, through the walker-image harness (model, reference
 * walker, allocator and TLB checks; a coherent walker, sync.fn NULL). The
 * walker also acts in the middle of calls: from the allocator and TLB hooks
 * (between a split's commit and its deferred stores, between a clean and
 * the report), and in the threads test from a second thread all through
 * the tracking calls.
 *
 * The model holds, per page of a window, whether the walker marked the leaf
 * holding it dirty (young) since it was mapped or last reported: a mark
 * covers the whole leaf, a split keeps it on every piece, an unmap drops it.
 * Each tracking call must report exactly the marked leaves of its range,
 * whole and coalesced; marks made while the call runs may be reported now
 * or left for the next call, never lost: after the call every leaf marked
 * meanwhile and not reported still holds the mark, every leaf reported and
 * not marked meanwhile is clean (old) again, and every TLB flush of the
 * call is a flush_leaf inside what it reported, made before the report.
 *
 * Prints the figures: operations, walker updates (in the middle of calls,
 * from the second thread) and pages reported. IOPGT_TEST_SEED replays a
 * seed, IOPGT_TEST_SCALE scales the counts.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwsim.h"
#include "image.h"

#define K4   0x1000ull
#define K16  0x4000ull
#define K64  0x10000ull
#define M2   0x200000ull
#define M32  0x2000000ull
#define M512 0x20000000ull
#define G1   0x40000000ull

#define HWD IOPGT_QUIRK_HW_DIRTY
#define HWA IOPGT_QUIRK_HW_ACCESS

struct tcfg {
	const char *name;
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t pgsizes;
	uint32_t quirks;
	uint64_t window;
};

static const struct tcfg tcfgs[] = {
	{ "s1-4k", IOPGT_FMT_ARM64_S1, 39, 40, K4 | K64 | M2 | M32, HWD | HWA, 128 << 20 },
	{ "s1-4k-dirty-inplace", IOPGT_FMT_ARM64_S1, 48, 48, K4 | K64 | M2 | M32,
	  HWD | IOPGT_QUIRK_SPLIT_IN_PLACE, 128 << 20 },
	{ "s1-4k-access-concurrent", IOPGT_FMT_ARM64_S1, 39, 40, K4 | K64 | M2 | M32,
	  HWA | IOPGT_QUIRK_CONCURRENT, 128 << 20 },
	{ "s1-4k-ttbr1", IOPGT_FMT_ARM64_S1, 39, 40, K4 | K64 | M2, HWD | HWA | IOPGT_QUIRK_TTBR1,
	  64 << 20 },
	{ "s2-4k", IOPGT_FMT_ARM64_S2, 40, 40, K4 | K64 | M2 | M32, HWD | HWA, 128 << 20 },
	{ "s2-4k-inplace", IOPGT_FMT_ARM64_S2, 40, 40, K4 | K64 | M2 | M32,
	  HWD | HWA | IOPGT_QUIRK_SPLIT_IN_PLACE, 128 << 20 },
	{ "s1-16k", IOPGT_FMT_ARM64_S1, 47, 48, K16 | M2 | M32 | G1, HWD | HWA, 4 * G1 },
	{ "s2-16k-inplace", IOPGT_FMT_ARM64_S2, 40, 44, K16 | M2 | M32 | G1,
	  HWD | HWA | IOPGT_QUIRK_SPLIT_IN_PLACE, 4 * G1 },
	{ "s1-64k", IOPGT_FMT_ARM64_S1, 48, 48, K64 | M2 | M512, HWD | HWA, 2 * G1 },
	{ "s2-64k-dirty-concurrent", IOPGT_FMT_ARM64_S2, 42, 48, K64 | M2 | M512,
	  HWD | IOPGT_QUIRK_CONCURRENT, 2 * G1 },
	{ "s2-64k-inplace", IOPGT_FMT_ARM64_S2, 42, 48, K64 | M2 | M512,
	  HWD | HWA | IOPGT_QUIRK_SPLIT_IN_PLACE, 2 * G1 },
	/* 52 bits: the LPA2 layout (level -1 at stage 1 with 4K), LVA and LPA */
	{ "s1-4k-lpa2", IOPGT_FMT_ARM64_S1, 52, 52, K4 | K64 | M2 | M32, HWD | HWA, 128 << 20 },
	{ "s2-16k-lpa2-inplace", IOPGT_FMT_ARM64_S2, 52, 52, K16 | M2 | M32 | G1,
	  HWD | HWA | IOPGT_QUIRK_SPLIT_IN_PLACE, 4 * G1 },
	{ "s2-4k-lpa2-concurrent", IOPGT_FMT_ARM64_S2, 50, 48, K4 | K64 | M2 | M32,
	  HWD | IOPGT_QUIRK_CONCURRENT, 128 << 20 },
	{ "s1-64k-lva-lpa", IOPGT_FMT_ARM64_S1, 52, 52, K64 | M2 | M512, HWD | HWA, 2 * G1 },
};
#define NTCFGS (sizeof(tcfgs) / sizeof(tcfgs[0]))

/* a leaf the walker marked while a tracking call ran */
struct mark {
	uint64_t first, size; /* window offsets */
	bool dirty, young;
};

struct figures {
	unsigned long ops, maps, unmaps, compacts, calls, touches, updates, mid_call, threaded,
		retries;
	unsigned long dirty_pages, young_pages;
};

static struct figures fig;

struct tt {
	struct th h;
	const struct tcfg *c;
	struct trng r;
	struct hwsim w;
	uint64_t wbase;      /* first iova of the window (absolute) */
	uint64_t npages;
	unsigned gshift;
	bool hd, ha;
	uint8_t *D, *Y;      /* the model: the page's leaf is marked dirty / young */
	uint8_t *S0, *R, *C; /* a call's scratch: state before, reported, marked meanwhile */
	/* during a tracking call */
	bool in_call, touch_in_hooks;
	struct mark *marks;
	size_t nmarks, cap_marks;
	struct { uint64_t iova, size, seq; } *spans;
	size_t nspans, cap_spans;
	struct { uint64_t iova, size, granule, seq; int what; } *fl;
	size_t nfl, cap_fl;
	uint64_t seq;
};

static struct tt T;

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	TCHECK(p != NULL, "realloc");
	return p;
}

static uint64_t pg(const struct tt *t, uint64_t off)
{
	return off >> t->gshift;
}

static void set_pages(struct tt *t, uint8_t *a, uint64_t off, uint64_t size, uint8_t v)
{
	uint64_t p0, p1;

	if (off >= t->npages << t->gshift)
		return;
	if (size > (t->npages << t->gshift) - off)
		size = (t->npages << t->gshift) - off;
	p0 = pg(t, off);
	p1 = pg(t, off + size);
	memset(a + p0, v, (size_t)(p1 - p0));
}

/* ---------------------------------------------------------------- the walker */

/* The walker's state of the leaf at window offset @off (refwalk of the CPU's
 * tables); false: nothing mapped there. */
static bool leaf_at(struct tt *t, uint64_t off, struct refwalk_result *r)
{
	return th_walk(&t->h, false, t->wbase + off, r) == REFWALK_OK;
}

/* One access by the walker to a random mapped page; @strict: the tables are
 * not changing (no call is in the middle of a map or unmap), so the result
 * must be what the model says. */
static void touch(struct tt *t, bool strict)
{
	const struct model *md = &t->h.md;
	const struct mchunk *c;
	struct hwsim_hit hit;
	uint64_t iova, off;
	bool write;
	int st;

	if (!md->n)
		return;
	c = &md->c[trng_below(&t->r, md->n)];
	iova = t->h.base + c->iova + (trng_below(&t->r, c->size) & ~((1ull << t->gshift) - 1));
	write = trng_below(&t->r, 3) != 0;
	fig.touches++;
	st = hwsim_access(&t->w, iova, write, trng_next(&t->r), &hit);
	if (strict) {
		int want = write && !(c->prot & IOPGT_WRITE) ? HWSIM_PERM : HWSIM_OK;

		TCHECK(st == want, "walker %s at 0x%llx: %d, expected %d", write ? "write" : "read",
		       (unsigned long long)iova, st, want);
	}
	if (st != HWSIM_OK)
		return;
	if (hit.marked) {
		fig.updates++;
		if (t->in_call)
			fig.mid_call++;
	}
	off = hit.first - t->wbase;
	if (t->in_call) {
		struct mark *m;

		t->marks = grow(t->marks, &t->cap_marks, t->nmarks, sizeof(*m));
		m = &t->marks[t->nmarks++];
		m->first = off;
		m->size = hit.size;
		m->dirty = write && t->hd;
		m->young = t->ha;
		return;
	}
	if (write && t->hd)
		set_pages(t, t->D, off, hit.size, 1);
	if (t->ha)
		set_pages(t, t->Y, off, hit.size, 1);
}

/* from the harness' allocator and TLB hooks, in the middle of calls */
static void hook(void *ctx, int what, uint64_t iova, uint64_t size, size_t granule)
{
	struct tt *t = ctx;

	if (t->in_call && what != TH_HOOK_ALLOC) {
		t->fl = grow(t->fl, &t->cap_fl, t->nfl, sizeof(*t->fl));
		t->fl[t->nfl].iova = iova;
		t->fl[t->nfl].size = size;
		t->fl[t->nfl].granule = granule;
		t->fl[t->nfl].what = what;
		t->fl[t->nfl].seq = ++t->seq;
		t->nfl++;
	}
	if (t->touch_in_hooks && trng_below(&t->r, 3) == 0) {
		unsigned n = 1 + (unsigned)trng_below(&t->r, 3);

		while (n--)
			touch(t, t->in_call);
	}
}

/* ---------------------------------------------------------------- tracking calls */

static void on_span(void *ctx, uint64_t iova, uint64_t size)
{
	struct tt *t = ctx;

	TCHECK(size > 0 && !(size & ((1ull << t->gshift) - 1)) && !(iova & ((1ull << t->gshift) - 1)),
	       "span 0x%llx+0x%llx", (unsigned long long)iova, (unsigned long long)size);
	if (t->nspans) {
		uint64_t end = t->spans[t->nspans - 1].iova + t->spans[t->nspans - 1].size;

		TCHECK(iova > end, "span 0x%llx after one ending at 0x%llx: out of order or not "
		       "coalesced", (unsigned long long)iova, (unsigned long long)end);
	}
	t->spans = grow(t->spans, &t->cap_spans, t->nspans, sizeof(*t->spans));
	t->spans[t->nspans].iova = iova;
	t->spans[t->nspans].size = size;
	t->spans[t->nspans].seq = ++t->seq;
	t->nspans++;
}

/* Walk the leaves of [lo, hi) (window offsets) that the model maps. */
typedef void (*leaf_fn)(struct tt *t, uint64_t first, const struct refwalk_result *r, void *arg);

static void each_leaf(struct tt *t, uint64_t lo, uint64_t hi, leaf_fn fn, void *arg)
{
	const struct model *md = &t->h.md;
	const uint64_t woff = t->wbase - t->h.base;
	size_t i = model_first_after(md, woff + lo);

	for (; i < md->n && md->c[i].iova < woff + hi; i++) {
		uint64_t a = md->c[i].iova - woff, e = a + md->c[i].size;

		if (a < lo)
			a = lo;
		if (e > hi)
			e = hi;
		while (a < e) {
			struct refwalk_result r;
			uint64_t first;

			TCHECK(leaf_at(t, a, &r), "model maps 0x%llx, the walker faults",
			       (unsigned long long)(t->wbase + a));
			first = a & ~(r.size - 1);
			fn(t, first, &r, arg);
			a = first + r.size;
		}
	}
}

struct after {
	bool young, clear;
	uint8_t *S;
};

/* After a call: each leaf of its range against what was reported and marked. */
static void leaf_after(struct tt *t, uint64_t first, const struct refwalk_result *r, void *arg)
{
	const struct after *a = arg;
	const uint64_t p0 = pg(t, first), n = pg(t, r->size);
	bool st = a->young ? r->young : r->dirty;
	bool rep = t->R[p0], marked = false, before = t->S0[p0];

	for (uint64_t k = 0; k < n; k++) {
		TCHECK(t->R[p0 + k] == rep, "leaf 0x%llx+0x%llx reported in part",
		       (unsigned long long)(t->wbase + first), (unsigned long long)r->size);
		TCHECK(t->S0[p0 + k] == before, "model: leaf 0x%llx+0x%llx marked in part",
		       (unsigned long long)(t->wbase + first), (unsigned long long)r->size);
		marked |= t->C[p0 + k];
	}
	/* nothing lost, nothing invented */
	if (before)
		TCHECK(rep, "leaf 0x%llx+0x%llx was %s and is not reported",
		       (unsigned long long)(t->wbase + first), (unsigned long long)r->size,
		       a->young ? "young" : "dirty");
	if (rep)
		TCHECK(before || marked, "leaf 0x%llx+0x%llx reported, the walker never marked it",
		       (unsigned long long)(t->wbase + first), (unsigned long long)r->size);
	if (!a->clear)
		TCHECK(st == (before || marked), "report only: leaf 0x%llx state %d, expected %d",
		       (unsigned long long)(t->wbase + first), st, before || marked);
	else if (marked && !rep)
		TCHECK(st, "leaf 0x%llx+0x%llx marked during the call, not reported, and its "
		       "mark is gone", (unsigned long long)(t->wbase + first),
		       (unsigned long long)r->size);
	else if (!marked)
		TCHECK(!st, "leaf 0x%llx+0x%llx still %s after the call",
		       (unsigned long long)(t->wbase + first), (unsigned long long)r->size,
		       a->young ? "young" : "dirty");
	/* the model follows the tables: a mark made during the call may have
	 * come before or after the clean */
	set_pages(t, a->S, first, r->size, st);
}

static void track_check(struct tt *t, bool young, uint64_t lo, uint64_t size, uint32_t flags)
{
	const uint64_t npg = t->npages;
	uint8_t *S = young ? t->Y : t->D;
	bool clear = !(flags & IOPGT_TRACK_NO_CLEAR);
	struct refwalk_result r;
	uint64_t L0 = lo, L1 = lo + size;
	struct after a = { young, clear, S };

	/* the range widened to the leaves on its edges */
	if (leaf_at(t, lo, &r))
		L0 = lo & ~(r.size - 1);
	if (leaf_at(t, lo + size - 1, &r))
		L1 = ((lo + size - 1) & ~(r.size - 1)) + r.size;

	memset(t->R, 0, npg);
	memset(t->C, 0, npg);
	for (size_t i = 0; i < t->nspans; i++) {
		uint64_t s = t->spans[i].iova - t->wbase, e = s + t->spans[i].size;

		TCHECK(t->spans[i].iova >= t->wbase && s >= L0 && e <= L1,
		       "span 0x%llx+0x%llx outside the range's leaves 0x%llx-0x%llx",
		       (unsigned long long)t->spans[i].iova, (unsigned long long)t->spans[i].size,
		       (unsigned long long)(t->wbase + L0), (unsigned long long)(t->wbase + L1));
		set_pages(t, t->R, s, e - s, 1);
		if (young)
			fig.young_pages += pg(t, e - s);
		else
			fig.dirty_pages += pg(t, e - s);
	}
	for (size_t i = 0; i < t->nmarks; i++)
		if (young ? t->marks[i].young : t->marks[i].dirty)
			set_pages(t, t->C, t->marks[i].first, t->marks[i].size, 1);
	/* every mapped leaf of the range; nothing unmapped is reported */
	for (uint64_t p = pg(t, L0); p < pg(t, L1); p++)
		TCHECK(!t->R[p] || model_lookup(&t->h.md, t->wbase - t->h.base + (p << t->gshift)),
		       "unmapped page 0x%llx reported", (unsigned long long)(t->wbase + (p << t->gshift)));
	each_leaf(t, L0, L1, leaf_after, &a);
	/* marks outside the range: the model takes them */
	for (size_t i = 0; i < t->nmarks; i++) {
		const struct mark *m = &t->marks[i];

		if (m->first + m->size <= L0 || m->first >= L1) {
			if (m->dirty)
				set_pages(t, t->D, m->first, m->size, 1);
			if (m->young)
				set_pages(t, t->Y, m->first, m->size, 1);
		} else if (young ? m->dirty : m->young) {
			/* the other state of a leaf in the range: untouched by this call */
			set_pages(t, young ? t->D : t->Y, m->first, m->size, 1);
		}
	}

	/* TLB: flush_leaf only, inside what was reported, coalesced, each
	 * leaf that was marked before the call flushed before its report */
	if (!clear)
		TCHECK(t->nfl == 0, "report only: %zu TLB flushes", t->nfl);
	for (size_t i = 0; i < t->nfl; i++) {
		uint64_t s = t->fl[i].iova - t->wbase;

		TCHECK(t->fl[i].what == TH_HOOK_FLUSH_LEAF, "tracking call flushed with hook %d",
		       t->fl[i].what);
		TCHECK(t->fl[i].iova >= t->wbase && s + t->fl[i].size <= L1 &&
		       t->R[pg(t, s)] && t->R[pg(t, s + t->fl[i].size - 1)],
		       "flush 0x%llx+0x%llx outside what was reported",
		       (unsigned long long)t->fl[i].iova, (unsigned long long)t->fl[i].size);
		if (i)
			TCHECK(t->fl[i].iova > t->fl[i - 1].iova + t->fl[i - 1].size ||
			       (t->fl[i].iova == t->fl[i - 1].iova + t->fl[i - 1].size &&
				t->fl[i].granule != t->fl[i - 1].granule),
			       "flushes 0x%llx+0x%llx and 0x%llx+0x%llx: out of order or not "
			       "coalesced", (unsigned long long)t->fl[i - 1].iova,
			       (unsigned long long)t->fl[i - 1].size,
			       (unsigned long long)t->fl[i].iova, (unsigned long long)t->fl[i].size);
	}
	for (size_t i = 0; clear && i < t->nspans; i++) {
		uint64_t s = t->spans[i].iova;

		for (uint64_t o = 0; o < t->spans[i].size; o += 1ull << t->gshift) {
			bool done = false;

			if (!t->S0[pg(t, s - t->wbase + o)])
				continue;
			for (size_t f = 0; f < t->nfl && !done; f++)
				done = t->fl[f].seq < t->spans[i].seq && t->fl[f].iova <= s + o &&
				       s + o - t->fl[f].iova < t->fl[f].size;
			TCHECK(done, "page 0x%llx reported before its TLB entries were flushed",
			       (unsigned long long)(s + o));
		}
	}
}

typedef int (*track_fn)(struct iopgt *, uint64_t, uint64_t, uint32_t, iopgt_span_fn, void *);

static void track_begin(struct tt *t, bool young)
{
	memcpy(t->S0, young ? t->Y : t->D, t->npages);
	t->nmarks = t->nspans = t->nfl = 0;
	t->in_call = true;
}

static void track_once(struct tt *t, bool young, uint64_t lo, uint64_t size, uint32_t flags)
{
	track_fn f = young ? iopgt_test_and_clear_young : iopgt_read_and_clear_dirty;
	int rc;

	if (!(young ? t->ha : t->hd)) {
		t->nspans = 0;
		TCHECK(f(&t->h.pt, t->wbase + lo, size, flags, on_span, t) == IOPGT_ERR_NOTSUP,
		       "tracking without its quirk");
		return;
	}
	tctx_op("#%llu %s 0x%llx+0x%llx flags %u", (unsigned long long)t->h.ops,
		young ? "young" : "dirty", (unsigned long long)(t->wbase + lo),
		(unsigned long long)size, flags);
	track_begin(t, young);
	rc = f(&t->h.pt, t->wbase + lo, size, flags, on_span, t);
	t->in_call = false;
	TCHECK(rc == IOPGT_OK, "tracking call = %d", rc);
	fig.calls++;
	track_check(t, young, lo, size, flags);
}

/* ---------------------------------------------------------------- the sequence */

static uint64_t rnd_size(struct tt *t)
{
	uint64_t sizes[8], g = 1ull << t->gshift;
	unsigned n = 0;

	for (unsigned b = 0; b < 64; b++)
		if ((t->c->pgsizes & (1ull << b)) && (1ull << b) <= t->c->window / 8)
			sizes[n++] = 1ull << b;
	switch (trng_below(&t->r, 4)) {
	case 0:
		return g * (1 + trng_below(&t->r, 8));
	case 1:
		return sizes[trng_below(&t->r, n)];
	default:
		return sizes[trng_below(&t->r, n)] * (1 + trng_below(&t->r, 2)) +
		       g * trng_below(&t->r, 3);
	}
}

static void one_map(struct tt *t)
{
	uint64_t size = rnd_size(t), al = size & -size, off, pa;
	uint32_t prot = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;
	int rc;

	if (al > t->c->window / 8)
		al = t->c->window / 8;
	off = trng_below(&t->r, (t->c->window - size) / al) * al;
	/* congruent output addresses, so that blocks and runs form */
	pa = (1ull << (t->c->oas - 2)) + off;
	if (trng_below(&t->r, 5) == 0)
		pa += (1 + trng_below(&t->r, 7)) << t->gshift;
	switch (trng_below(&t->r, 6)) {
	case 0:
		prot = IOPGT_READ;
		break;
	case 1:
		prot = IOPGT_WRITE | IOPGT_NOEXEC;
		break;
	default:
		break;
	}
	if (trng_below(&t->r, 5) == 0 && size > (1ull << t->gshift)) {
		/* two segments, the second one elsewhere in the output range */
		const uint64_t g = 1ull << t->gshift, first = g * (1 + trng_below(&t->r, size / g - 1));
		const struct iopgt_seg segs[2] = { { pa, first },
						   { pa + (1ull << (t->c->oas - 3)), size - first } };

		rc = th_map_sg(&t->h, t->wbase + off, segs, 2, prot);
	} else {
		rc = th_map(&t->h, t->wbase + off, pa, size, prot);
	}
	TCHECK(rc == IOPGT_OK || rc == IOPGT_ERR_EXIST, "map = %d", rc);
	if (rc == IOPGT_OK) {
		fig.maps++;
		for (uint64_t p = pg(t, off); p < pg(t, off + size); p++)
			TCHECK(!t->D[p] && !t->Y[p], "model: a new leaf is marked");
	}
}

static void one_unmap(struct tt *t)
{
	const struct model *md = &t->h.md;
	const uint64_t g = 1ull << t->gshift;
	uint64_t off, size;
	int rc;

	if (md->n && trng_below(&t->r, 5)) {
		const struct mchunk *c = &md->c[trng_below(&t->r, md->n)];
		uint64_t pages = c->size / g, a = trng_below(&t->r, pages);

		off = c->iova - (t->wbase - t->h.base) + a * g;
		size = g * (1 + trng_below(&t->r, trng_below(&t->r, 2) ? 2 : pages - a));
	} else {
		size = rnd_size(t);
		off = trng_below(&t->r, (t->c->window - size) / g) * g;
	}
	rc = th_unmap(&t->h, t->wbase + off, size);
	TCHECK(rc == IOPGT_OK, "unmap = %d", rc);
	fig.unmaps++;
	set_pages(t, t->D, off, size, 0);
	set_pages(t, t->Y, off, size, 0);
}

/* A leaf that compaction formed carries the marks of every leaf it
 * replaced: the model marks it whole. */
static void leaf_widen(struct tt *t, uint64_t first, const struct refwalk_result *r, void *arg)
{
	const uint64_t p0 = pg(t, first), n = pg(t, r->size);
	bool d = false, y = false;

	(void)arg;
	for (uint64_t k = 0; k < n; k++) {
		d |= t->D[p0 + k];
		y |= t->Y[p0 + k];
	}
	set_pages(t, t->D, first, r->size, d);
	set_pages(t, t->Y, first, r->size, y);
	TCHECK((!t->hd || r->dirty == d) && (!t->ha || r->young == y),
	       "compacted leaf 0x%llx+0x%llx: dirty %d young %d, the leaves it replaced: %d %d",
	       (unsigned long long)(t->wbase + first), (unsigned long long)r->size, r->dirty,
	       r->young, d, y);
}

static void one_compact(struct tt *t)
{
	const uint64_t g = 1ull << t->gshift;
	uint64_t size = rnd_size(t) * (1 + trng_below(&t->r, 4)), off;
	int rc;

	if (size > t->c->window)
		size = t->c->window;
	off = trng_below(&t->r, (t->c->window - size) / g + 1) * g;
	rc = th_compact(&t->h, t->wbase + off, size);
	TCHECK(rc == IOPGT_OK, "compact = %d", rc);
	fig.compacts++;
	each_leaf(t, off, off + size, leaf_widen, NULL);
}

static void one_track(struct tt *t)
{
	const uint64_t g = 1ull << t->gshift;
	uint64_t off, size;
	uint32_t flags = trng_below(&t->r, 5) == 0 ? IOPGT_TRACK_NO_CLEAR : 0;
	bool young = trng_below(&t->r, 2);

	if (trng_below(&t->r, 4) == 0) {
		off = 0;
		size = t->c->window;
	} else {
		size = g * (1 + trng_below(&t->r, 64));
		if (trng_below(&t->r, 2))
			size = rnd_size(t) + g * trng_below(&t->r, 4);
		if (size > t->c->window)
			size = t->c->window;
		off = trng_below(&t->r, (t->c->window - size) / g + 1) * g;
	}
	track_once(t, young, off, size, flags);
}

static void tt_init(struct tt *t, const struct tcfg *c, uint64_t seed)
{
	struct iopgt_cfg cfg;
	struct th_opts o;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&o, 0, sizeof(o));
	cfg.fmt = c->fmt;
	cfg.ias = c->ias;
	cfg.oas = c->oas;
	cfg.pgsizes = c->pgsizes;
	cfg.quirks = c->quirks;
	o.coherent = true;
	o.hook = hook;
	o.hook_ctx = t;
	o.check_every = 32;
	t->c = c;
	trng_seed(&t->r, seed ^ 0x7ac4);
	tctx_set("%s seed 0x%llx (IOPGT_TEST_SEED)", c->name, (unsigned long long)seed);
	rc = th_init(&t->h, &cfg, &o, seed);
	TCHECK(rc == IOPGT_OK, "init = %d", rc);
	t->gshift = (unsigned)__builtin_ctzll(c->pgsizes);
	t->hd = c->quirks & HWD;
	t->ha = c->quirks & HWA;
	/* the window: away from the bottom, aligned to its size */
	t->wbase = t->h.base + (c->quirks & IOPGT_QUIRK_TTBR1 ? 0 : c->window);
	t->npages = c->window >> t->gshift;
	t->D = calloc(t->npages, 1);
	t->Y = calloc(t->npages, 1);
	t->S0 = calloc(t->npages, 1);
	t->R = calloc(t->npages, 1);
	t->C = calloc(t->npages, 1);
	TCHECK(t->D && t->Y && t->S0 && t->R && t->C, "calloc");
	TCHECK(hwsim_init(&t->w, c->fmt, &t->h.regs, c->oas, &t->h.mem) == 0,
	       "registers select no walk");
	TCHECK(t->w.g.ha == (t->ha || t->hd) && t->w.g.hd == t->hd,
	       "registers: HA %d HD %d for quirks 0x%x", t->w.g.ha, t->w.g.hd, c->quirks);
}

static void tt_fini(struct tt *t)
{
	fig.retries += t->w.retries;
	th_fini(&t->h);
	free(t->D);
	free(t->Y);
	free(t->S0);
	free(t->R);
	free(t->C);
	free(t->marks);
	free(t->spans);
	free(t->fl);
	memset(t, 0, sizeof(*t));
}

static void print_figures(const char *what)
{
	printf("%s: %lu operations (%lu maps, %lu unmaps, %lu compactions, %lu tracking calls), "
	       "%lu walker accesses, %lu descriptor updates (%lu of them while a tracking call "
	       "ran, %lu from a second thread), %lu retried; pages reported: %lu dirty, %lu "
	       "young\n",
	       what, fig.ops, fig.maps, fig.unmaps, fig.compacts, fig.calls, fig.touches,
	       fig.updates, fig.mid_call, fig.threaded, fig.retries, fig.dirty_pages,
	       fig.young_pages);
	fflush(stdout);
}

static void random_sequences_report_exactly_what_the_walker_marked(void **state)
{
	const unsigned ops = test_iters(600);

	(void)state;
	for (size_t i = 0; i < NTCFGS; i++) {
		struct tt *t = &T;

		tt_init(t, &tcfgs[i], test_seed(0x7ac0 + i));
		for (unsigned n = 0; n < ops; n++) {
			unsigned k = (unsigned)trng_below(&t->r, 20);

			fig.ops++;
			t->touch_in_hooks = trng_below(&t->r, 2);
			if (k < 6)
				one_map(t);
			else if (k < 8)
				one_unmap(t);
			else if (k < 9)
				one_compact(t);
			else if (k < 14)
				for (unsigned j = 1 + (unsigned)trng_below(&t->r, 6); j--;)
					touch(t, true);
			else
				one_track(t);
		}
		/* everything reported once more, then nothing */
		t->touch_in_hooks = false;
		track_once(t, false, 0, t->c->window, 0);
		track_once(t, true, 0, t->c->window, 0);
		for (int y = 0; y < 2; y++) {
			track_once(t, y, 0, t->c->window, 0);
			TCHECK(t->nspans == 0, "%zu spans after everything was reported", t->nspans);
		}
		th_check_all(&t->h);
		tt_fini(t);
	}
	print_figures("tracking, one thread");
}

/* ---------------------------------------------------------------- directed cases */

struct spanlog {
	uint64_t s[8][2];
	unsigned n;
};

static void log_span(void *ctx, uint64_t iova, uint64_t size)
{
	struct spanlog *l = ctx;

	TCHECK(l->n < 8, "too many spans");
	l->s[l->n][0] = iova;
	l->s[l->n][1] = size;
	l->n++;
}

/* What a tracking call over [lo, lo + size) reports, as @want (pairs, @n). */
static void expect_spans(struct tt *t, bool young, uint64_t lo, uint64_t size, uint32_t flags,
			 const uint64_t *want, unsigned n)
{
	struct spanlog l = { .n = 0 };
	track_fn f = young ? iopgt_test_and_clear_young : iopgt_read_and_clear_dirty;

	TCHECK(f(&t->h.pt, t->wbase + lo, size, flags, log_span, &l) == IOPGT_OK, "tracking call");
	TCHECK(l.n == n, "%u spans, expected %u (first 0x%llx+0x%llx)", l.n, n,
	       (unsigned long long)l.s[0][0], (unsigned long long)l.s[0][1]);
	for (unsigned i = 0; i < n; i++)
		TCHECK(l.s[i][0] == t->wbase + want[2 * i] && l.s[i][1] == want[2 * i + 1],
		       "span %u: 0x%llx+0x%llx, expected 0x%llx+0x%llx", i,
		       (unsigned long long)l.s[i][0], (unsigned long long)l.s[i][1],
		       (unsigned long long)(t->wbase + want[2 * i]), (unsigned long long)want[2 * i + 1]);
}

/* mark: the walker's write (or read) at window offset @off, in run entry @pick */
static void walker(struct tt *t, uint64_t off, bool write, uint64_t pick)
{
	struct hwsim_hit hit;

	TCHECK(hwsim_access(&t->w, t->wbase + off, write, pick, &hit) == HWSIM_OK,
	       "walker access at 0x%llx", (unsigned long long)(t->wbase + off));
}

struct late {
	struct tt *t;
	uint64_t off, pick;
	bool done, write;
};

static struct late late_mark;

/* in the first flush of an unmap: the walker writes to a leaf being split */
static void late_hook(void *ctx, int what, uint64_t iova, uint64_t size, size_t granule)
{
	struct late *l = &late_mark;

	(void)ctx;
	(void)iova;
	(void)size;
	(void)granule;
	if (what == TH_HOOK_ALLOC || l->done || !l->t)
		return;
	l->done = true;
	walker(l->t, l->off, l->write, l->pick);
}

/*
 * A block and a contiguous run, marked dirty in one entry (not the first),
 * then split by unmaps of one page: every piece left is dirty (young), and
 * reported, around the hole. The hole mapped again and one piece marked,
 * compaction makes one leaf again, marked whole. With IOPGT_QUIRK_SPLIT_IN_PLACE the walker
 * also marks the leaf after the split built its pieces and before they
 * replace it: the mark must reach the pieces too.
 */
static void splits_keep_the_walkers_marks(void **state)
{
	(void)state;
	for (size_t i = 0; i < NTCFGS; i++) {
		const struct tcfg *c = &tcfgs[i];
		const bool inplace = c->quirks & IOPGT_QUIRK_SPLIT_IN_PLACE;
		struct tt *t = &T;
		uint64_t g, run, blk, sizes[2];

		tt_init(t, c, test_seed(0x7ae0 + i));
		g = 1ull << t->gshift;
		run = 0;
		blk = 0;
		for (unsigned b = t->gshift + 1; b < 40; b++) {
			if (!(c->pgsizes & (1ull << b)))
				continue;
			if (!run)
				run = 1ull << b;
			else if (!blk)
				blk = 1ull << b;
		}
		sizes[0] = run;
		sizes[1] = blk;
		for (int k = 0; k < 2; k++) {
			const uint64_t L = sizes[k], at = 4 * L, hole = at + L / 2;
			const uint64_t pa = (1ull << (c->oas - 2)) + at;

			for (int young = 0; young < 2; young++) {
				const uint64_t want[4] = { at, hole - at, hole + g, at + L - hole - g };
				const uint64_t whole[2] = { at, L };

				if (!(young ? t->ha : t->hd))
					continue;
				tctx_op("%s 0x%llx %s", k ? "block" : "run", (unsigned long long)L,
					young ? "young" : "dirty");
				TCHECK(th_map(&t->h, t->wbase + at, pa, L, IOPGT_READ | IOPGT_WRITE) ==
				       IOPGT_OK, "map");
				/* the last entry of a run gets the mark */
				walker(t, at + L - g, !young, ~0ull);
				expect_spans(t, young, at + L - g, g, IOPGT_TRACK_NO_CLEAR, whole, 1);
				TCHECK(th_unmap(&t->h, t->wbase + hole, g) == IOPGT_OK, "unmap");
				for (uint64_t o = at; o < at + L; o += g) {
					struct refwalk_result r;

					if (o == hole) {
						TCHECK(!leaf_at(t, o, &r), "the hole is mapped");
						continue;
					}
					TCHECK(leaf_at(t, o, &r) && (young ? r.young : r.dirty),
					       "page 0x%llx of the split leaf lost the mark",
					       (unsigned long long)(t->wbase + o));
				}
				expect_spans(t, young, at, L, 0, want, 2);
				expect_spans(t, young, at, L, 0, want, 0);
				/* the hole mapped again, the last piece marked (the
				 * first is the new leaf's model), compacted: one leaf
				 * again, marked whole */
				TCHECK(th_map(&t->h, t->wbase + hole, pa + (hole - at), g,
					      IOPGT_READ | IOPGT_WRITE) == IOPGT_OK, "map the hole");
				walker(t, at + L - g, !young, 0);
				TCHECK(th_compact(&t->h, t->wbase + at, L) == IOPGT_OK, "compact");
				{
					struct refwalk_result r;

					TCHECK(leaf_at(t, at + L - g, &r) && r.size == L &&
					       (young ? r.young : r.dirty),
					       "compacted leaf: size 0x%llx, marked %d",
					       (unsigned long long)r.size, young ? r.young : r.dirty);
				}
				expect_spans(t, young, at, g, 0, whole, 1);
				TCHECK(th_unmap(&t->h, t->wbase + at, L) == IOPGT_OK, "unmap");

				if (!inplace)
					continue;
				/* the late mark: a page before the leaf goes in the same
				 * unmap, and its flush comes between the split's commit
				 * and its deferred stores */
				TCHECK(th_map(&t->h, t->wbase + at, pa, L, IOPGT_READ | IOPGT_WRITE) ==
				       IOPGT_OK, "map");
				TCHECK(th_map(&t->h, t->wbase + at - g, pa - g, g, IOPGT_READ) ==
				       IOPGT_OK, "map");
				late_mark = (struct late){ t, at + L - g, k ? 0 : 3, false, !young };
				t->h.o.hook = late_hook;
				TCHECK(th_unmap(&t->h, t->wbase + at - g, 2 * g) == IOPGT_OK, "unmap");
				t->h.o.hook = hook;
				TCHECK(late_mark.done, "no flush before the deferred stores");
				{
					const uint64_t w2[2] = { at + g, L - g };

					expect_spans(t, young, at, L, 0, w2, 1);
				}
				TCHECK(th_unmap(&t->h, t->wbase + at, L) == IOPGT_OK, "unmap");
			}
		}
		th_check_all(&t->h);
		tt_fini(t);
	}
}

/* A tree handed over keeps its marks: the new owner reports them. */
static void adoption_keeps_the_walkers_marks(void **state)
{
	struct tt *t = &T;
	const uint64_t want[4] = { 0, 0x10000, 0x20000, 0x1000 };
	uint64_t root = 0;

	(void)state;
	tt_init(t, &tcfgs[4], test_seed(0x7af8));
	TCHECK(th_map(&t->h, t->wbase, 1ull << 36, 0x10000, IOPGT_READ | IOPGT_WRITE) == IOPGT_OK &&
	       th_map(&t->h, t->wbase + 0x20000, (1ull << 36) + 0x20000, 0x1000,
		      IOPGT_READ | IOPGT_WRITE) == IOPGT_OK, "map");
	walker(t, 0x8000, true, ~0ull); /* the run's last entry */
	walker(t, 0x20000, true, 0);
	TCHECK(iopgt_detach(&t->h.pt, &root) == IOPGT_OK, "detach");
	TCHECK(iopgt_adopt(&t->h.pt, &t->h.cfg, root) == IOPGT_OK, "adopt a tree with marks");
	expect_spans(t, false, 0, 0x40000, IOPGT_TRACK_NO_CLEAR, want, 2);
	expect_spans(t, true, 0, 0x40000, 0, want, 2);
	expect_spans(t, false, 0, 0x40000, 0, want, 2);
	expect_spans(t, false, 0, 0x40000, 0, want, 0);
	th_check_all(&t->h);
	tt_fini(t);
}

/* Arguments: the tracking calls check them as unmap does. */
static void tracking_calls_refuse_bad_arguments(void **state)
{
	struct tt *t = &T;
	struct spanlog l = { .n = 0 };
	const uint64_t g = 0x1000;

	(void)state;
	tt_init(t, &tcfgs[0], test_seed(0x7af0));
	TCHECK(th_map(&t->h, t->wbase, 1ull << 38, 0x10000, IOPGT_READ | IOPGT_WRITE) == IOPGT_OK,
	       "map");
	walker(t, 0, true, 0);
	TCHECK(iopgt_read_and_clear_dirty(&t->h.pt, t->wbase + 1, g, 0, log_span, &l) ==
	       IOPGT_ERR_INVAL, "unaligned iova");
	TCHECK(iopgt_read_and_clear_dirty(&t->h.pt, t->wbase, g + 8, 0, log_span, &l) ==
	       IOPGT_ERR_INVAL, "unaligned size");
	TCHECK(iopgt_read_and_clear_dirty(&t->h.pt, t->wbase, 0, 0, log_span, &l) ==
	       IOPGT_ERR_INVAL, "size 0");
	TCHECK(iopgt_read_and_clear_dirty(&t->h.pt, t->wbase, g, 4, log_span, &l) ==
	       IOPGT_ERR_INVAL, "unknown flag");
	TCHECK(iopgt_test_and_clear_young(&t->h.pt, t->wbase, g, 0, NULL, &l) == IOPGT_ERR_INVAL,
	       "fn NULL");
	TCHECK(iopgt_test_and_clear_young(&t->h.pt, 1ull << 39, g, 0, log_span, &l) ==
	       IOPGT_ERR_RANGE, "beyond the input range");
	TCHECK(iopgt_test_and_clear_young(&t->h.pt, (1ull << 39) - g, 2 * g, 0, log_span, &l) ==
	       IOPGT_ERR_RANGE, "reaching beyond the input range");
	TCHECK(iopgt_test_and_clear_young(&t->h.pt, ~0ull - g + 1, 2 * g, 0, log_span, &l) ==
	       IOPGT_ERR_RANGE, "wrapping");
	TCHECK(l.n == 0, "a refused call reported");
	/* a run reported whole from any of its pages, and cleaned whole */
	{
		const uint64_t want[2] = { 0, 0x10000 };

		expect_spans(t, false, 0x8000, g, 0, want, 1);
		expect_spans(t, false, 0, 0x10000, 0, want, 0);
		expect_spans(t, true, 0xf000, g, IOPGT_TRACK_NO_CLEAR, want, 1);
		expect_spans(t, true, 0xf000, g, 0, want, 1);
		expect_spans(t, true, 0, g, 0, want, 0);
	}
	th_check_all(&t->h);
	tt_fini(t);
}

/* ---------------------------------------------------------------- a second thread */

struct hwthread {
	struct tt *t;
	struct hwsim w;
	struct trng r;
	uint64_t *pages;      /* iovas the model maps, with bit 0: writable */
	size_t npages;
	struct mark *marks;
	size_t nmarks, cap;
	unsigned long accesses, during;
	int go, stop, in_call;
};

static void *hw_main(void *arg)
{
	struct hwthread *x = arg;
	struct tt *t = x->t;
	unsigned long n = 0;

	while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
		uint64_t v = x->pages[trng_below(&x->r, x->npages)];
		bool write = (v & 1) && trng_below(&x->r, 3) != 0;
		struct hwsim_hit hit;

		x->accesses++;
		if (hwsim_access(&x->w, v & ~1ull, write, trng_next(&x->r), &hit) == HWSIM_OK &&
		    hit.marked) {
			if (x->nmarks == x->cap)
				break; /* no room to remember more */
			x->marks[x->nmarks].first = hit.first - t->wbase;
			x->marks[x->nmarks].size = hit.size;
			x->marks[x->nmarks].dirty = write && t->hd;
			x->marks[x->nmarks].young = t->ha;
			x->nmarks++;
			if (__atomic_load_n(&x->in_call, __ATOMIC_RELAXED))
				x->during++;
		}
		if (++n == 16)
			__atomic_store_n(&x->go, 1, __ATOMIC_RELEASE);
		if (!(n & 63))
			sched_yield();
	}
	__atomic_store_n(&x->go, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void threaded_call(struct tt *t, struct hwthread *x, bool young, uint64_t lo, uint64_t size)
{
	track_fn f = young ? iopgt_test_and_clear_young : iopgt_read_and_clear_dirty;
	pthread_t th;
	int rc;

	tctx_op("threads %s 0x%llx+0x%llx", young ? "young" : "dirty",
		(unsigned long long)(t->wbase + lo), (unsigned long long)size);
	track_begin(t, young);
	x->nmarks = 0;
	x->during = x->accesses = 0;
	x->go = x->stop = x->in_call = 0;
	TCHECK(pthread_create(&th, NULL, hw_main, x) == 0, "pthread_create");
	while (!__atomic_load_n(&x->go, __ATOMIC_ACQUIRE))
		sched_yield();
	__atomic_store_n(&x->in_call, 1, __ATOMIC_RELAXED);
	rc = f(&t->h.pt, t->wbase + lo, size, 0, on_span, t);
	__atomic_store_n(&x->in_call, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&x->stop, 1, __ATOMIC_RELEASE);
	TCHECK(pthread_join(th, NULL) == 0, "pthread_join");
	t->in_call = false;
	TCHECK(rc == IOPGT_OK, "tracking call = %d", rc);
	/* the thread's marks, as if made during the call (some were made before
	 * or after it: no difference to what is allowed) */
	for (size_t i = 0; i < x->nmarks; i++) {
		t->marks = grow(t->marks, &t->cap_marks, t->nmarks, sizeof(*t->marks));
		t->marks[t->nmarks++] = x->marks[i];
	}
	fig.calls++;
	fig.touches += x->accesses;
	fig.updates += x->nmarks;
	fig.threaded += x->nmarks;
	fig.mid_call += x->during;
	track_check(t, young, lo, size, 0);
}

static void a_second_thread_marks_while_the_calls_clean(void **state)
{
	static const unsigned pick[] = { 0, 1, 2, 4, 5, 7, 9, 10 };
	const unsigned rounds = test_iters(40);

	(void)state;
	for (size_t i = 0; i < sizeof(pick) / sizeof(pick[0]); i++) {
		struct tt *t = &T;
		struct hwthread x;

		tt_init(t, &tcfgs[pick[i]], test_seed(0x7ad0 + i));
		memset(&x, 0, sizeof(x));
		x.t = t;
		x.cap = 1u << 16;
		x.marks = malloc(x.cap * sizeof(*x.marks));
		TCHECK(x.marks != NULL, "malloc");
		trng_seed(&x.r, test_seed(0x7ad0 + i) ^ 0x55);
		TCHECK(hwsim_init(&x.w, t->c->fmt, &t->h.regs, t->c->oas, &t->h.mem) == 0, "hwsim");
		for (unsigned n = 0; n < rounds; n++) {
			const struct model *md = &t->h.md;
			size_t np = 0;

			/* a few more mappings, some gone */
			for (unsigned j = 0; j < 6; j++)
				one_map(t);
			if (trng_below(&t->r, 2))
				one_unmap(t);
			fig.ops += 7;
			if (!md->n)
				continue;
			/* the pages the second thread accesses: some of every chunk */
			x.pages = realloc(x.pages, md->n * 8 * sizeof(*x.pages));
			TCHECK(x.pages != NULL, "realloc");
			for (size_t c = 0; c < md->n; c++)
				for (unsigned j = 0; j < 8; j++) {
					uint64_t o = trng_below(&t->r, md->c[c].size) &
						     ~((1ull << t->gshift) - 1);

					x.pages[np++] = (t->h.base + md->c[c].iova + o) |
							!!(md->c[c].prot & IOPGT_WRITE);
				}
			x.npages = np;
			for (int y = 0; y < 2; y++) {
				uint64_t size = t->c->window >> trng_below(&t->r, 3);
				uint64_t lo = trng_below(&t->r, t->c->window / size) * size;

				if ((y ? t->ha : t->hd))
					threaded_call(t, &x, y, lo, size);
			}
		}
		fig.retries += x.w.retries;
		free(x.marks);
		free(x.pages);
		th_check_all(&t->h);
		tt_fini(t);
	}
}

/*
 * A race on few leaves: the second thread keeps writing and reading four
 * single pages while the tracking calls clean them over and over. Each
 * page is its own leaf, so its state changes by turns: the walker makes it
 * dirty (young), a call reports and cleans it. Nothing lost, nothing
 * invented: per page, the walker's changes equal the reports plus the
 * state left at the end.
 */
struct racer {
	struct hwsim w;
	struct trng r;
	uint64_t base;
	int stop;
	unsigned long made_dirty[8], made_young[8], accesses;
};

static const unsigned race_pages[4] = { 0, 1, 2, 5 };

static void *race_main(void *arg)
{
	struct racer *x = arg;

	while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
		unsigned p = race_pages[trng_below(&x->r, 4)];
		struct hwsim_hit hit;

		x->accesses++;
		if (hwsim_access(&x->w, x->base + ((uint64_t)p << 12), trng_below(&x->r, 10) < 7,
				 0, &hit) != HWSIM_OK)
			continue;
		x->made_dirty[p] += hit.made_dirty;
		x->made_young[p] += hit.made_young;
	}
	return NULL;
}

struct race_count {
	unsigned long rep[8];
};

static void race_span(void *ctx, uint64_t iova, uint64_t size)
{
	struct race_count *c = ctx;

	for (uint64_t o = 0; o < size; o += 0x1000)
		c->rep[((iova + o) >> 12) & 7]++;
}

static void a_second_thread_races_each_clean(void **state)
{
	static const unsigned pick[] = { 0, 2, 4, 9 };
	const unsigned calls = test_iters(4000);

	(void)state;
	for (size_t i = 0; i < sizeof(pick) / sizeof(pick[0]); i++) {
		const struct tcfg *c = &tcfgs[pick[i]];
		struct tt *t = &T;
		struct racer x;
		struct race_count rd, ry;
		pthread_t th;
		uint64_t g;

		tt_init(t, c, test_seed(0x7b00 + i));
		g = 1ull << t->gshift;
		if (g != 0x1000) {
			tt_fini(t);
			continue;
		}
		memset(&x, 0, sizeof(x));
		memset(&rd, 0, sizeof(rd));
		memset(&ry, 0, sizeof(ry));
		x.base = t->wbase;
		trng_seed(&x.r, test_seed(0x7b00 + i) ^ 0x99);
		TCHECK(hwsim_init(&x.w, c->fmt, &t->h.regs, c->oas, &t->h.mem) == 0, "hwsim");
		TCHECK(th_map(&t->h, t->wbase, 1ull << 36, 3 * g, IOPGT_READ | IOPGT_WRITE) == IOPGT_OK &&
		       th_map(&t->h, t->wbase + 5 * g, (1ull << 36) + 5 * g, g,
			      IOPGT_READ | IOPGT_WRITE) == IOPGT_OK, "map");
		TCHECK(pthread_create(&th, NULL, race_main, &x) == 0, "pthread_create");
		for (unsigned n = 0; n < calls; n++) {
			if (t->hd)
				TCHECK(iopgt_read_and_clear_dirty(&t->h.pt, t->wbase, 8 * g, 0, race_span,
								  &rd) == IOPGT_OK, "dirty");
			if (t->ha)
				TCHECK(iopgt_test_and_clear_young(&t->h.pt, t->wbase, 8 * g, 0, race_span,
								  &ry) == IOPGT_OK, "young");
		}
		__atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
		TCHECK(pthread_join(th, NULL) == 0, "pthread_join");
		for (unsigned k = 0; k < 4; k++) {
			unsigned p = race_pages[k];
			struct refwalk_result r;

			TCHECK(leaf_at(t, (uint64_t)p * g, &r) && r.size == g, "page %u", p);
			if (t->hd)
				TCHECK(x.made_dirty[p] == rd.rep[p] + r.dirty,
				       "%s page %u: the walker made it dirty %lu times, reported %lu "
				       "times, dirty now: %d", c->name, p, x.made_dirty[p], rd.rep[p],
				       r.dirty);
			if (t->ha)
				TCHECK(x.made_young[p] == ry.rep[p] + r.young,
				       "%s page %u: the walker made it young %lu times, reported %lu "
				       "times, young now: %d", c->name, p, x.made_young[p], ry.rep[p],
				       r.young);
			fig.updates += x.made_dirty[p] + x.made_young[p];
			fig.threaded += x.made_dirty[p] + x.made_young[p];
			fig.dirty_pages += rd.rep[p];
			fig.young_pages += ry.rep[p];
		}
		fig.touches += x.accesses;
		fig.retries += x.w.retries;
		fig.calls += calls * ((unsigned)t->hd + (unsigned)t->ha);
		th_check_all(&t->h);
		tt_fini(t);
	}
	print_figures("tracking, a second thread (both tests)");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest one[] = {
		cmocka_unit_test(tracking_calls_refuse_bad_arguments),
		cmocka_unit_test(splits_keep_the_walkers_marks),
		cmocka_unit_test(adoption_keeps_the_walkers_marks),
		cmocka_unit_test(random_sequences_report_exactly_what_the_walker_marked),
	};
	const struct CMUnitTest threads[] = {
		cmocka_unit_test(a_second_thread_marks_while_the_calls_clean),
		cmocka_unit_test(a_second_thread_races_each_clean),
	};

	memset(&fig, 0, sizeof(fig));
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return cmocka_run_group_tests(threads, NULL, NULL);
	return cmocka_run_group_tests(one, NULL, NULL);
}
