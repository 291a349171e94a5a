// SPDX-License-Identifier: MIT
/*
 * selftest.c - the iopgt_selftest module: iopgt in a Linux kernel module,
 * with the kernel's own DMA API underneath.
 *
 * What you learn here: the whole wiring an IOMMU driver needs when its
 * table walker does not snoop the CPU caches.
 *   1. The walker is a DMA master of its own: here each walker is a
 *      platform device this module registers, with a DMA mask of the
 *      walker's output address size.
 *   2. Table memory comes from the page allocator and is mapped with
 *      dma_map_single(..., DMA_TO_DEVICE) for that device; the DMA address
 *      is what iopgt gets as pa. mem.phys_to_virt finds a table again from
 *      a pa read out of a descriptor, which needs the DMA address to be the
 *      physical address: alloc refuses a mapping through a bounce buffer.
 *   3. The DMA API backend (iopgt_dma_sync) hands each dirty range to
 *      dma_sync_single_for_device() through a typed wrapper (never a cast
 *      of the kernel function: kernels built with CFI trap on it), one
 *      page at a time, since a range may run over two tables and a sync
 *      must stay inside one mapping. On a non-coherent device that call
 *      cleans the range to the point of coherency. A recorder in front of
 *      the backend counts what was synced.
 *   4. iopgt's error codes become errno values.
 *
 * What it checks, in four formats (AArch64 stage 1 with the 4K granule,
 * stage 2 with the 64K granule and a concatenated root, AArch32 LPAE
 * stage 1, ARMv7 short-descriptor), through maps of pages, blocks,
 * contiguous runs and supersections, and unmaps that split blocks and runs
 * and free tables:
 *   - every table's DMA address is its physical address, under the mask;
 *   - every synced range lies inside DMA-mapped table memory, and is
 *     synced towards the device;
 *   - after each call, iopgt_lookup() and iopgt_walk() agree with a model
 *     of what should be mapped, and so does this file's own walk of the
 *     table memory, done twice: over the CPU's view of the tables, and over
 *     a copy holding only the bytes synced so far (new memory starts as
 *     0xff bytes, an invalid mess), which is all a walker that does not
 *     snoop the caches is sure to see;
 *   - the tables that walk reaches are exactly the allocations held and
 *     iopgt_get_stats()' count;
 *   - on unload every table is freed and unmapped.
 *
 * It prints "iopgt selftest: N checks passed", or a line starting with
 * "iopgt selftest: FAIL" for each failed check and a final FAIL line, and
 * then refuses to load (-EIO).
 *
 * Build it with Kbuild and contrib/linux/Kbuild.iopgt (see Kbuild here).
 */
#define pr_fmt(fmt) "iopgt selftest: " fmt

#include <linux/device.h>
#include <linux/dma-map-ops.h>	/* dev_is_dma_coherent(), for the report */
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <iopgt/backends.h>

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

static unsigned int st_checks, st_failed;

static __printf(4, 5) bool st_check(bool ok, const char *name, int line,
				    const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	st_checks++;
	if (ok)
		return true;
	st_failed++;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("FAIL: %s (line %d): %pV\n", name, line, &vaf);
	va_end(args);
	return false;
}

