//===- Partition.cpp - Populations into core-sized slices -----------------===//
//
// The driver: every population's neurons-per-core limit (Resources.cpp),
// then per population either contiguous slices or the METIS partitioner's
// steps (docs/mapping.md): coarsen (Coarsen.cpp), nets and the affinity
// graph (AffinityGraph.cpp), METIS and repair (Metis.cpp, Repair.cpp), or
// box tilings (Tiling.cpp) and, for `best`, the cheaper of the two. Also
// the partition's own check (verifyPartition).
//
//===----------------------------------------------------------------------===//
#include "PartitionInternal.h"
#include "scnc/IR/Connections.h"
#include "scnc/Mapping/Resources.h"
#include "scnc/Support/Debug.h"
#include "scnc/Support/Parallel.h"
#include "scnc/Support/Timing.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <chrono>
#include <numeric>

#define DEBUG_TYPE "partition"

using namespace scnc;
using namespace scnc::partitioning;
using namespace llvm;

StringRef scnc::toString(PartitionerKind k) {
  switch (k) {
  case PartitionerKind::Metis:
    return "metis";
  case PartitionerKind::Slices:
    return "slices";
  case PartitionerKind::Tiles:
    return "tiles";
  case PartitionerKind::Best:
    return "best";
  }
  llvm_unreachable("partitioner kind");
}

namespace {

/// Best runs METIS beside the best box only when the box's volume is over
/// this many times the lower bound of any cut's.
constexpr double kBoxSlack = 2.0;

/// Slices (neuron lists, ordered by first neuron) of one population.
using PopulationSlices = std::vector<std::vector<uint32_t>>;

PopulationSlices contiguousSlices(uint64_t size, uint32_t limit) {
  PopulationSlices s;
  for (uint64_t b = 0; b < size; b += limit) {
    s.emplace_back();
    for (uint64_t i = b; i < std::min<uint64_t>(size, b + limit); ++i)
      s.back().push_back(uint32_t(i));
  }
  return s;
}

Expected<PopulationSlices> metisSlices(const Network &n, unsigned pop,
                                       uint32_t limit,
                                       const PartitionConfig &cfg) {
  uint64_t size = n.populations[pop].shape.size();
  if (size <= limit)
    return contiguousSlices(size, limit);
  auto t0 = std::chrono::steady_clock::now();
  const Coarse c = coarsen(n, pop, limit);
  bool fromOutputs = false;
  Nets nets = populationNets(n, pop, c, fromOutputs);
  double tNets = secondsSince(t0);
  PartitionGraph g = affinityGraph(c, nets);
  double tGraph = secondsSince(t0);
  uint64_t moves = 0;
  Expected<std::vector<uint32_t>> part =
      partitionGraph(g, limit, cfg.seed, cfg.objective, &moves,
                     cfg.kind == PartitionerKind::Best);
  if (!part)
    return createStringError(inconvertibleErrorCode(), "population '%s': %s",
                             n.populations[pop].name.c_str(),
                             toString(part.takeError()).c_str());
  SCNC_DEBUG(
      dbgs()
      << "partition: " << n.populations[pop].name << ": " << c.weights.size()
      << " vertices ("
      << (c.spatial ? std::to_string(c.groups) + " channel groups per position"
                    : std::string("neurons/runs"))
      << "), " << nets.size() << (fromOutputs ? " output" : " input")
      << " nets, " << g.adjacency.size() / 2 << " edges; "
      << (part->empty() ? 0 : *std::max_element(part->begin(), part->end()) + 1)
      << " parts, " << moves << " repair moves; nets " << format("%.2f", tNets)
      << " s, graph " << format("%.2f", tGraph - tNets) << " s, METIS+repair "
      << format("%.2f", secondsSince(t0) - tGraph) << " s\n");
  uint32_t parts = 0;
  for (uint32_t p : *part)
    parts = std::max(parts, p + 1);
  PopulationSlices s(parts);
  for (uint64_t i = 0; i < size; ++i)
    s[(*part)[c.vertexOf[i]]].push_back(uint32_t(i));
  s.erase(
      std::remove_if(s.begin(), s.end(),
                     [](const std::vector<uint32_t> &v) { return v.empty(); }),
      s.end());
  llvm::sort(s, [](const std::vector<uint32_t> &a,
                   const std::vector<uint32_t> &b) { return a[0] < b[0]; });
  return s;
}

/// Bit i of \p v moved to bit 2i (interleaving two of these gives a Morton
/// code).
uint64_t spreadBits(uint32_t v) {
  uint64_t x = v;
  x = (x | x << 16) & 0x0000FFFF0000FFFFull;
  x = (x | x << 8) & 0x00FF00FF00FF00FFull;
  x = (x | x << 4) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | x << 2) & 0x3333333333333333ull;
  x = (x | x << 1) & 0x5555555555555555ull;
  return x;
}

