/* SPDX-License-Identifier: MIT */
/*
 * lib/compact.c - iopgt_compact(): blocks and contiguous runs formed again
 * where the tables hold what one of them would map.
 *
 * What is replaced, top down, so that the largest leaf wins (the result is
 * that of compacting bottom up, level by level, in one call). In each table
 * the range reaches, at walk level wl:
 *  - an aligned group of entries that pgsizes lets be a contiguous run at
 *    wl, lies inside the range, and whose entries map one physically
 *    contiguous span, aligned to the run's size, with the same attributes,
 *    becomes that run (unless it is one already): its entries may be
 *    leaves of wl that are no run, or tables whose subtrees map their
 *    entry's span so;
 *  - otherwise each table descriptor whose entry lies inside the range and
 *    whose subtree maps its span so, aligned to it, becomes a block at wl
 *    if pgsizes has that size there; a subtree that maps nothing is
 *    dropped (only an adopted tree holds such);
 *  - otherwise the walk goes down into the table.
 * "Maps one span" is a summary computed bottom up (cp_sum_table()): every
 * entry a leaf or such a subtree, output addresses following each other,
 * attributes equal (c_leaf_key()). A new leaf copies the attributes of one
 * of the leaves it replaces (c_retarget()).
 *
 * The walker's state (IOPGT_QUIRK_HW_*: dirty, young) is no attribute:
 * leaves that differ only in it are compacted (the keys compare leaves as
 * c_hw_norm() gives them), and the new leaf is dirty (young) when any leaf
 * it replaces was (c_hw_merge() into the summary's leaf). The walker may
 * mark those leaves until it can no longer reach them: compaction then
 * always breaks before it makes (no INPLACE), parks leaves with a
 * compare-and-swap (put_park_leaf()), and REMAKE, after the flush_walk,
 * reads every replaced leaf as it was left.
 *
 * The same walk (cp_tbl()) runs as several passes:
 *   PREPARE  reads, checks (IOPGT_ERR_CORRUPT, nothing written) and counts
 *            the dirty ranges the commit will record;
 *   PARK     break-before-make: each entry to replace is made invalid by
 *            c_park(), which keeps what it was; recorded in op->r1;
 *   REMAKE   after sync call 1 and one flush_walk over every span replaced
 *            (op_publish_remake()), the walk again, reading parked entries
 *            as they were (c_unpark()), so that it takes the very same
 *            decisions: the new leaves go into exactly the bytes call 1
 *            reported, and each replaced subtree is freed at once (its link
 *            was cleared, synced and flushed: clause 5); sync call 2 gives
 *            the same ranges again;
 *   INPLACE  with IOPGT_QUIRK_SPLIT_IN_PLACE: the new leaves at once (one
 *            sync call), the flush_walk after it, then the replaced
 *            subtrees go, remembered in op records.
 * So the break-before-make records only its dirty ranges (coalesced:
 * neighbouring entries make one) and one TLB record: no table is
 * allocated, and only a range with more separate places to change than
 * the operation's on-stack buffer holds allocates the scratch array
 * (op_reserve(), IOPGT_ERR_NOMEM with nothing changed).
 *
 * Two descriptors pointing to one table (a corrupt tree, which
 * iopgt_adopt() refuses) are not told apart: REMAKE frees such a table at
 * the first, and finds it gone at the second only where phys_to_virt says
 * so (as op_free() does); it then drops that entry if it parked it, and
 * leaves it otherwise. With the identity the table is read after it was
 * freed: the result is undefined, as for iopgt_fini().
 */
#include "publish.h"

enum cmode { CP_PREPARE, CP_PARK, CP_REMAKE, CP_INPLACE };

/* what an entry, or a subtree, maps */
enum { S_EMPTY, S_ONE, S_MIXED };

struct csum {
	int state;
	uint64_t pa;     /* S_ONE: the output address of its first byte */
	uint64_t key;    /* S_ONE: c_leaf_key() of its leaves */
	uint64_t src;    /* S_ONE: one of its leaves, for the new leaf's attributes */
	unsigned src_wl; /* that leaf's walk level */
};

