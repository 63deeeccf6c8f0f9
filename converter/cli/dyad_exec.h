// Runs a .dyad through libdyad's C API from the converter side: feeds inputs
// given in the ONNX model's layout (quantized with the model's input scale, or
// raw pixels), returns outputs dequantized and transposed back to the ONNX
// layout (using the input_k_perm / output_k_perm metadata the quantizer writes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/cli/samples.h"
#include "dyad/dyad.h"

namespace dyad::convert {

struct DyadValue {
  std::string name;
  Shape shape;                 // ONNX layout
  std::vector<float> value;    // dequantized, ONNX layout
  dyad_dtype dtype = DYAD_INT8;
  std::vector<uint8_t> raw;    // integer bytes, ONNX layout
  float scale = 0;
  int32_t zero_point = 0;
};

// out dim k = in dim perm[k]; `elem` bytes per element.
std::vector<uint8_t> TransposeBytes(const std::vector<uint8_t>& in, const Shape& in_shape,
                                    const std::vector<int>& perm, size_t elem);

class DyadExec {
 public:
  explicit DyadExec(std::vector<uint8_t> file_bytes);  // ConvertError on load failure
  static DyadExec FromFile(const std::string& path);
  ~DyadExec();
  DyadExec(DyadExec&& o) noexcept;
  DyadExec(const DyadExec&) = delete;
  DyadExec& operator=(const DyadExec&) = delete;

  size_t num_inputs() const;
  size_t num_outputs() const;
  std::string Metadata(const std::string& key) const;  // "" if absent
  // Input k's shape in the ONNX layout.
  Shape InputShape(size_t k) const;
  dyad_dtype InputDType(size_t k) const;
  std::vector<DyadValue> Run(const std::vector<const Sample*>& inputs);

 private:
  void* buffer_ = nullptr;  // 64-byte aligned copy of the file
  dyad_model* model_ = nullptr;
  dyad_session* session_ = nullptr;
};

}  // namespace dyad::convert
