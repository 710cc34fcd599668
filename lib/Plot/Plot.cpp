//===- Plot.cpp - Figures drawn with cairo --------------------------------===//
#include "scnc/Plot/Plot.h"
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cairo-svg.h>
#include <cairo.h>
#include <cmath>
#include <cstdio>

using namespace llvm;
using namespace scnc;
using namespace scnc::plot;

Color plot::viridis(double t) {
  static const Color stops[] = {
      {0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530},
      {0.207, 0.372, 0.553}, {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551},
      {0.135, 0.659, 0.518}, {0.267, 0.749, 0.441}, {0.478, 0.821, 0.318},
      {0.741, 0.873, 0.150}, {0.993, 0.906, 0.144}};
  const int n = int(sizeof(stops) / sizeof(stops[0]));
  if (!(t > 0))
    return stops[0];
  if (t >= 1)
    return stops[n - 1];
  double x = t * (n - 1);
  int i = int(x);
  double f = x - i;
  const Color &a = stops[i], &b = stops[i + 1];
  return {a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

Color plot::diverging(double t) {
  t = std::max(-1.0, std::min(1.0, std::isnan(t) ? 0.0 : t));
  const Color blue{0.129, 0.400, 0.674}, red{0.698, 0.094, 0.168},
      white{0.97, 0.97, 0.97};
  const Color &end = t < 0 ? blue : red;
  double f = std::fabs(t);
  return {white.r + f * (end.r - white.r), white.g + f * (end.g - white.g),
          white.b + f * (end.b - white.b)};
}

Color plot::category(unsigned i) {
  static const Color palette[] = {{0.122, 0.467, 0.706}, {0.839, 0.153, 0.157},
                                  {0.173, 0.627, 0.173}, {1.000, 0.498, 0.055},
                                  {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                                  {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498},
                                  {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812}};
  return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

std::vector<double> plot::niceTicks(double lo, double hi, unsigned target) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) {
    ticks.push_back(lo);
    return ticks;
  }
  double raw = (hi - lo) / std::max(1u, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step;
       v += step)
    ticks.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
  return ticks;
}

std::string plot::tickLabel(double v) {
  char buf[32];
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

Expected<std::vector<uint64_t>> plot::parseDims(StringRef s, unsigned n,
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
    return createStringError(inconvertibleErrorCode(),
                             "invalid " + what + " '" + s + "': expected " +
                                 (n == 2 ? "HxW" : "HxWxC") +
                                 " with positive integers");
  return out;
}

Figure::~Figure() {
  if (cr)
    cairo_destroy(cr);
  if (surface)
    cairo_surface_destroy(surface);
}

static cairo_status_t appendBytes(void *closure, const unsigned char *data,
                                  unsigned int length) {
  static_cast<std::string *>(closure)->append(
      reinterpret_cast<const char *>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

Expected<std::unique_ptr<Figure>> Figure::create(StringRef path, double width,
                                                 double height) {
  StringRef ext = sys::path::extension(path);
  std::unique_ptr<Figure> f(new Figure());
  f->path = path.str();
  f->w = width;
  f->h = height;
  if (ext.equals_insensitive(".svg")) {
    f->svg = true;
    f->surface = cairo_svg_surface_create_for_stream(appendBytes, &f->svgBytes,
                                                     width, height);
  } else if (ext.equals_insensitive(".png")) {
    f->surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, int(width), int(height));
  } else {
    return createStringError(inconvertibleErrorCode(),
                             "cannot tell the figure format of '%s': give a "
                             ".png or .svg output file",
                             path.str().c_str());
  }
  f->cr = cairo_create(f->surface);
  cairo_set_source_rgb(f->cr, 1, 1, 1);
  cairo_paint(f->cr);
  cairo_select_font_face(f->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  return f;
}

Error Figure::write() {
  std::string bytes;
  if (svg) {
    cairo_destroy(cr);
    cr = nullptr;
    cairo_surface_finish(surface);
    bytes = std::move(svgBytes);
  } else {
    cairo_surface_flush(surface);
    cairo_surface_write_to_png_stream(surface, appendBytes, &bytes);
  }
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
    return createStringError(
        inconvertibleErrorCode(), "cannot draw '%s': %s", path.c_str(),
        cairo_status_to_string(cairo_surface_status(surface)));
  return writeOutputAtomically(path, [&](raw_ostream &os) {
    os << bytes;
    return Error::success();
  });
}

void Figure::text(double x, double y, StringRef s, double size, double alignX,
                  double alignY, bool bold, double angle) {
  cairo_save(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD
                              : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  std::string str = s.str();
  cairo_text_extents_t ext;
  cairo_text_extents(cr, str.c_str(), &ext);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  // Vertical placement from the font size (stable across strings).
  cairo_move_to(cr, -alignX * ext.x_advance, (1 - alignY) * size * 0.72);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_show_text(cr, str.c_str());
  cairo_restore(cr);
}

void Figure::title(StringRef s) { text(w / 2, 18, s, 16, 0.5, 0.5, true); }

void Figure::fillRect(const Box &b, Color c, double alpha) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
  cairo_rectangle(cr, b.x, b.y, b.w, b.h);
  cairo_fill(cr);
}

void Figure::strokeRect(const Box &b, Color c, double lineWidth) {
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
  cairo_set_line_width(cr, lineWidth);
  cairo_rectangle(cr, b.x, b.y, b.w, b.h);
  cairo_stroke(cr);
}

void Figure::line(double x0, double y0, double x1, double y1, Color c,
                  double lineWidth, bool dashed) {
  cairo_save(cr);
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
  cairo_set_line_width(cr, lineWidth);
  if (dashed) {
    double d[] = {5, 4};
    cairo_set_dash(cr, d, 2, 0);
  }
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
  cairo_restore(cr);
}

void Axes::draw(Figure &f, StringRef xlabel, StringRef ylabel, bool xTicks,
                bool yTicks) const {
  Color ink{0.15, 0.15, 0.15};
  f.strokeRect(box, ink, 1);
  if (xTicks)
    for (double t : niceTicks(xmin, xmax)) {
      double x = px(t);
      f.line(x, box.y + box.h, x, box.y + box.h + 5, ink);
      f.text(x, box.y + box.h + 14, tickLabel(t), 12, 0.5);
    }
  if (yTicks)
    for (double t : niceTicks(std::min(ymin, ymax), std::max(ymin, ymax))) {
      double y = py(t);
      f.line(box.x - 5, y, box.x, y, ink);
      f.text(box.x - 8, y, tickLabel(t), 12, 1);
    }
  if (!xlabel.empty())
    f.text(box.x + box.w / 2, box.y + box.h + 34, xlabel, 13, 0.5);
  if (!ylabel.empty())
    f.text(box.x - 52, box.y + box.h / 2, ylabel, 13, 0.5, 0.5, false,
           -M_PI / 2);
}

static Color mapColor(double v, double lo, double hi, bool divergent) {
  if (divergent) {
    double m = std::max(std::fabs(lo), std::fabs(hi));
    return diverging(m > 0 ? v / m : 0);
  }
  return viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5);
}

void plot::heatmap(Figure &f, const Box &b, ArrayRef<double> values,
                   size_t rows, size_t cols, double lo, double hi,
                   bool divergent) {
  double cw = b.w / cols, ch = b.h / rows;
  // No antialiasing between cells: it would draw seams between them.
  cairo_save(f.context());
  cairo_set_antialias(f.context(), CAIRO_ANTIALIAS_NONE);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      // A hair of overlap so that no seam shows between cells.
      f.fillRect({b.x + c * cw, b.y + r * ch, cw + 0.35, ch + 0.35},
                 mapColor(values[r * cols + c], lo, hi, divergent));
  cairo_restore(f.context());
}

void plot::colorbar(Figure &f, const Box &b, double lo, double hi,
                    bool divergent, StringRef label) {
  if (divergent) {
    double m = std::max(std::fabs(lo), std::fabs(hi));
    lo = -m;
    hi = m;
  }
  if (!(hi > lo))
    hi = lo + 1;
  const int steps = 128;
  for (int i = 0; i < steps; ++i) {
    double v = hi - (hi - lo) * (i + 0.5) / steps;
    f.fillRect({b.x, b.y + b.h * i / steps, b.w, b.h / steps + 0.5},
               mapColor(v, lo, hi, divergent));
  }
  Color ink{0.15, 0.15, 0.15};
  f.strokeRect(b, ink);
  Axes a;
  a.box = b;
  a.ymin = lo;
  a.ymax = hi;
  for (double t : niceTicks(lo, hi, 5)) {
    double y = a.py(t);
    f.line(b.x + b.w, y, b.x + b.w + 4, y, ink);
    f.text(b.x + b.w + 7, y, tickLabel(t), 12, 0);
  }
  f.text(b.x + b.w + 58, b.y + b.h / 2, label, 13, 0.5, 0.5, false, M_PI / 2);
}
