// Models for the multi-threading tests.
#pragma once

#include <cstdint>
#include <vector>

namespace dyad {
namespace test {

// Conv-heavy, batch 2, big enough that every conv/FC/elementwise op splits
// across threads: x [2,24,24,16] -> conv 3x3 (32) -> depthwise 3x3 s2
// -> conv 1x1 (32) -> add (same shapes) -> lut -> requantize, then both
// conv 1x1 to int16 [2,12,12,8] (a reference fallback with 2-byte output)
// and reshape -> FC (4608 -> 64) as outputs.
std::vector<uint8_t> conv_heavy_model();

// tools/test_model.h's CNN at 64x64 (empty if that library is not built).
std::vector<uint8_t> tools_test_cnn();

}  // namespace test
}  // namespace dyad
