//===- AST.cpp - Printing the syntax tree ---------------------------------===//
#include "scnc/Syntax/AST.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"

using namespace scnc;
using namespace llvm;

/// Prints a real so that it reads back to the same double: the shortest of
/// %.15g / %.17g that round-trips.
static void printReal(raw_ostream &os, double v) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%.15g", v);
  if (strtod(buf, nullptr) != v)
    snprintf(buf, sizeof(buf), "%.17g", v);
  os << buf;
}

void Value::print(raw_ostream &os) const {
  switch (kind) {
  case Number:
    if (isInteger) {
      if (negative)
        os << '-';
      os << intMagnitude;
    } else {
      printReal(os, real);
    }
    if (!unit.name.empty())
      os << ' ' << unit.name;
    return;
  case String:
    os << '"' << text << '"';
    return;
  case Name:
    os << text;
    return;
  case Call:
    os << text << '(';
    for (size_t i = 0; i < elements.size(); ++i) {
      if (i)
        os << ", ";
      if (!argNames[i].name.empty())
        os << argNames[i].name << " = ";
      elements[i].print(os);
    }
    os << ')';
    return;
  case Cross:
    for (size_t i = 0; i < elements.size(); ++i) {
      if (i)
        os << " x ";
      elements[i].print(os);
    }
    return;
  case List:
    os << '[';
    for (size_t i = 0; i < elements.size(); ++i) {
      if (i)
        os << ", ";
      elements[i].print(os);
    }
    os << ']';
    return;
  }
}

namespace {
struct ASTDumper {
  raw_ostream &os;
  const SourceMgr *sm;

  void loc(SMLoc l) {
    if (!sm || !l.isValid())
      return;
    auto lc = sm->getLineAndColumn(l);
    os << " @" << lc.first << ":" << lc.second;
  }
  void indent(unsigned n) { os.indent(2 * n); }

  void block(const Block &b, unsigned depth) {
    indent(depth);
    os << "Block " << b.kind.name;
    if (!b.name.name.empty())
      os << " '" << b.name.name << "'";
    if (b.hasInputList) {
      os << " (";
      for (size_t i = 0; i < b.inputs.size(); ++i)
        os << (i ? ", " : "") << b.inputs[i].name;
      os << ")";
    }
    if (!b.type.name.empty())
      os << " : " << b.type.name;
    loc(b.loc);
    os << "\n";
    for (const Attribute &a : b.attrs) {
      indent(depth + 1);
      os << "Attr " << a.name.name << " = ";
      a.value.print(os);
      loc(a.name.loc);
      os << "\n";
    }
    for (const Block &c : b.children)
      block(c, depth + 1);
  }
};
} // namespace

void scnc::dumpAST(const Module &m, raw_ostream &os, const SourceMgr *sm) {
  ASTDumper d{os, sm};
  os << "Module\n";
  size_t ci = 0, bi = 0;
  for (bool isConst : m.order) {
    if (isConst) {
      const ConstDecl &c = m.constants[ci++];
      os << "  Const " << c.name.name << " = ";
      c.value.print(os);
      d.loc(c.name.loc);
      os << "\n";
    } else {
      d.block(m.blocks[bi++], 1);
    }
  }
}
