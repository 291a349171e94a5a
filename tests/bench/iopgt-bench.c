/* SPDX-License-Identifier: MIT */
/*
 * iopgt-bench - time map, unmap and lookup, and count what a non-coherent
 * walker would have to be given.
 *
 *   iopgt-bench lpae|v7s 0|1|2 [nolookup]
 *
 * lpae: IOPGT_FMT_ARM64_S1, 4K granule, IAS = OAS = 48, 1 GiB at iova 4 GiB,
 * pa 512 GiB. v7s: IOPGT_FMT_ARMV7S, 256 MiB at iova 1 GiB, pa 2 GiB. The
 * second argument says whether the walker is coherent (1: sync.fn NULL) or
 * not (0: every range goes to a callback that counts calls, bytes and
 * distinct 64-byte lines per call, as the peer's DMA shim counts them; 2:
 * the same, and the lines are really
 * cleaned: iopgt_clflushopt_sync_ranges() on x86-64, a CLFLUSHOPT per line
 * and one SFENCE per call, iopgt_dccvac_sync_ranges() on arm64). Every
 * mapping is READ|WRITE|CACHE.
 *
 * Phases map4k_sg64 / unmap4k_sg64 map the span with iopgt_map_sg(), calls
 * of 64 4K pages whose output addresses are a fixed pseudo-random
 * permutation of the span's page frames, and unmap it in 256 KiB calls.
 *
 * One line per phase:
 *   RES fmt=.. coh=.. phase=.. units=.. api_calls=.. ns_total=.. ns_per_unit=..
 *       sync_calls=.. sync_bytes=.. clean_lines=.. table_bytes=..
 * table_bytes is the table memory held after the phase; minflt the page
 * faults the process took during it (first touches of table memory).
 *
 * Phases warm_* repeat the one-by-one and bulk phases on table memory that
 * was touched beforehand (the 64 MiB arena below) and report the fastest of five
 * identical runs: the library's own cost, without the page faults of fresh
 * memory that the other phases include (as the peer's do); table_bytes is
 * what is held when all five are done.
 *
 * The file also builds against the headers and library of a version
 * without IOPGT_QUIRK_CONCURRENT (for figures before and after a change);
 * it then has no conc_* phases.
 *
 * Phases conc1_* and conc2s_/conc2h_* run with IOPGT_QUIRK_CONCURRENT: one
 * thread, then two threads at once on disjoint halves of the pages, in
 * 64 KiB stripes (conc2s: the threads share every leaf table) or in two
 * halves of the span (conc2h); ns_per_unit is wall time per page, so
 * 1e9 / ns_per_unit is the pages per second of both threads together.
 */
#define _GNU_SOURCE /* MAP_32BIT, MAP_NORESERVE */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include <iopgt/backends.h>
#include <iopgt/iopgt.h>

struct bfmt {
	const char *name;
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t small, block;
	uint64_t iova_base, pa_base, span;
};

static const struct bfmt fmt_lpae = {
	"LPAE-S1", IOPGT_FMT_ARM64_S1, 48, 48, 1u << 12, 1u << 21,
	1ull << 32, 0x8000000000ull, 1ull << 30,
};
static const struct bfmt fmt_v7s = {
	"V7S", IOPGT_FMT_ARMV7S, 32, 32, 1u << 12, 1u << 20,
	0x40000000ull, 0x80000000ull, 256ull << 20,
};

static const struct bfmt *F;
static int coherent;

/* coh=2: the backend that really cleans, after the counts */
#if IOPGT_HAVE_CLFLUSHOPT
static struct iopgt_clflushopt cleaner;
#define CLEAN_INIT() iopgt_clflushopt_init(&cleaner)
#define CLEAN(r, n) iopgt_clflushopt_sync_ranges(&cleaner, (r), (n))
#elif IOPGT_HAVE_DCCVAC
static struct iopgt_dccvac cleaner;
#define CLEAN_INIT() iopgt_dccvac_init(&cleaner, 0)
#define CLEAN(r, n) iopgt_dccvac_sync_ranges(&cleaner, (r), (n))
#else
#define CLEAN_INIT() IOPGT_ERR_NOTSUP
#define CLEAN(r, n) ((void)(r), (void)(n))
#endif

