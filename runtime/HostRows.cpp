//===- HostRows.cpp - Static rows' runs of targets, a vector at a time ----===//
//
// The kernel adds a row's synaptic words one by one: ring[(word + t') &
// mask] += word >> 16 (kernel/Kernel.cpp, processRow). A convolution's rows
// mostly address runs of consecutive ring slots: the targets of one input
// pixel are the filters of neighbouring positions, which are neighbours on
// the core. For a core without plastic synapses the emulator finds those
// runs once, at start: words whose low 16 bits (delay, type and target)
// go up by one, within one delay and type. A run's slots are then
// ring[base .. base + length) for base = (first word + t') & mask, and its
// weights are added eight or sixteen at a time. Words outside runs are
// added one by one, in order, as the kernel does, so a slot addressed by
// two words gets both (in any order: the host ring adds without
// saturating, Kernel.h). The ring's contents, the counters and every
// clamp are the kernel's: kernel::processRow calls this path for a whole
// row, after its own clamp check, only when the row has a plan.
//
//===----------------------------------------------------------------------===//
#include "EmulatorInternal.h"
#include "kernel/Kernel.h"
#include "kernel/Layout.h"

#include "HostVector.h"

using namespace scnc;
using namespace scnc::kernel;

namespace {

/// A run shorter than this is added word by word.
constexpr uint32_t kMinRun = 8;

struct RowPlan : HostRows {
  std::vector<uint32_t> first;
  /// Per row (and one past the last): where its runs start in runs.
  std::vector<uint32_t> rowRuns;
  /// (first word, length) pairs, in word order.
  std::vector<uint32_t> runs;
};

inline void addWord(RingSlot *ring, uint32_t mask, uint32_t tOff,
                    uint32_t word) {
  ring[(word + tOff) & mask] += wordWeight(word);
}

/// Adds row \p row's words, each run with \p Run.
template <void (*Run)(RingSlot *, const uint32_t *, uint32_t)>
inline bool addRow(const HostRows &h, RingSlot *ring, uint32_t mask,
                   uint32_t tOff, uint32_t row, const uint32_t *w, uint32_t n) {
  const RowPlan &p = static_cast<const RowPlan &>(h);
  uint32_t a = p.rowRuns[row], b = p.rowRuns[row + 1];
  if (a == b)
    return false;
  uint32_t pos = 0;
  for (uint32_t k = a; k < b; k += 2) {
    uint32_t begin = p.runs[k], len = p.runs[k + 1];
    for (; pos < begin; ++pos)
      addWord(ring, mask, tOff, w[pos]);
    Run(ring + ((w[begin] + tOff) & mask), w + begin, len);
    pos = begin + len;
  }
  for (; pos < n; ++pos)
    addWord(ring, mask, tOff, w[pos]);
  return true;
}

#ifdef SCNC_HOST_AVX2
SCNC_TARGET_AVX2 inline void runAvx2(RingSlot *dst, const uint32_t *src,
                                     uint32_t len) {
  uint32_t j = 0;
  for (; j + 8 <= len; j += 8) {
    __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(src + j));
    __m256i *d = reinterpret_cast<__m256i *>(dst + j);
    _mm256_storeu_si256(
        d, _mm256_add_epi32(_mm256_loadu_si256(d), _mm256_srli_epi32(s, 16)));
  }
  for (; j < len; ++j)
    dst[j] += wordWeight(src[j]);
}

SCNC_TARGET_AVX512 inline void runAvx512(RingSlot *dst, const uint32_t *src,
                                         uint32_t len) {
  uint32_t j = 0;
  for (; j + 16 <= len; j += 16) {
    __m512i s = _mm512_loadu_si512(src + j);
    _mm512_storeu_si512(dst + j, _mm512_add_epi32(_mm512_loadu_si512(dst + j),
                                                  _mm512_srli_epi32(s, 16)));
  }
  if (j < len) {
    __mmask16 m = __mmask16((1u << (len - j)) - 1);
    __m512i s = _mm512_maskz_loadu_epi32(m, src + j);
    __m512i d = _mm512_maskz_loadu_epi32(m, dst + j);
    _mm512_mask_storeu_epi32(dst + j, m,
                             _mm512_add_epi32(d, _mm512_srli_epi32(s, 16)));
  }
}

SCNC_TARGET_AVX2 bool addAvx2(const HostRows &h, RingSlot *ring, uint32_t mask,
                              uint32_t tOff, uint32_t row, const uint32_t *w,
                              uint32_t n) {
  return addRow<runAvx2>(h, ring, mask, tOff, row, w, n);
}

SCNC_TARGET_AVX512 bool addAvx512(const HostRows &h, RingSlot *ring,
                                  uint32_t mask, uint32_t tOff, uint32_t row,
                                  const uint32_t *w, uint32_t n) {
  return addRow<runAvx512>(h, ring, mask, tOff, row, w, n);
}
#endif

} // namespace

std::unique_ptr<HostRows> emulator::planHostRows(const NeuronCore &core,
                                                 HostIsa most) {
  const NeuronCoreConfig &cfg = core.cfg;
  if (core.plasticMatrix)
    return nullptr;
  HostIsa isa = hostNeuronTickIsa(most);
  auto p = std::make_unique<RowPlan>();
#ifdef SCNC_HOST_AVX2
  if (isa == HostIsa::Avx512 || isa == HostIsa::Avx512vl)
    p->add = addAvx512;
  else if (isa == HostIsa::Avx2)
    p->add = addAvx2;
#endif
  if (!p->add)
    return nullptr;
  // Words with the same delay and type share the bits above the target.
  const uint32_t targetBits = cfg.indexBits;
  uint32_t rows = 0;
  bool anyRun = false;
  p->first.resize(cfg.popTableSize);
  p->rowRuns.push_back(0);
  for (uint32_t e = 0; e < cfg.popTableSize; ++e) {
    const PopEntry &pe = cfg.popTable[e];
    p->first[e] = rows;
    for (uint32_t r = 0; r < pe.numRows; ++r, ++rows) {
      const uint32_t *row =
          core.matrix + pe.rowOffset + uint64_t(r) * pe.rowStride;
      if (row[kRowPlasticCountWord])
        return nullptr; // a plastic part on a static core: the kernel's way
      const uint32_t n = row[kRowFixedCountWord];
      const uint32_t *w = row + kRowHeaderWords;
      for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        uint32_t low = wordControl(w[i]);
        while (j < n && wordControl(w[j]) == low + (j - i) &&
               (wordControl(w[j]) >> targetBits) == (low >> targetBits))
          ++j;
        if (j - i >= kMinRun) {
          p->runs.push_back(i);
          p->runs.push_back(j - i);
          anyRun = true;
        }
        i = j;
      }
      p->rowRuns.push_back(uint32_t(p->runs.size()));
    }
  }
  if (!anyRun)
    return nullptr;
  p->firstRow = p->first.data();
  return p;
}
