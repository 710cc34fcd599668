//===- Activity.cpp - Spike counts per position (activity, inputs) --------===//
#include "scnc/Plot/Activity.h"
#include "scnc/Plot/Plot.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace scnc;
using namespace scnc::plot;

static Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

Error plot::drawActivity(StringRef out, const SpikeFile &layer,
                         const GridShape &shape, const ActivityOptions &o) {
  uint64_t H = shape.h, W = shape.w, C = shape.c;
  const NumArray *a = &layer.spikes;
  std::vector<double> counts(H * W * C, 0);
  for (uint64_t r = 0; r < a->rows(); ++r) {
    uint64_t n = uint64_t(a->data[2 * r + 1]);
    if (n >= counts.size())
      return fail(layer.name + ": " + a->rowName(r) + " names neuron " +
                  Twine(n) + ", but a " + shape.text + " layer has " +
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
  Expected<std::unique_ptr<Figure>> f = Figure::create(out, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(o.title.empty() ? "Spike counts per position: " +
                                  sys::path::filename(layer.name).str()
                            : o.title);
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

Error plot::drawInputs(StringRef out, ArrayRef<SpikeFile> files,
                       const GridShape &shape, const InputsOptions &o) {
  uint64_t H = shape.h, W = shape.w, C = shape.c, n = shape.size();
  // Samples: one per file, or per presentation slot.
  std::vector<std::vector<double>> samples;
  std::vector<std::string> names;
  for (const SpikeFile &file : files) {
    const std::string &path = file.name;
    const NumArray *a = &file.spikes;
    size_t first = samples.size();
    for (uint64_t r = 0; r < a->rows(); ++r) {
      uint64_t id = uint64_t(a->data[2 * r + 1]);
      if (id >= n)
        return fail(path + ": " + a->rowName(r) + " names neuron " + Twine(id) +
                    ", but a " + shape.text + " input has " + Twine(n) +
                    " neurons");
      size_t slot =
          o.presentation > 0 ? size_t(a->data[2 * r] / o.presentation) : 0;
      if (slot > 4096)
        return fail(path + ": more than 4096 samples; check --presentation");
      while (samples.size() <= first + slot) {
        samples.emplace_back(n, 0.0);
        names.push_back(sys::path::filename(path).str() +
                        (o.presentation > 0
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
  Expected<std::unique_ptr<Figure>> f = Figure::create(out, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(o.title.empty() ? std::string("Encoded input samples") : o.title);
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
