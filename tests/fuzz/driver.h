/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/driver.h - one fuzz input, decoded and run.
 *
 * The input bytes choose a configuration (valid or not) and a sequence of
 * map, unmap, lookup, walk, dump and allocation-failure steps with
 * adversarial arguments; every result is checked against the reference
 * model, the reference walker and the dirty-range checker (image.h) at
 * every sync call. Any difference aborts.
 */
#ifndef IOPGT_FUZZ_DRIVER_H
#define IOPGT_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

enum fuzz_family {
	FUZZ_LPAE = 0, /* AArch64 S1/S2 (4K/16K/64K), AArch32 LPAE S1/S2 */
	FUZZ_V7S = 1,
};

/* Run one input; returns 0 (a failed check aborts the process). */
int fuzz_one(enum fuzz_family fam, const uint8_t *data, size_t size);

/* Print what the last input did (for the replayer's log). */
extern int fuzz_verbose;

#endif
