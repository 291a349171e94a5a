/* SPDX-License-Identifier: MIT */
/*
 * tests/v7s/test_v7s_codec.c - the VMSAv7 short-descriptor codec, register
 * values and configuration checks, white-box (lib/codec_v7s.h, lib/v7s.c).
 *
 * The expected descriptors are literal values: the encodings Linux's
 * io-pgtable-arm-v7s writes for the same prot flags (nG, S, AP[0] as the
 * access flag, AP[1] unprivileged, AP[2] read-only, XN, TEX[0]:C:B remap
 * index 1/4/7), and for what Linux lacks (the supersection extended base
 * address) the layout of DDI0406C B3.5.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "codec.h"
#include "sizes.h"

/* A configured struct iopgt, as iopgt_init() leaves it before allocating. */
static int setup(struct iopgt *pt, unsigned oas, uint64_t pgsizes, uint32_t quirks)
{
	*pt = (struct iopgt){ 0 };
	pt->fmt_ = IOPGT_FMT_ARMV7S;
	pt->ias_ = 32;
	pt->oas_ = (uint8_t)oas;
	pt->pgsizes_ = pgsizes;
	pt->quirks_ = quirks;
	return v7s_configure(pt, NULL);
}

static void mk(struct iopgt *pt, unsigned oas, uint32_t quirks)
{
	assert_int_equal(setup(pt, oas, 0, quirks), IOPGT_OK);
}

/* walk level and run flag of the four leaf shapes */
static const unsigned shape_wl[4] = { 0, 0, 1, 1 };
static const bool shape_run[4] = { false, true, false, true };

/*
 * Linux's descriptors (output address 0) for every prot with READ or WRITE:
 * prot, section, supersection, small page, large page. No quirks.
 */
static const uint32_t linux_desc[48][5] = {
	{ 0x01, 0x00039c02, 0x00079c02, 0x00000e72, 0x00001e31 },
	{ 0x02, 0x00031c02, 0x00071c02, 0x00000c72, 0x00001c31 },
	{ 0x03, 0x00031c02, 0x00071c02, 0x00000c72, 0x00001c31 },
	{ 0x05, 0x00039c0e, 0x00079c0e, 0x00000e7e, 0x00001e3d },
	{ 0x06, 0x00031c0e, 0x00071c0e, 0x00000c7e, 0x00001c3d },
	{ 0x07, 0x00031c0e, 0x00071c0e, 0x00000c7e, 0x00001c3d },
	{ 0x09, 0x00039c12, 0x00079c12, 0x00000e73, 0x00009e31 },
	{ 0x0a, 0x00031c12, 0x00071c12, 0x00000c73, 0x00009c31 },
	{ 0x0b, 0x00031c12, 0x00071c12, 0x00000c73, 0x00009c31 },
	{ 0x0d, 0x00039c1e, 0x00079c1e, 0x00000e7f, 0x00009e3d },
	{ 0x0e, 0x00031c1e, 0x00071c1e, 0x00000c7f, 0x00009c3d },
	{ 0x0f, 0x00031c1e, 0x00071c1e, 0x00000c7f, 0x00009c3d },
	{ 0x11, 0x00038c06, 0x00078c06, 0x00000e36, 0x00000e35 },
	{ 0x12, 0x00030c06, 0x00070c06, 0x00000c36, 0x00000c35 },
	{ 0x13, 0x00030c06, 0x00070c06, 0x00000c36, 0x00000c35 },
	{ 0x15, 0x00038c06, 0x00078c06, 0x00000e36, 0x00000e35 },
	{ 0x16, 0x00030c06, 0x00070c06, 0x00000c36, 0x00000c35 },
	{ 0x17, 0x00030c06, 0x00070c06, 0x00000c36, 0x00000c35 },
	{ 0x19, 0x00038c16, 0x00078c16, 0x00000e37, 0x00008e35 },
	{ 0x1a, 0x00030c16, 0x00070c16, 0x00000c37, 0x00008c35 },
	{ 0x1b, 0x00030c16, 0x00070c16, 0x00000c37, 0x00008c35 },
	{ 0x1d, 0x00038c16, 0x00078c16, 0x00000e37, 0x00008e35 },
	{ 0x1e, 0x00030c16, 0x00070c16, 0x00000c37, 0x00008c35 },
	{ 0x1f, 0x00030c16, 0x00070c16, 0x00000c37, 0x00008c35 },
	{ 0x21, 0x00039402, 0x00079402, 0x00000e52, 0x00001e11 },
	{ 0x22, 0x00031402, 0x00071402, 0x00000c52, 0x00001c11 },
	{ 0x23, 0x00031402, 0x00071402, 0x00000c52, 0x00001c11 },
	{ 0x25, 0x0003940e, 0x0007940e, 0x00000e5e, 0x00001e1d },
	{ 0x26, 0x0003140e, 0x0007140e, 0x00000c5e, 0x00001c1d },
	{ 0x27, 0x0003140e, 0x0007140e, 0x00000c5e, 0x00001c1d },
	{ 0x29, 0x00039412, 0x00079412, 0x00000e53, 0x00009e11 },
	{ 0x2a, 0x00031412, 0x00071412, 0x00000c53, 0x00009c11 },
	{ 0x2b, 0x00031412, 0x00071412, 0x00000c53, 0x00009c11 },
	{ 0x2d, 0x0003941e, 0x0007941e, 0x00000e5f, 0x00009e1d },
	{ 0x2e, 0x0003141e, 0x0007141e, 0x00000c5f, 0x00009c1d },
	{ 0x2f, 0x0003141e, 0x0007141e, 0x00000c5f, 0x00009c1d },
	{ 0x31, 0x00038406, 0x00078406, 0x00000e16, 0x00000e15 },
	{ 0x32, 0x00030406, 0x00070406, 0x00000c16, 0x00000c15 },
	{ 0x33, 0x00030406, 0x00070406, 0x00000c16, 0x00000c15 },
	{ 0x35, 0x00038406, 0x00078406, 0x00000e16, 0x00000e15 },
	{ 0x36, 0x00030406, 0x00070406, 0x00000c16, 0x00000c15 },
	{ 0x37, 0x00030406, 0x00070406, 0x00000c16, 0x00000c15 },
	{ 0x39, 0x00038416, 0x00078416, 0x00000e17, 0x00008e15 },
	{ 0x3a, 0x00030416, 0x00070416, 0x00000c17, 0x00008c15 },
	{ 0x3b, 0x00030416, 0x00070416, 0x00000c17, 0x00008c15 },
	{ 0x3d, 0x00038416, 0x00078416, 0x00000e17, 0x00008e15 },
	{ 0x3e, 0x00030416, 0x00070416, 0x00000c17, 0x00008c15 },
	{ 0x3f, 0x00030416, 0x00070416, 0x00000c17, 0x00008c15 },
};

