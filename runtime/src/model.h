// The loaded, verified, immutable model. Sessions only read it, so any number
// of sessions may use one model from different threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "dyad/dyad.h"
#include "kernels/common/params.h"
#include "schema/dyad_generated.h"

namespace dyad {
struct PackedGemm;
namespace rt {

struct OpKernel;

struct TensorInfo {
  const char* name = "";     // points into the FlatBuffer (or a literal)
  DType dtype = DType::kInt8;
  Shape shape;
  int32_t zero_point = 0;
  uint32_t scale_bits = 0;   // IEEE bits of Tensor.scale; copied, never computed with
  uint64_t bytes = 0;        // elements * element size
  const uint8_t* constant = nullptr;  // constant data in the file, else null
  int32_t producer = -1;     // index of the op writing it
  bool graph_input = false;
  bool graph_output = false;
  bool used = false;         // read or written by some op, or a graph input/output
};

struct OpInfo {
  const fb::Operator* fb = nullptr;
  fb::OperatorOptions type = fb::OperatorOptions::NONE;
  const OpKernel* kernel = nullptr;
  const char* name = "";
  std::vector<int32_t> inputs;   // -1 = absent optional input
  std::vector<int32_t> outputs;
};

// Where each activation tensor lives in a session's arena.
struct ArenaPlan {
  uint64_t arena_bytes = 0;
  std::vector<int64_t> offsets;  // per tensor; -1 for constants and unused tensors
};

// Packed Conv/FC weights per (op index, ISA), filled by the first session
// created for that ISA and shared by all later ones (runtime/ops/op.h,
// shared_packed_weights). Only grows; freed with the model. The model stays
// logically immutable: the cache holds derived data only.
struct PackedWeightsCache {
  std::mutex mutex;
  std::map<std::pair<int32_t, int>, std::shared_ptr<const PackedGemm>> entries;
  uint64_t bytes = 0;  // sum of the packed buffers' sizes
};

struct Model {
  // Storage: either an mmap of a file (owned) or the caller's buffer.
  void* mapping = nullptr;
  size_t mapping_size = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
  uint64_t data_segment = 0;     // offset of the data segment in the file

  const fb::Model* fb = nullptr;
  std::vector<TensorInfo> tensors;
  std::vector<OpInfo> ops;
  std::vector<int32_t> order;    // topological order of ops
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  ArenaPlan plan;
  uint64_t weights_bytes = 0;
  mutable PackedWeightsCache packed_cache;

  ~Model();
};

// Checks and indexes `model` whose data/size (and mapping) are set: format
// checks, FlatBuffers verifier, semantic checks, topological order, arena plan.
dyad_status load_model(Model* model);

}  // namespace rt
}  // namespace dyad

struct dyad_model : dyad::rt::Model {};
