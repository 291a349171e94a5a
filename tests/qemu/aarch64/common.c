/* SPDX-License-Identifier: MIT */
/*
 * common.c - the mappings under test and the checks the stage 1 and stage 2
 * guests share. The expectations come from the list of mappings (what was
 * asked of iopgt_map), never from the tables themselves.
 */
#include "common.h"

/* leaf sizes: pages, blocks and contiguous runs (Arm ARM D8.7.1 for the run
 * lengths: 16 x 4K entries; 128 x 16K pages, 32 x 32M blocks; 32 x 64K
 * entries). The same at both stages for the start levels used here. With
 * 52-bit addresses (D8.3.1, D8.3.2) the 4K granule has 512G blocks at
 * level 0, 16K has 64G blocks at level 1 and 64K 4T blocks at level 1; the
 * Contiguous bit is RES0 in those blocks (D8.7.1), so none is a run. */
#if GRAN_SHIFT == 12 && QA_52
const uint64_t leaf_sizes[] = { 4 * K, 64 * K, 2 * M, 32 * M, GIB, 16 * GIB, 512 * GIB };
#elif GRAN_SHIFT == 12
const uint64_t leaf_sizes[] = { 4 * K, 64 * K, 2 * M, 32 * M, GIB, 16 * GIB };
#elif GRAN_SHIFT == 14 && QA_52
const uint64_t leaf_sizes[] = { 16 * K, 2 * M, 32 * M, GIB, 64 * GIB };
#elif GRAN_SHIFT == 14
const uint64_t leaf_sizes[] = { 16 * K, 2 * M, 32 * M, GIB };
#elif QA_52
const uint64_t leaf_sizes[] = { 64 * K, 2 * M, 512 * M, 16 * GIB, 4096 * GIB };
#else
const uint64_t leaf_sizes[] = { 64 * K, 2 * M, 512 * M, 16 * GIB };
#endif
const unsigned n_leaf_sizes = ARRAY_SIZE(leaf_sizes);

struct iopgt pt;
struct iopgt_cfg pt_cfg;
uint64_t test_base;
static unsigned long pool_before_splits;
struct spec specs[32];
unsigned nspecs;
unsigned long tlbi_count, tlbi_all_count;
/* of the checks, those whose output address is above 2^50 (QA_52) */
static unsigned long high_at, high_access;

uint64_t all_pgsizes(void)
{
	uint64_t p = 0;

	for (unsigned i = 0; i < n_leaf_sizes; i++)
		p |= leaf_sizes[i];
	return p;
}

/* ---- expectations ---------------------------------------------------- */

const char *fst_name(unsigned fst)
{
	switch (FSC_TYPE(fst)) {
	case FSC_ADDRSIZE: return "address size";
	case FSC_TRANS: return "translation";
	case FSC_AF: return "access flag";
	case FSC_PERM: return "permission";
	default: return "other";
	}
}

/* Normal write-back, Normal non-cacheable, Device-nGnRE: fixed by the
 * contract, independent of the MAIR value the library returns */
unsigned want_attr(uint32_t prot)
{
	if (prot & IOPGT_MMIO)
		return attr_dev;
	return (prot & IOPGT_CACHE) ? 0xff : attr_nc;
}

void at_fault(const char *what, uint64_t par, uint64_t va, unsigned type)
{
	g_n.fault++;
	if (!(par & PAR_F))
		fail("AT %s %lx: PA %lx, expected a %s fault", what, (unsigned long)va,
		     (unsigned long)PAR_PA(par), fst_name(type));
	else if (FSC_TYPE(PAR_FST(par)) != type)
		fail("AT %s %lx: %s fault (FST %x), expected a %s fault", what, (unsigned long)va,
		     fst_name(PAR_FST(par)), PAR_FST(par), fst_name(type));
	else if (PAR_S2(par) != stage2)
		fail("AT %s %lx: fault reported at stage %u", what, (unsigned long)va,
		     (unsigned)PAR_S2(par) + 1);
}

