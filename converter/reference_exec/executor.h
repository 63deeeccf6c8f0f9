// Float reference executor: runs an IR graph on float (and int64 shape)
// tensors. Straightforward loops, written to be obviously correct; the conv
// loop is ordered for cache-friendly streaming (see op_conv.cc).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "converter/ir/graph.h"

namespace dyad::convert {

using TensorMap = std::map<std::string, Tensor>;

struct RunOptions {
  // Keep every intermediate tensor in the result (calibration, reports).
  bool keep_all = false;
  // Called after each node with its outputs (may be empty std::function).
  std::function<void(const Node&, const std::vector<Tensor>&)> on_node;
};

// Runs `graph` on `inputs` (keyed by graph input name); returns the graph
// outputs (plus all intermediates with keep_all). ConvertError on unsupported
// ops, bad shapes or missing inputs, naming the node.
TensorMap RunGraph(const Graph& graph, const TensorMap& inputs, const RunOptions& options = {});

// Evaluates one node; `inputs[k]` is nullptr for an omitted optional input.
// Applies the node's fused activation mark ("dyad.activation"), if any.
std::vector<Tensor> EvalNode(const Node& node, const std::vector<const Tensor*>& inputs);

// True if the executor implements `op`.
bool ExecutorSupports(const std::string& op);

}  // namespace dyad::convert
