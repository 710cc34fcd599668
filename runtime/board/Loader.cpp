//===- Loader.cpp - Loading, running and reading back an image ------------===//
//
// docs/board.md, "What the loader does": the order of SpiNNaker's own host
// software (SpiNNMan, SpiNNFrontEndCommon), with the image's core programs
// started by CMD_AS from their own SDRAM blocks.
//
//===----------------------------------------------------------------------===//
#include "scnc/Board/Loader.h"
#include "kernel/Regions.h"
#include "scnc/Image/Image.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

using namespace llvm;
using namespace scnc;
using namespace scnc::board;

namespace {

Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}

std::string words(ArrayRef<uint32_t> ws) {
  std::string b(4 * ws.size(), '\0');
  for (size_t i = 0; i < ws.size(); ++i)
    support::endian::write32le(&b[4 * i], ws[i]);
  return b;
}

std::string fixed2(double v) {
  char b[32];
  snprintf(b, sizeof b, "%.2f", v);
  return b;
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

/// \p c's section as this run loads it: the recording region's flags set
/// to \p recordFlags, and with \p spikeArray its spike-source region
/// replaced by the spike array \p start / \p ticks (the other regions as
/// they are).
std::string sectionForRun(const ImageCore &c, uint32_t recordFlags,
                          bool spikeArray, ArrayRef<uint32_t> start,
                          ArrayRef<uint32_t> ticks) {
  StringRef s = c.section;
  uint32_t n = support::endian::read32le(s.data());
  std::vector<std::pair<uint32_t, std::string>> regions;
  for (uint32_t k = 0; k < n; ++k) {
    const char *e = s.data() + 4 + 12 * k;
    uint32_t id = support::endian::read32le(e),
             off = support::endian::read32le(e + 4),
             size = support::endian::read32le(e + 8);
    std::string data = s.substr(off, size).str();
    if (id == kernel::region::SpikeSource && spikeArray) {
      std::vector<uint32_t> w = {image::SourceArray, 0, c.numNeurons,
                                 uint32_t(ticks.size())};
      w.insert(w.end(), start.begin(), start.end());
      w.insert(w.end(), ticks.begin(), ticks.end());
      data = words(w);
    }
    if (id == kernel::region::Recording && data.size() >= 4)
      support::endian::write32le(&data[0], recordFlags);
    regions.push_back({id, std::move(data)});
  }
  std::vector<uint32_t> table = {n};
  uint32_t off = 4 + 12 * n;
  for (auto &[id, data] : regions) {
    table.insert(table.end(), {id, off, uint32_t(data.size())});
    off += uint32_t(data.size());
  }
  std::string out = words(table);
  for (auto &r : regions)
    out += r.second;
  return out;
}

struct CoreLoad {
  const ImageCore *core = nullptr;
  std::string section;
  uint32_t sectionAddr = 0, recordAddr = 0, recordBytes = 0, stride = 0;
  bool voltage = false;
  std::string recorded;
};

} // namespace

