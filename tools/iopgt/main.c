/* SPDX-License-Identifier: MIT */
/*
 * tools/iopgt/main.c - the iopgt command-line tool: build page tables from
 * a script and show what each call did (dirty ranges, TLB invalidations,
 * table allocations), the tables as a decoded tree, the mappings and the
 * register values; "iopgt gen" writes the tables as a binary image for a
 * fixed physical address, with a C header holding the registers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define DEFAULT_TABLE_BASE 0x40000000u
#define DEFAULT_TABLE_MEMORY ((uint64_t)64 << 20)
#define MAX_LINE 1024
#define MAX_TOK 72 /* map-sg: 64 segments */
#define REC_RANGES 4096
#define REC_CALLS 256

static const char demo_script[] =
	"# The built-in demo: what iopgt writes, syncs and invalidates for each call.\n"
	"# Every line of output under a command is one thing the library did, in order:\n"
	"# alloc/free of table memory, a sync.fn call with the dirty byte ranges\n"
	"# [walker address, length], a TLB hook call.\n"
	"#\n"
	"# 2 MiB + 8 KiB of RAM: one 2M block and two 4K pages.\n"
	"map 0x40000000 0x80000000 0x202000 read write cache\n"
	"# 64 KiB of device registers: one contiguous run of 16 pages.\n"
	"map 0x10000000 0x09000000 64K read write mmio noexec\n"
	"lookup 0x40123456\n"
	"lookup 0x40201abc\n"
	"lookup 0x1000f000\n"
	"lookup 0x50000000\n"
	"dump\n"
	"# Unmap 4 KiB inside the block: the block is split into a table of pages,\n"
	"# break-before-make (invalid, sync, TLB invalidate, then the new table).\n"
	"unmap 0x40100000 4K\n"
	"lookup 0x40100000\n"
	"lookup 0x40101000\n"
	"# Map the hole again: the table's 512 pages now map what the block did.\n"
	"map 0x40100000 0x80100000 4K read write cache\n"
	"# Compact: the table is replaced by the 2M block again, break-before-make\n"
	"# (invalid, sync, TLB invalidate, then the block), and freed.\n"
	"compact 0x40000000 2M\n"
	"lookup 0x40101000\n"
	"# Unmap the device run: the tables that held only it are freed, last.\n"
	"unmap 0x10000000 64K\n"
	"dump\n"
	"regs\n"
	"stats\n";

/* The built-in demo with --quirk hw-dirty and --quirk hw-access. */
static const char track_demo_script[] =
	"# The tracking demo: the walker marks leaves itself (FEAT_HAFDBS, SMMU HTTU).\n"
	"# With hw-dirty every writable leaf is written writable-clean (DBM set, not\n"
	"# yet writable); with hw-access every leaf with AF = 0. \"touch\" plays the\n"
	"# walker: it sets AF, and makes a DBM leaf it writes through writable-dirty,\n"
	"# with a compare-and-swap. \"dirty\" and \"young\" report the marked leaves\n"
	"# (whole, adjacent ones together) and make them clean and old again, TLB\n"
	"# entries invalidated first; \"keep\" reports only.\n"
	"#\n"
	"# A 2M block and four 4K pages of RAM, writable; 64 KiB read-only: a run.\n"
	"map 0x40000000 0x80000000 0x204000 read write cache\n"
	"map 0x10000000 0x90000000 64K read\n"
	"dump\n"
	"# The walker writes a page and the block, and reads the run.\n"
	"touch 0x40201000 write\n"
	"touch 0x40123000 write\n"
	"touch 0x1000f000 read\n"
	"touch 0x1000f000 write\n"
	"dirty 0x40000000 0x204000 keep\n"
	"dirty 0x40000000 0x204000\n"
	"dirty 0x40000000 0x204000\n"
	"young 0x10000000 0x40000000\n"
	"# A dirty block split by an unmap leaves every page around the hole dirty.\n"
	"touch 0x40080000 write\n"
	"unmap 0x40100000 4K\n"
	"dirty 0x40000000 2M\n"
	"dump\n"
	"regs\n";

/* ---- options ---------------------------------------------------------- */

static const struct {
	const char *name;
	enum iopgt_fmt fmt;
	unsigned ias, oas;
} formats[] = {
	{ "arm64-s1", IOPGT_FMT_ARM64_S1, 48, 48 },
	{ "arm64-s2", IOPGT_FMT_ARM64_S2, 40, 48 },
	{ "arm32-s1", IOPGT_FMT_ARM32_S1, 32, 40 },
	{ "arm32-s2", IOPGT_FMT_ARM32_S2, 40, 40 },
	{ "v7s", IOPGT_FMT_ARMV7S, 32, 32 },
};

static const struct {
	const char *name;
	uint32_t bit;
} quirks[] = {
	{ "ns", IOPGT_QUIRK_NS },
	{ "ttbr1", IOPGT_QUIRK_TTBR1 },
	{ "outer-wbwa", IOPGT_QUIRK_OUTER_WBWA },
	{ "s2fwb", IOPGT_QUIRK_S2FWB },
	{ "no-split", IOPGT_QUIRK_NO_SPLIT },
	{ "split-in-place", IOPGT_QUIRK_SPLIT_IN_PLACE },
	{ "mtk-ext", IOPGT_QUIRK_MTK_EXT },
	{ "no-perms", IOPGT_QUIRK_NO_PERMS },
	{ "concurrent", IOPGT_QUIRK_CONCURRENT },
	{ "hw-dirty", IOPGT_QUIRK_HW_DIRTY },
	{ "hw-access", IOPGT_QUIRK_HW_ACCESS },
};

