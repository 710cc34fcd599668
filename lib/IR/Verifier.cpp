//===- Verifier.cpp -------------------------------------------------------===//
#include "scnc/IR/Verifier.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Shapes.h"
#include "scnc/Support/Npy.h"
#include "llvm/ADT/StringSet.h"
#include <cmath>

using namespace scnc;
using namespace llvm;

/// Expanded lists: one per projection, the analytic size, indices in range,
/// sorted by (post, pre), weight elements that exist, finite weights.
template <typename Err>
static void verifyConnections(const Network &n, const ConnectionSet &c,
                              Err err) {
  if (c.lists.size() != n.projections.size()) {
    err(n.loc, "connection lists do not match the projections");
    return;
  }
  for (size_t pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &p = n.projections[pi];
    const ConnectionList &l = c.lists[pi];
    ProjectionStats st = analyzeProjection(n, p);
    uint64_t nPre = n.populations[p.pre].shape.size();
    uint64_t nPost = n.populations[p.post].shape.size();
    if (l.post.size() != l.size() ||
        (!l.weightIndex.empty() && l.weightIndex.size() != l.size()) ||
        (!l.delays.empty() && l.delays.size() != l.size()) ||
        (l.weightIndex.empty() && l.weights.size() != l.size()) ||
        (st.known && st.synapses != l.size())) {
      err(p.loc, "connection list of '" + p.name + "' has inconsistent sizes");
      continue;
    }
    for (uint64_t i = 0; i < l.size(); ++i) {
      bool inRange = l.pre[i] < nPre && l.post[i] < nPost &&
                     l.element(i) < l.weights.size();
      bool sorted = i == 0 || l.post[i - 1] < l.post[i] ||
                    (l.post[i - 1] == l.post[i] && l.pre[i - 1] <= l.pre[i]);
      if (!inRange || !sorted) {
        err(p.loc, "connection list of '" + p.name + "': synapse " + Twine(i) +
                       (inRange ? " is out of (post, pre) order"
                                : " refers to a missing neuron or weight"));
        break;
      }
    }
    for (float w : l.weights)
      if (!std::isfinite(w)) {
        err(p.loc,
            "connection list of '" + p.name + "' has a non-finite weight");
        break;
      }
  }
}

/// Whether one neuron's parameters are in range for \p model (CubaLIF's
/// tau_syn_E == tau_syn_I included).
static bool inRange(const NeuronParams &p, NeuronModelKind model) {
  bool ok = p.v_thresh > p.v_reset;
  switch (model) {
  case NeuronModelKind::IfCurrExp:
    return ok && p.tau_m > 0 && p.cm > 0 && p.tau_syn_E > 0 &&
           p.tau_syn_I > 0 && p.tau_refrac >= 0;
  case NeuronModelKind::If:
    return ok && p.r > 0;
  case NeuronModelKind::Lif:
    return ok && p.tau_m > 0 && p.r > 0;
  case NeuronModelKind::CubaLif:
    return ok && p.tau_m > 0 && p.r > 0 && p.w_in > 0 && p.tau_syn_E > 0 &&
           p.tau_syn_I > 0;
  }
  return ok;
}