struct cp {
	struct op *op;
	enum cmode mode;
	bool inplace;
	uint64_t lo, hi;   /* the range, offsets from va_base_ */
	uint64_t hlo, hhi; /* the hull of the spans replaced */
	bool any;
};

/* REMAKE: is @va in a range the break recorded (op->r1, sorted, coalesced)? */
static bool parked(const struct op *op, const void *va)
{
	const uintptr_t a = (uintptr_t)va;
	size_t lo = 0, hi = op->n1;

	while (lo < hi) {
		const size_t mid = lo + (hi - lo) / 2;
		const uintptr_t s = (uintptr_t)op->r1[mid].va;

		if (a < s)
			hi = mid;
		else if (a - s >= op->r1[mid].len)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Entry @i of @tv, as it was before the break. */
static uint64_t cp_read(const struct cp *c, unsigned wl, const void *tv, size_t i)
{
	const struct iopgt *pt = c->op->pt;
	const enum fam F = pt_fam(pt);
	const uint64_t d = d_load(F, pt, tv, i);

	if (c->mode == CP_REMAKE && !(d & c_live_bits(F)) &&
	    parked(c->op, (const char *)tv + (i << pt->dshift_)))
		return c_unpark(F, pt, wl, d);
	return d;
}

static int cp_sum_table(struct cp *c, unsigned wl, const void *tv, struct csum *s);

/*
 * What entry @i of @tv (walk level @wl, descriptor @d) maps. @run_end: the
 * end of the run whose entries were checked already (run_agrees()).
 */
static int cp_sum_entry(struct cp *c, unsigned wl, const void *tv, size_t i, uint64_t d,
			struct csum *s, size_t *run_end)
{
	const struct iopgt *pt = c->op->pt;
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	const void *cva;
	bool run;

	s->pa = s->key = s->src = 0;
	s->src_wl = 0;
	switch (c_kind(F, pt, wl, d, &run)) {
	case D_INVALID:
		s->state = S_EMPTY;
		return IOPGT_OK;
	case D_LEAF:
		s->state = S_ONE;
		s->key = c_leaf_key(F, pt, wl, c_hw_norm(F, pt, d));
		s->src = d;
		s->src_wl = wl;
		s->pa = c_leaf_pa(F, pt, wl, d);
		if (run) {
			const size_t n = (size_t)1 << c_run_log2(F, pt, wl), rs = i & ~(n - 1);
			const uint64_t rpa = s->pa & ~(esz * n - 1);

			if (i >= *run_end) {
				if (!run_agrees(pt, wl, tv, rs, n, rpa))
					return IOPGT_ERR_CORRUPT;
				*run_end = rs + n;
			}
			s->pa = rpa + (uint64_t)(i - rs) * esz;
		}
		return IOPGT_OK;
	case D_TABLE:
		cva = tbl_follow(F, pt, wl, d, c->op->path, NULL);
		if (!cva || wl + 1u >= pt->levels_)
			return IOPGT_ERR_CORRUPT;
		return cp_sum_table(c, wl + 1, cva, s);
	default:
		return IOPGT_ERR_CORRUPT;
	}
}

/* What the table @tv at walk level @wl maps (stops at the first mixture). */
static int cp_sum_table(struct cp *c, unsigned wl, const void *tv, struct csum *s)
{
	const struct iopgt *pt = c->op->pt;
	const size_t n = (size_t)1 << lvl_bits(pt, wl);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	size_t run_end = 0;
	int err;

	c->op->path[wl] = tv;
	err = cp_sum_entry(c, wl, tv, 0, cp_read(c, wl, tv, 0), s, &run_end);
	if (err || s->state == S_MIXED)
		return err;
	for (size_t i = 1; i < n; i++) {
		struct csum e;

		err = cp_sum_entry(c, wl, tv, i, cp_read(c, wl, tv, i), &e, &run_end);
		if (err)
			return err;
		if (e.state != s->state ||
			   (e.state == S_ONE && (e.key != s->key || e.pa != s->pa + i * esz))) {
			s->state = S_MIXED;
			return IOPGT_OK;
		}
		s->src = c_hw_merge(pt_fam(pt), pt, s->src, e.src);
	}
	return IOPGT_OK;
}

/* Entry @i of @tv (spanning from @es; descriptor @old, a table at @cva or
 * none) becomes @v. */
static void cp_replace(struct cp *c, unsigned wl, void *tv, uint64_t tpa, size_t i, uint64_t es,
		       uint64_t old, uint64_t v, void *cva, uint64_t cpa)
{
	struct op *op = c->op;
	struct iopgt *pt = op->pt;
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));

	switch (c->mode) {
	case CP_PREPARE: /* counts what PARK or INPLACE records */
	case CP_PARK:
		if (!cva && c_kind(F, pt, wl, old, &(bool){ false }) == D_LEAF)
			put_park_leaf(op, tv, tpa, i, wl, old);
		else
			put(op, tv, tpa, false, i, 1, c_park(F, pt, wl, old), 0);
		if (c->inplace && cva)
			rec_free(op, cva, cpa, wl + 1, es);
		break;
	case CP_INPLACE:
		put(op, tv, tpa, false, i, 1, v, 0);
		if (cva)
			rec_free(op, cva, cpa, wl + 1, es);
		break;
	case CP_REMAKE:
		put_again(op, tv, i, v);
		if (cva)
			pub_free_detached(pt, wl + 1, cva, cpa, op->path);
		break;
	}
	if (!c->any || es < c->hlo)
		c->hlo = es;
	if (!c->any || es + esz > c->hhi)
		c->hhi = es + esz;
	c->any = true;
}

