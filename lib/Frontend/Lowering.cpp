//===- Lowering.cpp - .scn semantics --------------------------------------===//
//
// A layer becomes one population and one projection per named input:
//   input L { shape; encoding }      -> population L : input
//   conv/pool/dense L(a, b) { ... }  -> population L, projections a.L, b.L
//   classifier S(L) { ... }          -> the network's classifier
//
//===----------------------------------------------------------------------===//
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/AttributeReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/Syntax/Parser.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace scnc;
using namespace llvm;

uint64_t scnc::deriveSeed(uint64_t simSeed, StringRef name) {
  // FNV-1a of the name, then splitmix64 of the combination.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : name) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  uint64_t z = simSeed ^ h;
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return z == UINT64_MAX ? 0 : z; // UINT64_MAX means "no seed" internally
}

namespace {

static std::string suggest(StringRef word, ArrayRef<StringRef> cands) {
  StringRef g = closestMatch(word, cands);
  return g.empty() ? std::string() : ("; did you mean '" + g + "'?").str();
}

class Lowering {
public:
  explicit Lowering(DiagnosticEngine &diag) : diag(diag) {}
  Optional<Network> lower(const Module &m);

private:
  void lowerNetwork(const Block &nb);
  void lowerLayer(const Block &b);
  /// The layers a layer reads (earlier layers), after reporting bad ones.
  SmallVector<int, 2> layerInputs(const Block &b, const std::string &what);
  /// The projection every input of a conv, pool or dense layer gets.
  Projection layerProjection(const Block &b, AttrReader &r);
  void lowerClassifier(const Block &b);
  /// The neuron set a layer names (or the implicit PyNN default).
  std::string neuronRef(AttrReader &r, StringRef attr, StringRef dflt);
  void fixSeed(WeightInit &w, StringRef name) {
    if (w.kind == WeightInit::Normal && w.seed == UINT64_MAX)
      w.seed = deriveSeed(net.sim.seed, name);
  }

  DiagnosticEngine &diag;
  ConstantTable consts;
  Network net;
  StringMap<SMLoc> layerNames;
  StringMap<SMLoc> neuronNames, stdpNames;
  std::vector<std::string> layerOrder;
  bool usesDefaultNeuron = false;
  StringSet<> unseededRules;
  const Block *classifierBlock = nullptr;
};

} // namespace

std::string Lowering::neuronRef(AttrReader &r, StringRef attr, StringRef dflt) {
  std::string name = dflt.str();
  r.getName(attr, name);
  if (name == "default" && !net.findNeuronSet("default")) {
    usesDefaultNeuron = true;
    return name;
  }
  if (!net.findNeuronSet(name)) {
    SmallVector<StringRef, 8> cands;
    for (const NeuronParams &p : net.neuronSets)
      cands.push_back(p.name);
    diag.error(r.locOf(attr), "use of undefined neuron parameter set '" + name +
                                  "'" + suggest(name, cands));
  }
  return name;
}

SmallVector<int, 2> Lowering::layerInputs(const Block &b,
                                          const std::string &what) {
  StringRef kind = b.kind.name;
  SmallVector<int, 2> inputs;
  bool isInput = kind == "input";
  if (isInput && !b.inputs.empty())
    diag.error(b.inputs.front().loc, "an input layer takes no inputs");
  if (!isInput && b.inputs.empty()) {
    diag.error(b.name.loc, what + " needs its input(s): '" + kind + " " +
                               b.name.name + "(previous_layer) { ... }'");
  }
  StringMap<SMLoc> seenInputs;
  for (const Ident &in : isInput ? ArrayRef<Ident>() : makeArrayRef(b.inputs)) {
    if (!checkUnique(seenInputs, in, "input", diag))
      continue;
    int idx = net.findPopulation(in.name);
    if (idx < 0) {
      SmallVector<StringRef, 16> cands;
      for (const std::string &l : layerOrder)
        cands.push_back(l);
      diag.error(in.loc, "use of undefined layer '" + in.name + "'" +
                             suggest(in.name, cands));
      continue;
    }
    inputs.push_back(idx);
  }
  return inputs;
}

