//===- Endpoint.cpp - The emulated board's SCP server ---------------------===//
//
// docs/board.md, "The endpoint". One Chip per chip touched: its SDRAM as
// allocated blocks (and the 256 KiB system staging area), System RAM (the
// system variables and 18 vcpu blocks), router entries and per core its
// application state. Every request is checked before it changes anything:
// a bad one gets the board's return code and leaves the state as it was.
//
//===----------------------------------------------------------------------===//
#include "scnc/Board/Endpoint.h"
#include "kernel/Regions.h"
#include "scnc/Board/Scp.h"
#include "scnc/Image/Image.h"
#include "scnc/Runtime/Emulator.h"
#include "scnc/Support/FixedPoint.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <thread>

using namespace llvm;
using namespace scnc;
using namespace scnc::board;

namespace {

uint32_t rd32(const uint8_t *p) { return support::endian::read32le(p); }
void wr32(uint8_t *p, uint32_t v) { support::endian::write32le(p, v); }
std::string words(std::initializer_list<uint32_t> ws) {
  std::string b;
  for (uint32_t w : ws) {
    char c[4];
    support::endian::write32le(c, w);
    b.append(c, 4);
  }
  return b;
}

struct Block {
  uint32_t size = 0;
  uint8_t appId = 0, tag = 0;
  std::vector<uint8_t> bytes;
};

struct Core {
  uint32_t state = StateIdle;
  uint8_t appId = 0;
  std::string aplx; ///< the program started on it
};

struct RouteEntry {
  bool used = false, loaded = false;
  uint8_t appId = 0;
  uint32_t key = 0xFFFFFFFF, mask = 0, route = 0;
};

struct Chip {
  ChipCoord coord;
  std::map<uint32_t, Block> blocks; ///< by address
  std::vector<uint8_t> sys;         ///< the staging area, when written
  std::vector<uint8_t> sysram;      ///< vcpu blocks .. sv (0xE5007000..)
  std::vector<RouteEntry> router;
  std::vector<Core> cores;
  bool routerAllocReplyLost = false;
};

constexpr uint32_t kSysRamWindow = kSvBase + kSvBytes - kVcpuBase;

} // namespace

struct BoardEndpoint::Impl {
  const Machine &m;
  EndpointOptions o;
  EndpointStats stats;
  std::map<unsigned, Chip> chips; ///< by ChipId
  uint64_t allocated = 0;
  std::mt19937_64 rng;
  mutable std::mutex mu;
  std::thread runner;
  bool running = false;
  uint8_t runningApp = 0;
  uint64_t finished = 0;
  /// Why the last run failed (its cores in RTE), for the server's log.
  std::string lastError;

  Impl(const Machine &m, const EndpointOptions &o) : m(m), o(o), rng(o.seed) {}
  ~Impl() {
    if (runner.joinable())
      runner.join();
  }

  Chip *chip(uint8_t x, uint8_t y) {
    if (x == 255 && y == 255)
      x = y = 0;
    Optional<ChipId> id = m.chipAt(x, y);
    if (!id)
      return nullptr;
    auto it = chips.find(*id);
    if (it != chips.end())
      return &it->second;
    Chip &c = chips[*id];
    c.coord = m.coord(*id);
    c.sysram.assign(kSysRamWindow, 0);
    c.router.resize(m.routerEntries() ? m.routerEntries() : 1024);
    c.cores.resize(kCoresPerChip);
    for (unsigned p = 0; p < kCoresPerChip; ++p)
      if (!m.isCoreLive(*id, p))
        c.cores[p].state = StateDead;
    uint8_t *sv = &c.sysram[kSvBase - kVcpuBase];
    support::endian::write16le(sv, uint16_t(c.coord.x << 8 | c.coord.y));
    sv[2] = uint8_t(m.height());
    sv[3] = uint8_t(m.width());
    support::endian::write16le(sv + 0x24, 200); // cpu_clk, MHz
    for (unsigned p = 0; p < kCoresPerChip; ++p) {
      sv[0x94 + p] = uint8_t(p); // p2v: identity
      c.sysram[kVcpuBytes * p + kVcpuState] =
          uint8_t(c.cores[p].state == StateDead ? StateDead : StateIdle);
    }
    return &c;
  }

