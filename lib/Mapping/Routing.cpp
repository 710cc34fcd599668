//===- Routing.cpp - Multicast routing trees ------------------------------===//
//
// Nearest-join shortest-path trees (after NER, Navaridas et al. 2015, with
// PACMAN's longest-dimension-first paths): targets in order of distance,
// each joined to the nearest tree node through which it is still at its
// shortest distance from the source. Invariant: every node's depth is its
// shortest live hop distance from the source, so a path that meets the
// tree anywhere can continue from the meeting point.
//
//===----------------------------------------------------------------------===//
#include "scnc/Mapping/Routing.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include <algorithm>
#include <cassert>

using namespace scnc;
using namespace llvm;

std::string scnc::formatRoute(uint32_t word) {
  static const char *const shortNames[] = {"E", "NE", "N", "W", "SW", "S"};
  std::string s;
  for (unsigned l = 0; l < spinnaker::kNumLinks; ++l)
    if (word & route::link(l))
      s += std::string(s.empty() ? "" : " ") + shortNames[l];
  for (unsigned p = 0; p < spinnaker::kCoresPerChip; ++p)
    if (word & route::core(p))
      s += (s.empty() ? "c" : " c") + std::to_string(p);
  return s.empty() ? "none" : s;
}

const RouteNode *RoutingTree::find(ChipId chip) const {
  auto it = llvm::partition_point(
      nodes, [&](const RouteNode &n) { return n.chip < chip; });
  return it != nodes.end() && it->chip == chip ? &*it : nullptr;
}

std::vector<std::pair<ChipId, uint32_t>> RoutingTree::destinations() const {
  std::vector<std::pair<ChipId, uint32_t>> out;
  for (const RouteNode &n : nodes)
    if (uint32_t cores = route::coresOf(n.route))
      out.push_back({n.chip, cores});
  return out;
}

void scnc::printRoutingTree(const Machine &m, const RoutingTree &tree,
                            raw_ostream &os) {
  for (const RouteNode &n : tree.nodes) {
    os << m.coord(n.chip) << " in ";
    if (n.inLink == kFromLocal)
      os << "local";
    else
      os << linkName(n.inLink);
    os << " route " << formatRoute(n.route) << "\n";
  }
}

namespace {

/// A step vector split into two runs of one link each (either may be
/// empty): the shortest paths on the triangular mesh use at most two of the
/// six directions.
struct Runs {
  unsigned linkA = 0, countA = 0, linkB = 0, countB = 0;
};

Runs splitRuns(int64_t dx, int64_t dy) {
  Runs r;
  auto abs = [](int64_t v) { return unsigned(v < 0 ? -v : v); };
  if ((dx >= 0 && dy >= 0) || (dx <= 0 && dy <= 0)) {
    bool up = dx >= 0 && dy >= 0;
    unsigned ax = abs(dx), ay = abs(dy), diag = std::min(ax, ay);
    r.linkA = up ? LinkNorthEast : LinkSouthWest;
    r.countA = diag;
    if (ax >= ay) {
      r.linkB = up ? LinkEast : LinkWest;
      r.countB = ax - diag;
    } else {
      r.linkB = up ? LinkNorth : LinkSouth;
      r.countB = ay - diag;
    }
  } else {
    r.linkA = dx > 0 ? LinkEast : LinkWest;
    r.countA = abs(dx);
    r.linkB = dy > 0 ? LinkNorth : LinkSouth;
    r.countB = abs(dy);
  }
  return r;
}

class TreeBuilder {
public:
  TreeBuilder(const Machine &m, ChipId source, const RouteConfig &cfg)
      : m(m), source(source), cfg(cfg) {
    add(source, kFromLocal, 0);
  }

  Error addTarget(ChipId target, uint32_t coreMask);
  RoutingTree finish();

private:
  unsigned add(ChipId chip, unsigned inLink, unsigned depth) {
    index[chip] = unsigned(nodes.size());
    nodes.push_back({chip, inLink, depth, 0});
    return index[chip];
  }
  const RouteNode *lookup(ChipId chip) const {
    auto it = index.find(chip);
    return it == index.end() ? nullptr : &nodes[it->second];
  }
  bool tryGeometric(ChipId target);
  Error breadthFirst(ChipId target);
  /// Walks `links` from `from`; false when a link is dead or missing.
  bool walk(ChipId from, ArrayRef<unsigned> links,
            SmallVectorImpl<ChipId> &path) const;
  /// Adds `path` (path[0] in the tree; path[i + 1] one step along
  /// links[i]) from its last chip already in the tree onwards.
  void attach(ArrayRef<ChipId> path, ArrayRef<unsigned> links);

