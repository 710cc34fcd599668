//===- Routing.h - Multicast routing trees ----------------------*- C++ -*-===//
//
// A spike leaves its source chip as one multicast packet that the routers
// copy along a tree of links to every chip with a target core. This file
// builds such trees over the machine model: shortest paths only, branches
// shared where paths meet, dead links and chips avoided. The algorithm and
// its tie-breaking rules are described in docs/mapping.md, "Routing".
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_ROUTING_H
#define SCNC_MAPPING_ROUTING_H

#include "scnc/Machine/Machine.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace scnc {

/// A router's route word: bit i (0..5) sends on link i, bit 6 + p delivers
/// to core p (0..17).
namespace route {
constexpr unsigned kCoreShift = spinnaker::kNumLinks;
constexpr uint32_t kLinkBits = (1u << spinnaker::kNumLinks) - 1;
constexpr uint32_t kCoreMaskBits = (1u << spinnaker::kCoresPerChip) - 1;
constexpr uint32_t kCoreBits = kCoreMaskBits << kCoreShift;
inline uint32_t link(unsigned l) { return 1u << l; }
inline uint32_t core(unsigned p) { return 1u << (kCoreShift + p); }
/// Cores as a mask with bit p for core p.
inline uint32_t cores(uint32_t coreMask) { return coreMask << kCoreShift; }
inline uint32_t linksOf(uint32_t word) { return word & kLinkBits; }
/// The cores of a route word as a mask with bit p for core p.
inline uint32_t coresOf(uint32_t word) {
  return (word >> kCoreShift) & kCoreMaskBits;
}
} // namespace route

/// "E NE c3 c4": links by compass name, then cores; "none" for 0.
std::string formatRoute(uint32_t word);

/// The incoming "link" of the source chip: the packet comes from a core.
constexpr unsigned kFromLocal = spinnaker::kNumLinks;

/// One chip of a tree.
struct RouteNode {
  ChipId chip = 0;
  /// The link of this chip the packet arrives on (the hardware's
  /// numbering: a packet sent east arrives on the west link), or
  /// kFromLocal at the source.
  unsigned inLink = kFromLocal;
  /// Hops from the source.
  unsigned depth = 0;
  /// Links the packet leaves on and cores it is delivered to.
  uint32_t route = 0;
};

/// A multicast tree from one source chip.
struct RoutingTree {
  ChipId source = 0;
  /// Every chip of the tree once, in ChipId order.
  std::vector<RouteNode> nodes;

  /// The node of `chip`, or null when the tree does not visit it.
  const RouteNode *find(ChipId chip) const;
  /// (chip, core mask) of every chip where the tree delivers, in ChipId
  /// order.
  std::vector<std::pair<ChipId, uint32_t>> destinations() const;
  /// Links the packet crosses (nodes - 1).
  unsigned numHops() const {
    return nodes.empty() ? 0 : unsigned(nodes.size() - 1);
  }
};

/// Settings of routeMulticast.
/// Hop distances over live links from chips of a machine, each computed on
/// first use and kept while the cache holds at most `maxEntries` distances
/// in all (then computed afresh): the breadth-first fallback of many trees
/// asks for the same chips. Not thread-safe; the machine must outlive it.
class HopDistanceCache {
public:
  explicit HopDistanceCache(const Machine &m, uint64_t maxEntries = uint64_t(16)
                                                                    << 20);
  /// Distances from `c` (Machine::hopDistances). The reference is valid
  /// until the next call.
  const std::vector<unsigned> &from(ChipId c);

private:
  const Machine &m;
  std::vector<std::vector<unsigned>> rows;
  std::vector<unsigned> scratch;
  uint64_t entries = 0, maxEntries;
};

struct RouteConfig {
  /// Tree nodes (nearest to the target first) from which the geometric
  /// paths are tried before the breadth-first fallback over live links.
  unsigned geometricCandidates = 8;
  /// Where the fallback's hop distances come from (none: computed per use;
  /// the trees are the same either way).
  HopDistanceCache *hops = nullptr;
};

/// One tree from `source` to every target chip and its cores (a mask with
/// bit p for core p, bits 0..17). Targets are joined in order of distance
/// from the source, each to the nearest node of the tree through which it
/// still lies on a shortest path, by a longest-dimension-first path, or a
/// breadth-first shortest path over live links where that is blocked.
/// Repeated targets merge their cores. Fails when a target is unreachable,
/// names no core, names a core beyond 17 or a dead core.
llvm::Expected<RoutingTree>
routeMulticast(const Machine &m, ChipId source,
               llvm::ArrayRef<std::pair<ChipId, uint32_t>> targets,
               const RouteConfig &cfg = {});

/// One line per node in ChipId order: "(x, y) in W route E c3", the
/// source's "in local".
void printRoutingTree(const Machine &m, const RoutingTree &tree,
                      llvm::raw_ostream &os);

} // namespace scnc

#endif
