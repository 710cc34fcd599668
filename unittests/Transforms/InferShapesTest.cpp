//===- InferShapesTest.cpp ------------------------------------------------===//
#include "scnc/Frontend/Lowering.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "gtest/gtest.h"

using namespace scnc;

TEST(InferShapesTest, ConvThenPool) {
  const char *src = R"(
    network t {
      input in { shape = 10 x 12 x 3; }
      conv c(in) { filters = 8; kernel = 3 x 5; stride = 1 x 2; weights = 1 nA; }
      pool p(c) { kernel = 2; }
    })";
  llvm::SourceMgr sm;
  std::string err;
  llvm::raw_string_ostream os(err);
  DiagnosticEngine diag(sm, os);
  unsigned buf = sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(src, "t.scn"), llvm::SMLoc());
  llvm::Optional<Network> n = parseNetwork(buf, diag);
  ASSERT_TRUE(n.hasValue()) << os.str();
  PassManager pm(diag);
  buildDefaultPipeline(pm);
  ASSERT_TRUE(pm.run(*n)) << os.str();
  // conv: H (10-3)/1+1 = 8, W (12-5)/2+1 = 4, C 8; pool 2x2: 4x2x8.
  EXPECT_EQ(n->populations[1].shape, (Shape{8, 4, 8}));
  EXPECT_EQ(n->populations[2].shape, (Shape{4, 2, 8}));
}
