//===- AttributeReader.h - Reading blocks into IR objects -------*- C++ -*-===//
//
// AttrReader checks a block's attributes against what its kind allows
// (unknown names get a "did you mean"), resolves named constants, and
// converts values to the IR's types with units and ranges checked. It is
// shared by the .scn front end and the textual-IR reader, so both speak the
// same attribute language with the same messages. The textual-IR reader
// itself is scnc/IR/IRReader.h.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IR_ATTRIBUTEREADER_H
#define SCNC_IR_ATTRIBUTEREADER_H

#include "scnc/IR/Network.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/Units.h"
#include "scnc/Syntax/AST.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"

namespace scnc {

/// File-level `const` declarations, already resolved to plain values.
class ConstantTable {
public:
  /// Adds the module's constants in order; reports duplicates.
  void addAll(const Module &m, DiagnosticEngine &diag);
  const Value *lookup(llvm::StringRef name) const;
  /// The value itself, or the constant it names.
  const Value &resolve(const Value &v) const;

private:
  llvm::StringMap<const Value *> map;
  std::vector<std::string> order;
};

/// The largest neurons-per-core limit a network may ask for.
constexpr uint32_t kMaxNeuronsPerCore = 65536;

class AttrReader {
public:
  AttrReader(const Block &block, DiagnosticEngine &diag,
             const ConstantTable *consts,
             llvm::ArrayRef<llvm::StringRef> allowed, std::string what);

  const Attribute *find(llvm::StringRef name) const;
  bool has(llvm::StringRef name) const { return find(name) != nullptr; }
  llvm::SMLoc locOf(llvm::StringRef name) const;
  /// Reports "missing attribute"; returns false when absent.
  bool require(llvm::StringRef name);

  // Getters leave `out` alone when the attribute is absent. They report
  // problems themselves; `ok()` tells whether any was found.
  void getQuantity(llvm::StringRef name, Dimension dim, double &out,
                   double min = -1e300, bool minInclusive = true);
  void getUInt(llvm::StringRef name, uint64_t &out, uint64_t min, uint64_t max);
  void getUInt32(llvm::StringRef name, uint32_t &out, uint32_t min);
  /// `neurons_per_core`: 1 to kMaxNeuronsPerCore, wherever it is given.
  void getNeuronsPerCore(uint32_t &out);
  /// `N` (both dimensions) or `H x W`.
  void getPair(llvm::StringRef name, Pair &out, uint32_t min);
  /// `H x W x C` (or `unknown` when `allowUnknown`).
  void getShape(llvm::StringRef name, Shape &out, bool allowUnknown);
  void getEnum(llvm::StringRef name, llvm::ArrayRef<llvm::StringRef> options,
               unsigned &out);
  void getBool(llvm::StringRef name, bool &out);
  /// A reference to a named entity (checked by the caller).
  void getName(llvm::StringRef name, std::string &out);
  void getString(llvm::StringRef name, std::string &out);
  void getWeightInit(llvm::StringRef name, WeightInit &out);
  /// A quantity, or `dense(shape = N, data = "...")`: one value per neuron
  /// in the canonical unit (float32 or float64 bits), into \p array.
  void getQuantityOrArray(llvm::StringRef name, Dimension dim, double &out,
                          std::shared_ptr<const NumArray> &array,
                          double min = -1e300, bool minInclusive = true);
  /// The arguments of dense(...): \p shape (N or A x B ...) and \p data
  /// (8 hex digits per value: float32 bits; with \p allowDouble also 16:
  /// float64 bits). \p what names the array in messages.
  bool toDense(const Value &shape, const Value &data, bool allowDouble,
               llvm::StringRef what, NumArray &out);
  void getEncoding(llvm::StringRef name, Encoding &out);

  bool ok() const { return good; }
  const std::string &what() const { return whatText; }

  /// Converts one value to a quantity in `dim`; shared by the getters and
  /// by call arguments. Reports against `name` and returns false on error.
  bool toQuantity(const Value &v, llvm::StringRef name, Dimension dim,
                  double &out);
  bool toUInt(const Value &v, llvm::StringRef name, uint64_t &out, uint64_t min,
              uint64_t max);

private:
  const Value *get(llvm::StringRef name);
  bool fail(llvm::SMLoc loc, const llvm::Twine &msg);

  const Block &block;
  DiagnosticEngine &diag;
  const ConstantTable *consts;
  std::string whatText;
  /// Names suggested for misspelt attributes; `require` does not report
  /// them missing a second time.
  llvm::SmallVector<llvm::StringRef, 2> suggested;
  bool good = true;
};

/// `neuron NAME [: IF_curr_exp | BASE] { ... }`; BASE names an earlier set.
bool readNeuronSet(const Block &b, DiagnosticEngine &diag,
                   const ConstantTable *consts,
                   llvm::ArrayRef<NeuronParams> earlier, NeuronParams &out);
/// `stdp NAME { ... }`
bool readStdpRule(const Block &b, DiagnosticEngine &diag,
                  const ConstantTable *consts, StdpRule &out);
/// `simulation { ... }`
bool readSimulation(const Block &b, DiagnosticEngine &diag,
                    const ConstantTable *consts, Simulation &out);

/// Reads the projection attributes the block has (filters, kernel, stride,
/// padding, mode, op, units, allow_self, path, delay, receptor), leaving the
/// others as they are: callers preset their defaults.
void readProjectionAttrs(AttrReader &r, Projection &p);

/// The names an encoding takes, with dimensions and defaults.
struct EncodingParam {
  llvm::StringRef name;
  Dimension dim;
  double dflt;
  double min;
};
llvm::ArrayRef<llvm::StringRef> encodingKinds();
llvm::ArrayRef<EncodingParam> encodingParams(llvm::StringRef kind);

/// Checks a name is unique among `seen`; reports the duplicate and a note at
/// the first definition.
bool checkUnique(llvm::StringMap<llvm::SMLoc> &seen, const Ident &id,
                 llvm::StringRef what, DiagnosticEngine &diag);

} // namespace scnc

#endif
