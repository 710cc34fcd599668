//===- Kernels.cpp - The kernels figure -----------------------------------===//
#include "scnc/Plot/Kernels.h"
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

Expected<Kernels> plot::kernelsFromArray(ArrayRef<uint64_t> s,
                                         std::vector<double> data,
                                         StringRef name,
                                         StringRef kernelShape) {
  Kernels k;
  k.w = std::move(data);
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
      return fail(name + ": a 2-D weights array needs --kernel HxW");
    Expected<std::vector<uint64_t>> hw = parseDims(kernelShape, 2, "--kernel");
    if (!hw)
      return hw.takeError();
    uint64_t taps = (*hw)[0] * (*hw)[1];
    if (s[1] % taps)
      return fail(name + ": " + Twine(s[1]) + " weights per filter are not " +
                  "a whole number of " + kernelShape + " kernels");
    k.filters = s[0];
    k.channels = s[1] / taps;
    k.kh = (*hw)[0];
    k.kw = (*hw)[1];
  } else {
    return fail(name + ": expected kernels as (filters, channels, H, W), "
                       "(filters, H, W) or (filters, taps)");
  }
  if (!k.filters || !k.channels || !k.kh || !k.kw)
    return fail(name + ": no kernels in the array");
  return k;
}

Error plot::drawKernels(StringRef out, Kernels k, const Kernels *before,
                        const KernelsOptions &o) {
  bool diff = before != nullptr;
  if (diff) {
    if (before->w.size() != k.w.size() || before->filters != k.filters)
      return fail(o.beforeName + ": shape differs from " + o.name);
    for (size_t i = 0; i < k.w.size(); ++i)
      k.w[i] -= before->w[i];
  }
  double lo = *std::min_element(k.w.begin(), k.w.end());
  double hi = *std::max_element(k.w.begin(), k.w.end());
  if (!(hi > lo))
    hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.01);
  // Groups of C kernels side by side, groups in a near-square grid.
  double groupW = k.channels * (k.kw + 1), groupH = k.kh + 1;
  unsigned cols = std::max<unsigned>(
      1, unsigned(std::ceil(std::sqrt(k.filters * groupH / groupW))));
  unsigned rows = unsigned((k.filters + cols - 1) / cols);
  double cell = std::max(
      2.0, std::min({24.0, 900.0 / (cols * groupW), 900.0 / (rows * groupH)}));
  double gridW = cols * groupW * cell, gridH = rows * groupH * cell;
  double width = std::max(480.0, gridW + 190),
         height = std::max(300.0, gridH + 110);
  Expected<std::unique_ptr<Figure>> f = Figure::create(out, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  std::string title =
      o.title.empty()
          ? (diff ? "Weight change (after - before): " : "Kernels: ") +
                sys::path::filename(o.name).str()
          : o.title;
  fig.title(title);
  fig.text(width / 2, 40,
           Twine(k.filters).str() + " filters x " + Twine(k.channels).str() +
               " input channels, " + Twine(k.kh).str() + "x" +
               Twine(k.kw).str() + " (channels left to right within a filter)",
           12, 0.5);
  double x0 = 30, y0 = 62;
  for (uint64_t fi = 0; fi < k.filters; ++fi) {
    double gx = x0 + (fi % cols) * groupW * cell,
           gy = y0 + (fi / cols) * groupH * cell;
    for (uint64_t c = 0; c < k.channels; ++c) {
      Box b{gx + c * (k.kw + 1) * cell, gy, k.kw * cell, k.kh * cell};
      size_t base = ((fi * k.channels) + c) * k.kh * k.kw;
      heatmap(fig, b, ArrayRef<double>(k.w).slice(base, k.kh * k.kw), k.kh,
              k.kw, lo, hi, diff);
    }
  }
  colorbar(fig, {x0 + gridW + 20, y0, 18, std::max(120.0, gridH - cell)}, lo,
           hi, diff, diff ? "weight change (nA)" : "weight (nA)");
  return fig.write();
}
