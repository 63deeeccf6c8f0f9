// MaxPool and AveragePool over H, W of NHWC int8 or int16 (eq. 11; input and
// output of one type, int16 with zero point 0). MaxPool uses the optimized
// kernel of kernels/pool_kernels.h when the path has one (int8 only), split
// over output rows; AveragePool is the reference kernel.
#include <algorithm>
#include <string>

#include "kernels/pool_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

// AveragePool / Mean of INT16 data: at most 2^16 summed positions, so
// |sum| <= 2^15 * 2^16 = 2^31 (and >= -2^31) fits the int32 of eq. 6.
constexpr int64_t kMaxInt16Window = int64_t{1} << 16;

struct PoolState : OpState {
  PoolParams p;
  bool average = false;
  Isa max_pool_isa = Isa::kReference;  // kReference: ref::max_pool
};

struct PoolGeometry {
  int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int32_t pad_top, pad_left, pad_bottom, pad_right;
};

dyad_status verify_pool_geometry(const OpCheck& c, const PoolGeometry& g) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  // Both INT8, or both INT16 with zero point 0.
  if (dyad_status s = expect_input_int8_or_int16(c, 0)) return s;
  if (dyad_status s = expect_output_dtype(c, 0, c.input(0)->dtype)) return s;
  if (dyad_status s = expect_output_int8_or_int16(c, 0)) return s;
  if (dyad_status s = expect_input_rank(c, 0, 4)) return s;
  if (dyad_status s = expect_output_rank(c, 0, 4)) return s;
  if (g.kernel_h < 1 || g.kernel_w < 1) return c.fail("kernel_h/kernel_w must be >= 1");
  if (g.stride_h < 1 || g.stride_w < 1) return c.fail("stride_h/stride_w must be >= 1");
  if (g.dilation_h < 1 || g.dilation_w < 1) return c.fail("dilation_h/dilation_w must be >= 1");
  const int64_t extent_h = int64_t{g.dilation_h} * (g.kernel_h - 1) + 1;
  const int64_t extent_w = int64_t{g.dilation_w} * (g.kernel_w - 1) + 1;
  // A window entirely in padding would have nothing to pool.
  if (g.pad_top < 0 || g.pad_bottom < 0 || g.pad_left < 0 || g.pad_right < 0 ||
      g.pad_top >= extent_h || g.pad_bottom >= extent_h || g.pad_left >= extent_w ||
      g.pad_right >= extent_w) {
    return c.fail("pad_top/pad_left/pad_bottom/pad_right must be >= 0 and < the window extent");
  }
  const Shape& x = c.input(0)->shape;
  const int64_t span_h = x.dims[1] + int64_t{g.pad_top} + g.pad_bottom - extent_h;
  const int64_t span_w = x.dims[2] + int64_t{g.pad_left} + g.pad_right - extent_w;
  if (span_h < 0 || span_w < 0) return c.fail("window larger than the padded input");
  if (x.dims[1] + extent_h + g.stride_h + g.pad_top > (int64_t{1} << 30) ||
      x.dims[2] + extent_w + g.stride_w + g.pad_left > (int64_t{1} << 30)) {
    return c.fail("geometry too large (padding/dilation/stride)");
  }
  Shape expected = x;
  expected.dims[1] = static_cast<int32_t>(span_h / g.stride_h + 1);
  expected.dims[2] = static_cast<int32_t>(span_w / g.stride_w + 1);
  if (dyad_status s = expect_output_shape(c, 0, expected)) return s;
  return DYAD_OK;
}

dyad_status verify_max_pool(const OpCheck& c) {
  const auto* o = c.options<fb::MaxPoolOptions>();
  const PoolGeometry g{o->kernel_h(),   o->kernel_w(),   o->stride_h(), o->stride_w(),
                       o->dilation_h(), o->dilation_w(), o->pad_top(),  o->pad_left(),
                       o->pad_bottom(), o->pad_right()};
  if (dyad_status s = verify_pool_geometry(c, g)) return s;
  if (c.input(0)->zero_point != c.output(0)->zero_point) {
    return c.fail("input zero_point %d differs from output zero_point %d (needs a Requantize)",
                  c.input(0)->zero_point, c.output(0)->zero_point);
  }
  return check_activation_range(c, o->act_min(), o->act_max(), c.output(0)->dtype);
}

