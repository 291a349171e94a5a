/* SPDX-License-Identifier: MIT */
/*
 * test_bad_args.c - every public function given bad input: the documented
 * error, and not one byte of table memory changed, nothing allocated or
 * freed, no sync call and no TLB call. Every format and granule.
 */
#include <limits.h>

#include "bcommon.h"

#include <iopgt/backends.h>

static struct th h;

struct before {
	struct snap s;
	uint64_t syncs, flushes;
};

static void take(struct before *b)
{
	snap_take(&b->s, &h.mem);
	b->syncs = h.syncs_total;
	b->flushes = h.flushes_total;
}

static void same(const struct before *b, const char *what)
{
	snap_expect(&b->s, &h.mem, what);
	TCHECK(h.syncs_total == b->syncs, "%s: %llu sync calls", what,
	       (unsigned long long)(h.syncs_total - b->syncs));
	TCHECK(h.flushes_total == b->flushes, "%s: %llu TLB calls", what,
	       (unsigned long long)(h.flushes_total - b->flushes));
}

#define EXPECT(call, err)                                                              \
	do {                                                                           \
		int rc_ = (call);                                                      \
		TCHECK(rc_ == (err), "%s = %d (%s), expected %d", #call, rc_,          \
		       iopgt_strerror(rc_), (err));                                    \
		same(&bf, #call);                                                      \
	} while (0)

static int count_leaf(void *ctx, const struct iopgt_leaf *lf)
{
	(void)lf;
	(*(unsigned *)ctx)++;
	return 0;
}

static void print_nothing(void *ctx, const char *line)
{
	(void)line;
	(*(unsigned *)ctx)++;
}

/* the largest size of the configuration up to 1 GiB (a block or a run) */
static uint64_t big_size(const struct bcfg *b)
{
	uint64_t big = b->gran;

	for (unsigned i = 0; i < 31; i++)
		if (b->pgsizes & tbit(i))
			big = tbit(i);
	return big;
}

static void count_span(void *ctx, uint64_t iova, uint64_t size)
{
	(void)iova;
	(void)size;
	(*(unsigned *)ctx)++;
}

static void bad_arguments_change_nothing(const struct bcfg *b)
{
	const uint64_t g = b->gran, base = bc_base(b), span = tbit(b->ias);
	const uint64_t big = big_size(b), top = base + (span - g);
	const uint64_t page = base + 3 * g, blk = base + 2 * big;
	const uint64_t pa = bc_v7s(b) ? 0x40000000ull : tbit(b->oas - 2);
	const uint64_t oas_end = tbit(b->oas);
	const bool ttbr1 = b->quirks & IOPGT_QUIRK_TTBR1;
	struct iopgt_mapping m;
	struct iopgt_stats st;
	struct iopgt_regs rg;
	struct iopgt_leaf lf;
	struct before bf;
	unsigned n = 0;
	char buf[200];

	bc_th_init(&h, b, test_seed(0xbad1));
	assert_int_equal(th_map(&h, page, pa, g, IOPGT_READ), IOPGT_OK);
	TCHECK_EQ(th_map(&h, blk, pa + 8 * big, big, IOPGT_READ | IOPGT_WRITE), IOPGT_OK);
	th_check_all(&h);
	take(&bf);

	/* map: alignment, size, prot */
	EXPECT(iopgt_map(&h.pt, page + 5 * g + 1, pa, g, IOPGT_READ), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g + g / 2, pa, g, IOPGT_READ), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa + 8, g, IOPGT_READ), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa + g / 2, g, IOPGT_READ), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa, g + 8, IOPGT_READ), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa, g / 2, IOPGT_READ), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa, 0, IOPGT_READ), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa, g, 0), IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa, g, IOPGT_NOEXEC | IOPGT_CACHE | IOPGT_PRIV),
	       IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa, g, IOPGT_READ | (IOPGT_PRIV << 1)),
	       IOPGT_ERR_INVAL);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, pa, g, IOPGT_WRITE | (1u << 31)), IOPGT_ERR_INVAL);

	/* map: the input range */
	EXPECT(iopgt_map(&h.pt, top, pa, 2 * g, IOPGT_READ), IOPGT_ERR_RANGE);
	EXPECT(iopgt_map(&h.pt, ~(uint64_t)0 - g + 1, pa, 2 * g, IOPGT_READ), IOPGT_ERR_RANGE);
	EXPECT(iopgt_map(&h.pt, ~(uint64_t)0 - g + 1, pa, ~(uint64_t)0 - g + 1, IOPGT_READ),
	       IOPGT_ERR_RANGE);
	EXPECT(iopgt_map(&h.pt, base, pa, span + g, IOPGT_READ), IOPGT_ERR_RANGE);
	if (ttbr1) {
		EXPECT(iopgt_map(&h.pt, 0, pa, g, IOPGT_READ), IOPGT_ERR_RANGE);
		EXPECT(iopgt_map(&h.pt, base - g, pa, g, IOPGT_READ), IOPGT_ERR_RANGE);
		EXPECT(iopgt_map(&h.pt, base - g, pa, 2 * g, IOPGT_READ), IOPGT_ERR_RANGE);
		EXPECT(iopgt_map(&h.pt, span - g, pa, g, IOPGT_READ), IOPGT_ERR_RANGE);
	} else {
		EXPECT(iopgt_map(&h.pt, span, pa, g, IOPGT_READ), IOPGT_ERR_RANGE);
		EXPECT(iopgt_map(&h.pt, span - g, pa, 2 * g, IOPGT_READ), IOPGT_ERR_RANGE);
		EXPECT(iopgt_map(&h.pt, ~(uint64_t)0 << b->ias, pa, g, IOPGT_READ), IOPGT_ERR_RANGE);
	}

	/* map: the output range */
	EXPECT(iopgt_map(&h.pt, page + 5 * g, oas_end, g, IOPGT_READ), IOPGT_ERR_RANGE);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, oas_end - g, 2 * g, IOPGT_READ), IOPGT_ERR_RANGE);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, ~(uint64_t)0 - g + 1, 2 * g, IOPGT_READ),
	       IOPGT_ERR_RANGE);
	EXPECT(iopgt_map(&h.pt, page + 5 * g, ~(uint64_t)0 - g + 1, g, IOPGT_READ),
	       IOPGT_ERR_RANGE);

	/* map over live mappings */
	EXPECT(iopgt_map(&h.pt, page, pa, g, IOPGT_READ), IOPGT_ERR_EXIST);
	EXPECT(iopgt_map(&h.pt, page - g, pa, 2 * g, IOPGT_READ), IOPGT_ERR_EXIST);
	EXPECT(iopgt_map(&h.pt, page, pa + g, 4 * g, IOPGT_WRITE), IOPGT_ERR_EXIST);
	EXPECT(iopgt_map(&h.pt, blk, pa, big, IOPGT_READ), IOPGT_ERR_EXIST);
	EXPECT(iopgt_map(&h.pt, blk + g, pa, g, IOPGT_READ), IOPGT_ERR_EXIST);
	EXPECT(iopgt_map(&h.pt, blk + big - g, pa, 2 * g, IOPGT_READ), IOPGT_ERR_EXIST);
	EXPECT(iopgt_map(&h.pt, base, 0, 4 * big, IOPGT_READ), IOPGT_ERR_EXIST);

	/* v7s: sections and pages hold 32-bit addresses */
	if (bc_v7s(b) && b->oas > 32 && !(b->quirks & IOPGT_QUIRK_MTK_EXT)) {
		EXPECT(iopgt_map(&h.pt, page + 5 * g, tbit(32), g, IOPGT_READ), IOPGT_ERR_NOTSUP);
		EXPECT(iopgt_map(&h.pt, base + 0x1000000, tbit(32), 0x100000, IOPGT_READ),
		       IOPGT_ERR_NOTSUP);
		/* sections from below 4 GiB on past it (the iova allows no
		 * supersection): refused, not truncated to 32 bits */
		EXPECT(iopgt_map(&h.pt, base + 0x10800000, 0xff000000, 0x3000000, IOPGT_READ),
		       IOPGT_ERR_NOTSUP);
		EXPECT(iopgt_map(&h.pt, base + 0x10800000, 0xfff00000, 0x200000, IOPGT_READ),
		       IOPGT_ERR_NOTSUP);
	}

	/* NULL, never initialised, garbage */
	EXPECT(iopgt_map(NULL, page + 5 * g, pa, g, IOPGT_READ), IOPGT_ERR_INVAL);
	{
		struct iopgt z;

		memset(&z, 0, sizeof(z));
		EXPECT(iopgt_map(&z, page + 5 * g, pa, g, IOPGT_READ), IOPGT_ERR_INVAL);
		EXPECT(iopgt_unmap(&z, page, g), IOPGT_ERR_INVAL);
		EXPECT(iopgt_lookup(&z, page, &m), IOPGT_ERR_INVAL);
		memset(&z, 0xa5, sizeof(z));
		EXPECT(iopgt_map(&z, page + 5 * g, pa, g, IOPGT_READ), IOPGT_ERR_INVAL);
		EXPECT(iopgt_walk(&z, 0, 0, count_leaf, &n), IOPGT_ERR_INVAL);
		EXPECT(iopgt_get_stats(&z, &st), IOPGT_ERR_INVAL);
	}

	/* unmap */
	EXPECT(iopgt_unmap(&h.pt, page + 1, g), IOPGT_ERR_INVAL);
	EXPECT(iopgt_unmap(&h.pt, page + g / 2, g), IOPGT_ERR_INVAL);
	EXPECT(iopgt_unmap(&h.pt, page, g - 8), IOPGT_ERR_INVAL);
	EXPECT(iopgt_unmap(&h.pt, page, g + g / 2), IOPGT_ERR_INVAL);
	EXPECT(iopgt_unmap(&h.pt, page, 0), IOPGT_ERR_INVAL);
	EXPECT(iopgt_unmap(&h.pt, top, 2 * g), IOPGT_ERR_RANGE);
	EXPECT(iopgt_unmap(&h.pt, ~(uint64_t)0 - g + 1, 2 * g), IOPGT_ERR_RANGE);
	EXPECT(iopgt_unmap(&h.pt, base, span + g), IOPGT_ERR_RANGE);
	EXPECT(iopgt_unmap(&h.pt, page, ~(uint64_t)0 - g + 1), IOPGT_ERR_RANGE);
	if (ttbr1) {
		EXPECT(iopgt_unmap(&h.pt, 0, g), IOPGT_ERR_RANGE);
		EXPECT(iopgt_unmap(&h.pt, base - g, 2 * g), IOPGT_ERR_RANGE);
	} else {
		EXPECT(iopgt_unmap(&h.pt, span, g), IOPGT_ERR_RANGE);
	}
	EXPECT(iopgt_unmap(NULL, page, g), IOPGT_ERR_INVAL);
	/* nothing mapped there: success, and still nothing written */
	EXPECT(iopgt_unmap(&h.pt, page + 5 * g, 4 * g), IOPGT_OK);
	EXPECT(iopgt_unmap(&h.pt, top, g), IOPGT_OK);
	if (bc_v7s(b) && b->oas > 32 && !(b->quirks & IOPGT_QUIRK_MTK_EXT)) {
		/* a supersection above 4 GiB cannot be split into pages */
		assert_int_equal(th_map(&h, base + 0x4000000, tbit(32), 0x1000000, IOPGT_READ),
				 IOPGT_OK);
		snap_free(&bf.s);
		take(&bf);
		EXPECT(iopgt_unmap(&h.pt, base + 0x4000000 + g, g), IOPGT_ERR_NOTSUP);
		EXPECT(iopgt_unmap(&h.pt, base + 0x4000000, 0x100000), IOPGT_ERR_NOTSUP);
	}

	/* lookup */
	EXPECT(iopgt_lookup(NULL, page, &m), IOPGT_ERR_INVAL);
	EXPECT(iopgt_lookup(&h.pt, page, NULL), IOPGT_ERR_INVAL);
	EXPECT(iopgt_lookup(&h.pt, page + 5 * g, &m), IOPGT_ERR_NOENT);
	if (ttbr1) {
		EXPECT(iopgt_lookup(&h.pt, base - 1, &m), IOPGT_ERR_RANGE);
		EXPECT(iopgt_lookup(&h.pt, 0, &m), IOPGT_ERR_RANGE);
	} else {
		EXPECT(iopgt_lookup(&h.pt, span, &m), IOPGT_ERR_RANGE);
		EXPECT(iopgt_lookup(&h.pt, ~(uint64_t)0, &m), IOPGT_ERR_RANGE);
	}
	EXPECT(iopgt_lookup(&h.pt, page + g - 1, &m), IOPGT_OK);
	TCHECK(m.iova == page && m.size == g && m.pa == pa, "lookup of a page's last byte");

	/* translate */
	{
		uint64_t tpa = 0;

		EXPECT(iopgt_translate(NULL, page, &tpa), IOPGT_ERR_INVAL);
		EXPECT(iopgt_translate(&h.pt, page, NULL), IOPGT_ERR_INVAL);
		EXPECT(iopgt_translate(&h.pt, page + 5 * g, &tpa), IOPGT_ERR_NOENT);
		if (ttbr1) {
			EXPECT(iopgt_translate(&h.pt, base - 1, &tpa), IOPGT_ERR_RANGE);
		} else {
			EXPECT(iopgt_translate(&h.pt, span, &tpa), IOPGT_ERR_RANGE);
			EXPECT(iopgt_translate(&h.pt, ~(uint64_t)0, &tpa), IOPGT_ERR_RANGE);
		}
		EXPECT(iopgt_translate(&h.pt, page + g - 1, &tpa), IOPGT_OK);
		TCHECK(tpa == pa + g - 1, "translate of a page's last byte: 0x%llx",
		       (unsigned long long)tpa);
	}

	/* walk and dump */
	EXPECT(iopgt_walk(NULL, 0, 0, count_leaf, &n), IOPGT_ERR_INVAL);
	EXPECT(iopgt_walk(&h.pt, 0, 0, NULL, &n), IOPGT_ERR_INVAL);
	EXPECT(iopgt_walk(&h.pt, top, 2 * g, count_leaf, &n), IOPGT_ERR_RANGE);
	EXPECT(iopgt_walk(&h.pt, base, ~(uint64_t)0, count_leaf, &n), IOPGT_ERR_RANGE);
	EXPECT(iopgt_walk(&h.pt, base, span + 1, count_leaf, &n), IOPGT_ERR_RANGE);
	if (ttbr1)
		EXPECT(iopgt_walk(&h.pt, base - 1, 2, count_leaf, &n), IOPGT_ERR_RANGE);
	else
		EXPECT(iopgt_walk(&h.pt, span, 1, count_leaf, &n), IOPGT_ERR_RANGE);
	TCHECK(n == 0, "a refused walk reported %u leaves", n);
	/* not aligned: fine, every leaf that intersects */
	EXPECT(iopgt_walk(&h.pt, page + 1, 1, count_leaf, &n), IOPGT_OK);
	TCHECK(n == 1, "walk of one byte: %u leaves", n);
	EXPECT(iopgt_dump(NULL, print_nothing, &n), IOPGT_ERR_INVAL);
	EXPECT(iopgt_dump(&h.pt, NULL, &n), IOPGT_ERR_INVAL);

	/* tracking calls: these tables have no hardware updates */
	n = 0;
	EXPECT(iopgt_read_and_clear_dirty(NULL, page, g, 0, count_span, &n), IOPGT_ERR_INVAL);
	EXPECT(iopgt_test_and_clear_young(NULL, page, g, 0, count_span, &n), IOPGT_ERR_INVAL);
	EXPECT(iopgt_read_and_clear_dirty(&h.pt, page, g, 0, NULL, &n), IOPGT_ERR_INVAL);
	EXPECT(iopgt_test_and_clear_young(&h.pt, page, g, 2, count_span, &n), IOPGT_ERR_INVAL);
	EXPECT(iopgt_read_and_clear_dirty(&h.pt, page, g, 0, count_span, &n), IOPGT_ERR_NOTSUP);
	EXPECT(iopgt_test_and_clear_young(&h.pt, page, g, IOPGT_TRACK_NO_CLEAR, count_span, &n),
	       IOPGT_ERR_NOTSUP);
	TCHECK(n == 0, "a refused tracking call reported %u spans", n);

	/* registers, stats, text */
	memset(&rg, 0x5a, sizeof(rg));
	iopgt_get_regs(NULL, &rg);
	TCHECK(rg.ttbr == 0 && rg.tcr == 0 && rg.mair == 0 && rg.vttbr == 0 && rg.vtcr == 0 &&
	       rg.prrr == 0 && rg.nmrr == 0, "get_regs(NULL) leaves values");
	iopgt_get_regs(&h.pt, NULL);
	EXPECT(iopgt_get_stats(NULL, &st), IOPGT_ERR_INVAL);
	EXPECT(iopgt_get_stats(&h.pt, NULL), IOPGT_ERR_INVAL);
	memset(&lf, 0, sizeof(lf));
	lf.m = m;
	lf.level = 3;
	lf.entries = 1;
	memset(buf, 'x', sizeof(buf));
	TCHECK(iopgt_format_leaf(&h.pt, NULL, buf, sizeof(buf)) == 0 && buf[0] == 0,
	       "format_leaf(NULL leaf)");
	TCHECK(iopgt_format_leaf(&h.pt, &lf, NULL, 100) == 0, "format_leaf(NULL buf)");
	memset(buf, 'x', sizeof(buf));
	TCHECK(iopgt_format_leaf(&h.pt, &lf, buf, 0) == 0 && buf[0] == 'x', "format_leaf(len 0)");
	TCHECK(iopgt_format_leaf(NULL, &lf, buf, 1) == 0 && buf[0] == 0, "format_leaf(len 1)");
	TCHECK(iopgt_format_leaf(NULL, &lf, buf, 7) == 6 && strlen(buf) == 6,
	       "format_leaf(len 7): \"%s\"", buf);
	same(&bf, "registers, stats and text");

	snap_free(&bf.s);
	th_check_all(&h);
	th_fini(&h);
}

