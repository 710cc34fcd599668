//===- NirWriter.cpp - A network as a NIR graph ---------------------------===//
//
// `scncc -emit=nir`: the frozen network as a NIR graph (HDF5, NIR 1.x
// layout), built in memory with HDF5's core driver and written atomically.
//
//   input population        Input (shape (C, H, W), or (N,) for 1 x 1 x N)
//   IF / LIF / CubaLIF set  the NIR node of the same name
//   IF_curr_exp set         CubaLIF (tau_mem = tau_m, r = tau_m / cm,
//                           tau_syn = tau_syn_E, w_in so that a weight w
//                           adds w (tau_syn/dt)(1 - exp(-dt/tau_syn)) to the
//                           current, as scnc's kernel does), with the exact
//                           parameters in the node's metadata
//   conv (standard)         Conv2d (the kernel, negated when inhibitory)
//   conv (per_map)          Conv2d with groups = 1 over every input map (the
//                           kernel on its own map, 0 elsewhere; NIR's grouped
//                           convolution orders its outputs by group, scnc's
//                           per-map layer by filter), metadata mode = per_map
//   pool                    SumPool2d, then Scale by the weight unless it is 1
//   dense, all_to_all,      Flatten (when the source is 3-D), then Linear
//   from_list               (the matrix from the connection list)
//   one_to_one              Scale
//   delay d > timestep      a Delay node of d - timestep (scnc's delay counts
//                           the one tick every spike takes)
//   i_offset                the bias of the population's first Conv2d or
//                           Linear (then Affine) input
//
// What NIR cannot say (the network's name and simulation settings, input
// encodings, neurons per core, the exact IF_curr_exp parameters, the order
// of populations) goes into `metadata` groups, keys prefixed scnc_; scncc
// reads them back (docs/interop.md), other tools ignore them.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/Connections.h"
#include "scnc/IR/Printer.h"
#include "scnc/Interop/Nir.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include <cmath>
#include <hdf5.h>
#include <map>

using namespace scnc;
using namespace llvm;

namespace {

/// Closes an HDF5 identifier.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  Id(hid_t id, herr_t (*close)(hid_t)) : id(id), close(close) {}
  Id(const Id &) = delete;
  ~Id() {
    if (id >= 0)
      close(id);
  }
  operator hid_t() const { return id; }
};

class Writer {
public:
  Writer(const Network &n) : net(n) {}
  Error run(std::vector<char> &image);

private:
  const Network &net;
  /// Creation properties without modification times: the same network
  /// gives the same bytes.
  hid_t gcpl = -1, dcpl = -1;
  bool ok = true;
  std::string problem;

  Error fail(const Twine &msg) {
    return createStringError(inconvertibleErrorCode(), msg);
  }
  void check(herr_t r, const char *what) {
    if (r < 0 && ok) {
      ok = false;
      problem = what;
    }
  }
  hid_t group(hid_t parent, const std::string &name) {
    hid_t g = H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT);
    check(g, "creating a group");
    return g;
  }
  void dataset(hid_t g, const std::string &name, hid_t fileType, hid_t memType,
               hid_t space, const void *data, const char *what);
  void strings(hid_t g, const std::string &name,
               const std::vector<const char *> &values,
               const std::vector<hsize_t> &shape);
  void string(hid_t g, const std::string &name, const std::string &value) {
    strings(g, name, {value.c_str()}, {});
  }
  void floats(hid_t g, const std::string &name, const std::vector<float> &v,
              const std::vector<uint64_t> &shape);
  void ints(hid_t g, const std::string &name, const std::vector<int64_t> &v,
            bool scalar = false);
  void number(hid_t g, const std::string &name, double v);
  std::vector<uint64_t> dims(const Population &p) const {
    if (p.shape.h == 1 && p.shape.w == 1)
      return {p.shape.c};
    return {p.shape.c, p.shape.h, p.shape.w};
  }
  void filled(hid_t g, const std::string &name, const Population &p, double v) {
    floats(g, name, std::vector<float>(p.shape.size(), float(v)), dims(p));
  }
  /// A neuron parameter over the population: its per-neuron values, or the
  /// one value filled in; divided by \p div (1000: ms to s).
  void param(hid_t g, const std::string &name, const Population &p,
             const NeuronParams &np, NeuronParamId id, double div = 1) {
    const auto &a = np.perNeuron[unsigned(id)];
    if (!a) {
      filled(g, name, p, np.get(id) / div);
      return;
    }
    std::vector<float> v;
    v.reserve(a->data.size());
    for (double x : a->data)
      v.push_back(float(x / div));
    floats(g, name, v, dims(p));
  }
  Error neuronNode(hid_t nodes, const Population &p, unsigned index);
};

