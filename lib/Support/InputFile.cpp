//===- InputFile.cpp ------------------------------------------------------===//
#include "scnc/Support/InputFile.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

unsigned scnc::loadSourceFile(StringRef path, DiagnosticEngine &diag) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (std::error_code ec = buf.getError()) {
    diag.error("cannot read '" + path + "': " + ec.message());
    return 0;
  }
  return diag.getSourceMgr().AddNewSourceBuffer(std::move(*buf), SMLoc());
}
