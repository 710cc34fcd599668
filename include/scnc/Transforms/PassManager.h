//===- PassManager.h - Named passes, verified and dumped --------*- C++ -*-===//
#ifndef SCNC_TRANSFORMS_PASSMANAGER_H
#define SCNC_TRANSFORMS_PASSMANAGER_H

#include "scnc/IR/Network.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Transforms/CompilationContext.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace scnc {

/// What scncc does with predicted per-core loads (--realtime).
enum class RealTimeMode {
  /// Size every layer for real time; a layer that cannot fit is an error.
  Size,
  /// The same, but such a layer warns and keeps its memory-sized cores.
  BestEffort,
  /// Keep the memory-sized partition; only report and record predictions.
  Predict,
};

/// Settings of the pipeline that passes read.
struct PassOptions {
  /// Host threads a pass may use; results are identical for any number.
  unsigned threads = 1;
  /// Bytes expand-connections may hold (0: no limit).
  uint64_t maxMemory = 0;
  /// `partition`: the partitioner and its seed (None: the network's
  /// simulation seed).
  PartitionerKind partitioner = PartitionerKind::Metis;
  llvm::Optional<uint64_t> seed;
  /// A run directory (`scnc-run -o RUN`) whose spikes the partitioner sizes
  /// slices for, so that every core's predicted worst tick fits
  /// (100 - realTimeMarginPct)% of its cycle budget (empty: memory only).
  std::string profile;
  /// Without a profile: size for expected rates (docs/mapping.md); also on
  /// when a population has an expected_rate.
  bool realTimeRates = false;
  /// What the predicted loads do (--realtime).
  RealTimeMode realTimeMode = RealTimeMode::Size;
  unsigned realTimeMarginPct = 10;
  /// Routing entries per chip (0: the machine's); `place` sets them on the
  /// target, and compress-tables fits every table into them.
  unsigned routerEntries = 0;
  /// compress-tables walks every tree through the compressed tables.
  bool verifyRoutes = false;
  /// `route`: one tree per aligned block of a slice's keys whose neurons
  /// target the same cores (splitByTargets), instead of one per slice.
  bool splitRoutes = true;
  /// Split routes: routing entries per chip (before compression) they may
  /// take; blocks are merged back until every chip fits (fitSplitRoutes).
  /// 0: three quarters of the router's entries.
  unsigned splitRoutesBudget = 0;
  /// compress-tables minimises every table, not only those over capacity.
  bool minimizeTables = false;
};

/// What a pass may use besides the IR.
struct PassContext {
  DiagnosticEngine &diag;
  const PassOptions &options;
  /// The target machine and the mapping results.
  CompilationContext &compilation;
};

using PassFn = bool (*)(Network &, PassContext &);
/// Prints what a mapping pass produced (for -print-after).
using PassPrintFn = void (*)(const Network &, const CompilationContext &,
                             llvm::raw_ostream &);

struct PassInfo {
  llvm::StringRef name;
  PassFn run;
  llvm::StringRef description;
  /// Mapping passes: their result's printer; null for passes that change
  /// the IR, after which the IR is printed.
  PassPrintFn print = nullptr;
};

/// Every registered pass (from Passes.def), in registration order.
llvm::ArrayRef<PassInfo> allPasses();
const PassInfo *lookupPass(llvm::StringRef name);

#define SCNC_PASS(NAME, FN, DESC) bool FN(Network &, PassContext &);
#define SCNC_MAPPING_PASS(NAME, FN, PRINT, DESC)                               \
  bool FN(Network &, PassContext &);                                           \
  void PRINT(const Network &, const CompilationContext &, llvm::raw_ostream &);
#include "scnc/Transforms/Passes.def"

/// Runs passes in order. After each one it runs the verifier, prints the IR
/// (or, after a mapping pass, what it produced) when LLVM's
/// -print-after-all / -print-after=<pass> ask for it, and times the pass
/// when -time-passes is on.
class PassManager {
public:
  explicit PassManager(DiagnosticEngine &diag, PassOptions options = {})
      : diag(diag), options(options) {}
  void add(const PassInfo *p) { passes.push_back(p); }
  /// Adds a pass by name; false when there is no such pass.
  bool add(llvm::StringRef name);
  /// Runs the passes on \p n; mapping passes keep their results in \p cc.
  bool run(Network &n, CompilationContext &cc);
  /// For pipelines of IR passes only: mapping results are dropped.
  bool run(Network &n) {
    CompilationContext cc;
    return run(n, cc);
  }
  void setVerifyEach(bool v) { verifyEach = v; }

private:
  DiagnosticEngine &diag;
  PassOptions options;
  std::vector<const PassInfo *> passes;
  bool verifyEach = true;
};

} // namespace scnc

#endif
