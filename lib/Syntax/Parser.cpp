//===- Parser.cpp ---------------------------------------------------------===//
//
// One parseX() per grammar rule; the production is in the comment above it.
// On an error the parser skips to the end of the current statement and goes
// on, so that every error of a file is reported in one run.
//
//===----------------------------------------------------------------------===//
#include "scnc/Syntax/Parser.h"
#include "scnc/Syntax/Lexer.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace scnc;
using namespace llvm;

namespace {

class Parser {
public:
  Parser(StringRef buffer, DiagnosticEngine &diag)
      : lex(buffer, diag), diag(diag), bufferStart(buffer.begin()) {}

  Optional<Module> parseModule();

private:
  bool parseBlock(Block &block);
  bool parseBlockBody(Block &block);
  bool parseAttribute(Attribute &attr);
  bool parseValue(Value &v);
  bool parseCrosses(Value &v, Value first);
  bool parseTerm(Value &v);
  bool parseNameOrCall(Value &v, Ident name);
  bool parseIdent(Ident &id, const Twine &what);
  bool expect(Token t, StringRef spelling);
  void skipStatement();
  bool errorHere(const Twine &msg);
  static StringRef describe(Token t);

  Lexer lex;
  DiagnosticEngine &diag;
  const char *bufferStart;
  unsigned depth = 0;
  /// Lists and calls inside one value, each a level of recursion: bounded
  /// like blocks, so that no input can exhaust the stack.
  unsigned valueDepth = 0;
  bool enterValue(SMLoc open);
};

} // namespace

StringRef Parser::describe(Token t) {
  switch (t) {
  case Token::eof:
    return "end of file";
  case Token::error:
    return "invalid token";
  case Token::identifier:
    return "identifier";
  case Token::integer:
    return "integer";
  case Token::real:
    return "number";
  case Token::string:
    return "string";
  default:
    return "";
  }
}

bool Parser::errorHere(const Twine &msg) {
  // The lexer reported this token already; one error per mistake.
  if (!lex.isDiagnosed())
    diag.error(lex.getLoc(), msg);
  return false;
}

bool Parser::expect(Token t, StringRef spelling) {
  if (lex.is(t)) {
    lex.consume();
    return true;
  }
  // A missing ';' is best reported right after the previous token.
  StringRef found = describe(lex.getKind());
  std::string foundText =
      found.empty() ? ("'" + lex.getSpelling() + "'").str() : found.str();
  if (t == Token::semi) {
    if (!lex.isDiagnosed())
      diag.error(lex.getPrevEndLoc(),
                 "expected ';' after value, found " + foundText);
    return false;
  }
  return errorHere("expected '" + spelling + "', found " + foundText);
}

bool Parser::parseIdent(Ident &id, const Twine &what) {
  if (!lex.is(Token::identifier)) {
    StringRef found = describe(lex.getKind());
    return errorHere(
        "expected " + what + ", found " +
        (found.empty() ? ("'" + lex.getSpelling() + "'").str() : found.str()));
  }
  id.name = lex.getSpelling().str();
  id.loc = lex.getLoc();
  lex.consume();
  return true;
}

/// Skips to just after the next ';' or to a '}' that closes the current
/// block (not consumed), whichever comes first at this nesting depth.
void Parser::skipStatement() {
  unsigned nest = 0;
  while (!lex.is(Token::eof)) {
    if (lex.is(Token::l_brace) || lex.is(Token::l_paren) ||
        lex.is(Token::l_square)) {
      ++nest;
    } else if (lex.is(Token::r_brace) || lex.is(Token::r_paren) ||
               lex.is(Token::r_square)) {
      if (nest == 0) {
        if (lex.is(Token::r_brace))
          return;
      } else {
        --nest;
        if (nest == 0 && lex.is(Token::r_brace)) {
          lex.consume();
          return;
        }
      }
    } else if (lex.is(Token::semi) && nest == 0) {
      lex.consume();
      return;
    }
    lex.consume();
  }
}

/// module := (constDecl | block)*
/// constDecl := 'const' IDENT '=' value ';'
Optional<Module> Parser::parseModule() {
  Module m;
  if (lex.is(Token::eof)) {
    if (bufferStart == lex.getSpelling().begin())
      errorHere("empty file: expected a 'network' block");
    else
      errorHere("no declarations in the file: expected a 'network' block");
    return None;
  }
  while (!lex.is(Token::eof) && !diag.tooManyErrors()) {
    if (lex.is(Token::identifier) && lex.getSpelling() == "const") {
      lex.consume();
      ConstDecl c;
      if (parseIdent(c.name, "constant name") && expect(Token::equal, "=") &&
          parseValue(c.value) && expect(Token::semi, ";")) {
        m.constants.push_back(std::move(c));
        m.order.push_back(true);
      } else {
        skipStatement();
      }
      continue;
    }
    if (lex.is(Token::r_brace)) {
      errorHere("unexpected '}' at file level");
      lex.consume();
      continue;
    }
    Block b;
    if (parseBlock(b)) {
      m.blocks.push_back(std::move(b));
      m.order.push_back(false);
    } else {
      skipStatement();
      if (lex.is(Token::r_brace))
        lex.consume();
    }
  }
  if (diag.hadError())
    return None;
  return m;
}

