//===- CoreDump.h - What a core computed, as text ---------------*- C++ -*-===//
//
// The record the ARM build's equivalence test compares (docs/arm.md): per
// tick the keys a core sent and its recorded spikes, and after the run its
// counters, every neuron's final state and, on a plastic core, its
// synaptic matrix (the learned rows, as its SDRAM holds them) and post-spike
// histories. The host emulator (scnc-run --trace-core) and the core program
// under qemu (runtime/arm) both write it with these functions, so the two
// files are byte-identical exactly when the two computed the same bits.
// Hexadecimal words only; no library calls (the ARM build has none).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_COREDUMP_H
#define SCNC_RUNTIME_KERNEL_COREDUMP_H

#include "kernel/Kernel.h"
#include <cstdint>

namespace scnc {
namespace kernel {

/// A sink for text: \p put is called with pieces of it.
struct DumpSink {
  void (*put)(void *ctx, const char *text, uint32_t n) = nullptr;
  void *ctx = nullptr;
};

namespace dump_detail {
/// Lines are built in a small buffer and flushed whole.
struct Line {
  DumpSink sink;
  char buf[128];
  uint32_t n = 0;
  explicit Line(DumpSink s) : sink(s) {}
  void flush() {
    if (n)
      sink.put(sink.ctx, buf, n);
    n = 0;
  }
  void ch(char c) {
    if (n == sizeof(buf))
      flush();
    buf[n++] = c;
  }
  void str(const char *s) {
    while (*s)
      ch(*s++);
  }
  void hex(uint32_t v) {
    ch(' ');
    for (int sh = 28; sh >= 0; sh -= 4)
      ch("0123456789abcdef"[(v >> sh) & 15]);
  }
  void end() {
    ch('\n');
    flush();
  }
};
} // namespace dump_detail

/// Tick \p tick's line: "t <tick> k <keys...> s <spiking local indices...>"
/// when the core sent or recorded anything, nothing otherwise.
inline void dumpTick(DumpSink sink, uint32_t tick, const uint32_t *outKeys,
                     uint32_t numOut, const uint32_t *spikeBits,
                     uint32_t spikeWords) {
  bool any = numOut != 0;
  for (uint32_t w = 0; w < spikeWords && !any; ++w)
    any = spikeBits[w] != 0;
  if (!any)
    return;
  dump_detail::Line l(sink);
  l.str("t");
  l.hex(tick);
  l.str(" k");
  for (uint32_t i = 0; i < numOut; ++i)
    l.hex(outKeys[i]);
  l.str(" s");
  for (uint32_t w = 0; w < spikeWords; ++w)
    for (uint32_t i = 0; i < 32; ++i)
      if (spikeBits[w] >> i & 1)
        l.hex(w * 32 + i);
  l.end();
}

/// A neuron core after its run: counters, states, and when plastic its
/// matrix and post-spike histories.
inline void dumpNeuronCore(DumpSink sink, const NeuronCore &core) {
  dump_detail::Line l(sink);
  const NeuronCoreCounters &c = core.counters;
  l.str("counters");
  l.hex(uint32_t(c.packets));
  l.hex(uint32_t(c.synapticEvents));
  l.hex(uint32_t(c.unmatchedPackets));
  l.hex(uint32_t(c.invalidRows));
  l.hex(uint32_t(c.spikes));
  l.end();
  for (uint32_t i = 0; i < core.cfg.numNeurons; ++i) {
    const NeuronFixedState &s = core.state[i];
    l.str("n");
    l.hex(i);
    l.hex(uint32_t(s.v.bits));
    l.hex(uint32_t(s.iSynE.bits));
    l.hex(uint32_t(s.iSynI.bits));
    l.hex(uint32_t(s.refracTimer));
    l.end();
  }
  if (!core.plasticMatrix)
    return;
  for (uint32_t w = 0; w < core.cfg.matrixWords; w += 8) {
    l.str("m");
    l.hex(w);
    for (uint32_t k = w; k < w + 8 && k < core.cfg.matrixWords; ++k)
      l.hex(core.plasticMatrix[k]);
    l.end();
  }
  for (uint32_t i = 0; i < core.cfg.numNeurons; ++i) {
    const stdp::PostHistory &h = core.history[i];
    l.str("h");
    l.hex(i);
    l.hex(h.count);
    for (uint32_t k = 0; k < h.count && k < stdp::kHistory; ++k) {
      l.hex(h.ticks[k]);
      l.hex(uint32_t(h.traces[k]));
    }
    l.end();
  }
}

/// A spike-source core after its run.
inline void dumpSourceCore(DumpSink sink, const SourceCore &core) {
  dump_detail::Line l(sink);
  l.str("counters");
  l.hex(uint32_t(core.spikes));
  l.end();
}

} // namespace kernel
} // namespace scnc

#endif