Projection Lowering::layerProjection(const Block &b, AttrReader &r) {
  StringRef kind = b.kind.name;
  Projection proto;
  proto.loc = b.loc;
  std::string stdp;
  r.getName("stdp", stdp);
  if (!stdp.empty() && stdp != "none" && !net.findStdpRule(stdp)) {
    SmallVector<StringRef, 8> cands;
    for (const StdpRule &s : net.stdpRules)
      cands.push_back(s.name);
    diag.error(r.locOf("stdp"), "use of undefined STDP rule '" + stdp + "'" +
                                    suggest(stdp, cands));
  }
  if (stdp == "none")
    stdp.clear();
  proto.stdp = stdp;
  proto.delay = net.sim.timestep;
  proto.stride = Pair{1, 1};
  if (kind == "conv") {
    proto.kind = Projection::Kind::Conv;
    r.require("filters");
    r.require("kernel");
  } else if (kind == "pool") {
    proto.kind = Projection::Kind::Pool;
    r.require("kernel");
  } else { // dense
    proto.kind = Projection::Kind::Dense;
    r.require("units");
  }
  readProjectionAttrs(r, proto);
  if (r.has("delay") && proto.delay < net.sim.timestep && proto.delay > 0)
    diag.error(r.locOf("delay"),
               "value out of range: 'delay' must be at least the timestep (" +
                   formatNumber(net.sim.timestep) + " ms)");
  if (kind == "pool") {
    if (!r.has("stride"))
      proto.stride = proto.kernel; // non-overlapping windows by default
    double w = 1.0;
    r.getQuantity("weight", Dimension::Current, w, 0, true);
    proto.weights = WeightInit::constant(w);
    if (proto.poolOp == Projection::PoolOp::Average)
      proto.weights.value = w / (double(proto.kernel.h) * proto.kernel.w);
  }
  if (kind != "pool") {
    if (r.has("weights")) {
      r.getWeightInit("weights", proto.weights);
    } else if (r.has("shares")) {
      // Another conv layer's kernels (lowerLayer).
    } else if (const StdpRule *rule = net.findStdpRule(proto.stdp)) {
      proto.weights = rule->init;
      // A rule's init without its own seed: each layer draws its own stream.
      if (unseededRules.count(rule->name))
        proto.weights.seed = UINT64_MAX;
    } else {
      r.require("weights");
    }
  }
  return proto;
}

