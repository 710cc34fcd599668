//===- Network.h - The scnc IR: populations and projections -----*- C++ -*-===//
//
// A Network is what every pass works on: named parameter sets, populations
// (groups of neurons with a 3-D shape H x W x C) and projections (how one
// population drives another: a convolution, pooling, dense, ...). Layers of
// the .scn language become one population plus one projection per input.
// docs/ir.md describes the textual form.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IR_NETWORK_H
#define SCNC_IR_NETWORK_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace scnc {

struct ConnectionSet;
struct NumArray;

/// Height x width x channels. A zero height means "not inferred yet".
struct Shape {
  uint32_t h = 0, w = 0, c = 0;
  bool isKnown() const { return h != 0; }
  /// Number of neurons. Readers and infer-shapes reject shapes of 2^32 or
  /// more neurons, so the product of the three factors never wraps.
  uint64_t size() const { return uint64_t(h) * w * c; }
  bool operator==(const Shape &o) const {
    return h == o.h && w == o.w && c == o.c;
  }
  bool operator!=(const Shape &o) const { return !(*this == o); }
};

/// A pair of per-dimension values (kernel, stride, padding): height, width.
struct Pair {
  uint32_t h = 0, w = 0;
  bool operator==(const Pair &o) const { return h == o.h && w == o.w; }
  bool operator!=(const Pair &o) const { return !(*this == o); }
};

/// The neuron models a parameter set can have (docs/execution.md):
/// PyNN's IF_curr_exp and NIR's IF, LIF and CubaLIF.
enum class NeuronModelKind { IfCurrExp, If, Lif, CubaLif };
/// The model's name as the IR and the .scn language spell it.
llvm::StringRef neuronModelName(NeuronModelKind m);
/// The model a name spells, or false.
bool parseNeuronModel(llvm::StringRef name, NeuronModelKind &out);
/// The four model names, in NeuronModelKind order.
llvm::ArrayRef<llvm::StringRef> neuronModelNames();
/// Whether model \p m takes parameter \p param (a NeuronParams.def name, or
/// `reset`, which the NIR models take).
bool neuronModelTakes(NeuronModelKind m, llvm::StringRef param);

/// The parameters of NeuronParams.def, numbered in its order.
enum class NeuronParamId : unsigned {
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS) NAME,
#include "scnc/IR/NeuronParams.def"
  Count
};
constexpr unsigned kNumNeuronParams = unsigned(NeuronParamId::Count);
/// The parameter's NeuronParams.def name.
llvm::StringRef neuronParamName(NeuronParamId id);

/// A neuron parameter set (PyNN names, canonical units): its model and the
/// parameters of that model (NeuronParams.def; the others keep their
/// defaults and are not printed).
struct NeuronParams {
  std::string name;
  llvm::SMLoc loc;
  /// "IF_curr_exp" (default), "IF", "LIF" or "CubaLIF".
  std::string model = "IF_curr_exp";
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  double NAME = DEFAULT;
#include "scnc/IR/NeuronParams.def"
  /// NIR models: after a spike v <- v - (v_thresh - v_reset) instead of
  /// v <- v_reset (`reset = subtract`).
  bool resetSubtract = false;
  /// Per-neuron values (NIR's IF, LIF and CubaLIF only; docs/ir.md): a
  /// parameter with an array here has value perNeuron[id]->data[i] (in the
  /// canonical unit) at neuron i of the population (channel-major index);
  /// its scalar above is then unused. Every array of a set has the same
  /// length, and only populations of exactly that many neurons may use the
  /// set (the verifier checks both). Shared, as WeightInit::array.
  std::shared_ptr<const NumArray> perNeuron[kNumNeuronParams];
  /// The length of the per-neuron arrays, 0 when the set has none.
  uint64_t perNeuronCount() const;
  bool hasPerNeuron() const { return perNeuronCount() != 0; }
  double get(NeuronParamId id) const;
  void set(NeuronParamId id, double v);
  /// The set neuron \p i runs: these scalars with every per-neuron array's
  /// value i in place of its parameter's, and no arrays.
  NeuronParams neuron(uint64_t i) const;
  /// The model as an enumerator (IfCurrExp for an unknown name).
  NeuronModelKind modelKind() const {
    NeuronModelKind m = NeuronModelKind::IfCurrExp;
    parseNeuronModel(model, m);
    return m;
  }
};

