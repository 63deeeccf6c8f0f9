// Checks a kernel's range entry point (the form the runtime splits across
// threads): for ranges [begin, end) of [0, count), run(begin, end, out) must
// write exactly the bytes of units begin..end-1 (unit_bytes each), equal to
// `whole` (the whole-range output), and leave every other byte alone. Every
// split of [0, count) then gives `whole`, and parts never write each other's
// bytes (which would race between threads).
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace dyad {
namespace split_check {

// run(begin, end, uint8_t* out). Every range if count <= 24, else the
// ranges of every cut near the ends and 200 random ones.
template <typename Run>
void expect_ranges_match(int64_t count, size_t unit_bytes, const std::vector<uint8_t>& whole,
                         Run run, const std::string& what) {
  ASSERT_EQ(whole.size(), static_cast<size_t>(count) * unit_bytes) << what;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  if (count <= 24) {
    for (int64_t b = 0; b <= count; ++b) {
      for (int64_t e = b; e <= count; ++e) ranges.emplace_back(b, e);
    }
  } else {
    for (int64_t cut : {int64_t{1}, int64_t{2}, count / 2, count - 2, count - 1}) {
      ranges.emplace_back(0, cut);
      ranges.emplace_back(cut, count);
    }
    ranges.emplace_back(0, count);
    std::mt19937 rng(static_cast<uint32_t>(count));
    std::uniform_int_distribution<int64_t> pick(0, count);
    for (int i = 0; i < 200; ++i) {
      int64_t b = pick(rng), e = pick(rng);
      if (b > e) std::swap(b, e);
      ranges.emplace_back(b, e);
    }
  }
  // Two fill bytes: a kernel that happens to write one of them is still caught.
  for (uint8_t fill : {uint8_t{0x5A}, uint8_t{0xA5}}) {
    std::vector<uint8_t> out(whole.size());
    for (const auto& r : ranges) {
      std::memset(out.data(), fill, out.size());
      run(r.first, r.second, out.data());
      const size_t lo = static_cast<size_t>(r.first) * unit_bytes;
      const size_t hi = static_cast<size_t>(r.second) * unit_bytes;
      for (size_t i = 0; i < out.size(); ++i) {
        const uint8_t want = i >= lo && i < hi ? whole[i] : fill;
        ASSERT_EQ(out[i], want) << what << ": range [" << r.first << ", " << r.second << ") of "
                                << count << ", byte " << i
                                << (i >= lo && i < hi ? " (differs from the whole run)"
                                                      : " (written outside the range)");
      }
    }
  }
}

}  // namespace split_check
}  // namespace dyad
