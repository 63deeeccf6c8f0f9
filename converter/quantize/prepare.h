// Graph clean-up the quantizer relies on, run by the converter's passes
// (converter/passes, each idempotent) on the shapes of a float run:
//  * constant folding of nodes whose inputs are all constants (shape subgraphs);
//  * BatchNormalization folded into the Conv/ConvTranspose/Gemm that feeds only it;
//  * MatMul(x, constant) [+ Add(constant)] -> Gemm with bias;
//  * Relu / Clip(constant bounds) fused into the Conv/ConvTranspose/Gemm/MatMul/
//    Add/Sub/Mul that feeds only it (the "dyad.activation" mark the float
//    executor applies and the quantizer turns into the requantization clamp);
// then lowerings of forms libdyad has no op for (BatchNormalization alone ->
// depthwise 1x1 Conv; Gemm with a matrix C -> Gemm + Add; Softmax / LayerNorm
// over non-last or several axes -> Transpose / Reshape around the op; 1-D
// Conv/ConvTranspose/pools -> the 2-D op between Reshapes) and cross-layer
// equalization of Conv pairs (prepare.cc).
#pragma once

#include <map>

#include "converter/ir/graph.h"
#include "converter/reference_exec/executor.h"

namespace dyad::convert {

// `shapes`: static shape of every activation (from a float run). `samples`
// (optional, calibration inputs) let cross-layer equalization pass through a
// fused Relu6 where the calibration data shows the clip is never reached.
void PrepareForQuantization(Graph& graph, const std::map<std::string, Shape>& shapes,
                            const std::vector<TensorMap>& samples = {});

// The lowerings alone (lowering.cc); needs static shapes in graph.values.
void LowerForQuantizer(Graph& graph);

}  // namespace dyad::convert
