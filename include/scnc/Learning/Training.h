//===- Training.h - The layer-wise training flow ----------------*- C++ -*-===//
//
// The original's workflow, fixed (docs/training.md "The training flow"):
// STDP-train each conv layer in turn on one kernel window of inputs with
// winner-take-all inhibition, every window position of every image in its
// own presentation slot, deeper layers fed with the frozen layers' spikes;
// then a linear SVM on the spike counts of the classifier's source layer;
// then testing on the test split. Every run uses the reference evaluator
// (docs/execution.md) or, as bit-exact, the emulated machine (Backend.h),
// so results depend neither on threads nor on the backend.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LEARNING_TRAINING_H
#define SCNC_LEARNING_TRAINING_H

#include "scnc/IR/Network.h"
#include "scnc/Learning/Backend.h"
#include "scnc/Learning/Dataset.h"
#include "scnc/Learning/Encoders.h"
#include "scnc/Runtime/SpikeIO.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <string>
#include <vector>

namespace scnc {

class DiagnosticEngine;

/// Called after each finished sample or slot chunk: (done, total).
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

/// The projections a `scnc-train layer N` can train: conv projections with
/// an STDP rule, in network order (layer N is entry N - 1).
std::vector<unsigned> trainableConvs(const Network &n);

/// The network's one input population (an error otherwise).
llvm::Expected<unsigned> inputPopulation(const Network &n);

/// \p n cut after population \p last (populations 0..last and the
/// projections among them; no classifier). The IR lists layers in order.
Network truncateNetwork(const Network &n, unsigned last);

/// Image \p i of \p data encoded for input population \p input of \p n
/// with seed \p seed, as input spikes (ticks of the network's timestep).
std::vector<Spike> encodeImage(const Network &n, unsigned input,
                               const EncoderConfig &enc, const Dataset &data,
                               size_t i, uint64_t seed);

/// Runs the (prepared, frozen) network \p net once per image of \p data, in
/// parallel on \p jobs threads (each sample an independent run of one
/// presentation on its backend); returns per image the spikes of the
/// populations \p keep, as one population: the neurons of keep[k] numbered
/// after those of keep[0 .. k) (one population: its own spikes). Sample i's
/// encoder seed is sampleSeed(seed, i). With \p forCounting the spikes may
/// come in any order (the same every run): the emulator then records only
/// those populations and does not sort.
llvm::Expected<std::vector<std::vector<Spike>>>
runSamples(const PreparedNetwork &net, const Dataset &data, uint64_t seed,
           unsigned jobs, llvm::ArrayRef<unsigned> keep,
           const ProgressFn &progress = {}, bool noiseSpikes = false,
           bool forCounting = false);

/// runSamples, handing image i's spikes to \p take(i, spikes) as its run
/// ends instead of keeping every image's (the SVM's features keep counts
/// only). \p take is called from the worker threads, concurrently for
/// different images.
llvm::Error
runSamplesInto(const PreparedNetwork &net, const Dataset &data, uint64_t seed,
               unsigned jobs, llvm::ArrayRef<unsigned> keep,
               const std::function<void(size_t, std::vector<Spike> &&)> &take,
               const ProgressFn &progress = {}, bool noiseSpikes = false,
               bool forCounting = false);

/// The input population's encoder; with \p noiseSpikes the rate code's
/// noise spikes are switched on (an error for other codes).
llvm::Expected<EncoderConfig> inputEncoder(const Network &n, unsigned input,
                                           bool noiseSpikes);

struct LayerTrainingOptions {
  unsigned layer = 1; ///< 1-based among trainableConvs
  uint64_t seed = 1;  ///< encoder seeds: sampleSeed(seed, image)
  unsigned jobs = 1;
  /// The frozen layers' runs (layers after the first): (samples done, total).
  ProgressFn progress;
  /// The plastic run: (window slots done, slots total); (0, total) when it
  /// starts, then every 2^16 ticks and at the end.
  ProgressFn plasticProgress;
  /// Where to write the training network's textual IR (empty: nowhere).
  std::string irOut;
  /// The rate code's noise spikes (the original's defect 7) for the images.
  bool noiseSpikes = false;
  /// Layer 1 with the rate code only: encode every window on its own with
  /// the original's factor f = windowRateFactor(sum of the window's
  /// pixels, windowDivisor) instead of cutting it from the whole image's
  /// encoding (f = the encoding's factor).
  bool windowRate = false;
  double windowDivisor = 2500;
  /// Every window input without a spike in its slot fires once at the end
  /// of the input window, so the pair rule depresses the weights of inputs
  /// that stayed silent (Kheradpisheh et al.'s STDP depresses every input
  /// that did not fire before the post spike).
  bool depressSilent = false;
  /// Where the frozen layers and the plastic run run (the training network
  /// compiled as scncc --plastic compiles it for the emulator).
  BackendOptions backend;
};

struct LayerTrainingResult {
  std::string layerName, rule;
  /// The learned kernels, C order, in the shape scncc accepts as a weights
  /// file: (F, Cin, kH, kW) standard, (F, kH, kW) per_map.
  std::vector<double> kernels;
  std::vector<uint64_t> shape;
  std::vector<double> initial; ///< the kernels before training, same shape
  uint64_t slots = 0, ticks = 0, inputSpikes = 0, postSpikes = 0;
  /// --depress-silent: the tick of each slot at which silent inputs fire
  /// (0 without the option).
  uint32_t lateTick = 0;
  /// Post spikes per filter (who won how often).
  std::vector<uint64_t> wins;
  double seconds = 0;
  /// What ran the plastic run (PreparedNetwork::description), and the
  /// frozen layers' runs when they ran elsewhere.
  std::string evaluator;
};

/// How alike a layer's learned kernels are (issue 18: redundant kernels
/// are what held accuracy back). Kernels are compared flattened.
struct KernelRedundancy {
  unsigned kernels = 0;
  /// Groups of kernels whose every weight lies within the tolerance of the
  /// group's first kernel (kernels taken in order, each joining the first
  /// group it fits): how many groups, and the sizes of those with more
  /// than one kernel, largest first.
  unsigned distinct = 0;
  std::vector<unsigned> groups;
  /// Kernels with all weights equal (no correlation is defined for them).
  unsigned flat = 0;
  /// Pearson correlation over every pair of the other kernels: how many
  /// pairs, their mean and largest correlation, and how many pairs lie
  /// above the threshold.
  uint64_t pairs = 0, pairsAbove = 0;
  double meanCorrelation = 0, maxCorrelation = 0;
};
/// \p count kernels of kernels.size() / count weights each.
KernelRedundancy kernelRedundancy(llvm::ArrayRef<double> kernels,
                                  unsigned count, double tolerance = 1e-3,
                                  double threshold = 0.9);
/// One line: "23 distinct of 30 within 0.001 nA (groups of 5, 4);
/// correlation mean 0.31, max 1.00; 12 of 435 pairs above 0.9".
std::string describeRedundancy(const KernelRedundancy &r,
                               double tolerance = 1e-3, double threshold = 0.9);

/// Trains conv layer `o.layer` of \p n (lowered, not expanded; layers before
/// it frozen with their current weights) on the images of \p data.
llvm::Expected<LayerTrainingResult> trainLayer(const Network &n,
                                               const Dataset &data,
                                               const LayerTrainingOptions &o,
                                               DiagnosticEngine &diag);

/// The training network of conv projection \p proj: one window of the
/// projection's inputs (all input channels; one map for per_map) -> one
/// neuron per filter with the rule's initial weights, plastic, and
/// winner-take-all inhibition (wta_weight, delay one tick, no self
/// connections) when the rule has it. With \p slotEnd, an input
/// `slot_end` (one neuron) inhibits every filter by the window's size times
/// the rule's w_max (see LayerTrainingOptions::depressSilent). Not expanded.
Network buildTrainingNetwork(const Network &n, unsigned proj,
                             bool slotEnd = false);

} // namespace scnc

#endif
