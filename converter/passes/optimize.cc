// The standard pass pipeline of dyad-convert.
#include "converter/passes/passes.h"

namespace dyad::convert {

void OptimizeGraph(Graph& g, const std::map<std::string, Tensor>* sample_inputs) {
  auto infer = [&] {
    if (sample_inputs) InferShapes(g, *sample_inputs); else InferShapes(g);
  };
  RemoveIdentities(g);
  // Folding a shape subgraph can make more nodes constant once shapes are
  // re-inferred; iterate to a fixed point (bounded: each round folds >= 1 node).
  for (;;) {
    infer();
    if (FoldConstants(g) == 0) break;
  }
  RemoveDeadNodes(g);
  FoldBatchNorm(g);
  MatMulToGemm(g);
  FoldPad(g);
  RecognizeHardSwish(g);
  RecognizeLayerNorm(g);
  MovePeakTestBeforeMonotonicOp(g);
  FuseActivations(g);
  RemoveDeadNodes(g);
  infer();
}

}  // namespace dyad::convert
