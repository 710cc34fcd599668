//===- IRReader.cpp - Reading the textual IR back -------------------------===//
//
// The textual IR uses the block syntax of .scn files with lower-level
// blocks (population, projection) in which every attribute is required, so a
// printed network reads back to exactly the same network.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/IRReader.h"
#include "scnc/IR/AttributeReader.h"
#include "scnc/IR/Verifier.h"
#include "scnc/Syntax/Parser.h"
#include "llvm/ADT/STLExtras.h"

using namespace scnc;
using namespace llvm;

namespace {
class IRReader {
public:
  explicit IRReader(DiagnosticEngine &diag) : diag(diag) {}
  Optional<Network> read(const Module &m);

private:
  void readPopulation(const Block &b, Network &n);
  void readProjection(const Block &b, Network &n);
  void readClassifier(const Block &b, Network &n);
  int lookupPopulation(const Network &n, const Ident &id);

  DiagnosticEngine &diag;
  StringMap<SMLoc> popNames, projNames, neuronNames, stdpNames;
};
} // namespace

int IRReader::lookupPopulation(const Network &n, const Ident &id) {
  int i = n.findPopulation(id.name);
  if (i < 0) {
    SmallVector<StringRef, 16> names;
    for (const Population &p : n.populations)
      names.push_back(p.name);
    StringRef guess = closestMatch(id.name, names);
    diag.error(id.loc,
               "use of undefined population '" + id.name + "'" +
                   (guess.empty() ? std::string()
                                  : ("; did you mean '" + guess + "'?").str()));
  }
  return i;
}

void IRReader::readPopulation(const Block &b, Network &n) {
  Population p;
  p.name = b.name.name;
  p.loc = b.loc;
  if (!checkUnique(popNames, b.name, "population", diag))
    return;
  bool input = b.type.name == "input";
  if (!input && b.type.name != "IF_curr_exp") {
    diag.error(b.type.loc.isValid() ? b.type.loc : b.loc,
               "population '" + p.name +
                   "' needs a type: ': input' or ': IF_curr_exp'");
    return;
  }
  p.kind = input ? Population::Kind::Input : Population::Kind::Neurons;
  // The required attributes, then the optional expected_rate.
  static const StringRef inputAttrs[] = {"layer", "shape", "neurons_per_core",
                                         "encoding", "expected_rate"};
  static const StringRef neuronAttrs[] = {
      "layer",  "shape",        "neurons_per_core",
      "neuron", "train_neuron", "expected_rate"};
  ArrayRef<StringRef> attrs =
      input ? makeArrayRef(inputAttrs) : makeArrayRef(neuronAttrs);
  AttrReader r(b, diag, nullptr, attrs, "population '" + p.name + "'");
  for (StringRef a : attrs.drop_back())
    r.require(a);
  r.getName("layer", p.layer);
  r.getShape("shape", p.shape, /*allowUnknown=*/true);
  r.getNeuronsPerCore(p.neuronsPerCore);
  r.getQuantity("expected_rate", Dimension::Frequency, p.expectedRate, 0,
                /*minInclusive=*/false);
  if (input) {
    r.getEncoding("encoding", p.encoding);
  } else {
    r.getName("neuron", p.neuron);
    r.getName("train_neuron", p.trainNeuron);
    for (StringRef attr : {"neuron", "train_neuron"}) {
      const std::string &ref = attr == "neuron" ? p.neuron : p.trainNeuron;
      if (r.has(attr) && !ref.empty() && !n.findNeuronSet(ref))
        diag.error(r.locOf(attr),
                   "use of undefined neuron parameter set '" + ref + "'");
    }
  }
  if (p.neuronsPerCore == n.sim.neuronsPerCore)
    p.neuronsPerCore = 0;
  n.populations.push_back(std::move(p));
}

void IRReader::readProjection(const Block &b, Network &n) {
  Projection pr;
  pr.name = b.name.name;
  pr.loc = b.loc;
  if (!checkUnique(projNames, b.name, "projection", diag))
    return;
  if (b.inputs.size() != 2) {
    diag.error(b.loc, "projection '" + pr.name +
                          "' needs '(pre, post)' population names");
    return;
  }
  int pre = lookupPopulation(n, b.inputs[0]);
  int post = lookupPopulation(n, b.inputs[1]);
  static const StringRef kinds[] = {"conv",       "pool",       "dense",
                                    "one_to_one", "all_to_all", "from_list"};
  auto kindIt = llvm::find(kinds, b.type.name);
  if (kindIt == std::end(kinds)) {
    StringRef guess = closestMatch(b.type.name, kinds);
    diag.error(b.type.loc.isValid() ? b.type.loc : b.loc,
               "unknown projection kind '" + b.type.name + "'" +
                   (guess.empty() ? std::string()
                                  : ("; did you mean '" + guess + "'?").str()));
    return;
  }
  pr.kind = Projection::Kind(kindIt - std::begin(kinds));
  SmallVector<StringRef, 12> attrs;
  switch (pr.kind) {
  case Projection::Kind::Conv:
    attrs = {"filters", "kernel", "stride", "padding", "mode"};
    break;
  case Projection::Kind::Pool:
    attrs = {"op", "kernel", "stride", "padding"};
    break;
  case Projection::Kind::Dense:
    attrs = {"units"};
    break;
  case Projection::Kind::AllToAll:
    attrs = {"allow_self"};
    break;
  case Projection::Kind::FromList:
    attrs = {"path"};
    break;
  case Projection::Kind::OneToOne:
    break;
  }
  attrs.append({"weights", "delay", "receptor", "stdp"});
  AttrReader r(b, diag, nullptr, attrs, "projection '" + pr.name + "'");
  for (StringRef a : attrs)
    r.require(a);
  readProjectionAttrs(r, pr);
  r.getWeightInit("weights", pr.weights);
  r.getName("stdp", pr.stdp);
  if (pr.stdp == "none")
    pr.stdp.clear();
  else if (r.has("stdp") && !pr.stdp.empty() && !n.findStdpRule(pr.stdp))
    diag.error(r.locOf("stdp"), "use of undefined STDP rule '" + pr.stdp + "'");
  if (pr.weights.kind == WeightInit::Normal && pr.weights.seed == UINT64_MAX)
    diag.error(r.locOf("weights"), "missing argument 'seed' of 'normal'");
  if (pre < 0 || post < 0 || !r.ok())
    return;
  pr.pre = unsigned(pre);
  pr.post = unsigned(post);
  n.projections.push_back(std::move(pr));
}

