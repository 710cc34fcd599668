//===- scnc-run.cpp - Run a network and record what it does ---------------===//
//
// `scnc-run --reference net.scn` evaluates a network description directly
// (docs/execution.md, docs/runtime.md); `scnc-run net.scimg` runs a load
// image on the emulated machine.
//
//===----------------------------------------------------------------------===//
#include "MpiRanks.h"
#include "scnc/Board/Endpoint.h"
#include "scnc/Board/Loader.h"
#include "scnc/Driver/Pipeline.h"
#include "scnc/Image/Image.h"
#include "scnc/Runtime/Distributed.h"
#include "scnc/Runtime/Emulator.h"
#include "scnc/Runtime/LearnedSynapses.h"
#include "scnc/Runtime/Reference.h"
#include "scnc/Runtime/SpikeIO.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/ToolSupport.h"
#include "scnc/Support/Units.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <sys/resource.h>
#include <thread>

using namespace scnc;
using namespace llvm;

namespace {
enum class Record { Spikes, Voltages, All };

/// This process's peak resident memory in bytes (getrusage).
uint64_t peakResidentBytes() {
  struct rusage u;
  if (getrusage(RUSAGE_SELF, &u) != 0)
    return 0;
  return uint64_t(u.ru_maxrss) * 1024; // Linux: kilobytes
}

/// The ranks of a distributed run (mpirun -np N with N > 1), else null.
RankComm *ranks = nullptr;
/// Whether this process writes the outputs (rank 0, or the only one).
bool isRoot() { return !ranks || ranks->rank() == 0; }

cl::OptionCategory runCat("Running");
cl::OptionCategory ioCat("Inputs and recordings");

cl::opt<std::string>
    inputFile(cl::Positional,
              cl::desc("<net.scn | net.scnir | net.nir | net.scimg>"),
              cl::init("-"), cl::cat(ioCat));
cl::opt<bool> reference(
    "reference",
    cl::desc("Evaluate the network description directly (the reference "
             "the emulator must match bit for bit)"),
    cl::cat(runCat));
cl::opt<bool> float64(
    "float64",
    cl::desc("With --reference: float64 arithmetic instead of the machine's "
             "fixed point"),
    cl::cat(runCat));
cl::opt<bool> plasticOpt(
    "plastic",
    cl::desc("With --reference: the training configuration (as scncc "
             "--plastic): projections with an STDP rule learn and the layers "
             "they feed use their train_neuron set"),
    cl::cat(runCat));
cl::opt<std::string> weightsOut(
    "weights-out",
    cl::desc("After a plastic run: write the learned weights, one "
             "<pre>.<post>.weights.npy per pair of layers with plastic "
             "synapses (rows pre, post, weight nA), into this directory"),
    cl::value_desc("dir"), cl::cat(ioCat));
cl::opt<unsigned> ticksOpt("ticks",
                           cl::desc("Ticks to run (default: one presentation: "
                                    "the network's, or the image's ticks)"),
                           cl::value_desc("N"), cl::cat(runCat));
cl::opt<std::string>
    durationOpt("duration",
                cl::desc("Time to run, e.g. 100ms or 2s (a plain number: ms)"),
                cl::value_desc("time"), cl::cat(runCat));
cl::opt<unsigned> threads("j", cl::desc("Host threads"), cl::init(1),
                          cl::cat(runCat));
cl::opt<HostIsa> hostIsa(
    "host-isa",
    cl::desc("The emulator's neuron update: the best instruction set up to "
             "this one the host has (results are the same for each)"),
    cl::init(HostIsa::Avx512),
    cl::values(clEnumValN(HostIsa::Scalar, "scalar",
                          "the kernel's own code, a neuron at a time"),
               clEnumValN(HostIsa::Avx2, "avx2", "AVX2, 8 neurons at a time"),
               clEnumValN(HostIsa::Avx512vl, "avx512vl",
                          "AVX-512 on 256-bit vectors, 8 at a time"),
               clEnumValN(HostIsa::Avx512, "avx512",
                          "AVX-512 on 512-bit vectors, 16 at a time "
                          "(default)")),
    cl::cat(runCat));
cl::opt<std::string> machineOpt(
    "machine",
    cl::desc("With a load image: the machine to emulate, spinn3, spinn5, "
             "boards:N, WxH or a JSON description (default: the machine the "
             "image was compiled for)"),
    cl::value_desc("name|file.json"), cl::cat(runCat));
cl::list<std::string>
    inputs("input",
           cl::desc("Input spikes (.npy or CSV rows of time in ms, neuron) "
                    "for LAYER, or for the only input layer"),
           cl::value_desc("[LAYER=]FILE"), cl::cat(ioCat));
cl::opt<Record>
    record("record", cl::desc("What -o writes (summary.json always)"),
           cl::init(Record::Spikes),
           cl::values(clEnumValN(Record::Spikes, "spikes",
                                 "<layer>.spikes.npy (default)"),
                      clEnumValN(Record::Voltages, "v",
                                 "<layer>.v.npy: membrane voltages in mV"),
                      clEnumValN(Record::All, "all", "both")),
           cl::cat(ioCat));
cl::list<std::string>
    layersOpt("layers",
              cl::desc("Layers whose recordings -o writes (default: all)"),
              cl::value_desc("a,b,..."), cl::CommaSeparated, cl::cat(ioCat));
cl::opt<std::string>
    outDir("o",
           cl::desc("Write recordings and summary.json into this directory "
                    "(default: print a summary)"),
           cl::value_desc("dir"), cl::cat(ioCat));
cl::OptionCategory boardCat("A SpiNNaker board (docs/board.md)");
cl::opt<std::string> boardOpt(
    "board",
    cl::desc("Run the load image on a booted SpiNNaker machine (SC&MP at "
             "HOST, UDP port 17893 by default) instead of the emulator: the "
             "same recordings and summary.json"),
    cl::value_desc("host[:port]"), cl::cat(boardCat));
cl::opt<unsigned> boardTimeout(
    "board-timeout",
    cl::desc("Milliseconds to wait for an SCP reply before resending "
             "(SpiNNMan's 1000)"),
    cl::init(1000), cl::cat(boardCat));
cl::opt<unsigned>
    boardRetries("board-retries",
                 cl::desc("Times an SCP request is resent before the run fails "
                          "(SpiNNMan's 10)"),
                 cl::init(10), cl::cat(boardCat));
cl::opt<std::string> serveOpt(
    "serve",
    cl::desc("Be a booted board: answer SCP on this UDP address (port 0: "
             "any free port) for the --machine, running what is loaded with "
             "the emulator, until killed or --serve-runs runs"),
    cl::value_desc("addr:port"), cl::cat(boardCat));
cl::opt<double>
    serveDrop("serve-drop",
              cl::desc("With --serve: drop this fraction of datagrams in each "
                       "direction (for tests)"),
              cl::init(0), cl::cat(boardCat));
cl::opt<bool> serveLoseAllocRtr(
    "serve-lose-alloc-rtr-reply",
    cl::desc("With --serve: lose the reply to each chip's first ALLOC_RTR, "
             "so that the host's resend allocates twice (for tests)"),
    cl::cat(boardCat));
cl::opt<unsigned>
    serveRuns("serve-runs",
              cl::desc("With --serve: exit after this many runs (0: never)"),
              cl::init(0), cl::cat(boardCat));
cl::opt<std::string> servePortFile(
    "serve-port-file",
    cl::desc("With --serve: write the port listened on to this file once "
             "listening"),
    cl::value_desc("file"), cl::cat(boardCat));
cl::list<std::string> traceCores(
    "trace-core",
    cl::desc("With a load image: record core X,Y,P's run for the ARM "
             "build's equivalence test (its input and what the host kernel "
             "computed; docs/arm.md); 'all' for every core, 'per-layer' for "
             "each layer's first and last core"),
    cl::value_desc("X,Y,P|all|per-layer"), cl::cat(runCat));
cl::opt<std::string> traceDir(
    "trace-dir",
    cl::desc("Where --trace-core writes X-Y-P.in, X-Y-P.expected and "
             "cores.txt (one line per core: X-Y-P neuron|source, then the DTCM "
             "arena bytes the resource model gives its program)"),
    cl::value_desc("dir"), cl::init("."), cl::cat(runCat));
cl::opt<unsigned> errorLimit("error-limit",
                             cl::desc("Stop after this many errors (0: none)"),
                             cl::init(20), cl::cat(diagnosticsCategory()));

int fail(const Twine &msg) {
  if (errs().has_colors()) { // a terminal: one process
    WithColor::error(errs(), "scnc-run") << msg << "\n";
    return 1;
  }
  // One write of the whole line: the ranks of a distributed run report
  // errors they all see at once, and mpirun must not interleave the pieces.
  std::string line;
  raw_string_ostream os(line);
  WithColor::error(os, "scnc-run") << msg << "\n";
  errs() << os.str();
  return 1;
}

/// --trace-core's cores (every core for 'all'); false after an error.
bool parseTraceCores(const ImageReader &img, std::vector<CoreTrace> &traces) {
  for (const std::string &v : traceCores) {
    if (v == "all" || v == "per-layer") {
      // per-layer: each population's first and last core (image order).
      std::map<uint32_t, std::vector<const ImageCore *>> byPop;
      for (const ImageCore &c : img.cores())
        byPop[c.population].push_back(&c);
      for (const ImageCore &c : img.cores()) {
        const auto &pop = byPop[c.population];
        if (v == "all" || &c == pop.front() || &c == pop.back()) {
          CoreTrace t;
          t.x = c.x, t.y = c.y, t.core = c.core;
          traces.push_back(t);
        }
      }
      continue;
    }
    SmallVector<StringRef, 3> parts;
    StringRef(v).split(parts, ',');
    CoreTrace t;
    if (parts.size() != 3 || parts[0].getAsInteger(10, t.x) ||
        parts[1].getAsInteger(10, t.y) || parts[2].getAsInteger(10, t.core)) {
      fail("--trace-core=" + v + ": expected X,Y,P, all or per-layer");
      return false;
    }
    traces.push_back(t);
  }
  return true;
}

/// Each traced core's X-Y-P.in (little-endian words) and X-Y-P.expected,
/// written atomically into --trace-dir.
bool writeTraces(const std::vector<CoreTrace> &traces) {
  if (std::error_code ec = sys::fs::create_directories(traceDir)) {
    fail("--trace-dir " + traceDir + ": " + ec.message());
    return false;
  }
  std::string index;
  for (const CoreTrace &t : traces) {
    index +=
        (Twine(t.x) + "-" + Twine(t.y) + "-" + Twine(t.core) +
         (t.isInput ? " source " : " neuron ") + Twine(t.arenaBytes) + "\n")
            .str();
    std::string stem = (Twine(traceDir) + "/" + Twine(t.x) + "-" + Twine(t.y) +
                        "-" + Twine(t.core))
                           .str();
    std::string in(4 * t.input.size(), '\0');
    for (size_t k = 0; k < t.input.size(); ++k)
      support::endian::write32le(&in[4 * k], t.input[k]);
    for (auto [name, file] :
         {std::pair<std::string, const std::string *>{stem + ".in", &in},
          {stem + ".expected", &t.dump}}) {
      // (clang 14 cannot capture a structured binding.)
      const std::string *bytes = file;
      Error e = writeToOutput(name, [&](raw_ostream &os) {
        os << *bytes;
        return Error::success();
      });
      if (e) {
        fail(name + ": " + toString(std::move(e)));
        return false;
      }
    }
  }
  std::string name = traceDir + "/cores.txt";
  if (Error e = writeToOutput(name, [&](raw_ostream &os) {
        os << index;
        return Error::success();
      })) {
    fail(name + ": " + toString(std::move(e)));
    return false;
  }
  return true;
}

void failAll(Error e, unsigned &errors) {
  handleAllErrors(std::move(e), [&](const ErrorInfoBase &info) {
    fail(info.message());
    ++errors;
  });
}

/// `ms / dt` as a whole number of ticks (a quotient within 1e-9 relative of
/// an integer counts as that integer); false when it is not one.
bool wholeTicks(double ms, double dt, uint64_t &ticks) {
  double q = ms / dt, r = std::round(q);
  if (!(std::fabs(q - r) <= 1e-9 * std::max(1.0, std::fabs(q))) || r < 0 ||
      r > double(UINT32_MAX))
    return false;
  ticks = uint64_t(r);
  return true;
}

/// "100ms", "100 ms", "0.5s", or a plain number of ms, in ms.
bool parseDuration(StringRef text, double &ms) {
  text = text.trim();
  size_t unitAt = text.find_first_not_of("0123456789.eE+-");
  StringRef num = text.take_front(unitAt).rtrim(),
            unit = text.drop_front(std::min(unitAt, text.size())).trim();
  Optional<Unit> u = lookupUnit(unit.empty() ? "ms" : unit);
  double v;
  if (num.empty() || num.getAsDouble(v) || !u || u->dim != Dimension::Time ||
      !(v >= 0) || !std::isfinite(v))
    return false;
  ms = v * u->scale;
  return true;
}

std::string listNames(ArrayRef<StringRef> names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i ? ", '" : "'") + names[i].str() + "'";
  return s;
}

