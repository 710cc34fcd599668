//===- AttributeReader.cpp - Attributes, constants and shared blocks ------===//
#include "scnc/IR/AttributeReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/Support/Npy.h"
#include "scnc/Syntax/Parser.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <cstring>

using namespace scnc;
using namespace llvm;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

bool scnc::checkUnique(StringMap<SMLoc> &seen, const Ident &id, StringRef what,
                       DiagnosticEngine &diag) {
  auto ins = seen.try_emplace(id.name, id.loc);
  if (ins.second)
    return true;
  diag.error(id.loc, "duplicate " + what + " '" + id.name + "'");
  diag.note(ins.first->second, "previous definition is here");
  return false;
}

void ConstantTable::addAll(const Module &m, DiagnosticEngine &diag) {
  StringMap<SMLoc> seen;
  for (const ConstDecl &c : m.constants) {
    if (!checkUnique(seen, c.name, "constant", diag))
      continue;
    // A constant may name an earlier one; store the resolved value.
    map[c.name.name] = &resolve(c.value);
  }
}

const Value *ConstantTable::lookup(StringRef name) const {
  auto it = map.find(name);
  return it == map.end() ? nullptr : it->second;
}

const Value &ConstantTable::resolve(const Value &v) const {
  if (v.kind == Value::Name)
    if (const Value *c = lookup(v.text))
      return *c;
  return v;
}

//===----------------------------------------------------------------------===//
// AttrReader
//===----------------------------------------------------------------------===//

AttrReader::AttrReader(const Block &block, DiagnosticEngine &diag,
                       const ConstantTable *consts, ArrayRef<StringRef> allowed,
                       std::string what)
    : block(block), diag(diag), consts(consts), whatText(std::move(what)) {
  StringMap<SMLoc> seen;
  for (const Attribute &a : block.attrs) {
    if (!is_contained(allowed, StringRef(a.name.name))) {
      StringRef guess = closestMatch(a.name.name, allowed);
      if (!guess.empty()) {
        suggested.push_back(guess);
        fail(a.name.loc, "unknown parameter '" + a.name.name + "' in " +
                             whatText + "; did you mean '" + guess + "'?");
      } else {
        fail(a.name.loc,
             "unknown parameter '" + a.name.name + "' in " + whatText);
      }
      continue;
    }
    if (!checkUnique(seen, a.name, "parameter", diag))
      good = false;
  }
}

bool AttrReader::fail(SMLoc loc, const Twine &msg) {
  diag.error(loc, msg);
  good = false;
  return false;
}

const Attribute *AttrReader::find(StringRef name) const {
  for (const Attribute &a : block.attrs)
    if (a.name.name == name)
      return &a;
  return nullptr;
}

SMLoc AttrReader::locOf(StringRef name) const {
  const Attribute *a = find(name);
  return a ? a->value.loc : block.loc;
}

bool AttrReader::require(StringRef name) {
  if (has(name))
    return true;
  // "unknown parameter 'filter'; did you mean 'filters'?" said it already.
  if (is_contained(suggested, name)) {
    good = false;
    return false;
  }
  return fail(block.loc, "missing parameter '" + name + "' in " + whatText);
}

const Value *AttrReader::get(StringRef name) {
  const Attribute *a = find(name);
  if (!a)
    return nullptr;
  return consts ? &consts->resolve(a->value) : &a->value;
}

bool AttrReader::toQuantity(const Value &vin, StringRef name, Dimension dim,
                            double &out) {
  const Value &v = consts ? consts->resolve(vin) : vin;
  if (v.kind != Value::Number) {
    if (dim == Dimension::None)
      return fail(vin.loc, "expected a number for '" + name + "'");
    return fail(vin.loc, "expected a " + dimensionName(dim) + " for '" + name +
                             "' (e.g. '1 " + canonicalUnit(dim) + "')");
  }
  double value = v.real;
  if (dim == Dimension::None) {
    if (!v.unit.name.empty())
      return fail(v.unit.loc, "'" + name +
                                  "' is dimensionless; unexpected unit '" +
                                  v.unit.name + "'");
    if (!std::isfinite(value))
      return fail(vin.loc, "'" + name + "' must be finite");
    out = value;
    return true;
  }
  if (v.unit.name.empty())
    return fail(vin.loc, "missing unit for '" + name + "': expected a " +
                             dimensionName(dim) + " in " + canonicalUnit(dim));
  Optional<Unit> u = lookupUnit(v.unit.name);
  if (!u) {
    static const StringRef all[] = {"ms", "s",  "us", "mV", "V",  "nF", "pF",
                                    "uF", "nA", "pA", "uA", "Hz", "kHz"};
    StringRef guess = closestMatch(v.unit.name, all);
    return fail(v.unit.loc,
                "unknown unit '" + v.unit.name + "'" +
                    (guess.empty()
                         ? std::string()
                         : ("; did you mean '" + guess + "'?").str()));
  }
  if (u->dim != dim)
    return fail(v.unit.loc, "wrong unit for '" + name + "': '" + v.unit.name +
                                "' is a " + dimensionName(u->dim) +
                                ", expected a " + dimensionName(dim) + " (" +
                                canonicalUnit(dim) + ")");
  // A literal beyond the range of a double (1e400) or one that the unit
  // scales beyond it (1e306 uA) would print as `inf`, which reads back as a
  // name.
  double scaled = value * u->scale;
  if (!std::isfinite(scaled))
    return fail(vin.loc, "'" + name + "' must be finite");
  out = scaled;
  return true;
}

