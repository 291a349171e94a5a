/* SPDX-License-Identifier: MIT */
/*
 * tests/support/image.c - the harness and dirty-range checker (image.h).
 * Uses only the public API; table geometry comes from the registers via the
 * reference walkers' decoding, never from the library's internals.
 */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U64MAX (~(uint64_t)0)

/* ---------------------------------------------------------------- readers */

static uint64_t le_load(const uint8_t *p, unsigned len)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int read_common(struct th *h, bool image, uint64_t pa, unsigned len, uint64_t *val)
{
	struct tmem_rec *r = tmem_find(&h->mem, pa);

	if (!r || (pa & (len - 1)) || pa + len > r->pa + r->size)
		return -1;
	*val = le_load((image && r->img ? r->img : r->va) + (pa - r->pa), len);
	return 0;
}

int th_read_cpu(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	return read_common(ctx, false, pa, len, val);
}

int th_read_image(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	return read_common(ctx, true, pa, len, val);
}

uint64_t th_desc(struct th *h, uint64_t pa)
{
	uint64_t v = 0;

	TCHECK(read_common(h, false, pa, h->dsize, &v) == 0, "no table memory at 0x%llx",
	       (unsigned long long)pa);
	return v;
}

static bool is_lpae(enum iopgt_fmt f)
{
	return f == IOPGT_FMT_ARM64_S1 || f == IOPGT_FMT_ARM64_S2 || f == IOPGT_FMT_ARM32_S1 ||
	       f == IOPGT_FMT_ARM32_S2;
}

static bool is_s2(enum iopgt_fmt f)
{
	return f == IOPGT_FMT_ARM64_S2 || f == IOPGT_FMT_ARM32_S2;
}

static int default_walk(struct th *h, bool image, uint64_t iova, struct refwalk_result *r)
{
	refwalk_read_fn rd = image ? th_read_image : th_read_cpu;

	if (h->cfg.fmt == IOPGT_FMT_ARMV7S)
		return refwalk_v7s(&h->regs, h->cfg.quirks, rd, h, iova, r);
	return refwalk_lpae_ex(h->cfg.fmt, &h->regs, h->cfg.oas, h->cfg.quirks, rd, h, iova, r);
}

int th_walk(struct th *h, bool image, uint64_t iova, struct refwalk_result *r)
{
	return h->walk(h, image, iova, r);
}

uint32_t th_norm_default(const struct th *h, uint32_t prot)
{
	if (h->cfg.fmt == IOPGT_FMT_ARMV7S) {
		uint32_t mem = (prot & IOPGT_MMIO) ? IOPGT_MMIO : (prot & IOPGT_CACHE);

		if (h->cfg.quirks & IOPGT_QUIRK_NO_PERMS)
			return IOPGT_READ | IOPGT_WRITE | mem;
		return IOPGT_READ | (prot & (IOPGT_WRITE | IOPGT_PRIV | IOPGT_NOEXEC)) | mem;
	}
	if (is_s2(h->cfg.fmt))
		prot &= ~IOPGT_PRIV;
	else if (prot & IOPGT_WRITE)
		prot |= IOPGT_READ;
	if (prot & IOPGT_MMIO)
		prot &= ~IOPGT_CACHE;
	return prot;
}

/* Descriptor class at @level: 0 invalid, 1 leaf, 2 table (*next), 3 reserved. */
static int decode(struct th *h, int level, uint64_t d, uint64_t *next)
{
	if (is_lpae(h->cfg.fmt))
		return refwalk_lpae_decode(&h->lg, level, d, next);
	/* v7s: level 1 (1M entries), level 2 (4K entries) */
	if (level == 1) {
		switch (d & 3) {
		case 0:
			return 0;
		case 1:
			*next = d & ~(uint64_t)0x3ff & 0xffffffffu;
			return 2;
		case 2:
			return 1;
		default:
			return 3;
		}
	}
	return (d & 3) ? 1 : 0;
}

/* ---------------------------------------------------------------- sizes */

uint64_t th_lpae_sizes(enum iopgt_fmt fmt, uint64_t gran, unsigned ias, unsigned oas)
{
	unsigned g = gran == 0x1000 ? 12 : gran == 0x4000 ? 14 : 16, s = g - 3;
	unsigned levels = (ias - g + s - 1) / s;

	(void)fmt;
	return th_lpae_sizes_from(gran, ias, oas, 4 - (int)levels);
}

uint64_t th_lpae_sizes_from(uint64_t gran, unsigned ias, unsigned oas, int start)
{
	unsigned g = gran == 0x1000 ? 12 : gran == 0x4000 ? 14 : 16, s = g - 3;
	/* the LPA2 layout (4K, 16K with an address above 48 bits) adds 4K
	 * level-0 and 16K level-1 blocks, without runs (D8.7.1); 64K level-1
	 * blocks come with a 52-bit OA */
	bool ds = g != 16 && (ias > 48 || oas > 48);
	uint64_t out = 0;
	int lvl;

	for (lvl = start; lvl <= 3; lvl++) {
		unsigned sh = g + s * (unsigned)(3 - lvl);
		unsigned cl = 0;
		bool leaf = lvl == 3 || lvl == 2 ||
			    (lvl == 1 && (g == 12 || (g == 14 && ds) || (g == 16 && oas > 48))) ||
			    (lvl == 0 && g == 12 && ds);

		if (!leaf)
			continue;
		if (g == 12)
			cl = lvl >= 1 ? 4 : 0;
		else if (g == 14)
			cl = lvl == 3 ? 7 : lvl == 2 ? 5 : 0;
		else
			cl = lvl >= 2 ? 5 : 0;
		if (sh <= ias)
			out |= tbit(sh);
		if (cl && sh + cl <= ias)
			out |= tbit(sh + cl);
	}
	return out;
}

/* ---------------------------------------------------------------- linking */

static uint64_t word_at(const uint8_t *p, size_t idx, unsigned dsize)
{
	return le_load(p + idx * dsize, dsize);
}

/* the walker's view of a table: the CPU's own bytes for a coherent walker */
static const uint8_t *view(const struct tmem_rec *r)
{
	return r->img ? r->img : r->va;
}

static void link_tree(struct th *h, struct tmem_rec *r, int level, uint64_t first,
		      uint64_t last);

static uint64_t slot_first(struct th *h, struct tmem_rec *r, size_t idx)
{
	return r->span_first + ((uint64_t)idx << th_eshift(h, r->level));
}

