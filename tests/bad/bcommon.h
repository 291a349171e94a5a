/* SPDX-License-Identifier: MIT */
/*
 * tests/bad/bcommon.h - what the bad-input, allocation-failure and
 * corrupt-table suites share: the configurations (every format, every
 * granule) and a snapshot of every table byte the test allocator holds.
 */
#ifndef IOPGT_TEST_BCOMMON_H
#define IOPGT_TEST_BCOMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

struct bcfg {
	const char *name;
	enum iopgt_fmt fmt;
	unsigned ias, oas;
	uint64_t pgsizes; /* every size the configuration can produce */
	uint32_t quirks;
	uint64_t gran;
};

static const struct bcfg bcfgs[] = {
	{ "arm64-s1-4k", IOPGT_FMT_ARM64_S1, 48, 48, 0x1000 | 0x10000 | 0x200000 | 0x2000000 | 0x40000000, 0, 0x1000 },
	{ "arm64-s1-16k", IOPGT_FMT_ARM64_S1, 47, 48, 0x4000 | 0x200000 | 0x2000000 | 0x40000000, 0, 0x4000 },
	{ "arm64-s1-64k", IOPGT_FMT_ARM64_S1, 48, 48, 0x10000 | 0x200000 | 0x20000000 | 0x400000000ull, 0, 0x10000 },
	{ "arm64-s1-64k-pa52", IOPGT_FMT_ARM64_S1, 48, 52,
	  0x10000 | 0x200000 | 0x20000000 | 0x400000000ull | 0x40000000000ull, 0, 0x10000 },
	{ "arm64-s1-4k-ttbr1", IOPGT_FMT_ARM64_S1, 39, 40, 0x1000 | 0x200000 | 0x40000000, IOPGT_QUIRK_TTBR1, 0x1000 },
	{ "arm64-s2-4k", IOPGT_FMT_ARM64_S2, 40, 40, 0x1000 | 0x10000 | 0x200000 | 0x40000000, 0, 0x1000 },
	{ "arm64-s2-16k", IOPGT_FMT_ARM64_S2, 40, 44, 0x4000 | 0x200000 | 0x2000000, 0, 0x4000 },
	{ "arm64-s2-64k", IOPGT_FMT_ARM64_S2, 42, 48, 0x10000 | 0x200000 | 0x20000000, 0, 0x10000 },
	/* 52 bits: the LPA2 layout (4K, 16K), FEAT_LVA and FEAT_LPA (64K) */
	{ "arm64-s1-4k-lpa2", IOPGT_FMT_ARM64_S1, 52, 52,
	  0x1000 | 0x10000 | 0x200000 | 0x2000000 | 0x40000000 | 0x8000000000ull, 0, 0x1000 },
	{ "arm64-s1-16k-lpa2", IOPGT_FMT_ARM64_S1, 49, 52,
	  0x4000 | 0x200000 | 0x2000000 | 0x40000000 | 0x1000000000ull, 0, 0x4000 },
	{ "arm64-s1-4k-lpa2-ttbr1", IOPGT_FMT_ARM64_S1, 50, 48,
	  0x1000 | 0x200000 | 0x40000000 | 0x8000000000ull, IOPGT_QUIRK_TTBR1, 0x1000 },
	{ "arm64-s2-4k-lpa2", IOPGT_FMT_ARM64_S2, 50, 52,
	  0x1000 | 0x200000 | 0x40000000 | 0x8000000000ull, 0, 0x1000 },
	{ "arm64-s2-16k-lpa2", IOPGT_FMT_ARM64_S2, 52, 52, 0x4000 | 0x2000000 | 0x1000000000ull, 0,
	  0x4000 },
	{ "arm64-s2-64k-lva", IOPGT_FMT_ARM64_S2, 52, 48, 0x10000 | 0x200000 | 0x20000000, 0,
	  0x10000 },
	{ "arm32-s1", IOPGT_FMT_ARM32_S1, 32, 40, 0x1000 | 0x10000 | 0x200000 | 0x40000000, 0, 0x1000 },
	{ "arm32-s2", IOPGT_FMT_ARM32_S2, 40, 40, 0x1000 | 0x200000 | 0x40000000, 0, 0x1000 },
	{ "v7s", IOPGT_FMT_ARMV7S, 32, 32, V7S_PGSIZES, 0, 0x1000 },
	{ "v7s-pa40", IOPGT_FMT_ARMV7S, 32, 40, V7S_PGSIZES, 0, 0x1000 },
	{ "v7s-mtk", IOPGT_FMT_ARMV7S, 32, 35, V7S_PGSIZES,
	  IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS, 0x1000 },
};
#define NBCFGS (sizeof(bcfgs) / sizeof(bcfgs[0]))

