"""nirsim.py FILE.nir SPIKES.npy TICKS OUTDIR: an independent float64
simulation of a NIR graph, written from NIR's node definitions
(neuroir.org) with h5py and numpy only, discretised as docs/interop.md
says scnc does:

- time steps of dt = 1 ms; a spike is a Dirac impulse of area 1;
- every path of linear nodes from a spiking node (Input, IF, LIF, CubaLIF)
  to a neuron node delivers one tick later, plus its Delay nodes;
- IF:      v += r x + r b dt
  LIF:     v = v_leak + (v - v_leak) e + r b (1 - e) + r x / tau,  e = exp(-dt/tau)
  CubaLIF: I += w_in x / tau_syn; v = v_leak + (v - v_leak) e + r (I + b)(1 - e);
           then I *= exp(-dt / tau_syn)
  with x the impulse areas arriving this tick and b the constant current
  (the biases); a neuron spikes when v > v_threshold and is then reset to
  v_reset (NIR 1.x; 0 in 0.2 files).

SPIKES.npy: rows (time in ms, neuron) for the graph's one Input node (C-order
index). Writes OUTDIR/<node>.spikes.npy per neuron node, rows (time ms,
neuron) sorted, as scnc-run -o does, with the node names scncc gives the
populations (see scnc_name).
"""
import os
import sys

import h5py
import numpy as np

DT = 1e-3  # s
DT_MS = 1.0


def scnc_name(name):
    s = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return s if s and s[0].isalpha() else "n" + s


def load(path):
    def node(g):
        d = {"type": g["type"][()].decode()}
        for k, v in g.items():
            if k in ("type", "nodes", "edges", "metadata") or isinstance(v, h5py.Group):
                continue
            d[k] = v[()]
        if d["type"] == "NIRGraph":
            d["nodes"] = {k: node(v) for k, v in g["nodes"].items()}
            d["edges"] = [(a.decode(), b.decode()) for a, b in g["edges"][()]]
        return d

    with h5py.File(path, "r") as f:
        return node(f["node"])


def flatten(g, prefix=""):
    """Nodes and edges of a graph with its subgraphs inlined."""
    nodes, edges, entry, exit_ = {}, [], {}, {}
    for name, n in g["nodes"].items():
        if n["type"] == "NIRGraph":
            sub_nodes, sub_edges = flatten(n, prefix + name + ".")
            ins = [k for k, v in n["nodes"].items() if v["type"] == "Input"]
            outs = [k for k, v in n["nodes"].items() if v["type"] == "Output"]
            for k in ins + outs:
                sub_nodes[prefix + name + "." + k]["type"] = "Identity"
            nodes.update(sub_nodes)
            edges += sub_edges
            entry[prefix + name] = prefix + name + "." + ins[0]
            exit_[prefix + name] = prefix + name + "." + outs[0]
        else:
            nodes[prefix + name] = dict(n)
    for a, b in g["edges"]:
        edges.append((exit_.get(prefix + a, prefix + a), entry.get(prefix + b, prefix + b)))
    return nodes, edges


def conv2d(x, n):
    w = n["weight"].astype(np.float64)
    s, p = np.broadcast_to(n["stride"], 2), np.broadcast_to(n["padding"], 2)
    d = np.broadcast_to(n.get("dilation", 1), 2)
    groups = int(n.get("groups", 1))
    C, H, W = x.shape
    F, Cg, KH, KW = w.shape
    xp = np.zeros((C, H + 2 * p[0], W + 2 * p[1]))
    xp[:, p[0]:p[0] + H, p[1]:p[1] + W] = x
    Ho = (H + 2 * p[0] - d[0] * (KH - 1) - 1) // s[0] + 1
    Wo = (W + 2 * p[1] - d[1] * (KW - 1) - 1) // s[1] + 1
    y = np.zeros((F, Ho, Wo))
    per = F // groups
    for f in range(F):
        gi = f // per
        for ky in range(KH):
            for kx in range(KW):
                patch = xp[gi * Cg:(gi + 1) * Cg,
                           ky * d[0]:ky * d[0] + s[0] * (Ho - 1) + 1:s[0],
                           kx * d[1]:kx * d[1] + s[1] * (Wo - 1) + 1:s[1]]
                y[f] += np.tensordot(w[f, :, ky, kx], patch, axes=1)
    return y


def pool(x, n, avg):
    k, s = np.broadcast_to(n["kernel_size"], 2), np.broadcast_to(n["stride"], 2)
    p = np.broadcast_to(n.get("padding", 0), 2)
    C, H, W = x.shape
    xp = np.zeros((C, H + 2 * p[0], W + 2 * p[1]))
    xp[:, p[0]:p[0] + H, p[1]:p[1] + W] = x
    Ho, Wo = (H + 2 * p[0] - k[0]) // s[0] + 1, (W + 2 * p[1] - k[1]) // s[1] + 1
    y = np.zeros((C, Ho, Wo))
    for ky in range(k[0]):
        for kx in range(k[1]):
            y += xp[:, ky:ky + s[0] * (Ho - 1) + 1:s[0], kx:kx + s[1] * (Wo - 1) + 1:s[1]]
    return y / (k[0] * k[1]) if avg else y