/* Output addresses used with the table above, one per shape. */
static const uint64_t shape_pa[4] = { 0xabc00000ull, 0x5b000000ull, 0x89abc000ull, 0x76540000ull };

static void test_leaf_matches_linux_for_every_prot(void **state)
{
	struct iopgt pt;

	(void)state;
	mk(&pt, 32, 0);
	for (unsigned i = 0; i < 48; i++) {
		for (unsigned s = 0; s < 4; s++) {
			uint64_t d = v7s_leaf(&pt, shape_wl[s], shape_pa[s], linux_desc[i][0],
					      shape_run[s]);

			assert_int_equal(d, linux_desc[i][1 + s] | shape_pa[s]);
			assert_int_equal(d >> 32, 0);
		}
	}
}

/* What leaf_prot gives back: READ always (every AP value allows reads),
 * MMIO overrides CACHE. */
static uint32_t norm_prot(uint32_t prot)
{
	prot |= IOPGT_READ;
	if (prot & IOPGT_MMIO)
		prot &= ~IOPGT_CACHE;
	return prot;
}

static void test_leaf_decodes_back(void **state)
{
	struct iopgt pt;

	(void)state;
	mk(&pt, 32, 0);
	for (unsigned i = 0; i < 48; i++) {
		for (unsigned s = 0; s < 4; s++) {
			unsigned wl = shape_wl[s];
			uint64_t d = linux_desc[i][1 + s] | shape_pa[s];
			bool run = !shape_run[s];

			assert_int_equal(v7s_kind(&pt, wl, d, &run), D_LEAF);
			assert_int_equal(run, shape_run[s]);
			assert_int_equal(v7s_leaf_pa(&pt, wl, d), shape_pa[s]);
			assert_int_equal(v7s_leaf_prot(&pt, wl, d), norm_prot(linux_desc[i][0]));
		}
	}
}

