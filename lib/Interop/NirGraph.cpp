//===- NirGraph.cpp - The NIR graph flattened, ordered and shaped ---------===//
//
// Steps 1-3 of the lowering (NirLowering.cpp): subgraphs (NIRGraph nodes)
// are flattened, their nodes prefixed with the subgraph's name and their
// Input and Output made pass-through nodes; the graph must be acyclic and
// is ordered topologically, ties in the file's natural order; every node's
// output shape is inferred in NIR's (C, H, W) order and checked against the
// shapes the file states. Also the small helpers the lowering shares.
//
//===----------------------------------------------------------------------===//
#include "NirLoweringInternal.h"
#include "scnc/IR/Printer.h"
#include "llvm/ADT/STLExtras.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <set>
#include <tuple>

using namespace scnc;
using namespace scnc::nir;
using namespace llvm;

namespace scnc {
namespace nir {

uint64_t numel(const Dims &d) {
  uint64_t n = 1;
  for (uint64_t x : d)
    n *= x;
  return n;
}

/// A value from the file: NIR stores float32, so print the shortest text
/// that reads back to the same float (0.0005, not 0.00050000002374872565).
std::string formatValue(double v) {
  float f = float(v);
  if (std::fabs(double(f) - v) > 1e-12 * std::fabs(v))
    return formatNumber(v);
  for (int prec = 1; prec <= 9; ++prec) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.*g", prec, double(f));
    if (std::strtof(buf, nullptr) == f)
      return buf;
  }
  return formatNumber(v);
}

std::string formatDims(const Dims &d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? ", " : "") + std::to_string(d[i]);
  return s + (d.size() == 1 ? ",)" : ")");
}

/// A number of the node's scnc_ metadata (written by scncc -emit=nir).
Optional<double> metaNumber(const NirNode &n, StringRef key) {
  const NirValue *v = n.get(("metadata/" + key).str());
  if (!v || v->isString || v->numbers.size() != 1)
    return None;
  return v->numbers[0];
}
std::string metaString(const NirNode &n, StringRef key) {
  const NirValue *v = n.get(("metadata/" + key).str());
  if (!v || !v->isString || v->strings.size() != 1)
    return "";
  return v->strings[0];
}

/// scncc -emit=nir writes a neuron set's exact values (IR units) in the
/// metadata beside NIR's float32 arrays: the exact value when it agrees
/// with what the arrays say, else the arrays' value.
double refined(const NirNode &n, StringRef param, double fromArrays) {
  Optional<double> m = metaNumber(n, ("scnc_" + param).str());
  if (!m)
    return fromArrays;
  double tol = 1e-6 * std::max({std::fabs(*m), std::fabs(fromArrays), 1e-30});
  return std::fabs(*m - fromArrays) <= tol ? *m : fromArrays;
}

bool isNeuronType(StringRef t) {
  return t == "IF" || t == "LIF" || t == "CubaLIF";
}
bool isLinearType(StringRef t) {
  return t == "Conv2d" || t == "SumPool2d" || t == "AvgPool2d" ||
         t == "Linear" || t == "Affine" || t == "Scale" || t == "Flatten" ||
         t == "Delay" || t == "Identity";
}

/// Why a NIR type scnc knows of is not supported; "" for unknown types.
StringRef unsupportedReason(StringRef t) {
  if (t == "LI" || t == "I" || t == "CubaLI")
    return "a neuron without spikes (its output is a membrane trace): "
           "SpiNNaker's cores send spikes only";
  if (t == "Threshold")
    return "a stateless threshold: scnc's neurons integrate";
  if (t == "Conv1d")
    return "one-dimensional convolution: scnc maps (C, H, W) tensors with "
           "Conv2d";
  return "";
}

} // namespace nir
} // namespace scnc

