/* SPDX-License-Identifier: MIT */
/*
 * pci.c - find QEMU's edu device on PCIe bus 0 through ECAM, give it a
 * BAR, and drive its DMA engine (QEMU docs/specs/edu.rst).
 */
#include "guest.h"

#define EDU_VENDOR 0x1234u
#define EDU_DEVICE 0x11e8u

/* edu BAR0 registers */
#define EDU_ID       0x00
#define EDU_LIVE     0x04
#define EDU_DMA_SRC  0x80
#define EDU_DMA_DST  0x88
#define EDU_DMA_CNT  0x90
#define EDU_DMA_CMD  0x98
#define EDU_CMD_RUN  1u
#define EDU_CMD_TO_RAM 2u /* direction: device buffer -> RAM */

static uint64_t cfg_addr(uint64_t ecam, unsigned bus, unsigned devfn, unsigned reg)
{
	return ecam + ((uint64_t)bus << 20) + ((uint64_t)devfn << 12) + reg;
}

bool edu_find(uint64_t ecam, uint64_t ecam_size, uint64_t mmio32, struct edu *e)
{
	(void)ecam_size; /* bus 0 only: the first 1 MiB */
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		uint64_t c = cfg_addr(ecam, 0, devfn, 0);
		uint32_t id = r32(c);
		uint32_t bar;

		if ((id & 0xffff) == 0xffff) {
			if ((devfn & 7) == 0)
				devfn += 7; /* no function 0: skip the slot */
			continue;
		}
		if ((id & 0xffff) != EDU_VENDOR || id >> 16 != EDU_DEVICE)
			continue;

		/* BAR0: a 32-bit memory BAR; size it, then place it */
		w32(c + 0x10, 0xffffffffu);
		bar = r32(c + 0x10);
		if (bar & 1u) {
			con_puts("FAIL: edu BAR0 is no memory BAR\n");
			return false;
		}
		w32(c + 0x10, (uint32_t)mmio32);
		/* command: memory space (bit 1), bus master (bit 2) */
		w32(c + 0x04, (r32(c + 0x04) & 0xffffu) | 0x6u);
		e->bar0 = mmio32;
		e->sid = devfn; /* bus 0 */
		con_printf("edu at bus 0 devfn %x, BAR0 %x (size %x), StreamID %x\n",
			   (uint64_t)devfn, mmio32,
			   (uint64_t)(~(bar & ~0xfu) + 1u), (uint64_t)e->sid);

		/* the device answers: identification and liveness (~value) */
		if ((r32(e->bar0 + EDU_ID) & 0xff) != 0xed) {
			con_printf("FAIL: edu ID register reads %x\n",
				   (uint64_t)r32(e->bar0 + EDU_ID));
			return false;
		}
		w32(e->bar0 + EDU_LIVE, 0x12345678u);
		if (r32(e->bar0 + EDU_LIVE) != ~0x12345678u) {
			con_puts("FAIL: edu liveness register\n");
			return false;
		}
		return true;
	}
	con_puts("FAIL: no edu device (1234:11e8) on bus 0\n");
	return false;
}

bool edu_dma(const struct edu *e, uint64_t src, uint64_t dst, uint64_t count,
	     bool dir_to_ram)
{
	dsb_sy();
	w64(e->bar0 + EDU_DMA_SRC, src);
	w64(e->bar0 + EDU_DMA_DST, dst);
	w64(e->bar0 + EDU_DMA_CNT, count);
	w32(e->bar0 + EDU_DMA_CMD, EDU_CMD_RUN | (dir_to_ram ? EDU_CMD_TO_RAM : 0));
	/* the device runs the transfer from a timer 100 ms (virtual) later */
	for (uint64_t spin = 0; spin < 200000000ull; spin++) {
		if (!(r32(e->bar0 + EDU_DMA_CMD) & EDU_CMD_RUN)) {
			dsb_sy();
			return true;
		}
	}
	con_puts("FAIL: edu DMA did not complete\n");
	return false;
}
