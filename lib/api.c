/* SPDX-License-Identifier: MIT */
/*
 * lib/api.c - the public calls: error strings, configuration checks,
 * init/fini, adopt/detach, registers, statistics, and the argument checks
 * of map, unmap, compact, lookup, walk and the tracking calls, which then
 * route each call: concurrent.c with IOPGT_QUIRK_CONCURRENT, otherwise
 * fastpath.c (which falls back to the passes of map.c and unmap.c),
 * compact.c, read.c and track.c; handover.c checks a tree to adopt.
 */
#include "internal.h"

const char *iopgt_strerror(int err)
{
	switch (err) {
	case IOPGT_OK: return "success";
	case IOPGT_ERR_INVAL: return "invalid argument or configuration";
	case IOPGT_ERR_RANGE: return "address outside the input or output range";
	case IOPGT_ERR_EXIST: return "range overlaps a live mapping";
	case IOPGT_ERR_NOMEM: return "out of table memory";
	case IOPGT_ERR_NOENT: return "nothing mapped there";
	case IOPGT_ERR_NOTSUP: return "not supported by this format or configuration";
	case IOPGT_ERR_BUSY: return "split refused by the configuration";
	case IOPGT_ERR_CORRUPT: return "table memory holds an unexpected descriptor";
	default: return "unknown error";
	}
}

/* What iopgt_init() and iopgt_adopt() share: the configuration's checks,
 * the geometry, the allocator; nothing allocated. */
static int configure(struct iopgt *pt, const struct iopgt_cfg *cfg)
{
	const struct iopgt_mem *m;
	int err;

	pt->magic_ = 0;
	m = &cfg->mem;
	if (cfg->quirks & ~IOPGT_QUIRK_ALL)
		return IOPGT_ERR_INVAL;
	if (!m->alloc != !m->free)
		return IOPGT_ERR_INVAL;
	if (!m->alloc && m->phys_to_virt)
		return IOPGT_ERR_INVAL; /* the built-in allocator is identity-mapped */
	switch (cfg->fmt) {
	case IOPGT_FMT_ARM64_S1:
	case IOPGT_FMT_ARM64_S2:
	case IOPGT_FMT_ARM32_S1:
	case IOPGT_FMT_ARM32_S2:
	case IOPGT_FMT_ARMV7S:
		break;
	default:
		return IOPGT_ERR_INVAL;
	}

	pt->fmt_ = (uint8_t)cfg->fmt;
	pt->ias_ = (uint8_t)(cfg->ias > 255 ? 255 : cfg->ias);
	pt->oas_ = (uint8_t)(cfg->oas > 255 ? 255 : cfg->oas);
	pt->quirks_ = cfg->quirks;
	pt->pgsizes_ = cfg->pgsizes;
	pt->mem_ = cfg->mem;
	pt->sync_ = cfg->sync;
	pt->tlb_ = cfg->tlb;
	for (unsigned i = 0; i < IOPGT_MAXLVL; i++)
		pt->contig_[i] = 0;
	pt->root_ = NULL;
	pt->root_pa_ = 0;
	pt->root_size_ = 0;
	pt->table_bytes_ = 0;
	pt->tables_ = 0;
	pt->pins_ = NULL;
	pt->pins_pa_ = 0;
	pt->hint_.tv = NULL;

	if (cfg->fmt == IOPGT_FMT_ARMV7S)
		err = v7s_configure(pt, cfg);
	else
		err = lpae_configure(pt, cfg);
	if (err)
		return err;

	if (!m->alloc) {
#if IOPGT_HOSTED
		pt->mem_.alloc = iopgt_hosted_alloc;
		pt->mem_.free = iopgt_hosted_free;
		pt->mem_.phys_to_virt = NULL;
		pt->mem_.ctx = NULL;
#else
		return IOPGT_ERR_NOTSUP;
#endif
	}
	pt->xlate_ = read_xlate_pick(pt);
	return IOPGT_OK;
}

int iopgt_init(struct iopgt *pt, const struct iopgt_cfg *cfg)
{
	int err;

	if (!pt || !cfg)
		return IOPGT_ERR_INVAL;
	err = configure(pt, cfg);
	if (err)
		return err;
	err = table_alloc_root(pt);
	if (err)
		return err;
	if (pt_conc(pt)) {
		err = conc_alloc_pins(pt);
		if (err) {
			table_free_all(pt);
			return err;
		}
	}
	pt->magic_ = IOPGT_MAGIC;
	return IOPGT_OK;
}

