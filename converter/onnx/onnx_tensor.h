// Internal to converter/onnx: TensorProto → Tensor. Includes the ONNX
// protobuf header, so only the importer's .cc files include it.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "converter/ir/tensor.h"

namespace dyad::convert {

// `context` names the initializer/attribute for error messages.
Tensor TensorFromProto(const onnx::TensorProto& proto, const std::string& context);

// ONNX elem type → IR dtype; ConvertError for types the converter cannot hold.
DType DTypeFromOnnx(int elem_type, const std::string& context);

const char* OnnxTypeName(int elem_type);

}  // namespace dyad::convert
