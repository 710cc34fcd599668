//===- MachineFigure.h - The machine's chips and links --------*- C++ -*-===//
//
// `scnc-plot machine`: the chips an image uses as hexagons on the
// triangular mesh, coloured by application cores or routing entries, and
// optionally the packets each link carried in a run (summary.json).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_PLOT_MACHINEFIGURE_H
#define SCNC_PLOT_MACHINEFIGURE_H

#include "scnc/Runtime/RunSummary.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace scnc {
namespace plot {

enum class ChipColor { Cores, Entries };

/// The chips to draw: the machine's grid and, per chip (x, y) that has a
/// routing table or a core, its value (cores used or routing entries).
struct MachineChips {
  std::string machineName;
  unsigned width = 0, height = 0;
  std::map<std::pair<unsigned, unsigned>, double> value;
};

struct MachineFigureOptions {
  std::string title; ///< empty: "Machine 'NAME': ..."
  ChipColor color = ChipColor::Cores;
  /// The colour scale's least top: a chip's cores for applications (all
  /// but the monitor) or the routing entries per chip (also drawn as the
  /// limit on the colour bar).
  unsigned chipCores = 0, routerEntries = 0;
  /// Packets per link from a run (None: no links drawn).
  llvm::Optional<std::vector<ChipTraffic>> traffic;
};

/// Draws \p chips into \p out (.png or .svg).
llvm::Error drawMachine(llvm::StringRef out, const MachineChips &chips,
                        const MachineFigureOptions &o);

} // namespace plot
} // namespace scnc

#endif