/// block := IDENT [IDENT] ['(' [IDENT (',' IDENT)*] ')'] [':' IDENT]
///          '{' (attribute | block)* '}'
bool Parser::parseBlock(Block &b) {
  b.loc = lex.getLoc();
  if (!parseIdent(b.kind, "a declaration (e.g. 'network', 'neuron', 'conv')"))
    return false;
  if (lex.is(Token::identifier))
    parseIdent(b.name, "name");
  if (lex.is(Token::l_paren)) {
    lex.consume();
    b.hasInputList = true;
    if (!lex.is(Token::r_paren)) {
      do {
        Ident in;
        if (!parseIdent(in, "input layer name"))
          return false;
        b.inputs.push_back(std::move(in));
      } while (lex.is(Token::comma) && (lex.consume(), true));
    }
    if (!expect(Token::r_paren, ")"))
      return false;
  }
  if (lex.is(Token::colon)) {
    lex.consume();
    if (!parseIdent(b.type, "type name after ':'"))
      return false;
  }
  if (!lex.is(Token::l_brace))
    return errorHere("expected '{' to open the body of '" + b.kind.name + "'");
  return parseBlockBody(b);
}

bool Parser::enterValue(SMLoc open) {
  if (valueDepth >= 64) {
    diag.error(open, "lists and calls nested too deeply (more than 64 levels)");
    return false;
  }
  ++valueDepth;
  return true;
}

bool Parser::parseBlockBody(Block &b) {
  SMLoc open = lex.getLoc();
  lex.consume(); // '{'
  if (++depth > 64) {
    --depth;
    diag.error(open, "blocks nested too deeply");
    return false;
  }
  while (!lex.is(Token::r_brace)) {
    if (lex.is(Token::eof)) {
      if (!lex.isDiagnosed()) {
        errorHere("expected '}' to close the body of '" + b.kind.name + "'");
        diag.note(open, "the body opens here");
      }
      --depth;
      return false;
    }
    if (diag.tooManyErrors()) {
      --depth;
      return false;
    }
    if (!lex.is(Token::identifier)) {
      errorHere("expected an attribute or a declaration, found '" +
                lex.getSpelling() + "'");
      skipStatement();
      continue;
    }
    // Two tokens of lookahead are not needed: an attribute is IDENT '='.
    Ident first;
    parseIdent(first, "name");
    if (lex.is(Token::equal)) {
      lex.consume();
      Attribute a;
      a.name = std::move(first);
      if (parseValue(a.value) && expect(Token::semi, ";"))
        b.attrs.push_back(std::move(a));
      else
        skipStatement();
      continue;
    }
    // A nested block: we already consumed its kind.
    Block child;
    child.kind = std::move(first);
    child.loc = child.kind.loc;
    bool ok = true;
    if (lex.is(Token::identifier))
      parseIdent(child.name, "name");
    if (lex.is(Token::l_paren)) {
      lex.consume();
      child.hasInputList = true;
      if (!lex.is(Token::r_paren)) {
        do {
          Ident in;
          if (!(ok = parseIdent(in, "input layer name")))
            break;
          child.inputs.push_back(std::move(in));
        } while (lex.is(Token::comma) && (lex.consume(), true));
      }
      ok = ok && expect(Token::r_paren, ")");
    }
    if (ok && lex.is(Token::colon)) {
      lex.consume();
      ok = parseIdent(child.type, "type name after ':'");
    }
    if (ok && !lex.is(Token::l_brace)) {
      if (child.name.name.empty() && !child.hasInputList)
        ok =
            errorHere("expected '=' after attribute '" + child.kind.name + "'");
      else
        ok = errorHere("expected '{' to open the body of '" + child.kind.name +
                       "'");
    }
    if (ok && parseBlockBody(child)) {
      b.children.push_back(std::move(child));
    } else {
      skipStatement();
    }
  }
  b.endLoc = lex.getLoc();
  lex.consume(); // '}'
  --depth;
  return true;
}

/// value := term (CROSS term)*
bool Parser::parseValue(Value &v) {
  Value first;
  if (!parseTerm(first))
    return false;
  return parseCrosses(v, std::move(first));
}