static void link_tree(struct th *h, struct tmem_rec *r, int level, uint64_t first,
		      uint64_t last)
{
	size_t i, n = r->size / h->dsize;

	TCHECK(level <= h->last_level, "table linked below the last level");
	r->linked = r->ever_linked = true;
	r->level = level;
	r->span_first = first;
	r->span_last = last;
	for (i = 0; i < n; i++) {
		uint64_t next = 0, f;
		int k = decode(h, level, word_at(view(r), i, h->dsize), &next);

		TCHECK(k != 3, "reserved descriptor 0x%llx at level %d in a table being linked",
		       (unsigned long long)word_at(view(r), i, h->dsize), level);
		if (k != 2)
			continue;
		{
			struct tmem_rec *c = tmem_find(&h->mem, next);

			TCHECK(c && c->pa == next, "table descriptor points to 0x%llx: no table",
			       (unsigned long long)next);
			f = slot_first(h, r, i);
			link_tree(h, c, level + 1, f, f + (tbit(th_eshift(h, level)) - 1));
		}
	}
}

static void unlink_tree(struct th *h, struct tmem_rec *r, uint64_t seq)
{
	size_t i, n = r->size / h->dsize;

	r->linked = false;
	r->unlink_seq = seq;
	for (i = 0; i < n; i++) {
		uint64_t next = 0;

		if (decode(h, r->level, word_at(view(r), i, h->dsize), &next) == 2) {
			struct tmem_rec *c = tmem_find(&h->mem, next);

			if (c && c->pa == next && c->linked)
				unlink_tree(h, c, seq);
		}
	}
}

/* A table about to be published: its bytes (and its sub-tables') must all
 * be in the image already. */
static void check_complete(struct th *h, struct tmem_rec *r, int level, unsigned depth)
{
	size_t i, n = r->size / h->dsize;

	TCHECK(depth < 8, "table loop");
	TCHECK(memcmp(r->img, r->va, r->size) == 0,
	       "table at pa 0x%llx (level %d) published before all its bytes were synced",
	       (unsigned long long)r->pa, level);
	for (i = 0; i < n; i++) {
		uint64_t next = 0;
		int k = decode(h, level, word_at(r->img, i, h->dsize), &next);

		TCHECK(k != 3, "reserved descriptor 0x%llx at level %d of a new table",
		       (unsigned long long)word_at(r->img, i, h->dsize), level);
		if (k == 2) {
			struct tmem_rec *c = tmem_find(&h->mem, next);

			TCHECK(c && c->pa == next, "new table points to 0x%llx: no table",
			       (unsigned long long)next);
			TCHECK(!c->linked, "table at 0x%llx linked twice", (unsigned long long)next);
			check_complete(h, c, level + 1, depth + 1);
		}
	}
}

/* ---------------------------------------------------------------- records */

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return p;
	while (*cap <= n)
		*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	TCHECK(p != NULL, "realloc");
	return p;
}

static void add_event(struct th *h, uint64_t first, uint64_t last, uint64_t seq, bool table)
{
	struct th_event *e;

	if (h->op.nev) {
		e = &h->op.ev[h->op.nev - 1];
		if (e->seq == seq && e->table == table && e->last + 1 == first) {
			e->last = last;
			return;
		}
	}
	h->op.ev = grow(h->op.ev, &h->op.cap_ev, h->op.nev, sizeof(*e));
	e = &h->op.ev[h->op.nev++];
	e->first = first;
	e->last = last;
	e->seq = seq;
	e->table = table;
}

/* [first, last] covered by flushes with after < seq < before (walk: only
 * flush_walk/flush_all count). */
static bool covered(struct th *h, uint64_t first, uint64_t last, uint64_t after, uint64_t before,
		    bool walk)
{
	uint64_t cur = first;
	bool progress = true;

	while (progress) {
		size_t i;

		progress = false;
		for (i = 0; i < h->op.nfl; i++) {
			const struct th_flush *f = &h->op.fl[i];

			if (f->seq <= after || f->seq >= before)
				continue;
			if (walk && f->kind == 2)
				continue;
			if (f->first <= cur && f->last >= cur) {
				if (f->last >= last)
					return true;
				cur = f->last + 1;
				progress = true;
			}
		}
	}
	return false;
}

/* ---------------------------------------------------------------- hooks */

static void on_alloc(void *ctx, struct tmem_rec *r)
{
	struct th *h = ctx;

	h->log.al = grow(h->log.al, &h->log.cap_al, h->log.nal, sizeof(*h->log.al));
	h->log.al[h->log.nal].size = r->size;
	h->log.al[h->log.nal].align = r->align;
	h->log.nal++;
	r->new_op = true;
	if (h->o.hook)
		h->o.hook(h->o.hook_ctx, TH_HOOK_ALLOC, 0, 0, 0);
	if (h->o.coherent)
		return; /* the walker sees the CPU's bytes */
	r->img = malloc(r->size);
	TCHECK(r->img != NULL, "malloc");
	trng_fill(&h->rng, r->img, r->size);
}

/* Coherent walker: is the table at @pa reachable from the root in the
 * CPU's tables (below @r, at @level)? */
static bool reaches(struct th *h, struct tmem_rec *r, int level, uint64_t pa, unsigned depth)
{
	size_t i, n = r->size / h->dsize;

	if (r->pa == pa)
		return true;
	if (depth > 8 || level > h->last_level)
		return false;
	for (i = 0; i < n; i++) {
		uint64_t next = 0;
		struct tmem_rec *c;

		if (decode(h, level, word_at(r->va, i, h->dsize), &next) != 2)
			continue;
		c = tmem_find(&h->mem, next);
		if (c && c->pa == next && reaches(h, c, level + 1, pa, depth + 1))
			return true;
	}
	return false;
}

static uint64_t root_pa(struct th *h);

static void on_free(void *ctx, struct tmem_rec *r)
{
	struct th *h = ctx;
	uint64_t s = ++h->seq;

	(void)s;
	if (h->finishing)
		return;
	if (h->o.coherent) {
		/* no sync calls say when it went: it must be gone now, and a
		 * flush_walk of this call must have covered it */
		TCHECK(!reaches(h, tmem_find(&h->mem, root_pa(h)), h->start_level, r->pa, 0),
		       "table at pa 0x%llx freed while the walker can still reach it",
		       (unsigned long long)r->pa);
		r->unlink_seq = h->op.seq0;
	} else {
		TCHECK(!r->linked,
		       "table at pa 0x%llx (level %d) freed while the walker can still reach it",
		       (unsigned long long)r->pa, r->level);
	}
	if (r->ever_linked && h->cfg.tlb.flush_all)
		TCHECK(covered(h, r->span_first, r->span_last, r->unlink_seq, U64MAX, true),
		       "table at pa 0x%llx (iova 0x%llx-0x%llx) freed without a flush_walk after its "
		       "unlink was synced",
		       (unsigned long long)r->pa, (unsigned long long)r->span_first,
		       (unsigned long long)r->span_last);
}