void IRReader::readClassifier(const Block &b, Network &n) {
  if (n.classifier) {
    diag.error(b.loc, "duplicate classifier '" + b.name.name + "'");
    return;
  }
  Classifier c;
  c.name = b.name.name;
  c.loc = b.loc;
  c.kind = b.type.name;
  if (c.kind != "linear_svm") {
    diag.error(b.type.loc.isValid() ? b.type.loc : b.loc,
               "classifier '" + c.name + "' needs the type ': linear_svm'");
    return;
  }
  if (b.inputs.empty()) {
    diag.error(b.loc, "classifier '" + c.name + "' needs a source population");
    return;
  }
  bool found = true;
  for (const auto &in : b.inputs) {
    int src = lookupPopulation(n, in);
    found = found && src >= 0;
    if (src >= 0 && llvm::is_contained(c.sources, unsigned(src))) {
      diag.error(b.loc, "classifier '" + c.name + "' reads population '" +
                            n.populations[src].name + "' twice");
      return;
    }
    if (src >= 0)
      c.sources.push_back(unsigned(src));
  }
  static const StringRef attrs[] = {"classes", "C"};
  AttrReader r(b, diag, nullptr, attrs, "classifier '" + c.name + "'");
  for (StringRef a : attrs)
    r.require(a);
  r.getUInt32("classes", c.classes, 2);
  r.getQuantity("C", Dimension::None, c.c, 0, false);
  if (!found || !r.ok())
    return;
  n.classifier = c;
}

Optional<Network> IRReader::read(const Module &m) {
  if (!m.constants.empty()) {
    diag.error(m.constants.front().name.loc,
               "constants are not part of the textual IR");
    return None;
  }
  const Block *netBlock = nullptr;
  for (const Block &b : m.blocks) {
    if (b.kind.name != "network") {
      diag.error(b.kind.loc, "expected 'network', found '" + b.kind.name + "'");
      continue;
    }
    if (netBlock) {
      diag.error(b.loc, "the textual IR holds one network");
      continue;
    }
    netBlock = &b;
  }
  if (!netBlock) {
    if (!diag.hadError())
      diag.error(m.blocks.empty() ? SMLoc() : m.blocks.front().loc,
                 "expected a 'network' block");
    return None;
  }
  const Block &nb = *netBlock;
  Network n;
  n.name = nb.name.name;
  n.loc = nb.loc;
  if (!nb.attrs.empty())
    diag.error(nb.attrs.front().name.loc, "unexpected attribute '" +
                                              nb.attrs.front().name.name +
                                              "' in network");
  // Settings first: populations store their own neuron-per-core limit only
  // when it differs from the default.
  bool sawSim = false;
  for (const Block &b : nb.children)
    if (b.kind.name == "simulation") {
      if (sawSim)
        diag.error(b.loc, "duplicate 'simulation' block");
      sawSim = true;
      readSimulation(b, diag, nullptr, n.sim);
    }
  if (!sawSim)
    diag.error(nb.loc,
               "missing 'simulation' block in network '" + n.name + "'");
  static const StringRef kinds[] = {"simulation", "neuron",     "stdp",
                                    "population", "projection", "classifier"};
  for (const Block &b : nb.children) {
    StringRef k = b.kind.name;
    if (k == "simulation")
      continue;
    if (k == "neuron") {
      NeuronParams p;
      NeuronModelKind model;
      if (!b.type.name.empty() && !parseNeuronModel(b.type.name, model)) {
        diag.error(b.type.loc, "neuron sets in the textual IR are ': "
                               "IF_curr_exp', ': IF', ': LIF' or ': CubaLIF'");
        continue;
      }
      if (checkUnique(neuronNames, b.name, "neuron parameter set", diag) &&
          readNeuronSet(b, diag, nullptr, {}, p))
        n.neuronSets.push_back(std::move(p));
    } else if (k == "stdp") {
      StdpRule r;
      if (checkUnique(stdpNames, b.name, "STDP rule", diag) &&
          readStdpRule(b, diag, nullptr, r))
        n.stdpRules.push_back(std::move(r));
    } else if (k == "population") {
      readPopulation(b, n);
    } else if (k == "projection") {
      readProjection(b, n);
    } else if (k == "classifier") {
      readClassifier(b, n);
    } else {
      StringRef guess = closestMatch(k, kinds);
      diag.error(b.kind.loc,
                 "unknown IR block '" + k + "'" +
                     (guess.empty()
                          ? std::string()
                          : ("; did you mean '" + guess + "'?").str()));
    }
  }
  if (diag.hadError())
    return None;
  return n;
}

Optional<Network> scnc::readIR(unsigned bufferId, DiagnosticEngine &diag) {
  Optional<Module> m = parseModule(bufferId, diag);
  if (!m)
    return None;
  IRReader r(diag);
  Optional<Network> n = r.read(*m);
  if (!n)
    return None;
  if (!verifyNetwork(*n, diag))
    return None;
  return n;
}
