//===- NirReader.cpp - The HDF5 tree of a NIR file ------------------------===//
//
// Reads a NIR file into a NirGraph with HDF5's C API: every node group's
// `type` string and its datasets (numbers as double, strings from
// variable- or fixed-length string types), NIRGraph `nodes` recursively and
// `edges` as pairs of strings. Both layouts: 0.2 (Flatten's `input_type` a
// dataset) and 1.x (`input_type`/`output_type` groups, `metadata` groups,
// gzip-compressed datasets).
//
//===----------------------------------------------------------------------===//
#include "scnc/Interop/Nir.h"
#include "scnc/Support/ChildProcess.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <hdf5.h>

using namespace scnc;
using namespace llvm;

namespace {

/// Closes an HDF5 identifier with its own close function.
class H5Id {
public:
  H5Id(hid_t id, herr_t (*close)(hid_t)) : id(id), close(close) {}
  H5Id(const H5Id &) = delete;
  H5Id &operator=(const H5Id &) = delete;
  ~H5Id() {
    if (id >= 0)
      close(id);
  }
  operator hid_t() const { return id; }
  bool ok() const { return id >= 0; }

private:
  hid_t id;
  herr_t (*close)(hid_t);
};

class Reader {
public:
  explicit Reader(StringRef file) : file(file.str()) {}
  Error readGroup(hid_t group, const std::string &path, const std::string &name,
                  NirNode &out);
  Error readDataset(hid_t loc, const std::string &name, const std::string &path,
                    NirValue &out);
  Error fail(const std::string &path, const Twine &msg) {
    return createStringError(inconvertibleErrorCode(),
                             file + ": " + path + ": " + msg.str());
  }

private:
  std::string file;
};

/// Member names of a group in increasing name order (HDF5's index).
std::vector<std::string> memberNames(hid_t group) {
  std::vector<std::string> names;
  H5Literate(
      group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char *name, const H5L_info_t *, void *data) -> herr_t {
        static_cast<std::vector<std::string> *>(data)->push_back(name);
        return 0;
      },
      &names);
  return names;
}

/// What \p name in \p group is: H5I_GROUP, H5I_DATASET, or H5I_BADID
/// (H5Iget_type on the opened object, the same in HDF5 1.10 and 1.12+).
H5I_type_t objectType(hid_t group, const std::string &name) {
  hid_t o = H5Oopen(group, name.c_str(), H5P_DEFAULT);
  if (o < 0)
    return H5I_BADID;
  H5I_type_t t = H5Iget_type(o);
  H5Oclose(o);
  return t;
}

/// "2" before "10"; names that are not both numbers in byte order.
bool naturalLess(const std::string &a, const std::string &b) {
  uint64_t x, y;
  bool na = !StringRef(a).getAsInteger(10, x),
       nb = !StringRef(b).getAsInteger(10, y);
  if (na && nb)
    return x < y;
  if (na != nb)
    return na;
  return a < b;
}

} // namespace

const NirValue *NirNode::get(StringRef key) const {
  auto it = params.find(key.str());
  return it == params.end() ? nullptr : &it->second;
}

Error Reader::readDataset(hid_t loc, const std::string &name,
                          const std::string &path, NirValue &out) {
  H5Id ds(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok())
    return fail(path, "cannot open the dataset");
  H5Id space(H5Dget_space(ds), H5Sclose);
  H5Id type(H5Dget_type(ds), H5Tclose);
  if (!space.ok() || !type.ok())
    return fail(path, "cannot read the dataset's type or shape");
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0)
    return fail(path, "the dataset's shape is not a simple array");
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  uint64_t n = 1;
  for (hsize_t d : dims) {
    out.shape.push_back(d);
    n *= d;
    if (n > (uint64_t(1) << 32))
      return fail(path, "more than 2^32 values");
  }
  H5T_class_t cls = H5Tget_class(type);
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    out.numbers.resize(n);
    if (n && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     out.numbers.data()) < 0)
      return fail(path, "cannot read the values");
    return Error::success();
  }
  if (cls != H5T_STRING)
    return fail(path, "not numbers or strings (HDF5 type class " +
                          std::to_string(int(cls)) + ")");
  out.isString = true;
  out.strings.resize(n);
  if (!n)
    return Error::success();
  if (H5Tis_variable_str(type) > 0) {
    H5Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    std::vector<char *> ptrs(n, nullptr);
    if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
      return fail(path, "cannot read the strings");
    for (uint64_t i = 0; i < n; ++i)
      out.strings[i] = ptrs[i] ? ptrs[i] : "";
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data());
    return Error::success();
  }
  size_t width = H5Tget_size(type);
  if (!width || width > (1u << 20))
    return fail(path,
                "fixed-length strings of " + std::to_string(width) + " bytes");
  H5Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem, width);
  H5Tset_strpad(mem, H5T_STR_NULLPAD);
  std::vector<char> buf(n * width);
  if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
    return fail(path, "cannot read the strings");
  for (uint64_t i = 0; i < n; ++i) {
    const char *s = buf.data() + i * width;
    out.strings[i] = std::string(s, strnlen(s, width));
  }
  return Error::success();
}

