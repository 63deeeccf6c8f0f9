// Multi-threaded sessions: whole models bit-identical for every thread count
// and ISA path, concurrent threaded sessions, packed weights shared per model.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dyad/dyad.hpp"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/threaded_models.h"

namespace dyad {
namespace test {
namespace {

struct SessionRun {
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<std::string> kernels;
};

// One session with `threads` threads on `isa`; runs every input set in turn
// (twice each: a second run must not see state from the first).
SessionRun run_sessions(dyad_model* model, const char* isa, int threads,
                        const std::vector<std::vector<uint8_t>>& inputs,
                        bool split_everything = false) {
  SessionRun r;
  SessionPtr s = open_session(model, isa, threads, split_everything);
  if (s == nullptr) return r;
  for (size_t i = 0; i < dyad_session_num_ops(s.get()); ++i) {
    dyad_op_profile p;
    EXPECT_EQ(dyad_session_op_profile(s.get(), i, &p), DYAD_OK);
    r.kernels.push_back(p.kernel);
  }
  for (const auto& in : inputs) {
    dyad_tensor_view v;
    EXPECT_EQ(dyad_session_input(s.get(), 0, &v), DYAD_OK);
    EXPECT_EQ(v.size_bytes, in.size());
    if (v.size_bytes != in.size()) return r;
    for (int repeat = 0; repeat < 2; ++repeat) {
      std::memcpy(v.data, in.data(), in.size());
      EXPECT_EQ(dyad_session_run(s.get()), DYAD_OK) << dyad_last_error();
      for (size_t o_i = 0; o_i < dyad_model_num_outputs(model); ++o_i) {
        dyad_tensor_view out;
        EXPECT_EQ(dyad_session_output(s.get(), o_i, &out), DYAD_OK);
        const auto* p = static_cast<const uint8_t*>(out.data);
        r.outputs.emplace_back(p, p + out.size_bytes);
      }
    }
  }
  return r;
}

std::vector<std::vector<uint8_t>> random_inputs(dyad_model* model, uint32_t seed) {
  dyad_session* raw = nullptr;
  EXPECT_EQ(dyad_session_create(model, nullptr, &raw), DYAD_OK);
  SessionPtr s(raw);
  dyad_tensor_view v;
  EXPECT_EQ(dyad_session_input(s.get(), 0, &v), DYAD_OK);
  std::vector<std::vector<uint8_t>> r;
  for (uint32_t k = 0; k < 2; ++k) {
    const auto x = random_s8(v.size_bytes, seed + k);
    r.emplace_back(reinterpret_cast<const uint8_t*>(x.data()),
                   reinterpret_cast<const uint8_t*>(x.data()) + x.size());
  }
  return r;
}

void expect_identical_across_threads_and_isas(const std::vector<uint8_t>& file,
                                              const char* what) {
  Loaded l = load(file);
  ASSERT_EQ(l.status, DYAD_OK) << what << ": " << l.message;
  const auto inputs = random_inputs(l.model.get(), 7);
  const SessionRun golden = run_sessions(l.model.get(), "reference", 1, inputs);
  ASSERT_FALSE(golden.outputs.empty());
  // Not degenerate: some output byte varies.
  bool varied = false;
  for (uint8_t b : golden.outputs[0]) varied |= b != golden.outputs[0][0];
  EXPECT_TRUE(varied) << what;
  // Each thread count with the default minimum work per thread, and with
  // every op split into `threads` parts (small ops included).
  for (const char* isa : available_isas()) {
    for (int threads = 1; threads <= 4; ++threads) {
      for (bool split_everything : {false, true}) {
        const SessionRun r =
            run_sessions(l.model.get(), isa, threads, inputs, split_everything);
        ASSERT_EQ(r.outputs.size(), golden.outputs.size());
        for (size_t i = 0; i < r.outputs.size(); ++i) {
          EXPECT_EQ(r.outputs[i], golden.outputs[i])
              << what << " isa " << isa << " threads " << threads << " split everything "
              << split_everything << " output " << i;
        }
      }
    }
  }
}

TEST(Threads, SmallCnnIdenticalForEveryThreadCountAndIsa) {
  expect_identical_across_threads_and_isas(small_cnn_model(), "small cnn");
}

TEST(Threads, AllOpsModelIdenticalForEveryThreadCountAndIsa) {
  expect_identical_across_threads_and_isas(all_ops_model(), "all ops");
}

TEST(Threads, ConvHeavyModelIdenticalForEveryThreadCountAndIsa) {
  expect_identical_across_threads_and_isas(conv_heavy_model(), "conv heavy");
}

TEST(Threads, ToolsTestCnnIdenticalForEveryThreadCountAndIsa) {
  const auto file = tools_test_cnn();
  if (file.empty()) GTEST_SKIP() << "tools/test_model not built";
  expect_identical_across_threads_and_isas(file, "tools test cnn");
}

// The conv-heavy model really splits: its conv/FC/elementwise ops are big
// enough for more than one part (checked by the thresholds in op.h), and
// an optimized path names itself on the convs.
TEST(Threads, ConvHeavyModelUsesOptimizedKernelsWhereAvailable) {
  Loaded l = load(conv_heavy_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  for (const char* isa : available_isas()) {
    const SessionRun r = run_sessions(l.model.get(), isa, 2, {});
    ASSERT_FALSE(r.kernels.empty());
    EXPECT_NE(r.kernels[0].find(std::string("__") + isa), std::string::npos) << r.kernels[0];
  }
}

TEST(Threads, ConcurrentThreadedSessionsShareOneModel) {
  Loaded l = load(conv_heavy_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  const auto inputs = random_inputs(l.model.get(), 31);
  const SessionRun golden = run_sessions(l.model.get(), "reference", 1, inputs);
  const auto isas = available_isas();
  std::vector<SessionRun> results(4);
  std::vector<std::thread> workers;
  for (size_t t = 0; t < results.size(); ++t) {
    workers.emplace_back([&, t] {
      const char* isa = isas[t % isas.size()];
      for (int k = 0; k < 3; ++k) {
        results[t] = run_sessions(l.model.get(), isa, 2 + static_cast<int>(t % 2), inputs, k == 1);
      }
    });
  }
  for (auto& w : workers) w.join();
  for (size_t t = 0; t < results.size(); ++t) {
    EXPECT_EQ(results[t].outputs, golden.outputs) << "session thread " << t;
  }
}

TEST(Threads, PackedWeightsArePackedOncePerModelAndIsa) {
  Loaded l = load(conv_heavy_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  EXPECT_EQ(dyad_model_packed_weights_bytes(l.model.get()), 0u);
  (void)run_sessions(l.model.get(), "reference", 2, {});
  EXPECT_EQ(dyad_model_packed_weights_bytes(l.model.get()), 0u);  // reference packs nothing
  size_t total = 0;
  for (const char* isa : available_isas()) {
    if (std::string(isa) == "reference") continue;
    const SessionRun first = run_sessions(l.model.get(), isa, 1, {});
    const size_t after_first = dyad_model_packed_weights_bytes(l.model.get());
    EXPECT_GT(after_first, total) << isa;
    // The conv weights alone: 32*3*3*16 + 32*1*1*32 + 8*32 int8; packed adds
    // parameters and padding, never less.
    EXPECT_GE(after_first - total, size_t{32 * 9 * 16 + 32 * 32}) << isa;
    total = after_first;
    // More sessions, with any thread count, reuse the same packed copy.
    SessionPtr keep[3];
    for (int k = 0; k < 3; ++k) {
      dyad_session_options o;
      dyad_session_options_init(&o);
      o.isa = isa;
      o.num_threads = 1 + k;
      dyad_session* raw = nullptr;
      ASSERT_EQ(dyad_session_create(l.model.get(), &o, &raw), DYAD_OK) << dyad_last_error();
      keep[k].reset(raw);
    }
    EXPECT_EQ(dyad_model_packed_weights_bytes(l.model.get()), total) << isa;
  }
}

TEST(Threads, ScratchIsOneBlockPerThread) {
  Loaded l = load(conv_heavy_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  for (const char* isa : available_isas()) {
    size_t one = 0;
    for (int threads = 1; threads <= 4; ++threads) {
      dyad_session_options o;
      dyad_session_options_init(&o);
      o.isa = isa;
      o.num_threads = threads;
      dyad_session* raw = nullptr;
      ASSERT_EQ(dyad_session_create(l.model.get(), &o, &raw), DYAD_OK) << dyad_last_error();
      SessionPtr s(raw);
      const size_t bytes = dyad_session_scratch_bytes(s.get());
      if (threads == 1) one = bytes;
      EXPECT_EQ(bytes, one * static_cast<size_t>(threads)) << isa;
      EXPECT_EQ(bytes % 64, 0u);
    }
  }
}

TEST(Threads, NumThreadsOutOfRangeIsRejected) {
  Loaded l = load(small_cnn_model());
  ASSERT_EQ(l.status, DYAD_OK);
  for (int threads : {0, -1, 257}) {
    dyad_session_options o;
    dyad_session_options_init(&o);
    o.num_threads = threads;
    dyad_session* raw = nullptr;
    EXPECT_EQ(dyad_session_create(l.model.get(), &o, &raw), DYAD_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(raw, nullptr);
    EXPECT_NE(std::string(dyad_last_error()).find("num_threads"), std::string::npos);
  }
}

TEST(Threads, ProfilingWithThreads) {
  Loaded l = load(conv_heavy_model());
  ASSERT_EQ(l.status, DYAD_OK);
  dyad_session_options o;
  dyad_session_options_init(&o);
  o.num_threads = 3;
  o.profile = 1;
  dyad_session* raw = nullptr;
  ASSERT_EQ(dyad_session_create(l.model.get(), &o, &raw), DYAD_OK);
  SessionPtr s(raw);
  ASSERT_EQ(dyad_session_run(s.get()), DYAD_OK);
  dyad_op_profile p;
  ASSERT_EQ(dyad_session_op_profile(s.get(), 0, &p), DYAD_OK);
  EXPECT_GT(p.last_run_ns, 0);
}

TEST(Threads, CppWrapperWithThreads) {
  const auto file = conv_heavy_model();
  AlignedBytes bytes(file);
  Model model = Model::load_buffer(bytes.data(), bytes.size());
  const auto x = random_s8(2 * 24 * 24 * 16, 77);
  std::vector<std::vector<uint8_t>> outs;
  for (int threads : {1, 3}) {
    SessionOptions o;
    o.num_threads = threads;
    Session session(model, o);
    EXPECT_EQ(session.scratch_bytes() % static_cast<size_t>(threads), 0u);
    // Optimized convs use packed weights, held once by the model.
    if (std::string(session.isa()) != "reference") {
      EXPECT_GT(model.packed_weights_bytes(), 0u);
    }
    std::memcpy(session.input(0).data, x.data(), x.size());
    session.run();
    const auto* p = static_cast<const uint8_t*>(session.output(0).data);
    outs.emplace_back(p, p + session.output(0).size_bytes);
  }
  EXPECT_EQ(outs[0], outs[1]);
}

}  // namespace
}  // namespace test
}  // namespace dyad
