/* SPDX-License-Identifier: MIT */
/*
 * iopgt/env.h for Linux kernel builds: the names include/iopgt/env.h
 * documents, taken from the kernel's own headers.
 *
 * A kernel build compiles without the C library's headers (-nostdinc), so
 * the stock env.h cannot serve it; this one must come first on the include
 * path: -I<iopgt>/contrib/linux before -I<iopgt>/include. The Kbuild
 * fragment contrib/linux/Kbuild.iopgt sets both, in that order, and the
 * stock env.h stops a kernel build that finds it instead.
 *
 * The kernel provides:
 *   - uint8_t .. uint64_t, uintptr_t, size_t, bool (<linux/types.h>);
 *   - true, false, NULL (<linux/stddef.h>);
 *   - SIZE_MAX and friends (<linux/limits.h>), for code that includes this
 *     header next to iopgt.h.
 *
 * IOPGT_HOSTED is 0: there is no built-in allocator in a kernel, every
 * struct iopgt_cfg must fill in cfg.mem. It is set here, never detected:
 * some architectures build the kernel without -ffreestanding, so
 * __STDC_HOSTED__ is 1 there.
 */
#ifndef IOPGT_ENV_H
#define IOPGT_ENV_H

#ifndef __KERNEL__
#error "contrib/linux/iopgt/env.h is for Linux kernel builds; other builds use include/iopgt/env.h"
#endif

#include <linux/limits.h>
#include <linux/stddef.h>
#include <linux/types.h>

#if defined(IOPGT_HOSTED) && IOPGT_HOSTED
#error "IOPGT_HOSTED must be 0 in a Linux kernel build: the kernel has no aligned_alloc()"
#endif
#undef IOPGT_HOSTED
#define IOPGT_HOSTED 0

/*
 * arm64: GCC (the default of Debian's and most distributions' compilers)
 * turns the core's __atomic builtins into calls to libgcc helpers such as
 * __aarch64_cas8_rel unless it is given -mno-outline-atomics or targets
 * LSE atomics (__ARM_FEATURE_ATOMICS). The kernel exports no such helper,
 * so modpost would reject the module. The compiler does not tell which of
 * the two it does, so the Kbuild fragment passes IOPGT_NO_OUTLINE_ATOMICS=1
 * next to -mno-outline-atomics, and a build that lacks it stops here.
 */
#if defined(__aarch64__) && !defined(__ARM_FEATURE_ATOMICS) && \
	!(defined(IOPGT_NO_OUTLINE_ATOMICS) && IOPGT_NO_OUTLINE_ATOMICS)
#error "arm64 kernel build without -mno-outline-atomics: the __atomic builtins would call libgcc helpers the kernel does not export. Build with contrib/linux/Kbuild.iopgt's IOPGT_CCFLAGS (-mno-outline-atomics -DIOPGT_NO_OUTLINE_ATOMICS=1)"
#endif

#endif /* IOPGT_ENV_H */
