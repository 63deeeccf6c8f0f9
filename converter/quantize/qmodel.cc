#include "converter/quantize/qmodel.h"

namespace dyad::convert {

size_t DTypeSize(fb::DType t) {
  switch (t) {
    case fb::DType::INT8:
    case fb::DType::UINT8: return 1;
    case fb::DType::INT16: return 2;
    case fb::DType::INT32: return 4;
  }
  return 1;
}

std::vector<uint8_t> SerializeModel(const QModel& model) {
  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  ModelWriter writer;
  std::vector<int32_t> buffer_of(model.tensors.size(), -1);
  for (size_t k = 0; k < model.tensors.size(); ++k) {
    const QTensor& t = model.tensors[k];
    if (t.is_constant) buffer_of[k] = writer.add_buffer(t.data.data(), t.data.size());
  }
  auto buffers = writer.build_buffers(fbb);
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (size_t k = 0; k < model.tensors.size(); ++k) {
    const QTensor& t = model.tensors[k];
    tensors.push_back(fb::CreateTensorDirect(fbb, t.name.c_str(), &t.shape, t.dtype, t.zero_point,
                                             t.scale, buffer_of[k]));
  }
  std::vector<flatbuffers::Offset<fb::Operator>> ops;
  for (const QOp& op : model.ops) {
    auto options = op.options ? op.options(fbb) : flatbuffers::Offset<void>();
    ops.push_back(fb::CreateOperatorDirect(fbb, op.name.c_str(), &op.inputs, &op.outputs, op.type,
                                           options));
  }
  std::vector<flatbuffers::Offset<fb::Metadata>> meta;
  for (const auto& [key, value] : model.metadata)
    meta.push_back(fb::CreateMetadataDirect(fbb, key.c_str(), value.c_str()));
  auto tensors_v = fbb.CreateVector(tensors);
  auto ops_v = fbb.CreateVector(ops);
  auto inputs_v = fbb.CreateVector(model.inputs);
  auto outputs_v = fbb.CreateVector(model.outputs);
  auto meta_v = fbb.CreateVector(meta);
  auto root = fb::CreateModel(fbb, kFormatVersion, tensors_v, buffers, ops_v, inputs_v, outputs_v,
                              meta_v);
  return writer.finish(fbb, root);
}

}  // namespace dyad::convert
