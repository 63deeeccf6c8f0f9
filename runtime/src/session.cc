#include "runtime/src/session.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <system_error>

#include "runtime/src/error.h"

namespace dyad {
namespace rt {
namespace {

std::string built_isas() {
  std::string r;
  for (int i = 0; i < kNumIsas; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (!isa_built(isa)) continue;
    if (!r.empty()) r += ", ";
    r += isa_name(isa);
  }
  return r;
}

dyad_status check_runnable(Isa isa, const char* source) {
  if (!isa_built(isa)) {
    return fail(DYAD_ERROR_UNSUPPORTED, "%s '%s' is not built into this libdyad (built: %s)",
                source, isa_name(isa), built_isas().c_str());
  }
  if (!isa_supported(isa)) {
    return fail(DYAD_ERROR_UNSUPPORTED, "%s '%s' is not supported by this CPU", source,
                isa_name(isa));
  }
  return DYAD_OK;
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// One scratch block per thread, each as large as the largest op needs and a
// multiple of 64 bytes so every block stays 64-byte aligned.
dyad_status allocate_scratch(Session* s) {
  size_t per_thread = 0;
  for (const PreparedOp& op : s->ops) per_thread = std::max(per_thread, op.scratch_bytes);
  if (per_thread == 0) return DYAD_OK;
  per_thread = (per_thread + 63) / 64 * 64;
  const size_t threads = static_cast<size_t>(s->num_threads);
  if (per_thread > SIZE_MAX / threads) {
    return fail(DYAD_ERROR_OUT_OF_MEMORY, "kernel scratch of %zu bytes x %zu threads overflows",
                per_thread, threads);
  }
  void* block = nullptr;
  if (posix_memalign(&block, 64, per_thread * threads) != 0) {
    return fail(DYAD_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes of kernel scratch",
                per_thread * threads);
  }
  s->scratch.reset(static_cast<uint8_t*>(block));
  s->scratch_bytes = per_thread * threads;
  for (PreparedOp& op : s->ops) {
    op.scratch = s->scratch.get();
    op.scratch_stride = per_thread;
  }
  return DYAD_OK;
}

}  // namespace

void ArenaDeleter::operator()(uint8_t* p) const { std::free(p); }

void* Session::tensor_data(int32_t t) const {
  const TensorInfo& info = model->tensors[static_cast<size_t>(t)];
  if (info.constant != nullptr) return const_cast<uint8_t*>(info.constant);
  return arena.get() + model->plan.offsets[static_cast<size_t>(t)];
}

dyad_status resolve_isa(const char* requested, Isa* out) {
  if (requested == nullptr || std::strcmp(requested, "auto") == 0) {
    bool unknown = false;
    if (isa_from_env(out, &unknown)) return check_runnable(*out, "DYAD_ISA");
    if (unknown) {
      return fail(DYAD_ERROR_UNSUPPORTED,
                  "DYAD_ISA='%s' is not a known ISA (auto, reference, avx2, avxvnni, avx512vnni, "
                  "neon, neondot, i8mm)", std::getenv("DYAD_ISA"));
    }
    *out = best_isa();
    return DYAD_OK;
  }
  if (!isa_from_name(requested, out)) {
    return fail(DYAD_ERROR_UNSUPPORTED,
                "isa option '%s' is not a known ISA (auto, reference, avx2, avxvnni, avx512vnni, "
                "neon, neondot, i8mm)", requested);
  }
  return check_runnable(*out, "isa option");
}

dyad_status create_session(const Model& model, const dyad_session_options& options,
                           Session* s) {
  if (options.num_threads < 1 || options.num_threads > kMaxThreads) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "num_threads %d, must be in [1, %d]",
                options.num_threads, kMaxThreads);
  }
  if (dyad_status st = resolve_isa(options.isa, &s->isa)) return st;
  s->model = &model;
  s->num_threads = options.num_threads;
  s->profile = options.profile != 0;
  // At least one aligned block so every pointer is valid even without activations.
  const uint64_t bytes = model.plan.arena_bytes > 0 ? model.plan.arena_bytes : 64;
  if (bytes > SIZE_MAX) {
    return fail(DYAD_ERROR_OUT_OF_MEMORY, "arena of %llu bytes does not fit this address space",
                static_cast<unsigned long long>(bytes));
  }
  void* arena = nullptr;
  if (posix_memalign(&arena, 64, static_cast<size_t>(bytes)) != 0) {
    return fail(DYAD_ERROR_OUT_OF_MEMORY, "cannot allocate an arena of %llu bytes",
                static_cast<unsigned long long>(bytes));
  }
  // Zeroed so a run before any input is written is still deterministic.
  std::memset(arena, 0, static_cast<size_t>(bytes));
  s->arena.reset(static_cast<uint8_t*>(arena));
  s->arena_bytes = bytes;
  s->ops.resize(model.order.size());
  for (size_t i = 0; i < model.order.size(); ++i) {
    const int32_t index = model.order[i];
    const OpInfo& info = model.ops[static_cast<size_t>(index)];
    PreparedOp& op = s->ops[i];
    op.op_index = index;
    op.isa = s->isa;
    if (dyad_status st = info.kernel->prepare(OpCheck(model, index), &op)) return st;
    for (int32_t t : info.inputs) op.in.push_back(t < 0 ? nullptr : s->tensor_data(t));
    for (int32_t t : info.outputs) op.out.push_back(s->tensor_data(t));
    // Ops without an optimized kernel for the session's path run the reference one.
    if (op.kernel.find("__") == std::string::npos) op.kernel += "__reference";
  }
  if (dyad_status st = allocate_scratch(s)) return st;
  if (s->num_threads > 1) {
    try {
      s->pool = std::make_unique<ThreadPool>(s->num_threads);
    } catch (const std::system_error& e) {
      return fail(DYAD_ERROR_OUT_OF_MEMORY, "cannot start %d worker threads: %s",
                  s->num_threads - 1, e.what());
    }
  }
  for (PreparedOp& op : s->ops) op.pool = s->pool.get();
  return DYAD_OK;
}

void split_every_op_for_testing(Session* s) {
  for (PreparedOp& op : s->ops) op.split_everything = true;
}

dyad_status run_session(Session* s) {
  if (!s->profile) {
    for (const PreparedOp& op : s->ops) op.run(op);
    return DYAD_OK;
  }
  for (PreparedOp& op : s->ops) {
    const int64_t start = now_ns();
    op.run(op);
    op.last_run_ns = now_ns() - start;
  }
  return DYAD_OK;
}

}  // namespace rt
}  // namespace dyad
