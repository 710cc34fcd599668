#!/usr/bin/env python3
"""mkaplx.py OBJCOPY NM ELF OUT: the core program as SC&MP loads it (APLX).

As spinnaker_tools' mkaplx lays it out (docs/arm.md, "The image carries the
program"): a 64-byte table of 16-byte entries {op, a1, a2, a3} (little-endian),
then the ITCM bytes (.text) padded to 4, then the DTCM initial data (.data)
padded to 4:
  RCOPY  ITCM base, from this entry + 64, .text bytes
  RCOPY  DTCM base, from this entry + 64 + text - 16, .data bytes (if any)
  FILL   .bss base, .bss bytes, 0 (if any)
  EXEC   entry
then zero entries up to 64 bytes. Deterministic: the bytes depend only on
the ELF's loadable sections and symbols."""
import os, struct, subprocess, sys, tempfile

APLX_RCOPY, APLX_FILL, APLX_EXEC = 2, 3, 4

def section(objcopy, elf, name):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "s.bin")
        subprocess.run([objcopy, "-O", "binary", "-j", name, elf, out], check=True)
        with open(out, "rb") as f:
            data = f.read()
    return data + b"\0" * (-len(data) % 4)

def symbols(nm, elf):
    out = subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms

def main():
    objcopy, nm, elf, out = sys.argv[1:5]
    text = section(objcopy, elf, ".text")
    data = section(objcopy, elf, ".data")
    syms = symbols(nm, elf)
    bss = syms["__bss_end"] - syms["__bss_start"]
    entries = [(APLX_RCOPY, 0x00000000, 64, len(text))]
    if data:
        # Entry 1's source is relative to itself (16 bytes into the table).
        entries.append((APLX_RCOPY, 0x00400000, 64 + len(text) - 16, len(data)))
    if bss:
        entries.append((APLX_FILL, syms["__bss_start"], bss, 0))
    entries.append((APLX_EXEC, syms["_start"], 0, 0))
    table = b"".join(struct.pack("<4I", *e) for e in entries)
    table += b"\0" * (64 - len(table))
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(table + text + data)
    os.replace(tmp, out)

if __name__ == "__main__":
    main()
