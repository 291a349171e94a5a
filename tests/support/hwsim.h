/* SPDX-License-Identifier: MIT */
/*
 * tests/support/hwsim.h - a walker's hardware updates of the Access flag
 * and the dirty state (FEAT_HAFDBS, SMMUv3 HTTU), played on tables in test
 * memory for the tracking tests.
 *
 * An access walks the long-descriptor tables from the registers, as
 * refwalk_lpae does, but reads every descriptor with an atomic load (the
 * library may be changing them on another thread), and updates the leaf as
 * the Arm ARM describes hardware updates: AF set when the registers enable
 * HA, the write permission granted on a write through a DBM leaf when they
 * enable HD (stage 1 AP[2] cleared, stage 2 S2AP[1] set), each with one
 * compare-and-swap of the descriptor that restarts the walk when the
 * descriptor changed meanwhile. Without HA an access to a leaf with AF = 0
 * faults; a write the leaf does not allow, even through DBM, faults; a
 * fault updates nothing. A contiguous run is marked in one of its entries,
 * any one: the caller's @pick chooses which (hardware may mark any).
 *
 * Usage:
 *   struct hwsim w;
 *   hwsim_init(&w, cfg.fmt, &regs, cfg.oas, &mem);   // tmem of the tables
 *   struct hwsim_hit hit;
 *   if (hwsim_access(&w, iova, true, rnd, &hit) == HWSIM_OK) ... hit.first, hit.size
 */
#ifndef IOPGT_TEST_HWSIM_H
#define IOPGT_TEST_HWSIM_H

#include "refwalk.h"
#include "tmem.h"

enum hwsim_status {
	HWSIM_OK = 0,
	HWSIM_FAULT,  /* translation or access flag fault */
	HWSIM_PERM,   /* permission fault */
};

struct hwsim {
	struct refwalk_lpae_geom g;
	struct tmem *mem;
	unsigned long updates;  /* compare-and-swaps that went in */
	unsigned long retries;  /* that failed and restarted the walk */
};

struct hwsim_hit {
	uint64_t first, size;   /* the leaf (a run whole) */
	bool marked;            /* this access changed a descriptor */
	bool dirty;             /* the write permission was granted by the walker */
	bool made_dirty;        /* by this access (the entry was writable-clean) */
	bool made_young;        /* by this access (the entry had AF = 0) */
};

/* 0, or -1 for registers that select no long-descriptor walk. @mem: the
 * test allocator that holds the tables, or NULL for tables whose walker
 * address is their CPU address (the built-in allocator). */
int hwsim_init(struct hwsim *w, enum iopgt_fmt fmt, const struct iopgt_regs *regs, unsigned oas,
	       struct tmem *mem);
/* One load (@write false) or store at @iova. */
int hwsim_access(struct hwsim *w, uint64_t iova, bool write, uint64_t pick,
		 struct hwsim_hit *hit);

#endif
