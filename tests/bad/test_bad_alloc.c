/* SPDX-License-Identifier: MIT */
/*
 * test_bad_alloc.c - the allocator fails or misbehaves.
 *
 * 1. A seeded random sequence of maps and unmaps (splits included) runs
 *    once to count its allocations; then, for every n it reaches, again
 *    with the n-th allocation failing. The call that meets the failure
 *    returns IOPGT_ERR_NOMEM and changes nothing (the harness compares the
 *    tables before and after, and the walker's view at every sync call);
 *    right after it the tables equal the reference model, and the memory
 *    held equals what the live tables need: iopgt_get_stats' bytes and
 *    count, every held table reachable from the root.
 * 2. The allocator returns memory the tables cannot use: misaligned, a
 *    walker address beyond the output size (v7s: above 4 GiB), or memory
 *    phys_to_virt does not map back. init, a map that needs a table and an
 *    unmap that splits a block each refuse it with IOPGT_ERR_NOTSUP, give
 *    it back, and change nothing.
 * Every format and granule.
 */
#include "bcommon.h"

static struct th h;

/* ------------------------------------------------------------ 1. failures */

struct bop {
	bool unmap;
	uint64_t iova, pa, size;
	uint32_t prot;
};

#define MAX_OPS 64

static size_t make_ops(const struct bcfg *b, uint64_t seed, struct bop *ops, size_t n)
{
	struct trng r;
	uint64_t sizes[64], base = bc_base(b), window;
	unsigned ns = 0;

	trng_seed(&r, seed);
	for (unsigned i = 0; i < 64; i++)
		if ((b->pgsizes & tbit(i)) && tbit(i) <= 0x40000000u)
			sizes[ns++] = tbit(i);
	/* a window of a few of the largest leaves, so that ops meet */
	window = 8 * sizes[ns - 1];
	if (window > tbit(b->ias))
		window = tbit(b->ias);
	for (size_t i = 0; i < n; i++) {
		uint64_t unit = sizes[trng_below(&r, ns)];
		uint64_t slots = window / unit;

		ops[i].unmap = trng_below(&r, 3) == 0;
		ops[i].size = unit * (1 + trng_below(&r, 3));
		if (ops[i].unmap && trng_below(&r, 2))
			ops[i].size = b->gran * (1 + trng_below(&r, 4)); /* splits */
		ops[i].iova = base + trng_below(&r, slots) * unit;
		if (ops[i].unmap && trng_below(&r, 2))
			ops[i].iova += b->gran * trng_below(&r, unit / b->gran);
		if (ops[i].iova - base + ops[i].size > window)
			ops[i].iova = base + window - ops[i].size;
		/* v7s pages hold 32-bit addresses: stay below 4 GiB */
		ops[i].pa = (trng_below(&r, 0x4000) * unit) & (tbit(bc_v7s(b) ? 32 : b->oas) - 1);
		if (ops[i].pa + ops[i].size > tbit(bc_v7s(b) ? 32 : b->oas))
			ops[i].pa = 0;
		ops[i].prot = IOPGT_READ | (uint32_t)trng_below(&r, 64);
		ops[i].prot &= ~(IOPGT_PRIV << 1);
	}
	return n;
}

static int run_op(const struct bop *o)
{
	return o->unmap ? th_unmap(&h, o->iova, o->size) : th_map(&h, o->iova, o->pa, o->size,
								       o->prot & IOPGT_PROT_ALL);
}

/* after a failure: the tables are the model's, and only live tables are held */
static void expect_consistent(void)
{
	struct iopgt_stats st;

	th_check_all(&h); /* model vs lookup/walk/refwalk; stats vs allocator; all reachable */
	TCHECK(iopgt_get_stats(&h.pt, &st) == IOPGT_OK, "stats");
	TCHECK(st.table_bytes == h.mem.bytes_held && st.tables == h.mem.allocs_held,
	       "stats %llu bytes in %llu tables, allocator %llu in %llu",
	       (unsigned long long)st.table_bytes, (unsigned long long)st.tables,
	       (unsigned long long)h.mem.bytes_held, (unsigned long long)h.mem.allocs_held);
}

