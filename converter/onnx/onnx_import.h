// ONNX → IR import. Protobuf/ONNX headers stay inside the .cc files so that
// the rest of the converter compiles without them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "converter/ir/graph.h"

namespace dyad::convert {

struct InputShapeSpec {
  std::string name;
  Shape shape;
};

// Parses "name:1x3x224x224" (name and shape split at the LAST ':', since ONNX
// names such as "input:0" contain colons). ConvertError on a bad format.
InputShapeSpec ParseInputShape(const std::string& text);

struct ImportOptions {
  // Fixed shapes for graph inputs; required for every dynamic dimension.
  std::map<std::string, Shape> input_shapes;
};

// Reads a ModelProto file and converts it into the IR (ops in canonical
// newest-opset form). ConvertError on missing/corrupt files and on any op,
// attribute, data type or opset it cannot convert, naming node, op, attribute.
Graph ImportOnnxFile(const std::string& path, const ImportOptions& options = {});
Graph ImportOnnxBytes(const std::string& bytes, const ImportOptions& options = {});

// Names of the model's graph inputs that are not initializers, in order.
std::vector<std::string> OnnxModelInputs(const std::string& path);

// Reads one serialized TensorProto (the ONNX node tests' input_k.pb/output_k.pb).
Tensor LoadTensorProtoFile(const std::string& path);

}  // namespace dyad::convert
