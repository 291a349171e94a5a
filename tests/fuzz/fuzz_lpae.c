/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_lpae.c - libFuzzer target: AArch64 S1/S2, AArch32 LPAE. */
#include "driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(FUZZ_LPAE, data, size);
}