static void add_flush(struct th *h, int kind, uint64_t iova, uint64_t size, size_t granule)
{
	struct th_flush *f;

	h->flushes_total++;
	if (kind) {
		TCHECK(size > 0, "flush of size 0");
		TCHECK(iova >= h->base && iova + (size - 1) >= iova && iova + (size - 1) <= h->range_last,
		       "flush 0x%llx+0x%llx outside the input range", (unsigned long long)iova,
		       (unsigned long long)size);
		TCHECK(granule >= h->granule && !(granule & (granule - 1)),
		       "flush granule 0x%zx", granule);
		TCHECK(!(iova & (granule - 1)) && !(size & (granule - 1)),
		       "flush 0x%llx+0x%llx not aligned to its granule 0x%zx",
		       (unsigned long long)iova, (unsigned long long)size, granule);
	}
	if (!h->op.active)
		return;
	h->op.fl = grow(h->op.fl, &h->op.cap_fl, h->op.nfl, sizeof(*f));
	f = &h->op.fl[h->op.nfl++];
	f->seq = ++h->seq;
	f->kind = kind;
	f->first = kind ? iova : 0;
	f->last = kind ? iova + (size - 1) : U64MAX;
	f->granule = granule;
}

static void tlb_all(void *ctx)
{
	struct th *h = ctx;

	if (h->mutate != TH_MUT_DROP_FLUSHES)
		add_flush(ctx, 0, 0, 0, 0);
	if (h->o.hook)
		h->o.hook(h->o.hook_ctx, TH_HOOK_FLUSH_ALL, 0, 0, 0);
}

static void tlb_walk(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	struct th *h = ctx;

	if (h->mutate != TH_MUT_DROP_FLUSHES)
		add_flush(ctx, 1, iova, size, granule);
	if (h->o.hook)
		h->o.hook(h->o.hook_ctx, TH_HOOK_FLUSH_WALK, iova, size, granule);
}

static void tlb_leaf(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	struct th *h = ctx;

	if (h->mutate != TH_MUT_DROP_FLUSHES)
		add_flush(ctx, 2, iova, size, granule);
	if (h->o.hook)
		h->o.hook(h->o.hook_ctx, TH_HOOK_FLUSH_LEAF, iova, size, granule);
}

struct change {
	struct tmem_rec *r;
	size_t idx;
	uint64_t old, new_;
};

static void check_samples(struct th *h)
{
	size_t i;

	for (i = 0; i < h->op.nsmp; i++) {
		const struct th_sample *s = &h->op.smp[i];
		struct refwalk_result r;
		int st = th_walk(h, true, s->iova, &r);
		bool same = st == s->st && (st != REFWALK_OK || (r.pa == s->pa && r.prot == s->prot));

		if (same)
			continue;
		if (s->straddle && st == REFWALK_FAULT &&
		    !(h->cfg.quirks & IOPGT_QUIRK_SPLIT_IN_PLACE))
			continue; /* the break-before-make window of a split */
		TCHECK(0,
		       "after sync call %u, iova 0x%llx outside the op translates differently in the "
		       "walker's view: status %d pa 0x%llx prot 0x%x, before: status %d pa 0x%llx "
		       "prot 0x%x%s",
		       h->op.syncs, (unsigned long long)s->iova, st, (unsigned long long)r.pa, r.prot,
		       s->st, (unsigned long long)s->pa, s->prot,
		       s->straddle ? " (in a leaf being split)" : "");
	}
}

static void th_sync_checked(struct th *h, const struct iopgt_range *rg, size_t n);

/* Self-test mutations: what a broken library would report instead. */
static void th_sync(void *ctx, const struct iopgt_range *rg0, size_t n)
{
	struct th *h = ctx;
	struct iopgt_range *rg;
	unsigned call = h->op.syncs;
	size_t j;

	/* the log: what the library reported, before any mutation */
	for (j = 0; j < n; j++) {
		struct th_range *l;

		h->log.rg = grow(h->log.rg, &h->log.cap_rg, h->log.nrg, sizeof(*l));
		l = &h->log.rg[h->log.nrg++];
		l->pa = rg0[j].pa;
		l->len = rg0[j].len;
		l->call = h->log.calls;
	}
	h->log.calls++;

	if (!h->mutate || !h->op.active) {
		th_sync_checked(h, rg0, n);
		return;
	}
	h->mut_buf = grow(h->mut_buf, &h->cap_mut, n + 1, sizeof(*rg));
	rg = h->mut_buf;
	memcpy(rg, rg0, n * sizeof(*rg));
	switch (h->mutate) {
	case TH_MUT_DROP_LAST:
		n--;
		break;
	case TH_MUT_SPLIT_ADJACENT:
		if (rg[n - 1].len >= 2 * h->dsize) {
			rg[n] = rg[n - 1];
			rg[n - 1].len = h->dsize;
			rg[n].va = (uint8_t *)rg[n].va + h->dsize;
			rg[n].pa += h->dsize;
			rg[n].len -= h->dsize;
			n++;
		}
		break;
	case TH_MUT_EXTEND: {
		struct tmem_rec *r = tmem_find(&h->mem, rg[n - 1].pa);

		if (r && !r->new_op && rg[n - 1].pa + rg[n - 1].len + h->dsize <= r->pa + r->size)
			rg[n - 1].len += h->dsize;
		break;
	}
	case TH_MUT_DROP_FIRST_CALL:
		if (call == 0) {
			h->op.syncs++;
			return;
		}
		break;
	case TH_MUT_TOUCH_OUTSIDE: {
		size_t i, k;

		th_sync_checked(h, rg, n);
		/* the first sampled mapped page: make its leaf read-only */
		for (i = 0; i < h->op.nsmp; i++) {
			struct refwalk_result r;

			if (h->op.smp[i].st != REFWALK_OK ||
			    th_walk(h, false, h->op.smp[i].iova, &r) != REFWALK_OK)
				continue;
			for (k = 0; k < h->mem.n; k++) {
				struct tmem_rec *t = &h->mem.recs[k];
				size_t w;

				for (w = 0; w + 8 <= t->size; w += 8) {
					if (le_load(t->va + w, 8) != r.desc)
						continue;
					t->va[w] ^= 0x80; /* AP[2] */
					rg[0].va = t->va + w;
					rg[0].pa = t->pa + w;
					rg[0].len = 8;
					th_sync_checked(h, rg, 1);
					return;
				}
			}
		}
		return;
	}
	default:
		break;
	}
	if (n)
		th_sync_checked(h, rg, n);
	else
		h->op.syncs++;
}

