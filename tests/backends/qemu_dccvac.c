/* SPDX-License-Identifier: MIT */
/*
 * tests/backends/qemu_dccvac.c - the DC CVAC backend with its real
 * instructions, on an AArch64 CPU (under qemu-aarch64 -cpu X in cross
 * builds, natively otherwise). No CMocka: it runs in cross builds that have
 * no CMocka for the target.
 *
 *   qemu_dccvac [expected-line-bytes]
 *
 * Checks that the line size the backend read from CTR_EL0 is what the CPU
 * reports (and, if given, what the CPU model is known to have: qemu's "max"
 * 32, "cortex-a57" 64, "a64fx" 256), that init with an explicit size reads
 * nothing, and that cleaning ranges through the real instructions (traced
 * by the recorder in front) runs at EL0 and leaves the data intact. Exit
 * status 0 on success, 1 with a message on failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "iopgt/backends.h"

#if !IOPGT_HAVE_DCCVAC
#error "qemu_dccvac is built for AArch64 targets only"
#endif

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("# %s\n", line);
}

static _Alignas(4096) unsigned char table[3 * 4096];

int main(int argc, char **argv)
{
	unsigned long want = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	uint64_t ctr;
	unsigned cpu_bytes;
	struct iopgt_dccvac c;
	struct iopgt_sync clean;
	struct iopgt_recorder rec;
	struct iopgt_range log[8];
	struct iopgt_rec_call calls[4];
	int rc;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	cpu_bytes = 4u << ((ctr >> 16) & 0xf);
	printf("# CTR_EL0 = 0x%llx: smallest data cache line %u bytes\n",
	       (unsigned long long)ctr, cpu_bytes);
	if (want)
		CHECK(cpu_bytes == want, "CPU reports %u-byte lines, expected %lu",
		      cpu_bytes, want);

	CHECK(1u << iopgt_dccvac_line_shift() == cpu_bytes, "iopgt_dccvac_line_shift() = %u",
	      iopgt_dccvac_line_shift());
	rc = iopgt_dccvac_init(&c, 0);
	CHECK(rc == IOPGT_OK, "iopgt_dccvac_init(0) = %d", rc);
	CHECK(1u << c.line_shift == cpu_bytes, "backend uses %u-byte lines, CPU has %u",
	      1u << c.line_shift, cpu_bytes);

	/* a new table, a descriptor in the next, a run sharing a line */
	for (size_t i = 0; i < sizeof(table); i++)
		table[i] = (unsigned char)(i * 7);
	const struct iopgt_range r[] = {
		{ table, (uintptr_t)table, 4096 },
		{ table + 4096 + 0x18, (uintptr_t)table + 4096 + 0x18, 8 },
		{ table + 4096 + 0x28, (uintptr_t)table + 4096 + 0x28, 0x80 },
		{ table + 8192 + 0xff8, (uintptr_t)table + 8192 + 0xff8, 8 },
	};
	size_t lines = iopgt_lines_for_ranges(r, 4, c.line_shift, NULL, NULL);

	clean = iopgt_dccvac_sync(&c);
	iopgt_recorder_init(&rec, log, 8, calls, 4, &clean);
	iopgt_recorder_record(&rec, r, 4);
	iopgt_recorder_record(&rec, &r[1], 1);
	iopgt_recorder_print(&rec, IOPGT_REC_PRINT_ALL, print_line, NULL);
	printf("# %zu DC CVAC at %u-byte lines for the first call, then 1 DSB SY\n",
	       lines, 1u << c.line_shift);
	for (size_t i = 0; i < sizeof(table); i++) {
		if (table[i] != (unsigned char)(i * 7)) {
			CHECK(0, "table byte %zu changed by cleaning", i);
			break;
		}
	}
	CHECK(rec.total_calls == 2, "recorder saw %llu calls", (unsigned long long)rec.total_calls);

	/* an explicit line size is used as given */
	rc = iopgt_dccvac_init(&c, 4);
	CHECK(rc == IOPGT_OK && c.line_shift == 4, "init(4) = %d, shift %u", rc, c.line_shift);
	iopgt_dccvac_sync_ranges(&c, r, 4);

	if (failures)
		return 1;
	printf("ok: %u-byte lines\n", cpu_bytes);
	return 0;
}