void AttrReader::getQuantity(StringRef name, Dimension dim, double &out,
                             double min, bool minInclusive) {
  const Value *v = get(name);
  if (!v)
    return;
  double val;
  if (!toQuantity(*v, name, dim, val))
    return;
  if (!std::isfinite(val)) {
    fail(locOf(name), "'" + name + "' must be finite");
    return;
  }
  if (val < min || (!minInclusive && val == min)) {
    StringRef unit = canonicalUnit(dim);
    fail(locOf(name), "value out of range: '" + name + "' must be " +
                          (minInclusive ? ">= " : "> ") + formatNumber(min) +
                          (unit.empty() ? "" : " ") + unit + ", got " +
                          formatNumber(val) + (unit.empty() ? "" : " ") + unit);
    return;
  }
  out = val;
}

bool AttrReader::toUInt(const Value &vin, StringRef name, uint64_t &out,
                        uint64_t min, uint64_t max) {
  const Value &v = consts ? consts->resolve(vin) : vin;
  if (v.kind != Value::Number || !v.isInteger)
    return fail(vin.loc, "expected an integer for '" + name + "'");
  if (!v.unit.name.empty())
    return fail(v.unit.loc, "'" + name + "' is a count; unexpected unit '" +
                                v.unit.name + "'");
  if (v.negative && v.intMagnitude != 0)
    return fail(vin.loc, "value out of range: '" + name + "' must be >= " +
                             Twine(min) + ", got -" + Twine(v.intMagnitude));
  if (v.intMagnitude < min)
    return fail(vin.loc, "value out of range: '" + name + "' must be >= " +
                             Twine(min) + ", got " + Twine(v.intMagnitude));
  if (v.intMagnitude > max)
    return fail(vin.loc, "value out of range: '" + name + "' must be <= " +
                             Twine(max) + ", got " + Twine(v.intMagnitude));
  out = v.intMagnitude;
  return true;
}

void AttrReader::getUInt(StringRef name, uint64_t &out, uint64_t min,
                         uint64_t max) {
  if (const Value *v = get(name)) {
    uint64_t x;
    if (toUInt(*v, name, x, min, max))
      out = x;
  }
}

void AttrReader::getUInt32(StringRef name, uint32_t &out, uint32_t min) {
  uint64_t x = out;
  getUInt(name, x, min, UINT32_MAX);
  out = static_cast<uint32_t>(x);
}

void AttrReader::getNeuronsPerCore(uint32_t &out) {
  uint64_t n = out;
  getUInt("neurons_per_core", n, 1, kMaxNeuronsPerCore);
  out = uint32_t(n);
}

void AttrReader::getPair(StringRef name, Pair &out, uint32_t min) {
  const Value *v = get(name);
  if (!v)
    return;
  uint64_t h, w;
  if (v->kind == Value::Cross) {
    if (v->elements.size() != 2) {
      fail(v->loc, "expected 'H x W' for '" + name + "'");
      return;
    }
    if (toUInt(v->elements[0], name, h, min, UINT32_MAX) &&
        toUInt(v->elements[1], name, w, min, UINT32_MAX))
      out = Pair{uint32_t(h), uint32_t(w)};
    return;
  }
  if (toUInt(*v, name, h, min, UINT32_MAX))
    out = Pair{uint32_t(h), uint32_t(h)};
}

