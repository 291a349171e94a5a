/* SPDX-License-Identifier: MIT */
/*
 * tests/support/refwalk.h - independent table walkers for the tests.
 *
 * Each walker reads tables the way hardware does: it starts from the register
 * values iopgt_get_regs() returned (TTBR/TCR or VTTBR/VTCR, TTBR0 for v7s),
 * derives the geometry from them as the Arm ARM describes, and reads table
 * memory only through @rd, so that it can walk either the CPU's tables or
 * the walker's image of them (the bytes synced so far).
 */
#ifndef IOPGT_TEST_REFWALK_H
#define IOPGT_TEST_REFWALK_H

#include <iopgt/iopgt.h>

/*
 * Read @len bytes (4 or 8, naturally aligned) at walker address @pa into
 * *@val (little-endian). Return 0, or -1 when @pa is not memory the walker
 * may read (the walk then reports REFWALK_BADADDR).
 */
typedef int (*refwalk_read_fn)(void *ctx, uint64_t pa, unsigned len, uint64_t *val);

enum refwalk_status {
	REFWALK_OK = 0,
	REFWALK_FAULT = 1,    /* translation fault: an invalid descriptor */
	REFWALK_BADADDR = 2,  /* a descriptor pointed outside readable memory */
	REFWALK_RESERVED = 3, /* a reserved encoding (e.g. LPAE table type at the last level) */
};

struct refwalk_result {
	uint64_t pa;      /* output address of the iova itself */
	uint64_t size;    /* size of the leaf (block/page; run size when the contiguous bit / v7s super/large) */
	uint32_t prot;    /* IOPGT_* flags the leaf grants, decoded from the descriptor bits */
	unsigned level;   /* architectural level of the leaf */
	uint64_t desc;    /* the leaf descriptor */
	/* long-descriptor only: */
	uint64_t desc_pa; /* walker address of the descriptor that translated the iova */
	uint64_t run_pa;  /* of the first entry of its contiguous run (desc_pa if none) */
	unsigned entries; /* entries of the run (1: none) */
	bool young;       /* AF set (in any entry of the run) */
	bool dirty;       /* DBM with the write permission granted (any entry of the run) */
};

/* With hardware updates (HA/HD in the registers) a leaf with AF = 0 translates
 * (the walker would set AF), and a leaf with DBM is writable (the walker
 * would grant the write permission); without HD a DBM bit is reported as
 * REFWALK_RESERVED (the library writes it only for HD). */
/* fmt: IOPGT_FMT_ARM64_S1/S2, IOPGT_FMT_ARM32_S1/S2; the walker decodes
 * geometry from regs (tcr/ttbr or vtcr/vttbr), the 52-bit layouts included
 * (TCR_EL1.DS / VTCR_EL2.DS for the 4K and 16K granules, IPS/PS = 52 for
 * 64K), and needs @oas only to know whether the 64K granule's level-1
 * blocks exist (FEAT_LPA). Output: enum refwalk_status. */
int refwalk_lpae(enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
		 refwalk_read_fn rd, void *ctx, uint64_t iova, struct refwalk_result *out);

/*
 * Long-descriptor geometry, as the walker derives it from the registers
 * (exposed so that the tests' image checker can follow table descriptors
 * without knowing the library's internals).
 */
struct refwalk_lpae_geom {
	unsigned gshift;       /* log2 of the granule */
	unsigned stride;       /* index bits of a non-root table (gshift - 3) */
	int start_level;       /* architectural level of the root (-1: 4K with DS) */
	unsigned root_entries; /* entries in the root (concatenated tables included) */
	unsigned ias;          /* input address bits */
	unsigned ps;           /* output address bits (TCR.IPS / VTCR.PS; 40 for AArch32) */
	uint64_t base;         /* first input address (2^64 - 2^ias for TTBR1) */
	uint64_t root_pa;      /* the root table's walker address */
	bool lpa;              /* 52-bit output: PA[51:48] in descriptor bits [15:12] */
	bool ds;               /* the LPA2 layout (4K, 16K): PA[49:12] in place,
				* PA[51:50] in descriptor bits [9:8], no SH field */
	bool s2, aarch32, ttbr1;
	bool l1_block;         /* level-1 blocks exist (4K; 16K with DS; 64K with 52-bit PA) */
	bool l0_block;         /* level-0 blocks exist (4K with DS) */
	bool ha, hd;           /* hardware updates of the Access flag, of the dirty state
				* (TCR_EL1.HA/HD bits 39/40, VTCR_EL2.HA/HD bits 21/22;
				* HD counts only with HA) */
};

/* Derive the geometry from @regs. Return REFWALK_OK, or REFWALK_RESERVED
 * for register values that select no valid walk. */
int refwalk_lpae_geom(enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
		      struct refwalk_lpae_geom *g);

/* log2 of the bytes one entry at architectural @level translates. */
unsigned refwalk_lpae_entry_shift(const struct refwalk_lpae_geom *g, int level);

/* Class of descriptor @d found at @level: 0 invalid, 1 leaf (block/page),
 * 2 table (*next = the table's address), 3 reserved encoding. */
int refwalk_lpae_decode(const struct refwalk_lpae_geom *g, int level, uint64_t d,
			uint64_t *next);

/*
 * refwalk_lpae() with the configuration's quirks: IOPGT_QUIRK_S2FWB selects
 * the FEAT_S2FWB MemAttr decoding; IOPGT_QUIRK_NS makes NS/NSTable
 * mandatory on every leaf and table descriptor (without it they must be
 * clear). A mismatch is REFWALK_RESERVED. refwalk_lpae() is this with
 * @quirks = 0, except that it accepts NS and NSTable either way.
 */
int refwalk_lpae_ex(enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
		    uint32_t quirks, refwalk_read_fn rd, void *ctx, uint64_t iova,
		    struct refwalk_result *out);

/* v7s: from regs->ttbr (TTBCR = 0: TTBR0 translates all 4 GiB); @quirks
 * (IOPGT_QUIRK_MTK_EXT, NO_PERMS) say how to decode PA and permissions. */
int refwalk_v7s(const struct iopgt_regs *regs, uint32_t quirks, refwalk_read_fn rd, void *ctx,
		uint64_t iova, struct refwalk_result *out);

#endif
