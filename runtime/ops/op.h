// The interface every op family implements (one file per family under
// runtime/ops/) and the registry that maps the schema's OperatorOptions union
// type to it. To add an op: write runtime/ops/<op>.cc defining an OpKernel,
// declare it in registry.cc and add one line to the table there.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <string>
#include <vector>

#include "dyad/dyad.h"
#include "kernels/common/params.h"
#include "kernels/conv_kernels.h"
#include "kernels/dispatch.h"
#include "runtime/src/model.h"
#include "runtime/src/thread_pool.h"

namespace dyad {
namespace rt {

// What verify() and prepare() see of one op. fail() formats the message with
// the op's index, name and type in front, and returns the status.
class OpCheck {
 public:
  OpCheck(const Model& model, int32_t op_index) : model_(model), index_(op_index) {}
  const Model& model() const { return model_; }
  const OpInfo& op() const { return model_.ops[static_cast<size_t>(index_)]; }
  int32_t index() const { return index_; }
  size_t num_inputs() const { return op().inputs.size(); }
  size_t num_outputs() const { return op().outputs.size(); }
  // null for an absent optional input (-1) or a position past the end.
  const TensorInfo* input(size_t i) const { return tensor(op().inputs, i); }
  const TensorInfo* output(size_t i) const { return tensor(op().outputs, i); }
  int32_t input_index(size_t i) const { return op().inputs[i]; }
  int32_t output_index(size_t i) const { return op().outputs[i]; }
  template <typename T>
  const T* options() const { return static_cast<const T*>(op().fb->options()); }

  dyad_status fail(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  dyad_status fail_status(dyad_status status, const char* format, ...) const
      __attribute__((format(printf, 3, 4)));

 private:
  const TensorInfo* tensor(const std::vector<int32_t>& v, size_t i) const {
    if (i >= v.size() || v[i] < 0) return nullptr;
    return &model_.tensors[static_cast<size_t>(v[i])];
  }
  const Model& model_;
  int32_t index_;
};

// Per-op state built once at prepare (kernel params); each op family derives.
struct OpState {
  virtual ~OpState() = default;
};

// One op as a session runs it. Pointers are resolved at prepare: inputs into
// the model's constants or the arena, outputs into the arena.
struct PreparedOp {
  int32_t op_index = 0;
  Isa isa = Isa::kReference;     // the session's path; prepare may pick an optimized kernel
  std::unique_ptr<OpState> state;
  std::vector<const void*> in;   // null for an absent optional input
  std::vector<void*> out;
  void (*run)(const PreparedOp&) = nullptr;
  // e.g. "qs8_conv2d__avx2"; prepare may leave off "__<isa>", and the
  // session then appends "__reference".
  std::string kernel;
  int64_t macs = 0;
  int64_t last_run_ns = 0;
  // Bytes of kernel scratch one thread needs (set by prepare). The session
  // then allocates one block per thread for the largest op and sets
  // scratch/scratch_stride; thread t uses scratch + t * scratch_stride.
  size_t scratch_bytes = 0;
  uint8_t* scratch = nullptr;
  size_t scratch_stride = 0;
  // The session's pool (null: run on the caller's thread only).
  ThreadPool* pool = nullptr;
  // Tests only: ignore the minimum work per thread, so even small ops split
  // into as many parts as there are threads.
  bool split_everything = false;

  template <typename T>
  const T& as() const { return static_cast<const T&>(*state); }
  void* thread_scratch(int thread_index) const {
    return scratch + static_cast<size_t>(thread_index) * scratch_stride;
  }
  // fn(begin, end, thread_index) over a static split of [0, count), each part
  // at least min_per_thread long. Ops split only where every element's result
  // is independent of the split, so any thread count gives the same bytes.
  template <typename F>
  void parallel_for(int64_t count, int64_t min_per_thread, F&& fn) const {
    if (pool == nullptr || pool->num_threads() == 1) {
      if (count > 0) fn(int64_t{0}, count, 0);
      return;
    }
    pool->parallel_for(count, fn, split_everything ? 1 : min_per_thread);
  }
};

// Work per thread below which splitting an op costs more than it saves (a
// hand-over to a spinning worker costs a few microseconds). Only the number
// of parts depends on these, never the result.
constexpr int64_t kMinElementsPerThread = 4096;       // reference elementwise
constexpr int64_t kMinMacsPerThread = 1 << 16;         // reference conv / FC
// Optimized conv / FC: about 8 us of GEMM at 30 GMAC/s (BlazeFace's
// 16x16x48 1x1, 0.5 M MACs, stayed on one thread at 1 << 19).
constexpr int64_t kMinPackedMacsPerThread = 1 << 18;
// Optimized depthwise runs at 4-10 GMAC/s, not 25-45: the same time is
// 8x fewer MACs (BlazeFace's 32x32 and 16x16 depthwise layers stayed on
// one thread at the GEMM threshold).
constexpr int64_t kMinPackedDepthwiseMacsPerThread = 1 << 15;

// Packed weights of op `op_index` for `isa`, shared by every session of
// `model`: packed on the first request (under the model's cache mutex), then
// returned from the cache. `pack` returns a PackedGemm; an invalid one (the
// pack failed) is not cached and null is returned.
template <typename PackFn>
std::shared_ptr<const PackedGemm> shared_packed_weights(const Model& model, int32_t op_index,
                                                        Isa isa, PackFn&& pack) {
  PackedWeightsCache& cache = model.packed_cache;
  std::lock_guard<std::mutex> lock(cache.mutex);
  const auto key = std::make_pair(op_index, static_cast<int>(isa));
  auto it = cache.entries.find(key);
  if (it != cache.entries.end()) return it->second;
  auto packed = std::make_shared<PackedGemm>(pack());
  if (!packed->valid()) return nullptr;
  cache.bytes += packed->buffer.size();
  cache.entries.emplace(key, packed);
  return packed;
}

struct OpKernel {
  fb::OperatorOptions type;
  const char* name;  // "Conv2D", ...
  // Semantic checks of inputs, outputs and options (the FlatBuffer is already
  // verified and every tensor index is in range).
  dyad_status (*verify)(const OpCheck& check);
  // Fills state, run, macs and the kernel's name. Called only on a verified
  // op; op->isa is the session's path (use it only if the op has a kernel for it).
  dyad_status (*prepare)(const OpCheck& check, PreparedOp* op);
};

// null for NONE or a type this build does not know.
const OpKernel* find_op_kernel(fb::OperatorOptions type);
const char* op_type_name(fb::OperatorOptions type);

}  // namespace rt
}  // namespace dyad
