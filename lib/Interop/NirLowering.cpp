//===- NirLowering.cpp - A NIR graph as scnc IR ---------------------------===//
//
// Lowers a NirGraph to a Network:
//   1. subgraphs (NIRGraph nodes) are flattened: their nodes get the
//      subgraph's name as a prefix, their Input and Output nodes become
//      pass-through nodes, edges to and from the subgraph go through them;
//   2. the graph must be acyclic (a recurrent edge is an error); nodes are
//      ordered topologically, ties in the file's natural order;
//   3. every node's output shape is inferred (NIR's (C, H, W) order) and
//      checked against the shapes the file states (Conv2d input_shape,
//      Flatten input_type, neuron parameter arrays, Output shape);
//   4. Input nodes and neuron nodes (IF, LIF, CubaLIF) become populations;
//      every path of linear nodes from one population to a neuron node is
//      composed into one linear map (a window op: convolution or pooling;
//      or a dense matrix) and becomes one projection per sign of weight.
//
// Anything that would not run exactly is an error naming the node.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/AttributeReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/Interop/Nir.h"
#include "scnc/Support/Npy.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <tuple>

using namespace scnc;
using namespace llvm;

namespace {

using Dims = std::vector<uint64_t>;

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

/// A node of the flattened graph.
struct FlatNode {
  const NirNode *node = nullptr;
  std::string name; ///< with the prefixes of its subgraphs
  std::string type; ///< NIR type; "Identity" for a subgraph's port
  Dims out;         ///< inferred output shape
  /// Conv2d and pooling, as inferShape read them (height, width): kernel,
  /// stride, padding, dilation; and Conv2d's groups.
  uint64_t k[2] = {1, 1}, s[2] = {1, 1}, p[2] = {0, 0}, d[2] = {1, 1};
  uint64_t groups = 1;
  std::vector<unsigned> preds;
  int population = -1;
};

/// A linear map along one path, composed node by node.
struct LinearMap {
  enum Kind { Identity, Window, Matrix } kind = Identity;
  // Identity: a multiplier per element (empty: 1).
  std::vector<double> scale;
  // Window: (cout, cin, kh, kw) weights over (cin, inH, inW) -> (cout,
  // outH, outW).
  uint64_t cin = 0, cout = 0, kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0;
  uint64_t inH = 0, inW = 0, outH = 0, outW = 0;
  // Matrix: (rows = outputs, cols = inputs).
  uint64_t rows = 0, cols = 0;
  std::vector<double> w;
  /// The constant each output gets (per output element), or empty.
  std::vector<double> bias;
  double delayMs = 0;
};

class Lowering {
public:
  Lowering(const NirGraph &g, StringRef file, const NirLoweringOptions &o)
      : g(g), file(file.str()), o(o) {}
  Expected<Network> run();

private:
  const NirGraph &g;
  std::string file;
  NirLoweringOptions o;
  std::vector<FlatNode> nodes;
  StringMap<unsigned> index;
  std::vector<std::pair<unsigned, unsigned>> edges;
  Network net;

  Error fail(const Twine &msg) {
    return createStringError(inconvertibleErrorCode(), file + ": " + msg.str());
  }
  Error failNode(const FlatNode &n, const Twine &msg) {
    return fail("node '" + n.name + "' (" + n.node->type + "): " + msg);
  }

  Error flatten(const NirNode &graph, const std::string &prefix, bool top,
                StringMap<std::string> &entry, StringMap<std::string> &exit);
  Error order(std::vector<unsigned> &topo);
  Error inferShape(FlatNode &n);
  Expected<const NirValue *> param(const FlatNode &n, StringRef key,
                                   bool numeric = true);
  Expected<double> uniform(const FlatNode &n, StringRef key, double dflt,
                           bool required);
  Expected<std::vector<uint64_t>> pair(const FlatNode &n, StringRef key,
                                       uint64_t dflt);
  Error addNeuronSet(FlatNode &n, Population &pop);
  Error compose(const FlatNode &n, const Dims &in, LinearMap &m);
  Error addProjections(unsigned pre, const FlatNode &post,
                       const std::vector<unsigned> &path, LinearMap &m);
  std::string popName(const std::string &nirName);
};

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

} // namespace

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

