//===- WindowSources.h - A window's sources from its geometry ---*- C++ -*-===//
//
// Private to lib/Mapping. expand-connections makes a convolution's or
// pool's synapses from the window geometry alone (every in-bounds window
// element of every output, whatever its weight), so the distinct sources
// of a set of outputs and their synapse count follow from the geometry
// too, without reading the 10^8 entries of the lists: partitionStats,
// incomingVolume and the slice graph use this for windowed projections.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LIB_MAPPING_WINDOWSOURCES_H
#define SCNC_LIB_MAPPING_WINDOWSOURCES_H

#include "scnc/IR/Network.h"
#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <vector>

namespace scnc {
namespace partitioning {

/// The sources of windowed projection `p` (a convolution or pool) for sets
/// of its outputs. Holds stamps over the source and output maps: one
/// object per thread.
class WindowSources {
public:
  WindowSources(const Network &n, const Projection &p);

  /// Calls \p fn(source) once for every distinct source neuron with a
  /// synapse onto one of \p posts (output neuron indices, any order);
  /// returns the number of synapses onto them.
  template <typename Fn>
  uint64_t forEach(llvm::ArrayRef<uint32_t> posts, Fn fn) {
    if (++epoch == 0) { // wrapped: every stamp is stale again
      std::fill(posStamp.begin(), posStamp.end(), 0);
      std::fill(srcStamp.begin(), srcStamp.end(), 0);
      epoch = 1;
    }
    uint64_t synapses = 0;
    for (uint32_t post : posts) {
      uint32_t m = uint32_t(post / planeOut);
      uint64_t pos = post % planeOut;
      uint32_t oy = uint32_t(pos / outW), ox = uint32_t(pos % outW);
      const Range &ry = rows[oy], &rx = cols[ox];
      const std::vector<uint32_t> &chans = sets[setOf[m]];
      synapses += uint64_t(ry.hi - ry.lo) * (rx.hi - rx.lo) * chans.size();
      // Outputs at one position with one channel set read the same sources.
      uint32_t &ps = posStamp[uint64_t(setOf[m]) * planeOut + pos];
      if (ps == epoch)
        continue;
      ps = epoch;
      for (uint32_t y = ry.lo; y < ry.hi; ++y)
        for (uint32_t x = rx.lo; x < rx.hi; ++x)
          for (uint32_t c : chans) {
            uint64_t src = c * planeIn + uint64_t(y) * inW + x;
            if (srcStamp[src] != epoch) {
              srcStamp[src] = epoch;
              fn(uint32_t(src));
            }
          }
    }
    return synapses;
  }

private:
  struct Range {
    uint32_t lo = 0, hi = 0; ///< [lo, hi)
  };
  std::vector<Range> rows, cols; ///< per output row / column
  /// Distinct source-channel sets and each output map's set.
  std::vector<std::vector<uint32_t>> sets;
  std::vector<uint32_t> setOf;
  uint64_t planeIn = 0, planeOut = 0;
  uint32_t inW = 0, outW = 0;
  std::vector<uint32_t> posStamp, srcStamp;
  uint32_t epoch = 0;
};

} // namespace partitioning
} // namespace scnc

#endif
