//===- Image.h - Load images: writer and validating reader ----*- C++ -*-===//
//
// One file per mapped network with what a loader puts on the machine: per
// chip its routing table, per placed slice the data regions of its core.
// docs/image-format.md gives the byte layout (version 3); docs/execution.md
// what the numbers mean when the network runs.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IMAGE_IMAGE_H
#define SCNC_IMAGE_IMAGE_H

#include "kernel/Layout.h"
#include "kernel/Regions.h"
#include "scnc/IR/Network.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/MappingState.h"
#include "scnc/Mapping/Tables.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/FixedPoint.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {
struct ImageHeader;
struct ImageSection;
namespace image {

constexpr char kMagic[8] = {'S', 'C', 'N', 'C', 'I', 'M', 'G', '\0'};
constexpr uint32_t kVersion = 3;
constexpr uint32_t kHeaderSize = 128;
constexpr uint32_t kSectionEntrySize = 32;
constexpr uint32_t kNoCore = 0xffffffffu;

enum SectionType : uint32_t {
  RoutingTableSection = 1,
  CoreSection = 2,
  PopulationsSection = 3,
  CoreProgramSection = 4
};
/// Core program kinds (the core-program section): the board program that
/// runs a neuron core and the one that runs an input (spike-source) core.
enum ProgramKind : uint32_t {
  NeuronProgram = 0,
  SourceProgram = 1,
  NumProgramKinds = 2
};
/// APLX table entry operations (real-machine.md, "APLX").
enum AplxOp : uint32_t {
  AplxAcopy = 1,
  AplxRcopy = 2,
  AplxFill = 3,
  AplxExec = 4
};
constexpr uint32_t kAplxEntryBytes = 16;
/// Region ids: the kernel's (kernel/Regions.h), which decodes them.
enum RegionId : uint32_t {
  SystemRegion = kernel::region::System,
  NeuronKeysRegion = kernel::region::NeuronKeys,
  NeuronParamsRegion = kernel::region::NeuronParams,
  NeuronIdsRegion = kernel::region::NeuronIds,
  SynapseParamsRegion = kernel::region::SynapseParams,
  PopulationTableRegion = kernel::region::PopulationTable,
  SynapticMatrixRegion = kernel::region::SynapticMatrix,
  StdpParamsRegion = kernel::region::StdpParams,
  RecordingRegion = kernel::region::Recording,
  SpikeSourceRegion = kernel::region::SpikeSource,
  NeuronStateRegion = kernel::region::NeuronState,
  LoadPredictionRegion = kernel::region::LoadPrediction,
  NeuronParamIndexRegion = kernel::region::NeuronParamIndex,
  NumRegionIds = kernel::region::Count
};
/// Words of the neuron-parameter region.
constexpr uint32_t kNeuronParamWords = kernel::kNeuronParamWords;
constexpr uint32_t kNeuronParamWordsNir = kernel::kNeuronParamWordsNir;
/// System-region flags.
enum : uint32_t {
  SystemInputCore = kernel::kSystemInputCore,
  SystemPlastic = kernel::kSystemPlastic
};
/// Recording-region flags.
enum : uint32_t { RecordSpikes = 1, RecordVoltage = 2 };
/// Spike-source encodings (0: the spike array only).
enum : uint32_t {
  SourceArray = 0,
  SourceRate = 1,
  SourcePoisson = 2,
  SourceLatency = 3
};
/// Bytes of an encoder-parameter name field.
constexpr uint32_t kSourceParamNameBytes = 4 * kernel::kSourceParamNameWords;

#ifdef SCNC_FUZZING
/// Fuzzing builds only (-DSCNC_FUZZ=ON): the image fuzz target sets it so
/// that readImage ignores CRC mismatches and checks everything else.
extern bool fuzzingSkipsCrcs;
#endif

/// A parameter set as the neuron-params region stores it: 12 words
/// (IF_curr_exp) or 16 (a NIR model).
std::string encodeNeuronParams(const NeuronFixedParams &f);
/// The parameter sets of a core whose neurons have their own (a neuron set
/// with per-neuron values): the distinct sets among \p perNeuron (equal
/// when their words are), in order of first appearance, and per neuron the
/// index of its set.
struct NeuronParamTable {
  std::vector<NeuronFixedParams> sets;
  std::vector<uint16_t> index;
};
NeuronParamTable
buildNeuronParamTable(llvm::ArrayRef<NeuronFixedParams> perNeuron);

llvm::StringRef sectionTypeName(uint32_t type);
llvm::StringRef regionName(uint32_t id);
llvm::StringRef sourceEncodingName(uint32_t id);
llvm::StringRef programKindName(uint32_t kind);
/// The header and section table bytes (the CRC computed over them).
std::string encodeHeader(const ImageHeader &h,
                         const std::vector<ImageSection> &secs);

/// The board program of \p kind this scnc was built with (runtime/arm, as
/// APLX), empty when it was built without the ARM compiler.
llvm::StringRef builtinCoreProgram(uint32_t kind);

} // namespace image

