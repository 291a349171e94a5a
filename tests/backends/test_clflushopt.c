/* SPDX-License-Identifier: MIT */
/*
 * tests/backends/test_clflushopt.c - the x86-64 CLFLUSHOPT backend.
 *
 * Built twice: with IOPGT_BACKEND_TEST_HOOKS (TEST_HOOKS), where every
 * flush and fence is a logged call, to check which lines a call flushes and
 * that one fence ends it; and with the real instructions, to check that
 * they run on this CPU and leave the memory's contents as they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <iopgt/backends.h>

#ifdef TEST_HOOKS
static uintptr_t log_line[4096];
static int log_fence[4096];
static size_t nlog;

void iopgt_test_hook_clean(uintptr_t line)
{
	assert_true(nlog < 4096);
	log_line[nlog] = line;
	log_fence[nlog++] = 0;
}

void iopgt_test_hook_dsb(void)
{
	assert_true(nlog < 4096);
	log_line[nlog] = 0;
	log_fence[nlog++] = 1;
}

uint64_t iopgt_test_hook_read_ctr(void)
{
	fail_msg("the x86 backend reads no CTR");
	return 0;
}

static int reset_log(void **state)
{
	(void)state;
	nlog = 0;
	return 0;
}

static struct iopgt_clflushopt be = { 6 };

static void test_one_descriptor_is_one_flush_then_one_fence(void **state)
{
	struct iopgt_range r = { (void *)(uintptr_t)0x10008, 0x10008, 8 };

	(void)state;
	iopgt_clflushopt_sync_ranges(&be, &r, 1);
	assert_int_equal(nlog, 2);
	assert_int_equal(log_fence[0], 0);
	assert_int_equal(log_line[0], 0x10000);
	assert_int_equal(log_fence[1], 1);
}

static void test_lines_are_flushed_once_each_in_order(void **state)
{
	/* two ranges that share the line at 0x10040, then a whole 4K table */
	struct iopgt_range r[3] = {
		{ (void *)(uintptr_t)0x10038, 0, 0x10 },
		{ (void *)(uintptr_t)0x10070, 0, 0x20 },
		{ (void *)(uintptr_t)0x20000, 0, 0x1000 },
	};

	(void)state;
	iopgt_clflushopt_sync_ranges(&be, r, 3);
	assert_int_equal(nlog, 3 + 64 + 1);
	assert_int_equal(log_line[0], 0x10000);
	assert_int_equal(log_line[1], 0x10040);
	assert_int_equal(log_line[2], 0x10080);
	for (size_t i = 3; i < 3 + 64; i++)
		assert_int_equal(log_line[i], 0x20000 + (i - 3) * 64);
	assert_int_equal(log_fence[nlog - 1], 1);
	for (size_t i = 0; i + 1 < nlog; i++)
		assert_int_equal(log_fence[i], 0);
}

static void test_empty_call_issues_nothing_not_even_a_fence(void **state)
{
	struct iopgt_range r = { (void *)(uintptr_t)0x10000, 0x10000, 0 };

	(void)state;
	iopgt_clflushopt_sync_ranges(&be, &r, 1);
	iopgt_clflushopt_sync_ranges(&be, NULL, 0);
	assert_int_equal(nlog, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_descriptor_is_one_flush_then_one_fence, reset_log),
		cmocka_unit_test_setup(test_lines_are_flushed_once_each_in_order, reset_log),
		cmocka_unit_test_setup(test_empty_call_issues_nothing_not_even_a_fence, reset_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
static void test_init_reads_the_cpus_line_size(void **state)
{
	struct iopgt_clflushopt c;
	int err = iopgt_clflushopt_init(&c);

	(void)state;
	if (err == IOPGT_ERR_NOTSUP) {
		assert_int_equal(c.line_shift, 0);
		skip(); /* a CPU without CLFLUSHOPT */
	}
	assert_int_equal(err, IOPGT_OK);
	assert_in_range(c.line_shift, 4, 11);
	assert_int_equal(iopgt_clflushopt_init(NULL), IOPGT_ERR_INVAL);
}

static void test_real_flushes_keep_the_contents(void **state)
{
	static _Alignas(4096) uint64_t tbl[1024];
	struct iopgt_clflushopt c;
	struct iopgt_sync s;
	struct iopgt_range r[2];

	(void)state;
	if (iopgt_clflushopt_init(&c) != IOPGT_OK)
		skip();
	s = iopgt_clflushopt_sync(&c);
	assert_ptr_equal(s.ctx, &c);
	for (size_t i = 0; i < 1024; i++)
		tbl[i] = i * 0x9e3779b97f4a7c15ull;
	r[0].va = &tbl[3];
	r[0].pa = 0;
	r[0].len = 8;
	r[1].va = &tbl[512];
	r[1].pa = 0;
	r[1].len = 4096;
	s.fn(s.ctx, r, 2);
	for (size_t i = 0; i < 1024; i++)
		assert_int_equal(tbl[i], i * 0x9e3779b97f4a7c15ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_reads_the_cpus_line_size),
		cmocka_unit_test(test_real_flushes_keep_the_contents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
