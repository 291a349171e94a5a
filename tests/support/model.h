/* SPDX-License-Identifier: MIT */
/*
 * tests/support/model.h - the reference model: a plain sorted list of the
 * leaves map created, with the semantics of iopgt_map/iopgt_unmap.
 *
 * Addresses are offsets from the start of the input range (so the TTBR1
 * upper range needs no 64-bit wrap-around care). model_map() splits a map
 * into leaves exactly as the contract says (largest size in pgsizes that
 * the alignment of iova and pa and the remaining size allow); such a leaf
 * is "exact": the library must hold it as one leaf of that size. Parts of a
 * leaf left by a partial unmap are not exact: the library may hold them as
 * any leaves of the right translation.
 *
 * Usage:
 *   struct model md; model_init(&md, pgsizes);
 *   if (model_map(&md, off, pa, size, prot) == IOPGT_ERR_EXIST) ...
 *   model_unmap(&md, off, size);
 *   const struct mchunk *c = model_lookup(&md, off);  // NULL: unmapped
 *   model_fini(&md);
 */
#ifndef IOPGT_TEST_MODEL_H
#define IOPGT_TEST_MODEL_H

#include "tutil.h"

struct mchunk {
	uint64_t iova, pa, size; /* iova: offset from the range base */
	uint32_t prot;
	bool exact;
};

struct model {
	struct mchunk *c; /* sorted by iova, disjoint */
	size_t n, cap;
	uint64_t pgsizes;
	uint64_t bytes;   /* total mapped */
};

void model_init(struct model *md, uint64_t pgsizes);
void model_fini(struct model *md);
/* The size map uses at (iova, pa) with @remaining bytes left. */
uint64_t model_pick_size(uint64_t pgsizes, uint64_t iova, uint64_t pa, uint64_t remaining);
/* IOPGT_OK or IOPGT_ERR_EXIST (model unchanged). */
int model_map(struct model *md, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot);
void model_unmap(struct model *md, uint64_t iova, uint64_t size);
/* After iopgt_compact() of [iova, iova + size): the chunks it reaches are
 * no longer exact, and neighbours among them that continue each other (in
 * input and output) with equal @key(@ctx, prot) become one chunk, so that
 * a leaf the compaction formed lies inside one. */
void model_compact(struct model *md, uint64_t iova, uint64_t size,
		   uint64_t (*key)(const void *ctx, uint32_t prot), const void *ctx);
bool model_overlaps(const struct model *md, uint64_t iova, uint64_t size);
const struct mchunk *model_lookup(const struct model *md, uint64_t iova);
/* Index of the first chunk that ends after @iova (md->n if none). */
size_t model_first_after(const struct model *md, uint64_t iova);

#endif
