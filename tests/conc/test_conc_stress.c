/* SPDX-License-Identifier: MIT */
/*
 * tests/conc/test_conc_stress.c - concurrent calls on disjoint ranges
 * (IOPGT_QUIRK_CONCURRENT).
 *
 * Four threads (more than this machine's cores, so they are preempted in
 * the middle of calls) run seeded random sequences of map, unmap and lookup
 * on their own stripes of a window of input addresses. Stripes interleave,
 * so the threads share leaf tables and every table above them; the window
 * crosses a boundary of the level above the leaf tables, so tables there are
 * shared and installed concurrently as well.
 *
 * Checked: every call's result against the calling thread's own model;
 * lookups of other threads' pages only return OK or NOENT; afterwards every
 * page through iopgt_lookup and through an independent walker reading the
 * walker's image (the bytes sync.fn was given, copied at each call), against
 * the owner's model; after every thread has unmapped all it mapped, the
 * tables hold the root alone and the allocator holds only the root and the
 * pins. Run under ThreadSanitizer and AddressSanitizer in CI.
 *
 * IOPGT_TEST_SCALE multiplies the number of operations, IOPGT_TEST_SEED
 * changes the seeds.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iopgt/iopgt.h>

#include "refwalk.h"

#define NT 4
#define STRIPE 16 /* pages per stripe: one 64K run */
#define ARENA (32u << 20)
#define PA_BASE 0x40000000ull

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* ---- table memory: an arena with a walker image beside it ---- */

static unsigned char *arena, *image;
static size_t arena_top;
static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static struct freeblk {
	struct freeblk *next;
	size_t size;
} *free_list;
static size_t live_bytes;

static void *t_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	void *va = NULL;

	(void)ctx;
	pthread_mutex_lock(&arena_lock);
	for (struct freeblk **p = &free_list; *p; p = &(*p)->next) {
		if ((*p)->size == size && !((uintptr_t)*p & (align - 1))) {
			va = *p;
			*p = (*p)->next;
			break;
		}
	}
	if (!va) {
		size_t o = (arena_top + align - 1) & ~(align - 1);

		if (o + size > ARENA) {
			pthread_mutex_unlock(&arena_lock);
			return NULL;
		}
		va = arena + o;
		arena_top = o + size;
	}
	live_bytes += size;
	/* any contents: in memory, and something else in the walker's view */
	memset(va, 0xa5, size);
	memset(image + ((unsigned char *)va - arena), 0x5a, size);
	pthread_mutex_unlock(&arena_lock);
	*pa = PA_BASE + (uint64_t)((unsigned char *)va - arena);
	return va;
}

static void t_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	struct freeblk *b = va;

	(void)ctx;
	if (pa != PA_BASE + (uint64_t)((unsigned char *)va - arena))
		fail("free: pa 0x%" PRIx64 " does not match its va", pa);
	pthread_mutex_lock(&arena_lock);
	if (live_bytes < size)
		fail("free of more than is held");
	live_bytes -= size;
	memset(va, 0xdd, size);
	b->size = size;
	b->next = free_list;
	free_list = b;
	pthread_mutex_unlock(&arena_lock);
}

static void *t_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < PA_BASE || pa - PA_BASE >= ARENA)
		return NULL;
	return arena + (pa - PA_BASE);
}

/* sync.fn: copy each range into the walker's image, 4 bytes at a time with
 * atomic accesses (other threads store next to these bytes meanwhile) */
static void t_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)ctx;
	/* a slow backend: other threads run while a lone descriptor (a link
	 * just installed, say) is still on its way to the walker */
	if (n == 1 && r[0].len <= 8)
		sched_yield();
	for (size_t i = 0; i < n; i++) {
		uint64_t o = r[i].pa - PA_BASE;

		if (r[i].pa < PA_BASE || o + r[i].len > ARENA || (unsigned char *)r[i].va != arena + o ||
		    (o | r[i].len) & 3)
			fail("sync: range pa 0x%" PRIx64 " len %zu is not table memory", r[i].pa,
			     r[i].len);
		for (size_t b = 0; b < r[i].len; b += 4)
			__atomic_store_n((uint32_t *)(void *)(image + o + b),
					 __atomic_load_n((uint32_t *)(void *)(arena + o + b),
							 __ATOMIC_RELAXED),
					 __ATOMIC_RELAXED);
	}
}

