/* SPDX-License-Identifier: MIT */
/*
 * lib/map.c - map: the prepare and commit passes (publish.h) over the
 * format's geometry.
 *
 * map_tbl() fills one table: at each entry a contiguous run if the
 * alignment of iova and pa and the remaining size allow one, else single
 * leaves, else a next-level table (the one that is there, or a new one from
 * the pool). A new table is recorded whole when it is taken, its entries are
 * stored without records, and its link goes into a live table as a deferred
 * store (put_late), after the first sync call has made the table visible.
 *
 * The output addresses come from a list of segments (iopgt_map_sg(); one
 * for iopgt_map()), so that a scattered list is one walk, one prepare and
 * commit, and one publication.
 */
#include "publish.h"

/*
 * Where the output addresses come from: the segments of the call (one for
 * iopgt_map()) and the part of the current one not mapped yet. A leaf
 * never spans two segments; a table may.
 */
struct sg_cur {
	const struct iopgt_seg *seg, *end;
	uint64_t pa;   /* the next output address */
	uint64_t left; /* bytes of the current segment from there */
};

static void cur_start(struct sg_cur *c, const struct iopgt_seg *segs, size_t n)
{
	c->seg = segs;
	c->end = segs + n;
	c->pa = segs->pa;
	c->left = segs->size;
}

/* @bytes (at most c->left) mapped: on to the next output address */
IOPGT_INLINE void cur_take(struct sg_cur *c, uint64_t bytes)
{
	c->pa += bytes;
	c->left -= bytes;
	if (!c->left && c->seg + 1 < c->end) {
		c->seg++;
		c->pa = c->seg->pa;
		c->left = c->seg->size;
	}
}

/* prepare: are the @n entries of @tv from @idx free to map? */
static int entries_free(enum fam F, const struct iopgt *pt, unsigned wl, const void *tv,
			size_t idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool run;
		enum dkind k = c_kind(F, pt, wl, d_load(F, pt, tv, idx + i), &run);

		if (k == D_BAD)
			return IOPGT_ERR_CORRUPT;
		if (k != D_INVALID)
			return IOPGT_ERR_EXIST;
	}
	return IOPGT_OK;
}

/* prepare, a new last-level table: nothing to count, only whether its
 * leaves can hold the output addresses of the next @size bytes */
static int leaves_can_hold(enum fam F, const struct iopgt *pt, unsigned wl, struct sg_cur *cur,
			   uint64_t size)
{
	const uint64_t esz = BIT64(lvl_shift(pt, wl));
	struct sg_cur c = *cur; /* a local: stores elsewhere cannot alias it */

	while (size) {
		uint64_t n = size < c.left ? size : c.left;

		if (!c_can_leaf(F, pt, wl, c.pa, false) || !c_can_leaf(F, pt, wl, c.pa + n - esz, false))
			return IOPGT_ERR_NOTSUP;
		cur_take(&c, n);
		size -= n;
	}
	*cur = c;
	return IOPGT_OK;
}

/*
 * The last level where no contiguous run is allowed: pages, each stored
 * with the output address the segments give it, the attributes encoded
 * once. Scattered segments of a page each cost one store here.
 */
static int map_pages(struct op *op, unsigned wl, void *tv, uint64_t tpa, bool fresh,
		     uint64_t off, uint64_t size, struct sg_cur *cur, uint32_t prot)
{
	const struct iopgt *pt = op->pt;
	const enum fam F = pt_fam(pt);
	const unsigned s = lvl_shift(pt, wl);
	const size_t first = lvl_index(pt, wl, off), n = (size_t)(size >> s);
	size_t i = first;
	uint64_t attrs;
	int err;

	if (!op->commit) {
		if (!fresh && (err = entries_free(F, pt, wl, tv, first, n)))
			return err;
		err = leaves_can_hold(F, pt, wl, cur, size);
		if (err)
			return err;
		put_span(op, tv, tpa, fresh, first, n);
		return IOPGT_OK;
	}
	attrs = c_leaf(F, pt, wl, 0, prot, false);
	{
		struct sg_cur c = *cur; /* a local: the stores cannot alias it */

		while (size) {
			const uint64_t bytes = size < c.left ? size : c.left;

			for (uint64_t pa = c.pa, end = c.pa + bytes; pa != end; pa += BIT64(s))
				put_val(F, tv, i++, attrs | c_leaf_addr(F, pt, wl, pa));
			cur_take(&c, bytes);
			size -= bytes;
		}
		*cur = c;
	}
	put_span(op, tv, tpa, fresh, first, n);
	if (fresh) {
		put_clear(op, tv, 0, first);
		put_clear(op, tv, i, (size_t)1 << lvl_bits(pt, wl));
	}
	return IOPGT_OK;
}

