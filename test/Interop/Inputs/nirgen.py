"""Writes small NIR graphs with h5py, the way NIR's own Python package lays
them out, for scncc's NIR reader tests: files scnc did not write.

    nirgen.py CASE OUT.nir [--layout 0.2|1.x]

0.2 layout (nir 0.2, the Sinabs export in ../shared/data/nir): vlen string
`type` and `edges`, plain datasets, Flatten's `input_type` a dataset.
1.x layout (nir >= 1.0): the same plus gzip-compressed arrays,
`input_type`/`output_type` groups, a `metadata` group, `v_reset` arrays.
"""
import sys

import h5py
import numpy as np

F = np.float32


def conv(w, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
         bias=None, input_shape=None):
    w = np.asarray(w, F)
    node = {"type": "Conv2d", "weight": w, "stride": np.array(stride),
            "padding": np.array(padding), "dilation": np.array(dilation),
            "groups": np.int64(groups),
            "bias": np.zeros(w.shape[0], F) if bias is None else np.asarray(bias, F)}
    if input_shape is not None:
        node["input_shape"] = np.array(input_shape)
    return node


def neuron(kind, shape, **p):
    node = {"type": kind}
    full = {"r": 1.0, "v_threshold": 1.0}
    if kind == "LIF":
        full.update(tau=0.02, v_leak=0.0)
    if kind == "CubaLIF":
        full.update(tau_mem=0.02, tau_syn=0.005, v_leak=0.0, w_in=1.0)
    full.update(p)
    for k, v in full.items():
        node[k] = np.full(shape, v, F) if np.isscalar(v) else np.asarray(v, F)
    return node


def inp(shape):
    return {"type": "Input", "shape": np.array(shape)}


def out(shape):
    return {"type": "Output", "shape": np.array(shape)}


def ramp(*shape):
    """Distinct weights of both signs, exact in float32."""
    n = int(np.prod(shape))
    return ((np.arange(n) % 7 - 3) * 0.25).reshape(shape).astype(F)


def graph(nodes, edges):
    return {"type": "NIRGraph", "nodes": nodes, "edges": edges}


CASES = {}


def case(f):
    CASES[f.__name__] = f
    return f


@case
def conv_if():
    """Input (2, 8, 8) -> Conv2d 3x2x3x3 stride 2 pad 1 -> IF: 3 x 4 x 4."""
    return graph({"input": inp((2, 8, 8)),
                  "conv": conv(ramp(3, 2, 3, 3), (2, 2), (1, 1), input_shape=(8, 8)),
                  "lif": neuron("IF", (3, 4, 4)), "output": out((3, 4, 4))},
                 [("input", "conv"), ("conv", "lif"), ("lif", "output")])


@case
def dilated_grouped():
    """Conv2d groups 2, dilation 2 on (4, 9, 9): 4 x 5 x 5."""
    return graph({"input": inp((4, 9, 9)),
                  "conv": conv(ramp(4, 2, 3, 3), (1, 1), (0, 0), (2, 2), groups=2),
                  "n": neuron("IF", (4, 5, 5))},
                 [("input", "conv"), ("conv", "n")])


@case
def pools():
    """SumPool2d and AvgPool2d 2x2 stride 2 straight into neurons."""
    return graph({"input": inp((2, 6, 6)),
                  "sum": {"type": "SumPool2d", "kernel_size": np.array([2, 2]),
                          "stride": np.array([2, 2]), "padding": np.array([0, 0])},
                  "avg": {"type": "AvgPool2d", "kernel_size": np.array([3, 3]),
                          "stride": np.array([3, 3]), "padding": np.array([0, 0])},
                  "a": neuron("IF", (2, 3, 3)), "b": neuron("IF", (2, 2, 2))},
                 [("input", "sum"), ("sum", "a"), ("input", "avg"), ("avg", "b")])


@case
def pool_conv():
    """SumPool2d then Conv2d pad 1 between two IF layers: one 6x6 conv."""
    return graph({"input": inp((1, 8, 8)), "c1": conv(ramp(2, 1, 3, 3), padding=(1, 1)),
                  "a": neuron("IF", (2, 8, 8)),
                  "pool": {"type": "SumPool2d", "kernel_size": np.array([2, 2]),
                           "stride": np.array([2, 2]), "padding": np.array([0, 0])},
                  "c2": conv(ramp(3, 2, 3, 3), padding=(1, 1)),
                  "b": neuron("IF", (3, 4, 4))},
                 [("input", "c1"), ("c1", "a"), ("a", "pool"), ("pool", "c2"),
                  ("c2", "b")])