  const Machine &m;
  ChipId source;
  const RouteConfig &cfg;
  std::vector<RouteNode> nodes;
  DenseMap<ChipId, unsigned> index;
  /// Live hop distances from the source, computed on first need.
  std::vector<unsigned> fromSource;
};

bool TreeBuilder::walk(ChipId from, ArrayRef<unsigned> links,
                       SmallVectorImpl<ChipId> &path) const {
  path.assign({from});
  for (unsigned l : links) {
    Optional<ChipId> next = m.neighbour(path.back(), l);
    if (!next)
      return false;
    path.push_back(*next);
  }
  return true;
}

void TreeBuilder::attach(ArrayRef<ChipId> path, ArrayRef<unsigned> links) {
  assert(path.size() == links.size() + 1 && lookup(path[0]) && "bad path");
  size_t start = 0;
  for (size_t i = 0; i < path.size(); ++i)
    if (lookup(path[i]))
      start = i;
  for (size_t i = start; i < links.size(); ++i) {
    unsigned at = index[path[i]];
    nodes[at].route |= route::link(links[i]);
    unsigned depth = nodes[at].depth + 1;
    add(path[i + 1], oppositeLink(links[i]), depth);
  }
}

bool TreeBuilder::tryGeometric(ChipId target) {
  ChipCoord t = m.coord(target);
  unsigned total = m.distance(m.coord(source), t);
  // Tree nodes through which the target stays at its shortest distance,
  // nearest to the target first (then by chip id).
  SmallVector<std::pair<unsigned, ChipId>, 16> candidates;
  for (const RouteNode &n : nodes) {
    unsigned d = m.distance(m.coord(n.chip), t);
    if (n.depth + d == total)
      candidates.push_back({d, n.chip});
  }
  llvm::sort(candidates);
  if (candidates.size() > cfg.geometricCandidates)
    candidates.resize(std::max(1u, cfg.geometricCandidates));

  SmallVector<ChipId, 32> path;
  SmallVector<unsigned, 32> links;
  for (auto [d, chip] : candidates) {
    ChipCoord c = m.coord(chip);
    // Every wrap image of the step at the shortest distance.
    int64_t dx = int64_t(t.x) - c.x, dy = int64_t(t.y) - c.y;
    SmallVector<int64_t, 3> xs{dx}, ys{dy};
    if (m.wrapsX()) {
      xs.push_back(dx - m.width());
      xs.push_back(dx + m.width());
    }
    if (m.wrapsY()) {
      ys.push_back(dy - m.height());
      ys.push_back(dy + m.height());
    }
    for (int64_t x : xs)
      for (int64_t y : ys) {
        if (hexDistance(x, y) != d)
          continue;
        Runs r = splitRuns(x, y);
        // Longest dimension first (the lower link on a tie), then the
        // other order.
        bool aFirst =
            r.countA != r.countB ? r.countA > r.countB : r.linkA < r.linkB;
        for (bool first : {aFirst, !aFirst}) {
          links.clear();
          unsigned l1 = first ? r.linkA : r.linkB;
          unsigned n1 = first ? r.countA : r.countB;
          unsigned l2 = first ? r.linkB : r.linkA;
          unsigned n2 = first ? r.countB : r.countA;
          links.append(n1, l1);
          links.append(n2, l2);
          if (walk(chip, links, path)) {
            attach(path, links);
            return true;
          }
          if (r.countA == 0 || r.countB == 0)
            break; // one run: the other order is the same path
        }
      }
  }
  return false;
}

Error TreeBuilder::breadthFirst(ChipId target) {
  if (fromSource.empty())
    fromSource = cfg.hops ? cfg.hops->from(source) : m.hopDistances(source);
  unsigned total = fromSource[target];
  if (total == Machine::kUnreachable)
    return createStringError(inconvertibleErrorCode(),
                             "target chip " + formatChip(m.coord(target)) +
                                 " is unreachable from source chip " +
                                 formatChip(m.coord(source)) +
                                 " over live links");
  std::vector<unsigned> ownToTarget;
  if (!cfg.hops)
    ownToTarget = m.hopDistances(target);
  const std::vector<unsigned> &toTarget =
      cfg.hops ? cfg.hops->from(target) : ownToTarget;
  // The nearest node through which the target is still at its shortest
  // distance (the source always qualifies).
  const RouteNode *best = nullptr;
  for (const RouteNode &n : nodes) {
    unsigned d = toTarget[n.chip];
    if (d == Machine::kUnreachable || n.depth + d != total)
      continue;
    if (!best || d < toTarget[best->chip] ||
        (d == toTarget[best->chip] && n.chip < best->chip))
      best = &n;
  }
  assert(best && "the source lies on every shortest path");
  SmallVector<ChipId, 32> path{best->chip};
  SmallVector<unsigned, 32> links;
  while (path.back() != target) {
    ChipId at = path.back();
    // Downhill towards the target: straight on if possible, else the
    // lowest link.
    Optional<unsigned> step;
    for (unsigned l = 0; l < spinnaker::kNumLinks; ++l) {
      Optional<ChipId> next = m.neighbour(at, l);
      if (!next || toTarget[*next] + 1 != toTarget[at])
        continue;
      if (!step || (!links.empty() && l == links.back()))
        step = l;
    }
    assert(step && "a shortest path continues downhill");
    links.push_back(*step);
    path.push_back(*m.neighbour(at, *step));
  }
  attach(path, links);
  return Error::success();
}

Error TreeBuilder::addTarget(ChipId target, uint32_t coreMask) {
  if (!lookup(target) && !tryGeometric(target))
    if (Error e = breadthFirst(target))
      return e;
  nodes[index[target]].route |= route::cores(coreMask);
  return Error::success();
}

RoutingTree TreeBuilder::finish() {
  RoutingTree tree;
  tree.source = source;
  tree.nodes = std::move(nodes);
  llvm::sort(tree.nodes, [](const RouteNode &a, const RouteNode &b) {
    return a.chip < b.chip;
  });
  return tree;
}

} // namespace