/* The table entry @d: its table, or NULL (REMAKE only: freed already). */
static void *cp_child(struct cp *c, unsigned wl, uint64_t d, uint64_t *cpa)
{
	const struct iopgt *pt = c->op->pt;

	return tbl_follow(pt_fam(pt), pt, wl, d, c->op->path, cpa);
}

/*
 * The aligned group of @n entries from @i (spanning from @es, inside the
 * range): 1 when it is a run now (or was one), 0 when its entries are to
 * be looked at one by one, or an error.
 */
static int cp_group(struct cp *c, unsigned wl, void *tv, uint64_t tpa, size_t i, uint64_t es,
		    size_t n)
{
	const struct iopgt *pt = c->op->pt;
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	struct csum s, e;
	size_t run_end = 0;
	bool run;
	uint64_t d = cp_read(c, wl, tv, i);
	int err;

	if (c_kind(F, pt, wl, d, &run) == D_LEAF && run)
		return 1; /* a run already; nothing below it */
	err = cp_sum_entry(c, wl, tv, i, d, &s, &run_end);
	if (err || s.state != S_ONE)
		return err;
	for (size_t j = 1; j < n; j++) {
		err = cp_sum_entry(c, wl, tv, i + j, cp_read(c, wl, tv, i + j), &e, &run_end);
		if (err)
			return err;
		if (e.state != S_ONE || e.key != s.key || e.pa != s.pa + j * esz)
			return 0;
		s.src = c_hw_merge(F, pt, s.src, e.src);
	}
	if ((s.pa & (esz * n - 1)) || !c_can_leaf(F, pt, wl, s.pa, true))
		return 0;
	for (size_t j = 0; j < n; j++) {
		uint64_t cpa = 0;
		void *cva = NULL;

		d = cp_read(c, wl, tv, i + j);
		if (c_kind(F, pt, wl, d, &run) == D_TABLE)
			cva = cp_child(c, wl, d, &cpa);
		cp_replace(c, wl, tv, tpa, i + j, es + j * esz, d,
			   c_retarget(F, pt, s.src_wl, s.src, wl, s.pa + j * esz, true), cva, cpa);
	}
	return 1;
}