dyad_status verify_average_pool(const OpCheck& c) {
  const auto* o = c.options<fb::AveragePoolOptions>();
  const PoolGeometry g{o->kernel_h(), o->kernel_w(), o->stride_h(),   o->stride_w(),
                       1,             1,             o->pad_top(),    o->pad_left(),
                       o->pad_bottom(), o->pad_right()};
  if (dyad_status s = verify_pool_geometry(c, g)) return s;
  const int64_t window = int64_t{o->kernel_h()} * o->kernel_w();
  // Int16: |sum| <= 2^15 * window must fit the int32 of eq. 6 exactly.
  if (c.input(0)->dtype == DType::kInt16 && window > kMaxInt16Window) {
    return c.fail("kernel_h*kernel_w = %lld: above %lld positions the int32 sum of an INT16 "
                  "input (%s) could overflow",
                  static_cast<long long>(window), static_cast<long long>(kMaxInt16Window),
                  io_name(c, true, 0).c_str());
  }
  const auto* m = o->multiplier();
  const auto* sh = o->shift();
  if (m == nullptr || static_cast<int64_t>(m->size()) != window + 1) {
    return c.fail("multiplier: length %u, expected kernel_h*kernel_w+1 = %lld",
                  m == nullptr ? 0u : m->size(), static_cast<long long>(window + 1));
  }
  if (sh == nullptr || sh->size() != m->size()) {
    return c.fail("shift: length %u, expected %u", sh == nullptr ? 0u : sh->size(), m->size());
  }
  for (uint32_t i = 1; i < m->size(); ++i) {  // entry 0 (count 0) is never used
    if (!is_valid_multiplier(m->Get(i), sh->Get(i))) {
      return c.fail("multiplier[%u]/shift[%u]: invalid dyadic multiplier (M0=%d, shift=%d)", i,
                    i, m->Get(i), static_cast<int>(sh->Get(i)));
    }
  }
  return check_activation_range(c, o->act_min(), o->act_max(), c.output(0)->dtype);
}

void run_pool(const PreparedOp& op) {
  const auto& s = op.as<PoolState>();
  const void* x = op.in[0];  // int8 or int16 elements (p.type)
  void* y = op.out[0];
  if (s.average) {
    ref::average_pool(s.p, x, y);
  } else if (s.max_pool_isa == Isa::kReference) {
    ref::max_pool(s.p, x, y);
  } else {
    // Output rows are independent: any split gives the same bytes.
    const int64_t row_work = int64_t{s.p.out_w} * s.p.channels * s.p.kernel_h * s.p.kernel_w;
    const int64_t min_rows =
        std::max<int64_t>(1, 8 * kMinElementsPerThread / std::max<int64_t>(1, row_work));
    op.parallel_for(max_pool_rows(s.p), min_rows, [&](int64_t begin, int64_t end, int t) {
      max_pool_run(s.max_pool_isa, s.p, x, y, op.thread_scratch(t), begin, end);
    });
  }
}

std::unique_ptr<PoolState> pool_state(const OpCheck& c) {
  auto state = std::make_unique<PoolState>();
  PoolParams& p = state->p;
  const Shape& x = c.input(0)->shape;
  const Shape& y = c.output(0)->shape;
  p.batch = x.dims[0];
  p.in_h = x.dims[1];
  p.in_w = x.dims[2];
  p.channels = x.dims[3];
  p.out_h = y.dims[1];
  p.out_w = y.dims[2];
  p.input_zero_point = c.input(0)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.type = c.input(0)->dtype;
  return state;
}

dyad_status prepare_max_pool(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::MaxPoolOptions>();
  auto state = pool_state(c);
  PoolParams& p = state->p;
  p.kernel_h = o->kernel_h();
  p.kernel_w = o->kernel_w();
  p.stride_h = o->stride_h();
  p.stride_w = o->stride_w();
  p.dilation_h = o->dilation_h();
  p.dilation_w = o->dilation_w();
  p.pad_top = o->pad_top();
  p.pad_left = o->pad_left();
  p.act_min = o->act_min();
  p.act_max = o->act_max();
  op->macs = 0;
  op->kernel = p.type == DType::kInt16 ? "s16_max_pool" : "s8_max_pool";
  if (op->isa != Isa::kReference && max_pool_can_use(op->isa, p)) {
    state->max_pool_isa = op->isa;
    op->kernel = max_pool_kernel_name(op->isa, p.type);
    op->scratch_bytes = max_pool_scratch_bytes(p);
  }
  op->state = std::move(state);
  op->run = run_pool;
  return DYAD_OK;
}

dyad_status prepare_average_pool(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::AveragePoolOptions>();
  auto state = pool_state(c);
  PoolParams& p = state->p;
  p.kernel_h = o->kernel_h();
  p.kernel_w = o->kernel_w();
  p.stride_h = o->stride_h();
  p.stride_w = o->stride_w();
  p.pad_top = o->pad_top();
  p.pad_left = o->pad_left();
  p.count_include_pad = o->count_include_pad();
  p.count_multiplier = o->multiplier()->data();
  p.count_shift = o->shift()->data();
  p.act_min = o->act_min();
  p.act_max = o->act_max();
  state->average = true;
  op->macs = c.output(0)->shape.elements() * p.kernel_h * p.kernel_w;
  op->kernel = std::string(quantized_prefix(p.type)) + "_average_pool";
  op->state = std::move(state);
  op->run = run_pool;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kMaxPoolOp = {fb::OperatorOptions::MaxPoolOptions, "MaxPool",
                                    verify_max_pool, prepare_max_pool};
extern const OpKernel kAveragePoolOp = {fb::OperatorOptions::AveragePoolOptions, "AveragePool",
                                        verify_average_pool, prepare_average_pool};

}  // namespace rt
}  // namespace dyad
