//===- SynapticMatrix.cpp - A core's rows and population table ------------===//
//
// The synaptic matrix of a neuron core (docs/image-format.md "Synaptic
// matrix", "Master population table"): rows counted per source neuron,
// laid out in aligned power-of-two blocks of each source's key space (one
// population-table entry per block), then written.
//
//===----------------------------------------------------------------------===//
#include "WriterInternal.h"
#include "kernel/Layout.h"
#include <algorithm>

using namespace llvm;
using namespace scnc;
using namespace scnc::image;

namespace {

/// Population-table entries for one source slice (key/mask, `rows` rows,
/// rowLen[r] words for row r, 0 when it has no synapses): the aligned
/// power-of-two block of key space [start, start + 2^bits) becomes one
/// entry padded to its longest row when that wastes at most as many words
/// as the rows use (or the block is a single row), else its halves are
/// considered; blocks without synapses get no entry. Row offsets are
/// assigned later.
void splitBlocks(uint32_t key, uint32_t mask, const uint32_t *rowLen,
                 uint32_t rows, std::vector<PopTableEntry> &out, uint32_t start,
                 unsigned bits) {
  uint32_t lo = start;
  uint32_t hi = uint32_t(
      std::min<uint64_t>(rows, uint64_t(start) + (uint64_t(1) << bits)));
  if (lo >= hi)
    return;
  uint64_t used = 0;
  uint32_t longest = 0;
  for (uint32_t r = lo; r < hi; ++r) {
    used += rowLen[r] ? rowLen[r] : kernel::kRowHeaderWords;
    longest = std::max(longest, rowLen[r]);
  }
  if (!longest)
    return;
  uint64_t padded = uint64_t(longest) * (hi - lo);
  if (bits == 0 || padded <= 2 * used) {
    PopTableEntry t;
    t.key = key | lo;
    t.mask = mask | (~mask & ~uint32_t((uint64_t(1) << bits) - 1));
    t.rowStride = longest;
    t.numRows = hi - lo;
    out.push_back(t);
    return;
  }
  splitBlocks(key, mask, rowLen, rows, out, start, bits - 1);
  splitBlocks(key, mask, rowLen, rows, out, start + (uint32_t(1) << (bits - 1)),
              bits - 1);
}

} // namespace

uint32_t Writer::countRows(const Slice &sl, Scratch &sc) const {
  sc.fixed.clear();
  sc.plastic.clear();
  uint32_t maxDelay = 1;
  for (unsigned pi : into[sl.population]) {
    const ProjectionData &d = projs[pi];
    const ConnectionList &l = *d.list;
    unsigned prePop = n.projections[d.index].pre;
    const std::vector<uint32_t> &sliceOf = s.partition.sliceOf[prePop];
    const std::vector<uint32_t> &localOf = s.partition.localIndex[prePop];
    for (uint32_t post : sl.neurons)
      for (uint64_t i = d.start[post]; i < d.start[post + 1]; ++i) {
        uint32_t pre = l.pre[i], src = sliceOf[pre];
        int32_t &e = sc.entryOfSlice[src];
        if (e < 0) {
          e = int32_t(sc.sources.size());
          sc.sources.push_back(src);
          sc.base.push_back(uint32_t(sc.fixed.size()));
          size_t rows =
              sc.fixed.size() + s.partition.slices[src].neurons.size();
          sc.fixed.resize(rows, 0);
          sc.plastic.resize(rows, 0);
        }
        uint32_t row = sc.base[e] + localOf[pre];
        ++(d.plastic ? sc.plastic : sc.fixed)[row];
        if (!l.delays.empty())
          maxDelay = std::max(
              maxDelay, synapseDelayTicks(n, n.projections[d.index], l, i));
        else
          maxDelay = std::max(maxDelay, d.delay);
      }
  }
  return maxDelay;
}

