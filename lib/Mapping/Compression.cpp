//===- Compression.cpp - Routing table compression ------------------------===//
//
// Ordered Covering (Mundy, Heathcote, Garside: "On-chip order-exploiting
// routing table minimization for a multicast supercomputer network", HPSR
// 2016), as in rig's ordered_covering.py, with two refinements: the up- and
// down-checks only object to entries that route differently (an entry
// captured by one with the same route is routed the same), and the
// default-routed key spaces of the chip take part in the down-check as
// entries below the whole table, so no merged entry captures them.
//
// The table is kept in order of generality (number of X bits). A merge of
// entries with one route becomes one entry of the merged key/mask, inserted
// before the first entry at least as general. It is refined until it hides
// nothing:
//  - down-check: no key of an entry at or below the insertion point (by the
//    original entries it stands for) nor of a default-routed space may fall
//    in the merged entry unless it has the same route; on a conflict, drop
//    the fewest members that make a bit of the merged key fixed where the
//    conflicting entry's is the other value;
//  - up-check: a member that moves down past an entry that overlaps it and
//    routes differently leaves the merge.
// The largest merge that survives is applied; repeat until the table fits.
//
//===----------------------------------------------------------------------===//
#include "scnc/Mapping/Tables.h"
#include "scnc/Support/Format.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <map>

using namespace scnc;
using namespace llvm;

namespace {

using KeyMask = std::pair<uint32_t, uint32_t>;

struct Entry {
  uint32_t key, mask, route;
  unsigned generality;
  /// The original entries this one stands for; keys outside them that it
  /// captures are keys no packet through this chip carries.
  std::vector<KeyMask> aliases;
};

unsigned generalityOf(uint32_t mask) { return countPopulation(~mask); }

class OrderedCovering {
public:
  OrderedCovering(std::vector<Entry> table, ArrayRef<RoutingEntry> guards)
      : table(std::move(table)), guards(guards) {}

  /// Applies the best merge; false when no merge reduces the table.
  bool step();
  size_t size() const { return table.size(); }
  std::vector<Entry> take() { return std::move(table); }

private:
  struct Merge {
    /// Indices into `table`, ascending.
    SmallVector<unsigned, 16> members;
    uint32_t key = 0, mask = 0, route = 0;
    size_t insertion = 0;
    int goodness() const { return int(members.size()) - 1; }
  };

  void update(Merge &mg) const;
  bool downCheck(Merge &mg, int minGoodness) const;
  bool upCheck(Merge &mg) const;
  void apply(const Merge &mg);