static void bad_arguments_change_nothing_in_any_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++)
		bad_arguments_change_nothing(&bcfgs[i]);
}

/* ------------------------------------------------------------------ init */

static struct tmem im;

static int try_init(const struct iopgt_cfg *c0)
{
	struct iopgt_cfg c = *c0;
	struct iopgt pt;
	struct iopgt_mapping m;
	int rc;

	memset(&pt, 0x5a, sizeof(pt));
	if (!c.mem.alloc && !c.mem.free && !c.mem.phys_to_virt) {
		tmem_init(&im, 0x80000000ull, 32, 1);
		tmem_hooks(&im, &c.mem);
	} else {
		tmem_init(&im, 0x80000000ull, 32, 1);
	}
	rc = iopgt_init(&pt, &c);
	if (rc == IOPGT_OK) {
		iopgt_fini(&pt);
	} else {
		/* nothing was allocated, and the object is unusable */
		TCHECK(im.allocs_total == 0, "a refused init allocated");
		TCHECK(iopgt_lookup(&pt, 0, &m) == IOPGT_ERR_INVAL, "lookup after a failed init");
		TCHECK(iopgt_map(&pt, 0, 0, 0x1000, IOPGT_READ) == IOPGT_ERR_INVAL,
		       "map after a failed init");
	}
	tmem_fini(&im);
	return rc;
}

