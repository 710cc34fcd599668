//===- OutputFile.cpp -----------------------------------------------------===//
#include "scnc/Support/OutputFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

Expected<std::unique_ptr<scnc::PendingOutput>>
scnc::PendingOutput::create(StringRef path) {
  std::unique_ptr<PendingOutput> out(new PendingOutput);
  out->path = path.str();
  int fd;
  if (std::error_code ec =
          sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, out->tmp))
    return createStringError(ec, "cannot create a temporary file for '%s': %s",
                             out->path.c_str(), ec.message().c_str());
  out->stream = std::make_unique<raw_fd_ostream>(fd, /*shouldClose=*/true);
  return out;
}

Error scnc::PendingOutput::commit() {
  stream->close();
  if (stream->has_error()) {
    std::error_code ec = stream->error();
    stream->clear_error();
    return createStringError(ec, "cannot write '%s': %s", path.c_str(),
                             ec.message().c_str());
  }
  if (std::error_code ec = sys::fs::rename(tmp, path))
    return createStringError(ec, "cannot write '%s': %s", path.c_str(),
                             ec.message().c_str());
  committed = true;
  return Error::success();
}

scnc::PendingOutput::~PendingOutput() {
  if (committed)
    return;
  if (stream) {
    stream->close();
    stream->clear_error();
  }
  if (!tmp.empty())
    sys::fs::remove(tmp);
}

namespace {
template <typename Writer>
Error writeToTemporary(StringRef path, Writer writer) {
  Expected<std::unique_ptr<scnc::PendingOutput>> out =
      scnc::PendingOutput::create(path);
  if (!out)
    return out.takeError();
  if (Error e = writer((*out)->os()))
    return e;
  return (*out)->commit();
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
