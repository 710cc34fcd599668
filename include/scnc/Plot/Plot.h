//===- Plot.h - Figures drawn with cairo (PNG or SVG) ---------*- C++ -*-===//
//
// The drawing layer under scnc-plot: a figure whose format follows the
// output file's extension (.png or .svg), axes with "nice" ticks and
// labels, heat maps with colour bars, and the colour maps. Every figure is
// written atomically (rendered into memory, then writeOutputAtomically).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_PLOT_PLOT_H
#define SCNC_PLOT_PLOT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <string>
#include <vector>

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;

namespace scnc {
namespace plot {

struct Color {
  double r = 0, g = 0, b = 0;
};

/// Perceptually uniform sequential map (matplotlib's viridis, sampled at
/// 9 points and interpolated linearly), t in [0, 1].
Color viridis(double t);
/// Diverging blue - white - red, t in [-1, 1].
Color diverging(double t);
/// The i-th colour of a categorical palette (i = 0 blue, 1 red, as the
/// original's rasters: pre blue, post red; then green, orange, ...).
Color category(unsigned i);

/// "Nice" tick positions covering [lo, hi]: about `target` steps of 1, 2
/// or 5 times a power of ten.
std::vector<double> niceTicks(double lo, double hi, unsigned target = 6);
/// A tick label: integers without decimals, otherwise up to 4 significant
/// digits.
std::string tickLabel(double v);

/// Parses "HxW" (\p n = 2) or "HxWxC" (\p n = 3) of positive integers; the
/// error names the option \p what ("--shape") and the expected form.
llvm::Expected<std::vector<uint64_t>> parseDims(llvm::StringRef s, unsigned n,
                                                llvm::StringRef what);

/// A pixel rectangle.
struct Box {
  double x = 0, y = 0, w = 0, h = 0;
};

/// A figure: a cairo surface in memory, written to PNG or SVG.
class Figure {
public:
  ~Figure();
  /// A figure of width x height pixels for \p path (".png" or ".svg";
  /// anything else is an error naming the extension).
  static llvm::Expected<std::unique_ptr<Figure>>
  create(llvm::StringRef path, double width, double height);
  cairo_t *context() const { return cr; }
  double width() const { return w; }
  double height() const { return h; }
  /// Renders and writes the file atomically.
  llvm::Error write();

  // Drawing helpers, in pixels (y down).
  void text(double x, double y, llvm::StringRef s, double size = 13,
            double alignX = 0, double alignY = 0.5, bool bold = false,
            double angle = 0);
  void title(llvm::StringRef s);
  void fillRect(const Box &b, Color c, double alpha = 1);
  void strokeRect(const Box &b, Color c, double lineWidth = 1);
  void line(double x0, double y0, double x1, double y1, Color c,
            double lineWidth = 1, bool dashed = false);

private:
  Figure() = default;
  std::string path, svgBytes;
  bool svg = false;
  double w = 0, h = 0;
  cairo_surface_t *surface = nullptr;
  cairo_t *cr = nullptr;
};

/// Data coordinates onto a pixel box.
struct Axes {
  Box box;
  double xmin = 0, xmax = 1, ymin = 0, ymax = 1;
  bool yDown = false; ///< y grows downwards (rows of an image/raster)
  double px(double x) const {
    return box.x + (x - xmin) / (xmax - xmin) * box.w;
  }
  double py(double y) const {
    double f = (y - ymin) / (ymax - ymin);
    return yDown ? box.y + f * box.h : box.y + box.h - f * box.h;
  }
  /// Frame, ticks with labels, and axis labels (with units).
  void draw(Figure &f, llvm::StringRef xlabel, llvm::StringRef ylabel,
            bool xTicks = true, bool yTicks = true) const;
};

/// A rows x cols heat map into \p b, value v -> colour(map((v-lo)/(hi-lo)))
/// (sequential) or diverging((v)/max(|lo|,|hi|)) when \p divergent.
void heatmap(Figure &f, const Box &b, llvm::ArrayRef<double> values,
             size_t rows, size_t cols, double lo, double hi, bool divergent);
/// A vertical colour bar with ticks and a label.
void colorbar(Figure &f, const Box &b, double lo, double hi, bool divergent,
              llvm::StringRef label);

} // namespace plot
} // namespace scnc

#endif
