/* SPDX-License-Identifier: MIT */
/* Uses the public API the way an embedding project would. The built-in
 * allocator hands out heap addresses, so the output size must cover them:
 * AArch64 with 48 bits. */
#include <stdio.h>

#include <iopgt/iopgt.h>

int main(void)
{
	struct iopgt_cfg cfg = { .fmt = IOPGT_FMT_ARM64_S1, .ias = 48, .oas = 48 };
	struct iopgt pt;
	struct iopgt_mapping m;
	int err;

	err = iopgt_init(&pt, &cfg);
	if (err)
		goto out;
	err = iopgt_map(&pt, 0x200000, 0x400000, 0x200000, IOPGT_READ);
	if (!err)
		err = iopgt_lookup(&pt, 0x3ff000, &m);
	if (!err && (m.iova != 0x200000 || m.pa != 0x400000 || m.size != 0x200000))
		err = IOPGT_ERR_CORRUPT;
	iopgt_fini(&pt);
out:
	printf("subproject consumer: %s\n", iopgt_strerror(err));
	return err ? 1 : 0;
}
