/* SPDX-License-Identifier: MIT */
/*
 * tests/backends/test_recorder.c - the recorder: what it logs, what it
 * counts, that it never writes past the caller's storage, that it passes
 * every call on unchanged, and what it prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "iopgt/backends.h"

#define R(a, p, l) { (void *)(uintptr_t)(a), (p), (l) }

static void assert_range(const struct iopgt_range *got, const struct iopgt_range *want)
{
	assert_ptr_equal(got->va, want->va);
	assert_int_equal(got->pa, want->pa);
	assert_int_equal(got->len, want->len);
}

static void test_logs_ranges_and_call_boundaries(void **state)
{
	struct iopgt_range log[8];
	struct iopgt_rec_call calls[4];
	struct iopgt_recorder rec;
	struct iopgt_sync s;
	const struct iopgt_range a[] = { R(0x1000, 0x81000, 0x1000) };
	const struct iopgt_range b[] = { R(0x2008, 0x82008, 8), R(0x2030, 0x82030, 0x18) };

	(void)state;
	iopgt_recorder_init(&rec, log, 8, calls, 4, NULL);
	s = iopgt_recorder_sync(&rec);
	assert_ptr_equal(s.fn, iopgt_recorder_record);
	assert_ptr_equal(s.ctx, &rec);
	s.fn(s.ctx, a, 1);
	s.fn(s.ctx, b, 2);

	assert_int_equal(rec.n_calls, 2);
	assert_int_equal(rec.n_ranges, 3);
	assert_range(&log[0], &a[0]);
	assert_range(&log[1], &b[0]);
	assert_range(&log[2], &b[1]);
	assert_int_equal(calls[0].first, 0);
	assert_int_equal(calls[0].n, 1);
	assert_int_equal(calls[0].stored, 1);
	assert_int_equal(calls[0].bytes, 0x1000);
	assert_int_equal(calls[0].lines, 64);
	assert_int_equal(calls[1].first, 1);
	assert_int_equal(calls[1].n, 2);
	assert_int_equal(calls[1].stored, 2);
	assert_int_equal(calls[1].bytes, 0x20);
	/* 0x2008 and 0x2030..0x2047: lines 0x2000 (shared) and 0x2040 */
	assert_int_equal(calls[1].lines, 2);

	assert_int_equal(rec.total_calls, 2);
	assert_int_equal(rec.total_ranges, 3);
	assert_int_equal(rec.total_bytes, 0x1020);
	assert_int_equal(rec.total_lines, 66);
	assert_int_equal(rec.dropped_calls, 0);
	assert_int_equal(rec.dropped_ranges, 0);
}

static void test_lines_are_distinct_per_call_and_summed_over_calls(void **state)
{
	struct iopgt_recorder rec;
	const struct iopgt_range a[] = { R(0x3000, 0, 8) };

	(void)state;
	iopgt_recorder_init(&rec, NULL, 0, NULL, 0, NULL);
	/* the same line in two calls counts twice: each call cleans it */
	iopgt_recorder_record(&rec, a, 1);
	iopgt_recorder_record(&rec, a, 1);
	assert_int_equal(rec.total_lines, 2);
	assert_int_equal(rec.total_calls, 2);
}

static void test_call_with_no_ranges_is_a_call(void **state)
{
	struct iopgt_rec_call calls[2];
	struct iopgt_recorder rec;

	(void)state;
	iopgt_recorder_init(&rec, NULL, 0, calls, 2, NULL);
	iopgt_recorder_record(&rec, NULL, 0);
	assert_int_equal(rec.total_calls, 1);
	assert_int_equal(rec.n_calls, 1);
	assert_int_equal(calls[0].n, 0);
	assert_int_equal(calls[0].lines, 0);
	assert_int_equal(rec.total_lines, 0);
}

static void test_full_storage_counts_overflow_and_writes_nothing_past_it(void **state)
{
	struct iopgt_range log[4];
	struct iopgt_rec_call calls[3];
	struct iopgt_recorder rec;
	const struct iopgt_range a[] = { R(0x1000, 1, 8), R(0x1100, 2, 8), R(0x1200, 3, 8) };
	const struct iopgt_range sentinel = R(0xdead, 0xbeef, 0x5a5a);

	(void)state;
	for (int i = 0; i < 4; i++)
		log[i] = sentinel;
	memset(calls, 0x5a, sizeof(calls));
	/* room for 2 ranges and 1 call; the last entries guard the edge */
	iopgt_recorder_init(&rec, log, 2, calls, 1, NULL);
	iopgt_recorder_record(&rec, a, 3);
	iopgt_recorder_record(&rec, a, 1);

	assert_int_equal(rec.n_ranges, 2);
	assert_int_equal(rec.n_calls, 1);
	assert_int_equal(rec.dropped_ranges, 2);
	assert_int_equal(rec.dropped_calls, 1);
	assert_int_equal(calls[0].n, 3);
	assert_int_equal(calls[0].stored, 2);
	assert_range(&log[0], &a[0]);
	assert_range(&log[1], &a[1]);
	assert_range(&log[2], &sentinel);
	assert_range(&log[3], &sentinel);
	for (size_t i = 0; i < sizeof(calls[1]) * 2; i++)
		assert_int_equal(((unsigned char *)&calls[1])[i], 0x5a);
	/* totals count what did not fit */
	assert_int_equal(rec.total_calls, 2);
	assert_int_equal(rec.total_ranges, 4);
	assert_int_equal(rec.total_bytes, 32);
	assert_int_equal(rec.total_lines, 4);
}

