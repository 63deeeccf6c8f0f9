#include "tools/bench_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dyad {
namespace tools {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t index = static_cast<size_t>(std::max(rank, 1.0)) - 1;
  return values[std::min(index, values.size() - 1)];
}

LatencySummary summarize(const std::vector<double>& values) {
  LatencySummary s;
  if (values.empty()) return s;
  s.min = *std::min_element(values.begin(), values.end());
  s.median = median(values);
  s.p90 = percentile(values, 90);
  return s;
}

std::string format_shape(const int32_t* dims, int rank) {
  if (rank <= 0) return "scalar";
  std::string s;
  for (int i = 0; i < rank; ++i) {
    if (i > 0) s += 'x';
    s += std::to_string(dims[i]);
  }
  return s;
}

std::string format_count(int64_t count) {
  char text[32];
  if (count < 1000000) return std::to_string(count);
  if (count < 1000000000) {
    std::snprintf(text, sizeof(text), "%.2fM", static_cast<double>(count) / 1e6);
  } else {
    std::snprintf(text, sizeof(text), "%.2fG", static_cast<double>(count) / 1e9);
  }
  return text;
}

}  // namespace tools
}  // namespace dyad
