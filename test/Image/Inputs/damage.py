#!/usr/bin/env python3
"""Damages a .scimg load image for the reader's error tests.

usage: damage.py IN OUT OP... where OP is one of
  flip ADDR            invert every bit of the byte at ADDR
  set32 ADDR VALUE     write a little-endian u32
  set64 ADDR VALUE     write a little-endian u64
  truncate N           keep the first N bytes
  append N             add N zero bytes
  fix-section N        recompute section N's CRC32 (after editing its data)
  fix-header           recompute the header CRC32 (after editing header/table)
  fix-all              recompute every section CRC32 and the header CRC32
  drop-last            remove the last section table entry and its data
                       (which must end the file), fixing the section count,
                       every offset and the file size (then fix-all)
ADDR is a byte offset, "sN+K" (byte K of section N's data), "eN+K" (byte K
of section table entry N) or "rN.R+K" (byte K of region R of core section
N; "rN.T+K" with T = "t" is byte K of its region table) or "pK" (byte K
of the populations section's data; "pQ.F" is field F of population Q:
input, height, width, channels, len or name, its first byte). Layout:
docs/image-format.md.
"""
import struct
import sys
import zlib

HEADER_SIZE = 128
ENTRY_SIZE = 32
HEADER_CRC = 124


def entry(data, n):
    return HEADER_SIZE + ENTRY_SIZE * n


def section_data(data, n):
    return struct.unpack_from("<Q", data, entry(data, n) + 16)[0]


def populations(data):
    count = struct.unpack_from("<I", data, 24)[0]
    for n in range(count):
        if struct.unpack_from("<I", data, entry(data, n))[0] == 3:
            return section_data(data, n)
    sys.exit("damage.py: no populations section")


FIELDS = ["input", "height", "width", "channels", "len", "name"]


def address(data, text):
    if text[0] == "p":
        base = populations(data)
        if "." not in text:
            return base + int(text[1:] or 0, 0)
        q, _, field = text[1:].partition(".")
        at = base + 4
        for _ in range(int(q)):
            length = struct.unpack_from("<I", data, at + 16)[0]
            at += 20 + (length + 3) // 4 * 4
        return at + 4 * FIELDS.index(field)
    if text[0] == "r":
        where, _, k = text[1:].partition("+")
        n, _, region = where.partition(".")
        base = section_data(data, int(n))
        k = int(k or 0)
        if region == "t":
            return base + 4 + k
        count = struct.unpack_from("<I", data, base)[0]
        for j in range(count):
            rid, roff, _ = struct.unpack_from("<III", data, base + 4 + 12 * j)
            if rid == int(region):
                return base + roff + k
        sys.exit("damage.py: section %s has no region %s" % (n, region))
    if text[0] in "se":
        n, _, k = text[1:].partition("+")
        n, k = int(n), int(k or 0)
        if text[0] == "e":
            return entry(data, n) + k
        return struct.unpack_from("<Q", data, entry(data, n) + 16)[0] + k
    return int(text, 0)


def fix_header(data):
    count = struct.unpack_from("<I", data, 24)[0]
    end = HEADER_SIZE + ENTRY_SIZE * count
    crc = zlib.crc32(bytes(data[:HEADER_CRC]) + bytes(data[HEADER_SIZE:end]))
    struct.pack_into("<I", data, HEADER_CRC, crc)


def main(argv):
    data = bytearray(open(argv[1], "rb").read())
    ops = argv[3:]
    i = 0
    while i < len(ops):
        op = ops[i]
        if op == "flip":
            a = address(data, ops[i + 1])
            data[a] ^= 0xFF
            i += 2
        elif op in ("set32", "set64"):
            fmt = "<I" if op == "set32" else "<Q"
            struct.pack_into(fmt, data, address(data, ops[i + 1]), int(ops[i + 2], 0))
            i += 3
        elif op == "truncate":
            del data[int(ops[i + 1], 0):]
            i += 2
        elif op == "append":
            data += bytes(int(ops[i + 1], 0))
            i += 2
        elif op == "fix-section":
            e = entry(data, int(ops[i + 1]))
            off, size = struct.unpack_from("<QI", data, e + 16)
            struct.pack_into("<I", data, e + 28, zlib.crc32(bytes(data[off:off + size])))
            i += 2
        elif op == "fix-all":
            count = struct.unpack_from("<I", data, 24)[0]
            for n in range(count):
                e = entry(data, n)
                off, size = struct.unpack_from("<QI", data, e + 16)
                struct.pack_into("<I", data, e + 28,
                                 zlib.crc32(bytes(data[off:off + size])))
            fix_header(data)
            i += 1
        elif op == "drop-last":
            count = struct.unpack_from("<I", data, 24)[0]
            off, size = struct.unpack_from("<QI", data, entry(data, count - 1) + 16)
            if off + size != len(data):
                sys.exit("damage.py: the last section does not end the file")
            del data[off:]
            del data[entry(data, count - 1):entry(data, count)]
            for n in range(count - 1):
                e = entry(data, n)
                o = struct.unpack_from("<Q", data, e + 16)[0]
                struct.pack_into("<Q", data, e + 16, o - ENTRY_SIZE)
            struct.pack_into("<I", data, 24, count - 1)
            struct.pack_into("<Q", data, 16, len(data))
            i += 1
        elif op == "fix-header":
            fix_header(data)
            i += 1
        else:
            sys.exit("damage.py: unknown operation '%s'" % op)
    open(argv[2], "wb").write(data)


if __name__ == "__main__":
    main(sys.argv)
