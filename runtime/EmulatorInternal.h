//===- EmulatorInternal.h - The emulator's loaded image ---------*- C++ -*-===//
//
// What Emulator::load builds (Emulator.cpp: the cores checked against the
// machine, their populations, the kernel's view of their regions, the
// routes of their key blocks) and Emulator::run reads (EmulatorRun.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_EMULATORINTERNAL_H
#define SCNC_RUNTIME_EMULATORINTERNAL_H

#include "kernel/Kernel.h"
#include "scnc/IR/Connections.h"
#include "scnc/Image/Image.h"
#include "scnc/Runtime/Emulator.h"
#include "scnc/Runtime/Router.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace scnc {
namespace kernel {
struct NeuronCore;
}
namespace emulator {

constexpr unsigned kCoresPerChip = spinnaker::kCoresPerChip;

inline llvm::Error loadError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// "(x,y,p)".
inline std::string coreName(unsigned x, unsigned y, unsigned p) {
  return "(" + std::to_string(x) + "," + std::to_string(y) + "," +
         std::to_string(p) + ")";
}

/// A block of a core's keys and where its packets go.
struct Leaf {
  std::vector<uint32_t> dests;  ///< emulated core indices, with repeats
  std::vector<uint32_t> counts; ///< router counter indices (Router.h)
};

/// Packets of one sender's key block that reach a core, `times` copies
/// each.
struct Incoming {
  uint32_t sender = 0, leaf = 0, times = 0;
};

/// A receiver's entries from one sender (consecutive, by ascending leaf):
/// from incoming[first] on, and which of the sender's leaves they
/// are, as a bit set over its leaves at leafBits[bitsAt ..] with, per
/// 64-bit word, the entries in the words before it at leafRank[bitsAt ..].
/// A leaf the sender sent keys on is found among the entries in O(1).
struct SenderEntries {
  uint32_t sender = 0, first = 0, bitsAt = 0;
};

/// One loaded core section.
struct CoreInfo {
  /// The decoded section; for another rank's core (distributed runs) a
  /// stub with its x, y and core only.
  const ImageCore *img = nullptr;
  ChipId chip = 0;
  int popSlot = -1;
  /// Run by this rank (always, in a single-process run).
  bool local = true;
  /// Its leaves' count (leaves.size() for a local core; for another
  /// rank's, what that rank said).
  uint32_t numLeaves = 0;
  /// A local sender of a distributed run: per leaf, a bit set over the
  /// other ranks its packets reach (rankWords words each).
  std::vector<uint64_t> leafReach;
  /// Sending: the blocks of the key space (one when the routers treat all
  /// keys alike) and, with several, each local neuron's block.
  std::vector<Leaf> leaves;
  std::vector<uint32_t> leafOf;
  /// Receiving: the senders that reach this core, in image order, by
  /// sender (senders) and, for senders with several leaves, by leaf.
  std::vector<Incoming> incoming;
  std::vector<SenderEntries> senders;
  std::vector<uint64_t> leafBits;
  std::vector<uint32_t> leafRank;
  /// The kernel's view of the neuron-core regions (the population table is
  /// the image's, ImageCore::popTable).
  /// The core section as native aligned words, which the kernel decodes:
  /// its copy in LoadedImage::sections.
  const uint32_t *section = nullptr;
  uint32_t sectionWords = 0;
  uint32_t matrixWords = 0;
  uint32_t searchSteps = 0; ///< ceil(log2(entries + 1))
};

/// A loaded image: what loading builds and a run reads.
struct LoadedImage {
  const ImageReader *image = nullptr;
  const Machine *machine = nullptr;
  std::string machineName;
  std::unique_ptr<Routers> routers;
  std::vector<emulator::CoreInfo> cores;
  /// The local cores' sections as native words, one after another in core
  /// order (CoreInfo::section points into it).
  RawArray<uint32_t> sections;
  /// Per core, its static rows' plan (HostRows.cpp; null: none), made by
  /// the first run for instruction set `hostRowsIsa` and kept for the next
  /// runs: it depends on the rows only, and planning every run cost a
  /// third of the SVM's frozen runs (one run per image). Runs of one
  /// emulator are one at a time (Emulator::run is not const).
  mutable std::vector<std::unique_ptr<kernel::HostRows>> hostRows;
  mutable std::vector<uint8_t> hostRowsPlanned;
  mutable HostIsa hostRowsIsa = HostIsa::Scalar;
  /// Emulated core index at chip * 18 + core, or -1.
  std::vector<int32_t> coreAt;
  std::vector<EmulatedPopulation> pops;
  std::vector<int> popSlot; ///< population index -> pops index, or -1
  uint32_t timestepUs = 0, ticks = 0;
  /// A distributed run (else null): this rank's part; the stubs of other
  /// ranks' cores; per rank, the local senders whose packets reach it; the
  /// other ranks' senders whose packets reach this rank; words per leaf in
  /// CoreInfo::leafReach.
  const Distribution *dist = nullptr;
  std::deque<ImageCore> stubs;
  std::vector<std::vector<uint32_t>> sendTo;
  std::vector<uint32_t> remoteSenders;
  uint32_t rankWords = 0;
};

using scnc::HostIsa;

/// The best instruction set up to \p most this host has.
HostIsa hostNeuronTickIsa(HostIsa most = HostIsa::Avx512);

/// kernel::neuronCoreTick's result (same bits, counters included), faster:
/// eight or sixteen neurons at a time with the best of AVX2, AVX-512VL
/// (256-bit vectors, 32 registers) and AVX-512 (512-bit vectors) up to
/// \p most the host has (HostTick.cpp).
void hostNeuronCoreTick(kernel::NeuronCore &core, uint32_t tick,
                        HostIsa most = HostIsa::Avx512);

/// The vector path for \p core's static rows (HostRows.cpp), using the
/// best instruction set up to \p most; null when the core is plastic, the
/// host has no AVX2 or no row has a run of consecutive targets worth it.
std::unique_ptr<kernel::HostRows> planHostRows(const kernel::NeuronCore &core,
                                               HostIsa most);

} // namespace emulator

struct Emulator::Impl : emulator::LoadedImage {
  // Loading (Emulator.cpp).
  llvm::Error checkPlacement();
  llvm::Error describePopulations();
  llvm::Error prepareNeuronCores();
  llvm::Error buildRoutes(unsigned threads);
  /// \p mine, or (a distributed run) an error on every rank when any
  /// rank's is one (collective).
  llvm::Error agree(llvm::Error mine);
  // Running (EmulatorRun.cpp).
  llvm::Expected<Recording> run(const std::vector<std::vector<Spike>> &inputs,
                                const EmulatorOptions &o, EmulatorStats *stats,
                                LearnedSynapseSet *learned);
};

} // namespace scnc

#endif
