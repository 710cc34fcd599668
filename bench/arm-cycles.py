#!/usr/bin/env python3
"""arm-cycles.py: the core program's costs from qemu's instruction trace.

Called by bench/arm-cycles.sh (docs/arm-cycles.md). Inputs: the cycles-qemu
ELF, the board ELF (for start.S's interrupt entries), qemu's trace of
cycles-qemu (-singlestep -d exec,nochain: one "Trace" line per executed
instruction, the PC the second field in the brackets) and the program's
semihosting output (its measurement points and, per segment, its point).

A segment is what runs between two calls of scnc_mark, less the
instructions of CycleBench.cpp's segment() (the marks' set-up and the
call). Its instructions are counted, and its cycles estimated by applying
ARM9E-S timings (the ARM968E-S's core, code and data in TCM) to each
executed instruction, disassembled with arm-none-eabi-objdump, looking at
the next executed instructions for taken branches and interlocks. Per
point the segments' sums are divided by the point's units (ticks,
packets); quantities are slopes and intercepts of exact least-squares fits
over a scenario's points. Python 3 standard library only.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
from fractions import Fraction

# --------------------------------------------------------------------------
# Disassembly
# --------------------------------------------------------------------------

CONDS = {"eq", "ne", "cs", "cc", "hs", "lo", "mi", "pl", "vs", "vc", "hi",
         "ls", "ge", "lt", "gt", "le", "al"}
DP_ARITH = {"add", "sub", "rsb", "adc", "sbc"}
DP_LOGIC = {"and", "eor", "orr", "bic", "mov", "mvn", "rsc"}
DP_CMP = {"cmp", "cmn", "tst", "teq"}
SHIFTS = {"lsl", "lsr", "asr", "ror", "rrx"}
MUL32 = {"mul", "mla"}
MUL64 = {"umull", "umlal", "smull", "smlal"}
MULDSP = {"smul" + a + b for a in "bt" for b in "bt"} | \
    {"smla" + a + b for a in "bt" for b in "bt"} | \
    {"smulwb", "smulwt", "smlawb", "smlawt"}
MULDSP64 = {"smlal" + a + b for a in "bt" for b in "bt"}
SAT = {"qadd", "qsub", "qdadd", "qdsub", "clz"}
LOADS_W = {"ldr", "ldrt"}
LOADS_BH = {"ldrb", "ldrh", "ldrsb", "ldrsh", "ldrbt"}
STORES = {"str", "strb", "strh", "strt", "strbt"}
LDM = {"ldm", "ldmia", "ldmib", "ldmda", "ldmdb", "ldmfd", "ldmfa", "ldmed",
       "ldmea", "pop"}
STM = {"stm", "stmia", "stmib", "stmda", "stmdb", "stmfd", "stmfa", "stmed",
       "stmea", "push"}
BRANCH = {"b", "bl"}
BRANCH_REG = {"bx", "blx"}
OTHER = {"mrs", "msr", "svc", "nop", "mcr", "mrc", "swp", "swpb", "ldrd",
         "strd"}
FLAGGABLE = DP_ARITH | DP_LOGIC | SHIFTS | MUL32 | MUL64
KNOWN = (DP_ARITH | DP_LOGIC | DP_CMP | SHIFTS | MUL32 | MUL64 | MULDSP |
         MULDSP64 | SAT | LOADS_W | LOADS_BH | STORES | LDM | STM | BRANCH |
         BRANCH_REG | OTHER | {m + "s" for m in FLAGGABLE})

REG_ALIASES = {"sb": 9, "sl": 10, "fp": 11, "ip": 12, "sp": 13, "lr": 14,
               "pc": 15}
REG_RE = re.compile(r"\b(r1[0-5]|r[0-9]|sb|sl|fp|ip|sp|lr|pc)\b")


def reg_num(name):
    return REG_ALIASES[name] if name in REG_ALIASES else int(name[1:])


def reg_list(text):
    """Registers of a {..} list, ranges expanded."""
    regs = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            a, b = (reg_num(x.strip()) for x in part.split("-"))
            regs.extend(range(a, b + 1))
        elif part:
            regs.append(reg_num(part))
    return regs


class Insn:
    """One decoded instruction: its class, the registers it reads and
    writes, and what its timing depends on."""
    __slots__ = ("addr", "text", "base", "cond", "flags", "reads", "writes",
                 "nregs", "reg_shift", "scaled", "writes_pc", "kind")

    def __init__(self, addr, mnemonic, ops):
        self.addr = addr
        self.text = (mnemonic + " " + ops).strip()
        self.cond = None
        self.flags = False
        base = mnemonic
        if base not in KNOWN and base[:-2] in KNOWN and base[-2:] in CONDS:
            base, self.cond = base[:-2], base[-2:]
        if base not in KNOWN:
            raise ValueError("unknown instruction at %#x: %s" %
                             (addr, self.text))
        if base.endswith("s") and base[:-1] in FLAGGABLE:
            base, self.flags = base[:-1], True
        self.base = base
        ops = re.split(r"[@;]", ops)[0]
        ops = re.sub(r"<[^>]*>", "", ops).strip()
        regs = [reg_num(r) for r in REG_RE.findall(ops)]
        self.reads, self.writes = set(), []
        self.nregs = 0
        self.reg_shift = False
        self.scaled = False
        if base in DP_CMP:
            self.kind = "dp"
            self.reads = set(regs)
            self.reg_shift = bool(re.search(
                r"(lsl|lsr|asr|ror)\s+(r\d|ip|sp|lr|fp|sl|sb)", ops))
        elif base in DP_ARITH | DP_LOGIC:
            self.kind = "dp"
            self.writes = regs[:1]
            self.reads = set(regs[1:])
            self.reg_shift = bool(re.search(
                r"(lsl|lsr|asr|ror)\s+(r\d|ip|sp|lr|fp|sl|sb)", ops))
        elif base in SHIFTS:
            self.kind = "dp"
            self.writes = regs[:1]
            self.reads = set(regs[1:])
            self.reg_shift = base != "rrx" and len(regs) == 3
        elif base in SAT:
            self.kind = "dp"
            self.writes = regs[:1]
            self.reads = set(regs[1:])
        elif base in MUL32 or base in MULDSP:
            self.kind = "mul32" if base in MUL32 else "muldsp"
            self.writes = regs[:1]
            self.reads = set(regs[1:])
        elif base in MUL64 or base in MULDSP64:
            self.kind = "mul64" if base in MUL64 else "muldsp64"
            self.writes = regs[:2]
            self.reads = set(regs[2:])
            if base in ("umlal", "smlal") or base in MULDSP64:
                self.reads |= set(regs[:2])
        elif base in LOADS_W or base in LOADS_BH or base == "ldrd":
            self.kind = "ldrd" if base == "ldrd" else \
                ("ldr" if base in LOADS_W else "ldrbh")
            n = 2 if base == "ldrd" else 1
            self.writes = regs[:n]
            self.reads = set(regs[n:])
            self.scaled = bool(re.search(r",\s*(lsl|lsr|asr|ror)\s*#", ops))
        elif base in STORES or base == "strd":
            self.kind = "strd" if base == "strd" else "str"
            self.reads = set(regs)
            self.scaled = bool(re.search(r",\s*(lsl|lsr|asr|ror)\s*#", ops))
        elif base in LDM or base in STM:
            self.kind = "ldm" if base in LDM else "stm"
            lst = reg_list(ops[ops.index("{") + 1:ops.index("}")])
            self.nregs = len(lst)
            base_regs = [] if base in ("push", "pop") else regs[:1]
            if self.kind == "ldm":
                self.writes = lst
                self.reads = set(base_regs)
            else:
                self.reads = set(lst) | set(base_regs)
        elif base in BRANCH:
            self.kind = "b"
        elif base in BRANCH_REG:
            self.kind = "bx"
            self.reads = set(regs)
        elif base == "mrs":
            self.kind = "mrs"
            self.writes = regs[:1]
        elif base == "msr":
            self.kind = "msr"
            self.reads = set(regs)
        else:
            self.kind = base  # svc, nop, mcr, mrc, swp
            self.reads = set(regs)
        self.writes_pc = 15 in self.writes or self.kind in ("b", "bx")


def disassemble(objdump, elf):
    out = subprocess.run([objdump, "-d", elf], check=True,
                         capture_output=True, text=True).stdout
    insns = {}
    line_re = re.compile(r"^\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(\S+)\s*(.*)$")
    for line in out.splitlines():
        m = line_re.match(line)
        if not m or m.group(3).startswith("."):
            continue  # literal pools
        addr = int(m.group(1), 16)
        try:
            insns[addr] = Insn(addr, m.group(3), m.group(4))
        except ValueError:
            insns[addr] = None  # data the disassembler read as code
    return insns


def symbols(nm, elf):
    out = subprocess.run([nm, "-S", "-C", elf], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split(None, 1)
        if len(f) < 2:
            continue
        rest = f[1].split(None, 1)
        if len(rest[0]) == 1:  # no size: "addr type name"
            syms[rest[1]] = (int(f[0], 16), 0)
        else:  # "addr size type name"
            t = rest[1].split(None, 1)
            syms[t[1]] = (int(f[0], 16), int(rest[0], 16))
    return syms

# --------------------------------------------------------------------------
# ARM9E-S timing (docs/arm-cycles.md lists the sources and assumptions)
# --------------------------------------------------------------------------


def uses(insn, regs):
    return insn is not None and bool(insn.reads & set(regs))


def cycles(i, taken, nxt, nxt2):
    """Cycles of instruction i, given whether it changed the flow (the next
    executed PC is not i + 4) and the next two executed instructions: as
    executed, and the least it may take (the trace does not tell whether a
    conditional instruction that does not change the flow passed its
    condition; one that failed takes 1 cycle)."""
    c = cycles_executed(i, taken, nxt, nxt2)
    if i.cond and not (i.writes_pc and taken):
        return c, 1
    return c, c


def cycles_executed(i, taken, nxt, nxt2):
    k = i.kind
    if k == "b" or k == "bx":
        return 3 if taken else 1
    if k == "dp":
        if i.writes_pc and taken:
            if i.reg_shift or re.search(r"(lsl|lsr|asr|ror|rrx)", i.text):
                return 4
            return 3 if i.base in DP_ARITH else 4
        return 2 if i.reg_shift else 1
    if k == "mul32":
        c = 3 if i.flags else 2
        return c + (1 if uses(nxt, i.writes) else 0)
    if k == "mul64":
        c = 4 if i.flags else 3
        return c + (1 if uses(nxt, i.writes) else 0)
    if k == "muldsp":
        return 1 + (1 if uses(nxt, i.writes) else 0)
    if k == "muldsp64":
        return 2 + (1 if uses(nxt, i.writes) else 0)
    if k == "ldr":
        if i.writes_pc:
            return 6 if i.scaled else 5
        c = 2 if i.scaled else 1
        return c + (1 if uses(nxt, i.writes) else 0)
    if k == "ldrbh":
        c = 2 if i.scaled else 1
        if uses(nxt, i.writes):
            return c + 2
        if nxt is not None and nxt.kind in ("dp", "str", "ldr", "ldrbh") \
                and uses(nxt2, i.writes):
            return c + 1
        return c
    if k == "ldrd":
        return 2 + (1 if uses(nxt, i.writes) else 0)
    if k == "str":
        return 2 if i.scaled else 1
    if k == "strd":
        return 2
    if k == "ldm":
        if 15 in i.writes:
            return i.nregs + 4
        c = i.nregs if i.nregs > 1 else 2
        return c + (1 if uses(nxt, i.writes[-1:]) else 0)
    if k == "stm":
        return i.nregs if i.nregs > 1 else 2
    if k == "mrs":
        return 2
    if k == "msr":
        return 3 if "_c" in i.text or "cxsf" in i.text else 1
    return 1  # nop, svc (never in a segment), coprocessor: assumption

# --------------------------------------------------------------------------
# The trace
# --------------------------------------------------------------------------


def trace_pcs(path):
    pcs = []
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"Trace"):
                b = line.index(b"[")
                pcs.append(int(line[b + 10:b + 18], 16))
    return pcs


def read_program_output(path):
    points, segments = [], []
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "point":
                points.append({"scenario": w[2], "x": int(w[3]),
                               "units": int(w[4])})
            elif w[0] == "segments":
                segments.extend(int(x) for x in w[1:])
            elif w[0] == "error:":
                sys.exit("cycles-qemu: " + line.strip())
    return points, segments


def measure(pcs, insns, mark, skip, seg_points, npoints, listing=None):
    """Per point: instructions and estimated cycles of its segments; per PC
    of point `listing` its executions and cycles (into `profile`)."""
    hits = [k for k, pc in enumerate(pcs) if pc == mark]
    if len(hits) != 2 * len(seg_points):
        sys.exit("error: %d scnc_mark calls in the trace, expected %d" %
                 (len(hits), 2 * len(seg_points)))
    lo, hi = skip
    ins = [0] * npoints
    cyc = [0] * npoints
    cmin = [0] * npoints
    cache = {}
    n = len(pcs)
    for s, p in enumerate(seg_points):
        a, b = hits[2 * s], hits[2 * s + 1]
        for k in range(a + 1, b):
            pc = pcs[k]
            if lo <= pc < hi:
                continue
            nxt = pcs[k + 1] if k + 1 < n else None
            nxt2 = pcs[k + 2] if k + 2 < n else None
            key = (pc, nxt, nxt2)
            c = cache.get(key)
            if c is None:
                i = insns.get(pc)
                if i is None:
                    sys.exit("error: executed PC %#x is not an instruction" %
                             pc)
                c = cycles(i, nxt != pc + 4, insns.get(nxt), insns.get(nxt2))
                cache[key] = c
            ins[p] += 1
            cyc[p] += c[0]
            cmin[p] += c[1]
            if p == listing:
                e = profile.setdefault(pc, [0, 0])
                e[0] += 1
                e[1] += c[0]
    return ins, cyc, cmin


profile = {}


def entry_exit(insns, syms, start, end, extra):
    """Instructions and cycles of start.S's straight-line entry code from
    symbol start up to symbol end (exclusive), its calls and final load of
    the PC taken; plus `extra` cycles."""
    lo, hi = syms[start][0], syms[end][0]
    seq = [insns[a] for a in sorted(insns) if lo <= a < hi and insns[a]]
    seq = [i for i in seq if i is not None]
    total = 0
    for k, i in enumerate(seq):
        nxt = seq[k + 1] if k + 1 < len(seq) else None
        nxt2 = seq[k + 2] if k + 2 < len(seq) else None
        taken = i.kind in ("b", "bx") or i.writes_pc
        total += cycles(i, taken, nxt, nxt2)[0]
    return len(seq), total + extra, [i.text for i in seq]

# --------------------------------------------------------------------------
# Fits
# --------------------------------------------------------------------------


def fit(xs, ys):
    """Exact least squares y = a + b x; residuals."""
    n = len(xs)
    sx, sy = sum(xs), sum(ys)
    sxx = sum(x * x for x in xs)
    sxy = sum(x * y for x, y in zip(xs, ys))
    b = Fraction(n * sxy - sx * sy, n * sxx - sx * sx)
    a = Fraction(sy - b * sx, n)
    res = [y - (a + b * x) for x, y in zip(xs, ys)]
    return a, b, res


def f2(v):
    return round(float(v), 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", required=True)
    ap.add_argument("--board-elf", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--output", required=True, help="the program's output")
    ap.add_argument("--objdump", default="arm-none-eabi-objdump")
    ap.add_argument("--nm", default="arm-none-eabi-nm")
    ap.add_argument("--json", required=True)
    ap.add_argument("--command", default="bench/arm-cycles.sh")
    ap.add_argument("--listing", metavar="SCENARIO:X",
                    help="also print each instruction a point executed")
    args = ap.parse_args()

    insns = disassemble(args.objdump, args.elf)
    syms = symbols(args.nm, args.elf)
    mark = syms["scnc_mark"][0]
    seg = [v for k, v in syms.items()
           if k.startswith("(anonymous namespace)::segment(")]
    if len(seg) != 1:
        sys.exit("error: no segment() in " + args.elf)
    skip = (seg[0][0], seg[0][0] + seg[0][1])
    points, seg_points = read_program_output(args.output)
    pcs = trace_pcs(args.trace)
    listing = None
    if args.listing:
        scen, x = args.listing.split(":")
        listing = [k for k, p in enumerate(points)
                   if p["scenario"] == scen and p["x"] == int(x)][0]
    ins, cyc, cmin = measure(pcs, insns, mark, skip, seg_points,
                             len(points), listing)
    if listing is not None:
        units = points[listing]["units"]
        print("listing of %s (per unit: executions, cycles):" % args.listing)
        for pc in sorted(profile):
            n, c = profile[pc]
            print("  %6x %8.2f %8.2f  %s" % (pc, n / units, c / units,
                                            insns[pc].text))
        print()
    METRICS = ("instructions", "cycles", "cycles_min")
    for p, pt in enumerate(points):
        pt["instructions"], pt["cycles"], pt["cycles_min"] = \
            ins[p], cyc[p], cmin[p]

    def per_unit(p):
        return [Fraction(p[m], p["units"]) for m in METRICS]

    q = {}  # quantity -> [instructions, cycles, cycles_min]
    fits = {}

    def add_fit(scenario, slope_name, icept_name, xfun=lambda x: x,
                xlabel="x"):
        pts = [p for p in points if p["scenario"] == scenario]
        xs = [xfun(p["x"]) for p in pts]
        f = {"x": xlabel, "points": xs}
        slope, icept = [], []
        for k, m in enumerate(METRICS):
            ys = [per_unit(p)[k] for p in pts]
            a, b, r = fit(xs, ys)
            f[m] = {"per_unit": [f2(y) for y in ys], "slope": f2(b),
                    "intercept": f2(a), "residuals": [f2(v) for v in r]}
            slope.append(b)
            icept.append(a)
        fits[scenario] = f
        if slope_name:
            q[slope_name] = slope
        if icept_name:
            q[icept_name] = icept
        return icept, slope

    def single(name, scenario):
        pt = [p for p in points if p["scenario"] == scenario]
        assert len(pt) == 1
        q[name] = per_unit(pt[0])
        return q[name]

    def diff(a, b):
        return [x - y for x, y in zip(a, b)]

    single("empty handler (sanity check: its bx lr)", "empty")
    _, active = add_fit("tick-active", "per neuron, receiving input",
                        "per tick, fixed", xlabel="neurons")
    add_fit("tick-quiet", "per neuron, quiet (skipped)",
            "per tick, fixed (quiet neurons)", xlabel="neurons")
    _, spiking = add_fit("tick-spiking", None, None, xlabel="neurons")
    q["per spike (spiking minus receiving-input slope)"] = diff(spiking,
                                                               active)
    hit = single("per packet (0 synapses, last-entry hit)", "packet")
    single("per packet queued behind a transfer (burst of 16)",
           "packet-burst")
    add_fit("events", "per synaptic event",
            "per packet of the event rows (intercept)", xlabel="synapses")
    icept, step = add_fit("search", "per search step",
                          "per missing packet (intercept of the fit)",
                          xfun=lambda e: math.ceil(math.log2(e + 1)),
                          xlabel="ceil(log2(entries + 1))")
    # popTableFind halves log2(entries) times for 2^k entries, i.e.
    # ceil(log2(entries + 1)) - 1: a miss with no halving costs the
    # intercept plus one step.
    q["cache miss, fixed (a miss with no halving minus a hit)"] = diff(
        [a + b for a, b in zip(icept, step)], hit)

    # Interrupt entry and exit on the board (start.S, SCNC_BOARD), which
    # the qemu build does not run: straight-line, from the board ELF, plus
    # the core's exception entry and the vector's branch (assumption:
    # 3 cycles each, a pipeline refill like a taken branch).
    binsns = disassemble(args.objdump, args.board_elf)
    bsyms = symbols(args.nm, args.board_elf)
    irq_n, irq_c, irq_text = entry_exit(binsns, bsyms, "irq_entry",
                                        "fiq_entry", 6)
    fiq_end = bsyms["fiq_entry"][0] + 16  # sub, push, bl, ldm
    bsyms["fiq_end"] = (fiq_end, 0)
    fiq_n, fiq_c, fiq_text = entry_exit(binsns, bsyms, "fiq_entry",
                                        "fiq_end", 6)
    # The handler's call (blx r0 / bl) is in these sequences; the segments
    # count the handler from its first instruction through its return. The
    # vector's branch is one more instruction.
    irq = [Fraction(irq_n + 1), Fraction(irq_c), Fraction(irq_c)]
    fiq = [Fraction(fiq_n + 1), Fraction(fiq_c), Fraction(fiq_c)]
    q["IRQ entry and exit (start.S, by disassembly)"] = irq
    q["FIQ entry and exit (start.S, by disassembly)"] = fiq

    proposed = {
        "perTick": math.ceil(q["per tick, fixed"][1] + irq[1]),
        "perNeuron": math.ceil(q["per neuron, receiving input"][1]),
        "perPacket": math.ceil(hit[1] + fiq[1] + irq[1]),
        "perSearchStep": math.ceil(q["per search step"][1]),
        "perEvent": math.ceil(q["per synaptic event"][1]),
    }

    print("%-56s %12s %9s %9s" % ("quantity", "instructions", "cycles",
                                  "(least)"))
    for name, v in q.items():
        print("%-56s %12.2f %9.2f %9.2f" % (name, *map(float, v)))
    print()
    for name, f in fits.items():
        print("fit %s, x = %s: %s" % (name, f["x"], f["points"]))
        for m in METRICS:
            print("  %-12s per unit %s, residuals %s" %
                  (m, f[m]["per_unit"], f[m]["residuals"]))
    print()
    print("proposed CycleModel (cycles as executed, rounded up; perTick and "
          "perPacket include the interrupt entries):")
    for k, v in proposed.items():
        print("  %s = %d" % (k, v))

    result = {
        "command": args.command,
        "elf": os.path.relpath(args.elf, os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))),
        "quantities": {n: dict(zip(METRICS, map(f2, v)))
                       for n, v in q.items()},
        "fits": fits,
        "points": points,
        "irq_entry_exit": irq_text,
        "fiq_entry_exit": fiq_text,
        "proposed_cycle_model": proposed,
        "segments": len(seg_points),
        "traced_instructions": len(pcs),
    }
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
