/* SPDX-License-Identifier: MIT */
/*
 * tests/backends/test_lines.c - iopgt_lines_for_ranges(): every line a set
 * of ranges touches, each once, ascending, for line sizes 16 to 2048 bytes,
 * checked against a byte-by-byte reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "iopgt/backends.h"

#define MAX_LINES 8192

struct emitted {
	uintptr_t line[MAX_LINES];
	size_t n;
};

static void collect(void *ctx, uintptr_t line)
{
	struct emitted *e = ctx;

	assert_true(e->n < MAX_LINES);
	e->line[e->n++] = line;
}

#define R(a, l) { (void *)(uintptr_t)(a), (uint64_t)(a), (l) }

/* The reference: walk every byte, keep each new line (input is sorted, so
 * lines come in ascending order and a repeat is always the last kept). */
static size_t reference(const struct iopgt_range *r, size_t n, unsigned shift,
			uintptr_t *out)
{
	uintptr_t mask = ((uintptr_t)1 << shift) - 1;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t b = 0; b < r[i].len; b++) {
			uintptr_t line = ((uintptr_t)r[i].va + b) & ~mask;

			if (k == 0 || out[k - 1] != line) {
				assert_true(k == 0 || line > out[k - 1]);
				out[k++] = line;
			}
		}
	}
	return k;
}

static void check_against_reference(const struct iopgt_range *r, size_t n, unsigned shift)
{
	static struct emitted e;
	static uintptr_t ref[MAX_LINES];
	size_t nref = reference(r, n, shift, ref);

	e.n = 0;
	assert_int_equal(iopgt_lines_for_ranges(r, n, shift, collect, &e), nref);
	assert_int_equal(e.n, nref);
	for (size_t i = 0; i < nref; i++)
		assert_int_equal(e.line[i], ref[i]);
	/* counting only gives the same number */
	assert_int_equal(iopgt_lines_for_ranges(r, n, shift, NULL, NULL), nref);
}

static void test_single_range_within_one_line(void **state)
{
	const struct iopgt_range r[] = { R(0x1008, 8) };
	struct emitted e = { .n = 0 };

	(void)state;
	assert_int_equal(iopgt_lines_for_ranges(r, 1, 6, collect, &e), 1);
	assert_int_equal(e.line[0], 0x1000);
}

static void test_range_crossing_lines_emits_each(void **state)
{
	/* 0x103c..0x1083 touches 0x1000, 0x1040, 0x1080 */
	const struct iopgt_range r[] = { R(0x103c, 0x48) };
	struct emitted e = { .n = 0 };

	(void)state;
	assert_int_equal(iopgt_lines_for_ranges(r, 1, 6, collect, &e), 3);
	assert_int_equal(e.line[0], 0x1000);
	assert_int_equal(e.line[1], 0x1040);
	assert_int_equal(e.line[2], 0x1080);
}

static void test_line_shared_by_two_ranges_emitted_once(void **state)
{
	/* both ranges sit in line 0x2040; the second also reaches 0x2080 */
	const struct iopgt_range r[] = { R(0x2040, 8), R(0x2050, 0x38) };
	struct emitted e = { .n = 0 };

	(void)state;
	assert_int_equal(iopgt_lines_for_ranges(r, 2, 6, collect, &e), 2);
	assert_int_equal(e.line[0], 0x2040);
	assert_int_equal(e.line[1], 0x2080);
}

static void test_many_ranges_in_one_line_emitted_once(void **state)
{
	const struct iopgt_range r[] = { R(0x3000, 4), R(0x3010, 4), R(0x3020, 4),
					 R(0x3030, 4) };
	struct emitted e = { .n = 0 };

	(void)state;
	assert_int_equal(iopgt_lines_for_ranges(r, 4, 6, collect, &e), 1);
	assert_int_equal(e.line[0], 0x3000);
	/* at 16-byte lines they are four distinct lines */
	e.n = 0;
	assert_int_equal(iopgt_lines_for_ranges(r, 4, 4, collect, &e), 4);
}

static void test_zero_length_and_empty_input_touch_nothing(void **state)
{
	const struct iopgt_range r[] = { R(0x4000, 0), R(0x4100, 0) };
	struct emitted e = { .n = 0 };

	(void)state;
	assert_int_equal(iopgt_lines_for_ranges(r, 2, 6, collect, &e), 0);
	assert_int_equal(iopgt_lines_for_ranges(r, 0, 6, collect, &e), 0);
	assert_int_equal(iopgt_lines_for_ranges(NULL, 0, 6, collect, &e), 0);
	assert_int_equal(e.n, 0);
}

static void test_zero_length_between_ranges_changes_nothing(void **state)
{
	const struct iopgt_range r[] = { R(0x5000, 8), R(0x5010, 0), R(0x5020, 8) };

	(void)state;
	check_against_reference(r, 3, 6);
	assert_int_equal(iopgt_lines_for_ranges(r, 3, 6, NULL, NULL), 1);
}

static void test_bad_line_shift_emits_nothing(void **state)
{
	const struct iopgt_range r[] = { R(0x6000, 64) };
	struct emitted e = { .n = 0 };

	(void)state;
	assert_int_equal(iopgt_lines_for_ranges(r, 1, 0, collect, &e), 0);
	assert_int_equal(iopgt_lines_for_ranges(r, 1, 1, collect, &e), 0);
	assert_int_equal(iopgt_lines_for_ranges(r, 1, sizeof(uintptr_t) * 8, collect, &e), 0);
	assert_int_equal(e.n, 0);
}