/// What the options need to know of a layer, from the IR or from an image.
struct Layer {
  std::string name;
  bool isInput = false;
  uint64_t neurons = 0;
};

/// A layer named on the command line, or -1 after an error.
int findLayer(ArrayRef<Layer> layers, StringRef name, const Twine &where) {
  SmallVector<StringRef, 8> names;
  for (size_t q = 0; q < layers.size(); ++q) {
    if (layers[q].name == name)
      return int(q);
    names.push_back(layers[q].name);
  }
  StringRef guess = closestMatch(name, names);
  fail("unknown layer '" + name + "' in " + where +
       (guess.empty() ? "" : ("; did you mean '" + guess + "'?").str()));
  return -1;
}

/// The run's length from --ticks, --duration or one presentation (all in
/// ticks of \p dt ms); false after an error.
bool runLength(double dt, double presentationMs, RunSpan &span) {
  span.dt = dt;
  uint64_t ticks = 0;
  if (ticksOpt.getNumOccurrences()) {
    ticks = ticksOpt;
  } else if (durationOpt.getNumOccurrences()) {
    double ms;
    if (!parseDuration(durationOpt, ms)) {
      fail("invalid --duration '" + durationOpt +
           "': expected a time, e.g. 100ms, 2s or 100 (ms)");
      return false;
    }
    if (!wholeTicks(ms, dt, ticks)) {
      fail("--duration " + durationOpt +
           " is not a whole number of timesteps (" + formatDouble(dt) + " ms)");
      return false;
    }
  } else if (!wholeTicks(presentationMs, dt, ticks)) {
    fail("the presentation (" + formatDouble(presentationMs) +
         " ms) is not a whole number of timesteps (" + formatDouble(dt) +
         " ms): give --ticks or --duration");
    return false;
  }
  if (ticks == 0) {
    fail("the run has no ticks");
    return false;
  }
  span.ticks = uint32_t(ticks);
  return true;
}

