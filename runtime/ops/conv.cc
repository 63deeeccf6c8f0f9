// Conv2D and TransposeConv2D (shared options layout, one template).
#include <algorithm>
#include <limits>
#include <string>

#include "kernels/conv_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

struct ConvState : OpState {
  ConvParams p;
  bool transpose = false;
  // Set when an optimized kernel runs this conv: the model's shared packed
  // weights; each thread's scratch is PreparedOp::thread_scratch.
  std::shared_ptr<const PackedConv> packed;
};

// Kernel-name infix for the output type (docs/kernels.md): int8 none,
// "_i16out" / "_i32out" otherwise, e.g. "qs8_conv2d_i16out__avx2".
const char* output_type_suffix(DType t) {
  return t == DType::kInt16 ? "_i16out" : t == DType::kInt32 ? "_i32out" : "";
}

constexpr int64_t kMaxGeometry = std::numeric_limits<int32_t>::max() / 2;

// Output extent of a convolution along one axis (the spec's formula), or -1
// when the padded input is smaller than the dilated kernel.
int64_t conv_out_extent(int64_t in, int64_t pad_a, int64_t pad_b, int64_t kernel, int64_t stride,
                        int64_t dilation) {
  const int64_t span = in + pad_a + pad_b - dilation * (kernel - 1) - 1;
  return span < 0 ? -1 : span / stride + 1;
}

template <typename Options>
dyad_status verify_conv_like(const OpCheck& c, bool transpose) {
  if (dyad_status s = expect_io(c, 2, 3, 1)) return s;
  const Options* o = c.options<Options>();
  const TensorInfo* x = c.input(0);
  const TensorInfo* w = c.input(1);
  const TensorInfo* b = c.input(2);
  const TensorInfo* y = c.output(0);
  // x: INT8 (any zero point) or INT16 with zero point 0 (reference kernels).
  if (dyad_status s = expect_input_int8_or_int16(c, 0)) return s;
  if (dyad_status s = expect_input_dtype(c, 1, DType::kInt8)) return s;
  if (dyad_status s = expect_input_dtype(c, 2, DType::kInt32)) return s;
  if (dyad_status s = expect_input_rank(c, 0, 4)) return s;
  if (dyad_status s = expect_input_rank(c, 1, 4)) return s;
  if (dyad_status s = expect_input_rank(c, 2, 1)) return s;
  if (dyad_status s = expect_output_rank(c, 0, 4)) return s;
  if (dyad_status s = expect_input_constant(c, 1)) return s;
  if (dyad_status s = expect_input_constant(c, 2)) return s;
  if (y->dtype != DType::kInt8 && y->dtype != DType::kInt16 && y->dtype != DType::kInt32) {
    return c.fail("%s: dtype %s, expected INT8, INT16 or INT32", io_name(c, false, 0).c_str(),
                  dtype_name(y->dtype));
  }
  if (w->zero_point != 0) {
    return c.fail("%s: weights zero_point %d, must be 0 (symmetric)", io_name(c, true, 1).c_str(),
                  w->zero_point);
  }
  if (o->stride_h() < 1 || o->stride_w() < 1) return c.fail("stride_h/stride_w must be >= 1");
  if (o->dilation_h() < 1 || o->dilation_w() < 1) {
    return c.fail("dilation_h/dilation_w must be >= 1");
  }
  if (o->pad_top() < 0 || o->pad_left() < 0 || o->pad_bottom() < 0 || o->pad_right() < 0) {
    return c.fail("pad_top/pad_left/pad_bottom/pad_right must be >= 0");
  }
  const int32_t groups = o->groups();
  const int32_t in_c = x->shape.dims[3];
  const int32_t out_c = w->shape.dims[0];
  if (groups < 1 || in_c % groups != 0 || out_c % groups != 0) {
    return c.fail("groups %d must be >= 1 and divide input channels %d and output channels %d",
                  groups, in_c, out_c);
  }
  if (w->shape.dims[3] != in_c / groups) {
    return c.fail("%s: weights shape %s, expected last dim %d (input channels / groups)",
                  io_name(c, true, 1).c_str(), shape_string(w->shape).c_str(), in_c / groups);
  }
  if (b != nullptr && b->shape.dims[0] != out_c) {
    return c.fail("%s: bias length %d, expected %d (output channels)",
                  io_name(c, true, 2).c_str(), b->shape.dims[0], out_c);
  }
  const int64_t kh = w->shape.dims[1], kw = w->shape.dims[2];
  const int64_t in_h = x->shape.dims[1], in_w = x->shape.dims[2];
  const int64_t out_h = y->shape.dims[1], out_w = y->shape.dims[2];
  // Bound every int32 coordinate a kernel computes (oy*stride - pad + ky*dilation).
  const int64_t ext_h = (transpose ? out_h : in_h) + o->pad_top() + o->pad_bottom() +
                        int64_t{o->dilation_h()} * (kh - 1) + o->stride_h();
  const int64_t ext_w = (transpose ? out_w : in_w) + o->pad_left() + o->pad_right() +
                        int64_t{o->dilation_w()} * (kw - 1) + o->stride_w();
  if (ext_h > kMaxGeometry || ext_w > kMaxGeometry) {
    return c.fail("geometry too large (padding/dilation/stride)");
  }
  Shape expected = y->shape;
  expected.dims[0] = x->shape.dims[0];
  expected.dims[3] = out_c;
  if (!transpose) {
    const int64_t oh = conv_out_extent(in_h, o->pad_top(), o->pad_bottom(), kh, o->stride_h(),
                                       o->dilation_h());
    const int64_t ow = conv_out_extent(in_w, o->pad_left(), o->pad_right(), kw, o->stride_w(),
                                       o->dilation_w());
    if (oh < 1 || ow < 1) return c.fail("kernel larger than the padded input");
    expected.dims[1] = static_cast<int32_t>(oh);
    expected.dims[2] = static_cast<int32_t>(ow);
  } else {
    // out = (in-1)*stride + dilation*(k-1) + 1 - pads, plus up to stride-1
    // extra rows/cols (ONNX output_padding).
    const int64_t base_h = (in_h - 1) * o->stride_h() + o->dilation_h() * (kh - 1) + 1 -
                           o->pad_top() - o->pad_bottom();
    const int64_t base_w = (in_w - 1) * o->stride_w() + o->dilation_w() * (kw - 1) + 1 -
                           o->pad_left() - o->pad_right();
    if (out_h < base_h || out_h >= base_h + o->stride_h() || out_w < base_w ||
        out_w >= base_w + o->stride_w()) {
      return c.fail("%s: shape %s, expected H in [%lld, %lld] and W in [%lld, %lld]",
                    io_name(c, false, 0).c_str(), shape_string(y->shape).c_str(),
                    static_cast<long long>(base_h),
                    static_cast<long long>(base_h + o->stride_h() - 1),
                    static_cast<long long>(base_w),
                    static_cast<long long>(base_w + o->stride_w() - 1));
    }
  }
  if (dyad_status s = expect_output_shape(c, 0, expected)) return s;
  if (y->dtype != DType::kInt32) {
    if (dyad_status s = check_channel_requant(c, "multiplier", "shift", o->multiplier(),
                                              o->shift(), out_c)) {
      return s;
    }
    if (dyad_status s = check_activation_range(c, o->act_min(), o->act_max(), y->dtype)) return s;
  }
  return DYAD_OK;
}

