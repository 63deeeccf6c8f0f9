// libFuzzer target: load arbitrary bytes as a model (from a 64-byte aligned
// copy, as libdyad requires); if it loads, create a session, fill the inputs
// with fuzz bytes and run. Any crash or sanitizer report is a bug.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "dyad/dyad.h"

namespace {

// Keep each execution small: big arenas or MAC counts are valid models, but
// only slow the fuzzer down (and trip its malloc limit).
constexpr size_t kMaxArenaBytes = size_t{16} << 20;
constexpr int64_t kMaxMacs = int64_t{20} * 1000 * 1000;

void run_model(const dyad_model* model, const uint8_t* data, size_t size) {
  if (dyad_model_arena_bytes(model) > kMaxArenaBytes) return;
  dyad_session* session = nullptr;
  if (dyad_session_create(model, nullptr, &session) != DYAD_OK) return;
  int64_t macs = 0;
  for (size_t i = 0; i < dyad_session_num_ops(session); ++i) {
    dyad_op_profile p;
    if (dyad_session_op_profile(session, i, &p) == DYAD_OK) macs += p.macs;
  }
  if (macs <= kMaxMacs) {
    for (size_t i = 0; i < dyad_model_num_inputs(model); ++i) {
      dyad_tensor_view v;
      if (dyad_session_input(session, i, &v) != DYAD_OK) continue;
      auto* dst = static_cast<uint8_t*>(v.data);
      for (size_t k = 0; k < v.size_bytes; ++k) dst[k] = size > 0 ? data[k % size] : 0;
    }
    dyad_session_run(session);
  }
  dyad_session_free(session);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  void* copy = nullptr;
  if (posix_memalign(&copy, 64, size > 0 ? size : 1) != 0) return 0;
  if (size > 0) std::memcpy(copy, data, size);
  dyad_model* model = nullptr;
  if (dyad_model_load_buffer(copy, size, &model) == DYAD_OK) {
    run_model(model, data, size);
    dyad_model_free(model);
  }
  std::free(copy);
  return 0;
}
