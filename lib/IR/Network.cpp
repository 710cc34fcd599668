//===- Network.cpp --------------------------------------------------------===//
#include "scnc/IR/Network.h"
#include "scnc/Support/Npy.h"

using namespace scnc;
using namespace llvm;

bool WeightInit::operator==(const WeightInit &o) const {
  if (kind != o.kind || value != o.value || mean != o.mean ||
      sigma != o.sigma || seed != o.seed || path != o.path || of != o.of ||
      scale != o.scale || wMax != o.wMax)
    return false;
  if (!array || !o.array)
    return array == o.array;
  return array->shape == o.array->shape && array->data == o.array->data;
}

int Network::findPopulation(StringRef name) const {
  for (size_t i = 0; i < populations.size(); ++i)
    if (populations[i].name == name)
      return int(i);
  return -1;
}

const NeuronParams *Network::findNeuronSet(StringRef name) const {
  for (const NeuronParams &n : neuronSets)
    if (n.name == name)
      return &n;
  return nullptr;
}

const StdpRule *Network::findStdpRule(StringRef name) const {
  for (const StdpRule &r : stdpRules)
    if (r.name == name)
      return &r;
  return nullptr;
}

StringRef scnc::toString(Projection::Kind k) {
  switch (k) {
  case Projection::Kind::Conv:
    return "conv";
  case Projection::Kind::Pool:
    return "pool";
  case Projection::Kind::Dense:
    return "dense";
  case Projection::Kind::OneToOne:
    return "one_to_one";
  case Projection::Kind::AllToAll:
    return "all_to_all";
  case Projection::Kind::FromList:
    return "from_list";
  }
  return "";
}

StringRef scnc::toString(Projection::ChannelMode m) {
  return m == Projection::ChannelMode::Standard ? "standard" : "per_map";
}
StringRef scnc::toString(Projection::PoolOp op) {
  return op == Projection::PoolOp::Sum ? "sum" : "average";
}
StringRef scnc::toString(Projection::Receptor r) {
  return r == Projection::Receptor::Excitatory ? "excitatory" : "inhibitory";
}
StringRef scnc::toString(StdpRule::WeightDependence d) {
  return d == StdpRule::WeightDependence::Additive ? "additive"
                                                   : "multiplicative";
}

static const StringRef kNeuronModelNames[] = {"IF_curr_exp", "IF", "LIF",
                                              "CubaLIF"};

StringRef scnc::neuronModelName(NeuronModelKind m) {
  return kNeuronModelNames[unsigned(m)];
}

ArrayRef<StringRef> scnc::neuronModelNames() { return kNeuronModelNames; }

bool scnc::parseNeuronModel(StringRef name, NeuronModelKind &out) {
  for (unsigned i = 0; i < 4; ++i)
    if (name == kNeuronModelNames[i]) {
      out = NeuronModelKind(i);
      return true;
    }
  return false;
}

StringRef scnc::neuronParamName(NeuronParamId id) {
  static const StringRef names[] = {
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS) #NAME,
#include "scnc/IR/NeuronParams.def"
  };
  return names[unsigned(id)];
}

uint64_t NeuronParams::perNeuronCount() const {
  for (const auto &a : perNeuron)
    if (a)
      return a->data.size();
  return 0;
}

double NeuronParams::get(NeuronParamId id) const {
  switch (id) {
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  case NeuronParamId::NAME:                                                    \
    return NAME;
#include "scnc/IR/NeuronParams.def"
  default:
    return 0;
  }
}

void NeuronParams::set(NeuronParamId id, double v) {
  switch (id) {
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  case NeuronParamId::NAME:                                                    \
    NAME = v;                                                                  \
    return;
#include "scnc/IR/NeuronParams.def"
  default:
    return;
  }
}

NeuronParams NeuronParams::neuron(uint64_t i) const {
  NeuronParams p = *this;
  for (unsigned k = 0; k < kNumNeuronParams; ++k)
    if (perNeuron[k]) {
      p.set(NeuronParamId(k), perNeuron[k]->data[i]);
      p.perNeuron[k].reset();
    }
  return p;
}

bool scnc::neuronModelTakes(NeuronModelKind m, StringRef param) {
  unsigned bit = 1u << unsigned(m);
  if (param == "reset")
    return m != NeuronModelKind::IfCurrExp;
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  if (param == #NAME)                                                          \
    return (MODELS)&bit;
#include "scnc/IR/NeuronParams.def"
  return false;
}

std::string scnc::classifierSourceNames(const Network &n) {
  std::string out;
  if (!n.classifier)
    return out;
  const std::vector<unsigned> &s = n.classifier->sources;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i)
      out += i + 1 == s.size() ? " and " : ", ";
    out += "'" + n.populations[s[i]].name + "'";
  }
  return out;
}
