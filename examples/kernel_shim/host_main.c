/* SPDX-License-Identifier: MIT */
/*
 * host_main.c - runs the kernel shim example on a host: fakes the kernel
 * functions kernel_standin.h declares (DMA address == physical address ==
 * CPU address) and checks that every dma_sync_single_for_device() call
 * covers memory that is mapped for DMA as table memory, toward the device.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel_standin.h"
#include "kshim.h"

struct device {
	int id;
};

#define MAX_MAPS 256
static struct { dma_addr_t addr; size_t size; } maps[MAX_MAPS];
static unsigned long pages_out, syncs, sync_bytes, bad_syncs;

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	(void)gfp;
	pages_out += 1ul << order;
	return (unsigned long)aligned_alloc(PAGE_SIZE << order, PAGE_SIZE << order);
}

void free_pages(unsigned long addr, unsigned int order)
{
	pages_out -= 1ul << order;
	free((void *)addr);
}

dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
			  enum dma_data_direction dir)
{
	(void)dev;
	(void)dir;
	for (int i = 0; i < MAX_MAPS; i++) {
		if (!maps[i].size) {
			maps[i].addr = (uintptr_t)ptr;
			maps[i].size = size;
			return (uintptr_t)ptr;
		}
	}
	return ~(dma_addr_t)0;
}

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir)
{
	(void)dev;
	(void)dir;
	for (int i = 0; i < MAX_MAPS; i++) {
		if (maps[i].addr == addr && maps[i].size == size)
			maps[i].size = 0;
	}
}

int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	(void)dev;
	return addr == ~(dma_addr_t)0;
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	bool inside = false;

	(void)dev;
	for (int i = 0; i < MAX_MAPS; i++) {
		if (maps[i].size && addr >= maps[i].addr &&
		    addr + size <= maps[i].addr + maps[i].size)
			inside = true;
	}
	if (!inside || dir != DMA_TO_DEVICE)
		bad_syncs++;
	syncs++;
	sync_bytes += size;
}

phys_addr_t virt_to_phys(volatile void *address)
{
	return (uintptr_t)address;
}

void *phys_to_virt(phys_addr_t address)
{
	return (void *)(uintptr_t)address;
}

void dev_err(const struct device *dev, const char *fmt, ...)
{
	va_list ap;

	(void)dev;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int main(void)
{
	struct device smmu = { 0 };
	struct kshim_domain d;
	int rc;

	rc = kshim_domain_init(&d, &smmu, 48, 48, false, NULL);
	if (!rc)
		rc = kshim_map(&d, 0x40000000, 0x80000000, 0x200000,
			       IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
	if (!rc)
		rc = kshim_map(&d, 0x1000, 0x90001000, 0x3000, IOPGT_READ);
	if (!rc)
		rc = kshim_unmap(&d, 0x2000, 0x1000);
	if (!rc && kshim_map(&d, 0x1000, 0x90001000, 0x1000, IOPGT_READ) != -EEXIST)
		rc = -1;
	printf("rc %d: %lu dma_sync_single_for_device calls, %lu bytes, %lu bad\n",
	       rc, syncs, sync_bytes, bad_syncs);
	kshim_domain_fini(&d);
	if (rc || !syncs || bad_syncs || pages_out) {
		fprintf(stderr, "kernel shim example failed (%lu pages left)\n", pages_out);
		return 1;
	}
	return 0;
}