/// How a set of synaptic weights starts: a constant, a seeded normal
/// distribution clipped to [min, max], a file of trained weights, an
/// array held in the IR itself (Dense: weights an importer read, e.g. from
/// a NIR graph; printed as float32 bits, so they read back exactly), or
/// the complement of another projection's weights (Complement: synapse i
/// gets scale * (wMax - w_i) for that projection's weight w_i, over the
/// same synapses: a conv layer's `inhibit_unmatched`), or the mean of
/// another conv projection's filters (Mean: the synapse of filter f at
/// kernel element j gets scale * (1/F) sum_g w_(g, j), the same for every
/// filter: a conv layer's `inhibit_mean`).
struct WeightInit {
  enum Kind { Constant, Normal, File, Dense, Complement, Shared, Mean };
  Kind kind = Constant;
  double value = 0;           ///< Constant, nA
  double mean = 0, sigma = 0; ///< Normal, nA
  uint64_t seed = 0;          ///< Normal
  std::string path;           ///< File (.npy or .csv)
  /// Dense: the values (float32 numbers), in the layout a File of the same
  /// projection would have; shared, copies of a Network do not copy them.
  std::shared_ptr<const NumArray> array;
  /// Complement, Shared, Mean: the projection whose weights these derive from
  /// (Shared: the same weights, as a second layer applying another conv
  /// layer's kernels).
  std::string of;
  double scale = 0, wMax = 0; ///< Complement (wMax in nA); Mean (scale)
  static WeightInit constant(double nA) {
    WeightInit w;
    w.value = nA;
    return w;
  }
  /// Complement, Shared or Mean: the weights come from another projection.
  bool derived() const {
    return kind == Complement || kind == Shared || kind == Mean;
  }
  /// Complement or Mean: inhibition derived from a layer's own kernels
  /// (inhibit_unmatched, inhibit_mean), part of the frozen layer only;
  /// training runs without it.
  bool frozenOnly() const { return kind == Complement || kind == Mean; }
  bool operator==(const WeightInit &o) const;
};

/// A pair-based STDP rule with its weight dependence and, for training,
/// the winner-take-all inhibition between the layer's neurons.
struct StdpRule {
  enum class WeightDependence { Additive, Multiplicative };
  std::string name;
  llvm::SMLoc loc;
  double tauPlus = 20, tauMinus = 20; ///< ms
  double aPlus = 0.01, aMinus = 0.01; ///< relative to w_max
  WeightDependence dependence = WeightDependence::Additive;
  double wMin = 0, wMax = 1; ///< nA
  WeightInit init;           ///< initial weights before training
  double wtaWeight = 0;      ///< nA; 0 = no lateral inhibition
  /// In a plastic run, at most this many of the neurons learning with the
  /// rule fire in one tick: of those at or above threshold, the ones with
  /// the highest membrane potential (the lowest index among equals); the
  /// others keep their potential. 0: every neuron that crosses fires.
  /// (`winners_per_tick`; the core does it, so the population must fit on
  /// one core.)
  uint32_t winnersPerTick = 0;
};

/// An input encoding and its parameters (canonical units), all filled in.
struct Encoding {
  std::string kind = "rate";
  llvm::SmallVector<std::pair<std::string, double>, 4> params;
  /// A parameter's value; 0 when absent.
  double get(llvm::StringRef name) const;
  /// Drops the difference-of-Gaussians pre-filter's sigmas (`dog_centre`,
  /// `dog_surround`) when they are 0 (the filter off): an encoding without
  /// the filter reads, prints and is stored as it was before the filter
  /// could be named.
  void dropUnusedFilter();
  /// True for a parameter dropUnusedFilter drops (the printer skips it too).
  static bool isUnusedFilter(const std::pair<std::string, double> &param);
};

