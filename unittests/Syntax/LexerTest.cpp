//===- LexerTest.cpp ------------------------------------------------------===//
#include "scnc/Syntax/Lexer.h"
#include "llvm/Support/SourceMgr.h"
#include "gtest/gtest.h"

using namespace scnc;

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
  EXPECT_EQ(kinds, (std::vector<Token>{Token::integer, Token::cross,
                                       Token::integer, Token::cross,
                                       Token::integer}));
}
