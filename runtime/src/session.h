// A session: one arena plus the prepared ops of one model, run by the
// caller's thread and the session's pool of num_threads - 1 workers.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dyad/dyad.h"
#include "kernels/dispatch.h"
#include "runtime/ops/op.h"
#include "runtime/src/model.h"
#include "runtime/src/thread_pool.h"

namespace dyad {
namespace rt {

struct ArenaDeleter {
  void operator()(uint8_t* p) const;
};

struct Session {
  const Model* model = nullptr;
  Isa isa = Isa::kReference;
  int32_t num_threads = 1;
  bool profile = false;
  std::unique_ptr<uint8_t, ArenaDeleter> arena;
  uint64_t arena_bytes = 0;
  std::vector<PreparedOp> ops;  // execution order
  // num_threads blocks of scratch_stride bytes (the largest op's per-thread
  // kernel scratch), allocated at creation so run() never allocates.
  std::unique_ptr<uint8_t, ArenaDeleter> scratch;
  uint64_t scratch_bytes = 0;
  // Declared last: destroyed (workers joined) before the ops and buffers.
  std::unique_ptr<ThreadPool> pool;  // null when num_threads == 1

  // Address of tensor `t`'s data: the model's constant or the arena slot.
  void* tensor_data(int32_t t) const;
};

// Resolves options->isa / DYAD_ISA to a path this build and CPU can run.
dyad_status resolve_isa(const char* requested, Isa* out);
dyad_status create_session(const Model& model, const dyad_session_options& options,
                           Session* session);
dyad_status run_session(Session* session);

// Tests only: every op of `session` splits into num_threads parts whatever
// its size (PreparedOp::split_everything), to check any split is exact.
void split_every_op_for_testing(Session* session);

// Upper bound of the num_threads option.
constexpr int32_t kMaxThreads = 256;

}  // namespace rt
}  // namespace dyad

struct dyad_session : dyad::rt::Session {};