  /// The bytes at [addr, addr + len) of \p c, when they lie in one memory
  /// the host may touch; null otherwise.
  uint8_t *memory(Chip &c, uint32_t addr, uint32_t len) {
    uint64_t end = uint64_t(addr) + len;
    if (addr >= kSysRamAlias)
      addr -= kSysRamAlias - kSysRamBase, end -= kSysRamAlias - kSysRamBase;
    if (addr >= kVcpuBase && end <= kVcpuBase + kSysRamWindow)
      return &c.sysram[addr - kVcpuBase];
    if (addr >= kSdramSys && end <= uint64_t(kSdramSys) + kSdramSysBytes) {
      if (c.sys.empty())
        c.sys.assign(kSdramSysBytes, 0);
      return &c.sys[addr - kSdramSys];
    }
    auto it = c.blocks.upper_bound(addr);
    if (it == c.blocks.begin())
      return nullptr;
    --it;
    if (addr >= it->first && end <= uint64_t(it->first) + it->second.size)
      return &it->second.bytes[addr - it->first];
    return nullptr;
  }

  uint32_t allocSdram(Chip &c, uint32_t bytes, uint8_t appId, uint8_t tag,
                      bool retry) {
    if (retry && tag)
      for (auto &[a, b] : c.blocks)
        if (b.tag == tag && b.appId == appId && b.size == bytes)
          return a;
    if (bytes == 0 || allocated + bytes > o.maxMemory)
      return 0;
    uint32_t size = (bytes + 7) & ~7u;
    uint32_t at = kSdramUserBase;
    for (auto &[a, b] : c.blocks) {
      if (uint64_t(at) + size <= a)
        break;
      at = std::max<uint32_t>(at, a + ((b.size + 7) & ~7u));
    }
    if (uint64_t(at) + size > kSdramSys)
      return 0;
    Block &b = c.blocks[at];
    b.size = bytes;
    b.appId = appId;
    b.tag = tag;
    b.bytes.assign(bytes, 0);
    allocated += bytes;
    return at;
  }

  void freeApp(uint8_t appId) {
    for (auto &[id, c] : chips) {
      for (auto it = c.blocks.begin(); it != c.blocks.end();)
        if (it->second.appId == appId) {
          allocated -= it->second.size;
          it = c.blocks.erase(it);
        } else {
          ++it;
        }
      for (RouteEntry &e : c.router)
        if (e.used && e.appId == appId)
          e = RouteEntry();
      for (unsigned p = 0; p < kCoresPerChip; ++p)
        if (c.cores[p].appId == appId && c.cores[p].state != StateDead)
          setState(c, p, StateIdle, 0);
    }
  }

  void setState(Chip &c, unsigned p, uint32_t state, uint8_t appId) {
    c.cores[p].state = state;
    c.cores[p].appId = appId;
    c.sysram[kVcpuBytes * p + kVcpuState] = uint8_t(state);
    c.sysram[kVcpuBytes * p + kVcpuAppId] = appId;
  }

  std::string handle(StringRef d);
  std::string command(const ScpMessage &q, uint16_t &rc);
  std::string startCores(Chip &c, uint32_t aplxAddr, uint32_t idOpMask,
                         uint16_t &rc);
  void start(uint8_t appId);
  void run(uint8_t appId, std::string image,
           std::vector<std::pair<unsigned, unsigned>> where);
};

std::string BoardEndpoint::Impl::handle(StringRef d) {
  std::uniform_real_distribution<double> u(0, 1);
  std::lock_guard<std::mutex> lock(mu);
  ++stats.requests;
  if (o.dropFraction > 0 && u(rng) < o.dropFraction) {
    ++stats.droppedIn;
    return "";
  }
  if (d.size() > kMaxDatagram) { // SC&MP drops these silently
    ++stats.malformed;
    return "";
  }
  Expected<ScpMessage> q = decodeRequest(d);
  if (!q) {
    consumeError(q.takeError());
    ++stats.malformed;
    // Short: RC_LEN when there is a header to answer to.
    if (d.size() < 14)
      return "";
    ScpMessage h;
    h.flags = uint8_t(d[2]);
    h.tag = uint8_t(d[3]);
    h.dstPort = uint8_t(d[4]);
    h.srcPort = uint8_t(d[5]);
    h.dstY = uint8_t(d[6]);
    h.dstX = uint8_t(d[7]);
    h.srcY = uint8_t(d[8]);
    h.srcX = uint8_t(d[9]);
    h.seq = support::endian::read16le(d.data() + 12);
    if (!(h.flags & 0x80))
      return "";
    ++stats.replies;
    return encodeReply(h, RcLen, "");
  }
  uint16_t rc = RcOk;
  std::string payload = command(*q, rc);
  if (rc != RcOk)
    payload.clear();
  if (!(q->flags & 0x80))
    return "";
  if (o.dropFraction > 0 && u(rng) < o.dropFraction) {
    ++stats.droppedOut;
    return "";
  }
  if (o.loseFirstRouterAllocReply && q->cmdRc == CmdAlloc &&
      (q->arg[0] & 0xFF) == AllocRtr) {
    Chip *c = chip(q->dstX, q->dstY);
    if (c && !c->routerAllocReplyLost) {
      c->routerAllocReplyLost = true;
      ++stats.droppedOut;
      return "";
    }
  }
  ++stats.replies;
  return encodeReply(*q, rc, payload);
}

