//===- Builtin.cpp - Machines by name and the multi-board layout ----------===//
//
// Boards are laid out as SpiNNaker's tools lay them out (docs/machine.md):
// triads of three SpiNN-5 boards tile 12x12 chips with boards at (0, 0),
// (8, 4) and (4, 8) (spalloc's board z = 0, 1, 2); whole triads wrap into a
// torus, anything else is an open sheet 4 chips wider and taller than its
// triads so the boards that would tuck in across the wrap fit.
//
//===----------------------------------------------------------------------===//
#include "scnc/Machine/Machine.h"
#include "scnc/Support/Diagnostics.h"
#include "llvm/ADT/Twine.h"
#include <algorithm>

using namespace scnc;
using namespace llvm;

static Error makeError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

bool scnc::isBoardChip(unsigned localX, unsigned localY) {
  if (localX >= spinnaker::kBoardSize || localY >= spinnaker::kBoardSize)
    return false;
  unsigned lo = localY > 3 ? localY - 3 : 0;
  unsigned hi = std::min(spinnaker::kBoardSize - 1, localY + 4);
  return localX >= lo && localX <= hi;
}

static uint64_t floorSqrt(uint64_t n) {
  uint64_t r = 0;
  while ((r + 1) * (r + 1) <= n)
    ++r;
  return r;
}

Expected<BoardLayout> scnc::boardLayout(unsigned numBoards) {
  using namespace spinnaker;
  if (numBoards == 0)
    return makeError("a machine needs at least one board");
  BoardLayout layout;
  if (numBoards == 1) {
    // One board is not a triad: the 8x8 hexagon on its own, no wrap.
    layout.triadsX = layout.triadsY = 1;
    layout.width = layout.height = kBoardSize;
    layout.origins.push_back({0, 0});
    return layout;
  }
  uint64_t tw = 0, th = 0, width = 0, height = 0;
  if (numBoards % 3 == 0) {
    // Whole triads form a torus of exactly numBoards / 3 triads, as square
    // as the factors allow, taller than wide when not square (SpiNNer's
    // ideal_system_size).
    uint64_t triads = numBoards / 3;
    tw = floorSqrt(triads);
    while (triads % tw)
      --tw;
    th = triads / tw;
    width = tw * kTriadSize;
    height = th * kTriadSize;
    layout.wrap = true;
  }
  if (!layout.wrap || width > kMaxDimension || height > kMaxDimension) {
    // The smallest near-square triad grid holding the boards, without wrap
    // (SpiNNMachine's size_from_n_boards, "as spalloc does it"); also for
    // whole triads whose only factorisation is too long a strip for 8-bit
    // coordinates (e.g. 69 boards = 1 x 23 triads).
    uint64_t triads = (uint64_t(numBoards) + 2) / 3;
    tw = floorSqrt(triads);
    if (tw * tw < triads)
      ++tw;
    th = (triads + tw - 1) / tw;
    width = tw * kTriadSize + 4;
    height = th * kTriadSize + 4;
    layout.wrap = false;
  }
  if (width > kMaxDimension || height > kMaxDimension)
    return makeError(Twine(numBoards) + " boards need a " + Twine(width) + "x" +
                     Twine(height) +
                     " machine, larger than SpiNNaker's 256x256 chip "
                     "coordinates");
  layout.triadsX = unsigned(tw);
  layout.triadsY = unsigned(th);
  layout.width = unsigned(width);
  layout.height = unsigned(height);
  // Triads in (y, x) order, boards in spalloc's z order inside each, so
  // that every prefix of the list is a connected set of boards.
  static const ChipCoord inTriad[3] = {{0, 0}, {8, 4}, {4, 8}};
  for (unsigned i = 0; i < numBoards; ++i) {
    unsigned triad = i / 3;
    ChipCoord o = inTriad[i % 3];
    layout.origins.push_back({(triad % layout.triadsX) * kTriadSize + o.x,
                              (triad / layout.triadsX) * kTriadSize + o.y});
  }
  return layout;
}

static Machine machineFromLayout(const BoardLayout &layout) {
  std::vector<ChipCoord> chips;
  chips.reserve(layout.origins.size() * spinnaker::kChipsPerBoard);
  for (ChipCoord o : layout.origins)
    for (unsigned ly = 0; ly < spinnaker::kBoardSize; ++ly)
      for (unsigned lx = 0; lx < spinnaker::kBoardSize; ++lx)
        if (isBoardChip(lx, ly))
          chips.push_back(
              {(o.x + lx) % layout.width, (o.y + ly) % layout.height});
  Machine m(layout.width, layout.height, layout.wrap, layout.wrap, chips);
  m.setBoards(layout.origins);
  return m;
}

Expected<Machine> scnc::builtinMachine(StringRef name) {
  if (name == "spinn3") {
    Machine m = Machine::rectangle(2, 2, /*wrapX=*/true, /*wrapY=*/true);
    m.setBoards({{0, 0}});
    return m;
  }
  if (name == "spinn5")
    return machineFromLayout(cantFail(boardLayout(1)));

  if (name.startswith("boards:")) {
    unsigned n;
    if (name.drop_front(7).getAsInteger(10, n) || n == 0)
      return makeError("invalid machine '" + name +
                       "': expected boards:N with N a positive number of "
                       "boards");
    Expected<BoardLayout> layout = boardLayout(n);
    if (!layout)
      return makeError("invalid machine '" + name +
                       "': " + toString(layout.takeError()));
    return machineFromLayout(*layout);
  }

  StringRef ws, hs;
  std::tie(ws, hs) = name.split('x');
  unsigned w, h;
  if (!ws.empty() && !hs.empty() && !ws.getAsInteger(10, w) &&
      !hs.getAsInteger(10, h)) {
    if (w == 0 || h == 0 || w > spinnaker::kMaxDimension ||
        h > spinnaker::kMaxDimension)
      return makeError("invalid machine '" + name +
                       "': width and height must be 1..256");
    return Machine::rectangle(w, h, /*wrapX=*/true, /*wrapY=*/true);
  }

  StringRef guess = closestMatch(name, {"spinn3", "spinn5"});
  if (!guess.empty())
    return makeError("unknown machine '" + name + "'; did you mean '" + guess +
                     "'?");
  return makeError("unknown machine '" + name +
                   "' (expected spinn3, spinn5, boards:N, WxH or a .json "
                   "file)");
}