static void nth_allocation_fails(const struct bcfg *b, uint64_t seed)
{
	struct bop ops[MAX_OPS];
	size_t nops = make_ops(b, seed, ops, test_iters(48) > MAX_OPS ? MAX_OPS : test_iters(48));
	uint64_t total, fails = 0;

	/* the run without failures: how many allocations it makes */
	bc_th_init(&h, b, seed);
	for (size_t i = 0; i < nops; i++) {
		int rc = run_op(&ops[i]);

		TCHECK(rc == IOPGT_OK || rc == IOPGT_ERR_EXIST ||
		       (rc == IOPGT_ERR_NOTSUP && bc_v7s(b)),
		       "op %zu: %d (%s)", i, rc, iopgt_strerror(rc));
	}
	total = h.mem.allocs_total;
	th_check_all(&h);
	th_fini(&h);
	TCHECK(total > 4, "the sequence made only %llu allocations", (unsigned long long)total);

	/* n = 1: the root */
	{
		struct iopgt_cfg c = bc_cfg(b);
		struct iopgt pt;
		struct tmem m;

		tmem_init(&m, bc_pa_base(b), b->oas, seed);
		tmem_hooks(&m, &c.mem);
		m.fail_at = 1;
		TCHECK(iopgt_init(&pt, &c) == IOPGT_ERR_NOMEM, "init with a failing allocator");
		TCHECK(m.allocs_held == 0, "a failed init holds memory");
		tmem_fini(&m);
	}
	for (uint64_t n = 2; n <= total; n++) {
		bool fired = false;

		bc_th_init(&h, b, seed);
		tctx_set("%s seed 0x%llx: allocation %llu of %llu fails", b->name,
			 (unsigned long long)seed, (unsigned long long)n, (unsigned long long)total);
		h.mem.fail_at = (unsigned)(n - 1);
		for (size_t i = 0; i < nops; i++) {
			uint64_t before = h.mem.failed_total;
			int rc = run_op(&ops[i]);

			if (h.mem.failed_total != before) {
				TCHECK(rc == IOPGT_ERR_NOMEM, "op %zu met the failure and returned %d",
				       i, rc);
				fired = true;
				expect_consistent();
			} else {
				TCHECK(rc != IOPGT_ERR_NOMEM, "op %zu: NOMEM without a failure", i);
			}
		}
		TCHECK(fired, "allocation %llu was never reached", (unsigned long long)n);
		fails++;
		expect_consistent();
		th_fini(&h);
	}
	TCHECK(fails == total - 1, "ran %llu failures", (unsigned long long)fails);
	if (getenv("IOPGT_TEST_VERBOSE"))
		printf("%s: %zu ops, %llu allocations, each failed once\n", b->name, nops,
		       (unsigned long long)total);
}

static void every_allocation_failure_leaves_the_model_and_no_leak(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++)
		for (uint64_t k = 0; k < 3; k++)
			nth_allocation_fails(&bcfgs[i], test_seed(0xa110c + i) + 0x100 * k);
}

/* ------------------------------------------------------------ 2. bad memory */

enum bad_kind {
	BAD_VA_MISALIGNED,  /* va and pa 8 bytes past the alignment */
	BAD_PA_MISALIGNED,  /* va aligned, pa not */
	BAD_PA_BEYOND_OAS,  /* pa the output size (v7s: 32 bits) cannot hold */
	BAD_NOT_MAPPED,     /* phys_to_virt returns NULL for it */
	BAD_MAPPED_ELSEWHERE, /* phys_to_virt returns another address */
	BAD_KINDS
};

static const char *const bad_names[] = { "va misaligned", "pa misaligned", "pa beyond oas",
					 "not mapped back", "mapped elsewhere" };

struct badmem {
	struct tmem m;
	enum bad_kind kind;
	unsigned at;          /* the at-th allocation from now is bad (0: none) */
	bool live;            /* the bad block is held */
	void *va_ret, *va_real;
	uint64_t pa_ret, pa_real, pa_off;
	size_t size, size_real;
	unsigned syncs, bad_given, bad_back;
};

static void *bm_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct badmem *b = ctx;
	uint64_t p;
	uint8_t *v;

	if (!b->at || --b->at)
		return tmem_alloc(&b->m, size, align, pa);
	v = tmem_alloc(&b->m, 2 * size + 64, align, &p);
	if (!v)
		return NULL;
	b->live = true;
	b->va_real = v;
	b->pa_real = p;
	b->size = size;
	b->size_real = 2 * size + 64;
	b->va_ret = v;
	b->pa_ret = p;
	switch (b->kind) {
	case BAD_VA_MISALIGNED:
		b->va_ret = v + 8;
		b->pa_ret = p + 8;
		break;
	case BAD_PA_MISALIGNED:
		b->pa_ret = p + 8;
		break;
	case BAD_PA_BEYOND_OAS:
		b->pa_ret = p + b->pa_off;
		break;
	default:
		break;
	}
	b->bad_given++;
	*pa = b->pa_ret;
	return b->va_ret;
}