/// Composes window map \p b after window map \p a (both set); false when
/// the composition would read input where b reads a's padding.
static bool composeWindows(const LinearMap &a, const LinearMap &b,
                           const Dims &in, const Dims &mid, const Dims &out,
                           LinearMap &r) {
  r.kind = LinearMap::Window;
  r.cin = a.cin;
  r.cout = b.cout;
  r.kh = (b.kh - 1) * a.sh + a.kh;
  r.kw = (b.kw - 1) * a.sw + a.kw;
  r.sh = a.sh * b.sh;
  r.sw = a.sw * b.sw;
  r.ph = b.ph * a.sh + a.ph;
  r.pw = b.pw * a.sw + a.pw;
  // b's padded positions must read only a's padding.
  auto axisOk = [](uint64_t H, uint64_t H1, uint64_t H2, uint64_t ka,
                   uint64_t sa, uint64_t pa, uint64_t kb, uint64_t sb,
                   uint64_t pb, uint64_t k, uint64_t s, uint64_t p) {
    if (H + 2 * p < k || (H + 2 * p - k) / s + 1 != H2)
      return false;
    for (int64_t o = 0; o < int64_t(H2); ++o)
      for (int64_t j = 0; j < int64_t(kb); ++j) {
        int64_t q = o * int64_t(sb) - int64_t(pb) + j;
        if (q >= 0 && q < int64_t(H1))
          continue;
        int64_t lo = q * int64_t(sa) - int64_t(pa), hi = lo + int64_t(ka);
        if (hi > 0 && lo < int64_t(H))
          return false;
      }
    return true;
  };
  if (!axisOk(in[1], mid[1], out[1], a.kh, a.sh, a.ph, b.kh, b.sh, b.ph, r.kh,
              r.sh, r.ph) ||
      !axisOk(in[2], mid[2], out[2], a.kw, a.sw, a.pw, b.kw, b.sw, b.pw, r.kw,
              r.sw, r.pw))
    return false;
  r.w.assign(r.cout * r.cin * r.kh * r.kw, 0.0);
  for (uint64_t o = 0; o < b.cout; ++o)
    for (uint64_t m = 0; m < b.cin; ++m)
      for (uint64_t y = 0; y < b.kh; ++y)
        for (uint64_t x = 0; x < b.kw; ++x) {
          double wb = b.w[((o * b.cin + m) * b.kh + y) * b.kw + x];
          if (wb == 0)
            continue;
          for (uint64_t i = 0; i < a.cin; ++i)
            for (uint64_t ay = 0; ay < a.kh; ++ay)
              for (uint64_t ax = 0; ax < a.kw; ++ax) {
                double wa = a.w[((m * a.cin + i) * a.kh + ay) * a.kw + ax];
                uint64_t ry = y * a.sh + ay, rx = x * a.sw + ax;
                r.w[((o * r.cin + i) * r.kh + ry) * r.kw + rx] += wb * wa;
              }
        }
  return true;
}

