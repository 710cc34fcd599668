//===- Keys.h - Multicast key allocation ------------------------*- C++ -*-===//
//
// Every slice (one core's neurons of one population) sends spikes as
// multicast packets whose 32-bit key is structured, as PACMAN's zoned
// allocator does:
//
//   | population (P bits) | slice within population (S bits) | neuron (N bits)
//   |
//
// N and S are the same for every population (fields aligned globally), so all
// slices of a population share the population's prefix and their routes can
// merge into one entry where they take the same way. A slice's key space is
// (key, mask) with mask = ~(2^N - 1).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_KEYS_H
#define SCNC_MAPPING_KEYS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

/// What key allocation needs to know of a slice.
struct SliceRef {
  unsigned population = 0;
  uint32_t neurons = 0;
};

struct KeySpace {
  uint32_t key = 0, mask = 0;
  /// Key of neuron i of the slice.
  uint32_t neuronKey(uint32_t i) const { return key | i; }
  /// Number of keys the space holds.
  uint64_t size() const { return uint64_t(~mask) + 1; }
};

struct KeyAllocation {
  unsigned populationBits = 0, sliceBits = 0, neuronBits = 0;
  /// Per slice, in the order given.
  std::vector<KeySpace> slices;
  /// Per population: the prefix shared by all its slices.
  std::vector<KeySpace> populations;
};

/// Allocates keys for slices given in (population, slice) order: the k-th
/// slice of a population gets slice number k, or `numbers[k]` when given
/// (Partition::numbers: distinct within a population, gaps allowed; when
/// the gaps would take the fields past 32 bits, each population's slices
/// are numbered densely in the numbers' order). Fails when the three fields
/// need more than 32 bits, naming the widths.
llvm::Expected<KeyAllocation>
allocateKeys(unsigned numPopulations, llvm::ArrayRef<SliceRef> slices,
             llvm::ArrayRef<uint32_t> numbers = {});

/// Checks that no two key spaces overlap and that every slice's neurons fit
/// its space; one message per problem.
std::vector<std::string> verifyKeys(const KeyAllocation &a,
                                    llvm::ArrayRef<SliceRef> slices);

/// Stable text: field widths, then per slice its key and mask in hex.
void printKeys(const KeyAllocation &a, llvm::ArrayRef<SliceRef> slices,
               llvm::raw_ostream &os);

} // namespace scnc

#endif
