/* SPDX-License-Identifier: MIT */
/*
 * common.h - what the stage 1 (s1.c) and stage 2 (s2.c) guests share: the
 * leaf sizes of the granule, the list of mappings under test and the checks
 * run over it. Each guest provides the stage-specific part: AT checks and
 * real accesses through the translation regime under test.
 *
 * Compiled once per guest with GRAN_SHIFT (12, 14 or 16) defined.
 *
 * QA_52: 52-bit addresses (FEAT_LPA2 with the 4K and 16K granules, FEAT_LVA
 * and FEAT_LPA with 64K). Output addresses are 52 bits, input addresses 52
 * bits too unless QA_IAS says otherwise; the leaves include the blocks only
 * 52-bit configurations have, the largest leaves and some more mappings
 * lead to RAM above 2^50 (highmem.c), and QEMU runs with that RAM.
 */
#ifndef QA64_COMMON_H
#define QA64_COMMON_H

#include "rt.h"

#ifndef GRAN_SHIFT
#error "GRAN_SHIFT must be 12, 14 or 16"
#endif

#define G        (1ull << GRAN_SHIFT)
#define K        (1ull << 10)
#define M        (1ull << 20)
#define GIB      (1ull << 30)

#if GRAN_SHIFT == 12
#define GNAME "4K"
#elif GRAN_SHIFT == 14
#define GNAME "16K"
#elif GRAN_SHIFT == 16
#define GNAME "64K"
#else
#error "GRAN_SHIFT must be 12, 14 or 16"
#endif

#ifndef QA_52
#define QA_52 0
#endif
#ifndef QA_IAS
#define QA_IAS 52
#endif

/* output address bits; s2.c raises it so that the IPA size never exceeds it */
#ifndef OAS
#define OAS (QA_52 ? 52 : 40)
#endif

/* negative controls (QA_NEG): each must make the guest report mismatches */
#define NEG_NONE   0
#define NEG_OA     1  /* flip an output-address bit of a leaf after iopgt_map */
#define NEG_AF     2  /* clear the access flag of a leaf after iopgt_map */
#define NEG_MAIR   3  /* stage 1: MAIR_EL1 attribute 0 (non-cacheable) made write-back */
#define NEG_T0SZ   4  /* (V)TCR T0SZ one larger: the top half of the input range is lost */
#define NEG_NOTLBI 5  /* no TLB hooks: stale TLB entries survive unmap and remap */
#define NEG_NOFWB  6  /* stage 2: HCR_EL2.FWB = 1 but tables without IOPGT_QUIRK_S2FWB */
#define NEG_DS     7  /* QA_52: (V)TCR.DS cleared (64K, stage 1: IPS 0b110 made 0b101) */
#define NEG_OA50   8  /* QA_52: PA[50] dropped from the first page mapped above 2^50 */
#ifndef QA_NEG
#define QA_NEG NEG_NONE
#endif

/* RAM no part of the image uses (QEMU runs with -m 1G) */
#define FREE_RAM     0x60000000ull
#define FAR_PA       0x4000000000ull  /* 256 GiB: no memory there, AT only */
#define SLOT         (32 * GIB)       /* each test mapping in its own slot */
#define PERM_STEP    (256 * K)        /* page variants, with holes between them */

/* every page, block and contiguous-run size of the granule, ascending */
extern const uint64_t leaf_sizes[];
extern const unsigned n_leaf_sizes;
uint64_t all_pgsizes(void);

struct spec {
	uint64_t va, pa, size, leaf;
	uint32_t prot;
	bool live;
	bool packed;    /* mapped next to other specs: its neighbours are mapped */
};

extern struct iopgt pt;         /* the tables under test */
extern struct iopgt_cfg pt_cfg; /* their configuration (for iopgt_adopt) */
extern uint64_t test_base;      /* first input address of the test area */
extern struct spec specs[32];
extern unsigned nspecs;
extern unsigned long tlbi_count, tlbi_all_count; /* issued by the TLB hooks */

