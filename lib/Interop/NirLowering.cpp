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
// (1-3: NirGraph.cpp; the composition of 4: NirLinearMaps.cpp)
//   4. Input nodes and neuron nodes (IF, LIF, CubaLIF) become populations;
//      every path of linear nodes from one population to a neuron node is
//      composed into one linear map (a window op: convolution or pooling;
//      or a dense matrix) and becomes one projection per sign of weight.
//
// Anything that would not run exactly is an error naming the node.
//
//===----------------------------------------------------------------------===//
#include "NirLoweringInternal.h"
#include "scnc/IR/AttributeReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/Support/Npy.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cmath>
#include <functional>

using namespace scnc;
using namespace scnc::nir;
using namespace llvm;

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
      pop.encoding.dropUnusedFilter();
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
