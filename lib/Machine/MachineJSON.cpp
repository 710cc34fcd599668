//===- MachineJSON.cpp - Machine descriptions in JSON ---------------------===//
//
// A description starts from a built-in machine ("base") or a bare grid
// ("width", "height", "wrap") and marks dead chips, cores and links
// (docs/machine.md). Every problem is reported, each naming the file; no
// exception leaves this file (nlohmann is used in its non-throwing mode).
//
//===----------------------------------------------------------------------===//
#include "scnc/Machine/Machine.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/InputFile.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"
#include <map>
#include <nlohmann/json.hpp>
#include <set>

using namespace scnc;
using namespace llvm;
using json = nlohmann::ordered_json;

namespace {

/// Finds where and why a text is not JSON (json::parse in its non-throwing
/// mode only says that it is not).
struct SyntaxErrorFinder : nlohmann::json_sax<json> {
  size_t position = 0;
  std::string message;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t &) override { return true; }
  bool string(string_t &) override { return true; }
  bool binary(binary_t &) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t &) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string &,
                   const nlohmann::detail::exception &ex) override {
    position = pos;
    message = ex.what();
    return false;
  }
};

const StringRef kTopKeys[] = {"base",           "width",          "height",
                              "wrap",           "dead_chips",     "dead_cores",
                              "dead_links",     "reserved_cores", "sdram_bytes",
                              "router_entries", "description"};

class Loader {
public:
  explicit Loader(StringRef file) : file(file) {}

  Optional<Machine> load(StringRef text);
  std::vector<std::string> errors;

private:
  void error(const Twine &msg) { errors.push_back((file + ": " + msg).str()); }
  void syntaxError(StringRef text);
  void checkKeys(const json &obj, ArrayRef<StringRef> allowed,
                 const Twine &where);
  Optional<Machine> geometry(const json &doc);
  void configuration(const json &doc, Machine &m);
  /// A chip of the machine at `v` ([x, y]), reported against `where`.
  Optional<ChipId> chip(const json &v, const Machine &m, const Twine &where);
  void deadChips(const json &v, Machine &m);
  void deadCores(const json &v, Machine &m);
  void deadLinks(const json &v, Machine &m);

  StringRef file;
  std::vector<std::string> duplicateKeys;
  /// Grid position -> index in dead_chips, for messages about dead chips.
  DenseMap<uint64_t, unsigned> deadChipEntry;
  unsigned gridWidth = 0;
};

} // namespace

static Optional<uint64_t> asUnsigned(const json &v) {
  if (!v.is_number_unsigned())
    return None;
  return v.get<uint64_t>();
}

static std::string didYouMean(StringRef word, ArrayRef<StringRef> candidates) {
  StringRef guess = closestMatch(word, candidates);
  return guess.empty() ? std::string()
                       : ("; did you mean '" + guess + "'?").str();
}

void Loader::syntaxError(StringRef text) {
  SyntaxErrorFinder finder;
  (void)json::sax_parse(text.begin(), text.end(), &finder);
  // The lexer counts the byte it stopped at; report its 0-based offset.
  size_t offset =
      std::min<size_t>(finder.position ? finder.position - 1 : 0, text.size());
  StringRef before = text.take_front(offset);
  size_t line = 1 + before.count('\n');
  size_t lineStart = before.rfind('\n');
  size_t col = offset - (lineStart == StringRef::npos ? 0 : lineStart + 1) + 1;
  // "[json.exception.parse_error.101] parse error at line 1, column 2: why"
  StringRef why = finder.message;
  size_t at = why.find("parse error");
  if (at != StringRef::npos) {
    size_t colon = why.find(": ", at);
    if (colon != StringRef::npos)
      why = why.drop_front(colon + 2);
  }
  errors.push_back((file + ":" + Twine(line) + ":" + Twine(col) +
                    ": invalid JSON at byte " + Twine(offset) + ": " + why)
                       .str());
}

void Loader::checkKeys(const json &obj, ArrayRef<StringRef> allowed,
                       const Twine &where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    StringRef key = it.key();
    if (!is_contained(allowed, key))
      error(where + "unknown key '" + key + "'" + didYouMean(key, allowed));
  }
}

