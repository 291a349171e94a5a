/* SPDX-License-Identifier: MIT */
/*
 * kernel_standin.h - the few Linux kernel declarations kshim.c uses, so that
 * the example compiles (and, with host_main.c, runs) outside a kernel tree.
 * Signatures follow the kernel's; only what kshim.c needs is here.
 */
#ifndef KERNEL_STANDIN_H
#define KERNEL_STANDIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;                       /* opaque, as to a driver */
typedef uint64_t dma_addr_t;
typedef uint64_t phys_addr_t;
typedef unsigned int gfp_t;

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

#define GFP_KERNEL 0x0cc0u
#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)

#define EINVAL 22
#define ENOMEM 12
#define EEXIST 17
#define ERANGE 34
#define ENOENT 2
#define EBUSY 16
#define EOPNOTSUPP 95

/* the smallest order whose block (PAGE_SIZE << order) holds @size bytes */
static inline int get_order(unsigned long size)
{
	int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);

dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
			  enum dma_data_direction dir);
void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir);
int dma_mapping_error(struct device *dev, dma_addr_t addr);
void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir);

phys_addr_t virt_to_phys(volatile void *address);
void *phys_to_virt(phys_addr_t address);

void dev_err(const struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* KERNEL_STANDIN_H */
