//===- Pipeline.h - The compile pipeline, source to image -------*- C++ -*-===//
//
// One entry point runs scnc's pipeline from a source buffer (or a network
// already in memory) to any stage, with one options struct:
//
//   parse .scn | read IR     Stage::Parse (the AST of a .scn file)
//   verify, infer-shapes     Stage::Shapes
//   expand-connections       Stage::Connections
//   partition                Stage::Partition
//   place                    Stage::Placement (the target machine: the
//                            user's, or the smallest built-in that fits)
//   allocate-keys, route     Stage::Routes
//   build-tables,
//   compress-tables          Stage::Tables
//   write the load image     Stage::Image
//
// Every pass runs in one PassManager (verified after each pass, printed
// with -print-after, timed with -time-passes); the mapping results and the
// machine stay beside the IR in the CompilationContext.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_DRIVER_PIPELINE_H
#define SCNC_DRIVER_PIPELINE_H

#include "scnc/IR/Network.h"
#include "scnc/Image/Image.h"
#include "scnc/Interop/Nir.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Syntax/AST.h"
#include "scnc/Transforms/CompilationContext.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace scnc {

/// The stages of the pipeline, in order: a compilation stops after one.
enum class Stage {
  Parse,
  Shapes,
  Connections,
  Partition,
  Placement,
  Routes,
  Tables,
  Image
};

struct CompileOptions {
  /// The last stage to run.
  Stage stopAfter = Stage::Image;
  /// What the passes read: threads, memory, partitioner and seed, router
  /// entries, route verification.
  PassOptions passes;
  /// Run the IR verifier on the lowered network and after every pass.
  bool verifyEach = true;
  /// The image's settings (plastic, voltage recording); its machine name
  /// and thread count come from the compilation.
  ImageOptions image;
};

/// Where Stage::Image writes: called once with a function that writes the
/// image into the stream it is given (and returns false after reporting
/// errors). A sink opens its destination (a file written atomically, a
/// buffer) and returns false when the image was not written.
using ImageSink = llvm::function_ref<bool(
    llvm::function_ref<bool(llvm::raw_pwrite_stream &)> writeImage)>;

/// A compilation of one source: its AST (Stage::Parse of a .scn file), its
/// network and what the passes produced beside it.
struct Compilation {
  llvm::Optional<Module> ast;
  llvm::Optional<Network> net;
  CompilationContext context;
};

/// Loads the target machine \p nameOrPath (a built-in name, WxH or a JSON
/// description) into \p cc; `place` checks it. False after reporting the
/// problem to \p diag. Call it before any other work so that a bad machine
/// fails first.
bool loadTarget(llvm::StringRef nameOrPath, CompilationContext &cc,
                DiagnosticEngine &diag);

/// Runs the pipeline on buffer \p buf of the diagnostics' SourceMgr: a .scn
/// file, or textual IR when \p isIR; relative file names in it are resolved
/// against \p sourceDir. \p sink receives the image at Stage::Image. False
/// after reporting errors.
bool compileSource(unsigned buf, bool isIR, llvm::StringRef sourceDir,
                   const CompileOptions &o, DiagnosticEngine &diag,
                   Compilation &c, ImageSink sink = nullptr);

/// Runs the pipeline on the NIR graph in file \p path (docs/interop.md):
/// imported, verified, then as compileSource. False after reporting errors.
bool compileNirFile(llvm::StringRef path, const CompileOptions &o,
                    DiagnosticEngine &diag, Compilation &c,
                    ImageSink sink = nullptr,
                    const NirLoweringOptions &nir = {});

/// Runs the pipeline from shape inference on a lowered network \p n (built
/// by a tool or the training flow, or read); the results of the mapping
/// passes go to \p cc (its machine, if set, is the target).
bool compileNetwork(Network &n, CompilationContext &cc, const CompileOptions &o,
                    DiagnosticEngine &diag, ImageSink sink = nullptr);

/// The passes of the stages after parsing up to \p last, in order.
void addPipelinePasses(PassManager &pm, Stage last);

/// Shapes and connection lists of a copy of \p n (its own connections and
/// none of the original's); None after reporting errors.
llvm::Optional<Network> expandNetwork(const Network &n, DiagnosticEngine &diag,
                                      PassOptions options = {});

} // namespace scnc

#endif