static void th_sync_checked(struct th *h, const struct iopgt_range *rg, size_t n)
{
	uint64_t s = ++h->seq;
	struct change *ch = h->chg;
	size_t nch = 0, i;

	h->syncs_total++;
	h->ranges_total += n;
	if (h->op.active)
		h->op.syncs++;
	TCHECK(n > 0, "sync.fn called with no ranges");
	TCHECK(h->live || !h->root_known, "sync.fn called outside an operation");

	/* the ranges themselves */
	for (i = 0; i < n; i++) {
		struct tmem_rec *r = tmem_find(&h->mem, rg[i].pa);
		size_t off;

		TCHECK(rg[i].len > 0, "range %zu of %zu has length 0", i, n);
		TCHECK(r != NULL, "range pa 0x%llx is no live table memory",
		       (unsigned long long)rg[i].pa);
		off = (size_t)(rg[i].pa - r->pa);
		TCHECK((uint8_t *)rg[i].va == r->va + off,
		       "range va %p and pa 0x%llx disagree with the allocator (va %p)", rg[i].va,
		       (unsigned long long)rg[i].pa, (void *)(r->va + off));
		TCHECK(off + rg[i].len <= r->size, "range pa 0x%llx+%zu runs past its table",
		       (unsigned long long)rg[i].pa, rg[i].len);
		if (i)
			TCHECK((uintptr_t)rg[i].va > (uintptr_t)rg[i - 1].va + rg[i - 1].len,
			       "ranges %zu and %zu are not sorted, disjoint and non-adjacent", i - 1,
			       i);
		h->bytes_synced += rg[i].len;
		if (!r->new_op)
			h->op.touched_old = true;

		/* clause 3 and the descriptors that change */
		{
			size_t w0 = off / h->dsize, w1 = (off + rg[i].len - 1) / h->dsize, w;

			for (w = w0; w <= w1; w++) {
				uint64_t o = word_at(r->img, w, h->dsize);
				uint64_t nw = word_at(r->va, w, h->dsize);

				if (!r->new_op)
					TCHECK(o != nw,
					       "descriptor at pa 0x%llx reported but unchanged (0x%llx)",
					       (unsigned long long)(r->pa + w * h->dsize),
					       (unsigned long long)nw);
				if (!r->linked || o == nw)
					continue;
				ch = h->chg = grow(h->chg, &h->cap_chg, nch, sizeof(*ch));
				ch[nch].r = r;
				ch[nch].idx = w;
				ch[nch].old = o;
				ch[nch].new_ = nw;
				nch++;
			}
		}
	}

	/* tables published by this call must be complete before it */
	for (i = 0; i < nch; i++) {
		uint64_t next = 0;
		int k = decode(h, ch[i].r->level, ch[i].new_, &next);

		TCHECK(k != 3, "reserved descriptor 0x%llx written at level %d (pa 0x%llx)",
		       (unsigned long long)ch[i].new_, ch[i].r->level,
		       (unsigned long long)(ch[i].r->pa + ch[i].idx * h->dsize));
		if (k == 2) {
			struct tmem_rec *c = tmem_find(&h->mem, next);

			TCHECK(c && c->pa == next, "table descriptor 0x%llx points to no table",
			       (unsigned long long)ch[i].new_);
			TCHECK(!c->linked, "table at 0x%llx linked twice", (unsigned long long)next);
			check_complete(h, c, ch[i].r->level + 1, 0);
		}
	}

	/* the walker's view moves on */
	for (i = 0; i < n; i++) {
		struct tmem_rec *r = tmem_find(&h->mem, rg[i].pa);
		size_t off = (size_t)(rg[i].pa - r->pa);

		memcpy(r->img + off, r->va + off, rg[i].len);
	}

	/* links, unlinks, removal events, break-before-make */
	for (i = 0; i < nch; i++) {
		struct tmem_rec *r = ch[i].r;
		int lvl = r->level;
		uint64_t on = 0, nn = 0, first, last, slot = r->pa + ch[i].idx * h->dsize;
		int ko = decode(h, lvl, ch[i].old, &on), kn = decode(h, lvl, ch[i].new_, &nn);
		size_t b;

		first = slot_first(h, r, ch[i].idx);
		last = first + (tbit(th_eshift(h, lvl)) - 1);
		if (ko == 2) {
			struct tmem_rec *c = tmem_find(&h->mem, on);

			if (c && c->pa == on && c->linked)
				unlink_tree(h, c, s);
		}
		if (ko == 1 || ko == 2) {
			add_event(h, first, last, s, ko == 2);
			if (kn == 0) {
				h->op.bbm = grow(h->op.bbm, &h->op.cap_bbm, h->op.nbbm, sizeof(*h->op.bbm));
				h->op.bbm[h->op.nbbm].slot_pa = slot;
				h->op.bbm[h->op.nbbm].first = first;
				h->op.bbm[h->op.nbbm].last = last;
				h->op.bbm[h->op.nbbm].seq = s;
				h->op.nbbm++;
			}
		}
		if (ko == 0 && kn != 0) {
			for (b = 0; b < h->op.nbbm; b++) {
				if (h->op.bbm[b].slot_pa != slot)
					continue;
				if (h->cfg.tlb.flush_all)
					TCHECK(covered(h, first, last, h->op.bbm[b].seq, s, false),
					       "break-before-make: descriptor at pa 0x%llx (iova "
					       "0x%llx) re-made without a TLB flush after the break",
					       (unsigned long long)slot, (unsigned long long)first);
				h->op.bbm[b] = h->op.bbm[--h->op.nbbm];
				break;
			}
		}
		if (kn == 2)
			link_tree(h, tmem_find(&h->mem, nn), lvl + 1, first, last);
	}

	if (h->op.active)
		check_samples(h);
}

/* ---------------------------------------------------------------- ops */

static void add_sample(struct th *h, uint64_t iova)
{
	struct th_sample *s;
	struct refwalk_result r;
	size_t i;

	if (iova < h->base || iova > h->range_last)
		return;
	if (iova >= h->op.first && iova <= h->op.last)
		return;
	if (h->op.nsmp >= sizeof(h->op.smp) / sizeof(h->op.smp[0]))
		return;
	iova &= ~(h->granule - 1);
	for (i = 0; i < h->op.nsmp; i++)
		if (h->op.smp[i].iova == iova)
			return;
	s = &h->op.smp[h->op.nsmp++];
	s->iova = iova;
	s->st = th_walk(h, true, iova, &r);
	s->pa = r.pa;
	s->prot = r.prot;
	s->straddle = false;
	if (s->st == REFWALK_OK) {
		uint64_t lf = iova & ~(r.size - 1), ll = lf + (r.size - 1);

		s->straddle = lf <= h->op.last && ll >= h->op.first;
	}
}

