//===- MappingPasses.cpp - partition, place, keys, route, tables ---------===//
//
// The mapping passes, each a thin wrapper over an algorithm of lib/Mapping
// that keeps its result in the compilation's MappingState:
//   partition         populations into core-sized slices
//   place             slices onto (chip, core) of the target machine (the
//                     smallest built-in one that fits when none is given)
//   allocate-keys     a structured key space per slice, checked for overlap
//   route             one multicast tree per slice to the cores of its targets
//   build-tables      per-chip routing entries (default routes elided)
//   compress-tables   Ordered Covering until every table fits the router;
//                     with --verify-routes the checker walks every tree's
//                     keys through the compressed tables.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/Connections.h"
#include "scnc/Mapping/Load.h"
#include "scnc/Mapping/MappingState.h"
#include "scnc/Mapping/Report.h"
#include "scnc/Mapping/SliceGraph.h"
#include "scnc/Support/Debug.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Timing.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Format.h"
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>

#define DEBUG_TYPE "mapping"

using namespace scnc;
using namespace llvm;

/// The mapping state after `stage`, or null after saying what is missing.
static MappingState *needState(PassContext &ctx, StringRef pass,
                               bool MappingState::*done, StringRef missing) {
  MappingState &st = ctx.compilation.mapping;
  if (!(st.*done)) {
    ctx.diag.error(pass + ": run " + missing + " first");
    return nullptr;
  }
  return &st;
}

#undef DEBUG_TYPE
#define DEBUG_TYPE "partition"
/// Lowers the neurons-per-core limit of every population with a slice whose
/// predicted worst tick exceeds the budget, in proportion to the excess,
/// and partitions again until every slice fits (docs/mapping.md, "Real
/// time"). Keeps the loads of the final partition in `st`.
static bool sizeForRealTime(
    const Network &n, PassContext &ctx, PartitionConfig &cfg, Partition &p,
    llvm::function_ref<std::vector<SliceLoad>(const Partition &)> predict,
    const kernel::CycleModel &model, MappingState &st) {
  unsigned numPops = unsigned(n.populations.size());
  cfg.limitCaps.assign(numPops, 0);
  uint64_t budget = st.loadBudgetCycles;
  // Layers that cannot fit (--realtime-best-effort): not lowered again.
  std::vector<bool> gaveUp(numPops, false);
  std::vector<uint32_t> firstLimits(p.limits.begin(), p.limits.end());
  for (unsigned round = 0;; ++round) {
    st.loads = predict(p);
    if (ctx.options.realTimeMode == RealTimeMode::Predict)
      return true;
    std::vector<uint64_t> worst(numPops, 0);
    for (size_t s = 0; s < p.slices.size(); ++s)
      worst[p.slices[s].population] =
          std::max(worst[p.slices[s].population], st.loads[s].peakCycles);
    bool changed = false;
    for (unsigned q = 0; q < numPops; ++q) {
      if (worst[q] <= budget)
        continue;
      uint32_t limit = p.limits[q];
      if (gaveUp[q])
        continue;
      if (limit <= 1 || budget <= model.perTick) {
        std::string msg =
            "layer '" + n.populations[q].name +
            "' cannot keep up with the clock: one neuron per core takes " +
            withCommas(worst[q]) +
            " cycles in its worst tick, over the budget of " +
            withCommas(budget);
        if (ctx.options.realTimeMode != RealTimeMode::BestEffort) {
          ctx.diag.error(n.populations[q].loc, msg);
          return false;
        }
        // Fewer neurons per core do not bring it under the budget: it
        // keeps the limit memory alone sets (the fewest cores and
        // population-table entries).
        uint32_t kept = uint32_t(
            std::min<uint64_t>(firstLimits[q], n.populations[q].shape.size()));
        ctx.diag.warning(n.populations[q].loc,
                         msg + "; it keeps its memory-sized cores (at most " +
                             Twine(kept) + " neuron" + (kept == 1 ? "" : "s") +
                             " each; --realtime=best-effort)");
        gaveUp[q] = true;
        cfg.limitCaps[q] = 0;
        changed = changed || limit != kept;
        continue;
      }
      // The per-neuron part of the load scales with the slice's size.
      uint64_t scaled = uint64_t(limit) * (budget - model.perTick) /
                        (worst[q] - model.perTick);
      uint32_t next = uint32_t(std::max<uint64_t>(
          1, std::min<uint64_t>(scaled, uint64_t(limit) - 1)));
      SCNC_DEBUG(dbgs() << "partition: " << n.populations[q].name
                        << " worst tick " << worst[q] << " cycles > " << budget
                        << ": limit " << limit << " -> " << next << "\n");
      cfg.limitCaps[q] = next;
      changed = true;
    }
    if (!changed)
      return true;
    Expected<Partition> again = partitionNetwork(n, cfg);
    if (!again) {
      ctx.diag.error("partition: " + toString(again.takeError()));
      return false;
    }
    p = std::move(*again);
  }
}

