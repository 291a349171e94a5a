/* SPDX-License-Identifier: MIT */
/*
 * gen_check.c - reads back an image written by "iopgt gen" the way the
 * hardware would: with the register values from the generated header and
 * an independent table walker (tests/support/refwalk_*.c) that reads only
 * the image, placed at its base address. Every address the gen script
 * maps must translate as the script says, and every other one must fault.
 *
 * usage: gen_check IMAGE     (the header is compiled in: GEN_HEADER)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <iopgt/iopgt.h>

#include "refwalk.h"
#include GEN_HEADER

#define R IOPGT_READ
#define W IOPGT_WRITE
#define C IOPGT_CACHE
#define X IOPGT_NOEXEC
#define M IOPGT_MMIO
#define FAULT 1 /* size 1: the walk must fault */

struct expect {
	uint64_t iova, pa, size;
	uint32_t prot;
};

#if defined(GEN_52) /* gen-52.txt: arm64-s1, 4K granule, IAS and OAS 52 (FEAT_LPA2) */
static const struct expect expect[] = {
	{ 0x40000000, 0x40000000, 1ull << 30, R | W | C },
	{ 0x09000abc, 0x09000abc, 4096, R | W | M | X },
	{ 0x09001000, 0, FAULT, 0 },
	{ 0x8000000000000ull, 0xc008000000000ull, 1ull << 39, R | W | C }, /* a level 0 block */
	{ 0x8007fffffffffull, 0xc00ffffffffffull, 1ull << 39, R | W | C },
	{ 0x8008000000000ull, 0, FAULT, 0 },
	{ 0xf000000000000ull, 0xc008000200000ull, 4096, R | W | C | X }, /* the split block */
	{ 0xf0000000ff008ull, 0xc0080002ff008ull, 4096, R | W | C | X },
	{ 0xf000000100000ull, 0, FAULT, 0 },                             /* the hole */
	{ 0xf000000101000ull, 0xc008000301000ull, 4096, R | W | C | X },
	{ 0xf000000200000ull, 0xc008000400000ull, 2u << 20, R | W | C | X },
	{ 0xf0000003fffffull, 0xc0080005fffffull, 2u << 20, R | W | C | X },
	{ 0xf000000400000ull, 0, FAULT, 0 },
	{ 0x7ffffffffffffull, 0, FAULT, 0 },
	{ 0xfffffffffffffull, 0, FAULT, 0 },
};
#elif FW_FMT == 1 /* gen-s1.txt */
static const struct expect expect[] = {
	{ 0x40000000, 0x40000000, 1ull << 30, R | W | C },
	{ 0x7ffff123, 0x7ffff123, 1ull << 30, R | W | C },
	{ 0x80000000, 0x80000000, 4096, R | W | C | X },    /* the block split by the unmap */
	{ 0x800ff000, 0x800ff000, 4096, R | W | C | X },
	{ 0x80100000, 0, FAULT, 0 },                         /* the hole */
	{ 0x80101000, 0x80101000, 4096, R | W | C | X },
	{ 0x801fffff, 0x801fffff, 4096, R | W | C | X },
	{ 0x80200000, 0x80200000, 2u << 20, R | W | C | X }, /* the second block, intact */
	{ 0x803fffff, 0x803fffff, 2u << 20, R | W | C | X },
	{ 0x80400000, 0, FAULT, 0 },
	{ 0x09000abc, 0x09000abc, 4096, R | W | M | X },
	{ 0x09001000, 0, FAULT, 0 },
	{ 0x09010000, 0x09010000, 65536, R | W | M | X },   /* a contiguous run */
	{ 0x0901ffff, 0x0901ffff, 65536, R | W | M | X },
	{ 0x09020000, 0, FAULT, 0 },
	{ 0x3fffffff, 0, FAULT, 0 },
	{ 0xc0000000, 0, FAULT, 0 },
	{ 0xffffffffffffull, 0, FAULT, 0 },
};
#elif FW_FMT == 5 /* gen-v7s.txt, MTK_EXT | NO_PERMS: everything is read-write */
static const struct expect expect[] = {
	{ 0x10000000, 0x140000000ull, 1u << 20, R | W | C },
	{ 0x100fffff, 0x1400fffffull, 1u << 20, R | W | C },
	{ 0x10100000, 0x240001000ull, 4096, R | W },
	{ 0x10101000, 0, FAULT, 0 },
	{ 0x10110000, 0x3c0010000ull, 65536, R | W },
	{ 0x1011ffff, 0x3c001ffffull, 65536, R | W },
	{ 0x10120000, 0, FAULT, 0 },
	{ 0x20000000, 0, FAULT, 0 }, /* the supersection, unmapped again */
	{ 0x20ffffff, 0, FAULT, 0 },
	{ 0x0, 0, FAULT, 0 },
};
#else
#error "no expectations for this format"
#endif

static unsigned char *img;
static size_t img_len;

/* the image at FW_BASE; anything else is no memory */
static int rd(void *ctx, uint64_t pa, unsigned len, uint64_t *val)
{
	uint64_t v = 0;

	(void)ctx;
	if (pa < FW_BASE || pa - FW_BASE > img_len || img_len - (pa - FW_BASE) < len)
		return -1;
	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)img[pa - FW_BASE + i] << (8 * i);
	*val = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct iopgt_regs regs = {
		.ttbr = FW_TTBR, .tcr = FW_TCR, .mair = FW_MAIR, .vttbr = FW_VTTBR,
		.vtcr = FW_VTCR, .prrr = (uint32_t)FW_PRRR, .nmrr = (uint32_t)FW_NMRR,
	};
	unsigned bad = 0;
	FILE *f;
	long n;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: gen_check IMAGE\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	img = malloc(n > 0 ? (size_t)n : 1);
	if (!img || n < 0 || fread(img, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read\n", argv[1]);
		return 2;
	}
	fclose(f);
	img_len = (size_t)n;
	if (img_len != FW_SIZE || FW_ROOT != FW_BASE) {
		fprintf(stderr, "image of %zu bytes, header says 0x%llx; root 0x%llx, base 0x%llx\n",
			img_len, (unsigned long long)FW_SIZE, (unsigned long long)FW_ROOT,
			(unsigned long long)FW_BASE);
		return 1;
	}
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const struct expect *e = &expect[i];
		struct refwalk_result r = { 0 };
		int st;

		if (FW_FMT == IOPGT_FMT_ARMV7S)
			st = refwalk_v7s(&regs, FW_QUIRKS, rd, NULL, e->iova, &r);
		else
			st = refwalk_lpae_ex((enum iopgt_fmt)FW_FMT, &regs, FW_OAS, FW_QUIRKS, rd,
					     NULL, e->iova, &r);
		if (e->size == FAULT ? st != REFWALK_FAULT :
		    st != REFWALK_OK || r.pa != e->pa || r.size != e->size || r.prot != e->prot) {
			fprintf(stderr, "iova 0x%" PRIx64 ": walk %d pa 0x%" PRIx64 " size 0x%" PRIx64
				" prot 0x%" PRIx32 "; expected %s pa 0x%" PRIx64 " size 0x%" PRIx64
				" prot 0x%" PRIx32 "\n", e->iova, st, r.pa, r.size, r.prot,
				e->size == FAULT ? "a fault," : "", e->pa, e->size, e->prot);
			bad++;
		}
	}
	printf("%zu addresses walked in the image, %u wrong\n", sizeof(expect) / sizeof(expect[0]),
	       bad);
	free(img);
	return bad ? 1 : 0;
}
