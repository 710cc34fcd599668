//===- Svm.cpp - liblinear's L2R_L2LOSS_SVC_DUAL, JSON models -------------===//
#include "scnc/Learning/Svm.h"
#include "scnc/Support/ChildProcess.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <linear.h>
#include <map>
#include <nlohmann/json.hpp>

using namespace scnc;
using namespace llvm;
using nlohmann::json;

static Error svmError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

void FeatureMatrix::addRow(ArrayRef<double> values) {
  if (rows == 0 && cols == 0)
    cols = values.size();
  assert(values.size() == cols && "row of the wrong length");
  data.insert(data.end(), values.begin(), values.end());
  ++rows;
}

StringRef scnc::scalingName(FeatureScaling s) {
  return s == FeatureScaling::None       ? "none"
         : s == FeatureScaling::UnitNorm ? "unit_norm"
                                         : "unit_norm_per_source";
}

//===----------------------------------------------------------------------===//
// liblinear glue
//===----------------------------------------------------------------------===//

namespace {
/// Where liblinear's messages go while a model trains (never to stdout).
thread_local std::string *logSink = nullptr;
void captureLiblinear(const char *s) {
  if (logSink)
    *logSink += s;
}

/// One sample in liblinear's sparse form: the non-zero features (1-based),
/// the bias feature, the terminator.
void toNodes(ArrayRef<double> x, double bias, std::vector<feature_node> &out) {
  out.clear();
  for (size_t j = 0; j < x.size(); ++j)
    if (x[j] != 0)
      out.push_back({int(j + 1), x[j]});
  if (bias >= 0)
    out.push_back({int(x.size() + 1), bias});
  out.push_back({-1, 0});
}

/// Decision functions liblinear keeps for a model.
int numDecisionFunctions(const model &m) {
  return m.nr_class == 2 && m.param.solver_type != MCSVM_CS ? 1 : m.nr_class;
}
int numWeightsPerFunction(const model &m) {
  return m.nr_feature + (m.bias >= 0 ? 1 : 0);
}
} // namespace

namespace {

/// liblinear's one-vs-rest multi-class training, one class at a time in
/// its own process (at most o.jobs at once): liblinear draws its visiting
/// order with the C library's rand(), global state that threads would
/// share. Class k (labels in order of first appearance, as liblinear
/// numbers them) is a two-class problem, its samples first (so that
/// liblinear's first label is the class), solved after srand(o.seed):
/// each class's weights depend on the data and the seed only, not on the
/// order or the number of processes. (liblinear's own multi-class loop
/// continues one rand() sequence through the classes; these models differ
/// from its by that alone.)
/// The solver's messages go to \p log, class by class.
Expected<model *> trainOneVsRest(const problem &prob, const parameter &param,
                                 ArrayRef<int> y, const SvmOptions &o,
                                 std::string &log) {
  std::vector<int> order;
  for (int l : y)
    if (!is_contained(order, l))
      order.push_back(l);
  const unsigned classes = unsigned(order.size());
  const size_t wSize = size_t(prob.n);
  auto trainClass = [&](unsigned k) {
    std::vector<feature_node *> bx;
    std::vector<double> by;
    bx.reserve(size_t(prob.l));
    by.reserve(size_t(prob.l));
    for (int pass = 0; pass < 2; ++pass)
      for (size_t r = 0; r < size_t(prob.l); ++r)
        if ((y[r] == order[k]) == (pass == 0)) {
          bx.push_back(prob.x[r]);
          by.push_back(pass == 0 ? 1 : -1);
        }
    problem bp = prob;
    bp.x = bx.data();
    bp.y = by.data();
    std::string classLog;
    logSink = &classLog;
    set_print_string_function(captureLiblinear);
    std::srand(o.seed);
    model *m = ::train(&bp, &param);
    logSink = nullptr;
    std::string out(reinterpret_cast<const char *>(m->w), wSize * 8);
    free_and_destroy_model(&m);
    return out + classLog;
  };
  std::vector<std::string> results(classes);
  if (o.jobs <= 1) {
    for (unsigned k = 0; k < classes; ++k)
      results[k] = trainClass(k);
  } else {
    ChildOptions co;
    co.jobs = o.jobs;
    Expected<std::vector<ChildResult>> children =
        runInChildren(classes, trainClass, co);
    if (!children)
      return children.takeError();
    for (unsigned k = 0; k < classes; ++k) {
      const ChildResult &c = (*children)[k];
      if (!c.ok() || c.bytes.size() < wSize * 8)
        return svmError("liblinear's process for class " + Twine(order[k]) +
                        (c.exited
                             ? " failed (exit status " + Twine(c.code) + ")"
                             : " was killed (signal " + Twine(c.code) + ")"));
      results[k] = c.bytes;
    }
  }
  // One model as liblinear's multi-class training leaves it: weight j of
  // class k at w[j * classes + k].
  model *mp = static_cast<model *>(std::calloc(1, sizeof(model)));
  mp->param = param;
  mp->nr_class = int(classes);
  mp->nr_feature = prob.bias >= 0 ? prob.n - 1 : prob.n;
  mp->bias = prob.bias;
  mp->w = static_cast<double *>(std::malloc(sizeof(double) * wSize * classes));
  mp->label = static_cast<int *>(std::malloc(sizeof(int) * classes));
  log.clear();
  for (unsigned k = 0; k < classes; ++k) {
    mp->label[k] = order[k];
    const char *w = results[k].data();
    for (size_t j = 0; j < wSize; ++j)
      std::memcpy(&mp->w[j * classes + k], w + j * 8, 8);
    log += "class " + std::to_string(order[k]) + ":\n" +
           results[k].substr(wSize * 8);
  }
  return mp;
}
} // namespace

