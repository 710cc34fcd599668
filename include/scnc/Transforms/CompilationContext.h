//===- CompilationContext.h - State kept beside the IR ----------*- C++ -*-===//
//
// What one compilation produces besides the IR, kept beside it (as Glow's
// CompilationContext) rather than inside `Network`: the target machine and
// the results of the mapping passes. Copying a Network copies none of it.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_TRANSFORMS_COMPILATIONCONTEXT_H
#define SCNC_TRANSFORMS_COMPILATIONCONTEXT_H

#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/MappingState.h"
#include "llvm/ADT/Optional.h"
#include <string>

namespace scnc {

struct CompilationContext {
  /// The target machine and its name for messages and the image header:
  /// the user's (set before `place`, which checks it), or, when none is
  /// set, the smallest built-in machine with a core for every slice, which
  /// `place` chooses.
  llvm::Optional<Machine> machine;
  std::string machineName;
  /// Whether `place` still has to check a user's machine.
  bool machineUnchecked = false;
  /// Results of the mapping passes.
  MappingState mapping;

  /// Takes \p m (named \p name) as the target; `place` checks it.
  void setMachine(Machine m, std::string name) {
    machine = std::move(m);
    machineName = std::move(name);
    machineUnchecked = true;
  }
};

} // namespace scnc

#endif