#define CHECK(d, cond, fmt, ...) \
	st_check(!!(cond), (d)->f->name, __LINE__, fmt, ##__VA_ARGS__)

/* ------------------------------------------------------------------ */
/* The configurations                                                  */
/* ------------------------------------------------------------------ */

/*
 * One table format, and the leaf sizes the test sequence uses: @page the
 * granule, @block the next level's block, @run a contiguous run of pages
 * (v7s: a 64K large page), @big the largest leaf (0: none used).
 */
struct st_fmt {
	const char *name;
	enum iopgt_fmt fmt;
	unsigned int ias, oas;
	u64 pgsizes;
	u64 page, block, run, big;
};

static const struct st_fmt st_fmts[] = {
	{ "arm64-s1-4k", IOPGT_FMT_ARM64_S1, 48, 48,
	  SZ_4K | SZ_64K | SZ_2M | SZ_1G, SZ_4K, SZ_2M, SZ_64K, SZ_1G },
	/* IAS 44 with 64K: four concatenated 64K tables at level 2 */
	{ "arm64-s2-64k", IOPGT_FMT_ARM64_S2, 44, 48,
	  SZ_64K | SZ_2M | SZ_512M, SZ_64K, SZ_512M, SZ_2M, 0 },
	{ "lpae-s1", IOPGT_FMT_ARM32_S1, 32, 40,
	  SZ_4K | SZ_64K | SZ_2M | SZ_1G, SZ_4K, SZ_2M, SZ_64K, SZ_1G },
	/* 0: 4K small pages, 64K large pages, 1M sections, 16M supersections */
	{ "v7s", IOPGT_FMT_ARMV7S, 32, 32, 0, SZ_4K, SZ_1M, SZ_64K, SZ_16M },
};

#define ST_NFMT ARRAY_SIZE(st_fmts)

/* ------------------------------------------------------------------ */
/* A model of what is mapped                                           */
/* ------------------------------------------------------------------ */

#define ST_MAX_EXT 24

struct st_ext {
	u64 iova, pa, size;
};

struct st_model {
	struct st_ext e[ST_MAX_EXT];
	unsigned int n;
};

static const struct st_ext *st_model_find(const struct st_model *m, u64 iova, u64 size)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct st_ext *e = &m->e[i];

		if (iova >= e->iova && size <= e->size && iova - e->iova <= e->size - size)
			return e;
	}
	return NULL;
}

static bool st_model_add(struct st_model *m, u64 iova, u64 pa, u64 size)
{
	if (m->n == ST_MAX_EXT)
		return false;
	m->e[m->n].iova = iova;
	m->e[m->n].pa = pa;
	m->e[m->n].size = size;
	m->n++;
	return true;
}

/* drop [iova, iova + size) from the model; false when it overflows */
static bool st_model_cut(struct st_model *m, u64 iova, u64 size)
{
	struct st_model out = { .n = 0 };
	u64 end = iova + size;
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct st_ext *e = &m->e[i];
		u64 e_end = e->iova + e->size;

		if (e_end <= iova || e->iova >= end) {
			if (!st_model_add(&out, e->iova, e->pa, e->size))
				return false;
			continue;
		}
		if (e->iova < iova && !st_model_add(&out, e->iova, e->pa, iova - e->iova))
			return false;
		if (e_end > end && !st_model_add(&out, end, e->pa + (end - e->iova), e_end - end))
			return false;
	}
	*m = out;
	return true;
}

static u64 st_model_bytes(const struct st_model *m)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		sum += m->e[i].size;
	return sum;
}

/* ------------------------------------------------------------------ */
/* One walker and its tables                                           */
/* ------------------------------------------------------------------ */

/* One block of table memory, DMA-mapped for the walker's device. */
struct st_table {
	struct list_head node;
	void *va;
	u8 *seen;	/* what the walker sees: the bytes synced so far */
	dma_addr_t dma;
	size_t size;
	unsigned int order;
};

struct st_domain {
	const struct st_fmt *f;
	struct platform_device *pdev;
	struct device *dev;	/* the walker, a DMA master */
	struct iopgt pt;
	bool pt_live;
	struct iopgt_dma_sync dsync;
	struct iopgt_recorder rec;
	struct list_head tables;
	unsigned long held;	/* allocations held */
	unsigned long held_max;
	unsigned long bad_syncs;
	unsigned long cross_syncs;	/* ranges that went on into the next table */
	unsigned long tlb_calls;
	struct st_model model;
};

static struct st_domain st_domains[ST_NFMT];

static struct st_table *st_find(struct st_domain *d, u64 dma, u64 len)
{
	struct st_table *t;