static int map_tbl(struct op *op, unsigned wl, void *tv, uint64_t tpa, bool fresh,
		   uint64_t off, uint64_t size, struct sg_cur *cur, uint32_t prot)
{
	struct iopgt *pt = op->pt;
	const enum fam F = pt_fam(pt);
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	/* wl < levels_ <= IOPGT_MAXLVL; said again for the compiler's bounds
	 * analysis at -O3 (map_tbl() returns at once otherwise) */
	const unsigned c = wl < IOPGT_MAXLVL ? pt->contig_[wl] : 0;
	const uint64_t rsz = c ? BIT64(s + c) : 0;
	const bool leaf_ok = (pt->leaf_lvls_ >> wl) & 1;
	const bool check = !fresh && !op->commit; /* the commit pass trusts the prepare */
	const size_t first = lvl_index(pt, wl, off);
	size_t idx = first;
	int err;

	if (wl >= IOPGT_MAXLVL)
		return IOPGT_ERR_CORRUPT;
	op->path[wl] = tv;
	if (wl + 1u == pt->levels_ && !c && leaf_ok)
		return map_pages(op, wl, tv, tpa, fresh, off, size, cur, prot);
	if (fresh && !op->commit && wl + 1u == pt->levels_)
		return leaves_can_hold(F, pt, wl, cur, size);

	while (size) {
		const uint64_t pa = cur->pa;
		/* output bytes contiguous from pa within this table's part */
		const uint64_t avail = size < cur->left ? size : cur->left;

		/* a contiguous run, then a single leaf, then a next-level table */
		if (c && !((off | pa) & (rsz - 1)) && avail >= rsz &&
		    c_can_leaf(F, pt, wl, pa, true)) {
			size_t n = (size_t)1 << c;

			if (check && (err = entries_free(F, pt, wl, tv, idx, n)))
				return err;
			put(op, tv, tpa, fresh, idx, n, c_leaf(F, pt, wl, pa, prot, true),
			    c_run_step(F, pt, wl));
			idx += n;
			off += rsz;
			size -= rsz;
			cur_take(cur, rsz);
			continue;
		}
		if (leaf_ok && !((off | pa) & (esz - 1)) && avail >= esz &&
		    c_can_leaf(F, pt, wl, pa, false)) {
			/* a batch of single leaves: up to the table's end, the
			 * segment's, the next place a run fits, or where the
			 * format's output address cannot step on */
			size_t n = ((size_t)1 << lvl_bits(pt, wl)) - idx;

			if (n > avail >> s)
				n = (size_t)(avail >> s);
			if (c && !((off ^ pa) & (rsz - 1))) {
				size_t to_run = (size_t)(((rsz - (off & (rsz - 1))) & (rsz - 1)) >> s);

				if (to_run && to_run < n)
					n = to_run;
			}
			n = c_batch(F, pt, wl, pa, n);
			if (check && (err = entries_free(F, pt, wl, tv, idx, n)))
				return err;
			put(op, tv, tpa, fresh, idx, n, c_leaf(F, pt, wl, pa, prot, false), esz);
			idx += n;
			off += (uint64_t)n << s;
			size -= (uint64_t)n << s;
			cur_take(cur, (uint64_t)n << s);
			continue;
		}

		/* next level */
		uint64_t chunk = esz - (off & (esz - 1));
		uint64_t d = fresh ? 0 : d_load(F, pt, tv, idx);
		bool run;
		enum dkind k = c_kind(F, pt, wl, d, &run);

		if (chunk > size)
			chunk = size;
		if (wl + 1u >= pt->levels_)
			return IOPGT_ERR_NOTSUP; /* no leaf can hold this output address */
		if (k == D_TABLE) {
			uint64_t cpa;
			void *cva = tbl_follow(F, pt, wl, d, op->path, &cpa);

			if (!cva)
				return IOPGT_ERR_CORRUPT;
			err = map_tbl(op, wl + 1, cva, cpa, false, off, chunk, cur, prot);
			if (err)
				return err;
		} else if (k == D_INVALID) {
			void *cva;
			uint64_t cpa;

			take_table(op, &cva, &cpa);
			rec_dirty_new(op, cva, cpa, tbl_size(pt, wl + 1));
			err = map_tbl(op, wl + 1, cva, cpa, true, off, chunk, cur, prot);
			if (err)
				return err;
			if (fresh)
				put(op, tv, tpa, true, idx, 1, c_table(F, pt, wl, cpa), 0);
			else
				put_late(op, tv, tpa, idx, c_table(F, pt, wl, cpa));
		} else if (k == D_LEAF) {
			return IOPGT_ERR_EXIST;
		} else {
			return IOPGT_ERR_CORRUPT;
		}
		idx++;
		off += chunk;
		size -= chunk;
	}
	if (fresh) {
		/* every entry in [first, idx) was written; clear the rest */
		put_clear(op, tv, 0, first);
		put_clear(op, tv, idx, (size_t)1 << lvl_bits(pt, wl));
	}
	return IOPGT_OK;
}

/*
 * Map [@off, @off + @size) to the @n segments @segs (their sizes add up to
 * @size): prepare, allocate, commit, publish, free.
 */
int map_passes(struct iopgt *pt, uint64_t off, uint64_t size, const struct iopgt_seg *segs,
	       size_t n, uint32_t prot)
{
	struct sg_cur cur;
	struct op op;
	int err;

	hint_clear(pt);
	op_init(&op, pt);
	cur_start(&cur, segs, n);
	err = map_tbl(&op, 0, pt->root_, pt->root_pa_, false, off, size, &cur, prot);
	if (err)
		return err;
	err = op_reserve(&op);
	if (err)
		return err;
	cur_start(&cur, segs, n);
	map_tbl(&op, 0, pt->root_, pt->root_pa_, false, off, size, &cur, prot);
	op_publish(&op);
	op_free(&op);
	return IOPGT_OK;
}
