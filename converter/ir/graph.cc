#include "converter/ir/graph.h"

#include <algorithm>
#include <set>

#include "converter/ir/error.h"

namespace dyad::convert {

Attribute Attribute::Int(int64_t v) { Attribute a; a.kind = Kind::kInt; a.i = v; return a; }
Attribute Attribute::Flt(float v) { Attribute a; a.kind = Kind::kFloat; a.f = v; return a; }
Attribute Attribute::Str(std::string v) { Attribute a; a.kind = Kind::kString; a.s = std::move(v); return a; }
Attribute Attribute::Ints(std::vector<int64_t> v) { Attribute a; a.kind = Kind::kInts; a.ints = std::move(v); return a; }
Attribute Attribute::Floats(std::vector<float> v) { Attribute a; a.kind = Kind::kFloats; a.floats = std::move(v); return a; }

std::string Node::Describe() const { return "node '" + name + "' (" + op + ")"; }

const std::string& Node::Input(size_t k) const {
  static const std::string kEmpty;
  return k < inputs.size() ? inputs[k] : kEmpty;
}

namespace {
[[noreturn]] void WrongKind(const Node& n, const std::string& attr, const char* want) {
  throw ConvertError(n.Describe() + ": attribute '" + attr + "' must be " + want);
}
}  // namespace

int64_t Node::GetInt(const std::string& attr, int64_t def) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return def;
  if (it->second.kind != Attribute::Kind::kInt) WrongKind(*this, attr, "an int");
  return it->second.i;
}

float Node::GetFloat(const std::string& attr, float def) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return def;
  if (it->second.kind == Attribute::Kind::kInt) return static_cast<float>(it->second.i);
  if (it->second.kind != Attribute::Kind::kFloat) WrongKind(*this, attr, "a float");
  return it->second.f;
}

std::string Node::GetString(const std::string& attr, const std::string& def) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return def;
  if (it->second.kind != Attribute::Kind::kString) WrongKind(*this, attr, "a string");
  return it->second.s;
}

std::vector<int64_t> Node::GetInts(const std::string& attr, std::vector<int64_t> def) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return def;
  if (it->second.kind != Attribute::Kind::kInts) WrongKind(*this, attr, "a list of ints");
  return it->second.ints;
}

std::vector<float> Node::GetFloats(const std::string& attr, std::vector<float> def) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return def;
  if (it->second.kind != Attribute::Kind::kFloats) WrongKind(*this, attr, "a list of floats");
  return it->second.floats;
}

const Tensor* Graph::Constant(const std::string& name) const {
  auto it = constants.find(name);
  return it == constants.end() ? nullptr : &it->second;
}

int Graph::ProducerIndex(const std::string& tensor) const {
  if (tensor.empty()) return -1;
  for (size_t k = 0; k < nodes.size(); ++k)
    for (const auto& o : nodes[k].outputs)
      if (o == tensor) return static_cast<int>(k);
  return -1;
}

std::vector<int> Graph::ConsumerIndices(const std::string& tensor) const {
  std::vector<int> out;
  if (tensor.empty()) return out;
  for (size_t k = 0; k < nodes.size(); ++k)
    if (std::find(nodes[k].inputs.begin(), nodes[k].inputs.end(), tensor) != nodes[k].inputs.end())
      out.push_back(static_cast<int>(k));
  return out;
}

bool Graph::IsGraphOutput(const std::string& tensor) const {
  return std::find(outputs.begin(), outputs.end(), tensor) != outputs.end();
}

std::string Graph::UniqueName(const std::string& base) const {
  std::set<std::string> used;
  for (const auto& n : nodes) {
    used.insert(n.name);
    used.insert(n.inputs.begin(), n.inputs.end());
    used.insert(n.outputs.begin(), n.outputs.end());
  }
  for (const auto& c : constants) used.insert(c.first);
  for (const auto& v : values) used.insert(v.first);
  used.insert(inputs.begin(), inputs.end());
  used.insert(outputs.begin(), outputs.end());
  if (!used.count(base)) return base;
  for (int k = 1;; ++k) {
    std::string candidate = base + "_" + std::to_string(k);
    if (!used.count(candidate)) return candidate;
  }
}

std::string Graph::AddConstant(const std::string& base, Tensor value) {
  std::string name = UniqueName(base);
  ValueInfo info;
  info.dtype = value.dtype;
  info.shape = value.shape;
  info.shape_known = true;
  values[name] = info;
  constants[name] = std::move(value);
  return name;
}

void Graph::RenameUses(const std::string& from, const std::string& to) {
  for (auto& n : nodes)
    for (auto& in : n.inputs)
      if (in == from) in = to;
  for (auto& o : outputs)
    if (o == from) o = to;
}

void Graph::PruneUnusedConstants() {
  std::set<std::string> used(outputs.begin(), outputs.end());
  for (const auto& n : nodes) used.insert(n.inputs.begin(), n.inputs.end());
  for (auto it = constants.begin(); it != constants.end();) {
    if (used.count(it->first)) {
      ++it;
    } else {
      values.erase(it->first);
      it = constants.erase(it);
    }
  }
}

}  // namespace dyad::convert
