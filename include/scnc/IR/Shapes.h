//===- Shapes.h - Output shapes and analytic synapse counts -----*- C++ -*-===//
#ifndef SCNC_IR_SHAPES_H
#define SCNC_IR_SHAPES_H

#include "scnc/IR/Network.h"
#include <string>

namespace scnc {

/// The shape a projection gives its post population from a pre shape:
/// per dimension `floor((in + 2*pad - k)/stride) + 1`; depth = filters
/// (standard), filters x input depth (per-map), input depth (pool), units
/// (dense); one_to_one keeps the shape. Returns false with `error` set when
/// the result collapses to zero or below or exceeds 2^32 - 1 neurons; the
/// message names the shapes, kernel and stride. all_to_all and from_list do
/// not determine a shape (returns true with an unknown shape).
bool computeOutputShape(const Shape &in, const Projection &p, Shape &out,
                        std::string &error);

/// Input rows and columns that no window covers: past the last window when
/// (in + 2*pad - k) is not a multiple of the stride, and between windows when
/// the stride exceeds the kernel.
Pair uncoveredInput(const Shape &in, const Projection &p);

/// The exact number of synapses of a projection, computed from the
/// geometry without expanding it. Requires known shapes.
uint64_t countSynapses(const Network &n, const Projection &p);

/// Sum over output positions along one dimension of the kernel taps that
/// fall inside the input (padding taps make no synapse).
uint64_t validTaps(uint32_t in, uint32_t out, uint32_t k, uint32_t stride,
                   uint32_t pad);

} // namespace scnc

#endif
