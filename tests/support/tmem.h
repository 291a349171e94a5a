/* SPDX-License-Identifier: MIT */
/*
 * tests/support/tmem.h - a table allocator for tests (struct iopgt_mem).
 *
 * Memory comes from CMocka's test_malloc/test_free, so a table the library
 * leaks fails the test. Each allocation gets a fake walker address (pa) in
 * its own address space, starting at @pa_base and different from the CPU
 * address; phys_to_virt maps it back and returns NULL for anything that is
 * not live table memory.
 *
 * Usage:
 *   struct tmem m;
 *   tmem_init(&m, 0x80000000, 32, seed);  // pa space [base, 2^32)
 *   m.garbage = true;                     // new memory holds random bytes
 *   tmem_hooks(&m, &cfg.mem);
 *   m.fail_at = 3;                        // the 3rd allocation from now fails
 *   ... m.bytes_held, m.allocs_held ...
 *   tmem_fini(&m);                        // checks that nothing is held
 *
 * The image checker (image.h) hangs its per-table state off struct tmem_rec
 * and gets told about allocations and frees through on_alloc/on_free.
 */
#ifndef IOPGT_TEST_TMEM_H
#define IOPGT_TEST_TMEM_H

#include "tutil.h"

struct tmem_rec {
	void *raw;         /* what test_malloc returned */
	uint8_t *va;       /* aligned CPU address */
	uint64_t pa;       /* fake walker address */
	size_t size, align;
	/* the image checker's state */
	uint8_t *img;      /* the walker's view of these bytes */
	bool new_op;       /* allocated during the current operation */
	bool linked;       /* reachable from the root in the image */
	bool ever_linked;
	int level;         /* architectural level, once linked */
	uint64_t span_first, span_last; /* input offsets it translates, once linked */
	uint64_t unlink_seq;
	bool not_table;    /* IOPGT_QUIRK_CONCURRENT's pins, no table */
};

struct tmem {
	struct tmem_rec *recs; /* sorted by pa */
	size_t n, cap;
	uint64_t pa_base, pa_next, pa_limit;
	struct trng rng;
	bool garbage;          /* fill new memory with random bytes (default true) */
	unsigned fail_at;      /* non-zero: the fail_at-th allocation from now fails */
	bool fail_all;         /* every allocation fails */
	uint64_t bytes_held, allocs_held;
	uint64_t allocs_total, frees_total, failed_total;
	size_t min_align_seen;
	/* hooks for the image checker */
	void (*on_alloc)(void *ctx, struct tmem_rec *r);
	void (*on_free)(void *ctx, struct tmem_rec *r);
	void *hook_ctx;
};

/* pa space [pa_base, 2^pa_bits) */
void tmem_init(struct tmem *m, uint64_t pa_base, unsigned pa_bits, uint64_t seed);
/* Checks that nothing is held (a table leaked otherwise), then releases
 * the bookkeeping. */
void tmem_fini(struct tmem *m);
/* Frees whatever is still held without checks (after a failed test). */
void tmem_release_all(struct tmem *m);
void tmem_hooks(struct tmem *m, struct iopgt_mem *mem);
/* The live allocation containing @pa, or NULL. */
struct tmem_rec *tmem_find(const struct tmem *m, uint64_t pa);

/* The hooks themselves (ctx = struct tmem *). */
void *tmem_alloc(void *ctx, size_t size, size_t align, uint64_t *pa);
void tmem_free(void *ctx, void *va, uint64_t pa, size_t size);
void *tmem_phys_to_virt(void *ctx, uint64_t pa);

#endif