	list_for_each_entry(t, &d->tables, node) {
		if (dma >= t->dma && len <= t->size && dma - t->dma <= t->size - len)
			return t;
	}
	return NULL;
}

static void st_release(struct st_domain *d, struct st_table *t)
{
	list_del(&t->node);
	dma_unmap_single(d->dev, t->dma, t->size, DMA_TO_DEVICE);
	free_pages((unsigned long)t->va, t->order);
	kvfree(t->seen);
	kfree(t);
	d->held--;
}

/*
 * mem.alloc: whole pages; a block of 2^order pages is aligned to its size,
 * which covers every table (at most 256 KiB here, naturally aligned). One
 * page even for a 1 KiB v7s level-2 table: simple; a kmem_cache of 1 KiB
 * objects would be tighter. Use GFP_ATOMIC if your map path may not sleep.
 */
static void *st_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct st_domain *d = ctx;
	unsigned int order = get_order(size);
	gfp_t gfp = GFP_KERNEL;
	struct st_table *t;
	phys_addr_t phys;

	if (align > (PAGE_SIZE << order))
		return NULL;
	/* tables the walker reaches with 32 address bits */
	if (dma_get_mask(d->dev) <= DMA_BIT_MASK(32))
		gfp |= GFP_DMA32;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->size = size;
	t->order = order;
	t->va = (void *)__get_free_pages(gfp, order);
	t->seen = kvmalloc(size, GFP_KERNEL);
	if (!t->va || !t->seen)
		goto out_free;
	/* the library must not rely on the contents: make them a mess */
	memset(t->va, 0xff, size);
	memset(t->seen, 0xff, size);

	/* cleans the new memory once; iopgt reports it again once filled */
	t->dma = dma_map_single(d->dev, t->va, size, DMA_TO_DEVICE);
	if (!CHECK(d, !dma_mapping_error(d->dev, t->dma),
		   "dma_map_single() of %zu bytes failed", size))
		goto out_free;
	phys = virt_to_phys(t->va);
	if (!CHECK(d, t->dma == phys,
		   "table at physical %pa got DMA address %pad (a bounce buffer?)",
		   &phys, &t->dma) ||
	    !CHECK(d, t->dma + size - 1 <= dma_get_mask(d->dev),
		   "table at %pad is beyond the DMA mask %#llx", &t->dma,
		   dma_get_mask(d->dev))) {
		dma_unmap_single(d->dev, t->dma, size, DMA_TO_DEVICE);
		goto out_free;
	}
	list_add(&t->node, &d->tables);
	if (++d->held > d->held_max)
		d->held_max = d->held;
	*pa = t->dma;
	return t->va;

out_free:
	if (t->va)
		free_pages((unsigned long)t->va, order);
	kvfree(t->seen);
	kfree(t);
	return NULL;
}

static void st_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	struct st_domain *d = ctx;
	struct st_table *t = st_find(d, pa, size);

	if (!CHECK(d, t && t->dma == pa && t->va == va && t->size == size,
		   "free of %zu bytes at %#llx that alloc did not return", size, pa))
		return;
	st_release(d, t);
}

/* mem.phys_to_virt: only table memory held now; NULL for anything else */
static void *st_phys_to_virt(void *ctx, uint64_t pa)
{
	struct st_table *t = st_find(ctx, pa, 1);

	return t ? (u8 *)t->va + (pa - t->dma) : NULL;
}

/*
 * The DMA API backend's function, with the kernel's types. @ctx is what
 * iopgt_dma_sync_init() was given: here the domain, to check the range
 * and to keep the walker's view; a driver would pass its struct device.
 *
 * One call per page: the library merges the ranges of tables that lie next
 * to each other in memory into one (the dirty-range contract's "not
 * adjacent"), but each table has a DMA mapping of its own, and a sync must
 * stay inside one mapping. Every table here takes whole pages, so no page
 * holds two mappings.
 */
