"""roundtrip.py DIR EXAMPLE.scn: compiles EXAMPLE to an image, writes it as
NIR, compiles the NIR to an image, and checks that the two images' dumps
(scnc-objdump) differ in no line but the network hash and header CRC."""
import os
import subprocess
import sys

out, src = sys.argv[1], sys.argv[2]
stem = os.path.splitext(os.path.basename(src))[0]
a, b, nir = (os.path.join(out, stem + s) for s in (".a.scimg", ".b.scimg", ".nir"))


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


run("scncc", src, "-o", a)
run("scncc", src, "-emit=nir", "-o", nir)
run("scncc", nir, "-o", b)
da, db = run("scnc-objdump", a).splitlines(), run("scnc-objdump", b).splitlines()
if len(da) != len(db):
    sys.exit(f"{stem}: dumps of {len(da)} and {len(db)} lines")
diff = [(x, y) for x, y in zip(da, db) if x != y]
allowed = all(x.split(":")[0] in ("network", "header crc32") and
              x.split(":")[0] == y.split(":")[0] for x, y in diff)
if not allowed:
    sys.exit(f"{stem}: images differ:\n" + "\n".join(f"- {x}\n+ {y}" for x, y in diff))
print(f"{stem}: the same image but for {len(diff)} header lines (network hash, header crc32)")
