//===- Raster.cpp - The spike raster figure -------------------------------===//
#include "scnc/Plot/Raster.h"
#include "scnc/Plot/Plot.h"
#include "llvm/ADT/Twine.h"
#include <algorithm>
#include <cairo.h>
#include <cmath>
#include <map>

using namespace llvm;
using namespace scnc;
using namespace scnc::plot;

Error plot::drawRaster(StringRef out, std::vector<RasterLayer> layers,
                       const RasterOptions &o) {
  for (RasterLayer &L : layers)
    for (uint64_t r = 0; r < L.spikes.rows(); ++r)
      L.neurons = std::max(L.neurons, uint64_t(L.spikes.data[2 * r + 1]) + 1);
  double tmax = 0;
  uint64_t total = 0;
  for (const RasterLayer &L : layers) {
    for (uint64_t r = 0; r < L.spikes.rows(); ++r)
      tmax = std::max(tmax, L.spikes.data[2 * r]);
    total += std::max<uint64_t>(1, L.neurons);
  }
  if (o.presentation > 0)
    tmax = std::ceil((tmax + 1e-9) / o.presentation) * o.presentation;
  tmax = std::max(tmax, 1.0);
  const double width = 1040, height = 620;
  Expected<std::unique_ptr<Figure>> f = Figure::create(out, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(o.title.empty() ? std::string("Spike raster") : o.title);
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
  for (size_t li = 0; li < layers.size(); ++li) {
    const RasterLayer &L = layers[li];
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
  if (o.presentation > 0)
    for (double t = o.presentation; t < tmax; t += o.presentation)
      fig.line(ax.px(t), ax.box.y, ax.px(t), ax.box.y + ax.box.h,
               {0.35, 0.35, 0.35}, 1, true);
  ax.draw(fig, "time (ms)", "neuron (layers stacked)");
  if (o.presentation > 0) {
    fig.text(ax.box.x + ax.box.w + 20, legendY + 6, "dashed: sample boundaries",
             11);
    fig.text(ax.box.x + ax.box.w + 20, legendY + 22,
             "every " + tickLabel(o.presentation) + " ms", 11);
  }
  return fig.write();
}
