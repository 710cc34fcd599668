//===- Partition.h - Populations into core-sized slices ---------*- C++ -*-===//
//
// A core runs one slice: some neurons of one population. Partitioning splits
// every population into slices of at most its neurons-per-core limit (lowered
// where the slice would not fit DTCM), so that a spike reaches as few remote
// cores as possible: a multicast packet goes once to every core holding a
// target, so the cost of a spike is the number of distinct cores its targets
// sit on (the communication volume).
//
//  - `slices`: contiguous index ranges, as sPyNNaker/PACMAN split a
//    population; the baseline.
//  - `metis` (default): every population is coarsened to groups of neurons
//    that share their inputs (for a convolution: all channels at one spatial
//    position, or groups of them), the groups are joined by how many source
//    neurons they share, METIS k-way splits that graph, and a repair step
//    moves groups out of parts over the limit. docs/mapping.md has the
//    details and measured results.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_MAPPING_PARTITION_H
#define SCNC_MAPPING_PARTITION_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

struct SliceGraph;

struct Network;

/// One core's neurons: sorted indices (channel-major, docs/ir.md) of one
/// population.
struct Slice {
  unsigned population = 0;
  std::vector<uint32_t> neurons;
};

struct Partition {
  /// Ordered by (population, first neuron).
  std::vector<Slice> slices;
  /// Per population: neuron -> global slice index.
  std::vector<std::vector<uint32_t>> sliceOf;
  /// Per population: neuron -> its index inside its slice.
  std::vector<std::vector<uint32_t>> localIndex;
  /// Per population: the neurons-per-core limit the slices respect (its
  /// neurons_per_core, lowered where a full slice would overflow DTCM:
  /// effectiveNeuronLimit, Mapping/Resources.h).
  std::vector<uint32_t> limits;
  /// Per slice: its number within its population, which placement and key
  /// allocation follow (empty: its rank by first neuron). A population cut
  /// into boxes numbers its tiles by channel tile, then the Morton code of
  /// the tile's (row, column): every aligned 2^k x 2^k block of tiles is an
  /// aligned block of numbers, so the keys of neighbouring tiles that take
  /// one route merge into one routing entry, and placement puts such
  /// blocks on one chip. Distinct within a population; with gaps where a
  /// grid side is not a power of two (docs/mapping.md).
  std::vector<uint32_t> numbers;
};

/// Metis: METIS on groups of neurons that share inputs; Tiles: box
/// tilings of convolution and pooling layers where they apply, else METIS;
/// Best: per population whichever of the two moves fewer packets
/// (communication volume on the connection lists); Slices: contiguous
/// index ranges.
enum class PartitionerKind { Metis, Slices, Tiles, Best };
llvm::StringRef toString(PartitionerKind k);

/// What METIS minimises on the coarse affinity graph (docs/mapping.md
/// compares them): the weighted edge cut (METIS_OBJTYPE_CUT) or its
/// communication volume (METIS_OBJTYPE_VOL).
enum class MetisObjective { Cut, Volume };

struct PartitionConfig {
  PartitionerKind kind = PartitionerKind::Metis;
  /// METIS_OPTION_SEED: the same seed gives the same partition.
  uint64_t seed = 1;
  /// Populations are partitioned in parallel; the result does not depend on
  /// the thread count.
  unsigned threads = 1;
  MetisObjective objective = MetisObjective::Cut;
  /// Per population: a cap on its neurons per core (0 or missing: none),
  /// below its neurons_per_core and DTCM limit; the real-time sizing
  /// (Mapping/Load.h) sets it.
  std::vector<uint32_t> limitCaps;
};

/// Splits every population into slices. Needs the expanded connections
/// (`n.connections`) and known shapes.
llvm::Expected<Partition> partitionNetwork(const Network &n,
                                           const PartitionConfig &c);

/// Checks that the slices cover every neuron exactly once, respect the
/// limits, are ordered and sorted, and that sliceOf/localIndex agree with
/// them; one message per problem (empty: valid).
std::vector<std::string> verifyPartition(const Network &n, const Partition &p);

