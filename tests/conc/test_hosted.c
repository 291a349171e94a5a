/* SPDX-License-Identifier: MIT */
/*
 * test_hosted.c - the built-in allocator (lib/hosted.c): blocks of every
 * table size come back aligned to their size, freed ones are kept (at
 * most a few of each size) and handed out again, and two threads
 * allocating and freeing at once never hold the same block.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define ROUNDS 20000u

static void *get(size_t size, size_t align)
{
	uint64_t pa = 0;
	void *p = iopgt_hosted_alloc(NULL, size, align, &pa);

	assert_non_null(p);
	assert_true(pa == (uint64_t)(uintptr_t)p);
	return p;
}

static void every_table_size_is_aligned_to_itself(void **state)
{
	(void)state;
	for (unsigned k = 6; k <= 16; k++) {
		const size_t size = (size_t)1 << k;
		void *a = get(size, size), *b = get(size, 8);

		assert_int_equal((uintptr_t)a & (size - 1), 0);
		/* kept sizes: aligned to the size whatever was asked */
		if (k >= 9)
			assert_int_equal((uintptr_t)b & (size - 1), 0);
		memset(a, 0xa5, size);
		memset(b, 0x5a, size);
		iopgt_hosted_free(NULL, a, (uint64_t)(uintptr_t)a, size);
		iopgt_hosted_free(NULL, b, (uint64_t)(uintptr_t)b, size);
	}
}

static void a_freed_table_is_handed_out_again(void **state)
{
	void *p, *q, *many[20];
	unsigned again = 0;

	(void)state;
	p = get(4096, 4096);
	iopgt_hosted_free(NULL, p, (uint64_t)(uintptr_t)p, 4096);
	q = get(4096, 4096);
	iopgt_hosted_free(NULL, q, (uint64_t)(uintptr_t)q, 4096);
	if (!iopgt_hosted_keeps()) {
		/* AddressSanitizer: every block goes back to the C library,
		 * whose quarantine hands out another */
		assert_ptr_not_equal(p, q);
		return;
	}
	assert_ptr_equal(p, q);

	/* at most IOPGT_HOSTED_KEEP are kept, the first ones freed while
	 * there was room (the allocations below took every kept block
	 * first), and they come back last kept first; the others went to
	 * the C library */
	for (unsigned i = 0; i < 20; i++)
		many[i] = get(4096, 4096);
	for (unsigned i = 0; i < 20; i++)
		iopgt_hosted_free(NULL, many[i], (uint64_t)(uintptr_t)many[i], 4096);
	for (unsigned i = 0; i < IOPGT_HOSTED_KEEP; i++) {
		void *r = get(4096, 4096);

		again += r == many[IOPGT_HOSTED_KEEP - 1 - i];
		many[IOPGT_HOSTED_KEEP - 1 - i] = r;
	}
	assert_int_equal(again, IOPGT_HOSTED_KEEP);
	for (unsigned i = 0; i < IOPGT_HOSTED_KEEP; i++)
		iopgt_hosted_free(NULL, many[i], (uint64_t)(uintptr_t)many[i], 4096);
}

struct job {
	unsigned id;
	unsigned bad;
};

static void *churn(void *arg)
{
	struct job *j = arg;
	uint32_t x = 0x9e3779b9u * (j->id + 1);

	for (unsigned r = 0; r < ROUNDS; r++) {
		const size_t size = (size_t)1 << (9 + (x >> 29) % 8);
		uint8_t *p;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p = get(size, size);
		for (size_t i = 0; i < size; i += 64)
			p[i] = (uint8_t)j->id;
		/* another thread holding it would have written its own id */
		for (size_t i = 0; i < size; i += 64)
			j->bad += p[i] != j->id;
		iopgt_hosted_free(NULL, p, (uint64_t)(uintptr_t)p, size);
	}
	return NULL;
}

static void two_threads_never_share_a_block(void **state)
{
	pthread_t t[2];
	struct job j[2] = { { 1, 0 }, { 2, 0 } };

	(void)state;
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn, &j[i]), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(j[0].bad + j[1].bad, 0);
}

/* the library on the built-in allocator: tables emptied and needed again */
static void tables_churn_through_the_kept_blocks(void **state)
{
	struct iopgt_cfg cfg;
	struct iopgt pt;
	struct iopgt_stats st;
	uint64_t pa;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fmt = IOPGT_FMT_ARM64_S1;
	cfg.ias = 48;
	cfg.oas = 48;
	assert_int_equal(iopgt_init(&pt, &cfg), IOPGT_OK);
	for (unsigned r = 0; r < 1000; r++) {
		const uint64_t iova = (uint64_t)(r % 7) << 39;

		assert_int_equal(iopgt_map(&pt, iova, 0x40000000 + r * 4096ull, 4096, IOPGT_READ),
				 IOPGT_OK);
		assert_int_equal(iopgt_translate(&pt, iova + 12, &pa), IOPGT_OK);
		assert_true(pa == 0x40000000 + r * 4096ull + 12);
		assert_int_equal(iopgt_unmap(&pt, iova, 4096), IOPGT_OK);
		assert_int_equal(iopgt_get_stats(&pt, &st), IOPGT_OK);
		assert_true(st.tables == 1); /* only the root is held */
	}
	iopgt_fini(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_table_size_is_aligned_to_itself),
		cmocka_unit_test(a_freed_table_is_handed_out_again),
		cmocka_unit_test(two_threads_never_share_a_block),
		cmocka_unit_test(tables_churn_through_the_kept_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