static void test_null_storage_with_capacity_keeps_nothing(void **state)
{
	struct iopgt_recorder rec;
	const struct iopgt_range a[] = { R(0x1000, 1, 8) };

	(void)state;
	iopgt_recorder_init(&rec, NULL, 16, NULL, 16, NULL);
	iopgt_recorder_record(&rec, a, 1);
	assert_int_equal(rec.n_ranges, 0);
	assert_int_equal(rec.n_calls, 0);
	assert_int_equal(rec.dropped_ranges, 1);
	assert_int_equal(rec.total_ranges, 1);
}

/* the second backend, a CMocka mock */
static void next_fn(void *ctx, const struct iopgt_range *ranges, size_t n)
{
	check_expected_ptr(ctx);
	check_expected_ptr(ranges);
	check_expected(n);
}

static void test_every_call_is_passed_on_unchanged(void **state)
{
	struct iopgt_recorder rec;
	int next_ctx;
	const struct iopgt_sync next = { next_fn, &next_ctx };
	const struct iopgt_range a[] = { R(0x1000, 1, 8), R(0x1100, 2, 8) };

	(void)state;
	iopgt_recorder_init(&rec, NULL, 0, NULL, 0, &next);
	expect_value(next_fn, ctx, &next_ctx);
	expect_value(next_fn, ranges, a);
	expect_value(next_fn, n, 2);
	expect_value(next_fn, ctx, &next_ctx);
	expect_value(next_fn, ranges, &a[1]);
	expect_value(next_fn, n, 1);
	iopgt_recorder_record(&rec, a, 2);
	iopgt_recorder_record(&rec, &a[1], 1);
	assert_int_equal(rec.total_calls, 2);
}

static void test_recorders_chain(void **state)
{
	struct iopgt_range log1[2], log2[2];
	struct iopgt_recorder inner, outer;
	struct iopgt_sync inner_sync, s;
	const struct iopgt_range a[] = { R(0x1000, 1, 8) };

	(void)state;
	iopgt_recorder_init(&inner, log2, 2, NULL, 0, NULL);
	inner_sync = iopgt_recorder_sync(&inner);
	iopgt_recorder_init(&outer, log1, 2, NULL, 0, &inner_sync);
	s = iopgt_recorder_sync(&outer);
	s.fn(s.ctx, a, 1);
	assert_int_equal(outer.total_ranges, 1);
	assert_int_equal(inner.total_ranges, 1);
	assert_range(&log2[0], &a[0]);
}

static void test_reset_forgets_records_and_keeps_storage_and_next(void **state)
{
	struct iopgt_range log[2];
	struct iopgt_rec_call calls[2];
	struct iopgt_recorder rec;
	int next_ctx;
	const struct iopgt_sync next = { next_fn, &next_ctx };
	const struct iopgt_range a[] = { R(0x1000, 1, 8), R(0x1100, 2, 8), R(0x1200, 3, 8) };

	(void)state;
	iopgt_recorder_init(&rec, log, 2, calls, 2, &next);
	expect_any_count(next_fn, ctx, 2);
	expect_any_count(next_fn, ranges, 2);
	expect_any_count(next_fn, n, 2);
	iopgt_recorder_record(&rec, a, 3);
	iopgt_recorder_reset(&rec);
	assert_int_equal(rec.n_ranges, 0);
	assert_int_equal(rec.n_calls, 0);
	assert_int_equal(rec.total_calls, 0);
	assert_int_equal(rec.total_ranges, 0);
	assert_int_equal(rec.total_bytes, 0);
	assert_int_equal(rec.total_lines, 0);
	assert_int_equal(rec.dropped_ranges, 0);
	assert_int_equal(rec.dropped_calls, 0);
	assert_ptr_equal(rec.ranges, log);
	assert_ptr_equal(rec.calls, calls);
	iopgt_recorder_record(&rec, &a[2], 1);
	assert_int_equal(rec.n_ranges, 1);
	assert_range(&log[0], &a[2]);
	assert_int_equal(calls[0].first, 0);
}

/* ---- printing ---- */

struct printed {
	char text[4096];
	size_t len;
	int lines;
};

