/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/driver.c - decode a fuzz input into a configuration and a
 * sequence of calls, and check every result (driver.h).
 *
 * Input layout (bytes past the end read as 0):
 *   configuration: format, granule, ias, oas, pgsizes and quirks, each from
 *   one or more bytes, with some modes that produce invalid values; a byte
 *   that may make the root allocation fail;
 *   then steps of one opcode byte and its arguments, until the input ends
 *   or 96 steps ran.
 *
 * Every call goes through the test harness (image.h), which checks the
 * dirty-range contract at every sync call and the model after every
 * successful map/unmap; this file adds the expected error of each call,
 * computed independently from the arguments, and the checks of lookup,
 * walk, dump and format_leaf against the model. The step that may corrupt
 * one descriptor (as the last step; then every reader and writer must
 * refuse it without writing anything) may instead compact a range or let
 * the tables go and adopt them again.
 */
#include "driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

int fuzz_verbose;

#define MAX_STEPS 96

struct rd {
	const uint8_t *p;
	size_t n, i;
};

static uint64_t rd_n(struct rd *r, unsigned k)
{
	uint64_t v = 0;

	for (unsigned j = 0; j < k; j++) {
		uint64_t b = r->i < r->n ? r->p[r->i++] : 0;

		v |= b << (8 * j);
	}
	return v;
}

static unsigned u8(struct rd *r)
{
	return (unsigned)rd_n(r, 1);
}

static unsigned u16(struct rd *r)
{
	return (unsigned)rd_n(r, 2);
}

static bool is_a32(enum iopgt_fmt f)
{
	return f == IOPGT_FMT_ARM32_S1 || f == IOPGT_FMT_ARM32_S2;
}

static bool is_s2(enum iopgt_fmt f)
{
	return f == IOPGT_FMT_ARM64_S2 || f == IOPGT_FMT_ARM32_S2;
}

/* ------------------------------------------------------------ configuration */

struct expect_init {
	bool inval, notsup; /* an error of that class is certain */
	bool nosplit_pair;  /* NO_SPLIT with SPLIT_IN_PLACE */
	bool hw;            /* HW_DIRTY or HW_ACCESS: NOTSUP with sync.fn set */
};

static uint32_t lpae_quirks_of(enum iopgt_fmt f)
{
	uint32_t q = IOPGT_QUIRK_OUTER_WBWA | IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE |
		     IOPGT_QUIRK_CONCURRENT;

	if (!is_s2(f))
		q |= IOPGT_QUIRK_NS;
	if (f == IOPGT_FMT_ARM64_S1)
		q |= IOPGT_QUIRK_TTBR1;
	if (f == IOPGT_FMT_ARM64_S2)
		q |= IOPGT_QUIRK_S2FWB;
	if (!is_a32(f))
		q |= IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS;
	return q;
}

#define V7S_QUIRKS (IOPGT_QUIRK_NS | IOPGT_QUIRK_MTK_EXT | IOPGT_QUIRK_NO_PERMS | \
		    IOPGT_QUIRK_NO_SPLIT | IOPGT_QUIRK_SPLIT_IN_PLACE | IOPGT_QUIRK_CONCURRENT)

static uint32_t decode_quirks(struct rd *r, uint32_t allowed)
{
	unsigned m = u8(r) % 4;
	uint32_t q = 0;

	if (m == 1 || m == 2) {
		q = u8(r) & allowed;
		if ((q & IOPGT_QUIRK_NO_SPLIT) && (q & IOPGT_QUIRK_SPLIT_IN_PLACE))
			q &= (m == 1) ? ~(uint32_t)IOPGT_QUIRK_NO_SPLIT
				      : ~(uint32_t)IOPGT_QUIRK_SPLIT_IN_PLACE;
		if (q & IOPGT_QUIRK_MTK_EXT)
			q |= IOPGT_QUIRK_NO_PERMS;
	} else if (m == 3) {
		q = u8(r);
		if (u8(r) == 0xff)
			q |= 1u << (8 + u8(r) % 24);
	}
	return q;
}

