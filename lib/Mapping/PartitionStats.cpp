//===- PartitionStats.cpp - Measures of a partition -----------------------===//
//
// Communication volume, edge cut and the memory every slice needs
// (docs/mapping.md), computed on the expanded connections.
//
//===----------------------------------------------------------------------===//
#include "PartitionInternal.h"
#include "WindowSources.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Mapping/Resources.h"
#include "scnc/Mapping/SliceGraph.h"
#include "scnc/Support/Parallel.h"
#include <algorithm>
#include <atomic>
#include <map>

using namespace scnc;
using namespace llvm;

/// Counts \p rows rows (distinct sources) of \p syn synapses of one
/// projection into a slice, with their SDRAM.
static void addRows(SliceResources &r, uint64_t rows, uint64_t syn,
                    bool plastic) {
  using namespace resources;
  r.rows += rows;
  r.synapses += syn;
  r.sdramBytes += syn * kSynapseBytes + rows * kRowHeaderBytes +
                  (plastic ? rows * kPlasticRowHeaderBytes : 0);
}

PartitionStats scnc::partitionStats(const Network &n, const Partition &p,
                                    unsigned threads, SliceGraph *graph) {
  using namespace resources;
  PartitionStats s;
  s.cores = unsigned(p.slices.size());
  s.resources.resize(p.slices.size());
  uint64_t total = 0;
  std::vector<CoreKind> kinds;
  for (unsigned q = 0; q < n.populations.size(); ++q)
    kinds.push_back(coreKindOf(n, q));
  for (uint32_t i = 0; i < p.slices.size(); ++i) {
    const Slice &sl = p.slices[i];
    unsigned k = unsigned(sl.neurons.size());
    s.minNeurons = i ? std::min(s.minNeurons, k) : k;
    s.maxNeurons = std::max(s.maxNeurons, k);
    total += k;
    s.resources[i].dtcmBytes = sliceDTCMBytes(kinds[sl.population], k);
  }
  s.meanNeurons = s.cores ? double(total) / s.cores : 0.0;
  if (n.connections && n.connections->lists.size() == n.projections.size()) {
    // Slices of each population.
    unsigned numPops = unsigned(n.populations.size());
    const uint32_t numSlices = uint32_t(p.slices.size());
    std::vector<std::vector<uint32_t>> slicesOf(numPops);
    for (uint32_t i = 0; i < numSlices; ++i)
      slicesOf[p.slices[i].population].push_back(i);
    std::atomic<uint64_t> volume{0}, cut{0};
    // (source slice, target slice) pairs, per group and task.
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> edges;
    for (unsigned q = 0; q < numPops; ++q) {
      // Projections into q grouped by source population: a neuron's packet
      // reaches each core once whatever projection the targets belong to.
      std::map<unsigned, std::vector<unsigned>> bySource;
      for (unsigned pi = 0; pi < n.projections.size(); ++pi)
        if (n.projections[pi].post == q)
          bySource[n.projections[pi].pre].push_back(pi);
      uint64_t nPost = n.populations[q].shape.size();
      for (const auto &src : bySource) {
        unsigned pre = src.first;
        const std::vector<unsigned> &lists = src.second;
        const std::vector<uint32_t> &preSlice = p.sliceOf[pre];
        uint64_t nPre = n.populations[pre].shape.size();
        // One convolution or pool from another population: its sources
        // follow from the window geometry (WindowSources), no list read.
        const bool geometric =
            lists.size() == 1 && pre != q &&
            partitioning::isWindowed(n.projections[lists[0]]);
        std::vector<std::vector<uint64_t>> starts;
        if (!geometric)
          for (unsigned pi : lists)
            starts.push_back(
                postStarts(n.connections->lists[pi], nPost, threads));
        const std::vector<uint32_t> &slices = slicesOf[q];
        unsigned chunks =
            std::max(1u, std::min<unsigned>(threads, unsigned(slices.size())));
        size_t firstEdges = edges.size();
        if (graph)
          edges.resize(edges.size() + chunks);
        forEachTask(chunks, threads, [&](size_t t) {
          uint64_t localVol = 0, localCut = 0;
          size_t b = slices.size() * t / chunks,
                 e = slices.size() * (t + 1) / chunks;
          // A source slice's first target slice of this task is recorded
          // once (target slices come in increasing order).
          std::vector<uint32_t> srcSeen(graph ? numSlices : 0, UINT32_MAX);
          auto edge = [&](uint32_t from, uint32_t to) {
            if (graph && srcSeen[from] != to) {
              srcSeen[from] = to;
              edges[firstEdges + t].push_back({from, to});
            }
          };
          if (geometric) {
            unsigned pi = lists[0];
            bool plastic = !n.projections[pi].stdp.empty();
            partitioning::WindowSources ws(n, n.projections[pi]);
            for (size_t si = b; si < e; ++si) {
              uint32_t sidx = slices[si];
              uint64_t rows = 0;
              uint64_t syn =
                  ws.forEach(p.slices[sidx].neurons, [&](uint32_t from) {
                    ++rows;
                    edge(preSlice[from], sidx);
                  });
              addRows(s.resources[sidx], rows, syn, plastic);
              localVol += rows;
              localCut += syn;
            }
            volume += localVol;
            cut += localCut;
            return;
          }
          std::vector<uint32_t> volStamp(nPre, UINT32_MAX);
          std::vector<uint64_t> rowStamp(nPre, UINT64_MAX);
          for (size_t si = b; si < e; ++si) {
            uint32_t sidx = slices[si];
            SliceResources &r = s.resources[sidx];
            for (size_t li = 0; li < lists.size(); ++li) {
              unsigned pi = lists[li];
              const ConnectionList &l = n.connections->lists[pi];
              bool plastic = !n.projections[pi].stdp.empty();
              uint64_t rowKey = uint64_t(sidx) * lists.size() + li;
              uint64_t rows = 0, syn = 0;
              for (uint32_t post : p.slices[sidx].neurons) {
                for (uint64_t i = starts[li][post]; i < starts[li][post + 1];
                     ++i) {
                  uint32_t pr = l.pre[i];
                  bool local = pre == q && preSlice[pr] == sidx;
                  localCut += !local;
                  ++syn;
                  if (rowStamp[pr] != rowKey) {
                    rowStamp[pr] = rowKey;
                    ++rows;
                  }
                  if (volStamp[pr] != sidx) {
                    volStamp[pr] = sidx;
                    localVol += !local;
                    edge(preSlice[pr], sidx);
                  }
                }
              }
              addRows(r, rows, syn, plastic);
            }
          }
          volume += localVol;
          cut += localCut;
        });
      }
    }
    s.commVolume = volume;
    s.edgeCut = cut;
    if (graph) {
      graph->targets.assign(numSlices, {});
      for (const auto &list : edges)
        for (auto [from, to] : list)
          graph->targets[from].push_back(to);
      for (std::vector<uint32_t> &t : graph->targets) {
        llvm::sort(t);
        t.erase(std::unique(t.begin(), t.end()), t.end());
      }
    }
  }
  for (const SliceResources &r : s.resources) {
    s.maxDTCMBytes = std::max(s.maxDTCMBytes, r.dtcmBytes);
    s.maxSDRAMBytes = std::max(s.maxSDRAMBytes, r.sdramBytes);
  }
  return s;
}
