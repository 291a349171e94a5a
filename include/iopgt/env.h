/* SPDX-License-Identifier: MIT */
/*
 * iopgt/env.h - the environment iopgt is built in.
 *
 * This is the only iopgt header that includes C library headers. A
 * freestanding user (firmware, a hypervisor, a kernel shim) may replace this
 * file by one of its own that provides the same names:
 *
 *   - uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t, size_t, bool,
 *     true, false, NULL (normally from <stdint.h>, <stddef.h>, <stdbool.h>,
 *     which every C11 compiler ships even in freestanding mode);
 *   - IOPGT_HOSTED: 1 when the built-in allocator (aligned_alloc/free) may be
 *     used for a zeroed struct iopgt_mem, 0 otherwise. The library itself is
 *     built with IOPGT_HOSTED from its build configuration; this macro only
 *     tells users of the header whether the default allocator exists.
 *
 * The core calls no C library function. Compilers may still emit calls to
 * memcpy/memset for structure copies; the core is written so that GCC and
 * Clang at -O0..-O3 do not (the freestanding CI build checks the object
 * files for undefined symbols).
 */
#ifndef IOPGT_ENV_H
#define IOPGT_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef IOPGT_HOSTED
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#define IOPGT_HOSTED 1
#else
#define IOPGT_HOSTED 0
#endif
#endif

#endif /* IOPGT_ENV_H */
