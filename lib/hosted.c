/* SPDX-License-Identifier: MIT */
/*
 * lib/hosted.c - the built-in allocator used when cfg->mem is all NULL.
 * Hosted builds only: this is the one core file that calls the C library.
 *
 * A few freed blocks of each power-of-two size from 512 bytes to 64 KiB
 * (every table size) are kept for the next allocation of that size, as a
 * kernel's per-CPU page lists keep pages: a table that one unmap empties
 * and the next map needs again then makes no trip through the C library,
 * whose free() may give memory back to the system that the next
 * allocation has to fault in again. At most IOPGT_HOSTED_KEEP blocks of
 * each size are kept (about 1 MiB in all), for the life of the process;
 * they are shared by every object, under a spin lock.
 */
#include <stdlib.h>

#include "internal.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTED_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HOSTED_ASAN 1
#endif
#define HOSTED_MIN_LOG2 9  /* 512 bytes */
#define HOSTED_MAX_LOG2 16 /* 64 KiB */
#ifdef HOSTED_ASAN
/* AddressSanitizer builds keep nothing: every free reaches the C library,
 * so that a use after free and a leak are reported where they happen */
#define HOSTED_KEEP 0
#else
#define HOSTED_KEEP IOPGT_HOSTED_KEEP
#endif

static struct {
	void *head[HOSTED_MAX_LOG2 - HOSTED_MIN_LOG2 + 1];
	unsigned n[HOSTED_MAX_LOG2 - HOSTED_MIN_LOG2 + 1];
	char lock;
} kept;

static void kept_lock(void)
{
	while (__atomic_test_and_set(&kept.lock, __ATOMIC_ACQUIRE))
		;
}

static void kept_unlock(void)
{
	__atomic_clear(&kept.lock, __ATOMIC_RELEASE);
}

/* log2 of @size when blocks of it are kept, else 0 */
static unsigned kept_class(size_t size)
{
	if (size < ((size_t)1 << HOSTED_MIN_LOG2) || size > ((size_t)1 << HOSTED_MAX_LOG2) ||
	    (size & (size - 1)))
		return 0;
	return (unsigned)__builtin_ctzll((unsigned long long)size);
}

void *iopgt_hosted_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	const unsigned k = kept_class(size);
	void *p = NULL;

	(void)ctx;
	if (k && align <= size) {
		/* kept blocks are aligned to their size */
		kept_lock();
		p = kept.head[k - HOSTED_MIN_LOG2];
		if (p) {
			kept.head[k - HOSTED_MIN_LOG2] = *(void **)p;
			kept.n[k - HOSTED_MIN_LOG2]--;
		}
		kept_unlock();
		align = size;
	}
	if (!p) {
		if (align < sizeof(void *))
			align = sizeof(void *);
		/* aligned_alloc wants a size that is a multiple of the alignment */
		p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	}
	if (p)
		*pa = (uint64_t)(uintptr_t)p;
	return p;
}

void iopgt_hosted_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	const unsigned k = kept_class(size);

	(void)ctx;
	(void)pa;
#if HOSTED_KEEP > 0
	if (k && ((uintptr_t)va & (size - 1)) == 0) {
		bool keep;

		kept_lock();
		keep = kept.n[k - HOSTED_MIN_LOG2] < HOSTED_KEEP;
		if (keep) {
			*(void **)va = kept.head[k - HOSTED_MIN_LOG2];
			kept.head[k - HOSTED_MIN_LOG2] = va;
			kept.n[k - HOSTED_MIN_LOG2]++;
		}
		kept_unlock();
		if (keep)
			return;
	}
#else
	(void)k;
#endif
	free(va);
}

/* Does this build keep freed blocks (not under AddressSanitizer)? */
bool iopgt_hosted_keeps(void)
{
	return HOSTED_KEEP > 0;
}