static const struct {
	const char *name;
	uint32_t bit;
} prots[] = {
	{ "read", IOPGT_READ },
	{ "write", IOPGT_WRITE },
	{ "cache", IOPGT_CACHE },
	{ "noexec", IOPGT_NOEXEC },
	{ "mmio", IOPGT_MMIO },
	{ "priv", IOPGT_PRIV },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct opts {
	unsigned fmt_i;
	uint64_t granule;     /* 0: not given */
	unsigned ias, oas;    /* 0: the format's default */
	uint64_t pgsizes;     /* 0: every size the configuration allows */
	uint32_t quirks;
	bool coherent;
	bool keep_going;
	bool quiet;
	bool verbose;
	uint64_t table_base;
	uint64_t table_memory;
	bool gen;
	bool base_given;
	const char *image;    /* adopt the tables of this image instead of init */
	const char *out, *header, *name;
	const char *input;    /* NULL: the built-in demo */
};

/* ---- the tool's state --------------------------------------------------- */

enum ev_kind { EV_SYNC, EV_ALLOC, EV_FREE, EV_FLUSH_ALL, EV_FLUSH_WALK, EV_FLUSH_LEAF,
	       EV_DIRTY, EV_YOUNG };

struct event {
	enum ev_kind kind;
	uint64_t a, b, c;
};

struct tool {
	struct opts o;
	struct iopgt_cfg cfg;
	struct iopgt pt;
	bool live;
	struct pool pool;
	struct iopgt_recorder rec;
	struct iopgt_range ranges[REC_RANGES];
	struct iopgt_rec_call calls[REC_CALLS];
	struct event *ev;
	size_t n_ev, cap_ev;
	FILE *out;
	unsigned failed;
	uint64_t root;        /* what the last detach returned */
	bool have_root;
};

static void add_event(struct tool *t, enum ev_kind k, uint64_t a, uint64_t b, uint64_t c)
{
	if (t->n_ev == t->cap_ev) {
		size_t cap = t->cap_ev ? 2 * t->cap_ev : 64;
		struct event *ne = realloc(t->ev, cap * sizeof(*ne));

		if (!ne) {
			fprintf(stderr, "iopgt: out of memory\n");
			exit(2);
		}
		t->ev = ne;
		t->cap_ev = cap;
	}
	t->ev[t->n_ev++] = (struct event){ k, a, b, c };
}

/* the recorder passes every call on here, after it was recorded */
static void note_sync(void *ctx, const struct iopgt_range *r, size_t n)
{
	struct tool *t = ctx;

	(void)r;
	add_event(t, EV_SYNC, t->rec.n_calls ? t->rec.n_calls - 1 : 0, n, 0);
}

static void note_mem(void *ctx, bool alloc, uint64_t pa, size_t size)
{
	add_event(ctx, alloc ? EV_ALLOC : EV_FREE, pa, size, 0);
}

static void on_flush_all(void *ctx)
{
	add_event(ctx, EV_FLUSH_ALL, 0, 0, 0);
}

static void on_flush_walk(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	add_event(ctx, EV_FLUSH_WALK, iova, size, granule);
}

static void on_flush_leaf(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	add_event(ctx, EV_FLUSH_LEAF, iova, size, granule);
}

static void on_dirty(void *ctx, uint64_t iova, uint64_t size)
{
	add_event(ctx, EV_DIRTY, iova, size, 0);
}

static void on_young(void *ctx, uint64_t iova, uint64_t size)
{
	add_event(ctx, EV_YOUNG, iova, size, 0);
}

static void begin_call(struct tool *t)
{
	t->n_ev = 0;
	iopgt_recorder_reset(&t->rec);
}

static void print_events(struct tool *t)
{
	FILE *out = t->out;
	unsigned sync_no = 0;

	for (size_t i = 0; i < t->n_ev; i++) {
		const struct event *e = &t->ev[i];

		switch (e->kind) {
		case EV_SYNC: {
			const struct iopgt_rec_call *c = e->a < t->rec.n_calls ? &t->rec.calls[e->a] : NULL;

			fprintf(out, "  sync call %u:", ++sync_no);
			if (!c) {
				fprintf(out, " %" PRIu64 " range(s), not logged\n", e->b);
				break;
			}
			if (c->n == 0)
				fprintf(out, " (no ranges)");
			for (size_t k = 0; k < c->stored; k++) {
				const struct iopgt_range *r = &t->rec.ranges[c->first + k];

				fprintf(out, " [0x%" PRIx64 ", 0x%zx]", r->pa, r->len);
			}
			if (c->stored < c->n)
				fprintf(out, " ... %zu more", c->n - c->stored);
			fprintf(out, "\n");
			break;
		}
		case EV_ALLOC:
			fprintf(out, "  alloc 0x%" PRIx64 " (0x%" PRIx64 " bytes)\n", e->a, e->b);
			break;
		case EV_FREE:
			fprintf(out, "  free 0x%" PRIx64 " (0x%" PRIx64 " bytes)\n", e->a, e->b);
			break;
		case EV_FLUSH_ALL:
			fprintf(out, "  tlb flush_all\n");
			break;
		case EV_FLUSH_WALK:
		case EV_FLUSH_LEAF:
			fprintf(out, "  tlb %s iova 0x%" PRIx64 " size 0x%" PRIx64 " granule 0x%" PRIx64
				"\n", e->kind == EV_FLUSH_WALK ? "flush_walk" : "flush_leaf", e->a,
				e->b, e->c);
			break;
		case EV_DIRTY:
		case EV_YOUNG:
			fprintf(out, "  %s 0x%" PRIx64 " size 0x%" PRIx64 "\n",
				e->kind == EV_DIRTY ? "dirty" : "young", e->a, e->b);
			break;
		}
	}
}

static const char *err_name(int err)
{
	static const char *const names[] = { "IOPGT_OK", "IOPGT_ERR_INVAL", "IOPGT_ERR_RANGE",
					     "IOPGT_ERR_EXIST", "IOPGT_ERR_NOMEM",
					     "IOPGT_ERR_NOENT", "IOPGT_ERR_NOTSUP",
					     "IOPGT_ERR_BUSY", "IOPGT_ERR_CORRUPT" };

	return (err <= 0 && err >= -8) ? names[-err] : "?";
}

/* events, then the result and the totals of a table-writing call */
static void report(struct tool *t, int err)
{
	struct iopgt_stats st;

	print_events(t);
	if (err) {
		fprintf(t->out, "  result: %s (%s)\n", iopgt_strerror(err), err_name(err));
		return;
	}
	fprintf(t->out, "  result: OK");
	if (t->cfg.sync.fn && !t->rec.total_calls)
		fprintf(t->out, "; nothing synced");
	else if (t->cfg.sync.fn)
		fprintf(t->out, "; synced %" PRIu64 " range(s), 0x%" PRIx64 " bytes, %" PRIu64
			" cache line(s) in %" PRIu64 " call(s)", t->rec.total_ranges,
			t->rec.total_bytes, t->rec.total_lines, t->rec.total_calls);
	if (t->live && !iopgt_get_stats(&t->pt, &st))
		fprintf(t->out, "; %" PRIu64 " table(s), 0x%" PRIx64 " bytes", st.tables,
			st.table_bytes);
	fprintf(t->out, "\n");
}

/* ---- parsing ------------------------------------------------------------ */

/* hex with 0x, or decimal; an optional K, M, G or T suffix */
static int parse_num(const char *s, uint64_t *v)
{
	unsigned long long n;
	unsigned shift = 0;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	n = strtoull(s, &end, base);
	if (errno || end == s || (base == 16 && end == s + 2))
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end || (shift && (n >> (64 - shift))))
		return -1;
	*v = (uint64_t)n << shift;
	return 0;
}

