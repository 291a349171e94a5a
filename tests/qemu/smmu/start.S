/* SPDX-License-Identifier: MIT */
/*
 * start.S - entry point and exception vectors of the bare-metal SMMUv3
 * guest. QEMU's virt machine enters the ELF at _start at EL1 (or EL2 with
 * virtualization=on) with the MMU off. No FP/SIMD is used anywhere.
 */
	.section .text.start, "ax"
	.global _start
_start:
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	adrp	x0, vectors
	add	x0, x0, :lo12:vectors
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	1f
	msr	vbar_el2, x0
	b	2f
1:	msr	vbar_el1, x0
2:	isb

	/* zero .bss (8-byte aligned by the linker script) */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
3:	cmp	x0, x1
	b.hs	4f
	str	xzr, [x0], #8
	b	3b
4:
	bl	main
	bl	guest_exit
5:	b	5b

/*
 * Every exception is unexpected: report its vector slot and the syndrome,
 * then exit with a failure code (guest_exception does not return).
 */
	.macro	vec idx
	.balign	0x80
	mov	x0, #\idx
	b	vec_common
	.endm

	.balign	0x800
vectors:
	vec 0
	vec 1
	vec 2
	vec 3
	vec 4
	vec 5
	vec 6
	vec 7
	vec 8
	vec 9
	vec 10
	vec 11
	vec 12
	vec 13
	vec 14
	vec 15

vec_common:
	mrs	x4, CurrentEL
	cmp	x4, #(2 << 2)
	b.eq	1f
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	2f
1:	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
2:	bl	guest_exception
3:	b	3b
