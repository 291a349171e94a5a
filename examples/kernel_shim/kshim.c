/* SPDX-License-Identifier: MIT */
/*
 * kshim.c - iopgt inside a Linux IOMMU driver whose table walker does not
 * snoop the CPU caches.
 *
 * What you learn here: the whole wiring a kernel shim needs.
 *   1. Table memory comes from the page allocator and is mapped for DMA to
 *      the IOMMU device; the DMA address is what the walker uses, so the
 *      mem.alloc hook returns it as iopgt's pa.
 *   2. mem.phys_to_virt finds a table's CPU address again from a pa read
 *      out of a descriptor; that is only right when the DMA address is the
 *      physical address, so alloc refuses memory for which it is not.
 *   3. The DMA API backend makes each dirty range visible to the walker
 *      with dma_sync_single_for_device(), through a typed wrapper (never a
 *      cast of the kernel function: kernels built with CFI trap on it).
 *   4. A coherent walker gets no backend at all: sync.fn stays NULL.
 *   5. iopgt's error codes are turned into errno values.
 * In a kernel tree, provide an iopgt/env.h that includes <linux/types.h>
 * instead of the C headers (see env.h), and build without KSHIM_STANDIN.
 */
#ifdef KSHIM_STANDIN
#include "kernel_standin.h"
#else
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#endif
#include "kshim.h"

static void kshim_sync_for_device(void *dev, uint64_t dma, size_t size, int dir)
{
	dma_sync_single_for_device(dev, (dma_addr_t)dma, size,
				   (enum dma_data_direction)dir);
}

/*
 * A block of 2^order pages is aligned to its size, which covers every
 * table (tables are at most 64 KiB and naturally aligned). One page even
 * for a 1 KiB v7s level-2 table: simple; a kmem_cache would be tighter.
 * Use GFP_ATOMIC instead if your map path may not sleep.
 */
static void *kshim_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct kshim_domain *d = ctx;
	unsigned int order = get_order(size);
	void *va;
	dma_addr_t dma;

	if (align > (PAGE_SIZE << order))
		return NULL;
	va = (void *)__get_free_pages(GFP_KERNEL, order);
	if (!va)
		return NULL;
	/* cleans the new memory once; iopgt reports it again after filling it */
	dma = dma_map_single(d->iommu_dev, va, size, DMA_TO_DEVICE);
	if (dma_mapping_error(d->iommu_dev, dma))
		goto out_free;
	if (dma != virt_to_phys(va)) {
		/* the walker would follow descriptors phys_to_virt cannot */
		dev_err(d->iommu_dev, "table DMA address is not its physical address\n");
		dma_unmap_single(d->iommu_dev, dma, size, DMA_TO_DEVICE);
		goto out_free;
	}
	*pa = dma;
	return va;
out_free:
	free_pages((unsigned long)va, order);
	return NULL;
}

static void kshim_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	struct kshim_domain *d = ctx;

	dma_unmap_single(d->iommu_dev, (dma_addr_t)pa, size, DMA_TO_DEVICE);
	free_pages((unsigned long)va, get_order(size));
}

static void *kshim_phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return phys_to_virt((phys_addr_t)pa);
}

static int kshim_errno(int err)
{
	switch (err) {
	case IOPGT_OK:          return 0;
	case IOPGT_ERR_NOMEM:   return -ENOMEM;
	case IOPGT_ERR_EXIST:   return -EEXIST;
	case IOPGT_ERR_RANGE:   return -ERANGE;
	case IOPGT_ERR_NOENT:   return -ENOENT;
	case IOPGT_ERR_BUSY:    return -EBUSY;
	case IOPGT_ERR_NOTSUP:  return -EOPNOTSUPP;
	default:                return -EINVAL;
	}
}

int kshim_domain_init(struct kshim_domain *d, struct device *iommu_dev,
		      unsigned int ias, unsigned int oas, bool coherent_walk,
		      const struct iopgt_tlb *tlb)
{
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM64_S1,
		.ias = ias,
		.oas = oas,
		.mem = { kshim_alloc, kshim_free, kshim_phys_to_virt, d },
	};

	d->iommu_dev = iommu_dev;
	if (!coherent_walk) {
		iopgt_dma_sync_init(&d->dsync, kshim_sync_for_device, iommu_dev,
				    DMA_TO_DEVICE);
		cfg.sync = iopgt_dma_sync(&d->dsync);
	}
	if (tlb)
		cfg.tlb = *tlb; /* the driver's invalidation commands */
	/* then program iopgt_get_regs()'s ttbr/tcr/mair into the context */
	return kshim_errno(iopgt_init(&d->pt, &cfg));
}

int kshim_map(struct kshim_domain *d, uint64_t iova, uint64_t pa, uint64_t size,
	      uint32_t prot)
{
	return kshim_errno(iopgt_map(&d->pt, iova, pa, size, prot));
}

int kshim_unmap(struct kshim_domain *d, uint64_t iova, uint64_t size)
{
	return kshim_errno(iopgt_unmap(&d->pt, iova, size));
}

void kshim_domain_fini(struct kshim_domain *d)
{
	iopgt_fini(&d->pt);
}
