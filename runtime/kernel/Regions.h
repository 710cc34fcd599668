//===- Regions.h - A core's regions, as the core reads them -----*- C++ -*-===//
//
// The data a core is loaded with is the image's core section
// (docs/image-format.md, "Core"): a region table (`u32 count`, then per
// region `{u32 id, u32 offset, u32 size}`) and the regions. On a board the
// loader writes the section into the core's SDRAM and puts its address in
// the core's vcpu user0 word (as sPyNNaker's loader does with its region
// table); the core program (runtime/arm) decodes it with these functions,
// and so does the host emulator, so both start from the same decoding.
//
// Decoding trusts the image reader's checks (lib/Image/Reader.cpp) but
// never reads past a region: a region too small for what it must hold
// makes the decoder return false. Integer only, no allocation: the
// configuration points into the regions.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_REGIONS_H
#define SCNC_RUNTIME_KERNEL_REGIONS_H

#include "kernel/Kernel.h"
#include <cstdint>

namespace scnc {
namespace kernel {

/// Region ids (docs/image-format.md, "Core regions").
namespace region {
enum : uint32_t {
  System = 0,
  NeuronKeys = 1,
  NeuronParams = 2,
  NeuronIds = 3,
  SynapseParams = 4,
  PopulationTable = 5,
  SynapticMatrix = 6,
  StdpParams = 7,
  Recording = 8,
  SpikeSource = 9,
  NeuronState = 10,
  /// The compiler's predicted worst tick (scncc --profile); only read by
  /// host tools (scnc-run --stats, scnc-objdump), a core ignores it.
  LoadPrediction = 11,
  /// Per local neuron the index (u16) of its set in the neuron-params
  /// region; only on cores whose neurons have different parameters.
  NeuronParamIndex = 12,
  Count = 13
};
} // namespace region

/// System-region flags.
enum : uint32_t { kSystemInputCore = 1, kSystemPlastic = 2 };
/// Words of the neuron-params region: 12 for IF_curr_exp, 16 for the NIR
/// models (then also model, flags, bias and a reserved 0).
constexpr uint32_t kNeuronParamWords = 12;
constexpr uint32_t kNeuronParamWordsNir = 16;
/// Bytes of an encoder parameter's name in the spike-source region.
constexpr uint32_t kSourceParamNameWords = 4;

/// Where each region of a core section is (null, 0 words: absent).
/// The recording buffer a board's loader gives a core (vcpu user2;
/// docs/board.md): per tick the spike bitmap ((n + 31) / 32 words, bit i of
/// word i / 32 for local neuron i) and, when the core records voltages, n
/// S16.15 voltages; after the last tick the core's counters: packets
/// received and synaptic events, each as a low and a high word.
constexpr uint32_t recordingTickWords(uint32_t neurons, bool voltage) {
  return (neurons + 31) / 32 + (voltage ? neurons : 0);
}
constexpr uint32_t kRecordingTrailerWords = 4;

struct CoreRegions {
  const uint32_t *base[region::Count] = {};
  uint32_t words[region::Count] = {};
};

/// The system region.
struct CoreSystem {
  uint32_t timestepUs = 0, numNeurons = 0, population = 0, numTicks = 0,
           flags = 0;
};

/// The region table of the core section at \p section (\p words words).
bool findRegions(const uint32_t *section, uint32_t words, CoreRegions &r);
bool decodeSystem(const CoreRegions &r, CoreSystem &s);
/// A neuron core's configuration, pointing into the regions (population
/// table, matrix, initial states, STDP decay tables). recordVoltage comes
/// from the recording region; plasticMatrix is left for the loader.
bool decodeNeuronCore(const CoreRegions &r, NeuronCoreConfig &cfg);
/// A spike-source core's configuration, its spike array in the region.
bool decodeSourceCore(const CoreRegions &r, SourceCoreConfig &cfg);

} // namespace kernel
} // namespace scnc

#endif
