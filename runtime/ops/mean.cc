// Mean over a set of axes (eq. 12): static count folded into one multiplier.
// Input and output both int8, or both int16 (zero point 0; reference kernel).
// One contiguous run of reduced axes of int8 data (GlobalAveragePool) uses the
// optimized kernel of kernels/pool_kernels.h, split over (outer index, channel block).
#include <algorithm>
#include <string>

#include "kernels/pool_kernels.h"
#include "kernels/reference/reference.h"
#include "runtime/ops/op_util.h"

namespace dyad {
namespace rt {
namespace {

// INT16 data: at most 2^16 summed elements, so |sum| <= 2^31 (>= -2^31) fits int32.
constexpr int64_t kMaxInt16Reduce = int64_t{1} << 16;

struct MeanState : OpState {
  MeanParams p;
  MeanPlan plan;
  bool optimized = false;
};

dyad_status verify_mean(const OpCheck& c) {
  if (dyad_status s = expect_io(c, 1, 1, 1)) return s;
  if (dyad_status s = expect_input_int8_or_int16(c, 0)) return s;
  if (dyad_status s = expect_output_dtype(c, 0, c.input(0)->dtype)) return s;
  if (dyad_status s = expect_output_int8_or_int16(c, 0)) return s;
  const auto* o = c.options<fb::MeanOptions>();
  const Shape& x = c.input(0)->shape;
  const auto* axes = o->axes();
  if (axes == nullptr || axes->size() == 0) return c.fail("axes is missing or empty");
  bool reduce[kMaxRank] = {false, false, false, false, false, false};
  int32_t previous = -1;
  for (uint32_t i = 0; i < axes->size(); ++i) {
    const int32_t a = axes->Get(i);
    if (a < 0 || a >= x.rank || a <= previous) {
      return c.fail("axes[%u] = %d: axes must be sorted, unique and in [0, %d)", i, a, x.rank);
    }
    reduce[a] = true;
    previous = a;
  }
  Shape expected;
  for (int d = 0; d < x.rank; ++d) {
    if (!reduce[d]) {
      expected.dims[expected.rank++] = x.dims[d];
    } else if (o->keep_dims()) {
      expected.dims[expected.rank++] = 1;
    }
  }
  if (dyad_status s = expect_output_shape(c, 0, expected)) return s;
  if (c.input(0)->dtype == DType::kInt16) {
    // |sum| <= 2^15 * count must fit the int32 of eq. 6 exactly.
    int64_t count = 1;
    for (int d = 0; d < x.rank; ++d) count *= reduce[d] ? x.dims[d] : 1;
    if (count > kMaxInt16Reduce) {
      return c.fail("%lld reduced elements: above %lld the int32 sum of an INT16 input (%s) "
                    "could overflow",
                    static_cast<long long>(count), static_cast<long long>(kMaxInt16Reduce),
                    io_name(c, true, 0).c_str());
    }
  }
  return check_multiplier(c, "multiplier/shift", o->multiplier(), o->shift());
}

void run_mean(const PreparedOp& op) {
  const auto& s = op.as<MeanState>();
  if (!s.optimized) {
    ref::mean(s.p, op.in[0], op.out[0]);  // int8 or int16 (p.type)
    return;
  }
  const void* x = op.in[0];  // int8 or int16 (p.type)
  void* y = op.out[0];
  // Units are independent outputs: any split gives the same bytes.
  const int64_t unit_elements = s.plan.reduce * kMeanChannelBlock;
  const int64_t min_units = std::max<int64_t>(1, 4 * kMinElementsPerThread / unit_elements);
  op.parallel_for(s.plan.units, min_units, [&](int64_t begin, int64_t end, int) {
    mean_run(s.plan, s.p, x, y, begin, end);
  });
}

dyad_status prepare_mean(const OpCheck& c, PreparedOp* op) {
  const auto* o = c.options<fb::MeanOptions>();
  auto state = std::make_unique<MeanState>();
  MeanParams& p = state->p;
  p.in = c.input(0)->shape;
  for (uint32_t i = 0; i < o->axes()->size(); ++i) p.reduce[o->axes()->Get(i)] = true;
  p.input_zero_point = c.input(0)->zero_point;
  p.output_zero_point = c.output(0)->zero_point;
  p.multiplier = o->multiplier();
  p.shift = o->shift();
  p.type = c.input(0)->dtype;
  op->macs = p.in.elements();
  op->kernel = std::string(quantized_prefix(p.type)) + "_mean";
  if (op->isa != Isa::kReference && mean_plan(op->isa, p, &state->plan)) {
    state->optimized = true;
    op->kernel = state->plan.kernel;
  }
  op->state = std::move(state);
  op->run = run_mean;
  return DYAD_OK;
}

}  // namespace

extern const OpKernel kMeanOp = {fb::OperatorOptions::MeanOptions, "Mean", verify_mean,
                                 prepare_mean};

}  // namespace rt
}  // namespace dyad
