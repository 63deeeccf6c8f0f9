#include "converter/onnx/onnx_tensor.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "converter/ir/error.h"
#include "converter/onnx/onnx_import.h"

namespace dyad::convert {

using onnx::TensorProto;

const char* OnnxTypeName(int t) {
  switch (t) {
    case TensorProto::FLOAT: return "FLOAT";
    case TensorProto::UINT8: return "UINT8";
    case TensorProto::INT8: return "INT8";
    case TensorProto::UINT16: return "UINT16";
    case TensorProto::INT16: return "INT16";
    case TensorProto::INT32: return "INT32";
    case TensorProto::INT64: return "INT64";
    case TensorProto::STRING: return "STRING";
    case TensorProto::BOOL: return "BOOL";
    case TensorProto::FLOAT16: return "FLOAT16";
    case TensorProto::DOUBLE: return "DOUBLE";
    case TensorProto::UINT32: return "UINT32";
    case TensorProto::UINT64: return "UINT64";
    case TensorProto::BFLOAT16: return "BFLOAT16";
    default: return "UNDEFINED";
  }
}

DType DTypeFromOnnx(int t, const std::string& context) {
  switch (t) {
    case TensorProto::FLOAT:
    case TensorProto::DOUBLE:
      return DType::kFloat32;
    case TensorProto::UINT8:
    case TensorProto::INT8:
    case TensorProto::UINT16:
    case TensorProto::INT16:
    case TensorProto::INT32:
    case TensorProto::INT64:
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      return DType::kInt64;
    case TensorProto::BOOL:
      return DType::kBool;
    default:
      throw ConvertError(context + ": unsupported data type " + OnnxTypeName(t));
  }
}

namespace {

template <typename T>
std::vector<T> FromRaw(const std::string& raw, int64_t n, const std::string& context) {
  if (static_cast<int64_t>(raw.size()) != n * static_cast<int64_t>(sizeof(T)))
    throw ConvertError(context + ": raw_data has " + std::to_string(raw.size()) + " bytes, expected " +
                       std::to_string(n * static_cast<int64_t>(sizeof(T))));
  std::vector<T> v(static_cast<size_t>(n));
  if (n) std::memcpy(v.data(), raw.data(), raw.size());  // ONNX raw data is little-endian, as is this host
  return v;
}

template <typename Src, typename Dst>
std::vector<Dst> Convert(const std::vector<Src>& in) {
  return std::vector<Dst>(in.begin(), in.end());
}

void CheckCount(int64_t have, int64_t n, const std::string& context) {
  if (have != n)
    throw ConvertError(context + ": tensor has " + std::to_string(have) + " values, shape needs " + std::to_string(n));
}

}  // namespace

Tensor TensorFromProto(const TensorProto& p, const std::string& context) {
  if (p.data_location() == TensorProto::EXTERNAL)
    throw ConvertError(context + ": tensors with external data are not supported");
  Shape shape(p.dims().begin(), p.dims().end());
  for (int64_t d : shape)
    if (d < 0) throw ConvertError(context + ": negative dimension in tensor shape");
  const int64_t n = NumElements(shape);
  const DType dtype = DTypeFromOnnx(p.data_type(), context);
  const bool raw = p.has_raw_data();
  const std::string& r = p.raw_data();
  Tensor t;
  t.dtype = dtype;
  t.shape = shape;
  switch (p.data_type()) {
    case TensorProto::FLOAT:
      if (raw) t.f = FromRaw<float>(r, n, context);
      else { CheckCount(p.float_data_size(), n, context); t.f.assign(p.float_data().begin(), p.float_data().end()); }
      break;
    case TensorProto::DOUBLE:
      if (raw) t.f = Convert<double, float>(FromRaw<double>(r, n, context));
      else { CheckCount(p.double_data_size(), n, context); t.f.assign(p.double_data().begin(), p.double_data().end()); }
      break;
    case TensorProto::INT64:
      if (raw) t.i = FromRaw<int64_t>(r, n, context);
      else { CheckCount(p.int64_data_size(), n, context); t.i.assign(p.int64_data().begin(), p.int64_data().end()); }
      break;
    case TensorProto::UINT64:
      if (raw) t.i = Convert<uint64_t, int64_t>(FromRaw<uint64_t>(r, n, context));
      else { CheckCount(p.uint64_data_size(), n, context); t.i.assign(p.uint64_data().begin(), p.uint64_data().end()); }
      break;
    case TensorProto::UINT32:
      if (raw) t.i = Convert<uint32_t, int64_t>(FromRaw<uint32_t>(r, n, context));
      else { CheckCount(p.uint64_data_size(), n, context); t.i.assign(p.uint64_data().begin(), p.uint64_data().end()); }
      break;
    case TensorProto::INT32:
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      if (raw) {
        switch (p.data_type()) {
          case TensorProto::INT32: t.i = Convert<int32_t, int64_t>(FromRaw<int32_t>(r, n, context)); break;
          case TensorProto::INT16: t.i = Convert<int16_t, int64_t>(FromRaw<int16_t>(r, n, context)); break;
          case TensorProto::UINT16: t.i = Convert<uint16_t, int64_t>(FromRaw<uint16_t>(r, n, context)); break;
          case TensorProto::INT8: t.i = Convert<int8_t, int64_t>(FromRaw<int8_t>(r, n, context)); break;
          default: t.i = Convert<uint8_t, int64_t>(FromRaw<uint8_t>(r, n, context)); break;
        }
      } else {
        CheckCount(p.int32_data_size(), n, context);
        t.i.assign(p.int32_data().begin(), p.int32_data().end());
      }
      if (p.data_type() == TensorProto::BOOL)
        for (auto& v : t.i) v = v != 0;
      break;
    default:
      throw ConvertError(context + ": unsupported data type " + OnnxTypeName(p.data_type()));
  }
  return t;
}

Tensor LoadTensorProtoFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConvertError("cannot open tensor file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  TensorProto p;
  if (!p.ParseFromString(ss.str())) throw ConvertError("'" + path + "' is not a valid ONNX TensorProto");
  return TensorFromProto(p, "tensor file '" + path + "'");
}

}  // namespace dyad::convert
