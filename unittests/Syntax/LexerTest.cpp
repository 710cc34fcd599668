//===- LexerTest.cpp ------------------------------------------------------===//
#include "scnc/Syntax/Lexer.h"
#include "TestHelpers.h"
#include "llvm/Support/SourceMgr.h"
#include "gtest/gtest.h"
#include <utility>
#include <vector>

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

using Tok = std::pair<Token, std::string>;

/// Every token of `text` (kind and spelling) up to end of file.
std::vector<Tok> lexAll(DiagHarness &h, llvm::StringRef text) {
  unsigned id = h.add(text);
  Lexer lex(h.sm.getMemoryBuffer(id)->getBuffer(), h.diag);
  std::vector<Tok> toks;
  while (!lex.is(Token::eof)) {
    toks.push_back({lex.getKind(), lex.getSpelling().str()});
    lex.consume();
  }
  return toks;
}

std::vector<Token> kinds(const std::vector<Tok> &toks) {
  std::vector<Token> out;
  for (const Tok &t : toks)
    out.push_back(t.first);
  return out;
}

TEST(LexerTest, ShapeLiteral) {
  llvm::SourceMgr sm;
  std::string err;
  llvm::raw_string_ostream os(err);
  DiagnosticEngine diag(sm, os);
  Lexer lex("28x28x1", diag);
  std::vector<Token> kinds;
  while (!lex.is(Token::eof)) {
    kinds.push_back(lex.getKind());
    lex.consume();
  }
  EXPECT_EQ(kinds,
            (std::vector<Token>{Token::integer, Token::cross, Token::integer,
                                Token::cross, Token::integer}));
}

TEST(LexerTest, EveryTokenKind) {
  DiagHarness h;
  std::vector<Tok> toks =
      lexAll(h, "name 42 1.5 \"str\" { } ( ) [ ] , ; : = - 3x4 @");
  std::vector<Tok> expected = {
      {Token::identifier, "name"}, {Token::integer, "42"},
      {Token::real, "1.5"},        {Token::string, "\"str\""},
      {Token::l_brace, "{"},       {Token::r_brace, "}"},
      {Token::l_paren, "("},       {Token::r_paren, ")"},
      {Token::l_square, "["},      {Token::r_square, "]"},
      {Token::comma, ","},         {Token::semi, ";"},
      {Token::colon, ":"},         {Token::equal, "="},
      {Token::minus, "-"},         {Token::integer, "3"},
      {Token::cross, "x"},         {Token::integer, "4"},
      {Token::error, "@"},
  };
  EXPECT_EQ(toks, expected);
  EXPECT_EQ(h.text(), "t.scn:1:45: error: unexpected character '@'\n"
                      "name 42 1.5 \"str\" { } ( ) [ ] , ; : = - 3x4 @\n"
                      "                                            ^\n");
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
}

TEST(LexerTest, EofAtEndAndOnEmptyInput) {
  DiagHarness h;
  unsigned id = h.add("");
  Lexer lex(h.sm.getMemoryBuffer(id)->getBuffer(), h.diag);
  EXPECT_TRUE(lex.is(Token::eof));
  EXPECT_EQ(lex.getSpelling(), "");
  lex.consume(); // stays at eof
  EXPECT_TRUE(lex.is(Token::eof));
  EXPECT_FALSE(h.diag.hadError());
}

TEST(LexerTest, CrossAfterANumber) {
  DiagHarness h;
  // Glued to a number, `x` is a cross token (upper case too).
  EXPECT_EQ(lexAll(h, "28x28x1"), (std::vector<Tok>{{Token::integer, "28"},
                                                    {Token::cross, "x"},
                                                    {Token::integer, "28"},
                                                    {Token::cross, "x"},
                                                    {Token::integer, "1"}}));
  EXPECT_EQ(kinds(lexAll(h, "3X5")),
            (std::vector<Token>{Token::integer, Token::cross, Token::integer}));
  // With a blank before it, it is a name (the parser reads a lone `x`
  // between terms as a cross), so `3 xs` stays a number and a name.
  EXPECT_EQ(lexAll(h, "28 x 28"), (std::vector<Tok>{{Token::integer, "28"},
                                                    {Token::identifier, "x"},
                                                    {Token::integer, "28"}}));
  EXPECT_EQ(lexAll(h, "3 xs"), (std::vector<Tok>{{Token::integer, "3"},
                                                 {Token::identifier, "xs"}}));
  // After a real, and before a blank.
  EXPECT_EQ(kinds(lexAll(h, "1.5x 2")),
            (std::vector<Token>{Token::real, Token::cross, Token::integer}));
  // Not after a number: an identifier, even a lone `x` (the parser reads a
  // lone `x` between terms as a cross).
  EXPECT_EQ(lexAll(h, "k x xs x1"),
            (std::vector<Tok>{{Token::identifier, "k"},
                              {Token::identifier, "x"},
                              {Token::identifier, "xs"},
                              {Token::identifier, "x1"}}));
  EXPECT_FALSE(h.diag.hadError());
}

