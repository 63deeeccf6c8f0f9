// The C API (dyad.h): argument checks, exception barrier, thin calls into the
// loader and the session.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>

#include "dyad/dyad.h"
#include "runtime/ops/op.h"
#include "runtime/src/error.h"
#include "runtime/src/model.h"
#include "runtime/src/session.h"

#ifndef DYAD_VERSION_STRING
#define DYAD_VERSION_STRING "0.0.0"
#endif

using dyad::rt::fail;

namespace {

// No exception crosses the C boundary: allocation failure becomes a status.
template <typename F>
dyad_status guarded(F&& body) {
  try {
    dyad::rt::clear_error();
    return body();
  } catch (const std::bad_alloc&) {
    return fail(DYAD_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (...) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "unexpected internal error");
  }
}

dyad_status finish_load(std::unique_ptr<dyad_model> model, dyad_model** out_model) {
  if (dyad_status s = dyad::rt::load_model(model.get())) return s;
  *out_model = model.release();
  return DYAD_OK;
}

dyad_status fill_view(const dyad_session* s, int32_t t, dyad_tensor_view* v) {
  const dyad::rt::TensorInfo& info = s->model->tensors[static_cast<size_t>(t)];
  std::memset(v, 0, sizeof(*v));
  v->name = info.name;
  v->dtype = static_cast<dyad_dtype>(info.dtype);
  v->rank = info.shape.rank;
  for (int i = 0; i < info.shape.rank; ++i) v->shape[i] = info.shape.dims[i];
  v->zero_point = info.zero_point;
  std::memcpy(&v->scale, &info.scale_bits, sizeof(v->scale));  // bits only, no float math
  v->data = s->tensor_data(t);
  v->size_bytes = static_cast<size_t>(info.bytes);
  return DYAD_OK;
}

}  // namespace

extern "C" {

const char* dyad_last_error(void) { return dyad::rt::last_error(); }

const char* dyad_status_name(dyad_status status) {
  switch (status) {
    case DYAD_OK: return "DYAD_OK";
    case DYAD_ERROR_INVALID_ARGUMENT: return "DYAD_ERROR_INVALID_ARGUMENT";
    case DYAD_ERROR_IO: return "DYAD_ERROR_IO";
    case DYAD_ERROR_FORMAT: return "DYAD_ERROR_FORMAT";
    case DYAD_ERROR_VERSION: return "DYAD_ERROR_VERSION";
    case DYAD_ERROR_INVALID_MODEL: return "DYAD_ERROR_INVALID_MODEL";
    case DYAD_ERROR_UNSUPPORTED: return "DYAD_ERROR_UNSUPPORTED";
    case DYAD_ERROR_OUT_OF_MEMORY: return "DYAD_ERROR_OUT_OF_MEMORY";
    case DYAD_ERROR_ALIGNMENT: return "DYAD_ERROR_ALIGNMENT";
  }
  return "DYAD_ERROR_UNKNOWN";
}

const char* dyad_version(void) { return DYAD_VERSION_STRING; }

dyad_status dyad_model_load_file(const char* path, dyad_model** out_model) {
  return guarded([&]() -> dyad_status {
    if (path == nullptr || out_model == nullptr) {
      return fail(DYAD_ERROR_INVALID_ARGUMENT, "path and out_model must not be NULL");
    }
    *out_model = nullptr;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(DYAD_ERROR_IO, "cannot open '%s': %s", path, std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
      const int e = errno;
      close(fd);
      return fail(DYAD_ERROR_IO, "cannot stat '%s': %s", path, std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
      close(fd);
      return fail(DYAD_ERROR_IO, "'%s' is not a regular file", path);
    }
    if (st.st_size < 12) {
      close(fd);
      return fail(DYAD_ERROR_FORMAT, "truncated: '%s' has %lld bytes, smaller than the header",
                  path, static_cast<long long>(st.st_size));
    }
    if (static_cast<unsigned long long>(st.st_size) > SIZE_MAX) {
      close(fd);
      return fail(DYAD_ERROR_IO, "'%s' is too large to map", path);
    }
    const size_t size = static_cast<size_t>(st.st_size);
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int e = errno;
    close(fd);
    if (map == MAP_FAILED) return fail(DYAD_ERROR_IO, "cannot mmap '%s': %s", path, std::strerror(e));
    std::unique_ptr<dyad_model> model(new (std::nothrow) dyad_model);
    if (model == nullptr) {
      munmap(map, size);
      return fail(DYAD_ERROR_OUT_OF_MEMORY, "out of memory");
    }
    model->mapping = map;  // unmapped by ~Model, also on failure below
    model->mapping_size = size;
    model->data = static_cast<const uint8_t*>(map);
    model->size = size;
    return finish_load(std::move(model), out_model);
  });
}

dyad_status dyad_model_load_buffer(const void* data, size_t size, dyad_model** out_model) {
  return guarded([&]() -> dyad_status {
    if (data == nullptr || out_model == nullptr) {
      return fail(DYAD_ERROR_INVALID_ARGUMENT, "data and out_model must not be NULL");
    }
    *out_model = nullptr;
    std::unique_ptr<dyad_model> model(new (std::nothrow) dyad_model);
    if (model == nullptr) return fail(DYAD_ERROR_OUT_OF_MEMORY, "out of memory");
    model->data = static_cast<const uint8_t*>(data);
    model->size = size;
    return finish_load(std::move(model), out_model);
  });
}

void dyad_model_free(dyad_model* model) { delete model; }

size_t dyad_model_num_inputs(const dyad_model* model) {
  return model == nullptr ? 0 : model->inputs.size();
}
size_t dyad_model_num_outputs(const dyad_model* model) {
  return model == nullptr ? 0 : model->outputs.size();
}
size_t dyad_model_num_ops(const dyad_model* model) {
  return model == nullptr ? 0 : model->ops.size();
}
size_t dyad_model_weights_bytes(const dyad_model* model) {
  return model == nullptr ? 0 : static_cast<size_t>(model->weights_bytes);
}
size_t dyad_model_arena_bytes(const dyad_model* model) {
  return model == nullptr ? 0 : static_cast<size_t>(model->plan.arena_bytes);
}

size_t dyad_model_packed_weights_bytes(const dyad_model* model) {
  if (model == nullptr) return 0;
  std::lock_guard<std::mutex> lock(model->packed_cache.mutex);
  return static_cast<size_t>(model->packed_cache.bytes);
}

const char* dyad_model_metadata(const dyad_model* model, const char* key) {
  if (model == nullptr || key == nullptr || model->fb->metadata() == nullptr) return nullptr;
  for (const dyad::fb::Metadata* m : *model->fb->metadata()) {
    // string_view, not strcmp: GCC 12 at -O1 (the sanitizer build) misreads
    // the FlatBuffers string as a zero-size region (-Wstringop-overread).
    if (m->key() != nullptr && m->value() != nullptr &&
        std::string_view(m->key()->c_str(), m->key()->size()) == key) {
      return m->value()->c_str();
    }
  }
  return nullptr;
}

void dyad_session_options_init(dyad_session_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(*options);
  options->num_threads = 1;
  options->isa = nullptr;
  options->profile = 0;
}

dyad_status dyad_session_create(const dyad_model* model, const dyad_session_options* options,
                                dyad_session** out_session) {
  return guarded([&]() -> dyad_status {
    if (model == nullptr || out_session == nullptr) {
      return fail(DYAD_ERROR_INVALID_ARGUMENT, "model and out_session must not be NULL");
    }
    *out_session = nullptr;
    dyad_session_options defaults;
    dyad_session_options_init(&defaults);
    if (options != nullptr && options->struct_size != sizeof(dyad_session_options)) {
      return fail(DYAD_ERROR_INVALID_ARGUMENT,
                  "options->struct_size %u, expected %zu (call dyad_session_options_init)",
                  options->struct_size, sizeof(dyad_session_options));
    }
    std::unique_ptr<dyad_session> session(new (std::nothrow) dyad_session);
    if (session == nullptr) return fail(DYAD_ERROR_OUT_OF_MEMORY, "out of memory");
    const dyad_session_options& opts = options != nullptr ? *options : defaults;
    if (dyad_status s = dyad::rt::create_session(*model, opts, session.get())) return s;
    *out_session = session.release();
    return DYAD_OK;
  });
}

void dyad_session_free(dyad_session* session) { delete session; }

dyad_status dyad_session_input(dyad_session* session, size_t index, dyad_tensor_view* out_view) {
  if (session == nullptr || out_view == nullptr) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "session and out_view must not be NULL");
  }
  if (index >= session->model->inputs.size()) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "input index %zu out of range (%zu inputs)", index,
                session->model->inputs.size());
  }
  return fill_view(session, session->model->inputs[index], out_view);
}

