// Graph passes. Each is one small function in its own file, returns the
// number of rewrites it made, and keeps the graph's float semantics (checked
// in tests/converter by running the float executor before and after).
#pragma once

#include <map>
#include <string>

#include "converter/ir/graph.h"

namespace dyad::convert {

// Records dtype/shape of every tensor in graph.values by running the float
// executor once on zero-valued inputs: all input shapes are fixed, and after
// constant folding no shape depends on activation values.
int InferShapes(Graph& g);
// Same, on given sample inputs (e.g. the first calibration sample): needed
// when an input feeds a shape (Reshape/Expand/Range inputs given at run time).
int InferShapes(Graph& g, const std::map<std::string, Tensor>& sample_inputs);

// Evaluates nodes whose inputs are all constants (and Shape/Size of tensors
// with known shapes) into constants: shape subgraphs fold away. Nodes writing
// a graph output stay (an output must be computed), as do ops the float
// executor lacks.
int FoldConstants(Graph& g);

// Removes nodes whose outputs reach no graph output, and unused constants.
int RemoveDeadNodes(Graph& g);

// Removes Identity and (inference) Dropout nodes, rewiring their readers.
int RemoveIdentities(Graph& g);

// Folds an inference BatchNormalization into the preceding Conv,
// ConvTranspose or Gemm (constant weights) when the BN is its only reader.
int FoldBatchNorm(Graph& g);

// MatMul(x, constant B) with 2-D x and B -> Gemm; a following Add of a
// constant with N elements becomes Gemm's bias C.
int MatMulToGemm(Graph& g);

// Marks Relu / Clip(constant bounds, lower bound <= 0) after Conv,
// ConvTranspose, Gemm, MatMul, Add, Sub or Mul as the producer's fused
// activation ("dyad.activation", with "dyad.act_min"/"dyad.act_max" for Clip:
// the quantizer's requantization clamp) and removes the activation node.
int FuseActivations(Graph& g);

// Rewrites x*HardSigmoid(x) (alpha 1/6, beta 1/2) and x*Clip(x+3,0,6)/6 (in
// its usual orders: /6 or *(1/6), before or after the multiply) to HardSwish.
int RecognizeHardSwish(Graph& g);

// Folds a constant zero Pad on spatial dims into the following Conv (or
// AveragePool with count_include_pad=1; MaxPool when the pad value is -inf).
int FoldPad(Graph& g);

// Rewrites ReduceMean/Sub/Pow(2)|Mul/ReduceMean/Add(eps)/Sqrt/Div[/Mul(gamma)
// [/Add(beta)]] over trailing axes into one LayerNormalization.
int RecognizeLayerNorm(Graph& g);

// Equal(g(f(x)), g(MaxPool(f(x)))) with f strictly increasing (Sigmoid, Tanh,
// ...) and g the same layout ops on both sides -> the same test on x: the
// local-maximum mask of a heatmap without the ties f's int8 plateaus add.
int MovePeakTestBeforeMonotonicOp(Graph& g);

// The standard pipeline used by dyad-convert, to a fixed point.
// `sample_inputs` (optional) is used for shape inference.
void OptimizeGraph(Graph& g, const std::map<std::string, Tensor>* sample_inputs = nullptr);

}  // namespace dyad::convert
