//===- Backend.h - Where the training flow runs its networks ----*- C++ -*-===//
//
// scnc-train runs every network it needs (the frozen network of svm and
// test, the frozen layers before a trained layer, the plastic training
// network) on a backend: the reference evaluator, straight from the IR
// (docs/execution.md), or the emulated SpiNNaker machine, on the load image
// scncc writes for the network (scncc --plastic for the training network)
// as scnc-run runs it. The emulator is bit-exact with the reference
// evaluator, so results do not depend on the backend (docs/training.md
// "The training flow").
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LEARNING_BACKEND_H
#define SCNC_LEARNING_BACKEND_H

#include "scnc/IR/Network.h"
#include "scnc/Runtime/LearnedSynapses.h"
#include "scnc/Runtime/SpikeIO.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace scnc {

class DiagnosticEngine;

enum class BackendKind { Reference, Emulator };

/// "reference" or "emulator"; None for another name.
llvm::Optional<BackendKind> parseBackendKind(llvm::StringRef name);

struct BackendOptions {
  BackendKind kind = BackendKind::Reference;
  /// Emulator: the machine the image is compiled for and run on: spinn3,
  /// spinn5, boards:N, WxH or a JSON description; empty: the smallest of
  /// spinn3, spinn5, boards:N with a core for every slice (as scncc
  /// chooses, and scnc-run then runs the image on).
  std::string machine;
};

/// A network ready to run on a backend any number of times, from any
/// number of threads at once; every run starts from the initial state, so
/// results depend neither on the order of runs nor on threads.
class PreparedNetwork {
public:
  /// Prepares \p n (lowered, not expanded; \p threads host threads): the
  /// reference expands its connections (infer-shapes, expand-connections);
  /// the emulator compiles it as scncc does (partition with METIS and the
  /// network's seed, map onto the machine, write the load image: plastic
  /// rows, STDP regions and `train_neuron` sets with \p plastic, as
  /// scncc --plastic), reads the image back and loads it onto the
  /// emulated machine. Problems of the network go to \p diag (the result
  /// is then an error too).
  static llvm::Expected<std::unique_ptr<PreparedNetwork>>
  prepare(const Network &n, const BackendOptions &b, bool plastic,
          unsigned threads, DiagnosticEngine &diag);
  ~PreparedNetwork();

  /// The network, expanded (its connection lists hold the initial weights).
  const Network &network() const;
  BackendKind kind() const;
  /// The emulated machine's name (given or chosen); empty for the reference.
  const std::string &machineName() const;
  /// What runs the network: "reference (fixed point)" or
  /// "emulator (<machine>)".
  std::string description() const;

  /// Runs \p ticks ticks from the initial state on one host thread.
  /// \p inputs holds per population index the spikes of an input
  /// population, in any order (both backends sort them and merge duplicates);
  /// inputs without spikes are silent. With \p learned (a plastic network), the
  /// plastic synapses' weights after the run, as a host reads them back.
  /// \p progress as ReferenceOptions::progress. With \p keepOnly (not
  /// empty) the recording need hold those populations' spikes only, in any
  /// order (the same every run): the emulator then keeps no others and does
  /// not sort them (the SVM's frozen runs count the classifier's layers'
  /// spikes). Thread-safe.
  llvm::Expected<Recording>
  run(const std::vector<std::vector<Spike>> &inputs, uint32_t ticks,
      LearnedSynapseSet *learned = nullptr,
      const std::function<void(uint64_t, uint64_t)> &progress = {},
      llvm::ArrayRef<unsigned> keepOnly = {}) const;

private:
  PreparedNetwork();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace scnc

#endif