/*
 * coh=0 and 2, one thread: what the peer's DMA shim counts (calls, bytes,
 * 64-byte lines; here the distinct lines of a call), in a callback of about
 * its weight: the recorder backend would add its logs' bookkeeping to every
 * call, which the peer's inline counters do not have.
 */
static uint64_t s_calls, s_bytes, s_lines;

static void count_plain(void *ctx, const struct iopgt_range *r, size_t n)
{
	/* the ranges of a call come sorted and apart (the dirty-range
	 * contract): a line is shared only with the range before */
	uint64_t bytes = 0, lines = 0, done = 0;

	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		const uint64_t va = (uint64_t)(uintptr_t)r[i].va;
		uint64_t first = va >> 6;
		const uint64_t last = (va + r[i].len - 1) >> 6;

		if (i && first < done)
			first = done;
		if (last >= first)
			lines += last - first + 1;
		done = last + 1;
		bytes += r[i].len;
	}
	s_calls++;
	s_bytes += bytes;
	s_lines += lines;
}

static void count_and_clean(void *ctx, const struct iopgt_range *r, size_t n)
{
	count_plain(ctx, r, n);
	CLEAN(r, n);
}
static const uint32_t PROT = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;

struct snap {
	uint64_t calls, bytes, lines;
	uint64_t ns;
	uint64_t minflt; /* page faults of the process so far */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t minor_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (uint64_t)ru.ru_minflt;
}

static void take(struct snap *s)
{
	s->calls = s_calls;
	s->bytes = s_bytes;
	s->lines = s_lines;
	s->minflt = minor_faults();
	s->ns = now_ns();
}

static uint64_t held(const struct iopgt *pt)
{
	struct iopgt_stats st;

	if (!pt || iopgt_get_stats(pt, &st))
		return 0;
	return st.table_bytes;
}

/* one RES line for what happened between snapshots @a and @b */
static void report_span(const char *fmtname, const char *phase, const struct snap *a,
			const struct snap *bp, uint64_t units, uint64_t api_calls,
			const struct iopgt *pt)
{
	const struct snap b = *bp;
	uint64_t ns;

	ns = b.ns - a->ns;
	printf("RES fmt=%s coh=%d phase=%s units=%llu api_calls=%llu ns_total=%llu "
	       "ns_per_unit=%.3f sync_calls=%llu sync_bytes=%llu clean_lines=%llu "
	       "table_bytes=%llu minflt=%llu\n",
	       fmtname, coherent, phase, (unsigned long long)units,
	       (unsigned long long)api_calls, (unsigned long long)ns,
	       units ? (double)ns / (double)units : 0.0,
	       (unsigned long long)(b.calls - a->calls), (unsigned long long)(b.bytes - a->bytes),
	       (unsigned long long)(b.lines - a->lines), (unsigned long long)held(pt),
	       (unsigned long long)(b.minflt - a->minflt));
	fflush(stdout);
}

static void report(const char *fmtname, const char *phase, const struct snap *a, uint64_t units,
		   uint64_t api_calls, const struct iopgt *pt)
{
	struct snap b;

	take(&b);
	report_span(fmtname, phase, a, &b, units, api_calls, pt);
}

static void die(const char *what, uint64_t i, int err)
{
	fprintf(stderr, "FAIL: %s at %llu: %s\n", what, (unsigned long long)i,
		iopgt_strerror(err));
	exit(2);
}