/* the leaf around @iova as the image has it: add its first and last page */
static void add_leaf_edges(struct th *h, uint64_t iova)
{
	struct refwalk_result r;

	if (iova < h->base || iova > h->range_last)
		return;
	if (th_walk(h, true, iova, &r) != REFWALK_OK)
		return;
	add_sample(h, iova & ~(r.size - 1));
	add_sample(h, (iova & ~(r.size - 1)) + (r.size - h->granule));
}

static bool leaf_straddles(struct th *h, uint64_t iova)
{
	struct refwalk_result r;
	uint64_t lf, ll;

	if (th_walk(h, false, iova, &r) != REFWALK_OK)
		return false;
	lf = iova & ~(r.size - 1);
	ll = lf + (r.size - 1);
	return lf < h->op.first || ll > h->op.last;
}

static void op_begin(struct th *h, bool unmap, uint64_t iova, uint64_t size)
{
	size_t i;
	unsigned k;
	bool valid = size && iova >= h->base && iova - h->base < h->range_last - h->base + 1 &&
		     size - 1 <= h->range_last - iova;

	h->ops++;
	h->op.active = true;
	h->op.unmap = unmap;
	h->op.first = iova;
	h->op.last = size ? iova + (size - 1) : iova;
	h->op.seq0 = h->seq;
	h->op.syncs = 0;
	h->op.splits = 0;
	h->op.touched_old = false;
	h->op.nev = h->op.nfl = h->op.nbbm = h->op.nsmp = 0;
	h->log.nrg = h->log.nal = 0;
	h->log.calls = 0;
	h->op.bytes_before = h->mem.bytes_held;
	h->op.allocs_before = h->mem.allocs_held;
	for (i = 0; i < h->mem.n; i++)
		h->mem.recs[i].new_op = false;
	if (!valid)
		return;

	if (unmap) {
		bool a = leaf_straddles(h, iova), b = leaf_straddles(h, h->op.last);
		struct refwalk_result r0, r1;

		h->op.splits = a + b;
		if (a && b && th_walk(h, false, iova, &r0) == REFWALK_OK &&
		    th_walk(h, false, h->op.last, &r1) == REFWALK_OK &&
		    (iova & ~(r0.size - 1)) == (h->op.last & ~(r1.size - 1)))
			h->op.splits = 1; /* one leaf holds the whole range */
	}

	/* samples around the op, in its edge leaves, and random ones */
	add_sample(h, iova - h->granule);
	add_sample(h, iova - 2 * h->granule);
	add_sample(h, h->op.last + 1);
	add_sample(h, h->op.last + 1 + h->granule);
	add_leaf_edges(h, iova);
	add_leaf_edges(h, h->op.last);
	add_leaf_edges(h, iova - h->granule);
	add_leaf_edges(h, h->op.last + 1);
	for (k = 0; k < h->o.samples; k++) {
		uint64_t span = h->range_last - h->base;

		add_sample(h, h->base + trng_below(&h->rng, span));
		if (h->md.n) {
			const struct mchunk *c = &h->md.c[trng_below(&h->rng, h->md.n)];

			add_sample(h, h->base + c->iova + trng_below(&h->rng, c->size));
		}
	}
}

static void op_end(struct th *h, int rc)
{
	size_t i;

	h->op.active = false;
	if (h->o.coherent) {
		/* the walker reads the CPU's tables: follow them again */
		struct tmem_rec *root = tmem_find(&h->mem, root_pa(h));

		for (i = 0; i < h->mem.n; i++)
			h->mem.recs[i].linked = false;
		link_tree(h, root, h->start_level, h->base, h->range_last);
	}
	/* clause 1: the walker's view is the CPU's */
	for (i = 0; i < h->mem.n && !h->o.coherent; i++) {
		struct tmem_rec *r = &h->mem.recs[i];

		if (memcmp(r->img, r->va, r->size)) {
			size_t b = 0;

			while (r->img[b] == r->va[b])
				b++;
			TCHECK(0,
			       "table at pa 0x%llx (%s) differs from the walker's view at byte 0x%zx "
			       "when the call returned: a write was not reported",
			       (unsigned long long)r->pa, r->new_op ? "new" : "old", b);
		}
	}
	/* clause 4 */
	TCHECK(h->op.syncs <= 2 + 2 * h->op.splits, "%u sync calls for an op with %u split(s)",
	       h->op.syncs, h->op.splits);
	h->splits_seen += h->op.splits;

	if (rc != IOPGT_OK) {
		TCHECK(!h->op.touched_old, "failed call (%d) reported writes to existing tables", rc);
		TCHECK(h->mem.bytes_held == h->op.bytes_before && h->mem.allocs_held == h->op.allocs_before,
		       "failed call (%d): %llu bytes in %llu tables held, before %llu in %llu", rc,
		       (unsigned long long)h->mem.bytes_held, (unsigned long long)h->mem.allocs_held,
		       (unsigned long long)h->op.bytes_before,
		       (unsigned long long)h->op.allocs_before);
		for (i = 0; i < h->mem.n; i++)
			TCHECK(!h->mem.recs[i].new_op, "failed call (%d) left a new table", rc);
		TCHECK(h->op.nev == 0, "failed call (%d) removed translations", rc);
		return;
	}
	if (!h->cfg.tlb.flush_all)
		return;
	/* every translation removed inside the op range: flushed after its removal */
	for (i = 0; i < h->op.nev; i++) {
		const struct th_event *e = &h->op.ev[i];
		uint64_t f = e->first > h->op.first ? e->first : h->op.first;
		uint64_t l = e->last < h->op.last ? e->last : h->op.last;

		if (f > l)
			continue;
		TCHECK(h->op.unmap, "map removed a translation at 0x%llx", (unsigned long long)f);
		TCHECK(covered(h, f, l, e->seq, U64MAX, e->table),
		       "removed %s 0x%llx-0x%llx not covered by a %s made after the sync call that "
		       "removed it",
		       e->table ? "table" : "leaf", (unsigned long long)f, (unsigned long long)l,
		       e->table ? "flush_walk" : "TLB flush");
	}
}

/* ---------------------------------------------------------------- checks */