static int image_read(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	(void)ctx;
	if (pa < PA_BASE || pa - PA_BASE + len > ARENA)
		return -1;
	*val = len == 8 ? __atomic_load_n((uint64_t *)(void *)(image + (pa - PA_BASE)), __ATOMIC_RELAXED)
			: __atomic_load_n((uint32_t *)(void *)(image + (pa - PA_BASE)), __ATOMIC_RELAXED);
	return 0;
}

/* ---- the workload ---- */

struct conf {
	const char *name;
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t pgsizes;
	uint64_t base;   /* first iova of the window */
	size_t pages;    /* window size in granules */
	size_t spread;   /* pages from one group of NT stripes to the next */
	size_t tpages;   /* pages one last-level table translates */
};

/*
 * After the window, each thread owns two last-level tables' worth of pages
 * that it maps a table at a time (pages only: the output address is not
 * block-aligned) and unmaps whole: the unmap detaches a table its range
 * covers, which is freed while the other threads run.
 */
static size_t private_first(const struct conf *c, unsigned tid)
{
	return c->pages + (size_t)tid * 2 * c->tpages;
}

static size_t all_pages(const struct conf *c)
{
	return c->pages + NT * 2 * c->tpages;
}

static const struct conf *cf;
static struct iopgt pt;
static uint64_t page_pa[1u << 16];  /* the owner's model: 0 = unmapped */
static uint32_t page_prot[1u << 16];
static unsigned long ops_per_thread;
static unsigned long seed0;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t gran(void)
{
	return cf->pgsizes & -cf->pgsizes;
}

/* stripe k belongs to thread k % NT; a group of NT stripes every spread pages */
static size_t nstripes(void)
{
	return cf->pages / cf->spread * NT;
}

static size_t stripe_first(size_t k)
{
	return k / NT * cf->spread + k % NT * STRIPE;
}

static const uint32_t prots[] = { IOPGT_READ, IOPGT_READ | IOPGT_WRITE,
				  IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE, IOPGT_READ | IOPGT_NOEXEC };

static void check_lookup(size_t p, int rc, const struct iopgt_mapping *m, const char *when)
{
	uint64_t g = gran(), iova = cf->base + p * g;

	if (!page_pa[p]) {
		if (rc != IOPGT_ERR_NOENT)
			fail("%s %s: lookup 0x%" PRIx64 " = %d, expected NOENT", cf->name, when, iova, rc);
		return;
	}
	if (rc != IOPGT_OK || m->pa + (iova - m->iova) != page_pa[p] || m->prot != page_prot[p])
		fail("%s %s: lookup 0x%" PRIx64 " = %d pa 0x%" PRIx64 " prot 0x%x, expected pa 0x%" PRIx64
		     " prot 0x%x",
		     cf->name, when, iova, rc, m->pa + (iova - m->iova), m->prot, page_pa[p],
		     page_prot[p]);
}

static struct iopgt_regs regs;

/* Visible on return: the walker's image translates what a map just mapped */
static void check_image(size_t p, const char *when)
{
	struct refwalk_result w;
	uint64_t iova = cf->base + p * gran();
	int rc = cf->fmt == IOPGT_FMT_ARMV7S
			 ? refwalk_v7s(&regs, 0, image_read, NULL, iova, &w)
			 : refwalk_lpae(cf->fmt, &regs, cf->oas, image_read, NULL, iova, &w);

	if (rc != REFWALK_OK || w.pa != page_pa[p] || w.prot != page_prot[p])
		fail("%s %s: the walker's image translates 0x%" PRIx64 " as %d pa 0x%" PRIx64
		     " prot 0x%x, expected pa 0x%" PRIx64 " prot 0x%x",
		     cf->name, when, iova, rc, w.pa, w.prot, page_pa[p], page_prot[p]);
}

