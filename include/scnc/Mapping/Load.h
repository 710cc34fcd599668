//===- Load.h - A slice's cycles per tick, predicted --------------*- C++
//-*-===//
//
// The compiler budgets time as well as memory (docs/mapping.md, "Real
// time"): for a measured activity profile (every population's spikes, tick
// by tick, from a previous `scnc-run -o RUN`) it predicts each slice's
// cycles in every tick with the one cycle model (kernel/CycleModel.h), and
// the partitioner lowers a population's neurons-per-core limit until every
// slice's worst tick fits the budget with a margin.
//
// The prediction of a slice's tick t, for the spikes of tick t (packets are
// processed in the tick they are sent in, docs/execution.md):
//   perTick + perNeuron * neurons (every neuron counted as updated: an upper
//   bound; a quiet neuron costs less) + perSpike * its own spikes
//   + per packet: perPacket + perSearch + perSearchStep * ceil(log2(E + 1))
//   (every packet charged a search; E: the slice's source slices, an
//   estimate of its population-table entries) + perEvent * synapses reached,
// where a packet is a spike of a neuron with at least one synapse on the
// slice (the deliveries a per-target routing gives).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_LOAD_H
#define SCNC_MAPPING_LOAD_H

#include "kernel/CycleModel.h"
#include "scnc/Mapping/Partition.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <vector>

namespace scnc {

struct Network;

/// Every population's spikes over `ticks` ticks, per tick (CSR by tick).
struct ActivityProfile {
  uint32_t ticks = 0;
  /// Per population: offsets (ticks + 1) into `neurons`, the neurons that
  /// spike in each tick.
  struct Population {
    std::vector<uint64_t> offsets;
    std::vector<uint32_t> neurons;
  };
  std::vector<Population> populations;
};

/// Builds a profile from per-population (tick, neuron) pairs in any order;
/// duplicates are merged. `spikes[p]` must name neurons of population p and
/// ticks below `ticks`.
ActivityProfile makeActivityProfile(
    uint32_t ticks,
    const std::vector<std::vector<std::pair<uint32_t, uint32_t>>> &spikes);

/// Reads a run directory written by `scnc-run -o RUN` (summary.json and one
/// `<layer>.spikes.npy` per population of \p n): the layers must be \p n's,
/// with its sizes and time step. Errors name the file.
llvm::Expected<ActivityProfile> readActivityProfile(llvm::StringRef dir,
                                                    const Network &n);

/// Per population the mean rate (Hz) the estimate without a profile budgets
/// for: its `expected_rate`, else the default (docs/mapping.md, "Real time
/// without a profile"): an input population's from its encoding (poisson:
/// max_rate; rate: max_spikes in the input window; latency: one spike in
/// t_max), any other's the mean rate of the neurons its synapses come from
/// (weighted by synapse counts: a neuron fires about as often as a typical
/// input), 0 without incoming synapses.
std::vector<double> expectedRates(const Network &n);

/// The worst tick expected of independent (Poisson) spiking at \p ratesHz:
/// a mean of lambda spikes per tick peaks at about lambda + 3 sqrt(lambda).
double poissonPeak(double lambda);

/// A slice's predicted worst tick.
struct SliceLoad {
  uint64_t peakCycles = 0;
  uint32_t peakTick = 0;
  /// The most synaptic events and packets in one tick.
  uint64_t peakEvents = 0, peakPackets = 0;
};

/// The prediction for every slice of \p p (see the file comment);
/// `threads` host threads, the result does not depend on them.
std::vector<SliceLoad> predictSliceLoads(const Network &n, const Partition &p,
                                         const ActivityProfile &a,
                                         const kernel::CycleModel &m,
                                         unsigned threads = 1);

/// The estimate without a profile, for every slice of \p p: the cycles of
/// the file comment with each count at its Poisson peak (poissonPeak of
/// its mean per tick at \p ratesHz); synaptic events grow with the packets
/// (the peak's packets times the mean synapses per packet). peakTick is 0.
std::vector<SliceLoad> estimateSliceLoads(const Network &n, const Partition &p,
                                          const std::vector<double> &ratesHz,
                                          const kernel::CycleModel &m);

} // namespace scnc

#endif