/// --layers as one flag per layer (empty: all); counts errors.
std::vector<bool> selectedLayers(ArrayRef<Layer> layers, unsigned &errors) {
  std::vector<bool> selected;
  if (layersOpt.empty())
    return selected;
  selected.assign(layers.size(), false);
  for (const std::string &name : layersOpt) {
    int q = findLayer(layers, name, "--layers");
    if (q < 0)
      ++errors;
    else
      selected[q] = true;
  }
  return selected;
}

/// Every --input read into spikes per layer; counts errors.
std::vector<std::vector<Spike>>
readInputs(ArrayRef<Layer> layers, const RunSpan &span, unsigned &errors) {
  std::vector<unsigned> inputLayers;
  for (size_t q = 0; q < layers.size(); ++q)
    if (layers[q].isInput)
      inputLayers.push_back(unsigned(q));
  std::vector<std::vector<Spike>> spikes(layers.size());
  std::vector<bool> given(layers.size(), false);
  for (const std::string &arg : inputs) {
    StringRef text = arg, file = text;
    int q = -1;
    size_t eq = text.find('=');
    if (eq != StringRef::npos && !sys::fs::exists(text)) {
      file = text.drop_front(eq + 1);
      q = findLayer(layers, text.take_front(eq), "--input " + arg);
      if (q < 0) {
        ++errors;
        continue;
      }
    } else if (inputLayers.size() == 1) {
      q = int(inputLayers[0]);
    } else {
      SmallVector<StringRef, 4> names;
      for (unsigned i : inputLayers)
        names.push_back(layers[i].name);
      fail(inputLayers.empty()
               ? "--input " + arg + ": the network has no input layer"
               : "--input " + arg + " names no layer and the network has " +
                     Twine(inputLayers.size()) + " input layers (" +
                     listNames(names) + "): write --input LAYER=FILE");
      ++errors;
      continue;
    }
    const Layer &layer = layers[q];
    if (!layer.isInput) {
      fail("--input " + arg + ": layer '" + layer.name +
           "' is not an input layer");
      ++errors;
      continue;
    }
    if (given[q]) {
      fail("--input " + arg + ": layer '" + layer.name +
           "' already has an input file");
      ++errors;
      continue;
    }
    given[q] = true;
    Expected<std::vector<Spike>> s =
        readSpikeFile(file, layer.name, layer.neurons, span);
    if (!s) {
      failAll(s.takeError(), errors);
      continue;
    }
    spikes[q] = std::move(*s);
  }
  return spikes;
}