static void print_fn(void *ctx, const char *line)
{
	struct printed *p = ctx;
	size_t n = strlen(line);

	assert_true(p->len + n + 2 < sizeof(p->text));
	memcpy(p->text + p->len, line, n);
	p->len += n;
	p->text[p->len++] = '\n';
	p->text[p->len] = '\0';
	p->lines++;
}

static void test_print_shows_calls_ranges_and_totals(void **state)
{
	struct iopgt_range log[3];
	struct iopgt_rec_call calls[2];
	struct iopgt_recorder rec;
	struct printed out = { .len = 0, .lines = 0 };
	const struct iopgt_range a[] = { R(0x7f0000001000, 0x80001000, 0x1000) };
	const struct iopgt_range b[] = { R(0x2008, 0x82008, 8), R(0x2030, 0xfedcba9876543210, 0x18),
					 R(0x4000, 0, 1) };

	(void)state;
	if (sizeof(uintptr_t) < 8)
		skip();
	iopgt_recorder_init(&rec, log, 3, calls, 2, NULL);
	iopgt_recorder_record(&rec, a, 1);
	iopgt_recorder_record(&rec, b, 3);
	iopgt_recorder_record(&rec, b, 1);
	iopgt_recorder_print(&rec, IOPGT_REC_PRINT_ALL, print_fn, &out);
	assert_string_equal(out.text,
		"call 0: 1 ranges, 0x1000 bytes, 64 lines\n"
		"  va 0x7f0000001000 pa 0x80001000 len 0x1000\n"
		"call 1: 3 ranges (2 logged), 0x21 bytes, 3 lines\n"
		"  va 0x2008 pa 0x82008 len 0x8\n"
		"  va 0x2030 pa 0xfedcba9876543210 len 0x18\n"
		"total: 3 calls, 5 ranges, 0x1029 bytes, 68 lines; dropped 1 calls, 2 ranges\n");
}

static void test_print_flags_choose_the_parts(void **state)
{
	struct iopgt_range log[4];
	struct iopgt_recorder rec;
	struct printed out = { .len = 0, .lines = 0 };
	const struct iopgt_range a[] = { R(0x1000, 0x0, 0x10), R(0x1100, 0x100, 0) };

	(void)state;
	/* ranges logged but no calls: printed flat */
	iopgt_recorder_init(&rec, log, 4, NULL, 0, NULL);
	iopgt_recorder_record(&rec, a, 2);
	iopgt_recorder_print(&rec, IOPGT_REC_PRINT_RANGES, print_fn, &out);
	assert_string_equal(out.text,
		"  va 0x1000 pa 0x0 len 0x10\n"
		"  va 0x1100 pa 0x100 len 0x0\n");
	out.len = 0;
	out.text[0] = '\0';
	iopgt_recorder_print(&rec, IOPGT_REC_PRINT_TOTALS, print_fn, &out);
	assert_string_equal(out.text,
		"total: 1 calls, 2 ranges, 0x10 bytes, 1 lines; dropped 1 calls, 0 ranges\n");
	out.len = 0;
	out.text[0] = '\0';
	iopgt_recorder_print(&rec, 0, print_fn, &out);
	iopgt_recorder_print(&rec, IOPGT_REC_PRINT_ALL, NULL, &out);
	assert_int_equal(out.len, 0);
}

static void test_print_handles_the_largest_numbers(void **state)
{
	struct iopgt_recorder rec;
	struct printed out = { .len = 0, .lines = 0 };

	(void)state;
	iopgt_recorder_init(&rec, NULL, 0, NULL, 0, NULL);
	rec.total_calls = UINT64_MAX;
	rec.total_ranges = 10000000000000000000u;
	rec.total_bytes = UINT64_MAX;
	rec.total_lines = 9;
	rec.dropped_calls = 10;
	rec.dropped_ranges = 0;
	iopgt_recorder_print(&rec, IOPGT_REC_PRINT_TOTALS, print_fn, &out);
	assert_string_equal(out.text,
		"total: 18446744073709551615 calls, 10000000000000000000 ranges, "
		"0xffffffffffffffff bytes, 9 lines; dropped 10 calls, 0 ranges\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logs_ranges_and_call_boundaries),
		cmocka_unit_test(test_lines_are_distinct_per_call_and_summed_over_calls),
		cmocka_unit_test(test_call_with_no_ranges_is_a_call),
		cmocka_unit_test(test_full_storage_counts_overflow_and_writes_nothing_past_it),
		cmocka_unit_test(test_null_storage_with_capacity_keeps_nothing),
		cmocka_unit_test(test_every_call_is_passed_on_unchanged),
		cmocka_unit_test(test_recorders_chain),
		cmocka_unit_test(test_reset_forgets_records_and_keeps_storage_and_next),
		cmocka_unit_test(test_print_shows_calls_ranges_and_totals),
		cmocka_unit_test(test_print_flags_choose_the_parts),
		cmocka_unit_test(test_print_handles_the_largest_numbers),
	};

	return cmocka_run_group_tests_name("backends/recorder", tests, NULL, NULL);
}
