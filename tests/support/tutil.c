/* SPDX-License-Identifier: MIT */
#include "tutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trng_seed(struct trng *r, uint64_t seed)
{
	r->s = seed ^ 0x6a09e667f3bcc909ull;
}

/* splitmix64 */
uint64_t trng_next(struct trng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t trng_below(struct trng *r, uint64_t n)
{
	return n ? trng_next(r) % n : 0;
}

void trng_fill(struct trng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i = 0;

	while (i < len) {
		uint64_t v = trng_next(r);
		size_t k;

		for (k = 0; k < 8 && i < len; k++, i++)
			p[i] = (uint8_t)(v >> (8 * k));
	}
}

uint32_t trng_prot(struct trng *r)
{
	uint32_t p;

	do
		p = (uint32_t)trng_below(r, IOPGT_PROT_ALL + 1);
	while (!(p & (IOPGT_READ | IOPGT_WRITE)));
	return p;
}

uint64_t test_seed(uint64_t dflt)
{
	const char *s = getenv("IOPGT_TEST_SEED");

	if (s && *s)
		return strtoull(s, NULL, 0);
	return dflt;
}

double test_scale(void)
{
	const char *s = getenv("IOPGT_TEST_SCALE");
	double v;

	if (!s || !*s)
		return 1.0;
	v = strtod(s, NULL);
	return v > 0 ? v : 1.0;
}

unsigned test_iters(unsigned n)
{
	double v = (double)n * test_scale();

	return v < 1 ? 1 : (unsigned)v;
}

static char ctx_cfg[512];
static char ctx_op[256];
static char ctx_all[800];

void tctx_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx_cfg, sizeof(ctx_cfg), fmt, ap);
	va_end(ap);
	ctx_op[0] = 0;
}

void tctx_op(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx_op, sizeof(ctx_op), fmt, ap);
	va_end(ap);
}

const char *tctx_get(void)
{
	snprintf(ctx_all, sizeof(ctx_all), "%s%s%s", ctx_cfg, ctx_op[0] ? " | op: " : "", ctx_op);
	return ctx_all;
}

jmp_buf *tcheck_catch;
char tcheck_caught_msg[512];

void tfail_at(const char *file, int line, const char *cond, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tcheck_catch) {
		jmp_buf *j = tcheck_catch;

		tcheck_catch = NULL;
		snprintf(tcheck_caught_msg, sizeof(tcheck_caught_msg), "%s", msg);
		longjmp(*j, 1);
	}
	print_error("%s:%d: check failed: %s: %s\n  context: %s\n", file, line, cond, msg,
		    tctx_get());
	_fail(file, line);
}
