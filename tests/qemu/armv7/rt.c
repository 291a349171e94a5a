/* SPDX-License-Identifier: MIT */
/*
 * rt.c - the runtime of the ARMv7-A QEMU guests (see rt.h).
 */
#include "rt.h"

volatile struct rt_abort rt_abort;
volatile uint32_t rt_expect_abort;
volatile uint32_t rt_boot_mode = 0xff; /* written before .bss is cleared */
struct rt_counts rt_counts;
struct rt_tlb_counts rt_tlb_counts;

/* --- PL011 UART of the virt board ------------------------------------------ */
#define UART_BASE 0x09000000u
#define UART_DR   (*(volatile uint32_t *)(UART_BASE + 0x00))
#define UART_FR   (*(volatile uint32_t *)(UART_BASE + 0x18))
#define UART_FR_TXFF (1u << 5)

static void uart_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	while (UART_FR & UART_FR_TXFF)
		;
	UART_DR = (uint8_t)c;
}

static void put_str(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

static void put_hex(uint64_t v, int width)
{
	char buf[17];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v && n < 16);
	while (n < width && n < 16)
		buf[n++] = '0';
	while (n)
		uart_putc(buf[--n]);
}

static void put_dec(uint32_t v)
{
	char buf[11];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		uart_putc(buf[--n]);
}

/* %s %c %u %d %x %08x %llx %016llx %p, nothing else */
void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int width = 0, ll = 0;

		if (*fmt != '%') {
			uart_putc(*fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			ll++;
			fmt++;
		}
		switch (*fmt) {
		case 's': put_str(va_arg(ap, const char *)); break;
		case 'c': uart_putc((char)va_arg(ap, int)); break;
		case 'u': put_dec(va_arg(ap, unsigned)); break;
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0) {
				uart_putc('-');
				put_dec(0u - (unsigned)v);
			} else {
				put_dec((unsigned)v);
			}
			break;
		}
		case 'x':
			put_hex(ll >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), width);
			break;
		case 'p': put_str("0x"); put_hex((uintptr_t)va_arg(ap, void *), 8); break;
		case '%': uart_putc('%'); break;
		default: uart_putc('?'); break;
		}
		if (!*fmt)
			break;
	}
	va_end(ap);
}

/* --- semihosting ------------------------------------------------------------- */
#define SYS_GET_CMDLINE    0x15
#define SYS_EXIT_EXTENDED  0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

void rt_exit(int code)
{
	uint32_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code };

	rt_semihost(SYS_EXIT_EXTENDED, block);
	for (;;)
		;
}

static char cmdline[256];
static bool cmdline_read;

const char *rt_cmdline(void)
{
	if (!cmdline_read) {
		uint32_t block[2] = { (uint32_t)(uintptr_t)cmdline, sizeof(cmdline) - 1 };

		cmdline_read = true;
		if (rt_semihost(SYS_GET_CMDLINE, block) != 0)
			cmdline[0] = 0;
	}
	return cmdline;
}

bool rt_has_arg(const char *word)
{
	const char *p = rt_cmdline();

	while (*p) {
		const char *w = word, *q = p;

		while (*w && *q == *w) {
			w++;
			q++;
		}
		if (!*w && (*q == 0 || *q == ' ') && (p == rt_cmdline() || p[-1] == ' '))
			return true;
		p++;
	}
	return false;
}

void rt_fatal_exception(unsigned kind, uint32_t pc);
void rt_fatal_exception(unsigned kind, uint32_t pc)
{
	static const char *const names[] = { "reset", "undefined instruction", "svc",
		"prefetch abort", "data abort", "unused vector", "irq", "fiq",
		"hyp exception", "hyp trap" };

	rt_printf("FAIL: unexpected %s at pc 0x%08x (fsr 0x%08x far 0x%08x)\n",
		  kind < 10 ? names[kind] : "exception", pc, rt_abort.fsr, rt_abort.far);
	rt_exit(2);
}

/* --- memory --------------------------------------------------------------- */
void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	if (dp < sp) {
		while (n--)
			*dp++ = *sp++;
	} else {
		while (n--)
			dp[n] = sp[n];
	}
	return d;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *dp = d;

	while (n--)
		*dp++ = (uint8_t)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *ap = a, *bp = b;

	for (; n; n--, ap++, bp++)
		if (*ap != *bp)
			return *ap < *bp ? -1 : 1;
	return 0;
}

/*
 * The pool: a bump allocator (frees are counted, not reused: the guests map
 * and unmap a few dozen times). 0xa5a5a5a5 is a page-table descriptor in
 * v7s and a valid block descriptor in the long-descriptor format, so a
 * table the library failed to initialise would be walked, not skipped.
 */
#define POOL_SIZE (2u << 20)
static uint8_t pool[POOL_SIZE] __attribute__((aligned(16384)));
static uint32_t pool_used;
static struct rt_pool_stats pool_st;

