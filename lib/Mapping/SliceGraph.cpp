//===- SliceGraph.cpp - Which slices send packets to which ----------------===//
#include "scnc/Mapping/SliceGraph.h"
#include "scnc/IR/Connections.h"
#include "llvm/ADT/DenseSet.h"
#include <algorithm>

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
  // Each projection's synapses by post neuron.
  std::vector<std::vector<uint64_t>> starts(n.projections.size());
  std::vector<std::vector<unsigned>> into(n.populations.size());
  for (unsigned j = 0; j < n.projections.size(); ++j) {
    const Projection &p = n.projections[j];
    starts[j] =
        postStarts(n.connections->lists[j], n.populations[p.post].shape.size());
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
      for (uint32_t q : slices[d].second)
        for (uint64_t i = starts[j][q]; i < starts[j][q + 1]; ++i) {
          uint32_t src = l.pre[i];
          if (st[src] == d)
            continue;
          st[src] = d;
          pairs[sliceOf[pre][src]].push_back({localIndex[pre][src], d});
        }
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

namespace {
/// splitByTargets on [start, start + 2^bits): appends its blocks to \p out;
/// false when no neuron of the block has a target (nothing appended).
bool splitBlock(const NeuronTargets &t, uint32_t neurons, uint32_t start,
                unsigned bits, std::vector<TargetBlock> &out) {
  if (start >= neurons)
    return false;
  uint32_t end =
      uint32_t(std::min<uint64_t>(neurons, uint64_t(start) + (1ull << bits)));
  int64_t first = -1;
  bool uniform = true;
  for (uint32_t i = start; i < end && uniform; ++i) {
    ArrayRef<uint32_t> ti = t.of(i);
    if (ti.empty())
      continue;
    if (first < 0)
      first = i;
    else if (ti != t.of(uint32_t(first)))
      uniform = false;
  }
  if (first < 0)
    return false;
  if (uniform) {
    ArrayRef<uint32_t> ti = t.of(uint32_t(first));
    out.push_back(TargetBlock{start, bits, {ti.begin(), ti.end()}});
    return true;
  }
  // Two different target sets: bits > 0.
  uint32_t half = uint32_t(1) << (bits - 1);
  size_t before = out.size();
  bool lo = splitBlock(t, neurons, start, bits - 1, out);
  size_t mid = out.size();
  bool hi = splitBlock(t, neurons, start + half, bits - 1, out);
  if (!lo) // the upper half holds every neuron with targets
    out.insert(out.begin() + before,
               TargetBlock{start, bits - 1, out[mid].targets});
  else if (!hi && start + half < neurons)
    out.push_back(TargetBlock{start + half, bits - 1, out[before].targets});
  return true;
}
} // namespace

std::vector<TargetBlock> scnc::splitByTargets(const NeuronTargets &t,
                                              uint32_t neurons,
                                              unsigned spaceBits) {
  std::vector<TargetBlock> out;
  splitBlock(t, neurons, 0, spaceBits, out);
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
