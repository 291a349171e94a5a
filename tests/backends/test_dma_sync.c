/* SPDX-License-Identifier: MIT */
/*
 * tests/backends/test_dma_sync.c - the DMA API backend: one call per range,
 * in order, with the range's pa, its length, the device and the to-device
 * direction, checked with CMocka's expect_value/check_expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "iopgt/backends.h"

/* stands in for a wrapper around dma_sync_single_for_device() */
static void fake_sync_for_device(void *dev, uint64_t dma_addr, size_t size, int dir)
{
	check_expected_ptr(dev);
	check_expected(dma_addr);
	check_expected(size);
	check_expected(dir);
}

static void expect_sync(void *dev, uint64_t dma_addr, size_t size, int dir)
{
	expect_value(fake_sync_for_device, dev, dev);
	expect_value(fake_sync_for_device, dma_addr, dma_addr);
	expect_value(fake_sync_for_device, size, size);
	expect_value(fake_sync_for_device, dir, dir);
}

static int device;

#define R(va, pa, l) { (void *)(uintptr_t)(va), (pa), (l) }

static void test_zero_direction_means_dma_to_device(void **state)
{
	struct iopgt_dma_sync d;

	(void)state;
	assert_int_equal(iopgt_dma_sync_init(&d, fake_sync_for_device, &device, 0), IOPGT_OK);
	assert_int_equal(d.dir, IOPGT_DMA_TO_DEVICE);
	assert_int_equal(IOPGT_DMA_TO_DEVICE, 1);
	assert_ptr_equal(d.dev, &device);
}

static void test_one_call_per_range_with_pa_len_dev_and_dir(void **state)
{
	struct iopgt_dma_sync d;
	struct iopgt_sync s;
	/* va and pa differ: the DMA address must be the pa */
	const struct iopgt_range r[] = {
		R(0xffff000012340000, 0x8812340000, 0x1000),
		R(0xffff000012341008, 0x8812341008, 8),
		R(0xffff000012341040, 0x8812341040, 0x80),
	};

	(void)state;
	iopgt_dma_sync_init(&d, fake_sync_for_device, &device, 0);
	s = iopgt_dma_sync(&d);
	assert_ptr_equal(s.fn, iopgt_dma_sync_ranges);
	assert_ptr_equal(s.ctx, &d);
	expect_sync(&device, 0x8812340000, 0x1000, 1);
	expect_sync(&device, 0x8812341008, 8, 1);
	expect_sync(&device, 0x8812341040, 0x80, 1);
	s.fn(s.ctx, r, 3);
}

static void test_given_direction_is_passed(void **state)
{
	struct iopgt_dma_sync d;
	const struct iopgt_range r[] = { R(0x1000, 0x2000, 8) };

	(void)state;
	iopgt_dma_sync_init(&d, fake_sync_for_device, NULL, 7);
	expect_sync(NULL, 0x2000, 8, 7);
	iopgt_dma_sync_ranges(&d, r, 1);
}

static void test_no_ranges_no_calls(void **state)
{
	struct iopgt_dma_sync d;
	const struct iopgt_range r[] = { R(0x1000, 0x2000, 0) };

	(void)state;
	iopgt_dma_sync_init(&d, fake_sync_for_device, &device, 0);
	/* any call would fail: no expectations are queued */
	iopgt_dma_sync_ranges(&d, r, 0);
	iopgt_dma_sync_ranges(&d, r, 1);
}

static void test_each_sync_call_is_separate(void **state)
{
	struct iopgt_dma_sync d;
	const struct iopgt_range a[] = { R(0x1000, 0x1000, 8) };
	const struct iopgt_range b[] = { R(0x1000, 0x1000, 8), R(0x3000, 0x3000, 16) };

	(void)state;
	iopgt_dma_sync_init(&d, fake_sync_for_device, &device, 0);
	expect_sync(&device, 0x1000, 8, 1);
	iopgt_dma_sync_ranges(&d, a, 1);
	expect_sync(&device, 0x1000, 8, 1);
	expect_sync(&device, 0x3000, 16, 1);
	iopgt_dma_sync_ranges(&d, b, 2);
}

static void test_init_rejects_missing_function(void **state)
{
	struct iopgt_dma_sync d = { fake_sync_for_device, &device, 5 };

	(void)state;
	assert_int_equal(iopgt_dma_sync_init(&d, NULL, &device, 0), IOPGT_ERR_INVAL);
	assert_ptr_equal(d.sync_for_device, fake_sync_for_device);
	assert_int_equal(d.dir, 5);
	assert_int_equal(iopgt_dma_sync_init(NULL, fake_sync_for_device, &device, 0),
			 IOPGT_ERR_INVAL);
}

/* traced through the recorder: the recorder sees what the DMA API gets */
static void test_recorder_in_front_sees_the_same_ranges(void **state)
{
	struct iopgt_dma_sync d;
	struct iopgt_sync dma;
	struct iopgt_recorder rec;
	struct iopgt_range log[2];
	const struct iopgt_range r[] = { R(0x1000, 0x91000, 8), R(0x1100, 0x91100, 8) };

	(void)state;
	iopgt_dma_sync_init(&d, fake_sync_for_device, &device, 0);
	dma = iopgt_dma_sync(&d);
	iopgt_recorder_init(&rec, log, 2, NULL, 0, &dma);
	expect_sync(&device, 0x91000, 8, 1);
	expect_sync(&device, 0x91100, 8, 1);
	iopgt_recorder_record(&rec, r, 2);
	assert_int_equal(rec.total_ranges, 2);
	assert_int_equal(log[1].pa, 0x91100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_direction_means_dma_to_device),
		cmocka_unit_test(test_one_call_per_range_with_pa_len_dev_and_dir),
		cmocka_unit_test(test_given_direction_is_passed),
		cmocka_unit_test(test_no_ranges_no_calls),
		cmocka_unit_test(test_each_sync_call_is_separate),
		cmocka_unit_test(test_init_rejects_missing_function),
		cmocka_unit_test(test_recorder_in_front_sees_the_same_ranges),
	};

	return cmocka_run_group_tests_name("backends/dma_sync", tests, NULL, NULL);
}
