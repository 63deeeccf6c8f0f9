#include "converter/cli/dyad_exec.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "converter/ir/error.h"
#include "converter/quantize/quantizer.h"

namespace dyad::convert {

std::vector<uint8_t> TransposeBytes(const std::vector<uint8_t>& in, const Shape& in_shape,
                                    const std::vector<int>& perm, size_t elem) {
  const size_t rank = in_shape.size();
  std::vector<int64_t> in_st(rank, 1);
  for (int64_t k = int64_t(rank) - 2; k >= 0; --k) in_st[k] = in_st[k + 1] * in_shape[k + 1];
  Shape out_shape(rank);
  for (size_t k = 0; k < rank; ++k) out_shape[k] = in_shape[perm[k]];
  std::vector<uint8_t> out(in.size());
  const int64_t count = NumElements(in_shape);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t e = 0; e < count; ++e) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k) src += idx[k] * in_st[perm[k]];
    std::memcpy(&out[e * elem], &in[src * elem], elem);
    for (int64_t k = int64_t(rank) - 1; k >= 0; --k) {
      if (++idx[k] < out_shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

namespace {

[[noreturn]] void Fail(const std::string& what) {
  throw ConvertError(what + ": " + dyad_last_error());
}

size_t ElemSize(dyad_dtype t) { return t == DYAD_INT16 ? 2 : t == DYAD_INT32 ? 4 : 1; }

}  // namespace

DyadExec::DyadExec(std::vector<uint8_t> bytes) {
  const size_t size = (bytes.size() + 63) / 64 * 64;
  buffer_ = std::aligned_alloc(64, size);
  std::memcpy(buffer_, bytes.data(), bytes.size());
  if (dyad_model_load_buffer(buffer_, bytes.size(), &model_) != DYAD_OK) {
    std::free(buffer_);
    buffer_ = nullptr;
    Fail("libdyad refused the model");
  }
  dyad_session_options o;
  dyad_session_options_init(&o);
  if (dyad_session_create(model_, &o, &session_) != DYAD_OK) {
    dyad_model_free(model_);
    std::free(buffer_);
    model_ = nullptr;
    buffer_ = nullptr;
    Fail("libdyad could not create a session");
  }
}

DyadExec DyadExec::FromFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConvertError(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return DyadExec(std::move(bytes));
}

DyadExec::DyadExec(DyadExec&& o) noexcept : buffer_(o.buffer_), model_(o.model_), session_(o.session_) {
  o.buffer_ = nullptr;
  o.model_ = nullptr;
  o.session_ = nullptr;
}

DyadExec::~DyadExec() {
  if (session_) dyad_session_free(session_);
  if (model_) dyad_model_free(model_);
  std::free(buffer_);
}

size_t DyadExec::num_inputs() const { return dyad_model_num_inputs(model_); }
size_t DyadExec::num_outputs() const { return dyad_model_num_outputs(model_); }

std::string DyadExec::Metadata(const std::string& key) const {
  const char* v = dyad_model_metadata(model_, key.c_str());
  return v ? v : "";
}

Shape DyadExec::InputShape(size_t k) const {
  dyad_tensor_view v;
  if (dyad_session_input(session_, k, &v) != DYAD_OK) Fail("input " + std::to_string(k));
  Shape stored(v.shape, v.shape + v.rank);
  std::vector<int> perm = ParsePerm(Metadata("input_" + std::to_string(k) + "_perm"));
  if (perm.size() != stored.size()) return stored;
  Shape onnx(stored.size());
  for (size_t j = 0; j < perm.size(); ++j) onnx[perm[j]] = stored[j];
  return onnx;
}

dyad_dtype DyadExec::InputDType(size_t k) const {
  dyad_tensor_view v;
  if (dyad_session_input(session_, k, &v) != DYAD_OK) Fail("input " + std::to_string(k));
  return v.dtype;
}

std::vector<DyadValue> DyadExec::Run(const std::vector<const Sample*>& inputs) {
  if (inputs.size() != num_inputs())
    throw ConvertError("the model has " + std::to_string(num_inputs()) + " inputs, " +
                       std::to_string(inputs.size()) + " given");
  for (size_t k = 0; k < inputs.size(); ++k) {
    dyad_tensor_view v;
    if (dyad_session_input(session_, k, &v) != DYAD_OK) Fail("input " + std::to_string(k));
    const Sample& s = *inputs[k];
    const Shape onnx = InputShape(k);
    if (s.value.shape != onnx)
      throw ConvertError(s.source + ": shape " + ShapeToString(s.value.shape) + ", model input " +
                         std::to_string(k) + " expects " + ShapeToString(onnx));
    std::vector<int> perm = ParsePerm(Metadata("input_" + std::to_string(k) + "_perm"));
    if (perm.size() != onnx.size()) perm = IdentityPerm(onnx.size());
    const size_t es = ElemSize(v.dtype);
    std::vector<uint8_t> q(NumElements(onnx) * es);
    if (v.dtype == DYAD_UINT8 && !s.pixels.empty()) {
      q = s.pixels;
    } else if (v.dtype == DYAD_INT8 && !s.raw_int8.empty()) {
      q.assign(reinterpret_cast<const uint8_t*>(s.raw_int8.data()),
               reinterpret_cast<const uint8_t*>(s.raw_int8.data()) + s.raw_int8.size());
    } else {
      const double lo = v.dtype == DYAD_UINT8 ? 0 : v.dtype == DYAD_INT16 ? -32768 : -128;
      const double hi = v.dtype == DYAD_UINT8 ? 255 : v.dtype == DYAD_INT16 ? 32767 : 127;
      for (size_t e = 0; e < s.value.f.size(); ++e) {
        double r = std::round(s.value.f[e] / v.scale) + v.zero_point;
        r = std::min(std::max(r, lo), hi);
        if (es == 1) {
          q[e] = static_cast<uint8_t>(static_cast<int>(r) & 0xff);
        } else {
          const int16_t h = static_cast<int16_t>(r);
          std::memcpy(&q[e * 2], &h, 2);
        }
      }
    }
    std::vector<uint8_t> stored = TransposeBytes(q, onnx, perm, es);
    if (stored.size() != v.size_bytes) throw ConvertError("input " + std::to_string(k) + ": size mismatch");
    std::memcpy(v.data, stored.data(), stored.size());
  }
  if (dyad_session_run(session_) != DYAD_OK) Fail("libdyad run failed");
  std::vector<DyadValue> out;
  for (size_t k = 0; k < num_outputs(); ++k) {
    dyad_tensor_view v;
    if (dyad_session_output(session_, k, &v) != DYAD_OK) Fail("output " + std::to_string(k));
    Shape stored(v.shape, v.shape + v.rank);
    std::vector<int> perm = ParsePerm(Metadata("output_" + std::to_string(k) + "_perm"));
    if (perm.size() != stored.size()) perm = IdentityPerm(stored.size());
    const size_t es = ElemSize(v.dtype);
    std::vector<uint8_t> bytes(static_cast<uint8_t*>(v.data), static_cast<uint8_t*>(v.data) + v.size_bytes);
    // stored = transpose(onnx, perm) -> onnx = transpose(stored, perm^-1).
    std::vector<int> inv(perm.size());
    for (size_t j = 0; j < perm.size(); ++j) inv[perm[j]] = static_cast<int>(j);
    DyadValue d;
    d.name = Metadata("output_" + std::to_string(k) + "_name");
    if (d.name.empty()) d.name = v.name ? v.name : "";
    d.raw = TransposeBytes(bytes, stored, inv, es);
    d.shape.resize(stored.size());
    for (size_t j = 0; j < perm.size(); ++j) d.shape[perm[j]] = stored[j];
    d.dtype = v.dtype;
    d.scale = v.scale;
    d.zero_point = v.zero_point;
    const int64_t n = NumElements(d.shape);
    d.value.resize(n);
    for (int64_t e = 0; e < n; ++e) {
      int64_t q = 0;
      switch (v.dtype) {
        case DYAD_INT8: q = static_cast<int8_t>(d.raw[e]); break;
        case DYAD_UINT8: q = d.raw[e]; break;
        case DYAD_INT16: { int16_t h; std::memcpy(&h, &d.raw[e * 2], 2); q = h; break; }
        case DYAD_INT32: { int32_t w; std::memcpy(&w, &d.raw[e * 4], 4); q = w; break; }
      }
      d.value[e] = static_cast<float>(double(v.scale) * double(q - v.zero_point));
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace dyad::convert
