//===- MappingState.h - Mapping settings and results ----------*- C++ -*-===//
//
// The mapping passes (partition, and later placement, keys and routing
// tables) keep their settings and results here, in `Network::mapping`
// (shared, like the connection lists: copies of a Network do not copy it).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_MAPPINGSTATE_H
#define SCNC_MAPPING_MAPPINGSTATE_H

#include "scnc/Mapping/Keys.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Mapping/Placement.h"
#include "scnc/Mapping/Tables.h"

namespace scnc {

struct MappingState {
  /// Settings of the `partition` pass (a tool sets them before the pass
  /// runs; without a MappingState the pass uses the defaults and the
  /// network's seed). `threads` comes from the pass options.
  PartitionConfig partitionConfig;
  /// The result of the `partition` pass.
  Partition partition;
  bool partitioned = false;

  /// `place`: per slice its population and size, and its (chip, core);
  /// the partition's communication volume and edge cut, measured there.
  std::vector<SliceRef> sliceRefs;
  Placement placement;
  uint64_t commVolume = 0, edgeCut = 0;
  bool placed = false;
  /// `allocate-keys`
  KeyAllocation keys;
  bool keyed = false;
  /// `route`: one tree per slice that sends packets.
  std::vector<KeyedTree> trees;
  /// The slice each tree carries the packets of (parallel to `trees`).
  std::vector<uint32_t> treeSlices;
  bool routed = false;
  /// `build-tables` and `compress-tables`.
  std::vector<RoutingTable> tables, compressed;
  CompressionStats compression;
  bool tabled = false, compressedDone = false;
};

} // namespace scnc

#endif
