/* SPDX-License-Identifier: MIT */
/*
 * iopgt-icount - fixed, deterministic workloads for counting the
 * instructions of iopgt_map(), iopgt_unmap() and iopgt_lookup() under
 * callgrind (tests/bench/icount.sh drives it; it collects only inside the
 * API function named by --toggle-collect).
 *
 *   iopgt-icount CASE[:COH]
 *
 * COH is 0 (the default: sync.fn set, a non-coherent walker; the callback
 * only counts calls and bytes, so the dirty-range code runs) or 1 (sync.fn
 * NULL, a coherent walker). CASE:
 *
 *   map4k   AArch64 stage 1, IAS = OAS = 48, 4K granule: map 1 GiB one 4K
 *           page per call, then unmap it one page per call; three times on
 *           the same tables.
 *   map2m   the same with 2M blocks (4K granule, pgsizes 4K|2M), 1 GiB.
 *   map16k  the same with 16K pages (16K granule), 1 GiB.
 *   map64k  the same with 64K pages (64K granule), 1 GiB.
 *   one4k   4K granule: one page stays mapped in a 2M region so its tables
 *           stay; then 100000 times: map one 4K page of that region and
 *           unmap it again (a different page each time).
 *   lookup_lpae  AArch64 stage 1, 4K granule: map 64 MiB of 4K pages, then
 *           1000000 lookups at pseudo-random page addresses (xorshift64,
 *           fixed seed).
 *   lookup_v7s   the same with the v7s format (IAS = OAS = 32).
 *   xlate_lpae, xlate_v7s  the lookup cases with iopgt_translate().
 *   xlate_blk   iopgt_translate() over 1 GiB of 2M blocks (4K granule);
 *   xlate_v7sblk the same over 1 GiB of v7s 1M sections.
 *   bulk4k, bulk2m  as map4k and map2m, but the whole 1 GiB in one map call
 *           and one unmap call (2M: 512 blocks per call).
 *   map4k_v7s  as map4k with the v7s format.
 *   blk_v7s, bulk1m_v7s  v7s 1M sections, one per call and 1 GiB per call.
 *   sg64    4K granule: map 1 GiB with iopgt_map_sg(), calls of 64 4K
 *           pages at a fixed pseudo-random permutation of the span's page
 *           frames, then unmap it in 256 KiB calls; three times.
 *
 * Table memory (and the library's scratch arrays) come from an arena that
 * is allocated and touched before the first call, with walker addresses of
 * its own, so that neither page faults nor the addresses the C library
 * hands out change the counts. Every mapping is READ|WRITE|CACHE.
 *
 * IOPGT_ICOUNT_IDENT=1 in the environment: the arena's walker addresses are
 * its virtual addresses and cfg.mem.phys_to_virt is NULL (the identity), as
 * with the built-in allocator that iopgt-bench uses for the LPAE formats
 * and its low arena for v7s. The arena is then mapped below 4 GiB where the
 * system can (MAP_32BIT, x86-64), as v7s tables must be.
 *
 * One line on stdout: the case, what was done, how many calls of each
 * function were made, what sync.fn was given, and a checksum of the
 * results. Exit status 0; 2 when a call fails or a lookup disagrees.
 */
#define _GNU_SOURCE /* MAP_32BIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <iopgt/iopgt.h>

#define MAP_SPAN      (1ull << 30)
#define MAP_REPS      3
#define ONE_ITERS     100000u
#define LOOKUP_SPAN   (64ull << 20)
#define LOOKUP_N      1000000u

#define SZ_4K  (1ull << 12)
#define SZ_16K (1ull << 14)
#define SZ_64K (1ull << 16)
#define SZ_1M  (1ull << 20)
#define SZ_2M  (1ull << 21)

static const uint32_t PROT = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;

/* calls made, by function */
static uint64_t n_map, n_unmap, n_lookup, n_map_sg, n_translate;

/* ---- the arena: power-of-two size classes, a free list per class ---- */

#define ARENA_SIZE (32u << 20)
#define ARENA_PA   0x10000000ull /* below 4 GiB: v7s tables must be */
static char *arena;
static size_t arena_used;
static void *free_list[32];

static unsigned size_class(size_t size)
{
	unsigned k = 0;

	while (((size_t)1 << k) < size)
		k++;
	return k;
}