void Lowering::lowerLayer(const Block &b) {
  StringRef kind = b.kind.name;
  const std::string &name = b.name.name;
  std::string what = (kind + " layer '" + name + "'").str();
  if (name.empty()) {
    diag.error(b.loc, kind + " layer needs a name");
    return;
  }
  if (StringRef(name).contains('.')) {
    diag.error(b.name.loc, "layer name '" + name + "' must not contain '.'");
    return;
  }
  if (!checkUnique(layerNames, b.name, "layer", diag))
    return;
  if (!b.type.name.empty())
    diag.error(b.type.loc, "unexpected ': " + b.type.name + "' after " + what);
  if (!b.children.empty())
    diag.error(b.children.front().loc, "unexpected block inside " + what);

  bool isInput = kind == "input";
  SmallVector<int, 2> inputs = layerInputs(b, what);

  Population pop;
  pop.name = name;
  pop.loc = b.loc;
  pop.layer = kind.str();
  layerOrder.push_back(name);

  static const StringRef inputAttrs[] = {"shape", "encoding",
                                         "neurons_per_core", "expected_rate"};
  static const StringRef convAttrs[] = {"filters",       "kernel",
                                        "stride",        "padding",
                                        "mode",          "weights",
                                        "delay",         "receptor",
                                        "stdp",          "neuron",
                                        "train_neuron",  "neurons_per_core",
                                        "expected_rate", "inhibit_unmatched",
                                        "inhibit_mean",  "shares"};
  static const StringRef poolAttrs[] = {
      "kernel",       "stride",   "padding", "op",           "weight",
      "delay",        "receptor", "neuron",  "train_neuron", "neurons_per_core",
      "expected_rate"};
  static const StringRef denseAttrs[] = {
      "units",        "weights", "delay",        "receptor",
      "stdp",         "neuron",  "train_neuron", "neurons_per_core",
      "expected_rate"};
  ArrayRef<StringRef> allowed = kind == "input"  ? makeArrayRef(inputAttrs)
                                : kind == "conv" ? makeArrayRef(convAttrs)
                                : kind == "pool" ? makeArrayRef(poolAttrs)
                                                 : makeArrayRef(denseAttrs);
  AttrReader r(b, diag, &consts, allowed, what);
  r.getNeuronsPerCore(pop.neuronsPerCore);
  r.getQuantity("expected_rate", Dimension::Frequency, pop.expectedRate, 0,
                /*minInclusive=*/false);

  if (isInput) {
    pop.kind = Population::Kind::Input;
    r.require("shape");
    r.getShape("shape", pop.shape, /*allowUnknown=*/false);
    pop.encoding.kind = "rate";
    for (const EncodingParam &p : encodingParams("rate"))
      pop.encoding.params.push_back({p.name.str(), p.dflt});
    pop.encoding.dropUnusedFilter();
    r.getEncoding("encoding", pop.encoding);
    net.populations.push_back(std::move(pop));
    return;
  }

  pop.kind = Population::Kind::Neurons;
  pop.neuron = neuronRef(r, "neuron", "default");
  pop.trainNeuron = r.has("train_neuron")
                        ? neuronRef(r, "train_neuron", pop.neuron)
                        : pop.neuron;

  Projection proto = layerProjection(b, r);
  // inhibit_unmatched = c: each input also inhibits through the kernel's
  // complement, c * (w_max - w) (WeightInit::Complement).
  double unmatched = 0;
  const StdpRule *unmatchedRule = nullptr;
  if (kind == "conv" && r.has("inhibit_unmatched")) {
    r.getQuantity("inhibit_unmatched", Dimension::None, unmatched, 0, true);
    unmatchedRule = net.findStdpRule(proto.stdp);
    if (unmatched > 0 && !unmatchedRule && r.ok())
      diag.error(r.locOf("inhibit_unmatched"),
                 "'inhibit_unmatched' needs the layer's STDP rule: its w_max "
                 "is what an unmatched input's weight is measured from");
  }
  // inhibit_mean = c: each input also inhibits through c times the mean
  // of the layer's kernels (WeightInit::Mean): a map's neuron is driven by
  // how much better its kernel matches than the average kernel does.
  double meanScale = 0;
  if (kind == "conv" && r.has("inhibit_mean"))
    r.getQuantity("inhibit_mean", Dimension::None, meanScale, 0, true);
  // shares = L: this layer applies conv layer L's kernels to the same
  // input (WeightInit::Shared): after training, L's learned ones.
  std::string shares;
  bool bad = false;
  if (kind == "conv" && r.has("shares")) {
    r.getName("shares", shares);
    SMLoc at = r.locOf("shares");
    int l = shares.empty() ? -1 : net.findPopulation(shares);
    if (r.has("weights")) {
      diag.error(r.locOf("weights"),
                 "'weights' and 'shares' exclude each other: "
                 "a layer that shares another's kernels has "
                 "no weights of its own");
      bad = true;
    } else if (r.has("stdp")) {
      diag.error(r.locOf("stdp"),
                 "a layer that shares another's kernels does not "
                 "learn: remove 'stdp' (the shared layer's rule "
                 "trains the kernels)");
      bad = true;
    } else if (!shares.empty() && l < 0) {
      diag.error(at, "'shares' names undefined layer '" + shares + "'");
      bad = true;
    } else if (l >= 0 && net.populations[l].layer != "conv") {
      diag.error(at, "'shares' names " + net.populations[l].layer + " layer '" +
                         shares +
                         "'; only a conv layer's kernels can be shared");
      bad = true;
    }
  }
  if (!r.ok() || bad) {
    // Keep the layer so that the layers reading it are not told it is
    // undefined; the errors already fail the compilation.
    net.populations.push_back(std::move(pop));
    return;
  }
  unsigned postIdx = net.populations.size();
  net.populations.push_back(std::move(pop));
  for (int in : inputs) {
    Projection p = proto;
    p.name = net.populations[in].name + "." + name;
    p.pre = unsigned(in);
    p.post = postIdx;
    if (!shares.empty()) {
      p.weights = WeightInit{};
      p.weights.kind = WeightInit::Shared;
      p.weights.of = net.populations[in].name + "." + shares;
      if (llvm::none_of(net.projections, [&](const Projection &q) {
            return q.name == p.weights.of;
          })) {
        diag.error(b.name.loc, "conv layer '" + name +
                                   "' shares the kernels "
                                   "of '" +
                                   shares + "', which does not read '" +
                                   net.populations[in].name + "'");
        continue;
      }
    }
    fixSeed(p.weights, p.name);
    net.projections.push_back(std::move(p));
    size_t srcIdx = net.projections.size() - 1;
    // The frozen layer's extra inhibition (inhibit_unmatched,
    // inhibit_mean): the same synapses as the layer's projection, the
    // opposite receptor, no STDP, weights derived from another
    // projection's.
    auto addOpposite = [&](StringRef suffix, const WeightInit &weights) {
      Projection q = net.projections[srcIdx];
      q.name += suffix.str();
      q.receptor = q.receptor == Projection::Receptor::Excitatory
                       ? Projection::Receptor::Inhibitory
                       : Projection::Receptor::Excitatory;
      q.stdp.clear();
      q.weights = weights;
      net.projections.push_back(std::move(q));
    };
    if (unmatched > 0 && unmatchedRule) {
      WeightInit w;
      w.kind = WeightInit::Complement;
      w.of = net.projections[srcIdx].name;
      w.scale = unmatched;
      w.wMax = unmatchedRule->wMax;
      addOpposite(".unmatched", w);
    }
    if (meanScale > 0) {
      // Of the kernels themselves: a layer that shares another's takes the
      // mean of the shared projection's.
      WeightInit w;
      w.kind = WeightInit::Mean;
      const Projection &kernels = net.projections[srcIdx];
      w.of = kernels.weights.kind == WeightInit::Shared ? kernels.weights.of
                                                        : kernels.name;
      w.scale = meanScale;
      addOpposite(".mean", w);
    }
  }
}