std::string BoardEndpoint::Impl::command(const ScpMessage &q, uint16_t &rc) {
  Chip *c = chip(q.dstX, q.dstY);
  if (!c) {
    rc = RcRoute;
    return "";
  }
  unsigned cpu = q.dstCpu();
  if (cpu >= kCoresPerChip || c->cores[cpu].state == StateDead) {
    rc = RcCpu;
    return "";
  }
  if ((q.dstPort >> 5) != 0) {
    rc = RcPort;
    return "";
  }
  bool monitor = cpu == 0;
  switch (q.cmdRc) {
  case CmdVer: {
    std::string p =
        words({uint32_t(c->coord.x << 8 | c->coord.y) << 16 | cpu << 8 | cpu,
               0xFFFF0000u | kMaxData, 0});
    p += monitor ? std::string("SC&MP/SpiNNaker\0", 16)
                 : std::string("SARK/SpiNNaker\0", 15);
    p += std::string("4.0.0\0", 6);
    return p;
  }
  case CmdRead: {
    uint32_t addr = q.arg[0], len = q.arg[1];
    if (len > kMaxData) {
      rc = RcArg;
      return "";
    }
    uint8_t *p = memory(*c, addr, len);
    if (!p) {
      rc = RcArg;
      return "";
    }
    return std::string(reinterpret_cast<char *>(p), len);
  }
  case CmdWrite: {
    uint32_t addr = q.arg[0], len = q.arg[1];
    if (len > kMaxData || len != q.data.size()) {
      rc = len > kMaxData ? RcArg : RcLen;
      return "";
    }
    uint8_t *p = memory(*c, addr, len);
    if (!p) {
      rc = RcArg;
      return "";
    }
    std::copy(q.data.begin(), q.data.end(), p);
    return "";
  }
  case CmdFill: {
    uint32_t addr = q.arg[0], word = q.arg[1], len = q.arg[2];
    uint8_t *p = addr % 4 || len % 4 ? nullptr : memory(*c, addr, len);
    if (!p) {
      rc = RcArg;
      return "";
    }
    for (uint32_t i = 0; i < len; i += 4)
      wr32(p + i, word);
    return "";
  }
  }
  if (!monitor) {
    rc = RcCmd;
    return "";
  }
  switch (q.cmdRc) {
  case CmdInfo: {
    unsigned live = 0;
    for (const Core &k : c->cores)
      live += k.state != StateDead;
    uint32_t largest = 0, at = kSdramUserBase;
    for (auto &[a, b] : c->blocks) {
      largest = std::max(largest, a - at);
      at = a + ((b.size + 7) & ~7u);
    }
    largest = std::max(largest, kSdramSys - at);
    Optional<ChipId> id = m.chipAt(c->coord);
    uint32_t links = 0;
    for (unsigned l = 0; l < 6; ++l)
      links |= uint32_t(m.hasLink(*id, l)) << l;
    return words({live | links << 8, largest, 0}) + std::string(26, '\0');
  }
  case CmdCount: {
    uint8_t appId = uint8_t(q.arg[0]);
    uint32_t state = q.arg[1], n = 0;
    for (auto &[id, ch] : chips)
      for (const Core &k : ch.cores)
        n += k.appId == appId && k.state == state && state != StateIdle;
    return words({n});
  }
  case CmdAlloc: {
    uint32_t op = q.arg[0] & 0xFF, appId = (q.arg[0] >> 8) & 0xFF,
             extra = q.arg[0] >> 16;
    if (op == AllocSdram)
      return words({allocSdram(*c, q.arg[1], uint8_t(appId), uint8_t(q.arg[2]),
                               extra & AllocTagRetry)});
    if (op == FreeSdramId) {
      uint32_t freed = 0;
      for (auto it = c->blocks.begin(); it != c->blocks.end();)
        if (it->second.appId == appId) {
          allocated -= it->second.size;
          it = c->blocks.erase(it);
          ++freed;
        } else {
          ++it;
        }
      return words({freed});
    }
    if (op == AllocRtr) {
      uint32_t n = q.arg[1];
      // First fit among entries 1..size-1.
      uint32_t run = 0;
      for (uint32_t e = 1; e < c->router.size() && n; ++e) {
        run = c->router[e].used ? 0 : run + 1;
        if (run == n) {
          uint32_t first = e + 1 - n;
          for (uint32_t k = first; k <= e; ++k) {
            c->router[k].used = true;
            c->router[k].appId = uint8_t(appId);
          }
          return words({first});
        }
      }
      return words({0});
    }
    if (op == FreeRtrId) {
      // Every entry the application owns on the chip (sark's rtr_free_id;
      // the app id in arg1, as for FREE_SDRAM_ID); the count freed
      // (arg2: clear them too; otherwise they stay in the router until
      // overwritten).
      uint32_t freed = 0;
      for (uint32_t e = 1; e < c->router.size(); ++e)
        if (c->router[e].used && c->router[e].appId == appId) {
          if (q.arg[1])
            c->router[e] = RouteEntry();
          else
            c->router[e].used = false, c->router[e].appId = 0;
          ++freed;
        }
      return words({freed});
    }
    rc = RcArg;
    return "";
  }
  case CmdRtr: {
    uint32_t op = q.arg[0] & 0xFF, count = q.arg[0] >> 16,
             appId = (q.arg[0] >> 8) & 0xFF;
    if (op == RtrInit) {
      for (RouteEntry &e : c->router)
        e = RouteEntry();
      return "";
    }
    if (op == RtrLoad) {
      uint32_t base = q.arg[2];
      uint8_t *t = memory(*c, q.arg[1], count * 16);
      if (!t) {
        rc = RcArg;
        return "";
      }
      for (uint32_t k = 0; k < count; ++k) {
        uint32_t idx = support::endian::read16le(t + 16 * k) + base;
        if (idx >= c->router.size() || !c->router[idx].used ||
            c->router[idx].appId != appId) {
          rc = RcArg;
          return "";
        }
      }
      for (uint32_t k = 0; k < count; ++k) {
        RouteEntry &e = c->router[support::endian::read16le(t + 16 * k) + base];
        e.loaded = true;
        e.route = rd32(t + 16 * k + 4) & 0xFFFFFF;
        e.key = rd32(t + 16 * k + 8);
        e.mask = rd32(t + 16 * k + 12);
      }
      return "";
    }
    rc = RcArg;
    return "";
  }
  case CmdAr:
    return startCores(*c, kSdramSys, q.arg[0], rc);
  case CmdAs:
    return startCores(*c, q.arg[0], q.arg[1], rc);
  case CmdSig: {
    uint32_t type = q.arg[0], sig = (q.arg[1] >> 16) & 0xFF;
    uint8_t appId = uint8_t(q.arg[1]);
    if (type == SigTypeMc && sig == SigStart) {
      // A resent START of the application that runs is answered again.
      if (running && runningApp == appId)
        return "";
      if (running) {
        rc = RcBuf;
        return "";
      }
      start(appId);
      return "";
    }
    if (type == SigTypeNn && sig == SigStop) {
      if (running) {
        rc = RcBuf;
        return "";
      }
      freeApp(appId);
      return "";
    }
    rc = RcArg;
    return "";
  }
  }
  rc = RcCmd;
  return "";
}