/// Partition::numbers: ranks by first neuron, or for a box tiling channel
/// tile then the Morton code of (tile row, tile column). The codes leave
/// gaps where a side of the tile grid is not a power of two; when that
/// would cost more than two bits over the ranks, the tiles keep the Morton
/// order but are numbered densely.
std::vector<uint32_t> sliceNumbers(const Network &n, const Partition &part,
                                   const std::vector<Optional<Tiling>> &tiled) {
  std::vector<uint32_t> numbers(part.slices.size(), 0);
  std::vector<uint32_t> next(n.populations.size(), 0);
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> coded(
      n.populations.size());
  for (uint32_t i = 0; i < part.slices.size(); ++i) {
    const Slice &sl = part.slices[i];
    unsigned p = sl.population;
    numbers[i] = next[p]++;
    if (p >= tiled.size() || !tiled[p] || sl.neurons.empty())
      continue;
    const Shape &s = n.populations[p].shape;
    const Tiling &t = *tiled[p];
    uint64_t first = sl.neurons[0], plane = uint64_t(s.h) * s.w;
    uint32_t c = uint32_t(first / plane), y = uint32_t(first % plane / s.w),
             x = uint32_t(first % s.w);
    uint32_t rows = (s.h + t.bh - 1) / t.bh, cols = (s.w + t.bw - 1) / t.bw;
    uint64_t side = llvm::PowerOf2Ceil(std::max({rows, cols, 1u}));
    uint64_t code = uint64_t(c / t.bc) * side * side +
                    (spreadBits(y / t.bh) << 1 | spreadBits(x / t.bw));
    coded[p].push_back({code, i});
  }
  for (unsigned p = 0; p < coded.size(); ++p) {
    std::vector<std::pair<uint64_t, uint32_t>> &c = coded[p];
    if (c.empty())
      continue;
    llvm::sort(c);
    uint64_t span = c.back().first + 1;
    bool dense = llvm::Log2_64_Ceil(span) > llvm::Log2_64_Ceil(c.size()) + 2;
    for (uint32_t k = 0; k < c.size(); ++k)
      numbers[c[k].second] = dense ? k : uint32_t(c[k].first);
  }
  return numbers;
}

} // namespace

