/* SPDX-License-Identifier: MIT */
/*
 * test_handover_adopt.c - iopgt_detach() and iopgt_adopt() in every format.
 *
 * Every tree the random sequences build is let go by its object, adopted
 * by a second object (which must see the same mappings, statistics and
 * registers, with nothing written, reported or freed), handed back, edited
 * and compacted under the checker, and freed by iopgt_fini() (the test
 * allocator fails on a leak or a double free). The same trees with each
 * kind of corruption of the catalogue planted must give IOPGT_ERR_CORRUPT
 * with zero writes: sync.fn never called, every table byte as before,
 * nothing allocated or freed, the object unusable.
 */
#include "hcommon.h"

static struct th h;
static struct iopgt other;

static uint64_t root_of(void)
{
	if (h.cfg.fmt == IOPGT_FMT_ARMV7S)
		return h.regs.ttbr & ~(uint64_t)0x3fff & 0xffffffffu;
	return h.lg.root_pa;
}

/* a leaf of the other object against the model */
struct wcheck {
	uint64_t bytes, leaves;
};

static int check_leaf(void *ctx, const struct iopgt_leaf *lf)
{
	struct wcheck *w = ctx;
	const struct mchunk *c = model_lookup(&h.md, lf->m.iova - h.base);

	TCHECK(c && c->iova + c->size >= lf->m.iova - h.base + lf->m.size &&
	       c->pa + (lf->m.iova - h.base - c->iova) == lf->m.pa &&
	       h.norm(&h, c->prot) == lf->m.prot,
	       "adopted leaf 0x%llx+0x%llx -> 0x%llx prot 0x%x is not the model's",
	       (unsigned long long)lf->m.iova, (unsigned long long)lf->m.size,
	       (unsigned long long)lf->m.pa, lf->m.prot);
	w->bytes += lf->m.size;
	w->leaves++;
	return 0;
}

/*
 * Let h's tables go and adopt them into @other: nothing written, reported,
 * allocated for good or freed; the same statistics, registers and
 * mappings. Returns the root.
 */
static uint64_t hand_over(void)
{
	struct iopgt_stats st0, st1;
	struct iopgt_regs r0, r1;
	struct iopgt_mapping m;
	struct snap sn;
	struct wcheck w = { 0, 0 };
	uint64_t root = 0, syncs = h.syncs_total, flushes = h.flushes_total;
	uint64_t held = h.mem.allocs_held, bytes = h.mem.bytes_held;
	uint64_t allocs = h.mem.allocs_total, frees = h.mem.frees_total;
	int rc;

	TCHECK(iopgt_get_stats(&h.pt, &st0) == IOPGT_OK, "stats");
	iopgt_get_regs(&h.pt, &r0);
	snap_take(&sn, &h.mem);
	TCHECK(iopgt_detach(&h.pt, NULL) == IOPGT_ERR_INVAL, "detach without a place for the root");
	TCHECK(iopgt_detach(&h.pt, &root) == IOPGT_OK && root == root_of(), "detach");
	TCHECK(iopgt_lookup(&h.pt, h.base, &m) == IOPGT_ERR_INVAL &&
	       iopgt_map(&h.pt, h.base, 0, h.granule, IOPGT_READ) == IOPGT_ERR_INVAL &&
	       iopgt_get_stats(&h.pt, &st1) == IOPGT_ERR_INVAL &&
	       iopgt_detach(&h.pt, &root) == IOPGT_ERR_INVAL,
	       "a detached object still answers");
	iopgt_fini(&h.pt); /* does nothing */
	rc = iopgt_adopt(&other, &h.cfg, root);
	TCHECK(rc == IOPGT_OK, "adopt: %d (%s)", rc, iopgt_strerror(rc));
	snap_expect_tables(&sn, &h.mem, "adopt");
	snap_free(&sn);
	TCHECK(h.syncs_total == syncs && h.flushes_total == flushes, "adopt reported or flushed");
	TCHECK(h.mem.allocs_held == held && h.mem.bytes_held == bytes &&
	       h.mem.allocs_total - allocs == h.mem.frees_total - frees &&
	       h.mem.allocs_total - allocs <= 1,
	       "adopt kept or freed memory (or allocated more than its scratch array)");
	TCHECK(iopgt_get_stats(&other, &st1) == IOPGT_OK && st1.tables == st0.tables &&
	       st1.table_bytes == st0.table_bytes && st1.levels == st0.levels &&
	       st1.start_level == st0.start_level && st1.root_entries == st0.root_entries,
	       "adopted statistics: %llu tables, %llu bytes; the builder's %llu, %llu",
	       (unsigned long long)st1.tables, (unsigned long long)st1.table_bytes,
	       (unsigned long long)st0.tables, (unsigned long long)st0.table_bytes);
	iopgt_get_regs(&other, &r1);
	TCHECK(!memcmp(&r0, &r1, sizeof(r0)), "adopted registers differ");
	TCHECK(iopgt_walk(&other, 0, 0, check_leaf, &w) == IOPGT_OK && w.bytes == h.md.bytes,
	       "the adopted tables map 0x%llx bytes, the model 0x%llx",
	       (unsigned long long)w.bytes, (unsigned long long)h.md.bytes);
	return root;
}

