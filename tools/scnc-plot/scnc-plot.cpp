//===- scnc-plot.cpp - Pictures of networks, runs and the machine ---------===//
//
// scnc-plot kernels|inputs|raster|voltage|activity|confusion|machine ...
// -o F.png reads what scncc, scnc-run and the training flow write and draws
// it with lib/Plot (cairo: PNG or SVG by the output's extension); the tool
// only parses options and reads files. docs/plots.md.
//
//===----------------------------------------------------------------------===//
#include "scnc/Image/Image.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Plot/Activity.h"
#include "scnc/Plot/Confusion.h"
#include "scnc/Plot/Kernels.h"
#include "scnc/Plot/MachineFigure.h"
#include "scnc/Plot/Plot.h"
#include "scnc/Plot/Raster.h"
#include "scnc/Plot/Voltage.h"
#include "scnc/Runtime/RunSummary.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include <cmath>

using namespace llvm;
using namespace scnc;
using namespace scnc::plot;

namespace {
cl::OptionCategory plotCat("scnc-plot options");
cl::SubCommand kernelsCmd("kernels",
                          "A grid of a layer's kernels (all input channels)");
cl::SubCommand rasterCmd("raster", "Spike raster of one or more layers");
cl::SubCommand voltageCmd("voltage", "Membrane voltage traces");
cl::SubCommand activityCmd("activity",
                           "Spike counts per position, one panel per map");
cl::SubCommand confusionCmd("confusion", "Row-normalised confusion matrix");
cl::SubCommand inputsCmd("inputs",
                         "A grid of encoded input samples (spike counts per "
                         "pixel, one panel per sample and channel)");
cl::SubCommand machineCmd("machine", "The machine's chips and links");

cl::opt<std::string> outputFile("o", cl::desc("Output figure (.png or .svg)"),
                                cl::value_desc("file"), cl::Required,
                                cl::sub(*cl::AllSubCommands), cl::cat(plotCat));
cl::opt<std::string> titleOpt("title", cl::desc("Figure title"),
                              cl::sub(*cl::AllSubCommands), cl::cat(plotCat));

cl::opt<std::string> kernelsFile(cl::Positional, cl::desc("<weights.npy>"),
                                 cl::Required, cl::sub(kernelsCmd));
cl::opt<std::string>
    beforeFile("before",
               cl::desc("Weights before training: plot after minus before"),
               cl::sub(kernelsCmd), cl::cat(plotCat));
cl::opt<std::string>
    kernelShape("kernel",
                cl::desc("Kernel HxW for a 2-D (filters, taps) array"),
                cl::value_desc("HxW"), cl::sub(kernelsCmd), cl::cat(plotCat));

cl::list<std::string> rasterInputs(cl::Positional, cl::OneOrMore,
                                   cl::desc("<dir or layer.spikes.npy>..."),
                                   cl::sub(rasterCmd));
cl::opt<double> presentation("presentation",
                             cl::desc("Mark sample boundaries every this "
                                      "many ms (0: none)"),
                             cl::init(0), cl::sub(rasterCmd), cl::cat(plotCat));

cl::opt<std::string> voltageFile(cl::Positional, cl::desc("<layer.v.npy>"),
                                 cl::Required, cl::sub(voltageCmd));
cl::opt<std::string> neuronsOpt("neurons",
                                cl::desc("Neurons to draw (default 0,1,2)"),
                                cl::value_desc("i,j,..."), cl::init("0,1,2"),
                                cl::sub(voltageCmd), cl::cat(plotCat));
cl::opt<double> dtOpt("dt", cl::desc("Timestep in ms"), cl::init(1.0),
                      cl::sub(voltageCmd), cl::cat(plotCat));
cl::opt<double> thresholdOpt("threshold", cl::desc("v_thresh line (mV)"),
                             cl::init(NAN), cl::sub(voltageCmd),
                             cl::cat(plotCat));
cl::opt<double> resetOpt("reset", cl::desc("v_reset line (mV)"), cl::init(NAN),
                         cl::sub(voltageCmd), cl::cat(plotCat));

cl::opt<std::string> activityFile(cl::Positional,
                                  cl::desc("<layer.spikes.npy>"), cl::Required,
                                  cl::sub(activityCmd));
cl::opt<std::string> shapeOpt("shape", cl::desc("Layer shape HxWxC"),
                              cl::value_desc("HxWxC"), cl::Required,
                              cl::sub(activityCmd), cl::cat(plotCat));

cl::list<std::string> inputFiles(cl::Positional, cl::OneOrMore,
                                 cl::desc("<input.spikes.npy>..."),
                                 cl::sub(inputsCmd));
cl::opt<std::string> inputShape("shape", cl::desc("Input shape HxWxC"),
                                cl::value_desc("HxWxC"), cl::Required,
                                cl::sub(inputsCmd), cl::cat(plotCat));
cl::opt<double> inputSlot("presentation",
                          cl::desc("Split each file into samples of this many "
                                   "ms (0: one sample per file)"),
                          cl::init(0), cl::sub(inputsCmd), cl::cat(plotCat));
cl::opt<std::string> confusionFile(cl::Positional, cl::desc("<results.json>"),
                                   cl::Required, cl::sub(confusionCmd));

cl::opt<std::string> machineImage(cl::Positional, cl::desc("<net.scimg>"),
                                  cl::Required, cl::sub(machineCmd));
cl::opt<std::string> machineStats(
    "stats",
    cl::desc("A scnc-run summary.json: draw each link with a width by the "
             "packets it carried"),
    cl::value_desc("summary.json"), cl::sub(machineCmd), cl::cat(plotCat));
cl::opt<std::string> colorBy("color",
                             cl::desc("Colour chips by 'cores' used or "
                                      "routing 'entries'"),
                             cl::init("cores"), cl::sub(machineCmd),
                             cl::cat(plotCat));
cl::opt<unsigned> routerEntries(
    "router-entries",
    cl::desc("Routing entries per chip (default: the machine's, 1023): the "
             "limit drawn with --color entries"),
    cl::sub(machineCmd), cl::cat(plotCat));

Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

/// Spike rows (time ms, neuron) of a (K, 2) array.
Expected<NumArray> readSpikes(StringRef path) {
  Expected<NumArray> a = readArrayFile(path);
  if (!a)
    return a.takeError();
  if (a->shape.size() != 2 || a->shape[1] != 2)
    return fail(
        path +
        ": expected spikes as a (K, 2) array of (time ms, "
        "neuron), got shape (" +
        join(map_range(a->shape, [](uint64_t d) { return std::to_string(d); }),
             ", ") +
        ")");
  if (Error e = checkFinite(*a, path))
    return e;
  for (uint64_t r = 0; r < a->rows(); ++r)
    if (a->data[2 * r + 1] < 0 || a->data[2 * r] < 0)
      return fail(path + ": " + a->rowName(r) +
                  " has a negative time or neuron");
  return a;
}

Expected<GridShape> parseShape(StringRef text) {
  Expected<std::vector<uint64_t>> dims = parseDims(text, 3, "--shape");
  if (!dims)
    return dims.takeError();
  return GridShape{(*dims)[0], (*dims)[1], (*dims)[2], text.str()};
}

Expected<Kernels> readKernels(StringRef path) {
  Expected<NumArray> a = readArrayFile(path);
  if (!a)
    return a.takeError();
  if (Error e = checkFinite(*a, path))
    return e;
  return kernelsFromArray(a->shape, std::move(a->data), path, kernelShape);
}

Error plotKernels() {
  Expected<Kernels> k = readKernels(kernelsFile);
  if (!k)
    return k.takeError();
  KernelsOptions o;
  o.title = titleOpt;
  o.name = kernelsFile;
  o.beforeName = beforeFile;
  if (beforeFile.empty())
    return drawKernels(outputFile, std::move(*k), nullptr, o);
  Expected<Kernels> b = readKernels(beforeFile);
  if (!b)
    return b.takeError();
  return drawKernels(outputFile, std::move(*k), &*b, o);
}

/// The layers of the raster's inputs: spike files, and scnc-run output
/// folders (their layers in summary.json's order).
Expected<std::vector<RasterLayer>> readRasterInputs() {
  std::vector<RasterLayer> layers;
  for (const std::string &in : rasterInputs) {
    if (sys::fs::is_directory(in)) {
      SmallString<256> sum(in);
      sys::path::append(sum, "summary.json");
      Expected<RunSummary> s = readRunSummary(sum, RunSummaryPart::Layers);
      if (!s)
        return s.takeError();
      for (const RunSummaryLayer &l : s->layers) {
        SmallString<256> p(in);
        sys::path::append(p, l.name + ".spikes.npy");
        if (!sys::fs::exists(p))
          continue;
        Expected<NumArray> a = readSpikes(p);
        if (!a)
          return a.takeError();
        layers.push_back({l.name, std::move(*a), l.neurons});
      }
      continue;
    }
    Expected<NumArray> a = readSpikes(in);
    if (!a)
      return a.takeError();
    StringRef name = sys::path::filename(in);
    name.consume_back(".npy");
    name.consume_back(".spikes");
    layers.push_back({name.str(), std::move(*a), 0});
  }
  if (layers.empty())
    return fail("no spike files to draw");
  return layers;
}

Error plotRaster() {
  Expected<std::vector<RasterLayer>> layers = readRasterInputs();
  if (!layers)
    return layers.takeError();
  RasterOptions o;
  o.title = titleOpt;
  o.presentation = presentation;
  return drawRaster(outputFile, std::move(*layers), o);
}

Error plotVoltage() {
  Expected<NumArray> a = readArrayFile(voltageFile);
  if (!a)
    return a.takeError();
  if (Error e = checkFinite(*a, voltageFile))
    return e;
  if (a->shape.size() != 2)
    return fail(voltageFile + ": expected voltages as a (ticks, neurons) "
                              "array");
  uint64_t neurons = a->shape[1];
  std::vector<uint64_t> chosen;
  SmallVector<StringRef, 8> parts;
  StringRef(neuronsOpt).split(parts, ',');
  for (StringRef p : parts) {
    uint64_t v;
    if (p.trim().getAsInteger(10, v))
      return fail("invalid --neurons '" + neuronsOpt +
                  "': expected neuron indices separated by commas");
    if (v >= neurons)
      return fail("neuron " + Twine(v) + " does not exist: " + voltageFile +
                  " has " + Twine(neurons) + " neurons");
    chosen.push_back(v);
  }
  VoltageOptions o;
  o.title = titleOpt;
  o.dt = dtOpt;
  o.threshold = thresholdOpt;
  o.reset = resetOpt;
  return drawVoltage(outputFile, *a, chosen, o);
}

Error plotActivity() {
  Expected<GridShape> shape = parseShape(shapeOpt);
  if (!shape)
    return shape.takeError();
  Expected<NumArray> a = readSpikes(activityFile);
  if (!a)
    return a.takeError();
  ActivityOptions o;
  o.title = titleOpt;
  return drawActivity(outputFile, {activityFile, std::move(*a)}, *shape, o);
}

Error plotInputs() {
  Expected<GridShape> shape = parseShape(inputShape);
  if (!shape)
    return shape.takeError();
  std::vector<SpikeFile> files;
  for (const std::string &path : inputFiles) {
    Expected<NumArray> a = readSpikes(path);
    if (!a)
      return a.takeError();
    files.push_back({path, std::move(*a)});
  }
  InputsOptions o;
  o.title = titleOpt;
  o.presentation = inputSlot;
  return drawInputs(outputFile, files, *shape, o);
}

Error plotConfusion() {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      MemoryBuffer::getFile(confusionFile);
  if (!buf)
    return fail("cannot read '" + confusionFile +
                "': " + buf.getError().message());
  Expected<Confusion> m =
      parseConfusionJson((*buf)->getBuffer(), confusionFile);
  if (!m)
    return m.takeError();
  ConfusionOptions o;
  o.title = titleOpt;
  return drawConfusion(outputFile, *m, o);
}

Error plotMachine() {
  if (colorBy != "cores" && colorBy != "entries")
    return fail("invalid --color '" + colorBy + "': expected cores or entries");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = MemoryBuffer::getFile(
      machineImage, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf)
    return fail("cannot read '" + machineImage +
                "': " + buf.getError().message());
  Expected<ImageReader> img = readImage((*buf)->getBuffer(), machineImage);
  if (!img)
    return img.takeError();
  MachineFigureOptions o;
  o.title = titleOpt;
  o.color = colorBy == "entries" ? ChipColor::Entries : ChipColor::Cores;
  MachineChips chips;
  chips.machineName = img->header().machineName;
  chips.width = img->header().machineWidth;
  chips.height = img->header().machineHeight;
  for (const ImageRoutingTable &t : img->routingTables())
    chips.value[{t.x, t.y}] =
        o.color == ChipColor::Entries ? double(t.entries.size()) : 0;
  if (o.color == ChipColor::Cores)
    for (const ImageCore &c : img->cores())
      chips.value[{c.x, c.y}] += 1;
  // The scale's top: a chip of the machine model, its cores for
  // applications (all but the monitor) and its router's entries.
  Machine model =
      Machine::rectangle(std::max(1u, chips.width), std::max(1u, chips.height),
                         /*wrapX=*/false, /*wrapY=*/false);
  if (routerEntries.getNumOccurrences())
    model.setRouterEntries(routerEntries);
  o.chipCores = model.coresPerChip() - 1;
  o.routerEntries = model.routerEntries();
  if (!machineStats.empty()) {
    Expected<RunSummary> s =
        readRunSummary(machineStats, RunSummaryPart::MachineTraffic);
    if (!s)
      return s.takeError();
    o.traffic = std::move(s->chips);
  }
  return drawMachine(outputFile, chips, o);
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  parseToolCommandLine(argc, argv,
                       "scnc-plot: draw kernels, rasters, voltages, activity, "
                       "confusion matrices and the machine\n",
                       {&plotCat});
  Error e = Error::success();
  if (kernelsCmd)
    e = plotKernels();
  else if (rasterCmd)
    e = plotRaster();
  else if (voltageCmd)
    e = plotVoltage();
  else if (activityCmd)
    e = plotActivity();
  else if (confusionCmd)
    e = plotConfusion();
  else if (inputsCmd)
    e = plotInputs();
  else if (machineCmd)
    e = plotMachine();
  else {
    WithColor::error(errs(), "scnc-plot")
        << "give a command: kernels, inputs, raster, voltage, activity, "
           "confusion or machine (see --help)\n";
    return 1;
  }
  if (e) {
    WithColor::error(errs(), "scnc-plot") << toString(std::move(e)) << "\n";
    return 1;
  }
  return 0;
}
