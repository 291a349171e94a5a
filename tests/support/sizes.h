/* SPDX-License-Identifier: MIT */
/*
 * tests/support/sizes.h - the size constants of the host test suites, as
 * unsigned long long: page, block and run sizes, and the page sizes of the
 * short-descriptor format. Macros only, without includes, so that a suite
 * built without the rest of tests/support (test_v7s_codec.c) can use it
 * too. tutil.h includes it.
 */
#ifndef IOPGT_TEST_SIZES_H
#define IOPGT_TEST_SIZES_H

#define SZ_4K   0x1000ull
#define SZ_16K  0x4000ull
#define SZ_64K  0x10000ull
#define SZ_1M   0x100000ull
#define SZ_2M   0x200000ull
#define SZ_16M  0x1000000ull
#define SZ_32M  0x2000000ull
#define SZ_512M 0x20000000ull
#define SZ_1G   0x40000000ull
#define SZ_4G   0x100000000ull

/* every page size of IOPGT_FMT_ARMV7S: small and large pages, sections
 * and supersections */
#define V7S_PGSIZES (SZ_4K | SZ_64K | SZ_1M | SZ_16M)

#endif