Optional<Machine> Loader::geometry(const json &doc) {
  bool hasBase = doc.contains("base"), hasW = doc.contains("width"),
       hasH = doc.contains("height"), hasWrap = doc.contains("wrap");
  if (hasBase) {
    if (hasW || hasH || hasWrap) {
      error("'base' cannot be combined with 'width', 'height' or 'wrap'");
      return None;
    }
    const json &base = doc["base"];
    if (!base.is_string()) {
      error("'base' must be a string naming a built-in machine");
      return None;
    }
    Expected<Machine> m = builtinMachine(base.get<std::string>());
    if (!m) {
      error("base: " + toString(m.takeError()));
      return None;
    }
    return std::move(*m);
  }
  if (!hasW && !hasH) {
    error("missing 'base' (a built-in machine) or 'width' and 'height'");
    return None;
  }
  if (hasW != hasH) {
    error(hasW ? "'width' needs 'height'" : "'height' needs 'width'");
    return None;
  }
  bool ok = true;
  unsigned dims[2] = {0, 0};
  const char *names[2] = {"width", "height"};
  for (unsigned i = 0; i < 2; ++i) {
    Optional<uint64_t> v = asUnsigned(doc[names[i]]);
    if (!v || *v == 0 || *v > spinnaker::kMaxDimension) {
      error("'" + Twine(names[i]) + "' must be an integer in 1..256");
      ok = false;
    } else {
      dims[i] = unsigned(*v);
    }
  }
  bool wrapX = false, wrapY = false;
  if (hasWrap) {
    const json &wrap = doc["wrap"];
    if (wrap.is_boolean()) {
      wrapX = wrapY = wrap.get<bool>();
    } else if (wrap.is_array() && wrap.size() == 2 && wrap[0].is_boolean() &&
               wrap[1].is_boolean()) {
      wrapX = wrap[0].get<bool>();
      wrapY = wrap[1].get<bool>();
    } else {
      error("'wrap' must be true, false or [x, y] with two booleans");
      ok = false;
    }
  }
  if (!ok)
    return None;
  return Machine::rectangle(dims[0], dims[1], wrapX, wrapY);
}

void Loader::configuration(const json &doc, Machine &m) {
  if (doc.contains("reserved_cores")) {
    Optional<uint64_t> v = asUnsigned(doc["reserved_cores"]);
    if (!v || *v >= spinnaker::kCoresPerChip)
      error("'reserved_cores' must be an integer in 0..17");
    else
      m.setReservedCores(unsigned(*v));
  }
  if (doc.contains("sdram_bytes")) {
    Optional<uint64_t> v = asUnsigned(doc["sdram_bytes"]);
    if (!v || *v == 0)
      error("'sdram_bytes' must be a positive integer");
    else
      m.setSDRAMBytes(*v);
  }
  if (doc.contains("router_entries")) {
    Optional<uint64_t> v = asUnsigned(doc["router_entries"]);
    if (!v || *v == 0 || *v > spinnaker::kRouterTCAMEntries)
      error("'router_entries' must be an integer in 1..1024");
    else
      m.setRouterEntries(unsigned(*v));
  }
  if (doc.contains("description") && !doc["description"].is_string())
    error("'description' must be a string");
}

Optional<ChipId> Loader::chip(const json &v, const Machine &m,
                              const Twine &where) {
  Optional<uint64_t> x, y;
  if (v.is_array() && v.size() == 2) {
    x = asUnsigned(v[0]);
    y = asUnsigned(v[1]);
  }
  if (!x || !y) {
    error(where + ": expected a chip as [x, y] with non-negative integers");
    return None;
  }
  if (*x >= m.width() || *y >= m.height()) {
    error(where + ": chip (" + Twine(*x) + ", " + Twine(*y) +
          ") is outside the " + Twine(m.width()) + "x" + Twine(m.height()) +
          " machine");
    return None;
  }
  ChipCoord c{unsigned(*x), unsigned(*y)};
  if (Optional<ChipId> id = m.chipAt(c))
    return id;
  auto dead = deadChipEntry.find(uint64_t(c.y) * gridWidth + c.x);
  if (dead != deadChipEntry.end())
    error(where + ": chip " + formatChip(c) + " is dead (dead_chips[" +
          Twine(dead->second) + "])");
  else
    error(where + ": there is no chip at " + formatChip(c));
  return None;
}