static void expect_mapped(struct th *h, uint64_t iova, const struct mchunk *c)
{
	struct iopgt_mapping m;
	struct refwalk_result r;
	uint64_t off = iova - h->base, pa = c->pa + (off - c->iova);
	uint32_t prot = h->norm(h, c->prot);
	int rc = iopgt_lookup(&h->pt, iova, &m), pass;

	TCHECK(rc == IOPGT_OK, "lookup(0x%llx) = %d, the model maps it", (unsigned long long)iova, rc);
	TCHECK(m.iova <= iova && iova - m.iova < m.size, "lookup(0x%llx) leaf 0x%llx+0x%llx",
	       (unsigned long long)iova, (unsigned long long)m.iova, (unsigned long long)m.size);
	TCHECK(m.pa + (iova - m.iova) == pa, "lookup(0x%llx) pa 0x%llx, model 0x%llx",
	       (unsigned long long)iova, (unsigned long long)(m.pa + (iova - m.iova)),
	       (unsigned long long)pa);
	TCHECK(m.prot == prot, "lookup(0x%llx) prot 0x%x, expected 0x%x", (unsigned long long)iova,
	       m.prot, prot);
	{
		uint64_t tpa = ~0ull;
		int trc = iopgt_translate(&h->pt, iova, &tpa);

		TCHECK(trc == IOPGT_OK && tpa == pa, "translate(0x%llx) = %d, pa 0x%llx, model 0x%llx",
		       (unsigned long long)iova, trc, (unsigned long long)tpa,
		       (unsigned long long)pa);
	}
	TCHECK(m.size && !(m.size & (m.size - 1)) && !((m.iova - h->base) & (m.size - 1)) &&
	       !(m.pa & (m.size - 1)) && m.size >= h->granule,
	       "lookup(0x%llx) leaf 0x%llx+0x%llx -> 0x%llx malformed", (unsigned long long)iova,
	       (unsigned long long)m.iova, (unsigned long long)m.size, (unsigned long long)m.pa);
	if (c->exact)
		TCHECK(m.iova - h->base == c->iova && m.size == c->size,
		       "lookup(0x%llx) leaf 0x%llx+0x%llx, map should have made 0x%llx+0x%llx",
		       (unsigned long long)iova, (unsigned long long)m.iova,
		       (unsigned long long)m.size, (unsigned long long)(h->base + c->iova),
		       (unsigned long long)c->size);
	else
		TCHECK(m.iova - h->base >= c->iova && m.iova - h->base + m.size <= c->iova + c->size,
		       "lookup(0x%llx) leaf 0x%llx+0x%llx reaches outside what is left of the "
		       "mapping 0x%llx+0x%llx",
		       (unsigned long long)iova, (unsigned long long)m.iova,
		       (unsigned long long)m.size, (unsigned long long)(h->base + c->iova),
		       (unsigned long long)c->size);
	for (pass = 0; pass < 2; pass++) {
		int st = th_walk(h, pass, iova, &r);

		TCHECK(st == REFWALK_OK, "refwalk(%s, 0x%llx) = %d, the model maps it",
		       pass ? "image" : "cpu", (unsigned long long)iova, st);
		TCHECK(r.pa == pa, "refwalk(%s, 0x%llx) pa 0x%llx, model 0x%llx", pass ? "image" : "cpu",
		       (unsigned long long)iova, (unsigned long long)r.pa, (unsigned long long)pa);
		TCHECK(r.prot == prot, "refwalk(%s, 0x%llx) prot 0x%x, expected 0x%x",
		       pass ? "image" : "cpu", (unsigned long long)iova, r.prot, prot);
		TCHECK(r.size == m.size, "refwalk(%s, 0x%llx) leaf size 0x%llx, lookup 0x%llx",
		       pass ? "image" : "cpu", (unsigned long long)iova, (unsigned long long)r.size,
		       (unsigned long long)m.size);
	}
}

static void expect_unmapped(struct th *h, uint64_t iova)
{
	struct iopgt_mapping m;
	struct refwalk_result r;
	int rc = iopgt_lookup(&h->pt, iova, &m), pass;

	TCHECK(rc == IOPGT_ERR_NOENT, "lookup(0x%llx) = %d (pa 0x%llx), the model has nothing",
	       (unsigned long long)iova, rc, (unsigned long long)m.pa);
	{
		uint64_t tpa = 0;
		int trc = iopgt_translate(&h->pt, iova, &tpa);

		TCHECK(trc == IOPGT_ERR_NOENT, "translate(0x%llx) = %d (pa 0x%llx), the model has "
		       "nothing", (unsigned long long)iova, trc, (unsigned long long)tpa);
	}
	for (pass = 0; pass < 2; pass++) {
		int st = th_walk(h, pass, iova, &r);

		TCHECK(st == REFWALK_FAULT, "refwalk(%s, 0x%llx) = %d (pa 0x%llx), the model has nothing",
		       pass ? "image" : "cpu", (unsigned long long)iova, st, (unsigned long long)r.pa);
	}
}

void th_check_iova(struct th *h, uint64_t iova)
{
	const struct mchunk *c = model_lookup(&h->md, iova - h->base);

	if (c)
		expect_mapped(h, iova, c);
	else
		expect_unmapped(h, iova);
}

static void check_chunk(struct th *h, const struct mchunk *c)
{
	uint64_t a = h->base + c->iova;

	expect_mapped(h, a, c);
	if (c->size > h->granule) {
		expect_mapped(h, a + c->size - h->granule, c);
		expect_mapped(h, a + ((c->size / 2) & ~(h->granule - 1)), c);
	}
}

struct walk_ctx {
	struct th *h;
	uint64_t bytes, leaves, next;
};

static int walk_cb(void *ctx, const struct iopgt_leaf *lf)
{
	struct walk_ctx *w = ctx;
	struct th *h = w->h;
	const struct mchunk *c = model_lookup(&h->md, lf->m.iova - h->base);

	TCHECK(w->leaves == 0 || lf->m.iova >= w->next, "iopgt_walk out of order at 0x%llx",
	       (unsigned long long)lf->m.iova);
	TCHECK(c != NULL, "iopgt_walk reports leaf 0x%llx+0x%llx the model does not have",
	       (unsigned long long)lf->m.iova, (unsigned long long)lf->m.size);
	TCHECK(lf->m.iova - h->base + lf->m.size <= c->iova + c->size,
	       "leaf 0x%llx+0x%llx reaches past the mapping", (unsigned long long)lf->m.iova,
	       (unsigned long long)lf->m.size);
	expect_mapped(h, lf->m.iova, c);
	if (lf->m.size > h->granule)
		expect_mapped(h, lf->m.iova + lf->m.size - h->granule, c);
	w->bytes += lf->m.size;
	w->leaves++;
	w->next = lf->m.iova + lf->m.size;
	return 0;
}

