//===- Keys.cpp - Zoned multicast key allocation --------------------------===//
#include "scnc/Mapping/Keys.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>

using namespace scnc;
using namespace llvm;

/// Bits to number `count` distinct values (0 for one or none).
static unsigned bitsFor(uint64_t count) {
  return count <= 1 ? 0 : Log2_64_Ceil(count);
}

Expected<KeyAllocation> scnc::allocateKeys(unsigned numPopulations,
                                           ArrayRef<SliceRef> slices,
                                           ArrayRef<uint32_t> numbers) {
  KeyAllocation a;
  if (!numbers.empty() && numbers.size() != slices.size())
    return createStringError(inconvertibleErrorCode(),
                             "%zu slice numbers for %zu slices", numbers.size(),
                             slices.size());
  // Per population, the slice numbers used (the largest + 1).
  std::vector<uint32_t> perPopulation(numPopulations, 0);
  uint32_t maxNeurons = 0;
  for (size_t i = 0; i < slices.size(); ++i) {
    const SliceRef &s = slices[i];
    if (s.population >= numPopulations)
      return createStringError(inconvertibleErrorCode(),
                               "slice of unknown population %u", s.population);
    uint32_t &used = perPopulation[s.population];
    used = numbers.empty() ? used + 1 : std::max(used, numbers[i] + 1);
    maxNeurons = std::max(maxNeurons, s.neurons);
  }
  uint32_t maxSlices = 0;
  for (uint32_t c : perPopulation)
    maxSlices = std::max(maxSlices, c);
  a.neuronBits = bitsFor(maxNeurons);
  a.sliceBits = bitsFor(maxSlices);
  a.populationBits = bitsFor(numPopulations);
  unsigned total = a.neuronBits + a.sliceBits + a.populationBits;
  if (total > 32 && !numbers.empty()) {
    // The numbers' gaps cost the bits: number each population's slices
    // densely in the numbers' order instead.
    std::vector<uint32_t> order(slices.size()), ranks(slices.size());
    for (uint32_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      return numbers[x] < numbers[y];
    });
    std::vector<uint32_t> next(numPopulations, 0);
    for (uint32_t i : order)
      ranks[i] = next[slices[i].population]++;
    return allocateKeys(numPopulations, slices, ranks);
  }
  if (total > 32)
    return createStringError(
        inconvertibleErrorCode(),
        "keys need %u bits (%u for %u populations, %u for up to %u slices per "
        "population, %u for up to %u neurons per slice), more than the 32 of "
        "a multicast key; use more neurons per core or fewer populations",
        total, a.populationBits, numPopulations, a.sliceBits, maxSlices,
        a.neuronBits, maxNeurons);
  unsigned sliceShift = a.neuronBits;
  unsigned popShift = a.neuronBits + a.sliceBits;
  auto maskAbove = [](unsigned shift) -> uint32_t {
    return shift >= 32 ? 0u : ~((uint32_t(1) << shift) - 1);
  };
  a.populations.resize(numPopulations);
  for (unsigned p = 0; p < numPopulations; ++p)
    a.populations[p] = KeySpace{popShift >= 32 ? 0u : uint32_t(p) << popShift,
                                maskAbove(popShift)};
  std::vector<uint32_t> next(numPopulations, 0);
  a.slices.reserve(slices.size());
  for (size_t i = 0; i < slices.size(); ++i) {
    const SliceRef &s = slices[i];
    uint32_t k = numbers.empty() ? next[s.population]++ : numbers[i];
    uint32_t key = a.populations[s.population].key |
                   (sliceShift >= 32 ? 0u : k << sliceShift);
    a.slices.push_back(KeySpace{key, maskAbove(sliceShift)});
  }
  return a;
}

std::vector<std::string> scnc::verifyKeys(const KeyAllocation &a,
                                          ArrayRef<SliceRef> slices) {
  std::vector<std::string> problems;
  if (a.slices.size() != slices.size()) {
    problems.push_back("key spaces and slices differ in number");
    return problems;
  }
  // With prefix masks (ones then zeros) and keys aligned to them, spaces are
  // aligned intervals, nested or disjoint, so any overlap shows up between
  // neighbours in key order.
  std::vector<unsigned> order(a.slices.size());
  for (unsigned i = 0; i < order.size(); ++i) {
    const KeySpace &k = a.slices[i];
    if (!isMask_32(~k.mask) && k.mask != 0xFFFFFFFFu)
      problems.push_back("slice " + std::to_string(i) +
                         ": mask is not a prefix mask");
    if (k.key & ~k.mask)
      problems.push_back("slice " + std::to_string(i) +
                         ": key has bits outside its mask");
    if (slices[i].neurons > k.size())
      problems.push_back("slice " + std::to_string(i) + ": " +
                         std::to_string(slices[i].neurons) +
                         " neurons do not fit " + std::to_string(k.size()) +
                         " keys");
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](unsigned x, unsigned y) {
    return a.slices[x].key < a.slices[y].key;
  });
  for (size_t j = 1; j < order.size(); ++j) {
    const KeySpace &p = a.slices[order[j - 1]], &q = a.slices[order[j]];
    // Two spaces share a key iff they agree on every bit both masks fix.
    if (((p.key ^ q.key) & p.mask & q.mask) == 0)
      problems.push_back("slices " + std::to_string(order[j - 1]) + " and " +
                         std::to_string(order[j]) +
                         " have overlapping key spaces");
  }
  return problems;
}

void scnc::printKeys(const KeyAllocation &a, ArrayRef<SliceRef> slices,
                     raw_ostream &os) {
  os << "keys: " << a.populationBits << " population bits, " << a.sliceBits
     << " slice bits, " << a.neuronBits << " neuron bits\n";
  for (size_t i = 0; i < a.slices.size(); ++i)
    os << "  slice " << i << " population " << slices[i].population
       << " neurons " << slices[i].neurons << " key "
       << format_hex(a.slices[i].key, 10) << " mask "
       << format_hex(a.slices[i].mask, 10) << "\n";
}
