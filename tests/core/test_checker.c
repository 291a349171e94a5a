/* SPDX-License-Identifier: MIT */
/*
 * tests/core/test_checker.c - the dirty-range checker catches what it is
 * there to catch: each test makes the harness corrupt what the library
 * reports (a lost range, adjacent ranges, an unchanged descriptor, a lost
 * sync call, lost TLB flushes, a table write nobody reported, a wrong
 * translation) and expects the matching check to fire.
 */
#include <stdlib.h>
#include <string.h>

#include "image.h"

static struct th h;

static void setup_th(void)
{
	struct iopgt_cfg c;

	memset(&c, 0, sizeof(c));
	c.fmt = IOPGT_FMT_ARM64_S1;
	c.ias = 48;
	c.oas = 48;
	c.pgsizes = 0x1000 | 0x10000 | 0x200000 | 0x40000000;
	tctx_set("checker self-test");
	assert_int_equal(th_init(&h, &c, NULL, 42), IOPGT_OK);
	/* something to work next to */
	assert_int_equal(th_map(&h, 0x100000000ull, 0x80000000ull, 0x200000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 0x100200000ull, 0x90000000ull, 0x3000, IOPGT_READ), IOPGT_OK);
}

/* abandon h after a caught failure (the library was left mid-call) */
static void abandon_th(void)
{
	h.mutate = TH_MUT_NONE;
	tmem_release_all(&h.mem);
	model_fini(&h.md);
	th_release(&h);
	memset(&h, 0, sizeof(h));
}

/* run @op with mutation @m: a check must fire with @needle in its message */
static void expect_caught(enum th_mutation m, int (*op)(void), const char *needle)
{
	jmp_buf j;

	setup_th();
	h.mutate = m;
	if (setjmp(j) == 0) {
		tcheck_catch = &j;
		op();
		tcheck_catch = NULL;
		h.mutate = TH_MUT_NONE;
		th_check_all(&h);
		fail_msg("mutation %d was not detected", m);
	}
	tcheck_catch = NULL;
	if (!strstr(tcheck_caught_msg, needle))
		fail_msg("mutation %d caught as \"%s\", expected \"%s\"", m, tcheck_caught_msg, needle);
	abandon_th();
}

static int map_new_tables(void)
{
	return th_map(&h, 0x7f0000000000ull, 0xa0000000ull, 0x2000, IOPGT_READ);
}

static int map_next_page(void)
{
	return th_map(&h, 0x100203000ull, 0x90003000ull, 0x1000, IOPGT_READ);
}

static int unmap_one_page(void)
{
	return th_unmap(&h, 0x100201000ull, 0x1000);
}

static void checker_catches_a_lost_range(void **state)
{
	(void)state;
	expect_caught(TH_MUT_DROP_LAST, map_next_page, "differs from the walker's view");
}

static void checker_catches_adjacent_ranges(void **state)
{
	(void)state;
	expect_caught(TH_MUT_SPLIT_ADJACENT, map_new_tables, "non-adjacent");
}

static void checker_catches_an_unchanged_descriptor_reported(void **state)
{
	(void)state;
	expect_caught(TH_MUT_EXTEND, unmap_one_page, "reported but unchanged");
}

static void checker_catches_a_table_published_before_its_bytes(void **state)
{
	(void)state;
	expect_caught(TH_MUT_DROP_FIRST_CALL, map_new_tables, "published before");
}

static void checker_catches_a_removed_page_without_tlb_flush(void **state)
{
	(void)state;
	expect_caught(TH_MUT_DROP_FLUSHES, unmap_one_page, "TLB flush");
}

static int unmap_last_pages(void)
{
	return th_unmap(&h, 0x100200000ull, 0x3000);
}

static void checker_catches_a_table_freed_without_flush_walk(void **state)
{
	(void)state;
	expect_caught(TH_MUT_DROP_FLUSHES, unmap_last_pages, "flush");
}

/* a descriptor written behind the checker's back */
static int corrupt_then_map(void)
{
	struct refwalk_result r;

	TCHECK(th_walk(&h, false, 0x100201000ull, &r) == REFWALK_OK, "walk");
	{
		struct tmem_rec *rec;
		size_t i;

		/* find the descriptor and flip AP[2] in the CPU's copy only */
		for (i = 0; i < h.mem.n; i++) {
			size_t k;

			rec = &h.mem.recs[i];
			for (k = 0; k + 8 <= rec->size; k += 8) {
				uint64_t d;

				memcpy(&d, rec->va + k, 8);
				if (d == r.desc) {
					d ^= 1ull << 7;
					memcpy(rec->va + k, &d, 8);
					return map_next_page();
				}
			}
		}
	}
	return 0;
}

static void checker_catches_an_unreported_table_write(void **state)
{
	(void)state;
	expect_caught(TH_MUT_NONE, corrupt_then_map, "differs from the walker's view");
}

/* a wrong translation in both views: the model comparison fires */
static int corrupt_both_then_check(void)
{
	struct refwalk_result r;
	size_t i;

	TCHECK(th_walk(&h, false, 0x100201000ull, &r) == REFWALK_OK, "walk");
	for (i = 0; i < h.mem.n; i++) {
		struct tmem_rec *rec = &h.mem.recs[i];
		size_t k;

		for (k = 0; k + 8 <= rec->size; k += 8) {
			uint64_t d;

			memcpy(&d, rec->va + k, 8);
			if (d == r.desc) {
				d += 0x1000000; /* another output page */
				memcpy(rec->va + k, &d, 8);
				memcpy(rec->img + k, &d, 8);
				th_check_all(&h);
				return 0;
			}
		}
	}
	return 0;
}

static void checker_catches_a_wrong_translation(void **state)
{
	(void)state;
	expect_caught(TH_MUT_NONE, corrupt_both_then_check, "pa 0x");
}

static int split_block(void)
{
	return th_unmap(&h, 0x100010000ull, 0x1000);
}

static void checker_catches_break_before_make_without_tlb_flush(void **state)
{
	(void)state;
	expect_caught(TH_MUT_DROP_FLUSHES, split_block, "break-before-make");
}

static void checker_catches_a_translation_changed_outside_the_op(void **state)
{
	(void)state;
	expect_caught(TH_MUT_TOUCH_OUTSIDE, map_next_page, "outside the op translates differently");
}

static void checker_passes_the_unmodified_library(void **state)
{
	(void)state;
	setup_th();
	assert_int_equal(map_new_tables(), IOPGT_OK);
	assert_int_equal(map_next_page(), IOPGT_OK);
	assert_int_equal(unmap_one_page(), IOPGT_OK);
	assert_int_equal(unmap_last_pages(), IOPGT_OK);
	th_check_all(&h);
	th_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checker_passes_the_unmodified_library),
		cmocka_unit_test(checker_catches_a_lost_range),
		cmocka_unit_test(checker_catches_adjacent_ranges),
		cmocka_unit_test(checker_catches_an_unchanged_descriptor_reported),
		cmocka_unit_test(checker_catches_a_table_published_before_its_bytes),
		cmocka_unit_test(checker_catches_a_removed_page_without_tlb_flush),
		cmocka_unit_test(checker_catches_a_table_freed_without_flush_walk),
		cmocka_unit_test(checker_catches_an_unreported_table_write),
		cmocka_unit_test(checker_catches_a_wrong_translation),
		cmocka_unit_test(checker_catches_break_before_make_without_tlb_flush),
		cmocka_unit_test(checker_catches_a_translation_changed_outside_the_op),
	};

	return cmocka_run_group_tests_name("checker", tests, NULL, NULL);
}
