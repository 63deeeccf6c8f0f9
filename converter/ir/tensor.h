// A tensor value of the converter IR: fixed shape plus float or int64 data.
// Float activations/weights use `f`; shape-like values (int64/int32/bool in the
// ONNX model) use `i`. Layout is whatever the graph says (ONNX NCHW inside the
// IR); the writer converts to NHWC later.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dyad::convert {

enum class DType { kFloat32, kInt64, kBool };

const char* DTypeName(DType t);

using Shape = std::vector<int64_t>;

int64_t NumElements(const Shape& shape);
std::string ShapeToString(const Shape& shape);

struct Tensor {
  DType dtype = DType::kFloat32;
  Shape shape;
  std::vector<float> f;    // when dtype == kFloat32
  std::vector<int64_t> i;  // when dtype == kInt64 or kBool (0/1)

  bool is_float() const { return dtype == DType::kFloat32; }
  int64_t size() const { return NumElements(shape); }

  static Tensor Float(Shape shape, std::vector<float> data);
  static Tensor Float(Shape shape, float fill = 0.0f);
  static Tensor Int64(Shape shape, std::vector<int64_t> data);
  static Tensor Bool(Shape shape, std::vector<int64_t> data);
  static Tensor ScalarFloat(float v) { return Float({}, std::vector<float>{v}); }
  static Tensor VectorInt64(std::vector<int64_t> v);

  // Element k as double / int64, whatever the storage (used by shape ops).
  double AsDouble(int64_t k) const { return is_float() ? f[k] : static_cast<double>(i[k]); }
  int64_t AsInt64(int64_t k) const { return is_float() ? static_cast<int64_t>(f[k]) : i[k]; }
  // All elements as int64 (for shape-like inputs: axes, pads, shapes).
  std::vector<int64_t> ToInt64Vector() const;
  std::vector<float> ToFloatVector() const;
};

}  // namespace dyad::convert
