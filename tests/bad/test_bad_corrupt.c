/* SPDX-License-Identifier: MIT */
/*
 * test_bad_corrupt.c - tables the library did not write, in every format:
 * a table descriptor pointing outside table memory (phys_to_virt returns
 * NULL), a reserved encoding, a loop (a table descriptor pointing to its
 * own table, to an ancestor, or into the root), and two descriptors
 * pointing to one table.
 *
 * Readers (lookup, walk, dump) report IOPGT_ERR_CORRUPT where they would
 * have to follow the bad descriptor and stay correct elsewhere; map and
 * unmap refuse it without writing a byte; iopgt_fini and unmap's frees
 * never follow a loop and free every table once: the test allocator fails
 * the test on a free of memory it does not hold (a double free) and on a
 * table left held (a leak). Every read stays inside table memory, which the
 * sanitizer build checks.
 */
#include "bcommon.h"

static struct th h;

static int level_of_last(void)
{
	return h.last_level;
}

/* the linked table at architectural @level that translates @iova */
static struct tmem_rec *table_at(uint64_t iova, int level)
{
	for (size_t i = 0; i < h.mem.n; i++) {
		struct tmem_rec *r = &h.mem.recs[i];

		if (r->linked && r->level == level && r->span_first <= iova && iova <= r->span_last)
			return r;
	}
	TCHECK(0, "no table at level %u for 0x%llx", level, (unsigned long long)iova);
	return NULL;
}

static size_t slot_of(const struct tmem_rec *r, uint64_t iova)
{
	return (size_t)((iova - r->span_first) >> th_eshift(&h, r->level));
}

static uint64_t get_desc(const struct tmem_rec *r, size_t idx)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < h.dsize; k++)
		v |= (uint64_t)r->va[idx * h.dsize + k] << (8 * k);
	return v;
}

/* store into the CPU's tables and the walker's image alike (as if it had
 * always been there) */
static void set_desc(struct tmem_rec *r, size_t idx, uint64_t v)
{
	for (unsigned k = 0; k < h.dsize; k++) {
		r->va[idx * h.dsize + k] = (uint8_t)(v >> (8 * k));
		r->img[idx * h.dsize + k] = (uint8_t)(v >> (8 * k));
	}
}

/* a table descriptor to @pa, as the format encodes it */
static uint64_t table_desc(uint64_t pa)
{
	uint64_t d;

	if (h.cfg.fmt == IOPGT_FMT_ARMV7S) {
		d = (pa & 0xfffffc00u) | 1;
		if (h.cfg.quirks & IOPGT_QUIRK_NS)
			d |= 1u << 3;
		return d;
	}
	if (h.lg.lpa)
		d = (pa & 0x0000ffffffff0000ull) | (((pa >> 48) & 0xf) << 12);
	else
		d = pa & 0x0000fffffffff000ull & ~(h.granule - 1);
	return d | 3;
}

static int count_leaf(void *ctx, const struct iopgt_leaf *lf)
{
	(void)lf;
	(*(unsigned *)ctx)++;
	return 0;
}

static void no_print(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
}

/*
 * The slot at @idx of @r now holds something corrupt that translates
 * [first, first + esz): every reader reports it there, map and unmap refuse
 * it and write nothing, the mapping at @good still translates.
 */