static void bm_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	struct badmem *b = ctx;

	if (b->live && va == b->va_ret && pa == b->pa_ret) {
		TCHECK(size == b->size, "bad block freed with size %zu, allocated %zu", size, b->size);
		tmem_free(&b->m, b->va_real, b->pa_real, b->size_real);
		b->live = false;
		b->bad_back++;
		return;
	}
	tmem_free(&b->m, va, pa, size);
}

static void *bm_p2v(void *ctx, uint64_t pa)
{
	struct badmem *b = ctx;

	if (b->live && pa >= b->pa_ret && pa < b->pa_ret + b->size) {
		if (b->kind == BAD_NOT_MAPPED)
			return NULL;
		if (b->kind == BAD_MAPPED_ELSEWHERE)
			return (uint8_t *)b->va_real + b->size + (pa - b->pa_ret);
		return (uint8_t *)b->va_ret + (pa - b->pa_ret);
	}
	return tmem_phys_to_virt(&b->m, pa);
}

static void bm_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)r;
	(void)n;
	((struct badmem *)ctx)->syncs++;
}

static struct badmem bm;

static void open_bm(const struct bcfg *b, enum bad_kind k, struct iopgt_cfg *c)
{
	*c = bc_cfg(b);
	memset(&bm, 0, sizeof(bm));
	tmem_init(&bm.m, bc_pa_base(b), 64, 3);
	bm.kind = k;
	bm.pa_off = bc_v7s(b) ? tbit(32) : tbit(b->oas);
	c->mem.alloc = bm_alloc;
	c->mem.free = bm_free;
	c->mem.phys_to_virt = bm_p2v;
	c->mem.ctx = &bm;
	c->sync.fn = bm_sync;
	c->sync.ctx = &bm;
}

static void refused(const char *what, int rc, unsigned given_before, const struct snap *s)
{
	TCHECK(rc == IOPGT_ERR_NOTSUP, "%s with bad table memory: %d (%s)", what, rc,
	       iopgt_strerror(rc));
	TCHECK(bm.bad_given == given_before + 1, "%s did not reach the bad allocation", what);
	TCHECK(!bm.live && bm.bad_back == bm.bad_given, "%s kept the bad memory", what);
	if (s)
		snap_expect_tables(s, &bm.m, what);
}

static void bad_memory_is_refused(const struct bcfg *b, enum bad_kind k)
{
	const uint64_t g = b->gran, base = bc_base(b);
	struct iopgt_cfg c;
	struct iopgt pt;
	struct snap s;
	unsigned syncs;
	uint64_t big = g;
	int rc;

	tctx_set("%s: %s", b->name, bad_names[k]);
	for (unsigned i = 0; i < 31; i++)
		if (b->pgsizes & tbit(i))
			big = tbit(i);

	/* the root */
	open_bm(b, k, &c);
	bm.at = 1;
	rc = iopgt_init(&pt, &c);
	refused("init", rc, 0, NULL);
	TCHECK(bm.m.allocs_held == 0 && bm.syncs == 0, "a refused init holds memory or synced");
	TCHECK(iopgt_map(&pt, base, 0, g, IOPGT_READ) == IOPGT_ERR_INVAL, "map after failed init");
	tmem_fini(&bm.m);

	/* a table for a map, then one for a split */
	open_bm(b, k, &c);
	TCHECK(iopgt_init(&pt, &c) == IOPGT_OK, "init");
	TCHECK(iopgt_map(&pt, base + 2 * big, 0, big, IOPGT_READ) == IOPGT_OK, "map a block");
	snap_take(&s, &bm.m);
	syncs = bm.syncs;
	bm.at = 1;
	rc = iopgt_map(&pt, base + 3 * big + g, 0, g, IOPGT_READ);
	refused("map", rc, 0, &s);
	bm.at = 1;
	rc = iopgt_unmap(&pt, base + 2 * big + g, g);
	refused("splitting unmap", rc, 1, &s);
	TCHECK(bm.syncs == syncs, "refused calls synced");
	snap_free(&s);
	/* the allocator behaves again: both work */
	TCHECK(iopgt_map(&pt, base + 3 * big + g, 0, g, IOPGT_READ) == IOPGT_OK, "map");
	TCHECK(iopgt_unmap(&pt, base + 2 * big + g, g) == IOPGT_OK, "unmap");
	iopgt_fini(&pt);
	tmem_fini(&bm.m);
}

static void unusable_table_memory_is_refused_and_given_back(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++)
		for (int k = 0; k < BAD_KINDS; k++)
			bad_memory_is_refused(&bcfgs[i], (enum bad_kind)k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_allocation_failure_leaves_the_model_and_no_leak),
		cmocka_unit_test(unusable_table_memory_is_refused_and_given_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