/// AR/AS: loads the APLX at \p aplxAddr on the cores of \p idOpMask
/// (`app_id << 24 | wait << 18 | core mask`); they wait for SIG START.
std::string BoardEndpoint::Impl::startCores(Chip &c, uint32_t aplxAddr,
                                            uint32_t idOpMask, uint16_t &rc) {
  uint8_t appId = uint8_t(idOpMask >> 24);
  bool wait = (idOpMask >> 18) & 1;
  uint32_t mask = idOpMask & 0x3FFFF;
  if (!wait || (mask & 1) || running) {
    // Without the wait flag a core would start alone; this board starts
    // cores only together (SIG START). Core 0 is the monitor.
    rc = RcArg;
    return "";
  }
  // The program: from its address to the end of the memory holding it.
  uint32_t avail = 0;
  for (uint32_t step = kMaxData * 64; step; step /= 2)
    while (memory(c, aplxAddr, avail + step))
      avail += step;
  uint8_t *p = memory(c, aplxAddr, avail);
  if (!p) {
    rc = RcArg;
    return "";
  }
  ImageProgram prog;
  std::string bytes(reinterpret_cast<char *>(p), avail);
  if (Error e = decodeAplx(bytes, prog)) {
    consumeError(std::move(e));
    rc = RcArg;
    return "";
  }
  for (unsigned k = 1; k < kCoresPerChip; ++k)
    if ((mask >> k & 1) && c.cores[k].state == StateDead) {
      rc = RcCpu;
      return "";
    }
  for (unsigned k = 1; k < kCoresPerChip; ++k)
    if (mask >> k & 1) {
      setState(c, k, StateWait, appId);
      c.cores[k].aplx = bytes;
    }
  return "";
}