@case
def flatten_affine():
    """(2, 2, 2) -> Flatten -> Affine 3x8 (bias 0.5) -> LIF, Linear 2x3 -> CubaLIF."""
    return graph({"input": inp((2, 2, 2)),
                  "flat": {"type": "Flatten", "start_dim": np.int64(0),
                           "end_dim": np.int64(-1), "input_type": np.array([2, 2, 2])},
                  "fc": {"type": "Affine", "weight": ramp(3, 8),
                         "bias": np.full(3, 0.5, F)},
                  "l": neuron("LIF", (3,)),
                  "fc2": {"type": "Linear", "weight": ramp(2, 3)},
                  "c": neuron("CubaLIF", (2,), w_in=2.0)},
                 [("input", "flat"), ("flat", "fc"), ("fc", "l"), ("l", "fc2"),
                  ("fc2", "c")])


@case
def scale_delay():
    """Scale by -2 and a 3 ms Delay on a one-to-one path."""
    return graph({"input": inp((4,)), "s": {"type": "Scale", "scale": np.full(4, -2.0, F)},
                  "d": {"type": "Delay", "delay": np.full(4, 0.003, F)},
                  "n": neuron("IF", (4,))},
                 [("input", "s"), ("s", "d"), ("d", "n")])


@case
def subgraph():
    """A NIRGraph node holding Conv2d -> IF, between Input and Output."""
    inner = graph({"input": inp((1, 4, 4)), "conv": conv(ramp(2, 1, 3, 3)),
                   "n": neuron("IF", (2, 2, 2)), "output": out((2, 2, 2))},
                  [("input", "conv"), ("conv", "n"), ("n", "output")])
    return graph({"input": inp((1, 4, 4)), "block": inner, "output": out((2, 2, 2))},
                 [("input", "block"), ("block", "output")])


@case
def padding_same():
    """1.x: padding 'same' (3x3, dilation 2: pad 2) and 'valid'; an Input
    whose shape is only in input_type."""
    a = conv(ramp(2, 1, 3, 3), dilation=(2, 2))
    a["padding"] = "same"
    b = conv(ramp(2, 2, 3, 3))
    b["padding"] = "valid"
    return graph({"input": {"type": "Input", "input_type": np.array([1, 7, 7])},
                  "a": a, "n": neuron("IF", (2, 7, 7)), "b": b, "m": neuron("IF", (2, 5, 5))},
                 [("input", "a"), ("a", "n"), ("n", "b"), ("b", "m")])


@case
def models():
    """All three models with leaks, biases, resets, a delay and both signs:
    Input (2, 10, 10) -> Conv2d (bias 0.15) -> LIF -> SumPool2d -> Scale ->
    CubaLIF -> Flatten -> Affine -> Delay -> IF; CubaLIF also straight from
    the input through AvgPool2d."""
    return graph({
        "input": inp((2, 10, 10)),
        "conv": conv(ramp(3, 2, 3, 3) * 0.02, padding=(1, 1), bias=np.full(3, 0.15)),
        "lif": neuron("LIF", (3, 10, 10), tau=0.01, v_leak=0.1, v_reset=-0.2,
                      v_threshold=0.5, r=2.0),
        "pool": {"type": "SumPool2d", "kernel_size": np.array([2, 2]),
                 "stride": np.array([2, 2]), "padding": np.array([0, 0])},
        "scale": {"type": "Scale", "scale": np.array([0.02, -0.01, 0.03], F)},
        "avg": {"type": "AvgPool2d", "kernel_size": np.array([2, 2]),
                "stride": np.array([2, 2]), "padding": np.array([0, 0])},
        "mix": conv(ramp(3, 2, 1, 1) * 0.02),
        "cuba": neuron("CubaLIF", (3, 5, 5), tau_mem=0.02, tau_syn=0.004,
                       v_leak=0.0, v_threshold=0.3, w_in=1.5, r=1.0),
        "flat": {"type": "Flatten", "start_dim": np.int64(0), "end_dim": np.int64(-1),
                 "input_type": np.array([3, 5, 5])},
        "fc": {"type": "Affine", "weight": ramp(4, 75) * 2, "bias": np.zeros(4, F)},
        "delay": {"type": "Delay", "delay": np.full(4, 0.002, F)},
        "if": neuron("IF", (4,), v_threshold=1.5, v_reset=0.25)},
        [("input", "conv"), ("conv", "lif"), ("lif", "pool"), ("pool", "scale"),
         ("scale", "cuba"), ("input", "avg"), ("avg", "mix"), ("mix", "cuba"),
         ("cuba", "flat"), ("flat", "fc"), ("fc", "delay"), ("delay", "if")])


