/* SPDX-License-Identifier: MIT */
/*
 * lib/hosted.c - the built-in allocator used when cfg->mem is all NULL.
 * Hosted builds only: this is the one core file that calls the C library.
 */
#include <stdlib.h>

#include "internal.h"

void *iopgt_hosted_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	void *p;

	(void)ctx;
	if (align < sizeof(void *))
		align = sizeof(void *);
	/* aligned_alloc wants a size that is a multiple of the alignment */
	size = (size + align - 1) & ~(align - 1);
	p = aligned_alloc(align, size);
	if (p)
		*pa = (uint64_t)(uintptr_t)p;
	return p;
}

void iopgt_hosted_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx;
	(void)pa;
	(void)size;
	free(va);
}