void Writer::dataset(hid_t g, const std::string &name, hid_t fileType,
                     hid_t memType, hid_t space, const void *data,
                     const char *what) {
  Id ds(H5Dcreate2(g, name.c_str(), fileType, space, H5P_DEFAULT, dcpl,
                   H5P_DEFAULT),
        H5Dclose);
  check(ds < 0 ? -1
               : H5Dwrite(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
        what);
}

void Writer::strings(hid_t g, const std::string &name,
                     const std::vector<const char *> &values,
                     const std::vector<hsize_t> &shape) {
  Id t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  Id s(shape.empty()
           ? H5Screate(H5S_SCALAR)
           : H5Screate_simple(int(shape.size()), shape.data(), nullptr),
       H5Sclose);
  dataset(g, name, t, t, s, values.data(), "writing strings");
}

void Writer::floats(hid_t g, const std::string &name,
                    const std::vector<float> &v,
                    const std::vector<uint64_t> &shape) {
  std::vector<hsize_t> d(shape.begin(), shape.end());
  Id s(H5Screate_simple(int(d.size()), d.data(), nullptr), H5Sclose);
  dataset(g, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, s, v.data(),
          "writing an array");
}

void Writer::ints(hid_t g, const std::string &name,
                  const std::vector<int64_t> &v, bool scalar) {
  hsize_t d = v.size();
  Id s(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &d, nullptr),
       H5Sclose);
  dataset(g, name, H5T_STD_I64LE, H5T_NATIVE_INT64, s, v.data(),
          "writing integers");
}

void Writer::number(hid_t g, const std::string &name, double v) {
  Id s(H5Screate(H5S_SCALAR), H5Sclose);
  dataset(g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, &v,
          "writing a number");
}