@case
def edges_shuffled():
    """conv_if with its edges listed backwards."""
    g = conv_if()
    g["edges"] = list(reversed(g["edges"]))
    return g


@case
def recurrent():
    g = graph({"input": inp((4,)), "fc": {"type": "Linear", "weight": ramp(4, 4)},
               "n": neuron("IF", (4,))},
              [("input", "fc"), ("fc", "n"), ("n", "fc")])
    return g


@case
def li_node():
    return graph({"input": inp((4,)), "li": {"type": "LI", "tau": np.full(4, 0.01, F),
                                           "r": np.ones(4, F), "v_leak": np.zeros(4, F)}},
                 [("input", "li")])


@case
def bad_shape():
    """Conv2d's input_shape disagrees with its input."""
    return graph({"input": inp((2, 8, 8)), "conv": conv(ramp(3, 2, 3, 3), input_shape=(9, 9)),
                  "n": neuron("IF", (3, 6, 6))},
                 [("input", "conv"), ("conv", "n")])


@case
def neuron_count():
    """The IF node's arrays do not match what its input gives."""
    return graph({"input": inp((2, 8, 8)), "conv": conv(ramp(3, 2, 3, 3)),
                  "n": neuron("IF", (3, 5, 5))},
                 [("input", "conv"), ("conv", "n")])


@case
def per_neuron_length():
    """'r' differs between neurons but has 2 values for 3 neurons."""
    return graph({"input": inp((3,)), "fc": {"type": "Linear", "weight": ramp(3, 3)},
                  "n": {"type": "IF", "r": np.array([1, 2], F),
                        "v_threshold": np.array([1, 1, 2], F)}},
                 [("input", "fc"), ("fc", "n")])


@case
def per_neuron():
    """`models` with parameters that differ per neuron or per channel and
    biases that differ per channel (Conv2d) and per unit (Affine): LIF per
    channel (3 parameter sets), CubaLIF per neuron (tau_mem, v_leak) and per
    channel (tau_syn, w_in, v_threshold), IF per neuron."""
    g = models()
    n = g["nodes"]
    ch = lambda v, hw: np.repeat(np.asarray(v, F), hw).reshape(-1, *[int(np.sqrt(hw))] * 2)
    n["conv"]["bias"] = np.array([0.15, 0.05, 0.3], F)
    n["lif"] = neuron("LIF", (3, 10, 10), tau=ch([0.01, 0.02, 0.005], 100),
                      v_leak=ch([0.1, 0.0, 0.2], 100), v_reset=-0.2,
                      v_threshold=ch([0.5, 0.4, 0.7], 100), r=ch([2.0, 1.5, 2.5], 100))
    k = np.arange(75)
    n["cuba"] = neuron("CubaLIF", (3, 5, 5),
                       tau_mem=(0.01 + 0.0002 * k).reshape(3, 5, 5),
                       tau_syn=ch([0.004, 0.006, 0.003], 25),
                       v_leak=((k % 5) * 0.02).reshape(3, 5, 5),
                       v_threshold=ch([0.3, 0.25, 0.35], 25),
                       w_in=ch([1.5, 1.0, 2.0], 25), r=1.0)
    n["fc"]["bias"] = np.array([0.0, 0.1, -0.05, 0.2], F)
    n["if"] = neuron("IF", (4,), v_threshold=np.array([1.5, 1.2, 1.8, 1.0], F),
                     v_reset=np.array([0.25, 0.0, 0.5, 0.25], F),
                     r=np.array([1.0, 1.25, 0.75, 1.0], F))
    return g


@case
def missing_node():
    return graph({"input": inp((3,)), "n": neuron("IF", (3,))},
                 [("input", "fc"), ("fc", "n")])


def _fc(w=None, bias=None):
    n = {"type": "Affine" if bias is not None else "Linear",
         "weight": ramp(3, 3) if w is None else w}
    if bias is not None:
        n["bias"] = np.asarray(bias, F)
    return n


@case
def two_inputs_subgraph():
    inner = graph({"a": inp((3,)), "b": inp((3,)), "n": neuron("IF", (3,))},
                  [("a", "n"), ("b", "n")])
    return graph({"input": inp((3,)), "sub": inner}, [("input", "sub")])


@case
def no_input_edge():
    return graph({"input": inp((3,)), "n": neuron("IF", (3,))}, [])


@case
def output_edge():
    return graph({"input": inp((3,)), "out": out((3,)), "fc": _fc(), "n": neuron("IF", (3,))},
                 [("input", "out"), ("out", "fc"), ("fc", "n")])