/// Per layer: record its voltages (for the run), by -o, --record, --layers.
std::vector<bool> voltageLayers(size_t numLayers,
                                const std::vector<bool> &selected) {
  if (outDir.empty() || record == Record::Spikes)
    return {};
  return selected.empty() ? std::vector<bool>(numLayers, true) : selected;
}

/// The summary table, or the files of -o (--record, --layers); --stats
/// (and \p moreStats after the run's own).
/// \p spikeFiles: the spike files, already written as the run gathered
/// them (SpikeFileSink), to rename into place first.
int report(const Recording &rec, const std::vector<bool> &selected,
           function_ref<void(raw_ostream &)> moreStats = nullptr,
           SpikeFileSink *spikeFiles = nullptr) {
  bool stats = AreStatisticsEnabled();
  if (outDir.empty()) {
    printSummaryTable(rec, outs());
  } else {
    OutputSelection sel;
    sel.wallTime = stats;
    sel.spikes = record != Record::Voltages && !spikeFiles;
    sel.voltages = record != Record::Spikes;
    sel.layers = selected;
    Error e = spikeFiles ? spikeFiles->commit() : Error::success();
    if (!e)
      e = writeRecording(rec, outDir, sel);
    if (e) {
      unsigned errors = 0;
      failAll(std::move(e), errors);
      return 1;
    }
  }
  if (stats) {
    printRunStats(rec, outs());
    if (moreStats)
      moreStats(outs());
  }
  return 0;
}

