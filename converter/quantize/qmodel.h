// The quantized model as plain structs, one step before the FlatBuffer: the
// quantizer appends tensors and operators here, SerializeModel() writes the
// .dyad bytes through schema/model_writer.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "schema/model_writer.h"

namespace dyad::convert {

struct QTensor {
  std::string name;
  std::vector<int32_t> shape;
  fb::DType dtype = fb::DType::INT8;
  float scale = 0.0f;
  int32_t zero_point = 0;
  bool is_constant = false;
  std::vector<uint8_t> data;  // constant bytes (little-endian), empty for activations
};

using OptionsBuilder = std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>;

struct QOp {
  std::string name;
  fb::OperatorOptions type = fb::OperatorOptions::NONE;
  std::vector<int32_t> inputs, outputs;
  OptionsBuilder options;
};

struct QModel {
  std::vector<QTensor> tensors;
  std::vector<QOp> ops;
  std::vector<int32_t> inputs, outputs;
  std::vector<std::pair<std::string, std::string>> metadata;

  int32_t AddTensor(QTensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int32_t>(tensors.size() - 1);
  }
  const std::string* Metadata(const std::string& key) const {
    for (const auto& kv : metadata)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
};

// The .dyad file bytes of `model`.
std::vector<uint8_t> SerializeModel(const QModel& model);

size_t DTypeSize(fb::DType t);

}  // namespace dyad::convert
