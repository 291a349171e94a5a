/* SPDX-License-Identifier: MIT */
/*
 * A deliberately bad "freestanding" object: it calls the C library. The
 * freestanding symbol check must reject an archive holding it.
 */
#include <stddef.h>

size_t strlen(const char *s);
size_t iopgt_test_bad_len(const char *s);

size_t iopgt_test_bad_len(const char *s)
{
	return strlen(s);
}
