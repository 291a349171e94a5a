/* SPDX-License-Identifier: MIT */
/*
 * tests/backends/test_cache_insn.c - the instruction backends on the host.
 *
 * Built twice: with backends/arm64_dccvac.c (TEST_DCCVAC) and with
 * backends/armv7_dccmvac.c (TEST_DCCMVAC), both compiled with
 * IOPGT_BACKEND_TEST_HOOKS so that reading the cache type register, each
 * clean and each barrier are calls into this file. The hooks log cleans and
 * barriers in the order issued; a CTR read takes its value from will_return,
 * so a read the test did not expect fails it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "iopgt/backends.h"

#if defined(TEST_DCCVAC)
#define BK struct iopgt_dccvac
#define bk_init iopgt_dccvac_init
#define bk_sync iopgt_dccvac_sync
#define bk_ranges iopgt_dccvac_sync_ranges
#define bk_line_shift iopgt_dccvac_line_shift
#define CTR_FOR(dminline) ((0x84448004u & ~(0xfu << 16)) | ((uint32_t)(dminline) << 16))
#define SUITE "backends/dccvac"
#elif defined(TEST_DCCMVAC)
#define BK struct iopgt_dccmvac
#define bk_init iopgt_dccmvac_init
#define bk_sync iopgt_dccmvac_sync
#define bk_ranges iopgt_dccmvac_sync_ranges
#define bk_line_shift iopgt_dccmvac_line_shift
/* ARMv7 format (bits [31:29] = 0b100), Cortex-A9-like otherwise */
#define CTR_FOR(dminline) ((0x83338003u & ~(0xfu << 16)) | ((uint32_t)(dminline) << 16))
#define SUITE "backends/dccmvac"
#else
#error "define TEST_DCCVAC or TEST_DCCMVAC"
#endif

enum ev_kind { EV_CLEAN = 1, EV_DSB };

struct ev {
	enum ev_kind kind;
	uintptr_t addr;
};

#define MAX_EV 4096
static struct ev evs[MAX_EV];
static size_t nev;

uint64_t iopgt_test_hook_read_ctr(void)
{
	return (uint64_t)mock();
}

void iopgt_test_hook_clean(uintptr_t line)
{
	assert_true(nev < MAX_EV);
	evs[nev].kind = EV_CLEAN;
	evs[nev].addr = line;
	nev++;
}

void iopgt_test_hook_dsb(void)
{
	assert_true(nev < MAX_EV);
	evs[nev].kind = EV_DSB;
	evs[nev].addr = 0;
	nev++;
}

static int reset_log(void **state)
{
	(void)state;
	nev = 0;
	return 0;
}

#define R(a, l) { (void *)(uintptr_t)(a), (uint64_t)(a) + 0x40000000u, (l) }

static void init_with_shift(BK *c, unsigned shift)
{
	assert_int_equal(bk_init(c, shift), IOPGT_OK);
	assert_int_equal(c->line_shift, shift);
}

/* Expect exactly: a clean of each of @lines, in this order, then one DSB,
 * starting at event @from. Return the index after the DSB. */
static size_t expect_call(size_t from, const uintptr_t *lines, size_t n)
{
	assert_true(from + n + 1 <= nev);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(evs[from + i].kind, EV_CLEAN);
		assert_int_equal(evs[from + i].addr, lines[i]);
	}
	assert_int_equal(evs[from + n].kind, EV_DSB);
	return from + n + 1;
}

/* ---- reading the line size ---- */

static void test_init_reads_ctr_once_for_each_line_size(void **state)
{
	(void)state;
	/* DminLine 2..9: 16 to 2048 bytes */
	for (unsigned dminline = 2; dminline <= 9; dminline++) {
		BK c;

		will_return(iopgt_test_hook_read_ctr, CTR_FOR(dminline));
		assert_int_equal(bk_init(&c, 0), IOPGT_OK);
		assert_int_equal(c.line_shift, dminline + 2);
		/* syncing reads nothing more (will_return would be missing) */
		const struct iopgt_range r[] = { R(0x10000, 8) };
		nev = 0;
		bk_ranges(&c, r, 1);
		assert_int_equal(nev, 2);
	}
}

