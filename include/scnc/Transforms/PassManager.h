//===- PassManager.h - Named passes, verified and dumped --------*- C++ -*-===//
#ifndef SCNC_TRANSFORMS_PASSMANAGER_H
#define SCNC_TRANSFORMS_PASSMANAGER_H

#include "scnc/IR/Network.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Support/Diagnostics.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace scnc {

/// Settings of the pipeline that passes read.
struct PassOptions {
  /// Host threads a pass may use; results are identical for any number.
  unsigned threads = 1;
  /// Bytes expand-connections may hold (0: no limit).
  uint64_t maxMemory = 0;
  /// The target of the mapping passes, and its name for messages.
  const Machine *machine = nullptr;
  std::string machineName;
  /// Router entries per chip for compress-tables (0: the machine's).
  unsigned routerCapacity = 0;
  /// compress-tables walks every tree through the compressed tables.
  bool verifyRoutes = false;
};

/// What a pass may use besides the IR.
struct PassContext {
  DiagnosticEngine &diag;
  const PassOptions &options;
};

using PassFn = bool (*)(Network &, PassContext &);

struct PassInfo {
  llvm::StringRef name;
  PassFn run;
  llvm::StringRef description;
};

/// Every registered pass (from Passes.def), in registration order.
llvm::ArrayRef<PassInfo> allPasses();
const PassInfo *lookupPass(llvm::StringRef name);

#define SCNC_PASS(NAME, FN, DESC) bool FN(Network &, PassContext &);
#include "scnc/Transforms/Passes.def"

/// Runs passes in order. After each one it runs the verifier, prints the IR
/// when LLVM's -print-after-all / -print-after=<pass> ask for it, and times
/// the pass when -time-passes is on.
class PassManager {
public:
  explicit PassManager(DiagnosticEngine &diag, PassOptions options = {})
      : diag(diag), options(options) {}
  void add(const PassInfo *p) { passes.push_back(p); }
  /// Adds a pass by name; false when there is no such pass.
  bool add(llvm::StringRef name);
  bool run(Network &n);
  void setVerifyEach(bool v) { verifyEach = v; }
  void setDumpStream(llvm::raw_ostream &os) { dumpOS = &os; }

private:
  DiagnosticEngine &diag;
  PassOptions options;
  std::vector<const PassInfo *> passes;
  bool verifyEach = true;
  llvm::raw_ostream *dumpOS = nullptr;
};

/// The pipeline scncc runs on a lowered network: shapes, and with
/// `expand` the connection lists.
void buildDefaultPipeline(PassManager &pm, bool expand = false);

/// Adds scncc's `partition` pass to \p pm, configured in a fresh mapping
/// state of \p n: partitioner \p kind, seed \p seed (None: the network's
/// simulation seed).
void addPartitionPass(PassManager &pm, Network &n, PartitionerKind kind,
                      llvm::Optional<uint64_t> seed = llvm::None);

/// scncc's mapping of a partitioned network (`addPartitionPass` ran): onto
/// \p target when it holds a machine (refused when the machine fails its
/// check), else onto the smallest of spinn3, spinn5, boards:N with a core
/// for every slice (stored in \p target and \p targetName); with
/// \p routerEntries, the machine's routers get that many entries; then
/// place, allocate-keys, route, build-tables and compress-tables run with
/// \p options (its machine and machineName set here; verified after each
/// pass when \p verifyEach). Errors go to \p diag; false when there was
/// any.
bool mapOntoMachine(Network &n, llvm::Optional<Machine> &target,
                    std::string &targetName, PassOptions options,
                    llvm::Optional<unsigned> routerEntries, bool verifyEach,
                    DiagnosticEngine &diag);

} // namespace scnc

#endif