/// SIG START: the cores of \p appId waiting run what was loaded.
void BoardEndpoint::Impl::start(uint8_t appId) {
  ImageHeader h;
  h.machineWidth = m.width();
  h.machineHeight = m.height();
  h.machineName = o.machineName;
  h.networkName = "board";
  std::vector<std::pair<ImageSection, std::string>> secs;
  // Routing tables, loaded entries in router order.
  for (auto &[id, c] : chips) {
    std::string t;
    uint32_t n = 0;
    for (const RouteEntry &e : c.router)
      if (e.used && e.loaded && e.appId == appId) {
        t += words({e.key, e.mask, e.route});
        ++n;
      }
    ImageSection s;
    s.type = image::RoutingTableSection;
    s.x = uint16_t(c.coord.x);
    s.y = uint16_t(c.coord.y);
    secs.push_back({s, words({n}) + t});
  }
  // The cores: their sections at user0.
  std::vector<std::pair<ImageSection, std::string>> cores;
  std::vector<std::pair<unsigned, unsigned>> where;
  std::map<uint32_t, std::pair<bool, uint32_t>> pops; // input, neurons
  for (auto &[id, c] : chips)
    for (unsigned p = 1; p < kCoresPerChip; ++p) {
      Core &k = c.cores[p];
      if (k.appId != appId || k.state != StateWait)
        continue;
      const uint8_t *v = &c.sysram[kVcpuBytes * p + kVcpuUser0];
      uint32_t addr = rd32(v), bytes = rd32(v + 4);
      uint8_t *sec = memory(c, addr, bytes);
      std::vector<uint32_t> w(sec ? bytes / 4 : 0);
      for (size_t i = 0; i < w.size(); ++i)
        w[i] = rd32(sec + 4 * i);
      kernel::CoreRegions regions;
      kernel::CoreSystem sys;
      std::string name = "core " + std::to_string(c.coord.x) + "," +
                         std::to_string(c.coord.y) + "," + std::to_string(p);
      if (!sec || !kernel::findRegions(w.data(), uint32_t(w.size()), regions) ||
          !kernel::decodeSystem(regions, sys)) {
        lastError = name + ": no core section at its user0";
        setState(c, p, StateRte, appId);
        continue;
      }
      bool input = sys.flags & kernel::kSystemInputCore;
      // The program started must be this scnc's for the core's kind.
      StringRef builtin = image::builtinCoreProgram(
          input ? image::SourceProgram : image::NeuronProgram);
      if (!builtin.empty() && !StringRef(k.aplx).startswith(builtin)) {
        lastError = name +
                    ": started with a program that is not this "
                    "scnc's " +
                    image::programKindName(input ? image::SourceProgram
                                                 : image::NeuronProgram)
                        .str() +
                    " program";
        setState(c, p, StateRte, appId);
        continue;
      }
      h.timestepUs = sys.timestepUs;
      auto &pop = pops[sys.population];
      pop.first = input;
      const uint32_t *ids = regions.base[kernel::region::NeuronIds];
      for (uint32_t i = 0; ids && i < regions.words[kernel::region::NeuronIds];
           ++i)
        pop.second = std::max(pop.second, ids[i] + 1);
      ImageSection s;
      s.type = image::CoreSection;
      s.x = uint16_t(c.coord.x);
      s.y = uint16_t(c.coord.y);
      s.core = p;
      cores.push_back({s, std::string(reinterpret_cast<char *>(sec), bytes)});
      where.push_back({id, p});
    }
  // Populations: as many as the cores name, sized by their neurons.
  uint32_t numPops = pops.empty() ? 0 : pops.rbegin()->first + 1;
  std::string popSec = words({numPops});
  for (uint32_t q = 0; q < numPops; ++q) {
    auto it = pops.find(q);
    uint32_t n = it == pops.end() ? 0 : it->second.second;
    std::string name = "p" + std::to_string(q);
    popSec += words(
        {it != pops.end() && it->second.first, 1, 1, n, uint32_t(name.size())});
    name.resize((name.size() + 3) / 4 * 4, '\0');
    popSec += name;
  }
  ImageSection ps;
  ps.type = image::PopulationsSection;
  secs.push_back({ps, popSec});
  for (auto &s : cores)
    secs.push_back(std::move(s));
  // Nothing waits (a START resent after its run ended): nothing to do.
  if (where.empty())
    return;
  for (auto &[chipId, p] : where)
    setState(chips[chipId], p, StateRun, appId);
  running = true;
  runningApp = appId;
  ++stats.runs;
  if (runner.joinable())
    runner.join();
  // The image is put together by the run's thread: the reply to START
  // does not wait for it.
  runner = std::thread(
      [this, appId, h,
       where](std::vector<std::pair<ImageSection, std::string>> parts) {
        run(appId, assembleImage(h, parts), where);
      },
      std::move(secs));
}