/// The `(CROSS term)*` after a value's first term.
bool Parser::parseCrosses(Value &v, Value first) {
  auto isCross = [&] {
    return lex.is(Token::cross) ||
           (lex.is(Token::identifier) &&
            (lex.getSpelling() == "x" || lex.getSpelling() == "X"));
  };
  if (!isCross()) {
    v = std::move(first);
    return true;
  }
  v = Value();
  v.kind = Value::Cross;
  v.loc = first.loc;
  v.elements.push_back(std::move(first));
  while (isCross()) {
    lex.consume();
    Value next;
    if (!parseTerm(next))
      return false;
    v.elements.push_back(std::move(next));
  }
  return true;
}

/// term := ['-'] NUMBER [UNIT] | STRING | IDENT ['(' [arg (',' arg)*] ')']
///       | '[' [value (',' value)*] ']'
/// arg  := [IDENT '='] value
bool Parser::parseTerm(Value &v) {
  v.loc = lex.getLoc();
  bool negative = false;
  if (lex.is(Token::minus)) {
    negative = true;
    lex.consume();
    if (!lex.is(Token::integer) && !lex.is(Token::real))
      return errorHere("expected a number after '-'");
  }
  switch (lex.getKind()) {
  case Token::integer:
  case Token::real: {
    v.kind = Value::Number;
    v.negative = negative;
    if (lex.is(Token::integer)) {
      v.isInteger = true;
      if (!lex.getIntegerValue(v.intMagnitude))
        return errorHere("integer literal '" + lex.getSpelling() +
                         "' is too large (more than 64 bits)");
      v.real = static_cast<double>(v.intMagnitude);
    } else {
      v.real = lex.getRealValue();
    }
    if (negative)
      v.real = -v.real;
    lex.consume();
    // A unit is an identifier right after the number, but not the 'x' of
    // a shape and not the name of a next attribute (`4 kernel = ...` is a
    // missing ';').
    if (lex.is(Token::identifier) && lex.getSpelling() != "x" &&
        lex.getSpelling() != "X" && !lex.nextCharIs('=')) {
      v.unit.name = lex.getSpelling().str();
      v.unit.loc = lex.getLoc();
      lex.consume();
    }
    return true;
  }
  case Token::string:
    v.kind = Value::String;
    v.text = lex.getStringValue().str();
    lex.consume();
    return true;
  case Token::identifier: {
    Ident name{lex.getSpelling().str(), lex.getLoc()};
    lex.consume();
    return parseNameOrCall(v, std::move(name));
  }
  case Token::l_square: {
    v.kind = Value::List;
    if (!enterValue(lex.getLoc()))
      return false;
    auto leave = llvm::make_scope_exit([&] { --valueDepth; });
    lex.consume();
    if (!lex.is(Token::r_square)) {
      do {
        Value e;
        if (!parseValue(e))
          return false;
        v.elements.push_back(std::move(e));
      } while (lex.is(Token::comma) && (lex.consume(), true));
    }
    return expect(Token::r_square, "]");
  }
  default: {
    StringRef found = describe(lex.getKind());
    return errorHere(
        "expected a value, found " +
        (found.empty() ? ("'" + lex.getSpelling() + "'").str() : found.str()));
  }
  }
}

/// The rest of a term that starts with `name` (already consumed): the name
/// itself, or a call `name(arg, ...)`.
bool Parser::parseNameOrCall(Value &v, Ident name) {
  v.loc = name.loc;
  v.text = std::move(name.name);
  if (!lex.is(Token::l_paren)) {
    v.kind = Value::Name;
    return true;
  }
  v.kind = Value::Call;
  if (!enterValue(lex.getLoc()))
    return false;
  auto leave = llvm::make_scope_exit([&] { --valueDepth; });
  lex.consume();
  if (!lex.is(Token::r_paren)) {
    do {
      Ident argName;
      Value arg;
      if (lex.is(Token::identifier)) {
        // Either `name = value` or a value that starts with a name.
        Ident id{lex.getSpelling().str(), lex.getLoc()};
        lex.consume();
        if (lex.is(Token::equal)) {
          lex.consume();
          argName = std::move(id);
          if (!parseValue(arg))
            return false;
        } else {
          // A positional value that starts with a name (a constant).
          Value first;
          if (!parseNameOrCall(first, std::move(id)) ||
              !parseCrosses(arg, std::move(first)))
            return false;
        }
      } else if (!parseValue(arg)) {
        return false;
      }
      v.argNames.push_back(std::move(argName));
      v.elements.push_back(std::move(arg));
    } while (lex.is(Token::comma) && (lex.consume(), true));
  }
  return expect(Token::r_paren, ")");
}

Optional<Module> scnc::parseModule(unsigned bufferId, DiagnosticEngine &diag) {
  const MemoryBuffer *buf = diag.getSourceMgr().getMemoryBuffer(bufferId);
  if (!checkIsText(buf->getBuffer(), buf->getBufferIdentifier(), diag))
    return None;
  Parser p(buf->getBuffer(), diag);
  return p.parseModule();
}
