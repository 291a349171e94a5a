/* SPDX-License-Identifier: MIT */
/*
 * rt.c - the guest's run-time: the mem* functions the compiler may call,
 * the PL011 console, semihosting exit, the unexpected-exception report.
 */
#include <stdarg.h>

#include "guest.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

/* PL011 (Arm DDI 0183): UARTDR at 0x000, UARTFR at 0x018, TXFF bit 5 */
static void con_putc(char c)
{
	while (r32(VIRT_UART_BASE + 0x18) & (1u << 5))
		;
	w32(VIRT_UART_BASE, (uint32_t)(unsigned char)c);
}

void con_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			con_putc('\r');
		con_putc(*s);
	}
}

void con_hex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	con_puts(buf + i);
}

void con_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	con_puts(buf + i);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;
	char one[2] = { 0, 0 };

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			one[0] = *fmt;
			con_puts(one);
			continue;
		}
		switch (*++fmt) {
		case 's': con_puts(va_arg(ap, const char *)); break;
		case 'x': con_hex(va_arg(ap, uint64_t)); break;
		case 'd': con_dec(va_arg(ap, uint64_t)); break;
		default: one[0] = *fmt; con_puts(one); break;
		}
	}
	va_end(ap);
}

/*
 * Semihosting SYS_EXIT (0x18) on AArch64: x1 points to a block of two
 * doublewords, ADP_Stopped_ApplicationExit (0x20026) and the exit code
 * (Arm "Semihosting for AArch32 and AArch64", SYS_EXIT). QEMU needs
 * -semihosting and then exits with that code.
 */
void guest_exit(int code)
{
	static volatile uint64_t block[2];
	register uint64_t x0 __asm__("x0") = 0x18;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	block[0] = 0x20026;
	block[1] = (uint64_t)(unsigned)code;
	__asm__ volatile("hlt #0xf000" : : "r"(x0), "r"(x1) : "memory");
	for (;;)
		;
}

void guest_exception(uint64_t slot, uint64_t esr, uint64_t elr, uint64_t far)
{
	con_printf("FAIL: unexpected exception: vector slot %d ESR %x ELR %x FAR %x\n",
		   slot, esr, elr, far);
	guest_exit(EXIT_EXCEPTION);
}