/// The emulator on the rebuilt image; results into each core's user2.
void BoardEndpoint::Impl::run(
    uint8_t appId, std::string bytes,
    std::vector<std::pair<unsigned, unsigned>> where) {
  auto finish = [&](uint32_t state) {
    std::lock_guard<std::mutex> lock(mu);
    for (auto &[chipId, p] : where)
      setState(chips[chipId], p, state, appId);
    running = false;
    ++finished;
  };
  auto failed = [&](Error e) {
    std::string msg = toString(std::move(e));
    {
      std::lock_guard<std::mutex> lock(mu);
      lastError = msg;
    }
    finish(StateRte);
  };
  Expected<ImageReader> img = readImage(bytes, "what was loaded");
  if (!img)
    return failed(img.takeError());
  Expected<std::unique_ptr<Emulator>> em =
      Emulator::load(*img, m, o.machineName, o.threads);
  if (!em)
    return failed(em.takeError());
  // Ticks: user3 (the same on every core; 0: the image's).
  uint32_t ticks = 0;
  std::vector<bool> voltage((*em)->populations().size(), false);
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto &[chipId, p] : where)
      ticks = std::max(
          ticks, rd32(&chips[chipId].sysram[kVcpuBytes * p + kVcpuUser0 + 12]));
  }
  for (const ImageCore &c : img->cores())
    if (c.recordFlags & image::RecordVoltage)
      voltage[c.population] = true;
  EmulatorOptions eo;
  eo.ticks = ticks ? ticks : (*em)->imageTicks();
  eo.threads = o.threads;
  eo.recordVoltages = voltage;
  EmulatorStats st;
  std::vector<std::pair<const ImageCore *, std::vector<uint32_t>>> plastic;
  eo.plasticMatrices = &plastic;
  Expected<Recording> rec = (*em)->run({}, eo, &st);
  if (!rec)
    return failed(rec.takeError());
  std::lock_guard<std::mutex> lock(mu);
  // What plastic cores learned goes back into their sections' synaptic
  // matrix in SDRAM, as the board program leaves it.
  for (auto &[core, words] : plastic) {
    size_t i = size_t(core - img->cores().data());
    Chip &ch = chips[where[i].first];
    unsigned p = where[i].second;
    uint32_t base = rd32(&ch.sysram[kVcpuBytes * p + kVcpuUser0]);
    StringRef sec = core->section;
    uint32_t n = support::endian::read32le(sec.data());
    for (uint32_t k = 0; k < n; ++k) {
      const char *e = sec.data() + 4 + 12 * k;
      if (support::endian::read32le(e) != kernel::region::SynapticMatrix)
        continue;
      uint32_t off = support::endian::read32le(e + 4);
      uint8_t *out = memory(ch, base + off, uint32_t(4 * words.size()));
      if (out)
        for (size_t w = 0; w < words.size(); ++w)
          wr32(out + 4 * w, words[w]);
    }
  }
  for (size_t i = 0; i < where.size(); ++i) {
    Chip &ch = chips[where[i].first];
    unsigned p = where[i].second;
    const ImageCore &c = img->cores()[i];
    uint32_t rec2 = rd32(&ch.sysram[kVcpuBytes * p + kVcpuUser0 + 8]);
    bool v = voltage[c.population] && !c.isInput();
    uint32_t stride = kernel::recordingTickWords(c.numNeurons, v);
    uint64_t total =
        uint64_t(stride) * eo.ticks + kernel::kRecordingTrailerWords;
    uint8_t *out = rec2 ? memory(ch, rec2, uint32_t(4 * total)) : nullptr;
    if (rec2 && (!out || total > UINT32_MAX / 4)) {
      setState(ch, p, StateRte, appId);
      continue;
    }
    if (out) {
      std::fill(out, out + 4 * total, 0);
      // Local index of each population neuron this core holds.
      std::map<uint32_t, uint32_t> local;
      for (uint32_t k = 0; k < c.neuronIds.size(); ++k)
        local[c.neuronIds[k]] = k;
      const PopulationRecording &pr = rec->populations[c.population];
      for (const Spike &s : pr.spikes) {
        auto it = local.find(uint32_t(s.neuron));
        if (it == local.end() || s.tick >= eo.ticks)
          continue;
        uint8_t *w = out + 4 * (uint64_t(stride) * s.tick + it->second / 32);
        wr32(w, rd32(w) | 1u << (it->second % 32));
      }
      if (v && pr.hasVoltages())
        for (uint32_t t = 0; t < eo.ticks; ++t)
          for (uint32_t k = 0; k < c.numNeurons; ++k) {
            double mv = pr.voltages[uint64_t(t) * pr.neurons + c.neuronIds[k]];
            wr32(out +
                     4 * (uint64_t(stride) * t + (c.numNeurons + 31) / 32 + k),
                 uint32_t(int32_t(std::lround(std::ldexp(mv, 15)))));
          }
      const CoreStats &cs = st.cores[i];
      uint8_t *tr = out + 4 * uint64_t(stride) * eo.ticks;
      wr32(tr, uint32_t(cs.packets));
      wr32(tr + 4, uint32_t(cs.packets >> 32));
      wr32(tr + 8, uint32_t(cs.synapticEvents));
      wr32(tr + 12, uint32_t(cs.synapticEvents >> 32));
    }
    setState(ch, p, StateExit, appId);
  }
  running = false;
  ++finished;
}