/*
 * v7s tables must sit below 4 GiB of walker address space. As the peer's
 * kernel shim does for its GFP_DMA tables, they come from an arena mapped
 * below 4 GiB of virtual address space (MAP_32BIT), not touched
 * beforehand, whose walker addresses are its virtual addresses
 * (phys_to_virt NULL); a bump allocator and a free list per size. Where no
 * such mapping can be had (MAP_32BIT is x86-64's), the arena gets walker
 * addresses of its own (pa = offset + 256 MiB) and a phys_to_virt. LPAE
 * uses the built-in allocator.
 */
#define ARENA_SIZE (64u << 20)
#define ARENA_PA 0x10000000ull
static char *arena;
static int arena_ident; /* walker address = virtual address */
static size_t arena_used;
static void *free_list[32];

static void arena_init(void)
{
#ifdef MAP_32BIT
	void *p = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT | MAP_NORESERVE, -1, 0);

	if (p != MAP_FAILED && (uintptr_t)p + ARENA_SIZE <= (1ull << 32)) {
		arena = p;
		arena_ident = 1;
		return;
	}
	if (p != MAP_FAILED)
		munmap(p, ARENA_SIZE);
#endif
	arena = aligned_alloc(1u << 16, ARENA_SIZE);
	if (!arena)
		exit(1);
}

/* the warm phases: no page fault inside a measured run */
static void arena_touch(void)
{
	memset(arena + arena_used, 0, ARENA_SIZE - arena_used);
}

static void *arena_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	unsigned k = 0;
	void *p;

	(void)ctx;
	while (((size_t)1 << k) < size)
		k++;
	size = (size_t)1 << k;
	if (align < size)
		align = size;
	if (free_list[k]) {
		p = free_list[k];
		free_list[k] = *(void **)p;
	} else {
		arena_used = (arena_used + align - 1) & ~(align - 1);
		if (arena_used + size > ARENA_SIZE)
			return NULL;
		p = arena + arena_used;
		arena_used += size;
	}
	*pa = arena_ident ? (uint64_t)(uintptr_t)p : ARENA_PA + (uint64_t)((char *)p - arena);
	return p;
}

static void arena_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	unsigned k = 0;

	(void)ctx;
	(void)pa;
	while (((size_t)1 << k) < size)
		k++;
	*(void **)va = free_list[k];
	free_list[k] = va;
}

static void *arena_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < ARENA_PA || pa - ARENA_PA >= ARENA_SIZE)
		return NULL;
	return arena + (pa - ARENA_PA);
}

/* concurrent phases: the arena under a lock, sync counted atomically */
static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t c_calls, c_bytes, c_lines;

static void *arena_alloc_locked(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	void *p;

	pthread_mutex_lock(&arena_lock);
	p = arena_alloc(ctx, size, align, pa);
	pthread_mutex_unlock(&arena_lock);
	return p;
}

static void arena_free_locked(void *ctx, void *va, uint64_t pa, size_t size)
{
	pthread_mutex_lock(&arena_lock);
	arena_free(ctx, va, pa, size);
	pthread_mutex_unlock(&arena_lock);
}

static void count_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	uint64_t bytes = 0;

	(void)ctx;
	for (size_t i = 0; i < n; i++)
		bytes += r[i].len;
	__atomic_fetch_add(&c_calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c_bytes, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c_lines, iopgt_lines_for_ranges(r, n, 6, NULL, NULL),
			   __ATOMIC_RELAXED);
	if (coherent == 2)
		CLEAN(r, n);
}

/* warm_* phases: LPAE tables from the arena as well */
static int warm;