Error Lowering::compose(const FlatNode &n, const Dims &in, LinearMap &m) {
  const std::string &t = n.type;
  const NirNode &nd = *n.node;
  auto noBias = [&]() -> Error {
    if (llvm::any_of(m.bias, [](double b) { return b != 0; }))
      return failNode(n, "follows a node with a non-zero bias; scnc passes a "
                         "bias to neurons only from the last linear node "
                         "before them");
    m.bias.clear();
    return Error::success();
  };
  if (t == "Identity" || t == "Flatten")
    return Error::success();
  if (t == "Delay") {
    auto d = uniform(n, "delay", 0, true);
    if (!d)
      return d.takeError();
    if (*d < 0)
      return failNode(n, "negative delay " + formatValue(*d) + " s");
    m.delayMs += *d * 1000.0;
    return Error::success();
  }
  if (t == "Scale") {
    const NirValue &s = *nd.get("scale");
    uint64_t N = numel(in);
    // The factor of output element e.
    auto factor = [&](uint64_t e) {
      if (s.numbers.size() == 1)
        return s.numbers[0];
      if (s.numbers.size() == N)
        return s.numbers[e];
      return s.numbers[e / (N / in[0])];
    };
    for (uint64_t e = 0; e < m.bias.size(); ++e)
      m.bias[e] *= factor(e);
    switch (m.kind) {
    case LinearMap::Identity:
      if (m.scale.empty())
        m.scale.assign(N, 1.0);
      for (uint64_t e = 0; e < N; ++e)
        m.scale[e] *= factor(e);
      return Error::success();
    case LinearMap::Matrix:
      for (uint64_t r = 0; r < m.rows; ++r)
        for (uint64_t c = 0; c < m.cols; ++c)
          m.w[r * m.cols + c] *= factor(r);
      return Error::success();
    case LinearMap::Window: {
      uint64_t per = N / m.cout;
      uint64_t taps = m.cin * m.kh * m.kw;
      for (uint64_t o = 0; o < m.cout; ++o) {
        double f = factor(o * per);
        for (uint64_t e = 1; e < per; ++e)
          if (factor(o * per + e) != f)
            return failNode(n, "scales channel " + Twine(o) +
                                   " of a convolution or pooling by "
                                   "different factors; a window's weights "
                                   "are shared across positions");
        for (uint64_t j = 0; j < taps; ++j)
          m.w[o * taps + j] *= f;
      }
      return Error::success();
    }
    }
  }
  if (Error e = noBias())
    return e;
  if (t == "Linear" || t == "Affine") {
    const NirValue &w = *nd.get("weight");
    uint64_t O = w.shape[0], I = w.shape[1];
    if (t == "Affine") {
      auto b = param(n, "bias");
      if (!b)
        return b.takeError();
      if ((*b)->numbers.size() != O)
        return failNode(n, Twine((*b)->numbers.size()) + " biases for " +
                               Twine(O) + " outputs");
      m.bias = (*b)->numbers;
    }
    LinearMap r;
    r.kind = LinearMap::Matrix;
    r.rows = O;
    r.delayMs = m.delayMs;
    r.bias = m.bias;
    if (m.kind == LinearMap::Identity) {
      r.cols = I;
      r.w = w.numbers;
      if (!m.scale.empty())
        for (uint64_t o = 0; o < O; ++o)
          for (uint64_t i = 0; i < I; ++i)
            r.w[o * I + i] *= m.scale[i];
    } else if (m.kind == LinearMap::Window) {
      // Columns over the window map's input (cin, H, W): each of its outputs
      // (cout, H', W') spreads its column over its window.
      uint64_t H = m.inH, W = m.inW, Ho = m.outH, Wo = m.outW;
      r.cols = m.cin * H * W;
      r.w.assign(O * r.cols, 0.0);
      for (uint64_t o = 0; o < O; ++o)
        for (uint64_t c = 0; c < m.cout; ++c)
          for (uint64_t y = 0; y < Ho; ++y)
            for (uint64_t x = 0; x < Wo; ++x) {
              double v = w.numbers[o * I + (c * Ho + y) * Wo + x];
              if (v == 0)
                continue;
              for (uint64_t i = 0; i < m.cin; ++i)
                for (uint64_t ky = 0; ky < m.kh; ++ky) {
                  int64_t iy = int64_t(y * m.sh + ky) - int64_t(m.ph);
                  if (iy < 0 || iy >= int64_t(H))
                    continue;
                  for (uint64_t kx = 0; kx < m.kw; ++kx) {
                    int64_t ix = int64_t(x * m.sw + kx) - int64_t(m.pw);
                    if (ix < 0 || ix >= int64_t(W))
                      continue;
                    double k = m.w[((c * m.cin + i) * m.kh + ky) * m.kw + kx];
                    r.w[o * r.cols + (i * H + uint64_t(iy)) * W +
                        uint64_t(ix)] += v * k;
                  }
                }
            }
    } else {
      return failNode(n, "follows another Linear or Affine node without "
                         "neurons between (compose them in the framework)");
    }
    m = std::move(r);
    return Error::success();
  }
  // Conv2d, SumPool2d, AvgPool2d: a window map over (C, H, W).
  LinearMap b;
  b.kind = LinearMap::Window;
  b.sh = n.s[0];
  b.sw = n.s[1];
  b.ph = n.p[0];
  b.pw = n.p[1];
  if (t == "Conv2d") {
    const NirValue &w = *nd.get("weight");
    const uint64_t *d = n.d, groups = n.groups;
    uint64_t F = w.shape[0], Cg = w.shape[1], KH = w.shape[2], KW = w.shape[3];
    b.cout = F;
    b.cin = Cg * groups;
    b.kh = d[0] * (KH - 1) + 1;
    b.kw = d[1] * (KW - 1) + 1;
    b.w.assign(b.cout * b.cin * b.kh * b.kw, 0.0);
    uint64_t perGroup = F / groups;
    for (uint64_t f = 0; f < F; ++f)
      for (uint64_t c = 0; c < Cg; ++c)
        for (uint64_t y = 0; y < KH; ++y)
          for (uint64_t x = 0; x < KW; ++x) {
            uint64_t ci = (f / perGroup) * Cg + c;
            b.w[((f * b.cin + ci) * b.kh + y * d[0]) * b.kw + x * d[1]] =
                w.numbers[((f * Cg + c) * KH + y) * KW + x];
          }
    if (const NirValue *bias = nd.get("bias")) {
      if (bias->isString ||
          (bias->numbers.size() != F && bias->numbers.size() != 1))
        return failNode(n, "'bias' must have one value per output channel");
      uint64_t per = n.out[1] * n.out[2];
      b.bias.assign(F * per, 0.0);
      for (uint64_t f = 0; f < F; ++f)
        for (uint64_t e = 0; e < per; ++e)
          b.bias[f * per + e] =
              bias->numbers[bias->numbers.size() == 1 ? 0 : f];
    }
  } else {
    b.cout = b.cin = in[0];
    b.kh = n.k[0];
    b.kw = n.k[1];
    double v = t == "AvgPool2d" ? 1.0 / double(b.kh * b.kw) : 1.0;
    b.w.assign(b.cout * b.cin * b.kh * b.kw, 0.0);
    for (uint64_t c = 0; c < b.cout; ++c)
      for (uint64_t j = 0; j < b.kh * b.kw; ++j)
        b.w[(c * b.cin + c) * b.kh * b.kw + j] = v;
  }
  b.inH = in[1];
  b.inW = in[2];
  b.outH = n.out[1];
  b.outW = n.out[2];
  if (m.kind == LinearMap::Matrix)
    return failNode(n, "follows a Linear or Affine node without neurons "
                       "between: scnc cannot express it as one projection");
  if (m.kind == LinearMap::Identity) {
    if (!m.scale.empty()) {
      // A per-element scale before a window: per input channel only.
      uint64_t per = in[1] * in[2];
      for (uint64_t c = 0; c < in[0]; ++c) {
        double f = m.scale[c * per];
        for (uint64_t e = 1; e < per; ++e)
          if (m.scale[c * per + e] != f)
            return failNode(n, "follows a Scale that differs within channel " +
                                   Twine(c));
        for (uint64_t o = 0; o < b.cout; ++o)
          for (uint64_t j = 0; j < b.kh * b.kw; ++j)
            b.w[(o * b.cin + c) * b.kh * b.kw + j] *= f;
      }
    }
    b.delayMs = m.delayMs;
    m = std::move(b);
    return Error::success();
  }
  // Window after window: one window over the first one's input.
  LinearMap r;
  Dims first = {m.cin, m.inH, m.inW};
  if (!composeWindows(m, b, first, in, n.out, r))
    return failNode(n, "with the convolution or pooling before it, it would "
                       "read input where it reads padding; scnc cannot "
                       "express the pair as one projection");
  r.inH = m.inH;
  r.inW = m.inW;
  r.outH = b.outH;
  r.outW = b.outW;
  r.delayMs = m.delayMs;
  r.bias = b.bias;
  m = std::move(r);
  return Error::success();
}

