/* SPDX-License-Identifier: MIT */
/*
 * tests/conc/test_conc_track.c - the tracking calls among concurrent calls
 * (IOPGT_QUIRK_CONCURRENT with IOPGT_QUIRK_HW_DIRTY and _HW_ACCESS).
 *
 * Three threads (more than this machine's cores) own interleaved stripes of
 * a window (one contiguous run each, so that runs form and split) and run
 * seeded random sequences on them: maps of a whole stripe or of a page,
 * unmaps of parts of a stripe (splitting its run), walker accesses to their
 * own pages (hwsim.h, with a compare-and-swap per mark) and tracking calls
 * on their own ranges. The threads share every table above the leaves, and
 * leaf tables too; tables are installed and freed while the others run.
 *
 * Each thread keeps its own model of its pages: mapped, the leaf each page
 * is in (a stripe's run, or the page alone once the run was split) and
 * whether the walker marked that leaf dirty or young. Each tracking call
 * must report exactly the marked leaves of its range, whole, coalesced and
 * in order, and clean them: no other thread touches these pages. At the end
 * every thread has unmapped what it mapped and only the root is left.
 *
 * Built with the other concurrency tests; run under ThreadSanitizer.
 * IOPGT_TEST_SCALE multiplies the operations, IOPGT_TEST_SEED the seeds.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iopgt/iopgt.h>

#include "hwsim.h"

#define NT 3
#define MAXPAGES 4096

__attribute__((format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

struct conf {
	const char *name;
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t pgsizes;
	unsigned gshift, stripe; /* log2 granule, pages per stripe (one run) */
	uint64_t base;           /* first iova of the window */
	unsigned pages;          /* window size in granules */
};

static const struct conf confs[] = {
	/* 9 MiB from 1 GiB - 1 MiB: four 2M regions, two level-1 entries */
	{ "arm64-s1-4k", IOPGT_FMT_ARM64_S1, 39, 48, 0x1000 | 0x10000 | 0x200000, 12, 16,
	  0x3ff00000, 2304 },
	/* 64 MiB of 2M runs across a 512M boundary */
	{ "arm64-s2-64k", IOPGT_FMT_ARM64_S2, 42, 48, 0x10000 | 0x200000 | 0x20000000, 16, 32,
	  0x1e000000, 1152 },
};

static const struct conf *cf;
static struct iopgt pt;
static struct iopgt_regs regs;
static unsigned long ops_per_thread;
static unsigned long long seed0;
static unsigned long flush_leaf_calls, flush_other_calls;

/* the owners' models, one thread per page */
static struct pagem {
	uint8_t mapped, writable, dirty, young;
	uint16_t leaf_first, leaf_pages; /* the leaf it is in, in pages */
} pm[MAXPAGES];