Error Reader::readGroup(hid_t group, const std::string &path,
                        const std::string &name, NirNode &out) {
  out.name = name;
  out.path = path;
  for (const std::string &m : memberNames(group)) {
    std::string sub = path + "/" + m;
    H5I_type_t type = objectType(group, m);
    if (type == H5I_BADID)
      return fail(sub, "cannot read the object");
    if (type == H5I_DATASET) {
      NirValue v;
      if (Error e = readDataset(group, m, sub, v))
        return e;
      out.params[m] = std::move(v);
      continue;
    }
    if (type != H5I_GROUP)
      continue;
    H5Id g(H5Gopen2(group, m.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.ok())
      return fail(sub, "cannot open the group");
    if (m == "nodes") {
      for (const std::string &child : memberNames(g)) {
        H5Id cg(H5Gopen2(g, child.c_str(), H5P_DEFAULT), H5Gclose);
        if (!cg.ok())
          return fail(sub + "/" + child, "a node must be a group");
        NirNode c;
        if (Error e = readGroup(cg, sub + "/" + child, child, c))
          return e;
        out.nodes.push_back(std::move(c));
      }
      continue;
    }
    // 1.x: input_type/output_type, metadata (dicts of arrays), flattened.
    for (const std::string &k : memberNames(g)) {
      if (objectType(g, k) != H5I_DATASET)
        continue;
      NirValue v;
      if (Error e = readDataset(g, k, sub + "/" + k, v))
        return e;
      out.params[m + "/" + k] = std::move(v);
    }
  }
  const NirValue *t = out.get("type");
  if (!t)
    return fail(path, (name.empty() ? std::string("the graph")
                                    : "node '" + name + "'") +
                          " has no 'type'");
  if (!t->isString || t->strings.size() != 1)
    return fail(path + "/type", "expected one string");
  out.type = t->strings[0];
  if (out.type == "NIRGraph") {
    const NirValue *e = out.get("edges");
    if (!e)
      return fail(path, "a NIRGraph without 'edges'");
    if (!e->isString ||
        (e->size() && (e->shape.size() != 2 || e->shape[1] != 2)))
      return fail(path + "/edges",
                  "expected an array of (source, target) node names");
    for (size_t i = 0; i + 1 < e->strings.size(); i += 2)
      out.edges.push_back({e->strings[i], e->strings[i + 1]});
    std::sort(out.nodes.begin(), out.nodes.end(),
              [](const NirNode &a, const NirNode &b) {
                return naturalLess(a.name, b.name);
              });
  }
  return Error::success();
}

/// Reads the file with HDF5, in this process.
static Expected<NirGraph> readWithHdf5(StringRef path) {
  // Errors are reported here, not printed by HDF5.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.str().c_str()) <= 0)
    return createStringError(inconvertibleErrorCode(),
                             "'" + path + "': not an HDF5 file");
  H5Id f(H5Fopen(path.str().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok())
    return createStringError(inconvertibleErrorCode(),
                             "'" + path + "': cannot open the HDF5 file");
  Reader r(path);
  NirGraph g;
  if (H5Lexists(f, "version", H5P_DEFAULT) > 0) {
    NirValue v;
    if (Error e = r.readDataset(f, "version", "/version", v))
      return e;
    if (v.isString && v.strings.size() == 1)
      g.version = v.strings[0];
  }
  if (H5Lexists(f, "node", H5P_DEFAULT) <= 0)
    return r.fail("/", "no 'node' group: not a NIR graph");
  H5Id node(H5Gopen2(f, "node", H5P_DEFAULT), H5Gclose);
  if (!node.ok())
    return r.fail("/node", "not a group");
  if (Error e = r.readGroup(node, "/node", "", g.root))
    return e;
  return g;
}

namespace {

/// The graph (or the error) the reading process sends back: lengths as
/// u64, numbers as raw doubles, all in this machine's byte order (both ends
/// are this program).
class Wire {
public:
  std::string bytes;
  void u64(uint64_t v) { bytes.append(reinterpret_cast<char *>(&v), 8); }
  void str(const std::string &s) {
    u64(s.size());
    bytes += s;
  }
  void value(const NirValue &v) {
    u64(v.isString);
    u64(v.shape.size());
    for (uint64_t d : v.shape)
      u64(d);
    if (v.isString) {
      u64(v.strings.size());
      for (const std::string &s : v.strings)
        str(s);
    } else {
      u64(v.numbers.size());
      bytes.append(reinterpret_cast<const char *>(v.numbers.data()),
                   v.numbers.size() * 8);
    }
  }
  void node(const NirNode &n) {
    str(n.name);
    str(n.path);
    str(n.type);
    u64(n.params.size());
    for (const auto &kv : n.params) {
      str(kv.first);
      value(kv.second);
    }
    u64(n.nodes.size());
    for (const NirNode &c : n.nodes)
      node(c);
    u64(n.edges.size());
    for (const auto &e : n.edges) {
      str(e.first);
      str(e.second);
    }
  }
};

class Unwire {
public:
  explicit Unwire(StringRef b) : b(b) {}
  bool ok = true;
  uint64_t u64() {
    uint64_t v = 0;
    if (at + 8 > b.size()) {
      ok = false;
      return 0;
    }
    memcpy(&v, b.data() + at, 8);
    at += 8;
    return v;
  }
  std::string str() {
    uint64_t n = u64();
    if (!ok || n > b.size() - at) {
      ok = false;
      return "";
    }
    std::string s = b.substr(at, n).str();
    at += n;
    return s;
  }
  void value(NirValue &v) {
    v.isString = u64();
    for (uint64_t i = 0, r = u64(); ok && i < r; ++i)
      v.shape.push_back(u64());
    uint64_t n = u64();
    if (!ok || n > b.size() - at) {
      ok = false;
      return;
    }
    if (v.isString) {
      for (uint64_t i = 0; ok && i < n; ++i)
        v.strings.push_back(str());
      return;
    }
    if (n > (b.size() - at) / 8) {
      ok = false;
      return;
    }
    v.numbers.resize(n);
    memcpy(v.numbers.data(), b.data() + at, n * 8);
    at += n * 8;
  }
  void node(NirNode &n, unsigned depth = 0) {
    if (depth > 64) {
      ok = false;
      return;
    }
    n.name = str();
    n.path = str();
    n.type = str();
    for (uint64_t i = 0, k = u64(); ok && i < k; ++i) {
      std::string key = str();
      value(n.params[key]);
    }
    for (uint64_t i = 0, k = u64(); ok && i < k; ++i) {
      n.nodes.emplace_back();
      node(n.nodes.back(), depth + 1);
    }
    for (uint64_t i = 0, k = u64(); ok && i < k; ++i) {
      std::string a = str();
      n.edges.push_back({a, str()});
    }
  }

private:
  StringRef b;
  size_t at = 0;
};

} // namespace

/// HDF5 (1.10) trusts the structures in the file: a damaged file can make
/// it corrupt memory or loop for ever (found by flipping bytes of
/// cnn_sinabs.nir). So it reads in a child process, which sends the tree
/// back through a pipe; a crash or a hang there is an error here.
Expected<NirGraph> scnc::readNirFile(StringRef path) {
  if (!sys::fs::exists(path))
    return createStringError(inconvertibleErrorCode(),
                             "'" + path + "': no such file");
  unsigned limit = 120;
  if (const char *e = getenv("SCNC_HDF5_TIMEOUT"))
    StringRef(e).getAsInteger(10, limit);
  ChildOptions co;
  co.quiet = true; // what HDF5 says as it crashes is not for the user
  co.timeoutSeconds = limit;
  Expected<std::vector<ChildResult>> children = runInChildren(
      1,
      [&](unsigned) {
        Wire w;
        Expected<NirGraph> g = readWithHdf5(path);
        if (g) {
          w.u64(1);
          w.str(g->version);
          w.node(g->root);
        } else {
          w.u64(0);
          w.str(toString(g.takeError()));
        }
        return std::move(w.bytes);
      },
      co);
  if (!children) {
    consumeError(children.takeError());
    return readWithHdf5(path);
  }
  const ChildResult &child = (*children)[0];
  const std::string &bytes = child.bytes;
  auto failed = [&](const Twine &why) {
    return createStringError(inconvertibleErrorCode(),
                             "'" + path + "': " + why +
                                 " reading it (a damaged file?)");
  };
  if (!child.exited)
    return failed(child.code == SIGALRM
                      ? "HDF5 did not finish in " + Twine(limit) + " s"
                      : "HDF5 crashed (signal " + Twine(child.code) + ")");
  if (!child.ok())
    return failed("HDF5 failed (exit status " + Twine(child.code) + ")");
  Unwire u(bytes);
  if (u.u64() != 1) {
    std::string msg = u.str();
    if (!u.ok)
      return failed("HDF5's process sent nothing");
    return createStringError(inconvertibleErrorCode(), msg);
  }
  NirGraph g;
  g.version = u.str();
  u.node(g.root);
  if (!u.ok)
    return failed("HDF5's process sent a short reply");
  return g;
}
