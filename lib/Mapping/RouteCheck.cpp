//===- RouteCheck.cpp - Walk keys through the tables as the routers do ----===//
#include "scnc/Mapping/Tables.h"
#include "scnc/Support/Random.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <map>

using namespace scnc;
using namespace llvm;

static std::string hex(uint32_t v) {
  std::string s;
  raw_string_ostream os(s);
  os << format_hex(v, 10);
  return os.str();
}

/// "core 3" or "cores 3, 4".
static std::string coreList(uint32_t mask) {
  std::string s;
  for (unsigned p = 0; p < spinnaker::kCoresPerChip; ++p)
    if (mask >> p & 1)
      s += (s.empty() ? "" : ", ") + std::to_string(p);
  return (countPopulation(mask) == 1 ? "core " : "cores ") + s;
}

/// The i-th key of the free bits `free` (i's bits spread over them).
static uint32_t deposit(uint64_t i, uint32_t free) {
  uint32_t out = 0;
  for (uint32_t bits = free; bits && i; bits &= bits - 1, i >>= 1)
    if (i & 1)
      out |= bits & -bits;
  return out;
}

/// The keys of (key, mask) a check walks.
static std::vector<uint32_t> sampleKeys(uint32_t key, uint32_t mask,
                                        const VerifyConfig &cfg,
                                        uint64_t seed) {
  uint32_t base = key & mask, free = ~mask;
  unsigned bits = countPopulation(free);
  std::vector<uint32_t> keys;
  if (bits <= cfg.exhaustiveBits) {
    for (uint64_t i = 0; i < (uint64_t(1) << bits); ++i)
      keys.push_back(base | deposit(i, free));
    return keys;
  }
  uint64_t last = (uint64_t(1) << bits) - 1;
  // The first and last neuron keys, each free bit alone set and cleared.
  for (uint64_t i = 0; i < 16; ++i) {
    keys.push_back(base | deposit(i, free));
    keys.push_back(base | deposit(last - i, free));
  }
  for (uint32_t b = free; b; b &= b - 1) {
    keys.push_back(base | (b & -b));
    keys.push_back((base | free) & ~(b & -b));
  }
  for (unsigned i = 0; i < cfg.samples; ++i)
    keys.push_back(base | (uint32_t(splitmix64(seed, i)) & free));
  llvm::sort(keys);
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

/// The tables by chip; reports tables outside the machine, two tables for
/// a chip, tables over capacity and entries that never match.
static std::vector<const RoutingTable *>
checkTables(const Machine &m, ArrayRef<RoutingTable> tables,
            const VerifyConfig &cfg,
            function_ref<void(const Twine &)> problem) {
  unsigned capacity = cfg.capacity ? cfg.capacity : m.routerEntries();
  std::vector<const RoutingTable *> tableOf(m.numChips(), nullptr);
  for (const RoutingTable &t : tables) {
    if (t.chip >= m.numChips()) {
      problem("table for chip id " + Twine(t.chip) +
              " which is not in the machine (" + Twine(m.numChips()) +
              " chips)");
      continue;
    }
    std::string chip = formatChip(m.coord(t.chip));
    if (tableOf[t.chip])
      problem("chip " + chip + " has two tables");
    tableOf[t.chip] = &t;
    if (t.entries.size() > capacity)
      problem("chip " + chip + ": table has " + Twine(t.entries.size()) +
              " entries, more than the " + Twine(capacity) + " available");
    for (const RoutingEntry &e : t.entries)
      if (e.key & ~e.mask)
        problem("chip " + chip + ": entry " + hex(e.key) + "/" + hex(e.mask) +
                " never matches (key bits outside the mask)");
  }
  return tableOf;
}

std::vector<std::string> scnc::verifyRoutes(const Machine &m,
                                            ArrayRef<KeyedTree> expected,
                                            ArrayRef<RoutingTable> tables,
                                            const VerifyConfig &cfg) {
  std::vector<std::string> problems;
  auto full = [&] { return problems.size() >= cfg.maxProblems; };
  auto problem = [&](const Twine &msg) {
    if (!full())
      problems.push_back(msg.str());
  };

  std::vector<const RoutingTable *> tableOf =
      checkTables(m, tables, cfg, problem);

  std::vector<unsigned> visited(m.numChips(), 0);
  unsigned walkId = 0;
  for (size_t ti = 0; ti < expected.size() && !full(); ++ti) {
    const KeyedTree &kt = expected[ti];
    const RoutingTree &tree = kt.tree;
    if (tree.source >= m.numChips()) {
      problem("tree " + Twine(ti) + ": source chip id " + Twine(tree.source) +
              " is not in the machine");
      continue;
    }
    std::string name = "tree " + std::to_string(ti) + " (" + hex(kt.key) + "/" +
                       hex(kt.mask) + " from chip " +
                       formatChip(m.coord(tree.source)) + ")";
    std::map<ChipId, uint32_t> want;
    for (auto [chip, cores] : tree.destinations())
      want[chip] = cores;

    auto at = [&](ChipId c) { return formatChip(m.coord(c)); };
    // Walks one packet, or the whole key space when every key takes the
    // same way. `decide` gives the router's decision at a chip for a packet
    // that came in on a link; false when the key space splits there.
    auto walk = [&](function_ref<RouteDecision(ChipId, unsigned)> decide,
                    std::vector<std::string> &found) {
      std::map<ChipId, uint32_t> got;
      ++walkId;
      // (chip, link the packet came in on); each chip handled once.
      SmallVector<std::pair<ChipId, unsigned>, 32> queue{
          {tree.source, kFromLocal}};
      for (size_t head = 0; head < queue.size(); ++head) {
        auto [c, in] = queue[head];
        if (visited[c] == walkId) {
          found.push_back("reaches chip " + at(c) +
                          " twice (a loop or a second path)");
          continue;
        }
        visited[c] = walkId;
        RouteDecision d = decide(c, in);
        if (d.kind == RouteDecision::Split)
          return false;
        if (d.kind == RouteDecision::Drop) {
          found.push_back("dropped at chip " + at(c) +
                          ": it comes from a core and no entry matches");
          continue;
        }
        if (uint32_t cores = route::coresOf(d.route))
          got[c] |= cores;
        for (unsigned l = 0; l < spinnaker::kNumLinks; ++l) {
          if (!(d.route & route::link(l)))
            continue;
          Optional<ChipId> next = m.neighbour(c, l);
          if (!next) {
            found.push_back("dropped at chip " + at(c) + ": sent on link " +
                            std::to_string(l) + " (" + linkName(l).str() +
                            ") which is dead or leads off the machine");
            continue;
          }
          queue.push_back({*next, oppositeLink(l)});
        }
      }
      for (auto [chip, cores] : want)
        if (uint32_t missing = cores & ~got[chip])
          found.push_back("not delivered to " + coreList(missing) +
                          " of chip " + at(chip));
      for (auto [chip, cores] : got)
        if (uint32_t extra = cores & ~(want.count(chip) ? want[chip] : 0))
          found.push_back("delivered to " + coreList(extra) + " of chip " +
                          at(chip) + ", not a destination");
      return true;
    };
    auto report = [&](uint32_t key, ArrayRef<std::string> found) {
      for (const std::string &f : found)
        problem(name + ": key " + hex(key) + " " + f);
    };

    // Every key at once: at each chip the first entry that any key of the
    // tree could match must match them all (or there is none).
    uint32_t base = kt.key & kt.mask;
    auto entriesOf = [&](ChipId c) -> ArrayRef<RoutingEntry> {
      if (tableOf[c])
        return tableOf[c]->entries;
      return {};
    };
    std::vector<std::string> found;
    bool uniform = walk(
        [&](ChipId c, unsigned in) {
          return routeStep(entriesOf(c), base, kt.mask, in);
        },
        found);
    if (uniform) {
      report(base, found);
      continue;
    }

    // Key by key (a sample of them for wide spaces), through the entries
    // that can match a key of this tree.
    DenseMap<ChipId, SmallVector<RoutingEntry, 4>> relevant;
    auto entriesAt = [&](ChipId c) -> ArrayRef<RoutingEntry> {
      auto it = relevant.find(c);
      if (it != relevant.end())
        return it->second;
      SmallVector<RoutingEntry, 4> &list = relevant[c];
      for (const RoutingEntry &e : entriesOf(c))
        if (keySpacesIntersect(e.key, e.mask, base, kt.mask))
          list.push_back(e);
      return list;
    };
    for (uint32_t key : sampleKeys(kt.key, kt.mask, cfg, 0x5eed0000ull + ti)) {
      found.clear();
      walk([&](ChipId c,
               unsigned in) { return routeStep(entriesAt(c), key, ~0u, in); },
           found);
      if (!found.empty()) {
        // One failing key per tree says enough.
        report(key, found);
        break;
      }
    }
  }
  return problems;
}