/// One population of the network (the populations section): what tools
/// need to name recordings and map input files; cores refer to it by index.
struct ImagePopulation {
  std::string name;
  bool input = false;
  uint32_t height = 0, width = 0, channels = 0;
  uint64_t size() const { return uint64_t(height) * width * channels; }
};

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

/// A core program (APLX) and what its table says it loads.
struct ImageProgram {
  uint32_t kind = 0;
  llvm::StringRef aplx;       ///< the bytes SC&MP loads
  uint32_t itcmBytes = 0;     ///< code and read-only data copied to ITCM
  uint32_t dtcmDataBytes = 0; ///< initialised data copied to DTCM
  uint32_t bssBytes = 0;      ///< zero-filled DTCM (bss and the stacks)
  uint32_t dtcmEnd = 0;       ///< first DTCM address past data and bss
  uint32_t entry = 0;         ///< the EXEC address
  /// Static DTCM (data and bss) in bytes.
  uint32_t staticDTCMBytes() const { return dtcmDataBytes + bssBytes; }
};

/// Checks an APLX executable as SC&MP's loader would run it (copies from
/// inside the file into ITCM below the loader or into DTCM, fills in DTCM,
/// ending with an EXEC into the copied code) and fills \p out from its
/// table. The error says what is wrong.
llvm::Error decodeAplx(llvm::StringRef aplx, ImageProgram &out);

/// The DTCM the board program uses for one core: its static data (the
/// resource model's kNeuronProgramDTCMBytes / kSourceProgramDTCMBytes, which
/// the ARM build checks against the binary) and the arena it lays the core
/// out in (kernel::neuronCoreArenaBytes / sourceCoreMemoryBytes of the
/// core's decoded regions; the qemu test checks the program uses exactly
/// that).
struct CoreFootprint {
  uint64_t program = 0, arena = 0;
  uint64_t total() const { return program + arena; }
};

/// A chip's table as loaded into its router, in router order.
struct ImageRoutingTable {
  uint16_t x = 0, y = 0;
  std::vector<RoutingEntry> entries;
};

/// Master population table entry: the kernel's (kernel/Layout.h, with the
/// rows' layout), which reads the table as the image stores it.
using PopTableEntry = kernel::PopEntry;

/// One synapse of a decoded row.
struct ImageSynapse {
  uint16_t weight = 0; ///< ring-buffer units
  uint32_t delay = 0;  ///< ticks
  uint32_t type = 0;   ///< 0 excitatory, 1 inhibitory
  uint32_t target = 0; ///< neuron index in the core
  bool plastic = false;
};

/// The STDP rule of a plastic core, in the core's units: weights and
/// amplitudes in ring-buffer units of the excitatory synapse type as
/// S16.15; trace decays exp(-k dt / tau) for k = 0, 1, ... as u0.32.
struct ImageStdp {
  uint32_t dependence = 0; ///< 0 additive, 1 multiplicative
  /// At most this many of the core's neurons fire per tick (0: no limit).
  uint32_t winnersPerTick = 0;
  Accum aPlus, aMinus, wMin, wMax;
  std::vector<UFract32> decayPlus, decayMinus;
};

