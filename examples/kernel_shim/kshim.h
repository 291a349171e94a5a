/* SPDX-License-Identifier: MIT */
/* kshim.h - the interface of the kernel shim example (see kshim.c). */
#ifndef KSHIM_H
#define KSHIM_H

#include <iopgt/backends.h>

struct device;

/* One IOMMU domain: the tables and what their callbacks need. */
struct kshim_domain {
	struct device *iommu_dev;    /* the IOMMU; its table walker is the DMA master */
	struct iopgt_dma_sync dsync; /* the DMA API backend */
	struct iopgt pt;
};

int kshim_domain_init(struct kshim_domain *d, struct device *iommu_dev,
		      unsigned int ias, unsigned int oas, bool coherent_walk,
		      const struct iopgt_tlb *tlb);
int kshim_map(struct kshim_domain *d, uint64_t iova, uint64_t pa, uint64_t size,
	      uint32_t prot);
int kshim_unmap(struct kshim_domain *d, uint64_t iova, uint64_t size);
void kshim_domain_fini(struct kshim_domain *d);

#endif /* KSHIM_H */