static void expect_refused(const struct tmem_rec *r, size_t idx, uint64_t good, bool deep_loop)
{
	const uint64_t esz = tbit(th_eshift(&h, r->level)), g = h.granule;
	const uint64_t first = r->span_first + ((uint64_t)idx << th_eshift(&h, r->level));
	struct iopgt_mapping m;
	struct snap s;
	unsigned n = 0;
	int rc;

	snap_take(&s, &h.mem);
	TCHECK(iopgt_lookup(&h.pt, first, &m) == IOPGT_ERR_CORRUPT, "lookup at the corrupt entry");
	TCHECK(iopgt_lookup(&h.pt, first + esz - 1, &m) == IOPGT_ERR_CORRUPT,
	       "lookup at the corrupt entry's end");
	{
		/* translate checks what memory safety needs: a loop it may
		 * follow to the last level (between tables below the root, or
		 * into a root that is at least a table) */
		uint64_t pa;

		rc = iopgt_translate(&h.pt, first, &pa);
		TCHECK(rc == IOPGT_ERR_CORRUPT ||
			       (deep_loop && (rc == IOPGT_OK || rc == IOPGT_ERR_NOENT)),
		       "translate at the corrupt entry: %d", rc);
	}
	TCHECK(iopgt_walk(&h.pt, first, esz, count_leaf, &n) == IOPGT_ERR_CORRUPT && n == 0,
	       "walk of the corrupt entry");
	TCHECK(iopgt_walk(&h.pt, 0, 0, count_leaf, &n) == IOPGT_ERR_CORRUPT, "walk of everything");
	TCHECK(iopgt_dump(&h.pt, no_print, NULL) == IOPGT_ERR_CORRUPT, "dump");
	rc = iopgt_map(&h.pt, first + esz - g, 0, g, IOPGT_READ);
	TCHECK(rc == IOPGT_ERR_CORRUPT, "map into the corrupt entry: %d", rc);
	rc = iopgt_map(&h.pt, first, 0, g, IOPGT_READ | IOPGT_WRITE);
	TCHECK(rc == IOPGT_ERR_CORRUPT, "map at the corrupt entry: %d", rc);
	rc = iopgt_unmap(&h.pt, first + esz - g, g);
	TCHECK(rc == IOPGT_ERR_CORRUPT, "unmap in the corrupt entry: %d", rc);
	if (good < first && esz > g) {
		/* from the good mapping into the corrupt entry, which it covers
		 * in part: the unmap has to read it (a range that covered it
		 * whole in a table the unmap empties would drop it unread) */
		rc = iopgt_unmap(&h.pt, good, first + g - good);
		TCHECK(rc == IOPGT_ERR_CORRUPT, "unmap across the corrupt entry: %d", rc);
	}
	snap_expect(&s, &h.mem, "refused calls");
	snap_free(&s);
	TCHECK(iopgt_lookup(&h.pt, good, &m) == IOPGT_OK, "the good mapping");
}

enum ckind {
	C_OUTSIDE,   /* table descriptor to memory phys_to_virt does not map */
	C_RESERVED,  /* reserved encoding at the last level (v7s: also level 1) */
	C_SELF,      /* table descriptor to its own table */
	C_ANCESTOR,  /* table descriptor to its parent table */
	C_ROOT,      /* table descriptor into the root */
	C_KINDS
};

static const char *const cnames[] = { "outside", "reserved", "self", "ancestor", "root" };

/*
 * Map two pages P and P + granule, then corrupt the empty slot next to P's
 * entry at @level (a table level: its table's entry after P's). With
 * @fini_corrupt the corrupt slot is left for iopgt_fini, which must free
 * every table once; otherwise it is restored and everything must check.
 */
static bool corrupt_case(const struct bcfg *b, enum ckind k, bool fini_corrupt)
{
	const uint64_t g = b->gran, base = bc_base(b);
	const uint64_t p = base + 16 * g; /* last-level entry 16: its neighbours are free */
	int last, level;
	struct tmem_rec *r;
	size_t idx;
	uint64_t old, bad;

	bc_th_init(&h, b, test_seed(0xc0 + k));
	tctx_set("%s: corrupt %s%s", b->name, cnames[k], fini_corrupt ? ", left for fini" : "");
	assert_int_equal(th_map(&h, p, bc_pa_base(b), g, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, p + g, bc_pa_base(b) + g, g, IOPGT_READ), IOPGT_OK);
	last = level_of_last();
	level = k == C_RESERVED ? last : last - 1;
	if (level < h.start_level || (k == C_ANCESTOR && level == h.start_level)) {
		th_fini(&h);
		return false; /* no such table in this geometry */
	}
	r = table_at(p, level);
	/* the slot after P's: at the last level 2 entries on (P + g is used) */
	idx = slot_of(r, p) + (level == last ? 2 : 1);
	old = get_desc(r, idx);
	TCHECK(old == 0, "slot not free (0x%llx)", (unsigned long long)old);
	switch (k) {
	case C_OUTSIDE:
		bad = table_desc(h.mem.pa_base - 2 * (h.dsize == 4 ? 0x400 : g));
		break;
	case C_RESERVED:
		if (h.cfg.fmt != IOPGT_FMT_ARMV7S)
			bad = get_desc(r, slot_of(r, p)) & ~(uint64_t)2; /* a block type at the last level */
		else
			bad = (get_desc(r, slot_of(r, p)) & 0xffff0000u) | 0x41; /* large page, [8:6] set */
		break;
	case C_SELF:
		bad = table_desc(r->pa);
		break;
	case C_ANCESTOR:
		bad = table_desc(table_at(p, level - 1)->pa);
		break;
	default:
		/* the root, or one of its later 1 KiB / granule parts */
		bad = table_desc(h.mem.recs[0].pa +
				 (h.mem.recs[0].size > (h.dsize == 4 ? 0x400u : g) ?
				  (h.dsize == 4 ? 0x800u : g) : 0));
		break;
	}
	set_desc(r, idx, bad);
	/* translate may follow a loop that cannot make it read outside table
	 * memory: one between deeper tables, or one into a root at least a
	 * table in size (iopgt.h) */
	expect_refused(r, idx, p,
		       k == C_SELF || k == C_ANCESTOR ||
			       (k == C_ROOT && h.mem.recs[0].size >= (h.dsize == 4 ? 0x400u : g)));
	if (fini_corrupt) {
		th_fini(&h); /* iopgt_fini; then nothing may be held */
		return true;
	}
	set_desc(r, idx, old);
	th_check_all(&h);
	th_fini(&h);
	return true;
}