void AttrReader::getShape(StringRef name, Shape &out, bool allowUnknown) {
  const Value *v = get(name);
  if (!v)
    return;
  if (allowUnknown && v->kind == Value::Name && v->text == "unknown") {
    out = Shape();
    return;
  }
  if (v->kind != Value::Cross || v->elements.size() != 3) {
    fail(v->loc, "expected 'H x W x C' for '" + name + "'");
    return;
  }
  uint64_t d[3];
  for (int i = 0; i < 3; ++i)
    if (!toUInt(v->elements[i], name, d[i], 1, UINT32_MAX))
      return;
  uint64_t hw, n;
  if (__builtin_mul_overflow(d[0], d[1], &hw) ||
      __builtin_mul_overflow(hw, d[2], &n) || n > UINT32_MAX) {
    fail(v->loc, "shape " + Twine(d[0]) + "x" + Twine(d[1]) + "x" +
                     Twine(d[2]) + " of " + whatText +
                     " has too many neurons (the limit is 2^32 - 1)");
    return;
  }
  out = Shape{uint32_t(d[0]), uint32_t(d[1]), uint32_t(d[2])};
}

void AttrReader::getEnum(StringRef name, ArrayRef<StringRef> options,
                         unsigned &out) {
  const Value *v = get(name);
  if (!v)
    return;
  std::string list;
  for (StringRef o : options)
    list += (list.empty() ? "'" : ", '") + o.str() + "'";
  if (v->kind != Value::Name) {
    fail(v->loc, "expected one of " + list + " for '" + name + "'");
    return;
  }
  for (unsigned i = 0; i < options.size(); ++i)
    if (options[i] == v->text) {
      out = i;
      return;
    }
  StringRef guess = closestMatch(v->text, options);
  fail(v->loc, "invalid value '" + v->text + "' for '" + name +
                   "': expected one of " + list +
                   (guess.empty() ? std::string()
                                  : ("; did you mean '" + guess + "'?").str()));
}

void AttrReader::getBool(StringRef name, bool &out) {
  static const StringRef options[] = {"false", "true"};
  unsigned i = out;
  getEnum(name, options, i);
  out = i;
}

void AttrReader::getName(StringRef name, std::string &out) {
  const Value *v = get(name);
  if (!v)
    return;
  if (v->kind != Value::Name) {
    fail(v->loc, "expected a name for '" + name + "'");
    return;
  }
  out = v->text;
}

void AttrReader::getString(StringRef name, std::string &out) {
  const Value *v = get(name);
  if (!v)
    return;
  if (v->kind != Value::String) {
    fail(v->loc, "expected a string for '" + name + "'");
    return;
  }
  out = v->text;
}

bool AttrReader::toDense(const Value &sv, const Value &dv, bool allowDouble,
                         StringRef what, NumArray &a) {
  a = NumArray();
  ArrayRef<Value> dims =
      sv.kind == Value::Cross ? makeArrayRef(sv.elements) : makeArrayRef(sv);
  uint64_t count = 1;
  for (const Value &d : dims) {
    uint64_t n;
    if (!toUInt(d, "shape", n, 1, UINT32_MAX))
      return false;
    a.shape.push_back(n);
    count *= n;
    if (count > (uint64_t(1) << 32))
      return fail(sv.loc, what + " of more than 2^32 values");
  }
  if (dv.kind != Value::String)
    return fail(dv.loc, "expected a string of hexadecimal float32 values for "
                        "'data'");
  // 8 hex digits per value: float32 bits; with allowDouble also 16: float64.
  unsigned digits = dv.text.size() == count * 8 ? 8 : 16;
  if (dv.text.size() != count * 8 &&
      !(allowDouble && dv.text.size() == count * 16))
    return fail(dv.loc, "'data' has " + std::to_string(dv.text.size()) +
                            " hexadecimal digits, expected " +
                            std::to_string(count * 8) + " (8 per value, " +
                            std::to_string(count) + " values)" +
                            (allowDouble ? " or " + std::to_string(count * 16) +
                                               " (16 per value: float64)"
                                         : std::string()));
  a.data.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t bits = 0;
    if (StringRef(dv.text).substr(i * digits, digits).getAsInteger(16, bits))
      return fail(dv.loc, "'data': value " + std::to_string(i) + " is not " +
                              std::to_string(digits) + " hexadecimal digits");
    double v;
    if (digits == 8) {
      uint32_t b32 = uint32_t(bits);
      float f;
      std::memcpy(&f, &b32, 4);
      v = f;
    } else {
      std::memcpy(&v, &bits, 8);
    }
    if (!std::isfinite(v))
      return fail(dv.loc,
                  "'data': value " + std::to_string(i) + " is not finite");
    a.data[i] = v;
  }
  return true;
}

