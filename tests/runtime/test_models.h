// Builds small .dyad models for the runtime tests (FlatBuffers builder +
// schema/model_writer), plus helpers to load them from aligned memory.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "dyad/dyad.h"
#include "schema/model_writer.h"

namespace dyad {
namespace test {

using flatbuffers::Offset;

class ModelBuilder {
 public:
  // Activation tensor (no buffer).
  int32_t tensor(const std::string& name, const std::vector<int32_t>& shape,
                 fb::DType dtype = fb::DType::INT8, int32_t zero_point = 0);
  // Constant tensor with its data in the data segment.
  int32_t constant(const std::string& name, const std::vector<int32_t>& shape, fb::DType dtype,
                   const void* data, size_t bytes, int32_t zero_point = 0);
  template <typename T>
  int32_t constant(const std::string& name, const std::vector<int32_t>& shape, fb::DType dtype,
                   const std::vector<T>& data, int32_t zero_point = 0) {
    return constant(name, shape, dtype, data.data(), data.size() * sizeof(T), zero_point);
  }
  // Options tables are built on fbb() before add_op.
  flatbuffers::FlatBufferBuilder& fbb() { return fbb_; }
  void op(const std::string& name, fb::OperatorOptions type, Offset<void> options,
          const std::vector<int32_t>& inputs, const std::vector<int32_t>& outputs);
  void inputs(const std::vector<int32_t>& t) { inputs_ = t; }
  void outputs(const std::vector<int32_t>& t) { outputs_ = t; }
  void metadata(const std::string& key, const std::string& value) {
    metadata_.push_back({key, value});
  }

  // Corruption hooks for malformed-model tests.
  void set_version(uint32_t v) { version_ = v; }
  void set_buffer(int32_t index, uint64_t offset, uint64_t size) {
    buffer_overrides_.push_back({index, offset, size});
  }
  void set_tensor_buffer(int32_t tensor, int32_t buffer) {
    tensors_[static_cast<size_t>(tensor)].buffer = buffer;
  }
  void set_tensor_dtype(int32_t tensor, int8_t dtype) {
    tensors_[static_cast<size_t>(tensor)].dtype = dtype;
  }
  void set_tensor_shape(int32_t tensor, const std::vector<int32_t>& shape) {
    tensors_[static_cast<size_t>(tensor)].shape = shape;
  }

  std::vector<uint8_t> finish();

 private:
  struct TensorSpec {
    std::string name;
    std::vector<int32_t> shape;
    int8_t dtype;
    int32_t zero_point;
    int32_t buffer;
  };
  struct OpSpec {
    std::string name;
    fb::OperatorOptions type;
    Offset<void> options;
    std::vector<int32_t> inputs, outputs;
  };
  struct BufferOverride {
    int32_t index;
    uint64_t offset, size;
  };
  flatbuffers::FlatBufferBuilder fbb_;
  ModelWriter writer_;
  std::vector<TensorSpec> tensors_;
  std::vector<OpSpec> ops_;
  std::vector<int32_t> inputs_, outputs_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::vector<BufferOverride> buffer_overrides_;
  uint32_t version_ = kFormatVersion;
};

// 64-byte aligned copy of a byte vector (libdyad's zero-copy rule).
class AlignedBytes {
 public:
  explicit AlignedBytes(const std::vector<uint8_t>& bytes, size_t offset = 0);
  ~AlignedBytes() { std::free(base_); }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  const uint8_t* data() const { return base_ + offset_; }
  size_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t offset_ = 0, size_ = 0;
};

struct ModelDeleter {
  void operator()(dyad_model* m) const { dyad_model_free(m); }
};
struct SessionDeleter {
  void operator()(dyad_session* s) const { dyad_session_free(s); }
};
using ModelPtr = std::unique_ptr<dyad_model, ModelDeleter>;
using SessionPtr = std::unique_ptr<dyad_session, SessionDeleter>;

// Loads from an aligned copy that the returned holder keeps alive.
struct Loaded {
  dyad_status status = DYAD_OK;
  std::string message;
  std::unique_ptr<AlignedBytes> bytes;
  ModelPtr model;
};
Loaded load(const std::vector<uint8_t>& file);

// Deterministic pseudo-random bytes.
std::vector<int8_t> random_s8(size_t n, uint32_t seed, int lo = -128, int hi = 127);
std::vector<int32_t> random_s32(size_t n, uint32_t seed, int32_t lo, int32_t hi);

// A small valid multi-op CNN (conv -> dwconv -> add -> avgpool -> FC -> softmax),
// input [1,8,8,3] int8, output [1,10] int8. Used by tests and the fuzz seeds.
std::vector<uint8_t> small_cnn_model();
// One valid graph using every op type the CNN does not (data movement, Mul,
// Sub, MaxPool, Resize, TransposeConv2D, Lut, Mean, LayerNorm, PRelu, MatMul,
// Requantize): input [1,6,6,4] int8, output [4,4] int16. Loads and runs; used
// as a fuzz seed.
std::vector<uint8_t> all_ops_model();
// A chain of `n` Requantize/Lut ops over [1,64,64,8] (arena reuse).
std::vector<uint8_t> chain_model(int n);

}  // namespace test
}  // namespace dyad
