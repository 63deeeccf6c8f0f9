// Internal helpers shared by the passes.
#pragma once

#include <string>
#include <vector>

#include "converter/ir/graph.h"

namespace dyad::convert::passes {

// True if `tensor` is read by exactly one node and is not a graph output.
bool SingleUse(const Graph& g, const std::string& tensor);

// The scalar float value of constant `name` (a single element), if it is one.
bool ScalarConstant(const Graph& g, const std::string& name, float* value);

// Erases the nodes at `indices` (any order).
void EraseNodes(Graph& g, std::vector<int> indices);

// Node producing `tensor` with op `op`, or nullptr.
const Node* ProducerOp(const Graph& g, const std::string& tensor, const char* op);

bool NearlyEqual(float a, float b, float rel = 1e-5f);

}  // namespace dyad::convert::passes