void Loader::deadChips(const json &v, Machine &m) {
  if (!v.is_array()) {
    error("'dead_chips' must be an array of chips [x, y]");
    return;
  }
  std::vector<ChipCoord> dead;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string where = "dead_chips[" + std::to_string(i) + "]";
    Optional<ChipId> id = chip(v[i], m, where);
    if (!id)
      continue;
    ChipCoord c = m.coord(*id);
    auto ins =
        deadChipEntry.try_emplace(uint64_t(c.y) * gridWidth + c.x, unsigned(i));
    if (!ins.second) {
      error(where + ": chip " + formatChip(c) + " is already dead_chips[" +
            Twine(ins.first->second) + "]");
      continue;
    }
    dead.push_back(c);
  }
  m.removeChips(dead);
}

void Loader::deadCores(const json &v, Machine &m) {
  if (!v.is_array()) {
    error("'dead_cores' must be an array of {\"chip\": [x, y], \"cores\": "
          "[...]}");
    return;
  }
  std::map<std::pair<ChipId, unsigned>, size_t> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string where = "dead_cores[" + std::to_string(i) + "]";
    const json &entry = v[i];
    if (!entry.is_object()) {
      error(where + ": expected an object with 'chip' and 'cores'");
      continue;
    }
    checkKeys(entry, {"chip", "cores"}, where + ": ");
    if (!entry.contains("chip") || !entry.contains("cores")) {
      error(where + ": missing '" +
            (entry.contains("chip") ? "cores" : "chip") + "'");
      continue;
    }
    Optional<ChipId> id = chip(entry["chip"], m, where);
    const json &cores = entry["cores"];
    if (!cores.is_array()) {
      error(where + ": 'cores' must be an array of core numbers");
      continue;
    }
    for (const json &cv : cores) {
      Optional<uint64_t> core = asUnsigned(cv);
      if (!core) {
        error(where + ": core numbers must be integers in 1..17");
        continue;
      }
      if (*core == spinnaker::kMonitorCore) {
        error(where + ": core 0 is the monitor; mark the chip dead instead");
        continue;
      }
      if (*core >= spinnaker::kCoresPerChip) {
        error(where + ": core " + Twine(*core) + " is outside 1..17");
        continue;
      }
      if (!id)
        continue;
      auto ins = seen.emplace(std::make_pair(*id, unsigned(*core)), i);
      if (!ins.second) {
        if (ins.first->second == i)
          error(where + ": core " + Twine(*core) + " is listed twice");
        else
          error(where + ": core " + Twine(*core) + " of chip " +
                formatChip(m.coord(*id)) + " is already dead_cores[" +
                Twine(ins.first->second) + "]");
        continue;
      }
      m.setCoreDead(*id, unsigned(*core));
    }
  }
}

