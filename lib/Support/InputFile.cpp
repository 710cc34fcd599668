//===- InputFile.cpp ------------------------------------------------------===//
#include "scnc/Support/InputFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cstdint>
#include <string>
#include <system_error>
#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#include <unistd.h>
#endif

using namespace llvm;

namespace {
/// The one error of readInputFile that is not the system's.
class InputErrorCategory : public std::error_category {
public:
  const char *name() const noexcept override { return "scnc input"; }
  std::string message(int) const override {
    return "not a regular file (a device, pipe or socket has no size to "
           "check)";
  }
};
std::error_code notRegularFile() {
  static const InputErrorCategory cat;
  return std::error_code(1, cat);
}
} // namespace

ErrorOr<std::unique_ptr<MemoryBuffer>> scnc::readInputFile(StringRef path,
                                                           bool allowStdin) {
  if (allowStdin && path == "-")
    return MemoryBuffer::getSTDIN();
  sys::fs::file_status st;
  if (std::error_code ec = sys::fs::status(path, st))
    return ec;
  if (st.type() == sys::fs::file_type::directory_file)
    return std::make_error_code(std::errc::is_a_directory);
  if (st.type() != sys::fs::file_type::regular_file)
    return notRegularFile();
  return MemoryBuffer::getFile(path, /*IsText=*/false,
                               /*RequiresNullTerminator=*/false);
}

unsigned scnc::loadSourceFile(StringRef path, DiagnosticEngine &diag) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      readInputFile(path, /*allowStdin=*/true);
  if (std::error_code ec = buf.getError()) {
    diag.error("cannot read '" + path + "': " + ec.message());
    return 0;
  }
  return diag.getSourceMgr().AddNewSourceBuffer(std::move(*buf), SMLoc());
}

void scnc::releaseMappedPages(const MemoryBuffer &buf) {
#if __has_include(<sys/mman.h>) && defined(MADV_DONTNEED)
  if (buf.getBufferKind() != MemoryBuffer::MemoryBuffer_MMap)
    return;
  // The whole pages inside the buffer (a private read-only mapping of the
  // file: dropping a page loses nothing).
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  uintptr_t begin = (uintptr_t(buf.getBufferStart()) + page - 1) / page * page;
  uintptr_t end = uintptr_t(buf.getBufferEnd()) / page * page;
  if (end > begin)
    madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
#else
  (void)buf;
#endif
}
