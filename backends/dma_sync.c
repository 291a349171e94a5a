/* SPDX-License-Identifier: MIT */
/*
 * backends/dma_sync.c - the DMA API backend, for Linux kernel shims: one
 * dma_sync_single_for_device()-shaped call per dirty range.
 */
#include "iopgt/backends.h"

IOPGT_API int iopgt_dma_sync_init(struct iopgt_dma_sync *d, iopgt_dma_sync_fn fn,
				  void *dev, int dir)
{
	if (!d || !fn)
		return IOPGT_ERR_INVAL;
	d->sync_for_device = fn;
	d->dev = dev;
	d->dir = dir ? dir : IOPGT_DMA_TO_DEVICE;
	return IOPGT_OK;
}

IOPGT_API struct iopgt_sync iopgt_dma_sync(struct iopgt_dma_sync *d)
{
	struct iopgt_sync s;

	s.fn = iopgt_dma_sync_ranges;
	s.ctx = d;
	return s;
}

IOPGT_API void iopgt_dma_sync_ranges(void *ctx, const struct iopgt_range *ranges,
				     size_t n)
{
	const struct iopgt_dma_sync *d = ctx;

	for (size_t i = 0; i < n; i++) {
		if (ranges[i].len)
			d->sync_for_device(d->dev, ranges[i].pa, ranges[i].len, d->dir);
	}
}
