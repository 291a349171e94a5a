/* SPDX-License-Identifier: MIT */
/*
 * tests/lpae/lcommon.h - configurations shared by the long-descriptor suites.
 */
#ifndef IOPGT_TEST_LCOMMON_H
#define IOPGT_TEST_LCOMMON_H

#include <stdio.h>
#include <string.h>

#include "image.h" /* and, through tutil.h, the SZ_* sizes */

struct lcfg {
	enum iopgt_fmt fmt;
	uint64_t gran;
	unsigned ias, oas;
	uint32_t quirks;
};

static inline const char *fmt_name(enum iopgt_fmt f)
{
	switch (f) {
	case IOPGT_FMT_ARM64_S1:
		return "arm64-s1";
	case IOPGT_FMT_ARM64_S2:
		return "arm64-s2";
	case IOPGT_FMT_ARM32_S1:
		return "arm32-s1";
	case IOPGT_FMT_ARM32_S2:
		return "arm32-s2";
	default:
		return "v7s";
	}
}

static inline bool lc_s2(const struct lcfg *l)
{
	return l->fmt == IOPGT_FMT_ARM64_S2 || l->fmt == IOPGT_FMT_ARM32_S2;
}

static inline void lc_ctx(const struct lcfg *l, uint64_t seed)
{
	tctx_set("%s gran 0x%llx ias %u oas %u quirks 0x%x seed 0x%llx (IOPGT_TEST_SEED)",
		 fmt_name(l->fmt), (unsigned long long)l->gran, l->ias, l->oas, l->quirks,
		 (unsigned long long)seed);
}

/*
 * The start level the library chose: stage 2 may concatenate tables at a
 * deeper level than stage 1 would start at, which removes the sizes of the
 * levels above. Probed from the registers of a granule-only configuration,
 * checked to be a walk the architecture can do.
 */
static inline int lc_start_level(const struct lcfg *l)
{
	struct iopgt_cfg c;
	struct iopgt pt;
	struct tmem m;
	struct iopgt_regs r;
	struct refwalk_lpae_geom g;
	int rc;

	memset(&c, 0, sizeof(c));
	c.fmt = l->fmt;
	c.ias = l->ias;
	c.oas = l->oas;
	c.quirks = l->quirks & ~(uint32_t)IOPGT_QUIRK_NO_SPLIT;
	c.pgsizes = l->gran;
	tmem_init(&m, tbit(l->oas - 1), l->oas, 1);
	tmem_hooks(&m, &c.mem);
	rc = iopgt_init(&pt, &c);
	TCHECK(rc == IOPGT_OK, "init with the granule alone: %d (%s)", rc, iopgt_strerror(rc));
	iopgt_get_regs(&pt, &r);
	rc = refwalk_lpae_geom(l->fmt, &r, l->oas, &g);
	TCHECK(rc == REFWALK_OK,
	       "the registers describe no walk the architecture can do (tcr 0x%llx vtcr 0x%llx)",
	       (unsigned long long)r.tcr, (unsigned long long)r.vtcr);
	iopgt_fini(&pt);
	tmem_fini(&m);
	return g.start_level;
}

/* a cfg with every size the configuration can produce */
static inline struct iopgt_cfg lc_cfg(const struct lcfg *l)
{
	struct iopgt_cfg c;

	lc_ctx(l, 0);
	memset(&c, 0, sizeof(c));
	c.fmt = l->fmt;
	c.ias = l->ias;
	c.oas = l->oas;
	c.quirks = l->quirks;
	c.pgsizes = th_lpae_sizes(l->fmt, l->gran, l->ias, l->oas);
	if (l->fmt == IOPGT_FMT_ARM64_S2 || l->fmt == IOPGT_FMT_ARM32_S2)
		c.pgsizes = th_lpae_sizes_from(l->gran, l->ias, l->oas, lc_start_level(l));
	return c;
}

/* valid prot combinations, cycled through by the tests */
static const uint32_t lc_prots[] = {
	IOPGT_READ,
	IOPGT_READ | IOPGT_WRITE,
	IOPGT_WRITE,
	IOPGT_READ | IOPGT_CACHE,
	IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE | IOPGT_NOEXEC,
	IOPGT_READ | IOPGT_MMIO,
	IOPGT_READ | IOPGT_WRITE | IOPGT_PRIV,
	IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO | IOPGT_CACHE | IOPGT_NOEXEC,
	IOPGT_READ | IOPGT_NOEXEC | IOPGT_PRIV | IOPGT_CACHE,
};
#define LC_NPROTS (sizeof(lc_prots) / sizeof(lc_prots[0]))

/* After everything was unmapped: only the root is held. */
static inline void lc_expect_root_only(struct th *h)
{
	struct iopgt_stats st;

	TCHECK(iopgt_get_stats(&h->pt, &st) == IOPGT_OK, "stats");
	TCHECK(st.tables == 1 && h->mem.allocs_held == 1,
	       "after unmapping everything %llu tables are held (allocator: %llu)",
	       (unsigned long long)st.tables, (unsigned long long)h->mem.allocs_held);
	TCHECK(st.table_bytes == h->mem.recs[0].size,
	       "after unmapping everything table_bytes %llu, the root is %zu bytes",
	       (unsigned long long)st.table_bytes, h->mem.recs[0].size);
	TCHECK(h->mem.recs[0].size == (size_t)h->lg.root_entries * 8 ||
	       (h->lg.root_entries * 8 < 64 && h->mem.recs[0].size == 64),
	       "root of %zu bytes for %u entries", h->mem.recs[0].size, h->lg.root_entries);
}

#endif
