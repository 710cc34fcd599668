//===- Backend.cpp - Where the training flow runs its networks ------------===//
//
// The emulator backend compiles a network as scncc does (the pipeline of
// scnc/Driver, the same machine choice) into an image in memory, reads
// it back with the validating reader and runs it as scnc-run does; each
// concurrent run takes an emulator of its own from a pool (an emulator is
// loaded at most once per thread that ran at the same time).
//
//===----------------------------------------------------------------------===//
#include "scnc/Learning/Backend.h"
#include "scnc/Driver/Pipeline.h"
#include "scnc/IR/StdpRule.h"
#include "scnc/Image/Image.h"
#include "scnc/Learning/Training.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Runtime/Emulator.h"
#include "scnc/Runtime/Reference.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"
#include <mutex>

using namespace scnc;
using namespace llvm;

namespace {
Error backendError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}
} // namespace

Optional<BackendKind> scnc::parseBackendKind(StringRef name) {
  if (name == "reference")
    return BackendKind::Reference;
  if (name == "emulator")
    return BackendKind::Emulator;
  return None;
}

struct PreparedNetwork::Impl {
  BackendKind kind = BackendKind::Reference;
  bool plastic = false;
  Network net;
  // The emulator: the machine, the image's bytes and its reader (which
  // keeps views into them), and emulators not running now.
  Optional<Machine> machine;
  std::string machineName;
  SmallVector<char, 0> bytes;
  Optional<ImageReader> image;
  std::mutex poolLock;
  std::vector<std::unique_ptr<Emulator>> idle;

  Expected<std::unique_ptr<Emulator>> takeEmulator();
  void giveBack(std::unique_ptr<Emulator> em);
};

Expected<std::unique_ptr<Emulator>> PreparedNetwork::Impl::takeEmulator() {
  {
    std::lock_guard<std::mutex> lock(poolLock);
    if (!idle.empty()) {
      std::unique_ptr<Emulator> em = std::move(idle.back());
      idle.pop_back();
      return em;
    }
  }
  return Emulator::load(*image, *machine, machineName, 1);
}

void PreparedNetwork::Impl::giveBack(std::unique_ptr<Emulator> em) {
  std::lock_guard<std::mutex> lock(poolLock);
  idle.push_back(std::move(em));
}

PreparedNetwork::PreparedNetwork() : impl(new Impl) {}
PreparedNetwork::~PreparedNetwork() = default;

Expected<std::unique_ptr<PreparedNetwork>>
PreparedNetwork::prepare(const Network &n, const BackendOptions &b,
                         bool plastic, unsigned threads,
                         DiagnosticEngine &diag) {
  std::unique_ptr<PreparedNetwork> p(new PreparedNetwork());
  Impl &s = *p->impl;
  s.kind = b.kind;
  s.plastic = plastic;
  auto doesNotCompile = [&] {
    return backendError("network '" + n.name + "' does not compile");
  };
  if (b.kind == BackendKind::Reference) {
    PassOptions po;
    po.threads = std::max(1u, threads);
    Optional<Network> full = expandNetwork(n, diag, po);
    if (!full)
      return doesNotCompile();
    // The image writer's check for scncc --plastic, on the same scales.
    if (plastic &&
        !checkStdpResolution(*full, computeWeightScales(*full, po.threads),
                             diag, /*asError=*/true))
      return doesNotCompile();
    s.net = std::move(*full);
    return p;
  }

  // As scncc [--plastic] [--machine M] net.scn -o net.scimg.
  CompilationContext cc;
  if (!b.machine.empty()) {
    Expected<Machine> m = loadMachine(b.machine);
    if (!m)
      return backendError("machine '" + b.machine +
                          "': " + toString(m.takeError()));
    cc.setMachine(std::move(*m), b.machine);
  }
  s.net = n;
  s.net.connections.reset();
  CompileOptions co;
  co.passes.threads = std::max(1u, threads);
  co.passes.maxMemory = physicalMemory();
  co.image.plastic = plastic;
  co.image.requireLearning = plastic;
  raw_svector_ostream os(s.bytes);
  auto toBuffer = [&](function_ref<bool(raw_pwrite_stream &)> write) {
    return write(os);
  };
  if (!compileNetwork(s.net, cc, co, diag, toBuffer))
    return doesNotCompile();
  s.machine = std::move(cc.machine);
  s.machineName = cc.machineName;

  // As scnc-run net.scimg: the validated image on the machine.
  Expected<ImageReader> img =
      readImage(StringRef(s.bytes.data(), s.bytes.size()),
                "the load image of '" + n.name + "'");
  if (!img)
    return img.takeError();
  s.image = std::move(*img);
  Expected<std::unique_ptr<Emulator>> em = s.takeEmulator();
  if (!em)
    return em.takeError();
  s.giveBack(std::move(*em));
  return p;
}

const Network &PreparedNetwork::network() const { return impl->net; }
BackendKind PreparedNetwork::kind() const { return impl->kind; }
const std::string &PreparedNetwork::machineName() const {
  return impl->machineName;
}

std::string PreparedNetwork::description() const {
  if (impl->kind == BackendKind::Reference)
    return "reference (fixed point)";
  return "emulator (" + impl->machineName + ")";
}

Expected<Recording>
PreparedNetwork::run(const std::vector<std::vector<Spike>> &inputs,
                     uint32_t ticks, LearnedSynapseSet *learned,
                     const std::function<void(uint64_t, uint64_t)> &progress,
                     ArrayRef<unsigned> keepOnly) const {
  Impl &s = *impl;
  if (s.kind == BackendKind::Reference) {
    ReferenceOptions ro;
    ro.ticks = ticks;
    ro.plastic = s.plastic;
    ro.threads = 1;
    ro.progress = progress;
    LearnedWeights w;
    Expected<Recording> rec =
        runReference(s.net, inputs, ro, nullptr, learned ? &w : nullptr);
    if (rec && learned)
      *learned = learnedFromReference(s.net, w);
    return rec;
  }
  Expected<std::unique_ptr<Emulator>> em = s.takeEmulator();
  if (!em)
    return em.takeError();
  EmulatorOptions eo;
  eo.ticks = ticks;
  eo.threads = 1;
  eo.progress = progress;
  if (!keepOnly.empty()) {
    eo.recordSpikes.assign(s.net.populations.size(), false);
    for (unsigned k : keepOnly)
      if (k < eo.recordSpikes.size())
        eo.recordSpikes[k] = true;
    eo.sortSpikes = false;
  }
  Expected<Recording> rec = (*em)->run(inputs, eo, nullptr, learned);
  s.giveBack(std::move(*em));
  return rec;
}
