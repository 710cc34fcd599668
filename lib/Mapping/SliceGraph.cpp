//===- SliceGraph.cpp - Which slices send packets to which ----------------===//
#include "scnc/Mapping/SliceGraph.h"
#include "PartitionInternal.h"
#include "WindowSources.h"
#include "scnc/IR/Connections.h"
#include "llvm/ADT/DenseSet.h"
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>

using namespace scnc;
using namespace llvm;

SliceGraph scnc::buildSliceGraph(const Network &n,
                                 ArrayRef<std::vector<uint32_t>> sliceOf,
                                 uint32_t numSlices) {
  SliceGraph g;
  g.targets.resize(numSlices);
  // Lists are sorted by post, and a post's inputs mostly come from one or
  // two source slices: remember the last pair and each source's last target
  // so that the set is consulted rarely.
  DenseSet<uint64_t> seen;
  std::vector<uint32_t> lastTarget(numSlices, UINT32_MAX);
  for (size_t pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &p = n.projections[pi];
    const ConnectionList &l = n.connections->lists[pi];
    const std::vector<uint32_t> &preSlice = sliceOf[p.pre];
    const std::vector<uint32_t> &postSlice = sliceOf[p.post];
    for (uint64_t i = 0; i < l.size(); ++i) {
      uint32_t src = preSlice[l.pre[i]], dst = postSlice[l.post[i]];
      if (lastTarget[src] == dst)
        continue;
      lastTarget[src] = dst;
      if (seen.insert((uint64_t(src) << 32) | dst).second)
        g.targets[src].push_back(dst);
    }
  }
  for (auto &t : g.targets)
    std::sort(t.begin(), t.end());
  return g;
}

std::vector<NeuronTargets> scnc::buildNeuronTargets(
    const Network &n, ArrayRef<std::vector<uint32_t>> sliceOf,
    ArrayRef<std::vector<uint32_t>> localIndex,
    ArrayRef<std::pair<unsigned, ArrayRef<uint32_t>>> slices) {
  // Each projection's synapses by post neuron, or for a convolution or
  // pool from another population its sources from the window geometry
  // (WindowSources, as partitionStats), without reading the list.
  std::vector<std::vector<uint64_t>> starts(n.projections.size());
  std::vector<std::unique_ptr<partitioning::WindowSources>> windows(
      n.projections.size());
  std::vector<std::vector<unsigned>> into(n.populations.size());
  for (unsigned j = 0; j < n.projections.size(); ++j) {
    const Projection &p = n.projections[j];
    if (partitioning::isWindowed(p) && p.pre != p.post)
      windows[j] = std::make_unique<partitioning::WindowSources>(n, p);
    else
      starts[j] = postStarts(n.connections->lists[j],
                             n.populations[p.post].shape.size());
    into[p.post].push_back(j);
  }
  // Target slices in increasing order: a stamp per source neuron keeps
  // each (neuron, target slice) pair once.
  std::vector<std::vector<uint32_t>> stamp(n.populations.size());
  for (size_t q = 0; q < n.populations.size(); ++q)
    stamp[q].assign(sliceOf[q].size(), UINT32_MAX);
  // (local index, target slice) pairs per source slice.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> pairs(slices.size());
  for (uint32_t d = 0; d < slices.size(); ++d) {
    unsigned post = slices[d].first;
    for (unsigned j : into[post]) {
      unsigned pre = n.projections[j].pre;
      const ConnectionList &l = n.connections->lists[j];
      std::vector<uint32_t> &st = stamp[pre];
      auto add = [&](uint32_t src) {
        if (st[src] == d)
          return;
        st[src] = d;
        pairs[sliceOf[pre][src]].push_back({localIndex[pre][src], d});
      };
      if (windows[j]) {
        windows[j]->forEach(slices[d].second, add);
        continue;
      }
      for (uint32_t q : slices[d].second)
        for (uint64_t i = starts[j][q]; i < starts[j][q + 1]; ++i)
          add(l.pre[i]);
    }
  }
  std::vector<NeuronTargets> out(slices.size());
  for (uint32_t s = 0; s < slices.size(); ++s) {
    NeuronTargets &t = out[s];
    uint32_t count = uint32_t(slices[s].second.size());
    t.offsets.assign(count + 1, 0);
    for (auto &p : pairs[s])
      ++t.offsets[p.first + 1];
    for (uint32_t i = 0; i < count; ++i)
      t.offsets[i + 1] += t.offsets[i];
    t.targets.resize(pairs[s].size());
    std::vector<uint32_t> fill(t.offsets.begin(), t.offsets.end() - 1);
    // Pairs come in increasing target order, so each neuron's stay sorted.
    for (auto &p : pairs[s])
      t.targets[fill[p.first]++] = p.second;
    std::vector<std::pair<uint32_t, uint32_t>>().swap(pairs[s]);
  }
  return out;
}