/// Runs a load image on a board (--board): the same run length, inputs
/// and outputs as on the emulator.
int runOnBoard(const ImageReader &img) {
  unsigned errors = 0;
  if (!traceCores.empty())
    return fail("--board: --trace-core needs the emulator");
  if (!weightsOut.empty()) {
    bool plastic = false;
    for (const ImageCore &c : img.cores())
      plastic |= (c.flags & image::SystemPlastic) != 0;
    if (!plastic)
      return fail("--weights-out: the image has no plastic synapses (compile "
                  "it with scncc --plastic)");
  }
  std::vector<Layer> layers;
  for (const ImagePopulation &p : img.populations())
    layers.push_back({p.name, p.input, p.size()});
  double dt = img.header().timestepUs / 1000.0;
  uint32_t imageTicks = 0;
  for (const ImageCore &c : img.cores())
    imageTicks = std::max(imageTicks, c.numTicks);
  RunSpan span;
  if (!runLength(dt, imageTicks * dt, span))
    return 1;
  std::vector<bool> selected = selectedLayers(layers, errors);
  std::vector<std::vector<Spike>> spikes = readInputs(layers, span, errors);
  if (errors)
    return 1;
  board::BoardRunOptions bo;
  Expected<board::UdpAddress> addr =
      board::parseUdpAddress(boardOpt, board::kScampPort);
  if (!addr)
    return fail("--board " + toString(addr.takeError()));
  bo.address = *addr;
  bo.name = boardOpt;
  bo.scp.timeoutMs = boardTimeout;
  bo.scp.retries = boardRetries;
  bo.ticks = span.ticks;
  bo.recordVoltages = voltageLayers(layers.size(), selected);
  bo.progress = &errs();
  board::BoardRunStats bs;
  LearnedSynapseSet learned;
  Expected<Recording> rec = board::runOnBoard(
      img, spikes, bo, &bs, weightsOut.empty() ? nullptr : &learned);
  if (!rec)
    return fail(toString(rec.takeError()));
  if (!weightsOut.empty()) {
    std::vector<std::string> names;
    for (const ImagePopulation &p : img.populations())
      names.push_back(p.name);
    if (Error e = writeLearnedSynapses(learned, names, weightsOut))
      return fail(toString(std::move(e)));
  }
  rec->extraJson.push_back(
      {"board", board::boardStatsJson(bo, bs, AreStatisticsEnabled())});
  return report(*rec, selected, nullptr);
}

/// --serve: an emulated board answering SCP.
int runServe() {
  std::string machineName =
      machineOpt.getNumOccurrences() ? std::string(machineOpt) : "spinn5";
  Expected<Machine> machine = loadMachine(machineName);
  if (!machine)
    return fail("--machine " + machineName + ": " +
                toString(machine.takeError()));
  Expected<board::UdpAddress> addr = board::parseUdpAddress(serveOpt, 0);
  if (!addr)
    return fail("--serve " + toString(addr.takeError()));
  if (serveDrop < 0 || serveDrop >= 1)
    return fail("--serve-drop wants a fraction in [0, 1), got " +
                formatv("{0}", double(serveDrop)).str());
  Expected<board::UdpSocket> sock = board::UdpSocket::bind(*addr);
  if (!sock)
    return fail("--serve: " + toString(sock.takeError()));
  board::EndpointOptions eo;
  eo.machineName = machineName;
  eo.dropFraction = serveDrop;
  eo.loseFirstRouterAllocReply = serveLoseAllocRtr;
  eo.threads = std::max(1u, unsigned(threads));
  board::BoardEndpoint endpoint(*machine, eo);
  board::UdpAddress local = sock->localAddress();
  if (!servePortFile.empty())
    if (Error e = writeToOutput(servePortFile, [&](raw_ostream &os) {
          os << local.port << "\n";
          return Error::success();
        }))
      return fail(servePortFile + ": " + toString(std::move(e)));
  errs() << "scnc-run: serving " << machineName << " on " << local.str()
         << "\n";
  std::atomic<bool> stop(false);
  // Stop after --serve-runs runs, once their cores have finished (the
  // host then reads and stops them; give it time to).
  std::thread watcher;
  if (serveRuns)
    watcher = std::thread([&] {
      while (!stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (endpoint.finishedRuns() >= serveRuns && endpoint.idle())
          stop = true;
      }
    });
  Error e = endpoint.serve(*sock, stop, errs());
  stop = true;
  if (watcher.joinable())
    watcher.join();
  if (e)
    return fail(toString(std::move(e)));
  const board::EndpointStats &st = endpoint.stats();
  errs() << "scnc-run: served " << st.requests << " requests, " << st.replies
         << " replies, " << st.droppedIn << " + " << st.droppedOut
         << " dropped, " << st.malformed << " malformed\n";
  return 0;
}