void AttrReader::getQuantityOrArray(StringRef name, Dimension dim, double &out,
                                    std::shared_ptr<const NumArray> &array,
                                    double min, bool minInclusive) {
  const Value *vp = get(name);
  if (!vp)
    return;
  if (vp->kind != Value::Call || vp->text != "dense") {
    getQuantity(name, dim, out, min, minInclusive);
    array.reset(); // a scalar replaces a base set's array
    return;
  }
  // dense(shape = N, data = "..."): one value per neuron, canonical unit.
  const Value *args[2] = {nullptr, nullptr};
  for (size_t i = 0; i < vp->elements.size(); ++i) {
    StringRef an = vp->argNames[i].name;
    size_t slot = an.empty() ? i : an == "shape" ? 0 : an == "data" ? 1 : 2;
    if (slot > 1 || args[slot]) {
      fail(vp->elements[i].loc, "'dense' takes 'shape' and 'data' once each");
      return;
    }
    args[slot] = &vp->elements[i];
  }
  if (!args[0] || !args[1]) {
    fail(vp->loc, "missing argument '" + Twine(args[0] ? "data" : "shape") +
                      "' of 'dense'");
    return;
  }
  auto a = std::make_shared<NumArray>();
  if (!toDense(*args[0], *args[1], true, "per-neuron '" + name.str() + "'", *a))
    return;
  if (a->shape.size() != 1) {
    fail(args[0]->loc, "per-neuron '" + name +
                           "' must be one-dimensional "
                           "(one value per neuron)");
    return;
  }
  StringRef unit = canonicalUnit(dim);
  for (size_t i = 0; i < a->data.size(); ++i) {
    double val = a->data[i];
    if (val < min || (!minInclusive && val == min)) {
      fail(vp->loc, "value out of range: '" + name + "' must be " +
                        (minInclusive ? ">= " : "> ") + formatNumber(min) +
                        (unit.empty() ? "" : " ") + unit + ", got " +
                        formatNumber(val) + (unit.empty() ? "" : " ") + unit +
                        " at neuron " + Twine(i));
      return;
    }
  }
  array = std::move(a);
}

