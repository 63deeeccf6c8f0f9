// Helpers of the runtime tests: run a model on given input bytes.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernels/common/params.h"
#include "kernels/dispatch.h"
#include "runtime/src/session.h"
#include "tests/runtime/test_models.h"

namespace dyad {
namespace test {

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> r(v.size() * sizeof(T));
  if (!r.empty()) std::memcpy(r.data(), v.data(), r.size());
  return r;
}

template <typename T>
std::vector<T> values_of(const std::vector<uint8_t>& b) {
  std::vector<T> r(b.size() / sizeof(T));
  if (!r.empty()) std::memcpy(r.data(), b.data(), r.size() * sizeof(T));
  return r;
}

// Loads `file`, writes `inputs`, runs once, returns every output's bytes.
// Fails the current test (and returns {}) on any error.
inline std::vector<std::vector<uint8_t>> run_model(const std::vector<uint8_t>& file,
                                                   const std::vector<std::vector<uint8_t>>& inputs,
                                                   const char* isa = "reference") {
  Loaded l = load(file);
  EXPECT_EQ(l.status, DYAD_OK) << l.message;
  if (l.status != DYAD_OK) return {};
  dyad_session_options o;
  dyad_session_options_init(&o);
  o.isa = isa;
  dyad_session* raw = nullptr;
  const dyad_status s = dyad_session_create(l.model.get(), &o, &raw);
  EXPECT_EQ(s, DYAD_OK) << dyad_last_error();
  if (s != DYAD_OK) return {};
  SessionPtr session(raw);
  EXPECT_EQ(dyad_model_num_inputs(l.model.get()), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_input(session.get(), i, &v), DYAD_OK);
    EXPECT_EQ(v.size_bytes, inputs[i].size()) << "input " << i;
    if (v.size_bytes != inputs[i].size()) return {};
    std::memcpy(v.data, inputs[i].data(), v.size_bytes);
  }
  EXPECT_EQ(dyad_session_run(session.get()), DYAD_OK) << dyad_last_error();
  std::vector<std::vector<uint8_t>> outputs;
  for (size_t i = 0; i < dyad_model_num_outputs(l.model.get()); ++i) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_output(session.get(), i, &v), DYAD_OK);
    const auto* p = static_cast<const uint8_t*>(v.data);
    outputs.emplace_back(p, p + v.size_bytes);
  }
  return outputs;
}

// Names of every ISA path this build contains and this CPU runs.
// A session of `model` on `isa` with `threads` threads; split_everything
// makes every op split its work as finely as it can. Null, with a test
// failure, when it cannot be created.
inline SessionPtr open_session(dyad_model* model, const char* isa, int threads,
                               bool split_everything) {
  dyad_session_options o;
  dyad_session_options_init(&o);
  o.isa = isa;
  o.num_threads = threads;
  dyad_session* raw = nullptr;
  EXPECT_EQ(dyad_session_create(model, &o, &raw), DYAD_OK) << dyad_last_error();
  SessionPtr s(raw);
  if (s != nullptr && split_everything) rt::split_every_op_for_testing(s.get());
  return s;
}

inline std::vector<const char*> available_isas() {
  std::vector<const char*> r;
  for (int i = 0; i < kNumIsas; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (isa_built(isa) && isa_supported(isa)) r.push_back(isa_name(isa));
  }
  return r;
}

inline Shape make_shape(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

}  // namespace test
}  // namespace dyad
