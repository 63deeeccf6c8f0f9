// A session: one arena plus the prepared ops of one model, run on one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dyad/dyad.h"
#include "kernels/dispatch.h"
#include "runtime/ops/op.h"
#include "runtime/src/model.h"

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

  // Address of tensor `t`'s data: the model's constant or the arena slot.
  void* tensor_data(int32_t t) const;
};

// Resolves options->isa / DYAD_ISA to a path this build and CPU can run.
dyad_status resolve_isa(const char* requested, Isa* out);
dyad_status create_session(const Model& model, const dyad_session_options& options,
                           Session* session);
dyad_status run_session(Session* session);

}  // namespace rt
}  // namespace dyad

struct dyad_session : dyad::rt::Session {};
