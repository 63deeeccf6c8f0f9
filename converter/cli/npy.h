// Minimal .npy (format 1.0/2.0) reader and writer: little-endian float32,
// float64 (read only), uint8, int8, int16, int32; C order only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dyad::convert {

struct NpyArray {
  std::string dtype;  // "f4", "u1", "i1", "i2", "i4"
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // raw little-endian elements (f8 converted to f4)
  int64_t count() const;
  std::vector<float> AsFloat() const;
};

// ConvertError naming the file on any problem.
NpyArray ReadNpy(const std::string& path);
void WriteNpy(const std::string& path, const NpyArray& a);
NpyArray MakeNpyF32(const std::vector<int64_t>& shape, const std::vector<float>& data);

}  // namespace dyad::convert