static void corrupt_descriptors_are_refused_in_every_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		unsigned done = 0;

		for (int k = 0; k < C_KINDS; k++) {
			done += corrupt_case(&bcfgs[i], (enum ckind)k, false);
			if (k != C_RESERVED)
				corrupt_case(&bcfgs[i], (enum ckind)k, true);
		}
		TCHECK(done >= 3, "%s: only %u corruptions apply", bcfgs[i].name, done);
	}
}

/*
 * A covered unmap drops a table without reading it; one that holds a loop
 * to itself and a descriptor pointing outside table memory must still be
 * freed once, and nothing else. (A dropped table pointing into the root or
 * an ancestor meets the same check in the same code as iopgt_fini, which
 * corrupt_case() covers.)
 */
static void unmap_frees_a_table_holding_a_loop_once(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		const struct bcfg *b = &bcfgs[i];
		const uint64_t g = b->gran, base = bc_base(b);
		const uint64_t p = base + 16 * g;
		struct tmem_rec *r, *parent;
		int level;
		uint64_t esz, held;

		bc_th_init(&h, b, 0x100f);
		assert_int_equal(th_map(&h, p, bc_pa_base(b), g, IOPGT_READ), IOPGT_OK);
		level = h.last_level - 1;
		if (level <= h.start_level) {
			th_fini(&h);
			continue; /* the loop would sit in the root, which unmap never drops */
		}
		r = table_at(p, level);
		parent = table_at(p, level - 1);
		set_desc(r, slot_of(r, p) + 1, table_desc(r->pa));
		set_desc(r, slot_of(r, p) + 2, table_desc(h.mem.pa_base - 2 * g));
		/* unmap all r translates: r goes, with P's last-level table */
		esz = tbit(th_eshift(&h, parent->level));
		held = h.mem.allocs_held;
		assert_int_equal(th_unmap(&h, r->span_first, esz), IOPGT_OK);
		TCHECK(held >= 3 && h.mem.allocs_held == 1, "%llu tables held, before %llu",
		       (unsigned long long)h.mem.allocs_held, (unsigned long long)held);
		th_check_all(&h);
		th_fini(&h);
	}
}

/*
 * Two table descriptors to one table: no reader can tell it from a valid
 * tree without remembering every table, so lookups through either see the
 * same entries. iopgt_fini frees it once, because phys_to_virt (the test
 * allocator's, as the header asks) returns NULL for memory already freed.
 */
static void a_table_shared_by_two_descriptors_is_freed_once(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		const struct bcfg *b = &bcfgs[i];
		const uint64_t g = b->gran, base = bc_base(b);
		const uint64_t p = base + 16 * g;
		struct iopgt_mapping m1, m2;
		struct tmem_rec *r;
		int level;
		size_t idx;
		uint64_t esz;

		bc_th_init(&h, b, 0x5a5a);
		assert_int_equal(th_map(&h, p, bc_pa_base(b), g, IOPGT_READ), IOPGT_OK);
		level = h.last_level - 1;
		r = table_at(p, level);
		idx = slot_of(r, p);
		esz = tbit(th_eshift(&h, level));
		set_desc(r, idx + 1, get_desc(r, idx));
		TCHECK(iopgt_lookup(&h.pt, p, &m1) == IOPGT_OK, "lookup through the first");
		TCHECK(iopgt_lookup(&h.pt, p + esz, &m2) == IOPGT_OK, "lookup through the second");
		TCHECK(m2.pa == m1.pa && m2.iova == m1.iova + esz, "the second path translates alike");
		th_fini(&h); /* tmem fails on a second free of the shared table */
	}
}

