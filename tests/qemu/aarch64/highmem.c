/* SPDX-License-Identifier: MIT */
/*
 * highmem.c - RAM above 2^48 for the 52-bit guests (QA_52).
 *
 * QEMU's -M virt has RAM only from 1 GiB up, and as much of it as -m
 * gives; 2^48 bytes of RAM are out of reach. Its high PCIe MMIO window,
 * though, sits above the address space that -m ...,maxmem= sets aside for
 * memory hotplug (which costs nothing until a DIMM is plugged): with
 * maxmem=3P and a CPU with a 52-bit PARange the window starts above 2^51.
 * An ivshmem-plain device (-object memory-backend-ram -device
 * ivshmem-plain) has a 64-bit prefetchable BAR 2 that is plain RAM. The
 * guest places it at the bottom of that window and so owns memory whose
 * physical address has bits 51 and 50 set: real loads and stores through
 * descriptors that hold PA[51:48], and an independent way to see where
 * they landed (the BAR with translation off).
 *
 * The window and ECAM come from the device tree QEMU puts at the start of
 * RAM: the node compatible with "pci-host-ecam-generic" has ECAM in "reg"
 * and the windows in "ranges" (PCI bus binding: 3 cells of PCI address,
 * whose first holds the space code in bits [25:24], 0b11 = 64-bit memory;
 * 2 cells of CPU address; 2 cells of size). ECAM lies above 2^48 as well;
 * it is accessed with translation off, at EL2 or at EL1 before the MMU is
 * switched on.
 */
#include "common.h"

uint64_t high_base, high_size;

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u

#define IVSHMEM_VENDOR 0x1af4u
#define IVSHMEM_DEVICE 0x1110u

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const uint8_t *b)
{
	return (uint64_t)be32(b) << 32 | be32(b + 4);
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static size_t len0(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* one of the strings of a string-list property */
static bool has_string(const char *v, uint32_t len, const char *want)
{
	for (uint32_t o = 0; o < len; o += (uint32_t)len0(v + o) + 1)
		if (same(v + o, want))
			return true;
	return false;
}

struct pcie_node {
	const uint8_t *reg, *ranges;
	uint32_t reg_len, ranges_len;
};

/* the first child of the root compatible with @compat: its reg and ranges */
static bool fdt_pcie(const uint8_t *fdt, const char *compat, struct pcie_node *n)
{
	const uint8_t *p, *end;
	const char *strings;
	unsigned depth = 0;
	bool match = false;

	if (be32(fdt) != FDT_MAGIC)
		return false;
	p = fdt + be32(fdt + 8);
	end = p + be32(fdt + 36);
	strings = (const char *)fdt + be32(fdt + 12);
	while (p < end) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			if (++depth == 2) {
				match = false;
				n->reg = n->ranges = NULL;
			}
			p += (len0((const char *)p) + 4) & ~(size_t)3;
		} else if (tok == FDT_END_NODE) {
			if (depth == 2 && match && n->reg && n->ranges)
				return true;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p);
			const char *name = strings + be32(p + 4);
			const uint8_t *v = p + 8;

			if (depth == 2 && same(name, "compatible"))
				match = match || has_string((const char *)v, len, compat);
			else if (depth == 2 && same(name, "reg")) {
				n->reg = v;
				n->reg_len = len;
			} else if (depth == 2 && same(name, "ranges")) {
				n->ranges = v;
				n->ranges_len = len;
			}
			p = v + ((len + 3) & ~3u);
		} else if (tok != FDT_NOP) {
			break;
		}
	}
	return false;
}

static volatile uint32_t *cfg32(uint64_t ecam, unsigned devfn, unsigned reg)
{
	return (volatile uint32_t *)(uintptr_t)(ecam + ((uint64_t)devfn << 12) + reg);
}

void high_ram_init(void)
{
	const uint8_t *fdt = (const uint8_t *)(uintptr_t)RAM_BASE;
	struct pcie_node n = { NULL, NULL, 0, 0 };
	uint64_t ecam, win = 0, win_size = 0;
	unsigned devfn;

	if (!fdt_pcie(fdt, "pci-host-ecam-generic", &n) || n.reg_len < 16)
		die("no PCIe host bridge in the device tree");
	ecam = be64(n.reg);
	for (uint32_t o = 0; o + 28 <= n.ranges_len; o += 28) {
		const uint8_t *r = n.ranges + o;

		if (((be32(r) >> 24) & 3) == 3) {
			win = be64(r + 12);
			win_size = be64(r + 20);
		}
	}
	pr("PCIe: ECAM %lx, 64-bit window %lx (%lx bytes)\n", (unsigned long)ecam,
	   (unsigned long)win, (unsigned long)win_size);
	if (win < (1ull << 50))
		die("the 64-bit PCIe window lies below 2^50 (QEMU needs -m ...,maxmem=3P)");

	/* bus 0 only, which is where QEMU puts -device without a bus */
	for (devfn = 0; devfn < 256; devfn++) {
		uint32_t id = *cfg32(ecam, devfn, 0);

		if (id == (IVSHMEM_DEVICE << 16 | IVSHMEM_VENDOR))
			break;
	}
	if (devfn == 256)
		die("no ivshmem-plain device on PCIe bus 0");
	{
		volatile uint32_t *lo = cfg32(ecam, devfn, 0x18), *hi = cfg32(ecam, devfn, 0x1c);
		volatile uint32_t *cmd = cfg32(ecam, devfn, 0x04);
		uint64_t mask, size, base;
		uint32_t type = *lo & 0xf;

		/* BAR 2: 64-bit memory (type 0b10 in bits [2:1]); size it, then place
		 * it at the bottom of the window, aligned to its size */
		if ((type & 7) != 4)
			die("ivshmem BAR 2 is no 64-bit memory BAR (%x)", type);
		*lo = 0xffffffffu;
		*hi = 0xffffffffu;
		mask = ((uint64_t)*hi << 32 | *lo) & ~0xfull;
		size = ~mask + 1;
		base = (win + size - 1) & ~(size - 1);
		if (!size || base + size > win + win_size)
			die("ivshmem BAR 2 of %lx bytes does not fit the window", (unsigned long)size);
		*lo = (uint32_t)base;
		*hi = (uint32_t)(base >> 32);
		*cmd = (*cmd & 0xffffu) | 2u; /* memory space on */
		high_base = base;
		high_size = size;
	}
	pr("RAM above 2^48: ivshmem BAR 2 at %lx, %lx bytes\n", (unsigned long)high_base,
	   (unsigned long)high_size);
	/* it must be memory: what is written there reads back */
	for (uint64_t o = 0; o < high_size; o += high_size / 4) {
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)(high_base + o);

		*w = 0x4849474800000000ull ^ o;
		if (*w != (0x4849474800000000ull ^ o))
			die("ivshmem BAR 2 at %lx does not hold what was written",
			    (unsigned long)(high_base + o));
	}
}
