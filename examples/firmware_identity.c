/* SPDX-License-Identifier: MIT */
/*
 * firmware_identity.c - firmware's identity map, built from a static pool
 * of table memory and cleaned to the point of coherency with DC CVAC.
 *
 * What you learn here:
 *   1. Table memory without a heap: a static, aligned pool behind
 *      cfg.mem.alloc/free (here a bump allocator with a free list of 4K
 *      tables); under an identity map the walker address is the CPU address.
 *   2. The DC CVAC backend (AArch64 builds, IOPGT_HAVE_DCCVAC): every dirty
 *      range is cleaned before the walker may read it. A recorder in front
 *      of it counts what was cleaned; on other hosts it stands in alone.
 *   3. Code read-only and executable, data read-write and never executable,
 *      a device page as Device-nGnRE: prot flags to descriptors.
 *   4. The values to program: TTBR0_EL1, TCR_EL1, MAIR_EL1.
 * The program checks its own results and exits 1 on any mismatch.
 */
#include <inttypes.h>
#include <stdio.h>

#include <iopgt/backends.h>

#define TABLE 4096u
#define POOL_TABLES 16u

static _Alignas(TABLE) unsigned char pool[POOL_TABLES * TABLE];
static size_t pool_used;   /* bytes handed out from the start of pool */
static void *free_list;    /* freed 4K tables, linked through their first word */

static void *pool_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	void *va = NULL;

	(void)ctx;
	if (size != TABLE || align > TABLE)
		return NULL; /* 4K granule, 39-bit input: every table is 4K */
	if (free_list) {
		va = free_list;
		free_list = *(void **)va;
	} else if (pool_used < sizeof(pool)) {
		va = pool + pool_used;
		pool_used += TABLE;
	}
	if (va)
		*pa = (uintptr_t)va; /* identity map: pa == va */
	return va;
}

static void pool_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx;
	(void)pa;
	(void)size;
	*(void **)va = free_list;
	free_list = va;
}

static unsigned failures;

static void expect(const struct iopgt *pt, uint64_t iova, uint64_t size, uint32_t prot)
{
	struct iopgt_mapping m;
	int err = iopgt_lookup(pt, iova, &m);

	if (size == 0 ? err != IOPGT_ERR_NOENT :
	    err || m.pa + (iova - m.iova) != iova || m.size != size || m.prot != prot) {
		printf("  0x%" PRIx64 ": %s, size 0x%" PRIx64 " prot 0x%" PRIx32 " (wrong)\n",
		       iova, iopgt_strerror(err), err ? 0 : m.size, err ? 0 : m.prot);
		failures++;
	}
}

int main(void)
{
	static struct iopgt_range log[64];
	static struct iopgt_rec_call calls[16];
	struct iopgt_recorder rec;
	struct iopgt_sync clean = { NULL, NULL };
	struct iopgt_regs r;
	struct iopgt_stats st;
	struct iopgt pt;
	const uint32_t code = IOPGT_READ | IOPGT_CACHE;
	const uint32_t data = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE | IOPGT_NOEXEC;
	const uint32_t dev = IOPGT_READ | IOPGT_WRITE | IOPGT_MMIO | IOPGT_NOEXEC;
#if IOPGT_HAVE_DCCVAC
	static struct iopgt_dccvac dccvac;

	if (iopgt_dccvac_init(&dccvac, 0) == IOPGT_OK)  /* line size from CTR_EL0 */
		clean = iopgt_dccvac_sync(&dccvac);
	printf("backend: DC CVAC, %u-byte lines\n", 1u << dccvac.line_shift);
#else
	printf("backend: recorder only (no DC CVAC on this host)\n");
#endif
	iopgt_recorder_init(&rec, log, 64, calls, 16, clean.fn ? &clean : NULL);

	struct iopgt_cfg cfg = {
		.fmt = IOPGT_FMT_ARM64_S1,
		.ias = 39, .oas = 48,  /* 512 GiB of addresses: walks start at level 1 */
		.pgsizes = (1u << 12) | (1u << 21) | (1u << 30), /* 4K pages, 2M and 1G blocks */
		.mem = { pool_alloc, pool_free, NULL, NULL },
		.sync = iopgt_recorder_sync(&rec),
	};
	int err = iopgt_init(&pt, &cfg);

	/* 2 MiB of firmware code, the rest of the first GiB of RAM as data,
	 * a second GiB of RAM, and a UART */
	if (!err)
		err = iopgt_map(&pt, 0x40000000, 0x40000000, 0x200000, code);
	if (!err)
		err = iopgt_map(&pt, 0x40200000, 0x40200000, 0x3fe00000, data);
	if (!err)
		err = iopgt_map(&pt, 0x80000000, 0x80000000, 0x40000000, data);
	if (!err)
		err = iopgt_map(&pt, 0x09000000, 0x09000000, 0x1000, dev);
	if (err) {
		printf("building the map: %s\n", iopgt_strerror(err));
		return 1;
	}
	expect(&pt, 0x40000000, 0x200000, code);
	expect(&pt, 0x401fffff, 0x200000, code);
	expect(&pt, 0x7fe00000, 0x200000, data);
	expect(&pt, 0xbfffffff, 0x40000000, data);  /* a 1G block */
	expect(&pt, 0x09000fff, 0x1000, dev);
	expect(&pt, 0x09001000, 0, 0);
	expect(&pt, 0xc0000000, 0, 0);

	iopgt_get_regs(&pt, &r);
	iopgt_get_stats(&pt, &st);
	printf("TTBR0_EL1 0x%016" PRIx64 "\nTCR_EL1   0x%016" PRIx64 "\nMAIR_EL1  0x%016" PRIx64
	       "\n", r.ttbr, r.tcr, r.mair);
	printf("%" PRIu64 " tables from the pool; %" PRIu64 " sync calls cleaned %" PRIu64
	       " bytes (%" PRIu64 " cache lines of 64 bytes)\n", st.tables, rec.total_calls,
	       rec.total_bytes, rec.total_lines);
	/* root (level 1), a level 2 table for each of the first two GiB, one
	 * level 3 table for the UART page; nothing for the 1G block */
	if (st.tables != 4 || st.start_level != 1 || r.ttbr != (uintptr_t)pool ||
	    (r.tcr & 0x3f) != 64 - 39 || rec.total_bytes < st.tables * TABLE)
		failures++;

	/* unmapping the UART empties its two tables: both go back to the pool */
	err = iopgt_unmap(&pt, 0x09000000, 0x1000);
	iopgt_get_stats(&pt, &st);
	if (err || st.tables != 2 || !free_list)
		failures++;
	iopgt_fini(&pt);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