bool scnc::runPartition(Network &n, PassContext &ctx) {
  if (!n.connections) {
    ctx.diag.error("partition: the connection lists are missing (run "
                   "expand-connections first)");
    return false;
  }
  // A new partition starts a new mapping.
  MappingState &st = ctx.compilation.mapping;
  st = MappingState();
  PartitionConfig cfg;
  cfg.kind = ctx.options.partitioner;
  cfg.seed = ctx.options.seed ? *ctx.options.seed : n.sim.seed;
  cfg.threads = ctx.options.threads;
  auto t0 = std::chrono::steady_clock::now();
  Expected<Partition> p = partitionNetwork(n, cfg);
  if (!p) {
    ctx.diag.error("partition: " + toString(p.takeError()));
    return false;
  }
  bool declaredRates =
      std::any_of(n.populations.begin(), n.populations.end(),
                  [](const Population &q) { return q.expectedRate > 0; });
  if (!ctx.options.profile.empty() || ctx.options.realTimeRates ||
      declaredRates) {
    kernel::CycleModel model;
    uint32_t timestepUs = uint32_t(std::lround(n.sim.timestep * 1000));
    st.budgetCycles = model.budgetCycles(timestepUs);
    st.loadBudgetCycles = st.budgetCycles *
                          (100 - std::min(ctx.options.realTimeMarginPct, 99u)) /
                          100;
    bool fits;
    if (!ctx.options.profile.empty()) {
      Expected<ActivityProfile> profile =
          readActivityProfile(ctx.options.profile, n);
      if (!profile) {
        ctx.diag.error("partition: " + toString(profile.takeError()));
        return false;
      }
      st.loadSource = "--profile";
      fits = sizeForRealTime(
          n, ctx, cfg, *p,
          [&](const Partition &q) {
            return predictSliceLoads(n, q, *profile, model,
                                     ctx.options.threads);
          },
          model, st);
    } else {
      std::vector<double> rates = expectedRates(n);
      st.loadSource = "expected rates";
      fits = sizeForRealTime(
          n, ctx, cfg, *p,
          [&](const Partition &q) {
            return estimateSliceLoads(n, q, rates, model);
          },
          model, st);
    }
    if (!fits)
      return false;
  }
  SCNC_DEBUG(dbgs() << "partition: " << toString(cfg.kind) << ", "
                    << p->slices.size() << " slices in "
                    << format("%.2f", secondsSince(t0)) << " s\n");
  st.partition = std::move(*p);
  st.partitionConfig = cfg;
  st.partitioned = true;
  return true;
}
#undef DEBUG_TYPE
#define DEBUG_TYPE "mapping"

/// The target of the mapping: the user's machine once it passes its check,
/// else the smallest built-in machine with a core for every slice; with
/// --router-entries, its routers get that many entries. False after
/// reporting why there is none.
static bool selectTarget(PassContext &ctx) {
  CompilationContext &cc = ctx.compilation;
  if (!cc.machine) {
    size_t slices = cc.mapping.partition.slices.size();
    std::string name = smallestMachineFor(slices);
    if (name.empty()) {
      ctx.diag.error("the network needs " + Twine(uint64_t(slices)) +
                     " cores, more than any built-in machine has");
      return false;
    }
    cc.machine = cantFail(builtinMachine(name));
    cc.machineName = name;
  } else if (cc.machineUnchecked) {
    // A described machine that fails its check is refused before any
    // algorithm trips over it.
    std::vector<std::string> problems = cc.machine->check();
    for (const std::string &p : problems)
      ctx.diag.error("machine check of '" + cc.machineName + "': " + p);
    if (!problems.empty())
      return false;
    cc.machineUnchecked = false;
  }
  if (ctx.options.routerEntries)
    cc.machine->setRouterEntries(ctx.options.routerEntries);
  return true;
}