void Lowering::lowerClassifier(const Block &b) {
  Classifier c;
  c.name = b.name.name;
  c.loc = b.loc;
  if (c.name.empty()) {
    diag.error(b.loc, "classifier needs a name");
    return;
  }
  if (!checkUnique(layerNames, b.name, "layer", diag))
    return;
  if (b.inputs.empty()) {
    diag.error(b.name.loc, "classifier '" + c.name +
                               "' reads one or more layers: 'classifier " +
                               c.name + "(last_layer) { ... }'");
    return;
  }
  // Several layers: their spike counts side by side, in this order.
  for (const Ident &in : b.inputs) {
    int src = net.findPopulation(in.name);
    if (src < 0) {
      SmallVector<StringRef, 16> cands;
      for (const std::string &l : layerOrder)
        cands.push_back(l);
      diag.error(in.loc, "use of undefined layer '" + in.name + "'" +
                             suggest(in.name, cands));
      return;
    }
    if (llvm::is_contained(c.sources, unsigned(src))) {
      diag.error(in.loc, "classifier '" + c.name + "' reads layer '" + in.name +
                             "' twice");
      return;
    }
    c.sources.push_back(unsigned(src));
  }
  static const StringRef attrs[] = {"type", "classes", "C"};
  AttrReader r(b, diag, &consts, attrs, "classifier '" + c.name + "'");
  static const StringRef types[] = {"linear_svm"};
  unsigned t = 0;
  r.getEnum("type", types, t);
  r.getUInt32("classes", c.classes, 2);
  r.getQuantity("C", Dimension::None, c.c, 0, false);
  if (r.ok())
    net.classifier = c;
}