static void st_sync_for_device(void *ctx, uint64_t dma, size_t size, int dir)
{
	struct st_domain *d = ctx;

	while (size) {
		size_t len = min_t(u64, size, PAGE_SIZE - offset_in_page(dma));
		struct st_table *t = st_find(d, dma, len);

		if (!t || dir != DMA_TO_DEVICE) {
			if (d->bad_syncs++ < 4)
				pr_err("FAIL: %s: sync of %zu bytes at %#llx, direction %d: %s\n",
				       d->f->name, len, dma, dir,
				       t ? "not DMA_TO_DEVICE" :
				       "not inside DMA-mapped table memory");
		} else {
			dma_sync_single_for_device(d->dev, (dma_addr_t)dma, len, DMA_TO_DEVICE);
			/* from now on the walker may read these bytes */
			memcpy(t->seen + (dma - t->dma), (u8 *)t->va + (dma - t->dma), len);
			if (dma + len == t->dma + t->size && size > len)
				d->cross_syncs++;
		}
		dma += len;
		size -= len;
	}
}

/* TLB hooks: there is no real walker to invalidate; count the calls */
static void st_flush_all(void *ctx)
{
	((struct st_domain *)ctx)->tlb_calls++;
}

static void st_flush_range(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	((struct st_domain *)ctx)->tlb_calls++;
}

static int st_errno(int err)
{
	switch (err) {
	case IOPGT_OK:		return 0;
	case IOPGT_ERR_NOMEM:	return -ENOMEM;
	case IOPGT_ERR_EXIST:	return -EEXIST;
	case IOPGT_ERR_RANGE:	return -ERANGE;
	case IOPGT_ERR_NOENT:	return -ENOENT;
	case IOPGT_ERR_BUSY:	return -EBUSY;
	case IOPGT_ERR_NOTSUP:	return -EOPNOTSUPP;
	default:		return -EINVAL;
	}
}

/* ------------------------------------------------------------------ */
/* Reading the tables                                                  */
/* ------------------------------------------------------------------ */

struct st_walk {
	struct st_domain *d;
	bool seen;		/* read the walker's view, not the CPU's */
	u64 mapped;		/* bytes of leaves found */
	unsigned long tables;	/* tables reached */
	bool bad;
	char why[120];		/* the first thing that was wrong */
};

static __printf(2, 3) void st_walk_bad(struct st_walk *w, const char *fmt, ...)
{
	va_list args;

	if (w->bad)
		return;
	w->bad = true;
	va_start(args, fmt);
	vscnprintf(w->why, sizeof(w->why), fmt, args);
	va_end(args);
}

/* a leaf of @size bytes at @iova translating to @out: does the model agree? */
static void st_walk_leaf(struct st_walk *w, u64 iova, u64 size, u64 out)
{
	const struct st_ext *e = st_model_find(&w->d->model, iova, size);

	w->mapped += size;
	if (!e)
		st_walk_bad(w, "leaf %#llx+%#llx is not in the model", iova, size);
	else if (out != e->pa + (iova - e->iova))
		st_walk_bad(w, "leaf %#llx+%#llx -> %#llx, the model says %#llx",
			    iova, size, out, e->pa + (iova - e->iova));
}

static const void *st_walk_table(struct st_walk *w, u64 pa, size_t len)
{
	struct st_table *t = st_find(w->d, pa, len);

	if (!t) {
		st_walk_bad(w, "a descriptor points to %#llx, which is no table memory", pa);
		return NULL;
	}
	w->tables++;
	return (w->seen ? t->seen : (u8 *)t->va) + (pa - t->dma);
}

/*
 * Long descriptors (VMSAv8-64, VMSAv7 LPAE), read as the Arm ARM describes
 * them: bit 0 valid; bit 1 set: a table above the last level, a page at
 * it; clear: a block (0b01 at the last level is reserved). Output and
 * next-table addresses are bits [47:shift] (output sizes up to 48 bits).
 * Each descriptor of a contiguous run holds its own output address.
 */