static void test_ns_quirk_sets_section_and_table_ns(void **state)
{
	struct iopgt pt;

	(void)state;
	mk(&pt, 32, IOPGT_QUIRK_NS);
	/* Linux with IO_PGTABLE_QUIRK_ARM_NS: NS (bit 19) in sections and
	 * supersections; pages take NS from the table descriptor (bit 3). */
	assert_int_equal(v7s_leaf(&pt, 0, 0, IOPGT_READ, false), 0x000b9c02);
	assert_int_equal(v7s_leaf(&pt, 0, 0, IOPGT_READ, true), 0x000f9c02);
	assert_int_equal(v7s_leaf(&pt, 1, 0, IOPGT_READ, false), 0x00000e72);
	assert_int_equal(v7s_leaf(&pt, 1, 0, IOPGT_READ, true), 0x00001e31);
	assert_int_equal(v7s_leaf(&pt, 0, 0, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE, false),
			 0x000b1c0e);
	assert_int_equal(v7s_leaf(&pt, 0, 0, IOPGT_WRITE | IOPGT_MMIO, true), 0x000f0c06);
	assert_int_equal(v7s_table(&pt, 0, 0x12345c00), 0x12345c09);
	assert_int_equal(v7s_table_pa(&pt, 0, 0x12345c09), 0x12345c00);

	mk(&pt, 32, 0);
	assert_int_equal(v7s_table(&pt, 0, 0x12345c00), 0x12345c01);
	assert_int_equal(v7s_table_pa(&pt, 0, 0x12345c01), 0x12345c00);
}

static void test_table_descriptor_is_domain_0_and_decodes(void **state)
{
	struct iopgt pt;
	bool run = true;

	(void)state;
	mk(&pt, 32, 0);
	assert_int_equal(v7s_table(&pt, 0, 0xfffffc00) & 0x1e0, 0); /* domain [8:5] */
	assert_int_equal(v7s_kind(&pt, 0, 0xfffffc01, &run), D_TABLE);
	assert_false(run);
	assert_int_equal(v7s_kind(&pt, 0, 0x00000401, &run), D_TABLE);
}

static void test_no_perms_writes_no_ap_or_xn(void **state)
{
	struct iopgt pt;
	/* Linux with IO_PGTABLE_QUIRK_NO_PERMS: only the memory type varies. */
	static const uint32_t nc[4] = { 0x00031002, 0x00071002, 0x00000c42, 0x00001c01 };
	static const uint32_t wb[4] = { 0x0003100e, 0x0007100e, 0x00000c4e, 0x00001c0d };
	static const uint32_t dev[4] = { 0x00030006, 0x00070006, 0x00000c06, 0x00000c05 };

	(void)state;
	mk(&pt, 32, IOPGT_QUIRK_NO_PERMS);
	for (uint32_t prot = 1; prot <= IOPGT_PROT_ALL; prot++) {
		if (!(prot & (IOPGT_READ | IOPGT_WRITE)))
			continue;
		for (unsigned s = 0; s < 4; s++) {
			const uint32_t *e = (prot & IOPGT_MMIO) ? dev : (prot & IOPGT_CACHE) ? wb : nc;
			uint64_t d = v7s_leaf(&pt, shape_wl[s], shape_pa[s], prot, shape_run[s]);
			bool run;

			assert_int_equal(d, e[s] | shape_pa[s]);
			assert_int_equal(v7s_kind(&pt, shape_wl[s], d, &run), D_LEAF);
			/* everything reads as readable and writable */
			assert_int_equal(v7s_leaf_prot(&pt, shape_wl[s], d),
					 IOPGT_READ | IOPGT_WRITE |
					 (prot & IOPGT_MMIO ? IOPGT_MMIO : prot & IOPGT_CACHE));
		}
	}
}

