/* SPDX-License-Identifier: MIT */
/*
 * rt.c - console, exit, string functions, the table memory pool and the
 * C side of exception handling for the AArch64 guests.
 */
#include "rt.h"

/* ---- string functions (the compiler may emit calls to these) --------- */

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* ---- PL011 console ---------------------------------------------------- */

#define UART_DR  (*(volatile uint32_t *)(uintptr_t)(UART_BASE + 0x00))
#define UART_FR  (*(volatile uint32_t *)(uintptr_t)(UART_BASE + 0x18))
#define FR_TXFF  (1u << 5)

static void putc_raw(char c)
{
	while (UART_FR & FR_TXFF)
		;
	UART_DR = (uint32_t)(unsigned char)c;
}

static void put_c(char c)
{
	if (c == '\n')
		putc_raw('\r');
	putc_raw(c);
}

static void put_s(const char *s)
{
	while (*s)
		put_c(*s++);
}

static void put_u(uint64_t v, unsigned base, unsigned width)
{
	char buf[24];
	unsigned n = 0;

	do {
		unsigned d = (unsigned)(v % base);

		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n < width && n < sizeof(buf))
		buf[n++] = '0';
	while (n)
		put_c(buf[--n]);
}

/* %s %c %u %d %x with an optional l; %x prints 0x-less hex */
static void vpr(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool lng = false;
		unsigned width = 0;

		if (*fmt != '%') {
			put_c(*fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		if (*fmt == 'l') {
			lng = true;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_s(va_arg(ap, const char *));
			break;
		case 'c':
			put_c((char)va_arg(ap, int));
			break;
		case 'u':
			put_u(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width);
			break;
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);

			if (v < 0) {
				put_c('-');
				v = -v;
			}
			put_u((uint64_t)v, 10, width);
			break;
		}
		case 'x':
			put_u(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width);
			break;
		case '%':
			put_c('%');
			break;
		default:
			put_c('?');
			break;
		}
	}
}

void pr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr(fmt, ap);
	va_end(ap);
}

/* ---- exit through semihosting ----------------------------------------- */