BoardEndpoint::BoardEndpoint(const Machine &m, const EndpointOptions &o)
    : impl(std::make_unique<Impl>(m, o)) {}
BoardEndpoint::~BoardEndpoint() = default;

std::string BoardEndpoint::handle(StringRef d) { return impl->handle(d); }

const EndpointStats &BoardEndpoint::stats() const { return impl->stats; }

uint64_t BoardEndpoint::finishedRuns() const {
  std::lock_guard<std::mutex> lock(impl->mu);
  return impl->finished;
}

bool BoardEndpoint::idle() const {
  std::lock_guard<std::mutex> lock(impl->mu);
  for (const auto &[id, c] : impl->chips)
    for (const Core &k : c.cores)
      if (k.state != StateIdle && k.state != StateDead)
        return false;
  return true;
}

Error BoardEndpoint::serve(UdpSocket &s, const std::atomic<bool> &stop,
                           raw_ostream &log) {
  uint64_t runs = 0;
  while (!stop) {
    std::string d;
    UdpAddress from;
    Expected<bool> got = s.receive(d, 100, &from);
    if (!got)
      return got.takeError();
    if (*got) {
      std::string reply = handle(d);
      if (!reply.empty())
        if (Error e = s.sendTo(reply, from))
          consumeError(std::move(e)); // the sender went away
    }
    std::string err;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      if (impl->stats.runs != runs) {
        runs = impl->stats.runs;
        log << "scnc-run: board: run " << runs << " started\n";
      }
      std::swap(err, impl->lastError);
    }
    if (!err.empty())
      log << "scnc-run: board: the run failed (cores in RTE): " << err << "\n";
    log.flush();
  }
  return Error::success();
}
