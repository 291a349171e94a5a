/* SPDX-License-Identifier: MIT */
/*
 * test_bad_edges.c - valid requests at the edges of the address spaces,
 * where an encoding or an address computation can carry: output addresses
 * across 2^48 with the 52-bit (FEAT_LPA) encoding, whose PA[51:48] sit in
 * descriptor bits [15:12]; v7s output addresses across 4 GiB with and
 * without MTK_EXT; the first and last page of every input range. The
 * harness checks every leaf against the model and the reference walker.
 */
#include "bcommon.h"

static struct th h;

static const struct bcfg *find_cfg(const char *name)
{
	for (size_t i = 0; i < NBCFGS; i++)
		if (!strcmp(bcfgs[i].name, name))
			return &bcfgs[i];
	TCHECK(0, "no configuration %s", name);
	return NULL;
}

static void pa52_leaves_across_2_48_translate_each(void **state)
{
	const struct bcfg *b = find_cfg("arm64-s1-64k-pa52");
	const uint64_t t48 = tbit(48), sz4t = tbit(42), sz512m = tbit(29), sz64k = tbit(16);

	(void)state;
	bc_th_init(&h, b, 1);
	/* 4T blocks, 512M blocks, 64K pages: batches of entries that cross
	 * PA 2^48 */
	assert_int_equal(th_map(&h, 0, t48 - 2 * sz4t, 4 * sz4t, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 5 * sz4t, t48 - 2 * sz512m, 4 * sz512m, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 6 * sz4t, t48 - 3 * sz64k, 7 * sz64k, IOPGT_WRITE), IOPGT_OK);
	/* and across 2^50, 2^51 */
	assert_int_equal(th_map(&h, 7 * sz4t, tbit(50) - sz512m, 2 * sz512m, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 8 * sz4t, tbit(51) - sz64k, 2 * sz64k, IOPGT_READ), IOPGT_OK);
	th_check_all(&h);
	/* partial unmaps split the blocks around 2^48 */
	assert_int_equal(th_unmap(&h, sz4t + sz512m, sz64k), IOPGT_OK);
	assert_int_equal(th_unmap(&h, 5 * sz4t + sz512m + sz64k, sz64k), IOPGT_OK);
	th_check_all(&h);
	th_fini(&h);
}

static void v7s_leaves_up_to_and_across_4g(void **state)
{
	const struct bcfg *mtk = find_cfg("v7s-mtk"), *pa40 = find_cfg("v7s-pa40");
	struct iopgt_mapping m;

	(void)state;
	/* MTK_EXT: sections and pages carry PA[34:32] */
	bc_th_init(&h, mtk, 2);
	assert_int_equal(th_map(&h, 0x100000, 0xfffe0000, 0x40000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 0x1000000, 0xffe00000, 0x400000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 0x2000000, 0x3ffff0000ull, 0x10000, IOPGT_READ), IOPGT_OK);
	th_check_all(&h);
	assert_int_equal(iopgt_lookup(&h.pt, 0x1200000, &m), IOPGT_OK);
	assert_true(m.pa == 0x100000000ull && m.size == 0x100000);
	th_fini(&h);
	/* without it: up to 4 GiB in sections and pages, beyond only
	 * supersections */
	bc_th_init(&h, pa40, 3);
	assert_int_equal(th_map(&h, 0x100000, 0xfffe0000, 0x20000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 0x1000000, 0xffe00000, 0x200000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, 0x2000000, 0xfffe0000, 0x40000, IOPGT_READ), IOPGT_ERR_NOTSUP);
	assert_int_equal(th_map(&h, 0x3000000, 0xffe00000, 0x400000, IOPGT_READ), IOPGT_ERR_NOTSUP);
	assert_int_equal(th_map(&h, 0x4000000, 0xff000000, 0x2000000, IOPGT_READ), IOPGT_OK);
	th_check_all(&h);
	th_fini(&h);
}

static void first_and_last_page_of_every_input_range(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		const struct bcfg *b = &bcfgs[i];
		const uint64_t g = b->gran, base = bc_base(b), last = base + (tbit(b->ias) - g);
		const uint64_t pa = bc_v7s(b) ? 0x80000000ull : tbit(b->oas - 1);
		struct iopgt_mapping m;

		bc_th_init(&h, b, 4);
		assert_int_equal(th_map(&h, base, pa, g, IOPGT_READ), IOPGT_OK);
		assert_int_equal(th_map(&h, last, pa + g, g, IOPGT_READ), IOPGT_OK);
		assert_int_equal(iopgt_lookup(&h.pt, last + (g - 1), &m), IOPGT_OK);
		assert_true(m.iova == last && m.pa == pa + g);
		th_check_all(&h);
		assert_int_equal(th_unmap(&h, last, g), IOPGT_OK);
		assert_int_equal(th_unmap(&h, base, tbit(b->ias)), IOPGT_OK);
		th_check_all(&h);
		th_fini(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pa52_leaves_across_2_48_translate_each),
		cmocka_unit_test(v7s_leaves_up_to_and_across_4g),
		cmocka_unit_test(first_and_last_page_of_every_input_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
