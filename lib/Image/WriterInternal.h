//===- WriterInternal.h - The image writer's classes ------------*- C++ -*-===//
//
// Shared by Writer.cpp (regions, sections, header, the parallel build) and
// SynapticMatrix.cpp (rows, the population table): the writer and the
// per-core data its passes share.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LIB_IMAGE_WRITERINTERNAL_H
#define SCNC_LIB_IMAGE_WRITERINTERNAL_H

#include "ImageInternal.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/WeightScale.h"
#include "scnc/Image/Image.h"
#include "scnc/Mapping/MappingState.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <utility>
#include <vector>

namespace scnc {
namespace image {

/// What a core section needs from one projection into its population.
struct ProjectionData {
  unsigned index = 0;
  const ConnectionList *list = nullptr;
  std::vector<uint64_t> start; ///< postStarts
  std::vector<uint16_t> q;     ///< ring-buffer weight per weight-table entry
  /// Into a population with per-neuron parameters: the ring-buffer weight
  /// per synapse (list order), each with its post neuron's factor; q empty.
  std::vector<uint16_t> qSyn;
  uint32_t delay = 0; ///< ticks, when all synapses share it
  unsigned type = 0;
  bool plastic = false;
};

struct CoreResult {
  std::string data;
  uint32_t crc = 0; ///< of `data`, computed by the worker thread
  /// A resource problem of the core (the image is not written).
  std::string error;
};

/// Per-thread scratch of the core builder.
struct Scratch {
  std::vector<int32_t> entryOfSlice; ///< -1: not a source of this core
  std::vector<uint32_t> sources;     ///< source slices in first-seen order
  std::vector<uint32_t> base;        ///< per source: its first row
  std::vector<uint32_t> fixed, plastic, fixedAt, plasticAt;
  std::vector<uint64_t> rowAt; ///< word offset of each row in the matrix
};

class Writer {
public:
  Writer(const Network &n, const Machine &m, const MappingState &s,
         const ImageOptions &o, DiagnosticEngine &diag)
      : n(n), m(m), o(o), diag(diag), s(s) {}

  bool run(llvm::raw_pwrite_stream &os);

private:
  bool prepare();
  CoreResult buildCore(size_t slice, Scratch &sc) const;
  std::vector<ImageSection> sectionTable(std::vector<size_t> &order) const;
  std::string populationsSection() const;
  /// The program kinds whose sections the image carries, in kind order.
  std::vector<uint32_t> programKinds() const;
  std::string header(const std::vector<ImageSection> &secs,
                     uint64_t fileSize) const;
  uint32_t countRows(const Slice &sl, Scratch &sc) const;
  std::string
  neuronStateRegion(const std::vector<NeuronFixedParams> &perNeuron) const;
  void packRegions(std::vector<std::pair<uint32_t, std::string>> &regions,
                   const std::string &where, CoreResult &res) const;
  std::vector<PopTableEntry>
  layOutRows(Scratch &sc, std::vector<uint32_t> &rowLen, uint64_t &words) const;
  std::vector<uint32_t> writeRows(const Slice &sl, Scratch &sc,
                                  const std::vector<uint32_t> &rowLen,
                                  uint64_t words, uint32_t indexBits) const;
  void addRegion(std::vector<std::pair<uint32_t, std::string>> &regions,
                 uint32_t id, std::string data) const {
    regions.push_back({id, std::move(data)});
  }
  /// The neuron-params, neuron-param-index (cores whose neurons have
  /// different parameters) and neuron-state regions of slice \p sl.
  void neuronParamRegions(
      const NeuronParams &np, const Slice &sl,
      std::vector<std::pair<uint32_t, std::string>> &regions) const;
  std::string stdpRegion(unsigned pop) const;
  std::string sourceRegion(const Population &pop, size_t neurons) const;
  const NeuronParams *neuronSetOf(unsigned pop) const;

  const Network &n;
  const Machine &m;
  const ImageOptions &o;
  DiagnosticEngine &diag;
  const MappingState &s;
  uint32_t timestepUs = 0, numTicks = 0;
  std::vector<PopulationWeightScale> scales;
  std::vector<ProjectionData> projs;
  /// Per population: indices into `projs` of the projections into it.
  std::vector<std::vector<unsigned>> into;
  /// Per population: the STDP rule its plastic projections share.
  std::vector<const StdpRule *> ruleOf;
  /// Per slice: it has a multicast tree (targets somewhere).
  std::vector<bool> sends;
};

} // namespace image
} // namespace scnc

#endif