dyad_status dyad_session_output(dyad_session* session, size_t index, dyad_tensor_view* out_view) {
  if (session == nullptr || out_view == nullptr) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "session and out_view must not be NULL");
  }
  if (index >= session->model->outputs.size()) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "output index %zu out of range (%zu outputs)", index,
                session->model->outputs.size());
  }
  return fill_view(session, session->model->outputs[index], out_view);
}

dyad_status dyad_session_run(dyad_session* session) {
  if (session == nullptr) return fail(DYAD_ERROR_INVALID_ARGUMENT, "session must not be NULL");
  return dyad::rt::run_session(session);
}

size_t dyad_session_arena_bytes(const dyad_session* session) {
  return session == nullptr ? 0 : static_cast<size_t>(session->arena_bytes);
}

size_t dyad_session_scratch_bytes(const dyad_session* session) {
  return session == nullptr ? 0 : static_cast<size_t>(session->scratch_bytes);
}

const char* dyad_session_isa(const dyad_session* session) {
  return session == nullptr ? "" : dyad::isa_name(session->isa);
}

size_t dyad_session_num_ops(const dyad_session* session) {
  return session == nullptr ? 0 : session->ops.size();
}

dyad_status dyad_session_op_profile(const dyad_session* session, size_t index,
                                    dyad_op_profile* out_profile) {
  if (session == nullptr || out_profile == nullptr) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "session and out_profile must not be NULL");
  }
  if (index >= session->ops.size()) {
    return fail(DYAD_ERROR_INVALID_ARGUMENT, "op index %zu out of range (%zu ops)", index,
                session->ops.size());
  }
  const dyad::rt::PreparedOp& op = session->ops[index];
  const dyad::rt::OpInfo& info = session->model->ops[static_cast<size_t>(op.op_index)];
  std::memset(out_profile, 0, sizeof(*out_profile));
  out_profile->name = info.name;
  out_profile->type = dyad::rt::op_type_name(info.type);
  out_profile->kernel = op.kernel.c_str();
  if (!info.outputs.empty()) {
    const dyad::Shape& shape = session->model->tensors[static_cast<size_t>(info.outputs[0])].shape;
    out_profile->output_rank = shape.rank;
    for (int i = 0; i < shape.rank; ++i) out_profile->output_shape[i] = shape.dims[i];
  }
  out_profile->macs = op.macs;
  out_profile->last_run_ns = op.last_run_ns;
  return DYAD_OK;
}

}  // extern "C"
