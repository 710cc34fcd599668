//===- Router.cpp - The emulated machine's multicast routers --------------===//
#include "scnc/Runtime/Router.h"
#include "scnc/Mapping/Routing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"

using namespace scnc;
using namespace llvm;

Routers::Routers(const Machine &m, std::vector<std::vector<RoutingEntry>> t)
    : m(m), tables(std::move(t)) {
  tables.resize(m.numChips());
}

Optional<uint32_t> Routers::lookup(ChipId chip, uint32_t key) const {
  RouteDecision d = routeStep(tables[chip], key, ~0u, kFromLocal);
  if (d.kind == RouteDecision::Matched)
    return d.route;
  return None;
}

Expected<uint32_t> Routers::walkUniform(ChipId source, uint32_t key,
                                        uint32_t mask, PacketPath &path) const {
  // A packet is copied along a tree; a loop would copy it forever. More
  // router visits than every chip entered on every link, several times
  // over, can only come from one.
  uint64_t limit = 4ull * m.numChips() * (spinnaker::kNumLinks + 1) + 64;
  SmallVector<std::pair<ChipId, unsigned>, 32> queue{{source, kFromLocal}};
  auto count = [&](ChipId c, unsigned counter) {
    path.counts.push_back(c * kNumRouterCounters + counter);
  };
  count(source, CounterSent);
  for (size_t head = 0; head < queue.size(); ++head) {
    if (head >= limit) {
      std::string k;
      raw_string_ostream os(k);
      os << format_hex(key, 10);
      if (~mask)
        os << "/" << format_hex(mask, 10);
      return createStringError(
          inconvertibleErrorCode(),
          "packets with key " + os.str() + " sent from chip " +
              formatChip(m.coord(source)) +
              " never stop: the routing tables send them around a loop "
              "(more than " +
              Twine(limit) + " router visits)");
    }
    auto [c, in] = queue[head];
    count(c, CounterRouted);
    RouteDecision d = routeStep(tables[c], key, mask, in);
    if (d.kind == RouteDecision::Split)
      return d.splitBit;
    if (d.kind == RouteDecision::Drop) {
      count(c, CounterDroppedNoRoute);
      continue;
    }
    uint32_t word = d.route;
    for (unsigned p = 0; p < spinnaker::kCoresPerChip; ++p)
      if (word & route::core(p))
        path.deliveries.push_back({c, p});
    for (unsigned l = 0; l < spinnaker::kNumLinks; ++l) {
      if (!(word & route::link(l)))
        continue;
      Optional<ChipId> next = m.neighbour(c, l);
      if (!next) {
        count(c, CounterDroppedLink);
        continue;
      }
      count(c, CounterLinkOut + l);
      queue.push_back({*next, oppositeLink(l)});
    }
  }
  return 0;
}

Error Routers::walk(ChipId source, uint32_t key, PacketPath &path) const {
  Expected<uint32_t> split = walkUniform(source, key, ~0u, path);
  if (!split)
    return split.takeError();
  return Error::success();
}

Error Routers::walkBlock(ChipId source, uint32_t key, uint32_t mask,
                         function_ref<bool(uint32_t, uint32_t)> wanted,
                         std::vector<KeyBlockPath> &out) const {
  key &= mask;
  if (!wanted(key, mask))
    return Error::success();
  KeyBlockPath b;
  b.key = key;
  b.mask = mask;
  Expected<uint32_t> split = walkUniform(source, key, mask, b.path);
  if (!split)
    return split.takeError();
  if (*split == 0) {
    out.push_back(std::move(b));
    return Error::success();
  }
  if (Error e = walkBlock(source, key, mask | *split, wanted, out))
    return e;
  return walkBlock(source, key | *split, mask | *split, wanted, out);
}