/* comma-separated sizes; a hex mask is the same thing written at once */
static int parse_sizes(const char *s, uint64_t *mask)
{
	char buf[64];
	uint64_t all = 0, v;

	for (;;) {
		size_t n = strcspn(s, ",");

		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (parse_num(buf, &v) || v == 0)
			return -1;
		all |= v;
		if (!s[n])
			break;
		s += n + 1;
	}
	if (!all)
		return -1;
	*mask = all;
	return 0;
}

static const char *sizes_str(uint64_t mask, char *buf, size_t len)
{
	size_t p = 0;
	char one[32];

	buf[0] = '\0';
	for (unsigned b = 0; b < 64 && p < len; b++) {
		if (!(mask >> b & 1))
			continue;
		p += (size_t)snprintf(buf + p, len - p, "%s%s", p ? "," : "",
				      size_str((uint64_t)1 << b, one, sizeof(one)));
	}
	return buf;
}

static void usage(FILE *f)
{
	fputs("usage: iopgt [OPTIONS] [SCRIPT | -]\n"
	      "       iopgt gen --base PA --out FILE.bin --header FILE.h [--name PREFIX]\n"
	      "                 [OPTIONS] [SCRIPT | -]\n"
	      "\n"
	      "Builds ARM page tables with libiopgt from a script of commands (a file,\n"
	      "'-' for standard input, or without SCRIPT a built-in demo) and prints, for\n"
	      "each command, what the library did: table memory allocated and freed, the\n"
	      "dirty ranges of every sync call, the TLB invalidations, the result.\n"
	      "\n"
	      "Options:\n"
	      "  --fmt F          arm64-s1 (default), arm64-s2, arm32-s1, arm32-s2, v7s\n"
	      "  --granule G      4K (default), 16K, 64K (AArch64 only)\n"
	      "  --ias N          input address bits (default: arm64-s1 48, arm64-s2 40,\n"
	      "                   arm32-s1 32, arm32-s2 40, v7s 32)\n"
	      "  --oas N          output address bits (default: arm64 48, arm32 40, v7s 32,\n"
	      "                   v7s with mtk-ext 35)\n"
	      "  --pgsizes LIST   sizes map may use: 4K,2M,1G or a mask such as 0x40201000\n"
	      "                   (default: every page, block and contiguous-run size the\n"
	      "                   format and granule have)\n"
	      "  --quirk NAME     ns, ttbr1, outer-wbwa, s2fwb, no-split, split-in-place,\n"
	      "                   mtk-ext, no-perms, concurrent, hw-dirty, hw-access\n"
	      "                   (repeatable); hw-dirty and hw-access imply --coherent,\n"
	      "                   both together select the built-in demo of tracking\n"
	      "  --coherent       the walker snoops the caches: no sync callback\n"
	      "  --table-base PA  walker address of the first table (default 0x40000000)\n"
	      "  --table-memory SIZE  table memory available (default 64M)\n"
	      "  --keep-going     after a failed line, go on with the next one\n"
	      "  --stop-on-error  stop at the first failed line (default)\n"
	      "  --image FILE --base PA  instead of new tables, adopt those of an image\n"
	      "                   made by 'iopgt gen' for walker address PA (the same\n"
	      "                   format options as for gen)\n"
	      "  -q, --quiet      print nothing but errors\n"
	      "  -h, --help       this text\n"
	      "gen options:\n"
	      "  --base PA        physical address of the image; the root table is first\n"
	      "  --out FILE       the binary image: the tables as the walker reads them\n"
	      "  --header FILE    a C header with the registers, base and size\n"
	      "  --name PREFIX    prefix of the header's macros (default TABLES)\n"
	      "  --verbose        print each command's output as without gen\n"
	      "\n"
	      "Script commands, one per line ('#' starts a comment; numbers are hex with\n"
	      "0x or decimal, with an optional K, M, G or T suffix):\n"
	      "  map IOVA PA SIZE PROT...   PROT words: read write cache noexec mmio priv\n"
	      "  map-sg IOVA PROT PA:SIZE...  segments back to back from IOVA, one call;\n"
	      "                             PROT words joined by commas (read,write)\n"
	      "  unmap IOVA SIZE\n"
	      "  compact IOVA SIZE          re-form blocks and contiguous runs in the range\n"
	      "  detach                     let the tables go, unchanged (prints the root)\n"
	      "  adopt [ROOT]               take over the tables at ROOT (default: the root\n"
	      "                             the last detach gave)\n"
	      "  lookup IOVA\n"
	      "  dump                       the tables as a tree, then the mappings\n"
	      "  regs                       register values with their fields decoded\n"
	      "  stats                      table memory and geometry\n"
	      "  dirty IOVA SIZE [keep]     report the dirty leaves and clean them (hw-dirty)\n"
	      "  young IOVA SIZE [keep]     report the accessed leaves and clear AF (hw-access)\n"
	      "  touch IOVA read|write      play the walker: set AF, mark a DBM leaf dirty\n"
	      "\n"
	      "A line that cannot be parsed or whose call fails is reported on standard\n"
	      "error as \"LINE: message\". Exit status: 0, 1 when a line failed, 2 for\n"
	      "bad options or an unusable configuration.\n", f);
}

static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "iopgt: %s needs a value\n", name);
		exit(2);
	}
	*val = argv[++*i];
	return 1;
}