static void test_range_at_top_of_address_space_stops_there(void **state)
{
	const uintptr_t top = (uintptr_t)-1;
	const struct iopgt_range r[] = { { (void *)(top - 0x7f), 0, 0x80 } };
	struct emitted e = { .n = 0 };

	(void)state;
	assert_int_equal(iopgt_lines_for_ranges(r, 1, 6, collect, &e), 2);
	assert_int_equal(e.line[0], top - 0x7f);
	assert_int_equal(e.line[1], top - 0x3f);
	/* a length running past the top is cut there */
	e.n = 0;
	const struct iopgt_range w[] = { { (void *)(top - 0x3f), 0, 0x1000 } };
	assert_int_equal(iopgt_lines_for_ranges(w, 1, 6, collect, &e), 1);
	assert_int_equal(e.line[0], top - 0x3f);
}

static void test_unsorted_input_still_emits_every_line(void **state)
{
	const struct iopgt_range r[] = { R(0x9000, 0x80), R(0x8000, 8), R(0x9040, 8) };
	struct emitted e = { .n = 0 };
	int seen_8000 = 0;

	(void)state;
	iopgt_lines_for_ranges(r, 3, 6, collect, &e);
	for (size_t i = 0; i < e.n; i++)
		seen_8000 += e.line[i] == 0x8000;
	assert_int_equal(seen_8000, 1);
	assert_true(e.n >= 3);
}

static uint32_t rng_state = 12345;

static uint32_t rnd(uint32_t bound)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % bound;
}

/* Sorted, disjoint, non-adjacent ranges as one sync call gives them, with
 * gaps small enough that neighbours often share a line. */
static size_t make_ranges(struct iopgt_range *r, size_t max, uintptr_t base,
			  uint32_t max_gap, uint32_t max_len)
{
	uintptr_t at = base + rnd(64);
	size_t n = 1 + rnd((uint32_t)max);

	for (size_t i = 0; i < n; i++) {
		r[i].va = (void *)at;
		r[i].pa = at;
		r[i].len = 1 + rnd(max_len);
		at += r[i].len + 1 + rnd(max_gap);
	}
	return n;
}

static void test_random_ranges_match_reference_for_16_to_2048_byte_lines(void **state)
{
	struct iopgt_range r[24];

	(void)state;
	for (unsigned shift = 4; shift <= 11; shift++) {
		for (int round = 0; round < 300; round++) {
			uint32_t gap = round % 3 == 0 ? 8 : round % 3 == 1 ? 200 : 5000;
			size_t n = make_ranges(r, 24, 0x100000, gap, round % 2 ? 24 : 700);

			check_against_reference(r, n, shift);
		}
	}
}

/* The figures quoted in the documentation of the backends. */
static void test_example_line_counts(void **state)
{
	/* one 8-byte descriptor: 1 line whatever the size */
	const struct iopgt_range one[] = { R(0x10008, 8) };
	/* a new 4 KiB table: 4096 >> shift lines */
	const struct iopgt_range table[] = { R(0x20000, 4096) };
	/* 16 contiguous-hint descriptors (128 bytes) starting mid-line, and a
	 * neighbouring descriptor 8 bytes after them */
	const struct iopgt_range run[] = { R(0x30020, 128), R(0x300a8, 8) };

	(void)state;
	for (unsigned shift = 4; shift <= 11; shift++)
		assert_int_equal(iopgt_lines_for_ranges(one, 1, shift, NULL, NULL), 1);
	assert_int_equal(iopgt_lines_for_ranges(table, 1, 4, NULL, NULL), 256);
	assert_int_equal(iopgt_lines_for_ranges(table, 1, 5, NULL, NULL), 128);
	assert_int_equal(iopgt_lines_for_ranges(table, 1, 6, NULL, NULL), 64);
	assert_int_equal(iopgt_lines_for_ranges(table, 1, 8, NULL, NULL), 16);
	assert_int_equal(iopgt_lines_for_ranges(table, 1, 11, NULL, NULL), 2);
	/* 0x30020..0x300af: 16-byte lines 0x30020..0x300a0 = 9, 32: 0x30020..0x300a0 = 5,
	 * 64: 0x30000, 0x30040, 0x30080 = 3, 256 and up: 1 */
	assert_int_equal(iopgt_lines_for_ranges(run, 2, 4, NULL, NULL), 9);
	assert_int_equal(iopgt_lines_for_ranges(run, 2, 5, NULL, NULL), 5);
	assert_int_equal(iopgt_lines_for_ranges(run, 2, 6, NULL, NULL), 3);
	assert_int_equal(iopgt_lines_for_ranges(run, 2, 8, NULL, NULL), 1);
	check_against_reference(run, 2, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_range_within_one_line),
		cmocka_unit_test(test_range_crossing_lines_emits_each),
		cmocka_unit_test(test_line_shared_by_two_ranges_emitted_once),
		cmocka_unit_test(test_many_ranges_in_one_line_emitted_once),
		cmocka_unit_test(test_zero_length_and_empty_input_touch_nothing),
		cmocka_unit_test(test_zero_length_between_ranges_changes_nothing),
		cmocka_unit_test(test_bad_line_shift_emits_nothing),
		cmocka_unit_test(test_range_at_top_of_address_space_stops_there),
		cmocka_unit_test(test_unsorted_input_still_emits_every_line),
		cmocka_unit_test(test_random_ranges_match_reference_for_16_to_2048_byte_lines),
		cmocka_unit_test(test_example_line_counts),
	};

	return cmocka_run_group_tests_name("backends/lines", tests, NULL, NULL);
}