void AttrReader::getWeightInit(StringRef name, WeightInit &out) {
  const Value *vp = get(name);
  if (!vp)
    return;
  const Value &v = *vp;
  if (v.kind == Value::Number) { // a plain weight
    double w;
    if (toQuantity(v, name, Dimension::Current, w))
      out = WeightInit::constant(w);
    return;
  }
  if (v.kind != Value::Call) {
    fail(v.loc, "expected a weight for '" + name +
                    "': a current, constant(...), normal(...), file(...), "
                    "dense(...), complement(...), shared(...) or mean(...)");
    return;
  }
  static const StringRef kinds[] = {"constant",   "normal", "file", "dense",
                                    "complement", "shared", "mean"};
  auto kindIt = llvm::find(kinds, StringRef(v.text));
  if (kindIt == std::end(kinds)) {
    StringRef guess = closestMatch(v.text, kinds);
    fail(v.loc,
         "unknown weight initialiser '" + v.text + "'" +
             (guess.empty() ? std::string()
                            : ("; did you mean '" + guess + "'?").str()));
    return;
  }
  // Arguments: named, or positional in the order of the parameter list.
  static const StringRef constantArgs[] = {"value"};
  static const StringRef normalArgs[] = {"mean", "sigma", "seed"};
  static const StringRef fileArgs[] = {"path"};
  static const StringRef denseArgs[] = {"shape", "data"};
  static const StringRef complementArgs[] = {"of", "scale", "w_max"};
  static const StringRef sharedArgs[] = {"of"};
  static const StringRef meanArgs[] = {"of", "scale"};
  ArrayRef<StringRef> params = v.text == "constant" ? makeArrayRef(constantArgs)
                               : v.text == "normal" ? makeArrayRef(normalArgs)
                               : v.text == "file"   ? makeArrayRef(fileArgs)
                               : v.text == "dense"  ? makeArrayRef(denseArgs)
                               : v.text == "shared" ? makeArrayRef(sharedArgs)
                               : v.text == "mean"
                                   ? makeArrayRef(meanArgs)
                                   : makeArrayRef(complementArgs);
  SmallVector<const Value *, 3> args(params.size(), nullptr);
  for (size_t i = 0; i < v.elements.size(); ++i) {
    const Ident &an = v.argNames[i];
    size_t slot = i;
    if (!an.name.empty()) {
      auto it = llvm::find(params, StringRef(an.name));
      if (it == params.end()) {
        StringRef guess = closestMatch(an.name, params);
        fail(an.loc,
             "unknown argument '" + an.name + "' of '" + v.text + "'" +
                 (guess.empty() ? std::string()
                                : ("; did you mean '" + guess + "'?").str()));
        return;
      }
      slot = it - params.begin();
    } else if (i >= params.size()) {
      fail(v.elements[i].loc, "too many arguments to '" + v.text + "'");
      return;
    }
    if (args[slot]) {
      fail(v.elements[i].loc,
           "argument '" + params[slot] + "' of '" + v.text + "' given twice");
      return;
    }
    args[slot] = &v.elements[i];
  }
  WeightInit w;
  w.kind = WeightInit::Kind(kindIt - std::begin(kinds));
  auto need = [&](size_t i) {
    if (args[i])
      return true;
    return fail(v.loc,
                "missing argument '" + params[i] + "' of '" + v.text + "'");
  };
  switch (w.kind) {
  case WeightInit::Constant:
    if (!need(0) || !toQuantity(*args[0], "value", Dimension::Current, w.value))
      return;
    break;
  case WeightInit::Normal:
    if (!need(0) || !need(1) ||
        !toQuantity(*args[0], "mean", Dimension::Current, w.mean) ||
        !toQuantity(*args[1], "sigma", Dimension::Current, w.sigma))
      return;
    if (w.sigma < 0) {
      fail(args[1]->loc, "value out of range: 'sigma' must be >= 0 nA, got " +
                             formatNumber(w.sigma) + " nA");
      return;
    }
    // No seed: the front end derives one from the simulation seed.
    w.seed = UINT64_MAX;
    if (args[2] && !toUInt(*args[2], "seed", w.seed, 0, UINT64_MAX - 1))
      return;
    break;
  case WeightInit::File: {
    if (!need(0))
      return;
    const Value &p = consts ? consts->resolve(*args[0]) : *args[0];
    if (p.kind != Value::String) {
      fail(p.loc, "expected a string for 'path'");
      return;
    }
    w.path = p.text;
    break;
  }
  case WeightInit::Dense: {
    if (!need(0) || !need(1))
      return;
    auto a = std::make_shared<NumArray>();
    if (!toDense(*args[0], *args[1], false, "dense weights", *a))
      return;
    w.array = std::move(a);
    break;
  }
  case WeightInit::Shared:
  case WeightInit::Mean:
  case WeightInit::Complement: {
    if (!need(0) || (w.kind != WeightInit::Shared && !need(1)) ||
        (w.kind == WeightInit::Complement && !need(2)))
      return;
    const Value &o = consts ? consts->resolve(*args[0]) : *args[0];
    if (o.kind != Value::String) {
      fail(o.loc, "expected a string for 'of' (a projection's name)");
      return;
    }
    w.of = o.text;
    if (w.kind == WeightInit::Shared)
      break;
    if (!toQuantity(*args[1], "scale", Dimension::None, w.scale) ||
        (w.kind == WeightInit::Complement &&
         !toQuantity(*args[2], "w_max", Dimension::Current, w.wMax)))
      return;
    if (w.scale < 0) {
      fail(args[1]->loc, "value out of range: 'scale' must be >= 0, got " +
                             formatNumber(w.scale));
      return;
    }
    break;
  }
  }
  out = w;
}

namespace {
const StringRef encodingKindList[] = {"rate", "poisson", "latency"};
// Every code ends with the optional difference-of-Gaussians pre-filter's
// sigmas (in pixels; 0: no filter).
const EncodingParam rateParams[] = {
    {"threshold", Dimension::None, 80, 0},
    {"factor", Dimension::None, 10, 0},
    {"max_spikes", Dimension::None, 10, 1},
    {"dog_centre", Dimension::None, 0, 0},
    {"dog_surround", Dimension::None, 0, 0},
};
const EncodingParam poissonParams[] = {
    {"max_rate", Dimension::Frequency, 100, 0},
    {"dog_centre", Dimension::None, 0, 0},
    {"dog_surround", Dimension::None, 0, 0},
};
const EncodingParam latencyParams[] = {
    {"t_max", Dimension::Time, 49, 0},
    {"dog_centre", Dimension::None, 0, 0},
    {"dog_surround", Dimension::None, 0, 0},
};
} // namespace

ArrayRef<StringRef> scnc::encodingKinds() { return encodingKindList; }

