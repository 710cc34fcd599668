//===- WindowSources.cpp - A window's sources from its geometry -----------===//
#include "WindowSources.h"
#include "PartitionInternal.h"
#include <map>

using namespace scnc;
using namespace scnc::partitioning;

WindowSources::WindowSources(const Network &n, const Projection &p) {
  const Shape &in = n.populations[p.pre].shape;
  const Shape &out = n.populations[p.post].shape;
  planeIn = uint64_t(in.h) * in.w;
  planeOut = uint64_t(out.h) * out.w;
  inW = in.w;
  outW = out.w;
  for (uint32_t o = 0; o < out.h; ++o) {
    auto r = inputsReadBy(o, p.kernel.h, p.stride.h, p.padding.h, in.h);
    rows.push_back(r.first <= r.second
                       ? Range{uint32_t(r.first), uint32_t(r.second + 1)}
                       : Range{});
  }
  for (uint32_t o = 0; o < out.w; ++o) {
    auto r = inputsReadBy(o, p.kernel.w, p.stride.w, p.padding.w, in.w);
    cols.push_back(r.first <= r.second
                       ? Range{uint32_t(r.first), uint32_t(r.second + 1)}
                       : Range{});
  }
  std::map<std::vector<uint32_t>, uint32_t> ids;
  std::vector<uint32_t> chans;
  for (uint32_t m = 0; m < out.c; ++m) {
    sourceChannels(p, in.c, m, chans);
    std::vector<uint32_t> valid;
    for (uint32_t c : chans)
      if (c < in.c)
        valid.push_back(c);
    auto it = ids.emplace(valid, uint32_t(sets.size())).first;
    if (it->second == sets.size())
      sets.push_back(valid);
    setOf.push_back(it->second);
  }
  posStamp.assign(sets.size() * planeOut, 0);
  srcStamp.assign(in.size(), 0);
}
