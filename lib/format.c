/* SPDX-License-Identifier: MIT */
/*
 * lib/format.c - text without a C library: the one-line description of a
 * leaf, and the dump.
 */
#include "codec.h"

/* Each helper appends at @pos, never writes past @len - 1, keeps the buffer
 * NUL-terminated and returns the new position (which may exceed len - 1
 * when the text was cut). */
size_t fmt_str(char *buf, size_t len, size_t pos, const char *s)
{
	for (; *s; s++, pos++)
		if (pos + 1 < len)
			buf[pos] = *s;
	if (len)
		buf[pos + 1 < len ? pos : len - 1] = '\0';
	return pos;
}

size_t fmt_hex(char *buf, size_t len, size_t pos, uint64_t v)
{
	char tmp[19];
	int n = 0;

	tmp[n++] = '0';
	tmp[n++] = 'x';
	int shift = 60;

	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		tmp[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
	tmp[n] = '\0';
	return fmt_str(buf, len, pos, tmp);
}

/* decimal without division (32-bit targets would need a runtime helper) */
static size_t fmt_dec(char *buf, size_t len, size_t pos, uint64_t v)
{
	static const uint64_t pow10[] = {
		10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull,
		10000000000000000ull, 1000000000000000ull, 100000000000000ull,
		10000000000000ull, 1000000000000ull, 100000000000ull, 10000000000ull,
		1000000000ull, 100000000ull, 10000000ull, 1000000ull, 100000ull,
		10000ull, 1000ull, 100ull, 10ull, 1ull,
	};
	char tmp[21];
	int n = 0;

	for (unsigned k = 0; k < sizeof(pow10) / sizeof(pow10[0]); k++) {
		char digit = '0';

		while (v >= pow10[k]) {
			v -= pow10[k];
			digit++;
		}
		if (digit != '0' || n || k + 1 == sizeof(pow10) / sizeof(pow10[0]))
			tmp[n++] = digit;
	}
	tmp[n] = '\0';
	return fmt_str(buf, len, pos, tmp);
}

/* 4096 -> "4K", 2 MiB -> "2M"; sizes that are no power of 1024 in hex */
size_t fmt_size(char *buf, size_t len, size_t pos, uint64_t v)
{
	static const char units[] = "KMGTPE";

	if (!v || (v & 1023))
		return fmt_hex(buf, len, pos, v);
	int u = -1;

	while (v >= 1024 && !(v & 1023) && u < 5) {
		v >>= 10;
		u++;
	}
	pos = fmt_dec(buf, len, pos, v);
	char s[2] = { units[u], '\0' };

	return fmt_str(buf, len, pos, s);
}

size_t iopgt_format_leaf(const struct iopgt *pt, const struct iopgt_leaf *leaf, char *buf,
			 size_t len)
{
	size_t p = 0;
	uint32_t prot;

	if (!buf || !len)
		return 0;
	buf[0] = '\0';
	if (!leaf)
		return 0;
	prot = leaf->m.prot;
	p = fmt_hex(buf, len, p, leaf->m.iova);
	p = fmt_str(buf, len, p, "-");
	p = fmt_hex(buf, len, p, leaf->m.iova + leaf->m.size - 1);
	p = fmt_str(buf, len, p, " -> ");
	p = fmt_hex(buf, len, p, leaf->m.pa);
	p = fmt_str(buf, len, p, " ");
	p = fmt_size(buf, len, p, leaf->m.size);
	p = fmt_str(buf, len, p, " level ");
	p = fmt_dec(buf, len, p, leaf->level);
	if (leaf->entries > 1) {
		p = fmt_str(buf, len, p, pt && pt_is_v7s(pt) ? " replicated x" : " contiguous x");
		p = fmt_dec(buf, len, p, leaf->entries);
	}
	p = fmt_str(buf, len, p, (prot & IOPGT_READ) ? " read" : "");
	p = fmt_str(buf, len, p, (prot & IOPGT_WRITE) ? " write" : "");
	p = fmt_str(buf, len, p, (prot & IOPGT_NOEXEC) ? " noexec" : " exec");
	if (prot & IOPGT_MMIO)
		p = fmt_str(buf, len, p, " device");
	else
		p = fmt_str(buf, len, p, (prot & IOPGT_CACHE) ? " cacheable" : " non-cacheable");
	if (pt && !pt_is_s2(pt))
		p = fmt_str(buf, len, p, (prot & IOPGT_PRIV) ? " privileged" : " unprivileged");
	p = fmt_str(buf, len, p, " desc ");
	p = fmt_hex(buf, len, p, leaf->desc);
	return p < len ? p : len - 1;
}

struct dump_ctx {
	const struct iopgt *pt;
	void (*print)(void *ctx, const char *line);
	void *ctx;
};

static int dump_leaf(void *ctx, const struct iopgt_leaf *leaf)
{
	struct dump_ctx *d = ctx;
	char line[192];

	iopgt_format_leaf(d->pt, leaf, line, sizeof(line));
	d->print(d->ctx, line);
	return 0;
}

int iopgt_dump(const struct iopgt *pt, void (*print)(void *ctx, const char *line), void *ctx)
{
	struct dump_ctx d = { pt, print, ctx };

	if (!print)
		return IOPGT_ERR_INVAL;
	return iopgt_walk(pt, 0, 0, dump_leaf, &d);
}