static void *worker(void *arg)
{
	const unsigned tid = (unsigned)(uintptr_t)arg;
	const size_t stripes = nstripes();
	const uint64_t g = gran();
	uint64_t s = (seed0 * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)tid + 1) * 0x2545f4914f6cdd1dull;

	for (unsigned long n = 0; n < ops_per_thread; n++) {
		uint64_t r = rnd(&s);
		size_t k = (size_t)((r >> 8) % (stripes / NT)) * NT + tid;
		size_t first = stripe_first(k), len;
		unsigned what = (unsigned)(r % 100);

		if ((r >> 40) % 4 == 0) {
			len = STRIPE; /* the whole stripe: a contiguous run where allowed */
		} else {
			size_t a = (size_t)((r >> 20) % STRIPE);

			first += a;
			len = 1 + (size_t)((r >> 30) % (STRIPE - a));
		}
		if ((r >> 48) % 10 == 0) {
			/* a whole last-level table of the thread's own */
			size_t pf = private_first(cf, tid) + (size_t)((r >> 52) & 1) * cf->tpages;
			uint64_t piova = cf->base + pf * g;

			if (page_pa[pf]) {
				if (iopgt_unmap(&pt, piova, cf->tpages * g))
					fail("%s thread %u: unmap of a whole table failed", cf->name, tid);
				for (size_t p = pf; p < pf + cf->tpages; p++)
					page_pa[p] = 0;
			} else {
				uint64_t pa = ((rnd(&s) % 255 + 1) << 24) + (1u << 16);
				int rc = iopgt_map(&pt, piova, pa, cf->tpages * g, IOPGT_READ);

				if (rc)
					fail("%s thread %u: map of a whole table = %d", cf->name, tid, rc);
				for (size_t p = pf; p < pf + cf->tpages; p++) {
					page_pa[p] = pa + (p - pf) * g;
					page_prot[p] = IOPGT_READ;
				}
				check_image(pf, "right after a table's map");
				check_image(pf + cf->tpages - 1, "right after a table's map");
			}
			continue;
		}
		uint64_t iova = cf->base + first * g;

		if (what < 45) {
			bool any = false;

			for (size_t p = first; p < first + len; p++)
				any |= page_pa[p] != 0;
			/* never 0, which the model reads as unmapped */
			uint64_t pa = ((rnd(&s) % 4095 + 1) << 20) + (first % STRIPE) * g + 0x1000000000ull;
			uint32_t prot = prots[rnd(&s) % 4];

			if (cf->fmt == IOPGT_FMT_ARMV7S)
				pa &= 0xffffffffull;
			int rc = iopgt_map(&pt, iova, pa, len * g, prot);

			if (rc != (any ? IOPGT_ERR_EXIST : IOPGT_OK))
				fail("%s thread %u: map 0x%" PRIx64 "+0x%zx = %d (%s), expected %s", cf->name,
				     tid, iova, len * (size_t)g, rc, iopgt_strerror(rc),
				     any ? "EXIST" : "OK");
			if (!any) {
				for (size_t p = first; p < first + len; p++) {
					page_pa[p] = pa + (p - first) * g;
					page_prot[p] = prot;
				}
				check_image(first, "right after map");
				check_image(first + len - 1, "right after map");
			}
		} else if (what < 85) {
			int rc = iopgt_unmap(&pt, iova, len * g);

			if (rc != IOPGT_OK)
				fail("%s thread %u: unmap 0x%" PRIx64 "+0x%zx = %d", cf->name, tid, iova,
				     len * (size_t)g, rc);
			for (size_t p = first; p < first + len; p++)
				page_pa[p] = 0;
		} else if (what < 95) {
			struct iopgt_mapping m;
			size_t p = first;

			check_lookup(p, iopgt_lookup(&pt, cf->base + p * g, &m), &m, "own page");
		} else {
			/* someone else's page: a call that overlaps another
			 * thread's, so any answer (a run half written reads as
			 * CORRUPT), but no crash and no change */
			struct iopgt_mapping m;
			size_t p = (size_t)(rnd(&s) % cf->pages);
			int rc = iopgt_lookup(&pt, cf->base + p * g, &m);

			if (rc != IOPGT_OK && rc != IOPGT_ERR_NOENT && rc != IOPGT_ERR_CORRUPT)
				fail("%s thread %u: lookup of a page of another thread = %d", cf->name,
				     tid, rc);
		}
	}
	return NULL;
}

