//===- LearnedSynapses.cpp - Plastic weights read back after a run --------===//
#include "scnc/Runtime/LearnedSynapses.h"
#include "kernel/Layout.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/Image/Image.h"
#include "scnc/Support/FixedPoint.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <map>
#include <utility>

using namespace scnc;
using namespace llvm;

void scnc::sortLearnedSynapses(LearnedSynapseSet &set) {
  std::map<std::pair<unsigned, unsigned>, std::vector<LearnedSynapse>> pairs;
  for (LearnedProjection &p : set) {
    std::vector<LearnedSynapse> &to = pairs[{p.pre, p.post}];
    to.insert(to.end(), p.synapses.begin(), p.synapses.end());
  }
  set.clear();
  for (auto &[key, synapses] : pairs) {
    std::sort(synapses.begin(), synapses.end(),
              [](const LearnedSynapse &a, const LearnedSynapse &b) {
                if (a.pre != b.pre)
                  return a.pre < b.pre;
                if (a.post != b.post)
                  return a.post < b.post;
                return a.weight < b.weight;
              });
    set.push_back({key.first, key.second, std::move(synapses)});
  }
}

LearnedSynapseSet scnc::learnedFromReference(const Network &n,
                                             const LearnedWeights &w) {
  LearnedSynapseSet set;
  for (size_t j = 0; j < w.size() && j < n.projections.size(); ++j) {
    if (w[j].empty() || !n.connections)
      continue;
    const Projection &p = n.projections[j];
    const ConnectionList &l = n.connections->lists[j];
    LearnedProjection lp;
    lp.pre = p.pre;
    lp.post = p.post;
    lp.synapses.reserve(w[j].size());
    for (uint64_t i = 0; i < l.size() && i < w[j].size(); ++i)
      lp.synapses.push_back({l.pre[i], l.post[i], double(w[j][i])});
    set.push_back(std::move(lp));
  }
  sortLearnedSynapses(set);
  return set;
}

Error scnc::writeLearnedSynapses(const LearnedSynapseSet &set,
                                 ArrayRef<std::string> names, StringRef dir) {
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(ec, "cannot create directory '%s': %s",
                             dir.str().c_str(), ec.message().c_str());
  for (const LearnedProjection &p : set) {
    SmallString<256> path(dir);
    std::string pre =
        p.pre < names.size() ? names[p.pre] : std::to_string(p.pre);
    std::string post =
        p.post < names.size() ? names[p.post] : std::to_string(p.post);
    sys::path::append(path, pre + "." + post + ".weights.npy");
    if (Error e = writeOutputAtomically(path, [&](raw_ostream &os) {
          writeNpyHeader(os, "<f8", {uint64_t(p.synapses.size()), 3});
          for (const LearnedSynapse &s : p.synapses) {
            support::endian::write<double>(os, double(s.pre), support::little);
            support::endian::write<double>(os, double(s.post), support::little);
            support::endian::write<double>(os, s.weight, support::little);
          }
          return Error::success();
        }))
      return e;
  }
  return Error::success();
}

LearnedSynapseSet scnc::learnedFromMatrices(
    const ImageReader &img,
    function_ref<const uint32_t *(const ImageCore &)> matrixOf) {
  // Senders by key: (key, mask, core), sorted by key; key spaces disjoint.
  struct Sender {
    uint32_t key, mask;
    const ImageCore *core;
  };
  std::vector<Sender> senders;
  for (const ImageCore &c : img.cores())
    if (c.hasKey)
      senders.push_back({c.key, c.mask, &c});
  std::sort(senders.begin(), senders.end(),
            [](const Sender &a, const Sender &b) { return a.key < b.key; });
  auto senderOf = [&](uint32_t key) -> const Sender * {
    auto it =
        std::upper_bound(senders.begin(), senders.end(), key,
                         [](uint32_t k, const Sender &s) { return k < s.key; });
    if (it == senders.begin())
      return nullptr;
    --it;
    return (key & it->mask) == it->key ? &*it : nullptr;
  };
  std::map<std::pair<unsigned, unsigned>, size_t> pairAt;
  LearnedSynapseSet learned;
  for (const ImageCore &ic : img.cores()) {
    const uint32_t *matrix = ic.isInput() ? nullptr : matrixOf(ic);
    if (!matrix)
      continue;
    for (const kernel::PopEntry &e : ic.popTable)
      for (uint32_t local = 0; local < e.numRows; ++local) {
        const uint32_t *row = matrix + e.rowOffset + local * e.rowStride;
        uint32_t nPlastic = row[kernel::kRowPlasticCountWord];
        if (!nPlastic)
          continue;
        const Sender *s = senderOf(e.key | local);
        if (!s)
          continue;
        const ImageCore &from = *s->core;
        uint32_t pre = from.neuronIds[(e.key | local) & ~s->mask];
        const uint32_t *weights = row + kernel::kRowPlasticWeightsWord;
        const uint32_t *controls = weights + kernel::halfWordWords(nPlastic);
        for (uint32_t syn = 0; syn < nPlastic; ++syn) {
          uint32_t control = kernel::halfWord(controls, syn);
          uint16_t w = uint16_t(kernel::halfWord(weights, syn));
          unsigned type = kernel::controlType(control, ic.indexBits);
          auto [at, added] =
              pairAt.insert({{from.population, ic.population}, learned.size()});
          if (added)
            learned.push_back({from.population, ic.population, {}});
          learned[at->second].synapses.push_back(
              {pre, ic.neuronIds[kernel::controlTarget(control, ic.indexBits)],
               double(w) / weightScale(ic.leftShift[type])});
        }
      }
  }
  sortLearnedSynapses(learned);
  return learned;
}
