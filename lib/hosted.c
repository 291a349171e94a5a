/* SPDX-License-Identifier: MIT */
/*
 * lib/hosted.c - the built-in allocator used when cfg->mem is all NULL.
 * Hosted builds only: this is the one core file that calls the C library.
 *
 * Blocks of each power-of-two size from 512 bytes to 64 KiB (every table
 * size) are carved from chunks of 2 MiB, aligned to 2 MiB, one size per
 * chunk, as a kernel's page allocator hands out pages of memory it already
 * holds: a table costs no allocation header of the C library beside it
 * (whose page a first touch would fault in as well), where the system
 * offers it a chunk is asked for as one huge page (one fault for 511
 * tables of 4 KiB), and a block freed is handed out again before any other
 * of its size. A chunk whose blocks are all free goes back to the C
 * library while another chunk of its size has a free block: one empty
 * chunk of each size at most is kept for the next allocation. Chunks are
 * shared by every object of the process, under a spin lock; the first
 * block of each holds its bookkeeping.
 *
 * Under AddressSanitizer every block comes from the C library and goes
 * back to it, so that a use after free, an overflow and a leak are
 * reported where they happen.
 */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* madvise() and MADV_HUGEPAGE under -std=c11 */
#endif
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTED_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HOSTED_ASAN 1
#endif
#define HOSTED_MIN_LOG2 9   /* 512 bytes */
#define HOSTED_MAX_LOG2 16  /* 64 KiB */
#define HOSTED_NCLASS (HOSTED_MAX_LOG2 - HOSTED_MIN_LOG2 + 1)
#define CHUNK_LOG2 21       /* 2 MiB: a huge page with a 4K granule */
#define CHUNK_SIZE ((size_t)1 << CHUNK_LOG2)
#ifdef HOSTED_ASAN
#define HOSTED_CHUNKS 0
#else
#define HOSTED_CHUNKS 1
#endif

/* the bookkeeping of a chunk, in its first block */
struct chunk {
	struct chunk *next, *prev; /* the chunks of its size with a free block */
	void *free;                /* freed blocks, linked through their first bytes */
	uint32_t top;              /* blocks carved so far, this header's included */
	uint32_t used;             /* blocks handed out now */
	uint8_t log2;              /* log2 of its block size */
	bool listed;               /* on its size's list */
};

static struct {
	struct chunk *avail[HOSTED_NCLASS]; /* chunks with a free block */
	size_t held[HOSTED_NCLASS];         /* chunks held */
	char lock;
} hs;

static void hs_lock(void)
{
	while (__atomic_test_and_set(&hs.lock, __ATOMIC_ACQUIRE))
		;
}

static void hs_unlock(void)
{
	__atomic_clear(&hs.lock, __ATOMIC_RELEASE);
}

/* log2 of @size when blocks of it come from chunks, else 0 */
static unsigned block_class(size_t size)
{
	if (size < ((size_t)1 << HOSTED_MIN_LOG2) || size > ((size_t)1 << HOSTED_MAX_LOG2) ||
	    (size & (size - 1)))
		return 0;
	return (unsigned)__builtin_ctzll((unsigned long long)size);
}

#if HOSTED_CHUNKS
static void list_add(struct chunk *c)
{
	struct chunk **head = &hs.avail[c->log2 - HOSTED_MIN_LOG2];

	c->prev = NULL;
	c->next = *head;
	if (*head)
		(*head)->prev = c;
	*head = c;
	c->listed = true;
}

static void list_del(struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		hs.avail[c->log2 - HOSTED_MIN_LOG2] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->listed = false;
}

/* A new chunk of blocks of 2^@k bytes, outside the lock (NULL: none). */
static struct chunk *chunk_new(unsigned k)
{
	struct chunk *c = aligned_alloc(CHUNK_SIZE, CHUNK_SIZE);

	if (!c)
		return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	(void)madvise(c, CHUNK_SIZE, MADV_HUGEPAGE); /* a hint: failure changes nothing */
#endif
	c->free = NULL;
	c->top = 1; /* the first block is this header */
	c->used = 0;
	c->log2 = (uint8_t)k;
	c->listed = false;
	return c;
}

static void *chunk_alloc(unsigned k)
{
	const unsigned x = k - HOSTED_MIN_LOG2;
	struct chunk *c, *fresh = NULL;
	void *p;

	hs_lock();
	while (!hs.avail[x]) {
		if (fresh) {
			list_add(fresh);
			hs.held[x]++;
			fresh = NULL;
			break;
		}
		hs_unlock();
		fresh = chunk_new(k);
		if (!fresh)
			return NULL;
		hs_lock();
	}
	c = hs.avail[x];
	if (c->free) {
		p = c->free;
		c->free = *(void **)p;
	} else {
		p = (char *)c + ((size_t)c->top++ << k);
	}
	c->used++;
	if (!c->free && c->top == (uint32_t)(CHUNK_SIZE >> k))
		list_del(c); /* full */
	hs_unlock();
	if (fresh)
		free(fresh); /* another thread added a chunk meanwhile */
	return p;
}

static void chunk_free(void *va)
{
	struct chunk *c = (struct chunk *)((uintptr_t)va & ~(uintptr_t)(CHUNK_SIZE - 1));
	const unsigned x = c->log2 - HOSTED_MIN_LOG2;
	bool release = false;

	hs_lock();
	*(void **)va = c->free;
	c->free = va;
	c->used--;
	if (!c->listed)
		list_add(c);
	/* an empty chunk goes while another of its size has a free block:
	 * the last one stays, so that one table freed and taken again at a
	 * chunk's edge does not return memory and fault it in again */
	if (!c->used && (c->next || c->prev)) {
		list_del(c);
		hs.held[x]--;
		release = true;
	}
	hs_unlock();
	if (release)
		free(c);
}
#endif

void *iopgt_hosted_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	const unsigned k = block_class(size);
	void *p;

	(void)ctx;
	if (align < sizeof(void *))
		align = sizeof(void *);
#if HOSTED_CHUNKS
	if (k) {
		/* blocks are aligned to their size; a larger alignment takes
		 * a block of that size, up to the largest */
		const unsigned a = (unsigned)__builtin_ctzll((unsigned long long)align);

		if (align & (align - 1) || a > HOSTED_MAX_LOG2)
			return NULL;
		p = chunk_alloc(a > k ? a : k);
		if (p)
			*pa = (uint64_t)(uintptr_t)p;
		return p;
	}
#else
	if (k && align < size)
		align = size; /* as from chunks: aligned to the size */
#endif
	/* aligned_alloc wants a size that is a multiple of the alignment */
	p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	if (p)
		*pa = (uint64_t)(uintptr_t)p;
	return p;
}

void iopgt_hosted_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx;
	(void)pa;
	if (!va)
		return;
#if HOSTED_CHUNKS
	if (block_class(size)) {
		chunk_free(va);
		return;
	}
#else
	(void)size;
#endif
	free(va);
}

bool iopgt_hosted_keeps(void)
{
	return HOSTED_CHUNKS != 0;
}

size_t iopgt_hosted_chunks(size_t size)
{
	const unsigned k = block_class(size);
	size_t n;

	if (!k)
		return 0;
	hs_lock();
	n = hs.held[k - HOSTED_MIN_LOG2];
	hs_unlock();
	return n;
}