static void test_mtk_ext_pa_bits_9_4_5(void **state)
{
	struct iopgt pt;
	bool run;
	/* Linux with MTK_EXT | NO_PERMS, prot READ|WRITE (non-cacheable), at
	 * PA[34:32] | base: PA[32] -> bit 9, PA[33] -> bit 4, PA[34] -> bit 5. */
	static const struct { uint64_t pa; uint32_t d[4]; } cases[] = {
		{ 0x100000000ull, { 0x00031202, 0x00071202, 0x00000e42, 0x00001e01 } },
		{ 0x200000000ull, { 0x00031012, 0x00071012, 0x00000c52, 0x00001c11 } },
		{ 0x400000000ull, { 0x00031022, 0x00071022, 0x00000c62, 0x00001c21 } },
		{ 0x700000000ull, { 0x00031232, 0x00071232, 0x00000e72, 0x00001e31 } },
	};

	(void)state;
	mk(&pt, 35, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (unsigned s = 0; s < 4; s++) {
			uint64_t pa = cases[i].pa | shape_pa[s];
			uint64_t d = v7s_leaf(&pt, shape_wl[s], pa, IOPGT_READ | IOPGT_WRITE,
					      shape_run[s]);

			assert_int_equal(d, cases[i].d[s] | shape_pa[s]);
			assert_int_equal(v7s_kind(&pt, shape_wl[s], d, &run), D_LEAF);
			assert_int_equal(run, shape_run[s]);
			assert_int_equal(v7s_leaf_pa(&pt, shape_wl[s], d), pa);
			assert_true(v7s_can_retarget(&pt, shape_wl[s], d, 1));
			assert_true(v7s_can_leaf(&pt, shape_wl[s], pa, shape_run[s]));
		}
	}
	/* with MTK_EXT a supersection does not use the extended base field */
	assert_int_equal(v7s_kind(&pt, 0, 0x00171002, &run), D_BAD); /* [23:20] = 1 */
	assert_int_equal(v7s_kind(&pt, 0, 0x010710c2, &run), D_BAD); /* [8:6] set */
}