void Lowering::lowerNetwork(const Block &nb) {
  net.name = nb.name.name;
  net.loc = nb.loc;
  if (net.name.empty())
    diag.error(nb.loc, "network needs a name: 'network NAME { ... }'");
  if (!nb.attrs.empty())
    diag.error(nb.attrs.front().name.loc,
               "unexpected parameter '" + nb.attrs.front().name.name +
                   "' in network; layers are declared as 'KIND NAME(INPUTS) "
                   "{ ... }'");
  static const StringRef layerKinds[] = {"input", "conv", "pool", "dense",
                                         "classifier"};
  bool sawInput = false;
  bool reportedClassifier = false;
  for (const Block &b : nb.children) {
    StringRef k = b.kind.name;
    if (classifierBlock && !reportedClassifier) {
      diag.error(b.loc, "the classifier '" + classifierBlock->name.name +
                            "' must be the last element of the network");
      diag.note(classifierBlock->loc, "classifier declared here");
      reportedClassifier = true; // once; the rest is still checked
    }
    if (k == "classifier") {
      lowerClassifier(b);
      classifierBlock = &b;
      continue;
    }
    if (!is_contained(layerKinds, k)) {
      if (k == "neuron" || k == "stdp" || k == "simulation")
        diag.error(b.kind.loc, "'" + k +
                                   "' blocks belong at file level, outside "
                                   "the network");
      else
        diag.error(b.kind.loc,
                   "unknown layer kind '" + k + "'" + suggest(k, layerKinds));
      continue;
    }
    sawInput |= k == "input";
    lowerLayer(b);
  }
  if (!sawInput && !diag.hadError())
    diag.error(nb.loc, "network '" + net.name + "' has no input layer");
}

Optional<Network> Lowering::lower(const Module &m) {
  consts.addAll(m, diag);
  static const StringRef topKinds[] = {"network", "neuron", "stdp",
                                       "simulation"};
  const Block *netBlock = nullptr;
  const Block *simBlock = nullptr;
  for (const Block &b : m.blocks) {
    StringRef k = b.kind.name;
    if (k == "simulation") {
      if (simBlock) {
        diag.error(b.loc, "duplicate 'simulation' block");
        diag.note(simBlock->loc, "previous definition is here");
      } else {
        simBlock = &b;
      }
    } else if (k == "network") {
      if (netBlock) {
        diag.error(b.loc, "a file holds one network; found a second, '" +
                              b.name.name + "'");
        diag.note(netBlock->loc, "first network is here");
      } else {
        netBlock = &b;
      }
    }
  }
  // Settings first: defaults of layers (delay, seeds) depend on them.
  if (simBlock)
    readSimulation(*simBlock, diag, &consts, net.sim);
  for (const Block &b : m.blocks) {
    StringRef k = b.kind.name;
    if (k == "neuron") {
      // A set with errors is kept too, so that the layers using it do not
      // report it undefined (the errors already fail the compilation).
      NeuronParams p;
      if (checkUnique(neuronNames, b.name, "neuron parameter set", diag)) {
        readNeuronSet(b, diag, &consts, net.neuronSets, p);
        net.neuronSets.push_back(std::move(p));
      }
    } else if (k == "stdp") {
      StdpRule r;
      if (checkUnique(stdpNames, b.name, "STDP rule", diag)) {
        readStdpRule(b, diag, &consts, r); // kept even with errors, as above
        if (r.init.kind == WeightInit::Normal && r.init.seed == UINT64_MAX) {
          r.init.seed = deriveSeed(net.sim.seed, r.name);
          unseededRules.insert(r.name);
        }
        net.stdpRules.push_back(std::move(r));
      }
    } else if (k == "simulation" || k == "network") {
      continue;
    } else if (k == "input" || k == "conv" || k == "pool" || k == "dense" ||
               k == "classifier") {
      diag.error(b.kind.loc, "layer '" + b.name.name +
                                 "' must be declared inside a network block");
    } else {
      diag.error(b.kind.loc,
                 "unknown declaration '" + k + "'" + suggest(k, topKinds));
    }
  }
  if (!netBlock) {
    if (!diag.hadError())
      diag.error(m.blocks.empty() ? SMLoc() : m.blocks.front().loc,
                 "no 'network' block in the file");
    return None;
  }
  lowerNetwork(*netBlock);
  if (usesDefaultNeuron) {
    NeuronParams d;
    d.name = "default";
    net.neuronSets.insert(net.neuronSets.begin(), d);
  }
  if (diag.hadError())
    return None;
  return std::move(net);
}

Optional<Network> scnc::lowerModule(const Module &m, DiagnosticEngine &diag) {
  Lowering l(diag);
  return l.lower(m);
}

Optional<Network> scnc::parseNetwork(unsigned bufferId,
                                     DiagnosticEngine &diag) {
  Optional<Module> m = parseModule(bufferId, diag);
  if (!m)
    return None;
  return lowerModule(*m, diag);
}