struct tstat {
	unsigned long ops, accesses, marks, calls, dirty_pages, young_pages;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t g(void)
{
	return 1ull << cf->gshift;
}

static uint64_t iova_of(unsigned p)
{
	return cf->base + ((uint64_t)p << cf->gshift);
}

/* stripe @k of thread @tid: its first page */
static unsigned stripe_first(unsigned tid, unsigned k)
{
	return (k * NT + tid) * cf->stripe;
}

static unsigned stripes(void)
{
	return cf->pages / cf->stripe / NT;
}

static void tlb_leaf(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	(void)iova;
	(void)size;
	(void)granule;
	__atomic_fetch_add(&flush_leaf_calls, 1, __ATOMIC_RELAXED);
}

static void tlb_walk(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	(void)iova;
	(void)size;
	(void)granule;
	__atomic_fetch_add(&flush_other_calls, 1, __ATOMIC_RELAXED);
}

static void tlb_all(void *ctx)
{
	(void)ctx;
	__atomic_fetch_add(&flush_other_calls, 1, __ATOMIC_RELAXED);
}

struct spans {
	uint64_t s[64][2];
	unsigned n;
};

static void on_span(void *ctx, uint64_t iova, uint64_t size)
{
	struct spans *sp = ctx;

	if (sp->n == 64)
		die("too many spans");
	if (sp->n && iova <= sp->s[sp->n - 1][0] + sp->s[sp->n - 1][1])
		die("span 0x%" PRIx64 " out of order or not coalesced", iova);
	sp->s[sp->n][0] = iova;
	sp->s[sp->n][1] = size;
	sp->n++;
}

static void map_pages(unsigned p, unsigned n, bool writable, bool run)
{
	uint32_t prot = IOPGT_READ | (writable ? IOPGT_WRITE : 0);
	int rc = iopgt_map(&pt, iova_of(p), (1ull << 36) + ((uint64_t)p << cf->gshift),
			   (uint64_t)n << cf->gshift, prot);

	if (rc)
		die("%s: map of page %u (+%u) = %d", cf->name, p, n, rc);
	for (unsigned i = p; i < p + n; i++) {
		pm[i] = (struct pagem){ 1, writable, 0, 0, (uint16_t)(run ? p : i),
					(uint16_t)(run ? n : 1) };
	}
}

static void unmap_pages(unsigned p, unsigned n)
{
	int rc = iopgt_unmap(&pt, iova_of(p), (uint64_t)n << cf->gshift);

	if (rc)
		die("%s: unmap of page %u (+%u) = %d", cf->name, p, n, rc);
	/* a run that loses a part: the rest are single pages, marks kept */
	for (unsigned i = p; i < p + n; i++) {
		const struct pagem m = pm[i];

		if (m.mapped && m.leaf_pages > 1)
			for (unsigned j = m.leaf_first; j < m.leaf_first + m.leaf_pages; j++) {
				pm[j].leaf_first = (uint16_t)j;
				pm[j].leaf_pages = 1;
			}
	}
	for (unsigned i = p; i < p + n; i++)
		memset(&pm[i], 0, sizeof(pm[i]));
}

static void touch(struct hwsim *w, unsigned p, bool write, uint64_t pick, struct tstat *st)
{
	struct hwsim_hit hit;
	int rc = hwsim_access(w, iova_of(p), write, pick, &hit);
	int want = pm[p].mapped ? (write && !pm[p].writable ? HWSIM_PERM : HWSIM_OK) : HWSIM_FAULT;
	unsigned first = pm[p].leaf_first, n = pm[p].leaf_pages;

	st->accesses++;
	if (rc != want)
		die("%s: walker %s of page %u: %d, expected %d", cf->name, write ? "write" : "read",
		     p, rc, want);
	if (rc != HWSIM_OK)
		return;
	if (hit.first != iova_of(first) || hit.size != (uint64_t)n << cf->gshift)
		die("%s: page %u in leaf 0x%" PRIx64 "+0x%" PRIx64 ", the model has %u+%u",
		     cf->name, p, hit.first, hit.size, first, n);
	st->marks += hit.marked;
	for (unsigned i = first; i < first + n; i++) {
		pm[i].young = 1;
		if (write)
			pm[i].dirty = 1;
	}
}

/* A tracking call on pages [p, p + n): exactly the marked leaves, whole. */
static void track(unsigned p, unsigned n, bool young, bool keep, struct tstat *st)
{
	struct spans sp = { .n = 0 };
	uint64_t want[64][2];
	unsigned nw = 0, i = p;
	int rc;

	while (i < p + n) {
		const struct pagem m = pm[i];

		if (!m.mapped) {
			i++;
			continue;
		}
		if (young ? m.young : m.dirty) {
			uint64_t a = iova_of(m.leaf_first), s = (uint64_t)m.leaf_pages << cf->gshift;

			if (nw && want[nw - 1][0] + want[nw - 1][1] == a)
				want[nw - 1][1] += s;
			else {
				want[nw][0] = a;
				want[nw][1] = s;
				nw++;
			}
		}
		i = m.leaf_first + m.leaf_pages;
	}
	rc = (young ? iopgt_test_and_clear_young : iopgt_read_and_clear_dirty)(
		&pt, iova_of(p), (uint64_t)n << cf->gshift, keep ? IOPGT_TRACK_NO_CLEAR : 0,
		on_span, &sp);
	if (rc)
		die("%s: tracking call = %d", cf->name, rc);
	st->calls++;
	if (sp.n != nw)
		die("%s: %s pages %u+%u: %u spans, the model has %u", cf->name,
		     young ? "young" : "dirty", p, n, sp.n, nw);
	for (unsigned k = 0; k < nw; k++) {
		if (sp.s[k][0] != want[k][0] || sp.s[k][1] != want[k][1])
			die("%s: span 0x%" PRIx64 "+0x%" PRIx64 ", the model has 0x%" PRIx64
			     "+0x%" PRIx64, cf->name, sp.s[k][0], sp.s[k][1], want[k][0], want[k][1]);
		if (young)
			st->young_pages += want[k][1] >> cf->gshift;
		else
			st->dirty_pages += want[k][1] >> cf->gshift;
		if (keep)
			continue;
		for (uint64_t o = 0; o < want[k][1]; o += g()) {
			unsigned q = (unsigned)((want[k][0] + o - cf->base) >> cf->gshift);

			if (young)
				pm[q].young = 0;
			else
				pm[q].dirty = 0;
		}
	}
}

struct targ {
	unsigned tid;
	struct tstat st;
};

static void *worker(void *arg)
{
	struct targ *a = arg;
	uint64_t s = seed0 * 2654435761u + a->tid + 1;
	struct hwsim w;
	const unsigned ns = stripes();

	if (hwsim_init(&w, cf->fmt, &regs, cf->oas, NULL))
		die("hwsim");
	for (unsigned long op = 0; op < ops_per_thread; op++) {
		const unsigned sf = stripe_first(a->tid, (unsigned)(rnd(&s) % ns));
		const unsigned pg = sf + (unsigned)(rnd(&s) % cf->stripe);
		unsigned k = (unsigned)(rnd(&s) % 10);

		a->st.ops++;
		if (k < 3) {
			bool empty = true;

			for (unsigned i = sf; i < sf + cf->stripe; i++)
				empty &= !pm[i].mapped;
			if (empty && (rnd(&s) & 1))
				map_pages(sf, cf->stripe, rnd(&s) % 4 != 0, true);
			else if (!pm[pg].mapped)
				map_pages(pg, 1, rnd(&s) % 4 != 0, false);
		} else if (k < 5) {
			unsigned n = 1 + (unsigned)(rnd(&s) % (sf + cf->stripe - pg));

			if (rnd(&s) & 1)
				n = 1;
			unmap_pages(pg, n);
		} else if (k < 8) {
			for (unsigned j = 0; j < 4; j++) {
				unsigned q = sf + (unsigned)(rnd(&s) % cf->stripe);

				touch(&w, q, rnd(&s) % 3 != 0, rnd(&s), &a->st);
			}
		} else {
			unsigned n = 1 + (unsigned)(rnd(&s) % (sf + cf->stripe - pg));

			if (rnd(&s) % 3 == 0) {
				n = cf->stripe;
				track(sf, n, rnd(&s) & 1, rnd(&s) % 5 == 0, &a->st);
			} else {
				track(pg, n, rnd(&s) & 1, rnd(&s) % 5 == 0, &a->st);
			}
		}
	}
	/* everything reported, then gone */
	for (unsigned k = 0; k < ns; k++) {
		unsigned sf = stripe_first(a->tid, k);

		track(sf, cf->stripe, false, false, &a->st);
		track(sf, cf->stripe, true, false, &a->st);
		track(sf, cf->stripe, false, false, &a->st);
		unmap_pages(sf, cf->stripe);
	}
	return NULL;
}

static void run(const struct conf *c)
{
	struct iopgt_cfg cfg;
	struct iopgt_stats st;
	pthread_t th[NT];
	struct targ a[NT];
	struct tstat tot = { 0 };

	cf = c;
	memset(pm, 0, sizeof(pm));
	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = c->fmt;
	cfg.ias = c->ias;
	cfg.oas = c->oas;
	cfg.pgsizes = c->pgsizes;
	cfg.quirks = IOPGT_QUIRK_CONCURRENT | IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS;
	cfg.tlb.flush_leaf = tlb_leaf;
	cfg.tlb.flush_walk = tlb_walk;
	cfg.tlb.flush_all = tlb_all;
	if (c->pages > MAXPAGES)
		die("window too large");
	{
		int rc = iopgt_init(&pt, &cfg);

		if (rc)
			die("%s: init = %d", c->name, rc);
	}
	iopgt_get_regs(&pt, &regs);
	for (unsigned t = 0; t < NT; t++) {
		memset(&a[t], 0, sizeof(a[t]));
		a[t].tid = t;
		if (pthread_create(&th[t], NULL, worker, &a[t]))
			die("pthread_create");
	}
	for (unsigned t = 0; t < NT; t++) {
		if (pthread_join(th[t], NULL))
			die("pthread_join");
		tot.ops += a[t].st.ops;
		tot.accesses += a[t].st.accesses;
		tot.marks += a[t].st.marks;
		tot.calls += a[t].st.calls;
		tot.dirty_pages += a[t].st.dirty_pages;
		tot.young_pages += a[t].st.young_pages;
	}
	if (iopgt_get_stats(&pt, &st) || st.tables != 1)
		die("%s: %" PRIu64 " tables left, only the root should be", c->name, st.tables);
	iopgt_fini(&pt);
	printf("%s: %d threads, %lu operations, %lu walker accesses, %lu descriptor updates, %lu "
	       "tracking calls; pages reported: %lu dirty, %lu young\n",
	       c->name, NT, tot.ops, tot.accesses, tot.marks, tot.calls, tot.dirty_pages,
	       tot.young_pages);
}

int main(void)
{
	const char *sc = getenv("IOPGT_TEST_SCALE"), *sd = getenv("IOPGT_TEST_SEED");
	double scale = sc ? atof(sc) : 1.0;

	seed0 = sd ? strtoull(sd, NULL, 0) : 0x7ac7;
	ops_per_thread = (unsigned long)(30000 * (scale > 0 ? scale : 1.0));
	if (!ops_per_thread)
		ops_per_thread = 1;
	for (size_t i = 0; i < sizeof(confs) / sizeof(confs[0]); i++)
		run(&confs[i]);
	if (!flush_leaf_calls)
		die("no flush_leaf call");
	printf("PASS (seed 0x%llx, %lu flush_leaf, %lu other flushes)\n", seed0, flush_leaf_calls,
	       flush_other_calls);
	return 0;
}