static void test_supersection_extended_base_address(void **state)
{
	struct iopgt pt;
	bool run;
	uint64_t d;

	(void)state;
	mk(&pt, 40, 0);
	/* B3.5.1: PA[31:24] in [31:24], PA[35:32] in [23:20], PA[39:36] in [8:5] */
	d = v7s_leaf(&pt, 0, 0xabcd000000ull, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE, true);
	assert_int_equal(d, 0xcdb71d4eull);
	assert_int_equal(v7s_kind(&pt, 0, d, &run), D_LEAF);
	assert_true(run);
	assert_int_equal(v7s_leaf_pa(&pt, 0, d), 0xabcd000000ull);
	assert_int_equal(v7s_leaf_prot(&pt, 0, d), IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
	assert_false(v7s_can_retarget(&pt, 0, d, 0));
	assert_false(v7s_can_retarget(&pt, 0, d, 1));
	d = v7s_leaf(&pt, 0, 0xff000000ull, IOPGT_READ, true);
	assert_true(v7s_can_retarget(&pt, 0, d, 0));
	d = v7s_leaf(&pt, 0, 0x100000000ull, IOPGT_READ, true);
	assert_int_equal(d, 0x00179c02);
	assert_false(v7s_can_retarget(&pt, 0, d, 1));

	/* only supersections hold addresses above 4 GiB without MTK_EXT */
	assert_true(v7s_can_leaf(&pt, 0, 0xabcd000000ull, true));
	assert_false(v7s_can_leaf(&pt, 0, 0x100000000ull, false));
	assert_false(v7s_can_leaf(&pt, 1, 0x100000000ull, true));
	assert_false(v7s_can_leaf(&pt, 1, 0x100001000ull, false));
	assert_true(v7s_can_leaf(&pt, 0, 0xfff00000ull, false));
	assert_true(v7s_can_leaf(&pt, 1, 0xfffff000ull, false));

	/* the same descriptor is corrupt where the OAS does not reach it */
	mk(&pt, 36, 0);
	assert_int_equal(v7s_kind(&pt, 0, 0xcdb71d4eull, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0xcdf71c0eull, &run), D_LEAF); /* PA 0xf_cd00_0000 */
	mk(&pt, 32, 0);
	assert_int_equal(v7s_kind(&pt, 0, 0x00179c02, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x00079c22, &run), D_BAD);
}

static void test_kind_rejects_what_is_never_written(void **state)
{
	struct iopgt pt;
	bool run;

	(void)state;
	mk(&pt, 32, 0);
	assert_int_equal(v7s_kind(&pt, 0, 0, &run), D_INVALID);
	assert_int_equal(v7s_kind(&pt, 1, 0, &run), D_INVALID);
	assert_int_equal(v7s_kind(&pt, 0, 0xfffffffc, &run), D_INVALID);
	/* level 1, type 0b11 (section with PXN) */
	assert_int_equal(v7s_kind(&pt, 0, 0x00039c03, &run), D_BAD);
	/* page table with a domain, with bit 2 (PXN), with bit 9, with NS when not configured */
	assert_int_equal(v7s_kind(&pt, 0, 0x12345c21, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x12345c05, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x12345e01, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x12345c09, &run), D_BAD);
	/* section with a domain, with bit 9, with NS, without nG, without S */
	assert_int_equal(v7s_kind(&pt, 0, 0x00039c22, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x00039e02, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x000b9c02, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x00019c02, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x00029c02, &run), D_BAD);
	/* access flag clear, TEX[2:1] set, remap index 0 (TEX[0]:C:B = 000) */
	assert_int_equal(v7s_kind(&pt, 0, 0x00039802, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x0003bc02, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 0, 0x00038c02, &run), D_BAD);
	/* small page with TEX[2:1], large page with bits [8:6] set */
	assert_int_equal(v7s_kind(&pt, 1, 0x00000ef2, &run), D_BAD);
	assert_int_equal(v7s_kind(&pt, 1, 0x00001e71, &run), D_BAD);
	/* a large page's bits [15:12] hold XN and TEX, not address bits */
	assert_int_equal(v7s_kind(&pt, 1, 0x00009e31 | 0x2000, &run), D_BAD);
	/* more than 32 bits */
	assert_int_equal(v7s_kind(&pt, 0, 0x100039c02ull, &run), D_BAD);
	/* while the real thing passes */
	assert_int_equal(v7s_kind(&pt, 0, 0x00039c02, &run), D_LEAF);
	assert_false(run);
	assert_int_equal(v7s_kind(&pt, 1, 0x00009e31, &run), D_LEAF);
	assert_true(run);
	assert_int_equal(v7s_kind(&pt, 1, 0x00000e73, &run), D_LEAF);
	assert_false(run);
	/* without MTK_EXT, bits 9, 4, 5 of a page are AP[2], AP[0], AP[1]:
	 * a page without the access flag is never written */
	assert_int_equal(v7s_kind(&pt, 1, 0x00000e42, &run), D_BAD);
}

/* The definition v7s_kind() implements: the type, then exactly what
 * v7s_leaf() writes for the decoded output address and attributes. */
static enum dkind ref_kind(const struct iopgt *pt, unsigned wl, uint32_t v, bool *run)
{
	uint64_t pa;
	bool r;

	*run = false;
	if ((v & 3u) == 0)
		return D_INVALID;
	if (wl == 0) {
		if ((v & 3u) == 1)
			return v == v7s_table(pt, 0, v7s_table_pa(pt, 0, v)) ? D_TABLE : D_BAD;
		if ((v & 3u) != 2)
			return D_BAD;
	}
	r = v7s_is_run(wl, v);
	pa = v7s_leaf_pa(pt, wl, v);
	if (pa >> pt->oas_)
		return D_BAD;
	if (v != v7s_leaf(pt, wl, pa, v7s_leaf_prot(pt, wl, v), r))
		return D_BAD;
	*run = r;
	return D_LEAF;
}

/* v7s_kind() and ref_kind() at walk level @wl for @high | every value of
 * the @bits bits below; counts the leaves and the bad ones */
static void kinds_agree(const struct iopgt *pt, unsigned wl, uint32_t high, unsigned bits,
			unsigned long *leaves, unsigned long *bad)
{
	for (uint32_t lo = 0; lo < (1u << bits); lo++) {
		uint32_t v = high | lo;
		bool r1, r2;
		enum dkind k1 = v7s_kind(pt, wl, v, &r1), k2 = ref_kind(pt, wl, v, &r2);

		if (k1 != k2 || r1 != r2)
			fail_msg("quirks 0x%x oas %u: level %u 0x%08x: kind %d/%d run %d/%d",
				 pt->quirks_, pt->oas_, wl + 1, v, k1, k2, r1, r2);
		*leaves += k2 == D_LEAF;
		*bad += k2 == D_BAD;
	}
}

/*
 * v7s_kind() tests bit masks instead of encoding again: it must agree with
 * the definition for every pattern of the bits below the output address
 * (sections: bits [23:0], pages: [15:0]), with address patterns above,
 * in every quirk combination and several output sizes.
 */
static void test_kind_agrees_with_the_encoder_everywhere(void **state)
{
	static const struct {
		uint32_t quirks;
		unsigned oas;
	} cf[] = {
		{ 0, 32 }, { 0, 40 }, { 0, 36 }, { IOPGT_QUIRK_NS, 32 }, { IOPGT_QUIRK_NO_PERMS, 32 },
		{ IOPGT_QUIRK_NO_PERMS | IOPGT_QUIRK_NS, 40 },
		{ IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, 35 },
		{ IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, 33 },
	};
	/* bits [31:24] of sections hold output address bits only */
	static const uint32_t hi1 = 0xa5u;
	static const uint32_t hi2[] = { 0x0000u, 0x5a3cu, 0xffffu }; /* bits [31:16] */
	unsigned long leaves = 0, bad = 0;

	(void)state;
	for (size_t c = 0; c < sizeof(cf) / sizeof(cf[0]); c++) {
		struct iopgt pt;

		assert_int_equal(setup(&pt, cf[c].oas, V7S_PGSIZES, cf[c].quirks), IOPGT_OK);
		for (size_t h = 0; h < 3; h++) {
			if (h == 0)
				kinds_agree(&pt, 0, hi1 << 24, 24, &leaves, &bad);
			kinds_agree(&pt, 1, hi2[h] << 16, 16, &leaves, &bad);
		}
	}
	/* both classes must occur, or the comparison says little */
	assert_true(leaves > 10000 && bad > 100000000);
}

static void test_retarget_keeps_attributes(void **state)
{
	static const uint32_t quirks[] = { 0, IOPGT_QUIRK_NS, IOPGT_QUIRK_NO_PERMS,
					   IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS };
	struct iopgt pt;

	(void)state;
	for (unsigned q = 0; q < 4; q++) {
		mk(&pt, 32, quirks[q]);
		for (uint32_t prot = 1; prot <= IOPGT_PROT_ALL; prot++) {
			uint64_t sup, sect, large, want;

			if (!(prot & (IOPGT_READ | IOPGT_WRITE)))
				continue;
			/* supersection -> 16 sections */
			sup = v7s_leaf(&pt, 0, 0x5b000000, prot, true);
			sect = v7s_retarget(&pt, 0, sup, 0, 0x5b300000, false);
			assert_int_equal(sect, v7s_leaf(&pt, 0, 0x5b300000, prot, false));
			/* section -> 256 small pages (or 16 large pages) */
			want = v7s_leaf(&pt, 1, 0x5b3ff000, prot, false);
			assert_int_equal(v7s_retarget(&pt, 0, sect, 1, 0x5b3ff000, false), want);
			want = v7s_leaf(&pt, 1, 0x5b3f0000, prot, true);
			assert_int_equal(v7s_retarget(&pt, 0, sect, 1, 0x5b3f0000, true), want);
			/* large page -> 16 small pages */
			large = v7s_leaf(&pt, 1, 0x76540000, prot, true);
			want = v7s_leaf(&pt, 1, 0x76543000, prot, false);
			assert_int_equal(v7s_retarget(&pt, 1, large, 1, 0x76543000, false), want);
			assert_true(v7s_can_retarget(&pt, 1, large, 1));
			assert_true(v7s_can_retarget(&pt, 0, sup, 0));
		}
	}
	/* by value: XN and TEX move between the section, small and large layouts */
	mk(&pt, 32, 0);
	assert_int_equal(v7s_retarget(&pt, 0, 0x5b039c1e, 1, 0x5b300000, false), 0x5b300e7f);
	assert_int_equal(v7s_retarget(&pt, 1, 0x76549e3d, 1, 0x7654f000, false), 0x7654fe7f);
	assert_int_equal(v7s_retarget(&pt, 0, 0x5b079c1e, 0, 0x5bf00000, false), 0x5bf39c1e);
	assert_int_equal(v7s_retarget(&pt, 0, 0x5b039c1e, 1, 0x5b3f0000, true), 0x5b3f9e3d);
}

static void test_run_log2_is_16_entries(void **state)
{
	struct iopgt pt;

	(void)state;
	/* independent of pgsizes: needed to decode what is in the tables */
	assert_int_equal(setup(&pt, 32, SZ_4K, 0), IOPGT_OK);
	assert_int_equal(v7s_run_log2(&pt, 0), 4);
	assert_int_equal(v7s_run_log2(&pt, 1), 4);
}

static void test_configure_geometry(void **state)
{
	struct iopgt pt;

	(void)state;
	assert_int_equal(setup(&pt, 32, 0, 0), IOPGT_OK);
	assert_int_equal(pt.pgsizes_, V7S_PGSIZES);
	assert_int_equal(pt.levels_, 2);
	assert_int_equal(pt.start_lvl_, 1);
	assert_int_equal(pt.dshift_, 2);
	assert_int_equal(pt.gshift_, 12);
	assert_int_equal(pt.stride_, 8);
	assert_int_equal(pt.root_bits_, 12);
	assert_int_equal(pt.leaf_lvls_, 3);
	assert_int_equal(pt.contig_[0], 4);
	assert_int_equal(pt.contig_[1], 4);
	assert_int_equal(pt.va_base_, 0);
	assert_int_equal(lvl_shift(&pt, 0), 20);
	assert_int_equal(lvl_shift(&pt, 1), 12);
	assert_int_equal(tbl_size(&pt, 1), 1024);
	assert_int_equal(lvl_index(&pt, 0, 0xfff12345), 0xfff);
	assert_int_equal(lvl_index(&pt, 1, 0xfff12345), 0x12);

	assert_int_equal(setup(&pt, 32, SZ_4K, 0), IOPGT_OK);
	assert_int_equal(pt.pgsizes_, SZ_4K);
	assert_int_equal(pt.leaf_lvls_, 2);
	assert_int_equal(pt.contig_[0], 0);
	assert_int_equal(pt.contig_[1], 0);

	assert_int_equal(setup(&pt, 32, SZ_4K | SZ_1M, 0), IOPGT_OK);
	assert_int_equal(pt.leaf_lvls_, 3);
	assert_int_equal(pt.contig_[0], 0);
	assert_int_equal(pt.contig_[1], 0);

	/* supersections without 1M: no single sections */
	assert_int_equal(setup(&pt, 40, SZ_4K | SZ_64K | SZ_16M, 0), IOPGT_OK);
	assert_int_equal(pt.leaf_lvls_, 2);
	assert_int_equal(pt.contig_[0], 4);
	assert_int_equal(pt.contig_[1], 4);
}

static void test_configure_rejects(void **state)
{
	static const struct {
		unsigned ias, oas;
		uint64_t pgsizes;
		uint32_t quirks;
		int want;
	} cases[] = {
		{ 32, 32, 0, 0, IOPGT_OK },
		{ 31, 32, 0, 0, IOPGT_ERR_INVAL },
		{ 33, 32, 0, 0, IOPGT_ERR_INVAL },
		{ 32, 31, 0, 0, IOPGT_ERR_INVAL },
		/* above 32 bits only supersections (or MTK_EXT) reach */
		{ 32, 40, 0, 0, IOPGT_OK },
		{ 32, 41, 0, 0, IOPGT_ERR_INVAL },
		{ 32, 33, SZ_4K | SZ_64K | SZ_1M, 0, IOPGT_ERR_INVAL },
		{ 32, 40, SZ_4K | SZ_16M, 0, IOPGT_OK },
		{ 32, 35, 0, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, IOPGT_OK },
		{ 32, 35, SZ_4K, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, IOPGT_OK },
		{ 32, 36, 0, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, IOPGT_ERR_INVAL },
		/* MTK_EXT PA bits are permission bits without NO_PERMS */
		{ 32, 35, 0, IOPGT_QUIRK_MTK_EXT, IOPGT_ERR_NOTSUP },
		{ 32, 32, 0, IOPGT_QUIRK_MTK_EXT, IOPGT_ERR_NOTSUP },
		/* sizes */
		{ 32, 32, SZ_4K | SZ_64K | SZ_1M | SZ_16M, 0, IOPGT_OK },
		{ 32, 32, SZ_4K | 0x200000, 0, IOPGT_ERR_INVAL },
		{ 32, 32, SZ_4K | 0x2000, 0, IOPGT_ERR_INVAL },
		{ 32, 32, SZ_4K | 0x40000000, 0, IOPGT_ERR_INVAL },
		{ 32, 32, SZ_4K | (1ull << 63), 0, IOPGT_ERR_INVAL },
		{ 32, 32, SZ_1M | SZ_16M, 0, IOPGT_ERR_INVAL },
		{ 32, 32, 0x800, 0, IOPGT_ERR_INVAL },
		{ 32, 32, 0x4000, 0, IOPGT_ERR_NOTSUP },          /* 16K granule */
		{ 32, 32, SZ_64K | SZ_1M, 0, IOPGT_ERR_NOTSUP },  /* 64K granule */
		/* quirks */
		{ 32, 32, 0, IOPGT_QUIRK_NS, IOPGT_OK },
		{ 32, 32, 0, IOPGT_QUIRK_NO_PERMS, IOPGT_OK },
		{ 32, 32, 0, IOPGT_QUIRK_NO_SPLIT, IOPGT_OK },
		{ 32, 32, 0, IOPGT_QUIRK_SPLIT_IN_PLACE, IOPGT_OK },
		{ 32, 32, 0, IOPGT_QUIRK_TTBR1, IOPGT_ERR_NOTSUP },
		{ 32, 32, 0, IOPGT_QUIRK_OUTER_WBWA, IOPGT_ERR_NOTSUP },
		{ 32, 32, 0, IOPGT_QUIRK_S2FWB, IOPGT_ERR_NOTSUP },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iopgt pt = { 0 };
		int got;

		pt.fmt_ = IOPGT_FMT_ARMV7S;
		pt.ias_ = (uint8_t)cases[i].ias;
		pt.oas_ = (uint8_t)cases[i].oas;
		pt.pgsizes_ = cases[i].pgsizes;
		pt.quirks_ = cases[i].quirks;
		got = v7s_configure(&pt, NULL);
		if (got != cases[i].want)
			fail_msg("case %u: got %d, want %d", i, got, cases[i].want);
		/* the same through a struct iopgt_cfg */
		{
			struct iopgt_cfg cfg = { 0 };
			struct iopgt pt2 = { 0 };

			cfg.fmt = IOPGT_FMT_ARMV7S;
			cfg.ias = cases[i].ias;
			cfg.oas = cases[i].oas;
			cfg.pgsizes = cases[i].pgsizes;
			cfg.quirks = cases[i].quirks;
			got = v7s_configure(&pt2, &cfg);
			if (got != cases[i].want)
				fail_msg("case %u (cfg): got %d, want %d", i, got, cases[i].want);
			if (got == IOPGT_OK)
				assert_int_equal(pt2.pgsizes_, cases[i].pgsizes ? cases[i].pgsizes
										: V7S_PGSIZES);
		}
	}
	/* values that do not fit the 8-bit copies in struct iopgt */
	{
		struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARMV7S, .ias = 256 + 32, .oas = 32 };
		struct iopgt pt = { 0 };

		assert_int_equal(v7s_configure(&pt, &cfg), IOPGT_ERR_INVAL);
		cfg.ias = 32;
		cfg.oas = 256 + 32;
		assert_int_equal(v7s_configure(&pt, &cfg), IOPGT_ERR_INVAL);
	}
}

