/* SPDX-License-Identifier: MIT */
/*
 * backends/lines.h - the cache-line walk the instruction backends share.
 *
 * Private to backends/. lines_walk() is static inline so that a backend
 * passing a constant @emit gets the instruction inlined into the loop.
 */
#ifndef IOPGT_BACKENDS_LINES_H
#define IOPGT_BACKENDS_LINES_H

#include "iopgt/backends.h"

/* bits of uintptr_t, without <limits.h> */
#define LINES_PTR_BITS (sizeof(uintptr_t) * 8u)

/* Line sizes the architecture allows for CTR.DminLine: 16 to 2048 bytes. */
#define LINES_MIN_SHIFT 4u
#define LINES_MAX_SHIFT 11u

/* The line shift a cache-line backend uses: its own when it was set up,
 * otherwise the smallest line the architecture allows, which cleans every
 * line (some more than once) and never none. */
static inline unsigned lines_usable_shift(unsigned shift)
{
	return (shift < LINES_MIN_SHIFT || shift > LINES_MAX_SHIFT) ? LINES_MIN_SHIFT : shift;
}

static inline size_t lines_walk(const struct iopgt_range *r, size_t n, unsigned shift,
				iopgt_line_fn emit, void *ctx)
{
	uintptr_t mask, last_done = 0, prev_first = 0;
	bool have_done = false;
	size_t count = 0;

	if (shift < 2 || shift >= LINES_PTR_BITS)
		return 0;
	mask = ((uintptr_t)1 << shift) - 1;

	for (size_t i = 0; i < n; i++) {
		uintptr_t va = (uintptr_t)r[i].va;
		uintptr_t first, last, end;

		if (r[i].len == 0)
			continue;
		/* last byte of the range, cut at the top of the address space */
		if (r[i].len - 1 > (uintptr_t)-1 - va)
			end = (uintptr_t)-1;
		else
			end = va + (uintptr_t)(r[i].len - 1);
		first = va & ~mask;
		last = end & ~mask;

		/*
		 * Invariant: every line of [prev_first, last_done] was emitted.
		 * Sorted input keeps first >= prev_first; input out of order
		 * restarts the bookkeeping (lines may then repeat, none is lost).
		 */
		if (have_done && first < prev_first)
			have_done = false;
		prev_first = first;
		if (have_done) {
			if (last <= last_done)
				continue;
			if (first <= last_done)
				first = last_done + mask + 1;
		}
		if (!emit) {
			count += (size_t)((last - first) >> shift) + 1; /* counting only */
		} else {
			for (uintptr_t line = first;; line += mask + 1) {
				emit(ctx, line);
				count++;
				if (line == last)
					break;
			}
		}
		last_done = last;
		have_done = true;
	}
	return count;
}

#endif /* IOPGT_BACKENDS_LINES_H */
