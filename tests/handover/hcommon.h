/* SPDX-License-Identifier: MIT */
/*
 * tests/handover/hcommon.h - what the adoption and compaction suites share:
 * the leaf sizes of each level of a configuration, read from the harness'
 * geometry (the registers), and random map/unmap sequences over windows
 * of a few of the largest leaves, in every format.
 */
#ifndef IOPGT_TEST_HCOMMON_H
#define IOPGT_TEST_HCOMMON_H

#include "bcommon.h"

/* bytes one entry at architectural @level translates */
static inline uint64_t hc_esz(const struct th *h, int level)
{
	return tbit(th_eshift(h, level));
}

/* the contiguous-run size at @level that pgsizes holds, or 0 */
static inline uint64_t hc_run(const struct th *h, int level)
{
	uint64_t lo = hc_esz(h, level);
	uint64_t hi = level > h->start_level ? hc_esz(h, level - 1) : h->range_last - h->base;

	for (unsigned b = 0; b < 64; b++)
		if ((h->cfg.pgsizes & tbit(b)) && tbit(b) > lo && tbit(b) < hi)
			return tbit(b);
	return 0;
}

/* is a block (or page) of @level's entry size in pgsizes? */
static inline bool hc_block(const struct th *h, int level)
{
	return (h->cfg.pgsizes & hc_esz(h, level)) != 0;
}

/* the output address of the tests' mappings: v7s pages need 32 bits */
static inline uint64_t hc_pa(const struct bcfg *b)
{
	return bc_v7s(b) ? 0x40000000ull : tbit(b->oas - 2);
}

/* protections whose leaves are alike in every format */
static const uint32_t hc_prots[] = {
	IOPGT_READ,
	IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE,
	IOPGT_READ | IOPGT_WRITE | IOPGT_NOEXEC,
	IOPGT_READ | IOPGT_MMIO,
	IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO | IOPGT_CACHE,
	IOPGT_READ | IOPGT_PRIV | IOPGT_CACHE,
};
#define HC_NPROTS (sizeof(hc_prots) / sizeof(hc_prots[0]))

/*
 * A random sequence of maps and unmaps (partial ones split leaves) in a
 * window of four of the largest leaves at the bottom of the input range:
 * pages and blocks, often next to each other with output addresses that
 * continue, so that compaction has something to do.
 */
static inline void hc_random_ops(struct th *h, struct trng *r, unsigned nops, uint64_t pa0)
{
	uint64_t sizes[64], window, base = h->base;
	unsigned ns = 0;

	for (unsigned b = 0; b < 64; b++)
		if ((h->cfg.pgsizes & tbit(b)) && tbit(b) <= 0x400000000ull &&
		    tbit(b) <= (h->range_last - h->base) / 8)
			sizes[ns++] = tbit(b);
	window = 4 * sizes[ns - 1];
	for (unsigned i = 0; i < nops; i++) {
		uint64_t unit = sizes[trng_below(r, ns)], iova, size, pa;
		uint32_t prot = hc_prots[trng_below(r, 4) ? 1 : trng_below(r, HC_NPROTS)];
		int rc;

		size = unit * (1 + trng_below(r, 4));
		iova = base + trng_below(r, window / unit) * unit;
		if (iova - base + size > window)
			size = window - (iova - base);
		if (trng_below(r, 3) == 0) {
			/* a piece: splits what it cuts; often mapped again at
			 * once as its neighbour continues (in one call, or page
			 * by page) */
			uint64_t g = h->granule, n = 1 + trng_below(r, 8);
			const struct mchunk *c;

			iova += g * trng_below(r, unit / g);
			if (iova - base + n * g > window)
				iova = base + window - n * g;
			c = iova > base ? model_lookup(&h->md, iova - base - g) : NULL;
			rc = th_unmap(h, iova, n * g);
			TCHECK(rc == IOPGT_OK || rc == IOPGT_ERR_NOTSUP, "unmap: %d", rc);
			if (!c || rc || trng_below(r, 3) == 0)
				continue;
			pa = c->pa + (iova - base - c->iova);
			prot = c->prot;
			if (trng_below(r, 2)) {
				(void)th_map(h, iova, pa, n * g, prot);
				continue;
			}
			for (uint64_t o = 0; o < n * g; o += g)
				(void)th_map(h, iova + o, pa + o, g, prot);
			continue;
		}
		/* the output address continues the input's: neighbours join */
		pa = pa0 + (iova - base);
		if (trng_below(r, 8) == 0)
			pa += h->granule * trng_below(r, 4);
		if (trng_below(r, 4) == 0) {
			/* the holes of what is there, page by page */
			for (uint64_t o = 0; o < size && o < 64 * h->granule; o += h->granule)
				(void)th_map(h, iova + o, pa + o, h->granule, prot);
			continue;
		}
		rc = th_map(h, iova, pa, size, prot);
		TCHECK(rc == IOPGT_OK || rc == IOPGT_ERR_EXIST || rc == IOPGT_ERR_NOTSUP,
		       "map: %d", rc);
	}
}

#endif
