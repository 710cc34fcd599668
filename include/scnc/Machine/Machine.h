//===- Machine.h - The SpiNNaker machine model ------------------*- C++ -*-===//
//
// What the hardware is, behind one interface (as nextpnr's Arch): chips on a
// triangular mesh with six links each, their cores, memories and router
// capacity, and which of them are dead. Partitioning, placement and routing
// are free functions elsewhere over a `const Machine &`. The numbers and the
// multi-board layout are explained in docs/machine.md.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MACHINE_MACHINE_H
#define SCNC_MACHINE_MACHINE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

/// SpiNNaker-1 numbers (docs/machine.md, from docs/spinnaker.md).
namespace spinnaker {
constexpr unsigned kCoresPerChip = 18;
/// Core 0 runs the monitor (SC&MP) and never runs applications.
constexpr unsigned kMonitorCore = 0;
/// System cores per chip reserved beyond the monitor by default.
constexpr unsigned kDefaultReservedCores = 1;
constexpr uint64_t kDTCMBytes = 64 * 1024;
constexpr uint64_t kITCMBytes = 32 * 1024;
/// SDRAM per chip usable by applications (about 117.7 MiB).
constexpr uint64_t kDefaultSDRAMBytes = 123469792;
constexpr unsigned kRouterTCAMEntries = 1024;
constexpr unsigned kDefaultRouterEntries = 1023;
constexpr unsigned kNumLinks = 6;
/// Chip coordinates are 8-bit in SpiNNaker's P2P addresses.
constexpr unsigned kMaxDimension = 256;
/// A SpiNN-5 board spans 8x8 chips; a triad of three boards tiles 12x12.
constexpr unsigned kBoardSize = 8;
constexpr unsigned kTriadSize = 12;
constexpr unsigned kChipsPerBoard = 48;
} // namespace spinnaker

/// The six inter-chip links, numbered as SpiNNaker numbers them.
enum LinkId : unsigned {
  LinkEast = 0,      ///< (+1, 0)
  LinkNorthEast = 1, ///< (+1, +1)
  LinkNorth = 2,     ///< (0, +1)
  LinkWest = 3,      ///< (-1, 0)
  LinkSouthWest = 4, ///< (-1, -1)
  LinkSouth = 5,     ///< (0, -1)
};

/// The x step of `link` (0..5).
int linkDX(unsigned link);
/// The y step of `link` (0..5).
int linkDY(unsigned link);
/// The link that comes back: (link + 3) mod 6.
inline unsigned oppositeLink(unsigned link) {
  return (link + 3) % spinnaker::kNumLinks;
}
/// "east", "north-east", "north", "west", "south-west", "south".
llvm::StringRef linkName(unsigned link);

/// Hops between two chips `dx`, `dy` apart on an unbounded triangular mesh
/// (links along x, y and the x=y diagonal).
inline unsigned hexDistance(int64_t dx, int64_t dy) {
  uint64_t ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
  if ((dx >= 0) == (dy >= 0))
    return unsigned(ax > ay ? ax : ay);
  return unsigned(ax + ay);
}

/// A chip's position on the machine grid.
struct ChipCoord {
  unsigned x = 0, y = 0;

  friend bool operator==(ChipCoord a, ChipCoord b) {
    return a.x == b.x && a.y == b.y;
  }
  friend bool operator!=(ChipCoord a, ChipCoord b) { return !(a == b); }
  /// (y, x) order, the order of chip ids.
  friend bool operator<(ChipCoord a, ChipCoord b) {
    return a.y != b.y ? a.y < b.y : a.x < b.x;
  }
};
/// Prints "(x, y)".
llvm::raw_ostream &operator<<(llvm::raw_ostream &os, ChipCoord c);
/// "(x, y)".
std::string formatChip(ChipCoord c);

/// Dense index of an existing chip: 0..numChips()-1 in (y, x) order.
using ChipId = unsigned;

