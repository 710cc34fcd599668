//===- SmallNetwork.h - A small network for the emulator's tests -*- C++
//-*-===//
//
// A conv with a delay, a pool, an inhibitory dense layer with a long delay
// and an excitatory one: delays of 1, 3 and 6 ticks, cores of 5 neurons,
// 60 ticks (EmulatorTest, DistributedTest).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_UNITTESTS_RUNTIME_SMALLNETWORK_H
#define SCNC_UNITTESTS_RUNTIME_SMALLNETWORK_H

namespace scnc {
namespace test {

constexpr const char *kSmallNetwork = R"(
simulation { timestep = 1 ms; presentation = 60 ms; neurons_per_core = 5; seed = 4; }
neuron lif : IF_curr_exp { tau_m = 10 ms; tau_refrac = 2 ms; v_thresh = -55 mV; i_offset = 0.2 nA; }
network small {
  input img { shape = 6 x 6 x 1; }
  conv c(img) { filters = 3; kernel = 3 x 3; weights = normal(mean = 2.5 nA, sigma = 1 nA, seed = 3); delay = 3 ms; neuron = lif; }
  pool p(c) { kernel = 2 x 2; weight = 4 nA; neuron = lif; }
  dense d(p) { units = 7; weights = normal(mean = 1.5 nA, sigma = 0.5 nA, seed = 9); receptor = inhibitory; delay = 6 ms; neuron = lif; }
  dense e(p) { units = 3; weights = 3 nA; neuron = lif; }
}
)";

} // namespace test
} // namespace scnc

#endif
