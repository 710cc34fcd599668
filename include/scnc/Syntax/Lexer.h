//===- Lexer.h - Tokens of .scn and textual IR files ------------*- C++ -*-===//
#ifndef SCNC_SYNTAX_LEXER_H
#define SCNC_SYNTAX_LEXER_H

#include "scnc/Support/Diagnostics.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include <cstdint>

namespace scnc {

enum class Token {
  eof,
  error,
  identifier, ///< [A-Za-z_][A-Za-z0-9_.]*
  integer,    ///< decimal digits
  real,       ///< digits with a fraction and/or exponent
  string,     ///< "..." without newlines
  l_brace,
  r_brace,
  l_paren,
  r_paren,
  l_square,
  r_square,
  comma,
  semi,
  colon,
  equal,
  minus,
  cross, ///< the `x` in `28x28` (also `x` standing alone between numbers)
};

/// Turns a buffer into tokens; reports lexical errors to the engine.
class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diag)
      : buffer(buffer), cur(buffer.begin()), diag(diag) {
    lex();
  }

  Token getKind() const { return kind; }
  bool is(Token t) const { return kind == t; }
  llvm::StringRef getSpelling() const { return spelling; }
  llvm::SMLoc getLoc() const {
    return llvm::SMLoc::getFromPointer(spelling.begin());
  }
  /// Location just past the current token.
  llvm::SMLoc getEndLoc() const {
    return llvm::SMLoc::getFromPointer(spelling.end());
  }
  /// Value of an integer token; false when it does not fit in 64 bits.
  bool getIntegerValue(uint64_t &out) const;
  /// Value of a real or integer token.
  double getRealValue() const;
  /// The contents of a string token without the quotes.
  llvm::StringRef getStringValue() const {
    return spelling.drop_front().drop_back();
  }
  /// Location of the end of the previous token (for "expected ';'" errors).
  llvm::SMLoc getPrevEndLoc() const {
    return llvm::SMLoc::getFromPointer(prevEnd);
  }

  /// True when the lexer already reported the current token: an error token,
  /// or an end of file inside an unterminated block comment. The parser
  /// does not report it again.
  bool isDiagnosed() const {
    return kind == Token::error || (kind == Token::eof && eofDiagnosed);
  }

  void consume() { lex(); }
  /// True when the first non-blank character after the current token is `c`
  /// (a one-character peek that does not lex).
  bool nextCharIs(char c) const {
    const char *p = spelling.end();
    while (p != buffer.end() && (*p == ' ' || *p == '\t'))
      ++p;
    return p != buffer.end() && *p == c;
  }

private:
  void lex();
  void skipSpaceAndComments();

  llvm::StringRef buffer;
  const char *cur;
  const char *prevEnd = nullptr;
  Token kind = Token::eof;
  bool eofDiagnosed = false;
  llvm::StringRef spelling;
  DiagnosticEngine &diag;
};

/// Checks that a buffer is text (no NUL or control bytes, valid UTF-8).
/// Reports `file:line:col: error: ...` without echoing the binary line.
bool checkIsText(llvm::StringRef buffer, llvm::StringRef fileName,
                 DiagnosticEngine &diag);

} // namespace scnc

#endif