/*
 * Map and unmap of one page keep the table they last reached at hand: the
 * next call in its span skips the walk when every table descriptor on the
 * way still holds what it held. Corrupting one of them, or freeing the
 * table and mapping again, must give what a full walk gives: IOPGT_ERR_CORRUPT
 * with nothing written, or a new table that translates. A request of an
 * entry's size that is not aligned to it is no hit.
 */
static void the_fast_paths_never_use_a_stale_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		const struct bcfg *b = &bcfgs[i];
		const uint64_t g = b->gran, base = bc_base(b), pa = bc_pa_base(b);
		const uint64_t p = base + 16 * g;
		int last;

		bc_th_init(&h, b, 0xcace);
		tctx_set("%s: walk cache", b->name);
		assert_int_equal(th_map(&h, p, pa, g, IOPGT_READ), IOPGT_OK);
		/* walks to P's table and keeps it */
		assert_int_equal(th_map(&h, p + g, pa + g, g, IOPGT_READ), IOPGT_OK);
		last = level_of_last();
		for (int level = h.start_level; level < last; level++) {
			struct tmem_rec *r = table_at(p, level);
			const size_t idx = slot_of(r, p);
			const uint64_t old = get_desc(r, idx);
			struct snap s;
			int rc;

			/* P's path through @level now leads outside table memory */
			set_desc(r, idx, table_desc(h.mem.pa_base - 2 * (h.dsize == 4 ? 0x400 : g)));
			snap_take(&s, &h.mem);
			{
				/* first, while the walk cache still names P's
				 * table: translate takes the path as it is now */
				uint64_t tpa = 0;

				rc = iopgt_translate(&h.pt, p + g, &tpa);
				TCHECK(rc == IOPGT_ERR_CORRUPT, "level %u: translate next to P: %d",
				       level, rc);
			}
			rc = iopgt_map(&h.pt, p + 2 * g, pa + 2 * g, g, IOPGT_READ);
			TCHECK(rc == IOPGT_ERR_CORRUPT, "level %u: map next to P: %d", level, rc);
			rc = iopgt_unmap(&h.pt, p + g, g);
			TCHECK(rc == IOPGT_ERR_CORRUPT, "level %u: unmap next to P: %d", level, rc);
			snap_expect(&s, &h.mem, "calls through a corrupt path");
			snap_free(&s);
			set_desc(r, idx, old);
			/* and back: the fast paths work again */
			assert_int_equal(th_map(&h, p + 2 * g, pa + 2 * g, g, IOPGT_READ), IOPGT_OK);
			{
				uint64_t tpa = 0;

				TCHECK(iopgt_translate(&h.pt, p + 2 * g + 8, &tpa) == IOPGT_OK &&
					       tpa == pa + 2 * g + 8,
				       "level %u: translate after the path is back", level);
			}
			assert_int_equal(th_unmap(&h, p + 2 * g, g), IOPGT_OK);
		}
		/* the table goes (the last page of it), a table elsewhere comes,
		 * maybe at the same address; P's span gets a new one */
		assert_int_equal(th_unmap(&h, p, g), IOPGT_OK);
		assert_int_equal(th_unmap(&h, p + g, g), IOPGT_OK);
		assert_int_equal(th_map(&h, base + tbit(th_eshift(&h, last - 1)), pa, g, IOPGT_READ),
				 IOPGT_OK);
		assert_int_equal(th_map(&h, p, pa + 5 * g, g, IOPGT_READ | IOPGT_WRITE), IOPGT_OK);
		assert_int_equal(th_map(&h, p + g, pa + 6 * g, g, IOPGT_READ), IOPGT_OK);
		assert_int_equal(th_unmap(&h, p, g), IOPGT_OK);
		/* an unmap of a block's size that is not block aligned, in the
		 * cached table of blocks: both blocks it reaches are split */
		{
			const uint64_t blk = tbit(th_eshift(&h, last - 1)), q = base + 2 * blk;

			assert_int_equal(th_map(&h, q, pa + 4 * blk, blk, IOPGT_READ), IOPGT_OK);
			assert_int_equal(th_map(&h, q + blk, pa + 5 * blk, blk, IOPGT_READ), IOPGT_OK);
			assert_int_equal(th_unmap(&h, q + g, blk), IOPGT_OK);
		}
		th_check_all(&h);
		th_fini(&h);
	}
}