/// A SpiNNaker machine: a width x height grid (optionally wrapping in x
/// and/or y) on which some positions hold chips. Every chip has 18 cores
/// (core 0 the monitor, `reservedCores()` more for the system), the same
/// SDRAM and router capacity, and up to six links. A link exists when the
/// chip in its direction exists (across the wrap on wrapping machines) and
/// neither end has marked it dead.
class Machine {
public:
  /// A grid with the given chips (any order; duplicates merged), all cores
  /// and links alive. Wrap in a dimension of size 1 is dropped (it would
  /// link a chip to itself). Positions must be inside the grid.
  Machine(unsigned width, unsigned height, bool wrapX, bool wrapY,
          llvm::ArrayRef<ChipCoord> chips);
  /// A grid with a chip at every position.
  static Machine rectangle(unsigned width, unsigned height, bool wrapX,
                           bool wrapY);

  unsigned width() const { return w; }
  unsigned height() const { return h; }
  bool wrapsX() const { return wrapX; }
  bool wrapsY() const { return wrapY; }
  bool isTorus() const { return wrapX && wrapY; }
  /// "no wrap", "torus", "wraps in x" or "wraps in y".
  llvm::StringRef wrapDescription() const;

  /// Chips.
  unsigned numChips() const { return unsigned(coords.size()); }
  /// Coordinates of every chip, indexed by ChipId.
  llvm::ArrayRef<ChipCoord> chips() const { return coords; }
  ChipCoord coord(ChipId id) const { return coords[id]; }
  llvm::Optional<ChipId> chipAt(ChipCoord c) const;
  llvm::Optional<ChipId> chipAt(unsigned x, unsigned y) const {
    return chipAt(ChipCoord{x, y});
  }
  bool hasChip(ChipCoord c) const { return chipAt(c).hasValue(); }
  /// Ethernet (bottom-left) chips of the boards the machine was built from;
  /// empty for plain rectangles.
  llvm::ArrayRef<ChipCoord> boards() const { return boardOrigins; }
  void setBoards(std::vector<ChipCoord> origins) {
    boardOrigins = std::move(origins);
  }

  /// Cores and memory.
  unsigned coresPerChip() const { return spinnaker::kCoresPerChip; }
  bool isCoreLive(ChipId id, unsigned core) const;
  unsigned numLiveCores(ChipId id) const;
  /// System cores per chip beyond the monitor (default 1).
  unsigned reservedCores() const { return reserved; }
  /// Live cores left for applications: not the monitor, not reserved.
  unsigned usableCores(ChipId id) const;
  /// Their numbers: the live non-monitor cores after the lowest
  /// `reservedCores()` of them, which the system takes.
  llvm::SmallVector<unsigned, 18> usableCoreIds(ChipId id) const;
  uint64_t totalUsableCores() const;
  uint64_t sdramBytes() const { return sdram; }
  uint64_t dtcmBytes() const { return spinnaker::kDTCMBytes; }
  uint64_t itcmBytes() const { return spinnaker::kITCMBytes; }
  /// Multicast routing entries available to applications per chip.
  unsigned routerEntries() const { return routes; }

  /// Links.
  /// The grid position one step along `link` (across the wrap where the
  /// machine wraps), whether or not a chip is there; None off the edge.
  llvm::Optional<ChipCoord> neighbourCoord(ChipCoord c, unsigned link) const;
  /// The chip at the other end of a live link.
  llvm::Optional<ChipId> neighbour(ChipId id, unsigned link) const;
  bool hasLink(ChipId id, unsigned link) const;
  /// Live links of one chip (0..6).
  unsigned numLinks(ChipId id) const;
  /// Live links of the machine, each counted once per direction.
  uint64_t numDirectedLinks() const;

