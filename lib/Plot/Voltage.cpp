//===- Voltage.cpp - The membrane voltage figure --------------------------===//
#include "scnc/Plot/Voltage.h"
#include "scnc/Plot/Plot.h"
#include "llvm/ADT/Twine.h"
#include <algorithm>
#include <cairo.h>
#include <cmath>

using namespace llvm;
using namespace scnc;
using namespace scnc::plot;

Error plot::drawVoltage(StringRef out, const NumArray &volts,
                        ArrayRef<uint64_t> chosen, const VoltageOptions &o) {
  uint64_t ticks = volts.shape[0], neurons = volts.shape[1];
  double lo = INFINITY, hi = -INFINITY;
  for (uint64_t n : chosen)
    for (uint64_t t = 0; t < ticks; ++t) {
      lo = std::min(lo, volts.data[t * neurons + n]);
      hi = std::max(hi, volts.data[t * neurons + n]);
    }
  for (double v : {o.threshold, o.reset})
    if (!std::isnan(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!(hi > lo))
    hi = lo + 1;
  double pad = (hi - lo) * 0.06;
  const double width = 1000, height = 520;
  Expected<std::unique_ptr<Figure>> f = Figure::create(out, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(o.title.empty() ? std::string("Membrane voltage") : o.title);
  Axes ax;
  ax.box = {90, 50, width - 300, height - 110};
  ax.xmin = 0;
  ax.xmax = std::max(1.0, (ticks ? ticks - 1 : 0) * o.dt);
  ax.ymin = lo - pad;
  ax.ymax = hi + pad;
  cairo_t *cr = fig.context();
  double legendY = ax.box.y + 10;
  for (size_t i = 0; i < chosen.size(); ++i) {
    Color c = category(unsigned(i));
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 1.4);
    for (uint64_t t = 0; t < ticks; ++t) {
      double x = ax.px(t * o.dt),
             y = ax.py(volts.data[t * neurons + chosen[i]]);
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
  level(o.threshold, "threshold", {0.1, 0.1, 0.1});
  level(o.reset, "reset", {0.55, 0.55, 0.55});
  ax.draw(fig, "time (ms)", "membrane voltage (mV)");
  return fig.write();
}