static void st_walk_lpae(struct st_walk *w, const struct iopgt_stats *st, unsigned int wl,
			 u64 tpa, unsigned int entries, u64 base)
{
	unsigned int gshift = ilog2(st->granule), stride = gshift - 3;
	unsigned int shift = gshift + stride * (st->levels - 1 - wl);
	bool last = wl == st->levels - 1;
	const __le64 *tbl = st_walk_table(w, tpa, (size_t)entries * 8);
	unsigned int i;

	if (!tbl)
		return;
	for (i = 0; i < entries && !w->bad; i++) {
		u64 desc = le64_to_cpu(tbl[i]);
		u64 iova = base + ((u64)i << shift);

		if (!(desc & 1))
			continue;
		if (!last && (desc & 2))
			st_walk_lpae(w, st, wl + 1, desc & GENMASK_ULL(47, gshift),
				     1u << stride, iova);
		else if (last && !(desc & 2))
			st_walk_bad(w, "reserved descriptor %#llx at level %u", desc,
				    st->start_level + wl);
		else
			st_walk_leaf(w, iova, 1ull << shift, desc & GENMASK_ULL(47, shift));
	}
}

/*
 * Short descriptors (ARMv7 VMSA): 4096 first-level entries of 1 MiB, bits
 * [1:0] 0b01 a level-2 table (base bits [31:10]), 0b10 a section (base
 * [31:20]) or, with bit 18, a supersection (base [31:24], PA[35:32] in
 * [23:20], PA[39:36] in [8:5]), repeated in 16 entries; level-2 entries:
 * 0b01 a 64K large page (base [31:16], repeated 16 times), 0b1x a 4K small
 * page (base [31:12]).
 */
static void st_walk_v7s(struct st_walk *w, u64 root)
{
	const __le32 *l1 = st_walk_table(w, root, 4096 * 4);
	unsigned int i, j;

	if (!l1)
		return;
	for (i = 0; i < 4096 && !w->bad; i++) {
		u32 desc = le32_to_cpu(l1[i]);
		u64 iova = (u64)i << 20;
		const __le32 *l2;
		u64 out;

		switch (desc & 3) {
		case 0:
			break;
		case 1:
			l2 = st_walk_table(w, desc & ~0x3ffu, 256 * 4);
			for (j = 0; l2 && j < 256; j++) {
				u32 pte = le32_to_cpu(l2[j]);
				u64 va = iova + ((u64)j << 12);

				if ((pte & 3) == 1)
					st_walk_leaf(w, va, SZ_4K, (pte & 0xffff0000u) + (va & 0xffff));
				else if (pte & 2)
					st_walk_leaf(w, va, SZ_4K, pte & 0xfffff000u);
			}
			break;
		case 2:
			if (desc & BIT(18)) {
				out = (desc & 0xff000000u) | (u64)((desc >> 20) & 0xf) << 32 |
				      (u64)((desc >> 5) & 0xf) << 36;
				st_walk_leaf(w, iova, SZ_1M, out + (iova & (SZ_16M - 1)));
			} else {
				st_walk_leaf(w, iova, SZ_1M, desc & 0xfff00000u);
			}
			break;
		default:
			st_walk_bad(w, "reserved first-level descriptor %#x", desc);
		}
	}
}

static void st_own_walk(struct st_domain *d, bool seen, const struct iopgt_stats *st)
{
	struct st_walk w = { .d = d, .seen = seen };
	const char *view = seen ? "the synced bytes (the walker's view)" : "table memory";
	struct iopgt_regs regs;
	u64 root;

	iopgt_get_regs(&d->pt, &regs);
	/* the table base of TTBR0 / VTTBR (v7s: bits [31:14]) */
	if (d->f->fmt == IOPGT_FMT_ARMV7S) {
		root = regs.ttbr & 0xffffc000u;
		st_walk_v7s(&w, root);
	} else {
		root = (d->f->fmt == IOPGT_FMT_ARM64_S2 ? regs.vttbr : regs.ttbr) &
		       GENMASK_ULL(47, 1);
		st_walk_lpae(&w, st, 0, root, st->root_entries, 0);
	}
	if (!w.bad && w.mapped != st_model_bytes(&d->model))
		st_walk_bad(&w, "leaves of %#llx bytes, the model has %#llx", w.mapped,
			    st_model_bytes(&d->model));
	CHECK(d, !w.bad, "own walk of %s: %s", view, w.why);
	CHECK(d, w.bad || w.tables == st->tables,
	      "own walk of %s reached %lu tables, iopgt_get_stats() counts %llu",
	      view, w.tables, st->tables);
}