static void bad_opt(const char *name, const char *val)
{
	fprintf(stderr, "iopgt: bad value for %s: '%s' (see --help)\n", name, val);
	exit(2);
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	const char *v;
	uint64_t n;
	int i = 1;

	memset(o, 0, sizeof(*o));
	o->table_base = DEFAULT_TABLE_BASE;
	o->table_memory = DEFAULT_TABLE_MEMORY;
	o->name = "TABLES";
	if (argc > 1 && strcmp(argv[1], "gen") == 0) {
		o->gen = true;
		i = 2;
	}
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (opt_value(argc, argv, &i, "--fmt", &v)) {
			size_t k;

			for (k = 0; k < ARRAY_SIZE(formats); k++)
				if (strcmp(v, formats[k].name) == 0)
					break;
			if (k == ARRAY_SIZE(formats))
				bad_opt("--fmt", v);
			o->fmt_i = (unsigned)k;
		} else if (opt_value(argc, argv, &i, "--granule", &v)) {
			if (parse_num(v, &n) || (n != 4096 && n != 16384 && n != 65536))
				bad_opt("--granule", v);
			o->granule = n;
		} else if (opt_value(argc, argv, &i, "--ias", &v)) {
			if (parse_num(v, &n) || n == 0 || n > 64)
				bad_opt("--ias", v);
			o->ias = (unsigned)n;
		} else if (opt_value(argc, argv, &i, "--oas", &v)) {
			if (parse_num(v, &n) || n == 0 || n > 64)
				bad_opt("--oas", v);
			o->oas = (unsigned)n;
		} else if (opt_value(argc, argv, &i, "--pgsizes", &v)) {
			if (parse_sizes(v, &o->pgsizes))
				bad_opt("--pgsizes", v);
		} else if (opt_value(argc, argv, &i, "--quirk", &v)) {
			size_t k;

			for (k = 0; k < ARRAY_SIZE(quirks); k++)
				if (strcmp(v, quirks[k].name) == 0)
					break;
			if (k == ARRAY_SIZE(quirks))
				bad_opt("--quirk", v);
			o->quirks |= quirks[k].bit;
		} else if (opt_value(argc, argv, &i, "--table-base", &v)) {
			if (parse_num(v, &o->table_base))
				bad_opt("--table-base", v);
		} else if (opt_value(argc, argv, &i, "--table-memory", &v)) {
			if (parse_num(v, &o->table_memory) || o->table_memory == 0)
				bad_opt("--table-memory", v);
		} else if (strcmp(a, "--coherent") == 0) {
			o->coherent = true;
		} else if (strcmp(a, "--keep-going") == 0) {
			o->keep_going = true;
		} else if (strcmp(a, "--stop-on-error") == 0) {
			o->keep_going = false;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			o->quiet = true;
		} else if (o->gen && strcmp(a, "--verbose") == 0) {
			o->verbose = true;
		} else if (opt_value(argc, argv, &i, "--image", &v)) {
			o->image = v;
		} else if (opt_value(argc, argv, &i, "--base", &v)) {
			if (parse_num(v, &o->table_base))
				bad_opt("--base", v);
			o->base_given = true;
		} else if (o->gen && opt_value(argc, argv, &i, "--out", &v)) {
			o->out = v;
		} else if (o->gen && opt_value(argc, argv, &i, "--header", &v)) {
			o->header = v;
		} else if (o->gen && opt_value(argc, argv, &i, "--name", &v)) {
			bool ok = (v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z') ||
				  v[0] == '_';

			for (const char *c = v; *c && ok; c++)
				ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
				     (*c >= '0' && *c <= '9') || *c == '_';
			if (!ok)
				bad_opt("--name", v);
			o->name = v;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "iopgt: unknown option '%s' (see --help)\n", a);
			exit(2);
		} else if (o->input) {
			fprintf(stderr, "iopgt: more than one script given (see --help)\n");
			exit(2);
		} else {
			o->input = a;
		}
	}
	if (!o->gen && !o->base_given != !o->image) {
		fprintf(stderr, "iopgt: --image and --base go together (see --help)\n");
		exit(2);
	}
	if (o->gen && (!o->base_given || !o->out || !o->header)) {
		fprintf(stderr, "iopgt: gen needs --base, --out and --header (see --help)\n");
		exit(2);
	}
	if (o->gen && !o->verbose)
		o->quiet = true;
	/* a walker that updates the tables must snoop the caches (iopgt.h) */
	if (o->quirks & (IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS))
		o->coherent = true;
}

/* ---- configuration ------------------------------------------------------ */

static void base_cfg(const struct opts *o, struct iopgt_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->fmt = formats[o->fmt_i].fmt;
	cfg->ias = o->ias ? o->ias : formats[o->fmt_i].ias;
	cfg->oas = o->oas;
	if (!cfg->oas)
		cfg->oas = (cfg->fmt == IOPGT_FMT_ARMV7S && (o->quirks & IOPGT_QUIRK_MTK_EXT)) ?
			   35 : formats[o->fmt_i].oas;
	cfg->quirks = o->quirks;
}