Error Writer::neuronNode(hid_t nodes, const Population &p, unsigned index) {
  const NeuronParams *np = net.findNeuronSet(p.neuron);
  if (!np)
    return fail("population '" + p.name + "' has no neuron set");
  Id g(group(nodes, p.name), H5Gclose);
  Id meta(group(g, "metadata"), H5Gclose);
  number(meta, "scnc_index", index);
  number(meta, "scnc_neurons_per_core", p.neuronsPerCore);
  number(meta, "scnc_expected_rate", p.expectedRate);
  const std::string &m = np->model;
  if (m == "IF_curr_exp") {
    // The closest NIR node, and the exact set in the metadata.
    if (np->tau_syn_E != np->tau_syn_I)
      string(meta, "scnc_note",
             "tau_syn_I differs from tau_syn_E; NIR's CubaLIF has one "
             "synaptic time constant (tau_syn_E here)");
    string(g, "type", "CubaLIF");
    double dt = net.sim.timestep;
    double init = -std::expm1(-dt / np->tau_syn_E) * np->tau_syn_E / dt;
    filled(g, "tau_mem", p, np->tau_m / 1000.0);
    filled(g, "tau_syn", p, np->tau_syn_E / 1000.0);
    filled(g, "r", p, np->tau_m / np->cm);
    filled(g, "v_leak", p, np->v_rest);
    filled(g, "v_threshold", p, np->v_thresh);
    filled(g, "v_reset", p, np->v_reset);
    filled(g, "w_in", p, init * np->tau_syn_E / 1000.0);
    string(meta, "scnc_model", "IF_curr_exp");
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  if (neuronModelTakes(NeuronModelKind::IfCurrExp, #NAME))                     \
    number(meta, "scnc_" #NAME, np->NAME);
#include "scnc/IR/NeuronParams.def"
    return Error::success();
  }
  if (np->hasPerNeuron() && np->perNeuronCount() != p.shape.size())
    return fail("population '" + p.name +
                "': its neuron set's per-neuron "
                "values are not one per neuron");
  if (np->perNeuron[unsigned(NeuronParamId::v_init)])
    return fail("population '" + p.name +
                "': per-neuron v_init has no NIR node parameter");
  using Id = NeuronParamId;
  string(g, "type", m);
  param(g, "r", p, *np, Id::r);
  param(g, "v_threshold", p, *np, Id::v_thresh);
  param(g, "v_reset", p, *np, Id::v_reset);
  if (m == "LIF") {
    param(g, "tau", p, *np, Id::tau_m, 1000.0);
    param(g, "v_leak", p, *np, Id::v_rest);
  } else if (m == "CubaLIF") {
    param(g, "tau_mem", p, *np, Id::tau_m, 1000.0);
    param(g, "tau_syn", p, *np, Id::tau_syn_E, 1000.0);
    param(g, "v_leak", p, *np, Id::v_rest);
    param(g, "w_in", p, *np, Id::w_in);
  } else if (m != "IF") {
    return fail("population '" + p.name + "': neuron model '" + m +
                "' has no NIR node");
  }
  // NIR's arrays are float32: the exact values (IR units) beside them, which
  // scncc takes back when they agree with the arrays (v_init has no array).
  NeuronModelKind kind = np->modelKind();
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  if (neuronModelTakes(kind, #NAME))                                           \
    number(meta, "scnc_" #NAME, np->NAME);
#include "scnc/IR/NeuronParams.def"
  if (np->resetSubtract)
    string(meta, "scnc_reset", "subtract");
  return Error::success();
}

Error Writer::run(std::vector<char> &image) {
  if (!net.connections)
    return fail("the network's connections are not expanded");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_core(fapl, 1 << 20, 0);
  Id gc(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  Id dc(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  Id fc(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
  H5Pset_obj_track_times(gc, 0);
  H5Pset_obj_track_times(dc, 0);
  H5Pset_obj_track_times(fc, 0);
  gcpl = gc;
  dcpl = dc;
  Id file(H5Fcreate("scnc-nir-image", H5F_ACC_TRUNC, fc, fapl), H5Fclose);
  if (file < 0)
    return fail("cannot create an HDF5 file in memory");
  string(file, "version", "1.0.0");
  Id root(group(file, "node"), H5Gclose);
  string(root, "type", "NIRGraph");
  {
    Id meta(group(root, "metadata"), H5Gclose);
    string(meta, "scnc_network", net.name);
    number(meta, "scnc_timestep", net.sim.timestep);
    number(meta, "scnc_presentation", net.sim.presentation);
    number(meta, "scnc_input_window", net.sim.inputWindow);
    number(meta, "scnc_neurons_per_core", net.sim.neuronsPerCore);
    number(meta, "scnc_seed", double(net.sim.seed));
  }
  Id nodes(group(root, "nodes"), H5Gclose);
  std::vector<std::pair<std::string, std::string>> edges;
  // Populations.
  std::vector<bool> hasOutput(net.populations.size(), false);
  for (const Projection &pr : net.projections)
    hasOutput[pr.pre] = true;
  for (unsigned i = 0; i < net.populations.size(); ++i) {
    const Population &p = net.populations[i];
    if (p.kind == Population::Kind::Input) {
      Id g(group(nodes, p.name), H5Gclose);
      string(g, "type", "Input");
      std::vector<uint64_t> d = dims(p);
      ints(g, "shape", std::vector<int64_t>(d.begin(), d.end()));
      Id meta(group(g, "metadata"), H5Gclose);
      number(meta, "scnc_index", i);
      number(meta, "scnc_neurons_per_core", p.neuronsPerCore);
      string(meta, "scnc_encoding", p.encoding.kind);
      for (const auto &kv : p.encoding.params)
        number(meta, "scnc_encoding_" + kv.first, kv.second);
    } else if (Error e = neuronNode(nodes, p, i)) {
      return e;
    }
    if (!hasOutput[i]) {
      std::string out = p.name + ".output";
      Id g(group(nodes, out), H5Gclose);
      string(g, "type", "Output");
      std::vector<uint64_t> d = dims(p);
      ints(g, "shape", std::vector<int64_t>(d.begin(), d.end()));
      edges.push_back({p.name, out});
    }
  }
  // Projections.
  std::vector<bool> biasDone(net.populations.size(), false);
  for (size_t k = 0; k < net.projections.size(); ++k) {
    const Projection &pr = net.projections[k];
    const ConnectionList &l = net.connections->lists[k];
    const Population &src = net.populations[pr.pre];
    const Population &dst = net.populations[pr.post];
    double sign = pr.receptor == Projection::Receptor::Inhibitory ? -1 : 1;
    std::string name = pr.name;
    std::string last = src.name; // the node the next one reads
    auto edgeTo = [&](const std::string &node) {
      edges.push_back({last, node});
      last = node;
    };
    // The population's constant current rides on its first Conv2d or
    // Linear input.
    const NeuronParams *np = net.findNeuronSet(dst.neuron);
    // A per-neuron i_offset: per output unit of a Linear (Affine), per
    // output channel of a Conv2d (uniform within each channel).
    const auto &perBias =
        np ? np->perNeuron[unsigned(NeuronParamId::i_offset)] : nullptr;
    double bias = 0;
    std::vector<double> biases; // per neuron, when perBias
    bool wantsBias = np && (np->i_offset != 0 || perBias) && !biasDone[pr.post];
    auto takeBias = [&]() {
      if (!wantsBias)
        return;
      bias = np->i_offset;
      if (perBias) {
        biases = perBias->data;
        bias = 1; // not 0: the node has a bias
      }
      biasDone[pr.post] = true;
    };
    const Shape &in = src.shape, &out = dst.shape;
    Id g(group(nodes, name), H5Gclose);
    Id meta(group(g, "metadata"), H5Gclose);
    number(meta, "scnc_index", double(k));
    switch (pr.kind) {
    case Projection::Kind::Conv: {
      bool perMap = pr.mode == Projection::ChannelMode::PerMap;
      uint64_t F = out.c, C = in.c, kh = pr.kernel.h, kw = pr.kernel.w;
      std::vector<float> w(F * C * kh * kw, 0.0f);
      for (uint64_t o = 0; o < F; ++o)
        for (uint64_t c = 0; c < C; ++c) {
          if (perMap && c != o % C)
            continue;
          // Kernel element base of (output map o, input map c).
          uint64_t base = perMap ? (o / C) * kh * kw : (o * C + c) * kh * kw;
          for (uint64_t j = 0; j < kh * kw; ++j)
            w[(o * C + c) * kh * kw + j] = float(sign * l.weights[base + j]);
        }
      string(g, "type", "Conv2d");
      floats(g, "weight", w, {F, C, kh, kw});
      takeBias();
      std::vector<float> fb(F, float(bias));
      if (!biases.empty()) {
        uint64_t per = uint64_t(out.h) * out.w;
        for (uint64_t o = 0; o < F; ++o) {
          fb[o] = float(biases[o * per]);
          for (uint64_t e = 0; e < per; ++e)
            if (biases[o * per + e] != biases[o * per])
              return fail("population '" + dst.name +
                          "': its i_offset differs within output channel " +
                          Twine(o) + "; a Conv2d's bias is per channel");
        }
      }
      floats(g, "bias", fb, {F});
      ints(g, "stride", {pr.stride.h, pr.stride.w});
      ints(g, "padding", {pr.padding.h, pr.padding.w});
      ints(g, "dilation", {1, 1});
      ints(g, "groups", {1}, true);
      ints(g, "input_shape", {in.h, in.w});
      if (perMap)
        string(meta, "scnc_mode", "per_map");
      edgeTo(name);
      break;
    }
    case Projection::Kind::Pool: {
      string(g, "type", "SumPool2d");
      ints(g, "kernel_size", {pr.kernel.h, pr.kernel.w});
      ints(g, "stride", {pr.stride.h, pr.stride.w});
      ints(g, "padding", {pr.padding.h, pr.padding.w});
      edgeTo(name);
      double v = sign * (l.weights.empty() ? 0.0 : l.weights[0]);
      if (v != 1) {
        Id s(group(nodes, name + ".scale"), H5Gclose);
        string(s, "type", "Scale");
        filled(s, "scale", dst, v);
        edgeTo(name + ".scale");
      }
      break;
    }
    case Projection::Kind::OneToOne: {
      string(g, "type", "Scale");
      std::vector<float> s(l.size());
      for (uint64_t i = 0; i < l.size(); ++i)
        s[l.post[i]] = float(sign * l.weight(i));
      floats(g, "scale", s, dims(dst));
      edgeTo(name);
      break;
    }
    case Projection::Kind::Dense:
    case Projection::Kind::AllToAll:
    case Projection::Kind::FromList: {
      uint64_t nPre = in.size(), nPost = out.size();
      if (nPre * nPost > (uint64_t(1) << 28))
        return fail("projection '" + name + "': a " + Twine(nPost) + " x " +
                    Twine(nPre) +
                    " matrix is too large for a NIR Linear node here");
      std::vector<float> w(nPre * nPost, 0.0f);
      for (uint64_t i = 0; i < l.size(); ++i) {
        float &cell = w[uint64_t(l.post[i]) * nPre + l.pre[i]];
        if (cell != 0)
          return fail("projection '" + name + "': two synapses from " +
                      Twine(l.pre[i]) + " to " + Twine(l.post[i]) +
                      "; a NIR Linear node has one weight per pair");
        if (!l.delays.empty() && l.delays[i] != pr.delay)
          return fail("projection '" + name +
                      "': per-synapse delays; NIR has one Delay per node");
        cell = float(sign * l.weight(i));
      }
      if (in.h != 1 || in.w != 1) {
        // Linear reads a vector: flatten (C, H, W) first (C-order, as scnc
        // numbers neurons).
        Id f(group(nodes, name + ".flatten"), H5Gclose);
        string(f, "type", "Flatten");
        ints(f, "start_dim", {0}, true);
        ints(f, "end_dim", {-1}, true);
        Id it(group(f, "input_type"), H5Gclose);
        ints(it, "input", {in.c, in.h, in.w});
        edgeTo(name + ".flatten");
      }
      takeBias();
      string(g, "type", bias != 0 ? "Affine" : "Linear");
      floats(g, "weight", w, {nPost, nPre});
      if (bias != 0) {
        std::vector<float> fb(nPost, float(bias));
        for (uint64_t e = 0; e < biases.size() && e < nPost; ++e)
          fb[e] = float(biases[e]);
        floats(g, "bias", fb, {nPost});
      }
      edgeTo(name);
      break;
    }
    }
    double extra = pr.delay - net.sim.timestep;
    if (extra > 0) {
      Id d(group(nodes, name + ".delay"), H5Gclose);
      string(d, "type", "Delay");
      filled(d, "delay", dst, extra / 1000.0);
      edgeTo(name + ".delay");
    }
    edges.push_back({last, dst.name});
  }
  for (size_t i = 0; i < net.populations.size(); ++i)
    if (net.populations[i].kind == Population::Kind::Neurons && !biasDone[i]) {
      const NeuronParams *np = net.findNeuronSet(net.populations[i].neuron);
      if (np && (np->i_offset != 0 ||
                 np->perNeuron[unsigned(NeuronParamId::i_offset)]))
        return fail("population '" + net.populations[i].name +
                    "': i_offset = " + formatNumber(np->i_offset) +
                    " nA needs a convolution or dense input to carry it as "
                    "a NIR bias");
    }
  // Edges: (n, 2) strings.
  std::vector<const char *> c;
  for (auto &e : edges) {
    c.push_back(e.first.c_str());
    c.push_back(e.second.c_str());
  }
  strings(root, "edges", c, {edges.size(), 2});
  if (!ok)
    return fail("HDF5 failed " + problem);
  H5Fflush(file, H5F_SCOPE_GLOBAL);
  ssize_t size = H5Fget_file_image(file, nullptr, 0);
  if (size <= 0)
    return fail("HDF5 gave no file image");
  image.resize(size_t(size));
  if (H5Fget_file_image(file, image.data(), image.size()) != size)
    return fail("HDF5 gave a short file image");
  return Error::success();
}

} // namespace

Error scnc::writeNir(const Network &n, StringRef path) {
  std::vector<char> image;
  Writer w(n);
  if (Error e = w.run(image))
    return e;
  return writeSeekableOutputAtomically(path, [&](raw_pwrite_stream &os) {
    os.write(image.data(), image.size());
    return Error::success();
  });
}
