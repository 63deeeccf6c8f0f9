#include "converter/passes/pass_util.h"

#include <algorithm>
#include <cmath>

namespace dyad::convert::passes {

bool SingleUse(const Graph& g, const std::string& tensor) {
  if (g.IsGraphOutput(tensor)) return false;
  int uses = 0;
  for (const auto& n : g.nodes)
    for (const auto& in : n.inputs) uses += in == tensor;
  return uses == 1;
}

bool ScalarConstant(const Graph& g, const std::string& name, float* value) {
  const Tensor* t = g.Constant(name);
  if (!t || t->size() != 1) return false;
  *value = static_cast<float>(t->AsDouble(0));
  return true;
}

void EraseNodes(Graph& g, std::vector<int> indices) {
  std::sort(indices.rbegin(), indices.rend());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  for (int k : indices) g.nodes.erase(g.nodes.begin() + k);
}

const Node* ProducerOp(const Graph& g, const std::string& tensor, const char* op) {
  int k = g.ProducerIndex(tensor);
  if (k < 0 || g.nodes[k].op != op) return nullptr;
  return &g.nodes[k];
}

bool NearlyEqual(float a, float b, float rel) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

}  // namespace dyad::convert::passes