void LinearSvm::ModelDeleter::operator()(model *p) const {
  if (p)
    free_and_destroy_model(&p);
}

LinearSvm::LinearSvm() = default;
LinearSvm::LinearSvm(LinearSvm &&) = default;
LinearSvm &LinearSvm::operator=(LinearSvm &&) = default;
LinearSvm::~LinearSvm() = default;

void scnc::unitNormBlocks(MutableArrayRef<double> x, ArrayRef<size_t> blocks,
                          ArrayRef<double> weights) {
  size_t at = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    MutableArrayRef<double> block = x.slice(at, blocks[b]);
    at += blocks[b];
    double sq = 0;
    for (double v : block)
      sq += v * v;
    if (sq == 0)
      continue;
    double norm = std::sqrt(sq);
    for (double &v : block)
      v /= norm;
    if (!weights.empty())
      for (double &v : block)
        v *= weights[b];
  }
}

std::vector<double> LinearSvm::scaled(ArrayRef<double> features) const {
  std::vector<double> x(features.begin(), features.end());
  if (opts.scaling == FeatureScaling::UnitNorm)
    unitNormBlocks(x, {x.size()});
  if (opts.scaling == FeatureScaling::UnitNormPerSource)
    unitNormBlocks(x, opts.blocks);
  return x;
}

Expected<LinearSvm> LinearSvm::train(const FeatureMatrix &x, ArrayRef<int> y,
                                     const SvmOptions &options) {
  if (x.rows == 0)
    return svmError("no training samples");
  if (y.size() != x.rows)
    return svmError(Twine(y.size()) + " labels for " + Twine(x.rows) +
                    " samples");
  if (x.cols == 0)
    return svmError("the samples have no features");
  if (x.cols >= size_t(INT_MAX) || x.rows >= size_t(INT_MAX))
    return svmError("too many samples or features for liblinear");
  for (size_t r = 0; r < x.rows; ++r)
    for (size_t c = 0; c < x.cols; ++c)
      if (!std::isfinite(x.data[r * x.cols + c]))
        return svmError("feature " + Twine(c) + " of sample " + Twine(r) +
                        " is not finite");
  std::vector<int> distinct(y.begin(), y.end());
  llvm::sort(distinct);
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() < 2)
    return svmError("training needs at least two classes; every sample has "
                    "label " +
                    Twine(distinct.front()));
  if (!(options.C > 0) || !(options.eps > 0) || !std::isfinite(options.bias))
    return svmError("C and eps must be > 0 and bias finite");
  if (options.scaling == FeatureScaling::UnitNormPerSource) {
    size_t sum = 0;
    for (size_t b : options.blocks)
      sum += b;
    if (sum != x.cols || llvm::is_contained(options.blocks, size_t(0)))
      return svmError("per-source feature blocks of " + Twine(sum) +
                      " features for samples of " + Twine(x.cols) +
                      " (blocks must be non-empty and cover every feature)");
  }

  LinearSvm svm;
  svm.opts = options;
  std::vector<std::vector<feature_node>> nodes(x.rows);
  std::vector<feature_node *> rows(x.rows);
  std::vector<double> labels(x.rows);
  for (size_t r = 0; r < x.rows; ++r) {
    toNodes(svm.scaled(x.row(r)), options.bias, nodes[r]);
    rows[r] = nodes[r].data();
    labels[r] = double(y[r]);
  }
  problem prob{};
  prob.l = int(x.rows);
  prob.n = int(x.cols) + (options.bias >= 0 ? 1 : 0);
  prob.y = labels.data();
  prob.x = rows.data();
  prob.bias = options.bias;
  parameter param{};
  param.solver_type = L2R_L2LOSS_SVC_DUAL;
  param.eps = options.eps;
  param.C = options.C;
  param.p = 0.1;
  if (const char *msg = check_parameter(&prob, &param))
    return svmError(Twine("liblinear: ") + msg);

  svm.log.clear();
  if (distinct.size() == 2) {
    logSink = &svm.log;
    set_print_string_function(captureLiblinear);
    std::srand(options.seed);
    svm.m.reset(::train(&prob, &param));
    logSink = nullptr;
    // The model keeps a copy of `param`; it points at nothing we own.
  } else {
    Expected<model *> m = trainOneVsRest(prob, param, y, options, svm.log);
    if (!m)
      return m.takeError();
    svm.m.reset(*m);
  }
  svm.didConverge =
      svm.log.find("reaching max number of iterations") == std::string::npos;
  for (int i = 0,
           n = numDecisionFunctions(*svm.m) * numWeightsPerFunction(*svm.m);
       i < n; ++i)
    if (!std::isfinite(svm.m->w[i]))
      return svmError("liblinear produced a weight that is not finite");
  return svm;
}

