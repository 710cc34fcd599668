//===- RunSummary.h - Reading a run's summary.json back -------*- C++ -*-===//
//
// summary.json is written by writeRecording (the layers: SpikeIO.cpp) and,
// for runs on the emulated machine, carries the board's counters under
// "machine" (emulatorStatsJson, EmulatorStats.cpp). This is its one reader:
// scnc-plot's raster (a run folder's layers) and machine --stats (packets
// per link) read it through readRunSummary. The structs are plain data.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_RUNSUMMARY_H
#define SCNC_RUNTIME_RUNSUMMARY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

/// One entry of summary.json's "layers", in the network's order.
struct RunSummaryLayer {
  std::string name;
  uint64_t neurons = 0; ///< 0 when the summary does not say
};

/// One entry of "machine"."per_chip": packets sent on each of the chip's
/// links (E, NE, N, W, SW, S).
struct ChipTraffic {
  unsigned x = 0, y = 0;
  std::vector<double> linkOut;
};

struct RunSummary {
  std::vector<RunSummaryLayer> layers;
  std::vector<ChipTraffic> chips;
};

/// What a reader needs from the summary (the rest is not read).
enum class RunSummaryPart {
  Layers,         ///< "layers": any scnc-run output folder
  MachineTraffic, ///< "machine"."per_chip": runs on the emulated machine
};

/// Reads \p part of the summary.json at \p path; the error says what is
/// missing (and how to write a summary that has it).
llvm::Expected<RunSummary> readRunSummary(llvm::StringRef path,
                                          RunSummaryPart part);

} // namespace scnc

#endif