// Reference conv over output image rows [begin, end) of the batch*out_h rows:
// each part is the same conv with fewer output rows and the top padding moved
// by the skipped rows, so every output element is computed exactly as in one call.
void reference_conv_rows(const ConvParams& p, const void* x, const int8_t* w, const int32_t* b,
                         void* y, int64_t begin, int64_t end) {
  // Bytes of one input image (int8 or int16 elements).
  const int64_t in_image = int64_t{p.in_h} * p.in_w * p.in_c *
                           static_cast<int64_t>(dtype_size(p.input_type));
  const int64_t out_row =
      int64_t{p.out_w} * p.out_c * static_cast<int64_t>(dtype_size(p.output_type));
  while (begin < end) {
    const int64_t image = begin / p.out_h;
    const int32_t oy0 = static_cast<int32_t>(begin % p.out_h);
    const int64_t stop = std::min<int64_t>(end, (image + 1) * p.out_h);
    ConvParams part = p;
    part.batch = 1;
    part.out_h = static_cast<int32_t>(stop - begin);
    part.pad_top = p.pad_top - oy0 * p.stride_h;
    ref::conv2d(part, static_cast<const uint8_t*>(x) + image * in_image, w, b,
                static_cast<uint8_t*>(y) + (image * p.out_h + oy0) * out_row);
    begin = stop;
  }
}

void run_conv(const PreparedOp& op) {
  const ConvState& s = op.as<ConvState>();
  const void* x = op.in[0];  // int8 or int16 (p.input_type)
  const auto* w = static_cast<const int8_t*>(op.in[1]);
  const auto* b = op.in.size() > 2 ? static_cast<const int32_t*>(op.in[2]) : nullptr;
  if (s.transpose) {
    ref::transpose_conv2d(s.p, x, w, b, op.out[0]);
    return;
  }
  const int64_t out_pixel_macs = std::max<int64_t>(
      1, int64_t{s.p.out_c} * s.p.kernel_h * s.p.kernel_w * (s.p.in_c / s.p.groups));
  if (s.packed != nullptr) {
    void* y = op.out[0];  // int8, int16 or int32 elements (p.output_type)
    const bool depthwise = s.p.groups > 1 && s.p.groups == s.p.in_c && s.p.groups == s.p.out_c;
    const int64_t min_macs = depthwise ? kMinPackedDepthwiseMacsPerThread : kMinPackedMacsPerThread;
    op.parallel_for(conv2d_rows(s.p), min_macs / out_pixel_macs + 1,
                    [&](int64_t begin, int64_t end, int t) {
                      conv2d_run(*s.packed, s.p, x, y, op.thread_scratch(t), begin, end);
                    });
    return;
  }
  const int64_t row_macs = out_pixel_macs * s.p.out_w;
  op.parallel_for(int64_t{s.p.batch} * s.p.out_h, kMinMacsPerThread / row_macs + 1,
                  [&](int64_t begin, int64_t end, int) {
                    reference_conv_rows(s.p, x, w, b, op.out[0], begin, end);
                  });
}

