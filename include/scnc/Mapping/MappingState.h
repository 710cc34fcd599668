//===- MappingState.h - Results of the mapping passes -----------*- C++ -*-===//
//
// The mapping passes (partition, place, allocate-keys, route, build-tables,
// compress-tables) keep their results here; a compilation holds one beside
// its IR (scnc/Transforms/CompilationContext.h). Each pass sets its flag,
// so the next can say which pass is missing.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_MAPPINGSTATE_H
#define SCNC_MAPPING_MAPPINGSTATE_H

#include "scnc/Mapping/Keys.h"
#include "scnc/Mapping/Load.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Mapping/Placement.h"
#include "scnc/Mapping/SliceGraph.h"
#include "scnc/Mapping/Tables.h"

namespace scnc {

struct MappingState {
  /// `partition`: the slices, and the settings they were made with
  /// (partitioner and seed, which the report and the image header name).
  Partition partition;
  PartitionConfig partitionConfig;
  bool partitioned = false;
  /// With a profile (--profile): each slice's predicted worst tick and the
  /// cycle budget the partition was sized for (budgetCycles with the
  /// margin taken off); empty without one.
  std::vector<SliceLoad> loads;
  uint64_t budgetCycles = 0, loadBudgetCycles = 0;
  /// What the loads come from: "--profile" or "expected rates".
  std::string loadSource;

  /// `place`: per slice its population and size, and its (chip, core);
  /// the partition's communication volume and edge cut, measured there.
  std::vector<SliceRef> sliceRefs;
  Placement placement;
  uint64_t commVolume = 0, edgeCut = 0;
  /// Which slices send packets to which (buildSliceGraph), counted with
  /// the volume in the same pass; route uses it.
  SliceGraph sliceGraph;
  bool placed = false;
  /// `allocate-keys`
  KeyAllocation keys;
  bool keyed = false;
  /// `route`: one tree per slice that sends packets.
  std::vector<KeyedTree> trees;
  /// The slice each tree carries the packets of, and how many of its
  /// neurons (parallel to `trees`; with split routes a slice has a tree per
  /// block of its key space, splitByTargets).
  std::vector<uint32_t> treeSlices, treeNeurons;
  /// Split routes: the entry budget per chip they were fitted to (0 when
  /// one tree per slice), slices that send packets, and what fitting did.
  uint64_t splitBudget = 0;
  uint64_t sendingSlices = 0;
  SplitBudgetStats splitStats;
  bool routed = false;
  /// `build-tables` and `compress-tables`.
  std::vector<RoutingTable> tables, compressed;
  CompressionStats compression;
  bool tabled = false, compressedDone = false;
};

} // namespace scnc

#endif