static void *pool_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	uintptr_t base = (uintptr_t)pool;
	uint32_t off = (uint32_t)(((base + pool_used + align - 1) & ~(uintptr_t)(align - 1)) - base);
	uint32_t *w;

	(void)ctx;
	if (off > POOL_SIZE || size > POOL_SIZE - off)
		return NULL;
	pool_used = off + (uint32_t)size;
	w = (uint32_t *)(void *)(pool + off);
	for (size_t i = 0; i < size / 4; i++)
		w[i] = 0xa5a5a5a5u;
	pool_st.allocs++;
	pool_st.bytes_live += (uint32_t)size;
	*pa = (uintptr_t)(pool + off);
	return pool + off;
}

static void pool_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	(void)ctx;
	if ((uintptr_t)va != pa || (uint8_t *)va < pool || (uint8_t *)va >= pool + POOL_SIZE) {
		rt_printf("FAIL: free of %p not from the pool\n", va);
		rt_counts.failures++;
	}
	pool_st.frees++;
	pool_st.bytes_live -= (uint32_t)size;
}

struct iopgt_mem rt_pool_mem(void)
{
	struct iopgt_mem m = { pool_alloc, pool_free, NULL, NULL };
	return m;
}

struct rt_pool_stats rt_pool_stats(void)
{
	return pool_st;
}

/* --- checks ---------------------------------------------------------------- */
void rt_check(bool ok, const char *what, uint32_t a, uint32_t b)
{
	if (ok)
		return;
	rt_counts.failures++;
	rt_printf("FAIL: %s (0x%08x, 0x%08x)\n", what, a, b);
}

void rt_check_ok(int err, const char *what)
{
	if (err == IOPGT_OK)
		return;
	rt_counts.failures++;
	rt_printf("FAIL: %s: %s\n", what, iopgt_strerror(err));
}

/* --- TLB hooks ------------------------------------------------------------------ */
static void tlb_all(void *ctx)
{
	(void)ctx;
	dsb();
	wr_tlbiall(0);
	dsb();
	isb();
	rt_tlb_counts.all++;
	rt_tlb_counts.ops++;
}

static void tlb_range(uint64_t iova, uint64_t size, size_t granule)
{
	dsb();
	if (size > (uint64_t)granule * 512) {
		wr_tlbiall(0);
		rt_tlb_counts.ops++;
	} else {
		/* TLBIMVA: MVA[31:12] and the ASID (0) in [7:0] (B4.2, "TLB maintenance operations") */
		for (uint64_t a = iova; a < iova + size; a += granule) {
			wr_tlbimva((uint32_t)a & 0xfffff000u);
			rt_tlb_counts.ops++;
		}
	}
	dsb();
	isb();
}

static void tlb_walk(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	rt_tlb_counts.walk++;
	tlb_range(iova, size, granule);
}

static void tlb_leaf(void *ctx, uint64_t iova, uint64_t size, size_t granule)
{
	(void)ctx;
	rt_tlb_counts.leaf++;
	tlb_range(iova, size, granule);
}

struct iopgt_tlb rt_tlb(void)
{
	struct iopgt_tlb t = { tlb_all, tlb_walk, tlb_leaf, NULL };
	return t;
}

/* --- real accesses ---------------------------------------------------------- */
bool access(enum acc a, uint32_t va, uint32_t *v)
{
	uint32_t n = rt_abort.ndabt;

	rt_expect_abort = 1;
	switch (a) {
	case LDR:  *v = probe_ldr(va); break;
	case STR:  probe_str(va, *v); break;
	case LDRT: *v = probe_ldrt(va); break;
	case STRT: probe_strt(va, *v); break;
	}
	rt_expect_abort = 0;
	rt_counts.accesses++;
	return rt_abort.ndabt == n;
}

uint32_t pattern(uint32_t va, uint32_t salt)
{
	return (va * 2654435761u) ^ salt;
}

/* --- instruction fetch ------------------------------------------------------- */
bool exec_at(uint32_t va, uint32_t *ifsr)
{
	uint32_t n = rt_abort.npabt, r;

	rt_expect_abort = 1;
	r = probe_exec(va);
	rt_expect_abort = 0;
	*ifsr = rt_abort.fsr;
	rt_counts.accesses++;
	return rt_abort.npabt == n && r == 0x5a;
}

void put_code(uint64_t pa)
{
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)pa;

	p[0] = 0xe3a0005au; /* mov r0, #0x5a */
	p[1] = 0xe12fff1eu; /* bx lr */
	/* clean to the point of unification, then invalidate the I-cache */
	__asm__ volatile("mcr p15, 0, %0, c7, c11, 1" : : "r"((uint32_t)pa) : "memory");
	dsb();
	wr_iciallu(0);
	wr_bpiall(0);
	dsb();
	isb();
}