/// Runs a load image on the emulated machine: the validated image, the
/// machine (--machine or the image's), the emulator's checks, then as for
/// the reference: run length, --layers, --input, run, report.
int runImage() {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      readInputFile(inputFile, /*allowStdin=*/true);
  if (!buf)
    return fail("cannot read '" + inputFile + "': " + buf.getError().message());
  unsigned errors = 0;
  StringRef bufName =
      inputFile == "-" ? StringRef("<stdin>") : StringRef(inputFile);
  // A rank of a distributed run reads the header, the tables and the
  // section table first (no core section), then, once the chips are
  // assigned, its chips' core sections only.
  Expected<ImageReader> img =
      ranks ? readImage((*buf)->getBuffer(), bufName,
                        [](unsigned, unsigned) { return false; })
            : readImage((*buf)->getBuffer(), bufName);
  if (!img) {
    failAll(img.takeError(), errors);
    return 1;
  }
  std::string machineName = machineOpt.getNumOccurrences()
                                ? std::string(machineOpt)
                                : img->header().machineName;
  if (machineName.empty())
    return fail("the image names no machine: give --machine NAME|FILE");
  Expected<Machine> machine = loadMachine(machineName);
  if (!machine) {
    std::string msg = toString(machine.takeError());
    if (machineOpt.getNumOccurrences())
      return fail("--machine " + machineName + ": " + msg);
    return fail("the image was compiled for machine '" + machineName +
                "', which scnc-run cannot build (" + msg +
                "): give --machine NAME|FILE");
  }
  unsigned j = std::max(1u, unsigned(threads));
  if (!boardOpt.empty())
    return runOnBoard(*img);
  Distribution dist;
  if (ranks) {
    dist.comm = ranks;
    if (ranks->size() > machine->numChips())
      return fail("a distributed run has a chip per rank at least: " +
                  Twine(ranks->size()) + " ranks for the " +
                  Twine(machine->numChips()) + " chips of machine '" +
                  machineName + "'");
    dist.rankOfChip = assignChips(*machine, img->sections(), ranks->size());
    img = readImage((*buf)->getBuffer(), bufName, [&](unsigned x, unsigned y) {
      return dist.owns(*machine, x, y);
    });
    if (!img) {
      failAll(img.takeError(), errors);
      return 1;
    }
  }
  Expected<std::unique_ptr<Emulator>> em =
      Emulator::load(*img, *machine, machineName, j, ranks ? &dist : nullptr);
  if (!em) {
    failAll(em.takeError(), errors);
    return 1;
  }
  Emulator &emu = **em;
  // The emulator runs from its own copy of the core sections.
  releaseMappedPages(**buf);
  if (!weightsOut.empty()) {
    bool plastic = false;
    for (const ImageCore &c : img->cores())
      plastic |= (c.flags & image::SystemPlastic) != 0;
    if (!plastic)
      return fail("--weights-out: the image has no plastic synapses (compile "
                  "it with scncc --plastic)");
  }

  std::vector<Layer> layers;
  for (const EmulatedPopulation &p : emu.populations())
    layers.push_back({p.name, p.isInput, p.neurons});
  RunSpan span;
  double dt = emu.timestepMs();
  if (!runLength(dt, emu.imageTicks() * dt, span))
    return 1;
  std::vector<bool> selected = selectedLayers(layers, errors);
  std::vector<std::vector<Spike>> spikes = readInputs(layers, span, errors);
  if (errors)
    return 1;

  EmulatorOptions eo;
  eo.ticks = span.ticks;
  eo.threads = j;
  eo.hostIsa = hostIsa;
  eo.recordVoltages = voltageLayers(layers.size(), selected);
  std::vector<CoreTrace> traces;
  if (!parseTraceCores(*img, traces))
    return 1;
  if (!traces.empty())
    eo.traces = &traces;
  // Spikes go to their files as they are gathered (or are only counted
  // for the summary table), never held whole.
  std::vector<std::string> names;
  for (const Layer &l : layers)
    names.push_back(l.name);
  std::vector<bool> spikeLayers(layers.size(), false);
  if (!outDir.empty() && record != Record::Voltages)
    spikeLayers = selected;
  SpikeFileSink spikeFiles(outDir, names, spikeLayers, dt);
  eo.spikeSink = &spikeFiles;
  EmulatorStats stats;
  LearnedSynapseSet learned;
  Expected<Recording> rec =
      emu.run(spikes, eo, &stats, weightsOut.empty() ? nullptr : &learned);
  if (!rec) {
    failAll(rec.takeError(), errors);
    return 1;
  }
  // A distributed run's traffic between ranks and each rank's peak memory
  // (for --stats), summed on every rank; its recordings and counters are
  // on rank 0.
  std::vector<uint64_t> rankFigures;
  if (ranks) {
    rankFigures.assign(2 + ranks->size(), 0);
    rankFigures[0] = ranks->tickWordsSent;
    rankFigures[1] = ranks->tickExchanges;
    rankFigures[2 + ranks->rank()] = peakResidentBytes();
    ranks->sum(rankFigures);
  }
  if (!isRoot())
    return 0;
  if (!weightsOut.empty()) {
    std::vector<std::string> names;
    for (const ImagePopulation &p : img->populations())
      names.push_back(p.name);
    if (Error e = writeLearnedSynapses(learned, names, weightsOut)) {
      failAll(std::move(e), errors);
      return 1;
    }
  }
  // A key past its entry's rows means a broken image. (Packets that match
  // no entry are normal: a multicast tree reaches every core that some
  // neuron of the source core targets; --stats counts them.)
  for (const CoreStats &c : stats.cores)
    if (c.invalidRows)
      WithColor::warning(errs(), "scnc-run")
          << "core (" << c.chip.x << "," << c.chip.y << "," << c.core
          << "): " << withCommas(c.invalidRows)
          << " packets had keys past the rows of their population-table "
             "entry\n";
  // (Packets from a core whose keys no table routes, e.g. the last layer's,
  // are dropped at their chip as on a board; --stats counts them.)
  ChipStats total = stats.total();
  if (uint64_t lost = total.droppedLink + total.toIdleCore)
    WithColor::warning(errs(), "scnc-run")
        << withCommas(lost)
        << " packets were lost on dead or missing links or sent to cores "
           "that run nothing (--stats for where)\n";
  if (!traces.empty() && !writeTraces(traces))
    return 1;
  rec->extraJson.push_back({"machine", emulatorStatsJson(stats)});
  return report(
      *rec, selected,
      [&](raw_ostream &os) {
        printEmulatorStats(stats, emu.populations(), os);
        if (rankFigures.empty())
          return;
        uint64_t exchanges = rankFigures[1] / ranks->size();
        os << "distributed run: " << ranks->size()
           << " ranks; keys between ranks " << withCommas(rankFigures[0] * 4)
           << " bytes in " << exchanges << " exchanges ("
           << withCommas(exchanges ? rankFigures[0] * 4 / exchanges : 0)
           << " bytes per tick); peak memory per rank (MB):";
        for (unsigned k = 0; k < ranks->size(); ++k)
          os << " " << withCommas(rankFigures[2 + k] >> 20);
        os << "\n";
      },
      &spikeFiles);
}

