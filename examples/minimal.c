/* SPDX-License-Identifier: MIT */
/*
 * minimal.c - AArch64 stage-1 tables for a non-coherent walker: map a
 * buffer, look an address up, unmap, free.
 */
#include <inttypes.h>
#include <stdio.h>

#include <iopgt/iopgt.h>

/* Every byte of table memory the library writes arrives here before the
 * walker may read it. A real backend cleans these ranges to the point of
 * coherency (DC CVAC, dma_sync_single_for_device, ...). */
static void clean_tables(void *ctx, const struct iopgt_range *r, size_t n)
{
	size_t *bytes = ctx;

	for (size_t i = 0; i < n; i++)
		*bytes += r[i].len;
}

int main(void)
{
	size_t cleaned = 0;
	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM64_S1,
		.ias = 48,
		.oas = 48, /* pgsizes 0: 4K pages, 2M and 1G blocks */
		.sync = { .fn = clean_tables, .ctx = &cleaned },
	};
	struct iopgt pt;
	struct iopgt_mapping m;
	int err;

	err = iopgt_init(&pt, &cfg); /* mem all NULL: the built-in allocator */
	if (err) {
		fprintf(stderr, "iopgt_init: %s\n", iopgt_strerror(err));
		return 1;
	}

	/* 2 MiB + 4 KiB: one 2M block and one 4K page. */
	err = iopgt_map(&pt, 0x40000000, 0x80000000, 0x201000,
			IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
	if (!err)
		err = iopgt_lookup(&pt, 0x40123456, &m);
	if (err) {
		fprintf(stderr, "iopgt_map/lookup: %s\n", iopgt_strerror(err));
		iopgt_fini(&pt);
		return 1;
	}
	printf("iova 0x40123456 -> pa 0x%" PRIx64 " (leaf of 0x%" PRIx64 " bytes)\n",
	       m.pa + (0x40123456 - m.iova), m.size);

	err = iopgt_unmap(&pt, 0x40000000, 0x201000);
	printf("unmap: %s; %zu bytes of table memory cleaned in all\n",
	       iopgt_strerror(err), cleaned);
	iopgt_fini(&pt);
	return err ? 1 : 0;
}