static void test_line_shift_reads_dminline_bits_19_to_16(void **state)
{
	(void)state;
	/* all other bits set: only [19:16] count */
	will_return(iopgt_test_hook_read_ctr, (0xffffffffu & ~(0xfu << 16)) | (5u << 16));
#if defined(TEST_DCCVAC)
	assert_int_equal(bk_line_shift(), 7);
#else
	/* bits [31:29] = 0b111 is not the ARMv7 format */
	assert_int_equal(bk_line_shift(), 0);
	will_return(iopgt_test_hook_read_ctr, (0x9fffffffu & ~(0xfu << 16)) | (5u << 16));
	assert_int_equal(bk_line_shift(), 7);
#endif
}

static void test_init_with_explicit_shift_reads_no_register(void **state)
{
	BK c;

	(void)state;
	init_with_shift(&c, 6);
	init_with_shift(&c, 4);
	init_with_shift(&c, 11);
}

static void test_init_rejects_line_sizes_the_architecture_lacks(void **state)
{
	BK c;

	(void)state;
	assert_int_equal(bk_init(&c, 3), IOPGT_ERR_INVAL);
	assert_int_equal(c.line_shift, 0);
	assert_int_equal(bk_init(&c, 12), IOPGT_ERR_INVAL);
	assert_int_equal(bk_init(NULL, 6), IOPGT_ERR_INVAL);
	/* a CTR reporting 8-byte lines */
	will_return(iopgt_test_hook_read_ctr, CTR_FOR(1));
	assert_int_equal(bk_init(&c, 0), IOPGT_ERR_INVAL);
#if defined(TEST_DCCMVAC)
	/* a CTR in the ARMv6 format */
	will_return(iopgt_test_hook_read_ctr, 0x1d152152u);
	assert_int_equal(bk_init(&c, 0), IOPGT_ERR_NOTSUP);
#endif
}

/* ---- what one call issues ---- */

static void test_one_descriptor_is_one_clean_then_one_dsb(void **state)
{
	BK c;
	const struct iopgt_range r[] = { R(0x12348, 8) };
	const uintptr_t want[] = { 0x12340 };

	(void)state;
	init_with_shift(&c, 6);
	bk_ranges(&c, r, 1);
	assert_int_equal(nev, 2);
	expect_call(0, want, 1);
}

static void test_line_shared_by_two_ranges_is_cleaned_once(void **state)
{
	BK c;
	/* 64-byte lines: 0x1000 (both), 0x1040 (second) */
	const struct iopgt_range r[] = { R(0x1008, 8), R(0x1038, 16) };
	const uintptr_t want[] = { 0x1000, 0x1040 };

	(void)state;
	init_with_shift(&c, 6);
	bk_ranges(&c, r, 2);
	assert_int_equal(nev, 3);
	expect_call(0, want, 2);
}

static void test_new_table_cleans_every_line_once_in_order(void **state)
{
	BK c;
	const struct iopgt_range r[] = { R(0x40000, 4096) };
	uintptr_t want[4096 / 16];

	(void)state;
	for (unsigned shift = 4; shift <= 11; shift++) {
		size_t n = 4096u >> shift;

		for (size_t i = 0; i < n; i++)
			want[i] = 0x40000 + (i << shift);
		init_with_shift(&c, shift);
		nev = 0;
		bk_ranges(&c, r, 1);
		assert_int_equal(nev, n + 1);
		expect_call(0, want, n);
	}
}

static void test_unaligned_ranges_clean_exact_lines_for_each_size(void **state)
{
	BK c;
	/* a table pointer, a run of 16 descriptors crossing lines, and a last
	 * descriptor sharing the run's final line at 64 bytes and above, a
	 * range whose last byte starts a line, a single byte */
	const struct iopgt_range r[] = { R(0x50018, 8), R(0x50128, 128), R(0x501b8, 8),
					 R(0x50400, 0x801), R(0x51000, 1) };
	uintptr_t want[256];

	(void)state;
	for (unsigned shift = 4; shift <= 11; shift++) {
		size_t n = iopgt_lines_for_ranges(r, 5, shift, NULL, NULL);
		uintptr_t mask = ((uintptr_t)1 << shift) - 1;
		size_t k = 0;

		/* reference: each byte's line, deduplicated */
		for (size_t i = 0; i < 5; i++) {
			for (size_t b = 0; b < r[i].len; b++) {
				uintptr_t line = ((uintptr_t)r[i].va + b) & ~mask;

				if (k == 0 || want[k - 1] != line)
					want[k++] = line;
			}
		}
		assert_int_equal(k, n);
		init_with_shift(&c, shift);
		nev = 0;
		bk_ranges(&c, r, 5);
		assert_int_equal(nev, n + 1);
		expect_call(0, want, n);
	}
}

