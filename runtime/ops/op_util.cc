#include "runtime/ops/op_util.h"

#include <cstdarg>
#include <cstdio>

#include "kernels/common/fixed_point.h"
#include "runtime/src/error.h"

namespace dyad {
namespace rt {

dyad_status OpCheck::fail(const char* format, ...) const {
  char detail[768];
  va_list args;
  va_start(args, format);
  std::vsnprintf(detail, sizeof(detail), format, args);
  va_end(args);
  return rt::fail(DYAD_ERROR_INVALID_MODEL, "op %d '%s' (%s): %s", index_, op().name,
                  op_type_name(op().type), detail);
}

dyad_status OpCheck::fail_status(dyad_status status, const char* format, ...) const {
  char detail[768];
  va_list args;
  va_start(args, format);
  std::vsnprintf(detail, sizeof(detail), format, args);
  va_end(args);
  return rt::fail(status, "op %d '%s' (%s): %s", index_, op().name, op_type_name(op().type),
                  detail);
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kInt8: return "INT8";
    case DType::kUInt8: return "UINT8";
    case DType::kInt16: return "INT16";
    case DType::kInt32: return "INT32";
  }
  return "?";
}

void dtype_range(DType t, int64_t* lo, int64_t* hi) {
  switch (t) {
    case DType::kInt8: *lo = -128; *hi = 127; return;
    case DType::kUInt8: *lo = 0; *hi = 255; return;
    case DType::kInt16: *lo = -32768; *hi = 32767; return;
    case DType::kInt32: *lo = INT32_MIN; *hi = INT32_MAX; return;
  }
  *lo = 0;
  *hi = -1;
}

std::string shape_string(const Shape& s) {
  std::string r = "[";
  for (int i = 0; i < s.rank; ++i) {
    if (i > 0) r += ",";
    r += std::to_string(s.dims[i]);
  }
  return r + "]";
}

bool same_shape(const Shape& a, const Shape& b) {
  if (a.rank != b.rank) return false;
  for (int i = 0; i < a.rank; ++i) {
    if (a.dims[i] != b.dims[i]) return false;
  }
  return true;
}

std::string io_name(const OpCheck& c, bool is_input, size_t i) {
  const std::vector<int32_t>& v = is_input ? c.op().inputs : c.op().outputs;
  std::string r = std::string(is_input ? "input " : "output ") + std::to_string(i);
  if (i < v.size() && v[i] >= 0) {
    const TensorInfo& t = c.model().tensors[static_cast<size_t>(v[i])];
    r += " (tensor " + std::to_string(v[i]) + " '" + t.name + "')";
  }
  return r;
}

dyad_status expect_io(const OpCheck& c, size_t min_in, size_t max_in, size_t n_out) {
  if (c.num_inputs() < min_in || c.num_inputs() > max_in) {
    if (min_in == max_in) return c.fail("inputs: expected %zu, got %zu", min_in, c.num_inputs());
    return c.fail("inputs: expected %zu to %zu, got %zu", min_in, max_in, c.num_inputs());
  }
  for (size_t i = 0; i < min_in; ++i) {
    if (c.input(i) == nullptr) return c.fail("inputs[%zu] is required but absent (-1)", i);
  }
  if (c.num_outputs() != n_out) {
    return c.fail("outputs: expected %zu, got %zu", n_out, c.num_outputs());
  }
  return DYAD_OK;
}

namespace {
dyad_status expect_dtype(const OpCheck& c, bool is_input, size_t i, DType t) {
  const TensorInfo* info = is_input ? c.input(i) : c.output(i);
  if (info == nullptr || info->dtype == t) return DYAD_OK;
  return c.fail("%s: dtype %s, expected %s", io_name(c, is_input, i).c_str(),
                dtype_name(info->dtype), dtype_name(t));
}
dyad_status expect_rank(const OpCheck& c, bool is_input, size_t i, int rank) {
  const TensorInfo* info = is_input ? c.input(i) : c.output(i);
  if (info == nullptr || info->shape.rank == rank) return DYAD_OK;
  return c.fail("%s: rank %d, expected %d", io_name(c, is_input, i).c_str(), info->shape.rank,
                rank);
}
}  // namespace

dyad_status expect_input_dtype(const OpCheck& c, size_t i, DType t) {
  return expect_dtype(c, true, i, t);
}
dyad_status expect_output_dtype(const OpCheck& c, size_t i, DType t) {
  return expect_dtype(c, false, i, t);
}
dyad_status expect_input_rank(const OpCheck& c, size_t i, int rank) {
  return expect_rank(c, true, i, rank);
}
dyad_status expect_output_rank(const OpCheck& c, size_t i, int rank) {
  return expect_rank(c, false, i, rank);
}

namespace {
dyad_status expect_int8_or_int16(const OpCheck& c, bool is_input, size_t i) {
  const TensorInfo* info = is_input ? c.input(i) : c.output(i);
  if (info == nullptr) return DYAD_OK;
  if (info->dtype == DType::kInt16) {
    if (info->zero_point == 0) return DYAD_OK;
    return c.fail("%s: INT16 tensor with zero_point %d; INT16 activations must have "
                  "zero_point 0 (symmetric)",
                  io_name(c, is_input, i).c_str(), info->zero_point);
  }
  if (info->dtype == DType::kInt8) return DYAD_OK;
  return c.fail("%s: dtype %s, expected INT8 or INT16", io_name(c, is_input, i).c_str(),
                dtype_name(info->dtype));
}
}  // namespace

dyad_status expect_input_int8_or_int16(const OpCheck& c, size_t i) {
  return expect_int8_or_int16(c, true, i);
}
dyad_status expect_output_int8_or_int16(const OpCheck& c, size_t i) {
  return expect_int8_or_int16(c, false, i);
}
const char* quantized_prefix(DType t) { return t == DType::kInt16 ? "qs16" : "qs8"; }

dyad_status expect_input_constant(const OpCheck& c, size_t i) {
  const TensorInfo* info = c.input(i);
  if (info == nullptr || info->constant != nullptr) return DYAD_OK;
  return c.fail("%s must be a constant (have a buffer)", io_name(c, true, i).c_str());
}

dyad_status expect_output_shape(const OpCheck& c, size_t i, const Shape& expected) {
  const TensorInfo* info = c.output(i);
  if (info == nullptr || same_shape(info->shape, expected)) return DYAD_OK;
  return c.fail("%s: shape %s, expected %s", io_name(c, false, i).c_str(),
                shape_string(info->shape).c_str(), shape_string(expected).c_str());
}

dyad_status check_multiplier(const OpCheck& c, const char* field, int64_t m0, int64_t shift,
                             bool allow_negative) {
  if (is_valid_multiplier(m0, shift, allow_negative)) return DYAD_OK;
  return c.fail("%s: invalid dyadic multiplier (M0=%lld, shift=%lld); need M0 = 0 or %s"
                "M0 in [2^30, 2^31) and shift in [-31, 30]",
                field, static_cast<long long>(m0), static_cast<long long>(shift),
                allow_negative ? "|M0| " : "");
}

dyad_status check_channel_requant(const OpCheck& c, const char* m_field, const char* s_field,
                                  const flatbuffers::Vector<int32_t>* m,
                                  const flatbuffers::Vector<int8_t>* s, int64_t channels,
                                  bool allow_negative) {
  if (m == nullptr || m->size() == 0) return c.fail("%s is missing", m_field);
  if (s == nullptr || s->size() != m->size()) {
    return c.fail("%s: length %u, expected the length of %s (%u)", s_field,
                  s == nullptr ? 0u : s->size(), m_field, m->size());
  }
  if (m->size() != 1 && static_cast<int64_t>(m->size()) != channels) {
    return c.fail("%s: length %u, expected 1 or %lld (channels)", m_field, m->size(),
                  static_cast<long long>(channels));
  }
  for (uint32_t i = 0; i < m->size(); ++i) {
    if (!is_valid_multiplier(m->Get(i), s->Get(i), allow_negative)) {
      return c.fail("%s[%u]/%s[%u]: invalid dyadic multiplier (M0=%d, shift=%d)", m_field, i,
                    s_field, i, m->Get(i), static_cast<int>(s->Get(i)));
    }
  }
  return DYAD_OK;
}

dyad_status check_activation_range(const OpCheck& c, int32_t act_min, int32_t act_max, DType out) {
  int64_t lo = 0, hi = 0;
  dtype_range(out, &lo, &hi);
  if (act_min > act_max) return c.fail("act_min %d > act_max %d", act_min, act_max);
  if (act_min < lo || act_max > hi) {
    return c.fail("act_min/act_max [%d, %d] outside the %s output range [%lld, %lld]", act_min,
                  act_max, dtype_name(out), static_cast<long long>(lo),
                  static_cast<long long>(hi));
  }
  return DYAD_OK;
}

Shape pad_rank(const Shape& s, int rank) {
  Shape r;
  r.rank = rank;
  const int pad = rank - s.rank;
  for (int i = 0; i < rank; ++i) r.dims[i] = i < pad ? 1 : s.dims[i - pad];
  return r;
}

bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out) {
  const int rank = a.rank > b.rank ? a.rank : b.rank;
  const Shape pa = pad_rank(a, rank), pb = pad_rank(b, rank);
  out->rank = rank;
  for (int i = 0; i < rank; ++i) {
    if (pa.dims[i] == pb.dims[i] || pb.dims[i] == 1) {
      out->dims[i] = pa.dims[i];
    } else if (pa.dims[i] == 1) {
      out->dims[i] = pb.dims[i];
    } else {
      return false;
    }
  }
  return true;
}

ChannelRequant channel_requant(const flatbuffers::Vector<int32_t>* m,
                               const flatbuffers::Vector<int8_t>* s) {
  ChannelRequant r;
  r.multiplier = m->data();
  r.shift = s->data();
  r.count = static_cast<int32_t>(m->size());
  return r;
}

}  // namespace rt
}  // namespace dyad