Expected<Recording>
board::runOnBoard(const ImageReader &img,
                  const std::vector<std::vector<Spike>> &inputs,
                  const BoardRunOptions &o, BoardRunStats *statsOut,
                  LearnedSynapseSet *learned) {
  BoardRunStats stats;
  auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const Twine &msg) {
    if (o.progress) {
      *o.progress << "scnc-run: board " << o.name << ": " << msg << "\n";
      o.progress->flush();
    }
  };
  if (img.programs().empty())
    return fail("the image carries no core programs (written by a scnc "
                "built without the ARM compiler, or with "
                "--core-programs=false): a board needs them");
  Expected<UdpSocket> sock = UdpSocket::connect(o.address);
  if (!sock)
    return sock.takeError();
  Transceiver tx(std::move(*sock), o.name, o.scp);
  const uint8_t app = o.appId;

  // 1. The board: SC&MP running, and big enough.
  Expected<ScpReply> ver = tx.call(0, 0, 0, CmdVer, 0, 0, 0, "", 12);
  if (!ver)
    return ver.takeError();
  StringRef verText = StringRef(ver->payload).drop_front(12);
  if (!verText.startswith("SC&MP"))
    return fail("board " + o.name + " runs '" + verText.take_until([](char c) {
      return c == 0;
    }) + "', not SC&MP: boot it first");
  if ((ver->word(0) >> 16) == 0xFFFF)
    return fail("board " + o.name +
                ": SC&MP has not finished its network set-up (p2p address "
                "0xFFFF); try again");
  // The round trip, for what the window allows (bench/board-load.sh).
  std::vector<double> rtts;
  for (int k = 0; k < 16; ++k) {
    auto t = std::chrono::steady_clock::now();
    if (Expected<ScpReply> r = tx.call(0, 0, 0, CmdVer, 0, 0, 0, "", 12); !r)
      return r.takeError();
    rtts.push_back(since(t) * 1e6);
  }
  std::sort(rtts.begin(), rtts.end());
  stats.roundTripMicros = rtts[rtts.size() / 2];
  Expected<ScpReply> dims = tx.call(0, 0, 0, CmdRead, kSvBase + 2, 2, 0, "", 2);
  if (!dims)
    return dims.takeError();
  unsigned height = uint8_t(dims->payload[0]),
           width = uint8_t(dims->payload[1]);
  const ImageHeader &h = img.header();
  std::vector<std::pair<unsigned, unsigned>> chipsUsed;
  for (const ImageCore &c : img.cores())
    chipsUsed.push_back({c.x, c.y});
  for (const ImageRoutingTable &t : img.routingTables())
    if (!t.entries.empty())
      chipsUsed.push_back({t.x, t.y});
  std::sort(chipsUsed.begin(), chipsUsed.end());
  chipsUsed.erase(std::unique(chipsUsed.begin(), chipsUsed.end()),
                  chipsUsed.end());
  for (auto [x, y] : chipsUsed)
    if (x >= width || y >= height)
      return fail("board " + o.name + " is a " + Twine(width) + "x" +
                  Twine(height) + " machine; the image (for '" + h.machineName +
                  "', " + Twine(h.machineWidth) + "x" + Twine(h.machineHeight) +
                  ") uses chip " + Twine(x) + "," + Twine(y));
  // Every chip used answers INFO and has the cores the image places.
  std::map<std::pair<unsigned, unsigned>, uint32_t> liveCores;
  for (auto [x, y] : chipsUsed)
    if (Error e = tx.submit(
            uint8_t(x), uint8_t(y), 0, CmdInfo, 0x5F, 0, 0, "",
            [&liveCores, x = x, y = y](const ScpReply &r) {
              liveCores[{x, y}] = r.word(0) & 31;
            },
            12))
      return e;
  if (Error e = tx.flush())
    return e;
  say("SC&MP on a " + Twine(width) + "x" + Twine(height) + " machine; " +
      Twine(img.cores().size()) + " cores on " + Twine(chipsUsed.size()) +
      " chips to load");

  // 2. Per core: its section (with --input's spikes) and recording buffer.
  uint32_t ticks = o.ticks;
  if (!ticks)
    for (const ImageCore &c : img.cores())
      ticks = std::max(ticks, c.numTicks);
  std::vector<CoreLoad> loads;
  for (const ImageCore &c : img.cores()) {
    CoreLoad l;
    l.core = &c;
    l.voltage = !c.isInput() && c.population < o.recordVoltages.size() &&
                o.recordVoltages[c.population];
    uint32_t flags =
        image::RecordSpikes | (l.voltage ? uint32_t(image::RecordVoltage) : 0u);
    l.section = sectionForRun(c, flags, false, {}, {});
    unsigned q = c.population;
    if (c.isInput() && q < inputs.size() && !inputs[q].empty()) {
      std::map<uint32_t, uint32_t> local;
      for (uint32_t k = 0; k < c.neuronIds.size(); ++k)
        local[c.neuronIds[k]] = k;
      std::vector<std::vector<uint32_t>> per(c.numNeurons);
      for (const Spike &s : inputs[q]) {
        auto it = local.find(s.neuron);
        if (it != local.end())
          per[it->second].push_back(s.tick);
      }
      std::vector<uint32_t> start = {0}, all;
      for (auto &t : per) {
        std::sort(t.begin(), t.end());
        t.erase(std::unique(t.begin(), t.end()), t.end());
        all.insert(all.end(), t.begin(), t.end());
        start.push_back(uint32_t(all.size()));
      }
      l.section = sectionForRun(c, flags, true, start, all);
    }
    l.stride = kernel::recordingTickWords(c.numNeurons, l.voltage);
    uint64_t rb =
        4 * (uint64_t(l.stride) * ticks + kernel::kRecordingTrailerWords);
    if (rb > 0x7FFFFFFF)
      return fail("core " + Twine(c.x) + "," + Twine(c.y) + "," +
                  Twine(c.core) + ": a recording of " + Twine(rb) +
                  " bytes is more than a chip's SDRAM");
    l.recordBytes = uint32_t(rb);
    loads.push_back(std::move(l));
  }
  for (CoreLoad &l : loads) {
    const ImageCore &c = *l.core;
    if (c.core >= kCoresPerChip || c.core == 0 || liveCores[{c.x, c.y}] == 0)
      return fail("board " + o.name + ": chip " + Twine(c.x) + "," +
                  Twine(c.y) + " has no core " + Twine(c.core));
    auto alloc = [&](uint32_t bytes, uint8_t tag, uint32_t &out) {
      return tx.submit(
          uint8_t(c.x), uint8_t(c.y), 0, CmdAlloc,
          AllocTagRetry << 16 | uint32_t(app) << 8 | AllocSdram, bytes, tag, "",
          [&out](const ScpReply &r) { out = r.word(0); }, 4);
    };
    if (Error e =
            alloc(uint32_t(l.section.size()), uint8_t(c.core), l.sectionAddr))
      return e;
    if (Error e = alloc(l.recordBytes, uint8_t(32 + c.core), l.recordAddr))
      return e;
  }
  if (Error e = tx.flush())
    return e;
  uint64_t total = 0;
  for (CoreLoad &l : loads) {
    const ImageCore &c = *l.core;
    if (!l.sectionAddr || !l.recordAddr)
      return fail("board " + o.name + ": chip " + Twine(c.x) + "," +
                  Twine(c.y) + " has no SDRAM left for core " + Twine(c.core) +
                  "'s " + Twine(uint64_t(l.section.size()) + l.recordBytes) +
                  " bytes (CMD_ALLOC returned 0)");
    total += l.section.size();
  }
  say("writing " + Twine(total) + " bytes of core data");
  for (CoreLoad &l : loads) {
    const ImageCore &c = *l.core;
    if (Error e =
            tx.write(uint8_t(c.x), uint8_t(c.y), l.sectionAddr, l.section))
      return e;
    // The loader's contract (docs/arm.md): user0..3.
    std::string user =
        words({l.sectionAddr, uint32_t(l.section.size()), l.recordAddr, ticks});
    if (Error e = tx.write(uint8_t(c.x), uint8_t(c.y),
                           kVcpuBase + kVcpuBytes * c.core + kVcpuUser0, user))
      return e;
  }
  if (Error e = tx.flush())
    return e;

  // 3. Routing tables: staged at sdram_sys, entries allocated, loaded.
  std::vector<const ImageRoutingTable *> tables;
  for (const ImageRoutingTable &t : img.routingTables())
    if (!t.entries.empty())
      tables.push_back(&t);
  for (const ImageRoutingTable *t : tables) {
    std::vector<uint32_t> w;
    for (size_t i = 0; i < t->entries.size(); ++i)
      w.insert(w.end(), {uint32_t(i), t->entries[i].route, t->entries[i].key,
                         t->entries[i].mask});
    w.insert(w.end(), {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF});
    if (Error e = tx.write(uint8_t(t->x), uint8_t(t->y), kSdramSys, words(w)))
      return e;
  }
  if (Error e = tx.flush())
    return e;
  std::vector<uint32_t> bases(tables.size(), 0);
  for (size_t k = 0; k < tables.size(); ++k)
    if (Error e = tx.submit(
            uint8_t(tables[k]->x), uint8_t(tables[k]->y), 0, CmdAlloc,
            uint32_t(app) << 8 | AllocRtr, uint32_t(tables[k]->entries.size()),
            0, "", [&bases, k](const ScpReply &r) { bases[k] = r.word(0); }, 4))
      return e;
  if (Error e = tx.flush())
    return e;
  // SC&MP keeps no record of sequence numbers: when a reply is lost, the
  // resent ALLOC_RTR runs again and the first allocation leaks. A large
  // table then finds no room. Nothing is loaded on the chip yet, so free
  // every entry the application holds there (FREE_RTR_ID) and allocate
  // again, a few times.
  for (unsigned attempt = 0; attempt < 4; ++attempt) {
    bool again = false;
    for (size_t k = 0; k < tables.size(); ++k) {
      if (bases[k])
        continue;
      again = true;
      uint8_t x = uint8_t(tables[k]->x), y = uint8_t(tables[k]->y);
      if (Error e = tx.submit(x, y, 0, CmdAlloc, uint32_t(app) << 8 | FreeRtrId,
                              1, 0, "", {}, 4))
        return e;
      if (Error e = tx.submit(
              x, y, 0, CmdAlloc, uint32_t(app) << 8 | AllocRtr,
              uint32_t(tables[k]->entries.size()), 0, "",
              [&bases, k](const ScpReply &r) { bases[k] = r.word(0); }, 4))
        return e;
      ++stats.routerReallocs;
    }
    if (!again)
      break;
    if (Error e = tx.flush())
      return e;
  }
  for (size_t k = 0; k < tables.size(); ++k) {
    const ImageRoutingTable &t = *tables[k];
    if (!bases[k])
      return fail("board " + o.name + ": chip " + Twine(t.x) + "," +
                  Twine(t.y) + " has no room for " +
                  Twine(uint64_t(t.entries.size())) +
                  " routing entries (CMD_ALLOC returned 0)");
    if (Error e = tx.submit(uint8_t(t.x), uint8_t(t.y), 0, CmdRtr,
                            uint32_t(t.entries.size()) << 16 |
                                uint32_t(app) << 8 | RtrLoad,
                            kSdramSys, bases[k], ""))
      return e;
  }
  if (Error e = tx.flush())
    return e;
  stats.chipsWithTables = tables.size();

  // From here on a failure stops the application (its memory and cores
  // freed), as SpiNNMan's app_stop does; best effort, errors ignored.
  bool stopped = false;
  auto stopApp = [&] {
    if (stopped)
      return;
    stopped = true;
    if (Error e = tx.submit(0, 0, 0, CmdSig, SigTypeNn,
                            SigStop << 16 | 0xFFu << 8 | app, 0xFFFF, ""))
      consumeError(std::move(e));
    if (Error e = tx.flush())
      consumeError(std::move(e));
  };
  auto stopOnExit = llvm::make_scope_exit([&] { stopApp(); });

  // 4. The programs: per chip and kind, the APLX in its own block, then
  // AS on that kind's cores, held until SIG START.
  std::map<std::pair<unsigned, unsigned>, std::array<uint32_t, 2>> masks;
  for (const ImageCore &c : img.cores())
    masks[{c.x, c.y}][c.isInput() ? image::SourceProgram
                                  : image::NeuronProgram] |= 1u << c.core;
  for (auto &[xy, mk] : masks)
    for (uint32_t kind = 0; kind < 2; ++kind) {
      if (!mk[kind])
        continue;
      const ImageProgram *prog = img.findProgram(kind);
      if (!prog)
        return fail("the image has no " + image::programKindName(kind) +
                    " program");
      Expected<ScpReply> a =
          tx.call(uint8_t(xy.first), uint8_t(xy.second), 0, CmdAlloc,
                  AllocTagRetry << 16 | uint32_t(app) << 8 | AllocSdram,
                  uint32_t(prog->aplx.size()), 240 + kind, "", 4);
      if (!a)
        return a.takeError();
      if (!a->word(0))
        return fail("board " + o.name + ": chip " + Twine(xy.first) + "," +
                    Twine(xy.second) + " has no SDRAM left for the " +
                    image::programKindName(kind) + " program");
      if (Error e = tx.write(uint8_t(xy.first), uint8_t(xy.second), a->word(0),
                             prog->aplx))
        return e;
      if (Error e = tx.flush())
        return e;
      if (Error e = tx.submit(uint8_t(xy.first), uint8_t(xy.second), 0, CmdAs,
                              a->word(0),
                              uint32_t(app) << 24 | 1u << 18 | mk[kind], 0, ""))
        return e;
    }
  if (Error e = tx.flush())
    return e;
  stats.loadSeconds = since(t0);
  stats.cores = loads.size();

  // 5. Start together once every core waits; wait for the end.
  auto count = [&](uint32_t state) -> Expected<uint32_t> {
    Expected<ScpReply> r = tx.call(0, 0, 0, CmdCount, app, state, 0, "", 4);
    if (!r)
      return r.takeError();
    return r->word(0);
  };
  auto t1 = std::chrono::steady_clock::now();
  for (;;) {
    Expected<uint32_t> n = count(StateWait);
    if (!n)
      return n.takeError();
    if (*n == loads.size())
      break;
    if (since(t1) > 10)
      return fail("board " + o.name + ": only " + Twine(*n) + " of " +
                  Twine(uint64_t(loads.size())) +
                  " cores reached WAIT within 10 s of their start");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  say("loaded in " + fixed2(stats.loadSeconds) + " s; running " + Twine(ticks) +
      " ticks");
  auto t2 = std::chrono::steady_clock::now();
  if (Expected<ScpReply> r = tx.call(0, 0, 0, CmdSig, SigTypeMc,
                                     SigStart << 16 | 0xFFu << 8 | app, 0xFFFF);
      !r)
    return r.takeError();
  double limit =
      o.runTimeoutSeconds + 10.0 * ticks * img.header().timestepUs / 1e6;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Expected<uint32_t> done = count(StateExit);
    if (!done)
      return done.takeError();
    if (*done == loads.size())
      break;
    Expected<uint32_t> rte = count(StateRte);
    if (!rte)
      return rte.takeError();
    if (*rte)
      return fail("board " + o.name + ": " + Twine(*rte) +
                  " cores stopped with a run-time error (state RTE)");
    if (since(t2) > limit)
      return fail("board " + o.name + ": " + Twine(*done) + " of " +
                  Twine(uint64_t(loads.size())) + " cores finished within " +
                  fixed2(limit) + " s");
  }
  stats.runSeconds = since(t2);

  // 6. Read the recordings back.
  auto t3 = std::chrono::steady_clock::now();
  say("run finished in " + fixed2(stats.runSeconds) +
      " s; reading the recordings");
  for (CoreLoad &l : loads) {
    l.recorded.assign(l.recordBytes, '\0');
    if (Error e = tx.read(uint8_t(l.core->x), uint8_t(l.core->y), l.recordAddr,
                          l.recordBytes, &l.recorded[0]))
      return e;
  }
  if (Error e = tx.flush())
    return e;
  // The plastic cores' matrices, as they left them.
  std::map<const ImageCore *, std::vector<uint32_t>> matrices;
  std::map<const ImageCore *, std::string> matrixBytes;
  if (learned) {
    for (CoreLoad &l : loads) {
      const ImageCore &c = *l.core;
      if (!(c.flags & image::SystemPlastic) || c.matrix.empty())
        continue;
      uint32_t n = support::endian::read32le(l.section.data());
      for (uint32_t k = 0; k < n; ++k) {
        const char *e = l.section.data() + 4 + 12 * k;
        if (support::endian::read32le(e) != kernel::region::SynapticMatrix)
          continue;
        std::string &b = matrixBytes[&c];
        b.assign(support::endian::read32le(e + 8), '\0');
        if (Error err =
                tx.read(uint8_t(c.x), uint8_t(c.y),
                        l.sectionAddr + support::endian::read32le(e + 4),
                        uint32_t(b.size()), &b[0]))
          return err;
      }
    }
    if (Error e = tx.flush())
      return e;
    for (auto &[c, b] : matrixBytes) {
      std::vector<uint32_t> &w = matrices[c];
      w.resize(b.size() / 4);
      for (size_t i = 0; i < w.size(); ++i)
        w[i] = support::endian::read32le(b.data() + 4 * i);
    }
    *learned = learnedFromMatrices(img, [&](const ImageCore &c) {
      auto it = matrices.find(&c);
      return it == matrices.end() ? nullptr : it->second.data();
    });
  }
  stats.readSeconds = since(t3);
  // Stop: the application's memory, router entries and cores are freed.
  stopped = true;
  if (Error e = tx.submit(0, 0, 0, CmdSig, SigTypeNn,
                          SigStop << 16 | 0xFFu << 8 | app, 0xFFFF, ""))
    return e;
  if (Error e = tx.flush())
    return e;

  Recording rec;
  rec.network = h.networkName;
  rec.mode = "board";
  rec.span.dt = h.timestepUs / 1000.0;
  rec.span.ticks = ticks;
  rec.wallSeconds = stats.runSeconds;
  for (const ImagePopulation &p : img.populations()) {
    PopulationRecording pr;
    pr.name = p.name;
    pr.isInput = p.input;
    pr.neurons = p.size();
    rec.populations.push_back(std::move(pr));
  }
  for (CoreLoad &l : loads) {
    const ImageCore &c = *l.core;
    PopulationRecording &pr = rec.populations[c.population];
    if (l.voltage && pr.voltages.empty())
      pr.voltages.assign(uint64_t(ticks) * pr.neurons, 0);
    const char *b = l.recorded.data();
    auto word = [&](uint64_t i) {
      return support::endian::read32le(b + 4 * i);
    };
    for (uint32_t t = 0; t < ticks; ++t) {
      uint64_t at = uint64_t(l.stride) * t;
      for (uint32_t k = 0; k < c.numNeurons; ++k)
        if (word(at + k / 32) >> (k % 32) & 1)
          pr.spikes.push_back({t, c.neuronIds[k]});
      if (l.voltage)
        for (uint32_t k = 0; k < c.numNeurons; ++k)
          pr.voltages[uint64_t(t) * pr.neurons + c.neuronIds[k]] = std::ldexp(
              double(int32_t(word(at + (c.numNeurons + 31) / 32 + k))), -15);
    }
    uint64_t tr = uint64_t(l.stride) * ticks;
    rec.synapticEvents += uint64_t(word(tr + 2)) | uint64_t(word(tr + 3)) << 32;
    if (!c.isInput())
      rec.neuronUpdates += uint64_t(c.numNeurons) * ticks;
  }
  for (PopulationRecording &pr : rec.populations)
    std::sort(pr.spikes.begin(), pr.spikes.end());
  stats.scp = tx.stats();
  say("read " + Twine(tx.stats().bytesRead) + " bytes in " +
      fixed2(stats.readSeconds) + " s; " + Twine(tx.stats().requests) +
      " SCP requests, " + Twine(tx.stats().resent) + " resent");
  if (statsOut)
    *statsOut = stats;
  return rec;
}

std::string board::boardStatsJson(const BoardRunOptions &o,
                                  const BoardRunStats &s, bool timing) {
  nlohmann::ordered_json j;
  j["board"] = o.name;
  j["cores"] = s.cores;
  j["chips_with_tables"] = s.chipsWithTables;
  j["bytes_written"] = s.scp.bytesWritten;
  j["bytes_read"] = s.scp.bytesRead;
  if (timing) {
    // These depend on the network's losses and the time: --stats only.
    j["scp_requests"] = s.scp.requests;
    j["scp_resent"] = s.scp.resent;
    j["scp_timeouts"] = s.scp.timeouts;
    j["scp_fast_resent"] = s.scp.fastResent;
    j["scp_malformed_replies"] = s.scp.malformedReplies;
    j["router_reallocs"] = s.routerReallocs;
    j["load_seconds"] = s.loadSeconds;
    j["run_seconds"] = s.runSeconds;
    j["read_seconds"] = s.readSeconds;
    j["round_trip_us"] = s.roundTripMicros;
    j["window"] = o.scp.window;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