int iopgt_adopt(struct iopgt *pt, const struct iopgt_cfg *cfg, uint64_t root_pa)
{
	int err;

	if (!pt || !cfg)
		return IOPGT_ERR_INVAL;
	err = configure(pt, cfg);
	if (err)
		return err;
	err = adopt_tree(pt, root_pa);
	if (err)
		return err;
	if (pt_conc(pt)) {
		err = conc_alloc_pins(pt);
		if (err) {
			pt->root_ = NULL; /* nothing freed: the tables are still the caller's */
			return err;
		}
	}
	pt->magic_ = IOPGT_MAGIC;
	return IOPGT_OK;
}

int iopgt_detach(struct iopgt *pt, uint64_t *root_pa)
{
	if (!pt_live(pt) || !root_pa)
		return IOPGT_ERR_INVAL;
	*root_pa = pt->root_pa_;
	conc_free_pins(pt);
	pt->magic_ = IOPGT_DEAD;
	pt->root_ = NULL;
	return IOPGT_OK;
}

void iopgt_fini(struct iopgt *pt)
{
	if (!pt_live(pt))
		return;
	table_free_all(pt);
	conc_free_pins(pt);
	pt->magic_ = IOPGT_DEAD;
	pt->root_ = NULL;
}

void iopgt_get_regs(const struct iopgt *pt, struct iopgt_regs *regs)
{
	if (!regs)
		return;
	regs->ttbr = regs->tcr = regs->mair = 0;
	regs->vttbr = regs->vtcr = 0;
	regs->prrr = regs->nmrr = 0;
	if (!pt_live(pt))
		return;
	if (pt_is_v7s(pt))
		v7s_get_regs(pt, regs);
	else
		lpae_get_regs(pt, regs);
}

int iopgt_get_stats(const struct iopgt *pt, struct iopgt_stats *st)
{
	if (!pt_live(pt) || !st)
		return IOPGT_ERR_INVAL;
	st->table_bytes = __atomic_load_n(&pt->table_bytes_, __ATOMIC_RELAXED);
	st->tables = __atomic_load_n(&pt->tables_, __ATOMIC_RELAXED);
	st->granule = BIT64(pt->gshift_);
	st->levels = pt->levels_;
	st->start_level = pt->start_lvl_;
	st->root_entries = 1u << pt->root_bits_;
	return IOPGT_OK;
}

static bool prot_ok(uint32_t prot)
{
	return !(prot & ~IOPGT_PROT_ALL) && (prot & (IOPGT_READ | IOPGT_WRITE));
}

/* iova range -> offset from va_base_; 0 or an error */
static int check_in(const struct iopgt *pt, uint64_t iova, uint64_t size, uint64_t *off)
{
	uint64_t g = BIT64(pt->gshift_) - 1;
	uint64_t span = BIT64(pt->ias_);

	if ((iova | size) & g || !size)
		return IOPGT_ERR_INVAL;
	if (iova < pt->va_base_)
		return IOPGT_ERR_RANGE;
	*off = iova - pt->va_base_;
	if (*off >= span || size > span - *off)
		return IOPGT_ERR_RANGE;
	return IOPGT_OK;
}

int iopgt_map(struct iopgt *pt, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	uint64_t off;
	int err;

	if (!pt_live(pt))
		return IOPGT_ERR_INVAL;
	if (!prot_ok(prot) || (pa & (BIT64(pt->gshift_) - 1)))
		return IOPGT_ERR_INVAL;
	err = check_in(pt, iova, size, &off);
	if (err)
		return err;
	if (pa + size < pa || (pt->oas_ < 64 && (pa + size - 1) >> pt->oas_))
		return IOPGT_ERR_RANGE;
	/* MMIO overrides CACHE in the codecs, which still see both: Linux
	 * derives shareability from CACHE alone */
	if (pt_is_s2(pt))
		prot &= ~IOPGT_PRIV;
	if (pt_conc(pt)) {
		const struct iopgt_seg seg = { pa, size };

		return conc_map(pt, off, size, &seg, 1, prot);
	}
	return fast_map(pt, off, pa, size, prot);
}

int iopgt_map_sg(struct iopgt *pt, uint64_t iova, const struct iopgt_seg *segs, size_t n,
		 uint32_t prot)
{
	uint64_t off, size = 0, g;
	int err;

	if (!pt_live(pt) || !segs || !n || !prot_ok(prot))
		return IOPGT_ERR_INVAL;
	g = BIT64(pt->gshift_) - 1;
	{
		/* the largest output address the OAS allows (2^64 - 1 for 64) */
		const uint64_t top = pt->oas_ < 64 ? BIT64(pt->oas_) - 1 : ~(uint64_t)0;
		bool range = false;

		for (size_t k = 0; k < n; k++) {
			const uint64_t pa = segs[k].pa, sz = segs[k].size;

			if ((pa | sz) & g || !sz)
				return IOPGT_ERR_INVAL;
			range |= size + sz < size || sz - 1 > top || pa > top - (sz - 1);
			size += sz;
		}
		if (range)
			return IOPGT_ERR_RANGE;
	}
	err = check_in(pt, iova, size, &off);
	if (err)
		return err;
	if (pt_is_s2(pt))
		prot &= ~IOPGT_PRIV;
	if (pt_conc(pt))
		return conc_map(pt, off, size, segs, n, prot);
	if (n == 1)
		return fast_map(pt, off, segs->pa, size, prot);
	return map_passes(pt, off, size, segs, n, prot);
}