bool scnc::runPlace(Network &n, PassContext &ctx) {
  MappingState *st =
      needState(ctx, "place", &MappingState::partitioned, "partition");
  if (!st || !selectTarget(ctx))
    return false;
  const CompilationContext &cc = ctx.compilation;
  auto t0 = std::chrono::steady_clock::now();
  st->sliceRefs.clear();
  for (const Slice &s : st->partition.slices)
    st->sliceRefs.push_back(SliceRef{s.population, uint32_t(s.neurons.size())});
  PartitionStats stats =
      partitionStats(n, st->partition, ctx.options.threads, &st->sliceGraph);
  std::vector<uint64_t> sdram;
  for (const SliceResources &r : stats.resources)
    sdram.push_back(r.sdramBytes);
  st->commVolume = stats.commVolume;
  st->edgeCut = stats.edgeCut;
  PlacementConfig cfg;
  cfg.machineName = cc.machineName;
  // Each population's slices in the order of their numbers (a box
  // tiling's Morton order: neighbouring tiles share chips).
  const std::vector<uint32_t> &numbers = st->partition.numbers;
  if (numbers.size() == st->sliceRefs.size()) {
    cfg.order.resize(numbers.size());
    std::iota(cfg.order.begin(), cfg.order.end(), 0);
    std::stable_sort(
        cfg.order.begin(), cfg.order.end(), [&](uint32_t a, uint32_t b) {
          return std::make_pair(st->sliceRefs[a].population, numbers[a]) <
                 std::make_pair(st->sliceRefs[b].population, numbers[b]);
        });
  }
  Expected<Placement> p = placeSlices(*cc.machine, st->sliceRefs, sdram, cfg);
  if (!p) {
    std::string why = toString(p.takeError());
    if (!st->loads.empty())
      why +=
          " (cores sized for the real-time budget by " + st->loadSource + ")";
    ctx.diag.error(n.loc, "cannot place network '" + n.name + "': " + why);
    return false;
  }
  st->placement = std::move(*p);
  st->placed = true;
  SCNC_DEBUG(dbgs() << "place: " << st->sliceRefs.size() << " slices in "
                    << format("%.2f", secondsSince(t0)) << " s\n");
  return true;
}

bool scnc::runAllocateKeys(Network &n, PassContext &ctx) {
  MappingState *st =
      needState(ctx, "allocate-keys", &MappingState::placed, "place");
  if (!st)
    return false;
  Expected<KeyAllocation> k = allocateKeys(
      unsigned(n.populations.size()), st->sliceRefs, st->partition.numbers);
  if (!k) {
    ctx.diag.error(n.loc, "cannot allocate keys for network '" + n.name +
                              "': " + toString(k.takeError()));
    return false;
  }
  std::vector<std::string> problems = verifyKeys(*k, st->sliceRefs);
  for (const std::string &p : problems)
    ctx.diag.error("key allocation: " + p);
  if (!problems.empty())
    return false;
  st->keys = std::move(*k);
  st->keyed = true;
  return true;
}

