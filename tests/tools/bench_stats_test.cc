// dyad-bench's statistics and output digest, against hand-computed and published values.
#include "tools/bench_report.h"
#include "tools/bench_stats.h"

#include <gtest/gtest.h>

namespace dyad {
namespace tools {
namespace {

TEST(BenchStats, MedianOddEvenEmpty) {
  EXPECT_DOUBLE_EQ(median({5, 1, 3}), 3);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({7}), 7);
  EXPECT_DOUBLE_EQ(median({}), 0);
}

TEST(BenchStats, PercentileIsNearestRank) {
  // 10 values 1..10: the 90th percentile is the 9th smallest.
  std::vector<double> v = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(percentile(v, 90), 9);
  EXPECT_DOUBLE_EQ(percentile(v, 100), 10);
  EXPECT_DOUBLE_EQ(percentile(v, 50), 5);
  EXPECT_DOUBLE_EQ(percentile(v, 1), 1);
  // 3 values: ceil(0.9 * 3) = 3rd.
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3}, 90), 3);
  EXPECT_DOUBLE_EQ(percentile({}, 90), 0);
}

TEST(BenchStats, Summary) {
  const LatencySummary s = summarize({3.0, 1.0, 2.0, 10.0});
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.p90, 10);
}

TEST(BenchStats, Formatting) {
  const int32_t dims[] = {1, 32, 32, 16};
  EXPECT_EQ(format_shape(dims, 4), "1x32x32x16");
  EXPECT_EQ(format_shape(dims, 0), "scalar");
  EXPECT_EQ(format_count(999999), "999999");
  EXPECT_EQ(format_count(1234567), "1.23M");
  EXPECT_EQ(format_count(2500000000), "2.50G");
}

}  // namespace
}  // namespace tools
}  // namespace dyad

// Published FNV-1a 64 test vectors: the empty string, "a" and "foobar", and
// that folding in two pieces equals one pass.
TEST(BenchReport, Fnv1a64KnownVectors) {
  using dyad::tools::fnv1a64;
  using dyad::tools::kFnv1a64Offset;
  EXPECT_EQ(fnv1a64(kFnv1a64Offset, "", 0), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64(kFnv1a64Offset, "a", 1), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64(kFnv1a64Offset, "foobar", 6), 0x85944171f73967e8ULL);
  EXPECT_EQ(fnv1a64(fnv1a64(kFnv1a64Offset, "foo", 3), "bar", 3), 0x85944171f73967e8ULL);
}
