//===- Repair.cpp - Parts over the limit made to fit ----------------------===//
//
// The repair after METIS (docs/mapping.md): vertices move out of every part
// over the limit along the shortest chain of adjacent parts to one with
// room, so that parts stay compact; else to the part with the most room,
// else to a new part.
//
//===----------------------------------------------------------------------===//
#include "scnc/Mapping/Partition.h"
#include <algorithm>

using namespace scnc;
using namespace llvm;

namespace {

/// Repair state: parts with their members and loads.
class Repairer {
public:
  Repairer(const PartitionGraph &g, uint32_t limit, std::vector<uint32_t> &part)
      : g(g), limit(limit), part(part) {
    uint32_t nparts = 0;
    for (uint32_t p : part)
      nparts = std::max(nparts, p + 1);
    load.assign(nparts, 0);
    members.resize(nparts);
    slot.resize(part.size());
    for (uint32_t v = 0; v < part.size(); ++v) {
      load[part[v]] += g.weights[v];
      slot[v] = uint32_t(members[part[v]].size());
      members[part[v]].push_back(v);
    }
    minWeight = g.weights.empty()
                    ? 1
                    : *std::min_element(g.weights.begin(), g.weights.end());
  }

  uint64_t run() {
    for (uint32_t p = 0; p < load.size(); ++p)
      while (load[p] > limit)
        if (!chain(p))
          fallback(p);
    return moves;
  }

private:
  uint64_t room(uint32_t p) const {
    return load[p] >= limit ? 0 : limit - load[p];
  }
  void move(uint32_t v, uint32_t to) {
    uint32_t from = part[v];
    std::vector<uint32_t> &m = members[from];
    uint32_t last = m.back();
    m[slot[v]] = last;
    slot[last] = slot[v];
    m.pop_back();
    load[from] -= g.weights[v];
    slot[v] = uint32_t(members[to].size());
    members[to].push_back(v);
    load[to] += g.weights[v];
    part[v] = to;
    ++moves;
  }
  /// Edge weight from v into part p.
  uint64_t conn(uint32_t v, uint32_t p) const {
    uint64_t c = 0;
    for (uint64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e)
      if (part[g.adjacency[e]] == p)
        c += g.edgeWeights[e];
    return c;
  }
  /// The member of `from` with an edge into `to` that fits its room and
  /// gains most; UINT32_MAX when none.
  uint32_t bestBoundary(uint32_t from, uint32_t to) const {
    uint32_t best = UINT32_MAX;
    int64_t bestGain = 0;
    for (uint32_t v : members[from]) {
      if (g.weights[v] > room(to))
        continue;
      uint64_t into = conn(v, to);
      if (!into)
        continue;
      int64_t gain = int64_t(into) - int64_t(conn(v, from));
      if (best == UINT32_MAX || gain > bestGain ||
          (gain == bestGain && v < best))
        best = v, bestGain = gain;
    }
    return best;
  }
  /// Moves one vertex out of `p` along the shortest chain of adjacent parts
  /// ending in one with room; false when there is no such chain.
  bool chain(uint32_t p) {
    if (parent.size() < load.size())
      parent.resize(load.size()), seen.resize(load.size(), 0);
    ++stamp;
    std::vector<uint32_t> queue{p};
    seen[p] = stamp;
    uint32_t found = UINT32_MAX;
    for (size_t head = 0; head < queue.size() && found == UINT32_MAX; ++head) {
      uint32_t x = queue[head];
      for (uint32_t v : members[x]) {
        for (uint64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
          uint32_t y = part[g.adjacency[e]];
          if (seen[y] == stamp)
            continue;
          seen[y] = stamp;
          parent[y] = x;
          if (room(y) >= minWeight) {
            found = y;
            break;
          }
          queue.push_back(y);
        }
        if (found != UINT32_MAX)
          break;
      }
    }
    if (found == UINT32_MAX)
      return false;
    std::vector<uint32_t> path{found};
    while (path.back() != p)
      path.push_back(parent[path.back()]);
    // path = found, ..., p: move from the far end back towards p so that
    // every part but p stays within the limit.
    uint64_t before = load[p];
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      uint32_t v = bestBoundary(path[i + 1], path[i]);
      if (v == UINT32_MAX)
        return load[p] < before;
      move(v, path[i]);
    }
    return load[p] < before;
  }
  /// Moves the lightest vertex of p to the part with the most room, or to a
  /// new part.
  void fallback(uint32_t p) {
    uint32_t v = members[p].front();
    for (uint32_t u : members[p])
      if (g.weights[u] < g.weights[v] ||
          (g.weights[u] == g.weights[v] && u < v))
        v = u;
    uint32_t best = UINT32_MAX;
    for (uint32_t q = 0; q < load.size(); ++q)
      if (q != p && room(q) >= g.weights[v] &&
          (best == UINT32_MAX || room(q) > room(best)))
        best = q;
    if (best == UINT32_MAX) {
      best = uint32_t(load.size());
      load.push_back(0);
      members.emplace_back();
    }
    move(v, best);
  }

  const PartitionGraph &g;
  uint32_t limit;
  std::vector<uint32_t> &part;
  std::vector<uint64_t> load;
  std::vector<std::vector<uint32_t>> members;
  std::vector<uint32_t> slot;
  std::vector<uint32_t> parent, seen;
  uint32_t stamp = 0;
  uint32_t minWeight = 1;
  uint64_t moves = 0;
};

} // namespace

Expected<uint64_t> scnc::repairPartition(const PartitionGraph &g,
                                         uint32_t limit,
                                         std::vector<uint32_t> &part) {
  if (part.size() != g.weights.size())
    return createStringError(inconvertibleErrorCode(),
                             "partition of %zu vertices for a graph of %zu",
                             part.size(), g.weights.size());
  for (uint32_t v = 0; v < g.numVertices(); ++v)
    if (g.weights[v] > limit)
      return createStringError(inconvertibleErrorCode(),
                               "vertex %u holds %u neurons, more than the "
                               "limit of %u per core",
                               v, g.weights[v], limit);
  return Repairer(g, limit, part).run();
}
