//===- Lexer.cpp ----------------------------------------------------------===//
#include "scnc/Syntax/Lexer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/WithColor.h"
#include <cstdlib>
#include <cstring>
#include <string>

using namespace scnc;
using namespace llvm;

static bool isIdentStart(char c) { return isAlpha(c) || c == '_'; }
static bool isIdentChar(char c) { return isAlnum(c) || c == '_' || c == '.'; }

void Lexer::skipSpaceAndComments() {
  const char *end = buffer.end();
  while (cur != end) {
    char c = *cur;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      ++cur;
    } else if (c == '/' && cur + 1 != end && cur[1] == '/') {
      while (cur != end && *cur != '\n')
        ++cur;
    } else if (c == '#') {
      while (cur != end && *cur != '\n')
        ++cur;
    } else if (c == '/' && cur + 1 != end && cur[1] == '*') {
      const char *start = cur;
      cur += 2;
      while (cur != end && !(*cur == '*' && cur + 1 != end && cur[1] == '/'))
        ++cur;
      if (cur == end) {
        diag.error(SMLoc::getFromPointer(start), "unterminated block comment");
        eofDiagnosed = true;
        return;
      }
      cur += 2;
    } else {
      return;
    }
  }
}

void Lexer::lex() {
  prevEnd =
      spelling.empty() && kind == Token::eof ? buffer.begin() : spelling.end();
  // A cross directly after a number ("28x28"), before an identifier lexes.
  bool prevIsNumber = kind == Token::integer || kind == Token::real;
  skipSpaceAndComments();
  // Only with nothing in between: "28x28" is a cross, "3 xs" is a name.
  bool afterNumber = prevIsNumber && cur == spelling.end();
  const char *end = buffer.end();
  const char *start = cur;
  auto make = [&](Token k, const char *e) {
    kind = k;
    spelling = StringRef(start, e - start);
    cur = e;
  };
  if (cur == end) {
    kind = Token::eof;
    spelling = StringRef(end, 0);
    return;
  }
  char c = *cur;
  if ((c == 'x' || c == 'X') && afterNumber) {
    return make(Token::cross, cur + 1);
  }
  if (isIdentStart(c)) {
    const char *e = cur + 1;
    while (e != end && isIdentChar(*e))
      ++e;
    return make(Token::identifier, e);
  }
  if (isDigit(c) || (c == '.' && cur + 1 != end && isDigit(cur[1]))) {
    const char *e = cur;
    bool isReal = false;
    while (e != end && isDigit(*e))
      ++e;
    if (e != end && *e == '.' && e + 1 != end && isDigit(e[1])) {
      isReal = true;
      ++e;
      while (e != end && isDigit(*e))
        ++e;
    }
    if (e != end && (*e == 'e' || *e == 'E')) {
      const char *f = e + 1;
      if (f != end && (*f == '+' || *f == '-'))
        ++f;
      if (f != end && isDigit(*f)) {
        isReal = true;
        while (f != end && isDigit(*f))
          ++f;
        e = f;
      }
    }
    return make(isReal ? Token::real : Token::integer, e);
  }
  switch (c) {
  case '{':
    return make(Token::l_brace, cur + 1);
  case '}':
    return make(Token::r_brace, cur + 1);
  case '(':
    return make(Token::l_paren, cur + 1);
  case ')':
    return make(Token::r_paren, cur + 1);
  case '[':
    return make(Token::l_square, cur + 1);
  case ']':
    return make(Token::r_square, cur + 1);
  case ',':
    return make(Token::comma, cur + 1);
  case ';':
    return make(Token::semi, cur + 1);
  case ':':
    return make(Token::colon, cur + 1);
  case '=':
    return make(Token::equal, cur + 1);
  case '-':
    return make(Token::minus, cur + 1);
  case '"': {
    const char *e = cur + 1;
    while (e != end && *e != '"' && *e != '\n')
      ++e;
    if (e == end || *e != '"') {
      diag.error(SMLoc::getFromPointer(start), "unterminated string literal");
      // Most likely the string was meant to end before the statement's ';':
      // leave the ';' (and what follows) to the parser to recover at.
      const char *semi = static_cast<const char *>(
          memchr(cur + 1, ';', static_cast<size_t>(e - cur - 1)));
      return make(Token::error, semi ? semi : e);
    }
    return make(Token::string, e + 1);
  }
  default:
    break;
  }
  // Unknown character: report it once and skip it (a whole UTF-8 sequence).
  const char *e = cur + 1;
  while (e != end && (static_cast<unsigned char>(*e) & 0xC0) == 0x80)
    ++e;
  diag.error(SMLoc::getFromPointer(start),
             "unexpected character '" + StringRef(start, e - start) + "'");
  make(Token::error, e);
}

bool Lexer::getIntegerValue(uint64_t &out) const {
  return !spelling.getAsInteger(10, out);
}

double Lexer::getRealValue() const {
  std::string s = spelling.str();
  return std::strtod(s.c_str(), nullptr);
}

bool scnc::checkIsText(StringRef buffer, StringRef fileName,
                       DiagnosticEngine &diag) {
  const unsigned char *begin =
      reinterpret_cast<const unsigned char *>(buffer.begin());
  const unsigned char *end = begin + buffer.size();
  const unsigned char *bad = nullptr;
  for (const unsigned char *p = begin; p != end; ++p) {
    if (*p == 0 ||
        (*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t' && *p != '\f' &&
         *p != '\v') ||
        *p == 0x7f) {
      bad = p;
      break;
    }
  }
  // The first bad byte wins: invalid UTF-8 before the first control byte.
  const unsigned char *textEnd = bad ? bad : end;
  const UTF8 *srcStart = begin;
  if (!isLegalUTF8String(&srcStart, textEnd))
    bad = srcStart;
  if (!bad)
    return true;
  unsigned line = 1, col = 1;
  for (const unsigned char *p = begin; p != bad; ++p) {
    if (*p == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  // utohexstr(0, false, 2) gives "000"; spell the two digits out.
  char hex[3] = {hexdigit(*bad >> 4), hexdigit(*bad & 15), 0};
  diag.errorAt(fileName, line, col,
               "not a text file (byte 0x" + Twine(hex) + " at offset " +
                   Twine(static_cast<uint64_t>(bad - begin)) + ")");
  return false;
}
