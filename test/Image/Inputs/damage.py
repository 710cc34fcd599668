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
ADDR is a byte offset, "sN+K" (byte K of section N's data) or "eN+K" (byte K
of section table entry N). Layout: docs/image-format.md.
"""
import struct
import sys
import zlib

HEADER_SIZE = 128
ENTRY_SIZE = 32
HEADER_CRC = 124


def entry(data, n):
    return HEADER_SIZE + ENTRY_SIZE * n


def address(data, text):
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
        elif op == "fix-header":
            fix_header(data)
            i += 1
        else:
            sys.exit("damage.py: unknown operation '%s'" % op)
    open(argv[2], "wb").write(data)


if __name__ == "__main__":
    main(sys.argv)