int runReference(DiagnosticEngine &diag) {
  // A NIR graph (docs/interop.md) is an HDF5 file, read by name.
  bool isNir = sys::path::extension(inputFile) == ".nir";
  unsigned buf = isNir ? 0 : loadSourceFile(inputFile, diag);
  if (!isNir && !buf)
    return 1;
  bool isIR = sys::path::extension(inputFile) == ".scnir";
  // The network's connection lists, as scncc -emit=connections builds them.
  CompileOptions co;
  co.stopAfter = Stage::Connections;
  co.passes.threads = std::max(1u, unsigned(threads));
  co.passes.maxMemory = physicalMemory();
  Compilation c;
  std::string sourceDir =
      inputFile == "-" ? "" : sys::path::parent_path(inputFile).str();
  if (isNir ? !compileNirFile(inputFile, co, diag, c)
            : !compileSource(buf, isIR, sourceDir, co, diag, c))
    return 1;
  Optional<Network> &net = c.net;

  std::vector<Layer> layers;
  for (const Population &p : net->populations)
    layers.push_back(
        {p.name, p.kind == Population::Kind::Input, p.shape.size()});
  RunSpan span;
  if (!runLength(net->sim.timestep, net->sim.presentation, span))
    return 1;
  unsigned errors = 0;
  std::vector<bool> selected = selectedLayers(layers, errors);
  std::vector<std::vector<Spike>> spikes = readInputs(layers, span, errors);
  if (errors)
    return 1;

  ReferenceOptions ro;
  ro.ticks = span.ticks;
  ro.float64 = float64;
  ro.threads = std::max(1u, unsigned(threads));
  ro.recordVoltages = voltageLayers(layers.size(), selected);
  ro.plastic = plasticOpt;
  std::vector<std::string> warnings;
  LearnedWeights learned;
  Expected<Recording> rec = scnc::runReference(
      *net, spikes, ro, &warnings, weightsOut.empty() ? nullptr : &learned);
  for (const std::string &w : warnings)
    WithColor::warning(errs(), "scnc-run") << w << "\n";
  if (!rec) {
    failAll(rec.takeError(), errors);
    return 1;
  }
  if (!weightsOut.empty()) {
    LearnedSynapseSet set = learnedFromReference(*net, learned);
    if (set.empty())
      return fail("--weights-out: no projection of the network learns (no "
                  "STDP rule)");
    std::vector<std::string> names;
    for (const Population &p : net->populations)
      names.push_back(p.name);
    if (Error e = writeLearnedSynapses(set, names, weightsOut)) {
      failAll(std::move(e), errors);
      return 1;
    }
  }
  return report(*rec, selected);
}

