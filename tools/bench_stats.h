// Small statistics and formatting helpers for dyad-bench (tools may use float).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dyad {
namespace tools {

// Median of `values` (mean of the two middle ones for an even count); 0 if empty.
double median(std::vector<double> values);

// Nearest-rank percentile: the smallest value with at least p% of the values
// at or below it (p in (0, 100]); 0 if empty.
double percentile(std::vector<double> values, double p);

struct LatencySummary {
  double min = 0, median = 0, p90 = 0;
};
LatencySummary summarize(const std::vector<double>& values);

// "1x32x32x16"; "scalar" for rank 0.
std::string format_shape(const int32_t* dims, int rank);

// 1234 -> "1234", 1234567 -> "1.23M", 1.2e9 -> "1.20G".
std::string format_count(int64_t count);

}  // namespace tools
}  // namespace dyad