/* @conc: IOPGT_QUIRK_CONCURRENT, with the thread-safe sync counter and arena */
static void new_pt_as(struct iopgt *pt, const struct bfmt *f, uint64_t pgsizes, bool conc)
{
	struct iopgt_cfg cfg;
	int err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = f->fmt;
	cfg.ias = f->ias;
	cfg.oas = f->oas;
	cfg.pgsizes = pgsizes;
#ifdef IOPGT_QUIRK_CONCURRENT
	if (conc)
		cfg.quirks = IOPGT_QUIRK_CONCURRENT;
#endif
	if (coherent != 1) {
		if (conc)
			cfg.sync.fn = count_sync;
		else
			cfg.sync.fn = coherent == 2 ? count_and_clean : count_plain;
	}
	if (f->fmt == IOPGT_FMT_ARMV7S || warm) {
		if (!arena)
			arena_init();
		cfg.mem.alloc = conc ? arena_alloc_locked : arena_alloc;
		cfg.mem.free = conc ? arena_free_locked : arena_free;
		cfg.mem.phys_to_virt = arena_ident ? NULL : arena_p2v;
	}
	err = iopgt_init(pt, &cfg);
	if (err)
		die("iopgt_init", 0, err);
}

static void new_pt(struct iopgt *pt, const struct bfmt *f, uint64_t pgsizes)
{
	new_pt_as(pt, f, pgsizes, false);
}

static uint64_t map_1by1(struct iopgt *pt, const struct bfmt *f, uint64_t pg, uint64_t span)
{
	uint64_t n = span / pg;

	for (uint64_t i = 0; i < n; i++) {
		int err = iopgt_map(pt, f->iova_base + i * pg, f->pa_base + i * pg, pg, PROT);

		if (err)
			die("map_1by1", i, err);
	}
	return n;
}

static uint64_t unmap_1by1(struct iopgt *pt, const struct bfmt *f, uint64_t pg, uint64_t span)
{
	uint64_t n = span / pg;

	for (uint64_t i = 0; i < n; i++) {
		int err = iopgt_unmap(pt, f->iova_base + i * pg, pg);

		if (err)
			die("unmap_1by1", i, err);
	}
	return n;
}

#define NLOOKUP 1000000u
static uint64_t *lookup_iova;
static int do_lookups;

static void make_lookups(void)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;

	lookup_iova = malloc(NLOOKUP * sizeof(*lookup_iova));
	if (!lookup_iova)
		exit(1);
	for (unsigned i = 0; i < NLOOKUP; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		lookup_iova[i] = F->iova_base + (x % F->span);
	}
}

static void lookups(const struct iopgt *pt, const char *phase)
{
	struct snap s;
	unsigned long bad = 0;
	volatile uint64_t sink;
	uint64_t acc = 0;

	if (!do_lookups)
		return;
	take(&s);
	for (unsigned i = 0; i < NLOOKUP; i++) {
		struct iopgt_mapping m;
		uint64_t iova = lookup_iova[i], pa = 0;

#ifdef IOPGT_HAVE_TRANSLATE
		/* the cheapest call that answers "which PA", as iova_to_phys */
		(void)m;
		if (iopgt_translate(pt, iova, &pa))
			pa = 0;
#else
		if (!iopgt_lookup(pt, iova, &m))
			pa = m.pa + (iova - m.iova);
#endif
		acc += pa;
		bad += pa != F->pa_base + (iova - F->iova_base);
	}
	sink = acc;
	(void)sink;
	report(F->name, phase, &s, NLOOKUP, NLOOKUP, pt);
	if (bad)
		die("lookup mismatches", bad, 0);
}

/*
 * The speed limit for a bulk map on this machine: the same number of
 * descriptor bytes written by a plain loop into memory of the same size as
 * the leaf tables (allocated and touched beforehand).
 */
static void store_loop(const struct bfmt *f, unsigned dsize)
{
	uint64_t n = f->span / f->small;
	size_t bytes = (size_t)n * dsize;
	void *mem = aligned_alloc(4096, bytes);
	struct snap s;

	if (!mem)
		exit(1);
	memset(mem, 0, bytes);
	take(&s);
	if (dsize == 8) {
		volatile uint64_t *d = mem;
		uint64_t v = f->pa_base | 0xf47;

		for (uint64_t i = 0; i < n; i++, v += f->small)
			d[i] = v;
	} else {
		volatile uint32_t *d = mem;
		uint32_t v = (uint32_t)f->pa_base | 0x476;

		for (uint64_t i = 0; i < n; i++, v += (uint32_t)f->small)
			d[i] = v;
	}
	report(f->name, "storeloop_bulk", &s, n, 0, NULL);
	free(mem);
}