static void dummy_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	(void)ctx;
	(void)r;
	(void)n;
}

static void *dummy_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	(void)ctx;
	(void)size;
	(void)align;
	(void)pa;
	return NULL;
}

static void dummy_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx;
	(void)va;
	(void)pa;
	(void)size;
}

static void *dummy_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	(void)pa;
	return NULL;
}

#define INIT(field_setup, err)                                                          \
	do {                                                                            \
		struct iopgt_cfg c = base;                                              \
		field_setup;                                                            \
		int rc_ = try_init(&c);                                                 \
		TCHECK(rc_ == (err), "%s: init with %s = %d (%s), expected %d", name,   \
		       #field_setup, rc_, iopgt_strerror(rc_), (err));                  \
	} while (0)

static void init_refuses(const char *name, struct iopgt_cfg base)
{
	enum iopgt_fmt f = base.fmt;
	bool v7s = f == IOPGT_FMT_ARMV7S, a32 = f == IOPGT_FMT_ARM32_S1 || f == IOPGT_FMT_ARM32_S2;
	bool s2 = f == IOPGT_FMT_ARM64_S2 || f == IOPGT_FMT_ARM32_S2;

	tctx_set("init %s", name);
	INIT((void)0, IOPGT_OK);
	INIT(c.fmt = (enum iopgt_fmt)0, IOPGT_ERR_INVAL);
	INIT(c.fmt = (enum iopgt_fmt)6, IOPGT_ERR_INVAL);
	INIT(c.fmt = (enum iopgt_fmt)-1, IOPGT_ERR_INVAL);
	INIT(c.quirks |= 1u << 11, IOPGT_ERR_INVAL); /* the first bit that names no quirk */
	INIT(c.quirks |= 1u << 31, IOPGT_ERR_INVAL);
	INIT(c.quirks |= IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE, IOPGT_ERR_INVAL);
	/* quirks of other formats */
	if (f != IOPGT_FMT_ARM64_S1)
		INIT(c.quirks |= IOPGT_QUIRK_TTBR1, IOPGT_ERR_NOTSUP);
	if (f != IOPGT_FMT_ARM64_S2)
		INIT(c.quirks |= IOPGT_QUIRK_S2FWB, IOPGT_ERR_NOTSUP);
	if (!v7s) {
		INIT(c.quirks |= IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, IOPGT_ERR_NOTSUP);
		INIT(c.quirks |= IOPGT_QUIRK_NO_PERMS, IOPGT_ERR_NOTSUP);
	} else {
		INIT(c.quirks |= IOPGT_QUIRK_OUTER_WBWA, IOPGT_ERR_NOTSUP);
		INIT(c.quirks |= IOPGT_QUIRK_MTK_EXT, IOPGT_ERR_NOTSUP);
	}
	if (s2)
		INIT(c.quirks |= IOPGT_QUIRK_NS, IOPGT_ERR_NOTSUP);
	/* hardware updates: AArch64 only, and only with a coherent walker */
	if (v7s || a32) {
		INIT(c.quirks |= IOPGT_QUIRK_HW_DIRTY, IOPGT_ERR_NOTSUP);
		INIT(c.quirks |= IOPGT_QUIRK_HW_ACCESS, IOPGT_ERR_NOTSUP);
	} else {
		INIT((c.quirks |= IOPGT_QUIRK_HW_DIRTY, c.sync.fn = NULL), IOPGT_OK);
		INIT((c.quirks |= IOPGT_QUIRK_HW_ACCESS, c.sync.fn = NULL), IOPGT_OK);
		INIT((c.quirks |= IOPGT_QUIRK_HW_DIRTY, c.sync.fn = dummy_sync), IOPGT_ERR_NOTSUP);
		INIT((c.quirks |= IOPGT_QUIRK_HW_ACCESS, c.sync.fn = dummy_sync), IOPGT_ERR_NOTSUP);
	}
	/* callbacks only partly given */
	INIT((c.mem.alloc = dummy_alloc, c.mem.free = NULL, c.mem.phys_to_virt = NULL),
	     IOPGT_ERR_INVAL);
	INIT((c.mem.alloc = NULL, c.mem.free = dummy_free, c.mem.phys_to_virt = NULL),
	     IOPGT_ERR_INVAL);
	INIT((c.mem.alloc = NULL, c.mem.free = NULL, c.mem.phys_to_virt = dummy_p2v),
	     IOPGT_ERR_INVAL);
	/* address sizes */
	INIT(c.ias = 0, IOPGT_ERR_INVAL);
	INIT(c.ias = 24, IOPGT_ERR_INVAL);
	INIT(c.ias = 64, IOPGT_ERR_INVAL);
	INIT(c.ias = 256 + base.ias, IOPGT_ERR_INVAL);
	INIT(c.ias = ~0u, IOPGT_ERR_INVAL);
	INIT(c.oas = 0, IOPGT_ERR_INVAL);
	INIT(c.oas = 31, IOPGT_ERR_INVAL);
	INIT(c.oas = 53, IOPGT_ERR_INVAL);
	INIT(c.oas = 256 + base.oas, IOPGT_ERR_INVAL);
	INIT(c.oas = ~0u, IOPGT_ERR_INVAL);
	if (v7s) {
		INIT(c.ias = 31, IOPGT_ERR_INVAL);
		INIT(c.ias = 33, IOPGT_ERR_INVAL);
		INIT((c.oas = 33, c.pgsizes = 0x1000 | 0x100000), IOPGT_ERR_INVAL);
		INIT(c.oas = 41, IOPGT_ERR_INVAL);
		INIT((c.oas = 36, c.quirks = IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS),
		     IOPGT_ERR_INVAL);
	} else if (a32) {
		INIT(c.ias = f == IOPGT_FMT_ARM32_S1 ? 33 : 41, IOPGT_ERR_INVAL);
		INIT(c.oas = 41, IOPGT_ERR_INVAL);
		INIT(c.oas = 48, IOPGT_ERR_INVAL);
	} else {
		INIT(c.ias = 49, IOPGT_OK); /* FEAT_LPA2 (4K, 16K), FEAT_LVA (64K) */
		INIT(c.ias = 52, IOPGT_OK);
		INIT(c.ias = 53, IOPGT_ERR_INVAL);
		INIT(c.ias = 64, IOPGT_ERR_INVAL);
		INIT(c.oas = 49, IOPGT_ERR_INVAL);
		INIT(c.oas = 51, IOPGT_ERR_INVAL);
		INIT(c.oas = 53, IOPGT_ERR_INVAL);
		INIT((c.oas = 52, c.pgsizes = 0x1000), IOPGT_OK); /* LPA2 */
		INIT((c.oas = 52, c.pgsizes = 0x4000), IOPGT_OK);
		INIT((c.oas = 52, c.pgsizes = 0x10000), IOPGT_OK);
	}
	/* sizes */
	INIT(c.pgsizes = 0x800, IOPGT_ERR_INVAL);       /* 2K: no granule */
	INIT(c.pgsizes = 0x2000, IOPGT_ERR_INVAL);      /* 8K */
	INIT(c.pgsizes = 0x1000 | 0x2000, IOPGT_ERR_INVAL);
	INIT(c.pgsizes = 0x1000 | tbit(63), IOPGT_ERR_INVAL);
	INIT(c.pgsizes = 0x1000 | 0x400000, IOPGT_ERR_INVAL); /* 4M: no size of 4K */
	if (v7s || a32) {
		INIT(c.pgsizes = 0x4000, IOPGT_ERR_NOTSUP);
		INIT(c.pgsizes = 0x10000, IOPGT_ERR_NOTSUP);
	}
	if (v7s)
		INIT(c.pgsizes = 0x1000 | 0x200000, IOPGT_ERR_INVAL);
	else
		INIT(c.pgsizes = 0x1000 | 0x100000, IOPGT_ERR_INVAL);
	/* NULL */
	TCHECK(iopgt_init(NULL, &base) == IOPGT_ERR_INVAL, "init(NULL, cfg)");
	{
		struct iopgt pt;

		memset(&pt, 0, sizeof(pt));
		TCHECK(iopgt_init(&pt, NULL) == IOPGT_ERR_INVAL, "init(pt, NULL)");
		TCHECK(iopgt_map(&pt, 0, 0, 0x1000, IOPGT_READ) == IOPGT_ERR_INVAL,
		       "map after init(pt, NULL)");
	}
}

static void init_refuses_bad_configurations_in_every_format(void **state)
{
	struct iopgt_cfg c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.fmt = IOPGT_FMT_ARM64_S1;
	c.ias = 48;
	c.oas = 48;
	init_refuses("arm64-s1", c);
	c.fmt = IOPGT_FMT_ARM64_S2;
	init_refuses("arm64-s2", c);
	c.fmt = IOPGT_FMT_ARM32_S1;
	c.ias = 32;
	c.oas = 40;
	init_refuses("arm32-s1", c);
	c.fmt = IOPGT_FMT_ARM32_S2;
	c.ias = 40;
	init_refuses("arm32-s2", c);
	c.fmt = IOPGT_FMT_ARMV7S;
	c.ias = 32;
	c.oas = 32;
	init_refuses("v7s", c);
}

/* ------------------------------------------------------------------ fini */

static void finished_tables_refuse_every_call(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		const struct bcfg *b = &bcfgs[i];
		struct iopgt_mapping m;
		struct iopgt_stats st;
		struct iopgt_regs rg;
		unsigned n = 0;
		uint64_t base = bc_base(b);

		bc_th_init(&h, b, 7);
		assert_int_equal(th_map(&h, base + b->gran, bc_pa_base(b), b->gran, IOPGT_READ),
				 IOPGT_OK);
		th_fini(&h); /* iopgt_fini, then every table must be back */
		iopgt_fini(&h.pt);
		iopgt_fini(NULL);
		TCHECK(iopgt_map(&h.pt, base, 0, b->gran, IOPGT_READ) == IOPGT_ERR_INVAL, "map");
		TCHECK(iopgt_unmap(&h.pt, base, b->gran) == IOPGT_ERR_INVAL, "unmap");
		TCHECK(iopgt_lookup(&h.pt, base + b->gran, &m) == IOPGT_ERR_INVAL, "lookup");
		{
			uint64_t tpa;

			TCHECK(iopgt_translate(&h.pt, base + b->gran, &tpa) == IOPGT_ERR_INVAL,
			       "translate");
		}
		TCHECK(iopgt_walk(&h.pt, 0, 0, count_leaf, &n) == IOPGT_ERR_INVAL && n == 0, "walk");
		TCHECK(iopgt_dump(&h.pt, print_nothing, &n) == IOPGT_ERR_INVAL && n == 0, "dump");
		TCHECK(iopgt_get_stats(&h.pt, &st) == IOPGT_ERR_INVAL, "stats");
		memset(&rg, 0x5a, sizeof(rg));
		iopgt_get_regs(&h.pt, &rg);
		TCHECK(rg.ttbr == 0 && rg.tcr == 0 && rg.mair == 0 && rg.vttbr == 0 &&
		       rg.vtcr == 0 && rg.prrr == 0 && rg.nmrr == 0, "regs after fini");
	}
}

