/* SPDX-License-Identifier: MIT */
/*
 * guest.h - what the files of the bare-metal SMMUv3 guest share: MMIO
 * access, the console, the exit path, the DTB lookup, PCI and the edu
 * device, and the SMMUv3 driver.
 */
#ifndef SMMU_GUEST_H
#define SMMU_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* QEMU virt (hw/arm/virt.c, 7.2): the defaults when the DTB lacks a node */
#define VIRT_DTB_BASE        0x40000000ull
#define VIRT_UART_BASE       0x09000000ull
#define VIRT_HIGH_ECAM_BASE  0x4010000000ull
#define VIRT_HIGH_ECAM_SIZE  0x10000000ull
#define VIRT_PCI_MMIO32_BASE 0x10000000ull

/*
 * Exit codes: 0 every check passed, 1 a check failed. A guest that cannot
 * run its checks at all (no device, an SMMU error during setup, an
 * unexpected exception) exits with 2 or 3; a negative control (built with
 * NEG_CONTROL) exits with 0 then, so that the harness reports it as an
 * unexpected pass instead of counting a broken guest as a caught mistake.
 */
#ifdef NEG_CONTROL
#define EXIT_SETUP 0
#define EXIT_EXCEPTION 0
#else
#define EXIT_SETUP 2
#define EXIT_EXCEPTION 3
#endif

/* RAM above the image that the DMA checks use (see guest.ld) */
#define DATA_BASE            0x42000000ull
#define DATA_END             0x47000000ull

static inline void w32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)a = v;
}
static inline uint32_t r32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}
static inline void w64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)a = v;
}
static inline uint64_t r64(uint64_t a)
{
	return *(volatile uint64_t *)(uintptr_t)a;
}
static inline void w16(uint64_t a, uint16_t v)
{
	*(volatile uint16_t *)(uintptr_t)a = v;
}
static inline uint16_t r16(uint64_t a)
{
	return *(volatile uint16_t *)(uintptr_t)a;
}
/* make normal-memory stores visible to every other observer (the SMMU) */
static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

/* rt.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void con_puts(const char *s);
void con_hex(uint64_t v);
void con_dec(uint64_t v);
/* printf-like with %s %x (64-bit hex, 0x prefix) %d (64-bit unsigned) only;
 * every numeric argument is passed as uint64_t */
void con_printf(const char *fmt, ...);
void guest_exit(int code) __attribute__((noreturn));
void guest_exception(uint64_t slot, uint64_t esr, uint64_t elr, uint64_t far)
	__attribute__((noreturn));

/* fdt.c: the first node whose "compatible" lists @compat, a child of the
 * root (2 address cells, 2 size cells); false when there is none */
bool fdt_find_reg(const void *dtb, const char *compat, uint64_t *base, uint64_t *size);

/* pci.c */
struct edu {
	uint64_t bar0;
	uint32_t sid; /* bus << 8 | devfn */
};
bool edu_find(uint64_t ecam, uint64_t ecam_size, uint64_t mmio32, struct edu *e);
/* one DMA; dir_to_ram false: RAM (src IOVA) -> device buffer (dst),
 * true: device buffer (src) -> RAM (dst IOVA). false on a timeout. */
bool edu_dma(const struct edu *e, uint64_t src, uint64_t dst, uint64_t count,
	     bool dir_to_ram);
#define EDU_BUF 0x40000ull /* the device's internal buffer, 4 KiB */

/* smmuv3.c */
struct smmu_event {
	uint8_t type;
	uint32_t sid;
	bool rnw;
	uint64_t addr;
	uint32_t raw[8];
};
struct smmu_cd_regs {
	uint64_t ttbr, tcr, mair;
	uint16_t asid;
};
bool smmu_init(uint64_t base, uint32_t sid);
/* install the STE for @sid pointing at one CD built from @r */
bool smmu_attach(uint32_t sid, const struct smmu_cd_regs *r, uint64_t cd_word0_xor);
bool smmu_tlbi_va(uint16_t asid, uint64_t iova, uint64_t size, uint64_t granule,
		  bool leaf);
bool smmu_tlbi_asid(uint16_t asid);
size_t smmu_events(struct smmu_event *ev, size_t max);
uint32_t smmu_gerror(void);
uint64_t smmu_commands(void);

#define EVT_F_TRANSLATION 0x10
#define EVT_F_PERMISSION  0x13

#endif /* SMMU_GUEST_H */
