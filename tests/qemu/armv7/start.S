/* SPDX-License-Identifier: MIT */
/*
 * start.S - entry, exception vectors and access probes of the bare-metal
 * ARMv7-A guests (ARM state).
 *
 * QEMU's -kernel loads the ELF and starts at _start in SVC mode (or in Hyp
 * mode with -M virt,virtualization=on). The data and prefetch abort
 * handlers record the fault status and address registers (ARMv7-A/R ARM
 * DDI0406C, B4.1: DFSR, IFSR, DFAR, IFAR) in
 * rt_abort; when a probe expects an abort (rt_expect_abort != 0) the
 * handler resumes after the faulting instruction, otherwise it reports the
 * abort and ends the run with a failure.
 */
	.syntax unified
	.arch_extension virt	/* ELR_hyp, ERET: Virtualization Extensions */
	.arm

#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_HYP 0x1a

	.section .text.start, "ax"
	.global _start
_start:
	cpsid	aif
	mrs	r4, cpsr
	and	r4, r4, #0x1f
	ldr	r0, =rt_boot_mode
	/* stores before the stacks: the guest's data is identity-mapped RAM */
	str	r4, [r0]
	cmp	r4, #MODE_HYP
	bne	1f
	/* Hyp mode: its own stack and vectors (HVBAR), then on
	 * to SVC mode, from where rt_hyp_call() comes back here */
	ldr	sp, =hyp_stack_top
	ldr	r0, =rt_hyp_vectors
	mcr	p15, 4, r0, c12, c0, 0
	mrc	p15, 4, r0, c1, c0, 0
	orr	r0, r0, #(1 << 1)	/* HSCTLR.A = 1, as SCTLR.A below */
	mcr	p15, 4, r0, c1, c0, 0
	mov	r0, #0
	mcr	p15, 4, r0, c1, c1, 0	/* HCR = 0 for now */
	isb
	mov	r0, #(0x1c0 | MODE_SVC)	/* A, I, F masked */
	msr	spsr_cxsf, r0		/* SPSR_hyp: own mode, no banked form */
	adr	r0, 1f
	msr	elr_hyp, r0
	eret
1:
	cps	#MODE_ABT
	ldr	sp, =abt_stack_top
	cps	#MODE_UND
	ldr	sp, =und_stack_top
	cps	#MODE_SVC
	ldr	sp, =svc_stack_top
	ldr	r0, =rt_vectors
	mcr	p15, 0, r0, c12, c0, 0	/* VBAR */
	/*
	 * SCTLR.V = 0: vectors at VBAR. SCTLR.A = 1: alignment checks on every
	 * access (B3.12, "Alignment faults"), so that an unaligned access by the guest or the
	 * library faults in QEMU as it would on hardware with the MMU off,
	 * where all memory is Strongly-ordered.
	 */
	mrc	p15, 0, r0, c1, c0, 0
	bic	r0, r0, #(1 << 13)
	orr	r0, r0, #(1 << 1)
	mcr	p15, 0, r0, c1, c0, 0
	isb
	/* clear .bss */
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
3:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	3b
	bl	main
	bl	rt_exit
4:	b	4b

	.balign	32
	.global	rt_vectors
rt_vectors:
	b	vec_reset
	b	vec_und
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	vec_unused
	b	vec_irq
	b	vec_fiq

vec_reset:
	mov	r0, #0
	b	vec_fatal
vec_und:
	mov	r0, #1
	b	vec_fatal
vec_svc:
	mov	r0, #2
	b	vec_fatal
vec_unused:
	mov	r0, #5
	b	vec_fatal
vec_irq:
	mov	r0, #6
	b	vec_fatal
vec_fiq:
	mov	r0, #7
	b	vec_fatal
vec_fatal:
	/* r0 kind, r1 exception return address */
	mov	r1, lr
	ldr	sp, =und_stack_top
	bl	rt_fatal_exception
5:	b	5b

