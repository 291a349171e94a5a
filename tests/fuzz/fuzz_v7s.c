/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_v7s.c - libFuzzer target: VMSAv7 short descriptors. */
#include "driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(FUZZ_V7S, data, size);
}