bool scnc::runRoute(Network &n, PassContext &ctx) {
  MappingState *st =
      needState(ctx, "route", &MappingState::keyed, "allocate-keys");
  if (!st)
    return false;
  const Machine &m = *ctx.compilation.machine;
  auto t0 = std::chrono::steady_clock::now();
  // The slice graph place counted with the volume (the partition is the
  // same since).
  const SliceGraph &g = st->sliceGraph;
  // With split routes: per slice, the targets of each of its neurons.
  std::vector<NeuronTargets> perNeuron;
  if (ctx.options.splitRoutes) {
    std::vector<std::pair<unsigned, ArrayRef<uint32_t>>> slices;
    for (const Slice &sl : st->partition.slices)
      slices.push_back({sl.population, sl.neurons});
    perNeuron = buildNeuronTargets(n, st->partition.sliceOf,
                                   st->partition.localIndex, slices);
    // Each slice's neurons renumbered so that neurons with the same
    // targets are consecutive (their keys then form few aligned blocks);
    // the image writer numbers the core's neurons in this order.
    Partition &part = st->partition;
    for (uint32_t s = 0; s < part.slices.size(); ++s) {
      Slice &sl = part.slices[s];
      std::vector<uint32_t> order =
          orderByTargets(perNeuron[s], uint32_t(sl.neurons.size()));
      bool identity = true;
      for (uint32_t k = 0; k < order.size() && identity; ++k)
        identity = order[k] == k;
      if (identity)
        continue;
      std::vector<uint32_t> neurons(order.size());
      for (uint32_t k = 0; k < order.size(); ++k) {
        neurons[k] = sl.neurons[order[k]];
        part.localIndex[sl.population][neurons[k]] = k;
      }
      sl.neurons = std::move(neurons);
      perNeuron[s] = permuteTargets(perNeuron[s], order);
    }
  }
  // The tree of a block's keys to the cores of its targets.
  std::string routeError;
  HopDistanceCache hops(m);
  RouteConfig routeCfg;
  routeCfg.hops = &hops;
  auto routeBlock = [&](uint32_t s,
                        ArrayRef<uint32_t> targetSlices) -> RoutingTree {
    // Target cores grouped by chip, in chip order.
    std::map<ChipId, uint32_t> byChip;
    for (uint32_t t : targetSlices) {
      const CoreLocation &c = st->placement.cores[t];
      byChip[c.chip] |= 1u << c.core;
    }
    std::vector<std::pair<ChipId, uint32_t>> targets(byChip.begin(),
                                                     byChip.end());
    Expected<RoutingTree> tree =
        routeMulticast(m, st->placement.cores[s].chip, targets, routeCfg);
    if (!tree) {
      if (routeError.empty())
        routeError = "route: slice " + std::to_string(s) + ": " +
                     toString(tree.takeError());
      else
        consumeError(tree.takeError());
      return RoutingTree();
    }
    return std::move(*tree);
  };
  st->trees.clear();
  st->treeSlices.clear();
  st->treeNeurons.clear();
  st->splitBudget = 0;
  st->splitStats = SplitBudgetStats();
  st->sendingSlices = 0;
  uint32_t numSlices = uint32_t(g.targets.size());
  auto addTree = [&](uint32_t s, uint32_t start, unsigned bits,
                     RoutingTree tree) {
    const KeySpace &space = st->keys.slices[s];
    uint32_t neurons = st->sliceRefs[s].neurons;
    uint32_t low = bits >= 32 ? ~0u : uint32_t((1ull << bits) - 1);
    st->trees.push_back(
        KeyedTree{space.key | start, space.mask | ~low, std::move(tree)});
    st->treeSlices.push_back(s);
    st->treeNeurons.push_back(uint32_t(
        std::min<uint64_t>(neurons, uint64_t(start) + low + 1) - start));
  };
  if (!ctx.options.splitRoutes) {
    for (uint32_t s = 0; s < numSlices; ++s) {
      if (g.targets[s].empty())
        continue; // no packet leaves this slice
      ++st->sendingSlices;
      RoutingTree tree = routeBlock(s, g.targets[s]);
      if (!routeError.empty()) {
        ctx.diag.error(routeError);
        return false;
      }
      addTree(s, 0, st->keys.neuronBits, std::move(tree));
    }
  } else {
    // Each slice's key space split by targets, then blocks merged back
    // until every chip's entries fit the budget (trees routed once per
    // node, when first needed).
    std::vector<SplitTree> split(numSlices);
    std::vector<std::vector<std::unique_ptr<RoutingTree>>> routed(numSlices);
    for (uint32_t s = 0; s < numSlices; ++s) {
      if (g.targets[s].empty())
        continue;
      ++st->sendingSlices;
      split[s] = buildSplitTree(perNeuron[s], st->sliceRefs[s].neurons,
                                st->keys.neuronBits);
      routed[s].resize(split[s].nodes.size());
    }
    std::vector<NeuronTargets>().swap(perNeuron);
    auto treeOf = [&](uint32_t s, uint32_t v) -> const RoutingTree & {
      std::unique_ptr<RoutingTree> &r = routed[s][v];
      if (!r)
        r = std::make_unique<RoutingTree>(
            routeBlock(s, split[s].nodes[v].targets));
      return *r;
    };
    st->splitBudget = ctx.options.splitRoutesBudget
                          ? ctx.options.splitRoutesBudget
                          : uint64_t(m.routerEntries()) * 3 / 4;
    std::vector<std::vector<uint8_t>> merged = fitSplitRoutes(
        split, m.numChips(), st->splitBudget, treeOf, &st->splitStats);
    if (!routeError.empty()) {
      ctx.diag.error(routeError);
      return false;
    }
    for (uint32_t s = 0; s < numSlices; ++s)
      for (uint32_t v : blocksOfSplit(split[s], merged[s])) {
        treeOf(s, v);
        const SplitNode &node = split[s].nodes[v];
        addTree(s, node.start, node.bits, std::move(*routed[s][v]));
      }
  }
  st->routed = true;
  SCNC_DEBUG(dbgs() << "route: " << st->trees.size() << " trees, " << g.edges()
                    << " slice edges in " << format("%.2f", secondsSince(t0))
                    << " s\n");
  return true;
}