static void bulk_phases(const struct bfmt *f, uint64_t pgsizes, uint64_t pg, const char *map_ph,
			const char *unmap_ph, const char *lookup_ph)
{
	struct iopgt pt;
	struct snap s;
	int err;

	new_pt(&pt, f, pgsizes);
	take(&s);
	err = iopgt_map(&pt, f->iova_base, f->pa_base, f->span, PROT);
	if (err)
		die(map_ph, 0, err);
	report(f->name, map_ph, &s, f->span / pg, 1, &pt);
	if (lookup_ph)
		lookups(&pt, lookup_ph);
	take(&s);
	err = iopgt_unmap(&pt, f->iova_base, f->span);
	if (err)
		die(unmap_ph, 0, err);
	report(f->name, unmap_ph, &s, f->span / pg, 1, &pt);
	iopgt_fini(&pt);
}

struct cjob {
	struct iopgt *pt;
	unsigned t, nt;
	uint64_t stripe; /* pages */
	int unmap;
};

static void *cjob_run(void *arg)
{
	const struct cjob *j = arg;
	const uint64_t pg = F->small, n = F->span / pg;

	for (uint64_t i = 0; i < n; i++) {
		int err;

		if ((i / j->stripe) % j->nt != j->t)
			continue;
		if (j->unmap)
			err = iopgt_unmap(j->pt, F->iova_base + i * pg, pg);
		else
			err = iopgt_map(j->pt, F->iova_base + i * pg, F->pa_base + i * pg, pg, PROT);
		if (err)
			die(j->unmap ? "concurrent unmap" : "concurrent map", i, err);
	}
	return NULL;
}

static void conc_phase(struct iopgt *pt, unsigned nt, uint64_t stripe, int unmap,
		       const char *phase)
{
	pthread_t th[2];
	struct cjob j[2];
	uint64_t t0, ns, calls0 = c_calls, bytes0 = c_bytes, lines0 = c_lines;
	const uint64_t n = F->span / F->small;

	t0 = now_ns();
	for (unsigned t = 0; t < nt; t++) {
		j[t] = (struct cjob){ pt, t, nt, stripe, unmap };
		if (pthread_create(&th[t], NULL, cjob_run, &j[t]))
			exit(1);
	}
	for (unsigned t = 0; t < nt; t++)
		pthread_join(th[t], NULL);
	ns = now_ns() - t0;
	printf("RES fmt=%s coh=%d phase=%s units=%llu api_calls=%llu ns_total=%llu "
	       "ns_per_unit=%.3f sync_calls=%llu sync_bytes=%llu clean_lines=%llu "
	       "table_bytes=%llu\n",
	       F->name, coherent, phase, (unsigned long long)n, (unsigned long long)n,
	       (unsigned long long)ns, (double)ns / (double)n,
	       (unsigned long long)(c_calls - calls0), (unsigned long long)(c_bytes - bytes0),
	       (unsigned long long)(c_lines - lines0), (unsigned long long)held(pt));
	fflush(stdout);
}

/*
 * The library's own cost, without the page faults of fresh table memory
 * and the cold caches of a first run: the one-by-one and bulk phases on
 * table memory from the (touched) arena, each the fastest of WARM_RUNS
 * identical runs.
 */
#define WARM_RUNS 5

struct best {
	struct snap a, b;
	int have;
};

static void best_keep(struct best *w, const struct snap *a, const struct snap *b)
{
	if (!w->have || b->ns - a->ns < w->b.ns - w->a.ns) {
		w->a = *a;
		w->b = *b;
		w->have = 1;
	}
}

enum wop { W_MAP, W_UNMAP, W_MAP_BULK, W_UNMAP_BULK };

/* one timed run of @op (pages of @pg one by one, or the span in one call);
 * the fastest run is kept in @w */
