/* SPDX-License-Identifier: MIT */
/*
 * smmuv3.c - a minimal SMMUv3 driver: a linear stream table, one stage-1
 * STE and CD per stream, the command queue (configuration and TLB
 * invalidation, CMD_SYNC) and the event queue. References are to the Arm
 * System Memory Management Unit Architecture Specification, SMMU
 * architecture version 3 (Arm IHI 0070): chapter 3 (operation, the
 * queues), 4 (commands), 5 (data structure formats), 6 (registers),
 * 7 (events). Register and field names are the specification's.
 */
#include "guest.h"

/* Register offsets: IHI 0070 chapter 6, "Memory map and registers" */
#define SMMU_IDR0            0x0000
#define SMMU_IDR1            0x0004
#define SMMU_IDR5            0x0014
#define SMMU_CR0             0x0020
#define SMMU_CR0ACK          0x0024
#define SMMU_CR1             0x0028
#define SMMU_CR2             0x002c
#define SMMU_GBPA            0x0044
#define SMMU_IRQ_CTRL        0x0050
#define SMMU_GERROR          0x0060
#define SMMU_GERRORN         0x0064
#define SMMU_STRTAB_BASE     0x0080
#define SMMU_STRTAB_BASE_CFG 0x0088
#define SMMU_CMDQ_BASE       0x0090
#define SMMU_CMDQ_PROD       0x0098
#define SMMU_CMDQ_CONS       0x009c
#define SMMU_EVENTQ_BASE     0x00a0
#define SMMU_EVENTQ_PROD     0x100a8 /* register page 1 */
#define SMMU_EVENTQ_CONS     0x100ac

/* SMMU_CR0: SMMUEN bit 0, EVENTQEN bit 2, CMDQEN bit 3 */
#define CR0_SMMUEN  (1u << 0)
#define CR0_EVTQEN  (1u << 2)
#define CR0_CMDQEN  (1u << 3)
/* SMMU_GBPA: Update bit 31, ABORT bit 20 */
#define GBPA_UPDATE (1u << 31)
#define GBPA_ABORT  (1u << 20)
/* SMMU_GERROR: CMDQ_ERR bit 0 */
#define GERROR_CMDQ_ERR 1u

/* Stream table: 2^STRTAB_LOG2 64-byte STEs, linear (STRTAB_BASE_CFG.FMT 0) */
#define STRTAB_LOG2 8
#define CMDQ_LOG2   8 /* 16-byte commands */
#define EVTQ_LOG2   7 /* 32-byte event records */

/*
 * Queue base registers (SMMU_CMDQ_BASE, SMMU_EVENTQ_BASE):
 * ADDR [51:5] (the queue aligned to its size), LOG2SIZE [4:0], RA/WA bit 62.
 * PROD and CONS hold an index of LOG2SIZE bits and the wrap bit above it
 * (IHI 0070 3.5, "Command and Event queues").
 */
#define QADDR_MASK 0x000fffffffffffe0ull

static uint64_t strtab[(1u << STRTAB_LOG2) * 8] __attribute__((aligned(1u << (STRTAB_LOG2 + 6))));
static uint64_t cd_mem[8] __attribute__((aligned(64)));
static uint64_t cmdq[(1u << CMDQ_LOG2) * 2] __attribute__((aligned(16u << CMDQ_LOG2)));
static uint32_t evtq[(1u << EVTQ_LOG2) * 8] __attribute__((aligned(32u << EVTQ_LOG2)));

static uint64_t smmu;
static uint32_t cmdq_prod, evtq_cons;
static uint64_t n_commands;

static uint32_t qinc(uint32_t v, unsigned log2)
{
	return (v + 1) & ((2u << log2) - 1);
}

static bool wait_ack(uint32_t cr0)
{
	w32(smmu + SMMU_CR0, cr0);
	for (unsigned i = 0; i < 1000000; i++)
		if (r32(smmu + SMMU_CR0ACK) == cr0)
			return true;
	con_printf("FAIL: SMMU_CR0ACK never reached %x\n", (uint64_t)cr0);
	return false;
}

/* queue full: same index, different wrap bit */
static bool cmdq_full(uint32_t prod, uint32_t cons)
{
	return (prod ^ cons) == (1u << CMDQ_LOG2);
}

static bool cmd_push(uint64_t w0, uint64_t w1)
{
	unsigned spin = 0;

	while (cmdq_full(cmdq_prod, r32(smmu + SMMU_CMDQ_CONS) & ((2u << CMDQ_LOG2) - 1))) {
		if (++spin > 1000000) {
			con_puts("FAIL: command queue stays full\n");
			return false;
		}
	}
	uint32_t idx = cmdq_prod & ((1u << CMDQ_LOG2) - 1);

	cmdq[idx * 2] = w0;
	cmdq[idx * 2 + 1] = w1;
	cmdq_prod = qinc(cmdq_prod, CMDQ_LOG2);
	dsb_sy(); /* the command is in memory before PROD moves */
	w32(smmu + SMMU_CMDQ_PROD, cmdq_prod);
	n_commands++;
	return true;
}