static int st_walk_cb(void *ctx, const struct iopgt_leaf *leaf)
{
	struct st_walk *w = ctx;

	st_walk_leaf(w, leaf->m.iova, leaf->m.size, leaf->m.pa);
	return w->bad;
}

/* iopgt_lookup() at @iova must say what the model says */
static void st_probe(struct st_domain *d, u64 iova)
{
	const struct st_ext *e = st_model_find(&d->model, iova, 1);
	struct iopgt_mapping m;
	int err = iopgt_lookup(&d->pt, iova, &m);

	if (!e) {
		CHECK(d, err == IOPGT_ERR_NOENT, "lookup of unmapped %#llx: %s", iova,
		      iopgt_strerror(err));
		return;
	}
	if (!CHECK(d, !err, "lookup of mapped %#llx: %s", iova, iopgt_strerror(err)))
		return;
	CHECK(d, iova >= m.iova && iova - m.iova < m.size &&
		 m.pa + (iova - m.iova) == e->pa + (iova - e->iova) &&
		 (m.prot & (IOPGT_READ | IOPGT_WRITE)) == (IOPGT_READ | IOPGT_WRITE),
	      "lookup of %#llx: leaf %#llx+%#llx -> %#llx prot %#x, the model says -> %#llx",
	      iova, m.iova, m.size, m.pa, m.prot, e->pa + (iova - e->iova));
}

/* everything the tables say against the model and the allocations */
static void st_verify(struct st_domain *d)
{
	struct st_walk w = { .d = d };
	struct iopgt_stats st;
	unsigned int i;
	int err;

	CHECK(d, d->bad_syncs == 0, "%lu synced ranges were outside table memory",
	      d->bad_syncs);
	for (i = 0; i < d->model.n; i++) {
		const struct st_ext *e = &d->model.e[i];

		st_probe(d, e->iova);
		st_probe(d, e->iova + e->size / 2);
		st_probe(d, e->iova + e->size - 1);
		if (e->iova)
			st_probe(d, e->iova - 1);
		st_probe(d, e->iova + e->size);
	}
	err = iopgt_walk(&d->pt, 0, 0, st_walk_cb, &w);
	if (!w.bad && !err && w.mapped != st_model_bytes(&d->model))
		st_walk_bad(&w, "leaves of %#llx bytes, the model has %#llx", w.mapped,
			    st_model_bytes(&d->model));
	CHECK(d, !err && !w.bad, "iopgt_walk(): %s %s", iopgt_strerror(err), w.why);

	err = iopgt_get_stats(&d->pt, &st);
	if (!CHECK(d, !err, "iopgt_get_stats(): %s", iopgt_strerror(err)))
		return;
	CHECK(d, st.tables == d->held, "iopgt_get_stats() counts %llu tables, %lu allocations held",
	      st.tables, d->held);
	st_own_walk(d, false, &st);
	st_own_walk(d, true, &st);
}

/* ------------------------------------------------------------------ */
/* The sequence                                                        */
/* ------------------------------------------------------------------ */

static void st_map(struct st_domain *d, u64 iova, u64 pa, u64 size)
{
	u64 ranges = d->rec.total_ranges;
	int err = iopgt_map(&d->pt, iova, pa, size, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);

	if (CHECK(d, !err, "map %#llx+%#llx -> %#llx: %d (%s)", iova, size, pa,
		  st_errno(err), iopgt_strerror(err))) {
		CHECK(d, st_model_add(&d->model, iova, pa, size), "model full");
		CHECK(d, d->rec.total_ranges > ranges, "map %#llx+%#llx synced nothing",
		      iova, size);
	}
	st_verify(d);
}

