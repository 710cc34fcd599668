//===- Resources.h - The partitioner's view of a core's memory --*- C++ -*-===//
//
// The host side of the one resource model (runtime/kernel/Resources.h): what
// a population's cores need of DTCM, computed from the kernel's types, and
// the neurons-per-core limit that makes a full slice fit. The image writer
// checks every core with the same model once it knows the regions the
// kernel keeps in DTCM (population table, parameters, STDP tables), for
// which the partitioner sets a fixed reserve aside. docs/mapping.md,
// "Resources".
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_RESOURCES_H
#define SCNC_MAPPING_RESOURCES_H

#include "kernel/Resources.h"
#include <cstdint>

namespace scnc {

struct Network;

namespace resources = kernel::resources;

/// What the resource model needs to know of a population's cores.
struct CoreKind {
  bool input = false;
  /// A target of a plastic projection (keeps post-spike histories).
  bool plastic = false;
  /// Ring-buffer delay bits for the population's longest incoming delay.
  uint32_t delayBits = 1;
  /// A population whose neuron set has per-neuron values: its distinct
  /// parameter sets (a core keeps at most that many, and at most one per
  /// neuron, in DTCM with a per-neuron index); 0 otherwise.
  uint64_t paramSets = 0;
};
CoreKind coreKindOf(const Network &n, unsigned pop);

/// DTCM the partitioner budgets for a core holding \p neurons neurons of a
/// population of kind \p k: its core program's static DTCM, on a neuron core
/// kRegionReserveDTCMBytes, and the kernel's arrays with recorded voltages
/// (a core must fit with or without scncc --record-v).
uint64_t sliceDTCMBytes(const CoreKind &k, uint64_t neurons);

/// The neurons-per-core limit of population `pop`: its neurons_per_core,
/// lowered so that a full slice fits DTCM (sliceDTCMBytes).
uint32_t effectiveNeuronLimit(const Network &n, unsigned pop);

} // namespace scnc

#endif