/*
 * CMD_SYNC (IHI 0070 chapter 4, "Commands"), opcode 0x46, CS [13:12] = 0b00 SIG_NONE: completion is
 * seen by polling SMMU_CMDQ_CONS past the CMD_SYNC. A command the SMMU
 * rejects stops consumption with SMMU_CMDQ_CONS.ERR [30:24] and
 * SMMU_GERROR.CMDQ_ERR (3.5: command queue errors).
 */
static bool cmd_sync(void)
{
	if (!cmd_push(0x46, 0))
		return false;
	for (unsigned i = 0; i < 1000000; i++) {
		uint32_t cons = r32(smmu + SMMU_CMDQ_CONS);

		if ((r32(smmu + SMMU_GERROR) ^ r32(smmu + SMMU_GERRORN)) & GERROR_CMDQ_ERR) {
			con_printf("FAIL: command queue error, CMDQ_CONS %x\n", (uint64_t)cons);
			return false;
		}
		if ((cons & ((2u << CMDQ_LOG2) - 1)) == cmdq_prod)
			return true;
	}
	con_puts("FAIL: CMD_SYNC did not complete\n");
	return false;
}

bool smmu_init(uint64_t base, uint32_t sid)
{
	uint32_t idr0, idr1, idr5;

	smmu = base;
	idr0 = r32(smmu + SMMU_IDR0);
	idr1 = r32(smmu + SMMU_IDR1);
	idr5 = r32(smmu + SMMU_IDR5);
	con_printf("SMMUv3 at %x: IDR0 %x IDR1 %x IDR5 %x\n", base, (uint64_t)idr0,
		   (uint64_t)idr1, (uint64_t)idr5);
	/* SMMU_IDR0: S1P bit 1; TTF [3:2] bit 3 = AArch64 tables.
	 * SMMU_IDR1: SIDSIZE [5:0], EVENTQS [20:16], CMDQS [25:21].
	 * SMMU_IDR5: GRAN4K bit 4. */
	if (!(idr0 & (1u << 1)) || !(idr0 & (1u << 3)) || !(idr5 & (1u << 4)) ||
	    (idr1 & 0x3f) < STRTAB_LOG2 || ((idr1 >> 16) & 0x1f) < EVTQ_LOG2 ||
	    ((idr1 >> 21) & 0x1f) < CMDQ_LOG2) {
		con_puts("FAIL: the SMMU lacks stage 1, AArch64 tables, 4K or queue sizes\n");
		return false;
	}
	if (sid >= (1u << STRTAB_LOG2)) {
		con_puts("FAIL: StreamID beyond the stream table\n");
		return false;
	}

	/* disabled while the structures are set up (SMMU_CR0, SMMU_CR0ACK) */
	if (!wait_ack(0))
		return false;
	/* incoming transactions abort while SMMUEN = 0 (SMMU_GBPA) */
	w32(smmu + SMMU_GBPA, GBPA_UPDATE | GBPA_ABORT);
	for (unsigned i = 0; i < 1000000 && (r32(smmu + SMMU_GBPA) & GBPA_UPDATE); i++)
		;
	w32(smmu + SMMU_IRQ_CTRL, 0); /* polled, no interrupts */
	/* SMMU_CR1: table and queue walks inner/outer write-back,
	 * inner shareable: QUEUE_IC [1:0], QUEUE_OC [3:2], QUEUE_SH [5:4],
	 * TABLE_IC [7:6], TABLE_OC [9:8], TABLE_SH [11:10] */
	w32(smmu + SMMU_CR1, 1u | 1u << 2 | 3u << 4 | 1u << 6 | 1u << 8 | 3u << 10);
	/* SMMU_CR2: RECINVSID bit 1: record C_BAD_STREAMID events */
	w32(smmu + SMMU_CR2, 1u << 1);

	/* every STE invalid (V = 0): such streams abort with C_BAD_STE */
	memset(strtab, 0, sizeof(strtab));
	/* SMMU_STRTAB_BASE: ADDR [51:6]; SMMU_STRTAB_BASE_CFG:
	 * FMT [17:16] = 0 linear, LOG2SIZE [5:0] */
	w64(smmu + SMMU_STRTAB_BASE, (uint64_t)(uintptr_t)strtab & 0x000fffffffffffc0ull);
	w32(smmu + SMMU_STRTAB_BASE_CFG, STRTAB_LOG2);

	w64(smmu + SMMU_CMDQ_BASE, ((uint64_t)(uintptr_t)cmdq & QADDR_MASK) | CMDQ_LOG2);
	w32(smmu + SMMU_CMDQ_PROD, 0);
	w32(smmu + SMMU_CMDQ_CONS, 0);
	cmdq_prod = 0;
	w64(smmu + SMMU_EVENTQ_BASE, ((uint64_t)(uintptr_t)evtq & QADDR_MASK) | EVTQ_LOG2);
	w32(smmu + SMMU_EVENTQ_PROD, 0);
	w32(smmu + SMMU_EVENTQ_CONS, 0);
	evtq_cons = 0;
	dsb_sy();

	/* command queue first, then forget any cached configuration and TLB
	 * entries: CMD_CFGI_ALL (IHI 0070 4.3, "Configuration structure
	 * invalidation": opcode 0x04, Range [4:0] of word 1 = 31),
	 * CMD_TLBI_NSNH_ALL (4.4, "TLB invalidation": opcode 0x30) */
	if (!wait_ack(CR0_CMDQEN))
		return false;
	if (!cmd_push(0x04, 31) || !cmd_push(0x30, 0) || !cmd_sync())
		return false;
	if (!wait_ack(CR0_CMDQEN | CR0_EVTQEN))
		return false;
	if (!wait_ack(CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN))
		return false;
	return true;
}