static void st_unmap(struct st_domain *d, u64 iova, u64 size)
{
	unsigned long tlb = d->tlb_calls;
	bool was_mapped = false;
	unsigned int i;
	int err;

	for (i = 0; i < d->model.n; i++)
		if (d->model.e[i].iova < iova + size && iova < d->model.e[i].iova + d->model.e[i].size)
			was_mapped = true;
	err = iopgt_unmap(&d->pt, iova, size);
	if (CHECK(d, !err, "unmap %#llx+%#llx: %d (%s)", iova, size, st_errno(err),
		  iopgt_strerror(err))) {
		CHECK(d, st_model_cut(&d->model, iova, size), "model full");
		CHECK(d, !was_mapped || d->tlb_calls > tlb,
		      "unmap %#llx+%#llx called no TLB hook", iova, size);
	}
	st_verify(d);
}

/*
 * Regions, in units of the format's sizes, each with an output address of
 * its own (aligned to the largest leaf) so that a leaf pointing into the
 * wrong region shows:
 *   A  one block, split by unmapping one page in it
 *   B  three pages, unmapped whole (their table is freed)
 *   C  one contiguous run (v7s: large page), split by unmapping one page
 *   D  one big block (1G, or a v7s supersection), split two levels deep
 *   E  two blocks and five pages; a two-page hole across the blocks' edge
 * then everything is unmapped (only the root is left), and A and B are
 * mapped again, to be freed on unload.
 */
static void st_sequence(struct st_domain *d)
{
	const struct st_fmt *f = d->f;
	u64 pg = f->page, blk = f->block;
	u64 pstep = max_t(u64, f->big, 16 * blk);
	u64 A = 2 * blk, B = 4 * blk, C = 5 * blk, D = 2 * f->big, E = 8 * blk;
	u64 pa0 = SZ_1G;
	unsigned long held;
	int err;

	st_verify(d); /* the empty root */
	st_map(d, A, pa0 + 1 * pstep, blk);
	st_map(d, B, pa0 + 2 * pstep, 3 * pg);
	st_map(d, C, pa0 + 3 * pstep, f->run);
	if (f->big)
		st_map(d, D, pa0, f->big);
	st_map(d, E, pa0 + 4 * pstep, 2 * blk + 5 * pg);

	/* a map over a live mapping is refused and changes nothing */
	err = iopgt_map(&d->pt, A, pa0, pg, IOPGT_READ);
	CHECK(d, err == IOPGT_ERR_EXIST, "map over a block: %s", iopgt_strerror(err));
	st_verify(d);

	st_unmap(d, A + pg, pg);
	st_unmap(d, C + 2 * pg, pg);
	if (f->big)
		st_unmap(d, D + blk + pg, pg);
	held = d->held;
	st_unmap(d, B, 3 * pg);
	CHECK(d, d->held < held, "unmapping every page of a table freed nothing");
	st_unmap(d, E + blk - pg, 2 * pg);

	/* everything: only the root is left */
	st_unmap(d, 0, 1ull << f->ias);
	CHECK(d, d->model.n == 0 && d->held == 1,
	      "after unmapping everything %lu allocations are held", d->held);

	/* left mapped until the module is unloaded */
	st_map(d, A, pa0 + 1 * pstep, blk);
	st_map(d, B, pa0 + 2 * pstep, 3 * pg);
}

/* ------------------------------------------------------------------ */
/* Setting up and tearing down                                         */
/* ------------------------------------------------------------------ */

