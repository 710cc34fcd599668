//===- RunSummary.cpp - Reading a run's summary.json back -----------------===//
#include "scnc/Runtime/RunSummary.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"
#include <nlohmann/json.hpp>

using namespace llvm;
using namespace scnc;

static Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

Expected<RunSummary> scnc::readRunSummary(StringRef path, RunSummaryPart part) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = MemoryBuffer::getFile(path);
  if (!buf)
    return fail("cannot read '" + path + "': " + buf.getError().message());
  nlohmann::json j = nlohmann::json::parse(
      (*buf)->getBuffer().begin(), (*buf)->getBuffer().end(), nullptr, false);
  RunSummary s;
  if (part == RunSummaryPart::Layers) {
    if (j.is_discarded() || !j.contains("layers") || !j["layers"].is_array())
      return fail(path + ": not a scnc-run summary (no \"layers\" array)");
    for (const nlohmann::json &l : j["layers"]) {
      if (!l.contains("name") || !l["name"].is_string())
        return fail(path + ": a layer without a name");
      s.layers.push_back(
          {l["name"].get<std::string>(), l.value("neurons", uint64_t(0))});
    }
    return s;
  }
  if (j.is_discarded() || !j.contains("machine") ||
      !j["machine"].contains("per_chip"))
    return fail(path + ": no \"machine\".\"per_chip\" counters "
                       "(write it with scnc-run IMAGE -o DIR)");
  for (const nlohmann::json &c : j["machine"]["per_chip"]) {
    ChipTraffic t;
    t.x = c.value("x", 0u);
    t.y = c.value("y", 0u);
    for (const nlohmann::json &v : c.value("link_out", nlohmann::json()))
      t.linkOut.push_back(v.get<double>());
    s.chips.push_back(std::move(t));
  }
  return s;
}