  std::vector<Entry> table;
  ArrayRef<RoutingEntry> guards;
};

/// Recomputes the merged key, mask and insertion point of the members.
void OrderedCovering::update(Merge &mg) const {
  uint32_t anyOnes = 0, allOnes = ~0u, allSelected = ~0u;
  for (unsigned i : mg.members) {
    anyOnes |= table[i].key;
    allOnes &= table[i].key;
    allSelected &= table[i].mask;
  }
  // Bits where the keys agree stay selected.
  mg.mask = allSelected & ~(anyOnes ^ allOnes);
  mg.key = allOnes & mg.mask;
  unsigned g = generalityOf(mg.mask);
  mg.insertion =
      size_t(llvm::partition_point(
                 table, [&](const Entry &e) { return e.generality < g; }) -
             table.begin());
}

/// Drops members until the merged entry captures no differently routed key
/// below it; false when fewer than minGoodness + 2 members remain.
bool OrderedCovering::downCheck(Merge &mg, int minGoodness) const {
  while (mg.goodness() > minGoodness) {
    update(mg);
    // Covered key spaces with the fewest bits we could still fix, and the
    // values those bits would need in the merged key.
    unsigned stringency = 33;
    uint32_t wantOne = 0, wantZero = 0;
    auto consider = [&](uint32_t key, uint32_t mask) {
      if (!keySpacesIntersect(mg.key, mg.mask, key, mask))
        return;
      uint32_t settable = mask & ~mg.mask;
      unsigned n = countPopulation(settable);
      if (n > stringency)
        return;
      if (n < stringency) {
        stringency = n;
        wantOne = wantZero = 0;
      }
      wantOne |= settable & ~key;
      wantZero |= settable & key;
    };
    // Entries with the merge's route are skipped: members, and others that
    // would be routed the same if captured.
    for (size_t j = mg.insertion; j < table.size(); ++j) {
      if (table[j].route == mg.route)
        continue;
      for (const KeyMask &a : table[j].aliases)
        consider(a.first, a.second);
    }
    for (const RoutingEntry &g : guards)
      if (g.route != mg.route)
        consider(g.key, g.mask);
    if (stringency == 33)
      return true; // nothing covered
    if (stringency == 0)
      return false; // a covered space inside every key the merge could have
    // Per bit, the members that would have to go for the merged key to
    // have a 1 there (those with a 0 or an X) or a 0 (a 1 or an X).
    unsigned notOne[32] = {}, notZero[32] = {};
    for (unsigned i : mg.members)
      for (uint32_t bits = wantOne | wantZero; bits; bits &= bits - 1) {
        unsigned b = countTrailingZeros(bits);
        bool fixed = table[i].mask >> b & 1, one = table[i].key >> b & 1;
        notOne[b] += !fixed || !one;
        notZero[b] += !fixed || one;
      }
    // The fewest removals; on a tie the most significant bit, a 1 first.
    unsigned bestBit = 0, bestCount = ~0u;
    bool bestOne = false;
    for (int b = 31; b >= 0; --b)
      for (bool one : {true, false}) {
        if (!((one ? wantOne : wantZero) >> b & 1))
          continue;
        unsigned count = one ? notOne[b] : notZero[b];
        if (count < bestCount) {
          bestBit = unsigned(b);
          bestOne = one;
          bestCount = count;
        }
      }
    SmallVector<unsigned, 16> kept;
    for (unsigned i : mg.members) {
      const Entry &e = table[i];
      if ((e.mask >> bestBit & 1) && bool(e.key >> bestBit & 1) == bestOne)
        kept.push_back(i);
    }
    mg.members = std::move(kept);
  }
  return false;
}

/// Removes members that would slide below an overlapping entry with another
/// route; true when any was removed.
bool OrderedCovering::upCheck(Merge &mg) const {
  bool changed = false;
  update(mg);
  for (size_t k = mg.members.size(); k-- > 0;) {
    unsigned i = mg.members[k];
    const Entry &e = table[i];
    bool hidden = false;
    for (size_t j = i + 1; j < mg.insertion && !hidden; ++j)
      hidden = table[j].route != mg.route &&
               keySpacesIntersect(e.key, e.mask, table[j].key, table[j].mask);
    if (hidden) {
      mg.members.erase(mg.members.begin() + k);
      changed = true;
      if (mg.members.size() < 2)
        return true;
      update(mg);
    }
  }
  return changed;
}

void OrderedCovering::apply(const Merge &mg) {
  Entry merged{mg.key, mg.mask, mg.route, generalityOf(mg.mask), {}};
  std::vector<Entry> out;
  out.reserve(table.size() - mg.members.size() + 1);
  const unsigned *nextMember = mg.members.begin();
  for (size_t i = 0; i <= table.size(); ++i) {
    if (i == mg.insertion)
      out.push_back(merged); // aliases filled below
    if (i == table.size())
      break;
    if (nextMember != mg.members.end() && *nextMember == i) {
      ++nextMember;
      continue;
    }
    out.push_back(std::move(table[i]));
  }
  size_t above =
      llvm::count_if(mg.members, [&](unsigned i) { return i < mg.insertion; });
  Entry &slot = out[mg.insertion - above];
  for (unsigned i : mg.members)
    slot.aliases.insert(slot.aliases.end(), table[i].aliases.begin(),
                        table[i].aliases.end());
  llvm::sort(slot.aliases);
  table = std::move(out);
}

bool OrderedCovering::step() {
  // One candidate merge per route: every entry with it.
  std::map<uint32_t, SmallVector<unsigned, 16>> byRoute;
  for (unsigned i = 0; i < table.size(); ++i)
    byRoute[table[i].route].push_back(i);
  Merge best;
  int bestGoodness = 0;
  for (auto &[routeWord, members] : byRoute) {
    if (int(members.size()) - 1 <= bestGoodness)
      continue;
    Merge mg;
    mg.members = members;
    mg.route = routeWord;
    if (!downCheck(mg, bestGoodness))
      continue;
    if (upCheck(mg) &&
        (mg.goodness() <= bestGoodness || !downCheck(mg, bestGoodness)))
      continue;
    if (mg.goodness() > bestGoodness) {
      update(mg);
      best = mg;
      bestGoodness = mg.goodness();
    }
  }
  if (bestGoodness <= 0)
    return false;
  apply(best);
  return true;
}

/// Merges pairs (key, mask) and (key | bit, mask) with one route into
/// (key, mask & ~bit) until none is left. Only valid when no two entries
/// overlap: the merged entry covers exactly the keys of the pair.
std::vector<Entry> mergeExact(std::vector<Entry> entries) {
  // (route, mask) -> key -> aliases
  std::map<std::pair<uint32_t, uint32_t>,
           std::map<uint32_t, std::vector<KeyMask>>>
      groups;
  for (Entry &e : entries)
    groups[{e.route, e.mask}][e.key] = std::move(e.aliases);
  for (bool changed = true; changed;) {
    changed = false;
    for (auto &[routeMask, keys] : groups) {
      auto [routeWord, mask] = routeMask;
      for (uint32_t bits = mask; bits; bits &= bits - 1) {
        uint32_t bit = bits & -bits;
        for (auto it = keys.begin(); it != keys.end();) {
          auto partner =
              (it->first & bit) ? keys.end() : keys.find(it->first | bit);
          if (partner == keys.end()) {
            ++it;
            continue;
          }
          std::vector<KeyMask> aliases = std::move(it->second);
          aliases.insert(aliases.end(), partner->second.begin(),
                         partner->second.end());
          uint32_t key = it->first;
          keys.erase(partner);
          it = keys.erase(it);
          groups[{routeWord, mask & ~bit}][key] = std::move(aliases);
          changed = true;
        }
      }
    }
  }
  std::vector<Entry> out;
  for (auto &[routeMask, keys] : groups)
    for (auto &[key, aliases] : keys) {
      llvm::sort(aliases);
      out.push_back({key, routeMask.second, routeMask.first,
                     generalityOf(routeMask.second), std::move(aliases)});
    }
  return out;
}

bool anyOverlap(ArrayRef<RoutingEntry> entries) {
  for (size_t i = 0; i < entries.size(); ++i)
    for (size_t j = i + 1; j < entries.size(); ++j)
      if (keySpacesIntersect(entries[i].key, entries[i].mask, entries[j].key,
                             entries[j].mask))
        return true;
  return false;
}

} // namespace

