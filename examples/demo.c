/* SPDX-License-Identifier: MIT */
/*
 * demo.c - build page tables from a small script and show what happens:
 * lookups, a dump of every leaf, and the dirty ranges and TLB
 * invalidations each call produced.
 *
 * Usage: demo [SCRIPT]     SCRIPT "-" reads standard input; without
 *                          SCRIPT a built-in example runs.
 *
 * Script lines ('#' starts a comment; numbers in C notation, with an
 * optional K, M, G or T suffix):
 *   init FMT IAS OAS [PGSIZES]   FMT: arm64-s1 arm64-s2 arm32-s1 arm32-s2 v7s;
 *                                PGSIZES: comma-separated sizes, e.g. 4K,2M,1G
 *   map IOVA PA SIZE PROT        PROT letters: r w c(ache) x(=no exec)
 *                                m(mmio) p(riv)
 *   unmap IOVA SIZE
 *   lookup IOVA
 *   dump
 *   regs
 *   stats
 *
 * Exit status: 0; 1 when a line could not be parsed or an init, map or
 * unmap failed (a lookup that finds nothing is no failure).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iopgt/iopgt.h>

static const char default_script[] =
	"# AArch64 stage 1, 4K granule, 48-bit input and output; 4K pages,\n"
	"# 64K contiguous runs, 2M and 1G blocks\n"
	"init arm64-s1 48 48 4K,64K,2M,1G\n"
	"map 0x40000000 0x80000000 0x201000 rwc\n"
	"map 0x10000000 0x09000000 64K rwm\n"
	"lookup 0x40000000\n"
	"lookup 0x40200abc\n"
	"lookup 0x1000f000\n"
	"lookup 0x50000000\n"
	"dump\n"
	"# a 4K hole in the middle of the 2M block: the block is split\n"
	"unmap 0x40100000 4K\n"
	"lookup 0x40100000\n"
	"stats\n"
	"regs\n";

struct counters {
	unsigned sync_calls;
	size_t ranges;
	size_t bytes;
	unsigned tlb_calls;
};

static void on_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	struct counters *c = ctx;

	c->sync_calls++;
	c->ranges += n;
	for (size_t i = 0; i < n; i++)
		c->bytes += r[i].len;
}

static void on_flush_all(void *ctx)
{
	struct counters *c = ctx;

	c->tlb_calls++;
	printf("    tlb: flush all\n");
}

static void on_flush_walk(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	struct counters *c = ctx;

	c->tlb_calls++;
	printf("    tlb: flush walk 0x%" PRIx64 " +0x%" PRIx64 " granule 0x%zx\n",
	       iova, size, granule);
}

static void on_flush_leaf(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	struct counters *c = ctx;

	c->tlb_calls++;
	printf("    tlb: flush leaf 0x%" PRIx64 " +0x%" PRIx64 " granule 0x%zx\n",
	       iova, size, granule);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("    %s\n", line);
}

/* A number with an optional K/M/G/T suffix; 0 on success. */
static int parse_num(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'm': case 'M': n <<= 20; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	case 't': case 'T': n <<= 40; end++; break;
	default: break;
	}
	if (*end)
		return -1;
	*v = n;
	return 0;
}

static int parse_prot(const char *s, uint32_t *prot)
{
	uint32_t p = 0;

	for (; *s; s++) {
		switch (*s) {
		case 'r': p |= IOPGT_READ; break;
		case 'w': p |= IOPGT_WRITE; break;
		case 'c': p |= IOPGT_CACHE; break;
		case 'x': p |= IOPGT_NOEXEC; break;
		case 'm': p |= IOPGT_MMIO; break;
		case 'p': p |= IOPGT_PRIV; break;
		case '-': break;
		default: return -1;
		}
	}
	*prot = p;
	return 0;
}

static int parse_pgsizes(char *s, uint64_t *pgsizes)
{
	uint64_t all = 0, v;
	char *comma;

	for (;;) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (parse_num(s, &v))
			return -1;
		all |= v;
		if (!comma)
			break;
		s = comma + 1;
	}
	*pgsizes = all;
	return 0;
}

static const struct {
	const char *name;
	enum iopgt_fmt fmt;
} formats[] = {
	{ "arm64-s1", IOPGT_FMT_ARM64_S1 },
	{ "arm64-s2", IOPGT_FMT_ARM64_S2 },
	{ "arm32-s1", IOPGT_FMT_ARM32_S1 },
	{ "arm32-s2", IOPGT_FMT_ARM32_S2 },
	{ "v7s", IOPGT_FMT_ARMV7S },
};

struct demo {
	struct iopgt pt;
	bool live;
	struct counters c;
	unsigned failed; /* init, map and unmap calls that returned an error */
};

#define MAXTOK 8

static void report(struct demo *d, int err)
{
	if (err)
		d->failed++;
	printf("    -> %s", iopgt_strerror(err));
	if (d->c.sync_calls)
		printf("; %u sync call(s), %zu range(s), %zu byte(s)",
		       d->c.sync_calls, d->c.ranges, d->c.bytes);
	printf("\n");
}

