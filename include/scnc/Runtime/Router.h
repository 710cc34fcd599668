//===- Router.h - The emulated machine's multicast routers ------*- C++ -*-===//
//
// Each chip's router applies its table as the hardware does, with the step
// the route checker uses too (routeStep, Mapping/Tables.h): the first entry
// whose (key & mask) == entry.key matches wins and the packet is copied to
// every link and core of its route word; a packet that matches nothing
// continues on the link opposite the one it came in on (default routing)
// when it came over a link, and is dropped (and counted) when it came from a
// core of the chip. A packet sent on a dead or missing link is dropped too.
//
// The emulator walks each source core's keys through the tables once, when
// it loads the image (walkBlock: a block of keys that every router treats
// alike is walked once; blocks are split where a router tells their keys
// apart), and replays the recorded deliveries and counts for every packet:
// a memo of the hop-by-hop walk, not a different routing.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_ROUTER_H
#define SCNC_RUNTIME_ROUTER_H

#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/Tables.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <utility>
#include <vector>

namespace scnc {

/// What a chip's router and links count, per chip.
enum RouterCounter : unsigned {
  CounterSent,           ///< packets sent by the chip's cores
  CounterRouted,         ///< packets the router handled (from cores or links)
  CounterDelivered,      ///< copies delivered to cores that run a program
  CounterToIdleCore,     ///< copies for cores that run nothing (lost)
  CounterDroppedNoRoute, ///< from a core of the chip, no entry matched
  CounterDroppedLink,    ///< sent on a dead link or off the machine
  CounterLinkOut,        ///< packets sent on link l: CounterLinkOut + l
  kNumRouterCounters = CounterLinkOut + spinnaker::kNumLinks
};

/// What a packet (or every packet of a block of keys) does on its way.
struct PacketPath {
  /// (chip, core) copies delivered, in the order the routers make them (a
  /// core reached twice appears twice).
  std::vector<std::pair<ChipId, unsigned>> deliveries;
  /// Counter increments, each `chip * kNumRouterCounters + counter`.
  /// CounterDelivered and CounterToIdleCore are left to the caller, which
  /// knows which cores run a program.
  std::vector<uint32_t> counts;
};

/// Keys k with (k & mask) == key and the path each of them takes.
struct KeyBlockPath {
  uint32_t key = 0, mask = 0;
  PacketPath path;
};

/// The routers of a machine loaded with tables.
class Routers {
public:
  /// \p tables holds one table per chip id (missing or empty: no entries),
  /// entries in router order.
  Routers(const Machine &m, std::vector<std::vector<RoutingEntry>> tables);

  const Machine &machine() const { return m; }
  /// The route word of the first entry of chip \p chip's table matching
  /// \p key, or None.
  llvm::Optional<uint32_t> lookup(ChipId chip, uint32_t key) const;
  /// Walks one packet with \p key sent by a core of chip \p source, hop by
  /// hop; appends to \p path. Fails on a routing loop (a packet that never
  /// stops).
  llvm::Error walk(ChipId source, uint32_t key, PacketPath &path) const;
  /// Walks every key of the block (\p key, \p mask) sent from chip
  /// \p source: a block whose keys every router on the way treats alike is
  /// walked once; otherwise it is split in two on a bit the deciding entry
  /// looks at, and each half walked. Blocks for which \p wanted is false are
  /// skipped (e.g. keys of neurons a core does not have). Appends one
  /// KeyBlockPath per final block to \p out, in key order of the splits.
  llvm::Error
  walkBlock(ChipId source, uint32_t key, uint32_t mask,
            llvm::function_ref<bool(uint32_t key, uint32_t mask)> wanted,
            std::vector<KeyBlockPath> &out) const;

private:
  /// Walks the block; returns 0 and fills \p path when every key takes the
  /// same way, or the bit on which a router tells them apart.
  llvm::Expected<uint32_t> walkUniform(ChipId source, uint32_t key,
                                       uint32_t mask, PacketPath &path) const;

  const Machine &m;
  std::vector<std::vector<RoutingEntry>> tables;
};

} // namespace scnc

#endif
