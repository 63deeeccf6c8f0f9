#include "converter/ir/tensor.h"

#include "converter/ir/error.h"

namespace dyad::convert {

const char* DTypeName(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
  }
  return "?";
}

int64_t NumElements(const Shape& shape) {
  // Shapes come from untrusted models: refuse negative dims and sizes whose
  // product could overflow, instead of allocating garbage.
  constexpr int64_t kMaxElements = int64_t{1} << 36;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw ConvertError("negative dimension in shape " + ShapeToString(shape));
    if (d > 0 && n > kMaxElements / d) throw ConvertError("tensor of shape " + ShapeToString(shape) + " is too large");
    n *= d;
  }
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) {
    if (k) s += "x";
    s += std::to_string(shape[k]);
  }
  return s + "]";
}

Tensor Tensor::Float(Shape shape, std::vector<float> data) {
  Tensor t;
  t.dtype = DType::kFloat32;
  t.shape = std::move(shape);
  t.f = std::move(data);
  if (static_cast<int64_t>(t.f.size()) != NumElements(t.shape))
    throw ConvertError("float tensor data size " + std::to_string(t.f.size()) +
                       " does not match shape " + ShapeToString(t.shape));
  return t;
}

Tensor Tensor::Float(Shape shape, float fill) {
  int64_t n = NumElements(shape);
  return Float(std::move(shape), std::vector<float>(static_cast<size_t>(n), fill));
}

Tensor Tensor::Int64(Shape shape, std::vector<int64_t> data) {
  Tensor t;
  t.dtype = DType::kInt64;
  t.shape = std::move(shape);
  t.i = std::move(data);
  if (static_cast<int64_t>(t.i.size()) != NumElements(t.shape))
    throw ConvertError("int64 tensor data size " + std::to_string(t.i.size()) +
                       " does not match shape " + ShapeToString(t.shape));
  return t;
}

Tensor Tensor::Bool(Shape shape, std::vector<int64_t> data) {
  Tensor t = Int64(std::move(shape), std::move(data));
  t.dtype = DType::kBool;
  return t;
}

Tensor Tensor::VectorInt64(std::vector<int64_t> v) {
  int64_t n = static_cast<int64_t>(v.size());
  return Int64({n}, std::move(v));
}

std::vector<int64_t> Tensor::ToInt64Vector() const {
  if (!is_float()) return i;
  std::vector<int64_t> out(f.size());
  for (size_t k = 0; k < f.size(); ++k) out[k] = static_cast<int64_t>(f[k]);
  return out;
}

std::vector<float> Tensor::ToFloatVector() const {
  if (is_float()) return f;
  std::vector<float> out(i.size());
  for (size_t k = 0; k < i.size(); ++k) out[k] = static_cast<float>(i[k]);
  return out;
}

}  // namespace dyad::convert
