//===- ChildProcess.h - Work in forked child processes ---------*- C++ -*-===//
//
// Work that must not touch this process: a library that can crash or hang
// on damaged input (HDF5), or one with global state that threads would
// share (liblinear's rand() and message hook). Each task runs in a child
// process forked from this one (so it sees this process's memory, copied
// on write) and sends its result back through a pipe.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_CHILDPROCESS_H
#define SCNC_SUPPORT_CHILDPROCESS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace scnc {

struct ChildOptions {
  /// Children at once (at least 1).
  unsigned jobs = 1;
  /// A child still running after this many seconds is killed by SIGALRM
  /// (0: no limit).
  unsigned timeoutSeconds = 0;
  /// The child's stderr goes to /dev/null and fatal signals take their
  /// default action (no crash report from the tool's handlers): the parent
  /// reports a crash.
  bool quiet = false;
};

struct ChildResult {
  /// What the task returned; complete only when the child exited with 0.
  std::string bytes;
  bool exited = false; ///< exited (else killed by a signal)
  int code = 0;        ///< the exit status, or the signal
  bool ok() const { return exited && code == 0; }
};

/// Runs \p work(k) for each k in [0, tasks), each in its own child process,
/// at most o.jobs at a time; the child writes what work returns to the
/// parent and exits with status 0. The results come in task order, whatever
/// the order the children finish in. An error only when a pipe or a child
/// could not be made (callers may then run the work here).
llvm::Expected<std::vector<ChildResult>>
runInChildren(unsigned tasks, llvm::function_ref<std::string(unsigned)> work,
              const ChildOptions &o = {});

} // namespace scnc

#endif