void Loader::deadLinks(const json &v, Machine &m) {
  if (!v.is_array()) {
    error("'dead_links' must be an array of {\"chip\": [x, y], \"link\": "
          "0..5}");
    return;
  }
  // Both ends of a link map to one key: the end with the smaller link number.
  std::map<std::pair<ChipId, unsigned>, size_t> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string where = "dead_links[" + std::to_string(i) + "]";
    const json &entry = v[i];
    if (!entry.is_object()) {
      error(where + ": expected an object with 'chip' and 'link'");
      continue;
    }
    checkKeys(entry, {"chip", "link"}, where + ": ");
    if (!entry.contains("chip") || !entry.contains("link")) {
      error(where + ": missing '" + (entry.contains("chip") ? "link" : "chip") +
            "'");
      continue;
    }
    Optional<ChipId> id = chip(entry["chip"], m, where);
    Optional<uint64_t> link = asUnsigned(entry["link"]);
    if (!link || *link >= spinnaker::kNumLinks) {
      error(where + ": " +
            (link ? "link " + std::to_string(*link) + " is outside 0..5"
                  : std::string("'link' must be a link number in 0..5")) +
            " (0 east, 1 north-east, 2 north, 3 west, 4 south-west, 5 "
            "south)");
      continue;
    }
    if (!id)
      continue;
    unsigned l = unsigned(*link);
    ChipCoord c = m.coord(*id);
    Optional<ChipCoord> nbc = m.neighbourCoord(c, l);
    Optional<ChipId> nb = nbc ? m.chipAt(*nbc) : None;
    if (!nb) {
      error(where + ": chip " + formatChip(c) + " has no link " + Twine(l) +
            " (" + linkName(l) + "): " +
            (nbc ? "there is no chip at " + formatChip(*nbc)
                 : std::string("it is on the edge of the machine")));
      continue;
    }
    unsigned back = oppositeLink(l);
    std::pair<ChipId, unsigned> key =
        l < back ? std::make_pair(*id, l) : std::make_pair(*nb, back);
    auto ins = seen.emplace(key, i);
    if (!ins.second) {
      const json &prev = v[ins.first->second];
      bool sameEnd = asUnsigned(prev["link"]) == *link;
      error(where + ": link " + Twine(l) + " (" + linkName(l) + ") of chip " +
            formatChip(c) + " is already dead_links[" +
            Twine(ins.first->second) + "]" +
            (sameEnd ? "" : " (a link is dead in both directions)"));
      continue;
    }
    m.setLinkDead(*id, l);
  }
}

Optional<Machine> Loader::load(StringRef text) {
  // Track keys per object to catch duplicates, which JSON parsers otherwise
  // resolve silently by keeping the last.
  std::vector<std::set<std::string>> open;
  json::parser_callback_t onEvent = [&](int, json::parse_event_t event,
                                        json &parsed) {
    switch (event) {
    case json::parse_event_t::object_start:
      open.emplace_back();
      break;
    case json::parse_event_t::object_end:
      if (!open.empty())
        open.pop_back();
      break;
    case json::parse_event_t::key:
      if (!open.empty() && parsed.is_string() &&
          !open.back().insert(parsed.get<std::string>()).second)
        duplicateKeys.push_back(parsed.get<std::string>());
      break;
    default:
      break;
    }
    return true;
  };
  json doc = json::parse(text.begin(), text.end(), onEvent,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    syntaxError(text);
    return None;
  }
  if (!doc.is_object()) {
    error("expected a JSON object at the top level");
    return None;
  }
  for (const std::string &key : duplicateKeys)
    error("duplicate key '" + key + "'");
  checkKeys(doc, kTopKeys, "");

  Optional<Machine> m = geometry(doc);
  if (!m)
    return None;
  gridWidth = m->width();
  configuration(doc, *m);
  if (doc.contains("dead_chips"))
    deadChips(doc["dead_chips"], *m);
  if (doc.contains("dead_cores"))
    deadCores(doc["dead_cores"], *m);
  if (doc.contains("dead_links"))
    deadLinks(doc["dead_links"], *m);
  if (!errors.empty())
    return None;
  return m;
}

static Error joinMessages(ArrayRef<std::string> messages) {
  Error all = Error::success();
  for (const std::string &msg : messages)
    all = joinErrors(std::move(all),
                     createStringError(inconvertibleErrorCode(), msg));
  return all;
}

Expected<Machine> scnc::parseMachineJSON(StringRef text, StringRef file) {
  Loader loader(file);
  Optional<Machine> m = loader.load(text);
  if (!m)
    return joinMessages(loader.errors);
  return std::move(*m);
}

Expected<Machine> scnc::loadMachine(StringRef nameOrPath) {
  if (!nameOrPath.endswith_insensitive(".json") && !nameOrPath.contains('/'))
    return builtinMachine(nameOrPath);
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = readInputFile(nameOrPath);
  if (std::error_code ec = buf.getError())
    return createStringError(ec, "cannot read '%s': %s",
                             nameOrPath.str().c_str(), ec.message().c_str());
  return parseMachineJSON((*buf)->getBuffer(), nameOrPath);
}