static void warm_run(struct iopgt *pt, struct best *w, enum wop op, uint64_t pg)
{
	struct snap a, b;
	int err = 0;

	take(&a);
	switch (op) {
	case W_MAP:
		map_1by1(pt, F, pg, F->span);
		break;
	case W_UNMAP:
		unmap_1by1(pt, F, pg, F->span);
		break;
	case W_MAP_BULK:
		err = iopgt_map(pt, F->iova_base, F->pa_base, F->span, PROT);
		break;
	case W_UNMAP_BULK:
		err = iopgt_unmap(pt, F->iova_base, F->span);
		break;
	}
	take(&b);
	if (err)
		die("warm bulk phase", 0, err);
	best_keep(w, &a, &b);
}

static void warm_phases(void)
{
	struct best m1 = { 0 }, u1 = { 0 }, mb = { 0 }, ub = { 0 }, mk = { 0 }, uk = { 0 };
	struct iopgt pt;
	uint64_t n1 = F->span / F->small, nk = F->span / F->block;

	warm = 1;
	new_pt(&pt, F, F->small);
	arena_touch();
	for (int r = 0; r < WARM_RUNS; r++) {
		warm_run(&pt, &m1, W_MAP, F->small);
		warm_run(&pt, &u1, W_UNMAP, F->small);
		warm_run(&pt, &mb, W_MAP_BULK, F->small);
		warm_run(&pt, &ub, W_UNMAP_BULK, F->small);
	}
	report_span(F->name, "warm_map4k_1by1", &m1.a, &m1.b, n1, n1, &pt);
	report_span(F->name, "warm_unmap4k_1by1", &u1.a, &u1.b, n1, n1, &pt);
	report_span(F->name, "warm_map4k_bulk", &mb.a, &mb.b, n1, 1, &pt);
	report_span(F->name, "warm_unmap4k_bulk", &ub.a, &ub.b, n1, 1, &pt);
	iopgt_fini(&pt);
	new_pt(&pt, F, F->small | F->block);
	for (int r = 0; r < WARM_RUNS; r++) {
		warm_run(&pt, &mk, W_MAP, F->block);
		warm_run(&pt, &uk, W_UNMAP, F->block);
	}
	report_span(F->name, "warm_mapblk_1by1", &mk.a, &mk.b, nk, nk, &pt);
	report_span(F->name, "warm_unmapblk_1by1", &uk.a, &uk.b, nk, nk, &pt);
	iopgt_fini(&pt);
	warm = 0;
}

static void conc_phases(void)
{
	static const struct {
		unsigned nt;
		int halves;
		const char *map, *unmap;
	} p[] = {
		{ 1, 0, "conc1_map4k_1by1", "conc1_unmap4k_1by1" },
		{ 2, 0, "conc2s_map4k_1by1", "conc2s_unmap4k_1by1" },
		{ 2, 1, "conc2h_map4k_1by1", "conc2h_unmap4k_1by1" },
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		struct iopgt pt;
		uint64_t stripe = p[i].halves ? F->span / F->small / 2 : 16;

		new_pt_as(&pt, F, F->small, true);
		conc_phase(&pt, p[i].nt, stripe, 0, p[i].map);
		conc_phase(&pt, p[i].nt, stripe, 1, p[i].unmap);
		iopgt_fini(&pt);
	}
}

#ifdef IOPGT_HAVE_MAP_SG
/*
 * The span's page frames in a fixed pseudo-random order: frame(i) =
 * (i * K + C) mod frames, a permutation for an odd K and a power-of-two
 * number of frames.
 */
static uint64_t sg_frame(uint64_t i, uint64_t frames)
{
	return (i * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull) & (frames - 1);
}

