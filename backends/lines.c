/* SPDX-License-Identifier: MIT */
/*
 * backends/lines.c - iopgt_lines_for_ranges(): which cache lines a set of
 * dirty ranges touches. Built on every target; the instruction backends
 * use the same walk (lines.h).
 */
#include "lines.h"

IOPGT_API size_t iopgt_lines_for_ranges(const struct iopgt_range *r, size_t n,
					unsigned line_shift, iopgt_line_fn emit,
					void *ctx)
{
	if (!r && n)
		return 0;
	return lines_walk(r, n, line_shift, emit, ctx);
}