std::vector<double> LinearSvm::decisionValues(ArrayRef<double> features) const {
  assert(m && features.size() == size_t(m->nr_feature));
  std::vector<feature_node> nodes;
  toNodes(scaled(features), m->bias, nodes);
  std::vector<double> dec(m->nr_class);
  predict_values(m.get(), nodes.data(), dec.data());
  dec.resize(numDecisionFunctions(*m));
  return dec;
}

int LinearSvm::predict(ArrayRef<double> features) const {
  assert(m && features.size() == size_t(m->nr_feature));
  std::vector<feature_node> nodes;
  toNodes(scaled(features), m->bias, nodes);
  return int(::predict(m.get(), nodes.data()));
}

std::vector<int> LinearSvm::predictAll(const FeatureMatrix &x) const {
  std::vector<int> out;
  out.reserve(x.rows);
  for (size_t r = 0; r < x.rows; ++r)
    out.push_back(predict(x.row(r)));
  return out;
}

std::vector<int> LinearSvm::labels() const {
  return std::vector<int>(m->label, m->label + m->nr_class);
}

unsigned LinearSvm::numFeatures() const { return unsigned(m->nr_feature); }

//===----------------------------------------------------------------------===//
// JSON models
//===----------------------------------------------------------------------===//

std::string LinearSvm::toJson() const {
  assert(m);
  std::string s;
  raw_string_ostream os(s);
  os << "{\n";
  os << "  \"format\": \"scnc-linear-svm\",\n";
  os << "  \"version\": 1,\n";
  os << "  \"solver\": \"L2R_L2LOSS_SVC_DUAL\",\n";
  os << "  \"C\": " << json(opts.C).dump() << ",\n";
  os << "  \"eps\": " << json(opts.eps).dump() << ",\n";
  os << "  \"bias\": " << json(m->bias).dump() << ",\n";
  os << "  \"feature_scaling\": \"" << scalingName(opts.scaling) << "\",\n";
  if (opts.scaling == FeatureScaling::UnitNormPerSource)
    os << "  \"feature_blocks\": " << json(opts.blocks).dump() << ",\n";
  os << "  \"features\": " << m->nr_feature << ",\n";
  os << "  \"labels\": " << json(labels()).dump() << ",\n";
  os << "  \"weights\": [";
  int nrW = numDecisionFunctions(*m), nW = numWeightsPerFunction(*m);
  for (int i = 0; i < nrW; ++i) {
    std::vector<double> row(nW);
    for (int j = 0; j < nW; ++j)
      row[j] = m->w[size_t(j) * nrW + i];
    os << (i ? ",\n    " : "\n    ") << json(row).dump();
  }
  os << "\n  ]\n}\n";
  return os.str();
}

Error LinearSvm::save(StringRef path) const {
  std::string text = toJson();
  return writeOutputAtomically(path, [&](raw_ostream &os) {
    os << text;
    return Error::success();
  });
}

