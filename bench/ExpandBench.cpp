//===- ExpandBench.cpp - Speed and memory of expand-connections -----------===//
//
// Expands an example's connections with 1 or 2 threads. Counters:
//   synapses_per_second  expansion throughput,
//   list_bytes_per_syn   bytes the lists hold per synapse,
//   peak_rss_per_syn     the process's peak resident memory per synapse
//                        (meaningful when one case runs per process, as
//                        bench/expand.sh does),
//   user_s, sys_s        CPU seconds of all threads per expansion.
// The front end runs once outside the timed loop.
//
//===----------------------------------------------------------------------===//
#include "scnc/Driver/Pipeline.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/Support/InputFile.h"
#include "llvm/Support/SourceMgr.h"
#include <benchmark/benchmark.h>
#include <cstdlib>
#include <string>
#include <sys/resource.h>

using namespace scnc;

static void expand(benchmark::State &state, const char *name) {
  std::string dir = std::getenv("SCNC_EXAMPLES") ? std::getenv("SCNC_EXAMPLES")
                                                 : SCNC_SOURCE_DIR "/examples";
  llvm::SourceMgr sm;
  DiagnosticEngine diag(sm);
  unsigned buf = loadSourceFile(dir + "/" + name, diag);
  llvm::Optional<Network> n = buf ? parseNetwork(buf, diag) : llvm::None;
  CompileOptions shapes;
  shapes.stopAfter = Stage::Shapes;
  CompilationContext cc;
  if (!n || !compileNetwork(*n, cc, shapes, diag)) {
    state.SkipWithError("example does not compile");
    return;
  }
  PassOptions options;
  options.threads = unsigned(state.range(0));
  PassContext ctx{diag, options, cc};
  uint64_t synapses = 0, bytes = 0;
  auto seconds = [](const timeval &t) { return t.tv_sec + t.tv_usec * 1e-6; };
  struct rusage before;
  getrusage(RUSAGE_SELF, &before);
  for (auto _ : state) {
    n->connections.reset();
    if (!runExpandConnections(*n, ctx)) {
      state.SkipWithError("expansion failed");
      return;
    }
    synapses = n->connections->synapses();
  }
  for (const ConnectionList &l : n->connections->lists)
    bytes += l.bytes();
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  // CPU time of all threads per expansion: user = our code, sys = the
  // kernel providing fresh pages (on these VMs the noisy part).
  double iters = double(state.iterations());
  state.counters["user_s"] =
      (seconds(ru.ru_utime) - seconds(before.ru_utime)) / iters;
  state.counters["sys_s"] =
      (seconds(ru.ru_stime) - seconds(before.ru_stime)) / iters;
  state.counters["synapses"] = double(synapses);
  state.counters["synapses_per_second"] = benchmark::Counter(
      double(synapses), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["list_bytes_per_syn"] = double(bytes) / double(synapses);
  state.counters["peak_rss_per_syn"] =
      double(ru.ru_maxrss) * 1024.0 / double(synapses);
}

BENCHMARK_CAPTURE(expand, dvs_large, "dvs-large.scn")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(expand, xl, "xl.scn")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK_MAIN();