void at_one(const char *what, uint64_t par, bool want_ok, uint64_t va, uint64_t pa,
	    uint32_t prot)
{
	if (!want_ok) {
		at_fault(what, par, va, FSC_PERM);
		return;
	}
	g_n.at++;
	high_at += pa >> 50 != 0;
	if (par & PAR_F)
		fail("AT %s %lx: %s fault (FST %x), expected PA %lx", what, (unsigned long)va,
		     fst_name(PAR_FST(par)), PAR_FST(par), (unsigned long)pa);
	else if (PAR_PA(par) != (pa & ~0xfffull))
		fail("AT %s %lx: PA %lx, expected %lx", what, (unsigned long)va,
		     (unsigned long)PAR_PA(par), (unsigned long)(pa & ~0xfffull));
	else if (PAR_ATTR(par) != want_attr(prot))
		fail("AT %s %lx: ATTR %x, expected %x", what, (unsigned long)va, PAR_ATTR(par),
		     want_attr(prot));
	else if ((prot & IOPGT_CACHE) && !(prot & IOPGT_MMIO) && PAR_SH(par) != 3)
		fail("AT %s %lx: SH %u, expected inner shareable", what, (unsigned long)va,
		     PAR_SH(par));
}

/* ---- the mappings ---------------------------------------------------- */

bool in_ram_we_own(uint64_t pa, uint64_t len)
{
	uint64_t s = (uint64_t)(uintptr_t)scratch;

	return (pa >= s && pa + len <= s + SCRATCH_SIZE) ||
	       (pa >= FREE_RAM && pa + len <= RAM_BASE + RAM_SIZE) ||
	       (high_size && pa >= high_base && pa + len <= high_base + high_size);
}

/*
 * Output addresses in descriptors (Arm ARM D8.3): bits [47:G] hold
 * PA[47:G]; with 52 bits, the 64K granule holds PA[51:48] in bits [15:12]
 * (FEAT_LPA), 4K and 16K hold PA[49:48] in bits [49:48] and PA[51:50] in
 * bits [9:8] (FEAT_LPA2). A TTBR holds PA[51:48] of a 52-bit root in bits
 * [5:2] either way (D19.2, TTBR0_EL1.BADDR).
 */
uint64_t desc_pa(uint64_t d)
{
	if (QA_52 && GRAN_SHIFT == 16)
		return (d & 0xffffffff0000ull) | ((d >> 12) & 0xf) << 48;
	if (QA_52)
		return (d & 0x3fffffffff000ull & ~(G - 1)) | ((d >> 8) & 3) << 50;
	return d & 0xfffffffff000ull & ~(G - 1);
}

uint64_t ttbr_pa(uint64_t ttbr)
{
	if (QA_52)
		return (ttbr & 0xffffffffffc0ull) | ((ttbr >> 2) & 0xf) << 48;
	return ttbr & 0xffffffffffffull & ~1ull;
}

struct spec *add_spec(uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf, uint32_t prot)
{
	struct spec *s;
	struct iopgt_mapping m = { 0, 0, 0, 0 };
	int err;

	if (nspecs == ARRAY_SIZE(specs))
		die("too many test mappings");
	s = &specs[nspecs++];
	s->va = va;
	s->pa = pa;
	s->size = size;
	s->leaf = leaf;
	s->prot = prot;
	err = iopgt_map(&pt, va, pa, size, prot);
	if (err)
		die("iopgt_map(%lx, %lx, %lx, %x): %s", (unsigned long)va, (unsigned long)pa,
		    (unsigned long)size, prot, iopgt_strerror(err));
	s->live = true;
	/* the library must have picked the leaf size the test means to check */
	err = iopgt_lookup(&pt, va, &m);
	if (err || m.size != leaf || m.iova != va || m.pa != pa)
		fail("lookup %lx: err %d, leaf %lx at %lx -> %lx; expected a %lx leaf",
		     (unsigned long)va, err, (unsigned long)m.size, (unsigned long)m.iova,
		     (unsigned long)m.pa, (unsigned long)leaf);
	return s;
}

/* One read-write cacheable mapping per leaf size, each in its own slot (a
 * leaf of a slot or more, as 52-bit configurations have, aligned for its
 * size and followed by a free slot); returns the next free slot. */
