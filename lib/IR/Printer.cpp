//===- Printer.cpp - Textual IR -------------------------------------------===//
#include "scnc/IR/Printer.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/Units.h"
#include "scnc/Syntax/AST.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include <cstring>

using namespace scnc;
using namespace llvm;

void scnc::printNumber(raw_ostream &os, double v) {
  Value tmp;
  tmp.kind = Value::Number;
  tmp.real = v == 0 ? 0.0 : v; // never print "-0"
  tmp.print(os);
}

std::string scnc::formatNumber(double v) {
  std::string s;
  raw_string_ostream os(s);
  printNumber(os, v);
  return os.str();
}

static void q(raw_ostream &os, StringRef name, double v, StringRef unit) {
  os << name << " = ";
  printNumber(os, v);
  if (!unit.empty())
    os << ' ' << unit;
  os << "; ";
}

std::string scnc::formatShape(const Shape &s) {
  if (!s.isKnown())
    return "unknown";
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" +
         std::to_string(s.c);
}

static void printShape(raw_ostream &os, const Shape &s) {
  if (!s.isKnown())
    os << "unknown";
  else
    os << s.h << " x " << s.w << " x " << s.c;
}

static void printPair(raw_ostream &os, const Pair &p) {
  os << p.h << " x " << p.w;
}

/// `dense(shape = A x B, data = "...")`: the shape, then every value's
/// float32 bits as 8 hex digits (exact, and half the size of decimal text);
/// with \p allowDouble, when some value is not a float32, every value's
/// float64 bits as 16 hex digits instead.
static void printDense(raw_ostream &os, const NumArray &a, bool allowDouble) {
  bool wide = allowDouble && llvm::any_of(a.data, [](double v) {
                return double(float(v)) != v;
              });
  os << "dense(shape = ";
  for (size_t i = 0; i < a.shape.size(); ++i)
    os << (i ? " x " : "") << a.shape[i];
  os << ", data = \"";
  for (double v : a.data) {
    if (wide) {
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      os << format_hex_no_prefix(bits, 16);
      continue;
    }
    float f = float(v);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    os << format_hex_no_prefix(bits, 8);
  }
  os << "\")";
}

void scnc::printWeightInit(raw_ostream &os, const WeightInit &w) {
  switch (w.kind) {
  case WeightInit::Constant:
    os << "constant(value = ";
    printNumber(os, w.value);
    os << " nA)";
    return;
  case WeightInit::Normal:
    os << "normal(mean = ";
    printNumber(os, w.mean);
    os << " nA, sigma = ";
    printNumber(os, w.sigma);
    os << " nA, seed = " << w.seed << ")";
    return;
  case WeightInit::File:
    os << "file(path = \"" << w.path << "\")";
    return;
  case WeightInit::Dense:
    printDense(os, *w.array, false);
    return;
  case WeightInit::Complement:
    os << "complement(of = \"" << w.of << "\", scale = ";
    printNumber(os, w.scale);
    os << ", w_max = ";
    printNumber(os, w.wMax);
    os << " nA)";
    return;
  case WeightInit::Shared:
    os << "shared(of = \"" << w.of << "\")";
    return;
  case WeightInit::Mean:
    os << "mean(of = \"" << w.of << "\", scale = ";
    printNumber(os, w.scale);
    os << ")";
    return;
  }
}

void scnc::printEncoding(raw_ostream &os, const Encoding &e) {
  os << e.kind << "(";
  bool first = true;
  for (auto &p : e.params) {
    // The pre-filter's sigmas only when it is on (0 is off, and reads back
    // as absent: Encoding::dropUnusedFilter).
    if (Encoding::isUnusedFilter(p))
      continue;
    if (!first)
      os << ", ";
    first = false;
    os << p.first << " = ";
    printNumber(os, p.second);
    if (p.first == "max_rate")
      os << " Hz";
    else if (p.first == "t_max")
      os << " ms";
  }
  os << ")";
}

