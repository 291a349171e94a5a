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
 */
#include "publish.h"

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

static int map_tbl(struct op *op, unsigned wl, void *tv, uint64_t tpa, bool fresh,
		   uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct iopgt *pt = op->pt;
	const enum fam F = pt_fam(pt);
	const unsigned s = lvl_shift(pt, wl);
	const uint64_t esz = BIT64(s);
	/* wl < levels_ <= IOPGT_MAXLVL; said again for the compiler's bounds
	 * analysis at -O3 */
	const unsigned c = wl < IOPGT_MAXLVL ? pt->contig_[wl] : 0;
	const uint64_t rsz = c ? BIT64(s + c) : 0;
	const bool leaf_ok = (pt->leaf_lvls_ >> wl) & 1;
	const bool check = !fresh && !op->commit; /* the commit pass trusts the prepare */
	const size_t first = lvl_index(pt, wl, off);
	size_t idx = first;
	int err;

	op->path[wl] = tv;
	if (fresh && !op->commit && wl + 1u == pt->levels_) {
		/* nothing to count in a new last-level table; only whether its
		 * leaves can hold the output range (c_can_leaf()) */
		uint64_t lastpa = pa + size - BIT64(s);

		if (!c_can_leaf(F, pt, wl, pa, false) || !c_can_leaf(F, pt, wl, lastpa, false))
			return IOPGT_ERR_NOTSUP;
		return IOPGT_OK;
	}

	while (size) {
		/* a contiguous run, then a single leaf, then a next-level table */
		if (c && !((off | pa) & (rsz - 1)) && size >= rsz &&
		    c_can_leaf(F, pt, wl, pa, true)) {
			size_t n = (size_t)1 << c;

			if (check && (err = entries_free(F, pt, wl, tv, idx, n)))
				return err;
			put(op, tv, tpa, fresh, idx, n, c_leaf(F, pt, wl, pa, prot, true),
			    c_run_step(F, pt, wl));
			idx += n;
			off += rsz;
			pa += rsz;
			size -= rsz;
			continue;
		}
		if (leaf_ok && !((off | pa) & (esz - 1)) && size >= esz &&
		    c_can_leaf(F, pt, wl, pa, false)) {
			/* a batch of single leaves: up to the table's end, the
			 * size's, the next place a run fits, or where the
			 * format's output address cannot step on */
			size_t n = ((size_t)1 << lvl_bits(pt, wl)) - idx;

			if (n > size >> s)
				n = (size_t)(size >> s);
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
			pa += (uint64_t)n << s;
			size -= (uint64_t)n << s;
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
			err = map_tbl(op, wl + 1, cva, cpa, false, off, pa, chunk, prot);
			if (err)
				return err;
		} else if (k == D_INVALID) {
			void *cva;
			uint64_t cpa;

			take_table(op, &cva, &cpa);
			rec_dirty_new(op, cva, cpa, tbl_size(pt, wl + 1));
			err = map_tbl(op, wl + 1, cva, cpa, true, off, pa, chunk, prot);
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
		pa += chunk;
		size -= chunk;
	}
	if (fresh) {
		/* every entry in [first, idx) was written; clear the rest */
		put_clear(op, tv, 0, first);
		put_clear(op, tv, idx, (size_t)1 << lvl_bits(pt, wl));
	}
	return IOPGT_OK;
}

/* Map [@off, @off + @size) to @pa: prepare, allocate, commit, publish, free. */
int map_passes(struct iopgt *pt, uint64_t off, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct op op;
	int err;

	hint_clear(pt);
	op_init(&op, pt);
	err = map_tbl(&op, 0, pt->root_, pt->root_pa_, false, off, pa, size, prot);
	if (err)
		return err;
	err = op_reserve(&op);
	if (err)
		return err;
	map_tbl(&op, 0, pt->root_, pt->root_pa_, false, off, pa, size, prot);
	op_publish(&op);
	op_free(&op);
	return IOPGT_OK;
}
