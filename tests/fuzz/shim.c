/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/shim.c - the few CMocka entry points the shared test support
 * code calls, for programs that run outside a CMocka test runner (the
 * fuzz targets and their corpus replayer). Memory comes from plain malloc
 * so that AddressSanitizer sees the exact extent of every table, and a
 * failed check aborts, which libFuzzer reports as a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

void *_test_malloc(const size_t size, const char *file, const int line)
{
	(void)file;
	(void)line;
	return malloc(size);
}

void _test_free(void *const ptr, const char *file, const int line)
{
	(void)file;
	(void)line;
	free(ptr);
}

void print_error(const char *const format, ...)
{
	va_list ap;

	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
}

void _fail(const char *const file, const int line)
{
	fprintf(stderr, "%s:%d: check failed, aborting\n", file, line);
	fflush(stderr);
	abort();
}
