#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of the fuzz targets: gen_corpus.py OUTDIR.

Each seed is a configuration followed by a short scripted sequence of
steps, encoded the way driver.c decodes its input (see the comment at its
top): every format, granule and a few address sizes, with maps of pages,
blocks and contiguous runs, partial unmaps that split, lookups, walks,
dumps, allocation failures, compactions, hand-overs (detach and adopt)
and one corruption step. Files are named by
content, so rerunning the script reproduces the same corpus.
"""
import hashlib
import os
import struct
import sys


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


class Steps:
    """Encoders for the steps; argument bytes as driver.c reads them."""

    def __init__(self):
        self.b = bytearray()

    def iova_slot(self, idx):       # gen_iova mode 0: base + idx * unit, no misalignment
        return bytes([0]) + u16(idx) + bytes([0xff])

    def size_units(self, n):        # gen_size mode 0: unit * n (n = 1..8)
        return bytes([0, n - 1])

    def pa_slot(self, idx):         # gen_pa mode 0: idx * unit, no misalignment
        return bytes([0]) + u32(idx) + bytes([0xff])

    def map(self, unit, idx, n, pidx, prot=0x03):
        self.b += bytes([0, unit]) + self.iova_slot(idx) + self.size_units(n) + \
            self.pa_slot(pidx) + bytes([prot])
        return self

    def unmap(self, unit, idx, n):
        self.b += bytes([5, unit]) + self.iova_slot(idx) + self.size_units(n)
        return self

    def unmap_raw(self, unit, idx, size_mode_bytes):
        self.b += bytes([5, unit]) + self.iova_slot(idx) + size_mode_bytes
        return self

    def lookup(self, unit, idx):
        self.b += bytes([8, unit]) + self.iova_slot(idx)
        return self

    def walk(self, unit, idx, n, stop=0):
        self.b += bytes([10, unit]) + self.iova_slot(idx) + bytes([1]) + \
            self.size_units(n) + bytes([stop])
        return self

    def walk_all(self):
        self.b += bytes([10, 0]) + self.iova_slot(0) + bytes([0, 0])
        return self

    def dump(self, buflen=100, with_pt=1):
        self.b += bytes([11, buflen, with_pt])
        return self

    def fail(self, nth):
        self.b += bytes([12, nth - 1])
        return self

    def check(self):
        self.b += bytes([14])
        return self

    def corrupt(self, table, idx, kind, extra=b''):
        self.b += bytes([15, 0]) + u16(table) + u16(idx) + bytes([kind]) + extra + bytes(40)
        return self

    def compact(self, unit, idx, n, whole=False):
        self.b += bytes([15, 64, unit]) + self.iova_slot(idx) + self.size_units(n) + \
            bytes([0 if whole else 0xff])
        return self

    def handover(self):
        self.b += bytes([15, 128])
        return self

    def raw(self, data):
        self.b += data
        return self


def script(variant):
    """A step sequence; unit index 0 is the granule, higher ones larger sizes."""
    s = Steps()
    if variant == 0:
        s.map(0, 1, 3, 7).map(1, 1, 2, 3).lookup(0, 1).lookup(1, 1).walk_all().dump()
        s.unmap(0, 2, 1).check().unmap(1, 1, 1).walk(0, 0, 8, 2)
    elif variant == 1:
        s.map(1, 2, 1, 2).fail(1).unmap(0, 2 * 512 + 5, 1).unmap(0, 2 * 512 + 5, 1)
        s.map(1, 2, 1, 9).map(0, 3, 1, 3).fail(2).map(0, 1 << 14, 4, 5).check()
        s.dump(10, 0).walk(1, 0, 4, 1)
    elif variant == 2:
        s.map(2, 1, 1, 1).map(0, 9, 8, 1).map(0, 9, 1, 1).unmap(0, 10, 1)
        s.unmap_raw(0, 0, bytes([7, 1])).check().lookup(0, 9)
    elif variant == 8:
        # a block split, its hole mapped again, compacted; handed over
        s.map(1, 1, 1, 2).unmap(0, 3, 1).map(0, 3, 1, 3).compact(1, 0, 4)
        s.handover().lookup(1, 1).compact(0, 0, 1, whole=True).walk_all()
    elif variant == 9:
        # pages one by one, then everything compacted and handed over
        for i in range(16):
            s.map(0, 32 + i, 1, 32 + i)
        s.compact(0, 0, 1, whole=True).handover().check().unmap(0, 40, 1)
        s.map(0, 40, 1, 40).compact(0, 32, 8).dump()
    else:
        s.map(0, 1, 8, 1).map(1, 5, 1, 6).map(2, 3, 1, 2).lookup(0, 2).walk_all()
        s.corrupt(1, 3, variant % 3, bytes([variant & 1, 5]))
    return bytes(s.b)


def lpae_seeds():
    out = []
    fmts = [0, 1, 2, 3]             # ARM64_S1, ARM64_S2, ARM32_S1, ARM32_S2
    for fmt in fmts:
        for g in ([0, 1, 2] if fmt < 2 else [0]):
            for ias, oasi in [(39 if fmt != 2 else 32, 5), (48 if fmt < 2 else 28, 3)]:
                ib = ias - 25 if fmt < 2 else (ias - 25) % (16 if fmt == 3 else 8)
                variants = [(0, b'\x00'), (3 + fmt, b'\x01\x03'), (8, b'\x00'), (9, b'\x00')]
                if g == 0:
                    variants += [(1, b'\x01\x10'), (2, b'\x01\x20')]
                for v, quirks in variants:
                    cfg = bytes([fmt, g, ib, oasi, 2]) + quirks + u16(v * 31 + fmt) + b'\xff'
                    out.append(cfg + script(v))
    # 52 bits in, out or both (LPA2 with 4K and 16K, LVA and LPA with 64K)
    for fmt in [0, 1]:
        for g in [0, 1, 2]:
            for ias, oasi in [(52, 6), (49, 5), (48, 6)]:
                for v, quirks in [(0, b'\x00'), (3 + fmt, b'\x01\x03'), (8, b'\x00'), (9, b'\x00')]:
                    cfg = bytes([fmt, g, ias - 25, oasi, 2]) + quirks + u16(v * 37 + ias) + b'\xff'
                    out.append(cfg + script(v))
    # invalid configurations and a failing root allocation
    out.append(bytes([0, 0, 0xc0 | 60, 3, 2, 0]) + u16(1) + b'\x00')
    out.append(bytes([0, 0, 0xc0 | 53, 6, 2, 0]) + u16(7) + b'\x00')   # ias 53
    out.append(bytes([1, 1, 27, 0xe0 | 50, 2, 0]) + u16(8) + b'\x00')  # oas 50
    out.append(bytes([0xf1, 0, 14, 3, 2, 0]) + u16(2) + b'\xff')
    out.append(bytes([2, 0x81, 7, 3, 2, 0]) + u16(3) + b'\xff')
    out.append(bytes([0, 0, 14, 6, 2, 0]) + u16(4) + b'\xff')
    out.append(bytes([1, 0, 14, 3, 7]) + u32(0x12345678) + u32(0x9) + b'\x00' + u16(5) + b'\x00')
    out.append(bytes([0, 2, 23, 6, 2, 3, 0xff, 0xff, 7]) + u16(6) + b'\x05')
    return out


def v7s_seeds():
    out = []
    for oasi in [0, 2, 6]:           # oas 32, 33, 40
        for pm in [0, 2]:
            for v, quirks in [(0, b'\x00'), (1, b'\x01\x10'), (2, b'\x01\x20'),
                              (3, b'\x01\xc0'), (4 + pm, b'\x01\x01'), (8, b'\x00'),
                              (9, b'\x00')]:
                extra = u32(0xffffffff) + u32(0) if pm == 4 else b''
                cfg = bytes([0, 0, oasi, pm]) + extra + quirks + u16(v * 17 + oasi) + b'\xff'
                out.append(cfg + script(v))
    out.append(bytes([0xff, 0, 0, 2, 0]) + u16(1) + b'\x00')
    out.append(bytes([0, 0xf0, 0, 2, 0]) + u16(2) + b'\xff')
    out.append(bytes([0, 0, 5, 1, 0]) + u16(3) + b'\xff')
    out.append(bytes([0, 0, 0, 7, 1, 1, 0]) + u16(4) + b'\xff')
    out.append(bytes([0, 0, 3, 2, 1, 0x40]) + u16(5) + b'\x02')
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus')
    for name, seeds in [('fuzz_lpae', lpae_seeds()), ('fuzz_v7s', v7s_seeds())]:
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        for data in seeds:
            h = hashlib.sha1(data).hexdigest()[:16]
            with open(os.path.join(d, 'seed-' + h), 'wb') as f:
                f.write(data)
        print(f'{d}: {len(seeds)} seeds')


if __name__ == '__main__':
    main()