/* ------------------------------------------------------------ strerror */

static void strerror_describes_every_code_and_nothing_else(void **state)
{
	static const int codes[] = { IOPGT_OK, IOPGT_ERR_INVAL, IOPGT_ERR_RANGE,
				     IOPGT_ERR_EXIST, IOPGT_ERR_NOMEM, IOPGT_ERR_NOENT,
				     IOPGT_ERR_NOTSUP, IOPGT_ERR_BUSY, IOPGT_ERR_CORRUPT };
	const char *unknown = iopgt_strerror(1);

	(void)state;
	assert_non_null(unknown);
	assert_string_equal(unknown, "unknown error");
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *s = iopgt_strerror(codes[i]);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, unknown);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, iopgt_strerror(codes[j]));
	}
	assert_string_equal(iopgt_strerror(-9), unknown);
	assert_string_equal(iopgt_strerror(INT_MIN), unknown);
	assert_string_equal(iopgt_strerror(INT_MAX), unknown);
}

/* ------------------------------------------------------------ backends */

static void note_line(void *ctx, uintptr_t line)
{
	(void)line;
	(*(unsigned *)ctx)++;
}

static void dma_fn(void *dev, uint64_t pa, size_t len, int dir)
{
	(void)pa;
	(void)len;
	(void)dir;
	(*(unsigned *)dev)++;
}

