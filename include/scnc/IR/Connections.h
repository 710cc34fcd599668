//===- Connections.h - Expanded connection lists ----------------*- C++ -*-===//
//
// The output of expand-connections: per projection, every synapse as
// structure-of-arrays with 32-bit neuron indices (channel-major layout,
// docs/ir.md). Synapses are sorted by (post, pre). Weights live in a table:
// a convolution's kernel elements are stored once and each synapse names the
// element it came from (weight sharing made explicit, as STDP read-back
// needs); dense and explicit lists have one table entry per synapse and no
// index array. 12 bytes per synapse (16 with per-synapse delays).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IR_CONNECTIONS_H
#define SCNC_IR_CONNECTIONS_H

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace scnc {

struct Network;
struct Projection;

/// Raw memory for large arrays: mmap'd with transparent huge pages where
/// the kernel offers them (a 2.4 GB list then costs thousands of page faults
/// instead of 600,000), malloc'd when small. Not zero-filled by us.
void *allocateLarge(uint64_t bytes);
void freeLarge(void *p, uint64_t bytes);

/// A fixed-size array that is allocated once and not initialised (the
/// expansion writes every element), so that 10^8 elements cost one pass of
/// writes. Allocation failure is reported, not thrown.
template <typename T> class RawArray {
  static_assert(std::is_trivial<T>::value, "raw storage for trivial types");

public:
  RawArray() = default;
  RawArray(const RawArray &) = delete;
  RawArray &operator=(const RawArray &) = delete;
  RawArray(RawArray &&o) noexcept : data(o.data), count(o.count) {
    o.data = nullptr;
    o.count = 0;
  }
  RawArray &operator=(RawArray &&o) noexcept {
    if (this != &o) {
      clear();
      std::swap(data, o.data);
      std::swap(count, o.count);
    }
    return *this;
  }
  ~RawArray() { clear(); }

  /// False when the memory could not be had.
  bool allocate(uint64_t n) {
    clear();
    if (!n)
      return true;
    if (n > UINT64_MAX / sizeof(T))
      return false;
    data = static_cast<T *>(allocateLarge(n * sizeof(T)));
    count = data ? n : 0;
    return data != nullptr;
  }
  void clear() {
    if (data)
      freeLarge(data, count * sizeof(T));
    data = nullptr;
    count = 0;
  }
  uint64_t size() const { return count; }
  bool empty() const { return count == 0; }
  T *begin() { return data; }
  T *end() { return data + count; }
  const T *begin() const { return data; }
  const T *end() const { return data + count; }
  T &operator[](uint64_t i) { return data[i]; }
  const T &operator[](uint64_t i) const { return data[i]; }

private:
  T *data = nullptr;
  uint64_t count = 0;
};

struct ConnectionList {
  RawArray<uint32_t> pre, post;
  /// Table index of each synapse's weight; empty when `weights` has one
  /// entry per synapse.
  RawArray<uint32_t> weightIndex;
  /// Weights in nA: kernel elements (conv, pool) or one per synapse.
  std::vector<float> weights;
  /// Per-synapse delays in ms (explicit lists only); empty: the projection's.
  RawArray<float> delays;

  uint64_t size() const { return pre.size(); }
  /// The kernel element (weight-table entry) synapse `i` came from.
  uint32_t element(uint64_t i) const {
    return weightIndex.empty() ? uint32_t(i) : weightIndex[i];
  }
  float weight(uint64_t i) const { return weights[element(i)]; }
  /// Bytes held (what --max-memory counts).
  uint64_t bytes() const {
    return (pre.size() + post.size() + weightIndex.size()) * 4 +
           delays.size() * 4 + weights.size() * 4;
  }
};

/// One list per projection, in projection order.
struct ConnectionSet {
  std::vector<ConnectionList> lists;
  uint64_t synapses() const {
    uint64_t n = 0;
    for (const ConnectionList &l : lists)
      n += l.size();
    return n;
  }
};

/// Min / mean / max of a per-neuron count.
struct FanStats {
  uint64_t min = 0, max = 0;
  double mean = 0;
};

/// Synapse count and fan-in/fan-out of a projection, computed from its
/// geometry without expanding it. `known` is false for from_list, whose
/// numbers exist only in its file.
struct ProjectionStats {
  bool known = true;
  uint64_t synapses = 0;
  FanStats fanIn, fanOut;
};
ProjectionStats analyzeProjection(const Network &n, const Projection &p);
/// The same numbers measured on an expanded list.
ProjectionStats measureProjection(const Network &n, const Projection &p,
                                  const ConnectionList &l);

/// Per post neuron, the first synapse of the (post, pre)-sorted list \p l
/// that targets it: nPost + 1 entries; the synapses of post q are
/// [start[q], start[q + 1]). \p threads host threads, same result for any.
std::vector<uint64_t> postStarts(const ConnectionList &l, uint64_t nPost,
                                 unsigned threads = 1);

/// `-emit=connections`: per projection a header and the synapses in order
/// (`pre post weight element`), at most `maxPrint` per projection (0: all).
void printConnections(const Network &n, const ConnectionSet &c,
                      llvm::raw_ostream &os, uint64_t maxPrint);

/// `--emit-connections-npy DIR`: one `<projection>.npy` per projection, a
/// float64 array of rows (pre, post, weight, delay) in list order, as PyNN's
/// FromListConnector takes them. Each file is written atomically; DIR is
/// created when missing.
llvm::Error writeConnectionsNpy(const Network &n, llvm::StringRef dir);

} // namespace scnc

#endif