/* Compact what of [@lo, @hi) the table @tv at walk level @wl translates. */
static int cp_tbl(struct cp *c, unsigned wl, void *tv, uint64_t tpa, uint64_t lo, uint64_t hi)
{
	struct iopgt *pt = c->op->pt;
	const enum fam F = pt_fam(pt);
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	const size_t i0 = lvl_index(pt, wl, lo), i1 = lvl_index(pt, wl, hi - 1);
	/* wl < IOPGT_MAXLVL, said again for the compiler's bounds analysis */
	const unsigned cl = wl < IOPGT_MAXLVL ? pt->contig_[wl] : 0;
	const size_t gn = (size_t)1 << cl;
	const bool block_ok = (pt->leaf_lvls_ >> wl) & 1;
	uint64_t es = lo & ~(esz - 1);

	for (size_t i = i0; i <= i1; i++, es += esz) {
		uint64_t d, cpa, clo, chi;
		struct csum s;
		void *cva;
		bool run;
		int err;

		c->op->path[wl] = tv;
		if (cl && !(i & (gn - 1)) && lo <= es && es + esz * gn <= hi) {
			err = cp_group(c, wl, tv, tpa, i, es, gn);
			if (err < 0)
				return err;
			if (err) {
				i += gn - 1;
				es += (gn - 1) * esz;
				continue;
			}
		}
		d = cp_read(c, wl, tv, i);
		switch (c_kind(F, pt, wl, d, &run)) {
		case D_INVALID:
		case D_LEAF:
			continue;
		case D_TABLE:
			break;
		default:
			return IOPGT_ERR_CORRUPT;
		}
		cva = cp_child(c, wl, d, &cpa);
		if (!cva || wl + 1u >= pt->levels_) {
			if (c->mode != CP_REMAKE)
				return IOPGT_ERR_CORRUPT;
			/* freed through another descriptor (see the top): a
			 * parked entry is dropped, anything else left */
			if (parked(c->op, (char *)tv + (i << pt->dshift_)))
				cp_replace(c, wl, tv, tpa, i, es, d, 0, NULL, 0);
			continue;
		}
		if (lo <= es && es + esz <= hi) {
			err = cp_sum_table(c, wl + 1, cva, &s);
			if (err)
				return err;
			if (s.state == S_EMPTY) {
				cp_replace(c, wl, tv, tpa, i, es, d, 0, cva, cpa);
				continue;
			}
			if (s.state == S_ONE && block_ok && !(s.pa & (esz - 1)) &&
			    c_can_leaf(F, pt, wl, s.pa, false)) {
				const uint64_t v = c_retarget(F, pt, s.src_wl, s.src, wl, s.pa, false);

				cp_replace(c, wl, tv, tpa, i, es, d, v, cva, cpa);
				continue;
			}
		}
		clo = lo > es ? lo : es;
		chi = hi < es + esz ? hi : es + esz;
		err = cp_tbl(c, wl + 1, cva, cpa, clo, chi);
		if (err)
			return err;
	}
	return IOPGT_OK;
}

/* The one TLB record: a flush_walk over the hull of every span replaced. */
static void cp_tlb(struct cp *c)
{
	const struct iopgt *pt = c->op->pt;

	rec_tlb(c->op, c->hlo, c->hhi - c->hlo, pt->gshift_, T_WALK, c->inplace);
}

static void cp_remake(void *ctx)
{
	struct cp *c = ctx;
	struct iopgt *pt = c->op->pt;

	c->mode = CP_REMAKE;
	cp_tbl(c, 0, pt->root_, pt->root_pa_, c->lo, c->hi);
}

int compact_passes(struct iopgt *pt, uint64_t off, uint64_t size)
{
	struct op op;
	struct cp c;
	int err;

	hint_clear(pt);
	op_init(&op, pt);
	c.op = &op;
	c.mode = CP_PREPARE;
	/* the walker's marks on what is replaced are final only once it can
	 * no longer reach it: with them, always break before make */
	c.inplace = (pt->quirks_ & IOPGT_QUIRK_SPLIT_IN_PLACE) && !c_hw(pt_fam(pt), pt);
	c.lo = off;
	c.hi = off + size;
	c.hlo = c.hhi = 0;
	c.any = false;
	err = cp_tbl(&c, 0, pt->root_, pt->root_pa_, c.lo, c.hi);
	if (err)
		return err;
	if (!c.any)
		return IOPGT_OK; /* nothing to compact: nothing written */
	cp_tlb(&c);
	err = op_reserve(&op);
	if (err)
		return err;
	c.mode = c.inplace ? CP_INPLACE : CP_PARK;
	c.any = false;
	cp_tbl(&c, 0, pt->root_, pt->root_pa_, c.lo, c.hi);
	cp_tlb(&c);
	if (c.inplace)
		op_publish(&op);
	else
		op_publish_remake(&op, cp_remake, &c);
	op_free(&op);
	return IOPGT_OK;
}