void guest_exit(unsigned code)
{
	/* SYS_EXIT (0x18) with the AArch64 parameter block
	 * { ADP_Stopped_ApplicationExit, exit code } */
	static volatile uint64_t block[2];
	register uint64_t x0 __asm__("x0") = 0x18;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	block[0] = 0x20026;
	block[1] = code;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

void die(const char *fmt, ...)
{
	va_list ap;

	put_s("SETUP ERROR: ");
	va_start(ap, fmt);
	vpr(fmt, ap);
	va_end(ap);
	put_c('\n');
	guest_exit(EXIT_SETUP);
}

/* ---- check counters --------------------------------------------------- */

struct counts g_n;

void fail(const char *fmt, ...)
{
	va_list ap;

	if (g_n.fail++ >= 24) {
		if (g_n.fail == 25)
			put_s("FAIL: (further mismatches not printed)\n");
		return;
	}
	put_s("FAIL: ");
	va_start(ap, fmt);
	vpr(fmt, ap);
	va_end(ap);
	put_c('\n');
}

void fail_exit(void)
{
	/* the line expect-check-failure.sh looks for */
	put_s("RESULT: checks failed\n");
	guest_exit(EXIT_CHECK);
}

void finish(const char *name)
{
	pr("%s: %lu AT translations, %lu real accesses, %lu faults checked; %lu mismatches\n",
	   name, g_n.at, g_n.access, g_n.fault, g_n.fail);
	if (g_n.fail || !g_n.at) {
		pr("%s: FAILED\n", name);
		fail_exit();
	}
	pr("%s: PASSED\n", name);
	guest_exit(EXIT_PASS);
}

/* ---- table memory pool ------------------------------------------------ */

#define POOL_SIZE (8u << 20)
__attribute__((section(".noinit"), aligned(65536))) static uint8_t pool[POOL_SIZE];
__attribute__((section(".noinit"), aligned(32 << 20))) uint8_t scratch[SCRATCH_SIZE];

struct freeblk {
	struct freeblk *next;
	size_t size;
};

static size_t pool_top;
static unsigned long pool_live;
static struct freeblk *free_list;

static void *pool_alloc(void *ctx, size_t size, size_t align, uint64_t *pa)
{
	struct freeblk **pp, *b;
	uint8_t *p = NULL;

	(void)ctx;
	/* reuse a freed block of the same size that is aligned well enough */
	for (pp = &free_list; (b = *pp) != NULL; pp = &b->next) {
		if (b->size == size && !((uintptr_t)b & (align - 1))) {
			*pp = b->next;
			p = (uint8_t *)b;
			break;
		}
	}
	if (!p) {
		size_t at = (pool_top + align - 1) & ~(align - 1);

		if (at + size > POOL_SIZE || size < sizeof(struct freeblk))
			return NULL;
		p = pool + at;
		pool_top = at + size;
	}
	memset(p, 0xff, size);
	pool_live += size;
	*pa = (uint64_t)(uintptr_t)p;
	return p;
}

static void pool_free(void *ctx, void *va, uint64_t pa, size_t size)
{
	struct freeblk *b = va;

	(void)ctx;
	if ((uint64_t)(uintptr_t)va != pa || (uint8_t *)va < pool ||
	    (uint8_t *)va + size > pool + POOL_SIZE)
		die("pool_free of %lx (pa %lx) outside the pool", (unsigned long)(uintptr_t)va,
		    (unsigned long)pa);
	/* poison, so that a walker still using the table sees garbage */
	memset(va, 0xff, size);
	b->size = size;
	b->next = free_list;
	free_list = b;
	pool_live -= size;
}

struct iopgt_mem pool_mem(void)
{
	struct iopgt_mem m = { pool_alloc, pool_free, NULL, NULL };

	return m;
}

unsigned long pool_in_use(void)
{
	return pool_live;
}

/* ---- exceptions -------------------------------------------------------- */

struct fault_rec g_fault;

static const char *const vec_names[4] = { "current EL SP0", "current EL SPx",
					   "lower EL AArch64", "lower EL AArch32" };
static const char *const kind_names[4] = { "sync", "IRQ", "FIQ", "SError" };

/*
 * Called from the vectors in start.S. kind: bits [3:0] the vector number
 * (group * 4 + type), bits [7:4] the EL that took it. Returns 0 to resume
 * at frame->elr, 1 when an EL1 payload finished with HVC (start.S then
 * returns from el1_call with x0 of the frame).
 */
uint64_t exc_entry(struct frame *f, uint64_t kind)
{
	unsigned vec = (unsigned)kind & 15, el = (unsigned)(kind >> 4) & 15;
	uint64_t esr, far, hpfar = 0;
	unsigned ec;

	if (el == 2) {
		esr = SYSREG_READ(esr_el2);
		far = SYSREG_READ(far_el2);
		hpfar = SYSREG_READ(hpfar_el2);
	} else {
		esr = SYSREG_READ(esr_el1);
		far = SYSREG_READ(far_el1);
	}
	ec = (unsigned)(esr >> 26) & 0x3f;
	if ((vec & 3) == 0) {
		bool own = (vec >> 2) == 1, low = (vec >> 2) == 2;

		if (low && el == 2 && ec == EC_HVC64)
			return 1;
		if (g_fault.armed && ((own && (ec == EC_DABT_CUR || ec == EC_IABT_CUR)) ||
				      (low && (ec == EC_DABT_LOW || ec == EC_IABT_LOW)))) {
			g_fault.esr = esr;
			g_fault.far = far;
			g_fault.hpfar = hpfar;
			g_fault.armed = 0;
			g_fault.taken = 1;
			if (ec == EC_DABT_CUR || ec == EC_DABT_LOW)
				f->elr += 4;
			else
				f->elr = f->x[30];
			return 0;
		}
	}
	pr("unexpected exception at EL%u: %s %s, ESR %lx FAR %lx ELR %lx HPFAR %lx\n", el,
	   vec_names[vec >> 2], kind_names[vec & 3], (unsigned long)esr, (unsigned long)far,
	   (unsigned long)f->elr, (unsigned long)hpfar);
	guest_exit(EXIT_SETUP);
}

/* ---- probes ------------------------------------------------------------ */

bool probe_load(uint64_t va, uint64_t *val, uint64_t *esr)
{
	uint64_t v = 0;

	g_fault.taken = 0;
	g_fault.armed = 1;
	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
	g_fault.armed = 0;
	*val = v;
	*esr = g_fault.esr;
	return !g_fault.taken;
}

bool probe_store(uint64_t va, uint64_t val, uint64_t *esr)
{
	g_fault.taken = 0;
	g_fault.armed = 1;
	__asm__ volatile("str %0, [%1]" :: "r"(val), "r"(va) : "memory");
	g_fault.armed = 0;
	*esr = g_fault.esr;
	return !g_fault.taken;
}

/* runs at EL1: one access, no other memory touched but @op */
static uint64_t el1_access(uint64_t arg)
{
	struct el1_op *op = (struct el1_op *)(uintptr_t)arg;
	uint64_t v = 0;

	if (op->kind == EL1_STORE) {
		__asm__ volatile("str %0, [%1]" :: "r"(op->val), "r"(op->addr) : "memory");
	} else if (op->kind == EL1_LOAD) {
		__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(op->addr) : "memory");
	} else {
		/* op->addr holds RET; an instruction abort returns to x30 too */
		register uint64_t target __asm__("x9") = op->addr;

		__asm__ volatile("blr %0" :: "r"(target) : "x30", "memory");
	}
	return v;
}

__attribute__((aligned(16))) static uint8_t el1_stack[16384];

bool el1_probe(struct el1_op *op, uint64_t *esr, uint64_t *hpfar)
{
	uint64_t v;

	g_fault.taken = 0;
	g_fault.armed = 1;
	v = el1_call(el1_access, (uint64_t)(uintptr_t)op, el1_stack + sizeof(el1_stack));
	g_fault.armed = 0;
	if (op->kind == EL1_LOAD)
		op->val = v;
	*esr = g_fault.esr;
	*hpfar = g_fault.hpfar;
	return !g_fault.taken;
}