uint64_t add_leaf_specs(void)
{
	uint64_t s = (uint64_t)(uintptr_t)scratch, va = test_base + SLOT;

	for (unsigned i = 0; i < n_leaf_sizes; i++) {
		uint64_t l = leaf_sizes[i], pa;

		va = (va + l - 1) & ~(l - 1);

		if (l <= 32 * M)
			pa = s;             /* inside the scratch region */
		else if (l <= GIB)
			pa = RAM_BASE;      /* over the image: accesses hit its scratch part */
		else if (QA_52)
			pa = high_base & ~(l - 1); /* over the RAM above 2^50 */
		else
			pa = FAR_PA;        /* no memory there: AT only */
		add_spec(va, pa, l, l, IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
		va += l < SLOT ? SLOT : l + SLOT;
	}
	return va;
}

/* a mapping that starts and ends off block alignment: the library picks
 * pages, then blocks, then pages again */
void add_mixed_spec(uint64_t va)
{
	uint64_t b = leaf_sizes[2];

	add_spec(va + b - 3 * G, FREE_RAM + b - 3 * G, 2 * b + 5 * G, G,
		 IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE);
}

/* Scattered segments mapped back to back by one iopgt_map_sg() call, each
 * checked as a mapping of its own: a run or block, then pages whose output
 * addresses go down and up. */
void add_sg_specs(uint64_t va)
{
	const uint64_t s = (uint64_t)(uintptr_t)scratch, l1 = leaf_sizes[1];
	const uint32_t prot = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;
	const struct iopgt_seg seg[4] = {
		{ s, l1 }, { s + 7 * 64 * K, G }, { s + 12 * 64 * K + G, 2 * G }, { s + 8 * 64 * K, G },
	};
	const uint64_t leaf[4] = { l1, G, G, G };
	int err = iopgt_map_sg(&pt, va, seg, 4, prot);

	if (err)
		die("iopgt_map_sg(%lx, 4 segments): %s", (unsigned long)va, iopgt_strerror(err));
	for (unsigned k = 0; k < 4; k++) {
		struct spec *sp;
		struct iopgt_mapping m = { 0, 0, 0, 0 };

		if (nspecs == ARRAY_SIZE(specs))
			die("too many test mappings");
		sp = &specs[nspecs++];
		sp->va = va;
		sp->pa = seg[k].pa;
		sp->size = seg[k].size;
		sp->leaf = leaf[k];
		sp->prot = prot;
		sp->live = true;
		sp->packed = true;
		err = iopgt_lookup(&pt, va, &m);
		if (err || m.size != leaf[k] || m.iova != va || m.pa != seg[k].pa)
			fail("map_sg segment %u: lookup %lx: err %d, leaf %lx at %lx -> %lx", k,
			     (unsigned long)va, err, (unsigned long)m.size, (unsigned long)m.iova,
			     (unsigned long)m.pa);
		va += seg[k].size;
	}
}

/*
 * 52-bit output addresses, every one with PA[51:50] set: a page and a
 * contiguous run inside the RAM above 2^50, and a block that holds that
 * RAM in its first part (with 64K a 512M block, larger than that RAM).
 */
void add_high_specs(uint64_t va)
{
	const uint32_t rw = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;
	uint64_t l1 = leaf_sizes[1], l2 = leaf_sizes[2];

	if (!high_size || high_base < (3ull << 50) || high_size < 2 * l1)
		die("no RAM above 2^50 for the 52-bit mappings");
	add_spec(va, high_base + 5 * G, G, G, rw);
	add_spec(va + SLOT, high_base + l1, l1, l1, rw);
	add_spec(va + 2 * SLOT, high_base & ~(l2 - 1), l2, l2, rw);
}

/* ---- AT over a mapping ---------------------------------------------- */

/* offsets to translate: every granule of a small leaf, 128 spread over a
 * large one (so every entry of a run is visited), and the last granule;
 * the offset inside the granule varies */
static uint64_t sample_off(uint64_t size, unsigned i, unsigned *n)
{
	uint64_t step = size / G <= 128 ? G : size / 128;

	*n = (unsigned)(size / step) + (step != G);
	if (i == *n - 1 && step != G)
		return size - G + ((G - 8) & 0xff8);
	return i * step + ((i * 0x238ull) & (G - 8));
}

static void at_spec(const struct spec *s)
{
	unsigned n = 1;

	for (unsigned i = 0; i < n; i++) {
		uint64_t o = sample_off(s->size, i, &n);

		at_mapped(s->va + o, s->pa + o, s->prot);
	}
	if (!s->packed) {
		at_unmapped(s->va - G);
		at_unmapped(s->va + s->size);
	}
}

/* ---- real accesses -------------------------------------------------- */

static volatile uint64_t *phys(uint64_t pa)
{
	return (volatile uint64_t *)(uintptr_t)pa;
}

/* memory the checks expect data in: the guest's RAM directly, anything
 * else as the stage provides it */
static bool guest_ram(uint64_t pa)
{
	return pa >= RAM_BASE && pa < RAM_BASE + RAM_SIZE;
}

static uint64_t pa_read(uint64_t pa)
{
	return guest_ram(pa) ? *phys(pa) : bus_read(pa);
}

static void pa_write(uint64_t pa, uint64_t val)
{
	if (guest_ram(pa))
		*phys(pa) = val;
	else
		bus_write(pa, val);
}

static void expect_fault(const char *what, const struct probe *p, uint64_t va, unsigned type)
{
	g_n.fault++;
	if (p->ok)
		fail("%s %lx succeeded, expected a %s fault", what, (unsigned long)va,
		     fst_name(type));
	else if (FSC_TYPE(p->fsc) != type || p->addr != va)
		fail("%s %lx: FSC %x at %lx, expected a %s fault", what, (unsigned long)va,
		     p->fsc, (unsigned long)p->addr, fst_name(type));
}

void load_check(uint64_t va, uint64_t pa)
{
	uint64_t want = 0x5151000000000000ull ^ pa ^ (va << 3);
	struct probe p;

	pa_write(pa, want);
	mem_load(va, &p);
	g_n.access++;
	high_access += pa >> 50 != 0;
	if (!p.ok)
		fail("load %lx: %s fault (FSC %x), expected PA %lx", (unsigned long)va,
		     fst_name(p.fsc), p.fsc, (unsigned long)pa);
	else if (p.val != want)
		fail("load %lx: %lx, expected %lx from PA %lx", (unsigned long)va,
		     (unsigned long)p.val, (unsigned long)want, (unsigned long)pa);
}

void store_check(uint64_t va, uint64_t pa, bool writable)
{
	uint64_t old = 0xa0a0a0a0a0a0a0a0ull ^ pa, want = 0x5757000000000000ull ^ pa ^ va;
	struct probe p;

	pa_write(pa, old);
	mem_store(va, want, &p);
	if (writable) {
		g_n.access++;
		high_access += pa >> 50 != 0;
		if (!p.ok)
			fail("store %lx: %s fault (FSC %x), expected PA %lx", (unsigned long)va,
			     fst_name(p.fsc), p.fsc, (unsigned long)pa);
		else if (pa_read(pa) != want)
			fail("store %lx: PA %lx holds %lx, expected %lx", (unsigned long)va,
			     (unsigned long)pa, (unsigned long)pa_read(pa), (unsigned long)want);
	} else {
		expect_fault("store", &p, va, FSC_PERM);
		if (pa_read(pa) != old)
			fail("store %lx faulted but PA %lx changed", (unsigned long)va,
			     (unsigned long)pa);
	}
}

void load_faults(uint64_t va, unsigned type)
{
	struct probe p;

	mem_load(va, &p);
	expect_fault("load", &p, va, type);
}

void exec_check(uint64_t va, uint64_t pa, bool xn)
{
	struct probe p;

	*(volatile uint32_t *)(uintptr_t)pa = 0xd65f03c0; /* RET */
	__asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");
	mem_exec(va, &p);
	if (!xn) {
		g_n.access++;
		if (!p.ok)
			fail("execute %lx: %s fault (FSC %x)", (unsigned long)va, fst_name(p.fsc),
			     p.fsc);
		return;
	}
	expect_fault("execute", &p, va, FSC_PERM);
}

/* real accesses at 8 places of a mapping whose PA is RAM the guest owns */
static void access_spec(const struct spec *s)
{
	uint64_t s_lo = (uint64_t)(uintptr_t)scratch, lo, hi;
	bool rd = (s->prot & IOPGT_READ) || !stage2;

	if (in_ram_we_own(s->pa, s->size)) {
		lo = s->pa;
		hi = s->pa + s->size;
	} else if (s->pa <= s_lo && s->pa + s->size >= s_lo + SCRATCH_SIZE) {
		lo = s_lo;    /* a block over the image: only its scratch part */
		hi = s_lo + SCRATCH_SIZE;
	} else if (high_size && s->pa < high_base + high_size && s->pa + s->size > high_base) {
		/* a block over the RAM above 2^50: only that part */
		lo = s->pa > high_base ? s->pa : high_base;
		hi = s->pa + s->size < high_base + high_size ? s->pa + s->size :
		     high_base + high_size;
	} else {
		return;
	}
	for (unsigned i = 0; i < 8; i++) {
		uint64_t pa = lo + ((hi - lo - 8) / 7 * i & ~7ull);
		uint64_t va = s->va + (pa - s->pa);

		if (rd)
			load_check(va, pa);
		else
			load_faults(va, FSC_PERM);
		store_check(va, pa, s->prot & IOPGT_WRITE);
	}
}

/* ---- descriptors, for the negative controls -------------------------- */

volatile uint64_t *leaf_desc(uint64_t root_pa, int start_level, unsigned ias, uint64_t va)
{
	unsigned stride = GRAN_SHIFT - 3;
	volatile uint64_t *t = phys(root_pa);

	/* Arm ARM D8.2: each level resolves stride bits; the start level the
	 * rest, concatenated tables included */
	for (int lvl = start_level;; lvl++) {
		unsigned shift = GRAN_SHIFT + stride * (unsigned)(3 - lvl);
		unsigned bits = lvl == start_level ? ias - shift : stride;
		volatile uint64_t *d = &t[(va >> shift) & ((1ull << bits) - 1)];

		if (lvl == 3 || (*d & 3) != 3)
			return d;
		t = phys(desc_pa(*d));
	}
}

void perturb_first_leaf(uint64_t root_pa, int start_level, unsigned ias)
{
	volatile uint64_t *d;

	if (QA_NEG == NEG_OA50) {
		/* the bit that holds PA[50]: 14 with 64K (PA[51:48] in [15:12]),
		 * 8 with 4K and 16K (PA[51:50] in [9:8]) */
		const uint64_t bit = GRAN_SHIFT == 16 ? 1ull << 14 : 1ull << 8;

		/* a page: no split or compaction reads it back */
		for (unsigned i = 0; i < nspecs; i++) {
			if (!(specs[i].pa >> 50 & 1) || specs[i].leaf != G)
				continue;
			d = leaf_desc(root_pa, start_level, ias, specs[i].va);
			pr("negative control: descriptor %lx at %lx (%lx -> %lx), PA[50] dropped\n",
			   (unsigned long)*d, (unsigned long)(uintptr_t)d, (unsigned long)specs[i].va,
			   (unsigned long)specs[i].pa);
			if (!(*d & bit))
				die("PA[50] is not in bit %u of the descriptor", GRAN_SHIFT == 16 ? 14 : 8);
			*d &= ~bit;
			dsb_ish();
			return;
		}
		die("no page above 2^50 to perturb");
	}
	if (QA_NEG != NEG_OA && QA_NEG != NEG_AF)
		return;
	d = leaf_desc(root_pa, start_level, ias, specs[0].va);
	pr("negative control: descriptor %lx at %lx, %s\n", (unsigned long)*d,
	   (unsigned long)(uintptr_t)d,
	   QA_NEG == NEG_OA ? "output address bit 29 flipped" : "access flag cleared");
	/* bit 29 moves the scratch region into unused RAM; bit 10 is AF */
	*d ^= QA_NEG == NEG_OA ? 1ull << 29 : 1ull << 10;
	dsb_ish();
}

/* ---- the phases ------------------------------------------------------ */

void check_all_specs(const char *phase)
{
	unsigned long at0 = g_n.at, f0 = g_n.fault, a0 = g_n.access;
	unsigned long hat0 = high_at, ha0 = high_access;

	for (unsigned i = 0; i < nspecs; i++) {
		if (!specs[i].live)
			continue;
		at_spec(&specs[i]);
		access_spec(&specs[i]);
	}
	pr("%s: %lu AT translations, %lu accesses, %lu faults\n", phase, g_n.at - at0,
	   g_n.access - a0, g_n.fault - f0);
	if (QA_52)
		pr("%s: output addresses above 2^50: %lu AT translations, %lu accesses\n", phase,
		   high_at - hat0, high_access - ha0);
}

/* every size of pgsizes must be a leaf somewhere among the mappings */
void check_leaf_sizes(void)
{
	for (unsigned i = 0; i < n_leaf_sizes; i++) {
		bool seen = false;

		for (unsigned j = 0; j < nspecs && !seen; j++) {
			struct iopgt_mapping m;

			for (uint64_t o = 0; o < specs[j].size && !seen; o += m.size) {
				if (iopgt_lookup(&pt, specs[j].va + o, &m))
					break;
				seen = m.size == leaf_sizes[i];
				o = m.iova - specs[j].va;
			}
		}
		if (!seen)
			fail("no %lx leaf among the test mappings", (unsigned long)leaf_sizes[i]);
	}
}

/* unmap one granule in the middle of every block and run: it must fault,
 * the granules around it and the ends must still translate as before */
void check_splits(void)
{
	unsigned long f0 = g_n.fault, n = 0;

	pool_before_splits = pool_in_use();
	for (unsigned i = 0; i < nspecs; i++) {
		struct spec *s = &specs[i];
		uint64_t mid = s->va + s->size / 2, mpa = s->pa + s->size / 2;
		bool backed;
		int err;

		if (s->leaf == G)
			continue;
		backed = in_ram_we_own(mpa, G);
		if (backed)
			load_check(mid, mpa); /* the TLB now holds the block */
		err = iopgt_unmap(&pt, mid, G);
		if (err)
			die("iopgt_unmap split %lx: %s", (unsigned long)mid, iopgt_strerror(err));
		n++;
		at_unmapped(mid);
		if (backed)
			load_faults(mid, FSC_TRANS);
		at_mapped(mid - G, mpa - G, s->prot);
		at_mapped(mid + G, mpa + G, s->prot);
		at_mapped(s->va, s->pa, s->prot);
		at_mapped(s->va + s->size - G, s->pa + s->size - G, s->prot);
		if (backed) {
			load_check(mid - G, mpa - G);
			load_check(mid + G, mpa + G);
		}
	}
	pr("splits: %lu blocks and runs split, %lu faults\n", n, g_n.fault - f0);
}

/*
 * Hand-over and compaction, with the MMU (or stage 2) running on the
 * tables all along: the object lets them go and adopts them again, as a
 * next stage would; then every block and run check_splits() punched a
 * hole into has the hole mapped again (after a real access next to it,
 * so that the TLB holds the pages around it) and is compacted: it must
 * be one leaf again, every part of it must translate (AT and real
 * accesses, after the call: the only window where it faults is inside
 * the call's break-before-make), and the tables the splits made must be
 * freed, to the byte.
 */
void check_handover(void)
{
	struct iopgt_stats st0, st1;
	unsigned long a0 = g_n.access, n = 0;
	uint64_t root = 0;
	int err;

	iopgt_get_stats(&pt, &st0);
	err = iopgt_detach(&pt, &root);
	if (!err)
		err = iopgt_adopt(&pt, &pt_cfg, root);
	if (err)
		die("detach and adopt: %s", iopgt_strerror(err));
	iopgt_get_stats(&pt, &st1);
	if (st1.tables != st0.tables || st1.table_bytes != st0.table_bytes)
		fail("adopted: %lu tables, %lu bytes; before %lu, %lu", (unsigned long)st1.tables,
		     (unsigned long)st1.table_bytes, (unsigned long)st0.tables,
		     (unsigned long)st0.table_bytes);
	for (unsigned i = 0; i < nspecs; i++) {
		struct spec *s = &specs[i];
		uint64_t mid = s->va + s->size / 2, mpa = s->pa + s->size / 2;
		bool backed = in_ram_we_own(mpa - G, 2 * G) && (s->prot & IOPGT_READ);
		struct iopgt_mapping m = { 0, 0, 0, 0 };

		if (s->leaf == G)
			continue;
		if (backed)
			load_check(mid - G, mpa - G);
		err = iopgt_map(&pt, mid, mpa, G, s->prot);
		if (err)
			die("iopgt_map of the hole %lx: %s", (unsigned long)mid, iopgt_strerror(err));
		at_mapped(mid, mpa, s->prot);
		err = iopgt_compact(&pt, s->va, s->size);
		if (err)
			die("iopgt_compact %lx: %s", (unsigned long)s->va, iopgt_strerror(err));
		n++;
		if (iopgt_lookup(&pt, mid, &m) || m.size != s->leaf || m.iova != s->va ||
		    m.pa != s->pa)
			fail("compacted %lx: leaf %lx at %lx -> %lx, expected %lx", (unsigned long)s->va,
			     (unsigned long)m.size, (unsigned long)m.iova, (unsigned long)m.pa,
			     (unsigned long)s->leaf);
		if (backed) {
			load_check(mid - G, mpa - G);
			load_check(mid, mpa);
		}
	}
	check_all_specs("compacted");
	if (pool_in_use() != pool_before_splits)
		fail("table memory after compaction: %lu bytes, %lu before the splits",
		     pool_in_use(), pool_before_splits);
	pr("hand-over: detached and adopted (%lu tables); compaction: %lu blocks and runs "
	   "formed again, %lu accesses\n", (unsigned long)st1.tables, n, g_n.access - a0);
}

/* unmap everything: where the mappings were must fault */
void check_unmap_all(void)
{
	unsigned long f0 = g_n.fault;

	for (unsigned i = 0; i < nspecs; i++) {
		struct spec *s = &specs[i];
		bool touch = in_ram_we_own(s->pa, G) && (s->prot & IOPGT_READ);
		unsigned n = 1;
		int err;

		if (touch)
			load_check(s->va, s->pa); /* the TLB now holds it */
		err = iopgt_unmap(&pt, s->va, s->size);
		if (err)
			die("iopgt_unmap %lx: %s", (unsigned long)s->va, iopgt_strerror(err));
		s->live = false;
		for (unsigned j = 0; j < n; j++)
			at_unmapped(s->va + sample_off(s->size, j, &n));
		if (touch)
			load_faults(s->va, FSC_TRANS);
	}
	pr("unmap: %lu faults where the mappings were\n", g_n.fault - f0);
}

/* Live edits with real accesses: the TLB holds the old entry when iopgt
 * changes the tables, so only the hooks' TLB invalidation makes the new
 * mapping visible. */
void check_live(void)
{
	const uint32_t rw = IOPGT_READ | IOPGT_WRITE | IOPGT_CACHE;
	uint64_t va = test_base + 12 * SLOT, b = leaf_sizes[2];
	uint64_t s = (uint64_t)(uintptr_t)scratch;
	uint64_t pa1 = s + 32 * M, pa2 = FREE_RAM + 7 * 64 * K;
	uint64_t bpa1 = b > 32 * M ? RAM_BASE : s, bpa2 = FREE_RAM;
	uint64_t boff = b > 32 * M ? s + 5 * M - bpa1 : b / 2 + 0x840;
	unsigned long a0 = g_n.access, f0 = g_n.fault;

	/* a page, remapped to another PA */
	if (iopgt_map(&pt, va, pa1, G, rw))
		die("live map");
	load_check(va, pa1);
	if (iopgt_unmap(&pt, va, G) || iopgt_map(&pt, va, pa2, G, rw))
		die("live remap");
	load_check(va, pa2);
	at_mapped(va, pa2, rw);

	/* the same page made read-only: a store must fault now */
	store_check(va, pa2, true);
	if (iopgt_unmap(&pt, va, G) || iopgt_map(&pt, va, pa2, G, IOPGT_READ | IOPGT_CACHE))
		die("live remap read-only");
	store_check(va, pa2, false);

	/* gone: a load must fault */
	load_check(va, pa2);
	if (iopgt_unmap(&pt, va, G))
		die("live unmap");
	load_faults(va, FSC_TRANS);

	/* a block, remapped to another PA */
	va += SLOT;
	if (iopgt_map(&pt, va, bpa1, b, rw))
		die("live block map");
	load_check(va + boff, bpa1 + boff);
	store_check(va + boff + 8, bpa1 + boff + 8, true);
	if (iopgt_unmap(&pt, va, b) || iopgt_map(&pt, va, bpa2, b, rw))
		die("live block remap");
	load_check(va + boff, bpa2 + boff);
	store_check(va + boff + 8, bpa2 + boff + 8, true);
	at_mapped(va + boff, bpa2 + boff, rw);
	if (iopgt_unmap(&pt, va, b))
		die("live block unmap");
	load_faults(va + boff, FSC_TRANS);
	pr("live edits: %lu accesses, %lu faults after remap/unmap\n", g_n.access - a0,
	   g_n.fault - f0);
}
