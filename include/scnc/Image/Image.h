//===- Image.h - Load images: writer and validating reader ----*- C++ -*-===//
//
// One file per mapped network with what a loader puts on the machine: per
// chip its routing table, per placed slice the data regions of its neuron
// core. docs/image-format.md gives the byte layout (version 1).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IMAGE_IMAGE_H
#define SCNC_IMAGE_IMAGE_H

#include "scnc/IR/Network.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/Tables.h"
#include "scnc/Support/FixedPoint.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {
namespace image {

constexpr char kMagic[8] = {'S', 'C', 'N', 'C', 'I', 'M', 'G', '\0'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kHeaderSize = 128;
constexpr uint32_t kSectionEntrySize = 32;
constexpr uint32_t kNoCore = 0xffffffffu;

enum SectionType : uint32_t { RoutingTableSection = 1, CoreSection = 2 };
enum RegionId : uint32_t {
  SystemRegion = 0,
  NeuronKeysRegion = 1,
  NeuronParamsRegion = 2,
  NeuronIdsRegion = 3,
  SynapseParamsRegion = 4
};
/// Words of the neuron-parameter region.
constexpr uint32_t kNeuronParamWords = 12;

llvm::StringRef sectionTypeName(uint32_t type);
llvm::StringRef regionName(uint32_t id);

} // namespace image

/// The fixed header fields.
struct ImageHeader {
  uint32_t version = image::kVersion;
  uint64_t fileSize = 0;
  uint32_t numSections = 0;
  uint32_t timestepUs = 0;
  uint64_t seed = 0;
  uint64_t networkHash = 0;
  uint32_t machineWidth = 0, machineHeight = 0;
  std::string machineName, scncVersion, networkName;
  uint32_t crc = 0;
};

/// One entry of the section table.
struct ImageSection {
  uint32_t type = 0;
  uint16_t x = 0, y = 0;
  uint32_t core = image::kNoCore;
  uint64_t offset = 0;
  uint32_t size = 0, crc = 0;
};

/// A chip's table as loaded into its router, in router order.
struct ImageRoutingTable {
  uint16_t x = 0, y = 0;
  std::vector<RoutingEntry> entries;
};

/// One neuron core's regions, decoded.
struct ImageCore {
  uint16_t x = 0, y = 0;
  uint32_t core = 0;
  /// System region.
  uint32_t timestepUs = 0, numNeurons = 0, population = 0;
  /// Neuron keys: neuron i sends key | i.
  bool hasKey = false;
  uint32_t key = 0, mask = 0;
  /// Neuron parameters (absent for input populations).
  bool hasParams = false;
  NeuronFixedParams params;
  /// Synapse parameters: the ring-buffer left shift of the excitatory and
  /// inhibitory synapse types (ringBufferLeftShift of the largest summed
  /// input one neuron of the slice can receive in a tick).
  bool hasSynapseParams = false;
  uint32_t leftShiftE = 0, leftShiftI = 0;
  /// Per local neuron its index in the population.
  std::vector<uint32_t> neuronIds;
};

/// A validated image.
class ImageReader {
public:
  const ImageHeader &header() const { return hdr; }
  const std::vector<ImageSection> &sections() const { return secs; }
  const std::vector<ImageRoutingTable> &routingTables() const { return tables; }
  const std::vector<ImageCore> &cores() const { return coreList; }
  const ImageRoutingTable *findTable(unsigned x, unsigned y) const;
  const ImageCore *findCore(unsigned x, unsigned y, unsigned p) const;

private:
  friend llvm::Expected<ImageReader> readImage(llvm::StringRef,
                                               llvm::StringRef);
  ImageHeader hdr;
  std::vector<ImageSection> secs;
  std::vector<ImageRoutingTable> tables;
  std::vector<ImageCore> coreList;
};

/// Writes the image of a mapped network (placement, keys and compressed
/// tables in `n.mapping`). Deterministic: the same mapping gives the same
/// bytes. Fails when the network is not mapped.
llvm::Error writeImage(const Network &n, const Machine &m,
                       llvm::StringRef machineName, llvm::raw_ostream &os);

/// Validates all of \p bytes (magic, version, sizes, bounds, CRCs, counts)
/// and decodes it; \p name names the file in errors.
llvm::Expected<ImageReader> readImage(llvm::StringRef bytes,
                                      llvm::StringRef name);

/// 64-bit FNV-1a of the network's textual IR (the "source network hash").
uint64_t networkHash(const Network &n);

} // namespace scnc

#endif