/* and back into h's object (a third owner), which the harness checks */
static void hand_back(void)
{
	uint64_t root = 0;

	TCHECK(iopgt_detach(&other, &root) == IOPGT_OK, "detach the other");
	TCHECK(iopgt_adopt(&h.pt, &h.cfg, root) == IOPGT_OK, "adopt again");
	th_check_all(&h);
}

/*
 * Every tree the random sequences build, in every format: adopted by a
 * second object, handed back, then edited (maps, unmaps, splits,
 * compactions) under the checker, and freed by iopgt_fini.
 */
static void every_tree_is_adopted_by_a_second_object_and_edited(void **state)
{
	(void)state;
	for (size_t k = 0; k < NBCFGS; k++) {
		for (unsigned run = 0; run < 2; run++) {
			const struct bcfg *b = &bcfgs[k];
			const uint64_t seed = test_seed(0xad0b7 + 16 * k + run);
			struct trng r;

			bc_th_init(&h, b, seed);
			trng_seed(&r, seed);
			hc_random_ops(&h, &r, test_iters(40), hc_pa(b));
			th_check_all(&h);
			hand_over();
			hand_back();
			hc_random_ops(&h, &r, test_iters(20), hc_pa(b));
			assert_int_equal(th_compact(&h, h.base, h.range_last - h.base + 1), IOPGT_OK);
			hand_over();
			hand_back();
			th_check_all(&h);
			th_fini(&h); /* the allocator: every table freed once */
		}
	}
}

/* ------------------------------------------------------------------ */
/* the corruption catalogue */