static void st_domain_fini(struct st_domain *d)
{
	struct st_table *t, *n;

	if (d->pt_live) {
		iopgt_fini(&d->pt);
		d->pt_live = false;
		CHECK(d, d->held == 0, "iopgt_fini() left %lu allocations held", d->held);
	}
	/* whatever is left after a failure */
	list_for_each_entry_safe(t, n, &d->tables, node)
		st_release(d, t);
	if (d->pdev)
		platform_device_unregister(d->pdev);
	d->pdev = NULL;
}

static int st_domain_init(struct st_domain *d, const struct st_fmt *f, int id)
{
	struct iopgt_cfg cfg = {
		.fmt = f->fmt,
		.ias = f->ias,
		.oas = f->oas,
		.pgsizes = f->pgsizes,
		.mem = {
			.alloc = st_alloc,
			.free = st_free,
			.phys_to_virt = st_phys_to_virt,
			.ctx = d,
		},
		.tlb = {
			.flush_all = st_flush_all,
			.flush_walk = st_flush_range,
			.flush_leaf = st_flush_range,
			.ctx = d,
		},
	};
	struct iopgt_sync dma;
	int err;

	d->f = f;
	INIT_LIST_HEAD(&d->tables);

	/* the walker: a device of our own, a DMA master reaching oas bits */
	d->pdev = platform_device_register_simple("iopgt-selftest", id, NULL, 0);
	if (IS_ERR(d->pdev)) {
		err = PTR_ERR(d->pdev);
		d->pdev = NULL;
		CHECK(d, false, "platform_device_register_simple(): %d", err);
		return err;
	}
	d->dev = &d->pdev->dev;
	err = dma_set_mask_and_coherent(d->dev, DMA_BIT_MASK(f->oas));
	if (!CHECK(d, !err, "dma_set_mask_and_coherent(%u bits): %d", f->oas, err))
		return err;

	/* dirty ranges: counted by the recorder, then synced for the device */
	iopgt_dma_sync_init(&d->dsync, st_sync_for_device, d, DMA_TO_DEVICE);
	dma = iopgt_dma_sync(&d->dsync);
	iopgt_recorder_init(&d->rec, NULL, 0, NULL, 0, &dma);
	cfg.sync = iopgt_recorder_sync(&d->rec);

	err = iopgt_init(&d->pt, &cfg);
	if (!CHECK(d, !err, "iopgt_init(): %s", iopgt_strerror(err)))
		return st_errno(err);
	d->pt_live = true;
	/* a driver would now program iopgt_get_regs() into its walker */
	return 0;
}

static void st_fini_all(void)
{
	unsigned int i;

	for (i = 0; i < ST_NFMT; i++)
		if (st_domains[i].f)
			st_domain_fini(&st_domains[i]);
}

static int __init st_init(void)
{
	unsigned int i;

	for (i = 0; i < ST_NFMT; i++) {
		struct st_domain *d = &st_domains[i];

		if (st_domain_init(d, &st_fmts[i], i))
			continue;
		st_sequence(d);
		pr_info("%s: DMA %s, %llu sync calls, %llu ranges (%lu went on into the next table), %llu bytes synced to the device, up to %lu tables\n",
			d->f->name, dev_is_dma_coherent(d->dev) ? "coherent" : "non-coherent",
			d->rec.total_calls, d->rec.total_ranges, d->cross_syncs,
			d->rec.total_bytes, d->held_max);
	}
	if (st_failed) {
		st_fini_all();
		pr_err("FAIL: %u of %u checks failed\n", st_failed, st_checks);
		return -EIO;
	}
	pr_info("%u checks passed\n", st_checks);
	return 0;
}

static void __exit st_exit(void)
{
	unsigned int before = st_failed;

	st_fini_all();
	if (st_failed != before)
		pr_err("FAIL: unload: %u checks failed\n", st_failed - before);
	else
		pr_info("unloaded: every table freed and DMA-unmapped\n");
}

module_init(st_init);
module_exit(st_exit);

MODULE_DESCRIPTION("iopgt: page tables built with the kernel's DMA API, checked");
MODULE_LICENSE("Dual MIT/GPL");
