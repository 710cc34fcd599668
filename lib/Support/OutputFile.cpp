//===- OutputFile.cpp -----------------------------------------------------===//
#include "scnc/Support/OutputFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace {
template <typename Writer>
Error writeToTemporary(StringRef path, Writer writer) {
  SmallString<256> tmp;
  int fd;
  if (std::error_code ec =
          sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, tmp))
    return createStringError(ec, "cannot create a temporary file for '%s': %s",
                             path.str().c_str(), ec.message().c_str());
  Error result = Error::success();
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    result = writer(os);
    os.close();
    if (!result && os.has_error()) {
      result =
          createStringError(os.error(), "cannot write '%s': %s",
                            path.str().c_str(), os.error().message().c_str());
      os.clear_error();
    }
  }
  if (result) {
    sys::fs::remove(tmp);
    return result;
  }
  if (std::error_code ec = sys::fs::rename(tmp, path)) {
    sys::fs::remove(tmp);
    return createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                             ec.message().c_str());
  }
  return Error::success();
}
} // namespace

Error scnc::writeOutputAtomically(StringRef path,
                                  function_ref<Error(raw_ostream &)> writer) {
  if (path == "-") {
    Error err = writer(outs());
    outs().flush();
    return err;
  }
  return writeToTemporary(path, [&](raw_fd_ostream &os) { return writer(os); });
}

Error scnc::writeSeekableOutputAtomically(
    StringRef path, function_ref<Error(raw_pwrite_stream &)> writer) {
  if (path == "-") {
    SmallVector<char, 0> buffer;
    raw_svector_ostream os(buffer);
    if (Error err = writer(os))
      return err;
    outs() << StringRef(buffer.data(), buffer.size());
    outs().flush();
    return Error::success();
  }
  return writeToTemporary(path, [&](raw_fd_ostream &os) { return writer(os); });
}