vec_dabt:
	push	{r0-r3}
	ldr	r2, =rt_abort
	mrc	p15, 0, r0, c5, c0, 0	/* DFSR */
	mrc	p15, 0, r1, c6, c0, 0	/* DFAR */
	str	r0, [r2, #0]
	str	r1, [r2, #4]
	sub	r0, lr, #8		/* the faulting instruction */
	str	r0, [r2, #12]
	ldr	r0, [r2, #16]		/* data aborts taken */
	add	r0, r0, #1
	str	r0, [r2, #16]
	ldr	r0, =rt_expect_abort
	ldr	r0, [r0]
	cmp	r0, #0
	beq	6f
	pop	{r0-r3}
	subs	pc, lr, #4		/* resume after the faulting instruction */
6:	mov	r0, #4
	sub	r1, lr, #8
	bl	rt_fatal_exception
7:	b	7b

vec_pabt:
	push	{r0-r3}
	ldr	r2, =rt_abort
	mrc	p15, 0, r0, c5, c0, 1	/* IFSR */
	mrc	p15, 0, r1, c6, c0, 2	/* IFAR */
	str	r0, [r2, #0]
	str	r1, [r2, #4]
	sub	r0, lr, #4
	str	r0, [r2, #12]
	ldr	r0, [r2, #20]		/* prefetch aborts taken */
	add	r0, r0, #1
	str	r0, [r2, #20]
	ldr	r0, =rt_expect_abort
	ldr	r0, [r0]
	cmp	r0, #0
	beq	8f
	pop	{r0-r3}
	ldr	lr, =probe_exec_faulted
	movs	pc, lr			/* back to SVC mode, into probe_exec */
8:	mov	r0, #3
	sub	r1, lr, #4
	bl	rt_fatal_exception
9:	b	9b

/* Hyp vectors (B1.8.1): only the Hyp trap entry (offset 0x14) is used */
	.balign	32
	.global	rt_hyp_vectors
rt_hyp_vectors:
	b	hvec_fatal
	b	hvec_fatal
	b	hvec_fatal
	b	hvec_fatal
	b	hvec_fatal
	b	hvec_trap
	b	hvec_fatal
	b	hvec_fatal
hvec_fatal:
	/* an exception taken in Hyp mode itself: HSR and HDFAR tell more */
	ldr	r2, =rt_abort
	mrc	p15, 4, r0, c5, c2, 0
	str	r0, [r2, #0]
	mrc	p15, 4, r0, c6, c0, 0
	str	r0, [r2, #4]
	mov	r0, #8
	mrs	r1, elr_hyp
	bl	rt_fatal_exception
10:	b	10b
hvec_trap:
	push	{r12, lr}
	mrc	p15, 4, r12, c5, c2, 0	/* HSR */
	lsr	r12, r12, #26		/* EC */
	cmp	r12, #0x12		/* HVC: rt_hyp_call(fn, a, b, c) */
	bne	13f
	mov	r12, r0
	mov	r0, r1
	mov	r1, r2
	mov	r2, r3
	blx	r12
	pop	{r12, lr}
	eret
13:
	/* aborts taken to Hyp mode (stage 2): HSR, HDFAR or HIFAR, HPFAR
	 * (B4.1) */
	push	{r0-r3}
	ldr	r2, =rt_abort
	mrc	p15, 4, r0, c5, c2, 0
	str	r0, [r2, #0]
	lsr	r3, r0, #26
	cmp	r3, #0x20		/* prefetch abort from a lower mode */
	mrceq	p15, 4, r1, c6, c0, 2	/* HIFAR */
	mrcne	p15, 4, r1, c6, c0, 0	/* HDFAR */
	str	r1, [r2, #4]
	mrc	p15, 4, r1, c6, c0, 4	/* HPFAR */
	str	r1, [r2, #8]
	mrs	r1, elr_hyp
	str	r1, [r2, #12]
	ldr	r1, =rt_expect_abort
	ldr	r1, [r1]
	cmp	r1, #0
	beq	15f
	cmp	r3, #0x24		/* data abort from a lower mode */
	bne	14f
	ldr	r1, [r2, #16]
	add	r1, r1, #1
	str	r1, [r2, #16]
	mrs	r1, elr_hyp
	add	r1, r1, #4		/* resume after the faulting instruction */
	msr	elr_hyp, r1
	pop	{r0-r3}
	pop	{r12, lr}
	eret
14:	cmp	r3, #0x20
	bne	15f
	ldr	r1, [r2, #20]
	add	r1, r1, #1
	str	r1, [r2, #20]
	ldr	r1, =probe_exec_faulted	/* back into probe_exec, in SVC mode */
	msr	elr_hyp, r1
	pop	{r0-r3}
	pop	{r12, lr}
	eret
15:	mov	r0, #9
	mrs	r1, elr_hyp
	bl	rt_fatal_exception
16:	b	16b

/* rt_hyp_call(fn, a, b, c): fn(a, b, c) in Hyp mode, from SVC mode */
	.global	rt_hyp_call
rt_hyp_call:
	hvc	#0
	bx	lr

/*
 * Probes: one access each; a faulting access leaves r0 as 0 and resumes
 * after it (see vec_dabt). The T variants are unprivileged accesses made
 * from PL1 (LDRT/STRT, A8.8.x), checked against the user permissions.
 */
	.text
	.global	probe_ldr
probe_ldr:
	mov	r1, r0
	mov	r0, #0
	ldr	r0, [r1]
	bx	lr

	.global	probe_str
probe_str:
	str	r1, [r0]
	bx	lr

	.global	probe_ldrt
probe_ldrt:
	mov	r1, r0
	mov	r0, #0
	ldrt	r0, [r1]
	bx	lr

	.global	probe_strt
probe_strt:
	strt	r1, [r0]
	bx	lr

/* call the code at r0 (it returns a value with bx lr); a prefetch abort
 * comes back through probe_exec_faulted with 0 */
	.global	probe_exec
probe_exec:
	push	{r4, lr}
	blx	r0
	pop	{r4, pc}
	.global	probe_exec_faulted
probe_exec_faulted:
	mov	r0, #0
	pop	{r4, pc}

/*
 * rt_mmu_load(const struct rt_mmu_regs *r): load a translation regime with
 * the MMU off, so that no fetch is translated by a half-written one
 * (changing TTBCR.EAE changes the meaning of TTBR0; B3.15, "Synchronization
 * of changes of system control registers"). Every value is in a register
 * before SCTLR.M is cleared: no memory access happens in between.
 * struct rt_mmu_regs { u32 ttbcr, ttbr0_lo, ttbr0_hi, prrr_mair0, nmrr_mair1, dacr, sctlr }
 */
	.global	rt_mmu_load
rt_mmu_load:
	push	{r4-r8, lr}
	ldm	r0, {r1-r7}
	mrc	p15, 0, r8, c1, c0, 0
	bic	r8, r8, #1
	mcr	p15, 0, r8, c1, c0, 0	/* SCTLR.M = 0 */
	isb
	mcr	p15, 0, r1, c2, c0, 2	/* TTBCR */
	isb
	mcrr	p15, 0, r2, r3, c2	/* TTBR0, 64 bits */
	mov	r8, #0
	mcrr	p15, 1, r8, r8, c2	/* TTBR1 = 0 */
	mcr	p15, 0, r4, c10, c2, 0	/* PRRR / MAIR0 */
	mcr	p15, 0, r5, c10, c2, 1	/* NMRR / MAIR1 */
	mcr	p15, 0, r6, c3, c0, 0	/* DACR */
	mcr	p15, 0, r8, c13, c0, 1	/* CONTEXTIDR: ASID 0 */
	isb
	mcr	p15, 0, r8, c8, c7, 0	/* TLBIALL */
	mcr	p15, 0, r8, c7, c5, 0	/* ICIALLU */
	dsb
	isb
	mcr	p15, 0, r7, c1, c0, 0	/* SCTLR */
	isb
	pop	{r4-r8, pc}

/* semihosting call (ARM state, SVC 0x123456): r0 operation, r1 block */
	.global	rt_semihost
rt_semihost:
	svc	0x123456
	bx	lr

	.section .bss
	.balign	8
	.space	4096
abt_stack_top:
	.space	4096
und_stack_top:
	.space	4096
hyp_stack_top:
	.space	16384
svc_stack_top:
