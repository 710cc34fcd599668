//===- PartitionPrint.cpp - -emit=partition and --stats output ------------===//
#include "scnc/IR/Network.h"
#include "scnc/Mapping/Partition.h"
#include "scnc/Mapping/Resources.h"
#include "llvm/Support/Format.h"

using namespace scnc;
using namespace llvm;

/// "0-15,28-43,50".
static void printRanges(ArrayRef<uint32_t> v, raw_ostream &os) {
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1)
      ++j;
    if (i)
      os << ',';
    os << v[i];
    if (j > i)
      os << '-' << v[j];
    i = j + 1;
  }
}

void scnc::printPartition(const Network &n, const Partition &p,
                          raw_ostream &os) {
  os << "partition: " << n.populations.size() << " populations, "
     << p.slices.size() << " slices\n";
  size_t s = 0;
  for (unsigned q = 0; q < n.populations.size(); ++q) {
    const Population &pop = n.populations[q];
    size_t first = s;
    while (s < p.slices.size() && p.slices[s].population == q)
      ++s;
    uint32_t requested = n.neuronsPerCore(pop);
    os << "population " << pop.name << ": " << pop.shape.size()
       << " neurons, at most " << p.limits[q] << " per core";
    uint32_t memory = effectiveNeuronLimit(n, q);
    if (p.limits[q] < memory)
      os << " (neurons_per_core " << requested
         << (memory < requested ? ", " + std::to_string(memory) + " fit DTCM"
                                : std::string())
         << ", lowered for the real-time budget)";
    else if (p.limits[q] < requested)
      os << " (neurons_per_core " << requested << ", lowered to fit DTCM)";
    os << ", " << (s - first) << " slices\n";
    for (size_t i = first; i < s; ++i) {
      os << "  slice " << i << ": " << p.slices[i].neurons.size()
         << " neurons: ";
      printRanges(p.slices[i].neurons, os);
      os << '\n';
    }
  }
}

void scnc::printPartitionStats(const Network &n, const Partition &p,
                               const PartitionStats &s, raw_ostream &os) {
  using namespace resources;
  os << "cores: " << s.cores << '\n';
  os << "neurons per core: min " << s.minNeurons << ", mean "
     << format("%.2f", s.meanNeurons) << ", max " << s.maxNeurons << '\n';
  os << "communication volume: " << s.commVolume << '\n';
  os << "edge cut: " << s.edgeCut << '\n';
  os << "DTCM per core: max " << s.maxDTCMBytes << " of " << kDTCMBytes
     << " bytes\n";
  os << "SDRAM per core: max " << s.maxSDRAMBytes << " bytes\n";
  for (unsigned q = 0; q < n.populations.size(); ++q) {
    uint32_t requested = n.neuronsPerCore(n.populations[q]);
    if (q < p.limits.size() && p.limits[q] < requested)
      os << "limit lowered: " << n.populations[q].name << ": " << requested
         << " -> " << p.limits[q] << " neurons per core (DTCM: "
         << sliceDTCMBytes(coreKindOf(n, q), p.limits[q]) << " bytes at "
         << p.limits[q] << " neurons, "
         << programDTCMBytes(coreKindOf(n, q).input)
         << " of them the core program's and "
         << (coreKindOf(n, q).input ? 0 : kRegionReserveDTCMBytes)
         << " for its tables and row buffers; " << kDTCMBytes
         << " available)\n";
  }
}
