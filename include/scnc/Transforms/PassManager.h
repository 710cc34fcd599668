//===- PassManager.h - Named passes, verified and dumped --------*- C++ -*-===//
#ifndef SCNC_TRANSFORMS_PASSMANAGER_H
#define SCNC_TRANSFORMS_PASSMANAGER_H

#include "scnc/IR/Network.h"
#include "scnc/Support/Diagnostics.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace scnc {

class Machine;

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

} // namespace scnc

#endif
