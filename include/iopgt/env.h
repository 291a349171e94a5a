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
 * A Linux kernel build uses contrib/linux/iopgt/env.h instead (the C
 * headers are not on a kernel's include path); this file stops one that
 * finds it.
 *
 * The core calls no C library function. With the flags of the freestanding
 * builds (-ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns)
 * GCC and Clang at -O0..-O3 emit no call to memcpy or memset either (the
 * freestanding CI builds check the archive for undefined symbols). Other
 * flags may make them emit such calls: GCC turns clearing and copying
 * loops into memset/memcpy without -fno-tree-loop-distribute-patterns, and
 * -ftrivial-auto-var-init=zero (a Linux kernel's CONFIG_INIT_STACK_ALL_ZERO)
 * makes arm64 GCC clear the core's larger stack buffers with memset.
 */
#ifndef IOPGT_ENV_H
#define IOPGT_ENV_H

#ifdef __KERNEL__
#error "iopgt: a Linux kernel build must use contrib/linux/iopgt/env.h: put -I<iopgt>/contrib/linux before -I<iopgt>/include (contrib/linux/Kbuild.iopgt's IOPGT_CCFLAGS do)"
#endif

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
