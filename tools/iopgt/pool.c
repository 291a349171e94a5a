/* SPDX-License-Identifier: MIT */
/*
 * tools/iopgt/pool.c - deterministic table memory for the tool.
 */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* The arena's CPU address is congruent to the walker address modulo this,
 * so every table is aligned alike in both (tables need at most 1 MiB). */
#define ARENA_ALIGN ((uint64_t)2 << 20)

int pool_init(struct pool *p, uint64_t base, uint64_t cap)
{
	uintptr_t a;

	memset(p, 0, sizeof(*p));
	p->base = base;
	p->next = base;
	if (cap > SIZE_MAX - 2 * ARENA_ALIGN)
		return -1;
	p->raw = malloc((size_t)(cap + 2 * ARENA_ALIGN));
	if (!p->raw)
		return -1;
	a = ((uintptr_t)p->raw + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
	p->arena = (unsigned char *)(a + (uintptr_t)(base & (ARENA_ALIGN - 1)));
	p->cap = cap;
	return 0;
}

void pool_fini(struct pool *p)
{
	free(p->raw);
	free(p->slot);
	p->raw = NULL;
	p->slot = NULL;
	p->n = p->cap = 0;
}

uint64_t pool_top(const struct pool *p)
{
	return p->next;
}

/* the slot whose range holds pa, or NULL */
static struct pool_slot *find(const struct pool *p, uint64_t pa)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->slot[mid].pa <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	if (pa - p->slot[lo - 1].pa >= p->slot[lo - 1].size)
		return NULL;
	return &p->slot[lo - 1];
}

void *pool_p2v(const struct pool *p, uint64_t pa)
{
	struct pool_slot *s = find(p, pa);

	if (!s || !s->live)
		return NULL;
	return (char *)s->va + (pa - s->pa);
}

/* a new live slot at the end (the pool grows upwards) */
static struct pool_slot *add_slot(struct pool *p, uint64_t at, size_t size)
{
	struct pool_slot *s;

	if (at < p->next || at + size < at || at + size - p->base > p->cap)
		return NULL;
	if (p->n == p->cap_slots) {
		size_t cap = p->cap_slots ? 2 * p->cap_slots : 64;
		struct pool_slot *ns = realloc(p->slot, cap * sizeof(*ns));

		if (!ns)
			return NULL;
		p->slot = ns;
		p->cap_slots = cap;
	}
	s = &p->slot[p->n++];
	s->pa = at;
	s->size = size;
	s->va = p->arena + (at - p->base);
	s->live = true;
	p->next = at + size;
	return s;
}

int pool_load(struct pool *p, const void *img, uint64_t len, size_t root, size_t tsize)
{
	uint64_t at;

	if (p->n || len > p->cap || len < root || !add_slot(p, p->base, root))
		return -1;
	memcpy(p->arena, img, (size_t)len);
	at = (p->base + root + tsize - 1) & ~(uint64_t)(tsize - 1);
	for (; at + tsize <= p->base + len; at += tsize)
		if (!add_slot(p, at, tsize))
			return -1;
	if (p->next < p->base + len)
		p->next = p->base + len;
	return 0;
}

static void *pool_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct pool *p = ctx;
	struct pool_slot *s = NULL;

	if (align > ARENA_ALIGN)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		if (!p->slot[i].live && p->slot[i].size == size &&
		    (p->slot[i].pa & (align - 1)) == 0) {
			s = &p->slot[i];
			break;
		}
	}
	if (!s) {
		uint64_t at = (p->next + align - 1) & ~(uint64_t)(align - 1);

		s = add_slot(p, at, size);
		if (!s)
			return NULL;
	}
	/* "any contents": a fixed pattern, so that runs stay reproducible */
	memset(s->va, 0xa5, size);
	s->live = true;
	*pa = s->pa;
	if (p->note)
		p->note(p->note_ctx, true, s->pa, size);
	return s->va;
}

static void pool_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	struct pool *p = ctx;
	struct pool_slot *s = find(p, pa);

	(void)va;
	if (s && s->pa == pa && s->live) {
		s->live = false;
		memset(s->va, 0, s->size);
	}
	if (p->note)
		p->note(p->note_ctx, false, pa, size);
}

static void *pool_phys_to_virt(void *ctx, uint64_t pa)
{
	return pool_p2v(ctx, pa);
}

struct iopgt_mem pool_mem(struct pool *p)
{
	struct iopgt_mem m = { pool_alloc, pool_free, pool_phys_to_virt, p };

	return m;
}