bool scnc::verifyNetwork(const Network &n, DiagnosticEngine &diag,
                         bool connections) {
  unsigned before = diag.getNumErrors();
  auto err = [&](SMLoc loc, const Twine &msg) {
    diag.error(loc, "IR verifier: " + msg);
  };
  StringSet<> names;
  for (const NeuronParams &p : n.neuronSets) {
    if (!names.insert(p.name).second)
      err(p.loc, "duplicate neuron parameter set '" + p.name + "'");
    NeuronModelKind model;
    if (!parseNeuronModel(p.model, model)) {
      err(p.loc, "neuron parameter set '" + p.name +
                     "' has an unknown model '" + p.model + "'");
      continue;
    }
    uint64_t count = p.perNeuronCount();
    if (count && model == NeuronModelKind::IfCurrExp)
      err(p.loc, "neuron parameter set '" + p.name +
                     "' (IF_curr_exp) has per-neuron values");
    for (const auto &a : p.perNeuron)
      if (a && a->data.size() != count)
        err(p.loc, "neuron parameter set '" + p.name +
                       "' has per-neuron arrays of different lengths");
    for (uint64_t i = 0; i < std::max<uint64_t>(count, 1); ++i) {
      NeuronParams one = count ? p.neuron(i) : NeuronParams();
      const NeuronParams &q = count ? one : p;
      if (model == NeuronModelKind::CubaLif && q.tau_syn_E != q.tau_syn_I) {
        err(p.loc, "neuron parameter set '" + p.name +
                       "' (CubaLIF) has tau_syn_E != tau_syn_I" +
                       (count ? " at neuron " + Twine(i) : Twine()));
        break;
      }
      if (!inRange(q, model)) {
        err(p.loc, "neuron parameter set '" + p.name + "' is out of range" +
                       (count ? " at neuron " + Twine(i) : Twine()));
        break;
      }
    }
  }
  names.clear();
  for (const StdpRule &r : n.stdpRules) {
    if (!names.insert(r.name).second)
      err(r.loc, "duplicate STDP rule '" + r.name + "'");
    if (!(r.tauPlus > 0 && r.tauMinus > 0 && r.wMin <= r.wMax))
      err(r.loc, "STDP rule '" + r.name + "' is out of range");
  }
  names.clear();
  std::vector<unsigned> incoming(n.populations.size(), 0);
  for (const Population &p : n.populations) {
    if (!names.insert(p.name).second)
      err(p.loc, "duplicate population '" + p.name + "'");
    if (p.shape.isKnown() &&
        (p.shape.w == 0 || p.shape.c == 0 || p.shape.size() > UINT32_MAX))
      err(p.loc, "population '" + p.name + "' has an invalid shape");
    if (p.kind == Population::Kind::Neurons) {
      if (!n.findNeuronSet(p.neuron))
        err(p.loc, "population '" + p.name +
                       "' uses undefined neuron parameter set '" + p.neuron +
                       "'");
      if (!n.findNeuronSet(p.trainNeuron))
        err(p.loc, "population '" + p.name +
                       "' uses undefined neuron parameter set '" +
                       p.trainNeuron + "'");
      // The ring-buffer weights fold the model's input factor in
      // (docs/execution.md), one per population: both sets run one model.
      const NeuronParams *a = n.findNeuronSet(p.neuron),
                         *b = n.findNeuronSet(p.trainNeuron);
      for (const NeuronParams *set : {a, b})
        if (set && set->hasPerNeuron() && p.shape.isKnown() &&
            set->perNeuronCount() != p.shape.size())
          err(p.loc, "population '" + p.name + "' of " + Twine(p.shape.size()) +
                         " neurons uses neuron set '" + set->name +
                         "', whose per-neuron values are for " +
                         Twine(set->perNeuronCount()) + " neurons");
      if (a && b && a->model != b->model)
        err(p.loc, "population '" + p.name +
                       "' uses neuron sets of two "
                       "models ('" +
                       a->name + "' is " + a->model + ", '" + b->name +
                       "' is " + b->model + ")");
    }
  }
  names.clear();
  for (const Projection &pr : n.projections) {
    if (!names.insert(pr.name).second)
      err(pr.loc, "duplicate projection '" + pr.name + "'");
    if (pr.pre >= n.populations.size() || pr.post >= n.populations.size()) {
      err(pr.loc,
          "projection '" + pr.name + "' refers to a missing population");
      continue;
    }
    const Population &pre = n.populations[pr.pre];
    const Population &post = n.populations[pr.post];
    if (post.kind == Population::Kind::Input)
      err(pr.loc, "projection '" + pr.name + "' targets input population '" +
                      post.name + "'");
    if (pr.pre > pr.post)
      err(pr.loc, "projection '" + pr.name + "' goes backwards from '" +
                      pre.name + "' to '" + post.name +
                      "' (populations must be in topological order)");
    ++incoming[pr.post];
    bool windowed =
        pr.kind == Projection::Kind::Conv || pr.kind == Projection::Kind::Pool;
    bool zeroWindow = windowed && (pr.kernel.h == 0 || pr.kernel.w == 0 ||
                                   pr.stride.h == 0 || pr.stride.w == 0);
    if (zeroWindow)
      err(pr.loc, "projection '" + pr.name + "' has a zero kernel or stride");
    if (pr.kind == Projection::Kind::Conv && pr.filters == 0)
      err(pr.loc, "projection '" + pr.name + "' has zero filters");
    if (pr.kind == Projection::Kind::Dense && pr.units == 0)
      err(pr.loc, "projection '" + pr.name + "' has zero units");
    if (pr.weights.derived()) {
      // The synapses are the other projection's, one for one: the same
      // pre-synaptic population and geometry; a complement also has the
      // same post-synaptic one, shared weights (another layer applying the
      // same kernels) and a filter mean (of a layer's own kernels, or of
      // the ones it shares) an equally shaped one.
      const bool shared = pr.weights.kind == WeightInit::Shared;
      const bool sameShape = shared || pr.weights.kind == WeightInit::Mean;
      const char *takes = shared ? "' shares the weights of "
                          : pr.weights.kind == WeightInit::Mean
                              ? "' takes the mean of the filters of "
                              : "' takes the complement of ";
      const Projection *of = nullptr;
      for (const Projection &q : n.projections)
        if (q.name == pr.weights.of)
          of = &q;
      auto samePost = [&] {
        if (!sameShape)
          return of->post == pr.post;
        return of->post < n.populations.size() &&
               pr.post < n.populations.size() &&
               n.populations[of->post].shape == n.populations[pr.post].shape;
      };
      if (!of)
        err(pr.loc, "projection '" + pr.name + takes +
                        "undefined projection '" + pr.weights.of + "'");
      else if (of->weights.derived())
        err(pr.loc, "projection '" + pr.name + takes + "'" + of->name +
                        "', whose weights come from another projection");
      else if (of->pre != pr.pre || !samePost() || of->kind != pr.kind ||
               of->filters != pr.filters || of->kernel != pr.kernel ||
               of->stride != pr.stride || of->padding != pr.padding ||
               of->mode != pr.mode || of->units != pr.units ||
               (pr.kind != Projection::Kind::Conv &&
                (pr.kind != Projection::Kind::Dense ||
                 pr.weights.kind == WeightInit::Mean)))
        err(pr.loc,
            "projection '" + pr.name + takes + "'" + of->name +
                "', which is not a " +
                (pr.weights.kind == WeightInit::Mean ? "conv"
                                                     : "conv or dense") +
                " projection " +
                (sameShape ? "from the same population to one of "
                             "the same shape"
                           : "between the same populations") +
                " with the same geometry");
      if (!pr.stdp.empty())
        err(pr.loc,
            "projection '" + pr.name + "' " +
                (shared ? "shares another's weights"
                 : pr.weights.kind == WeightInit::Mean ? "is a filter mean"
                                                       : "is a complement") +
                " and cannot learn (stdp)");
    }
    if (!pr.stdp.empty() && !n.findStdpRule(pr.stdp))
      err(pr.loc, "projection '" + pr.name + "' uses undefined STDP rule '" +
                      pr.stdp + "'");
    if (pr.delay < n.sim.timestep)
      err(pr.loc,
          "projection '" + pr.name + "' has a delay below the timestep");
    // A zero stride would divide by zero in computeOutputShape.
    if (!zeroWindow && pre.shape.isKnown() && post.shape.isKnown()) {
      Shape expect;
      std::string why;
      if (!computeOutputShape(pre.shape, pr, expect, why))
        err(pr.loc, "projection '" + pr.name + "': " + why);
      else if (expect.isKnown() && expect != post.shape)
        err(pr.loc, "projection '" + pr.name + "' gives shape " +
                        formatShape(expect) + " but population '" + post.name +
                        "' has shape " + formatShape(post.shape));
    }
  }
  for (size_t i = 0; i < n.populations.size(); ++i)
    if (n.populations[i].kind == Population::Kind::Neurons && !incoming[i])
      err(n.populations[i].loc,
          "population '" + n.populations[i].name + "' has no input");
  if (n.classifier && (n.classifier->sources.empty() ||
                       llvm::any_of(n.classifier->sources, [&](unsigned s) {
                         return s >= n.populations.size();
                       })))
    err(n.classifier->loc, "classifier refers to a missing population");
  if (n.connections && connections)
    verifyConnections(n, *n.connections, err);
  return diag.getNumErrors() == before;
}
