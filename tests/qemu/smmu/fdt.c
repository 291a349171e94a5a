/* SPDX-License-Identifier: MIT */
/*
 * fdt.c - just enough of a flattened device tree reader (Devicetree
 * Specification v0.4, chapter 5) to find a device's "reg" by compatible.
 */
#include "guest.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* does the string list @v (@len bytes) hold @s? */
static bool list_has(const char *v, uint32_t len, const char *s)
{
	uint32_t off = 0;

	while (off < len) {
		if (streq(v + off, s))
			return true;
		off += (uint32_t)slen(v + off) + 1;
	}
	return false;
}

bool fdt_find_reg(const void *dtb, const char *compat, uint64_t *base, uint64_t *size)
{
	const uint8_t *h = dtb;
	const uint8_t *st, *end;
	const char *strs;
	unsigned depth = 0;
	bool match = false;
	const uint8_t *reg = NULL;
	uint32_t reg_len = 0;

	if (be32(h) != FDT_MAGIC)
		return false;
	st = h + be32(h + 8);
	end = st + be32(h + 36);
	strs = (const char *)h + be32(h + 12);

	for (const uint8_t *p = st; p < end;) {
		uint32_t tok = be32(p);

		p += 4;
		switch (tok) {
		case FDT_BEGIN_NODE:
			depth++;
			if (depth == 2) {
				match = false;
				reg = NULL;
			}
			p += (slen((const char *)p) + 4) & ~(size_t)3;
			break;
		case FDT_END_NODE:
			if (depth == 2 && match && reg && reg_len >= 16) {
				*base = (uint64_t)be32(reg) << 32 | be32(reg + 4);
				*size = (uint64_t)be32(reg + 8) << 32 | be32(reg + 12);
				return true;
			}
			depth--;
			break;
		case FDT_PROP: {
			uint32_t len = be32(p), name = be32(p + 4);
			const uint8_t *v = p + 8;

			if (depth == 2) {
				if (streq(strs + name, "compatible") &&
				    list_has((const char *)v, len, compat))
					match = true;
				if (streq(strs + name, "reg")) {
					reg = v;
					reg_len = len;
				}
			}
			p = v + ((len + 3) & ~3u);
			break;
		}
		case FDT_NOP:
			break;
		default: /* FDT_END or garbage */
			return false;
		}
	}
	return false;
}