static void decode_lpae(struct rd *r, struct iopgt_cfg *c, struct expect_init *e)
{
	unsigned b = u8(r), g, gb, ib, ob, pm;
	static const unsigned oas_a64[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t full, gran;
	bool geom_ok;

	if ((b & 0xf0) == 0xf0)
		c->fmt = (enum iopgt_fmt)((b & 1) ? 0 : 6 + ((b >> 1) & 7));
	else
		c->fmt = (enum iopgt_fmt)(1 + (b & 3));
	gb = u8(r);
	g = (gb % 3 == 0) ? 12 : (gb % 3 == 1) ? 14 : 16;
	if (is_a32(c->fmt) && !(gb & 0x80))
		g = 12;
	ib = u8(r);
	if ((ib & 0xc0) == 0xc0)
		c->ias = ib & 0x3f;
	else if (is_a32(c->fmt))
		c->ias = 25 + ib % (is_s2(c->fmt) ? 16 : 8);
	else
		c->ias = 25 + ib % 28; /* up to 52 bits: FEAT_LVA, FEAT_LPA2 */
	ob = u8(r);
	if ((ob & 0xe0) == 0xe0)
		c->oas = ob & 0x3f;
	else if (is_a32(c->fmt))
		c->oas = 32 + ob % 9;
	else
		c->oas = oas_a64[ob % 7];

	gran = tbit(g);
	geom_ok = c->ias >= 25 && c->ias <= 52 && c->oas >= 32 && c->oas <= 52;
	full = geom_ok ? th_lpae_sizes(c->fmt, gran, c->ias, c->oas) : gran;
	pm = u8(r) % 8;
	switch (pm) {
	case 0:
		c->pgsizes = 0;
		break;
	case 1:
		c->pgsizes = gran;
		break;
	case 2:
	case 3:
		c->pgsizes = full;
		break;
	case 4:
	case 5:
		c->pgsizes = (full & rd_n(r, 8)) | gran;
		break;
	case 6:
		c->pgsizes = full | tbit(u8(r) % 64);
		break;
	default:
		c->pgsizes = rd_n(r, 8);
		break;
	}
	c->quirks = decode_quirks(r, c->fmt >= 1 && c->fmt <= 4 ? lpae_quirks_of(c->fmt) : 0);

	/* what the header documents */
	memset(e, 0, sizeof(*e));
	if (c->fmt < IOPGT_FMT_ARM64_S1 || c->fmt > IOPGT_FMT_ARM32_S2) {
		e->inval = true;
		return;
	}
	if (c->quirks & ~(uint32_t)IOPGT_QUIRK_ALL)
		e->inval = true;
	if (c->quirks & IOPGT_QUIRK_ALL & ~lpae_quirks_of(c->fmt))
		e->notsup = true;
	if ((c->quirks & IOPGT_QUIRK_NO_SPLIT) && (c->quirks & IOPGT_QUIRK_SPLIT_IN_PLACE))
		e->nosplit_pair = true;
	if (c->quirks & (IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS))
		e->hw = true;
	{
		uint64_t p = c->pgsizes ? c->pgsizes : 0x1000;
		uint64_t low = p & (~p + 1);

		if (low != 0x1000 && low != 0x4000 && low != 0x10000)
			e->inval = true;
		else if (is_a32(c->fmt) && low != 0x1000)
			e->notsup = true;
		gran = low;
	}
	if (is_a32(c->fmt)) {
		if (c->ias < 25 || c->ias > (is_s2(c->fmt) ? 40u : 32u) || c->oas < 32 || c->oas > 40)
			e->inval = true;
	} else {
		/* every granule up to 52 bits in and out (LPA2 with 4K and
		 * 16K, LVA and LPA with 64K); OAS 49..51 is no PARange */
		if (c->ias < 25 || c->ias > 52)
			e->inval = true;
		if (c->oas < 32 || (c->oas > 48 && c->oas != 52))
			e->inval = true;
	}
	/* a size no level of this granule can produce */
	if (!e->inval && !e->notsup && c->pgsizes &&
	    (c->pgsizes & ~th_lpae_sizes(c->fmt, gran, c->ias, c->oas)))
		e->inval = true;
}

static void decode_v7s(struct rd *r, struct iopgt_cfg *c, struct expect_init *e)
{
	unsigned b = u8(r), pm;
	static const unsigned oas_v7s[] = { 32, 32, 33, 34, 35, 36, 40 };
	uint64_t sizes;
	unsigned max_oas;

	c->fmt = b == 0xff ? (enum iopgt_fmt)0 : IOPGT_FMT_ARMV7S;
	b = u8(r);
	c->ias = (b & 0xf0) == 0xf0 ? (b & 0x3f) : 32;
	b = u8(r);
	c->oas = (b & 0xf0) == 0xf0 ? (b & 0x3f) : oas_v7s[b % 7];
	pm = u8(r) % 8;
	switch (pm) {
	case 0:
		c->pgsizes = 0;
		break;
	case 1:
		c->pgsizes = 0x1000;
		break;
	case 2:
	case 3:
		c->pgsizes = V7S_PGSIZES;
		break;
	case 4:
	case 5:
		c->pgsizes = (V7S_PGSIZES & rd_n(r, 8)) | 0x1000;
		break;
	case 6:
		c->pgsizes = V7S_PGSIZES | tbit(u8(r) % 64);
		break;
	default:
		c->pgsizes = (u8(r) & 1) ? tbit(14 + 2 * (u8(r) & 1)) : rd_n(r, 8);
		break;
	}
	c->quirks = decode_quirks(r, V7S_QUIRKS);

	memset(e, 0, sizeof(*e));
	if (c->fmt != IOPGT_FMT_ARMV7S) {
		e->inval = true;
		return;
	}
	sizes = c->pgsizes ? c->pgsizes : V7S_PGSIZES;
	if (c->quirks & ~(uint32_t)IOPGT_QUIRK_ALL)
		e->inval = true;
	if (c->quirks & IOPGT_QUIRK_ALL & ~(uint32_t)V7S_QUIRKS)
		e->notsup = true;
	if ((c->quirks & IOPGT_QUIRK_MTK_EXT) && !(c->quirks & IOPGT_QUIRK_NO_PERMS))
		e->notsup = true;
	if ((c->quirks & IOPGT_QUIRK_NO_SPLIT) && (c->quirks & IOPGT_QUIRK_SPLIT_IN_PLACE))
		e->nosplit_pair = true;
	if (c->ias != 32)
		e->inval = true;
	{
		uint64_t low = sizes & (~sizes + 1);

		if (low == 0x4000 || low == 0x10000)
			e->notsup = true;
		else if (low != 0x1000 || (sizes & ~V7S_PGSIZES))
			e->inval = true;
	}
	max_oas = (c->quirks & IOPGT_QUIRK_MTK_EXT) ? 35 : (sizes & 0x1000000) ? 40 : 32;
	if (c->oas < 32 || c->oas > max_oas)
		e->inval = true;
}

static bool init_error_ok(const struct expect_init *e, int rc)
{
	if (rc == IOPGT_ERR_INVAL)
		return e->inval || e->nosplit_pair;
	if (rc == IOPGT_ERR_NOTSUP)
		return e->notsup;
	return false;
}

/* ------------------------------------------------------------ the steps */

static struct th H;

struct fz {
	struct th *h;
	struct rd *r;
	enum fuzz_family fam;
	uint64_t gran, base, span, last_iova, last_pa;
	uint64_t sizes[64];
	unsigned nsizes, oas;
	unsigned fail_pending;
	struct iopgt_leaf some_leaf;
	bool have_leaf;
};

static uint64_t pick_unit(struct fz *z)
{
	return z->sizes[u8(z->r) % z->nsizes];
}

static uint64_t gen_iova(struct fz *z, uint64_t unit)
{
	struct rd *r = z->r;
	unsigned m = u8(r) % 10;
	uint64_t v;

	switch (m) {
	case 0:
	case 1:
	case 2:
		v = z->base + (((uint64_t)u16(r) * unit) & (z->span - 1));
		break;
	case 3:
		v = z->base + (((uint64_t)rd_n(r, 4) * unit) & (z->span - 1));
		break;
	case 4:
		v = z->base + z->span - unit * (1 + u8(r) % 4);
		break;
	case 5:
	case 6:
		v = z->last_iova + (uint64_t)(int64_t)(int8_t)u8(r) * z->gran;
		break;
	case 7:
		v = rd_n(r, 8);
		break;
	case 8:
		v = (u8(r) & 1) ? z->base + z->span + (uint64_t)u8(r) * z->gran
				: z->base - (uint64_t)(1 + u8(r)) * z->gran;
		break;
	default:
		v = z->base + (((uint64_t)u8(r) * unit) & (z->span - 1)) + unit / 2;
		break;
	}
	if (u8(r) < 10)
		v += 1 + u8(r) % (z->gran - 1);
	return v;
}

static uint64_t gen_size(struct fz *z, uint64_t unit, uint64_t iova)
{
	struct rd *r = z->r;
	unsigned m = u8(r) % 10;

	switch (m) {
	case 0:
	case 1:
	case 2:
	case 3:
		return unit * (1 + u8(r) % 8);
	case 4:
		return unit * (1 + u8(r) % 4) + ((u8(r) & 1) ? z->gran : -z->gran);
	case 5:
		return (u8(r) & 1) ? 0 : 1 + u8(r);
	case 6:
		return rd_n(r, 8);
	case 7:
		return (u8(r) & 1) ? z->span : z->base + z->span - iova;
	case 8:
		return ~(uint64_t)0 - (uint64_t)u8(r) * z->gran + 1;
	default:
		return z->gran * (1 + u16(r) % 1024);
	}
}

static uint64_t gen_pa(struct fz *z, uint64_t unit)
{
	struct rd *r = z->r;
	unsigned m = u8(r) % 8;
	uint64_t mask = tbit(z->oas) - 1, v;

	switch (m) {
	case 0:
	case 1:
	case 2:
		v = ((uint64_t)rd_n(r, 4) * unit) & mask;
		break;
	case 3:
		v = ((uint64_t)u16(r) * unit) & 0xffffffffu;
		break;
	case 4:
		v = tbit(z->oas) - unit * (1 + u8(r) % 4);
		break;
	case 5:
		v = z->last_pa + (uint64_t)(int64_t)(int8_t)u8(r) * z->gran;
		break;
	case 6:
		v = rd_n(r, 8);
		break;
	default:
		v = tbit(32) + (((uint64_t)u16(r) * unit) & mask);
		break;
	}
	if (u8(r) < 10)
		v += 1 + u8(r) % (z->gran - 1);
	return v;
}

static uint32_t gen_prot(struct fz *z)
{
	unsigned b = u8(z->r);

	if (b >= 0xf0)
		return (uint32_t)u8(z->r) | ((b & 1) ? (uint32_t)u8(z->r) << 8 : 0);
	return (b & IOPGT_PROT_ALL) | ((b & 0xc0) ? 0 : IOPGT_READ);
}

static bool in_range(const struct fz *z, uint64_t iova, uint64_t size)
{
	return iova >= z->base && iova - z->base < z->span && size <= z->span - (iova - z->base);
}

static void arm_failure(struct fz *z)
{
	z->h->mem.fail_at = z->fail_pending;
	z->fail_pending = 0;
}

static bool disarm_failure(struct fz *z, uint64_t failed_before)
{
	z->h->mem.fail_at = 0;
	return z->h->mem.failed_total != failed_before;
}

/* Keep a map below MAX_LEAVES leaves (tables cost memory and time): the
 * longest prefix of [off, off + size) that map splits into so few. */
#define MAX_LEAVES 512

static uint64_t cap_leaves(const struct fz *z, uint64_t off, uint64_t pa, uint64_t size)
{
	uint64_t done = 0;

	for (unsigned n = 0; n < MAX_LEAVES && done < size; n++) {
		uint64_t s = model_pick_size(z->h->md.pgsizes, off + done, pa + done, size - done);

		if (!s)
			break;
		done += s;
	}
	return done;
}

/*
 * What every map and unmap result must be: INVAL or RANGE for bad arguments
 * (false: nothing more to check), NOMEM exactly when an allocation failed.
 */
static bool result_common(const char *what, int rc, bool inval, bool range, bool failed_alloc)
{
	if (inval || range) {
		TCHECK((rc == IOPGT_ERR_INVAL && inval) || (rc == IOPGT_ERR_RANGE && range),
		       "%s of bad arguments: %d (%s), invalid %d out of range %d", what, rc,
		       iopgt_strerror(rc), inval, range);
		return false;
	}
	TCHECK(failed_alloc == (rc == IOPGT_ERR_NOMEM), "%s: %d, an allocation failed: %d", what,
	       rc, failed_alloc);
	return true;
}

static void step_map(struct fz *z)
{
	struct th *h = z->h;
	uint64_t unit = pick_unit(z);
	uint64_t iova = gen_iova(z, unit), size = gen_size(z, unit, iova), pa = gen_pa(z, unit);
	uint32_t prot = gen_prot(z);
	uint64_t g1 = z->gran - 1, failed = h->mem.failed_total;
	bool inval = ((iova | pa | size) & g1) || !size || (prot & ~IOPGT_PROT_ALL) ||
		     !(prot & (IOPGT_READ | IOPGT_WRITE));
	bool range = size && (!in_range(z, iova, size) || pa + size < pa ||
			      ((pa + size - 1) >> z->oas) != 0);
	bool overlap;

	if (!inval && !range)
		size = cap_leaves(z, iova - z->base, pa, size);
	overlap = !range && size && model_overlaps(&h->md, iova - z->base, size);
	bool high = size && pa + size > tbit(32) && pa + size >= pa;
	bool failed_alloc;
	int rc;

	arm_failure(z);
	rc = th_map(h, iova, pa, size, prot);
	failed_alloc = disarm_failure(z, failed);
	z->last_iova = iova;
	z->last_pa = pa;
	if (!result_common("map", rc, inval, range, failed_alloc))
		return;
	if (overlap) {
		TCHECK(rc == IOPGT_ERR_EXIST || (z->fam == FUZZ_V7S && high && rc == IOPGT_ERR_NOTSUP),
		       "map over a live mapping: %d (%s)", rc, iopgt_strerror(rc));
		return;
	}
	if (rc == IOPGT_ERR_NOMEM)
		return;
	TCHECK(rc == IOPGT_OK || (z->fam == FUZZ_V7S && high && rc == IOPGT_ERR_NOTSUP),
	       "map with valid arguments: %d (%s)", rc, iopgt_strerror(rc));
}

/* a model leaf straddles @edge (an offset): a library leaf may have to be split */
static bool model_straddles(const struct model *md, uint64_t edge)
{
	const struct mchunk *c = model_lookup(md, edge);

	return c && c->iova < edge;
}

static void step_unmap(struct fz *z)
{
	struct th *h = z->h;
	uint64_t unit = pick_unit(z);
	uint64_t iova = gen_iova(z, unit), size = gen_size(z, unit, iova);
	uint64_t failed = h->mem.failed_total;
	bool inval = ((iova | size) & (z->gran - 1)) || !size;
	bool range = size && !in_range(z, iova, size);
	bool split = false, failed_alloc;
	int rc;

	if (!inval && !range) {
		uint64_t off = iova - z->base;

		split = model_straddles(&h->md, off) ||
			(off + size < z->span && model_straddles(&h->md, off + size));
	}
	arm_failure(z);
	rc = th_unmap(h, iova, size);
	failed_alloc = disarm_failure(z, failed);
	z->last_iova = iova;
	if (!result_common("unmap", rc, inval, range, failed_alloc))
		return;
	if (rc == IOPGT_ERR_BUSY) {
		TCHECK(split && (h->cfg.quirks & IOPGT_QUIRK_NO_SPLIT),
		       "unmap BUSY without NO_SPLIT or without a leaf to split");
		return;
	}
	if (rc == IOPGT_ERR_NOMEM)
		return; /* a table for a split, or the scratch array of a large unmap */
	TCHECK(rc == IOPGT_OK || (z->fam == FUZZ_V7S && split && z->oas > 32 &&
				  rc == IOPGT_ERR_NOTSUP),
	       "unmap with valid arguments: %d (%s)", rc, iopgt_strerror(rc));
}

/* A compaction of a range (now and then the whole input range), under the
 * checker; the model's chunks merge where it formed larger leaves. */
static void step_compact(struct fz *z)
{
	struct th *h = z->h;
	uint64_t unit = pick_unit(z);
	uint64_t iova = gen_iova(z, unit), size = gen_size(z, unit, iova);
	uint64_t failed = h->mem.failed_total;
	bool inval, range, failed_alloc;
	int rc;

	if (u8(z->r) < 64) {
		iova = z->base;
		size = z->span;
	}
	inval = ((iova | size) & (z->gran - 1)) || !size;
	range = size && !in_range(z, iova, size);
	arm_failure(z);
	rc = th_compact(h, iova, size);
	failed_alloc = disarm_failure(z, failed);
	if (!result_common("compact", rc, inval, range, failed_alloc) || rc == IOPGT_ERR_NOMEM)
		return; /* NOMEM: the scratch array of a compaction of many places */
	TCHECK(rc == IOPGT_OK, "compact with valid arguments: %d (%s)", rc, iopgt_strerror(rc));
}

/* Every tree the library builds can be let go and adopted again: nothing
 * written, reported, kept or freed, the same statistics. */
static void step_handover(struct fz *z)
{
	struct th *h = z->h;
	struct iopgt_stats st0, st1;
	uint64_t root = 0, syncs = h->syncs_total, held = h->mem.allocs_held;
	uint64_t failed = h->mem.failed_total;
	int rc;

	TCHECK(iopgt_get_stats(&h->pt, &st0) == IOPGT_OK, "stats");
	rc = iopgt_detach(&h->pt, &root);
	TCHECK(rc == IOPGT_OK, "detach: %d", rc);
	arm_failure(z);
	rc = iopgt_adopt(&h->pt, &h->cfg, root);
	if (disarm_failure(z, failed)) {
		/* the scratch array of a tree of more than 64 tables */
		TCHECK(rc == IOPGT_ERR_NOMEM, "adopt met a failed allocation: %d", rc);
		rc = iopgt_adopt(&h->pt, &h->cfg, root);
	}
	TCHECK(rc == IOPGT_OK, "adopt of a tree the library built: %d (%s)", rc,
	       iopgt_strerror(rc));
	TCHECK(iopgt_get_stats(&h->pt, &st1) == IOPGT_OK && st1.tables == st0.tables &&
	       st1.table_bytes == st0.table_bytes, "adopted statistics differ");
	TCHECK(h->syncs_total == syncs && h->mem.allocs_held == held,
	       "detach and adopt reported or kept memory");
}

static void step_lookup(struct fz *z)
{
	uint64_t iova = gen_iova(z, pick_unit(z));
	struct iopgt_mapping m;

	if (!in_range(z, iova, 1)) {
		int rc = iopgt_lookup(&z->h->pt, iova, &m);

		TCHECK(rc == IOPGT_ERR_RANGE, "lookup(0x%llx) outside the input range: %d",
		       (unsigned long long)iova, rc);
		return;
	}
	th_check_iova(z->h, iova);
}

struct wstate {
	struct fz *z;
	uint64_t lo, hi; /* absolute, hi exclusive (0: 2^64) */
	uint64_t bytes, leaves, next;
	unsigned stop_after;
	int stop_val;
};

static int walk_leaf(void *ctx, const struct iopgt_leaf *lf)
{
	struct wstate *w = ctx;
	struct th *h = w->z->h;
	uint64_t a = lf->m.iova, e = lf->m.iova + lf->m.size;
	uint64_t lo = a > w->lo ? a : w->lo, hi = e - 1 < w->hi - 1 ? e : w->hi;

	TCHECK(lf->m.size >= w->z->gran && !(lf->m.size & (lf->m.size - 1)),
	       "walk: leaf size 0x%llx", (unsigned long long)lf->m.size);
	TCHECK(w->leaves == 0 || a >= w->next, "walk: leaf 0x%llx out of order",
	       (unsigned long long)a);
	TCHECK(lo < hi || (hi == 0 && lo), "walk: leaf 0x%llx+0x%llx outside 0x%llx-0x%llx",
	       (unsigned long long)a, (unsigned long long)lf->m.size, (unsigned long long)w->lo,
	       (unsigned long long)w->hi);
	TCHECK(lf->entries >= 1 && lf->level <= 3, "walk: leaf entries %u level %u", lf->entries,
	       lf->level);
	th_check_iova(h, a);
	th_check_iova(h, e - w->z->gran);
	w->bytes += hi - lo;
	w->leaves++;
	w->next = e;
	w->z->some_leaf = *lf;
	w->z->have_leaf = true;
	if (w->stop_after && w->leaves == w->stop_after)
		return w->stop_val;
	return 0;
}

/* bytes the model maps in [lo, hi) (offsets) */
static uint64_t model_bytes(const struct model *md, uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0;

	for (size_t i = model_first_after(md, lo); i < md->n && md->c[i].iova < hi; i++) {
		uint64_t a = md->c[i].iova > lo ? md->c[i].iova : lo;
		uint64_t b = md->c[i].iova + md->c[i].size < hi ? md->c[i].iova + md->c[i].size : hi;

		sum += b - a;
	}
	return sum;
}

static void step_walk(struct fz *z)
{
	struct th *h = z->h;
	uint64_t unit = pick_unit(z);
	uint64_t iova = gen_iova(z, unit), size = (u8(z->r) & 3) ? gen_size(z, unit, iova) : 0;
	struct wstate w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.z = z;
	w.stop_after = u8(z->r) % 6;
	w.stop_val = 1000 + (int)w.stop_after;
	if (size && !in_range(z, iova, size)) {
		rc = iopgt_walk(&h->pt, iova, size, walk_leaf, &w);
		TCHECK(rc == IOPGT_ERR_RANGE, "walk(0x%llx, 0x%llx) outside the input range: %d",
		       (unsigned long long)iova, (unsigned long long)size, rc);
		TCHECK(w.leaves == 0, "walk outside the input range reported leaves");
		return;
	}
	if (!size) {
		w.lo = z->base;
		w.hi = z->base + z->span;
	} else {
		w.lo = iova;
		w.hi = iova + size;
	}
	rc = iopgt_walk(&h->pt, iova, size, walk_leaf, &w);
	if (w.stop_after && w.leaves == w.stop_after) {
		TCHECK(rc == w.stop_val, "walk stopped by its callback returned %d", rc);
		return;
	}
	TCHECK(rc == IOPGT_OK, "walk: %d", rc);
	TCHECK(w.bytes == model_bytes(&h->md, w.lo - z->base, w.hi - z->base),
	       "walk(0x%llx, 0x%llx) covered 0x%llx bytes, the model 0x%llx",
	       (unsigned long long)iova, (unsigned long long)size, (unsigned long long)w.bytes,
	       (unsigned long long)model_bytes(&h->md, w.lo - z->base, w.hi - z->base));
}

struct dstate {
	uint64_t lines;
	bool bad;
};

static void dump_line(void *ctx, const char *line)
{
	struct dstate *d = ctx;
	size_t n = strlen(line);

	d->lines++;
	if (n == 0 || n >= 192)
		d->bad = true;
}

static int count_leaf(void *ctx, const struct iopgt_leaf *lf)
{
	(void)lf;
	(*(uint64_t *)ctx)++;
	return 0;
}

static void step_dump(struct fz *z)
{
	struct th *h = z->h;
	struct dstate d = { 0, false };
	uint64_t leaves = 0;
	char buf[256];
	size_t len = u8(z->r) % 200, ret;

	TCHECK(iopgt_walk(&h->pt, 0, 0, count_leaf, &leaves) == IOPGT_OK, "walk");
	TCHECK(iopgt_dump(&h->pt, dump_line, &d) == IOPGT_OK, "dump");
	TCHECK(d.lines == leaves && !d.bad, "dump printed %llu lines for %llu leaves (bad %d)",
	       (unsigned long long)d.lines, (unsigned long long)leaves, d.bad);
	if (!z->have_leaf)
		return;
	memset(buf, 0x5a, sizeof(buf));
	ret = iopgt_format_leaf((u8(z->r) & 1) ? &h->pt : NULL, &z->some_leaf, buf, len);
	if (len == 0) {
		TCHECK(ret == 0 && (unsigned char)buf[0] == 0x5a, "format_leaf with len 0 wrote");
		return;
	}
	TCHECK(ret < len && buf[ret] == 0 && strlen(buf) == ret,
	       "format_leaf(len %zu) returned %zu, strlen %zu", len, ret, strlen(buf));
	for (size_t i = len; i < sizeof(buf); i++)
		TCHECK((unsigned char)buf[i] == 0x5a, "format_leaf(len %zu) wrote byte %zu", len, i);
}

/* ------------------------------------------------------------ corruption */

static uint64_t lpae_table_desc(const struct th *h, uint64_t pa)
{
	uint64_t d;

	if (h->lg.lpa)
		d = (pa & 0x0000ffffffff0000ull) | (((pa >> 48) & 0xf) << 12);
	else
		d = pa & 0x0000fffffffff000ull & ~(h->granule - 1);
	d |= 3;
	if (h->cfg.quirks & IOPGT_QUIRK_NS)
		d |= 1ull << 63;
	return d;
}

static uint64_t v7s_table_desc(const struct th *h, uint64_t pa)
{
	uint64_t d = (pa & 0xfffffc00u) | 1;

	if (h->cfg.quirks & IOPGT_QUIRK_NS)
		d |= 1u << 3;
	return d;
}

static void put_desc(struct th *h, struct tmem_rec *t, size_t idx, uint64_t v)
{
	for (unsigned k = 0; k < h->dsize; k++) {
		t->va[idx * h->dsize + k] = (uint8_t)(v >> (8 * k));
		t->img[idx * h->dsize + k] = (uint8_t)(v >> (8 * k));
	}
}

/* 0 invalid, 1 leaf, 2 table (*next), 3 reserved: as the reference walkers decode */
static int decode_class(struct th *h, unsigned level, uint64_t d, uint64_t *next)
{
	if (h->cfg.fmt != IOPGT_FMT_ARMV7S)
		return refwalk_lpae_decode(&h->lg, level, d, next);
	if (level == 1) {
		*next = d & 0xfffffc00u;
		return (d & 3) == 0 ? 0 : (d & 3) == 1 ? 2 : (d & 3) == 2 ? 1 : 3;
	}
	return (d & 3) ? 1 : 0;
}

/* every table's bytes, to check that a refused call wrote nothing */
static uint8_t *snapshot(struct th *h, size_t *len)
{
	size_t n = 0, o = 0;
	uint8_t *s;

	for (size_t i = 0; i < h->mem.n; i++)
		n += h->mem.recs[i].size;
	s = malloc(n ? n : 1);
	TCHECK(s != NULL, "malloc");
	for (size_t i = 0; i < h->mem.n; i++) {
		memcpy(s + o, h->mem.recs[i].va, h->mem.recs[i].size);
		o += h->mem.recs[i].size;
	}
	*len = n;
	return s;
}

static void expect_unchanged(struct th *h, const uint8_t *s, size_t len, const char *what)
{
	size_t o = 0;

	TCHECK(h->mem.n == 0 || len > 0, "snapshot");
	for (size_t i = 0; i < h->mem.n; i++) {
		TCHECK(o + h->mem.recs[i].size <= len &&
			       memcmp(s + o, h->mem.recs[i].va, h->mem.recs[i].size) == 0,
		       "%s changed table memory at pa 0x%llx", what,
		       (unsigned long long)h->mem.recs[i].pa);
		o += h->mem.recs[i].size;
	}
}

/*
 * Corrupt one descriptor: a table descriptor pointing outside table memory,
 * a reserved encoding, or a table descriptor pointing back to its own table
 * or into the root. Every reader must report IOPGT_ERR_CORRUPT for an
 * address it translates, and map/unmap there must refuse it and write
 * nothing; the rest still matches the model. Returns true when the
 * descriptor was left corrupt for iopgt_fini to meet.
 */
static bool step_corrupt(struct fz *z)
{
	struct th *h = z->h;
	struct rd *r = z->r;
	struct tmem_rec *t = &h->mem.recs[u16(r) % h->mem.n];
	bool last = t->level == h->last_level, lpae = z->fam == FUZZ_LPAE;
	size_t nd = t->level == h->start_level && lpae ? h->lg.root_entries : t->size / h->dsize;
	size_t idx = u16(r) % nd;
	unsigned kind = u8(r) % 3, sh = th_eshift(h, t->level);
	uint64_t old = 0, bad, first, esz = tbit(sh), tmp;
	size_t slen;
	uint8_t *snap;
	struct iopgt_mapping m;
	int rc;

	for (unsigned k = 0; k < h->dsize; k++)
		old |= (uint64_t)t->va[idx * h->dsize + k] << (8 * k);
	if (last)
		kind = 1;
	first = t->span_first + ((uint64_t)idx << sh);
	if (kind == 0) {
		uint64_t hole = h->mem.pa_base - ((1 + u8(r) % 4) * (lpae ? h->granule : 0x400));

		bad = lpae ? lpae_table_desc(h, hole) : v7s_table_desc(h, hole);
	} else if (kind == 1) {
		if (lpae)
			bad = (old & ~(uint64_t)3) | 1; /* bit 1 clear at the last level */
		else if (!last)
			bad = old | 3;                  /* 0b11: PXN section */
		else
			bad = (old & 0xffff0000u) | 0x41; /* large page with [8:6] != 0 */
		if (lpae && !last)
			bad = lpae_table_desc(h, h->mem.pa_base - h->granule);
	} else {
		uint64_t target;

		if (u8(r) & 1)
			target = t->pa; /* its own table */
		else
			target = h->mem.recs[0].pa + ((uint64_t)(u8(r) % 16) << (lpae ? h->lg.gshift : 10)) %
							    h->mem.recs[0].size;
		bad = lpae ? lpae_table_desc(h, target) : v7s_table_desc(h, target);
	}
	if (bad == old)
		return false;
	if (fuzz_verbose)
		fprintf(stderr, "corrupt kind %u: table pa 0x%llx level %u idx %zu: 0x%llx -> 0x%llx\n",
			kind, (unsigned long long)t->pa, t->level, idx, (unsigned long long)old,
			(unsigned long long)bad);
	tctx_op("corrupt kind %u: table pa 0x%llx level %u idx %zu 0x%llx -> 0x%llx", kind,
		(unsigned long long)t->pa, t->level, idx, (unsigned long long)old,
		(unsigned long long)bad);
	put_desc(h, t, idx, bad);
	snap = snapshot(h, &slen);
	h->o.check_every = ~0u; /* th_unmap's periodic full check would meet it */

	/* readers */
	for (unsigned k = 0; k < 4; k++) {
		uint64_t iova = first + ((k == 0) ? 0 : (k == 1) ? esz - 1 : rd_n(r, 8) % esz);

		rc = iopgt_lookup(&h->pt, iova, &m);
		TCHECK(rc == IOPGT_ERR_CORRUPT, "lookup(0x%llx) through a corrupt descriptor: %d",
		       (unsigned long long)iova, rc);
	}
	tmp = 0;
	rc = iopgt_walk(&h->pt, 0, 0, count_leaf, &tmp);
	TCHECK(rc == IOPGT_ERR_CORRUPT, "walk over a corrupt descriptor: %d", rc);
	tmp = 0;
	rc = iopgt_walk(&h->pt, first, esz, count_leaf, &tmp);
	TCHECK(rc == IOPGT_ERR_CORRUPT && tmp == 0, "walk of a corrupt descriptor's span: %d", rc);
	{
		struct dstate d = { 0, false };

		TCHECK(iopgt_dump(&h->pt, dump_line, &d) == IOPGT_ERR_CORRUPT, "dump");
	}
	/* the rest is intact */
	for (unsigned k = 0; k < 4 && h->md.n; k++) {
		const struct mchunk *c = &h->md.c[rd_n(r, 2) % h->md.n];
		uint64_t a = h->base + c->iova;

		if (a + (c->size - 1) < first || a > first + (esz - 1))
			th_check_iova(h, a);
	}
	/* writers: refused, nothing written */
	for (unsigned k = 0; k < 3; k++) {
		uint64_t g = z->gran, off = (rd_n(r, 8) % (esz / g)) * g;
		uint64_t size = g * (1 + u8(r) % 4);
		uint64_t iova = first + off, pa = (uint64_t)(u8(r) % 64) * g;

		if (off + size > esz)
			size = esz - off;
		if (k == 2)
			iova = first + esz - g;
		rc = iopgt_map(&h->pt, iova, pa, k == 2 ? g : size, IOPGT_READ);
		TCHECK(rc == IOPGT_ERR_CORRUPT || rc == IOPGT_ERR_EXIST,
		       "map(0x%llx, 0x%llx) over a corrupt descriptor: %d", (unsigned long long)iova,
		       (unsigned long long)size, rc);
		expect_unchanged(h, snap, slen, "refused map");
		if (k == 2) {
			/* the whole entry: it may go with its table, which would
			 * lose the table a replaced table descriptor pointed to */
			uint64_t next;

			if (decode_class(h, t->level, old, &next) == 2)
				break;
			/* and the harness' image bookkeeping would follow a loop
			 * in a dropped table (the library does not) */
			if (kind == 2)
				break;
			iova = first;
			size = esz;
		}
		/*
		 * Through the harness: a corrupt descriptor the range covers in
		 * a table the unmap empties goes with the table (the library
		 * need not read what it frees); anything else is refused with
		 * nothing written.
		 */
		rc = th_unmap(h, iova, size);
		if (fuzz_verbose)
			fprintf(stderr, "unmap 0x%llx+0x%llx over the corrupt entry: %d\n",
				(unsigned long long)iova, (unsigned long long)size, rc);
		if (rc == IOPGT_OK && iova <= first && iova + (size - 1) >= first + (esz - 1)) {
			free(snap);
			return false; /* the corrupt descriptor is gone */
		}
		TCHECK(rc == IOPGT_ERR_CORRUPT, "unmap(0x%llx, 0x%llx) over a corrupt descriptor: %d",
		       (unsigned long long)iova, (unsigned long long)size, rc);
		expect_unchanged(h, snap, slen, "refused unmap");
	}
	free(snap);
	/* an invalid entry corrupted: iopgt_fini may meet it (nothing lost) */
	if (!(old & 1) && kind != 1 && (u8(r) & 1))
		return true;
	put_desc(h, t, idx, old);
	th_check_all(h);
	return false;
}

/* ------------------------------------------------------------ the input */

static void after_fini(struct iopgt *pt)
{
	struct iopgt_mapping m;
	struct iopgt_stats st;
	struct iopgt_regs rg;
	uint64_t n = 0;

	TCHECK(iopgt_map(pt, 0, 0, 0x1000, IOPGT_READ) == IOPGT_ERR_INVAL, "map after fini");
	TCHECK(iopgt_unmap(pt, 0, 0x1000) == IOPGT_ERR_INVAL, "unmap after fini");
	TCHECK(iopgt_lookup(pt, 0, &m) == IOPGT_ERR_INVAL, "lookup after fini");
	TCHECK(iopgt_walk(pt, 0, 0, count_leaf, &n) == IOPGT_ERR_INVAL, "walk after fini");
	TCHECK(iopgt_get_stats(pt, &st) == IOPGT_ERR_INVAL, "stats after fini");
	memset(&rg, 0x5a, sizeof(rg));
	iopgt_get_regs(pt, &rg);
	TCHECK(rg.ttbr == 0 && rg.tcr == 0 && rg.mair == 0 && rg.vttbr == 0 && rg.vtcr == 0 &&
	       rg.prrr == 0 && rg.nmrr == 0, "registers after fini");
	iopgt_fini(pt);
}

int fuzz_one(enum fuzz_family fam, const uint8_t *data, size_t size)
{
	struct rd r = { data, size, 0 };
	struct iopgt_cfg cfg;
	struct expect_init e;
	struct th_opts o;
	struct fz z;
	struct th *h = &H;
	uint64_t seed;
	unsigned steps = 0, fail_root;
	bool left_corrupt = false;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	if (fam == FUZZ_LPAE)
		decode_lpae(&r, &cfg, &e);
	else
		decode_v7s(&r, &cfg, &e);
	/* IOPGT_QUIRK_CONCURRENT is valid for every format (the expectations
	 * above say so) but relaxes clauses 3 and 4, which the image checker
	 * holds every call to: the threads' own test, tests/conc, covers it */
	cfg.quirks &= ~(uint32_t)IOPGT_QUIRK_CONCURRENT;
	seed = rd_n(&r, 2);
	fail_root = u8(&r);
	tctx_set("fuzz fmt %d ias %u oas %u pgsizes 0x%llx quirks 0x%x", cfg.fmt, cfg.ias, cfg.oas,
		 (unsigned long long)cfg.pgsizes, cfg.quirks);
	if (fuzz_verbose)
		fprintf(stderr, "%s\n", tctx_get());

	memset(&o, 0, sizeof(o));
	o.samples = 3;
	o.check_every = 16;
	if (fam == FUZZ_V7S)
		o.pa_base = tbit(31); /* v7s tables live below 4 GiB */

	if (fail_root < 24) {
		/* the root allocation fails: NOMEM, or the configuration's error */
		struct tmem m;
		struct iopgt pt;
		struct iopgt_cfg c = cfg;
		unsigned oas = cfg.oas >= 32 && cfg.oas < 64 ? cfg.oas : 32;

		tmem_init(&m, o.pa_base ? o.pa_base : tbit(oas - 1), oas, seed);
		tmem_hooks(&m, &c.mem);
		m.fail_at = 1;
		rc = iopgt_init(&pt, &c);
		TCHECK(rc == IOPGT_ERR_NOMEM || init_error_ok(&e, rc),
		       "init with a failing allocator: %d (%s)", rc, iopgt_strerror(rc));
		TCHECK(rc != IOPGT_ERR_NOMEM || (!e.inval && !e.notsup),
		       "init reached the allocator with a bad configuration");
		TCHECK(m.allocs_held == 0, "failed init holds memory");
		after_fini(&pt);
		tmem_fini(&m);
	}

	/* the harness sets sync.fn: a non-coherent walker, which the
	 * hardware-update quirks refuse */
	if (e.hw)
		e.notsup = true;
	rc = th_init(h, &cfg, &o, seed);
	if (rc != IOPGT_OK) {
		TCHECK(init_error_ok(&e, rc), "init: %d (%s) for this configuration", rc,
		       iopgt_strerror(rc));
		after_fini(&h->pt);
		return 0;
	}
	TCHECK(!e.inval && !e.notsup, "init accepted a configuration the header calls invalid");

	if (!cfg.pgsizes && fam == FUZZ_LPAE) {
		/* the default: the granule's pages and blocks at the levels the
		 * geometry has (stage 2 may start deeper than stage 1 would) */
		struct iopgt_stats st;

		TCHECK(iopgt_get_stats(&h->pt, &st) == IOPGT_OK, "stats");
		h->md.pgsizes = th_lpae_sizes_from(0x1000, cfg.ias, cfg.oas, st.start_level) &
				(0x1000u | 0x200000u | 0x40000000u | tbit(39));
	}
	memset(&z, 0, sizeof(z));
	z.h = h;
	z.r = &r;
	z.fam = fam;
	z.gran = h->granule;
	z.base = h->base;
	z.span = h->range_last - h->base + 1;
	z.oas = cfg.oas;
	for (unsigned b = 0; b < 64; b++)
		if (h->md.pgsizes & tbit(b))
			z.sizes[z.nsizes++] = tbit(b);
	TCHECK(z.nsizes > 0 && z.sizes[0] == z.gran, "pgsizes 0x%llx, granule 0x%llx",
	       (unsigned long long)h->md.pgsizes, (unsigned long long)z.gran);
	z.last_iova = z.base;

	while (r.i < r.n && steps++ < MAX_STEPS) {
		unsigned op = u8(&r) % 16;

		switch (op) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4:
			step_map(&z);
			break;
		case 5:
		case 6:
		case 7:
			step_unmap(&z);
			break;
		case 8:
		case 9:
			step_lookup(&z);
			break;
		case 10:
			step_walk(&z);
			break;
		case 11:
			step_dump(&z);
			break;
		case 12:
		case 13:
			z.fail_pending = 1 + u8(&r) % 8;
			break;
		case 14:
			th_check_all(h);
			break;
		default: {
			unsigned b = u8(&r);

			if (b < 64) {
				left_corrupt = step_corrupt(&z);
				r.i = r.n; /* the last step */
			} else if (b < 128) {
				step_compact(&z);
			} else if (b < 160) {
				step_handover(&z);
			}
			break;
		}
		}
	}
	if (!left_corrupt)
		th_check_all(h);
	th_fini(h);
	after_fini(&h->pt);
	return 0;
}