/// What a slice needs (the resource model of Mapping/Resources.h).
struct SliceResources {
  /// sliceDTCMBytes; the synaptic rows' bytes (kernel/Resources.h: a row
  /// header per row, the plastic header per plastic row, a word per
  /// synapse; rows counted per projection).
  uint64_t dtcmBytes = 0, sdramBytes = 0;
  /// Incoming synapses and synaptic rows stored for the slice.
  uint64_t synapses = 0, rows = 0;
};

struct PartitionStats {
  unsigned cores = 0;
  unsigned minNeurons = 0, maxNeurons = 0;
  double meanNeurons = 0;
  /// Sum over neurons of the number of distinct cores other than its own
  /// that hold targets of it: packets delivered when every neuron spikes
  /// once.
  uint64_t commVolume = 0;
  /// Synapses whose pre and post neurons are on different cores.
  uint64_t edgeCut = 0;
  /// Per slice, and the largest of them.
  std::vector<SliceResources> resources;
  uint64_t maxDTCMBytes = 0, maxSDRAMBytes = 0;
};

/// Measures a partition on the expanded connections (`threads` host
/// threads; the numbers do not depend on it); with \p graph, also the
/// slice graph (what buildSliceGraph gives), in the same pass. A population
/// whose only projection into another is a convolution or pool is counted
/// from the window geometry (expand-connections makes exactly the window's
/// synapses), without reading its lists.
PartitionStats partitionStats(const Network &n, const Partition &p,
                              unsigned threads = 1,
                              SliceGraph *graph = nullptr);

/// `-emit=partition`: per population its limit and slices, per slice its
/// index, neuron count and neuron ranges ("0-15,28-43").
void printPartition(const Network &n, const Partition &p,
                    llvm::raw_ostream &os);
/// `--stats`: cores, neurons per core, communication volume, edge cut,
/// memory per core and every lowered neurons-per-core limit.
void printPartitionStats(const Network &n, const Partition &p,
                         const PartitionStats &s, llvm::raw_ostream &os);

//===----------------------------------------------------------------------===//
// The graph partitioner underneath (exposed for tests and benchmarks)
//===----------------------------------------------------------------------===//

/// An undirected graph of coarse vertices (groups of neurons) in CSR form;
/// every edge is stored in both directions.
struct PartitionGraph {
  std::vector<uint32_t> weights; ///< neurons per vertex
  std::vector<uint64_t> offsets; ///< size V+1 (or empty when V == 0)
  std::vector<uint32_t> adjacency;
  std::vector<uint32_t> edgeWeights;
  uint32_t numVertices() const { return uint32_t(weights.size()); }
};

/// METIS_PartGraphKway into `nparts` parts whose weight METIS keeps near
/// `capacity`, with the cases METIS 5.1 gets wrong handled first: no
/// vertices (empty result), one part (all 0), at least as many parts as
/// vertices (vertex i in part i), no edges (vertices packed in order).
/// Part numbers are in [0, nparts); parts may be empty or over capacity.
/// With `recursive`, METIS_PartGraphRecursive (bisections: several times
/// faster on small graphs, a little more cut; `best` uses it).
llvm::Expected<std::vector<uint32_t>>
metisPartition(const PartitionGraph &g, uint32_t nparts, uint64_t capacity,
               uint64_t seed, MetisObjective objective, bool recursive = false);

/// Moves vertices out of every part heavier than `limit`: along the
/// shortest chain of adjacent parts to one with room (so parts stay
/// compact), else to the part with the most room, else to a new part.
/// Returns the number of moves; fails only when a vertex alone is heavier
/// than the limit.
llvm::Expected<uint64_t> repairPartition(const PartitionGraph &g,
                                         uint32_t limit,
                                         std::vector<uint32_t> &part);

/// Parts needed to pack the vertex weights into bins of `limit` (greedy,
/// largest first); the k METIS is asked for.
uint32_t binsNeeded(const std::vector<uint32_t> &weights, uint32_t limit);

/// The whole step: k = binsNeeded, METIS, repair, empty parts dropped and
/// parts renumbered by their first vertex. Every part weighs at most
/// `limit`.
llvm::Expected<std::vector<uint32_t>>
partitionGraph(const PartitionGraph &g, uint32_t limit, uint64_t seed,
               MetisObjective objective, uint64_t *repairMoves = nullptr,
               bool recursive = false);

} // namespace scnc

#endif
