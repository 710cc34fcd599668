//===- AST.h - Syntax tree of .scn and textual IR files ---------*- C++ -*-===//
//
// Both the network language and the textual IR share one block syntax:
//
//   kind [name] ['(' inputs ')'] [':' type] '{' (attribute | block)* '}'
//   attribute := name '=' value ';'
//
// The tree keeps every location so that later stages can point at the
// exact token a problem comes from.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SYNTAX_AST_H
#define SCNC_SYNTAX_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class SourceMgr;
}

namespace scnc {

struct Ident {
  std::string name;
  llvm::SMLoc loc;
};

/// A value: number with optional unit, string, name, call `f(a = 1, 2)`,
/// cross product `28 x 28 x 1`, or list `[1, 2]`.
struct Value {
  enum Kind { Number, String, Name, Call, Cross, List };
  Kind kind = Number;
  llvm::SMLoc loc;
  // Number
  bool isInteger = false;
  bool negative = false;
  uint64_t intMagnitude = 0; ///< |value| for integers
  double real = 0;           ///< the value (negated when negative)
  Ident unit;                ///< empty name when there is none
  // String / Name / Call
  std::string text;
  std::vector<Value> elements; ///< Cross, List, Call (the arguments)
  std::vector<Ident> argNames; ///< Call: per argument, empty if positional

  /// Prints the value in source syntax.
  void print(llvm::raw_ostream &os) const;
};

struct Attribute {
  Ident name;
  Value value;
};

struct Block {
  Ident kind;
  Ident name; ///< empty when the block has no name
  std::vector<Ident> inputs;
  bool hasInputList = false;
  Ident type; ///< the name after ':' (empty when absent)
  std::vector<Attribute> attrs;
  std::vector<Block> children;
  llvm::SMLoc loc;    ///< location of the kind keyword
  llvm::SMLoc endLoc; ///< location of the closing brace
};

/// `const name = value;` at file level.
struct ConstDecl {
  Ident name;
  Value value;
};

struct Module {
  std::vector<ConstDecl> constants;
  std::vector<Block> blocks;
  /// Order of file-level items: true = constant, false = block.
  std::vector<bool> order;
};

/// Prints the syntax tree (`scncc -emit=ast`).
void dumpAST(const Module &m, llvm::raw_ostream &os,
             const llvm::SourceMgr *srcMgr = nullptr);

} // namespace scnc

#endif
