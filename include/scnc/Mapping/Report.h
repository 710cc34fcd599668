//===- Report.h - Text forms of the mapping stages --------------*- C++ -*-===//
#ifndef SCNC_MAPPING_REPORT_H
#define SCNC_MAPPING_REPORT_H

#include "scnc/IR/Network.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/MappingState.h"
#include "llvm/Support/raw_ostream.h"

namespace scnc {

/// `-emit=placement`: per slice its population, neurons, chip and core.
void printPlacementReport(const Network &n, const Machine &m,
                          const MappingState &s, llvm::raw_ostream &os);
/// `-emit=routes`: per slice its key space and multicast tree.
void printRoutes(const Network &n, const Machine &m, const MappingState &s,
                 llvm::raw_ostream &os);
/// `-emit=tables`: every chip's table as loaded (compressed), in chip order.
void printTables(const Machine &m, const MappingState &s,
                 llvm::raw_ostream &os);
/// `--report`: cores and chips used, routing entries per chip before and
/// after compression, communication volume, the busiest links.
void printMappingReport(const Network &n, const Machine &m,
                        const MappingState &s, llvm::StringRef machineName,
                        llvm::raw_ostream &os);

} // namespace scnc

#endif
