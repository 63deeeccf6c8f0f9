// Graph clean-up the quantizer relies on, safe to run after (or instead of)
// the converter's own passes: every step is idempotent.
//  * constant folding of nodes whose inputs are all constants (shape subgraphs);
//  * BatchNormalization folded into the Conv that feeds only it;
//  * MatMul(x, constant) + Add(constant) -> Gemm with bias;
//  * Relu / Clip(constant bounds) fused into the Conv/Gemm/MatMul/Add/Sub/Mul
//    that feeds only it (the "dyad.activation" mark the float executor applies).
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

void FoldConstantNodes(Graph& graph, const std::map<std::string, Shape>& shapes);

}  // namespace dyad::convert