std::vector<TargetBlock> scnc::splitByTargets(const NeuronTargets &t,
                                              uint32_t neurons,
                                              unsigned spaceBits) {
  SplitTree tree = buildSplitTree(t, neurons, spaceBits);
  std::vector<TargetBlock> out;
  for (uint32_t v : blocksOfSplit(tree, {})) {
    const SplitNode &n = tree.nodes[v];
    out.push_back(TargetBlock{n.start, n.bits, n.targets});
  }
  return out;
}

std::vector<uint32_t> scnc::orderByTargets(const NeuronTargets &t,
                                           uint32_t neurons) {
  std::vector<uint32_t> with, without;
  for (uint32_t i = 0; i < neurons; ++i)
    (t.of(i).empty() ? without : with).push_back(i);
  auto less = [&](uint32_t a, uint32_t b) {
    ArrayRef<uint32_t> x = t.of(a), y = t.of(b);
    if (x != y)
      return std::lexicographical_compare(x.begin(), x.end(), y.begin(),
                                          y.end());
    return a < b;
  };
  std::sort(with.begin(), with.end(), less);
  // Runs of equal targets: (first, length) in `with`.
  std::vector<std::pair<uint32_t, uint32_t>> groups;
  for (uint32_t i = 0; i < with.size();) {
    uint32_t j = i + 1;
    while (j < with.size() && t.of(with[j]) == t.of(with[i]))
      ++j;
    groups.push_back({i, j - i});
    i = j;
  }
  std::stable_sort(
      groups.begin(), groups.end(),
      [](const auto &a, const auto &b) { return a.second > b.second; });
  std::vector<uint32_t> order;
  order.reserve(neurons);
  for (const auto &g : groups)
    order.insert(order.end(), with.begin() + g.first,
                 with.begin() + g.first + g.second);
  order.insert(order.end(), without.begin(), without.end());
  return order;
}

NeuronTargets scnc::permuteTargets(const NeuronTargets &t,
                                   ArrayRef<uint32_t> order) {
  NeuronTargets out;
  out.offsets.reserve(order.size() + 1);
  out.offsets.push_back(0);
  out.targets.reserve(t.targets.size());
  for (uint32_t old : order) {
    ArrayRef<uint32_t> ti = t.of(old);
    out.targets.insert(out.targets.end(), ti.begin(), ti.end());
    out.offsets.push_back(uint32_t(out.targets.size()));
  }
  return out;
}

namespace {
/// buildSplitTree on [start, start + 2^bits): the node's index, or -1 when
/// no neuron of the block has a target (nothing added).
int32_t splitNode(const NeuronTargets &t, uint32_t neurons, uint32_t start,
                  unsigned bits, int32_t parent, SplitTree &out) {
  if (start >= neurons)
    return -1;
  uint32_t end =
      uint32_t(std::min<uint64_t>(neurons, uint64_t(start) + (1ull << bits)));
  int64_t first = -1;
  bool uniform = true;
  uint32_t with = 0;
  uint64_t pairs = 0;
  for (uint32_t i = start; i < end; ++i) {
    ArrayRef<uint32_t> ti = t.of(i);
    if (ti.empty())
      continue;
    ++with;
    pairs += ti.size();
    if (first < 0)
      first = i;
    else if (uniform && ti != t.of(uint32_t(first)))
      uniform = false;
  }
  if (first < 0)
    return -1;
  int32_t self = int32_t(out.nodes.size());
  out.nodes.emplace_back();
  {
    SplitNode &node = out.nodes.back();
    node.start = start;
    node.bits = bits;
    node.parent = parent;
    node.withTargets = with;
    node.pairs = pairs;
  }
  if (uniform) {
    ArrayRef<uint32_t> ti = t.of(uint32_t(first));
    out.nodes[self].targets.assign(ti.begin(), ti.end());
    return self;
  }
  // Two different target sets: bits > 0. A half of neurons without
  // targets is a leaf with the targets of the other half's first block.
  uint32_t half = uint32_t(1) << (bits - 1);
  auto firstLeaf = [&](int32_t v) {
    while (!out.nodes[v].leaf())
      v = out.nodes[v].lo >= 0 ? out.nodes[v].lo : out.nodes[v].hi;
    return v;
  };
  auto emptyLeaf = [&](uint32_t s, int32_t from) {
    SplitNode leaf;
    leaf.start = s;
    leaf.bits = bits - 1;
    leaf.parent = self;
    leaf.targets = out.nodes[firstLeaf(from)].targets;
    out.nodes.push_back(std::move(leaf));
    return int32_t(out.nodes.size() - 1);
  };
  int32_t lo = splitNode(t, neurons, start, bits - 1, self, out);
  int32_t hi = splitNode(t, neurons, start + half, bits - 1, self, out);
  if (lo < 0)
    lo = emptyLeaf(start, hi);
  else if (hi < 0 && start + half < neurons)
    hi = emptyLeaf(start + half, lo);
  SplitNode &node = out.nodes[self];
  node.lo = lo;
  node.hi = hi;
  std::vector<uint32_t> u;
  const std::vector<uint32_t> &a = out.nodes[lo].targets;
  if (hi < 0) {
    u = a;
  } else {
    const std::vector<uint32_t> &b = out.nodes[hi].targets;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(),
                   std::back_inserter(u));
  }
  node.targets = std::move(u);
  return self;
}
} // namespace