static inline bool bc_v7s(const struct bcfg *b)
{
	return b->fmt == IOPGT_FMT_ARMV7S;
}

static inline struct iopgt_cfg bc_cfg(const struct bcfg *b)
{
	struct iopgt_cfg c;

	memset(&c, 0, sizeof(c));
	c.fmt = b->fmt;
	c.ias = b->ias;
	c.oas = b->oas;
	c.pgsizes = b->pgsizes;
	c.quirks = b->quirks;
	return c;
}

/* first input address of the configuration */
static inline uint64_t bc_base(const struct bcfg *b)
{
	return (b->quirks & IOPGT_QUIRK_TTBR1) ? ~(uint64_t)0 << b->ias : 0;
}

/* the test allocator's walker addresses: v7s tables must sit below 4 GiB */
static inline uint64_t bc_pa_base(const struct bcfg *b)
{
	return bc_v7s(b) ? 0x80000000ull : tbit(b->oas - 1);
}

static inline void bc_th_init(struct th *h, const struct bcfg *b, uint64_t seed)
{
	struct iopgt_cfg c = bc_cfg(b);
	struct th_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.pa_base = bc_pa_base(b);
	tctx_set("%s seed 0x%llx (IOPGT_TEST_SEED)", b->name, (unsigned long long)seed);
	rc = th_init(h, &c, &o, seed);
	TCHECK(rc == IOPGT_OK, "init: %d (%s)", rc, iopgt_strerror(rc));
}

/* Every byte of every table the allocator holds, in pa order. */
struct snap {
	uint8_t *bytes;
	size_t len, n;
	uint64_t allocs_total, frees_total;
};

static inline void snap_take(struct snap *s, const struct tmem *m)
{
	size_t o = 0;

	s->len = 0;
	for (size_t i = 0; i < m->n; i++)
		s->len += m->recs[i].size;
	s->bytes = malloc(s->len ? s->len : 1);
	TCHECK(s->bytes != NULL, "malloc");
	for (size_t i = 0; i < m->n; i++) {
		memcpy(s->bytes + o, m->recs[i].va, m->recs[i].size);
		o += m->recs[i].size;
	}
	s->n = m->n;
	s->allocs_total = m->allocs_total;
	s->frees_total = m->frees_total;
}

/* The tables are byte-identical to the snapshot (and the same tables). */
static inline void snap_expect_tables(const struct snap *s, const struct tmem *m, const char *what)
{
	size_t o = 0;

	TCHECK(m->n == s->n, "%s: %zu tables held, before %zu", what, m->n, s->n);
	for (size_t i = 0; i < m->n; i++) {
		TCHECK(memcmp(s->bytes + o, m->recs[i].va, m->recs[i].size) == 0,
		       "%s: table at pa 0x%llx changed", what, (unsigned long long)m->recs[i].pa);
		o += m->recs[i].size;
	}
}

/* ... and nothing was allocated or freed since. */
static inline void snap_expect(const struct snap *s, const struct tmem *m, const char *what)
{
	snap_expect_tables(s, m, what);
	TCHECK(m->allocs_total == s->allocs_total && m->frees_total == s->frees_total,
	       "%s: allocated or freed table memory", what);
}

static inline void snap_free(struct snap *s)
{
	free(s->bytes);
	s->bytes = NULL;
}

#endif
