//===- scnc-plot.cpp - Pictures of networks, runs and the machine ---------===//
//
// scnc-plot kernels|raster|voltage|activity|confusion|machine ... -o F.png
// reads what scncc, scnc-run and the training flow write and draws it with
// cairo (PNG or SVG by the output's extension). docs/plots.md.
//
//===----------------------------------------------------------------------===//
#include "scnc/Image/Image.h"
#include "scnc/Plot/Plot.h"
#include "scnc/Support/Format.h"
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
#include <algorithm>
#include <cairo.h>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

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

Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

Expected<std::vector<uint64_t>> parseDims(StringRef s, unsigned n,
                                          StringRef what) {
  SmallVector<StringRef, 3> parts;
  s.split(parts, 'x');
  std::vector<uint64_t> out;
  for (StringRef p : parts) {
    uint64_t v;
    if (p.trim().getAsInteger(10, v) || v == 0)
      break;
    out.push_back(v);
  }
  if (out.size() != n || parts.size() != n)
    return fail("invalid " + what + " '" + s + "': expected " +
                (n == 2 ? "HxW" : "HxWxC") + " with positive integers");
  return out;
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

//===----------------------------------------------------------------------===//
// kernels
//===----------------------------------------------------------------------===//

struct Kernels {
  uint64_t filters = 0, channels = 0, kh = 0, kw = 0;
  std::vector<double> w; ///< (F, C, kh, kw)
};

Expected<Kernels> readKernels(StringRef path) {
  Expected<NumArray> a = readArrayFile(path);
  if (!a)
    return a.takeError();
  if (Error e = checkFinite(*a, path))
    return e;
  Kernels k;
  k.w = a->data;
  const std::vector<uint64_t> &s = a->shape;
  if (s.size() == 4) {
    k.filters = s[0];
    k.channels = s[1];
    k.kh = s[2];
    k.kw = s[3];
  } else if (s.size() == 3) {
    k.filters = s[0];
    k.channels = 1;
    k.kh = s[1];
    k.kw = s[2];
  } else if (s.size() == 2) {
    if (kernelShape.empty())
      return fail(path + ": a 2-D weights array needs --kernel HxW");
    Expected<std::vector<uint64_t>> hw = parseDims(kernelShape, 2, "--kernel");
    if (!hw)
      return hw.takeError();
    uint64_t taps = (*hw)[0] * (*hw)[1];
    if (s[1] % taps)
      return fail(path + ": " + Twine(s[1]) + " weights per filter are not " +
                  "a whole number of " + kernelShape + " kernels");
    k.filters = s[0];
    k.channels = s[1] / taps;
    k.kh = (*hw)[0];
    k.kw = (*hw)[1];
  } else {
    return fail(path + ": expected kernels as (filters, channels, H, W), "
                       "(filters, H, W) or (filters, taps)");
  }
  if (!k.filters || !k.channels || !k.kh || !k.kw)
    return fail(path + ": no kernels in the array");
  return k;
}

Error plotKernels() {
  Expected<Kernels> k = readKernels(kernelsFile);
  if (!k)
    return k.takeError();
  bool diff = !beforeFile.empty();
  if (diff) {
    Expected<Kernels> b = readKernels(beforeFile);
    if (!b)
      return b.takeError();
    if (b->w.size() != k->w.size() || b->filters != k->filters)
      return fail(beforeFile + ": shape differs from " + kernelsFile);
    for (size_t i = 0; i < k->w.size(); ++i)
      k->w[i] -= b->w[i];
  }
  double lo = *std::min_element(k->w.begin(), k->w.end());
  double hi = *std::max_element(k->w.begin(), k->w.end());
  if (!(hi > lo))
    hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.01);
  // Groups of C kernels side by side, groups in a near-square grid.
  double groupW = k->channels * (k->kw + 1), groupH = k->kh + 1;
  unsigned cols = std::max<unsigned>(
      1, unsigned(std::ceil(std::sqrt(k->filters * groupH / groupW))));
  unsigned rows = unsigned((k->filters + cols - 1) / cols);
  double cell = std::max(
      2.0, std::min({24.0, 900.0 / (cols * groupW), 900.0 / (rows * groupH)}));
  double gridW = cols * groupW * cell, gridH = rows * groupH * cell;
  double width = std::max(480.0, gridW + 190),
         height = std::max(300.0, gridH + 110);
  Expected<std::unique_ptr<Figure>> f =
      Figure::create(outputFile, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  std::string title =
      titleOpt.empty()
          ? (diff ? "Weight change (after - before): " : "Kernels: ") +
                sys::path::filename(kernelsFile).str()
          : titleOpt.getValue();
  fig.title(title);
  fig.text(width / 2, 40,
           Twine(k->filters).str() + " filters x " + Twine(k->channels).str() +
               " input channels, " + Twine(k->kh).str() + "x" +
               Twine(k->kw).str() + " (channels left to right within a filter)",
           12, 0.5);
  double x0 = 30, y0 = 62;
  for (uint64_t fi = 0; fi < k->filters; ++fi) {
    double gx = x0 + (fi % cols) * groupW * cell,
           gy = y0 + (fi / cols) * groupH * cell;
    for (uint64_t c = 0; c < k->channels; ++c) {
      Box b{gx + c * (k->kw + 1) * cell, gy, k->kw * cell, k->kh * cell};
      size_t base = ((fi * k->channels) + c) * k->kh * k->kw;
      heatmap(fig, b, ArrayRef<double>(k->w).slice(base, k->kh * k->kw), k->kh,
              k->kw, lo, hi, diff);
    }
  }
  colorbar(fig, {x0 + gridW + 20, y0, 18, std::max(120.0, gridH - cell)}, lo,
           hi, diff, diff ? "weight change (nA)" : "weight (nA)");
  return fig.write();
}

//===----------------------------------------------------------------------===//
// raster
//===----------------------------------------------------------------------===//

struct Layer {
  std::string name;
  NumArray spikes;
  uint64_t neurons = 0;
};

Expected<std::vector<Layer>> readRasterInputs() {
  std::vector<Layer> layers;
  for (const std::string &in : rasterInputs) {
    if (sys::fs::is_directory(in)) {
      // A scnc-run output folder: its layers in summary.json's order.
      SmallString<256> sum(in);
      sys::path::append(sum, "summary.json");
      ErrorOr<std::unique_ptr<MemoryBuffer>> buf = MemoryBuffer::getFile(sum);
      if (!buf)
        return fail("cannot read '" + sum + "': " + buf.getError().message());
      nlohmann::json j =
          nlohmann::json::parse((*buf)->getBuffer().begin(),
                                (*buf)->getBuffer().end(), nullptr, false);
      if (j.is_discarded() || !j.contains("layers") || !j["layers"].is_array())
        return fail(sum + ": not a scnc-run summary (no \"layers\" array)");
      for (const nlohmann::json &l : j["layers"]) {
        if (!l.contains("name") || !l["name"].is_string())
          return fail(sum + ": a layer without a name");
        SmallString<256> p(in);
        sys::path::append(p, l["name"].get<std::string>() + ".spikes.npy");
        if (!sys::fs::exists(p))
          continue;
        Expected<NumArray> a = readSpikes(p);
        if (!a)
          return a.takeError();
        Layer L;
        L.name = l["name"].get<std::string>();
        L.spikes = std::move(*a);
        L.neurons = l.value("neurons", uint64_t(0));
        layers.push_back(std::move(L));
      }
      continue;
    }
    Expected<NumArray> a = readSpikes(in);
    if (!a)
      return a.takeError();
    Layer L;
    StringRef name = sys::path::filename(in);
    name.consume_back(".npy");
    name.consume_back(".spikes");
    L.name = name.str();
    L.spikes = std::move(*a);
    layers.push_back(std::move(L));
  }
  for (Layer &L : layers)
    for (uint64_t r = 0; r < L.spikes.rows(); ++r)
      L.neurons = std::max(L.neurons, uint64_t(L.spikes.data[2 * r + 1]) + 1);
  if (layers.empty())
    return fail("no spike files to draw");
  return layers;
}

Error plotRaster() {
  Expected<std::vector<Layer>> layers = readRasterInputs();
  if (!layers)
    return layers.takeError();
  double tmax = 0;
  uint64_t total = 0;
  for (const Layer &L : *layers) {
    for (uint64_t r = 0; r < L.spikes.rows(); ++r)
      tmax = std::max(tmax, L.spikes.data[2 * r]);
    total += std::max<uint64_t>(1, L.neurons);
  }
  if (presentation > 0)
    tmax = std::ceil((tmax + 1e-9) / presentation) * presentation;
  tmax = std::max(tmax, 1.0);
  const double width = 1040, height = 620;
  Expected<std::unique_ptr<Figure>> f =
      Figure::create(outputFile, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(titleOpt.empty() ? std::string("Spike raster")
                             : titleOpt.getValue());
  Axes ax;
  ax.box = {90, 50, width - 300, height - 110};
  ax.xmin = 0;
  ax.xmax = tmax;
  ax.ymin = 0;
  ax.ymax = double(total);
  ax.yDown = true;
  // Spikes binned per pixel: dense layers become a density, not a blur of
  // overdrawn dots (10^5 spikes stay readable).
  int pw = int(ax.box.w), ph = int(ax.box.h);
  uint64_t offset = 0;
  cairo_t *cr = fig.context();
  double legendY = ax.box.y + 10;
  for (size_t li = 0; li < layers->size(); ++li) {
    const Layer &L = (*layers)[li];
    uint64_t n = std::max<uint64_t>(1, L.neurons);
    std::map<std::pair<int, int>, unsigned> bins;
    unsigned most = 0;
    for (uint64_t r = 0; r < L.spikes.rows(); ++r) {
      int x = std::min(pw - 1, int(L.spikes.data[2 * r] / tmax * pw));
      int y = std::min(ph - 1, int((offset + L.spikes.data[2 * r + 1]) /
                                   double(total) * ph));
      most = std::max(most, ++bins[{x, y}]);
    }
    Color c = category(unsigned(li));
    for (const auto &b : bins) {
      double alpha =
          most <= 1 ? 1.0 : 0.3 + 0.7 * std::log1p(b.second) / std::log1p(most);
      cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
      // Sparse rasters get visible dots, dense ones one pixel per bin.
      double s = bins.size() < 20000 ? 2.0 : 1.0;
      cairo_rectangle(cr, ax.box.x + b.first.first - (s - 1) / 2,
                      ax.box.y + b.first.second - (s - 1) / 2, s, s);
      cairo_fill(cr);
    }
    if (li)
      fig.line(ax.box.x, ax.py(double(offset)), ax.box.x + ax.box.w,
               ax.py(double(offset)), {0.5, 0.5, 0.5}, 0.8);
    fig.fillRect({ax.box.x + ax.box.w + 20, legendY - 6, 12, 12}, c);
    fig.text(ax.box.x + ax.box.w + 38, legendY, L.name, 12, 0, 0.5, true);
    fig.text(ax.box.x + ax.box.w + 38, legendY + 16,
             Twine(L.neurons).str() + " neurons, " +
                 Twine(L.spikes.rows()).str() + " spikes",
             11);
    legendY += 40;
    offset += n;
  }
  if (presentation > 0)
    for (double t = presentation; t < tmax; t += presentation)
      fig.line(ax.px(t), ax.box.y, ax.px(t), ax.box.y + ax.box.h,
               {0.35, 0.35, 0.35}, 1, true);
  ax.draw(fig, "time (ms)", "neuron (layers stacked)");
  if (presentation > 0)
    fig.text(ax.box.x + ax.box.w + 20, legendY + 6, "dashed: sample boundaries",
             11),
        fig.text(ax.box.x + ax.box.w + 20, legendY + 22,
                 "every " + tickLabel(presentation) + " ms", 11);
  return fig.write();
}

//===----------------------------------------------------------------------===//
// voltage
//===----------------------------------------------------------------------===//

Error plotVoltage() {
  Expected<NumArray> a = readArrayFile(voltageFile);
  if (!a)
    return a.takeError();
  if (Error e = checkFinite(*a, voltageFile))
    return e;
  if (a->shape.size() != 2)
    return fail(voltageFile + ": expected voltages as a (ticks, neurons) "
                              "array");
  uint64_t ticks = a->shape[0], neurons = a->shape[1];
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
  double lo = INFINITY, hi = -INFINITY;
  for (uint64_t n : chosen)
    for (uint64_t t = 0; t < ticks; ++t) {
      lo = std::min(lo, a->data[t * neurons + n]);
      hi = std::max(hi, a->data[t * neurons + n]);
    }
  for (double v : {double(thresholdOpt), double(resetOpt)})
    if (!std::isnan(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!(hi > lo))
    hi = lo + 1;
  double pad = (hi - lo) * 0.06;
  const double width = 1000, height = 520;
  Expected<std::unique_ptr<Figure>> f =
      Figure::create(outputFile, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(titleOpt.empty() ? std::string("Membrane voltage")
                             : titleOpt.getValue());
  Axes ax;
  ax.box = {90, 50, width - 300, height - 110};
  ax.xmin = 0;
  ax.xmax = std::max(1.0, (ticks ? ticks - 1 : 0) * dtOpt);
  ax.ymin = lo - pad;
  ax.ymax = hi + pad;
  cairo_t *cr = fig.context();
  double legendY = ax.box.y + 10;
  for (size_t i = 0; i < chosen.size(); ++i) {
    Color c = category(unsigned(i));
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 1.4);
    for (uint64_t t = 0; t < ticks; ++t) {
      double x = ax.px(t * dtOpt), y = ax.py(a->data[t * neurons + chosen[i]]);
      if (t)
        cairo_line_to(cr, x, y);
      else
        cairo_move_to(cr, x, y);
    }
    cairo_stroke(cr);
    fig.fillRect({ax.box.x + ax.box.w + 20, legendY - 2, 14, 4}, c);
    fig.text(ax.box.x + ax.box.w + 40, legendY,
             "neuron " + Twine(chosen[i]).str(), 12);
    legendY += 20;
  }
  auto level = [&](double v, StringRef name, Color c) {
    if (std::isnan(v))
      return;
    fig.line(ax.box.x, ax.py(v), ax.box.x + ax.box.w, ax.py(v), c, 1.2, true);
    fig.line(ax.box.x + ax.box.w + 20, legendY, ax.box.x + ax.box.w + 34,
             legendY, c, 1.2, true);
    fig.text(ax.box.x + ax.box.w + 40, legendY,
             name.str() + " " + tickLabel(v) + " mV", 12);
    legendY += 20;
  };
  level(thresholdOpt, "threshold", {0.1, 0.1, 0.1});
  level(resetOpt, "reset", {0.55, 0.55, 0.55});
  ax.draw(fig, "time (ms)", "membrane voltage (mV)");
  return fig.write();
}

//===----------------------------------------------------------------------===//
// activity
//===----------------------------------------------------------------------===//

Error plotActivity() {
  Expected<std::vector<uint64_t>> dims = parseDims(shapeOpt, 3, "--shape");
  if (!dims)
    return dims.takeError();
  uint64_t H = (*dims)[0], W = (*dims)[1], C = (*dims)[2];
  Expected<NumArray> a = readSpikes(activityFile);
  if (!a)
    return a.takeError();
  std::vector<double> counts(H * W * C, 0);
  for (uint64_t r = 0; r < a->rows(); ++r) {
    uint64_t n = uint64_t(a->data[2 * r + 1]);
    if (n >= counts.size())
      return fail(activityFile + ": " + a->rowName(r) + " names neuron " +
                  Twine(n) + ", but a " + shapeOpt + " layer has " +
                  Twine(uint64_t(counts.size())) + " neurons");
    counts[n] += 1; // channel-major: c*H*W + y*W + x
  }
  double hi = std::max(1.0, *std::max_element(counts.begin(), counts.end()));
  unsigned cols = std::max<unsigned>(1, unsigned(std::ceil(std::sqrt(C))));
  unsigned rows = unsigned((C + cols - 1) / cols);
  double cell = std::max(1.0, std::min({16.0, 860.0 / (cols * (W + 2)),
                                        860.0 / (rows * (H + 4))}));
  double gridW = cols * (W + 2) * cell, gridH = rows * (H + 4) * cell;
  double width = std::max(520.0, gridW + 200), height = gridH + 100;
  Expected<std::unique_ptr<Figure>> f =
      Figure::create(outputFile, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(titleOpt.empty() ? "Spike counts per position: " +
                                   sys::path::filename(activityFile).str()
                             : titleOpt.getValue());
  double x0 = 30, y0 = 60;
  for (uint64_t c = 0; c < C; ++c) {
    double gx = x0 + (c % cols) * (W + 2) * cell,
           gy = y0 + (c / cols) * (H + 4) * cell;
    if (cell * 2 >= 9)
      fig.text(gx, gy + cell, "map " + Twine(c).str(), 10);
    Box b{gx, gy + 2 * cell, W * cell, H * cell};
    heatmap(fig, b, ArrayRef<double>(counts).slice(c * H * W, H * W), H, W, 0,
            hi, false);
  }
  colorbar(fig, {x0 + gridW + 20, y0, 18, std::max(120.0, gridH - 2 * cell)}, 0,
           hi, false, "spikes per neuron");
  return fig.write();
}

//===----------------------------------------------------------------------===//
// inputs
//===----------------------------------------------------------------------===//

Error plotInputs() {
  Expected<std::vector<uint64_t>> dims = parseDims(inputShape, 3, "--shape");
  if (!dims)
    return dims.takeError();
  uint64_t H = (*dims)[0], W = (*dims)[1], C = (*dims)[2], n = H * W * C;
  // Samples: one per file, or per presentation slot.
  std::vector<std::vector<double>> samples;
  std::vector<std::string> names;
  for (const std::string &path : inputFiles) {
    Expected<NumArray> a = readSpikes(path);
    if (!a)
      return a.takeError();
    size_t first = samples.size();
    for (uint64_t r = 0; r < a->rows(); ++r) {
      uint64_t id = uint64_t(a->data[2 * r + 1]);
      if (id >= n)
        return fail(path + ": " + a->rowName(r) + " names neuron " + Twine(id) +
                    ", but a " + inputShape + " input has " + Twine(n) +
                    " neurons");
      size_t slot = inputSlot > 0 ? size_t(a->data[2 * r] / inputSlot) : 0;
      if (slot > 4096)
        return fail(path + ": more than 4096 samples; check --presentation");
      while (samples.size() <= first + slot) {
        samples.emplace_back(n, 0.0);
        names.push_back(sys::path::filename(path).str() +
                        (inputSlot > 0
                             ? " #" + std::to_string(samples.size() - 1 - first)
                             : ""));
      }
      samples[first + slot][id] += 1;
    }
    if (samples.size() == first) {
      samples.emplace_back(n, 0.0);
      names.push_back(sys::path::filename(path).str());
    }
  }
  double hi = 1;
  for (const std::vector<double> &s : samples)
    hi = std::max(hi, *std::max_element(s.begin(), s.end()));
  size_t panels = samples.size() * C;
  unsigned cols = std::max<unsigned>(
      1, unsigned(std::min<size_t>(panels,
                                   size_t(std::ceil(std::sqrt(panels)) * C))));
  unsigned rows = unsigned((panels + cols - 1) / cols);
  double cell = std::max(
      1.0, std::min({8.0, 860.0 / (cols * (W + 2)), 860.0 / (rows * (H + 5))}));
  double gridW = cols * (W + 2) * cell, gridH = rows * (H + 5) * cell;
  double width = std::max(520.0, gridW + 200),
         height = std::max(300.0, gridH + 100);
  Expected<std::unique_ptr<Figure>> f =
      Figure::create(outputFile, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(titleOpt.empty() ? std::string("Encoded input samples")
                             : titleOpt.getValue());
  double x0 = 30, y0 = 60;
  for (size_t p = 0; p < panels; ++p) {
    size_t sample = p / C, c = p % C;
    double gx = x0 + (p % cols) * (W + 2) * cell,
           gy = y0 + (p / cols) * (H + 5) * cell;
    if (cell * 2.5 >= 9)
      fig.text(gx, gy + cell,
               names[sample] + (C > 1 ? " ch " + std::to_string(c) : ""), 9);
    heatmap(fig, {gx, gy + 3 * cell, W * cell, H * cell},
            ArrayRef<double>(samples[sample]).slice(c * H * W, H * W), H, W, 0,
            hi, false);
  }
  colorbar(fig, {x0 + gridW + 20, y0, 18, std::max(120.0, gridH - 3 * cell)}, 0,
           hi, false, "spikes per pixel");
  return fig.write();
}

//===----------------------------------------------------------------------===//
// confusion
//===----------------------------------------------------------------------===//

Error plotConfusion() {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      MemoryBuffer::getFile(confusionFile);
  if (!buf)
    return fail("cannot read '" + confusionFile +
                "': " + buf.getError().message());
  nlohmann::json j = nlohmann::json::parse(
      (*buf)->getBuffer().begin(), (*buf)->getBuffer().end(), nullptr, false);
  if (j.is_discarded())
    return fail(confusionFile + ": not valid JSON");
  if (!j.contains("confusion") || !j["confusion"].is_array() ||
      j["confusion"].empty())
    return fail(confusionFile +
                ": no \"confusion\" matrix (rows: true class, columns: "
                "predicted class)");
  const nlohmann::json &m = j["confusion"];
  size_t k = m.size();
  std::vector<double> counts;
  for (const nlohmann::json &row : m) {
    if (!row.is_array() || row.size() != k)
      return fail(confusionFile + ": the confusion matrix is not square (" +
                  Twine(uint64_t(k)) + " rows)");
    for (const nlohmann::json &v : row) {
      if (!v.is_number() || v.get<double>() < 0)
        return fail(confusionFile +
                    ": confusion entries must be non-negative counts");
      counts.push_back(v.get<double>());
    }
  }
  std::vector<std::string> labels;
  if (j.contains("labels") && j["labels"].is_array() && j["labels"].size() == k)
    for (const nlohmann::json &l : j["labels"])
      labels.push_back(l.is_string() ? l.get<std::string>() : l.dump());
  else
    for (size_t i = 0; i < k; ++i)
      labels.push_back(std::to_string(i));
  std::vector<double> norm(counts.size());
  double correct = 0, total = 0;
  for (size_t r = 0; r < k; ++r) {
    double sum = 0;
    for (size_t c = 0; c < k; ++c)
      sum += counts[r * k + c];
    for (size_t c = 0; c < k; ++c)
      norm[r * k + c] = sum > 0 ? counts[r * k + c] / sum : 0;
    correct += counts[r * k + r];
    total += sum;
  }
  double cell = std::min(64.0, 560.0 / k);
  // Wide enough for the title with the accuracy.
  double width = std::max(600.0, k * cell + 260), height = k * cell + 150;
  Expected<std::unique_ptr<Figure>> f =
      Figure::create(outputFile, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  char acc[64];
  std::snprintf(acc, sizeof acc, " (accuracy %.2f%%, %.0f samples)",
                total > 0 ? 100 * correct / total : 0.0, total);
  fig.title((titleOpt.empty() ? std::string("Confusion matrix")
                              : titleOpt.getValue()) +
            acc);
  Box b{100, 60, k * cell, k * cell};
  heatmap(fig, b, norm, k, k, 0, 1, false);
  for (size_t r = 0; r < k; ++r) {
    fig.text(b.x - 8, b.y + (r + 0.5) * cell, labels[r], 12, 1);
    fig.text(b.x + (r + 0.5) * cell, b.y + b.h + 14, labels[r], 12, 0.5);
    for (size_t c = 0; c < k; ++c)
      if (cell >= 22) {
        double v = norm[r * k + c];
        cairo_t *cr = fig.context();
        // Light text on dark cells, dark text on light ones.
        Color ink = v < 0.6 ? Color{1, 1, 1} : Color{0.1, 0.1, 0.1};
        cairo_save(cr);
        cairo_set_font_size(cr, std::min(13.0, cell / 3));
        std::string t = tickLabel(counts[r * k + c]);
        cairo_text_extents_t e;
        cairo_text_extents(cr, t.c_str(), &e);
        cairo_set_source_rgb(cr, ink.r, ink.g, ink.b);
        cairo_move_to(cr, b.x + (c + 0.5) * cell - e.x_advance / 2,
                      b.y + (r + 0.5) * cell + e.height / 2);
        cairo_show_text(cr, t.c_str());
        cairo_restore(cr);
      }
  }
  fig.strokeRect(b, {0.15, 0.15, 0.15});
  fig.text(b.x + b.w / 2, b.y + b.h + 36, "predicted class", 13, 0.5);
  fig.text(b.x - 60, b.y + b.h / 2, "true class", 13, 0.5, 0.5, false,
           -M_PI / 2);
  colorbar(fig, {b.x + b.w + 24, b.y, 18, b.h}, 0, 1, false,
           "fraction of the true class");
  return fig.write();
}

//===----------------------------------------------------------------------===//
// machine
//===----------------------------------------------------------------------===//

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
  unsigned W = img->header().machineWidth, H = img->header().machineHeight;
  std::map<std::pair<unsigned, unsigned>, double> value;
  for (const ImageRoutingTable &t : img->routingTables())
    value[{t.x, t.y}] = colorBy == "entries" ? double(t.entries.size()) : 0;
  if (colorBy == "cores")
    for (const ImageCore &c : img->cores())
      value[{c.x, c.y}] += 1;
  double hi = colorBy == "entries" ? 1023 : 17;
  for (const auto &v : value)
    hi = std::max(hi, v.second);
  // Triangular mesh drawn as hexagons: chip (x, y) at (x - y/2, y) so that
  // its six neighbours E, NE, N, W, SW, S are all one hexagon away.
  double R = std::max(7.0, std::min(30.0, 700.0 / (W + H / 2.0 + 1)));
  double dx = R * std::sqrt(3.0), dy = R * 1.5;
  double minX = -(double(H) - 1) * dx / 2, maxX = (double(W) - 1) * dx;
  double width = maxX - minX + 2 * R + 260,
         height = std::max(300.0, (double(H) - 1) * dy + 2 * R + 120);
  Expected<std::unique_ptr<Figure>> f =
      Figure::create(outputFile, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(titleOpt.empty()
                ? "Machine '" + img->header().machineName + "': " +
                      (colorBy == "cores" ? "application cores used per chip"
                                          : "routing entries per chip")
                : titleOpt.getValue());
  cairo_t *cr = fig.context();
  auto centre = [&](unsigned x, unsigned y) {
    return std::make_pair(40 + R + (x * dx - y * dx / 2.0) - minX,
                          height - 40 - R - y * dy);
  };
  // Links between neighbouring chips that are both in the image.
  static const int ldx[] = {1, 1, 0}, ldy[] = {0, 1, 1};
  for (const auto &v : value)
    for (int l = 0; l < 3; ++l) {
      unsigned nx = v.first.first + ldx[l], ny = v.first.second + ldy[l];
      if (!value.count({nx, ny}))
        continue;
      auto a = centre(v.first.first, v.first.second), b = centre(nx, ny);
      fig.line(a.first, a.second, b.first, b.second, {0.6, 0.6, 0.6}, 1.5);
    }
  for (const auto &v : value) {
    auto c = centre(v.first.first, v.first.second);
    cairo_new_path(cr);
    for (int i = 0; i < 6; ++i) {
      double ang = M_PI / 6 + i * M_PI / 3;
      cairo_line_to(cr, c.first + 0.92 * R * std::cos(ang),
                    c.second + 0.92 * R * std::sin(ang));
    }
    cairo_close_path(cr);
    Color col = v.second > 0 ? viridis(v.second / hi) : Color{0.93, 0.93, 0.93};
    cairo_set_source_rgb(cr, col.r, col.g, col.b);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    if (R >= 16) {
      // White on dark chips, dark on light ones.
      double lum = 0.3 * col.r + 0.59 * col.g + 0.11 * col.b;
      cairo_save(cr);
      cairo_set_font_size(cr, 10);
      std::string t = tickLabel(v.second);
      cairo_text_extents_t e;
      cairo_text_extents(cr, t.c_str(), &e);
      double ink = lum < 0.5 ? 1.0 : 0.1;
      cairo_set_source_rgb(cr, ink, ink, ink);
      cairo_move_to(cr, c.first - e.x_advance / 2, c.second + e.height / 2);
      cairo_show_text(cr, t.c_str());
      cairo_restore(cr);
    }
  }
  if (!machineStats.empty()) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> sb =
        MemoryBuffer::getFile(machineStats);
    if (!sb)
      return fail("cannot read '" + machineStats +
                  "': " + sb.getError().message());
    nlohmann::json j = nlohmann::json::parse(
        (*sb)->getBuffer().begin(), (*sb)->getBuffer().end(), nullptr, false);
    if (j.is_discarded() || !j.contains("machine") ||
        !j["machine"].contains("per_chip"))
      return fail(machineStats + ": no \"machine\".\"per_chip\" counters "
                                 "(write it with scnc-run IMAGE -o DIR)");
    // Each chip's outgoing links as half segments towards the neighbour,
    // width growing with the square root of the packets.
    static const int ox[] = {1, 1, 0, -1, -1, 0}, oy[] = {0, 1, 1, 0, -1, -1};
    double most = 0;
    for (const nlohmann::json &c : j["machine"]["per_chip"])
      for (const nlohmann::json &v : c.value("link_out", nlohmann::json()))
        most = std::max(most, v.get<double>());
    for (const nlohmann::json &c : j["machine"]["per_chip"]) {
      unsigned x = c.value("x", 0u), y = c.value("y", 0u);
      const nlohmann::json &l = c.value("link_out", nlohmann::json());
      for (size_t k = 0; k < l.size() && k < 6; ++k) {
        double v = l[k].get<double>();
        if (v <= 0 || most <= 0)
          continue;
        auto a = centre(x, y);
        double bx = a.first + (ox[k] * dx - oy[k] * dx / 2.0) / 2,
               by = a.second - oy[k] * dy / 2;
        cairo_set_source_rgba(cr, 0.75, 0.1, 0.1, 0.8);
        cairo_set_line_width(cr, 1 + 0.45 * R * std::sqrt(v / most));
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_move_to(cr, a.first, a.second);
        cairo_line_to(cr, bx, by);
        cairo_stroke(cr);
      }
    }
    fig.text(40, height - 30,
             "red: packets sent on each link, width by sqrt(count); widest " +
                 withCommas(uint64_t(most)),
             11);
  }
  Box bar{width - 190, 60, 18, std::max(150.0, height - 140)};
  colorbar(fig, bar, 0, hi, false,
           colorBy == "cores" ? "application cores" : "routing entries");
  if (colorBy == "entries") {
    Axes a;
    a.box = bar;
    a.ymin = 0;
    a.ymax = hi;
    double y = a.py(1023);
    fig.line(bar.x - 6, y, bar.x + bar.w + 2, y, {0.8, 0.1, 0.1}, 2);
    fig.text(bar.x - 8, y, "1023 limit", 11, 1);
  }
  fig.text(40, height - 14,
           "chips at (x - y/2, y): links E, NE, N between neighbours; grey: "
           "no cores or entries",
           11);
  return fig.write();
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
