/* SPDX-License-Identifier: MIT */
/*
 * track.c - dirty and access tracking with QEMU's own walker (the guests
 * built with QA_TRACK): the tables are built with IOPGT_QUIRK_HW_DIRTY and
 * IOPGT_QUIRK_HW_ACCESS, the registers from iopgt_get_regs() enable HA and
 * HD, and the CPU's table walker marks the leaves itself (FEAT_HAFDBS:
 * AF set on an access, the write permission of a DBM leaf granted on the
 * first write). Real loads and stores go through pages, a contiguous run
 * and a block; the tracking calls must then report exactly the leaves
 * written (dirty) and the leaves accessed (young), whole, coalesced, and
 * clean them: a second round must see only what was touched since. The TLB
 * hooks issue real TLBI, and QEMU keeps stale TLB entries: a clean whose
 * invalidation is missing leaves the old writable entry in the TLB, the
 * next write goes through it unmarked, and the page goes unreported (the
 * negative control QA_NEG == NEG_NOTLBI). Last, a dirty block (or run)
 * split by an unmap must leave every piece dirty.
 *
 * Layout (offsets from test_base; output addresses in the scratch region):
 * 8 pages at 0, a read-only page at 1M, a contiguous run at 4M, a block at
 * 32M where the granule has one of at most 32M.
 */
#include "common.h"

#if GRAN_SHIFT == 12
#define RUN  (64 * K)
#define BLK  (2 * M)
#elif GRAN_SHIFT == 14
#define RUN  (2 * M)
#define BLK  (32 * M)
#else
#define RUN  (2 * M)
#define BLK  0ull      /* 512M: more than the scratch region */
#endif

#define O_PG  0ull
#define O_RO  (1 * M)
#define O_T   (2 * M + 512 * K)  /* 4K TLB set 0x80 of QEMU: no code or table there */
#define O_RUN (4 * M)
#define O_BLK (32 * M)

static unsigned long n_calls, n_spans;

struct spanlog {
	uint64_t s[16][2];
	unsigned n;
};

static void log_span(void *ctx, uint64_t iova, uint64_t size)
{
	struct spanlog *l = ctx;

	if (l->n < ARRAY_SIZE(l->s)) {
		l->s[l->n][0] = iova;
		l->s[l->n][1] = size;
	}
	l->n++;
}

/* A tracking call over [lo, lo + size) of the test area must report exactly
 * @want (pairs of offset and size from test_base). */
static void expect_in(uint64_t lo, uint64_t size, const char *what, bool young, uint32_t flags,
		      const uint64_t *want, unsigned n)
{
	struct spanlog l = { .n = 0 };
	int err = (young ? iopgt_test_and_clear_young : iopgt_read_and_clear_dirty)(
		&pt, test_base + lo, size, flags, log_span, &l);
	bool same = !err && l.n == n;

	n_calls++;
	n_spans += l.n;
	for (unsigned i = 0; same && i < n; i++)
		same = l.s[i][0] == test_base + want[2 * i] && l.s[i][1] == want[2 * i + 1];
	if (same)
		return;
	fail("%s: %s%s: %s, %u span(s), expected %u", what, young ? "young" : "dirty",
	     (flags & IOPGT_TRACK_NO_CLEAR) ? " (keep)" : "", iopgt_strerror(err), l.n, n);
	for (unsigned i = 0; i < l.n && i < ARRAY_SIZE(l.s); i++)
		pr("  reported %lx+%lx\n", (unsigned long)(l.s[i][0] - test_base),
		   (unsigned long)l.s[i][1]);
	for (unsigned i = 0; i < n; i++)
		pr("  expected %lx+%lx\n", (unsigned long)want[2 * i], (unsigned long)want[2 * i + 1]);
}

/* the same over the whole test area */
static void expect(const char *what, bool young, uint32_t flags, const uint64_t *want,
		   unsigned n)
{
	expect_in(0, 64 * M, what, young, flags, want, n);
}

static uint64_t pa_of(uint64_t off)
{
	return (uint64_t)(uintptr_t)scratch + off;
}

static void write_at(uint64_t off)
{
	store_check(test_base + off, pa_of(off), true);
}

static void read_at(uint64_t off)
{
	load_check(test_base + off, pa_of(off));
}

static void map_at(uint64_t off, uint64_t size, uint32_t prot)
{
	struct iopgt_mapping m;
	int err = iopgt_map(&pt, test_base + off, pa_of(off), size, prot);

	if (err)
		die("iopgt_map(%lx, %lx): %s", (unsigned long)off, (unsigned long)size,
		    iopgt_strerror(err));
	/* writable-clean leaves are reported writable */
	if (iopgt_lookup(&pt, test_base + off, &m) || m.prot != prot)
		fail("lookup %lx: prot %x, mapped %x", (unsigned long)off, m.prot, prot);
}

/* the AT read of every test leaf: before the rounds (it may set AF) */
static void at_reads(void)
{
	static const uint64_t offs[] = { O_PG, O_PG + 7 * G, O_RO, O_T, O_RUN, O_RUN + RUN - G,
					 O_BLK, O_BLK + BLK - G };
	const uint32_t rw = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;

	for (unsigned i = 0; i < ARRAY_SIZE(offs) - (BLK ? 0 : 2); i++) {
		uint64_t va = test_base + offs[i];

		at_one(stage2 ? "S12E1R" : "S1E1R", stage2 ? at_s12e1r(va) : at_s1e1r(va), true,
		       va, pa_of(offs[i]), offs[i] == O_RO ? IOPGT_READ | IOPGT_CACHE : rw);
	}
}