Error scnc::compressTable(const Machine &m, RoutingTable &table,
                          unsigned capacity, const CompressionConfig &cfg) {
  if (capacity == 0)
    capacity = m.routerEntries();
  size_t before = table.entries.size();
  if (before <= capacity && !cfg.minimize)
    return Error::success();

  std::vector<Entry> entries;
  entries.reserve(before);
  for (const RoutingEntry &e : table.entries) {
    uint32_t key = e.key & e.mask;
    entries.push_back(
        {key, e.mask, e.route, generalityOf(e.mask), {{key, e.mask}}});
  }
  if (cfg.mergeExact && !anyOverlap(table.entries))
    entries = mergeExact(std::move(entries));
  // Generality order (stable: overlapping entries keep their order).
  llvm::stable_sort(entries, [](const Entry &a, const Entry &b) {
    return a.generality < b.generality;
  });

  OrderedCovering oc(std::move(entries), table.defaultRouted);
  while ((cfg.minimize || oc.size() > capacity) && oc.step())
    ;
  size_t after = oc.size();
  table.entries.clear();
  for (const Entry &e : oc.take())
    table.entries.push_back({e.key, e.mask, e.route});
  if (after <= capacity)
    return Error::success();
  return createStringError(
      inconvertibleErrorCode(),
      "routing table of chip " + formatChip(m.coord(table.chip)) + " has " +
          withCommas(before) + " entries, " + withCommas(after) +
          " after compression, more than the " + withCommas(capacity) +
          " available; try fewer cores per population (more neurons per "
          "core), another placement or a bigger machine");
}

Error scnc::compressTables(const Machine &m, std::vector<RoutingTable> &tables,
                           const CompressionConfig &cfg,
                           CompressionStats *stats) {
  unsigned capacity = cfg.capacity ? cfg.capacity : m.routerEntries();
  CompressionStats s;
  Error errors = Error::success();
  for (RoutingTable &t : tables) {
    unsigned before = unsigned(t.entries.size());
    s.entriesBefore += before;
    s.maxEntriesBefore = std::max(s.maxEntriesBefore, before);
    if (before > capacity || (cfg.minimize && before > 1)) {
      s.tablesCompressed += before > capacity;
      errors =
          joinErrors(std::move(errors), compressTable(m, t, capacity, cfg));
    }
    unsigned after = unsigned(t.entries.size());
    s.entriesAfter += after;
    s.maxEntriesAfter = std::max(s.maxEntriesAfter, after);
  }
  if (stats)
    *stats = s;
  return errors;
}