/// The population table of the rows pass 1 counted: each source slice's
/// rows are split into aligned power-of-two blocks of its key space, each
/// padded to its own longest row (splitRowBlocks); blocks without synapses
/// get no entry. Sets \p rowLen (words of each row, 0: no synapses),
/// \p words (of the synaptic matrix) and sc.rowAt (each non-empty row's
/// first word).
std::vector<PopTableEntry> Writer::layOutRows(Scratch &sc,
                                              std::vector<uint32_t> &rowLen,
                                              uint64_t &words) const {
  size_t numSources = sc.sources.size();
  std::vector<PopTableEntry> table;
  rowLen.assign(sc.fixed.size(), 0);
  for (size_t r = 0; r < rowLen.size(); ++r)
    rowLen[r] = sc.fixed[r] || sc.plastic[r]
                    ? kernel::rowWords(sc.fixed[r], sc.plastic[r])
                    : 0;
  for (uint32_t e = 0; e < numSources; ++e) {
    const KeySpace &k = s.keys.slices[sc.sources[e]];
    uint32_t rows = uint32_t(s.partition.slices[sc.sources[e]].neurons.size());
    splitRowBlocks(k.key, k.mask, ArrayRef<uint32_t>(&rowLen[sc.base[e]], rows),
                   table);
  }
  std::sort(table.begin(), table.end(),
            [](const PopTableEntry &a, const PopTableEntry &b) {
              return a.key < b.key;
            });
  // Word offset of every non-empty row.
  sc.rowAt.assign(sc.fixed.size(), 0);
  words = 0;
  for (PopTableEntry &t : table) {
    t.rowOffset = uint32_t(std::min<uint64_t>(words, UINT32_MAX));
    words += uint64_t(t.rowStride) * t.numRows;
  }
  if (words > UINT32_MAX / 4)
    return table; // too big: the caller reports it
  for (uint32_t e = 0; e < numSources; ++e) {
    const KeySpace &k = s.keys.slices[sc.sources[e]];
    uint32_t rows = uint32_t(s.partition.slices[sc.sources[e]].neurons.size());
    for (uint32_t r = 0; r < rows; ++r) {
      if (!rowLen[sc.base[e] + r])
        continue;
      uint32_t key = k.key | r;
      // The entry whose block holds the row: the last with key <= key.
      auto it = std::upper_bound(
          table.begin(), table.end(), key,
          [](uint32_t v, const PopTableEntry &t) { return v < t.key; });
      const PopTableEntry &t = *(it - 1);
      sc.rowAt[sc.base[e] + r] =
          t.rowOffset + uint64_t(key & ~t.mask) * t.rowStride;
    }
  }
  return table;
}

/// Pass 2: the synaptic matrix (\p words words) of slice \p sl. Row headers
/// first, then every synapse in (post, projection, list) order.
std::vector<uint32_t> Writer::writeRows(const Slice &sl, Scratch &sc,
                                        const std::vector<uint32_t> &rowLen,
                                        uint64_t words,
                                        uint32_t indexBits) const {
  uint32_t count = uint32_t(sl.neurons.size());
  std::vector<uint32_t> mat(words, 0);
  sc.fixedAt.assign(sc.fixed.size(), 0);
  sc.plasticAt.assign(sc.fixed.size(), 0);
  // Row headers (empty rows inside a block keep their zero header).
  for (size_t r = 0; r < rowLen.size(); ++r)
    if (rowLen[r]) {
      mat[sc.rowAt[r] + kernel::kRowFixedCountWord] = sc.fixed[r];
      mat[sc.rowAt[r] + kernel::kRowPlasticCountWord] = sc.plastic[r];
    }
  for (unsigned pi : into[sl.population]) {
    const ProjectionData &d = projs[pi];
    const ConnectionList &l = *d.list;
    const Projection &proj = n.projections[d.index];
    const std::vector<uint32_t> &sliceOf = s.partition.sliceOf[proj.pre];
    const std::vector<uint32_t> &localOf = s.partition.localIndex[proj.pre];
    for (uint32_t local = 0; local < count; ++local) {
      uint32_t post = sl.neurons[local];
      for (uint64_t i = d.start[post]; i < d.start[post + 1]; ++i) {
        uint32_t pre = l.pre[i];
        uint32_t e = uint32_t(sc.entryOfSlice[sliceOf[pre]]);
        uint32_t row = sc.base[e] + localOf[pre];
        uint64_t at = sc.rowAt[row];
        uint32_t delay =
            l.delays.empty() ? d.delay : synapseDelayTicks(n, proj, l, i);
        uint32_t control =
            kernel::synapticControl(delay, d.type, local, indexBits);
        uint16_t w = d.qSyn.empty() ? d.q[l.element(i)] : d.qSyn[i];
        uint32_t np = sc.plastic[row];
        if (d.plastic) {
          uint64_t weights = at + kernel::kRowPlasticWeightsWord;
          uint64_t controls = weights + kernel::halfWordWords(np);
          uint32_t k = sc.plasticAt[row]++;
          kernel::setHalfWord(&mat[weights], k, w);
          kernel::setHalfWord(&mat[controls], k, uint16_t(control));
        } else {
          // The fixed words follow the header and the plastic part.
          uint64_t fixedStart = at + kernel::rowWords(0, np);
          mat[fixedStart + sc.fixedAt[row]++] =
              kernel::synapticWord(w, control);
        }
      }
    }
  }
  return mat;
}

void scnc::splitRowBlocks(uint32_t key, uint32_t mask,
                          ArrayRef<uint32_t> rowLen,
                          std::vector<PopTableEntry> &out) {
  unsigned bits = 0;
  while (bits < 32 && (uint64_t(1) << bits) < uint64_t(~mask) + 1)
    ++bits;
  splitBlocks(key, mask, rowLen.data(), uint32_t(rowLen.size()), out, 0, bits);
}
