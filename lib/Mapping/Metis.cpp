//===- Metis.cpp - A PartitionGraph into parts with METIS -----------------===//
//
// Step 4 of the METIS partitioner (docs/mapping.md): k from packing the
// vertex weights into the limit, METIS k-way (recursive bisection beyond
// 2048 parts; large graphs keep each vertex's 8 heaviest edges) into k
// parts, then the repair step (Repair.cpp) that moves vertices out of parts
// over the limit.
//
//===----------------------------------------------------------------------===//
#include "PartitionInternal.h"
#include "scnc/Support/Debug.h"
#include "scnc/Support/Timing.h"
#include "llvm/Support/Format.h"
#include <chrono>
#include <metis.h>
#include <mutex>
#include <numeric>

#define DEBUG_TYPE "partition"

using namespace scnc;
using namespace scnc::partitioning;
using namespace llvm;

uint32_t partitioning::packBins(
    std::map<uint32_t, uint64_t, std::greater<uint32_t>> counts,
    uint32_t limit) {
  uint64_t bins = 0;
  for (;;) {
    auto first = counts.begin();
    while (first != counts.end() && first->second == 0)
      first = counts.erase(first);
    if (first == counts.end())
      break;
    ++bins;
    uint64_t room = limit;
    for (auto &wc : counts) {
      uint64_t take = std::min<uint64_t>(wc.second, room / wc.first);
      wc.second -= take;
      room -= take * wc.first;
    }
  }
  return uint32_t(bins);
}

/// Graphs for more parts or with more edges than these keep only the
/// kPruneDegree heaviest edges of every vertex (METIS's time grows with
/// edges and parts; the volume hardly changes, docs/mapping.md).
constexpr uint32_t kPruneAboveParts = 1024;
constexpr uint64_t kPruneAboveEdgeEntries = 2000000;
constexpr unsigned kPruneDegree = 8;
/// Cut-objective partitions into more parts use recursive bisection.
constexpr uint32_t kRecursiveAboveParts = 2048;

/// Keeps, for every vertex, its `degree` heaviest edges (all edges tied
/// with the last one too); an edge stays when either end keeps it.
static PartitionGraph pruneGraph(const PartitionGraph &g, unsigned degree) {
  uint32_t V = g.numVertices();
  std::vector<uint8_t> keep(g.adjacency.size(), 0);
  std::vector<uint32_t> w;
  for (uint32_t v = 0; v < V; ++v) {
    uint64_t b = g.offsets[v], e = g.offsets[v + 1];
    if (e - b <= degree) {
      std::fill(keep.begin() + b, keep.begin() + e, 1);
      continue;
    }
    w.assign(g.edgeWeights.begin() + b, g.edgeWeights.begin() + e);
    std::nth_element(w.begin(), w.begin() + (degree - 1), w.end(),
                     std::greater<uint32_t>());
    uint32_t threshold = w[degree - 1];
    for (uint64_t i = b; i < e; ++i)
      keep[i] = g.edgeWeights[i] >= threshold;
  }
  // Symmetrise: (v, u) kept by v keeps (u, v).
  for (uint32_t v = 0; v < V; ++v)
    for (uint64_t i = g.offsets[v]; i < g.offsets[v + 1]; ++i)
      if (keep[i]) {
        uint32_t u = g.adjacency[i];
        const uint32_t *b = g.adjacency.data() + g.offsets[u],
                       *e = g.adjacency.data() + g.offsets[u + 1];
        const uint32_t *at = std::lower_bound(b, e, v);
        if (at != e && *at == v)
          keep[g.offsets[u] + (at - b)] = 1;
      }
  PartitionGraph out;
  out.weights = g.weights;
  out.offsets.assign(V + 1, 0);
  for (uint32_t v = 0; v < V; ++v) {
    for (uint64_t i = g.offsets[v]; i < g.offsets[v + 1]; ++i)
      if (keep[i]) {
        out.adjacency.push_back(g.adjacency[i]);
        out.edgeWeights.push_back(g.edgeWeights[i]);
      }
    out.offsets[v + 1] = out.adjacency.size();
  }
  return out;
}

uint32_t scnc::binsNeeded(const std::vector<uint32_t> &weights,
                          uint32_t limit) {
  std::map<uint32_t, uint64_t, std::greater<uint32_t>> counts;
  for (uint32_t w : weights)
    if (w)
      ++counts[std::min(w, limit)];
  return packBins(std::move(counts), limit);
}