int iopgt_unmap(struct iopgt *pt, uint64_t iova, uint64_t size)
{
	uint64_t off;
	int err;

	if (!pt_live(pt))
		return IOPGT_ERR_INVAL;
	err = check_in(pt, iova, size, &off);
	if (err)
		return err;
	if (pt_conc(pt))
		return conc_unmap(pt, off, size);
	return fast_unmap(pt, off, size);
}

int iopgt_compact(struct iopgt *pt, uint64_t iova, uint64_t size)
{
	uint64_t off;
	int err;

	if (!pt_live(pt))
		return IOPGT_ERR_INVAL;
	err = check_in(pt, iova, size, &off);
	if (err)
		return err;
	if (pt_conc(pt))
		return conc_compact(pt, off, size);
	return compact_passes(pt, off, size);
}

int iopgt_lookup(const struct iopgt *pt, uint64_t iova, struct iopgt_mapping *m)
{
	uint64_t off;

	if (!pt_live(pt) || !m)
		return IOPGT_ERR_INVAL;
	if (iova < pt->va_base_ || (off = iova - pt->va_base_) >> pt->ias_)
		return IOPGT_ERR_RANGE;
	if (pt_conc(pt))
		return conc_lookup(pt, off, m);
	return read_lookup(pt, off, m, false);
}

int iopgt_translate(const struct iopgt *pt, uint64_t iova, uint64_t *pa)
{
	uint64_t off;

	if (!pt_live(pt) || !pa)
		return IOPGT_ERR_INVAL;
	/* one compare for both ends: below va_base_ (2^64 - 2^IAS, or 0), the
	 * difference wraps to 2^IAS or more */
	off = iova - pt->va_base_;
	if (off >> pt->ias_)
		return IOPGT_ERR_RANGE;
	if (pt_conc(pt))
		return conc_translate(pt, off, pa);
	return read_translate(pt, off, pa);
}

int iopgt_walk(const struct iopgt *pt, uint64_t iova, uint64_t size, iopgt_leaf_fn fn, void *ctx)
{
	uint64_t off;

	if (!pt_live(pt) || !fn)
		return IOPGT_ERR_INVAL;
	if (!size) {
		iova = pt->va_base_;
		size = BIT64(pt->ias_);
	}
	if (iova < pt->va_base_)
		return IOPGT_ERR_RANGE;
	off = iova - pt->va_base_;
	if (off >> pt->ias_ || size > BIT64(pt->ias_) - off)
		return IOPGT_ERR_RANGE;
	if (pt_conc(pt))
		return conc_walk(pt, off, size, fn, ctx);
	return read_walk(pt, off, size, fn, ctx);
}

static int track(struct iopgt *pt, uint64_t iova, uint64_t size, uint32_t flags,
		 iopgt_span_fn fn, void *ctx, bool young)
{
	uint64_t off;
	int err;

	if (!pt_live(pt) || !fn || (flags & ~IOPGT_TRACK_NO_CLEAR))
		return IOPGT_ERR_INVAL;
	if (!(pt->quirks_ & (young ? IOPGT_QUIRK_HW_ACCESS : IOPGT_QUIRK_HW_DIRTY)))
		return IOPGT_ERR_NOTSUP;
	err = check_in(pt, iova, size, &off);
	if (err)
		return err;
	if (pt_conc(pt))
		return conc_track(pt, off, size, young, flags, fn, ctx);
	return track_range(pt, off, size, young, flags, fn, ctx);
}

int iopgt_read_and_clear_dirty(struct iopgt *pt, uint64_t iova, uint64_t size, uint32_t flags,
			       iopgt_span_fn fn, void *ctx)
{
	return track(pt, iova, size, flags, fn, ctx, false);
}

int iopgt_test_and_clear_young(struct iopgt *pt, uint64_t iova, uint64_t size, uint32_t flags,
			       iopgt_span_fn fn, void *ctx)
{
	return track(pt, iova, size, flags, fn, ctx, true);
}
