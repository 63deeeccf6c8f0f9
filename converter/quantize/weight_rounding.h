// Rounding int8 weights to what the layer's real inputs need (GPTQ-style,
// docs/converter_quantization.md "Weight rounding"): instead of rounding each
// weight to its nearest step independently, the weights of one output channel
// are rounded one at a time, and each rounding error is pushed onto the
// weights not yet rounded in proportion to how their inputs correlate with
// that weight's input (the inverse of H = sum over inputs x x^T). It
// minimises sum_x (w . x - w_q . x)^2 over the calibration inputs x, which
// round-to-nearest does not (it ignores that inputs are correlated and have
// a mean: a rounding error on an edge filter's taps leaves a DC gain).
#pragma once

#include <cstdint>
#include <vector>

#include "converter/ir/tensor.h"

namespace dyad::convert {

// H = sum x x^T (row-major k x k) of one group's k inputs per output value.
struct InputMoments {
  int64_t k = 0;
  std::vector<std::vector<double>> h;  // one k*k matrix per group
  int64_t count = 0;                   // input vectors summed
};

// Conv input patches in the OHWI weight-row order e = (ky * kw + kx) * cin_g + i,
// from NCHW float inputs (zeros in the padding), at most about `max_patches`
// output positions spread evenly over all inputs.
struct ConvPatchGeometry {
  int64_t groups = 1, kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0;
  int64_t out_h = 1, out_w = 1;
};
InputMoments ConvInputMoments(const std::vector<const Tensor*>& inputs, const ConvPatchGeometry& g,
                              int64_t max_patches);

// Rows of the last axis of [..., k] float inputs as the input vectors (Gemm).
InputMoments RowInputMoments(const std::vector<const Tensor*>& inputs, int64_t k, int64_t max_rows);

// Rounds one row w[0..k) with step `scale` to q in [-127, 127] using the
// group's moments. `chol` is PrepareRounding's factor.
std::vector<double> PrepareRounding(const std::vector<double>& h, int64_t k);
void RoundRow(const std::vector<double>& chol, int64_t k, const float* w, double scale, int8_t* q);

}  // namespace dyad::convert
