/* SPDX-License-Identifier: MIT */
/*
 * backends/recorder.c - the no-op backend: records every range and every
 * sync.fn call into storage the caller gives, keeps totals, passes calls on
 * to a second backend and prints what it saw. No allocation, no C library.
 */
#include "lines.h"

IOPGT_API void iopgt_recorder_init(struct iopgt_recorder *r,
				   struct iopgt_range *ranges, size_t ranges_cap,
				   struct iopgt_rec_call *calls, size_t calls_cap,
				   const struct iopgt_sync *next)
{
	if (!r)
		return;
	r->ranges = ranges;
	r->ranges_cap = ranges ? ranges_cap : 0;
	r->calls = calls;
	r->calls_cap = calls ? calls_cap : 0;
	r->next.fn = next ? next->fn : NULL;
	r->next.ctx = next ? next->ctx : NULL;
	iopgt_recorder_reset(r);
}

IOPGT_API void iopgt_recorder_reset(struct iopgt_recorder *r)
{
	if (!r)
		return;
	r->n_ranges = 0;
	r->n_calls = 0;
	r->total_calls = 0;
	r->total_ranges = 0;
	r->total_bytes = 0;
	r->total_lines = 0;
	r->dropped_ranges = 0;
	r->dropped_calls = 0;
}

IOPGT_API struct iopgt_sync iopgt_recorder_sync(struct iopgt_recorder *r)
{
	struct iopgt_sync s;

	s.fn = iopgt_recorder_record;
	s.ctx = r;
	return s;
}

IOPGT_API void iopgt_recorder_record(void *ctx, const struct iopgt_range *ranges,
				     size_t n)
{
	struct iopgt_recorder *r = ctx;
	size_t first = r->n_ranges, stored = 0;
	uint64_t bytes = 0, lines;

	if (!ranges)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		bytes += ranges[i].len;
		if (r->n_ranges < r->ranges_cap) {
			struct iopgt_range *d = &r->ranges[r->n_ranges++];

			d->va = ranges[i].va;
			d->pa = ranges[i].pa;
			d->len = ranges[i].len;
			stored++;
		} else {
			r->dropped_ranges++;
		}
	}
	lines = lines_walk(ranges, n, IOPGT_RECORDER_LINE_SHIFT, NULL, NULL);

	r->total_calls++;
	r->total_ranges += n;
	r->total_bytes += bytes;
	r->total_lines += lines;
	if (r->n_calls < r->calls_cap) {
		struct iopgt_rec_call *c = &r->calls[r->n_calls++];

		c->first = first;
		c->n = n;
		c->stored = stored;
		c->bytes = bytes;
		c->lines = lines;
	} else {
		r->dropped_calls++;
	}

	if (r->next.fn)
		r->next.fn(r->next.ctx, ranges, n);
}

/* ---- printing without the C library ---------------------------------- */

#define LINE_MAX_LEN 160

struct line {
	char buf[LINE_MAX_LEN];
	size_t len;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->len < LINE_MAX_LEN - 1)
		l->buf[l->len++] = *s++;
	l->buf[l->len] = '\0';
}

static void put_char(struct line *l, char c)
{
	if (l->len < LINE_MAX_LEN - 1)
		l->buf[l->len++] = c;
	l->buf[l->len] = '\0';
}

/* 0x followed by the hex digits of @v, no leading zeros */
static void put_hex(struct line *l, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int shift = 60;

	put_str(l, "0x");
	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		put_char(l, digits[(v >> shift) & 0xf]);
}

/* decimal, by subtracting powers of ten: no 64-bit division, which would
 * need a compiler runtime helper on 32-bit targets */
static void put_dec(struct line *l, uint64_t v)
{
	static const uint64_t pow10[] = {
		10000000000000000000u, 1000000000000000000u, 100000000000000000u,
		10000000000000000u, 1000000000000000u, 100000000000000u,
		10000000000000u, 1000000000000u, 100000000000u, 10000000000u,
		1000000000u, 100000000u, 10000000u, 1000000u, 100000u, 10000u,
		1000u, 100u, 10u,
	};
	bool started = false;

	for (size_t i = 0; i < sizeof(pow10) / sizeof(pow10[0]); i++) {
		char d = '0';

		while (v >= pow10[i]) {
			v -= pow10[i];
			d++;
		}
		if (d != '0' || started) {
			put_char(l, d);
			started = true;
		}
	}
	put_char(l, (char)('0' + v));
}

static void put_range(struct line *l, const struct iopgt_range *rg)
{
	l->len = 0;
	put_str(l, "  va ");
	put_hex(l, (uintptr_t)rg->va);
	put_str(l, " pa ");
	put_hex(l, rg->pa);
	put_str(l, " len ");
	put_hex(l, rg->len);
}

IOPGT_API void iopgt_recorder_print(const struct iopgt_recorder *r, unsigned flags,
				    void (*print)(void *ctx, const char *line),
				    void *ctx)
{
	struct line l;
	size_t next_range = 0;

	if (!r || !print)
		return;
	l.len = 0;
	l.buf[0] = '\0';

	if (flags & IOPGT_REC_PRINT_CALLS) {
		for (size_t i = 0; i < r->n_calls; i++) {
			const struct iopgt_rec_call *c = &r->calls[i];

			l.len = 0;
			put_str(&l, "call ");
			put_dec(&l, i);
			put_str(&l, ": ");
			put_dec(&l, c->n);
			put_str(&l, " ranges");
			if (c->stored != c->n) {
				put_str(&l, " (");
				put_dec(&l, c->stored);
				put_str(&l, " logged)");
			}
			put_str(&l, ", ");
			put_hex(&l, c->bytes);
			put_str(&l, " bytes, ");
			put_dec(&l, c->lines);
			put_str(&l, " lines");
			print(ctx, l.buf);
			if (!(flags & IOPGT_REC_PRINT_RANGES))
				continue;
			for (size_t j = 0; j < c->stored; j++) {
				put_range(&l, &r->ranges[c->first + j]);
				print(ctx, l.buf);
			}
			next_range = c->first + c->stored;
		}
		if ((flags & IOPGT_REC_PRINT_RANGES) && next_range < r->n_ranges) {
			l.len = 0;
			put_str(&l, "ranges of calls not logged:");
			print(ctx, l.buf);
		}
	}
	if (flags & IOPGT_REC_PRINT_RANGES) {
		for (size_t j = next_range; j < r->n_ranges; j++) {
			put_range(&l, &r->ranges[j]);
			print(ctx, l.buf);
		}
	}
	if (flags & IOPGT_REC_PRINT_TOTALS) {
		l.len = 0;
		put_str(&l, "total: ");
		put_dec(&l, r->total_calls);
		put_str(&l, " calls, ");
		put_dec(&l, r->total_ranges);
		put_str(&l, " ranges, ");
		put_hex(&l, r->total_bytes);
		put_str(&l, " bytes, ");
		put_dec(&l, r->total_lines);
		put_str(&l, " lines; dropped ");
		put_dec(&l, r->dropped_calls);
		put_str(&l, " calls, ");
		put_dec(&l, r->dropped_ranges);
		put_str(&l, " ranges");
		print(ctx, l.buf);
	}
}
