/* SPDX-License-Identifier: MIT */
/*
 * tests/v7s/test_v7s_image.c - the dirty-range contract for v7s tables:
 * every operation runs through the walker-image harness (tests/support
 * image.h), which walks the bytes synced so far with refwalk_v7s after each
 * sync call and checks completeness, ordering, exactness, the number of
 * calls, TLB coverage and frees.
 */
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define RW (IOPGT_READ | IOPGT_WRITE)

static struct th h;

/* the harness puts v7s tables below 4 GiB and knows how v7s leaves read
 * (th_norm_default) */
static void open_th(unsigned oas, uint64_t pgsizes, uint32_t quirks, uint64_t seed)
{
	struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARMV7S, .ias = 32, .oas = oas,
				 .pgsizes = pgsizes, .quirks = quirks };

	assert_int_equal(th_init(&h, &cfg, NULL, seed), IOPGT_OK);
	tctx_set("v7s image oas %u pgsizes 0x%llx quirks 0x%x seed 0x%llx", oas,
		 (unsigned long long)pgsizes, quirks, (unsigned long long)seed);
}

struct icfg {
	unsigned oas;
	uint64_t pgsizes;
	uint32_t quirks;
	uint64_t window;
};

static void image_run(const struct icfg *c, uint64_t seed, unsigned ops)
{
	static const uint64_t cls[4] = { SZ_4K, SZ_64K, SZ_1M, SZ_16M };
	const uint64_t win = 48 * SZ_1M;
	const uint64_t pa_span = (c->quirks & IOPGT_QUIRK_MTK_EXT) ? (1ull << 35) : SZ_4G;
	struct trng r;

	open_th(c->oas, c->pgsizes, c->quirks, seed);
	trng_seed(&r, seed);
	for (unsigned n = 0; n < ops; n++) {
		uint64_t k = cls[trng_below(&r, 4)], iova, size, pa;

		if (trng_below(&r, 3)) {
			size = k * (1 + trng_below(&r, k == SZ_16M ? 2 : 5)) +
			       (trng_below(&r, 2) ? SZ_4K * trng_below(&r, 20) : 0);
			if (size > win)
				size = win;
			iova = c->window + trng_below(&r, (win - size) / k + 1) * k;
			pa = trng_below(&r, (pa_span - 8 * SZ_16M) / SZ_16M) * SZ_16M |
			     (iova & (SZ_16M - 1));
			if (trng_below(&r, 6) == 0)
				pa ^= SZ_4K * (1 + trng_below(&r, 15));
			th_map(&h, iova, pa, size, trng_prot(&r));
		} else {
			size = SZ_4K * (1 + trng_below(&r, trng_below(&r, 2) ? 40 : 4000));
			if (size > win)
				size = win;
			iova = c->window + SZ_4K * trng_below(&r, (win - size) / SZ_4K + 1);
			TCHECK(th_unmap(&h, iova, size) == IOPGT_OK, "unmap");
		}
	}
	th_check_all(&h);
	TCHECK(th_unmap(&h, 0, SZ_4G) == IOPGT_OK, "unmap all");
	th_check_all(&h);
	th_fini(&h);
}

static void test_random_through_the_walker_image(void **state)
{
	static const struct icfg cfgs[] = {
		{ 32, 0, 0, 0 },
		{ 32, 0, 0, SZ_4G - 48 * SZ_1M },
		{ 32, 0, IOPGT_QUIRK_SPLIT_IN_PLACE, 0x40000000 },
		{ 32, 0, IOPGT_QUIRK_NS | IOPGT_QUIRK_NO_PERMS, 0x10000000 },
		{ 35, 0, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, 0x80000000 },
		{ 32, SZ_4K | SZ_64K | SZ_1M, 0, 0x20000000 },
	};
	uint64_t seed = test_seed(0x1a6e);
	unsigned ops = test_iters(250);

	(void)state;
	for (unsigned i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		image_run(&cfgs[i], seed + i, ops);
}

static void test_splits_through_the_walker_image(void **state)
{
	static const uint32_t qs[] = { 0, IOPGT_QUIRK_SPLIT_IN_PLACE, IOPGT_QUIRK_NS };

	(void)state;
	for (unsigned q = 0; q < 3; q++) {
		open_th(32, 0, qs[q], 0x5b17 + q);
		/* supersection -> sections and a table of pages */
		assert_int_equal(th_map(&h, 0x03000000, 0x5b000000, SZ_16M, RW | IOPGT_CACHE), 0);
		assert_int_equal(th_unmap(&h, 0x03503000, SZ_4K), 0);
		/* supersection -> sections, one gone */
		assert_int_equal(th_map(&h, 0x05000000, 0x6b000000, SZ_16M, IOPGT_READ), 0);
		assert_int_equal(th_unmap(&h, 0x05700000, SZ_1M), 0);
		/* section -> pages */
		assert_int_equal(th_map(&h, 0x07000000, 0x7b000000, SZ_1M, IOPGT_WRITE), 0);
		assert_int_equal(th_unmap(&h, 0x07010000, 2 * SZ_64K), 0);
		/* large page -> pages */
		assert_int_equal(th_map(&h, 0x08010000, 0x7c010000, SZ_64K, RW | IOPGT_MMIO), 0);
		assert_int_equal(th_unmap(&h, 0x0801f000, SZ_4K), 0);
		/* an unmap across two supersections, splitting both */
		assert_int_equal(th_map(&h, 0x10000000, 0x20000000, 2 * SZ_16M, RW), 0);
		assert_int_equal(th_unmap(&h, 0x10ff0000, 2 * SZ_64K), 0);
		th_check_all(&h);
		assert_int_equal(th_unmap(&h, 0, SZ_4G), 0);
		th_check_all(&h);
		th_fini(&h);
	}
}

static void test_supersection_above_4g_is_not_split(void **state)
{
	(void)state;
	open_th(40, 0, 0, 0x4e6);
	assert_int_equal(th_map(&h, 0x20000000, 0xabcd000000ull, SZ_16M, RW), 0);
	assert_int_equal(th_unmap(&h, 0x20400000, SZ_4K), IOPGT_ERR_NOTSUP);
	assert_int_equal(th_unmap(&h, 0x1ff00000, 2 * SZ_1M), IOPGT_ERR_NOTSUP);
	th_check_all(&h);
	assert_int_equal(th_unmap(&h, 0x20000000, SZ_16M), 0);
	th_check_all(&h);
	th_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splits_through_the_walker_image),
		cmocka_unit_test(test_supersection_above_4g_is_not_split),
		cmocka_unit_test(test_random_through_the_walker_image),
	};

	return cmocka_run_group_tests_name("v7s image", tests, NULL, NULL);
}
