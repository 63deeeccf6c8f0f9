// The converter's graph IR: named tensors and nodes in ONNX operator terms.
//
// * Opset differences are removed at import: every op is stored in its newest
//   (opset 13-18) form, with former attributes that became inputs (Clip
//   min/max, Pad pads/value, Split split, Squeeze/Unsqueeze/ReduceMean axes,
//   Slice starts/ends/...) turned into constant inputs. See docs/converter.md.
// * Constants (initializers, Constant nodes, folded values) live in
//   `constants`; everything else is computed by a node or is a graph input.
// * `values` holds the static dtype/shape of every tensor once known (from the
//   model, --input-shape, or the shape-inference pass); later stages
//   (calibration, quantization) attach their data keyed by the same names.
// * Attributes whose name starts with "dyad." are added by passes (fusion
//   marks) and understood by the float executor.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "converter/ir/tensor.h"

namespace dyad::convert {

struct Attribute {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats, kTensor };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0.0f;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  Tensor t;

  static Attribute Int(int64_t v);
  static Attribute Flt(float v);
  static Attribute Str(std::string v);
  static Attribute Ints(std::vector<int64_t> v);
  static Attribute Floats(std::vector<float> v);
};

struct Node {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;  // "" marks an unused optional output
  std::map<std::string, Attribute> attrs;

  bool Has(const std::string& attr) const { return attrs.count(attr) != 0; }
  // Typed getters; a present attribute of the wrong kind is a ConvertError
  // naming the node, op and attribute.
  int64_t GetInt(const std::string& attr, int64_t def) const;
  float GetFloat(const std::string& attr, float def) const;
  std::string GetString(const std::string& attr, const std::string& def) const;
  std::vector<int64_t> GetInts(const std::string& attr, std::vector<int64_t> def = {}) const;
  std::vector<float> GetFloats(const std::string& attr, std::vector<float> def = {}) const;
  // Input k, or "" when absent.
  const std::string& Input(size_t k) const;
  // "node 'name' (Op)" for error messages.
  std::string Describe() const;
};

struct ValueInfo {
  DType dtype = DType::kFloat32;
  Shape shape;
  bool shape_known = false;
};

struct Graph {
  std::vector<Node> nodes;  // topologically sorted
  std::map<std::string, Tensor> constants;
  std::map<std::string, ValueInfo> values;
  std::vector<std::string> inputs;   // graph inputs that are not constants
  std::vector<std::string> outputs;
  int64_t opset = 0;  // the model's default-domain opset (informational)

  bool IsConstant(const std::string& name) const { return constants.count(name) != 0; }
  const Tensor* Constant(const std::string& name) const;
  // Index of the node producing `tensor`, or -1.
  int ProducerIndex(const std::string& tensor) const;
  // Indices of the nodes reading `tensor`.
  std::vector<int> ConsumerIndices(const std::string& tensor) const;
  bool IsGraphOutput(const std::string& tensor) const;
  // A tensor name not used anywhere in the graph, derived from `base`.
  std::string UniqueName(const std::string& base) const;
  // Adds a constant under a fresh name derived from `base`; returns the name.
  std::string AddConstant(const std::string& base, Tensor value);
  // Replaces every read of `from` (node inputs and graph outputs) by `to`.
  void RenameUses(const std::string& from, const std::string& to);
  // Drops constants no node or output reads.
  void PruneUnusedConstants();
};

}  // namespace dyad::convert