/// One core's regions, decoded (the synaptic matrix stays a view into the
/// image's bytes: valid while those bytes are).
struct ImageCore {
  uint16_t x = 0, y = 0;
  uint32_t core = 0;
  /// System region.
  uint32_t timestepUs = 0, numNeurons = 0, population = 0, numTicks = 0,
           flags = 0;
  bool isInput() const { return flags & image::SystemInputCore; }
  /// Neuron keys: neuron i sends key | i.
  bool hasKey = false;
  uint32_t key = 0, mask = 0;
  /// Neuron parameters (neuron cores).
  bool hasParams = false;
  NeuronFixedParams params;
  /// Per-neuron parameters (a neuron-param-index region): every set of the
  /// neuron-params region (params is the first) and per neuron its set's
  /// index; both empty otherwise.
  std::vector<NeuronFixedParams> paramSets;
  std::vector<uint16_t> paramIndex;
  /// Neuron \p i's parameters.
  const NeuronFixedParams &paramsOf(uint32_t i) const {
    return paramIndex.empty() ? params : paramSets[paramIndex[i]];
  }
  /// Synapse parameters (neuron cores): per synapse type the ring-buffer
  /// left shift; the synaptic word's field widths.
  bool hasSynapseParams = false;
  std::array<uint32_t, 2> leftShift{};
  uint32_t delayBits = 0, typeBits = 0, indexBits = 0;
  uint32_t ringSize() const { return 1u << delayBits; }
  /// Master population table, sorted by key.
  std::vector<PopTableEntry> popTable;
  /// Synaptic matrix (little-endian words).
  llvm::StringRef matrix;
  uint32_t matrixWord(uint64_t i) const;
  /// The synapses of source neuron \p local of entry \p e, in row order.
  std::vector<ImageSynapse> row(const PopTableEntry &e, uint32_t local) const;
  /// The same without a copy: \p fn for each synapse in row order until it
  /// returns false; false when it stopped early.
  bool forEachSynapse(const PopTableEntry &e, uint32_t local,
                      llvm::function_ref<bool(const ImageSynapse &)> fn) const;
  /// STDP (plastic cores).
  bool hasStdp = false;
  ImageStdp stdp;
  /// Load prediction (neuron cores of an image compiled with --profile):
  /// the predicted worst tick's cycles, its tick, the most synaptic events
  /// and packets in one tick, and the cycles the slice was sized for.
  bool hasPrediction = false;
  uint32_t predictedCycles = 0, predictedTick = 0, predictedEvents = 0,
           predictedPackets = 0, sizedForCycles = 0;
  /// Recording.
  bool hasRecording = false;
  uint32_t recordFlags = 0, voltageInterval = 0;
  /// Spike source (input cores): encoder and its parameters, and per local
  /// neuron its spike ticks (sourceTicks[sourceStart[i] .. sourceStart[i+1])).
  bool hasSource = false;
  uint32_t encoding = 0;
  std::vector<std::pair<std::string, Accum>> encodingParams;
  std::vector<uint32_t> sourceStart, sourceTicks;
  /// Per local neuron its index in the population.
  std::vector<uint32_t> neuronIds;
  /// Per local neuron its initial state (neuron cores).
  std::vector<NeuronFixedState> initialState;
  /// The core section's bytes (its region table and regions), what a
  /// board's loader writes into the core's SDRAM.
  llvm::StringRef section;
  /// Region sizes in bytes, by region id (0: absent).
  std::array<uint32_t, image::NumRegionIds> regionBytes{};
};

/// A validated image.
/// Which chips' core sections to decode (readImage for one rank).
using ChipFilter = llvm::function_ref<bool(unsigned x, unsigned y)>;

class ImageReader {
public:
  const ImageHeader &header() const { return hdr; }
  const std::vector<ImageSection> &sections() const { return secs; }
  const std::vector<ImageRoutingTable> &routingTables() const { return tables; }
  const std::vector<ImageCore> &cores() const { return coreList; }
  /// The network's populations, in the IR's order.
  const std::vector<ImagePopulation> &populations() const { return pops; }
  /// The core programs the image carries (by kind; none when it was
  /// written without them: an image for the emulator only).
  const std::vector<ImageProgram> &programs() const { return progs; }
  const ImageProgram *findProgram(uint32_t kind) const;
  const ImageRoutingTable *findTable(unsigned x, unsigned y) const;
  const ImageCore *findCore(unsigned x, unsigned y, unsigned p) const;
  /// Read with a chip filter: cores() holds the filtered chips' only.
  bool partial() const { return isPartial; }

private:
  friend llvm::Expected<ImageReader> readImage(llvm::StringRef, llvm::StringRef,
                                               ChipFilter);
  bool isPartial = false;
  ImageHeader hdr;
  std::vector<ImageSection> secs;
  std::vector<ImageRoutingTable> tables;
  std::vector<ImageCore> coreList;
  std::vector<ImagePopulation> pops;
  std::vector<ImageProgram> progs;
};

