//===- InferShapes.cpp - Shapes of every population -----------------------===//
//
// Walks populations in order (the verifier guarantees projections only go
// forward or to their own population) and sets each neuron population's
// shape from its incoming projections:
//   out = floor((in + 2*pad - k)/stride) + 1 per dimension (H and W apart),
//   depth = filters (standard), filters x input depth (per-map),
//   input depth (pool), units (dense).
// All inputs of a population must agree. When the division is not exact a
// warning says how many input rows/columns no window covers.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/Printer.h"
#include "scnc/IR/Shapes.h"
#include "scnc/Support/Debug.h"
#include "scnc/Transforms/PassManager.h"

#define DEBUG_TYPE "infer-shapes"

using namespace scnc;
using namespace llvm;

bool scnc::runInferShapes(Network &n, PassContext &ctx) {
  DiagnosticEngine &diag = ctx.diag;
  std::vector<std::vector<unsigned>> incoming(n.populations.size());
  for (unsigned i = 0; i < n.projections.size(); ++i)
    incoming[n.projections[i].post].push_back(i);

  bool ok = true;
  for (unsigned pi = 0; pi < n.populations.size(); ++pi) {
    Population &pop = n.populations[pi];
    if (pop.kind == Population::Kind::Input) {
      // Nothing feeds an input: its shape must be given. Report it here, as
      // the layers it feeds stay silent about an unknown input shape.
      if (!pop.shape.isKnown()) {
        diag.error(pop.loc, "input population '" + pop.name +
                                "' has an unknown shape; inputs need an "
                                "explicit shape");
        ok = false;
      }
      continue;
    }
    Shape result;
    const Projection *first = nullptr;
    bool failed = false;
    unsigned numInputs = 0;
    for (unsigned prIdx : incoming[pi])
      numInputs += n.projections[prIdx].pre != pi;
    for (unsigned prIdx : incoming[pi]) {
      const Projection &pr = n.projections[prIdx];
      if (pr.pre == pi)
        continue; // recurrent (e.g. winner-take-all): no shape information
      const Population &pre = n.populations[pr.pre];
      if (!pre.shape.isKnown()) {
        failed = true; // its own error was reported already
        continue;
      }
      Shape s;
      std::string why;
      if (!computeOutputShape(pre.shape, pr, s, why)) {
        diag.error(pop.loc, "layer '" + pop.name + "'" +
                                (numInputs > 1 ? " (input '" + pre.name + "')"
                                               : std::string()) +
                                ": " + why);
        failed = true;
        continue;
      }
      if (!s.isKnown())
        continue;
      Pair left = uncoveredInput(pre.shape, pr);
      if (left.h || left.w) {
        std::string parts;
        if (left.h)
          parts +=
              std::to_string(left.h) + " input row" + (left.h > 1 ? "s" : "");
        if (left.w)
          parts += (parts.empty() ? "" : " and ") + std::to_string(left.w) +
                   " input column" + (left.w > 1 ? "s" : "");
        diag.warning(pop.loc, "layer '" + pop.name + "': " + parts + " of '" +
                                  pre.name + "' (" + formatShape(pre.shape) +
                                  ") never covered by a window: kernel " +
                                  std::to_string(pr.kernel.h) + "x" +
                                  std::to_string(pr.kernel.w) + ", stride " +
                                  std::to_string(pr.stride.h) + "x" +
                                  std::to_string(pr.stride.w) + ", padding " +
                                  std::to_string(pr.padding.h) + "x" +
                                  std::to_string(pr.padding.w));
      }
      SCNC_DEBUG(dbgs() << "infer-shapes: " << pr.name << ": "
                        << formatShape(pre.shape) << " -> " << formatShape(s)
                        << "\n");
      if (!first) {
        first = &pr;
        result = s;
      } else if (s != result) {
        diag.error(pop.loc, "layer '" + pop.name +
                                "': inputs disagree on its "
                                "shape: '" +
                                n.populations[first->pre].name + "' gives " +
                                formatShape(result) + ", '" + pre.name +
                                "' gives " + formatShape(s));
        failed = true;
      }
    }
    if (failed) {
      ok = false;
      pop.shape = Shape();
      continue;
    }
    if (!result.isKnown()) {
      if (!pop.shape.isKnown()) {
        diag.error(pop.loc,
                   "layer '" + pop.name + "': no input determines its shape");
        ok = false;
      }
      continue; // keep a shape given explicitly (all_to_all, from_list)
    }
    pop.shape = result;
  }
  return ok;
}