template <typename Options>
dyad_status prepare_conv_like(const OpCheck& c, PreparedOp* op, bool transpose) {
  const Options* o = c.options<Options>();
  const TensorInfo* x = c.input(0);
  const TensorInfo* w = c.input(1);
  const TensorInfo* y = c.output(0);
  auto state = std::make_unique<ConvState>();
  ConvParams& p = state->p;
  p.batch = x->shape.dims[0];
  p.in_h = x->shape.dims[1];
  p.in_w = x->shape.dims[2];
  p.in_c = x->shape.dims[3];
  p.out_h = y->shape.dims[1];
  p.out_w = y->shape.dims[2];
  p.out_c = y->shape.dims[3];
  p.kernel_h = w->shape.dims[1];
  p.kernel_w = w->shape.dims[2];
  p.stride_h = o->stride_h();
  p.stride_w = o->stride_w();
  p.dilation_h = o->dilation_h();
  p.dilation_w = o->dilation_w();
  p.pad_top = o->pad_top();
  p.pad_left = o->pad_left();
  p.groups = o->groups();
  p.input_zero_point = x->zero_point;
  p.output_zero_point = y->zero_point;
  p.input_type = x->dtype;
  p.output_type = y->dtype;
  if (y->dtype != DType::kInt32) {
    p.requant = channel_requant(o->multiplier(), o->shift());
    p.act_min = o->act_min();
    p.act_max = o->act_max();
  }
  state->transpose = transpose;
  // MACs of the direct form: every (output pixel, channel) x kernel window.
  // Both factors are element counts (< 2^31), so the product fits int64.
  const int64_t weights = w->shape.elements();
  op->macs = transpose ? int64_t{p.batch} * p.in_h * p.in_w * weights
                       : int64_t{p.batch} * p.out_h * p.out_w * weights;
  const bool depthwise = !transpose && p.groups > 1 && p.groups == p.in_c;
  // "qs16_..." for an int16 input (docs/kernels.md).
  op->kernel = std::string(quantized_prefix(p.input_type)) +
               (transpose ? "_transpose_conv2d" : depthwise ? "_dwconv2d" : "_conv2d");
  op->kernel += output_type_suffix(p.output_type);
  // int16 inputs: x86 paths only; they run the AVX2 kernels even in a VNNI
  // session, and the name says the packed kernel's path (qs16_conv2d__avx2).
  if (!transpose && op->isa != Isa::kReference && conv2d_can_use(op->isa, p)) {
    const TensorInfo* b = c.input(2);
    // Packed once per (model, ISA): later sessions share the first one's copy.
    state->packed = shared_packed_weights(c.model(), c.index(), op->isa, [&] {
      return conv2d_pack(op->isa, p, reinterpret_cast<const int8_t*>(w->constant),
                         b != nullptr ? reinterpret_cast<const int32_t*>(b->constant) : nullptr);
    });
    if (state->packed != nullptr) {
      op->scratch_bytes = conv2d_scratch_bytes(*state->packed);
      op->kernel = op->kernel + conv2d_kernel_tag(*state->packed) + "__" +
                   isa_name(state->packed->isa);
    }
  }
  op->state = std::move(state);
  op->run = run_conv;
  return DYAD_OK;
}

dyad_status verify_conv(const OpCheck& c) {
  return verify_conv_like<fb::Conv2DOptions>(c, false);
}
dyad_status prepare_conv(const OpCheck& c, PreparedOp* op) {
  return prepare_conv_like<fb::Conv2DOptions>(c, op, false);
}
dyad_status verify_transpose_conv(const OpCheck& c) {
  return verify_conv_like<fb::TransposeConv2DOptions>(c, true);
}
dyad_status prepare_transpose_conv(const OpCheck& c, PreparedOp* op) {
  return prepare_conv_like<fb::TransposeConv2DOptions>(c, op, true);
}

}  // namespace

extern const OpKernel kConv2DOp = {fb::OperatorOptions::Conv2DOptions, "Conv2D", verify_conv,
                                   prepare_conv};
extern const OpKernel kTransposeConv2DOp = {fb::OperatorOptions::TransposeConv2DOptions,
                                            "TransposeConv2D", verify_transpose_conv,
                                            prepare_transpose_conv};

}  // namespace rt
}  // namespace dyad