struct Simulation {
  double timestep = 1.0;       ///< ms
  double presentation = 100.0; ///< ms per sample
  double inputWindow = 50.0;   ///< ms of input spikes within a presentation
  uint32_t neuronsPerCore = 256;
  uint64_t seed = 1;
};

struct Population {
  enum class Kind { Input, Neurons };
  std::string name;
  llvm::SMLoc loc;
  Kind kind = Kind::Neurons;
  std::string
      layer; ///< the .scn layer kind it came from: input/conv/pool/dense
  Shape shape;
  std::string neuron;          ///< parameter set of the frozen network
  std::string trainNeuron;     ///< parameter set of the STDP training network
  Encoding encoding;           ///< Input only
  uint32_t neuronsPerCore = 0; ///< 0: the simulation's default
  /// `expected_rate` (Hz): the mean rate the mapping budgets each neuron's
  /// spikes for when it sizes cores for real time without a profile; 0: the
  /// default derived from the input encoding and fan-in (docs/mapping.md).
  double expectedRate = 0;
};

struct Projection {
  enum class Kind { Conv, Pool, Dense, OneToOne, AllToAll, FromList };
  enum class ChannelMode { Standard, PerMap };
  enum class PoolOp { Sum, Average };
  enum class Receptor { Excitatory, Inhibitory };
  std::string name;
  llvm::SMLoc loc;
  unsigned pre = 0, post = 0; ///< population indices
  Kind kind = Kind::Conv;
  uint32_t filters = 0;                     ///< Conv
  Pair kernel, stride, padding;             ///< Conv, Pool
  ChannelMode mode = ChannelMode::Standard; ///< Conv
  PoolOp poolOp = PoolOp::Sum;              ///< Pool
  uint32_t units = 0;                       ///< Dense
  bool allowSelf = false;                   ///< AllToAll
  std::string listPath;                     ///< FromList
  WeightInit weights;
  double delay = 1.0; ///< ms
  Receptor receptor = Receptor::Excitatory;
  std::string stdp; ///< "" when the projection does not learn
};

/// Linear SVM read-out on the spike counts of one population.
struct Classifier {
  std::string name;
  llvm::SMLoc loc;
  /// The layers whose spike counts, concatenated in this order, are the
  /// features (one or more).
  std::vector<unsigned> sources;
  std::string kind = "linear_svm";
  uint32_t classes = 10;
  double c = 1.0;
};

struct Network {
  std::string name;
  llvm::SMLoc loc;
  Simulation sim;
  std::vector<NeuronParams> neuronSets;
  std::vector<StdpRule> stdpRules;
  std::vector<Population> populations;
  std::vector<Projection> projections;
  llvm::Optional<Classifier> classifier;
  /// Directory that relative file names (weights, lists) are resolved
  /// against: the directory of the source file.
  std::string sourceDir;
  /// The expanded connection lists, once expand-connections has run
  /// (shared: copies of a Network do not copy 10^8 synapses).
  std::shared_ptr<ConnectionSet> connections;

  int findPopulation(llvm::StringRef name) const;
  const NeuronParams *findNeuronSet(llvm::StringRef name) const;
  const StdpRule *findStdpRule(llvm::StringRef name) const;
  /// Neurons per core for a population (its own limit or the default).
  uint32_t neuronsPerCore(const Population &p) const {
    return p.neuronsPerCore ? p.neuronsPerCore : sim.neuronsPerCore;
  }
};

/// The classifier's source layers as `'a'`, `'a' and 'b'` or
/// `'a', 'b' and 'c'` (empty without a classifier).
std::string classifierSourceNames(const Network &n);

llvm::StringRef toString(Projection::Kind k);
llvm::StringRef toString(Projection::ChannelMode m);
llvm::StringRef toString(Projection::PoolOp op);
llvm::StringRef toString(Projection::Receptor r);
llvm::StringRef toString(StdpRule::WeightDependence d);

} // namespace scnc

#endif
