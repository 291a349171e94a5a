/* SPDX-License-Identifier: MIT */
/*
 * tests/support/hwsim.c - hardware updates of AF and the dirty state
 * (hwsim.h). Shares no code with lib/; the geometry and the descriptor
 * classes come from the reference walker's decoding of the registers.
 */
#include "hwsim.h"

#define B64(n) ((uint64_t)1 << (n))
#define AF     B64(10)
#define DBM    B64(51)
#define CONT   B64(52)
#define BIT7   B64(7)   /* stage 1 AP[2] (read-only), stage 2 S2AP[1] (write) */
#define ADDR   (((B64(48) - 1) & ~(B64(12) - 1)))  /* output address bits [47:12] */

int hwsim_init(struct hwsim *w, enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
	       struct tmem *mem)
{
	w->mem = mem;
	w->updates = w->retries = 0;
	return refwalk_lpae_geom(fmt, regs, oas, &w->g) == REFWALK_OK ? 0 : -1;
}

/* The descriptor at walker address @pa, for atomic access; NULL: none. */
static uint64_t *slot(struct hwsim *w, uint64_t pa)
{
	struct tmem_rec *r;

	if (!w->mem) /* identity: the built-in allocator's tables */
		return pa && !(pa & 7) ? (uint64_t *)(uintptr_t)pa : NULL;
	r = tmem_find(w->mem, pa);

	if (!r || (pa & 7) || pa + 8 > r->pa + r->size)
		return NULL;
	return (uint64_t *)(void *)(r->va + (pa - r->pa));
}

/* log2 entries of a contiguous run at @level */
static unsigned run_log2(const struct refwalk_lpae_geom *g, int level)
{
	if (g->gshift == 12)
		return 4;
	if (g->gshift == 14)
		return level == 3 ? 7 : 5;
	return 5;
}

static bool writable(const struct refwalk_lpae_geom *g, uint64_t d)
{
	if (g->s2)
		return (d & BIT7) || (g->hd && (d & DBM));
	return !(d & BIT7) || (g->hd && (d & DBM));
}

static bool is_dirty(const struct refwalk_lpae_geom *g, uint64_t d)
{
	return (d & DBM) && ((d & BIT7) != 0) == g->s2;
}

int hwsim_access(struct hwsim *w, uint64_t iova, bool write, uint64_t pick,
		 struct hwsim_hit *hit)
{
	const struct refwalk_lpae_geom *g = &w->g;

	if (iova < g->base || (g->ias < 64 && (iova - g->base) >> g->ias))
		return HWSIM_FAULT;
	for (;;) {
		uint64_t off = iova - g->base, tpa = g->root_pa, d = 0, epa, e, ne;
		int level = g->start_level;
		unsigned entries = g->root_entries, shift;
		uint64_t idx, *p;

		for (;;) {
			uint64_t next = 0;
			int kind;

			shift = refwalk_lpae_entry_shift(g, level);
			idx = (off >> shift) & (entries - 1);
			p = slot(w, tpa + idx * 8);
			if (!p)
				return HWSIM_FAULT;
			d = __atomic_load_n(p, __ATOMIC_ACQUIRE);
			kind = refwalk_lpae_decode(g, level, d, &next);
			if (kind == 1)
				break;
			if (kind != 2 || level == 3)
				return HWSIM_FAULT;
			tpa = next;
			entries = 1u << g->stride;
			level++;
		}
		hit->first = iova & ~(B64(shift) - 1);
		hit->size = B64(shift);
		epa = tpa + idx * 8;
		if (d & CONT) {
			uint64_t n = B64(run_log2(g, level)), first = idx & ~(n - 1);

			hit->first -= (idx - first) << shift;
			hit->size = n << shift;
			epa = tpa + (first + pick % n) * 8;
		}
		if (!(d & AF) && !g->ha)
			return HWSIM_FAULT;
		if (write && !writable(g, d))
			return HWSIM_PERM;
		/* the entry that gets the mark (the translating one, or any of the run) */
		p = slot(w, epa);
		e = __atomic_load_n(p, __ATOMIC_ACQUIRE);
		if (epa != tpa + idx * 8 &&
		    (e & ~(AF | BIT7 | ADDR)) != (d & ~(AF | BIT7 | ADDR))) {
			w->retries++;
			continue; /* the run changed under us: walk again */
		}
		ne = e;
		if (g->ha)
			ne |= AF;
		if (write && g->hd && (e & DBM))
			ne = g->s2 ? ne | BIT7 : ne & ~BIT7;
		hit->marked = ne != e;
		hit->made_dirty = is_dirty(g, ne) && !is_dirty(g, e);
		hit->made_young = (ne & AF) && !(e & AF);
		if (ne != e && !__atomic_compare_exchange_n(p, &e, ne, false, __ATOMIC_ACQ_REL,
							    __ATOMIC_ACQUIRE)) {
			w->retries++;
			continue;
		}
		if (ne != e)
			w->updates++;
		hit->dirty = is_dirty(g, ne);
		return HWSIM_OK;
	}
}
