/* SPDX-License-Identifier: MIT */
/*
 * tests/lpae/test_lpae_geometry.c - every (format, granule, IAS, OAS)
 * combination: each page, block and contiguous-run size mapped at the
 * bottom and at the top of the input range (output addresses at the top
 * and bottom of the output range), checked with lookup, iopgt_walk and the
 * reference walker on the CPU tables and on the walker's image; then
 * everything unmapped, leaving the root alone. AArch64 goes up to 52 bits
 * in and out with every granule (LPA2 with 4K and 16K, LVA and LPA with
 * 64K).
 */
#include "lcommon.h"

static const unsigned ias_set[] = { 25, 26, 29, 30, 31, 34, 36, 37, 39, 40, 42, 43, 47, 48,
				    49, 50, 51, 52 };
static const unsigned oas_set[] = { 32, 36, 40, 42, 44, 48, 52 };
static const uint64_t grans[] = { SZ_4K, SZ_16K, SZ_64K };

static struct th h;

static unsigned run_combo(const struct lcfg *l, unsigned salt)
{
	struct iopgt_cfg c = lc_cfg(l);
	uint64_t seed = test_seed(0x9e0 + salt), sizes = c.pgsizes, s, top, otop;
	unsigned b, k = salt, n = 0;
	int rc;

	lc_ctx(l, seed);
	rc = th_init(&h, &c, NULL, seed);
	TCHECK(rc == IOPGT_OK, "init = %d (%s)", rc, iopgt_strerror(rc));
	top = h.range_last;
	otop = tbit(l->oas);
	for (b = 0; b < 64; b++) {
		uint32_t prot;

		s = tbit(b);
		if (!(sizes & s) || s > otop / 4)
			continue;
		prot = lc_prots[k++ % LC_NPROTS];
		/* bottom of the input range -> top of the output range */
		TCHECK(th_map(&h, h.base, otop - s, s, prot) == IOPGT_OK, "map bottom size 0x%llx",
		       (unsigned long long)s);
		/* top of the input range -> bottom of the output range (not 0) */
		if (top - h.base + 1 >= 2 * s) {
			prot = lc_prots[k++ % LC_NPROTS];
			TCHECK(th_map(&h, top - s + 1, s, s, prot) == IOPGT_OK,
			       "map top size 0x%llx", (unsigned long long)s);
		}
		th_check_all(&h);
		TCHECK(th_unmap(&h, h.base, s) == IOPGT_OK, "unmap bottom");
		TCHECK(th_unmap(&h, top - s + 1, s) == IOPGT_OK, "unmap top");
		lc_expect_root_only(&h);
		n++;
	}
	th_check_all(&h);
	th_fini(&h);
	return n;
}

struct group {
	enum iopgt_fmt fmt;
	uint64_t gran;
	unsigned ias;
	uint32_t quirks;
	char name[128];
};

/* one test per (format, granule, IAS): every OAS */
static void every_size_maps_at_both_ends_for_every_oas(void **state)
{
	const struct group *gr = *state;
	size_t o;

	for (o = 0; o < sizeof(oas_set) / sizeof(oas_set[0]); o++) {
		struct lcfg l = { gr->fmt, gr->gran, gr->ias, oas_set[o], gr->quirks };

		if ((l.fmt == IOPGT_FMT_ARM32_S1 || l.fmt == IOPGT_FMT_ARM32_S2) && l.oas > 40)
			continue;
		run_combo(&l, (unsigned)(gr->ias * 64 + o + (unsigned)gr->fmt * 4096));
	}
}

static struct group groups[256];
static struct CMUnitTest tests[256];

static size_t add_group(size_t n, enum iopgt_fmt fmt, uint64_t gran, unsigned ias, uint32_t quirks)
{
	struct group *g = &groups[n];

	g->fmt = fmt;
	g->gran = gran;
	g->ias = ias;
	g->quirks = quirks;
	snprintf(g->name, sizeof(g->name),
		 "%s%s_%lluk_ias%u_every_size_maps_at_both_ends_for_every_oas", fmt_name(fmt),
		 quirks & IOPGT_QUIRK_TTBR1 ? "_ttbr1" : "", (unsigned long long)(gran >> 10), ias);
	tests[n].name = g->name;
	tests[n].test_func = every_size_maps_at_both_ends_for_every_oas;
	tests[n].setup_func = NULL;
	tests[n].teardown_func = NULL;
	tests[n].initial_state = g;
	return n + 1;
}

int main(void)
{
	static const enum iopgt_fmt f64[] = { IOPGT_FMT_ARM64_S1, IOPGT_FMT_ARM64_S1,
					      IOPGT_FMT_ARM64_S2 };
	size_t n = 0, f, g, i;
	unsigned ias;

	for (f = 0; f < 3; f++)
		for (g = 0; g < 3; g++)
			for (i = 0; i < sizeof(ias_set) / sizeof(ias_set[0]); i++)
				n = add_group(n, f64[f], grans[g], ias_set[i],
					      f == 1 ? IOPGT_QUIRK_TTBR1 : 0);
	for (ias = 25; ias <= 40; ias++) {
		if (ias <= 32)
			n = add_group(n, IOPGT_FMT_ARM32_S1, SZ_4K, ias, 0);
		n = add_group(n, IOPGT_FMT_ARM32_S2, SZ_4K, ias, 0);
	}
	return _cmocka_run_group_tests("lpae-geometry", tests, n, NULL, NULL);
}
