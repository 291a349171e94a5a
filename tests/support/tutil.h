/* SPDX-License-Identifier: MIT */
/*
 * tests/support/tutil.h - small helpers shared by the CMocka suites.
 *
 * Usage:
 *   struct trng r; trng_seed(&r, test_seed(0x1234));   // IOPGT_TEST_SEED overrides
 *   uint64_t x = trng_below(&r, 100);
 *   unsigned n = test_iters(2000);   // scaled by IOPGT_TEST_SCALE (default 1, e.g. 0.1)
 *   tctx_set("fmt %d seed %llu", ...);  // printed by every TCHECK failure
 *   TCHECK(a == b, "a %d b %d", a, b);  // fails the current test with the context
 *   uint32_t prot = trng_prot(&r);     // random IOPGT_* flags with READ or WRITE
 * The SZ_* size constants come with it (sizes.h).
 */
#ifndef IOPGT_TEST_TUTIL_H
#define IOPGT_TEST_TUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <iopgt/iopgt.h>

#include "sizes.h"

struct trng {
	uint64_t s;
};

void trng_seed(struct trng *r, uint64_t seed);
uint64_t trng_next(struct trng *r);
/* uniform in [0, n); n == 0 gives 0 */
uint64_t trng_below(struct trng *r, uint64_t n);
void trng_fill(struct trng *r, void *buf, size_t len);
/* random IOPGT_* flags (IOPGT_PROT_ALL) with IOPGT_READ or IOPGT_WRITE */
uint32_t trng_prot(struct trng *r);

/* IOPGT_TEST_SEED, if set, else @dflt. */
uint64_t test_seed(uint64_t dflt);
/* @n scaled by IOPGT_TEST_SCALE (a decimal number, default 1), at least 1. */
unsigned test_iters(unsigned n);
/* IOPGT_TEST_SCALE as a number (default 1). */
double test_scale(void);

/* Context printed when a TCHECK fails: the configuration, the seed, the op. */
void tctx_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tctx_op(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *tctx_get(void);
void tfail_at(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Catching check failures (for self-tests of the checkers): while
 * tcheck_catch is set, a failing TCHECK records its message in
 * tcheck_caught_msg and longjmps there instead of failing the test.
 */
extern jmp_buf *tcheck_catch;
extern char tcheck_caught_msg[512];

#define TCHECK(c, ...)                                                        \
	do {                                                                  \
		if (!(c))                                                     \
			tfail_at(__FILE__, __LINE__, #c, __VA_ARGS__);        \
	} while (0)

/* Equality of two integers with both values in the message. */
#define TCHECK_EQ(a, b)                                                          \
	do {                                                                     \
		unsigned long long a_ = (unsigned long long)(a);                 \
		unsigned long long b_ = (unsigned long long)(b);                 \
		if (a_ != b_)                                                    \
			tfail_at(__FILE__, __LINE__, #a " == " #b,               \
				 "0x%llx != 0x%llx", a_, b_);                    \
	} while (0)

static inline uint64_t tbit(unsigned n)
{
	return (uint64_t)1 << n;
}

#endif