static void test_empty_call_issues_nothing_not_even_a_barrier(void **state)
{
	BK c;
	const struct iopgt_range r[] = { R(0x60000, 0), R(0x60100, 0) };

	(void)state;
	init_with_shift(&c, 6);
	bk_ranges(&c, r, 0);
	bk_ranges(&c, r, 2);
	assert_int_equal(nev, 0);
}

static void test_each_call_gets_its_own_barrier_after_its_cleans(void **state)
{
	BK c;
	struct iopgt_sync s;
	const struct iopgt_range a[] = { R(0x70000, 8), R(0x70100, 8) };
	const struct iopgt_range b[] = { R(0x70008, 8) };
	const uintptr_t want_a[] = { 0x70000, 0x70100 };
	const uintptr_t want_b[] = { 0x70000 };
	size_t at;

	(void)state;
	init_with_shift(&c, 6);
	s = bk_sync(&c);
	assert_ptr_equal(s.ctx, &c);
	assert_ptr_equal(s.fn, bk_ranges);
	s.fn(s.ctx, a, 2);
	s.fn(s.ctx, b, 1); /* a line cleaned by an earlier call is cleaned again */
	assert_int_equal(nev, 5);
	at = expect_call(0, want_a, 2);
	at = expect_call(at, want_b, 1);
	assert_int_equal(at, nev);
}

static void test_uninitialised_backend_steps_by_16_bytes(void **state)
{
	BK c;
	const struct iopgt_range r[] = { R(0x80008, 0x40) };
	const uintptr_t want[] = { 0x80000, 0x80010, 0x80020, 0x80030, 0x80040 };

	(void)state;
	c.line_shift = 0;
	bk_ranges(&c, r, 1);
	assert_int_equal(nev, 6);
	expect_call(0, want, 5);
}

static void test_random_calls_clean_each_touched_line_once(void **state)
{
	BK c;
	struct iopgt_range r[16];
	static uintptr_t want[MAX_EV];
	uint32_t seed = 99;

	(void)state;
	for (unsigned shift = 4; shift <= 11; shift++) {
		init_with_shift(&c, shift);
		for (int round = 0; round < 100; round++) {
			uintptr_t at = 0x100000 + (round * 8);
			uintptr_t mask = ((uintptr_t)1 << shift) - 1;
			size_t n, k = 0;

			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 8) % 16;
			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				r[i].va = (void *)at;
				r[i].pa = at;
				/* descriptor-sized pieces, or any byte count */
				r[i].len = round % 4 < 2 ? 8 * (1 + (seed >> 8) % 24)
							 : 1 + (seed >> 8) % 300;
				seed = seed * 1103515245u + 12345u;
				at += r[i].len + (round % 4 < 2 ? 8 : 1) *
				      (1 + (seed >> 8) % (round % 2 ? 4 : 80));
			}
			for (size_t i = 0; i < n; i++) {
				for (size_t b = 0; b < r[i].len; b++) {
					uintptr_t line = ((uintptr_t)r[i].va + b) & ~mask;

					if (k == 0 || want[k - 1] != line)
						want[k++] = line;
				}
			}
			nev = 0;
			bk_ranges(&c, r, n);
			assert_int_equal(nev, k + 1);
			expect_call(0, want, k);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_reads_ctr_once_for_each_line_size, reset_log),
		cmocka_unit_test_setup(test_line_shift_reads_dminline_bits_19_to_16, reset_log),
		cmocka_unit_test_setup(test_init_with_explicit_shift_reads_no_register, reset_log),
		cmocka_unit_test_setup(test_init_rejects_line_sizes_the_architecture_lacks, reset_log),
		cmocka_unit_test_setup(test_one_descriptor_is_one_clean_then_one_dsb, reset_log),
		cmocka_unit_test_setup(test_line_shared_by_two_ranges_is_cleaned_once, reset_log),
		cmocka_unit_test_setup(test_new_table_cleans_every_line_once_in_order, reset_log),
		cmocka_unit_test_setup(test_unaligned_ranges_clean_exact_lines_for_each_size, reset_log),
		cmocka_unit_test_setup(test_empty_call_issues_nothing_not_even_a_barrier, reset_log),
		cmocka_unit_test_setup(test_each_call_gets_its_own_barrier_after_its_cleans, reset_log),
		cmocka_unit_test_setup(test_uninitialised_backend_steps_by_16_bytes, reset_log),
		cmocka_unit_test_setup(test_random_calls_clean_each_touched_line_once, reset_log),
	};

	return cmocka_run_group_tests_name(SUITE, tests, NULL, NULL);
}
