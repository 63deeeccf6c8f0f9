// Builds IR graphs directly in tests, plus deterministic random data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/ir/graph.h"

namespace dyad::convert::testing {

inline std::vector<float> RandomFloats(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 12345u;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = lo + (hi - lo) * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return v;
}

class GraphBuilder {
 public:
  GraphBuilder& Input(const std::string& name, Shape shape) {
    g_.inputs.push_back(name);
    g_.values[name] = ValueInfo{DType::kFloat32, shape, true};
    return *this;
  }
  GraphBuilder& Const(const std::string& name, Tensor t) {
    g_.values[name] = ValueInfo{t.dtype, t.shape, true};
    g_.constants[name] = std::move(t);
    return *this;
  }
  GraphBuilder& RandomConst(const std::string& name, Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    return Const(name, Tensor::Float(shape, RandomFloats(NumElements(shape), seed, lo, hi)));
  }
  Node& Add(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
    Node n;
    n.name = op + "_" + std::to_string(g_.nodes.size());
    n.op = op;
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    g_.nodes.push_back(std::move(n));
    return g_.nodes.back();
  }
  GraphBuilder& Output(const std::string& name) {
    g_.outputs.push_back(name);
    return *this;
  }
  Graph& graph() { return g_; }

 private:
  Graph g_;
};

inline int CountOp(const Graph& g, const std::string& op) {
  int c = 0;
  for (const auto& n : g.nodes) c += n.op == op;
  return c;
}

}  // namespace dyad::convert::testing
