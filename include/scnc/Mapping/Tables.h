//===- Tables.h - Routing tables, compression and their check ---*- C++ -*-===//
//
// The per-chip multicast tables that make the routers follow the trees of
// Routing.h: generation with default-route elision, Ordered Covering
// compression down to the router's capacity, and a checker that walks keys
// through the tables as the hardware does. docs/mapping.md, "Routing".
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_TABLES_H
#define SCNC_MAPPING_TABLES_H

#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/Routing.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

/// One router entry: a packet whose key k has (k & mask) == key goes to
/// every link and core of `route` (Routing.h's route word).
struct RoutingEntry {
  uint32_t key = 0, mask = 0, route = 0;

  bool matches(uint32_t k) const { return (k & mask) == key; }
  /// Bits the entry does not look at ("X" bits).
  unsigned generality() const;
  friend bool operator==(const RoutingEntry &a, const RoutingEntry &b) {
    return a.key == b.key && a.mask == b.mask && a.route == b.route;
  }
};

/// Whether some key matches both (key, mask) pairs.
inline bool keySpacesIntersect(uint32_t k1, uint32_t m1, uint32_t k2,
                               uint32_t m2) {
  return ((k1 ^ k2) & m1 & m2) == 0;
}

/// What a router does with a packet, or with every packet of a block of
/// keys.
struct RouteDecision {
  enum Kind : uint8_t {
    /// An entry matched: the packet goes to every link and core of `route`.
    Matched,
    /// No entry matched and the packet came over a link: default routing,
    /// straight on (`route` is the link opposite the one it came in on).
    Default,
    /// No entry matched and the packet came from a core of the chip: dropped.
    Drop,
    /// The block's keys take different ways: the deciding entry looks at
    /// `splitBit` (the lowest bit it checks outside the block's mask).
    Split,
  };
  Kind kind = Drop;
  uint32_t route = 0;
  uint32_t splitBit = 0;
};

/// One router step, the rule that the route checker and the emulated
/// routers share: the packets with keys in (\p key, \p mask) (mask ~0u: one
/// key; key normalised to key & mask) arrive on link \p inLink (kFromLocal:
/// from a core of the chip) at a router holding \p entries (priority order).
/// The first entry that any key of the block can match decides when it
/// matches them all (Matched), else the block splits; entries whose key has
/// bits outside their mask never match. No such entry: Default or Drop.
RouteDecision routeStep(llvm::ArrayRef<RoutingEntry> entries, uint32_t key,
                        uint32_t mask, unsigned inLink);

/// The table of one chip.
struct RoutingTable {
  ChipId chip = 0;
  /// What the router holds, in priority order (first match wins).
  std::vector<RoutingEntry> entries;
  /// Key spaces that cross this chip by default routing (no entry; `route`
  /// is the link they leave on). Not loaded: compression keeps them out of
  /// every merged entry that would send them elsewhere.
  std::vector<RoutingEntry> defaultRouted;
};

/// A tree with the key space of the packets that follow it.
struct KeyedTree {
  uint32_t key = 0, mask = 0;
  RoutingTree tree;
};

/// Settings of buildTables.
struct TableConfig {
  /// Leave out entries that do what default routing does.
  bool elideDefaultRoutes = true;
};

/// One table per chip of the machine (indexed by ChipId), one entry per
/// (tree, chip on the tree) except where default routing does the same: at
/// a chip the packet enters on link l and leaves only on link (l + 3) mod 6
/// with no core (never at the source). Entries sorted by generality, then
/// key, mask and route; keys are normalised to key & mask.
std::vector<RoutingTable> buildTables(const Machine &m,
                                      llvm::ArrayRef<KeyedTree> trees,
                                      const TableConfig &cfg = {});

/// Settings of compressTables.
struct CompressionConfig {
  /// Entries available per chip; 0 means the machine's routerEntries().
  unsigned capacity = 0;
  /// Merge pairs of entries that together cover exactly their keys (same
  /// route and mask, keys one bit apart) before Ordered Covering.
  bool mergeExact = true;
  /// Compress every table as far as Ordered Covering goes, not only those
  /// over capacity (as SpiNNaker's own tools do before loading).
  bool minimize = false;
};

struct CompressionStats {
  /// Tables that were over capacity.
  unsigned tablesCompressed = 0;
  /// Largest table before and after.
  unsigned maxEntriesBefore = 0, maxEntriesAfter = 0;
  /// Entries over all tables before and after.
  uint64_t entriesBefore = 0, entriesAfter = 0;
};

/// Compresses one table until it has at most `capacity` entries (a table
/// that fits is left alone): exact pair merges (when no two entries
/// overlap), then Ordered Covering (Mundy, Heathcote, Garside, HPSR 2016).
/// The router's behaviour is kept for every key of every entry and every
/// default-routed key space. Entries must be in generality order where
/// they overlap (as buildTables makes them). On failure the table holds the
/// best found and the error names the chip, the counts before and after and
/// what would help.
llvm::Error compressTable(const Machine &m, RoutingTable &table,
                          unsigned capacity, const CompressionConfig &cfg = {});

/// compressTable on every table over capacity; every failing chip is
/// reported (joined errors).
llvm::Error compressTables(const Machine &m, std::vector<RoutingTable> &tables,
                           const CompressionConfig &cfg = {},
                           CompressionStats *stats = nullptr);

/// Settings of verifyRoutes.
struct VerifyConfig {
  /// Walk every key of a tree whose key space has at most this many free
  /// bits; otherwise the first and last keys, each free bit alone set and
  /// cleared, and `samples` pseudo-random keys.
  unsigned exhaustiveBits = 10;
  unsigned samples = 32;
  /// Entries available per chip; 0 means the machine's routerEntries().
  unsigned capacity = 0;
  /// Stop after this many problems.
  unsigned maxProblems = 100;
};

/// Walks keys of every tree from its source chip through `tables` as the
/// routers do (routeStep) and checks
/// that each is delivered to exactly the tree's cores, dropped nowhere,
/// sent over no dead or missing link and never reaches a chip twice. Also
/// checks table sizes. Returns the problems, empty when none.
std::vector<std::string> verifyRoutes(const Machine &m,
                                      llvm::ArrayRef<KeyedTree> expected,
                                      llvm::ArrayRef<RoutingTable> tables,
                                      const VerifyConfig &cfg = {});

/// "0x00010000/0xffff0000 -> E c3", one entry per line, after a line naming
/// the chip and the entry count.
void printRoutingTable(const Machine &m, const RoutingTable &table,
                       llvm::raw_ostream &os);

} // namespace scnc

#endif