@case
def bias_then_linear():
    return graph({"input": inp((3,)), "a": _fc(bias=[1, 1, 1]), "b": _fc(),
                  "n": neuron("IF", (3,))},
                 [("input", "a"), ("a", "b"), ("b", "n")])


@case
def linear_then_linear():
    return graph({"input": inp((3,)), "a": _fc(), "b": _fc(), "n": neuron("IF", (3,))},
                 [("input", "a"), ("a", "b"), ("b", "n")])


@case
def scale_within_channel():
    s = np.ones((2, 3, 3), F)
    s[0, 0, 0] = 2
    return graph({"input": inp((1, 5, 5)), "c": conv(ramp(2, 1, 3, 3)),
                  "s": {"type": "Scale", "scale": s}, "n": neuron("IF", (2, 3, 3))},
                 [("input", "c"), ("c", "s"), ("s", "n")])


@case
def half_tick_delay():
    return graph({"input": inp((3,)), "d": {"type": "Delay", "delay": np.full(3, 0.0005, F)},
                  "n": neuron("IF", (3,))},
                 [("input", "d"), ("d", "n")])


@case
def threshold_below_reset():
    return graph({"input": inp((3,)), "fc": _fc(),
                  "n": neuron("IF", (3,), v_threshold=0.5, v_reset=0.75)},
                 [("input", "fc"), ("fc", "n")])


@case
def negative_tau():
    return graph({"input": inp((3,)), "fc": _fc(), "n": neuron("LIF", (3,), tau=-0.01)},
                 [("input", "fc"), ("fc", "n")])


@case
def kernel_too_large():
    return graph({"input": inp((1, 2, 2)), "c": conv(ramp(1, 1, 3, 3)), "n": neuron("IF", (1, 1, 1))},
                 [("input", "c"), ("c", "n")])


@case
def bad_groups():
    return graph({"input": inp((3, 5, 5)), "c": conv(ramp(4, 2, 3, 3), groups=2),
                  "n": neuron("IF", (4, 3, 3))},
                 [("input", "c"), ("c", "n")])


@case
def flatten_mismatch():
    return graph({"input": inp((2, 2, 2)),
                  "flat": {"type": "Flatten", "start_dim": np.int64(0), "end_dim": np.int64(-1),
                           "input_type": np.array([2, 4, 1])},
                  "fc": _fc(ramp(3, 8)), "n": neuron("IF", (3,))},
                 [("input", "flat"), ("flat", "fc"), ("fc", "n")])


@case
def output_of_linear():
    return graph({"input": inp((3,)), "fc": _fc(), "out": out((3,))},
                 [("input", "fc"), ("fc", "out")])


def write(path, g, layout):
    def put(group, d):
        for k, v in d.items():
            if k == "nodes":
                sub = group.create_group("nodes")
                for name, node in v.items():
                    put(sub.create_group(name), node)
            elif k == "edges":
                group.create_dataset("edges", data=np.array(v, dtype=object).reshape(-1, 2),
                                     dtype=h5py.string_dtype())
            elif k == "input_type" and layout == "1.x":
                group.create_group("input_type").create_dataset("input", data=v)
            elif isinstance(v, str):
                group.create_dataset(k, data=v, dtype=h5py.string_dtype())
            elif layout == "1.x" and isinstance(v, np.ndarray) and v.ndim > 0:
                group.create_dataset(k, data=v, compression="gzip")
            else:
                group.create_dataset(k, data=v)
        if layout == "1.x" and d.get("type") not in (None, "NIRGraph"):
            m = group.create_group("metadata")
            m.create_dataset("written_by", data="nirgen.py", dtype=h5py.string_dtype())
            if d["type"] in ("IF", "LIF", "CubaLIF") and "v_reset" not in d:
                group.create_dataset("v_reset", data=np.zeros_like(d["v_threshold"]))

    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.0" if layout == "1.x" else "0.2.0",
                         dtype=h5py.string_dtype())
        put(f.create_group("node"), g)


def write_raw(path, what):
    """HDF5 files that are not NIR graphs."""
    with h5py.File(path, "w") as f:
        if what == "no_node":
            f.create_dataset("version", data="0.2.0", dtype=h5py.string_dtype())
        elif what == "no_type":
            f.create_group("node").create_group("nodes")


if __name__ == "__main__":
    if sys.argv[1] in ("no_node", "no_type"):
        write_raw(sys.argv[2], sys.argv[1])
        sys.exit(0)
    layout = "0.2"
    args = sys.argv[1:]
    if "--layout" in args:
        i = args.index("--layout")
        layout = args[i + 1]
        del args[i:i + 2]
    write(args[1], CASES[args[0]](), layout)
