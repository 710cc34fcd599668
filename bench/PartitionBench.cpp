//===- PartitionBench.cpp - Quality and speed of the partitioners ---------===//
//
// Partitions an example with the `slices` baseline, METIS (cut or volume
// objective), box tilings or the better of METIS and tilings per layer
// (`tiles`, `best`) on 1 or 2 threads. The timed loop is partitionNetwork
// alone; the front end and expand-connections run once per example, outside it.
// Counters (measured once on the last partition):
//   cores, comm_volume, edge_cut, max_neurons   partitionStats(),
//   max_dtcm, max_sdram                          bytes per core (model).
// bench/partition.sh runs every case and prints METIS's communication
// volume against the baseline's, measured in the same run. `stats/xl/<j>`
// times partitionStats itself.
//
//===----------------------------------------------------------------------===//
#include "scnc/Driver/Pipeline.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Support/InputFile.h"
#include "llvm/Support/SourceMgr.h"
#include <benchmark/benchmark.h>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

using namespace scnc;

namespace {

/// Each example is compiled and expanded once per process.
const Network *expanded(const std::string &name) {
  static std::map<std::string, std::unique_ptr<Network>> cache;
  auto it = cache.find(name);
  if (it != cache.end())
    return it->second.get();
  std::string dir = std::getenv("SCNC_EXAMPLES") ? std::getenv("SCNC_EXAMPLES")
                                                 : SCNC_SOURCE_DIR "/examples";
  static llvm::SourceMgr sm;
  static DiagnosticEngine diag(sm);
  unsigned buf = loadSourceFile(dir + "/" + name, diag);
  llvm::Optional<Network> n = buf ? parseNetwork(buf, diag) : llvm::None;
  CompileOptions options;
  options.stopAfter = Stage::Connections;
  options.passes.threads = 2;
  CompilationContext cc;
  std::unique_ptr<Network> result;
  if (n && compileNetwork(*n, cc, options, diag))
    result = std::make_unique<Network>(std::move(*n));
  return (cache[name] = std::move(result)).get();
}

enum Kind { Slices, MetisCut, MetisVolume, Tiles, Best };

void partition(benchmark::State &state, const char *example) {
  const Network *n = expanded(example);
  if (!n) {
    state.SkipWithError("example does not compile");
    return;
  }
  PartitionConfig cfg;
  Kind kind = Kind(state.range(0));
  cfg.kind = kind == Slices  ? PartitionerKind::Slices
             : kind == Tiles ? PartitionerKind::Tiles
             : kind == Best  ? PartitionerKind::Best
                             : PartitionerKind::Metis;
  cfg.objective =
      kind == MetisVolume ? MetisObjective::Volume : MetisObjective::Cut;
  cfg.threads = unsigned(state.range(1));
  cfg.seed = n->sim.seed;
  Partition last;
  for (auto _ : state) {
    llvm::Expected<Partition> p = partitionNetwork(*n, cfg);
    if (!p) {
      state.SkipWithError(llvm::toString(p.takeError()).c_str());
      return;
    }
    last = std::move(*p);
  }
  if (!verifyPartition(*n, last).empty()) {
    state.SkipWithError("invalid partition");
    return;
  }
  PartitionStats s = partitionStats(*n, last, 2);
  state.counters["cores"] = s.cores;
  state.counters["comm_volume"] = double(s.commVolume);
  state.counters["edge_cut"] = double(s.edgeCut);
  state.counters["max_neurons"] = s.maxNeurons;
  state.counters["max_dtcm"] = double(s.maxDTCMBytes);
  state.counters["max_sdram"] = double(s.maxSDRAMBytes);
  state.SetLabel(kind == Slices     ? "slices"
                 : kind == MetisCut ? "metis-cut"
                 : kind == Tiles    ? "tiles"
                 : kind == Best     ? "best"
                                    : "metis-volume");
}

/// partitionStats on the default METIS partition (what --stats and the
/// place pass pay): one pass over every synapse.
void stats(benchmark::State &state, const char *example) {
  const Network *n = expanded(example);
  if (!n) {
    state.SkipWithError("example does not compile");
    return;
  }
  PartitionConfig cfg;
  cfg.seed = n->sim.seed;
  cfg.threads = 2;
  llvm::Expected<Partition> p = partitionNetwork(*n, cfg);
  if (!p) {
    state.SkipWithError(llvm::toString(p.takeError()).c_str());
    return;
  }
  uint64_t volume = 0;
  for (auto _ : state)
    volume = partitionStats(*n, *p, unsigned(state.range(0))).commVolume;
  state.counters["comm_volume"] = double(volume);
  state.counters["synapses"] = double(n->connections->synapses());
}

} // namespace

// Args: kind (0 slices, 1 METIS cut, 2 METIS volume, 3 tiles, 4 best),
// threads.
BENCHMARK_CAPTURE(partition, mnist, "mnist.scn")
    ->Args({Slices, 1})
    ->Args({MetisCut, 1})
    ->Args({MetisVolume, 1})
    ->Args({Tiles, 1})
    ->Args({Best, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(partition, dvs_large, "dvs-large.scn")
    ->Args({Slices, 1})
    ->Args({MetisCut, 1})
    ->Args({MetisVolume, 1})
    ->Args({MetisCut, 2})
    ->Args({Tiles, 2})
    ->Args({Best, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(partition, xl, "xl.scn")
    ->Args({Slices, 1})
    ->Args({MetisCut, 1})
    ->Args({MetisCut, 2})
    ->Args({MetisVolume, 2})
    ->Args({Tiles, 2})
    ->Args({Best, 2})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_CAPTURE(stats, xl, "xl.scn")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