/* ---- provided by the stage ------------------------------------------ */

extern const bool stage2;
/* PAR_EL1.ATTR expected for IOPGT_MMIO (Device-nGnRE, 0x04) and for
 * neither MMIO nor CACHE (Normal non-cacheable, 0x44), unless the stage
 * combines them with another type; IOPGT_CACHE is always 0xff */
extern const unsigned attr_dev, attr_nc;

/* AT checks: va must translate to pa with prot / must not translate */
void at_mapped(uint64_t va, uint64_t pa, uint32_t prot);
void at_unmapped(uint64_t va);

/* one access through the regime under test */
struct probe {
	bool ok;         /* no fault */
	unsigned fsc;    /* fault: the status code (0xff: not an abort of the regime) */
	uint64_t addr;   /* fault: the input address the CPU reported */
	uint64_t val;    /* load: the value */
};
void mem_load(uint64_t va, struct probe *p);
void mem_store(uint64_t va, uint64_t val, struct probe *p);
void mem_exec(uint64_t va, struct probe *p);  /* branch to va, which holds RET */
/* memory outside the guest's RAM (highmem.c) as the bus sees it: not
 * through the tables under test */
uint64_t bus_read(uint64_t pa);
void bus_write(uint64_t pa, uint64_t val);

/* ---- shared ---------------------------------------------------------- */

const char *fst_name(unsigned fst);
/* PAR_EL1.ATTR expected for prot (MAIR encodings) */
unsigned want_attr(uint32_t prot);
/* compare one PAR_EL1 value with the expectation */
void at_one(const char *what, uint64_t par, bool want_ok, uint64_t va, uint64_t pa,
	    uint32_t prot);
void at_fault(const char *what, uint64_t par, uint64_t va, unsigned type);

bool in_ram_we_own(uint64_t pa, uint64_t len);
/* the output address in a table or leaf descriptor, and in a TTBR */
uint64_t desc_pa(uint64_t d);
uint64_t ttbr_pa(uint64_t ttbr);
struct spec *add_spec(uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf, uint32_t prot);
/* one mapping per leaf size, then the mixed one; perms in between by the stage */
uint64_t add_leaf_specs(void);
void add_mixed_spec(uint64_t va);
void add_sg_specs(uint64_t va);
/* QA_52: a page, a run or block and a larger block in RAM above 2^50 */
void add_high_specs(uint64_t va);

void load_check(uint64_t va, uint64_t pa);
void store_check(uint64_t va, uint64_t pa, bool writable);
void load_faults(uint64_t va, unsigned type);
void exec_check(uint64_t va, uint64_t pa, bool xn);

/* the leaf descriptor that translates va, found by walking the tables from
 * root_pa (a concatenated root included); start_level is signed (4K with a
 * 52-bit input range: -1) */
volatile uint64_t *leaf_desc(uint64_t root_pa, int start_level, unsigned ias, uint64_t va);
void perturb_first_leaf(uint64_t root_pa, int start_level, unsigned ias);

void check_all_specs(const char *phase);
void check_leaf_sizes(void);
void check_splits(void);
void check_handover(void);
void check_unmap_all(void);
void check_live(void);

/* track.c (guests built with QA_TRACK: tables with IOPGT_QUIRK_HW_DIRTY and
 * IOPGT_QUIRK_HW_ACCESS): the walker's own marks, reported and cleaned */
#ifndef QA_TRACK
#define QA_TRACK 0
#endif
#define QA_TRACK_QUIRKS (QA_TRACK ? IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS : 0u)
void check_tracking_cpu(void);  /* before translation is switched on */
void check_tracking(void);

/* highmem.c (QA_52): RAM at a physical address above 2^50, an ivshmem
 * BAR placed in QEMU's high PCIe window; called with translation off */
extern uint64_t high_base, high_size;
void high_ram_init(void);

#endif /* QA64_COMMON_H */