Expected<LinearSvm> LinearSvm::load(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = MemoryBuffer::getFile(path);
  if (!buf)
    return svmError("'" + path + "': cannot read: " + buf.getError().message());
  return fromJson((*buf)->getBuffer(), path);
}

Expected<LinearSvm> LinearSvm::fromJson(StringRef text, StringRef name) {
  auto fail = [&](const Twine &msg) {
    return svmError("'" + name + "': " + msg);
  };
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return fail("not valid JSON");
  if (!j.is_object() || !j.contains("format") ||
      j["format"] != "scnc-linear-svm")
    return fail("not an scnc SVM model (expected \"format\": "
                "\"scnc-linear-svm\")");
  if (!j.contains("version") || j["version"] != 1)
    return fail("unsupported model version (expected 1)");
  if (!j.contains("solver") || j["solver"] != "L2R_L2LOSS_SVC_DUAL")
    return fail("unsupported solver (expected \"L2R_L2LOSS_SVC_DUAL\")");
  double num[3];
  const char *numKeys[3] = {"C", "eps", "bias"};
  for (int k = 0; k < 3; ++k) {
    if (!j.contains(numKeys[k]) || !j[numKeys[k]].is_number())
      return fail(Twine("'") + numKeys[k] + "' must be a number");
    num[k] = j[numKeys[k]].get<double>();
  }
  SvmOptions opts;
  opts.C = num[0];
  opts.eps = num[1];
  opts.bias = num[2];
  const char *scalings = "'feature_scaling' must be \"none\", \"unit_norm\" or "
                         "\"unit_norm_per_source\"";
  if (!j.contains("feature_scaling") || !j["feature_scaling"].is_string())
    return fail(scalings);
  std::string sc = j["feature_scaling"].get<std::string>();
  if (sc == "none")
    opts.scaling = FeatureScaling::None;
  else if (sc == "unit_norm")
    opts.scaling = FeatureScaling::UnitNorm;
  else if (sc == "unit_norm_per_source")
    opts.scaling = FeatureScaling::UnitNormPerSource;
  else
    return fail(Twine(scalings) + ", got \"" + sc + "\"");
  if (!j.contains("features") || !j["features"].is_number_unsigned() ||
      j["features"].get<uint64_t>() < 1 ||
      j["features"].get<uint64_t>() >= uint64_t(INT_MAX))
    return fail("'features' must be a whole number >= 1");
  int features = int(j["features"].get<uint64_t>());
  if (opts.scaling == FeatureScaling::UnitNormPerSource) {
    const char *bad = "'feature_blocks' must be a list of whole numbers >= 1 "
                      "that sum to 'features'";
    if (!j.contains("feature_blocks") || !j["feature_blocks"].is_array() ||
        j["feature_blocks"].empty())
      return fail(bad);
    uint64_t sum = 0;
    for (const json &b : j["feature_blocks"]) {
      if (!b.is_number_unsigned() || b.get<uint64_t>() < 1 ||
          b.get<uint64_t>() > uint64_t(features))
        return fail(bad);
      sum += b.get<uint64_t>();
      opts.blocks.push_back(size_t(b.get<uint64_t>()));
    }
    if (sum != uint64_t(features))
      return fail(bad);
  } else if (j.contains("feature_blocks")) {
    return fail("'feature_blocks' belongs to \"unit_norm_per_source\" "
                "models only");
  }
  if (!j.contains("labels") || !j["labels"].is_array() ||
      j["labels"].size() < 2)
    return fail("'labels' must be a list of at least two class labels");
  std::vector<int> labels;
  for (const json &l : j["labels"]) {
    if (!l.is_number_integer() || l.get<int64_t>() < INT_MIN ||
        l.get<int64_t>() > INT_MAX)
      return fail("'labels' must hold whole numbers");
    int v = int(l.get<int64_t>());
    if (is_contained(labels, v))
      return fail("label " + Twine(v) + " appears twice in 'labels'");
    labels.push_back(v);
  }
  int nrClass = int(labels.size());
  int nrW = nrClass == 2 ? 1 : nrClass;
  int nW = features + (opts.bias >= 0 ? 1 : 0);
  if (!j.contains("weights") || !j["weights"].is_array())
    return fail("'weights' must be a list of weight vectors");
  const json &w = j["weights"];
  if (w.size() != size_t(nrW))
    return fail("'weights' has " + Twine(w.size()) +
                (w.size() == 1 ? " vector" : " vectors") + ", expected " +
                Twine(nrW) +
                (nrClass == 2 ? " (one for two classes)" : " (one per class)"));
  std::vector<double> weights(size_t(nrW) * nW);
  for (int i = 0; i < nrW; ++i) {
    const json &row = w[i];
    if (!row.is_array() || row.size() != size_t(nW))
      return fail("weight vector " + Twine(i) + " has " +
                  Twine(row.is_array() ? row.size() : 0) +
                  " numbers, expected " + Twine(nW) + " (" + Twine(features) +
                  " features" + (opts.bias >= 0 ? " + bias" : "") + ")");
    for (int k = 0; k < nW; ++k) {
      if (!row[k].is_number() || !std::isfinite(row[k].get<double>()))
        return fail("weight " + Twine(k) + " of vector " + Twine(i) +
                    " is not a finite number");
      weights[size_t(k) * nrW + i] = row[k].get<double>();
    }
  }

  // A liblinear model in memory that liblinear frees (malloc'd parts).
  model *mp = static_cast<model *>(std::calloc(1, sizeof(model)));
  mp->param.solver_type = L2R_L2LOSS_SVC_DUAL;
  mp->param.eps = opts.eps;
  mp->param.C = opts.C;
  mp->param.p = 0.1;
  mp->nr_class = nrClass;
  mp->nr_feature = features;
  mp->bias = opts.bias;
  mp->w = static_cast<double *>(std::malloc(sizeof(double) * weights.size()));
  std::copy(weights.begin(), weights.end(), mp->w);
  mp->label = static_cast<int *>(std::malloc(sizeof(int) * labels.size()));
  std::copy(labels.begin(), labels.end(), mp->label);
  LinearSvm svm;
  svm.m.reset(mp);
  svm.opts = opts;
  return svm;
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

Evaluation scnc::evaluate(ArrayRef<int> truth, ArrayRef<int> predicted) {
  assert(truth.size() == predicted.size());
  Evaluation e;
  e.labels.assign(truth.begin(), truth.end());
  e.labels.insert(e.labels.end(), predicted.begin(), predicted.end());
  llvm::sort(e.labels);
  e.labels.erase(std::unique(e.labels.begin(), e.labels.end()), e.labels.end());
  std::map<int, size_t> pos;
  for (size_t i = 0; i < e.labels.size(); ++i)
    pos[e.labels[i]] = i;
  e.confusion.assign(e.labels.size(),
                     std::vector<uint64_t>(e.labels.size(), 0));
  for (size_t i = 0; i < truth.size(); ++i) {
    ++e.confusion[pos[truth[i]]][pos[predicted[i]]];
    e.correct += truth[i] == predicted[i];
  }
  e.total = truth.size();
  return e;
}

std::vector<std::vector<double>> Evaluation::rowNormalised() const {
  std::vector<std::vector<double>> out;
  for (const std::vector<uint64_t> &row : confusion) {
    uint64_t sum = 0;
    for (uint64_t v : row)
      sum += v;
    std::vector<double> r(row.size(), 0);
    for (size_t j = 0; j < row.size(); ++j)
      r[j] = sum ? double(row[j]) / double(sum) : 0;
    out.push_back(r);
  }
  return out;
}

std::string Evaluation::format() const {
  std::string s;
  raw_string_ostream os(s);
  os << "accuracy " << llvm::format("%.4f", accuracy()) << " (" << correct
     << " of " << total << ")\n";
  os << "true\\pred";
  for (int l : labels)
    os << llvm::format("%7d", l);
  os << "\n";
  for (size_t i = 0; i < labels.size(); ++i) {
    os << llvm::format("%9d", labels[i]);
    for (uint64_t v : confusion[i])
      os << llvm::format("%7llu", (unsigned long long)v);
    os << "\n";
  }
  return os.str();
}

Error scnc::writeLibsvm(raw_ostream &os, const FeatureMatrix &x,
                        ArrayRef<int> y) {
  if (y.size() != x.rows)
    return svmError(Twine(y.size()) + " labels for " + Twine(x.rows) +
                    " samples");
  for (size_t r = 0; r < x.rows; ++r) {
    os << y[r];
    ArrayRef<double> row = x.row(r);
    for (size_t c = 0; c < row.size(); ++c) {
      if (row[c] == 0)
        continue;
      if (!std::isfinite(row[c]))
        return svmError("feature " + Twine(c) + " of sample " + Twine(r) +
                        " is not finite");
      os << ' ' << (c + 1) << ':' << format("%.17g", row[c]);
    }
    os << '\n';
  }
  return Error::success();
}