ArrayRef<EncodingParam> scnc::encodingParams(StringRef kind) {
  if (kind == "rate")
    return rateParams;
  if (kind == "poisson")
    return poissonParams;
  if (kind == "latency")
    return latencyParams;
  return {};
}

bool Encoding::isUnusedFilter(const std::pair<std::string, double> &p) {
  return p.second == 0 && StringRef(p.first).startswith("dog_");
}

void Encoding::dropUnusedFilter() { llvm::erase_if(params, isUnusedFilter); }

double Encoding::get(StringRef name) const {
  for (auto &p : params)
    if (p.first == name)
      return p.second;
  return 0;
}

void AttrReader::getEncoding(StringRef name, Encoding &out) {
  const Value *vp = get(name);
  if (!vp)
    return;
  const Value &v = *vp;
  if (v.kind != Value::Name && v.kind != Value::Call) {
    fail(v.loc, "expected an encoding for '" + name +
                    "' (rate(...), poisson(...) or latency(...))");
    return;
  }
  ArrayRef<StringRef> kinds = encodingKinds();
  if (!is_contained(kinds, StringRef(v.text))) {
    StringRef guess = closestMatch(v.text, kinds);
    fail(v.loc,
         "unknown encoding '" + v.text + "'" +
             (guess.empty() ? std::string()
                            : ("; did you mean '" + guess + "'?").str()));
    return;
  }
  Encoding e;
  e.kind = v.text;
  ArrayRef<EncodingParam> params = encodingParams(e.kind);
  for (const EncodingParam &p : params)
    e.params.push_back({p.name.str(), p.dflt});
  SmallVector<StringRef, 4> names;
  for (const EncodingParam &p : params)
    names.push_back(p.name);
  for (size_t i = 0; i < v.elements.size(); ++i) {
    const Ident &an = v.argNames[i];
    if (an.name.empty()) {
      fail(v.elements[i].loc, "arguments of encoding '" + e.kind +
                                  "' must be named (e.g. '" + names.front() +
                                  " = ...')");
      return;
    }
    auto it = llvm::find(names, StringRef(an.name));
    if (it == names.end()) {
      StringRef guess = closestMatch(an.name, names);
      fail(an.loc,
           "unknown argument '" + an.name + "' of encoding '" + e.kind + "'" +
               (guess.empty() ? std::string()
                              : ("; did you mean '" + guess + "'?").str()));
      return;
    }
    const EncodingParam &p = params[it - names.begin()];
    double x;
    if (!toQuantity(v.elements[i], p.name, p.dim, x))
      return;
    if (x < p.min) {
      fail(v.elements[i].loc, "value out of range: '" + p.name +
                                  "' must be >= " + formatNumber(p.min) +
                                  ", got " + formatNumber(x));
      return;
    }
    e.params[it - names.begin()].second = x;
  }
  e.dropUnusedFilter();
  out = e;
}

//===----------------------------------------------------------------------===//
// Shared blocks
//===----------------------------------------------------------------------===//

bool scnc::readNeuronSet(const Block &b, DiagnosticEngine &diag,
                         const ConstantTable *consts,
                         ArrayRef<NeuronParams> earlier, NeuronParams &out) {
  // Every parameter of any model, and `reset`: a parameter of another model
  // gets its own message below, not "unknown parameter".
  static const StringRef names[] = {
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS) #NAME,
#include "scnc/IR/NeuronParams.def"
      "reset"};
  out = NeuronParams();
  out.name = b.name.name;
  out.loc = b.loc;
  if (b.name.name.empty()) {
    diag.error(b.loc, "a neuron parameter set needs a name");
    return false;
  }
  // `: MODEL` (IF_curr_exp, the default, IF, LIF, CubaLIF) or `: base_set`
  // to start from another set (and its model).
  NeuronModelKind model = NeuronModelKind::IfCurrExp;
  if (!b.type.name.empty() && !parseNeuronModel(b.type.name, model)) {
    auto it = llvm::find_if(
        earlier, [&](const NeuronParams &n) { return n.name == b.type.name; });
    if (it == earlier.end()) {
      SmallVector<StringRef, 8> cands(neuronModelNames().begin(),
                                      neuronModelNames().end());
      for (const NeuronParams &n : earlier)
        cands.push_back(n.name);
      StringRef guess = closestMatch(b.type.name, cands);
      diag.error(b.type.loc,
                 "unknown neuron model or parameter set '" + b.type.name + "'" +
                     (guess.empty()
                          ? std::string()
                          : ("; did you mean '" + guess + "'?").str()));
      return false;
    }
    out = *it;
    out.name = b.name.name;
    out.loc = b.loc;
    model = out.modelKind();
  }
  out.model = neuronModelName(model).str();
  if (!b.children.empty())
    diag.error(b.children.front().loc,
               "unexpected block inside neuron set '" + b.name.name + "'");
  AttrReader r(b, diag, consts, names,
               "neuron parameter set '" + b.name.name + "'");
  bool good = true;
  for (const Attribute &a : b.attrs)
    if (is_contained(names, StringRef(a.name.name)) &&
        !neuronModelTakes(model, a.name.name)) {
      SmallString<96> takes;
      for (StringRef n : names)
        if (neuronModelTakes(model, n))
          (takes += takes.empty() ? "" : ", ") += n;
      diag.error(a.name.loc, "parameter '" + a.name.name +
                                 "' does not apply to neuron model '" +
                                 out.model + "' (neuron parameter set '" +
                                 out.name + "'; " + out.model + " takes " +
                                 takes + ")");
      good = false;
    }
