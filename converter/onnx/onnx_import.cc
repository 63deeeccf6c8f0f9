#include "converter/onnx/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <set>
#include <sstream>

#include "converter/ir/error.h"
#include "converter/onnx/onnx_tensor.h"

namespace dyad::convert {

namespace {

// Node tests are exported at each op's own version (GlobalAveragePool is
// opset 1); older forms are safe because every attribute is checked by name
// (e.g. opset<7 'broadcast' or 'consumed_inputs' are refused).
constexpr int64_t kMinOpset = 1;
constexpr int64_t kMaxOpset = 18;

// Ops the converter understands and the attributes each may carry. Anything
// else is refused by name.
const std::map<std::string, std::set<std::string>>& SupportedOps() {
  static const std::map<std::string, std::set<std::string>> ops = {
      {"Conv", {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}},
      {"ConvTranspose", {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", "output_padding", "output_shape"}},
      {"Gemm", {"alpha", "beta", "transA", "transB"}},
      {"MatMul", {}},
      {"BatchNormalization", {"epsilon", "momentum", "training_mode", "spatial"}},
      {"Relu", {}}, {"Sigmoid", {}}, {"Tanh", {}}, {"Sqrt", {}}, {"Exp", {}}, {"Neg", {}},
      {"Reciprocal", {}}, {"Abs", {}}, {"Ceil", {}}, {"Floor", {}}, {"Size", {}}, {"Erf", {}}, {"Identity", {}}, {"HardSwish", {}},
      {"Clip", {"min", "max"}},
      {"LeakyRelu", {"alpha"}},
      {"PRelu", {}},
      {"HardSigmoid", {"alpha", "beta"}},
      {"Add", {}}, {"Sub", {}}, {"Mul", {}}, {"Div", {}}, {"Pow", {}},
      {"Equal", {}}, {"Where", {}}, {"Range", {}}, {"Expand", {}},
      {"Max", {}}, {"Min", {}}, {"Sum", {}}, {"Mean", {}},
      {"Less", {}}, {"Greater", {}}, {"LessOrEqual", {}}, {"GreaterOrEqual", {}},
      {"Not", {}}, {"And", {}}, {"Or", {}}, {"Xor", {}},
      {"Log", {}}, {"Softplus", {}}, {"Elu", {"alpha"}}, {"Selu", {"alpha", "gamma"}},
      {"LogSoftmax", {"axis"}},
      {"DepthToSpace", {"blocksize", "mode"}}, {"SpaceToDepth", {"blocksize"}},
      {"InstanceNormalization", {"epsilon"}},
      {"Tile", {}},
      {"ArgMax", {"axis", "keepdims", "select_last_index"}}, {"ArgMin", {"axis", "keepdims", "select_last_index"}},
      {"MaxPool", {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}},
      {"AveragePool", {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"}},
      {"GlobalAveragePool", {}}, {"GlobalMaxPool", {}},
      {"ReduceMean", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"ReduceSum", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"ReduceMax", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"ReduceMin", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"Concat", {"axis"}},
      {"Split", {"axis", "split"}},
      {"Slice", {"starts", "ends", "axes"}},
      {"Reshape", {"allowzero"}},
      {"Flatten", {"axis"}},
      {"Squeeze", {"axes"}}, {"Unsqueeze", {"axes"}},
      {"Transpose", {"perm"}},
      {"Pad", {"mode", "pads", "value"}},
      {"Resize", {"coordinate_transformation_mode", "cubic_coeff_a", "exclude_outside", "extrapolation_value", "mode", "nearest_mode"}},
      {"Upsample", {"mode", "scales"}},
      {"Softmax", {"axis"}},
      {"LayerNormalization", {"axis", "epsilon", "stash_type"}},
      {"Dropout", {"ratio", "seed", "is_test"}},
      {"Cast", {"to"}},
      {"Shape", {"start", "end"}},
      {"Gather", {"axis"}},
      {"ConstantOfShape", {"value"}},
  };
  return ops;
}

// Kind each known attribute must have (ONNX uses one kind per name across
// the ops we support, except 'value').
Attribute::Kind ExpectedKind(const std::string& op, const std::string& attr) {
  using K = Attribute::Kind;
  static const std::map<std::string, K> kinds = {
      {"auto_pad", K::kString}, {"mode", K::kString}, {"coordinate_transformation_mode", K::kString},
      {"nearest_mode", K::kString},
      {"dilations", K::kInts}, {"kernel_shape", K::kInts}, {"pads", K::kInts}, {"strides", K::kInts},
      {"output_padding", K::kInts}, {"output_shape", K::kInts}, {"perm", K::kInts}, {"axes", K::kInts},
      {"split", K::kInts}, {"starts", K::kInts}, {"ends", K::kInts},
      {"scales", K::kFloats},
      {"alpha", K::kFloat}, {"beta", K::kFloat}, {"epsilon", K::kFloat}, {"momentum", K::kFloat},
      {"min", K::kFloat}, {"max", K::kFloat}, {"gamma", K::kFloat}, {"ratio", K::kFloat}, {"cubic_coeff_a", K::kFloat},
      {"extrapolation_value", K::kFloat},
  };
  if (attr == "value") return op == "ConstantOfShape" ? K::kTensor : K::kFloat;
  auto it = kinds.find(attr);
  return it == kinds.end() ? K::kInt : it->second;
}

const char* KindName(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::kInt: return "an int";
    case Attribute::Kind::kFloat: return "a float";
    case Attribute::Kind::kString: return "a string";
    case Attribute::Kind::kInts: return "a list of ints";
    case Attribute::Kind::kFloats: return "a list of floats";
    case Attribute::Kind::kTensor: return "a tensor";
  }
  return "?";
}

[[noreturn]] void Fail(const Node& n, const std::string& what) { throw ConvertError(n.Describe() + ": " + what); }

[[noreturn]] void BadAttr(const Node& n, const std::string& attr, const std::string& what) {
  Fail(n, "attribute '" + attr + "' " + what);
}

Attribute AttributeFromProto(const onnx::AttributeProto& a, const Node& n) {
  using A = onnx::AttributeProto;
  switch (a.type()) {
    case A::INT: return Attribute::Int(a.i());
    case A::FLOAT: return Attribute::Flt(a.f());
    case A::STRING: return Attribute::Str(a.s());
    case A::INTS: return Attribute::Ints(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    case A::FLOATS: return Attribute::Floats(std::vector<float>(a.floats().begin(), a.floats().end()));
    case A::TENSOR: {
      Attribute out;
      out.kind = Attribute::Kind::kTensor;
      out.t = TensorFromProto(a.t(), n.Describe() + " attribute '" + a.name() + "'");
      return out;
    }
    default:
      BadAttr(n, a.name(), "has a type the converter does not support");
  }
}

// Moves an attribute that later opsets take as an input into a constant input
// at position `index` (inputs before it padded with "").
void AttrToInput(Graph& g, Node& n, const std::string& attr, size_t index, Tensor value) {
  n.attrs.erase(attr);
  if (n.inputs.size() <= index) n.inputs.resize(index + 1);
  n.inputs[index] = g.AddConstant(n.name + "_" + attr, std::move(value));
}

void AttrIntsToInput(Graph& g, Node& n, const std::string& attr, size_t index) {
  if (!n.Has(attr)) return;
  AttrToInput(g, n, attr, index, Tensor::VectorInt64(n.GetInts(attr)));
}

void RequireString(const Node& n, const std::string& attr, const std::string& def, const std::set<std::string>& allowed) {
  std::string v = n.GetString(attr, def);
  if (!allowed.count(v)) BadAttr(n, attr, "value '" + v + "' is not supported");
}

// Rewrites opset-specific forms into the canonical IR form and refuses
// attribute values the executor cannot honour.
void Canonicalize(Graph& g, Node& n, int64_t opset) {
  const std::string& op = n.op;
  if (op == "Conv" || op == "ConvTranspose" || op == "MaxPool" || op == "AveragePool") {
    RequireString(n, "auto_pad", "NOTSET", {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"});
  }
  if (op == "MaxPool") {
    if (n.GetInt("storage_order", 0) != 0) BadAttr(n, "storage_order", "value 1 is not supported");
    if (n.outputs.size() > 1 && !n.outputs[1].empty()) Fail(n, "the Indices output is not supported");
  }
  if (op == "BatchNormalization") {
    if (n.GetInt("training_mode", 0) != 0) BadAttr(n, "training_mode", "value 1 (training) is not supported");
    if (n.GetInt("spatial", 1) != 1) BadAttr(n, "spatial", "value 0 is not supported");
    for (size_t k = 1; k < n.outputs.size(); ++k)
      if (!n.outputs[k].empty()) Fail(n, "training outputs (running mean/var) are not supported");
    n.attrs.erase("momentum");
    n.attrs.erase("spatial");
    n.attrs.erase("training_mode");
  }
  if (op == "Clip" && opset < 11) {
    if (n.Has("min")) AttrToInput(g, n, "min", 1, Tensor::ScalarFloat(n.GetFloat("min", 0)));
    if (n.Has("max")) AttrToInput(g, n, "max", 2, Tensor::ScalarFloat(n.GetFloat("max", 0)));
  }
  if (op == "Pad") {
    RequireString(n, "mode", "constant", {"constant", "edge", "reflect"});
    if (opset < 11) {
      if (!n.Has("pads")) BadAttr(n, "pads", "is required");
      float value = n.GetFloat("value", 0.0f);
      n.attrs.erase("value");
      AttrIntsToInput(g, n, "pads", 1);
      AttrToInput(g, n, "value", 2, Tensor::ScalarFloat(value));
    }
  }
  if (op == "Split" && opset < 13) AttrIntsToInput(g, n, "split", 1);
  if ((op == "Squeeze" || op == "Unsqueeze") && opset < 13) AttrIntsToInput(g, n, "axes", 1);
  if ((op == "ReduceMean" || op == "ReduceMax" || op == "ReduceMin") && opset < 18) AttrIntsToInput(g, n, "axes", 1);
  if (op == "ReduceSum" && opset < 13) AttrIntsToInput(g, n, "axes", 1);
  if (op == "Slice" && opset < 10) {
    AttrIntsToInput(g, n, "starts", 1);
    AttrIntsToInput(g, n, "ends", 2);
    AttrIntsToInput(g, n, "axes", 3);
  }
  if (op == "DepthToSpace") RequireString(n, "mode", "DCR", {"DCR", "CRD"});
  if (op == "Softmax" || op == "LogSoftmax") {
    if (opset < 13) {
      n.attrs["axis"] = Attribute::Int(n.GetInt("axis", 1));
      n.attrs["dyad.coerce_2d"] = Attribute::Int(1);  // opset<13: flatten to 2-D at `axis`
    } else {
      n.attrs["axis"] = Attribute::Int(n.GetInt("axis", -1));
    }
  }
  if (op == "Upsample") {
    std::string mode = n.GetString("mode", "nearest");
    if (mode != "nearest" && mode != "linear" && mode != "bilinear") BadAttr(n, "mode", "value '" + mode + "' is not supported");
    n.op = "Resize";
    std::vector<std::string> in = {n.Input(0), "", n.Input(1)};
    n.inputs = in;
    if (n.Has("scales")) AttrToInput(g, n, "scales", 2, Tensor::Float({static_cast<int64_t>(n.GetFloats("scales").size())}, n.GetFloats("scales")));
    n.attrs.clear();
    n.attrs["mode"] = Attribute::Str(mode == "nearest" ? "nearest" : "linear");
    n.attrs["coordinate_transformation_mode"] = Attribute::Str("asymmetric");
    n.attrs["nearest_mode"] = Attribute::Str("floor");
    return;
  }
  if (op == "Resize") {
    if (opset < 11) {  // Resize-10: (X, scales), Upsample semantics
      n.inputs = {n.Input(0), "", n.Input(1)};
      n.attrs["coordinate_transformation_mode"] = Attribute::Str("asymmetric");
      n.attrs["nearest_mode"] = Attribute::Str("floor");
    }
    RequireString(n, "mode", "nearest", {"nearest", "linear"});
    RequireString(n, "coordinate_transformation_mode", "half_pixel",
                  {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"});
    RequireString(n, "nearest_mode", "round_prefer_floor", {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
    if (n.GetInt("exclude_outside", 0) != 0) BadAttr(n, "exclude_outside", "value 1 is not supported");
    n.attrs.erase("cubic_coeff_a");
    n.attrs.erase("extrapolation_value");  // only used by tf_crop_and_resize, which is refused
  }
  if (op == "LayerNormalization") {
    if (n.GetInt("stash_type", 1) != 1) BadAttr(n, "stash_type", "must be 1 (float statistics)");
    n.attrs.erase("stash_type");
  }
  if (op == "Dropout") {
    n.attrs.clear();  // inference: identity
  }
  if (op == "Cast") {
    if (!n.Has("to")) BadAttr(n, "to", "is required");
    int64_t to = n.GetInt("to", 0);
    DTypeFromOnnx(static_cast<int>(to), n.Describe() + " attribute 'to'");  // refuses e.g. FLOAT16, STRING
  }
  if (op == "ConstantOfShape") {
    if (n.Has("value") && n.attrs["value"].kind != Attribute::Kind::kTensor) BadAttr(n, "value", "must be a tensor");
  }
}

Tensor ConstantNodeValue(const onnx::NodeProto& np, const Node& n) {
  if (np.attribute_size() != 1) Fail(n, "expects exactly one value attribute");
  const auto& a = np.attribute(0);
  const std::string ctx = n.Describe() + " attribute '" + a.name() + "'";
  if (a.name() == "value") return TensorFromProto(a.t(), ctx);
  if (a.name() == "value_float") return Tensor::ScalarFloat(a.f());
  if (a.name() == "value_floats") {
    std::vector<float> v(a.floats().begin(), a.floats().end());
    int64_t len = static_cast<int64_t>(v.size());
    return Tensor::Float({len}, std::move(v));
  }
  if (a.name() == "value_int") return Tensor::Int64({}, {a.i()});
  if (a.name() == "value_ints") return Tensor::VectorInt64(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
  BadAttr(n, a.name(), "is not supported");
}

void ImportInputs(const onnx::GraphProto& gp, const ImportOptions& options, Graph& g) {
  std::set<std::string> model_inputs;
  for (const auto& vi : gp.input())
    if (!g.IsConstant(vi.name())) model_inputs.insert(vi.name());
  for (const auto& kv : options.input_shapes)
    if (!model_inputs.count(kv.first))
      throw ConvertError("--input-shape names '" + kv.first + "', which is not an input of the model");
  for (const auto& vi : gp.input()) {
    if (g.IsConstant(vi.name())) continue;  // old models list initializers as inputs
    const std::string ctx = "graph input '" + vi.name() + "'";
    if (!vi.type().has_tensor_type()) throw ConvertError(ctx + ": only tensor inputs are supported");
    const auto& tt = vi.type().tensor_type();
    ValueInfo info;
    info.dtype = DTypeFromOnnx(tt.elem_type(), ctx);
    auto user = options.input_shapes.find(vi.name());
    if (user != options.input_shapes.end()) {
      if (tt.has_shape() && tt.shape().dim_size() != static_cast<int>(user->second.size()))
        throw ConvertError(ctx + ": --input-shape gives " + std::to_string(user->second.size()) +
                           " dimensions, the model has " + std::to_string(tt.shape().dim_size()));
      if (tt.has_shape())
        for (int k = 0; k < tt.shape().dim_size(); ++k) {
          const auto& d = tt.shape().dim(k);
          if (d.has_dim_value() && d.dim_value() != user->second[k])
            throw ConvertError(ctx + ": --input-shape dimension " + std::to_string(k) + " is " +
                               std::to_string(user->second[k]) + " but the model fixes it to " +
                               std::to_string(d.dim_value()));
        }
      info.shape = user->second;
    } else {
      if (!tt.has_shape()) throw ConvertError(ctx + ": the model gives no shape; pass --input-shape " + vi.name() + ":...");
      for (int k = 0; k < tt.shape().dim_size(); ++k) {
        const auto& d = tt.shape().dim(k);
        if (!d.has_dim_value() || d.dim_value() <= 0)
          throw ConvertError(ctx + ": dimension " + std::to_string(k) + " is dynamic" +
                             (d.has_dim_param() ? " ('" + d.dim_param() + "')" : std::string()) +
                             "; fix it with --input-shape " + vi.name() + ":...");
        info.shape.push_back(d.dim_value());
      }
    }
    info.shape_known = true;
    g.values[vi.name()] = info;
    g.inputs.push_back(vi.name());
  }
}

Graph ImportModel(const onnx::ModelProto& model, const ImportOptions& options) {
  Graph g;
  g.opset = -1;
  for (const auto& os : model.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx") g.opset = os.version();
  if (g.opset < 0) throw ConvertError("model imports no default-domain (ai.onnx) opset");
  if (g.opset < kMinOpset || g.opset > kMaxOpset)
    throw ConvertError("opset " + std::to_string(g.opset) + " is not supported (supported: " +
                       std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
  const auto& gp = model.graph();
  for (const auto& init : gp.initializer()) {
    Tensor t = TensorFromProto(init, "initializer '" + init.name() + "'");
    ValueInfo info{t.dtype, t.shape, true};
    g.values[init.name()] = info;
    g.constants[init.name()] = std::move(t);
  }
  ImportInputs(gp, options, g);

  std::set<std::string> names;
  for (int k = 0; k < gp.node_size(); ++k) {
    const auto& np = gp.node(k);
    Node n;
    n.op = np.op_type();
    n.name = np.name().empty() ? n.op + "_" + std::to_string(k) : np.name();
    if (names.count(n.name)) n.name += "_" + std::to_string(k);
    names.insert(n.name);
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    if (!np.domain().empty() && np.domain() != "ai.onnx")
      Fail(n, "operator domain '" + np.domain() + "' is not supported");
    if (n.op == "Constant") {
      if (n.outputs.size() != 1) Fail(n, "expects one output");
      Tensor t = ConstantNodeValue(np, n);
      g.values[n.outputs[0]] = ValueInfo{t.dtype, t.shape, true};
      g.constants[n.outputs[0]] = std::move(t);
      continue;
    }
    auto spec = SupportedOps().find(n.op);
    if (spec == SupportedOps().end()) Fail(n, "operator is not supported");
    for (const auto& a : np.attribute()) {
      if (!spec->second.count(a.name())) BadAttr(n, a.name(), "is not supported");
      Attribute attr = AttributeFromProto(a, n);
      const Attribute::Kind want = ExpectedKind(n.op, a.name());
      if (attr.kind != want) BadAttr(n, a.name(), std::string("must be ") + KindName(want));
      n.attrs[a.name()] = std::move(attr);
    }
    Canonicalize(g, n, g.opset);
    g.nodes.push_back(std::move(n));
  }
  for (const auto& o : gp.output()) g.outputs.push_back(o.name());
  // Every node input must be produced somewhere.
  std::set<std::string> known(g.inputs.begin(), g.inputs.end());
  for (const auto& c : g.constants) known.insert(c.first);
  for (const auto& n : g.nodes) {
    for (const auto& in : n.inputs)
      if (!in.empty() && !known.count(in)) Fail(n, "input '" + in + "' is not produced before this node");
    known.insert(n.outputs.begin(), n.outputs.end());
  }
  for (const auto& o : g.outputs)
    if (!known.count(o)) throw ConvertError("graph output '" + o + "' is not produced by any node");
  return g;
}

}  // namespace

InputShapeSpec ParseInputShape(const std::string& text) {
  const std::string usage = "bad --input-shape '" + text + "': expected NAME:D1xD2x... (e.g. input:1x3x224x224)";
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) throw ConvertError(usage);
  InputShapeSpec spec;
  spec.name = text.substr(0, colon);
  std::string dims = text.substr(colon + 1);
  size_t pos = 0;
  while (pos <= dims.size()) {
    size_t x = dims.find('x', pos);
    std::string d = dims.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    if (d.empty() || d.size() > 9 || d.find_first_not_of("0123456789") != std::string::npos) throw ConvertError(usage);
    int64_t v = std::stoll(d);
    if (v <= 0) throw ConvertError(usage + " (dimensions must be positive)");
    spec.shape.push_back(v);
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  return spec;
}

Graph ImportOnnxBytes(const std::string& bytes, const ImportOptions& options) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes) || !model.has_graph())
    throw ConvertError("not a valid ONNX model (protobuf parse failed or no graph)");
  return ImportModel(model, options);
}

namespace {
std::string ReadModelFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConvertError("cannot open ONNX model '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

Graph ImportOnnxFile(const std::string& path, const ImportOptions& options) {
  const std::string bytes = ReadModelFile(path);
  try {
    return ImportOnnxBytes(bytes, options);
  } catch (const ConvertError& e) {
    throw ConvertError(path + ": " + e.what());
  }
}

std::vector<std::string> OnnxModelInputs(const std::string& path) {
  onnx::ModelProto model;
  const std::string bytes = ReadModelFile(path);
  if (bytes.empty() || !model.ParseFromString(bytes) || !model.has_graph())
    throw ConvertError(path + ": not a valid ONNX model (protobuf parse failed or no graph)");
  std::set<std::string> inits;
  for (const auto& init : model.graph().initializer()) inits.insert(init.name());
  std::vector<std::string> names;
  for (const auto& vi : model.graph().input())
    if (!inits.count(vi.name())) names.push_back(vi.name());
  return names;
}

}  // namespace dyad::convert