static struct tmem_rec *table_at(uint64_t iova, int level)
{
	for (size_t i = 0; i < h.mem.n; i++) {
		struct tmem_rec *r = &h.mem.recs[i];

		if (r->linked && r->level == level && r->span_first <= iova && iova <= r->span_last)
			return r;
	}
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

/* into the CPU's tables and the walker's view alike */
static void set_desc(struct tmem_rec *r, size_t idx, uint64_t v)
{
	for (unsigned k = 0; k < h.dsize; k++) {
		r->va[idx * h.dsize + k] = (uint8_t)(v >> (8 * k));
		r->img[idx * h.dsize + k] = (uint8_t)(v >> (8 * k));
	}
}

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

enum ckind {
	C_OUTSIDE,    /* a table descriptor to memory phys_to_virt does not map */
	C_RESERVED,   /* a reserved encoding */
	C_SELF,       /* a table descriptor to its own table */
	C_ANCESTOR,   /* ... to its parent */
	C_ROOT,       /* ... into the root */
	C_SHARED,     /* two table descriptors to one table: reached twice */
	C_RUN_PA,     /* a contiguous run whose last entry's output disagrees */
	C_RUN_ALONE,  /* one entry of a run, the run's first entry invalid */
	C_LEAF_BITS,  /* a block with a bit of its address field below its size */
	C_OA,         /* a leaf output beyond the OAS */
	C_TABLE_BITS, /* a table descriptor with bits the library never writes */
	C_PAST_ROOT,  /* a valid descriptor in the root's bytes past its entries */
	C_ROOT_ADDR,  /* a root address that is misaligned */
	C_KINDS
};

static const char *const cnames[] = {
	"outside", "reserved", "self", "ancestor", "root", "shared", "run pa", "run alone",
	"leaf bits", "oa", "table bits", "past root", "root address",
};

/*
 * The tree: pages P and P + g, a contiguous run at the last level (if
 * pgsizes has one), a block of the level above. P's tables at every level
 * below the root exist.
 */
struct tree {
	uint64_t p, run, blk;
	uint64_t run_size, blk_size;
};

static void build(const struct bcfg *b, struct tree *t)
{
	const uint64_t g = b->gran, pa = hc_pa(b);

	t->p = h.base + 16 * g;
	assert_int_equal(th_map(&h, t->p, pa, g, IOPGT_READ), IOPGT_OK);
	assert_int_equal(th_map(&h, t->p + g, pa + g, g, IOPGT_READ), IOPGT_OK);
	t->run_size = hc_run(&h, h.last_level);
	t->run = 0;
	if (t->run_size && t->run_size < hc_esz(&h, h.last_level - 1)) {
		t->run = h.base + 2 * t->run_size;
		if (t->run <= t->p + g)
			t->run = (t->p + 2 * g + t->run_size - 1) & ~(t->run_size - 1);
		assert_int_equal(th_map(&h, t->run, pa + 4 * t->run_size, t->run_size,
					IOPGT_READ | IOPGT_WRITE),
				 IOPGT_OK);
	}
	t->blk_size = h.last_level > h.start_level && hc_block(&h, h.last_level - 1) ?
		      hc_esz(&h, h.last_level - 1) : 0;
	t->blk = 0;
	if (t->blk_size) {
		t->blk = h.base + 2 * t->blk_size;
		assert_int_equal(th_map(&h, t->blk, pa + 2 * t->blk_size, t->blk_size, IOPGT_READ),
				 IOPGT_OK);
	}
}

/* Plant corruption @k; false if the geometry has no place for it. The
 * planted slot and its old value go to *@r, *@idx, *@old (for the root
 * address: *@root). */
static bool plant(const struct tree *t, enum ckind k, struct tmem_rec **rp, size_t *idx,
		  uint64_t *old, uint64_t *root)
{
	const int last = h.last_level;
	const bool v7s = h.cfg.fmt == IOPGT_FMT_ARMV7S;
	struct tmem_rec *r = NULL, *rootrec = tmem_find(&h.mem, root_of());
	uint64_t bad = 0;
	size_t i = 0;

	switch (k) {
	case C_OUTSIDE:
	case C_SELF:
	case C_ROOT:
		if (last - 1 < h.start_level)
			return false;
		r = table_at(t->p, last - 1);
		i = slot_of(r, t->p) + 1;
		bad = k == C_OUTSIDE ? table_desc(h.mem.pa_base - 2 * (v7s ? 0x400 : h.granule)) :
		      k == C_SELF ? table_desc(r->pa) : table_desc(rootrec->pa);
		break;
	case C_ANCESTOR:
		if (last - 1 <= h.start_level)
			return false;
		r = table_at(t->p, last - 1);
		i = slot_of(r, t->p) + 1;
		bad = table_desc(table_at(t->p, last - 2)->pa);
		break;
	case C_SHARED:
		if (last - 1 < h.start_level)
			return false;
		r = table_at(t->p, last - 1);
		i = slot_of(r, t->p) + 1;
		bad = get_desc(r, slot_of(r, t->p));
		break;
	case C_RESERVED:
		r = table_at(t->p, last);
		i = slot_of(r, t->p) + 2;
		bad = v7s ? (get_desc(r, i - 2) & 0xffff0000u) | 0x41 : get_desc(r, i - 2) & ~2ull;
		break;
	case C_RUN_PA:
		if (!t->run)
			return false;
		r = table_at(t->run, last);
		i = slot_of(r, t->run + t->run_size - h.granule);
		/* LPAE: one granule further; v7s: the next large page's base */
		bad = get_desc(r, i) + (v7s ? 0x10000 : h.granule);
		break;
	case C_RUN_ALONE:
		if (!t->run)
			return false;
		r = table_at(t->run, last);
		i = slot_of(r, t->run);
		bad = 0; /* the run's first entry goes: the others stand alone */
		break;
	case C_LEAF_BITS:
		if (!t->blk || v7s)
			return false;
		r = table_at(t->blk, last - 1);
		i = slot_of(r, t->blk);
		bad = get_desc(r, i) | h.granule; /* address bit below the block size */
		break;
	case C_OA:
		if (v7s) {
			if (h.cfg.oas >= 40 || (h.cfg.quirks & IOPGT_QUIRK_MTK_EXT))
				return false;
			/* a supersection at a free place of the root with PA[35:32]
			 * (bits [23:20]) = 1: beyond the OAS. Otherwise canonical:
			 * nG, S, AP[0], TEX[0] (remap index 4), type 0b10, bit 18 */
			r = rootrec;
			i = 0x3f0;
			bad = 0x40000000u | 1u << 20 | 1u << 18 | 1u << 17 | 1u << 16 | 1u << 12 |
			      1u << 10 | 2u;
			break;
		}
		if (h.lg.lpa)
			return false; /* every bit of the field an address bit below 2^52 */
		/* a page whose output has the bit of the OAS set: an address
		 * bit beyond it, or (OAS 48, AArch32 40) no address bit at all */
		r = table_at(t->p, last);
		i = slot_of(r, t->p) + 2;
		bad = get_desc(r, slot_of(r, t->p)) | tbit(h.cfg.oas);
		break;
	case C_TABLE_BITS:
		if (last - 1 < h.start_level)
			return false;
		r = table_at(t->p, last - 1);
		i = slot_of(r, t->p);
		/* LPAE: APTable[0] (bit 61); v7s: a domain in [8:5] */
		bad = get_desc(r, i) | (v7s ? 1u << 5 : tbit(61));
		break;
	case C_PAST_ROOT:
		if (rootrec->size <= (size_t)(v7s ? 0x4000 : h.lg.root_entries * 8))
			return false;
		r = rootrec;
		i = rootrec->size / h.dsize - 1;
		bad = get_desc(r, slot_of(r, t->p)); /* a copy of a live entry */
		break;
	case C_ROOT_ADDR:
		*root = root_of() + (v7s ? 0x400 : 64);
		*rp = NULL;
		return true;
	default:
		return false;
	}
	*rp = r;
	*idx = i;
	*old = get_desc(r, i);
	if (k != C_RUN_ALONE)
		TCHECK(*old != bad, "%s: nothing planted", cnames[k]);
	set_desc(r, i, bad);
	*root = root_of();
	return true;
}

/*
 * Each kind of corruption, planted into a detached tree of every format:
 * iopgt_adopt() refuses it with IOPGT_ERR_CORRUPT and touches nothing;
 * with it removed the same tree is adopted.
 */
static void corrupt_trees_are_refused_with_zero_writes(void **state)
{
	unsigned counts[C_KINDS] = { 0 };

	(void)state;
	for (size_t b = 0; b < NBCFGS; b++) {
		for (int k = 0; k < C_KINDS; k++) {
			struct tree t;
			struct tmem_rec *r;
			struct snap sn;
			struct iopgt_mapping m;
			size_t idx = 0;
			uint64_t old = 0, root = 0, syncs;
			int rc;

			bc_th_init(&h, &bcfgs[b], 0xbad0 + k);
			tctx_set("%s: %s", bcfgs[b].name, cnames[k]);
			build(&bcfgs[b], &t);
			TCHECK(iopgt_detach(&h.pt, &root) == IOPGT_OK, "detach");
			if (!plant(&t, (enum ckind)k, &r, &idx, &old, &root)) {
				TCHECK(iopgt_adopt(&h.pt, &h.cfg, root_of()) == IOPGT_OK, "adopt");
				th_fini(&h);
				continue;
			}
			snap_take(&sn, &h.mem);
			syncs = h.syncs_total;
			rc = iopgt_adopt(&other, &h.cfg, root);
			TCHECK(rc == IOPGT_ERR_CORRUPT, "adopt of a corrupt tree: %d", rc);
			snap_expect(&sn, &h.mem, "a refused adoption");
			TCHECK(h.syncs_total == syncs && h.op.nfl == 0, "a refused adoption reported");
			TCHECK(iopgt_lookup(&other, h.base, &m) == IOPGT_ERR_INVAL &&
			       iopgt_compact(&other, h.base, h.granule) == IOPGT_ERR_INVAL,
			       "the refused object answers");
			iopgt_fini(&other);
			snap_free(&sn);
			counts[k]++;
			if (r)
				set_desc(r, idx, old);
			TCHECK(iopgt_adopt(&h.pt, &h.cfg, root_of()) == IOPGT_OK,
			       "adopt with the corruption removed");
			th_check_all(&h);
			th_fini(&h);
		}
	}
	for (int k = 0; k < C_KINDS; k++) {
		if (getenv("IOPGT_TEST_VERBOSE"))
			printf("%-12s planted in %u configurations\n", cnames[k], counts[k]);
		TCHECK(counts[k] >= (k == C_PAST_ROOT ? 1u : k == C_OA ? 6u : 8u),
		       "%s: planted in only %u configurations", cnames[k], counts[k]);
	}
}

/*
 * More than 64 tables: the check for a table reached twice collects their
 * addresses in one scratch array from cfg.mem. Its allocation failing is
 * IOPGT_ERR_NOMEM with nothing held or changed; a shared table among them
 * is found; the array is given back either way.
 */
static void a_large_tree_is_checked_with_one_scratch_array(void **state)
{
	const struct bcfg *b = &bcfgs[0]; /* AArch64 stage 1, 4K */
	const uint64_t g = b->gran, blk = 0x200000;
	uint64_t root = 0;
	struct tmem_rec *r;
	struct snap sn;
	size_t i;
	uint64_t old;

	(void)state;
	bc_th_init(&h, b, 0x64);
	for (unsigned k = 0; k < 80; k++)
		assert_int_equal(th_map(&h, h.base + k * blk, hc_pa(b) + k * g, g, IOPGT_READ),
				 IOPGT_OK);
	TCHECK(iopgt_detach(&h.pt, &root) == IOPGT_OK, "detach");
	snap_take(&sn, &h.mem);
	h.mem.fail_all = true;
	TCHECK(iopgt_adopt(&other, &h.cfg, root) == IOPGT_ERR_NOMEM, "adopt without memory");
	h.mem.fail_all = false;
	snap_expect_tables(&sn, &h.mem, "adopt without memory");
	snap_free(&sn);
	/* the level-2 table's 80th entry made the 3rd's twin */
	r = table_at(h.base, h.last_level - 1);
	i = slot_of(r, h.base + 79 * blk);
	old = get_desc(r, i);
	set_desc(r, i, get_desc(r, 2));
	snap_take(&sn, &h.mem);
	TCHECK(iopgt_adopt(&other, &h.cfg, root) == IOPGT_ERR_CORRUPT, "a table reached twice");
	snap_expect_tables(&sn, &h.mem, "adopt of a shared table");
	TCHECK(h.mem.allocs_total == h.mem.frees_total + h.mem.allocs_held, "scratch kept");
	snap_free(&sn);
	set_desc(r, i, old);
	TCHECK(iopgt_adopt(&h.pt, &h.cfg, root) == IOPGT_OK, "adopt");
	th_check_all(&h);
	th_fini(&h);
}

/* Bad arguments: the errors of iopgt_init, and nothing held. */
static void adopt_and_detach_refuse_bad_arguments(void **state)
{
	struct iopgt_cfg c;
	uint64_t root = 0;

	(void)state;
	bc_th_init(&h, &bcfgs[0], 0xa4);
	c = h.cfg;
	TCHECK(iopgt_adopt(NULL, &c, root_of()) == IOPGT_ERR_INVAL, "NULL object");
	TCHECK(iopgt_adopt(&other, NULL, root_of()) == IOPGT_ERR_INVAL, "NULL configuration");
	c.ias = 60;
	TCHECK(iopgt_adopt(&other, &c, root_of()) == IOPGT_ERR_INVAL, "IAS 60");
	c = h.cfg;
	c.quirks = IOPGT_QUIRK_S2FWB;
	TCHECK(iopgt_adopt(&other, &c, root_of()) == IOPGT_ERR_NOTSUP, "a stage-2 quirk");
	c = h.cfg;
	c.mem.free = NULL;
	TCHECK(iopgt_adopt(&other, &c, root_of()) == IOPGT_ERR_INVAL, "alloc without free");
	TCHECK(iopgt_detach(NULL, &root) == IOPGT_ERR_INVAL, "detach NULL");
	TCHECK(iopgt_detach(&other, &root) == IOPGT_ERR_INVAL, "detach a refused object");
	/* a root no table is at, or that phys_to_virt does not know */
	TCHECK(iopgt_adopt(&other, &h.cfg, root_of() + 0x10000) == IOPGT_ERR_CORRUPT, "no root");
	TCHECK(iopgt_compact(NULL, h.base, h.granule) == IOPGT_ERR_INVAL, "compact NULL");
	TCHECK(iopgt_compact(&h.pt, h.base + 8, h.granule) == IOPGT_ERR_INVAL &&
	       iopgt_compact(&h.pt, h.base, 0) == IOPGT_ERR_INVAL &&
	       iopgt_compact(&h.pt, h.base, h.granule - 8) == IOPGT_ERR_INVAL,
	       "compact of an unaligned or empty range");
	TCHECK(iopgt_compact(&h.pt, h.range_last + 1 - h.granule, 2 * h.granule) ==
	       IOPGT_ERR_RANGE, "compact past the input range");
	th_fini(&h);
}

/*
 * IOPGT_QUIRK_CONCURRENT: detach gives back the pins' memory, adopt takes
 * new pins (its allocation failing: IOPGT_ERR_NOMEM, nothing held, the
 * tables untouched); calls and compaction work on the adopted tree.
 */
static void adopt_with_concurrent_calls_allowed(void **state)
{
	for (size_t k = 0; k < NBCFGS; k++) {
		const struct bcfg *b = &bcfgs[k];
		struct iopgt_cfg c = bc_cfg(b);
		const uint64_t g = b->gran, base = bc_base(b), pa = hc_pa(b);
		struct iopgt_mapping m;
		struct tmem mem;
		uint64_t root = 0, held, run = 0, at;

		(void)state;
		for (unsigned bit = 63; bit > 0; bit--)
			if ((b->pgsizes & tbit(bit)) && tbit(bit) > g)
				run = tbit(bit); /* the smallest run: at the last level */
		at = base + 2 * run;
		tctx_set("%s: concurrent", b->name);
		c.quirks |= IOPGT_QUIRK_CONCURRENT;
		tmem_init(&mem, bc_pa_base(b), b->oas, 0xcc);
		tmem_hooks(&mem, &c.mem);
		assert_int_equal(iopgt_init(&other, &c), IOPGT_OK);
		for (uint64_t o = 0; o < run; o += g)
			assert_int_equal(iopgt_map(&other, at + o, pa + o, g, IOPGT_READ), IOPGT_OK);
		held = mem.allocs_held;
		assert_int_equal(iopgt_detach(&other, &root), IOPGT_OK);
		TCHECK(mem.allocs_held == held - 1, "the pins stay held");
		mem.fail_at = 1;
		TCHECK(iopgt_adopt(&other, &c, root) == IOPGT_ERR_NOMEM, "adopt, pins failing");
		TCHECK(mem.allocs_held == held - 1, "a failed adopt holds memory");
		assert_int_equal(iopgt_adopt(&other, &c, root), IOPGT_OK);
		TCHECK(mem.allocs_held == held, "adopt took no pins");
		assert_int_equal(iopgt_compact(&other, base, 4 * run), IOPGT_OK);
		assert_int_equal(iopgt_lookup(&other, at + run - g, &m), IOPGT_OK);
		TCHECK(m.pa == pa && m.size == run && m.iova == at, "the pages are a run: 0x%llx",
		       (unsigned long long)m.size);
		assert_int_equal(iopgt_unmap(&other, base, 4 * run), IOPGT_OK);
		iopgt_fini(&other);
		tmem_fini(&mem);
	}
}

/*
 * The built-in allocator (cfg.mem all NULL): the root's address is its
 * CPU address, and the adopted tables go back to the same free() (the
 * sanitizer build checks every free).
 */
static void the_built_in_allocator_hands_over_by_pointer(void **state)
{
	struct iopgt_cfg c = { .fmt = IOPGT_FMT_ARM64_S1, .ias = 48, .oas = 48 };
	struct iopgt_mapping m;
	uint64_t root = 0;

	(void)state;
	tctx_set("built-in allocator");
	assert_int_equal(iopgt_init(&other, &c), IOPGT_OK);
	assert_int_equal(iopgt_map(&other, 0x40000000, 0x80000000, 0x201000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(iopgt_unmap(&other, 0x40001000, 0x1000), IOPGT_OK); /* a split */
	assert_int_equal(iopgt_map(&other, 0x40001000, 0x80001000, 0x1000, IOPGT_READ), IOPGT_OK);
	assert_int_equal(iopgt_detach(&other, &root), IOPGT_OK);
	assert_int_equal(iopgt_adopt(&other, &c, root), IOPGT_OK);
	assert_int_equal(iopgt_compact(&other, 0x40000000, 0x200000), IOPGT_OK);
	assert_int_equal(iopgt_lookup(&other, 0x40001000, &m), IOPGT_OK);
	TCHECK(m.size == 0x200000 && m.pa == 0x80000000, "the block again");
	assert_int_equal(iopgt_unmap(&other, 0x40200000, 0x1000), IOPGT_OK);
	iopgt_fini(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_tree_is_adopted_by_a_second_object_and_edited),
		cmocka_unit_test(corrupt_trees_are_refused_with_zero_writes),
		cmocka_unit_test(a_large_tree_is_checked_with_one_scratch_array),
		cmocka_unit_test(adopt_and_detach_refuse_bad_arguments),
		cmocka_unit_test(adopt_with_concurrent_calls_allowed),
		cmocka_unit_test(the_built_in_allocator_hands_over_by_pointer),
	};

	return cmocka_run_group_tests_name("handover-adopt", tests, NULL, NULL);
}