Expected<Partition> scnc::partitionNetwork(const Network &n,
                                           const PartitionConfig &cfg) {
  if (!n.connections || n.connections->lists.size() != n.projections.size())
    return createStringError(inconvertibleErrorCode(),
                             "partitioning needs the expanded connection "
                             "lists (run expand-connections first)");
  unsigned numPops = unsigned(n.populations.size());
  for (const Population &p : n.populations)
    if (!p.shape.isKnown())
      return createStringError(inconvertibleErrorCode(),
                               "population '%s' has no inferred shape",
                               p.name.c_str());
  Partition result;
  result.limits.resize(numPops);
  for (unsigned p = 0; p < numPops; ++p)
    result.limits[p] = effectiveNeuronLimit(n, p);
  for (unsigned p = 0; p < numPops && p < cfg.limitCaps.size(); ++p)
    if (cfg.limitCaps[p])
      result.limits[p] = std::min(result.limits[p], cfg.limitCaps[p]);

  std::vector<PopulationSlices> slices(numPops);
  std::vector<std::string> failures(numPops);
  // Largest populations first, so that one does not start last.
  std::vector<unsigned> order(numPops);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) {
    return n.populations[a].shape.size() > n.populations[b].shape.size();
  });
  // Per population, the box tiling it was cut into, if any.
  std::vector<Optional<Tiling>> tiled(numPops);
  const bool boxes =
      cfg.kind == PartitionerKind::Tiles || cfg.kind == PartitionerKind::Best;
  // With tiles and best, sources whose every projection is a window are cut
  // last, into boxes aligned with their targets' (sourceTiling); the others
  // choose their box after their sources, so that among boxes of equal
  // volume the one aligned with the sources' wins (bestTiling).
  // Best runs METIS only where it could win: where no box applies, where
  // the best box moves more than kBoxSlack times the packets any cut must
  // (volumeLowerBound), so that METIS might save half or more, or where it
  // takes over 10% more cores than ceil(neurons / limit).
  std::vector<char> deferred(numPops, 0), wantsMetis(numPops, 0);
  forEachTask(numPops, cfg.threads, [&](size_t t) {
    unsigned p = order[t];
    if (cfg.kind == PartitionerKind::Slices)
      return;
    deferred[p] = boxes && isTileableSource(n, p, result.limits[p]);
    if (deferred[p] || cfg.kind == PartitionerKind::Metis) {
      wantsMetis[p] = !deferred[p];
      return;
    }
    Optional<Tiling> box = bestTiling(n, p, result.limits[p]);
    if (cfg.kind == PartitionerKind::Tiles || !box) {
      wantsMetis[p] = !box;
      return;
    }
    uint64_t bound = volumeLowerBound(n, p, result.limits[p]);
    uint64_t ideal = (n.populations[p].shape.size() + result.limits[p] - 1) /
                     result.limits[p];
    wantsMetis[p] = !bound || double(box->volume) > kBoxSlack * double(bound) ||
                    box->cores > ideal + ideal / 10;
    SCNC_DEBUG(dbgs() << "partition: " << n.populations[p].name
                      << ": least box volume " << box->volume << ", bound "
                      << bound
                      << (wantsMetis[p] ? ": METIS too\n" : ": boxes only\n"));
  });
  // A population's METIS slices, or its failure.
  auto cutWithMetis = [&](unsigned p) {
    Expected<PopulationSlices> s = metisSlices(n, p, result.limits[p], cfg);
    if (!s)
      failures[p] = toString(s.takeError());
    else
      slices[p] = std::move(*s);
  };
  // The first failure, by population ("" when none).
  auto firstFailure = [&]() -> std::string {
    for (const std::string &f : failures)
      if (!f.empty())
        return f;
    return "";
  };
  // 1. METIS, or contiguous slices, for every population that needs them,
  // in parallel.
  forEachTask(numPops, cfg.threads, [&](size_t t) {
    unsigned p = order[t];
    if (cfg.kind == PartitionerKind::Slices) {
      slices[p] =
          contiguousSlices(n.populations[p].shape.size(), result.limits[p]);
      return;
    }
    if (!wantsMetis[p])
      return;
    cutWithMetis(p);
  });
  if (std::string f = firstFailure(); !f.empty())
    return createStringError(inconvertibleErrorCode(), f);
  // 2. The boxes, sources before targets (a population in a cycle after
  // the rest, its undecided sources counting as not boxed).
  if (boxes) {
    std::vector<unsigned> topo;
    std::vector<char> done(numPops, 0);
    for (bool progress = true; progress;) {
      progress = false;
      for (unsigned p : order) {
        if (done[p] || deferred[p])
          continue;
        bool ready = true;
        for (const Projection &pr : n.projections)
          if (pr.post == p && pr.pre != p && !deferred[pr.pre] && !done[pr.pre])
            ready = false;
        if (ready) {
          topo.push_back(p);
          done[p] = progress = true;
        }
      }
    }
    for (unsigned p : order)
      if (!done[p] && !deferred[p])
        topo.push_back(p);
    for (unsigned p : topo) {
      if (cfg.kind == PartitionerKind::Tiles || !wantsMetis[p]) {
        if (wantsMetis[p])
          continue;
        tiled[p] = bestTiling(n, p, result.limits[p], 0, tiled);
        slices[p] = tilingSlices(n.populations[p].shape, *tiled[p]);
        continue;
      }
      // Best: the tiling when it moves no more packets than METIS's
      // partition (a box is regular: on a tie its trees are the smaller),
      // on at most METIS's cores or, if no box is that small, the fewest a
      // box needs (the best rectangular tiling's).
      Optional<Tiling> tiling =
          bestTiling(n, p, result.limits[p], slices[p].size(), tiled);
      if (!tiling)
        continue;
      PopulationSlices tiles = tilingSlices(n.populations[p].shape, *tiling);
      uint64_t byTiles = incomingVolume(n, p, tiles, cfg.threads);
      uint64_t byMetis = incomingVolume(n, p, slices[p], cfg.threads);
      SCNC_DEBUG(dbgs() << "partition: " << n.populations[p].name << ": tiles "
                        << tiling->bh << "x" << tiling->bw << "x" << tiling->bc
                        << " volume " << byTiles << " on " << tiles.size()
                        << " cores, METIS " << byMetis << " on "
                        << slices[p].size() << "\n");
      if (byTiles <= byMetis) {
        slices[p] = std::move(tiles);
        tiled[p] = tiling;
      }
    }
  }
  // 3. The sources, aligned with their targets' boxes, or METIS if a target
  // has none.
  forEachTask(numPops, cfg.threads, [&](size_t t) {
    unsigned p = order[t];
    if (!deferred[p])
      return;
    if (Optional<Tiling> tl = sourceTiling(n, p, result.limits[p], tiled)) {
      SCNC_DEBUG(dbgs() << "partition: " << n.populations[p].name
                        << ": source tiles " << tl->bh << "x" << tl->bw << "x"
                        << tl->bc << " reaching " << tl->volume
                        << " target tiles on " << tl->cores << " cores\n");
      slices[p] = tilingSlices(n.populations[p].shape, *tl);
      tiled[p] = tl;
      return;
    }
    cutWithMetis(p);
  });
  if (std::string f = firstFailure(); !f.empty())
    return createStringError(inconvertibleErrorCode(), f);

  result.sliceOf.resize(numPops);
  result.localIndex.resize(numPops);
  for (unsigned p = 0; p < numPops; ++p) {
    uint64_t size = n.populations[p].shape.size();
    result.sliceOf[p].assign(size, UINT32_MAX);
    result.localIndex[p].assign(size, UINT32_MAX);
    for (std::vector<uint32_t> &neurons : slices[p]) {
      uint32_t idx = uint32_t(result.slices.size());
      for (uint32_t i = 0; i < neurons.size(); ++i) {
        result.sliceOf[p][neurons[i]] = idx;
        result.localIndex[p][neurons[i]] = i;
      }
      result.slices.push_back(Slice{p, std::move(neurons)});
    }
  }
  result.numbers = sliceNumbers(n, result, tiled);
  return result;
}

