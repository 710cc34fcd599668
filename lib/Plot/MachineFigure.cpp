//===- MachineFigure.cpp - The machine's chips and links ------------------===//
#include "scnc/Plot/MachineFigure.h"
#include "scnc/Plot/Plot.h"
#include "scnc/Support/Format.h"
#include <algorithm>
#include <cairo.h>
#include <cmath>

using namespace llvm;
using namespace scnc;
using namespace scnc::plot;

Error plot::drawMachine(StringRef out, const MachineChips &chips,
                        const MachineFigureOptions &o) {
  bool entries = o.color == ChipColor::Entries;
  const auto &value = chips.value;
  unsigned W = chips.width, H = chips.height;
  double hi = entries ? o.routerEntries : o.chipCores;
  for (const auto &v : value)
    hi = std::max(hi, v.second);
  // Triangular mesh drawn as hexagons: chip (x, y) at (x - y/2, y) so that
  // its six neighbours E, NE, N, W, SW, S are all one hexagon away.
  double R = std::max(7.0, std::min(30.0, 700.0 / (W + H / 2.0 + 1)));
  double dx = R * std::sqrt(3.0), dy = R * 1.5;
  double minX = -(double(H) - 1) * dx / 2, maxX = (double(W) - 1) * dx;
  double width = maxX - minX + 2 * R + 260,
         height = std::max(300.0, (double(H) - 1) * dy + 2 * R + 120);
  Expected<std::unique_ptr<Figure>> f = Figure::create(out, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  fig.title(o.title.empty() ? "Machine '" + chips.machineName + "': " +
                                  (entries ? "routing entries per chip"
                                           : "application cores used per chip")
                            : o.title);
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
  if (o.traffic) {
    // Each chip's outgoing links as half segments towards the neighbour,
    // width growing with the square root of the packets.
    static const int ox[] = {1, 1, 0, -1, -1, 0}, oy[] = {0, 1, 1, 0, -1, -1};
    double most = 0;
    for (const ChipTraffic &c : *o.traffic)
      for (double v : c.linkOut)
        most = std::max(most, v);
    for (const ChipTraffic &c : *o.traffic) {
      unsigned x = c.x, y = c.y;
      const std::vector<double> &l = c.linkOut;
      for (size_t k = 0; k < l.size() && k < 6; ++k) {
        double v = l[k];
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
           entries ? "routing entries" : "application cores");
  if (entries) {
    Axes a;
    a.box = bar;
    a.ymin = 0;
    a.ymax = hi;
    double y = a.py(o.routerEntries);
    fig.line(bar.x - 6, y, bar.x + bar.w + 2, y, {0.8, 0.1, 0.1}, 2);
    fig.text(bar.x - 8, y, std::to_string(o.routerEntries) + " limit", 11, 1);
  }
  fig.text(40, height - 14,
           "chips at (x - y/2, y): links E, NE, N between neighbours; grey: "
           "no cores or entries",
           11);
  return fig.write();
}