TEST(LexerTest, NumberFollowedByUnit) {
  DiagHarness h;
  EXPECT_EQ(lexAll(h, "10ms"), (std::vector<Tok>{{Token::integer, "10"},
                                                 {Token::identifier, "ms"}}));
  EXPECT_EQ(lexAll(h, "-65mV"), (std::vector<Tok>{{Token::minus, "-"},
                                                  {Token::integer, "65"},
                                                  {Token::identifier, "mV"}}));
  EXPECT_EQ(lexAll(h, "0.5 nF"), (std::vector<Tok>{{Token::real, "0.5"},
                                                   {Token::identifier, "nF"}}));
  // An `e` without exponent digits is a unit, not part of the number.
  EXPECT_EQ(lexAll(h, "2e"), (std::vector<Tok>{{Token::integer, "2"},
                                               {Token::identifier, "e"}}));
  EXPECT_FALSE(h.diag.hadError());
}

TEST(LexerTest, Reals) {
  DiagHarness h;
  std::vector<Tok> toks = lexAll(h, "1.5e-3 .5 1e3 2E+2 0.25 7");
  EXPECT_EQ(toks, (std::vector<Tok>{{Token::real, "1.5e-3"},
                                    {Token::real, ".5"},
                                    {Token::real, "1e3"},
                                    {Token::real, "2E+2"},
                                    {Token::real, "0.25"},
                                    {Token::integer, "7"}}));
  unsigned id = h.add("1.5e-3 .5 1e3 2E+2 7 18446744073709551615 "
                      "18446744073709551616");
  Lexer lex(h.sm.getMemoryBuffer(id)->getBuffer(), h.diag);
  EXPECT_DOUBLE_EQ(lex.getRealValue(), 1.5e-3);
  lex.consume();
  EXPECT_DOUBLE_EQ(lex.getRealValue(), 0.5);
  lex.consume();
  EXPECT_DOUBLE_EQ(lex.getRealValue(), 1000.0);
  lex.consume();
  EXPECT_DOUBLE_EQ(lex.getRealValue(), 200.0);
  lex.consume();
  uint64_t v = 0;
  EXPECT_TRUE(lex.getIntegerValue(v));
  EXPECT_EQ(v, 7u);
  EXPECT_DOUBLE_EQ(lex.getRealValue(), 7.0);
  lex.consume();
  EXPECT_TRUE(lex.getIntegerValue(v));
  EXPECT_EQ(v, UINT64_MAX);
  lex.consume();
  EXPECT_TRUE(lex.is(Token::integer));
  EXPECT_FALSE(lex.getIntegerValue(v)); // 2^64 does not fit
  EXPECT_FALSE(h.diag.hadError());
}

TEST(LexerTest, Comments) {
  DiagHarness h;
  std::vector<Tok> toks = lexAll(h, "a // line comment { \n"
                                    "b # hash comment ;\n"
                                    "c /* block\n comment } */ d/**/e\n"
                                    "# last line without newline");
  EXPECT_EQ(toks, (std::vector<Tok>{{Token::identifier, "a"},
                                    {Token::identifier, "b"},
                                    {Token::identifier, "c"},
                                    {Token::identifier, "d"},
                                    {Token::identifier, "e"}}));
  EXPECT_FALSE(h.diag.hadError());
}

TEST(LexerTest, UnterminatedBlockComment) {
  DiagHarness h;
  std::vector<Tok> toks = lexAll(h, "a\n  /* never closed");
  EXPECT_EQ(toks, (std::vector<Tok>{{Token::identifier, "a"}}));
  EXPECT_EQ(h.text(), "t.scn:2:3: error: unterminated block comment\n"
                      "  /* never closed\n"
                      "  ^\n");
}

TEST(LexerTest, IdentifiersWithDots) {
  DiagHarness h;
  EXPECT_EQ(lexAll(h, "image.conv1 _a.b_2.c x.y"),
            (std::vector<Tok>{{Token::identifier, "image.conv1"},
                              {Token::identifier, "_a.b_2.c"},
                              {Token::identifier, "x.y"}}));
  EXPECT_FALSE(h.diag.hadError());
}

TEST(LexerTest, Strings) {
  DiagHarness h;
  unsigned id = h.add("\"kernels.npy\" \"\"");
  Lexer lex(h.sm.getMemoryBuffer(id)->getBuffer(), h.diag);
  ASSERT_TRUE(lex.is(Token::string));
  EXPECT_EQ(lex.getStringValue(), "kernels.npy");
  lex.consume();
  ASSERT_TRUE(lex.is(Token::string));
  EXPECT_EQ(lex.getStringValue(), "");
  lex.consume();
  EXPECT_TRUE(lex.is(Token::eof));
  EXPECT_FALSE(h.diag.hadError());
}