bool scnc::runBuildTables(Network &, PassContext &ctx) {
  MappingState *st =
      needState(ctx, "build-tables", &MappingState::routed, "route");
  if (!st)
    return false;
  st->tables = buildTables(*ctx.compilation.machine, st->trees);
  st->tabled = true;
  return true;
}

bool scnc::runCompressTables(Network &, PassContext &ctx) {
  MappingState *st =
      needState(ctx, "compress-tables", &MappingState::tabled, "build-tables");
  if (!st)
    return false;
  const Machine &m = *ctx.compilation.machine;
  auto t0 = std::chrono::steady_clock::now();
  st->compressed = st->tables;
  // Tables must fit the routers' entries (--router-entries is set on the
  // machine by `place`).
  CompressionConfig cfg;
  cfg.minimize = ctx.options.minimizeTables;
  st->compression = CompressionStats();
  if (Error e = compressTables(m, st->compressed, cfg, &st->compression)) {
    handleAllErrors(std::move(e), [&](const ErrorInfoBase &info) {
      ctx.diag.error(info.message());
    });
    return false;
  }
  st->compressedDone = true;
  SCNC_DEBUG(dbgs() << "compress-tables: " << st->compression.entriesBefore
                    << " -> " << st->compression.entriesAfter << " entries in "
                    << format("%.2f", secondsSince(t0)) << " s\n");
  if (ctx.options.verifyRoutes) {
    std::vector<std::string> problems =
        verifyRoutes(m, st->trees, st->compressed, VerifyConfig());
    for (const std::string &p : problems)
      ctx.diag.error("route check: " + p);
    if (!problems.empty())
      return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// What each pass produced, for -print-after
//===----------------------------------------------------------------------===//

void scnc::printPartitionResult(const Network &n, const CompilationContext &cc,
                                raw_ostream &os) {
  printPartition(n, cc.mapping.partition, os);
}

void scnc::printPlaceResult(const Network &n, const CompilationContext &cc,
                            raw_ostream &os) {
  os << "machine: " << cc.machineName << "\n";
  printPlacementReport(n, *cc.machine, cc.mapping, os);
}

void scnc::printKeysResult(const Network &, const CompilationContext &cc,
                           raw_ostream &os) {
  printKeys(cc.mapping.keys, cc.mapping.sliceRefs, os);
}

void scnc::printRouteResult(const Network &n, const CompilationContext &cc,
                            raw_ostream &os) {
  printRoutes(n, *cc.machine, cc.mapping, os);
}

void scnc::printTablesResult(const Network &, const CompilationContext &cc,
                             raw_ostream &os) {
  for (const RoutingTable &t : cc.mapping.tables)
    printRoutingTable(*cc.machine, t, os);
}

void scnc::printCompressedResult(const Network &, const CompilationContext &cc,
                                 raw_ostream &os) {
  printTables(*cc.machine, cc.mapping, os);
}