std::vector<std::string> scnc::verifyPartition(const Network &n,
                                               const Partition &p) {
  std::vector<std::string> problems;
  unsigned numPops = unsigned(n.populations.size());
  if (p.sliceOf.size() != numPops || p.localIndex.size() != numPops ||
      p.limits.size() != numPops) {
    problems.push_back("per-population tables have the wrong size");
    return problems;
  }
  std::vector<std::vector<uint8_t>> seen(numPops);
  for (unsigned q = 0; q < numPops; ++q) {
    uint64_t size = n.populations[q].shape.size();
    seen[q].assign(size, 0);
    if (p.sliceOf[q].size() != size || p.localIndex[q].size() != size)
      problems.push_back("population '" + n.populations[q].name +
                         "': neuron tables have the wrong size");
  }
  if (!problems.empty())
    return problems;
  for (uint32_t s = 0; s < p.slices.size(); ++s) {
    const Slice &sl = p.slices[s];
    std::string name = "slice " + std::to_string(s);
    if (sl.population >= numPops) {
      problems.push_back(name + ": no population " +
                         std::to_string(sl.population));
      continue;
    }
    const std::string &pop = n.populations[sl.population].name;
    if (sl.neurons.empty())
      problems.push_back(name + " (" + pop + ") is empty");
    if (sl.neurons.size() > p.limits[sl.population])
      problems.push_back(name + " (" + pop + ") holds " +
                         std::to_string(sl.neurons.size()) +
                         " neurons, over the limit of " +
                         std::to_string(p.limits[sl.population]));
    if (s > 0 && !sl.neurons.empty() && !p.slices[s - 1].neurons.empty()) {
      const Slice &prev = p.slices[s - 1];
      if (prev.population > sl.population ||
          (prev.population == sl.population &&
           prev.neurons[0] >= sl.neurons[0]))
        problems.push_back(name + " is out of (population, first neuron) "
                                  "order");
    }
    uint64_t size = n.populations[sl.population].shape.size();
    for (uint32_t i = 0; i < sl.neurons.size(); ++i) {
      uint32_t v = sl.neurons[i];
      if (v >= size) {
        problems.push_back(name + " (" + pop + "): neuron " +
                           std::to_string(v) + " out of range");
        continue;
      }
      if (i && sl.neurons[i - 1] >= v)
        problems.push_back(name + " (" + pop + "): neurons not sorted");
      if (seen[sl.population][v]++)
        problems.push_back(pop + " neuron " + std::to_string(v) +
                           " is in more than one slice");
      if (p.sliceOf[sl.population][v] != s ||
          p.localIndex[sl.population][v] != i)
        problems.push_back(pop + " neuron " + std::to_string(v) +
                           ": sliceOf/localIndex disagree with slice " +
                           std::to_string(s));
    }
  }
  for (unsigned q = 0; q < numPops; ++q) {
    uint64_t missing = std::count(seen[q].begin(), seen[q].end(), 0);
    if (missing)
      problems.push_back("population '" + n.populations[q].name + "': " +
                         std::to_string(missing) + " neurons in no slice");
  }
  return problems;
}