/* IOPGT_ICOUNT_IDENT: walker address = virtual address */
static int ident, arena_mapped;

static void *arena_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	unsigned k = size_class(size < sizeof(void *) ? sizeof(void *) : size);
	void *p;

	(void)ctx;
	size = (size_t)1 << k;
	if (align < size)
		align = size;
	if (k >= 32)
		return NULL;
	if (free_list[k]) {
		p = free_list[k];
		memcpy(&free_list[k], p, sizeof(void *));
	} else {
		arena_used = (arena_used + align - 1) & ~(align - 1);
		if (arena_used + size > ARENA_SIZE)
			return NULL;
		p = arena + arena_used;
		arena_used += size;
	}
	*pa = ident ? (uint64_t)(uintptr_t)p : ARENA_PA + (uint64_t)((char *)p - arena);
	return p;
}

static void arena_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	unsigned k = size_class(size < sizeof(void *) ? sizeof(void *) : size);

	(void)ctx;
	(void)pa;
	memcpy(va, &free_list[k], sizeof(void *));
	free_list[k] = va;
}

static void *arena_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < ARENA_PA || pa - ARENA_PA >= ARENA_SIZE)
		return NULL;
	return arena + (pa - ARENA_PA);
}

/* ---- sync.fn: counts only ---- */

struct sync_count {
	uint64_t calls, ranges, bytes;
};

static struct sync_count synced;

static void count_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	struct sync_count *c = ctx;

	c->calls++;
	c->ranges += n;
	for (size_t i = 0; i < n; i++)
		c->bytes += r[i].len;
}

/* ---- the cases ---- */

struct icase {
	const char *name;
	int (*run)(const struct icase *c, struct iopgt *pt, uint64_t *sum);
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t pgsizes; /* the granule is the lowest bit */
	uint64_t page;    /* bytes per map or unmap call */
	uint64_t span;
	uint64_t iova_base, pa_base;
	bool xlate;       /* run_lookup: iopgt_translate() in place of iopgt_lookup() */
};

static void fail(const char *what, uint64_t i, int err)
{
	fprintf(stderr, "iopgt-icount: %s at %llu: %s\n", what, (unsigned long long)i,
		iopgt_strerror(err));
	exit(2);
}

static void run_map(const struct icase *c, struct iopgt *pt)
{
	uint64_t n = c->span / c->page;

	for (uint64_t i = 0; i < n; i++) {
		int err = iopgt_map(pt, c->iova_base + i * c->page, c->pa_base + i * c->page,
				    c->page, PROT);

		if (err)
			fail("iopgt_map", i, err);
	}
	n_map += n;
}

static void run_unmap(const struct icase *c, struct iopgt *pt)
{
	uint64_t n = c->span / c->page;

	for (uint64_t i = 0; i < n; i++) {
		int err = iopgt_unmap(pt, c->iova_base + i * c->page, c->page);

		if (err)
			fail("iopgt_unmap", i, err);
	}
	n_unmap += n;
}

static uint64_t table_bytes(const struct iopgt *pt)
{
	struct iopgt_stats st;

	return iopgt_get_stats(pt, &st) ? 0 : st.table_bytes;
}

/* map then unmap the span, one page per call, MAP_REPS times */
static int run_map_unmap(const struct icase *c, struct iopgt *pt, uint64_t *sum)
{
	for (int r = 0; r < MAP_REPS; r++) {
		run_map(c, pt);
		*sum = *sum * 31 + table_bytes(pt);
		run_unmap(c, pt);
		*sum = *sum * 31 + table_bytes(pt);
	}
	return 0;
}

/* one page at a time in a region whose tables stay */
static int run_one(const struct icase *c, struct iopgt *pt, uint64_t *sum)
{
	const uint64_t per = SZ_2M / SZ_4K;
	int err;

	/* the page that keeps the tables: the first of the region */
	err = iopgt_map(pt, c->iova_base, c->pa_base, SZ_4K, PROT);
	if (err)
		fail("iopgt_map (anchor)", 0, err);
	n_map++;
	*sum = table_bytes(pt);
	for (uint64_t i = 0; i < ONE_ITERS; i++) {
		uint64_t off = (1 + i % (per - 1)) * SZ_4K;

		err = iopgt_map(pt, c->iova_base + off, c->pa_base + off, SZ_4K, PROT);
		if (err)
			fail("iopgt_map", i, err);
		err = iopgt_unmap(pt, c->iova_base + off, SZ_4K);
		if (err)
			fail("iopgt_unmap", i, err);
	}
	n_map += ONE_ITERS;
	n_unmap += ONE_ITERS;
	*sum = *sum * 31 + table_bytes(pt);
	return 0;
}

