#!/usr/bin/python3
"""Builds the fuzz targets' seed corpora (fuzz/README.md) in test/fuzz/<target>/.

usage: fuzz/seeds.py BUILD_DIR [OUT_DIR]

BUILD_DIR holds the scnc tools (bin/scncc) that compile the examples' and
tests' networks into the textual IR and image seeds; OUT_DIR defaults to
test/fuzz. Seeds come from the examples and the lit tests' inputs, plus small
hand-made ones (idx files, SCP datagrams, .npy dtypes) that cover what the
tests do not ship. Each file is named after its origin; seeds above MAX_BYTES
are left out (libFuzzer's mutations work best on small inputs).
"""
import glob
import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np

MAX_BYTES = 64 * 1024
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def put(out, target, name, data):
    if len(data) > MAX_BYTES:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def rel_name(path):
    return os.path.relpath(path, ROOT).replace("/", "_")


def sources():
    return sorted(glob.glob(os.path.join(ROOT, "examples", "*.scn")) +
                  glob.glob(os.path.join(ROOT, "test", "**", "*.scn"),
                            recursive=True))


def scn_seeds(out):
    for f in sources():
        put(out, "scn", rel_name(f), open(f, "rb").read())


def ir_seeds(out, build):
    for f in sorted(glob.glob(os.path.join(ROOT, "test", "**", "*.scnir"),
                              recursive=True)):
        put(out, "ir", rel_name(f), open(f, "rb").read())
    scncc = os.path.join(build, "bin", "scncc")
    for f in sources():
        r = subprocess.run([scncc, f, "-emit=ir", "-o", "-"], cwd=os.path.dirname(f),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if r.returncode == 0:
            put(out, "ir", rel_name(f) + "ir", r.stdout)


# Small networks whose images make good seeds (a few KB each): the mapping
# tests' network, the runtime tests' and a plastic one.
IMAGE_SOURCES = [
    ("test/Mapping/Inputs/conv-pool.scn", []),
    ("test/Mapping/Inputs/conv-pool.scn", ["--plastic"]),
    ("test/Image/Inputs/plastic.scn", ["--plastic"]),
    ("test/Image/Inputs/long-delay.scn", []),
    ("examples/original.scn", []),
]


def image_seeds(out, build):
    scncc = os.path.join(build, "bin", "scncc")
    extra = sorted(glob.glob(os.path.join(ROOT, "test", "Runtime", "Inputs", "*.scn")))
    todo = [(os.path.join(ROOT, f), a) for f, a in IMAGE_SOURCES] + [(f, []) for f in extra]
    with tempfile.TemporaryDirectory() as tmp:
        for f, args in todo:
            img = os.path.join(tmp, "out.scimg")
            r = subprocess.run([scncc, f, "-o", img, "--machine=spinn3"] + args,
                               cwd=os.path.dirname(f), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            if r.returncode != 0:
                r = subprocess.run([scncc, f, "-o", img] + args, cwd=os.path.dirname(f),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                suffix = "-plastic" if args else ""
                put(out, "image", rel_name(f) + suffix + ".scimg", open(img, "rb").read())


def npy_bytes(a, fortran=False):
    import io
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(a) if fortran else a)
    return buf.getvalue()


def arrays_seeds(out):
    # First byte: 0 .npy, 1 CSV (fuzz/Fuzzarrays.cpp).
    for f in sorted(glob.glob(os.path.join(ROOT, "**", "*.npy"), recursive=True)):
        if "/build" not in f:
            put(out, "arrays", rel_name(f), b"\0" + open(f, "rb").read())
    for f in sorted(glob.glob(os.path.join(ROOT, "test", "**", "*.csv"), recursive=True)):
        put(out, "arrays", rel_name(f), b"\1" + open(f, "rb").read())
    spikes = np.array([[0.0, 1], [2.5, 3], [7, 0], [7, 0]])
    for dt in ["<f8", "<f4", ">f8", "<i4", ">i8", "<u2", "|u1", "|i1"]:
        put(out, "arrays", "spikes-%s.npy" % dt.replace("<", "le-").replace(">", "be-").replace("|", ""),
            b"\0" + npy_bytes(spikes.astype(dt)))
    put(out, "arrays", "weights-3d-fortran.npy",
        b"\0" + npy_bytes(np.arange(24, dtype="<f8").reshape(2, 3, 4), fortran=True))
    put(out, "arrays", "scalar.npy", b"\0" + npy_bytes(np.float64(1.5)))
    put(out, "arrays", "header.csv", b"\1# spikes\ntime_ms,neuron\n0,1\n2.5,3\n")


def idx_bytes(shape, data):
    return struct.pack(">BBBB", 0, 0, 8, len(shape)) + b"".join(
        struct.pack(">I", n) for n in shape) + bytes(data)


def idx_seeds(out):
    # First byte: bit 0 gunzip first, bit 1 labels (fuzz/Fuzzidx.cpp).
    images = idx_bytes([3, 4, 4], range(48))
    labels = idx_bytes([3], [0, 7, 9])
    put(out, "idx", "images", b"\0" + images)
    put(out, "idx", "labels", b"\2" + labels)
    put(out, "idx", "images.gz", b"\1" + gzip.compress(images, mtime=0))
    put(out, "idx", "labels.gz", b"\3" + gzip.compress(labels, mtime=0))
    put(out, "idx", "two-members.gz",
        b"\1" + gzip.compress(images[:10], mtime=0) + gzip.compress(images[10:], mtime=0))


def machine_seeds(out):
    for f in sorted(glob.glob(os.path.join(ROOT, "test", "**", "*.json"), recursive=True)):
        data = open(f, "rb").read()
        if b"chips" in data or b"width" in data:
            put(out, "machine", rel_name(f), data)


def scp(cmd, args=(0, 0, 0), data=b"", x=0, y=0, cpu=0, seq=1):
    # 2 bytes padding, SDP header (flags, tag, dst port|cpu, src port|cpu,
    # dst y, dst x, src y, src x), cmd, seq, three args, data.
    return (b"\0\0" + struct.pack("<BBBBBBBB", 0x87, 0xFF, cpu, 0xFF, y, x, 0, 0) +
            struct.pack("<HHIII", cmd, seq, *args) + data)


def session(*datagrams):
    # Records of a 2-byte length and the datagram (fuzz/Fuzzboard.cpp).
    return b"".join(struct.pack("<H", len(d)) + d for d in datagrams)


def board_seeds(out):
    SDRAM, SYS, SV, VCPU = 0x60000000, 0x67800000, 0xE5007F00, 0xE5007000
    user = 0x60000000 + 18 * 128 * 1024
    put(out, "board", "ver", session(scp(0)))
    put(out, "board", "info", session(scp(31), scp(31, x=1, y=1)))
    put(out, "board", "read-sv", session(scp(2, (SV, 256, 0))))
    put(out, "board", "read-vcpu", session(scp(2, (VCPU + 128 * 3, 128, 0))))
    put(out, "board", "write-read", session(
        scp(3, (user, 16, 2), bytes(range(16))), scp(2, (user, 16, 2), seq=2)))
    put(out, "board", "fill", session(scp(5, (user, 0x12345678, 1024))))
    put(out, "board", "alloc-free", session(
        scp(28, (0 | (1 << 8), 4096, 0)), scp(28, (1, user, 0), seq=2),
        scp(28, (3 | (1 << 8), 16, 0), seq=3)))
    table = struct.pack("<IIII", 0, 0xFFFF0000, 0x0001_0000, 1 << 7)  # placeholder entry
    put(out, "board", "rtr-load", session(
        scp(3, (SYS, len(table), 2), table), scp(29, (0, 0, 0), seq=2),
        scp(29, ((1 << 16) | 2, SYS, 0), seq=3)))
    put(out, "board", "ar-sig", session(
        scp(19, ((1 << 8) | 0x6, SYS, 0)), scp(15, (6, 5, 0), seq=2),
        scp(22, (0, (3 << 16) | 6, 0xFFFF), seq=3),
        scp(22, (0, (2 << 16) | 6, 0xFFFF), seq=4)))
    put(out, "board", "as", session(scp(24, (SYS, (1 << 18) | 0x6, 0))))
    put(out, "board", "short", session(b"\0\0\x87"))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    build = os.path.abspath(argv[1])
    out = os.path.abspath(argv[2]) if len(argv) > 2 else os.path.join(ROOT, "test", "fuzz")
    for t in ["scn", "ir", "image", "arrays", "idx", "machine", "board"]:
        shutil.rmtree(os.path.join(out, t), ignore_errors=True)
    scn_seeds(out)
    ir_seeds(out, build)
    image_seeds(out, build)
    arrays_seeds(out)
    idx_seeds(out)
    machine_seeds(out)
    board_seeds(out)
    for t in sorted(os.listdir(out)):
        d = os.path.join(out, t)
        if os.path.isdir(d):
            files = os.listdir(d)
            print("%-8s %4d seeds, %7d bytes" % (
                t, len(files), sum(os.path.getsize(os.path.join(d, f)) for f in files)))


if __name__ == "__main__":
    main(sys.argv)