int runTool(int argc, char **argv);
} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  // Under mpirun, MPI first (it may take its own arguments out).
  std::string mpiError;
  std::unique_ptr<RankComm> comm = startMpi(argc, argv, mpiError);
  if (!mpiError.empty()) {
    fail(mpiError);
    finishMpi(1);
  }
  if (comm && comm->size() > 1)
    ranks = comm.get();
  int code = runTool(argc, argv);
  if (comm)
    finishMpi(code);
  return code;
}

namespace {
/// scnc-run itself, once MPI (if any) has started.
int runTool(int argc, char **argv) {
  // libLLVM registers -stats; it is ours to use (as in scncc).
  if (cl::Option *o = cl::getRegisteredOptions().lookup("stats")) {
    o->setDescription("Print synaptic events, neuron updates and the wall "
                      "time of the run (and put the time in summary.json)");
    o->addCategory(runCat);
    o->setHiddenFlag(cl::NotHidden);
  }
  parseToolCommandLine(argc, argv,
                       "scnc-run: run a spiking network and record its "
                       "spikes and voltages\n",
                       {&runCat, &ioCat, &boardCat});
  SourceMgr srcMgr;
  DiagnosticEngine diag(srcMgr);
  diag.setErrorLimit(errorLimit);
  if (ticksOpt.getNumOccurrences() && durationOpt.getNumOccurrences())
    return fail("give --ticks or --duration, not both");

  if (ranks) {
    // Every rank checks the same options: each fails alike.
    StringRef what = !serveOpt.empty()     ? "--serve"
                     : !boardOpt.empty()   ? "--board"
                     : reference           ? "--reference"
                     : !traceCores.empty() ? "--trace-core"
                     : !weightsOut.empty() ? "--weights-out"
                     : inputFile == "-"    ? "an image on stdin"
                     : sys::path::extension(inputFile) != ".scimg"
                         ? "a network description"
                         : "";
    if (!what.empty())
      return fail("a distributed run (mpirun with " + Twine(ranks->size()) +
                  " ranks) runs a load image file on the emulated machine: " +
                  what + " needs one process");
  }
  if (!serveOpt.empty())
    return runServe();
  if (sys::path::extension(inputFile) == ".scimg") {
    if (reference)
      return fail("--reference evaluates a network description (.scn, "
                  ".scnir or .nir), not a load image");
    if (float64)
      return fail("--float64 needs --reference");
    if (plasticOpt)
      return fail("--plastic is for --reference: a load image learns when "
                  "it was compiled with scncc --plastic");
    return runImage();
  }
  if (machineOpt.getNumOccurrences())
    return fail("--machine is for load images (.scimg): the reference "
                "evaluator runs no machine");
  if (!reference)
    return fail("'" + inputFile +
                "' is a network description: give --reference to evaluate "
                "it (load images, .scimg, run on the emulated machine)");
  if (!weightsOut.empty() && !plasticOpt)
    return fail("--weights-out needs --plastic with --reference (a frozen "
                "run learns nothing)");
  return runReference(diag);
}
} // namespace