void th_check_all(struct th *h)
{
	struct walk_ctx w = { h, 0, 0, 0 };
	struct iopgt_stats st;
	size_t i;
	unsigned k;

	TCHECK(iopgt_walk(&h->pt, h->base, 0, walk_cb, &w) == IOPGT_OK, "iopgt_walk failed");
	TCHECK(w.bytes == h->md.bytes, "iopgt_walk found 0x%llx bytes mapped, the model 0x%llx",
	       (unsigned long long)w.bytes, (unsigned long long)h->md.bytes);
	for (i = 0; i < h->md.n; i++)
		check_chunk(h, &h->md.c[i]);
	for (k = 0; k < 16; k++)
		th_check_iova(h, (h->base + trng_below(&h->rng, h->range_last - h->base)) &
				 ~(h->granule - 1));
	TCHECK(iopgt_get_stats(&h->pt, &st) == IOPGT_OK, "get_stats");
	TCHECK(st.table_bytes == h->mem.bytes_held - h->pin_bytes,
	       "stats: %llu table bytes, allocator holds %llu",
	       (unsigned long long)st.table_bytes, (unsigned long long)h->mem.bytes_held);
	TCHECK(st.tables == h->mem.allocs_held - !!h->pin_bytes, "stats: %llu tables, allocator holds %llu",
	       (unsigned long long)st.tables, (unsigned long long)h->mem.allocs_held);
	for (i = 0; i < h->mem.n; i++)
		TCHECK(h->mem.recs[i].linked || h->mem.recs[i].not_table,
		       "table at pa 0x%llx held but unreachable",
		       (unsigned long long)h->mem.recs[i].pa);
}

static void after_op(struct th *h)
{
	if (h->o.check_every != ~0u && h->ops % h->o.check_every == 0)
		th_check_all(h);
}

int th_map(struct th *h, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	bool in_range = size && iova >= h->base && size - 1 <= h->range_last - iova &&
			iova + (size - 1) >= iova;
	bool overlap = in_range && model_overlaps(&h->md, iova - h->base, size);
	int rc;

	tctx_op("#%llu map 0x%llx -> 0x%llx size 0x%llx prot 0x%x", (unsigned long long)h->ops,
		(unsigned long long)iova, (unsigned long long)pa, (unsigned long long)size, prot);
	op_begin(h, false, iova, size);
	rc = iopgt_map(&h->pt, iova, pa, size, prot);
	op_end(h, rc);
	if (rc == IOPGT_OK) {
		size_t i;

		TCHECK(in_range && !overlap, "map succeeded over an existing mapping (or out of range)");
		model_map(&h->md, iova - h->base, pa, size, prot);
		for (i = model_first_after(&h->md, iova - h->base);
		     i < h->md.n && h->md.c[i].iova < iova - h->base + size; i++)
			check_chunk(h, &h->md.c[i]);
	} else if (rc == IOPGT_ERR_EXIST) {
		TCHECK(overlap, "map returned EXIST, the model has nothing there");
	}
	after_op(h);
	return rc;
}

int th_map_sg(struct th *h, uint64_t iova, const struct iopgt_seg *segs, size_t n, uint32_t prot)
{
	uint64_t size = 0;
	bool wraps = false, in_range, overlap;
	int rc;

	for (size_t k = 0; segs && k < n; k++) {
		wraps |= size + segs[k].size < size;
		size += segs[k].size;
	}
	in_range = !wraps && size && iova >= h->base && size - 1 <= h->range_last - iova &&
		   iova + (size - 1) >= iova;
	overlap = in_range && model_overlaps(&h->md, iova - h->base, size);
	tctx_op("#%llu map_sg 0x%llx size 0x%llx in %zu segments prot 0x%x",
		(unsigned long long)h->ops, (unsigned long long)iova, (unsigned long long)size, n,
		prot);
	op_begin(h, false, iova, size);
	rc = iopgt_map_sg(&h->pt, iova, segs, n, prot);
	op_end(h, rc);
	if (rc == IOPGT_OK) {
		uint64_t off = iova - h->base;
		size_t i;

		TCHECK(in_range && !overlap, "map_sg succeeded over an existing mapping (or out of range)");
		for (size_t k = 0; k < n; k++) {
			model_map(&h->md, off, segs[k].pa, segs[k].size, prot);
			off += segs[k].size;
		}
		for (i = model_first_after(&h->md, iova - h->base);
		     i < h->md.n && h->md.c[i].iova < iova - h->base + size; i++)
			check_chunk(h, &h->md.c[i]);
	} else if (rc == IOPGT_ERR_EXIST) {
		TCHECK(overlap, "map_sg returned EXIST, the model has nothing there");
	}
	after_op(h);
	return rc;
}

int th_unmap(struct th *h, uint64_t iova, uint64_t size)
{
	bool in_range = size && iova >= h->base && size - 1 <= h->range_last - iova &&
			iova + (size - 1) >= iova;
	int rc;

	tctx_op("#%llu unmap 0x%llx size 0x%llx", (unsigned long long)h->ops,
		(unsigned long long)iova, (unsigned long long)size);
	op_begin(h, true, iova, size);
	rc = iopgt_unmap(&h->pt, iova, size);
	op_end(h, rc);
	if (rc == IOPGT_OK && in_range) {
		uint64_t off = iova - h->base;
		size_t i;
		unsigned k;

		model_unmap(&h->md, off, size);
		expect_unmapped(h, iova);
		expect_unmapped(h, iova + size - h->granule);
		for (k = 0; k < 4; k++)
			expect_unmapped(h, iova + (trng_below(&h->rng, size) & ~(h->granule - 1)));
		i = model_first_after(&h->md, off);
		if (i > 0)
			check_chunk(h, &h->md.c[i - 1]);
		if (i < h->md.n)
			check_chunk(h, &h->md.c[i]);
	}
	after_op(h);
	return rc;
}

uint64_t th_key(const void *ctx, uint32_t prot)
{
	const struct th *h = ctx;
	uint64_t k = h->norm(h, prot);

	if (is_lpae(h->cfg.fmt) && (prot & IOPGT_MMIO) && (prot & IOPGT_CACHE))
		k |= tbit(32);
	return k;
}

int th_compact(struct th *h, uint64_t iova, uint64_t size)
{
	bool in_range = size && iova >= h->base && size - 1 <= h->range_last - iova &&
			iova + (size - 1) >= iova;
	int rc;

	tctx_op("#%llu compact 0x%llx size 0x%llx", (unsigned long long)h->ops,
		(unsigned long long)iova, (unsigned long long)size);
	op_begin(h, true, iova, size);
	h->op.splits = 0; /* nothing is split: clause 4 allows two sync calls */
	rc = iopgt_compact(&h->pt, iova, size);
	op_end(h, rc);
	if (rc == IOPGT_OK && in_range) {
		uint64_t off = iova - h->base;
		size_t i;

		model_compact(&h->md, off, size, th_key, h);
		for (i = model_first_after(&h->md, off); i < h->md.n && h->md.c[i].iova < off + size;
		     i++)
			check_chunk(h, &h->md.c[i]);
	}
	after_op(h);
	return rc;
}