/*
 * The walk cache at a root of 2^17 entries (stage 2, 64K granule, IAS 46:
 * 16 concatenated level-2 tables) holding 512M blocks: the index of a hit
 * keeps every bit.
 */
static void the_walk_cache_indexes_a_wide_root(void **state)
{
	static const struct bcfg wide = { "arm64-s2-64k-ias46", IOPGT_FMT_ARM64_S2, 46, 48,
					  0x10000 | 0x20000000, 0, 0x10000 };
	const uint64_t blk = 0x20000000, q = tbit(45), pa = bc_pa_base(&wide);

	(void)state;
	bc_th_init(&h, &wide, 0x46);
	TCHECK(h.pt.levels_ == 2 && h.pt.root_bits_ == 17, "geometry: %u levels, %u root bits",
	       h.pt.levels_, h.pt.root_bits_);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(th_map(&h, q + k * blk, pa + k * blk, blk, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_unmap(&h, q + blk, blk), IOPGT_OK);
	th_check_all(&h);
	th_fini(&h);
}

/*
 * A contiguous bit in a root of two entries (stage 1, 4K granule, IAS 31:
 * the root is level 1, 64 bytes allocated): a run of 16 entries cannot be
 * there, and reading one would run past the root. Every reader refuses it
 * without leaving the root (the sanitizer build checks the reads).
 */
static void a_run_longer_than_the_root_is_corrupt(void **state)
{
	static const struct bcfg small = { "arm64-s1-4k-ias31", IOPGT_FMT_ARM64_S1, 31, 40,
					   0x1000 | 0x10000 | 0x200000 | 0x40000000, 0, 0x1000 };
	struct tmem_rec *root;
	struct iopgt_mapping m;
	struct snap s;
	unsigned n = 0;

	(void)state;
	bc_th_init(&h, &small, 0x31);
	assert_int_equal(th_map(&h, 0x40000000, 0x40000000, 0x40000000, IOPGT_READ), IOPGT_OK);
	root = &h.mem.recs[0];
	TCHECK(h.lg.root_entries == 2 && root->size == 64, "root of %u entries, %zu bytes",
	       h.lg.root_entries, root->size);
	/* every entry of the 64 bytes an agreeing 1G block of the run, those
	 * past the input range included: a reader that took the run as 16
	 * entries would read the 64 bytes after the root */
	for (size_t i = 0; i < 8; i++)
		set_desc(root, i, (get_desc(root, 1) & ~0xffffc0000000ull) | (uint64_t)i << 30 |
			 1ull << 52);
	snap_take(&s, &h.mem);
	TCHECK(iopgt_lookup(&h.pt, 0x40000000, &m) == IOPGT_ERR_CORRUPT, "lookup in the run");
	TCHECK(iopgt_walk(&h.pt, 0, 0, count_leaf, &n) == IOPGT_ERR_CORRUPT, "walk");
	TCHECK(iopgt_unmap(&h.pt, 0x40000000, 0x1000) == IOPGT_ERR_CORRUPT, "unmap splitting it");
	snap_expect(&s, &h.mem, "refused calls");
	snap_free(&s);
	for (size_t i = 0; i < 8; i++)
		set_desc(root, i, i == 1 ? (get_desc(root, 1) & ~(1ull << 52)) : 0);
	th_check_all(&h);
	th_fini(&h);
}

/*
 * v7s: iopgt_translate() answers as the walker does. A small page whose
 * attributes the library never writes (TEX[2] set: a cacheable memory
 * type outside the remap indices) still translates; lookup, which
 * describes the attributes, refuses it. A page table descriptor in a domain
 * other than 0 (the walker faults: only domain 0 is a client) is refused
 * by both.
 */
static void translate_answers_as_the_walker_v7s(void **state)
{
	const struct bcfg *b = &bcfgs[NBCFGS - 3]; /* "v7s" */
	const uint64_t p = bc_base(b) + 16 * 0x1000, pa = bc_pa_base(b);
	struct tmem_rec *l1, *l2;
	struct iopgt_mapping m;
	uint64_t out = 0, old;
	size_t i1, i2;

	(void)state;
	assert_string_equal(b->name, "v7s");
	bc_th_init(&h, b, 0x75);
	assert_int_equal(th_map(&h, p, pa, 0x1000, IOPGT_READ | IOPGT_CACHE), IOPGT_OK);
	l2 = table_at(p, 2);
	i2 = slot_of(l2, p);
	old = get_desc(l2, i2);
	set_desc(l2, i2, old | 1u << 8); /* small page TEX[2] */
	TCHECK(iopgt_translate(&h.pt, p + 0x123, &out) == IOPGT_OK && out == pa + 0x123,
	       "translate of the page: 0x%llx", (unsigned long long)out);
	TCHECK(iopgt_lookup(&h.pt, p, &m) == IOPGT_ERR_CORRUPT, "lookup of the page");
	set_desc(l2, i2, old);
	l1 = table_at(p, 1);
	i1 = slot_of(l1, p);
	old = get_desc(l1, i1);
	set_desc(l1, i1, old | 3u << 5); /* domain 3 */
	TCHECK(iopgt_translate(&h.pt, p, &out) == IOPGT_ERR_CORRUPT, "translate, domain 3");
	TCHECK(iopgt_lookup(&h.pt, p, &m) == IOPGT_ERR_CORRUPT, "lookup, domain 3");
	set_desc(l1, i1, old);
	TCHECK(iopgt_translate(&h.pt, p, &out) == IOPGT_OK && out == pa, "translate restored");
	th_check_all(&h);
	th_fini(&h);
}

/*
 * An unmap of a series of pages reads each of them: a reserved encoding in
 * the middle of the series (its neighbours the pages before and after it)
 * makes it refuse the whole call without writing a byte. The table keeps
 * another mapping, so that the unmap empties nothing and cannot drop the
 * series unread.
 */
static void an_unmap_reads_every_page_of_a_series(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		const struct bcfg *b = &bcfgs[i];
		const uint64_t g = b->gran, p = bc_base(b) + 16 * g, pa = bc_pa_base(b);
		struct tmem_rec *r;
		struct snap s;
		uint64_t old, bad;
		size_t idx;
		int rc;

		bc_th_init(&h, b, 0x5e71e5);
		assert_int_equal(th_map(&h, p, pa, 8 * g, IOPGT_READ | IOPGT_WRITE), IOPGT_OK);
		assert_int_equal(th_map(&h, p + 10 * g, pa + 10 * g, g, IOPGT_READ), IOPGT_OK);
		r = table_at(p + 5 * g, h.last_level);
		idx = slot_of(r, p + 5 * g);
		old = get_desc(r, idx);
		TCHECK(get_desc(r, idx - 1) + g == old && old + g == get_desc(r, idx + 1),
		       "%s: the pages hold consecutive descriptors", b->name);
		if (h.cfg.fmt != IOPGT_FMT_ARMV7S)
			bad = old & ~(uint64_t)2; /* a block type at the last level */
		else
			bad = old | 1u << 8; /* small page TEX[2], never written */
		set_desc(r, idx, bad);
		snap_take(&s, &h.mem);
		rc = iopgt_unmap(&h.pt, p, 8 * g);
		TCHECK(rc == IOPGT_ERR_CORRUPT, "%s: unmap of the series: %d", b->name, rc);
		snap_expect(&s, &h.mem, "the refused unmap");
		snap_free(&s);
		set_desc(r, idx, old);
		assert_int_equal(th_unmap(&h, p, 8 * g), IOPGT_OK);
		th_check_all(&h);
		th_fini(&h);
	}
}