def apply(n, x, with_bias):
    """Node n on input x: (impulse part, or the constant part when with_bias)."""
    t = n["type"]
    if t in ("Identity", "Delay", "Output"):
        return x
    if t == "Flatten":
        a, b = int(n.get("start_dim", 0)), int(n.get("end_dim", -1))
        shape = list(x.shape)
        a, b = a % len(shape), b % len(shape)
        return x.reshape(shape[:a] + [int(np.prod(shape[a:b + 1]))] + shape[b + 1:])
    if t == "Scale":
        return x * n["scale"].astype(np.float64).reshape(
            x.shape if n["scale"].size == x.size else (-1,) + (1,) * (x.ndim - 1))
    if t in ("Linear", "Affine"):
        y = n["weight"].astype(np.float64) @ x.reshape(-1)
        if t == "Affine" and with_bias:
            y = y + n["bias"]
        return y
    if t == "Conv2d":
        y = conv2d(x, n)
        if with_bias and "bias" in n:
            y += np.asarray(n["bias"], np.float64).reshape(-1, 1, 1)
        return y
    if t == "SumPool2d":
        return pool(x, n, False)
    if t == "AvgPool2d":
        return pool(x, n, True)
    raise SystemExit(f"nirsim: node type {t} not simulated")


def main():
    path, spikes_path, ticks, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    nodes, edges = flatten(load(path))
    preds = {k: [a for a, b in edges if b == k] for k in nodes}
    neuron_types = ("IF", "LIF", "CubaLIF")
    spiking = [k for k, n in nodes.items() if n["type"] in neuron_types + ("Input",)]
    shape = {}
    for k in spiking:
        n = nodes[k]
        shape[k] = tuple(n["shape"]) if n["type"] == "Input" else n["v_threshold"].shape
    inputs = [k for k in spiking if nodes[k]["type"] == "Input"]
    assert len(inputs) == 1, "one Input node"
    ins = np.load(spikes_path).reshape(-1, 2)
    S = {k: np.zeros((ticks,) + shape[k]) for k in spiking}
    flat = S[inputs[0]].reshape(ticks, -1)
    for tm, i in ins:
        t = int(np.floor(tm / DT_MS + 0.5))
        if 0 <= t < ticks:
            flat[t, int(i)] = 1.0

    def value(k, t, bias):
        """What node k feeds its successors at tick t (impulses or constant)."""
        n = nodes[k]
        if k in S:
            if bias:
                return np.zeros(shape[k])
            return S[k][t - 1] if t >= 1 else np.zeros(shape[k])
        if n["type"] == "Delay" and not bias:
            t = t - int(round(float(np.max(n["delay"])) / DT))
        x = sum(value(p, t, bias) for p in preds[k])
        return apply(n, x, bias)

    # Every path takes at least one tick: within a tick the neuron nodes
    # read only earlier ticks' spikes, so any order will do.
    order = [k for k in spiking if k not in inputs]
    state = {}
    for k in order:
        n = {a: (np.asarray(v, np.float64).reshape(shape[k]) if isinstance(v, np.ndarray)
                 and v.size == int(np.prod(shape[k])) else v) for a, v in nodes[k].items()}
        n.setdefault("v_reset", np.zeros(shape[k]))
        b = sum(value(p, 0, True) for p in preds[k]).reshape(shape[k])
        state[k] = dict(n=n, v=np.zeros(shape[k]), I=np.zeros(shape[k]), b=b)
    for t in range(ticks):
        for k in order:
            st = state[k]
            n = st["n"]
            x = sum(value(p, t, False) for p in preds[k]).reshape(shape[k])
            r, v = n["r"], st["v"]
            if n["type"] == "IF":
                v = v + r * x + r * st["b"] * DT
            elif n["type"] == "LIF":
                e = np.exp(-DT / n["tau"])
                v = n["v_leak"] + (v - n["v_leak"]) * e + r * st["b"] * (1 - e) + r * x / n["tau"]
            else:
                st["I"] = st["I"] + n["w_in"] * x / n["tau_syn"]
                e = np.exp(-DT / n["tau_mem"])
                v = n["v_leak"] + (v - n["v_leak"]) * e + r * (st["I"] + st["b"]) * (1 - e)
                st["I"] = st["I"] * np.exp(-DT / n["tau_syn"])
            z = v > n["v_threshold"]
            v = np.where(z, n["v_reset"], v)
            st["v"] = v
            S[k][t] = z
    os.makedirs(out, exist_ok=True)
    for k in order:
        t, i = np.nonzero(S[k].reshape(ticks, -1))
        rows = np.stack([t * DT_MS, i], axis=1).astype(np.float64)
        np.save(os.path.join(out, scnc_name(k) + ".spikes.npy"), rows)
        print(f"{scnc_name(k)} {len(rows)}")


if __name__ == "__main__":
    main()
