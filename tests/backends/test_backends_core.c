/* SPDX-License-Identifier: MIT */
/*
 * tests/backends/test_backends_core.c - the backends plugged into the core:
 * the recorder traces the DMA API backend while the library builds tables in
 * the test allocator (CMocka-backed, pa != va). Every DMA sync must cover
 * live table memory, at its walker address, toward the device, and the
 * recorder must see exactly what the backend got. Also prints the cache
 * lines the instruction backends would clean per call, for 16- to 2048-byte
 * lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "iopgt/backends.h"
#include "tmem.h"

struct dma_check {
	struct tmem *mem;
	unsigned long calls, bad;
	uint64_t bytes;
};

static struct dma_check chk;

static void checked_sync_for_device(void *dev, uint64_t dma_addr, size_t size, int dir)
{
	struct tmem_rec *rec = tmem_find(chk.mem, dma_addr);

	assert_ptr_equal(dev, &chk);
	assert_int_equal(dir, IOPGT_DMA_TO_DEVICE);
	assert_non_null(rec);
	assert_true(size > 0);
	assert_true(dma_addr + size <= rec->pa + rec->size);
	chk.calls++;
	chk.bytes += size;
}

/* between the recorder and the DMA backend: at call time, each range's va
 * must be the CPU address of the live table memory at its pa */
static struct iopgt_sync after_check;

static void check_va_is_pa(void *ctx, const struct iopgt_range *ranges, size_t n)
{
	struct tmem *m = ctx;

	for (size_t i = 0; i < n; i++) {
		struct tmem_rec *t = tmem_find(m, ranges[i].pa);

		assert_non_null(t);
		assert_ptr_equal(ranges[i].va, t->va + (ranges[i].pa - t->pa));
	}
	after_check.fn(after_check.ctx, ranges, n);
}

#define LOG 512

static void test_dma_backend_syncs_live_table_memory_at_walker_addresses(void **state)
{
	static struct iopgt_range log[LOG];
	static struct iopgt_rec_call calls[64];
	struct tmem m;
	struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARM64_S1, .ias = 48, .oas = 48 };
	struct iopgt_dma_sync d;
	struct iopgt_sync dma;
	struct iopgt_recorder rec;
	struct iopgt pt;

	(void)state;
	tmem_init(&m, 0x80000000, 40, 1);
	tmem_hooks(&m, &cfg.mem);
	chk.mem = &m;
	chk.calls = 0;
	chk.bytes = 0;
	assert_int_equal(iopgt_dma_sync_init(&d, checked_sync_for_device, &chk, 0), IOPGT_OK);
	after_check = iopgt_dma_sync(&d);
	dma.fn = check_va_is_pa;
	dma.ctx = &m;
	iopgt_recorder_init(&rec, log, LOG, calls, 64, &dma);
	cfg.sync = iopgt_recorder_sync(&rec);

	assert_int_equal(iopgt_init(&pt, &cfg), IOPGT_OK);
	assert_int_equal(iopgt_map(&pt, 0x40000000, 0x1000000000, 0x200000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(iopgt_map(&pt, 0x1000, 0x2000, 0x5000, IOPGT_READ | IOPGT_WRITE), IOPGT_OK);
	assert_int_equal(iopgt_unmap(&pt, 0x2000, 0x1000), IOPGT_OK);
	assert_int_equal(iopgt_unmap(&pt, 0x40000000, 0x200000), IOPGT_OK);

	assert_int_equal(rec.dropped_ranges, 0);
	assert_true(rec.total_calls > 0);
	/* one DMA call per range, the same bytes */
	assert_int_equal(chk.calls, rec.total_ranges);
	assert_int_equal(chk.bytes, rec.total_bytes);
	iopgt_fini(&pt);
	tmem_fini(&m);
}

static void print_figures(const struct iopgt_recorder *rec, const char *what)
{
	for (size_t i = 0; i < rec->n_calls; i++) {
		const struct iopgt_rec_call *c = &rec->calls[i];
		size_t l[8];

		for (unsigned s = 4; s <= 11; s++)
			l[s - 4] = iopgt_lines_for_ranges(rec->ranges + c->first, c->stored,
							  s, NULL, NULL);
		print_message("%s call %zu: %zu ranges, %llu bytes; lines at "
			      "16/32/64/128/256/512/1K/2K: %zu %zu %zu %zu %zu %zu %zu %zu\n",
			      what, i, c->n, (unsigned long long)c->bytes,
			      l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]);
		/* the recorder's own count is the 64-byte figure */
		assert_int_equal(c->lines, l[2]);
		/* a line per 16 bytes at most, and no fewer lines as they shrink */
		for (unsigned s = 5; s <= 11; s++)
			assert_true(l[s - 4] <= l[s - 5]);
	}
}

static void test_line_figures_for_typical_operations(void **state)
{
	static struct iopgt_range log[LOG];
	static struct iopgt_rec_call calls[64];
	struct tmem m;
	struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARM64_S1, .ias = 48, .oas = 48 };
	struct iopgt_recorder rec;
	struct iopgt pt;

	(void)state;
	tmem_init(&m, 0x80000000, 40, 2);
	tmem_hooks(&m, &cfg.mem);
	iopgt_recorder_init(&rec, log, LOG, calls, 64, NULL);
	cfg.sync = iopgt_recorder_sync(&rec);
	assert_int_equal(iopgt_init(&pt, &cfg), IOPGT_OK);
	print_figures(&rec, "init");
	iopgt_recorder_reset(&rec);
	assert_int_equal(iopgt_map(&pt, 0x1000, 0x1000, 0x1000, IOPGT_READ), IOPGT_OK);
	print_figures(&rec, "map 4K (new tables)");
	iopgt_recorder_reset(&rec);
	assert_int_equal(iopgt_map(&pt, 0x2000, 0x2000, 0x1000, IOPGT_READ), IOPGT_OK);
	print_figures(&rec, "map 4K (tables exist)");
	iopgt_recorder_reset(&rec);
	assert_int_equal(iopgt_map(&pt, 0x10000, 0x10000, 0x10000, IOPGT_READ), IOPGT_OK);
	print_figures(&rec, "map 64K (16 pages)");
	iopgt_recorder_reset(&rec);
	assert_int_equal(iopgt_unmap(&pt, 0x1000, 0x1000), IOPGT_OK);
	print_figures(&rec, "unmap 4K");
	iopgt_fini(&pt);
	tmem_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dma_backend_syncs_live_table_memory_at_walker_addresses),
		cmocka_unit_test(test_line_figures_for_typical_operations),
	};

	return cmocka_run_group_tests_name("backends/core", tests, NULL, NULL);
}
