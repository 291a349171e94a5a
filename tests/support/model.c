/* SPDX-License-Identifier: MIT */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void model_init(struct model *md, uint64_t pgsizes)
{
	memset(md, 0, sizeof(*md));
	md->pgsizes = pgsizes;
}

void model_fini(struct model *md)
{
	free(md->c);
	memset(md, 0, sizeof(*md));
}

size_t model_first_after(const struct model *md, uint64_t iova)
{
	size_t lo = 0, hi = md->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (md->c[mid].iova + md->c[mid].size <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mchunk *model_lookup(const struct model *md, uint64_t iova)
{
	size_t i = model_first_after(md, iova);

	if (i < md->n && md->c[i].iova <= iova)
		return &md->c[i];
	return NULL;
}

bool model_overlaps(const struct model *md, uint64_t iova, uint64_t size)
{
	size_t i = model_first_after(md, iova);

	return i < md->n && md->c[i].iova < iova + size;
}

uint64_t model_pick_size(uint64_t pgsizes, uint64_t iova, uint64_t pa, uint64_t remaining)
{
	uint64_t best = 0, s;
	unsigned b;

	for (b = 0; b < 64; b++) {
		s = tbit(b);
		if (!(pgsizes & s))
			continue;
		if (s <= remaining && !((iova | pa) & (s - 1)))
			best = s;
	}
	return best;
}

static void insert_at(struct model *md, size_t i, const struct mchunk *c)
{
	if (md->n == md->cap) {
		md->cap = md->cap ? md->cap * 2 : 256;
		md->c = realloc(md->c, md->cap * sizeof(*md->c));
		TCHECK(md->c != NULL, "realloc");
	}
	memmove(&md->c[i + 1], &md->c[i], (md->n - i) * sizeof(*c));
	md->c[i] = *c;
	md->n++;
}

int model_map(struct model *md, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	size_t i;
	uint64_t done = 0;

	if (model_overlaps(md, iova, size))
		return IOPGT_ERR_EXIST;
	i = model_first_after(md, iova);
	while (done < size) {
		struct mchunk c;
		uint64_t s = model_pick_size(md->pgsizes, iova + done, pa + done, size - done);

		TCHECK(s != 0, "model: no page size for 0x%llx", (unsigned long long)(iova + done));
		c.iova = iova + done;
		c.pa = pa + done;
		c.size = s;
		c.prot = prot;
		c.exact = true;
		insert_at(md, i++, &c);
		done += s;
	}
	md->bytes += size;
	return IOPGT_OK;
}

void model_unmap(struct model *md, uint64_t iova, uint64_t size)
{
	uint64_t end = iova + size;
	size_t i = model_first_after(md, iova), j = i, k, nrem = 0;
	struct mchunk rem[2];

	/* chunks [i, j) intersect [iova, end): remove them in one move,
	 * keeping the parts outside the range */
	while (j < md->n && md->c[j].iova < end)
		j++;
	for (k = i; k < j; k++) {
		const struct mchunk *c = &md->c[k];
		uint64_t cend = c->iova + c->size;
		uint64_t lo = c->iova > iova ? c->iova : iova, hi = cend < end ? cend : end;

		md->bytes -= hi - lo;
		if (c->iova < iova) {
			rem[nrem] = *c;
			rem[nrem].size = iova - c->iova;
			rem[nrem].exact = false;
			nrem++;
		}
		if (cend > end) {
			rem[nrem] = *c;
			rem[nrem].iova = end;
			rem[nrem].pa = c->pa + (end - c->iova);
			rem[nrem].size = cend - end;
			rem[nrem].exact = false;
			nrem++;
		}
	}
	if (j == i)
		return;
	memmove(&md->c[i], &md->c[j], (md->n - j) * sizeof(*md->c));
	md->n -= j - i;
	for (k = 0; k < nrem; k++)
		insert_at(md, i + k, &rem[k]);
}

void model_compact(struct model *md, uint64_t iova, uint64_t size,
		   uint64_t (*key)(const void *ctx, uint32_t prot), const void *ctx)
{
	uint64_t end = iova + size;
	size_t i = model_first_after(md, iova), o;

	if (i >= md->n || md->c[i].iova >= end)
		return;
	md->c[i].exact = false;
	o = i;
	for (size_t k = i + 1; k < md->n; k++) {
		struct mchunk *p = &md->c[o], *c = &md->c[k];

		if (c->iova < end) {
			c->exact = false;
			if (p->iova + p->size == c->iova && p->pa + p->size == c->pa &&
			    key(ctx, p->prot) == key(ctx, c->prot)) {
				p->size += c->size;
				continue;
			}
		}
		md->c[++o] = *c;
	}
	md->n = o + 1;
}