Expected<std::vector<uint32_t>>
scnc::metisPartition(const PartitionGraph &g, uint32_t nparts,
                     uint64_t capacity, uint64_t seed, MetisObjective objective,
                     bool recursive) {
  uint32_t V = g.numVertices();
  if (V == 0)
    return std::vector<uint32_t>();
  if (nparts == 0)
    return createStringError(inconvertibleErrorCode(),
                             "cannot split %u vertices into 0 parts", V);
  // METIS 5.1 divides by zero for one part and returns a useless partition
  // for more parts than vertices.
  if (nparts == 1)
    return std::vector<uint32_t>(V, 0);
  std::vector<uint32_t> part(V);
  if (nparts >= V) {
    std::iota(part.begin(), part.end(), 0);
    return part;
  }
  uint64_t total = 0;
  for (uint32_t w : g.weights)
    total += w;
  if (g.adjacency.empty()) {
    // Nothing to optimise: pack the vertices in order.
    uint32_t p = 0;
    uint64_t load = 0;
    for (uint32_t v = 0; v < V; ++v) {
      if (load && load + g.weights[v] > capacity && p + 1 < nparts)
        ++p, load = 0;
      part[v] = p;
      load += g.weights[v];
    }
    return part;
  }
  if (g.adjacency.size() > uint64_t(INT32_MAX) || total > uint64_t(INT32_MAX))
    return createStringError(inconvertibleErrorCode(),
                             "graph too large for METIS (%u vertices, %zu "
                             "edge entries, weight %llu)",
                             V, g.adjacency.size(), (unsigned long long)total);
  std::vector<idx_t> xadj(g.offsets.begin(), g.offsets.end());
  std::vector<idx_t> adjncy(g.adjacency.begin(), g.adjacency.end());
  std::vector<idx_t> adjwgt(g.edgeWeights.begin(), g.edgeWeights.end());
  std::vector<idx_t> vwgt(g.weights.begin(), g.weights.end());
  idx_t nvtxs = idx_t(V), ncon = 1, np = idx_t(nparts), objval = 0;
  std::vector<idx_t> out(V);
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_OBJTYPE] = objective == MetisObjective::Volume
                                      ? METIS_OBJTYPE_VOL
                                      : METIS_OBJTYPE_CUT;
  options[METIS_OPTION_SEED] = idx_t((seed ^ (seed >> 32)) & 0x7fffffff);
  options[METIS_OPTION_NUMBERING] = 0;
  // Let METIS use the slack the parts have up to their capacity.
  real_t ub = real_t(std::max(
      1.001, std::min(2.0, double(capacity) * nparts / double(total))));
  // METIS 5.1 keeps its random generator in a global (GKlib): concurrent
  // calls would draw from one stream and stop being reproducible.
  static std::mutex metisLock;
  std::lock_guard<std::mutex> hold(metisLock);
  // Beyond kRecursiveAboveParts parts k-way's own initial partition is a
  // recursive bisection of the uncoarsened graph (METIS coarsens to 30
  // vertices per part); its k-way refinement then costs more than it gains.
  recursive = recursive || (objective == MetisObjective::Cut &&
                            nparts > kRecursiveAboveParts);
  auto *fn = recursive ? METIS_PartGraphRecursive : METIS_PartGraphKway;
  int rc = fn(&nvtxs, &ncon, xadj.data(), adjncy.data(), vwgt.data(), nullptr,
              adjwgt.data(), &np, nullptr, &ub, options, &objval, out.data());
  if (rc != METIS_OK)
    return createStringError(inconvertibleErrorCode(),
                             "METIS_PartGraphKway failed (%s) on %u vertices "
                             "into %u parts",
                             rc == METIS_ERROR_MEMORY  ? "out of memory"
                             : rc == METIS_ERROR_INPUT ? "input error"
                                                       : "error",
                             V, nparts);
  for (uint32_t v = 0; v < V; ++v)
    part[v] = uint32_t(out[v]);
  return part;
}

Expected<std::vector<uint32_t>>
scnc::partitionGraph(const PartitionGraph &g, uint32_t limit, uint64_t seed,
                     MetisObjective objective, uint64_t *repairMoves,
                     bool recursive) {
  if (repairMoves)
    *repairMoves = 0;
  if (g.weights.empty())
    return std::vector<uint32_t>();
  if (limit == 0)
    return createStringError(inconvertibleErrorCode(),
                             "a limit of 0 neurons per core");
  for (uint32_t w : g.weights)
    if (w > limit)
      return createStringError(inconvertibleErrorCode(),
                               "a vertex of %u neurons exceeds the limit of "
                               "%u per core",
                               w, limit);
  uint32_t k = binsNeeded(g.weights, limit);
  auto t0 = std::chrono::steady_clock::now();
  PartitionGraph pruned;
  bool prune =
      k > kPruneAboveParts || g.adjacency.size() > kPruneAboveEdgeEntries;
  if (prune)
    pruned = pruneGraph(g, kPruneDegree);
  const PartitionGraph &input = prune ? pruned : g;
  Expected<std::vector<uint32_t>> part =
      metisPartition(input, k, limit, seed, objective, recursive);
  double tMetis = secondsSince(t0);
  if (!part)
    return part.takeError();
  Expected<uint64_t> moves = repairPartition(input, limit, *part);
  if (!moves)
    return moves.takeError();
  if (repairMoves)
    *repairMoves = *moves;
  SCNC_DEBUG(dbgs() << "partition:   " << g.numVertices() << " vertices, "
                    << input.adjacency.size() / 2 << " edges into " << k
                    << " parts: METIS " << format("%.2f", tMetis)
                    << " s, repair " << *moves << " moves "
                    << format("%.2f", secondsSince(t0) - tMetis) << " s\n");
  // Renumber by first vertex; empty parts disappear.
  std::vector<uint32_t> renum;
  uint32_t next = 0;
  for (uint32_t &p : *part) {
    if (p >= renum.size())
      renum.resize(p + 1, UINT32_MAX);
    if (renum[p] == UINT32_MAX)
      renum[p] = next++;
    p = renum[p];
  }
  return part;
}
