//===- OutputFile.h - Outputs written atomically ----------------*- C++ -*-===//
#ifndef SCNC_SUPPORT_OUTPUTFILE_H
#define SCNC_SUPPORT_OUTPUTFILE_H

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <functional>
#include <memory>
#include <string>

namespace scnc {

/// Writes an output through `writer`: to stdout for "-", otherwise to a
/// temporary file beside `path` that is renamed over `path` only when the
/// writer succeeds, so a failed run never leaves a half-written file.
llvm::Error writeOutputAtomically(
    llvm::StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> writer);

/// The same for writers that seek (pwrite) in their output, e.g. to fill in
/// a header last: a file is written in place; "-" is buffered in memory and
/// copied to stdout when the writer succeeds.
llvm::Error writeSeekableOutputAtomically(
    llvm::StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_pwrite_stream &)> writer);

/// An output written a part at a time (e.g. a run's spikes as they are
/// gathered): a temporary file beside `path`, renamed over `path` by
/// commit(); destroyed uncommitted (an error, another output's failure)
/// it is removed, so a failed run never leaves a half-written file.
class PendingOutput {
public:
  static llvm::Expected<std::unique_ptr<PendingOutput>>
  create(llvm::StringRef path);
  llvm::raw_fd_ostream &os() { return *stream; }
  /// Closes the file and renames it; an error writing it is reported here.
  llvm::Error commit();
  ~PendingOutput();

private:
  PendingOutput() = default;
  std::string path;
  llvm::SmallString<256> tmp;
  std::unique_ptr<llvm::raw_fd_ostream> stream;
  bool committed = false;
};

} // namespace scnc

#endif