SplitTree scnc::buildSplitTree(const NeuronTargets &t, uint32_t neurons,
                               unsigned spaceBits) {
  SplitTree out;
  splitNode(t, neurons, 0, spaceBits, -1, out);
  return out;
}

std::vector<uint32_t> scnc::blocksOfSplit(const SplitTree &t,
                                          ArrayRef<uint8_t> merged) {
  std::vector<uint32_t> out;
  if (t.nodes.empty())
    return out;
  std::vector<int32_t> stack{0};
  while (!stack.empty()) {
    int32_t v = stack.back();
    stack.pop_back();
    const SplitNode &node = t.nodes[v];
    if (node.leaf() || (!merged.empty() && merged[v])) {
      out.push_back(uint32_t(v));
      continue;
    }
    if (node.hi >= 0)
      stack.push_back(node.hi);
    stack.push_back(node.lo);
  }
  return out;
}

void scnc::chipsWithEntries(const RoutingTree &t,
                            SmallVectorImpl<ChipId> &chips) {
  for (const RouteNode &n : t.nodes) {
    bool straightOn = n.inLink != kFromLocal &&
                      n.route == route::link(oppositeLink(n.inLink));
    if (!straightOn)
      chips.push_back(n.chip);
  }
}

std::vector<std::vector<uint8_t>> scnc::fitSplitRoutes(
    ArrayRef<SplitTree> trees, unsigned numChips, uint64_t budget,
    function_ref<const RoutingTree &(uint32_t, uint32_t)> route,
    SplitBudgetStats *stats) {
  std::vector<std::vector<uint8_t>> merged(trees.size());
  for (size_t s = 0; s < trees.size(); ++s)
    merged[s].assign(trees[s].nodes.size(), 0);
  SplitBudgetStats st;
  SmallVector<ChipId, 16> chips;
  for (;;) {
    // Entries per chip, and which blocks make those of chips over budget.
    std::vector<std::vector<uint32_t>> blocks(trees.size());
    std::vector<uint64_t> count(numChips, 0);
    for (uint32_t s = 0; s < trees.size(); ++s) {
      blocks[s] = blocksOfSplit(trees[s], merged[s]);
      for (uint32_t v : blocks[s]) {
        chips.clear();
        chipsWithEntries(route(s, v), chips);
        for (ChipId c : chips)
          ++count[c];
      }
    }
    st.maxEntries = 0;
    for (uint64_t c : count)
      st.maxEntries = std::max(st.maxEntries, c);
    if (!budget || st.maxEntries <= budget)
      break;
    // (slice, block) of every entry on a chip over budget, per chip.
    std::map<ChipId, std::vector<std::pair<uint32_t, uint32_t>>> over;
    for (uint32_t s = 0; s < trees.size(); ++s)
      for (uint32_t v : blocks[s]) {
        chips.clear();
        chipsWithEntries(route(s, v), chips);
        for (ChipId c : chips)
          if (count[c] > budget)
            over[c].push_back({s, v});
      }
    bool changed = false;
    for (auto &[chip, made] : over) {
      // Candidates: nodes above at least two of the chip's blocks; the
      // saving is those blocks' entries but one.
      std::map<std::pair<uint32_t, uint32_t>, uint64_t> above;
      for (auto [s, v] : made)
        for (int32_t u = trees[s].nodes[v].parent; u >= 0;
             u = trees[s].nodes[u].parent)
          ++above[{s, uint32_t(u)}];
      struct Candidate {
        uint32_t slice, node;
        uint64_t cost, saving;
      };
      std::vector<Candidate> cands;
      for (auto &[sv, n] : above)
        if (n >= 2)
          cands.push_back({sv.first, sv.second,
                           trees[sv.first].nodes[sv.second].cost(), n - 1});
      // Fewest added pairs per entry saved, then the larger saving, then
      // slice and node.
      std::sort(cands.begin(), cands.end(),
                [](const Candidate &a, const Candidate &b) {
                  unsigned __int128 x = (unsigned __int128)a.cost * b.saving,
                                    y = (unsigned __int128)b.cost * a.saving;
                  if (x != y)
                    return x < y;
                  if (a.saving != b.saving)
                    return a.saving > b.saving;
                  return std::make_pair(a.slice, a.node) <
                         std::make_pair(b.slice, b.node);
                });
      int64_t excess = int64_t(count[chip] - budget);
      for (const Candidate &c : cands) {
        if (excess <= 0)
          break;
        // Skip a node already inside a merged one.
        bool inside = false;
        for (int32_t u = int32_t(c.node); u >= 0 && !inside;
             u = trees[c.slice].nodes[u].parent)
          inside = merged[c.slice][u];
        if (inside)
          continue;
        merged[c.slice][c.node] = 1;
        ++st.merged;
        excess -= int64_t(c.saving);
        changed = true;
      }
    }
    if (!changed)
      break;
    ++st.rounds;
  }
  if (stats)
    *stats = st;
  return merged;
}
