//===- Placement.h - Slices onto (chip, core) -------------------*- C++ -*-===//
#ifndef SCNC_MAPPING_PLACEMENT_H
#define SCNC_MAPPING_PLACEMENT_H

#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/Keys.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <vector>

namespace scnc {

struct CoreLocation {
  ChipId chip = 0;
  unsigned core = 0;
  bool operator==(const CoreLocation &o) const {
    return chip == o.chip && core == o.core;
  }
};

struct Placement {
  /// Per slice, in the order given.
  std::vector<CoreLocation> cores;
};

struct PlacementConfig {
  /// Machine name for messages ("spinn5", "boards:3", a file).
  std::string machineName;
  /// The order to place the slices in, as indices (empty: as given).
  std::vector<uint32_t> order;
};

/// The live chips in a locality-preserving order: a Hilbert curve over the
/// smallest power-of-two square holding the machine, absent chips skipped,
/// so chips adjacent in the order are (almost always) adjacent on the mesh.
std::vector<ChipId> chipOrder(const Machine &m);

/// Places slices, given in an order where slices that exchange packets are
/// near each other (populations in network order, each population's slices
/// in neuron order), onto usable cores taken in chipOrder(), so that they
/// land on the same or nearby chips. A chip takes no more slices than its
/// SDRAM holds (`sdramBytes` per slice; empty: no SDRAM use). Fails, saying
/// how many cores are needed and which machine would fit, when the machine
/// is too small.
llvm::Expected<Placement> placeSlices(const Machine &m,
                                      llvm::ArrayRef<SliceRef> slices,
                                      llvm::ArrayRef<uint64_t> sdramBytes,
                                      const PlacementConfig &cfg);

/// The smallest built-in machine with at least `cores` usable cores
/// ("spinn3", "spinn5" or "boards:N"), or "" when none up to the largest
/// does.
std::string smallestMachineFor(uint64_t cores);

} // namespace scnc

#endif
