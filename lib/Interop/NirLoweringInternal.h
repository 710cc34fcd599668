//===- NirLoweringInternal.h - The NIR lowering's pieces --------*- C++ -*-===//
//
// Shared by the three files of the lowering (lib/Interop): NirGraph.cpp
// (subgraphs flattened, the order, every node's shape), NirLinearMaps.cpp
// (a path of linear nodes composed into one map) and NirLowering.cpp
// (populations, neuron sets and projections; the entry points).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LIB_INTEROP_NIRLOWERINGINTERNAL_H
#define SCNC_LIB_INTEROP_NIRLOWERINGINTERNAL_H

#include "scnc/Interop/Nir.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace scnc {
namespace nir {

using llvm::Error;
using llvm::Expected;
using llvm::StringMap;
using llvm::StringRef;
using llvm::Twine;

using Dims = std::vector<uint64_t>;

/// A node of the flattened graph.
struct FlatNode {
  const NirNode *node = nullptr;
  std::string name; ///< with the prefixes of its subgraphs
  std::string type; ///< NIR type; "Identity" for a subgraph's port
  Dims out;         ///< inferred output shape
  /// Conv2d and pooling, as inferShape read them (height, width): kernel,
  /// stride, padding, dilation; and Conv2d's groups.
  uint64_t k[2] = {1, 1}, s[2] = {1, 1}, p[2] = {0, 0}, d[2] = {1, 1};
  uint64_t groups = 1;
  std::vector<unsigned> preds;
  int population = -1;
};

/// A linear map along one path, composed node by node.
struct LinearMap {
  enum Kind { Identity, Window, Matrix } kind = Identity;
  // Identity: a multiplier per element (empty: 1).
  std::vector<double> scale;
  // Window: (cout, cin, kh, kw) weights over (cin, inH, inW) -> (cout,
  // outH, outW).
  uint64_t cin = 0, cout = 0, kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0;
  uint64_t inH = 0, inW = 0, outH = 0, outW = 0;
  // Matrix: (rows = outputs, cols = inputs).
  uint64_t rows = 0, cols = 0;
  std::vector<double> w;
  /// The constant each output gets (per output element), or empty.
  std::vector<double> bias;
  double delayMs = 0;
};

class Lowering {
public:
  Lowering(const NirGraph &g, StringRef file, const NirLoweringOptions &o)
      : g(g), file(file.str()), o(o) {}
  Expected<Network> run();

private:
  const NirGraph &g;
  std::string file;
  NirLoweringOptions o;
  std::vector<FlatNode> nodes;
  StringMap<unsigned> index;
  std::vector<std::pair<unsigned, unsigned>> edges;
  Network net;

  Error fail(const Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   file + ": " + msg.str());
  }
  Error failNode(const FlatNode &n, const Twine &msg) {
    return fail("node '" + n.name + "' (" + n.node->type + "): " + msg);
  }

  // NirGraph.cpp: the flattened, ordered, shape-checked graph.
  Error flatten(const NirNode &graph, const std::string &prefix, bool top,
                StringMap<std::string> &entry, StringMap<std::string> &exit);
  Error order(std::vector<unsigned> &topo);
  Error inferShape(FlatNode &n);
  Expected<const NirValue *> param(const FlatNode &n, StringRef key,
                                   bool numeric = true);
  Expected<double> uniform(const FlatNode &n, StringRef key, double dflt,
                           bool required);
  Expected<std::vector<uint64_t>> pair(const FlatNode &n, StringRef key,
                                       uint64_t dflt);
  // NirLinearMaps.cpp: one path of linear nodes as one map.
  Error compose(const FlatNode &n, const Dims &in, LinearMap &m);
  // NirLowering.cpp: populations, neuron sets, projections.
  Error addNeuronSet(FlatNode &n, Population &pop);
  Error addProjections(unsigned pre, const FlatNode &post,
                       const std::vector<unsigned> &path, LinearMap &m);
  std::string popName(const std::string &nirName);
};

uint64_t numel(const Dims &d);
/// A value from the file: NIR stores float32, so the shortest text that
/// reads back to the same float (0.0005, not 0.00050000002374872565).
std::string formatValue(double v);
/// "(2, 34, 34)", "(10,)".
std::string formatDims(const Dims &d);
/// A number or a string of the node's scnc_ metadata (scncc -emit=nir).
llvm::Optional<double> metaNumber(const NirNode &n, StringRef key);
std::string metaString(const NirNode &n, StringRef key);
/// The exact value scncc -emit=nir wrote beside NIR's float32 arrays when it
/// agrees with what the arrays say, else the arrays' value.
double refined(const NirNode &n, StringRef param, double fromArrays);
bool isNeuronType(StringRef t);
bool isLinearType(StringRef t);
/// Why a NIR type scnc knows of is not supported; "" for unknown types.
StringRef unsupportedReason(StringRef t);

} // namespace nir
} // namespace scnc

#endif