/* Runs one script line; returns non-zero for a malformed line. */
static int run_line(struct demo *d, char *line, unsigned lineno)
{
	char *tok[MAXTOK];
	int ntok = 0;
	uint64_t a, b, size;
	uint32_t prot;
	int err;
	char *p = line;

	if ((p = strchr(line, '#')))
		*p = '\0';
	for (p = line; ntok < MAXTOK;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		tok[ntok++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (ntok == 0)
		return 0;

	if (strcmp(tok[0], "init") == 0 && (ntok == 4 || ntok == 5)) {
		struct iopgt_cfg cfg = {
			.sync = { .fn = on_sync, .ctx = &d->c },
			.tlb = { on_flush_all, on_flush_walk, on_flush_leaf, &d->c },
		};
		uint64_t ias, oas;
		size_t i;

		for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			if (strcmp(tok[1], formats[i].name) == 0)
				cfg.fmt = formats[i].fmt;
		if (!cfg.fmt || parse_num(tok[2], &ias) || parse_num(tok[3], &oas) ||
		    ias > 64 || oas > 64 ||
		    (ntok == 5 && parse_pgsizes(tok[4], &cfg.pgsizes)))
			goto bad;
		cfg.ias = (unsigned)ias;
		cfg.oas = (unsigned)oas;
		if (d->live)
			iopgt_fini(&d->pt);
		d->live = false;
		printf("init %s ias %u oas %u pgsizes 0x%" PRIx64 "\n", tok[1],
		       cfg.ias, cfg.oas, cfg.pgsizes);
		memset(&d->c, 0, sizeof(d->c));
		err = iopgt_init(&d->pt, &cfg);
		report(d, err);
		d->live = err == IOPGT_OK;
		return 0;
	}
	if (!d->live) {
		fprintf(stderr, "line %u: no tables yet (use init first)\n", lineno);
		return -1;
	}
	memset(&d->c, 0, sizeof(d->c));

	if (strcmp(tok[0], "map") == 0 && ntok == 5) {
		if (parse_num(tok[1], &a) || parse_num(tok[2], &b) ||
		    parse_num(tok[3], &size) || parse_prot(tok[4], &prot))
			goto bad;
		printf("map 0x%" PRIx64 " -> 0x%" PRIx64 " size 0x%" PRIx64 " %s\n",
		       a, b, size, tok[4]);
		report(d, iopgt_map(&d->pt, a, b, size, prot));
	} else if (strcmp(tok[0], "unmap") == 0 && ntok == 3) {
		if (parse_num(tok[1], &a) || parse_num(tok[2], &size))
			goto bad;
		printf("unmap 0x%" PRIx64 " size 0x%" PRIx64 "\n", a, size);
		report(d, iopgt_unmap(&d->pt, a, size));
	} else if (strcmp(tok[0], "lookup") == 0 && ntok == 2) {
		struct iopgt_mapping m;

		if (parse_num(tok[1], &a))
			goto bad;
		err = iopgt_lookup(&d->pt, a, &m);
		if (err)
			printf("lookup 0x%" PRIx64 ": %s\n", a, iopgt_strerror(err));
		else
			printf("lookup 0x%" PRIx64 " -> 0x%" PRIx64
			       " (leaf 0x%" PRIx64 " +0x%" PRIx64 " -> 0x%" PRIx64
			       ", prot 0x%" PRIx32 ")\n",
			       a, m.pa + (a - m.iova), m.iova, m.size, m.pa, m.prot);
	} else if (strcmp(tok[0], "dump") == 0 && ntok == 1) {
		printf("dump\n");
		err = iopgt_dump(&d->pt, print_line, NULL);
		if (err)
			printf("    -> %s\n", iopgt_strerror(err));
	} else if (strcmp(tok[0], "regs") == 0 && ntok == 1) {
		struct iopgt_regs r;

		iopgt_get_regs(&d->pt, &r);
		/* ttbr/vttbr hold the root's address, which varies from run to
		 * run; print the rest. */
		printf("regs\n    tcr 0x%016" PRIx64 " mair 0x%016" PRIx64
		       " vtcr 0x%016" PRIx64 "\n    prrr 0x%08" PRIx32
		       " nmrr 0x%08" PRIx32 "\n",
		       r.tcr, r.mair, r.vtcr, r.prrr, r.nmrr);
	} else if (strcmp(tok[0], "stats") == 0 && ntok == 1) {
		struct iopgt_stats st;

		err = iopgt_get_stats(&d->pt, &st);
		if (err) {
			printf("stats: %s\n", iopgt_strerror(err));
		} else {
			printf("stats\n    %" PRIu64 " table(s), %" PRIu64
			       " byte(s); granule 0x%" PRIx64 ", %u level(s) from"
			       " level %u, %u root entries\n",
			       st.tables, st.table_bytes, st.granule, st.levels,
			       st.start_level, st.root_entries);
		}
	} else {
		goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "line %u: cannot parse \"%s\"\n", lineno, tok[0]);
	return -1;
}

int main(int argc, char **argv)
{
	static struct demo d;
	char line[512];
	unsigned lineno = 0;
	int bad = 0;
	FILE *in = NULL;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "usage: %s [SCRIPT | -]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		in = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
		if (!in) {
			perror(argv[1]);
			return 2;
		}
	}

	if (in) {
		while (fgets(line, sizeof(line), in))
			bad |= run_line(&d, line, ++lineno);
		if (in != stdin)
			fclose(in);
	} else {
		const char *s = default_script;

		while (*s) {
			size_t n = strcspn(s, "\n");

			if (n >= sizeof(line))
				n = sizeof(line) - 1;
			memcpy(line, s, n);
			line[n] = '\0';
			s += n;
			if (*s == '\n')
				s++;
			bad |= run_line(&d, line, ++lineno);
		}
	}
	if (d.live)
		iopgt_fini(&d.pt);
	if (d.failed)
		fprintf(stderr, "%u call(s) failed\n", d.failed);
	return bad || d.failed ? 1 : 0;
}