  /// Distances.
  /// Shortest hop count on the full mesh (with wrap), ignoring missing
  /// chips and dead links: for dx, dy of the same sign max(|dx|, |dy|), else
  /// |dx| + |dy|, minimised over the wrap images.
  unsigned distance(ChipCoord a, ChipCoord b) const;
  unsigned distance(ChipId a, ChipId b) const {
    return distance(coords[a], coords[b]);
  }
  /// Hops along live links from `from` to every chip (kUnreachable where
  /// no path exists).
  std::vector<unsigned> hopDistances(ChipId from) const;
  static constexpr unsigned kUnreachable = ~0u;

  /// Configuration (validated by check()).
  void setReservedCores(unsigned n) { reserved = n; }
  void setSDRAMBytes(uint64_t bytes) { sdram = bytes; }
  void setRouterEntries(unsigned n) { routes = n; }

  /// Faults.
  /// Removes chips (positions without a chip are ignored); chip ids are
  /// renumbered.
  void removeChips(llvm::ArrayRef<ChipCoord> dead);
  void setCoreDead(ChipId id, unsigned core);
  /// Marks a link dead in both directions; false when no chip is at its
  /// other end.
  bool setLinkDead(ChipId id, unsigned link);
  unsigned numDeadChips() const { return deadChips; }
  unsigned numDeadCores() const;
  /// Links between existing chips that are dead, each counted once.
  unsigned numDeadLinks() const;

  /// Checks the model: links pair up with their opposites, coordinates and
  /// counts agree, configuration is in range, every chip is reachable from
  /// (0, 0) (or the first chip). Returns the problems, empty when none.
  std::vector<std::string> check() const;

private:
  size_t pos(ChipCoord c) const { return size_t(c.y) * w + c.x; }
  void reindex();

  unsigned w, h;
  bool wrapX, wrapY;
  unsigned reserved = spinnaker::kDefaultReservedCores;
  uint64_t sdram = spinnaker::kDefaultSDRAMBytes;
  unsigned routes = spinnaker::kDefaultRouterEntries;
  unsigned deadChips = 0;
  /// Per grid position: chip id or -1.
  std::vector<int32_t> index;
  /// Per grid position: bit c set when core c is dead / bit l when link l
  /// is dead at this end.
  std::vector<uint32_t> deadCoreMask;
  std::vector<uint8_t> deadLinkMask;
  std::vector<ChipCoord> coords;
  std::vector<ChipCoord> boardOrigins;
};

/// The board layout of a `boards:N` machine (docs/machine.md).
struct BoardLayout {
  unsigned triadsX = 0, triadsY = 0; ///< triad grid
  unsigned width = 0, height = 0;    ///< machine size in chips
  bool wrap = false;                 ///< torus in both directions
  std::vector<ChipCoord> origins;    ///< each board's bottom-left chip
};
/// The layout SpiNNaker's tools use for `numBoards` SpiNN-5 boards.
llvm::Expected<BoardLayout> boardLayout(unsigned numBoards);
/// Chips of one SpiNN-5 board relative to its bottom-left chip: row y has
/// x in [max(0, y-3), min(7, y+4)].
bool isBoardChip(unsigned localX, unsigned localY);

/// "spinn3", "spinn5", "boards:N" or "WxH" (a W x H torus).
llvm::Expected<Machine> builtinMachine(llvm::StringRef name);
/// Reads a JSON machine description; `file` names it in errors. Every
/// problem found is reported (joined errors), each naming the file.
llvm::Expected<Machine> parseMachineJSON(llvm::StringRef text,
                                         llvm::StringRef file);
/// A built-in name, or a path (ending in .json or containing '/') to a JSON
/// description.
llvm::Expected<Machine> loadMachine(llvm::StringRef nameOrPath);

/// One line: "machine <name>: 48 chips (8x8, no wrap), 768 usable cores,
/// 1,023 routing entries per chip", and a line counting dead resources
/// when there are any.
void printMachineSummary(const Machine &m, llvm::StringRef name,
                         llvm::raw_ostream &os);

} // namespace scnc

#endif
