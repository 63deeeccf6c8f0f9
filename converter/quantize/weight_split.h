// Two int8 weight tensors for one layer (`dyad-convert --weights int16`,
// docs/converter_quantization.md "Split weights"): every Conv and Gemm with
// constant weights becomes
//
//     y = act(Conv(x, W_hi, b) + Conv(x, W_lo))                    (eq. 21)
//
// where W_hi = s_c * round(W / s_c) is W on its own per-channel int8 grid
// (s_c = max|W_c| / 127, the step the quantizer will pick again, so W_hi is
// stored exactly) and W_lo = W - W_hi is the rounding residual, quantized by
// the quantizer with its own per-channel step (about s_c / 254). Together the
// two int8 tensors hold W to about 15 bits, at twice the layer's MACs plus
// one Add; every kernel, and the run, stays int8 x int8 -> int32.
#pragma once

#include <vector>

#include "converter/ir/graph.h"
#include "converter/reference_exec/executor.h"

namespace dyad::convert {

// Rewrites the graph in place; returns how many layers were split. The Add
// takes the layer's name, output and fused activation; the two halves are
// named '<layer>/hi' and '<layer>/lo' (outputs '<output>/hi', '<output>/lo').
// ConvTranspose, MatMul and layers whose weights are already on their int8
// grid (W_lo = 0) are left as they are.
//
// A fused activation clamps the sum, so the high half's pre-activation
// values (which a fused Relu6 never stored: they can be ~10^7 where a
// channel is always clipped) would set its int16 range. The high half is
// therefore clamped to the activation's bounds widened by m, twice the
// largest |low half| seen on `samples` (graph inputs):
//     act(clamp(hi, a - m, b + m) + lo) = act(hi + lo)  whenever |lo| <= m  (eq. 22)
int SplitWeights(Graph& graph, const std::vector<TensorMap>& samples);

}  // namespace dyad::convert
