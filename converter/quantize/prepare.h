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

namespace dyad::convert {

// `shapes`: static shape of every activation (from a float run).
void PrepareForQuantization(Graph& graph, const std::map<std::string, Shape>& shapes);

void FoldConstantNodes(Graph& graph, const std::map<std::string, Shape>& shapes);

}  // namespace dyad::convert