#define SCNC_NEURON_PARAM(NAME, DIM, DEFAULT, MIN, INCL, MODELS)               \
  if (neuronModelTakes(model, #NAME))                                          \
    r.getQuantityOrArray(#NAME, Dimension::DIM, out.NAME,                      \
                         out.perNeuron[unsigned(NeuronParamId::NAME)], MIN,    \
                         INCL);
#include "scnc/IR/NeuronParams.def"
  if (model != NeuronModelKind::IfCurrExp && r.has("reset")) {
    static const StringRef resets[] = {"value", "subtract"};
    unsigned reset = out.resetSubtract ? 1 : 0;
    r.getEnum("reset", resets, reset);
    out.resetSubtract = reset == 1;
  }
  if (!good || !r.ok())
    return false;
  // Per-neuron arrays: NIR models only, all of one length.
  uint64_t count = out.perNeuronCount();
  for (unsigned k = 0; k < kNumNeuronParams; ++k) {
    const auto &a = out.perNeuron[k];
    if (!a)
      continue;
    StringRef pn = neuronParamName(NeuronParamId(k));
    if (model == NeuronModelKind::IfCurrExp) {
      diag.error(r.locOf(pn), "per-neuron '" + pn +
                                  "': IF_curr_exp takes one value per "
                                  "parameter (neuron parameter set '" +
                                  out.name + "')");
      return false;
    }
    if (a->data.size() != count) {
      diag.error(r.locOf(pn),
                 "per-neuron '" + pn + "' has " + Twine(a->data.size()) +
                     " values, another parameter of neuron parameter set '" +
                     out.name + "' " + Twine(count));
      return false;
    }
  }
  // Value reset needs v_thresh above v_reset (IF_curr_exp always resets to
  // the value); subtraction needs a positive step down. Per neuron when
  // the set has arrays.
  for (uint64_t i = 0; i < std::max<uint64_t>(count, 1); ++i) {
    NeuronParams one = count ? out.neuron(i) : NeuronParams();
    const NeuronParams &p = count ? one : out;
    std::string at = count ? " at neuron " + std::to_string(i) : "";
    if (p.v_thresh <= p.v_reset) {
      diag.error(r.locOf(r.has("v_thresh") ? "v_thresh" : "v_reset"),
                 "value out of range: 'v_thresh' (" + formatNumber(p.v_thresh) +
                     " mV) must be above 'v_reset' (" +
                     formatNumber(p.v_reset) + " mV)" + at +
                     " in neuron parameter set '" + out.name + "'");
      return false;
    }
    if (model == NeuronModelKind::CubaLif && p.tau_syn_E != p.tau_syn_I) {
      diag.error(r.locOf(r.has("tau_syn_I") ? "tau_syn_I" : "tau_syn_E"),
                 "CubaLIF has one synaptic current: 'tau_syn_E' (" +
                     formatNumber(p.tau_syn_E) + " ms) and 'tau_syn_I' (" +
                     formatNumber(p.tau_syn_I) + " ms) must be equal" + at +
                     " in neuron parameter set '" + out.name + "'");
      return false;
    }
  }
  return b.children.empty();
}

bool scnc::readStdpRule(const Block &b, DiagnosticEngine &diag,
                        const ConstantTable *consts, StdpRule &out) {
  static const StringRef names[] = {
      "rule",    "tau_plus",          "tau_minus",       "A_plus",
      "A_minus", "weight_dependence", "w_min",           "w_max",
      "init",    "wta_weight",        "winners_per_tick"};
  out = StdpRule();
  out.name = b.name.name;
  out.loc = b.loc;
  if (b.name.name.empty()) {
    diag.error(b.loc, "an STDP rule needs a name");
    return false;
  }
  AttrReader r(b, diag, consts, names, "STDP rule '" + b.name.name + "'");
  static const StringRef rules[] = {"pair"};
  unsigned rule = 0;
  r.getEnum("rule", rules, rule);
  r.getQuantity("tau_plus", Dimension::Time, out.tauPlus, 0, false);
  r.getQuantity("tau_minus", Dimension::Time, out.tauMinus, 0, false);
  r.getQuantity("A_plus", Dimension::None, out.aPlus, 0, true);
  r.getQuantity("A_minus", Dimension::None, out.aMinus, 0, true);
  static const StringRef deps[] = {"additive", "multiplicative"};
  unsigned dep = 0;
  r.getEnum("weight_dependence", deps, dep);
  out.dependence = StdpRule::WeightDependence(dep);
  r.getQuantity("w_min", Dimension::Current, out.wMin, 0, true);
  r.getQuantity("w_max", Dimension::Current, out.wMax, 0, true);
  out.init = WeightInit::constant(out.wMin);
  r.getWeightInit("init", out.init);
  r.getQuantity("wta_weight", Dimension::Current, out.wtaWeight, 0, true);
  // The image keeps it in 16 bits (docs/image-format.md, stdp-params).
  uint64_t winners = 0;
  r.getUInt("winners_per_tick", winners, 0, 65535);
  out.winnersPerTick = uint32_t(winners);
  if (r.ok() && out.wMax < out.wMin) {
    diag.error(r.locOf("w_max"),
               "value out of range: 'w_max' (" + formatNumber(out.wMax) +
                   " nA) must not be below 'w_min' (" + formatNumber(out.wMin) +
                   " nA) in STDP rule '" + out.name + "'");
    return false;
  }
  return r.ok();
}

bool scnc::readSimulation(const Block &b, DiagnosticEngine &diag,
                          const ConstantTable *consts, Simulation &out) {
  static const StringRef names[] = {"timestep", "presentation", "input_window",
                                    "neurons_per_core", "seed"};
  AttrReader r(b, diag, consts, names, "simulation settings");
  r.getQuantity("timestep", Dimension::Time, out.timestep, 0, false);
  r.getQuantity("presentation", Dimension::Time, out.presentation, 0, false);
  r.getQuantity("input_window", Dimension::Time, out.inputWindow, 0, false);
  r.getNeuronsPerCore(out.neuronsPerCore);
  r.getUInt("seed", out.seed, 0, UINT64_MAX - 1);
  if (r.ok() && out.inputWindow > out.presentation) {
    diag.error(r.locOf("input_window"),
               "value out of range: 'input_window' (" +
                   formatNumber(out.inputWindow) +
                   " ms) must not exceed 'presentation' (" +
                   formatNumber(out.presentation) + " ms)");
    return false;
  }
  if (r.ok() && out.timestep > out.inputWindow) {
    diag.error(r.locOf("timestep"),
               "value out of range: 'timestep' (" + formatNumber(out.timestep) +
                   " ms) must not exceed 'input_window' (" +
                   formatNumber(out.inputWindow) + " ms)");
    return false;
  }
  if (!b.children.empty()) {
    diag.error(b.children.front().loc, "unexpected block inside 'simulation'");
    return false;
  }
  return r.ok();
}

void scnc::readProjectionAttrs(AttrReader &r, Projection &p) {
  r.getUInt32("filters", p.filters, 1);
  r.getPair("kernel", p.kernel, 1);
  r.getPair("stride", p.stride, 1);
  r.getPair("padding", p.padding, 0);
  static const StringRef modes[] = {"standard", "per_map"};
  unsigned mode = unsigned(p.mode);
  r.getEnum("mode", modes, mode);
  p.mode = Projection::ChannelMode(mode);
  static const StringRef ops[] = {"sum", "average"};
  unsigned op = unsigned(p.poolOp);
  r.getEnum("op", ops, op);
  p.poolOp = Projection::PoolOp(op);
  r.getUInt32("units", p.units, 1);
  r.getBool("allow_self", p.allowSelf);
  r.getString("path", p.listPath);
  r.getQuantity("delay", Dimension::Time, p.delay, 0, false);
  static const StringRef receptors[] = {"excitatory", "inhibitory"};
  unsigned rec = unsigned(p.receptor);
  r.getEnum("receptor", receptors, rec);
  p.receptor = Projection::Receptor(rec);
}