static void sg_phases(void)
{
	enum { SEGS = 64 };
	const uint64_t pg = F->small, frames = F->span / pg;
	struct iopgt_seg segs[SEGS];
	struct iopgt pt;
	struct snap s;
	uint64_t calls = 0;

	new_pt(&pt, F, F->small);
	take(&s);
	for (uint64_t i = 0; i < frames; i += SEGS, calls++) {
		for (unsigned k = 0; k < SEGS; k++) {
			segs[k].pa = F->pa_base + sg_frame(i + k, frames) * pg;
			segs[k].size = pg;
		}
		int err = iopgt_map_sg(&pt, F->iova_base + i * pg, segs, SEGS, PROT);

		if (err)
			die("map4k_sg64", i, err);
	}
	report(F->name, "map4k_sg64", &s, frames, calls, &pt);
	take(&s);
	calls = 0;
	for (uint64_t i = 0; i < frames; i += SEGS, calls++) {
		int err = iopgt_unmap(&pt, F->iova_base + i * pg, SEGS * pg);

		if (err)
			die("unmap4k_sg64", i, err);
	}
	report(F->name, "unmap4k_sg64", &s, frames, calls, &pt);
	iopgt_fini(&pt);
}
#endif

int main(int argc, char **argv)
{
	struct iopgt pt;
	struct snap s;
	uint64_t n;

	if (argc < 3 || (strcmp(argv[1], "lpae") && strcmp(argv[1], "v7s"))) {
		fprintf(stderr, "usage: %s lpae|v7s 0|1|2 [nolookup]\n", argv[0]);
		return 1;
	}
	F = !strcmp(argv[1], "v7s") ? &fmt_v7s : &fmt_lpae;
	coherent = atoi(argv[2]);
	if (coherent == 2 && CLEAN_INIT() != IOPGT_OK) {
		fprintf(stderr, "coh=2: no cache-line cleaning backend on this host\n");
		return 1;
	}
	do_lookups = !(argc > 3 && !strcmp(argv[3], "nolookup"));
	if (do_lookups)
		make_lookups();

	/* 1. 4K pages, one call per page */
	take(&s);
	new_pt(&pt, F, F->small);
	report(F->name, "alloc", &s, 1, 1, &pt);
	take(&s);
	n = map_1by1(&pt, F, F->small, F->span);
	report(F->name, "map4k_1by1", &s, n, n, &pt);
	lookups(&pt, "lookup4k_after_1by1");
	take(&s);
	n = unmap_1by1(&pt, F, F->small, F->span);
	report(F->name, "unmap4k_1by1", &s, n, n, &pt);
	iopgt_fini(&pt);

#ifdef IOPGT_HAVE_MAP_SG
	/* 1b. 4K pages, scatter-gather calls of 64 pages */
	sg_phases();
#endif

	/* 2. 4K pages, one call for the whole range */
	bulk_phases(F, F->small, F->small, "map4k_bulk", "unmap4k_bulk", "lookup4k");

	/* 3. blocks (2M; 1M sections for v7s), one call per block */
	new_pt(&pt, F, F->small | F->block);
	take(&s);
	n = map_1by1(&pt, F, F->block, F->span);
	report(F->name, "mapblk_1by1", &s, n, n, &pt);
	lookups(&pt, "lookupblk");
	take(&s);
	n = unmap_1by1(&pt, F, F->block, F->span);
	report(F->name, "unmapblk_1by1", &s, n, n, &pt);
	iopgt_fini(&pt);

	/* 4. blocks, one call */
	bulk_phases(F, F->small | F->block, F->block, "mapblk_bulk", "unmapblk_bulk", NULL);

	/* extra: the store-loop limit, and the other granules */
	store_loop(F, F == &fmt_v7s ? 4 : 8);
	if (F == &fmt_lpae) {
		bulk_phases(F, 1u << 14, 1u << 14, "map16k_bulk", "unmap16k_bulk", NULL);
		bulk_phases(F, 1u << 16, 1u << 16, "map64k_bulk", "unmap64k_bulk", NULL);
	}
	warm_phases();
#ifdef IOPGT_QUIRK_CONCURRENT
	conc_phases();
#endif
	free(lookup_iova);
	return 0;
}