/* every size that a configuration with this granule accepts */
static uint64_t probe_sizes(const struct opts *o, uint64_t granule)
{
	uint64_t all = granule;

	for (unsigned b = 1; b < 64; b++) {
		struct iopgt_cfg cfg;
		struct iopgt pt;
		struct pool pool;
		uint64_t size = granule << b;

		if (!size || size >> b != granule)
			break;
		base_cfg(o, &cfg);
		cfg.pgsizes = granule | size;
		if (pool_init(&pool, o->table_base, (uint64_t)4 << 20))
			break;
		cfg.mem = pool_mem(&pool);
		if (iopgt_init(&pt, &cfg) == IOPGT_OK) {
			all |= size;
			iopgt_fini(&pt);
		}
		pool_fini(&pool);
	}
	return all;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* the whole of @path; 0, or 2 after a message */
static int read_image(const char *path, void **data, uint64_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "iopgt: %s: %s\n", path, strerror(errno));
		return 2;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			unsigned char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				fprintf(stderr, "iopgt: out of memory\n");
				free(buf);
				fclose(f);
				return 2;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || n == 0) {
		fprintf(stderr, "iopgt: %s: %s\n", path, n ? strerror(errno) : "empty image");
		free(buf);
		fclose(f);
		return 2;
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

/*
 * The image into the table pool, laid out as gen lays tables out: the
 * root (as large as iopgt_init makes it for this configuration, probed on
 * a scratch pool) at the base, then tables of the granule's size (v7s:
 * 1 KiB) on their alignment. IOPGT_OK, or IOPGT_ERR_INVAL when the image
 * cannot hold the root.
 */
static int load_image(struct tool *t, const void *image, uint64_t len)
{
	struct iopgt_stats st;
	struct iopgt probe;
	struct pool pool;
	struct iopgt_cfg cfg = t->cfg;
	size_t root, tsize;
	int err;

	if (pool_init(&pool, t->o.table_base, (uint64_t)4 << 20))
		return IOPGT_ERR_NOMEM;
	cfg.mem = pool_mem(&pool);
	memset(&cfg.sync, 0, sizeof(cfg.sync));
	memset(&cfg.tlb, 0, sizeof(cfg.tlb));
	err = iopgt_init(&probe, &cfg);
	if (!err) {
		iopgt_get_stats(&probe, &st);
		iopgt_fini(&probe);
	}
	pool_fini(&pool);
	if (err)
		return err;
	tsize = cfg.fmt == IOPGT_FMT_ARMV7S ? 0x400 : (size_t)st.granule;
	root = (size_t)st.root_entries * (cfg.fmt == IOPGT_FMT_ARMV7S ? 4 : 8);
	if (root < 64)
		root = 64;
	if (pool_load(&t->pool, image, len, root, tsize)) {
		fprintf(stderr, "iopgt: %s: 0x%" PRIx64 " bytes cannot hold a 0x%zx-byte root at "
			"0x%" PRIx64 "\n", t->o.image, len, root, t->o.table_base);
		return IOPGT_ERR_INVAL;
	}
	return IOPGT_OK;
}

static int setup(struct tool *t)
{
	struct iopgt_sync next = { note_sync, t };
	const struct opts *o = &t->o;
	uint64_t granule = o->granule ? o->granule : 4096;
	char sizes[160], q[160];
	size_t p = 0;
	void *image = NULL;
	uint64_t image_len = 0;
	int err;

	base_cfg(o, &t->cfg);
	if (o->image && read_image(o->image, &image, &image_len))
		return 2;
	if (o->pgsizes) {
		if (o->granule && (o->pgsizes & (~o->pgsizes + 1)) != o->granule) {
			fprintf(stderr, "iopgt: --pgsizes must have the granule as its smallest size\n");
			return 2;
		}
		t->cfg.pgsizes = o->pgsizes;
	} else {
		t->cfg.pgsizes = probe_sizes(o, granule);
	}
	if (pool_init(&t->pool, o->table_base, o->table_memory + image_len)) {
		fprintf(stderr, "iopgt: cannot allocate 0x%" PRIx64 " bytes of table memory\n",
			o->table_memory);
		free(image);
		return 2;
	}
	t->pool.note = note_mem;
	t->pool.note_ctx = t;
	t->cfg.mem = pool_mem(&t->pool);
	iopgt_recorder_init(&t->rec, t->ranges, REC_RANGES, t->calls, REC_CALLS, &next);
	if (!o->coherent)
		t->cfg.sync = iopgt_recorder_sync(&t->rec);
	t->cfg.tlb = (struct iopgt_tlb){ on_flush_all, on_flush_walk, on_flush_leaf, t };

	q[0] = '\0';
	for (size_t k = 0; k < ARRAY_SIZE(quirks); k++)
		if (t->cfg.quirks & quirks[k].bit)
			p += (size_t)snprintf(q + p, sizeof(q) - p, "%s%s", p ? "," : "",
					      quirks[k].name);
	if (!o->quiet) {
		fprintf(t->out, "# %s, IAS %u, OAS %u, pgsizes %s, quirks %s\n",
			formats[o->fmt_i].name, t->cfg.ias, t->cfg.oas,
			sizes_str(t->cfg.pgsizes, sizes, sizeof(sizes)), p ? q : "none");
		fprintf(t->out, "# walker %s; table memory from 0x%" PRIx64 "\n",
			o->coherent ? "coherent (no sync callback)" :
			"not coherent (recorder backend)", o->table_base);
		if (!image)
			fprintf(t->out, "> init\n");
		else
			fprintf(t->out, "> adopt %s at 0x%" PRIx64 " (0x%" PRIx64 " bytes)\n",
				base_name(o->image), o->table_base, image_len);
	}
	begin_call(t);
	if (image) {
		err = load_image(t, image, image_len);
		free(image);
		if (!err)
			err = iopgt_adopt(&t->pt, &t->cfg, o->table_base);
	} else {
		err = iopgt_init(&t->pt, &t->cfg);
	}
	t->live = err == IOPGT_OK;
	if (!o->quiet)
		report(t, err);
	if (err) {
		fprintf(stderr, "iopgt: %s: %s (%s)\n", o->image ? "adopt" : "init",
			iopgt_strerror(err), err_name(err));
		return 2;
	}
	return 0;
}

/* ---- commands ----------------------------------------------------------- */

struct leaf_pick {
	struct iopgt_leaf leaf;
	bool found;
};

static int pick_leaf(void *ctx, const struct iopgt_leaf *leaf)
{
	struct leaf_pick *p = ctx;

	p->leaf = *leaf;
	p->found = true;
	return 1;
}

/*
 * The mapping list: one iopgt_format_leaf() line per leaf, except that a
 * run of leaves continuing each other (same size, level and protection,
 * input and output addresses consecutive) shows its first and last leaf.
 */
struct list_ctx {
	const struct tool *t;
	struct iopgt_leaf first, last;
	uint64_t n;
};

static void list_line(const struct list_ctx *c, const struct iopgt_leaf *leaf)
{
	char line[192];

	iopgt_format_leaf(&c->t->pt, leaf, line, sizeof(line));
	fprintf(c->t->out, "    %s\n", line);
}

static void list_flush(struct list_ctx *c)
{
	if (c->n == 0)
		return;
	list_line(c, &c->first);
	if (c->n > 2)
		fprintf(c->t->out, "    ... %" PRIu64 " more like these\n", c->n - 2);
	if (c->n > 1)
		list_line(c, &c->last);
	c->n = 0;
}

static int list_leaf(void *ctx, const struct iopgt_leaf *leaf)
{
	struct list_ctx *c = ctx;
	const struct iopgt_leaf *l = &c->last;

	if (c->n && leaf->m.size == l->m.size && leaf->level == l->level &&
	    leaf->entries == l->entries && leaf->m.prot == l->m.prot &&
	    leaf->m.iova == l->m.iova + l->m.size && leaf->m.pa == l->m.pa + l->m.size) {
		c->last = *leaf;
		c->n++;
		return 0;
	}
	list_flush(c);
	c->first = c->last = *leaf;
	c->n = 1;
	return 0;
}

static int cmd_lookup(struct tool *t, uint64_t iova, const char **msg)
{
	struct iopgt_mapping m;
	struct leaf_pick pick = { .found = false };
	char line[192];
	int err = iopgt_lookup(&t->pt, iova, &m);

	if (err == IOPGT_ERR_NOENT) {
		fprintf(t->out, "  0x%" PRIx64 ": %s\n", iova, iopgt_strerror(err));
		return 0;
	}
	if (err) {
		fprintf(t->out, "  result: %s (%s)\n", iopgt_strerror(err), err_name(err));
		*msg = iopgt_strerror(err);
		return 1;
	}
	fprintf(t->out, "  0x%" PRIx64 " -> 0x%" PRIx64 "\n", iova, m.pa + (iova - m.iova));
	err = iopgt_walk(&t->pt, m.iova, m.size, pick_leaf, &pick);
	if (pick.found) {
		iopgt_format_leaf(&t->pt, &pick.leaf, line, sizeof(line));
		fprintf(t->out, "  leaf %s\n", line);
	} else if (err < 0) {
		fprintf(t->out, "  walk: %s\n", iopgt_strerror(err));
	}
	return 0;
}

static int cmd_dump(struct tool *t, const char **msg)
{
	int err;

	fprintf(t->out, "  tables:\n");
	err = decode_tree(t->out, &t->pt, &t->cfg, &t->pool);
	fprintf(t->out, "  mappings:\n");
	if (!err) {
		struct list_ctx c = { .t = t, .n = 0 };

		err = iopgt_walk(&t->pt, 0, 0, list_leaf, &c);
		list_flush(&c);
		if (!err && !c.first.m.size)
			fprintf(t->out, "    (none)\n");
	}
	if (err) {
		fprintf(t->out, "  result: %s (%s)\n", iopgt_strerror(err), err_name(err));
		*msg = iopgt_strerror(err);
		return 1;
	}
	return 0;
}

static void cmd_stats(struct tool *t)
{
	struct iopgt_stats st;
	char g[32];

	if (iopgt_get_stats(&t->pt, &st))
		return;
	fprintf(t->out, "  tables %" PRIu64 ", table memory 0x%" PRIx64 " bytes\n", st.tables,
		st.table_bytes);
	fprintf(t->out, "  granule %s, %u level(s) from level %d, %u root entries\n",
		size_str(st.granule, g, sizeof(g)), st.levels, st.start_level, st.root_entries);
	fprintf(t->out, "  walker addresses used: 0x%" PRIx64 "-0x%" PRIx64 "\n", t->pool.base,
		pool_top(&t->pool) - 1);
}

static int parse_prot(char **tok, int n, uint32_t *prot, const char **bad)
{
	*prot = 0;
	for (int i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(prots); k++)
			if (strcmp(tok[i], prots[k].name) == 0)
				break;
		if (k == ARRAY_SIZE(prots)) {
			*bad = tok[i];
			return -1;
		}
		*prot |= prots[k].bit;
	}
	return 0;
}