std::string Lowering::popName(const std::string &nirName) {
  std::string s;
  for (char c : nirName)
    s += isAlnum(c) || c == '_' ? c : '_';
  if (s.empty() || !isAlpha(s[0]))
    s = "n" + s;
  std::string name = s;
  for (unsigned k = 2; net.findPopulation(name) >= 0; ++k)
    name = s + "_" + std::to_string(k);
  return name;
}

Error Lowering::addNeuronSet(FlatNode &n, Population &pop) {
  NeuronParams np;
  np.name = pop.name;
  np.model = n.type;
  // A parameter: one value, or one per neuron (C order over the node's
  // shape: scnc's channel-major index) when they differ, times \p scale
  // (s to ms) into the set's scalar or per-neuron array.
  uint64_t count = numel(n.out);
  auto get = [&](StringRef key, double dflt, bool required, NeuronParamId id,
                 double scale = 1.0) -> Error {
    const NirValue *v = n.node->get(key);
    if (!v) {
      if (required)
        return failNode(n, "no '" + key + "'");
      np.set(id, dflt * scale);
      return Error::success();
    }
    if (v->isString || v->numbers.empty())
      return failNode(n, "'" + key + "' must be numbers");
    for (double x : v->numbers)
      if (!std::isfinite(x))
        return failNode(n, "'" + key + "' is not finite");
    auto [lo, hi] = std::minmax_element(v->numbers.begin(), v->numbers.end());
    if (*lo == *hi) {
      np.set(id, *lo * scale);
      return Error::success();
    }
    if (v->numbers.size() != count)
      return failNode(n, "'" + key + "' has " + Twine(v->numbers.size()) +
                             " values for " + Twine(count) + " neurons");
    auto a = std::make_shared<NumArray>();
    a->shape = {count};
    a->data.reserve(count);
    for (double x : v->numbers)
      a->data.push_back(x * scale);
    np.perNeuron[unsigned(id)] = std::move(a);
    return Error::success();
  };
  auto each = [&](NeuronParamId id, auto check) -> bool {
    const auto &a = np.perNeuron[unsigned(id)];
    if (!a)
      return check(np.get(id));
    return llvm::all_of(a->data, check);
  };
  // In the file's units (\p scale: IR units per file unit).
  auto range = [&](NeuronParamId id, double scale = 1) {
    const auto &a = np.perNeuron[unsigned(id)];
    if (!a)
      return formatValue(np.get(id) / scale);
    auto [lo, hi] = std::minmax_element(a->data.begin(), a->data.end());
    return formatValue(*lo / scale) + " to " + formatValue(*hi / scale);
  };
  const NirNode &nd = *n.node;
  if (metaString(nd, "scnc_model") == "IF_curr_exp") {
    // Written by scncc -emit=nir: the exact IF_curr_exp set.
    np.model = "IF_curr_exp";
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  np.NAME = metaNumber(nd, "scnc_" #NAME).getValueOr(DEFAULT);
#include "scnc/IR/NeuronParams.def"
    net.neuronSets.push_back(np);
    pop.neuron = pop.trainNeuron = np.name;
    return Error::success();
  }
  using Id = NeuronParamId;
  if (Error e = get("v_threshold", 0, true, Id::v_thresh))
    return e;
  if (Error e = get("v_reset", 0, false, Id::v_reset))
    return e;
  if (Error e = get("r", 1, true, Id::r))
    return e;
  np.v_init = metaNumber(nd, "scnc_v_init").getValueOr(0);
  np.resetSubtract =
      o.resetSubtract || metaString(nd, "scnc_reset") == "subtract";
  np.i_offset = 0;
  np.tau_refrac = 0;
  auto positive = [](double x) { return x > 0; };
  if (n.type == "LIF" || n.type == "CubaLIF") {
    if (Error e =
            get(n.type == "LIF" ? "tau" : "tau_mem", 0, true, Id::tau_m, 1000))
      return e;
    if (Error e = get("v_leak", 0, true, Id::v_rest))
      return e;
    if (!each(Id::tau_m, positive))
      return failNode(n, "time constant " + range(Id::tau_m, 1000) +
                             " s: must be positive");
  }
  if (n.type == "CubaLIF") {
    if (Error e = get("tau_syn", 0, true, Id::tau_syn_E, 1000))
      return e;
    if (Error e = get("w_in", 1, false, Id::w_in))
      return e;
    if (!each(Id::tau_syn_E, positive))
      return failNode(n, "tau_syn " + range(Id::tau_syn_E, 1000) +
                             " s: must be positive");
    np.tau_syn_I = np.tau_syn_E;
    np.perNeuron[unsigned(Id::tau_syn_I)] =
        np.perNeuron[unsigned(Id::tau_syn_E)];
  }
  // Values scncc -emit=nir wrote exactly beside the float32 arrays.
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  if (#NAME != StringRef("i_offset") && #NAME != StringRef("v_init") &&        \
      !np.perNeuron[unsigned(Id::NAME)])                                       \
    np.NAME = refined(nd, #NAME, np.NAME);
#include "scnc/IR/NeuronParams.def"
  if (!each(Id::r, positive) ||
      (n.type == "CubaLIF" && !each(Id::w_in, positive)))
    return failNode(n, "r and w_in must be positive");
  for (uint64_t i = 0; i < (np.hasPerNeuron() ? count : 1); ++i) {
    NeuronParams one = np.hasPerNeuron() ? np.neuron(i) : np;
    if (one.v_thresh <= one.v_reset)
      return failNode(
          n, "v_threshold " + formatNumber(one.v_thresh) +
                 " is not above v_reset " + formatNumber(one.v_reset) +
                 (np.hasPerNeuron() ? " at neuron " + Twine(i) : Twine()));
  }
  net.neuronSets.push_back(np);
  pop.neuron = pop.trainNeuron = np.name;
  return Error::success();
}

Error Lowering::addProjections(unsigned pre, const FlatNode &post,
                               const std::vector<unsigned> &path,
                               LinearMap &m) {
  Population &target = net.populations[post.population];
  NeuronParams *np = nullptr;
  for (NeuronParams &s : net.neuronSets)
    if (s.name == target.neuron)
      np = &s;
  // A bias: a constant current into each neuron (i_offset), summed over
  // the paths into the population; per neuron when it differs.
  if (!m.bias.empty()) {
    auto [lo, hi] = std::minmax_element(m.bias.begin(), m.bias.end());
    std::shared_ptr<const NumArray> &arr =
        np->perNeuron[unsigned(NeuronParamId::i_offset)];
    uint64_t count = target.shape.size();
    if (*lo == *hi && !arr) {
      np->i_offset += *lo;
    } else {
      if (np->modelKind() == NeuronModelKind::IfCurrExp)
        return failNode(nodes[path.back()],
                        "its bias differs between channels (from " +
                            formatValue(*lo) + " to " + formatValue(*hi) +
                            "); scnc gives an IF_curr_exp population one "
                            "constant current");
      if (m.bias.size() != count && *lo != *hi)
        return failNode(nodes[path.back()],
                        "its bias has " + Twine(m.bias.size()) +
                            " values for " + Twine(count) + " neurons");
      auto a = std::make_shared<NumArray>();
      a->shape = {count};
      a->data = arr ? arr->data : std::vector<double>(count, np->i_offset);
      for (uint64_t e = 0; e < count; ++e)
        a->data[e] += m.bias.size() == count ? m.bias[e] : *lo;
      arr = std::move(a);
    }
  }
  // Delays come as float32 seconds (0.003 is 3.0000000261 ms).
  double ticks = m.delayMs / o.timestep;
  if (std::fabs(ticks - std::round(ticks)) > 1e-5 * std::max(1.0, ticks))
    return failNode(post, "a delay of " + formatValue(m.delayMs / 1000) +
                              " s (" +
                              formatNumber(std::round(m.delayMs * 1e6) / 1e6) +
                              " ms) is not a multiple of the timestep " +
                              formatNumber(o.timestep) + " ms");
  Projection proto;
  proto.pre = pre;
  proto.post = unsigned(post.population);
  proto.delay = o.timestep * (1 + std::round(ticks));
  proto.loc = SMLoc();
  const Population &src = net.populations[pre];
  std::string base = src.name + "." + target.name;
  auto uniqueName = [&](std::string n) {
    std::string name = n;
    for (unsigned k = 2;
         llvm::any_of(net.projections,
                      [&](const Projection &p) { return p.name == name; });
         ++k)
      name = n + "." + std::to_string(k);
    return name;
  };
  // One projection per sign: excitatory takes the positive part,
  // inhibitory the magnitude of the negative part.
  for (int sign = 0; sign < 2; ++sign) {
    Projection p = proto;
    p.receptor = sign ? Projection::Receptor::Inhibitory
                      : Projection::Receptor::Excitatory;
    auto part = [&](double v) {
      return sign ? (v < 0 ? -v : 0.0) : (v > 0 ? v : 0.0);
    };
    switch (m.kind) {
    case LinearMap::Identity: {
      double f = m.scale.empty() ? 1.0 : m.scale[0];
      if (llvm::any_of(m.scale, [&](double x) { return x != f; }))
        return failNode(post, "its input '" + src.name +
                                  "' arrives through a Scale that differs "
                                  "between neurons; scnc's one-to-one "
                                  "projections have one weight");
      if (part(f) == 0)
        continue;
      p.kind = Projection::Kind::OneToOne;
      p.weights.kind = WeightInit::Constant;
      p.weights.value = part(f);
      break;
    }
    case LinearMap::Window: {
      // Pooling: each channel from its own channel, one weight.
      bool pool = m.cin == m.cout;
      double c = m.w.empty() ? 0 : m.w[0];
      uint64_t taps = m.kh * m.kw;
      for (uint64_t o = 0; pool && o < m.cout; ++o)
        for (uint64_t i = 0; pool && i < m.cin; ++i)
          for (uint64_t j = 0; pool && j < taps; ++j)
            pool = m.w[(o * m.cin + i) * taps + j] == (o == i ? c : 0.0);
      p.kernel = Pair{uint32_t(m.kh), uint32_t(m.kw)};
      p.stride = Pair{uint32_t(m.sh), uint32_t(m.sw)};
      p.padding = Pair{uint32_t(m.ph), uint32_t(m.pw)};
      // scncc -emit=nir writes a per-map layer as a Conv2d over every input
      // map with metadata mode = per_map; the weights must say so too: one
      // kernel per filter on map o % C of output map o, 0 elsewhere.
      bool perMapHint = llvm::any_of(path, [&](unsigned j) {
        return metaString(*nodes[j].node, "scnc_mode") == "per_map";
      });
      if (perMapHint && !pool && m.cout % m.cin == 0) {
        uint64_t C = m.cin, F = m.cout / C;
        auto a = std::make_shared<NumArray>();
        a->shape = {F, m.kh, m.kw};
        a->data.assign(F * taps, 0.0);
        bool fits = true, any = false;
        for (uint64_t o = 0; fits && o < m.cout; ++o)
          for (uint64_t c = 0; fits && c < C; ++c)
            for (uint64_t j = 0; fits && j < taps; ++j) {
              double v = double(float(part(m.w[(o * C + c) * taps + j])));
              if (c != o % C) {
                fits = v == 0;
              } else if (o % C == 0) {
                a->data[(o / C) * taps + j] = v;
                any |= v != 0;
              } else {
                fits = v == a->data[(o / C) * taps + j];
              }
            }
        if (fits) {
          if (!any)
            continue;
          p.kind = Projection::Kind::Conv;
          p.filters = uint32_t(F);
          p.mode = Projection::ChannelMode::PerMap;
          p.weights.kind = WeightInit::Dense;
          p.weights.array = std::move(a);
          break;
        }
      }
      if (pool) {
        if (part(c) == 0)
          continue;
        p.kind = Projection::Kind::Pool;
        p.poolOp = Projection::PoolOp::Sum;
        p.weights.kind = WeightInit::Constant;
        p.weights.value = part(c);
        break;
      }
      auto a = std::make_shared<NumArray>();
      a->shape = {m.cout, m.cin, m.kh, m.kw};
      a->data.resize(m.w.size());
      bool any = false;
      for (size_t j = 0; j < m.w.size(); ++j) {
        a->data[j] = double(float(part(m.w[j])));
        any |= a->data[j] != 0;
      }
      if (!any)
        continue;
      p.kind = Projection::Kind::Conv;
      p.filters = uint32_t(m.cout);
      p.mode = Projection::ChannelMode::Standard;
      p.weights.kind = WeightInit::Dense;
      p.weights.array = std::move(a);
      break;
    }
    case LinearMap::Matrix: {
      // The IR's dense weights are (pre, post).
      auto a = std::make_shared<NumArray>();
      a->shape = {m.cols, m.rows};
      a->data.resize(m.w.size());
      bool any = false;
      for (uint64_t r = 0; r < m.rows; ++r)
        for (uint64_t c = 0; c < m.cols; ++c) {
          double v = double(float(part(m.w[r * m.cols + c])));
          a->data[c * m.rows + r] = v;
          any |= v != 0;
        }
      if (!any)
        continue;
      p.kind = Projection::Kind::Dense;
      p.units = uint32_t(m.rows);
      p.weights.kind = WeightInit::Dense;
      p.weights.array = std::move(a);
      break;
    }
    }
    p.name = uniqueName(sign ? base + ".inh" : base);
    net.projections.push_back(std::move(p));
  }
  return Error::success();
}

Expected<Network> Lowering::run() {
  if (g.root.type != "NIRGraph")
    return fail("the top node is a " + g.root.type + ", not a NIRGraph");
  StringMap<std::string> entry, exit;
  if (Error e = flatten(g.root, "", true, entry, exit))
    return e;
  for (FlatNode &n : nodes) {
    if (n.type == "NIRGraph" || n.type == "Input" || n.type == "Output" ||
        isNeuronType(n.type) || isLinearType(n.type))
      continue;
    StringRef why = unsupportedReason(n.type);
    return fail("node '" + n.name + "' (" + n.type +
                "): " + (why.empty() ? StringRef("unknown node type") : why) +
                "; scnc supports Input, Output, Conv2d, SumPool2d, "
                "AvgPool2d, Linear, Affine, Scale, Flatten, Delay, IF, LIF, "
                "CubaLIF and NIRGraph");
  }
  std::vector<unsigned> topo;
  if (Error e = order(topo))
    return e;
  for (unsigned i : topo)
    if (Error e = inferShape(nodes[i]))
      return e;

  std::string stem = sys::path::stem(file).str();
  net.name = popName(stem);
  if (std::string n = metaString(g.root, "scnc_network"); !n.empty())
    net.name = popName(n);
  net.sim.timestep = o.timestep;
  if (auto v = metaNumber(g.root, "scnc_timestep"))
    net.sim.timestep = o.timestep = *v;
  if (auto v = metaNumber(g.root, "scnc_presentation"))
    net.sim.presentation = *v;
  if (auto v = metaNumber(g.root, "scnc_input_window"))
    net.sim.inputWindow = *v;
  if (auto v = metaNumber(g.root, "scnc_neurons_per_core"))
    net.sim.neuronsPerCore = uint32_t(*v);
  if (auto v = metaNumber(g.root, "scnc_seed"))
    net.sim.seed = uint64_t(*v);
  // Populations in topological order.
  for (unsigned i : topo) {
    FlatNode &n = nodes[i];
    if (n.type != "Input" && !isNeuronType(n.type))
      continue;
    Population pop;
    pop.name = popName(n.name);
    const Dims &d = n.out;
    pop.shape = d.size() == 3
                    ? Shape{uint32_t(d[1]), uint32_t(d[2]), uint32_t(d[0])}
                : d.size() == 2 ? Shape{1, uint32_t(d[1]), uint32_t(d[0])}
                                : Shape{1, 1, uint32_t(d[0])};
    pop.neuronsPerCore =
        uint32_t(metaNumber(*n.node, "scnc_neurons_per_core").getValueOr(0));
    pop.expectedRate = metaNumber(*n.node, "scnc_expected_rate").getValueOr(0);
    if (n.type == "Input") {
      pop.kind = Population::Kind::Input;
      pop.layer = "input";
      std::string enc = metaString(*n.node, "scnc_encoding");
      pop.encoding.kind =
          llvm::is_contained(encodingKinds(), enc) ? enc : "rate";
      for (const EncodingParam &p : encodingParams(pop.encoding.kind))
        pop.encoding.params.push_back(
            {p.name.str(),
             metaNumber(*n.node, ("scnc_encoding_" + p.name).str())
                 .getValueOr(p.dflt)});
    } else {
      pop.kind = Population::Kind::Neurons;
      pop.layer = "nir";
      if (Error e = addNeuronSet(n, pop))
        return e;
    }
    n.population = int(net.populations.size());
    net.populations.push_back(std::move(pop));
  }
  // Projections: every path of linear nodes into each neuron node.
  for (unsigned i : topo) {
    FlatNode &post = nodes[i];
    if (!isNeuronType(post.type))
      continue;
    // Depth-first back from the neuron node; `chain` holds the linear nodes
    // between the current node and the neuron node, nearest last.
    std::vector<unsigned> chain;
    unsigned paths = 0;
    std::function<Error(unsigned)> walk = [&](unsigned at) -> Error {
      const FlatNode &n = nodes[at];
      if (n.population >= 0) {
        if (++paths > 100000)
          return failNode(post, "more than 100000 paths of linear nodes "
                                "lead to it");
        LinearMap m;
        Dims in = n.out;
        std::vector<unsigned> path(chain.rbegin(), chain.rend());
        for (unsigned j : path) {
          if (Error e = compose(nodes[j], in, m))
            return e;
          in = nodes[j].out;
        }
        return addProjections(unsigned(n.population), post, path, m);
      }
      if (n.type == "Output")
        return failNode(n, "an Output node with an outgoing edge");
      chain.push_back(at);
      for (unsigned p : n.preds)
        if (Error e = walk(p))
          return e;
      chain.pop_back();
      return Error::success();
    };
    for (unsigned p : post.preds)
      if (Error e = walk(p))
        return e;
  }
  // Linear nodes that reach no neuron (e.g. straight to an Output) compute
  // nothing scnc can observe.
  for (unsigned i : topo) {
    const FlatNode &n = nodes[i];
    if (n.type != "Output")
      continue;
    for (unsigned p : n.preds) {
      // Through a subgraph's Output (a pass-through node).
      while (nodes[p].type == "Identity" && nodes[p].preds.size() == 1)
        p = nodes[p].preds[0];
      if (nodes[p].population < 0)
        return failNode(n, "its input '" + nodes[p].name +
                               "' is not a neuron or Input node; scnc "
                               "records spikes of populations only");
    }
  }
  // The constant currents (biases) at the exact value scncc wrote.
  for (const FlatNode &fn : nodes)
    if (fn.population >= 0 && isNeuronType(fn.type))
      for (NeuronParams &np : net.neuronSets)
        if (np.name == net.populations[fn.population].neuron &&
            !np.perNeuron[unsigned(NeuronParamId::i_offset)])
          np.i_offset = refined(*fn.node, "i_offset", np.i_offset);
  // A neuron population's layer kind: that of its first projection.
  for (Population &pop : net.populations)
    for (const Projection &p : net.projections)
      if (&net.populations[p.post] == &pop) {
        pop.layer = p.kind == Projection::Kind::Conv    ? "conv"
                    : p.kind == Projection::Kind::Pool  ? "pool"
                    : p.kind == Projection::Kind::Dense ? "dense"
                                                        : "one_to_one";
        break;
      }
  return net;
}

Expected<Network> scnc::lowerNirGraph(const NirGraph &g, StringRef fileName,
                                      const NirLoweringOptions &o) {
  Lowering l(g, fileName, o);
  return l.run();
}

Expected<Network> scnc::importNir(StringRef path, const NirLoweringOptions &o) {
  Expected<NirGraph> g = readNirFile(path);
  if (!g)
    return g.takeError();
  return lowerNirGraph(*g, path, o);
}
