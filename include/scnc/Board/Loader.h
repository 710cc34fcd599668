//===- Loader.h - Run an image on a SpiNNaker board -------------*- C++ -*-===//
//
// `scnc-run IMAGE --board HOST[:PORT]` (docs/board.md): checks the board,
// allocates SDRAM for every core's section and recording, writes them,
// points each core at them (vcpu user0..3), loads every chip's routing
// table, starts the image's core programs (APLX) held at the barrier,
// releases them together with SIG START, waits for every core to finish,
// reads the recordings back and returns the same Recording scnc-run's
// emulator gives, then stops the application (its memory freed).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_BOARD_LOADER_H
#define SCNC_BOARD_LOADER_H

#include "scnc/Board/Transceiver.h"
#include "scnc/Board/Udp.h"
#include "scnc/Runtime/LearnedSynapses.h"
#include "scnc/Runtime/SpikeIO.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <vector>

namespace scnc {

class ImageReader;

namespace board {

struct BoardRunOptions {
  UdpAddress address;
  std::string name; ///< as the user gave it, for messages
  TransceiverOptions scp;
  uint8_t appId = 30;
  /// Ticks to run (0: the image's).
  uint32_t ticks = 0;
  /// Per population: record membrane voltages.
  std::vector<bool> recordVoltages;
  /// Seconds to wait for the cores to finish, beyond the run's own time.
  double runTimeoutSeconds = 60;
  /// Progress lines (loading, running, reading) go here when set.
  llvm::raw_ostream *progress = nullptr;
};

struct BoardRunStats {
  TransceiverStats scp;
  double loadSeconds = 0, runSeconds = 0, readSeconds = 0;
  /// The median round trip of 16 VER requests, one at a time.
  double roundTripMicros = 0;
  uint64_t cores = 0, chipsWithTables = 0;
  /// Routing-entry allocations repeated after a resent ALLOC_RTR had
  /// leaked the first (FREE_RTR_ID, then ALLOC_RTR again).
  uint64_t routerReallocs = 0;
};

/// Runs \p image on the board. \p inputs as Emulator::run: per population
/// index the spikes of an input population (empty: the image's spike
/// arrays).
/// With \p learned, the plastic synapses' weights are read back from each
/// plastic core's synaptic matrix in SDRAM (learnedFromMatrices).
llvm::Expected<Recording>
runOnBoard(const ImageReader &image,
           const std::vector<std::vector<Spike>> &inputs,
           const BoardRunOptions &o, BoardRunStats *stats = nullptr,
           LearnedSynapseSet *learned = nullptr);

/// The board's counters as JSON (summary.json's "board"); with \p timing
/// (scnc-run --stats) also the SCP counts and times, which vary between
/// runs.
std::string boardStatsJson(const BoardRunOptions &o, const BoardRunStats &s,
                           bool timing);

} // namespace board
} // namespace scnc

#endif