static void *unmapper(void *arg)
{
	const unsigned tid = (unsigned)(uintptr_t)arg;
	const size_t stripes = nstripes();
	const uint64_t g = gran();

	for (size_t k = tid; k < stripes; k += NT) {
		size_t first = stripe_first(k);

		/* alternately page by page and the whole stripe at once */
		if (k & NT) {
			for (size_t p = first; p < first + STRIPE; p++)
				if (iopgt_unmap(&pt, cf->base + p * g, g))
					fail("%s: final unmap of a page failed", cf->name);
		} else if (iopgt_unmap(&pt, cf->base + first * g, STRIPE * g)) {
			fail("%s: final unmap of a stripe failed", cf->name);
		}
	}
	if (iopgt_unmap(&pt, cf->base + private_first(cf, tid) * g, 2 * cf->tpages * g))
		fail("%s: final unmap of the private tables failed", cf->name);
	return NULL;
}

static void run_threads(void *(*fn)(void *))
{
	pthread_t th[NT];

	for (unsigned t = 0; t < NT; t++)
		if (pthread_create(&th[t], NULL, fn, (void *)(uintptr_t)t))
			fail("pthread_create");
	for (unsigned t = 0; t < NT; t++)
		pthread_join(th[t], NULL);
}

static void run(const struct conf *c, unsigned long ops)
{
	struct iopgt_cfg cfg;
	struct iopgt_stats st0, st;
	const uint64_t g = c->pgsizes & -c->pgsizes;
	size_t mapped = 0;

	cf = c;
	ops_per_thread = ops;
	memset(page_pa, 0, sizeof(page_pa));
	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = c->fmt;
	cfg.ias = c->ias;
	cfg.oas = c->oas;
	cfg.pgsizes = c->pgsizes;
	cfg.quirks = IOPGT_QUIRK_CONCURRENT;
	cfg.mem.alloc = t_alloc;
	cfg.mem.free = t_free;
	cfg.mem.phys_to_virt = t_p2v;
	cfg.sync.fn = t_sync;
	int err = iopgt_init(&pt, &cfg);

	if (err)
		fail("%s: init = %d (%s)", c->name, err, iopgt_strerror(err));
	iopgt_get_stats(&pt, &st0);
	iopgt_get_regs(&pt, &regs);

	run_threads(worker);

	for (size_t p = 0; p < all_pages(c); p++) {
		struct iopgt_mapping m;
		struct refwalk_result w;
		uint64_t iova = c->base + p * g;
		int rc = iopgt_lookup(&pt, iova, &m);

		check_lookup(p, rc, &m, "after the threads");
		if (c->fmt == IOPGT_FMT_ARMV7S)
			rc = refwalk_v7s(&regs, 0, image_read, NULL, iova, &w);
		else
			rc = refwalk_lpae(c->fmt, &regs, c->oas, image_read, NULL, iova, &w);
		if (page_pa[p]) {
			mapped++;
			if (rc != REFWALK_OK || w.pa != page_pa[p] || w.prot != page_prot[p])
				fail("%s: the walker's image translates 0x%" PRIx64 " as %d pa 0x%" PRIx64
				     " prot 0x%x, the model says pa 0x%" PRIx64 " prot 0x%x",
				     c->name, iova, rc, w.pa, w.prot, page_pa[p], page_prot[p]);
		} else if (rc != REFWALK_FAULT) {
			fail("%s: the walker's image translates unmapped 0x%" PRIx64 " (%d)", c->name,
			     iova, rc);
		}
	}

	run_threads(unmapper);
	iopgt_get_stats(&pt, &st);
	if (st.table_bytes != st0.table_bytes || st.tables != st0.tables)
		fail("%s: after unmapping everything %" PRIu64 " table bytes in %" PRIu64
		     " tables are held, expected the root's %" PRIu64,
		     c->name, st.table_bytes, st.tables, st0.table_bytes);
	if (live_bytes != st0.table_bytes + IOPGT_CONCURRENT_BYTES)
		fail("%s: the allocator holds %zu bytes, expected the root and the pins", c->name,
		     live_bytes);
	for (size_t p = 0; p < all_pages(c); p++) {
		struct iopgt_mapping m;

		if (iopgt_lookup(&pt, c->base + p * g, &m) != IOPGT_ERR_NOENT)
			fail("%s: 0x%" PRIx64 " still mapped", c->name, c->base + p * g);
	}
	iopgt_fini(&pt);
	if (live_bytes)
		fail("%s: %zu bytes held after fini", c->name, live_bytes);
	printf("ok %s: %d threads x %lu operations, %zu pages mapped at the check\n", c->name, NT,
	       ops, mapped);
}

