// Thin RAII C++ wrapper over the C API (dyad.h). Errors throw dyad::Error,
// which carries the dyad_status and the message of dyad_last_error().
// A Model may be shared by several Sessions on different threads; a Session
// is used by one thread at a time. See docs/api.md.
#ifndef DYAD_DYAD_HPP_
#define DYAD_DYAD_HPP_

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "dyad/dyad.h"

namespace dyad {

class Error : public std::runtime_error {
 public:
  Error(dyad_status status, const std::string& message)
      : std::runtime_error(std::string(dyad_status_name(status)) + ": " + message),
        status_(status) {}
  dyad_status status() const { return status_; }

 private:
  dyad_status status_;
};

inline void check(dyad_status status) {
  if (status != DYAD_OK) throw Error(status, dyad_last_error());
}

class Model {
 public:
  static Model load_file(const std::string& path) {
    dyad_model* m = nullptr;
    check(dyad_model_load_file(path.c_str(), &m));
    return Model(m);
  }
  // Zero-copy: `data` must be 64-byte aligned and outlive the Model.
  static Model load_buffer(const void* data, size_t size) {
    dyad_model* m = nullptr;
    check(dyad_model_load_buffer(data, size, &m));
    return Model(m);
  }
  Model(Model&& other) noexcept : model_(std::exchange(other.model_, nullptr)) {}
  Model& operator=(Model&& other) noexcept {
    std::swap(model_, other.model_);
    return *this;
  }
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model() { dyad_model_free(model_); }

  size_t num_inputs() const { return dyad_model_num_inputs(model_); }
  size_t num_outputs() const { return dyad_model_num_outputs(model_); }
  size_t num_ops() const { return dyad_model_num_ops(model_); }
  size_t weights_bytes() const { return dyad_model_weights_bytes(model_); }
  size_t arena_bytes() const { return dyad_model_arena_bytes(model_); }
  size_t packed_weights_bytes() const { return dyad_model_packed_weights_bytes(model_); }
  // Empty string if the key is absent.
  std::string metadata(const std::string& key) const {
    const char* v = dyad_model_metadata(model_, key.c_str());
    return v != nullptr ? v : "";
  }
  const dyad_model* get() const { return model_; }

 private:
  explicit Model(dyad_model* m) : model_(m) {}
  dyad_model* model_ = nullptr;
};

struct SessionOptions {
  int num_threads = 1;
  std::string isa = "auto";
  bool profile = false;
};

class Session {
 public:
  // The Model must outlive the Session.
  explicit Session(const Model& model, const SessionOptions& options = SessionOptions()) {
    dyad_session_options o;
    dyad_session_options_init(&o);
    o.num_threads = options.num_threads;
    o.isa = options.isa.c_str();
    o.profile = options.profile ? 1 : 0;
    check(dyad_session_create(model.get(), &o, &session_));
  }
  Session(Session&& other) noexcept : session_(std::exchange(other.session_, nullptr)) {}
  Session& operator=(Session&& other) noexcept {
    std::swap(session_, other.session_);
    return *this;
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { dyad_session_free(session_); }

  dyad_tensor_view input(size_t index) {
    dyad_tensor_view v;
    check(dyad_session_input(session_, index, &v));
    return v;
  }
  dyad_tensor_view output(size_t index) {
    dyad_tensor_view v;
    check(dyad_session_output(session_, index, &v));
    return v;
  }
  void run() { check(dyad_session_run(session_)); }
  size_t arena_bytes() const { return dyad_session_arena_bytes(session_); }
  size_t scratch_bytes() const { return dyad_session_scratch_bytes(session_); }
  std::string isa() const { return dyad_session_isa(session_); }
  size_t num_ops() const { return dyad_session_num_ops(session_); }
  dyad_op_profile op_profile(size_t index) const {
    dyad_op_profile p;
    check(dyad_session_op_profile(session_, index, &p));
    return p;
  }
  dyad_session* get() { return session_; }

 private:
  dyad_session* session_ = nullptr;
};

}  // namespace dyad

#endif  // DYAD_DYAD_HPP_
