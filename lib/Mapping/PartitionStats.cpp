//===- PartitionStats.cpp - Measures of a partition -----------------------===//
//
// Communication volume, edge cut and the memory every slice needs
// (docs/mapping.md), computed on the expanded connections.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Mapping/Resources.h"
#include "scnc/Support/Parallel.h"
#include <algorithm>
#include <atomic>
#include <map>

using namespace scnc;
using namespace llvm;

PartitionStats scnc::partitionStats(const Network &n, const Partition &p,
                                    unsigned threads) {
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
    std::vector<std::vector<uint32_t>> slicesOf(numPops);
    for (uint32_t i = 0; i < p.slices.size(); ++i)
      slicesOf[p.slices[i].population].push_back(i);
    std::atomic<uint64_t> volume{0}, cut{0};
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
        uint64_t nPre = n.populations[pre].shape.size();
        std::vector<std::vector<uint64_t>> starts;
        for (unsigned pi : src.second)
          starts.push_back(
              postStarts(n.connections->lists[pi], nPost, threads));
        const std::vector<uint32_t> &slices = slicesOf[q];
        unsigned chunks =
            std::max(1u, std::min<unsigned>(threads, unsigned(slices.size())));
        forEachTask(chunks, threads, [&](size_t t) {
          std::vector<uint32_t> volStamp(nPre, UINT32_MAX);
          std::vector<uint64_t> rowStamp(nPre, UINT64_MAX);
          uint64_t localVol = 0, localCut = 0;
          size_t b = slices.size() * t / chunks,
                 e = slices.size() * (t + 1) / chunks;
          for (size_t si = b; si < e; ++si) {
            uint32_t sidx = slices[si];
            SliceResources &r = s.resources[sidx];
            for (size_t li = 0; li < src.second.size(); ++li) {
              unsigned pi = src.second[li];
              const ConnectionList &l = n.connections->lists[pi];
              bool plastic = !n.projections[pi].stdp.empty();
              uint64_t rowKey = uint64_t(sidx) * src.second.size() + li;
              uint64_t rows = 0, syn = 0;
              for (uint32_t post : p.slices[sidx].neurons) {
                for (uint64_t i = starts[li][post]; i < starts[li][post + 1];
                     ++i) {
                  uint32_t pr = l.pre[i];
                  bool local = pre == q && p.sliceOf[pre][pr] == sidx;
                  localCut += !local;
                  ++syn;
                  if (rowStamp[pr] != rowKey) {
                    rowStamp[pr] = rowKey;
                    ++rows;
                  }
                  if (volStamp[pr] != sidx) {
                    volStamp[pr] = sidx;
                    localVol += !local;
                  }
                }
              }
              r.rows += rows;
              r.synapses += syn;
              r.sdramBytes += syn * kSynapseBytes + rows * kRowHeaderBytes +
                              (plastic ? rows * kPlasticRowHeaderBytes : 0);
            }
          }
          volume += localVol;
          cut += localCut;
        });
      }
    }
    s.commVolume = volume;
    s.edgeCut = cut;
  }
  for (const SliceResources &r : s.resources) {
    s.maxDTCMBytes = std::max(s.maxDTCMBytes, r.dtcmBytes);
    s.maxSDRAMBytes = std::max(s.maxSDRAMBytes, r.sdramBytes);
  }
  return s;
}