/* ---------------------------------------------------------------- setup */

static void setup_geometry(struct th *h)
{
	int l;

	if (is_lpae(h->cfg.fmt)) {
		int st = refwalk_lpae_geom(h->cfg.fmt, &h->regs, h->cfg.oas, &h->lg);

		TCHECK(st == REFWALK_OK, "registers select no valid walk (tcr 0x%llx vtcr 0x%llx)",
		       (unsigned long long)h->regs.tcr, (unsigned long long)h->regs.vtcr);
		h->dsize = 8;
		h->start_level = h->lg.start_level;
		h->last_level = 3;
		for (l = h->start_level; l <= 3; l++)
			h->eshift_[l + 1] = refwalk_lpae_entry_shift(&h->lg, l);
		h->base = h->lg.base;
		h->granule = tbit(h->lg.gshift);
		h->range_last = h->lg.base + (tbit(h->lg.ias) - 1);
		TCHECK(h->lg.ias == h->cfg.ias, "registers give %u input bits, configured %u",
		       h->lg.ias, h->cfg.ias);
	} else {
		h->dsize = 4;
		h->start_level = 1;
		h->last_level = 2;
		h->eshift_[2] = 20;
		h->eshift_[3] = 12;
		h->base = 0;
		h->granule = 0x1000;
		h->range_last = 0xffffffffu;
	}
}

static uint64_t root_pa(struct th *h)
{
	if (is_lpae(h->cfg.fmt))
		return h->lg.root_pa;
	return h->regs.ttbr & ~(uint64_t)0x3fff & 0xffffffffu;
}

int th_init(struct th *h, const struct iopgt_cfg *cfg, const struct th_opts *o, uint64_t seed)
{
	struct iopgt_cfg c = *cfg;
	uint64_t pa_base;
	struct tmem_rec *root;
	int rc;

	memset(h, 0, sizeof(*h));
	if (o)
		h->o = *o;
	if (!h->o.samples)
		h->o.samples = 6;
	if (!h->o.check_every)
		h->o.check_every = 64;
	h->seed = seed;
	trng_seed(&h->rng, seed);
	h->walk = default_walk;
	h->norm = th_norm_default;
	pa_base = h->o.pa_base;
	if (!pa_base && c.fmt == IOPGT_FMT_ARMV7S)
		pa_base = tbit(31); /* v7s tables sit below 4 GiB, whatever the oas */
	else if (!pa_base)
		pa_base = tbit((c.oas ? c.oas : 32) - 1);
	tmem_init(&h->mem, pa_base, c.oas ? c.oas : 32, seed);
	h->mem.garbage = !h->o.no_garbage;
	h->mem.on_alloc = on_alloc;
	h->mem.on_free = on_free;
	h->mem.hook_ctx = h;
	tmem_hooks(&h->mem, &c.mem);
	c.sync.fn = h->o.coherent ? NULL : th_sync;
	c.sync.ctx = h;
	if (!h->o.no_tlb) {
		unsigned hk = h->o.tlb_hooks ? h->o.tlb_hooks : 7;

		c.tlb.flush_all = tlb_all; /* the checks need it; flush_walk/leaf fall back to it */
		c.tlb.flush_walk = (hk & 2) ? tlb_walk : NULL;
		c.tlb.flush_leaf = (hk & 4) ? tlb_leaf : NULL;
		c.tlb.ctx = h;
	} else {
		memset(&c.tlb, 0, sizeof(c.tlb));
	}
	h->cfg = c;
	h->dsize = is_lpae(c.fmt) ? 8 : 4;
	model_init(&h->md, c.pgsizes);

	rc = iopgt_init(&h->pt, &c);
	if (rc != IOPGT_OK) {
		TCHECK(h->mem.allocs_held == 0, "failed init (%d) leaked a table", rc);
		tmem_fini(&h->mem);
		model_fini(&h->md);
		th_release(h);
		return rc;
	}
	h->live = true;
	iopgt_get_regs(&h->pt, &h->regs);
	setup_geometry(h);
	if (!h->md.pgsizes) /* the default: the 4K granule's pages and blocks */
		h->md.pgsizes = is_lpae(c.fmt) ? th_lpae_sizes(c.fmt, 0x1000, c.ias, c.oas) &
						  (0x1000u | 0x200000u | 0x40000000u)
						: V7S_PGSIZES;
	root = tmem_find(&h->mem, root_pa(h));
	TCHECK(root && root->pa == root_pa(h), "registers point to 0x%llx: no table",
	       (unsigned long long)root_pa(h));
	if (c.quirks & IOPGT_QUIRK_CONCURRENT) {
		/* the pins: allocated right after the root */
		size_t i;

		for (i = 0; i < h->mem.n; i++)
			if (h->mem.recs[i].pa != root->pa) {
				h->mem.recs[i].not_table = true;
				h->pin_bytes = h->mem.recs[i].size;
			}
		TCHECK(h->pin_bytes == IOPGT_CONCURRENT_BYTES, "pins of %llu bytes",
		       (unsigned long long)h->pin_bytes);
	}
	TCHECK(h->mem.allocs_held == 1 + !!h->pin_bytes, "init holds %llu tables",
	       (unsigned long long)h->mem.allocs_held);
	TCHECK(h->o.coherent || memcmp(root->img, root->va, root->size) == 0,
	       "init did not report every byte of the root");
	link_tree(h, root, h->start_level, h->base, h->range_last);
	h->root_known = true;
	tctx_op("(init done)");
	return IOPGT_OK;
}

void th_fini(struct th *h)
{
	if (h->live) {
		h->finishing = true;
		iopgt_fini(&h->pt);
		h->live = false;
	}
	tmem_fini(&h->mem);
	model_fini(&h->md);
	th_release(h);
}

void th_release(struct th *h)
{
	free(h->op.ev);
	free(h->op.fl);
	free(h->op.bbm);
	free(h->chg);
	free(h->mut_buf);
	free(h->log.rg);
	free(h->log.al);
	h->op.ev = NULL;
	h->log.rg = NULL;
	h->log.al = NULL;
	h->log.nrg = h->log.nal = h->log.cap_rg = h->log.cap_al = 0;
	h->op.fl = NULL;
	h->op.bbm = NULL;
	h->chg = NULL;
	h->mut_buf = NULL;
	h->cap_chg = h->cap_mut = 0;
	h->op.cap_ev = h->op.cap_fl = h->op.cap_bbm = 0;
}