static void dummy_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)ctx;
	(void)r;
	(void)n;
}

static void test_regs_match_linux(void **state)
{
	struct iopgt pt;
	struct iopgt_regs r;

	(void)state;
	mk(&pt, 32, 0);
	pt.root_pa_ = 0x42000000;
	/* coherent walker (no sync callback): S, NOS, IRGN = RGN = WBWA */
	v7s_get_regs(&pt, &r);
	assert_int_equal(r.ttbr, 0x4200006a);
	assert_int_equal(r.tcr, 0);
	assert_int_equal(r.mair, 0);
	assert_int_equal(r.vttbr, 0);
	assert_int_equal(r.vtcr, 0);
	assert_int_equal(r.prrr, 0x800b8204);
	assert_int_equal(r.nmrr, 0x40004000);
	/* non-coherent: S only, non-cacheable walks */
	pt.sync_.fn = dummy_sync;
	v7s_get_regs(&pt, &r);
	assert_int_equal(r.ttbr, 0x42000002);
	assert_int_equal(r.prrr, 0x800b8204);
	assert_int_equal(r.nmrr, 0x40004000);
	/* MTK_EXT: Linux gives the M4U the address alone */
	mk(&pt, 35, IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS);
	pt.root_pa_ = 0x42004000;
	v7s_get_regs(&pt, &r);
	assert_int_equal(r.ttbr, 0x42004000);
	assert_int_equal(r.tcr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_matches_linux_for_every_prot),
		cmocka_unit_test(test_leaf_decodes_back),
		cmocka_unit_test(test_ns_quirk_sets_section_and_table_ns),
		cmocka_unit_test(test_table_descriptor_is_domain_0_and_decodes),
		cmocka_unit_test(test_no_perms_writes_no_ap_or_xn),
		cmocka_unit_test(test_mtk_ext_pa_bits_9_4_5),
		cmocka_unit_test(test_supersection_extended_base_address),
		cmocka_unit_test(test_kind_rejects_what_is_never_written),
		cmocka_unit_test(test_kind_agrees_with_the_encoder_everywhere),
		cmocka_unit_test(test_retarget_keeps_attributes),
		cmocka_unit_test(test_run_log2_is_16_entries),
		cmocka_unit_test(test_configure_geometry),
		cmocka_unit_test(test_configure_rejects),
		cmocka_unit_test(test_regs_match_linux),
	};

	return cmocka_run_group_tests_name("v7s codec", tests, NULL, NULL);
}