/*
 * One page at a time into empty space and out again, the DMA mapping
 * path's calls: the map makes every table down to the page in one call
 * (the new tables in the first sync call, their link in the second), and
 * the unmap of the last page of a table frees it with each table above it
 * left empty, and no other (the link cleared and synced, the walk flushed,
 * then the frees). Then a leaf table's whole span in one map and one
 * unmap. The harness checks the order of each step; here, which tables
 * are held after each call.
 */
static void one_page_calls_make_and_free_whole_chains(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBCFGS; i++) {
		const struct bcfg *b = &bcfgs[i];
		const uint64_t g = b->gran, p = bc_base(b) + 16 * g, pa = bc_pa_base(b);
		uint64_t root, below, q;

		bc_th_init(&h, b, 0xc4a1);
		root = h.mem.allocs_held;
		below = (uint64_t)(h.last_level - h.start_level); /* tables under the root */
		assert_int_equal(th_map(&h, p, pa, g, IOPGT_READ | IOPGT_WRITE), IOPGT_OK);
		TCHECK(h.mem.allocs_held == root + below, "%s: %llu tables after the first page",
		       b->name, (unsigned long long)h.mem.allocs_held);
		if (h.cfg.sync.fn)
			TCHECK(h.op.syncs == (below ? 2u : 1u), "%s: %u sync calls", b->name, h.op.syncs);
		assert_int_equal(th_map(&h, p + g, pa + g, g, IOPGT_READ), IOPGT_OK);
		assert_int_equal(th_unmap(&h, p, g), IOPGT_OK);
		assert_int_equal(th_unmap(&h, p + g, g), IOPGT_OK);
		TCHECK(h.mem.allocs_held == root, "%s: %llu tables after the last page", b->name,
		       (unsigned long long)h.mem.allocs_held);
		if (below >= 1) {
			/* the whole span of a leaf table in one call into empty
			 * space (one chain of new tables, two sync calls), then
			 * out again in one call that drops the chain */
			const uint64_t span = tbit(th_eshift(&h, h.last_level - 1));
			const uint64_t a = (p + span) & ~(span - 1);

			/* pa one page off: pages, never a block */
			assert_int_equal(th_map(&h, a, pa + g, span, IOPGT_READ), IOPGT_OK);
			TCHECK(h.mem.allocs_held == root + below, "%s: %llu tables, a leaf table's span",
			       b->name, (unsigned long long)h.mem.allocs_held);
			if (h.cfg.sync.fn)
				TCHECK(h.op.syncs == 2, "%s: %u sync calls", b->name, h.op.syncs);
			assert_int_equal(th_unmap(&h, a, span), IOPGT_OK);
			TCHECK(h.mem.allocs_held == root, "%s: %llu tables after the span", b->name,
			       (unsigned long long)h.mem.allocs_held);
		}
		if (below >= 2) {
			/* a page under the same parent, in the next leaf table:
			 * the parent stays when p's leaf table goes */
			q = p + tbit(th_eshift(&h, h.last_level - 1));
			assert_int_equal(th_map(&h, q, pa, g, IOPGT_READ), IOPGT_OK);
			assert_int_equal(th_map(&h, p, pa, g, IOPGT_READ), IOPGT_OK);
			TCHECK(h.mem.allocs_held == root + below + 1, "%s: %llu tables, two leaf tables",
			       b->name, (unsigned long long)h.mem.allocs_held);
			assert_int_equal(th_unmap(&h, p, g), IOPGT_OK);
			TCHECK(h.mem.allocs_held == root + below, "%s: %llu tables, p's leaf table gone",
			       b->name, (unsigned long long)h.mem.allocs_held);
			assert_int_equal(th_unmap(&h, q, g), IOPGT_OK);
			TCHECK(h.mem.allocs_held == root, "%s: %llu tables at the end", b->name,
			       (unsigned long long)h.mem.allocs_held);
		}
		th_check_all(&h);
		th_fini(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(corrupt_descriptors_are_refused_in_every_format),
		cmocka_unit_test(unmap_frees_a_table_holding_a_loop_once),
		cmocka_unit_test(a_table_shared_by_two_descriptors_is_freed_once),
		cmocka_unit_test(the_fast_paths_never_use_a_stale_table),
		cmocka_unit_test(the_walk_cache_indexes_a_wide_root),
		cmocka_unit_test(a_run_longer_than_the_root_is_corrupt),
		cmocka_unit_test(translate_answers_as_the_walker_v7s),
		cmocka_unit_test(an_unmap_reads_every_page_of_a_series),
		cmocka_unit_test(one_page_calls_make_and_free_whole_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
