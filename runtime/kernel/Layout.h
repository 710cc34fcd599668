//===- Layout.h - Layouts shared by the image and the kernel ----*- C++ -*-===//
//
// How a neuron core's population table and synaptic matrix are laid out in
// its SDRAM (docs/image-format.md, "Population table" and "Synaptic
// matrix"): the image writer lays them out, the image reader checks them,
// the kernel reads them as they are. Integer only and header-only, like the
// rest of kernel/.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_LAYOUT_H
#define SCNC_RUNTIME_KERNEL_LAYOUT_H

#include <cstdint>

namespace scnc {
namespace kernel {

/// A master population table entry, as the image stores it (five
/// little-endian words in this order): packets whose key k has (k & mask)
/// == key come from a block of `numRows` source neurons; the row of source
/// neuron `k & ~mask` starts `rowOffset + (k & ~mask) * rowStride` words
/// into the synaptic matrix.
struct PopEntry {
  uint32_t key = 0, mask = 0, rowOffset = 0, rowStride = 0, numRows = 0;
};
/// Bytes of a population-table entry.
constexpr uint32_t kPopEntryBytes = 20;
static_assert(sizeof(PopEntry) == kPopEntryBytes, "five words, no padding");

/// A synaptic row: a header of kRowHeaderWords words (fixed count, plastic
/// count); with plastic synapses their part (a header of
/// kPlasticHeaderWords words: the tick of the row's last pre-synaptic spike
/// and its pre-synaptic trace, then the 16-bit weights and the 16-bit
/// controls, two to a word, the first in the low half); then the fixed
/// synaptic words.
constexpr uint32_t kRowHeaderWords = 2;
constexpr uint32_t kPlasticHeaderWords = 2;
/// Word offsets in a row: its counts, its plastic header, its plastic
/// weights.
constexpr uint32_t kRowFixedCountWord = 0;
constexpr uint32_t kRowPlasticCountWord = 1;
constexpr uint32_t kRowLastPreWord = kRowHeaderWords;
constexpr uint32_t kRowPreTraceWord = kRowHeaderWords + 1;
constexpr uint32_t kRowPlasticWeightsWord =
    kRowHeaderWords + kPlasticHeaderWords;

/// Words that hold \p n 16-bit halves, two to a word.
constexpr uint32_t halfWordWords(uint32_t n) { return (n + 1) / 2; }

/// Half \p i of an array of 16-bit halves packed two to a word.
inline uint32_t halfWord(const uint32_t *words, uint32_t i) {
  return (words[i / 2] >> (16 * (i & 1))) & 0xFFFF;
}
/// Sets half \p i to \p v.
inline void setHalfWord(uint32_t *words, uint32_t i, uint16_t v) {
  unsigned shift = 16 * (i & 1);
  words[i / 2] =
      (words[i / 2] & ~(uint32_t(0xFFFF) << shift)) | (uint32_t(v) << shift);
}

/// The stdp-params region's first word (docs/image-format.md): the weight
/// dependence in its low half (0 additive, 1 multiplicative), the rule's
/// winners per tick in its high half (0: no limit).
constexpr uint32_t stdpFirstWord(uint32_t dependence, uint32_t winnersPerTick) {
  return (dependence & 0xFFFF) | winnersPerTick << 16;
}
constexpr uint32_t stdpDependence(uint32_t firstWord) {
  return firstWord & 0xFFFF;
}
constexpr uint32_t stdpWinnersPerTick(uint32_t firstWord) {
  return firstWord >> 16;
}

/// Words a row with \p fixed static and \p plastic plastic synapses takes.
constexpr uint32_t rowWords(uint32_t fixed, uint32_t plastic) {
  return kRowHeaderWords + fixed +
         (plastic ? kPlasticHeaderWords + 2 * halfWordWords(plastic) : 0);
}

/// A synapse's control half-word: delay << (indexBits + 1) | type <<
/// indexBits | target (type 0 excitatory, 1 inhibitory). The delay field is
/// the rest of the 16 bits (delayBits wide, ring buffers of 2^delayBits
/// slots).
constexpr uint32_t synapticControl(uint32_t delay, uint32_t type,
                                   uint32_t target, uint32_t indexBits) {
  return (delay << (indexBits + 1)) | (type << indexBits) | target;
}
constexpr uint32_t controlTarget(uint32_t control, uint32_t indexBits) {
  return control & ((uint32_t(1) << indexBits) - 1);
}
constexpr uint32_t controlType(uint32_t control, uint32_t indexBits) {
  return (control >> indexBits) & 1;
}
constexpr uint32_t controlDelay(uint32_t control, uint32_t indexBits) {
  return control >> (indexBits + 1);
}

/// A fixed synaptic word: the weight (ring-buffer units) in the high half,
/// the control in the low half.
constexpr uint32_t synapticWord(uint16_t weight, uint32_t control) {
  return (uint32_t(weight) << 16) | control;
}
constexpr uint32_t wordWeight(uint32_t word) { return word >> 16; }
constexpr uint32_t wordControl(uint32_t word) { return word & 0xFFFF; }

} // namespace kernel
} // namespace scnc

#endif
