/* SPDX-License-Identifier: MIT */
/*
 * tools/iopgt/tool.h - the iopgt command-line tool's internal interfaces.
 */
#ifndef IOPGT_TOOL_H
#define IOPGT_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <iopgt/backends.h>
#include <iopgt/iopgt.h>

/*
 * Table memory: walker addresses are handed out upwards from a fixed base,
 * so that every address printed is the same on every run and host. The
 * host memory is one arena laid out like the walker addresses (CPU address
 * = arena + (pa - base)), so that ranges sorted by CPU address, as sync.fn
 * receives them, are sorted by walker address too. A freed table's address
 * is given again to the next table of the same size (lowest address first).
 */
struct pool_slot {
	uint64_t pa;
	size_t size;
	void *va;
	bool live;
};

struct pool {
	uint64_t base;   /* first walker address */
	uint64_t next;   /* next unused walker address */
	uint64_t cap;    /* bytes of walker addresses the arena holds */
	void *raw;       /* the arena as allocated */
	unsigned char *arena; /* CPU address of walker address base */
	struct pool_slot *slot; /* sorted by pa */
	size_t n, cap_slots;
	void (*note)(void *ctx, bool alloc, uint64_t pa, size_t size);
	void *note_ctx;
};

/* 0, or -1 when the arena of @cap bytes cannot be allocated */
int pool_init(struct pool *p, uint64_t base, uint64_t cap);
void pool_fini(struct pool *p);
struct iopgt_mem pool_mem(struct pool *p);
void *pool_p2v(const struct pool *p, uint64_t pa);
/* the end of the highest table handed out (base when none) */
uint64_t pool_top(const struct pool *p);
/* Load an image of @len bytes made for walker address base (the root of
 * @root bytes first, then tables of @tsize bytes on their alignment) into
 * an empty pool: every table-sized piece becomes a live allocation that
 * phys_to_virt maps and free takes back. 0, or -1 when it does not fit. */
int pool_load(struct pool *p, const void *img, uint64_t len, size_t root, size_t tsize);

struct tool_cfg {
	struct iopgt_cfg cfg;
	const char *fmt_name;
};

/* Decoding for "dump" and "regs" (decode.c). */
void decode_regs(FILE *out, const struct iopgt *pt, const struct iopgt_cfg *cfg);
int decode_tree(FILE *out, const struct iopgt *pt, const struct iopgt_cfg *cfg,
		const struct pool *pool);
/* "touch": the walker's access at @iova, with the hardware updates the
 * registers enable (HA, HD), made with a compare-and-swap; 0, or 1 with
 * *@msg for a line that failed (faults are printed, not failures). */
int decode_touch(FILE *out, const struct iopgt *pt, const struct iopgt_cfg *cfg,
		 const struct pool *pool, uint64_t iova, bool write, const char **msg);
/* "4K", "2M", "1G", or hex when no suffix fits */
const char *size_str(uint64_t v, char *buf, size_t len);

#endif