static void printNetworkImpl(const Network &n, raw_ostream &os) {
  os << "network " << n.name << " {\n";
  const Simulation &s = n.sim;
  os << "  simulation { ";
  q(os, "timestep", s.timestep, "ms");
  q(os, "presentation", s.presentation, "ms");
  q(os, "input_window", s.inputWindow, "ms");
  os << "neurons_per_core = " << s.neuronsPerCore << "; seed = " << s.seed
     << "; }\n";
  for (const NeuronParams &p : n.neuronSets) {
    os << "  neuron " << p.name << " : " << p.model << " {\n    ";
    // The model's parameters (NeuronParams.def order), five to a line.
    NeuronModelKind model = p.modelKind();
    unsigned i = 0;
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  if (neuronModelTakes(model, #NAME)) {                                        \
    if (const auto &a = p.perNeuron[unsigned(NeuronParamId::NAME)]) {          \
      os << #NAME " = ";                                                       \
      printDense(os, *a, true);                                                \
      os << "; ";                                                              \
    } else {                                                                   \
      q(os, #NAME, p.NAME, canonicalUnit(Dimension::DIM));                     \
    }                                                                          \
    if (++i == 5)                                                              \
      os << "\n    ";                                                          \
  }
#include "scnc/IR/NeuronParams.def"
    if (model != NeuronModelKind::IfCurrExp)
      os << "reset = " << (p.resetSubtract ? "subtract" : "value") << "; ";
    os << "\n  }\n";
  }
  for (const StdpRule &r : n.stdpRules) {
    os << "  stdp " << r.name << " {\n    rule = pair; ";
    q(os, "tau_plus", r.tauPlus, "ms");
    q(os, "tau_minus", r.tauMinus, "ms");
    q(os, "A_plus", r.aPlus, "");
    q(os, "A_minus", r.aMinus, "");
    os << "\n    weight_dependence = " << toString(r.dependence) << "; ";
    q(os, "w_min", r.wMin, "nA");
    q(os, "w_max", r.wMax, "nA");
    os << "\n    init = ";
    printWeightInit(os, r.init);
    os << "; ";
    q(os, "wta_weight", r.wtaWeight, "nA");
    if (r.winnersPerTick)
      os << "winners_per_tick = " << r.winnersPerTick << "; ";
    os << "\n  }\n";
  }
  for (const Population &p : n.populations) {
    os << "  population " << p.name << " : "
       << (p.kind == Population::Kind::Input ? "input" : "IF_curr_exp")
       << " {\n    layer = " << p.layer << "; shape = ";
    printShape(os, p.shape);
    os << "; neurons_per_core = " << n.neuronsPerCore(p) << ";";
    if (p.expectedRate > 0) {
      os << " expected_rate = ";
      printNumber(os, p.expectedRate);
      os << " Hz;";
    }
    if (p.kind == Population::Kind::Input) {
      os << "\n    encoding = ";
      printEncoding(os, p.encoding);
      os << ";";
    } else {
      os << "\n    neuron = " << p.neuron
         << "; train_neuron = " << p.trainNeuron << ";";
    }
    os << "\n  }\n";
  }
  for (const Projection &pr : n.projections) {
    os << "  projection " << pr.name << " (" << n.populations[pr.pre].name
       << ", " << n.populations[pr.post].name << ") : " << toString(pr.kind)
       << " {\n    ";
    switch (pr.kind) {
    case Projection::Kind::Conv:
      os << "filters = " << pr.filters << "; kernel = ";
      printPair(os, pr.kernel);
      os << "; stride = ";
      printPair(os, pr.stride);
      os << "; padding = ";
      printPair(os, pr.padding);
      os << "; mode = " << toString(pr.mode) << ";\n    ";
      break;
    case Projection::Kind::Pool:
      os << "op = " << toString(pr.poolOp) << "; kernel = ";
      printPair(os, pr.kernel);
      os << "; stride = ";
      printPair(os, pr.stride);
      os << "; padding = ";
      printPair(os, pr.padding);
      os << ";\n    ";
      break;
    case Projection::Kind::Dense:
      os << "units = " << pr.units << ";\n    ";
      break;
    case Projection::Kind::AllToAll:
      os << "allow_self = " << (pr.allowSelf ? "true" : "false") << ";\n    ";
      break;
    case Projection::Kind::FromList:
      os << "path = \"" << pr.listPath << "\";\n    ";
      break;
    case Projection::Kind::OneToOne:
      break;
    }
    os << "weights = ";
    printWeightInit(os, pr.weights);
    os << ";\n    ";
    q(os, "delay", pr.delay, "ms");
    os << "receptor = " << toString(pr.receptor)
       << "; stdp = " << (pr.stdp.empty() ? "none" : pr.stdp) << ";\n  }\n";
  }
  if (n.classifier) {
    const Classifier &c = *n.classifier;
    os << "  classifier " << c.name << " (";
    for (size_t i = 0; i < c.sources.size(); ++i)
      os << (i ? ", " : "") << n.populations[c.sources[i]].name;
    os << ") : " << c.kind << " { classes = " << c.classes << "; ";
    q(os, "C", c.c, "");
    os << "}\n";
  }
  os << "}\n";
}

void scnc::printNetwork(const Network &n, raw_ostream &out) {
  // Attributes are printed as "name = value; " runs; drop the blank that
  // ends a line so the text has no trailing whitespace.
  std::string text;
  raw_string_ostream os(text);
  printNetworkImpl(n, os);
  os.flush();
  size_t w = 0;
  for (size_t r = 0; r < text.size(); ++r) {
    if (text[r] == '\n')
      while (w && text[w - 1] == ' ')
        --w;
    text[w++] = text[r];
  }
  text.resize(w);
  out << text;
}