/*
 * The Context Descriptor (IHI 0070 5.4, "Context Descriptor"), 64 bytes:
 *   word 0: T0SZ [5:0], TG0 [7:6], IR0 [9:8], OR0 [11:10], SH0 [13:12],
 *           EPD0 [14], ENDI [15], T1SZ [21:16], TG1 [23:22], IR1 [25:24],
 *           OR1 [27:26], SH1 [29:28], EPD1 [30], V [31], IPS [34:32],
 *           AFFD [35], WXN [36], UWXN [37], TBI [39:38], PAN [40],
 *           AA64 [41], HD [42], HA [43], S [44], R [45], A [46], ASET [47],
 *           ASID [63:48]
 *   word 1: TTB0 [51:4];  word 2: TTB1 [51:4];  word 3: MAIR0/MAIR1
 * The TTBn/TCR fields hold what TTBR0_EL1/TCR_EL1 hold for a PE, in other
 * bit positions; TGn uses the TCR_EL1 encodings of the same half.
 */
static void cd_from_regs(uint64_t cd[8], const struct smmu_cd_regs *r, uint64_t xor)
{
	uint64_t tcr = r->tcr;
	/* TCR_EL1 (Arm ARM D19.2): T0SZ [5:0], EPD0 [7], IRGN0 [9:8],
	 * ORGN0 [11:10], SH0 [13:12], TG0 [15:14], T1SZ [21:16], EPD1 [23],
	 * IRGN1 [25:24], ORGN1 [27:26], SH1 [29:28], TG1 [31:30], IPS [34:32] */
	uint64_t t0sz = tcr & 0x3f, epd0 = (tcr >> 7) & 1, irgn0 = (tcr >> 8) & 3;
	uint64_t orgn0 = (tcr >> 10) & 3, sh0 = (tcr >> 12) & 3, tg0 = (tcr >> 14) & 3;
	uint64_t t1sz = (tcr >> 16) & 0x3f, epd1 = (tcr >> 23) & 1, irgn1 = (tcr >> 24) & 3;
	uint64_t orgn1 = (tcr >> 26) & 3, sh1 = (tcr >> 28) & 3, tg1 = (tcr >> 30) & 3;
	uint64_t ips = (tcr >> 32) & 7;

	memset(cd, 0, 64);
	cd[0] = t0sz | tg0 << 6 | irgn0 << 8 | orgn0 << 10 | sh0 << 12 | epd0 << 14 |
		t1sz << 16 | tg1 << 22 | irgn1 << 24 | orgn1 << 26 | sh1 << 28 |
		epd1 << 30 | ips << 32 |
		1ull << 41 |           /* AA64: VMSAv8-64 tables */
		1ull << 45 |           /* R: record faults (events) */
		1ull << 46 |           /* A: abort (terminate) faulting transactions */
		1ull << 47 |           /* ASET: ASID not shared with PEs */
		(uint64_t)r->asid << 48;
	cd[0] ^= xor;              /* the negative controls' deliberate mistake */
	cd[1] = r->ttbr & 0x000ffffffffffff0ull; /* TTB0 [51:4] */
	cd[2] = 0;
	cd[3] = r->mair;
	dsb_sy();
	cd[0] |= 1ull << 31;       /* V, last */
	dsb_sy();
}

