// Data of the small CNN test model, shared by its builder and the test that
// recomputes its output by chaining reference kernels by hand.
#pragma once

#include <cstdint>
#include <vector>

namespace dyad {
namespace test {

struct SmallCnn {
  int32_t zp_x = -5, zp_y1 = 3, zp_y2 = -7, zp_y3 = 1, zp_y4 = 1, zp_y6 = 0;
  std::vector<int8_t> w1;  // [8,3,3,3]
  std::vector<int32_t> b1, m1;
  std::vector<int8_t> s1;
  std::vector<int8_t> w2;  // depthwise [8,3,3,1]
  std::vector<int32_t> b2, m2;
  std::vector<int8_t> s2;
  // Add: input multipliers (scale ratios ~0.5 and ~0.4 at 2^20) and output.
  int32_t add_m1 = 1073741824, add_s1 = -1;
  int32_t add_m2 = 1717986918, add_s2 = -2;
  int32_t add_mo = 1288490189, add_so = -19;
  std::vector<int32_t> pool_m;  // by window count, length 5
  std::vector<int8_t> pool_s;
  std::vector<int8_t> w3;  // [10,128]
  std::vector<int32_t> b3, m3;
  std::vector<int8_t> s3;
  std::vector<int32_t> exp_table;
};

SmallCnn small_cnn_data();
std::vector<uint8_t> build_small_cnn(const SmallCnn& c);

}  // namespace test
}  // namespace dyad