/* Before translation is on: without FEAT_HAFDBS the leaves written with
 * AF = 0 would fault at once (HA and HD are RES0 there). */
void check_tracking_cpu(void)
{
	uint64_t mmfr1 = SYSREG_READ(id_aa64mmfr1_el1);

	/* ID_AA64MMFR1_EL1.HAFDBS, bits [3:0]: 2 = AF and dirty state */
	pr("CPU: ID_AA64MMFR1_EL1 %lx: HAFDBS %u\n", (unsigned long)mmfr1, (unsigned)(mmfr1 & 0xf));
	if ((mmfr1 & 0xf) < 2) {
		pr("this CPU does not manage the dirty state: refusing to test it\n");
		fail_exit();
	}
}

void check_tracking(void)
{
	const uint32_t rw = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;
	const unsigned b = BLK ? 1 : 0;

	map_at(O_PG, 8 * G, rw);
	map_at(O_T, G, rw);
	map_at(O_RO, G, IOPGT_READ | IOPGT_CACHE);
	map_at(O_RUN, RUN, rw);
	if (BLK)
		map_at(O_BLK, BLK, rw);
	at_reads();
	/* whatever the AT reads marked young: gone */
	(void)iopgt_test_and_clear_young(&pt, test_base, 64 * M, 0, log_span,
					 &(struct spanlog){ .n = 0 });
	expect("after mapping", false, 0, NULL, 0);

	/* round 1: writes to pages 1, 3, 4, the run and the block; reads of
	 * page 6 and the read-only page; a store to the read-only page faults */
	write_at(O_PG + 1 * G);
	write_at(O_PG + 3 * G);
	write_at(O_PG + 4 * G);
	write_at(O_RUN + RUN / 2);
	if (BLK)
		write_at(O_BLK + BLK / 2);
	read_at(O_PG + 6 * G);
	read_at(O_RO);
	store_check(test_base + O_RO, pa_of(O_RO), false);
	{
		const uint64_t d[] = { O_PG + G, G, O_PG + 3 * G, 2 * G, O_RUN, RUN, O_BLK, BLK };
		const uint64_t y[] = { O_PG + G, G, O_PG + 3 * G, 2 * G, O_PG + 6 * G, G, O_RO, G,
				       O_RUN, RUN, O_BLK, BLK };

		expect("round 1", false, IOPGT_TRACK_NO_CLEAR, d, 3 + b);
		expect("round 1 again", false, IOPGT_TRACK_NO_CLEAR, d, 3 + b);
		expect("round 1", false, 0, d, 3 + b);
		expect("round 1 after the clean", false, 0, NULL, 0);
		expect("round 1", true, IOPGT_TRACK_NO_CLEAR, y, 5 + b);
		expect("round 1", true, 0, y, 5 + b);
		expect("round 1 after the clean", true, 0, NULL, 0);
	}

	/* the TLB: a page written, cleaned and written again at once is
	 * dirty again; without the clean's TLB invalidation the second write
	 * goes through the stale writable entry, unmarked (QEMU keeps TLB
	 * entries until they are invalidated or evicted: nothing else runs in
	 * between, and nothing else uses the page's TLB set) */
	{
		const uint64_t d[] = { O_T, G };
		struct probe p;

		mem_store(test_base + O_T, 0x7777, &p);
		expect_in(O_T, G, "TLB, the first write", false, 0, d, 1);
		mem_store(test_base + O_T, 0x8888, &p);
		expect_in(O_T, G, "TLB, the write after the clean", false, 0, d, 1);
		if (!p.ok || *(volatile uint64_t *)(uintptr_t)pa_of(O_T) != 0x8888)
			fail("store to %lx: did not land", (unsigned long)(test_base + O_T));
		g_n.access += 2;
	}

	/* round 2: page 4 again (its TLB entry, writable after round 1, must
	 * have been invalidated by the clean), page 0, another page of the
	 * run; a read of page 7 */
	write_at(O_PG + 0 * G);
	write_at(O_PG + 4 * G);
	write_at(O_RUN + G);
	read_at(O_PG + 7 * G);
	{
		const uint64_t d[] = { O_PG, G, O_PG + 4 * G, G, O_RUN, RUN };
		const uint64_t y[] = { O_PG, G, O_PG + 4 * G, G, O_PG + 7 * G, G, O_T, G, O_RUN, RUN };

		expect("round 2", false, 0, d, 3);
		expect("round 2 (and the TLB page)", true, 0, y, 5);
	}

	/* round 3: a dirty leaf split by an unmap: every piece stays dirty;
	 * then the pieces are leaves of their own */
	{
		const uint64_t at = BLK ? O_BLK : O_RUN, size = BLK ? BLK : RUN;
		const uint64_t hole = at + size / 4;
		const uint64_t d[] = { at, hole - at, hole + G, at + size - hole - G };
		const uint64_t one[] = { at + size / 2, G };
		int err;

		write_at(at);
		err = iopgt_unmap(&pt, test_base + hole, G);
		if (err)
			fail("unmap of a page of the leaf: %s", iopgt_strerror(err));
		load_faults(test_base + hole, FSC_TRANS);
		expect("round 3, the split", false, 0, d, 2);
		write_at(at + size / 2);
		expect("round 3, a piece", false, 0, one, 1);
	}

	if (iopgt_unmap(&pt, test_base, 64 * M))
		fail("unmap of the test area");
	pr("tracking: %lu calls, %lu spans reported\n", n_calls, n_spans);
}