int main(void)
{
	static const struct conf confs[] = {
		/*
		 * Dense: leaf tables full of the four threads' stripes (the
		 * window crosses a boundary of the level above). Sparse: one
		 * group of four stripes per leaf table, so leaf tables, and
		 * the tables above on each side of the boundary, empty often
		 * and are freed while other threads map into them.
		 */
		{ "arm64-s1-4k dense", IOPGT_FMT_ARM64_S1, 48, 48, 0x1000 | 0x10000 | 0x200000,
		  (1ull << 30) - (4u << 20), 2048, NT * STRIPE, 512 },
		{ "arm64-s1-4k sparse", IOPGT_FMT_ARM64_S1, 48, 48, 0x1000 | 0x10000 | 0x200000,
		  (1ull << 30) - (4u << 20), 2048, 512, 512 },
		{ "arm64-s2-16k dense", IOPGT_FMT_ARM64_S2, 40, 40, 0x4000, (32ull << 20) - (8u << 20),
		  1024, NT * STRIPE, 2048 },
		{ "arm64-s2-16k sparse", IOPGT_FMT_ARM64_S2, 40, 40, 0x4000,
		  (32ull << 20) - (64u << 20) / 2, 4096, 2048, 2048 },
		{ "arm32-s1-4k dense", IOPGT_FMT_ARM32_S1, 32, 40, 0x1000 | 0x10000,
		  (1ull << 30) - (2u << 20), 1024, NT * STRIPE, 512 },
		{ "arm32-s1-4k sparse", IOPGT_FMT_ARM32_S1, 32, 40, 0x1000 | 0x10000,
		  (1ull << 30) - (4u << 20), 2048, 512, 512 },
		/* v7s: the window crosses 1 MiB level-1 entries */
		{ "v7s dense", IOPGT_FMT_ARMV7S, 32, 32, 0x1000 | 0x10000 | 0x100000,
		  0x10000000 - (2u << 20), 1024, NT * STRIPE, 256 },
		{ "v7s sparse", IOPGT_FMT_ARMV7S, 32, 32, 0x1000 | 0x10000 | 0x100000,
		  0x10000000 - (2u << 20), 1024, 256, 256 },
	};
	const char *e = getenv("IOPGT_TEST_SCALE");
	unsigned long scale = e ? strtoul(e, NULL, 0) : 1;

	e = getenv("IOPGT_TEST_SEED");
	seed0 = e ? strtoul(e, NULL, 0) : 1;
	if (!scale)
		scale = 1;
	unsigned long ops = 20000 * scale;
	arena = aligned_alloc(1u << 20, ARENA); /* the largest root: 256 KiB */
	image = aligned_alloc(1u << 20, ARENA);
	if (!arena || !image)
		fail("no memory for the arena");
	for (size_t i = 0; i < sizeof(confs) / sizeof(confs[0]); i++)
		run(&confs[i], ops);
	free(arena);
	free(image);
	return 0;
}
