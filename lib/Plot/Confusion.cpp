//===- Confusion.cpp - The row-normalised confusion matrix figure ---------===//
#include "scnc/Plot/Confusion.h"
#include "scnc/Plot/Plot.h"
#include "llvm/ADT/Twine.h"
#include <algorithm>
#include <cairo.h>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

using namespace llvm;
using namespace scnc;
using namespace scnc::plot;

static Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

Expected<Confusion> plot::parseConfusionJson(StringRef text, StringRef name) {
  std::string confusionFile = name.str();
  nlohmann::json j =
      nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return fail(confusionFile + ": not valid JSON");
  if (!j.contains("confusion") || !j["confusion"].is_array() ||
      j["confusion"].empty())
    return fail(confusionFile +
                ": no \"confusion\" matrix (rows: true class, columns: "
                "predicted class)");
  const nlohmann::json &m = j["confusion"];
  size_t k = m.size();
  Confusion out;
  std::vector<double> &counts = out.counts;
  out.k = k;
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
  std::vector<std::string> &labels = out.labels;
  if (j.contains("labels") && j["labels"].is_array() && j["labels"].size() == k)
    for (const nlohmann::json &l : j["labels"])
      labels.push_back(l.is_string() ? l.get<std::string>() : l.dump());
  else
    for (size_t i = 0; i < k; ++i)
      labels.push_back(std::to_string(i));
  return out;
}

Error plot::drawConfusion(StringRef out, const Confusion &m,
                          const ConfusionOptions &o) {
  size_t k = m.k;
  const std::vector<double> &counts = m.counts;
  const std::vector<std::string> &labels = m.labels;
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
  Expected<std::unique_ptr<Figure>> f = Figure::create(out, width, height);
  if (!f)
    return f.takeError();
  Figure &fig = **f;
  char acc[64];
  std::snprintf(acc, sizeof acc, " (accuracy %.2f%%, %.0f samples)",
                total > 0 ? 100 * correct / total : 0.0, total);
  fig.title((o.title.empty() ? std::string("Confusion matrix") : o.title) +
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
