//===- UnitsTest.cpp - Unit names, dimensions and scales ------------------===//
#include "scnc/Support/Units.h"
#include "gtest/gtest.h"

using namespace scnc;

namespace {

struct Expected {
  const char *name;
  Dimension dim;
  double scale;
};

TEST(UnitsTest, EveryUnitHasItsDimensionAndScale) {
  const Expected all[] = {
      {"ms", Dimension::Time, 1.0},
      {"s", Dimension::Time, 1000.0},
      {"us", Dimension::Time, 0.001},
      {"mV", Dimension::Voltage, 1.0},
      {"V", Dimension::Voltage, 1000.0},
      {"nF", Dimension::Capacitance, 1.0},
      {"pF", Dimension::Capacitance, 0.001},
      {"uF", Dimension::Capacitance, 1000.0},
      {"nA", Dimension::Current, 1.0},
      {"pA", Dimension::Current, 0.001},
      {"uA", Dimension::Current, 1000.0},
      {"Hz", Dimension::Frequency, 1.0},
      {"kHz", Dimension::Frequency, 1000.0},
  };
  for (const Expected &e : all) {
    SCOPED_TRACE(e.name);
    llvm::Optional<Unit> u = lookupUnit(e.name);
    ASSERT_TRUE(u.hasValue());
    EXPECT_EQ(u->name, e.name);
    EXPECT_EQ(u->dim, e.dim);
    EXPECT_EQ(u->scale, e.scale);
  }
}

TEST(UnitsTest, UnknownAndMiscasedNamesAreRejected) {
  for (const char *bad : {"", "MS", "Ms", "sec", "mv", "nf", "hz", "khz", "KHz",
                          "A", "F", "ns", "m"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(lookupUnit(bad).hasValue());
  }
}

TEST(UnitsTest, CanonicalUnits) {
  EXPECT_EQ(canonicalUnit(Dimension::None), "");
  EXPECT_EQ(canonicalUnit(Dimension::Time), "ms");
  EXPECT_EQ(canonicalUnit(Dimension::Voltage), "mV");
  EXPECT_EQ(canonicalUnit(Dimension::Capacitance), "nF");
  EXPECT_EQ(canonicalUnit(Dimension::Current), "nA");
  EXPECT_EQ(canonicalUnit(Dimension::Frequency), "Hz");
  // The canonical unit of each dimension has scale 1.
  for (Dimension d :
       {Dimension::Time, Dimension::Voltage, Dimension::Capacitance,
        Dimension::Current, Dimension::Frequency}) {
    llvm::Optional<Unit> u = lookupUnit(canonicalUnit(d));
    ASSERT_TRUE(u.hasValue());
    EXPECT_EQ(u->dim, d);
    EXPECT_EQ(u->scale, 1.0);
  }
}

TEST(UnitsTest, DimensionNames) {
  EXPECT_EQ(dimensionName(Dimension::None), "dimensionless");
  EXPECT_EQ(dimensionName(Dimension::Time), "time");
  EXPECT_EQ(dimensionName(Dimension::Voltage), "voltage");
  EXPECT_EQ(dimensionName(Dimension::Capacitance), "capacitance");
  EXPECT_EQ(dimensionName(Dimension::Current), "current");
  EXPECT_EQ(dimensionName(Dimension::Frequency), "frequency");
}

} // namespace
