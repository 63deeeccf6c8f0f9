// Resize of H and W of NHWC int8 or int16 (zero point 0) (nearest or
// bilinear, eq. 17-18). The optimized bilinear kernels take int8 only.
#include <algorithm>
#include <vector>

#include "kernels/pool_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/movement.h"

namespace dyad {
namespace rt {
namespace {

struct ResizeState : OpState {
  ResizeParams p;
  // Set when an optimized bilinear kernel runs: the taps of every output
  // row and column (eq. 18), computed at prepare.
  bool optimized = false;
  std::vector<ResizeTap> rows, cols;
};

// Scale terms are small rationals; the bound keeps kernels' coordinate math in int64.
constexpr int32_t kMaxScaleTerm = 1 << 16;

dyad_status check_scale(const OpCheck& c, const char* axis, int32_t num, int32_t den) {
  if (num == 0 && den == 0) return DYAD_OK;
  if (num < 1 || den < 1 || num > kMaxScaleTerm || den > kMaxScaleTerm) {
    return c.fail("scale_%s_num/scale_%s_den = %d/%d: both 0, or both in [1, %d]", axis, axis,
                  num, den, kMaxScaleTerm);
  }
  return DYAD_OK;
}

dyad_status verify_resize(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_input_int8_or_int16(c, 0)) return s;
  if (dyad_status s = expect_same_quantization(c, 0, 0)) return s;
  if (dyad_status s = expect_input_rank(c, 0, 4)) return s;
  if (dyad_status s = expect_output_rank(c, 0, 4)) return s;
  const Shape& x = c.input(0)->shape;
  const Shape& y = c.output(0)->shape;
  if (x.dims[0] != y.dims[0] || x.dims[3] != y.dims[3]) {
    return c.fail("output shape %s must keep N and C of input shape %s", shape_string(y).c_str(),
                  shape_string(x).c_str());
  }
  if (y.dims[1] > (1 << 24) || y.dims[2] > (1 << 24) || x.dims[1] > (1 << 24) ||
      x.dims[2] > (1 << 24)) {
    return c.fail("H/W extents above 2^24 are not supported");
  }
  const auto* o = c.options<fb::ResizeOptions>();
  if (static_cast<int>(o->mode()) < 0 || static_cast<int>(o->mode()) > 1) {
    return c.fail("mode %d unknown", static_cast<int>(o->mode()));
  }
  if (static_cast<int>(o->coordinate_mode()) < 0 || static_cast<int>(o->coordinate_mode()) > 3) {
    return c.fail("coordinate_mode %d unknown", static_cast<int>(o->coordinate_mode()));
  }
  if (static_cast<int>(o->nearest_rounding()) < 0 ||
      static_cast<int>(o->nearest_rounding()) > 3) {
    return c.fail("nearest_rounding %d unknown", static_cast<int>(o->nearest_rounding()));
  }
  if (dyad_status s = check_scale(c, "h", o->scale_h_num(), o->scale_h_den())) return s;
  return check_scale(c, "w", o->scale_w_num(), o->scale_w_den());
}

// Output rows are independent: split them across the session's threads.
void run_resize(const PreparedOp& op) {
  const ResizeState& s = op.as<ResizeState>();
  const ResizeParams& p = s.p;
  const void* x = op.in[0];  // int8 or int16 (p.type); the optimized kernel: int8
  void* y = op.out[0];
  const int64_t row_elements = std::max<int64_t>(1, int64_t{p.out_w} * p.channels);
  op.parallel_for(int64_t{p.batch} * p.out_h, kMinElementsPerThread / row_elements + 1,
                  [&](int64_t begin, int64_t end, int) {
                    if (s.optimized) {
                      resize_bilinear_run(op.isa, p, s.rows.data(), s.cols.data(),
                                          static_cast<const int8_t*>(x), static_cast<int8_t*>(y),
                                          begin, end);
                    } else {
                      ref::resize_rows(p, x, y, begin, end);
                    }
                  });
}

dyad_status prepare_resize(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::ResizeOptions>();
  auto state = std::make_unique<ResizeState>();
  ResizeParams& p = state->p;
  const Shape& x = c.input(0)->shape;
  const Shape& y = c.output(0)->shape;
  p.batch = x.dims[0];
  p.in_h = x.dims[1];
  p.in_w = x.dims[2];
  p.channels = x.dims[3];
  p.out_h = y.dims[1];
  p.out_w = y.dims[2];
  p.mode = static_cast<ResizeMode>(o->mode());
  p.coordinate_mode = static_cast<CoordinateMode>(o->coordinate_mode());
  p.nearest_rounding = static_cast<NearestRounding>(o->nearest_rounding());
  p.scale_h_num = o->scale_h_num();
  p.scale_h_den = o->scale_h_den();
  p.scale_w_num = o->scale_w_num();
  p.scale_w_den = o->scale_w_den();
  p.type = c.input(0)->dtype;
  const bool bilinear = p.mode == ResizeMode::kBilinear;
  op->macs = bilinear ? y.elements() * 4 : 0;
  const bool wide = p.type == DType::kInt16;
  op->kernel = bilinear ? (wide ? "qs16_resize_bilinear" : "qs8_resize_bilinear")
                        : (wide ? "s16_resize_nearest" : "s8_resize_nearest");
  if (bilinear && op->isa != Isa::kReference && resize_bilinear_can_use(op->isa, p)) {
    state->optimized = true;
    state->rows.resize(static_cast<size_t>(p.out_h));
    state->cols.resize(static_cast<size_t>(p.out_w));
    for (int32_t i = 0; i < p.out_h; ++i) state->rows[i] = ref::resize_bilinear_tap(p, false, i);
    for (int32_t i = 0; i < p.out_w; ++i) state->cols[i] = ref::resize_bilinear_tap(p, true, i);
    op->kernel = resize_bilinear_kernel_name(op->isa);
  }
  op->state = std::move(state);
  op->run = run_resize;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kResizeOp = {fb::OperatorOptions::ResizeOptions, "Resize", verify_resize,
                                   prepare_resize};

}  // namespace rt
}  // namespace dyad