static void backends_refuse_null_and_out_of_range_arguments(void **state)
{
	struct iopgt_range r[2];
	struct iopgt_dma_sync d, d0;
	struct iopgt_recorder rec;
	unsigned lines = 0, dev = 0;
	uint8_t mem[256];

	(void)state;
	r[0].va = mem;
	r[0].pa = 0x1000;
	r[0].len = 100;
	r[1].va = mem + 200;
	r[1].pa = 0x10c8;
	r[1].len = 8;
	/* the line arithmetic */
	assert_int_equal(iopgt_lines_for_ranges(NULL, 0, 6, note_line, &lines), 0);
	assert_int_equal(iopgt_lines_for_ranges(r, 2, 1, note_line, &lines), 0);
	assert_int_equal(iopgt_lines_for_ranges(r, 2, 8 * sizeof(uintptr_t), note_line, &lines), 0);
	assert_int_equal(lines, 0);
	assert_true(iopgt_lines_for_ranges(r, 2, 6, NULL, NULL) >= 2);
	/* the DMA API backend */
	memset(&d, 0x5a, sizeof(d));
	d0 = d;
	assert_int_equal(iopgt_dma_sync_init(NULL, dma_fn, &dev, 0), IOPGT_ERR_INVAL);
	assert_int_equal(iopgt_dma_sync_init(&d, NULL, &dev, 0), IOPGT_ERR_INVAL);
	assert_memory_equal(&d, &d0, sizeof(d));
	assert_int_equal(iopgt_dma_sync_init(&d, dma_fn, &dev, 0), IOPGT_OK);
	iopgt_dma_sync_ranges(&d, r, 0);
	assert_int_equal(dev, 0);
	iopgt_dma_sync_ranges(&d, r, 2);
	assert_int_equal(dev, 2);
	/* the recorder: NULL storage with a capacity is capacity 0 */
	iopgt_recorder_init(&rec, NULL, 16, NULL, 16, NULL);
	iopgt_recorder_record(&rec, r, 2);
	iopgt_recorder_record(&rec, NULL, 0);
	iopgt_recorder_reset(&rec);
	iopgt_recorder_print(&rec, 0, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments_change_nothing_in_any_format),
		cmocka_unit_test(init_refuses_bad_configurations_in_every_format),
		cmocka_unit_test(finished_tables_refuse_every_call),
		cmocka_unit_test(strerror_describes_every_code_and_nothing_else),
		cmocka_unit_test(backends_refuse_null_and_out_of_range_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
