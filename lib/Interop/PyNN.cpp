//===- PyNN.cpp - A PyNN script for the network ---------------------------===//
//
// run.py is a fixed preamble (command line, spike files, backend quirks), the
// network's own lines (one sim.Population per population, one sim.Projection
// per projection, written out so that a reader sees the network) and a fixed
// epilogue (run, spike counts). The connection lists are scnc's own
// writeConnectionsNpy files.
//
//===----------------------------------------------------------------------===//
#include "scnc/Interop/PyNN.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Printer.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>

using namespace scnc;
using namespace llvm;

namespace {

/// A Python string literal of \p s.
std::string pyString(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

/// A Python number literal of \p v (the IR's shortest round-trip form).
std::string pyNumber(double v) {
  std::string s;
  raw_string_ostream os(s);
  printNumber(os, v);
  return os.str();
}

const char *preamble = R"PY(
Command line:
  run.py [--backend spiNNaker|nest|brian2] [--input [LAYER=]FILE]...
         [--duration MS] [--output DIR] [--save-spikes]

--input gives an input layer's spikes: rows (time ms, neuron), neuron the
index in the layer (channel-major c*H*W + y*W + x, as scnc's IR), as .npy
(shape (K, 2)) or CSV (`time,neuron` lines; a header line, `#` comments and
blank lines skipped): the files scnc-run --input reads, read the same way (a
time falls in tick round(t / dt), spikes of one neuron in one tick merged).
Input layers without a file are silent. Default duration: one presentation.

Writes DIR/counts.json (spikes per layer) and, with --save-spikes,
DIR/<layer>.spikes.npy (rows (time ms, neuron), sorted), as scnc-run -o does.

Semantics: PyNN's IF_curr_exp on the chosen backend; docs/interop.md in scnc's
sources lists what differs from scnc's execution model (synaptic input
scaling, when a delayed spike reaches the membrane, refractory ticks).
"""
import argparse
import importlib
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
)PY";

const char *functions = R"PY(

def fail(msg):
    sys.exit(f"run.py: error: {msg}")


def parse_args():
    ap = argparse.ArgumentParser(description=f"Runs network {NETWORK} with PyNN")
    ap.add_argument("--backend", default="spiNNaker",
                    choices=["spiNNaker", "nest", "brian2"],
                    help="PyNN backend: pyNN.<backend> (default spiNNaker)")
    ap.add_argument("--input", action="append", default=[], metavar="[LAYER=]FILE",
                    help="input spikes of an input layer (repeatable)")
    ap.add_argument("--duration", type=float, default=PRESENTATION,
                    help=f"ms to simulate (default {PRESENTATION:g}: one presentation)")
    ap.add_argument("--output", default="pynn-output", metavar="DIR",
                    help="where counts.json (and spikes) go (default pynn-output)")
    ap.add_argument("--save-spikes", action="store_true",
                    help="also write <layer>.spikes.npy")
    return ap.parse_args()


def to_tick(t):
    """round(t / dt), ties away from zero (scnc's timeToTick)."""
    q = np.asarray(t, dtype=np.float64) / TIMESTEP
    return np.where(q >= 0, np.floor(q + 0.5), np.ceil(q - 0.5))


def read_rows(path):
    if path.endswith(".npy"):
        try:
            a = np.load(path)
        except Exception as e:  # noqa: BLE001
            fail(f"'{path}': {e}")
        if a.ndim != 2 or a.shape[1] != 2:
            fail(f"'{path}': shape {a.shape} is not (K, 2): expected rows of "
                 "(time in ms, neuron)")
        return a.astype(np.float64), [f"row {r}" for r in range(len(a))]
    rows, where = [], []
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        fail(f"'{path}': {e.strerror}")
    first = True
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        fields = [f.strip() for f in s.split(",")]
        try:
            vals = [float(f) for f in fields]
        except ValueError:
            if first and not any(c.isdigit() for c in s):
                first = False
                continue  # a header line
            fail(f"'{path}': line {n}: not a number list: '{s}'")
        first = False
        if len(vals) != 2:
            fail(f"'{path}': line {n}: {len(vals)} columns, expected 2 (time in ms, neuron)")
        rows.append(vals)
        where.append(f"line {n}")
    return np.array(rows, dtype=np.float64).reshape(-1, 2), where


def read_spikes(path, layer, size, ticks):
    """Per neuron the spike times (ms, whole ticks) of `path`."""
    a, where = read_rows(path)
    for r in range(len(a)):
        t, i = a[r]
        if math.isnan(t) or math.isnan(i):
            fail(f"'{path}': {where[r]}: {'time' if math.isnan(t) else 'neuron'} is NaN")
        if t < 0:
            fail(f"'{path}': {where[r]}: negative time {t:g} ms")
        if i != int(i):
            fail(f"'{path}': {where[r]}: neuron {i:g} is not a whole number")
        if i < 0 or i >= size:
            fail(f"'{path}': {where[r]}: neuron {i:g} does not exist: layer "
                 f"'{layer}' has {size} neurons")
    tick = to_tick(a[:, 0]).astype(np.int64)
    late = np.nonzero(tick >= ticks)[0]
    if len(late):
        r = late[0]
        fail(f"'{path}': {where[r]}: time {a[r, 0]:g} ms is outside the run "
             f"(ticks 0 to {ticks - 1} of {TIMESTEP:g} ms)")
    key = np.unique(tick * size + a[:, 1].astype(np.int64))  # merged, sorted
    times = [[] for _ in range(size)]
    for k in key:
        times[int(k % size)].append(float(k // size) * TIMESTEP)
    return times


def input_spikes(args, ticks):
    files = {}
    for spec in args.input:
        layer, sep, path = spec.partition("=")
        if not sep:
            if len(INPUTS) != 1:
                fail(f"--input {spec}: the network has input layers "
                     f"{', '.join(INPUTS)}: give LAYER=FILE")
            layer, path = next(iter(INPUTS)), spec
        if layer not in INPUTS:
            fail(f"--input {spec}: no input layer '{layer}' (input layers: "
                 f"{', '.join(INPUTS)})")
        if layer in files:
            fail(f"--input {spec}: a second file for layer '{layer}'")
        files[layer] = path
    return {layer: (read_spikes(files[layer], layer, size, ticks) if layer in files
                    else [[] for _ in range(size)])
            for layer, size in INPUTS.items()}


def connector(sim, name, inhibitory):
    """scnc's connection list: rows (pre, post, weight nA, delay ms).

    scnc's weights are magnitudes (the receptor gives the sign); PyNN's
    current-based synapses take inhibitory weights negative."""
    rows = np.load(os.path.join(HERE, "connections", name + ".npy"))
    if inhibitory:
        rows[:, 2] = -rows[:, 2]
    return sim.FromListConnector(rows, column_names=["weight", "delay"])


def neurons_per_core(sim, backend, pop, n):
    """scnc's partition as a hint to sPyNNaker 7 (a population's own limit);
    other backends ignore it."""
    if backend == "spiNNaker" and hasattr(pop, "set_max_atoms_per_core"):
        pop.set_max_atoms_per_core(n)


def set_global_neurons_per_core(sim, backend):
    """sPyNNaker 6: one neurons-per-core value per model, the smallest of the
    network's populations of that model."""
    if (backend == "spiNNaker" and hasattr(sim, "set_number_of_neurons_per_core")
            and not hasattr(sim.Population, "set_max_atoms_per_core")):
        for model, n in MIN_NEURONS_PER_CORE.items():
            sim.set_number_of_neurons_per_core(getattr(sim, model), n)

)PY";

const char *epilogue = R"PY(

def main():
    args = parse_args()
    ticks = int(round(args.duration / TIMESTEP))
    if ticks <= 0 or abs(ticks * TIMESTEP - args.duration) > 1e-9 * args.duration:
        fail(f"--duration {args.duration:g}: not a positive whole number of "
             f"{TIMESTEP:g} ms timesteps")
    spikes = input_spikes(args, ticks)
    try:
        sim = importlib.import_module("pyNN." + args.backend)
    except ImportError as e:
        fail(f"backend {args.backend}: cannot import pyNN.{args.backend}: {e}")
    sim.setup(timestep=TIMESTEP)
    if args.backend == "brian2":
        # PyNN 0.10's Brian2 SpikeSourceArray runs on Brian2's default clock
        # (0.1 ms), not on the network's: give both the timestep.
        import brian2
        brian2.defaultclock.dt = TIMESTEP * brian2.ms
    set_global_neurons_per_core(sim, args.backend)
    pops, projs = build_network(sim, args.backend, spikes)
    for pop in pops.values():
        pop.record("spikes")
    sim.run(ticks * TIMESTEP)

    os.makedirs(args.output, exist_ok=True)
    layers = {}
    for name, pop in pops.items():
        seg = pop.get_data("spikes").segments[0]
        t_all, i_all = [], []
        for k, st in enumerate(seg.spiketrains):
            idx = st.annotations.get("source_index")
            if idx is None:
                idx = pop.id_to_index(st.annotations["source_id"]) \
                    if "source_id" in st.annotations else k
            t = np.asarray(st.rescale("ms").magnitude, dtype=np.float64)
            t_all.append(to_tick(t) * TIMESTEP)
            i_all.append(np.full(len(t), int(idx), dtype=np.float64))
        t = np.concatenate(t_all) if t_all else np.zeros(0)
        i = np.concatenate(i_all) if i_all else np.zeros(0)
        order = np.lexsort((i, t))
        rows = np.stack([t[order], i[order]], axis=1) if len(t) else np.zeros((0, 2))
        layers[name] = {"neurons": pop.size, "spikes": int(len(rows))}
        if args.save_spikes:
            np.save(os.path.join(args.output, name + ".spikes.npy"), rows)
    sim.end()
    with open(os.path.join(args.output, "counts.json"), "w") as f:
        json.dump({"network": NETWORK, "backend": args.backend,
                   "timestep_ms": TIMESTEP, "duration_ms": ticks * TIMESTEP,
                   "layers": layers}, f, indent=1)
        f.write("\n")
    print(f"{'layer':10s} {'neurons':>8s} {'spikes':>9s}")
    for name, l in layers.items():
        print(f"{name:10s} {l['neurons']:8d} {l['spikes']:9d}")
    print(f"{ticks} ticks of {TIMESTEP:g} ms ({ticks * TIMESTEP:g} ms), PyNN {args.backend}")


if __name__ == "__main__":
    main()
)PY";

/// The network's own lines: constants, then build_network().
void writeNetworkPart(const Network &n, raw_ostream &os) {
  const ConnectionSet &cs = *n.connections;
  os << "NETWORK = " << pyString(n.name) << "\n";
  os << "TIMESTEP = " << pyNumber(n.sim.timestep) << "  # ms\n";
  os << "PRESENTATION = " << pyNumber(n.sim.presentation)
     << "  # ms: the default duration, as scnc-run's\n";
  os << "# input layers and their sizes\nINPUTS = {";
  bool first = true;
  for (const Population &p : n.populations)
    if (p.kind == Population::Kind::Input) {
      os << (first ? "" : ", ") << pyString(p.name) << ": " << p.shape.size();
      first = false;
    }
  os << "}\n";
  uint32_t minInput = UINT32_MAX, minNeurons = UINT32_MAX;
  for (const Population &p : n.populations)
    (p.kind == Population::Kind::Input ? minInput : minNeurons) =
        std::min(p.kind == Population::Kind::Input ? minInput : minNeurons,
                 n.neuronsPerCore(p));
  os << "# sPyNNaker 6 takes one neurons-per-core value per model\n"
        "MIN_NEURONS_PER_CORE = {";
  first = true;
  if (minInput != UINT32_MAX) {
    os << "\"SpikeSourceArray\": " << minInput;
    first = false;
  }
  if (minNeurons != UINT32_MAX)
    os << (first ? "" : ", ") << "\"IF_curr_exp\": " << minNeurons;
  os << "}\n";

  os << functions;

  os << "def build_network(sim, backend, spikes):\n"
        "    \"\"\"The network of scnc's IR: populations in its order, "
        "neuron indices as its\n"
        "    (channel-major), neurons_per_core as scnc's partition.\"\"\"\n"
        "    pops, projs = {}, {}\n";
  for (const Population &p : n.populations) {
    std::string key = "pops[" + pyString(p.name) + "]";
    os << "\n    # " << p.name << ": " << p.layer << ", " << p.shape.h << " x "
       << p.shape.w << " x " << p.shape.c << "\n";
    if (p.kind == Population::Kind::Input) {
      os << "    " << key << " = sim.Population(" << p.shape.size()
         << ", sim.SpikeSourceArray(spike_times=spikes[" << pyString(p.name)
         << "]), label=" << pyString(p.name) << ")\n";
    } else {
      const NeuronParams *np = n.findNeuronSet(p.neuron);
      os << "    " << key << " = sim.Population(" << p.shape.size()
         << ", sim.IF_curr_exp(";
      os << "tau_m=" << pyNumber(np->tau_m) << ", cm=" << pyNumber(np->cm)
         << ", v_rest=" << pyNumber(np->v_rest)
         << ", v_reset=" << pyNumber(np->v_reset)
         << ", v_thresh=" << pyNumber(np->v_thresh)
         << ",\n        tau_refrac=" << pyNumber(np->tau_refrac)
         << ", tau_syn_E=" << pyNumber(np->tau_syn_E)
         << ", tau_syn_I=" << pyNumber(np->tau_syn_I)
         << ", i_offset=" << pyNumber(np->i_offset)
         << "), label=" << pyString(p.name) << ")  # neuron set " << np->name
         << "\n";
      os << "    " << key << ".initialize(v=" << pyNumber(np->v_init) << ")\n";
    }
    os << "    neurons_per_core(sim, backend, " << key << ", "
       << n.neuronsPerCore(p) << ")\n";
  }
  for (size_t pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &pr = n.projections[pi];
    const ConnectionList &l = cs.lists[pi];
    bool inh = pr.receptor == Projection::Receptor::Inhibitory;
    os << "\n    # " << pr.name << ": " << toString(pr.kind) << ", "
       << withCommas(l.size()) << (l.size() == 1 ? " synapse" : " synapses")
       << ", connections/" << pr.name << ".npy\n";
    if (!pr.stdp.empty())
      os << "    # STDP rule " << pr.stdp
         << " in scnc: exported frozen, with the weights the list has\n"
            "    # (initial or trained), as scncc compiles it without "
            "--plastic.\n";
    if (l.size() == 0) {
      os << "    # no synapses: no projection (PyNN's FromListConnector "
            "needs rows)\n";
      continue;
    }
    os << "    projs[" << pyString(pr.name) << "] = sim.Projection(pops["
       << pyString(n.populations[pr.pre].name) << "], pops["
       << pyString(n.populations[pr.post].name) << "],\n        connector(sim, "
       << pyString(pr.name) << ", inhibitory=" << (inh ? "True" : "False")
       << "),\n        receptor_type="
       << (inh ? "\"inhibitory\"" : "\"excitatory\"")
       << ", label=" << pyString(pr.name) << ")\n";
  }
  os << "    return pops, projs\n";
}

void writeNetworkJson(const Network &n, raw_ostream &out) {
  json::OStream j(out, 1);
  j.object([&] {
    j.attribute("network", n.name);
    j.attribute("timestep_ms", n.sim.timestep);
    j.attribute("presentation_ms", n.sim.presentation);
    j.attributeArray("populations", [&] {
      for (const Population &p : n.populations)
        j.object([&] {
          j.attribute("name", p.name);
          bool input = p.kind == Population::Kind::Input;
          j.attribute("kind", input ? "SpikeSourceArray" : "IF_curr_exp");
          j.attribute("size", int64_t(p.shape.size()));
          j.attributeArray("shape", [&] {
            j.value(int64_t(p.shape.h));
            j.value(int64_t(p.shape.w));
            j.value(int64_t(p.shape.c));
          });
          j.attribute("neurons_per_core", int64_t(n.neuronsPerCore(p)));
          if (input)
            return;
          const NeuronParams *np = n.findNeuronSet(p.neuron);
          j.attribute("neuron_set", np->name);
          j.attributeObject("params", [&] {
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  if (neuronModelTakes(NeuronModelKind::IfCurrExp, #NAME))                     \
    j.attribute(#NAME, np->NAME);
#include "scnc/IR/NeuronParams.def"
          });
        });
    });
    j.attributeArray("projections", [&] {
      for (size_t pi = 0; pi < n.projections.size(); ++pi) {
        const Projection &pr = n.projections[pi];
        j.object([&] {
          j.attribute("name", pr.name);
          j.attribute("pre", n.populations[pr.pre].name);
          j.attribute("post", n.populations[pr.post].name);
          j.attribute("kind", toString(pr.kind));
          j.attribute("receptor",
                      pr.receptor == Projection::Receptor::Inhibitory
                          ? "inhibitory"
                          : "excitatory");
          j.attribute("synapses", int64_t(n.connections->lists[pi].size()));
          j.attribute("list", "connections/" + pr.name + ".npy");
          j.attribute("stdp", pr.stdp.empty() ? json::Value(nullptr)
                                              : json::Value(pr.stdp));
        });
      }
    });
  });
  out << "\n";
}

Error fileError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

} // namespace

Error scnc::checkPyNNExportable(const Network &n) {
  for (const Population &p : n.populations) {
    if (p.kind == Population::Kind::Input)
      continue;
    const NeuronParams *np = n.findNeuronSet(p.neuron);
    if (!np)
      return fileError("population '" + p.name + "': no neuron set '" +
                       p.neuron + "'");
    if (np->model != "IF_curr_exp")
      return fileError("population '" + p.name + "' uses neuron model " +
                       np->model + " (neuron set '" + np->name +
                       "'): PyNN out supports IF_curr_exp only");
  }
  return Error::success();
}

Error scnc::checkPyNNOutputDir(StringRef dir) {
  sys::fs::file_status st;
  if (sys::fs::status(dir, st))
    return Error::success(); // missing: created
  if (st.type() != sys::fs::file_type::directory_file)
    return fileError("'" + dir + "' exists and is not a directory");
  std::error_code ec;
  bool empty =
      sys::fs::directory_iterator(dir, ec) == sys::fs::directory_iterator();
  if (ec)
    return fileError("cannot read directory '" + dir + "': " + ec.message());
  if (empty)
    return Error::success();
  for (const char *f : {"run.py", "network.json"}) {
    SmallString<256> p(dir);
    sys::path::append(p, f);
    if (!sys::fs::exists(p))
      return fileError("'" + dir +
                       "' is a directory that is not empty and not an earlier "
                       "-emit=pynn output (no " +
                       f + "): refusing to replace it");
  }
  return Error::success();
}

Error scnc::writePyNN(const Network &n, StringRef dirArg,
                      const PyNNOptions &o) {
  if (!n.connections)
    return fileError("the connections were not expanded");
  if (Error e = checkPyNNExportable(n))
    return e;
  if (Error e = checkPyNNOutputDir(dirArg))
    return e;
  SmallString<256> dir(dirArg);
  sys::path::remove_dots(dir, /*remove_dot_dot=*/false);
  while (dir.size() > 1 && sys::path::is_separator(dir.back()))
    dir.pop_back();
  StringRef parent = sys::path::parent_path(dir);
  if (!parent.empty())
    if (std::error_code ec = sys::fs::create_directories(parent))
      return fileError("cannot create directory '" + parent +
                       "': " + ec.message());

  // A sibling of dir, so the final rename stays on one file system.
  SmallString<256> tmp;
  for (unsigned attempt = 0;; ++attempt) {
    sys::fs::createUniquePath(dir + ".tmp-%%%%%%", tmp, false);
    std::error_code ec =
        sys::fs::create_directory(tmp, /*IgnoreExisting=*/false);
    if (!ec)
      break;
    if (ec != std::errc::file_exists || attempt > 100)
      return fileError("cannot create directory '" + tmp +
                       "': " + ec.message());
  }
  auto cleanup = [&](Error e) {
    sys::fs::remove_directories(tmp);
    return e;
  };

  SmallString<256> lists(tmp);
  sys::path::append(lists, "connections");
  if (Error e = writeConnectionsNpy(n, lists))
    return cleanup(std::move(e));

  SmallString<256> script(tmp);
  sys::path::append(script, "run.py");
  if (Error e = writeOutputAtomically(script, [&](raw_ostream &os) {
        os << "#!/usr/bin/env python3\n\"\"\"PyNN script for network " << n.name
           << ", written by scncc -emit=pynn from "
           << (o.source.empty() ? std::string("?") : o.source) << ".\n";
        os << preamble;
        writeNetworkPart(n, os);
        os << epilogue;
        return Error::success();
      }))
    return cleanup(std::move(e));
  sys::fs::setPermissions(script, sys::fs::all_read | sys::fs::all_exe |
                                      sys::fs::owner_write);

  SmallString<256> netJson(tmp);
  sys::path::append(netJson, "network.json");
  if (Error e = writeOutputAtomically(netJson, [&](raw_ostream &os) {
        writeNetworkJson(n, os);
        return Error::success();
      }))
    return cleanup(std::move(e));

  // An earlier output moves aside first (rename cannot replace a directory
  // that is not empty), and goes once the new one is in place.
  SmallString<256> old;
  if (sys::fs::is_directory(dir)) {
    sys::fs::createUniquePath(dir + ".old-%%%%%%", old, false);
    if (std::error_code ec = sys::fs::rename(dir, old))
      return cleanup(
          fileError("cannot move '" + dir + "' aside: " + ec.message()));
  }
  if (std::error_code ec = sys::fs::rename(tmp, dir)) {
    if (!old.empty())
      sys::fs::rename(old, dir);
    return cleanup(fileError("cannot rename '" + tmp + "' to '" + dir +
                             "': " + ec.message()));
  }
  if (!old.empty())
    sys::fs::remove_directories(old);
  return Error::success();
}