/* map the span in scatter-gather calls of 64 pages, unmap it in 256 KiB calls */
static int run_sg(const struct icase *c, struct iopgt *pt, uint64_t *sum)
{
	const uint64_t frames = c->span / c->page;
	struct iopgt_seg segs[64];

	for (int r = 0; r < MAP_REPS; r++) {
		for (uint64_t i = 0; i < frames; i += 64) {
			for (unsigned k = 0; k < 64; k++) {
				uint64_t f = ((i + k) * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull) &
					     (frames - 1);

				segs[k].pa = c->pa_base + f * c->page;
				segs[k].size = c->page;
			}
			int err = iopgt_map_sg(pt, c->iova_base + i * c->page, segs, 64, PROT);

			if (err)
				fail("iopgt_map_sg", i, err);
			n_map_sg++;
		}
		*sum = *sum * 31 + table_bytes(pt);
		for (uint64_t i = 0; i < frames; i += 64) {
			int err = iopgt_unmap(pt, c->iova_base + i * c->page, 64 * c->page);

			if (err)
				fail("iopgt_unmap", i, err);
			n_unmap++;
		}
		*sum = *sum * 31 + table_bytes(pt);
	}
	return 0;
}

static int run_lookup(const struct icase *c, struct iopgt *pt, uint64_t *sum)
{
	const uint64_t pages = c->span / c->page;
	uint64_t x = 0x9E3779B97F4A7C15ull, acc = 0, bad = 0;
	int err;

	/* setup, one call; only the lookups are what is measured */
	err = iopgt_map(pt, c->iova_base, c->pa_base, c->span, PROT);
	if (err)
		fail("iopgt_map", 0, err);
	n_map++;
	for (unsigned i = 0; i < LOOKUP_N; i++) {
		struct iopgt_mapping m;
		uint64_t iova, pa = 0;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		iova = c->iova_base + (x % pages) * c->page;
		if (c->xlate) {
			if (iopgt_translate(pt, iova, &pa))
				pa = 0;
		} else if (!iopgt_lookup(pt, iova, &m)) {
			pa = m.pa + (iova - m.iova);
		}
		acc = acc * 31 + pa;
		bad += pa != c->pa_base + (iova - c->iova_base);
	}
	if (c->xlate)
		n_translate += LOOKUP_N;
	else
		n_lookup += LOOKUP_N;
	*sum = acc;
	if (bad) {
		fprintf(stderr, "iopgt-icount: %llu lookups disagree\n", (unsigned long long)bad);
		exit(2);
	}
	return 0;
}

#define LPAE(ps, pg, sp) IOPGT_FMT_ARM64_S1, 48, 48, (ps), (pg), (sp), 1ull << 32, 0x8000000000ull
#define V7S(ps, pg, sp) IOPGT_FMT_ARMV7S, 32, 32, (ps), (pg), (sp), 0x40000000ull, 0x80000000ull

static const struct icase cases[] = {
	{ "map4k", run_map_unmap, LPAE(SZ_4K, SZ_4K, MAP_SPAN), false },
	{ "map2m", run_map_unmap, LPAE(SZ_4K | SZ_2M, SZ_2M, MAP_SPAN), false },
	{ "map16k", run_map_unmap, LPAE(SZ_16K, SZ_16K, MAP_SPAN), false },
	{ "map64k", run_map_unmap, LPAE(SZ_64K, SZ_64K, MAP_SPAN), false },
	{ "one4k", run_one, LPAE(SZ_4K, SZ_4K, SZ_2M), false },
	{ "sg64", run_sg, LPAE(SZ_4K, SZ_4K, MAP_SPAN), false },
	{ "lookup_lpae", run_lookup, LPAE(SZ_4K, SZ_4K, LOOKUP_SPAN), false },
	{ "lookup_v7s", run_lookup, V7S(SZ_4K, SZ_4K, LOOKUP_SPAN), false },
	{ "xlate_lpae", run_lookup, LPAE(SZ_4K, SZ_4K, LOOKUP_SPAN), true },
	{ "xlate_v7s", run_lookup, V7S(SZ_4K, SZ_4K, LOOKUP_SPAN), true },
	{ "xlate_blk", run_lookup, LPAE(SZ_4K | SZ_2M, SZ_2M, MAP_SPAN), true },
	{ "xlate_v7sblk", run_lookup, V7S(SZ_4K | SZ_1M, SZ_1M, MAP_SPAN), true },
	{ "bulk4k", run_map_unmap, LPAE(SZ_4K, MAP_SPAN, MAP_SPAN), false },
	{ "bulk2m", run_map_unmap, LPAE(SZ_4K | SZ_2M, MAP_SPAN, MAP_SPAN), false },
	{ "map4k_v7s", run_map_unmap, V7S(SZ_4K, SZ_4K, MAP_SPAN), false },
	{ "blk_v7s", run_map_unmap, V7S(SZ_4K | SZ_1M, SZ_1M, MAP_SPAN), false },
	{ "bulk1m_v7s", run_map_unmap, V7S(SZ_4K | SZ_1M, MAP_SPAN, MAP_SPAN), false },
};