Error Lowering::flatten(const NirNode &graph, const std::string &prefix,
                        bool top, StringMap<std::string> &entry,
                        StringMap<std::string> &exit) {
  for (const NirNode &c : graph.nodes) {
    std::string full = prefix + c.name;
    if (c.type == "NIRGraph") {
      std::vector<std::string> ins, outs;
      for (const NirNode &cc : c.nodes) {
        if (cc.type == "Input")
          ins.push_back(cc.name);
        if (cc.type == "Output")
          outs.push_back(cc.name);
      }
      if (ins.size() != 1 || outs.size() != 1)
        return fail("node '" + full + "' (NIRGraph): a subgraph with " +
                    Twine(ins.size()) + " Input and " + Twine(outs.size()) +
                    " Output nodes; scnc flattens subgraphs with one of each");
      if (Error e = flatten(c, full + ".", false, entry, exit))
        return e;
      entry[full] = full + "." + ins[0];
      exit[full] = full + "." + outs[0];
      continue;
    }
    FlatNode n;
    n.node = &c;
    n.name = full;
    n.type = c.type;
    if (!top && (c.type == "Input" || c.type == "Output"))
      n.type = "Identity";
    if (!index.insert({full, unsigned(nodes.size())}).second)
      return fail("two nodes named '" + full + "'");
    nodes.push_back(std::move(n));
  }
  auto resolve = [&](std::string name, StringMap<std::string> &alias) {
    for (;;) {
      auto it = alias.find(name);
      if (it == alias.end())
        return name;
      name = it->second;
    }
  };
  for (const auto &e : graph.edges) {
    std::string from = resolve(prefix + e.first, exit);
    std::string to = resolve(prefix + e.second, entry);
    auto a = index.find(from), b = index.find(to);
    if (a == index.end() || b == index.end())
      return fail(
          "edge '" + e.first + "' -> '" + e.second + "'" +
          (prefix.empty()
               ? ""
               : " in subgraph '" + prefix.substr(0, prefix.size() - 1) + "'") +
          ": no node '" + (a == index.end() ? e.first : e.second) + "'");
    edges.push_back({a->second, b->second});
  }
  return Error::success();
}

Error Lowering::order(std::vector<unsigned> &topo) {
  size_t n = nodes.size();
  std::vector<unsigned> indeg(n, 0);
  std::vector<std::vector<unsigned>> succ(n);
  std::set<std::pair<unsigned, unsigned>> seen;
  for (auto [a, b] : edges) {
    if (!seen.insert({a, b}).second)
      return fail("edge '" + nodes[a].name + "' -> '" + nodes[b].name +
                  "' is listed twice");
    succ[a].push_back(b);
    nodes[b].preds.push_back(a);
    ++indeg[b];
  }
  // Ties in the order scncc -emit=nir recorded (scnc_index), then in the
  // order of the flattened node list (the file's natural order).
  std::vector<std::pair<double, unsigned>> key(n);
  for (unsigned i = 0; i < n; ++i)
    key[i] = {metaNumber(*nodes[i].node, "scnc_index").getValueOr(1e300), i};
  auto later = [&](unsigned a, unsigned b) { return key[a] > key[b]; };
  std::priority_queue<unsigned, std::vector<unsigned>, decltype(later)> ready(
      later);
  for (unsigned i = 0; i < n; ++i)
    if (!indeg[i])
      ready.push(i);
  while (!ready.empty()) {
    unsigned i = ready.top();
    ready.pop();
    topo.push_back(i);
    for (unsigned s : succ[i])
      if (!--indeg[s])
        ready.push(s);
  }
  if (topo.size() == n)
    return Error::success();
  for (auto [a, b] : edges)
    if (indeg[a] && indeg[b])
      return fail("recurrent edge '" + nodes[a].name + "' -> '" +
                  nodes[b].name +
                  "': scnc compiles feed-forward graphs only (a cycle "
                  "through this edge)");
  return fail("the graph has a cycle");
}

Expected<const NirValue *> Lowering::param(const FlatNode &n, StringRef key,
                                           bool numeric) {
  const NirValue *v = n.node->get(key);
  if (!v)
    return failNode(n, "no '" + key + "'");
  if (numeric && v->isString)
    return failNode(n, "'" + key + "' is a string, expected numbers");
  return v;
}

Expected<double> Lowering::uniform(const FlatNode &n, StringRef key,
                                   double dflt, bool required) {
  const NirValue *v = n.node->get(key);
  if (!v) {
    if (required)
      return failNode(n, "no '" + key + "'");
    return dflt;
  }
  if (v->isString || v->numbers.empty())
    return failNode(n, "'" + key + "' must be numbers");
  auto [lo, hi] = std::minmax_element(v->numbers.begin(), v->numbers.end());
  if (*lo != *hi)
    return failNode(n, "'" + key + "' differs between neurons (from " +
                           formatValue(*lo) + " to " + formatValue(*hi) +
                           "); scnc gives a population one value");
  if (!std::isfinite(*lo))
    return failNode(n, "'" + key + "' is not finite");
  return *lo;
}