/* PROT words joined by commas (map-sg): "read,write,cache" */
static int parse_prot_list(char *word, uint32_t *prot, const char **bad)
{
	char *w[8];
	int n = 0;

	for (char *p = word; n < 8;) {
		w[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	return parse_prot(w, n, prot, bad);
}

/* "PA:SIZE" */
static int parse_seg(char *word, struct iopgt_seg *s)
{
	char *colon = strchr(word, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	return parse_num(word, &s->pa) || parse_num(colon + 1, &s->size) ? -1 : 0;
}

/*
 * Run one line. Return 0, or 1 when it failed, with a message for stderr in
 * msg (static or in msgbuf).
 */
static int run_line(struct tool *t, char *line, char *msgbuf, size_t msglen, const char **msg)
{
	char *tok[MAX_TOK], *p, *hash;
	int ntok = 0, err;
	uint64_t a, b, c;
	bool quiet = t->o.quiet;

	p = line + strlen(line);
	while (p > line && (p[-1] == '\n' || p[-1] == '\r' || p[-1] == ' ' || p[-1] == '\t'))
		*--p = '\0';
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '#') {
		if (!quiet)
			fprintf(t->out, "%s\n", p);
		return 0;
	}
	if (!*p)
		return 0;
	if (!quiet)
		fprintf(t->out, "> %s\n", p);
	hash = strchr(p, '#');
	if (hash)
		*hash = '\0';
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (ntok == MAX_TOK) {
			*msg = "too many words";
			return 1;
		}
		tok[ntok++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (ntok == 0)
		return 0;
	err = 0;
#define ARGS(n, usage_text) \
	do { \
		if (ntok != (n)) { \
			snprintf(msgbuf, msglen, "%s: expected %s", tok[0], usage_text); \
			*msg = msgbuf; \
			err = 1; \
			goto out; \
		} \
	} while (0)
#define NUM(i, v) \
	do { \
		if (parse_num(tok[i], &(v))) { \
			snprintf(msgbuf, msglen, "%s: bad number '%s'", tok[0], tok[i]); \
			*msg = msgbuf; \
			err = 1; \
			goto out; \
		} \
	} while (0)
	if (strcmp(tok[0], "map") == 0) {
		uint32_t prot;
		const char *bad = NULL;

		if (ntok < 4) {
			snprintf(msgbuf, msglen, "map: expected IOVA PA SIZE PROT...");
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		NUM(1, a);
		NUM(2, b);
		NUM(3, c);
		if (parse_prot(tok + 4, ntok - 4, &prot, &bad)) {
			snprintf(msgbuf, msglen, "map: unknown protection '%s' (read write cache "
				 "noexec mmio priv)", bad);
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		begin_call(t);
		err = iopgt_map(&t->pt, a, b, c, prot);
		report(t, err);
		if (err) {
			snprintf(msgbuf, msglen, "map: %s", iopgt_strerror(err));
			*msg = msgbuf;
			err = 1;
		}
	} else if (strcmp(tok[0], "map-sg") == 0) {
		struct iopgt_seg segs[MAX_TOK];
		uint32_t prot;
		const char *bad = NULL;
		size_t n = 0;

		if (ntok < 4) {
			snprintf(msgbuf, msglen, "map-sg: expected IOVA PROT PA:SIZE...");
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		NUM(1, a);
		if (parse_prot_list(tok[2], &prot, &bad)) {
			snprintf(msgbuf, msglen, "map-sg: unknown protection '%s' (read write cache "
				 "noexec mmio priv, joined by commas)", bad);
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		for (int i = 3; i < ntok; i++) {
			if (parse_seg(tok[i], &segs[n++])) {
				snprintf(msgbuf, msglen, "map-sg: bad segment '%s' (PA:SIZE)", tok[i]);
				*msg = msgbuf;
				err = 1;
				goto out;
			}
		}
		begin_call(t);
		err = iopgt_map_sg(&t->pt, a, segs, n, prot);
		report(t, err);
		if (err) {
			snprintf(msgbuf, msglen, "map-sg: %s", iopgt_strerror(err));
			*msg = msgbuf;
			err = 1;
		}
	} else if (strcmp(tok[0], "unmap") == 0) {
		ARGS(3, "IOVA SIZE");
		NUM(1, a);
		NUM(2, c);
		begin_call(t);
		err = iopgt_unmap(&t->pt, a, c);
		report(t, err);
		if (err) {
			snprintf(msgbuf, msglen, "unmap: %s", iopgt_strerror(err));
			*msg = msgbuf;
			err = 1;
		}
	} else if (strcmp(tok[0], "compact") == 0) {
		ARGS(3, "IOVA SIZE");
		NUM(1, a);
		NUM(2, c);
		begin_call(t);
		err = iopgt_compact(&t->pt, a, c);
		report(t, err);
		if (err) {
			snprintf(msgbuf, msglen, "compact: %s", iopgt_strerror(err));
			*msg = msgbuf;
			err = 1;
		}
	} else if (strcmp(tok[0], "detach") == 0) {
		ARGS(1, "no arguments");
		begin_call(t);
		err = iopgt_detach(&t->pt, &a);
		if (!err) {
			t->live = false;
			t->root = a;
			t->have_root = true;
			fprintf(t->out, "  root 0x%" PRIx64 ": the tables stay as they are, the walker "
				"goes on using them\n", a);
		}
		report(t, err);
		if (err) {
			snprintf(msgbuf, msglen, "detach: %s", iopgt_strerror(err));
			*msg = msgbuf;
			err = 1;
		}
	} else if (strcmp(tok[0], "adopt") == 0) {
		if (ntok > 2) {
			snprintf(msgbuf, msglen, "adopt: expected [ROOT]");
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		if (ntok == 2) {
			NUM(1, a);
		} else if (t->have_root) {
			a = t->root;
		} else {
			snprintf(msgbuf, msglen, "adopt: no ROOT given and no detach before");
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		if (t->live) {
			snprintf(msgbuf, msglen, "adopt: the tables are still held (detach first)");
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		begin_call(t);
		err = iopgt_adopt(&t->pt, &t->cfg, a);
		t->live = err == IOPGT_OK;
		report(t, err);
		if (err) {
			snprintf(msgbuf, msglen, "adopt: %s", iopgt_strerror(err));
			*msg = msgbuf;
			err = 1;
		}
	} else if (strcmp(tok[0], "lookup") == 0) {
		ARGS(2, "IOVA");
		NUM(1, a);
		err = cmd_lookup(t, a, msg);
		if (err) {
			snprintf(msgbuf, msglen, "lookup: %s", *msg);
			*msg = msgbuf;
		}
	} else if (strcmp(tok[0], "dump") == 0) {
		ARGS(1, "no arguments");
		err = cmd_dump(t, msg);
		if (err) {
			snprintf(msgbuf, msglen, "dump: %s", *msg);
			*msg = msgbuf;
		}
	} else if (strcmp(tok[0], "dirty") == 0 || strcmp(tok[0], "young") == 0) {
		const bool young = tok[0][0] == 'y';
		uint32_t flags = 0;

		if (ntok == 4 && strcmp(tok[3], "keep") == 0) {
			flags = IOPGT_TRACK_NO_CLEAR;
			ntok = 3;
		}
		ARGS(3, "IOVA SIZE [keep]");
		NUM(1, a);
		NUM(2, c);
		begin_call(t);
		err = young ? iopgt_test_and_clear_young(&t->pt, a, c, flags, on_young, t)
			    : iopgt_read_and_clear_dirty(&t->pt, a, c, flags, on_dirty, t);
		if (!err && !t->n_ev)
			fprintf(t->out, "  nothing %s\n", young ? "young" : "dirty");
		report(t, err);
		if (err) {
			snprintf(msgbuf, msglen, "%s: %s", tok[0], iopgt_strerror(err));
			*msg = msgbuf;
			err = 1;
		}
	} else if (strcmp(tok[0], "touch") == 0) {
		ARGS(3, "IOVA read|write");
		NUM(1, a);
		if (strcmp(tok[2], "read") && strcmp(tok[2], "write")) {
			snprintf(msgbuf, msglen, "touch: expected read or write, not '%s'", tok[2]);
			*msg = msgbuf;
			err = 1;
			goto out;
		}
		err = decode_touch(t->out, &t->pt, &t->cfg, &t->pool, a, tok[2][0] == 'w', msg);
		if (err) {
			snprintf(msgbuf, msglen, "touch: %s", *msg);
			*msg = msgbuf;
		}
	} else if (strcmp(tok[0], "regs") == 0) {
		ARGS(1, "no arguments");
		decode_regs(t->out, &t->pt, &t->cfg);
	} else if (strcmp(tok[0], "stats") == 0) {
		ARGS(1, "no arguments");
		cmd_stats(t);
	} else {
		snprintf(msgbuf, msglen, "unknown command '%s' (map map-sg unmap compact detach "
			 "adopt lookup dump regs stats dirty young touch)", tok[0]);
		*msg = msgbuf;
		err = 1;
	}
#undef ARGS
#undef NUM
out:
	return err;
}

/* Run the script from @in (NULL: the built-in demo); 0 when every line succeeded. */
static int run_script(struct tool *t, FILE *in)
{
	const uint32_t hw = IOPGT_QUIRK_HW_DIRTY | IOPGT_QUIRK_HW_ACCESS;
	const char *s = (t->o.quirks & hw) == hw ? track_demo_script : demo_script;
	char line[MAX_LINE + 2], msgbuf[256];
	unsigned lineno = 0;

	for (;;) {
		const char *msg = NULL;
		int rc;

		if (in) {
			if (!fgets(line, sizeof(line), in))
				break;
			if (strlen(line) > MAX_LINE) {
				int ch;

				while ((ch = fgetc(in)) != EOF && ch != '\n')
					;
				line[0] = '\0';
				lineno++;
				msg = "line too long";
				rc = 1;
				goto failed;
			}
		} else {
			size_t n = strcspn(s, "\n");

			if (!*s)
				break;
			memcpy(line, s, n);
			line[n] = '\0';
			s += n + (s[n] == '\n');
		}
		lineno++;
		rc = run_line(t, line, msgbuf, sizeof(msgbuf), &msg);
failed:
		if (rc) {
			fflush(t->out);
			fprintf(stderr, "%u: %s\n", lineno, msg);
			t->failed++;
			if (!t->o.keep_going) {
				fprintf(stderr, "iopgt: stopped at line %u (--keep-going runs on)\n",
					lineno);
				break;
			}
		}
	}
	return t->failed ? 1 : 0;
}

/* ---- gen ---------------------------------------------------------------- */

static int write_image(struct tool *t)
{
	const struct opts *o = &t->o;
	struct iopgt_regs r;
	struct iopgt_stats st;
	uint64_t size = pool_top(&t->pool) - o->table_base, root;
	unsigned char *img;
	FILE *f;
	const char *n = o->name;

	if (!t->live) {
		fprintf(stderr, "iopgt: gen: the script let the tables go (detach): nothing written\n");
		return 2;
	}
	iopgt_get_regs(&t->pt, &r);
	iopgt_get_stats(&t->pt, &st);
	root = t->pool.n ? t->pool.slot[0].pa : 0;
	if (root != o->table_base) {
		fprintf(stderr, "iopgt: gen: --base 0x%" PRIx64 " is not aligned for the root table "
			"(0x%" PRIx64 " bytes)\n", o->table_base, (uint64_t)t->pool.slot[0].size);
		return 2;
	}
	img = calloc(1, (size_t)size);
	if (!img) {
		fprintf(stderr, "iopgt: gen: out of memory\n");
		return 2;
	}
	for (size_t i = 0; i < t->pool.n; i++) {
		const struct pool_slot *s = &t->pool.slot[i];

		if (s->live)
			memcpy(img + (s->pa - o->table_base), s->va, s->size);
	}
	f = fopen(o->out, "wb");
	if (!f || fwrite(img, 1, (size_t)size, f) != size || fclose(f)) {
		fprintf(stderr, "iopgt: gen: %s: %s\n", o->out, strerror(errno));
		free(img);
		return 2;
	}
	free(img);

	f = fopen(o->header, "w");
	if (!f) {
		fprintf(stderr, "iopgt: gen: %s: %s\n", o->header, strerror(errno));
		return 2;
	}
	fprintf(f, "/* Generated by iopgt gen; do not edit.\n"
		" * %s tables, IAS %u, OAS %u, %" PRIu64 " byte granule, walks from level %d.\n"
		" * The image holds every table at its final physical address: load it at\n"
		" * %s_BASE, root table first; unused gaps are zero (invalid descriptors).\n"
		" * Registers that do not apply to the format are 0. */\n",
		formats[o->fmt_i].name, t->cfg.ias, t->cfg.oas, st.granule, st.start_level, n);
	fprintf(f, "#ifndef %s_H\n#define %s_H\n\n", n, n);
	fprintf(f, "#ifdef __ASSEMBLER__\n#define %s_U64(x) x\n#else\n#define %s_U64(x) x##ULL\n"
		"#endif\n\n", n, n);
#define DEF(name, v) fprintf(f, "#define %s_%-12s %s_U64(0x%016" PRIx64 ")\n", n, name, n, \
			     (uint64_t)(v))
	DEF("BASE", o->table_base);
	DEF("SIZE", size);
	DEF("ROOT", root);
	DEF("TTBR", r.ttbr);
	DEF("TCR", r.tcr);
	DEF("MAIR", r.mair);
	DEF("VTTBR", r.vttbr);
	DEF("VTCR", r.vtcr);
	DEF("PRRR", r.prrr);
	DEF("NMRR", r.nmrr);
#undef DEF
	fprintf(f, "#define %s_%-12s %d /* enum iopgt_fmt */\n", n, "FMT", (int)t->cfg.fmt);
	fprintf(f, "#define %s_%-12s 0x%" PRIx32 " /* IOPGT_QUIRK_* */\n", n, "QUIRKS",
		t->cfg.quirks);
	fprintf(f, "#define %s_%-12s %u\n", n, "IAS", t->cfg.ias);
	fprintf(f, "#define %s_%-12s %u\n", n, "OAS", t->cfg.oas);
	fprintf(f, "#define %s_%-12s %" PRIu64 "\n", n, "GRANULE", st.granule);
	fprintf(f, "#define %s_%-12s %d\n", n, "START_LEVEL", st.start_level);
	fprintf(f, "#define %s_%-12s %" PRIu64 "\n", n, "TABLES", st.tables);
	fprintf(f, "\n#endif\n");
	if (fclose(f)) {
		fprintf(stderr, "iopgt: gen: %s: %s\n", o->header, strerror(errno));
		return 2;
	}
	printf("%s: %" PRIu64 " table(s), 0x%" PRIx64 " bytes at 0x%" PRIx64 "; %s: registers\n",
	       o->out, st.tables, size, o->table_base, o->header);
	return 0;
}

int main(int argc, char **argv)
{
	static struct tool t;
	FILE *in = NULL;
	int rc;

	t.out = stdout;
	parse_opts(&t.o, argc, argv);
	if (t.o.quiet) {
		/* the commands still run (and may fail); their output goes nowhere */
		t.out = fopen("/dev/null", "w");
		if (!t.out) {
			fprintf(stderr, "iopgt: /dev/null: %s\n", strerror(errno));
			return 2;
		}
	}
	if (t.o.input) {
		in = strcmp(t.o.input, "-") == 0 ? stdin : fopen(t.o.input, "r");
		if (!in) {
			fprintf(stderr, "iopgt: %s: %s\n", t.o.input, strerror(errno));
			return 2;
		}
	}
	rc = setup(&t);
	if (!rc)
		rc = run_script(&t, in);
	if (in && in != stdin)
		fclose(in);
	if (!rc && t.o.gen)
		rc = write_image(&t);
	else if (rc == 1 && t.o.gen)
		fprintf(stderr, "iopgt: gen: nothing written\n");
	if (t.live)
		iopgt_fini(&t.pt);
	pool_fini(&t.pool);
	free(t.ev);
	if (t.out != stdout)
		fclose(t.out);
	fflush(stdout);
	return rc;
}