static void usage(void)
{
	fprintf(stderr, "usage: iopgt-icount CASE[:0|1]\n  CASE:");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		fprintf(stderr, " %s", cases[i].name);
	fprintf(stderr, "\n  0: sync.fn set (non-coherent, the default), 1: sync.fn NULL\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const struct icase *c = NULL;
	struct iopgt_cfg cfg;
	struct iopgt pt;
	uint64_t sum = 0;
	const char *colon;
	size_t len;
	int coherent = 0, err;

	if (argc != 2)
		usage();
	colon = strchr(argv[1], ':');
	len = colon ? (size_t)(colon - argv[1]) : strlen(argv[1]);
	if (colon) {
		if (strcmp(colon + 1, "0") && strcmp(colon + 1, "1"))
			usage();
		coherent = colon[1] == '1';
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strlen(cases[i].name) == len && !strncmp(cases[i].name, argv[1], len))
			c = &cases[i];
	if (!c)
		usage();

	ident = getenv("IOPGT_ICOUNT_IDENT") && !strcmp(getenv("IOPGT_ICOUNT_IDENT"), "1");
	arena = NULL;
	arena_mapped = 0;
#ifdef MAP_32BIT
	if (ident) { /* below 4 GiB, so that v7s tables can be there too */
		void *p = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

		if (p != MAP_FAILED) {
			arena = p;
			arena_mapped = 1;
		}
	}
#endif
	if (!arena)
		arena = aligned_alloc(SZ_64K, ARENA_SIZE);
	if (!arena)
		return 1;
	memset(arena, 0, ARENA_SIZE); /* touched: no page faults later */

	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = c->fmt;
	cfg.ias = c->ias;
	cfg.oas = c->oas;
	cfg.pgsizes = c->pgsizes;
	cfg.mem.alloc = arena_alloc;
	cfg.mem.free = arena_free;
	cfg.mem.phys_to_virt = ident ? NULL : arena_p2v;
	if (!coherent) {
		cfg.sync.fn = count_sync;
		cfg.sync.ctx = &synced;
	}
	err = iopgt_init(&pt, &cfg);
	if (err)
		fail("iopgt_init", 0, err);
	c->run(c, &pt, &sum);
	sum = sum * 31 + synced.bytes;
	sum = sum * 31 + synced.ranges;
	iopgt_fini(&pt);

	printf("iopgt-icount %s:%d page=%llu span=%llu iopgt_map=%llu iopgt_unmap=%llu "
	       "iopgt_lookup=%llu iopgt_map_sg=%llu iopgt_translate=%llu sync_calls=%llu sync_ranges=%llu sync_bytes=%llu "
	       "checksum=%016llx\n",
	       c->name, coherent, (unsigned long long)c->page, (unsigned long long)c->span,
	       (unsigned long long)n_map, (unsigned long long)n_unmap,
	       (unsigned long long)n_lookup, (unsigned long long)n_map_sg,
	       (unsigned long long)n_translate,
	       (unsigned long long)synced.calls,
	       (unsigned long long)synced.ranges, (unsigned long long)synced.bytes,
	       (unsigned long long)sum);
	if (arena_mapped)
		munmap(arena, ARENA_SIZE);
	else
		free(arena);
	return 0;
}
