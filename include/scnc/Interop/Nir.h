//===- Nir.h - NIR graphs in and out ----------------------------*- C++ -*-===//
//
// NIR (the Neuromorphic Intermediate Representation, neuroir.org) is how
// SNN frameworks (snnTorch, Norse, Sinabs, Lava, Rockpool, Spyx) exchange
// trained networks: an HDF5 file holding a graph of nodes (Conv2d, IF, ...)
// and edges. readNirFile reads one, in the 0.2 layout or the current 1.x
// one, into a NirGraph (the file's tree, nothing interpreted);
// lowerNirGraph turns that into scnc's IR (populations, projections,
// neuron sets). docs/interop.md lists what maps to what.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_INTEROP_NIR_H
#define SCNC_INTEROP_NIR_H

#include "scnc/IR/Network.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace scnc {

/// A dataset of a node: numbers (any integer or float type, as double) or
/// strings, with its shape (empty: a scalar).
struct NirValue {
  std::vector<uint64_t> shape;
  std::vector<double> numbers;
  std::vector<std::string> strings;
  bool isString = false;
  uint64_t size() const { return isString ? strings.size() : numbers.size(); }
};

/// One node: its type and datasets; a NIRGraph also has nodes and edges.
struct NirNode {
  std::string name; ///< the key in its graph's `nodes` group
  std::string path; ///< the HDF5 path, for messages
  std::string type;
  /// Datasets by name; those of groups inside the node (1.x `input_type`,
  /// `output_type`, `metadata`) as "group/name".
  std::map<std::string, NirValue> params;
  /// NIRGraph only: child nodes in natural order of their names ("2" before
  /// "10"), and the edges as the file lists them.
  std::vector<NirNode> nodes;
  std::vector<std::pair<std::string, std::string>> edges;

  const NirValue *get(llvm::StringRef key) const;
};

/// A NIR file: its format version ("0.2.0", "1.0.1", ...) and top node.
struct NirGraph {
  std::string version;
  NirNode root;
};

/// Reads \p path (an HDF5 NIR file). Errors name the file and the HDF5 path
/// of what is wrong.
llvm::Expected<NirGraph> readNirFile(llvm::StringRef path);

/// Options of the lowering.
struct NirLoweringOptions {
  /// The simulation timestep (ms). NIR models are continuous in time; they
  /// are discretised at this step (docs/interop.md).
  double timestep = 1.0;
  /// Reset IF, LIF and CubaLIF neurons by subtracting the threshold (as
  /// Sinabs does) instead of NIR's reset to v_reset.
  bool resetSubtract = false;
};

/// Lowers \p g, read from \p fileName, into a network: one population per
/// Input node and per neuron node (IF, LIF, CubaLIF), one projection per
/// sign of weight for each path of linear nodes (Conv2d, SumPool2d,
/// AvgPool2d, Linear, Affine, Scale, Flatten, Delay) between them. Anything
/// scnc cannot run exactly is an error naming the node, its type and why.
llvm::Expected<Network> lowerNirGraph(const NirGraph &g,
                                      llvm::StringRef fileName,
                                      const NirLoweringOptions &o = {});

/// readNirFile then lowerNirGraph.
llvm::Expected<Network> importNir(llvm::StringRef path,
                                  const NirLoweringOptions &o = {});

/// `scncc -emit=nir`: writes \p n (its connections expanded) to \p path
/// ("-": stdout) as a NIR graph, atomically. What NIR cannot express goes
/// into scnc_ metadata that lowerNirGraph reads back (docs/interop.md).
llvm::Error writeNir(const Network &n, llvm::StringRef path);

} // namespace scnc

#endif