HopDistanceCache::HopDistanceCache(const Machine &m, uint64_t maxEntries)
    : m(m), rows(m.numChips()), maxEntries(maxEntries) {}

const std::vector<unsigned> &HopDistanceCache::from(ChipId c) {
  if (!rows[c].empty())
    return rows[c];
  if (entries + m.numChips() > maxEntries) {
    scratch = m.hopDistances(c);
    return scratch;
  }
  entries += m.numChips();
  rows[c] = m.hopDistances(c);
  return rows[c];
}

Expected<RoutingTree>
scnc::routeMulticast(const Machine &m, ChipId source,
                     ArrayRef<std::pair<ChipId, uint32_t>> targets,
                     const RouteConfig &cfg) {
  auto fail = [](const Twine &msg) {
    return createStringError(inconvertibleErrorCode(), msg);
  };
  if (source >= m.numChips())
    return fail("source chip id " + Twine(source) + " is not in the machine (" +
                Twine(m.numChips()) + " chips)");

  // Merge repeated targets; order by distance from the source, then id.
  DenseMap<ChipId, uint32_t> merged;
  for (auto [chip, cores] : targets) {
    if (chip >= m.numChips())
      return fail("target chip id " + Twine(chip) + " is not in the machine (" +
                  Twine(m.numChips()) + " chips)");
    std::string where = "target chip " + formatChip(m.coord(chip));
    if (cores == 0)
      return fail(where + " names no core");
    if (cores & ~route::kCoreMaskBits)
      return fail(where + " names core " + Twine(findLastSet(cores)) +
                  "; cores are 0.." + Twine(spinnaker::kCoresPerChip - 1));
    for (unsigned p = 0; p < spinnaker::kCoresPerChip; ++p)
      if ((cores >> p & 1) && !m.isCoreLive(chip, p))
        return fail("target core " + Twine(p) + " of chip " +
                    formatChip(m.coord(chip)) + " is dead");
    merged[chip] |= cores;
  }
  ChipCoord s = m.coord(source);
  SmallVector<std::tuple<unsigned, ChipId, uint32_t>, 16> order;
  for (auto [chip, cores] : merged)
    order.push_back({m.distance(s, m.coord(chip)), chip, cores});
  llvm::sort(order);

  TreeBuilder builder(m, source, cfg);
  for (auto [dist, chip, cores] : order)
    if (Error e = builder.addTarget(chip, cores))
      return e;
  return builder.finish();
}