TEST(LexerTest, UnterminatedString) {
  DiagHarness h;
  std::vector<Tok> toks = lexAll(h, "path = \"a.npy\nb");
  EXPECT_EQ(toks, (std::vector<Tok>{{Token::identifier, "path"},
                                    {Token::equal, "="},
                                    {Token::error, "\"a.npy"},
                                    {Token::identifier, "b"}}));
  EXPECT_EQ(h.text(), "t.scn:1:8: error: unterminated string literal\n"
                      "path = \"a.npy\n"
                      "       ^\n");
}

TEST(LexerTest, UnknownMultiByteCharacterIsOneToken) {
  DiagHarness h;
  // U+00B5 MICRO SIGN (two bytes) is reported once, as one character.
  std::vector<Tok> toks = lexAll(h, "5 \xC2\xB5s");
  EXPECT_EQ(toks, (std::vector<Tok>{{Token::integer, "5"},
                                    {Token::error, "\xC2\xB5"},
                                    {Token::identifier, "s"}}));
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
}

TEST(LexerTest, LocationsAndPreviousEnd) {
  DiagHarness h;
  unsigned id = h.add("a = 1\n  b;");
  Lexer lex(h.sm.getMemoryBuffer(id)->getBuffer(), h.diag);
  lex.consume(); // '='
  lex.consume(); // 1
  lex.consume(); // b
  EXPECT_EQ(h.lineCol(lex.getLoc()), std::make_pair(2u, 3u));
  EXPECT_EQ(h.lineCol(lex.getEndLoc()), std::make_pair(2u, 4u));
  // The previous token (1) ended at line 1, column 6.
  EXPECT_EQ(h.lineCol(lex.getPrevEndLoc()), std::make_pair(1u, 6u));
}

TEST(LexerTest, NextCharIsSkipsBlanksOnly) {
  DiagHarness h;
  unsigned id = h.add("a \t= b\n= c=");
  Lexer lex(h.sm.getMemoryBuffer(id)->getBuffer(), h.diag);
  EXPECT_TRUE(lex.nextCharIs('='));
  lex.consume();                     // '='
  lex.consume();                     // b
  EXPECT_FALSE(lex.nextCharIs('=')); // a newline is in the way
  lex.consume();                     // '='
  lex.consume();                     // c
  EXPECT_TRUE(lex.nextCharIs('='));
  lex.consume();                     // '='
  EXPECT_FALSE(lex.nextCharIs('=')); // end of buffer
}

//===----------------------------------------------------------------------===//
// checkIsText
//===----------------------------------------------------------------------===//

TEST(CheckIsTextTest, AcceptsValidUtf8Text) {
  DiagHarness h;
  EXPECT_TRUE(checkIsText("network n { } // \xC2\xB5s, \xE2\x82\xAC, "
                          "\xF0\x9F\x98\x80\r\n\ttab\f\v",
                          "ok.scn", h.diag));
  EXPECT_TRUE(checkIsText("", "empty.scn", h.diag));
  EXPECT_EQ(h.text(), "");
  EXPECT_FALSE(h.diag.hadError());
}

TEST(CheckIsTextTest, NulByte) {
  DiagHarness h;
  std::string text("ab\ncd\0ef", 8);
  EXPECT_FALSE(checkIsText(text, "bin.scn", h.diag));
  EXPECT_EQ(h.text(),
            "bin.scn:2:3: error: not a text file (byte 0x00 at offset 5)\n");
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
}

TEST(CheckIsTextTest, ControlBytes) {
  DiagHarness h;
  EXPECT_FALSE(checkIsText("x\x01", "a.scn", h.diag));
  EXPECT_FALSE(checkIsText("\n\n   \x7f", "b.scn", h.diag));
  EXPECT_EQ(h.text(),
            "a.scn:1:2: error: not a text file (byte 0x01 at offset 1)\n"
            "b.scn:3:4: error: not a text file (byte 0x7F at offset 5)\n");
}

TEST(CheckIsTextTest, InvalidUtf8) {
  DiagHarness h;
  // A lone continuation byte on line 3.
  EXPECT_FALSE(checkIsText("a\nbc\nde\x80", "u.scn", h.diag));
  // A truncated two-byte sequence after valid multi-byte characters: the
  // column counts bytes.
  EXPECT_FALSE(checkIsText("\xC2\xB5\xC3(", "v.scn", h.diag));
  // An overlong encoding of '/'.
  EXPECT_FALSE(checkIsText("ok\xC0\xAF", "w.scn", h.diag));
  EXPECT_EQ(h.text(),
            "u.scn:3:3: error: not a text file (byte 0x80 at offset 7)\n"
            "v.scn:1:3: error: not a text file (byte 0xC3 at offset 2)\n"
            "w.scn:1:3: error: not a text file (byte 0xC0 at offset 2)\n");
  EXPECT_EQ(h.diag.getNumErrors(), 3u);
}

} // namespace