/// How to write an image.
struct ImageOptions {
  /// The name the machine was given by (`spinn5`, `boards:3`, a file).
  std::string machineName;
  /// Host threads building core sections (the bytes do not depend on it).
  unsigned threads = 1;
  /// Projections with an STDP rule learn (plastic rows, STDP region, the
  /// post population's `train_neuron` set); otherwise the network is
  /// frozen: static rows and the `neuron` set.
  bool plastic = false;
  /// With plastic: a rule that cannot change any weight at its synapses'
  /// resolution (checkStdpResolution) is an error (the training flow)
  /// rather than a warning (scncc --plastic: the image still runs).
  bool requireLearning = false;
  /// Warn when a projection's weights lose more than this fraction of
  /// their value in the 16-bit ring-buffer format.
  double precisionWarning = 0.01;
  /// Record membrane voltages as well as spikes.
  bool recordVoltage = false;
  /// Put the board programs this scnc was built with (builtinCoreProgram)
  /// into the image, one per core kind it places.
  bool corePrograms = true;
};

/// Checks the resources of every core and chip (DTCM, SDRAM, synaptic word
/// widths), reports problems and precision warnings to \p diag (at the
/// layer's source location), and writes the image of a mapped network
/// (placement, keys and compressed tables in \p s) to \p os.
/// Deterministic: the same mapping gives the same bytes for any thread
/// count. Returns false after reporting errors; \p os may then hold part of
/// an image (writeSeekableOutputAtomically discards it).
bool writeImage(const Network &n, const Machine &m, const MappingState &s,
                const ImageOptions &o, DiagnosticEngine &diag,
                llvm::raw_pwrite_stream &os);

/// The population-table entries of one source slice (key space key/mask)
/// whose row r takes rowLen[r] words (0: no synapses): each aligned
/// power-of-two block of the key space becomes one entry padded to its
/// longest row when the padding at most doubles the words its rows use
/// (empty rows count as their 2 header words) or the block is one row;
/// otherwise its halves are considered. Blocks without synapses get no
/// entry. Appends entries in key order, rowOffset left 0.
void splitRowBlocks(uint32_t key, uint32_t mask,
                    llvm::ArrayRef<uint32_t> rowLen,
                    std::vector<PopTableEntry> &out);

/// Validates all of \p bytes (magic, version, sizes, bounds, CRCs, counts,
/// every synaptic row) and decodes it; \p name names the file in errors.
llvm::Expected<ImageReader> readImage(llvm::StringRef bytes,
                                      llvm::StringRef name);

/// readImage for one rank of a distributed run: the core sections of chips
/// \p chips rejects are neither read (an mmap'ed image's pages stay on
/// disk) nor checked beyond their table entry, and cores() holds the
/// others only, in image order. The header, the section table, the routing
/// tables, the populations and the programs are read and checked as by
/// readImage. Checks that need every core (each population's neurons held
/// once each) are left to the caller (Emulator::load does them across the
/// ranks).
llvm::Expected<ImageReader> readImage(llvm::StringRef bytes,
                                      llvm::StringRef name, ChipFilter chips);

/// The DTCM footprint of \p c (decoded by the kernel from its section).
CoreFootprint coreFootprint(const ImageCore &c);

/// An image from its parts (offsets, sizes, CRCs and the file size
/// filled in): what a board endpoint rebuilds from what was loaded into it.
std::string assembleImage(
    const ImageHeader &header,
    const std::vector<std::pair<ImageSection, std::string>> &sections);

/// 64-bit FNV-1a of the network's textual IR (the "source network hash").
uint64_t networkHash(const Network &n);

} // namespace scnc

#endif
