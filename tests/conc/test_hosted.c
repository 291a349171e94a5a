/* SPDX-License-Identifier: MIT */
/*
 * test_hosted.c - the built-in allocator (lib/hosted.c): blocks of every
 * table size come back aligned to their size, freed ones are handed out
 * again, chunks are held while a block of them is and one of each size is
 * kept, and two threads allocating and freeing at once never hold the
 * same block.
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
	void *p, *q;

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
}

#define CHUNK_BYTES ((size_t)2 << 20)
#define NMANY (3 * 511 - 10) /* three chunks of 4K blocks: 511 each beside the header */

static void chunks_are_held_while_used_and_one_is_kept(void **state)
{
	static void *many[NMANY];

	(void)state;
	if (!iopgt_hosted_keeps()) {
		assert_int_equal(iopgt_hosted_chunks(4096), 0);
		return;
	}
	/* the tests before left at most the one chunk kept */
	assert_true(iopgt_hosted_chunks(4096) <= 1);
	for (unsigned i = 0; i < NMANY; i++) {
		many[i] = get(4096, 4096);
		/* never a chunk's first block, which holds its bookkeeping */
		assert_true(((uintptr_t)many[i] & (CHUNK_BYTES - 1)) != 0);
		memset(many[i], 0x3c, 4096);
	}
	assert_int_equal(iopgt_hosted_chunks(4096), 3);
	/* one size per chunk: blocks of another size come from their own */
	{
		void *s = get(512, 512);

		assert_int_equal(iopgt_hosted_chunks(512), 1);
		for (unsigned i = 0; i < NMANY; i += 97)
			assert_true(((uintptr_t)s & ~(CHUNK_BYTES - 1)) !=
				    ((uintptr_t)many[i] & ~(CHUNK_BYTES - 1)));
		iopgt_hosted_free(NULL, s, (uint64_t)(uintptr_t)s, 512);
	}
	/* every block is whole and nobody else's */
	for (unsigned i = 0; i < NMANY; i++)
		for (size_t b = 0; b < 4096; b += 512)
			assert_int_equal(((const uint8_t *)many[i])[b], 0x3c);
	for (unsigned i = 0; i < NMANY; i++)
		iopgt_hosted_free(NULL, many[i], (uint64_t)(uintptr_t)many[i], 4096);
	/* the empty chunks went back, but the last one */
	assert_int_equal(iopgt_hosted_chunks(4096), 1);
	assert_int_equal(iopgt_hosted_chunks(512), 1);

	/* at a chunk's edge: the one block taken from a second chunk, freed
	 * and taken again, keeps that chunk (no memory returned and faulted
	 * in again on every call) */
	for (unsigned i = 0; i < 511; i++)
		many[i] = get(4096, 4096);
	assert_int_equal(iopgt_hosted_chunks(4096), 1);
	for (unsigned r = 0; r < 3; r++) {
		void *x = get(4096, 4096);

		assert_int_equal(iopgt_hosted_chunks(4096), 2);
		if (r)
			assert_ptr_equal(x, many[511]);
		many[511] = x;
		iopgt_hosted_free(NULL, x, (uint64_t)(uintptr_t)x, 4096);
		assert_int_equal(iopgt_hosted_chunks(4096), 2);
	}
	for (unsigned i = 0; i < 511; i++)
		iopgt_hosted_free(NULL, many[i], (uint64_t)(uintptr_t)many[i], 4096);
	assert_int_equal(iopgt_hosted_chunks(4096), 1);
}

/* a larger alignment than the size: a block of that size */
static void an_alignment_above_the_size_is_kept(void **state)
{
	void *p;

	(void)state;
	p = get(1024, 16384);
	assert_int_equal((uintptr_t)p & 16383, 0);
	memset(p, 0x11, 16384);
	iopgt_hosted_free(NULL, p, (uint64_t)(uintptr_t)p, 1024);
	if (iopgt_hosted_keeps())
		assert_ptr_equal(get(16384, 16384), p);
	else
		p = get(16384, 16384);
	iopgt_hosted_free(NULL, p, (uint64_t)(uintptr_t)p, 16384);
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
		cmocka_unit_test(chunks_are_held_while_used_and_one_is_kept),
		cmocka_unit_test(an_alignment_above_the_size_is_kept),
		cmocka_unit_test(two_threads_never_share_a_block),
		cmocka_unit_test(tables_churn_through_the_kept_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
