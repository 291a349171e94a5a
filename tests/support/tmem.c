/* SPDX-License-Identifier: MIT */
#include "tmem.h"

#include <stdlib.h>
#include <string.h>

void tmem_init(struct tmem *m, uint64_t pa_base, unsigned pa_bits, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->pa_base = m->pa_next = pa_base;
	m->pa_limit = pa_bits >= 64 ? ~(uint64_t)0 : tbit(pa_bits);
	trng_seed(&m->rng, seed ^ 0x746d656dull);
	m->garbage = true;
}

void tmem_hooks(struct tmem *m, struct iopgt_mem *mem)
{
	mem->alloc = tmem_alloc;
	mem->free = tmem_free;
	mem->phys_to_virt = tmem_phys_to_virt;
	mem->ctx = m;
}

static size_t find_idx(const struct tmem *m, uint64_t pa, bool *found)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->recs[mid].pa + m->recs[mid].size <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < m->n && m->recs[lo].pa <= pa && pa < m->recs[lo].pa + m->recs[lo].size;
	return lo;
}

struct tmem_rec *tmem_find(const struct tmem *m, uint64_t pa)
{
	bool found;
	size_t i = find_idx(m, pa, &found);

	return found ? &m->recs[i] : NULL;
}

void *tmem_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct tmem *m = ctx;
	struct tmem_rec *r;
	uint64_t p;
	void *raw;

	TCHECK(size > 0, "zero-size allocation");
	TCHECK(align && !(align & (align - 1)), "align %zu not a power of two", align);
	if (m->fail_all) {
		m->failed_total++;
		return NULL;
	}
	if (m->fail_at) {
		if (--m->fail_at == 0) {
			m->failed_total++;
			return NULL;
		}
	}
	if (!m->min_align_seen || align < m->min_align_seen)
		m->min_align_seen = align;
	raw = test_malloc(size + align);
	TCHECK(raw != NULL, "test_malloc failed");
	/* leave a hole between allocations so that pa ranges never touch */
	p = (m->pa_next + align - 1) & ~(uint64_t)(align - 1);
	TCHECK(p + size <= m->pa_limit, "fake pa space exhausted");
	m->pa_next = p + size + align;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->recs = realloc(m->recs, m->cap * sizeof(*m->recs));
		TCHECK(m->recs != NULL, "realloc");
	}
	/* pa grows monotonically: append keeps the array sorted */
	r = &m->recs[m->n++];
	memset(r, 0, sizeof(*r));
	r->raw = raw;
	r->va = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	r->pa = p;
	r->size = size;
	r->align = align;
	if (m->garbage)
		trng_fill(&m->rng, r->va, size);
	else
		memset(r->va, 0, size);
	m->bytes_held += size;
	m->allocs_held++;
	m->allocs_total++;
	if (m->on_alloc)
		m->on_alloc(m->hook_ctx, r);
	*pa = p;
	return r->va;
}

void tmem_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	struct tmem *m = ctx;
	bool found;
	size_t i = find_idx(m, pa, &found);
	struct tmem_rec *r;

	TCHECK(found && m->recs[i].pa == pa, "free of pa 0x%llx that is no live allocation",
	       (unsigned long long)pa);
	r = &m->recs[i];
	TCHECK(r->va == va, "free: va %p does not match pa 0x%llx (%p)", va,
	       (unsigned long long)pa, (void *)r->va);
	TCHECK(r->size == size, "free: size %zu, allocated %zu", size, r->size);
	if (m->on_free)
		m->on_free(m->hook_ctx, r);
	free(r->img);
	test_free(r->raw);
	m->bytes_held -= size;
	m->allocs_held--;
	m->frees_total++;
	memmove(&m->recs[i], &m->recs[i + 1], (m->n - i - 1) * sizeof(*r));
	m->n--;
}

void *tmem_phys_to_virt(void *ctx, uint64_t pa)
{
	struct tmem *m = ctx;
	struct tmem_rec *r = tmem_find(m, pa);

	return r ? r->va + (pa - r->pa) : NULL;
}

void tmem_release_all(struct tmem *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->recs[i].img);
		test_free(m->recs[i].raw);
	}
	free(m->recs);
	m->recs = NULL;
	m->n = m->cap = 0;
	m->bytes_held = m->allocs_held = 0;
}

void tmem_fini(struct tmem *m)
{
	TCHECK(m->n == 0 && m->bytes_held == 0, "%zu table allocations (%llu bytes) still held",
	       m->n, (unsigned long long)m->bytes_held);
	tmem_release_all(m);
}