Expected<std::vector<uint64_t>> Lowering::pair(const FlatNode &n, StringRef key,
                                               uint64_t dflt) {
  const NirValue *v = n.node->get(key);
  if (!v)
    return std::vector<uint64_t>{dflt, dflt};
  if (v->isString)
    return failNode(n, "'" + key + "' is '" +
                           (v->strings.empty() ? "" : v->strings[0]) +
                           "'; scnc reads numeric values only");
  if (v->numbers.size() != 1 && v->numbers.size() != 2)
    return failNode(n, "'" + key + "' has " + Twine(v->numbers.size()) +
                           " values, expected 1 or 2");
  std::vector<uint64_t> r;
  for (size_t i = 0; i < 2; ++i) {
    double x = v->numbers[v->numbers.size() == 1 ? 0 : i];
    if (x < 0 || x != std::floor(x) || x > UINT32_MAX)
      return failNode(n, "'" + key + "' must be non-negative integers, got " +
                             formatNumber(x));
    r.push_back(uint64_t(x));
  }
  return r;
}

Error Lowering::inferShape(FlatNode &n) {
  const std::string &t = n.type;
  Dims in;
  if (t != "Input") {
    if (n.preds.empty())
      return failNode(n, "no input edge");
    in = nodes[n.preds[0]].out;
    for (unsigned p : n.preds)
      if (nodes[p].out != in && !(isNeuronType(t) || t == "Output"))
        return failNode(
            n, "its inputs have different shapes: " + formatDims(in) +
                   " from '" + nodes[n.preds[0]].name + "', " +
                   formatDims(nodes[p].out) + " from '" + nodes[p].name + "'");
  }
  auto dimsOf = [&](const NirValue &v) {
    Dims d;
    for (double x : v.numbers)
      d.push_back(uint64_t(x));
    return d;
  };
  if (t == "Input") {
    // 0.2 and most 1.x files: `shape`; some 1.x writers: input_type/input.
    auto v = n.node->get("shape") || !n.node->get("input_type/input")
                 ? param(n, "shape")
                 : param(n, "input_type/input");
    if (!v)
      return v.takeError();
    n.out = dimsOf(**v);
    if (n.out.empty() || n.out.size() > 3 || !numel(n.out) ||
        llvm::any_of((*v)->numbers, [](double x) {
          return x < 1 || x != std::floor(x) || x > UINT32_MAX;
        }))
      return failNode(n, "shape " + formatDims(n.out) +
                             ": expected 1 to 3 positive sizes, (C, H, W)");
    if (!n.preds.empty())
      return failNode(n, "an Input node with an input edge");
    return Error::success();
  }
  if (t == "Output") {
    n.out = in;
    const NirValue *v = n.node->get("shape");
    if (!v)
      v = n.node->get("output_type/output");
    if (v && !v->isString) {
      Dims want = dimsOf(*v);
      for (unsigned p : n.preds)
        if (numel(nodes[p].out) != numel(want))
          return failNode(n, "shape " + formatDims(want) + ", but '" +
                                 nodes[p].name + "' gives " +
                                 formatDims(nodes[p].out));
    }
    return Error::success();
  }
  if (isNeuronType(t)) {
    auto v = param(n, "v_threshold");
    if (!v)
      return v.takeError();
    n.out = (*v)->shape.empty() ? Dims{1} : (*v)->shape;
    for (unsigned p : n.preds)
      if (numel(nodes[p].out) != numel(n.out))
        return failNode(n, Twine(numel(n.out)) + " neurons " +
                               formatDims(n.out) + ", but its input '" +
                               nodes[p].name + "' gives " +
                               formatDims(nodes[p].out));
    if (n.out.size() > 3)
      return failNode(n, "neurons of shape " + formatDims(n.out) +
                             ": at most 3 dimensions (C, H, W)");
    return Error::success();
  }
  if (t == "Identity" || t == "Delay") {
    n.out = in;
    return Error::success();
  }
  if (t == "Scale") {
    auto v = param(n, "scale");
    if (!v)
      return v.takeError();
    uint64_t k = (*v)->numbers.size();
    if (k != 1 && k != numel(in) && !(in.size() == 3 && k == in[0]))
      return failNode(n, Twine(k) + " scale values for input " +
                             formatDims(in) +
                             ": expected 1, one per channel or one per "
                             "element");
    n.out = in;
    return Error::success();
  }
  if (t == "Flatten") {
    auto s = uniform(n, "start_dim", 0, false);
    if (!s)
      return s.takeError();
    auto e = uniform(n, "end_dim", -1, false);
    if (!e)
      return e.takeError();
    const NirValue *it = n.node->get("input_type");
    if (!it)
      it = n.node->get("input_type/input");
    if (it && !it->isString && dimsOf(*it) != in)
      return failNode(n, "input_type " + formatDims(dimsOf(*it)) +
                             ", but its input gives " + formatDims(in));
    int64_t r = int64_t(in.size());
    int64_t a = int64_t(*s), b = int64_t(*e);
    if (a < 0)
      a += r;
    if (b < 0)
      b += r;
    if (a < 0 || b >= r || a > b)
      return failNode(n, "start_dim " + formatNumber(*s) + ", end_dim " +
                             formatNumber(*e) + " for a tensor of rank " +
                             Twine(r));
    n.out.assign(in.begin(), in.begin() + a);
    uint64_t m = 1;
    for (int64_t i = a; i <= b; ++i)
      m *= in[i];
    n.out.push_back(m);
    n.out.insert(n.out.end(), in.begin() + b + 1, in.end());
    return Error::success();
  }
  if (t == "Linear" || t == "Affine") {
    auto w = param(n, "weight");
    if (!w)
      return w.takeError();
    const NirValue &wv = **w;
    if (wv.shape.size() != 2)
      return failNode(n, "weight of shape " + formatDims(wv.shape) +
                             ", expected (outputs, inputs)");
    if (wv.shape[1] != numel(in))
      return failNode(n, "weight of shape " + formatDims(wv.shape) + " for " +
                             Twine(numel(in)) + " inputs " + formatDims(in));
    n.out = {wv.shape[0]};
    return Error::success();
  }
  // Conv2d and pooling: (C, H, W).
  if (in.size() != 3)
    return failNode(n, "input of shape " + formatDims(in) +
                           ": expected (C, H, W)");
  uint64_t cout = in[0];
  if (t == "Conv2d") {
    auto w = param(n, "weight");
    if (!w)
      return w.takeError();
    const NirValue &wv = **w;
    auto groups = uniform(n, "groups", 1, false);
    if (!groups)
      return groups.takeError();
    n.groups = uint64_t(*groups);
    if (wv.shape.size() != 4 || *groups < 1 ||
        n.groups * wv.shape[1] != in[0] || wv.shape[0] % n.groups)
      return failNode(n, "weight of shape " + formatDims(wv.shape) +
                             " with groups = " + formatNumber(*groups) +
                             " for input " + formatDims(in) +
                             ": expected (out channels, in channels / "
                             "groups, kh, kw)");
    n.k[0] = wv.shape[2];
    n.k[1] = wv.shape[3];
    cout = wv.shape[0];
    if (const NirValue *is = n.node->get("input_shape"))
      if (!is->isString && dimsOf(*is) != Dims{in[1], in[2]})
        return failNode(n, "input_shape " + formatDims(dimsOf(*is)) +
                               ", but its input gives " + formatDims(in));
  } else {
    auto k = pair(n, "kernel_size", 1);
    if (!k)
      return k.takeError();
    std::copy(k->begin(), k->end(), n.k);
  }
  for (auto [key, dflt, to] : {std::make_tuple("stride", 1, n.s),
                               std::make_tuple("dilation", 1, n.d)}) {
    auto v = pair(n, key, dflt);
    if (!v)
      return v.takeError();
    std::copy(v->begin(), v->end(), to);
  }
  // Padding: numbers, or PyTorch's strings as some 1.x writers store them.
  const NirValue *pad = n.node->get("padding");
  if (pad && pad->isString && pad->strings.size() == 1 &&
      pad->strings[0] == "same") {
    if (t != "Conv2d" || n.s[0] != 1 || n.s[1] != 1)
      return failNode(n, "padding 'same' needs a Conv2d of stride 1");
    for (int a = 0; a < 2; ++a) {
      uint64_t ext = n.d[a] * (n.k[a] - 1) + 1;
      if (ext % 2 == 0)
        return failNode(n, "padding 'same' with an even kernel extent " +
                               Twine(ext) +
                               " pads unevenly; scnc pads both sides alike");
      n.p[a] = (ext - 1) / 2;
    }
  } else if (!(pad && pad->isString && pad->strings.size() == 1 &&
               pad->strings[0] == "valid")) {
    auto v = pair(n, "padding", 0);
    if (!v)
      return v.takeError();
    std::copy(v->begin(), v->end(), n.p);
  }
  Dims out = {cout, 0, 0};
  for (int a = 0; a < 2; ++a) {
    uint64_t ext = n.d[a] * (n.k[a] - 1) + 1;
    if (!n.k[a] || !n.s[a] || !n.d[a] || in[1 + a] + 2 * n.p[a] < ext)
      return failNode(n, "kernel " + Twine(n.k[0]) + " x " + Twine(n.k[1]) +
                             ", stride, dilation and padding do not fit "
                             "input " +
                             formatDims(in));
    out[1 + a] = (in[1 + a] + 2 * n.p[a] - ext) / n.s[a] + 1;
  }
  n.out = out;
  return Error::success();
}
