/* SPDX-License-Identifier: MIT */
/*
 * start.S - entry, exception vectors and the EL2 -> EL1 call of the AArch64
 * guests. QEMU enters at _start at EL1 (-M virt) or EL2
 * (-M virt,virtualization=on) with the MMU off.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	ldr	x0, =__stack_top
	mov	sp, x0
	/* zero .bss */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	adr	x0, vectors_el1
	msr	vbar_el1, x0
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	cmp	x0, #2
	b.ne	3f
	adr	x0, vectors_el2
	msr	vbar_el2, x0
3:	isb
	bl	guest_main
	mov	x0, #99
	bl	guest_exit
4:	b	4b

/*
 * One vector: save x0..x30, ELR and SPSR of \el in a struct frame on the
 * stack, call exc_entry(frame, \el << 4 | \num). A return value of 1 (only
 * for an HVC from EL1 into EL2) ends el1_call; otherwise restore and ERET.
 */
	.macro	vec el, num
	.balign	0x80
	sub	sp, sp, #(34 * 8)
	stp	x0, x1, [sp, #0]
	mov	x1, #((\el << 4) | \num)
	b	vec_common_el\el
	.endm

	.macro	vec_common el
vec_common_el\el:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el\el
	mrs	x3, spsr_el\el
	stp	x30, x2, [sp, #240]
	str	x3, [sp, #256]
	mov	x0, sp
	bl	exc_entry
	cbnz	x0, el1_done_el\el
	ldp	x30, x2, [sp, #240]
	ldr	x3, [sp, #256]
	msr	elr_el\el, x2
	msr	spsr_el\el, x3
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #(34 * 8)
	eret
	.endm

	.text
	.balign	2048
vectors_el1:
	vec 1, 0
	vec 1, 1
	vec 1, 2
	vec 1, 3
	vec 1, 4
	vec 1, 5
	vec 1, 6
	vec 1, 7
	vec 1, 8
	vec 1, 9
	vec 1, 10
	vec 1, 11
	vec 1, 12
	vec 1, 13
	vec 1, 14
	vec 1, 15

	.balign	2048
vectors_el2:
	vec 2, 0
	vec 2, 1
	vec 2, 2
	vec 2, 3
	vec 2, 4
	vec 2, 5
	vec 2, 6
	vec 2, 7
	vec 2, 8
	vec 2, 9
	vec 2, 10
	vec 2, 11
	vec 2, 12
	vec 2, 13
	vec 2, 14
	vec 2, 15

	vec_common 1
	vec_common 2

/* EL1 never ends an el1_call: a return value of 1 there is a bug */
el1_done_el1:
	mov	x0, #99
	bl	guest_exit

/*
 * uint64_t el1_call(uint64_t (*fn)(uint64_t), uint64_t arg, void *stack)
 * Saves the callee-saved registers on the EL2 stack, enters EL1h with DAIF
 * masked at el1_entry, which runs fn(arg) and issues HVC #0; the EL2 vector
 * then lands in el1_done_el2 with the frame's x0 as the result.
 */
	.global	el1_call
el1_call:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x3, sp
	adr	x4, el2_saved_sp
	str	x3, [x4]
	msr	sp_el1, x2
	adr	x3, el1_entry
	msr	elr_el2, x3
	mov	x3, #0x3c5		/* SPSR: D, A, I, F masked; M = EL1h */
	msr	spsr_el2, x3
	isb
	eret

el1_entry:
	mov	x2, x0
	mov	x0, x1
	blr	x2
	hvc	#0
5:	b	5b

el1_done_el2:
	ldr	x0, [sp, #0]		/* frame x0: fn's result */
	adr	x4, el2_saved_sp
	ldr	x3, [x4]
	mov	sp, x3
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

	.data
	.balign	8
el2_saved_sp:
	.quad	0