bool smmu_attach(uint32_t sid, const struct smmu_cd_regs *r, uint64_t cd_word0_xor)
{
	uint64_t *ste = &strtab[sid * 8];
	uint64_t cdp = (uint64_t)(uintptr_t)cd_mem;

	cd_from_regs(cd_mem, r, cd_word0_xor);
	con_printf("CD word 0 %x TTB0 %x MAIR %x (TCR_EL1 %x)\n", cd_mem[0], cd_mem[1],
		   cd_mem[3], r->tcr);

	/*
	 * The Stream Table Entry (IHI 0070 5.2, "Stream Table Entry"), 64 bytes:
	 *   word 0: V [0], Config [3:1] (0b101: stage 1 translate, stage 2
	 *           bypass), S1Fmt [5:4] (0: one CD), S1ContextPtr [51:6],
	 *           S1CDMax [63:59] (0: one CD)
	 *   word 1: S1DSS [1:0], S1CIR [3:2], S1COR [5:4], S1CSH [7:6] (the
	 *           CD fetch attributes), S1STALLD [27], EATS [29:28],
	 *           STRW [31:30] (0: NS-EL1)
	 */
	ste[0] = 0;
	dsb_sy();
	for (unsigned i = 2; i < 8; i++)
		ste[i] = 0;
	ste[1] = 1u << 2 | 1u << 4 | 3u << 6; /* CD fetch WBRA, inner shareable */
	dsb_sy();
	ste[0] = 1u | 5u << 1 | (cdp & 0x000fffffffffffc0ull);
	dsb_sy();

	/* CMD_CFGI_STE (4.3): opcode 0x03, SID [63:32], Leaf bit 0 of word 1;
	 * CMD_CFGI_CD (4.3): opcode 0x05, SSID [31:12], SID [63:32], Leaf */
	return cmd_push(0x03 | (uint64_t)sid << 32, 1) &&
	       cmd_push(0x05 | (uint64_t)sid << 32, 1) && cmd_sync();
}

/*
 * CMD_TLBI_NH_VA (IHI 0070 4.4, "TLB invalidation"): opcode 0x12, ASID [63:48]; word 1: Leaf [0],
 * TTL [9:8] = 0, TG [11:10] = 0 (no range: one address), Address [63:12].
 * Ranges of more than 64 granules use CMD_TLBI_NH_ASID (4.4, opcode
 * 0x11, ASID [63:48]) instead.
 */
bool smmu_tlbi_va(uint16_t asid, uint64_t iova, uint64_t size, uint64_t granule,
		  bool leaf)
{
	if (!granule || size / granule > 64)
		return smmu_tlbi_asid(asid);
	for (uint64_t a = iova; a - iova < size; a += granule)
		if (!cmd_push(0x12 | (uint64_t)asid << 48, (a & ~0xfffull) | (leaf ? 1u : 0u)))
			return false;
	return cmd_sync();
}

bool smmu_tlbi_asid(uint16_t asid)
{
	return cmd_push(0x11 | (uint64_t)asid << 48, 0) && cmd_sync();
}

/*
 * Event records (IHI 0070 7.3, "Event records"), 32 bytes: type [7:0], SSV [11],
 * SubstreamID [31:12], StreamID [63:32]; for F_TRANSLATION (0x10) and
 * F_PERMISSION (0x13): RnW [99], InputAddr [191:128].
 */
size_t smmu_events(struct smmu_event *ev, size_t max)
{
	uint32_t prod = r32(smmu + SMMU_EVENTQ_PROD);
	size_t n = 0;

	if (prod & (1u << 31))
		con_puts("note: event queue overflowed\n");
	prod &= (2u << EVTQ_LOG2) - 1;
	while (evtq_cons != prod) {
		const volatile uint32_t *e = &evtq[(evtq_cons & ((1u << EVTQ_LOG2) - 1)) * 8];

		if (n < max) {
			for (unsigned i = 0; i < 8; i++)
				ev[n].raw[i] = e[i];
			ev[n].type = (uint8_t)(e[0] & 0xff);
			ev[n].sid = e[1];
			ev[n].rnw = (e[3] >> 3) & 1;
			ev[n].addr = (uint64_t)e[5] << 32 | e[4];
		}
		n++;
		evtq_cons = qinc(evtq_cons, EVTQ_LOG2);
	}
	w32(smmu + SMMU_EVENTQ_CONS, evtq_cons);
	return n;
}

uint32_t smmu_gerror(void)
{
	return r32(smmu + SMMU_GERROR) ^ r32(smmu + SMMU_GERRORN);
}

uint64_t smmu_commands(void)
{
	return n_commands;
}
