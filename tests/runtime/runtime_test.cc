// End to end: the small CNN against hand-chained reference kernels, arena
// reuse, the C++ wrapper, concurrent sessions, ISA selection, profiling.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <thread>

#include "dyad/dyad.hpp"
#include "kernels/dispatch.h"
#include "kernels/reference/reference.h"
#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/small_cnn.h"

namespace dyad {
namespace test {
namespace {

// The small CNN computed by calling the reference kernels directly.
std::vector<int8_t> small_cnn_by_hand(const SmallCnn& c, const std::vector<int8_t>& x) {
  ConvParams p1;
  p1.in_h = p1.in_w = 8; p1.in_c = 3; p1.out_h = p1.out_w = 8; p1.out_c = 8;
  p1.kernel_h = p1.kernel_w = 3; p1.pad_top = p1.pad_left = 1;
  p1.input_zero_point = c.zp_x; p1.output_zero_point = c.zp_y1;
  p1.requant.multiplier = c.m1.data(); p1.requant.shift = c.s1.data(); p1.requant.count = 8;
  std::vector<int8_t> y1(512);
  ref::conv2d(p1, x.data(), c.w1.data(), c.b1.data(), y1.data());

  ConvParams p2 = p1;
  p2.in_c = 8; p2.groups = 8;
  p2.input_zero_point = c.zp_y1; p2.output_zero_point = c.zp_y2;
  p2.requant.multiplier = c.m2.data(); p2.requant.shift = c.s2.data();
  p2.act_min = c.zp_y2;
  std::vector<int8_t> y2(512);
  ref::conv2d(p2, y1.data(), c.w2.data(), c.b2.data(), y2.data());

  AddParams pa;
  pa.shapes.a = pa.shapes.b = pa.shapes.out = make_shape({1, 8, 8, 8});
  pa.a_zero_point = c.zp_y1; pa.b_zero_point = c.zp_y2; pa.output_zero_point = c.zp_y3;
  pa.a_multiplier = c.add_m1; pa.a_shift = c.add_s1;
  pa.b_multiplier = c.add_m2; pa.b_shift = c.add_s2;
  pa.output_multiplier = c.add_mo; pa.output_shift = c.add_so;
  std::vector<int8_t> y3(512);
  ref::add(pa, y1.data(), y2.data(), y3.data());

  PoolParams pp;
  pp.in_h = pp.in_w = 8; pp.channels = 8; pp.out_h = pp.out_w = 4;
  pp.kernel_h = pp.kernel_w = 2; pp.stride_h = pp.stride_w = 2;
  pp.input_zero_point = c.zp_y3; pp.output_zero_point = c.zp_y4;
  pp.count_multiplier = c.pool_m.data(); pp.count_shift = c.pool_s.data();
  std::vector<int8_t> y4(128);
  ref::average_pool(pp, y3.data(), y4.data());

  FullyConnectedParams pf;
  pf.rows = 1; pf.k = 128; pf.n = 10;
  pf.input_zero_point = c.zp_y4; pf.output_zero_point = c.zp_y6;
  pf.requant.multiplier = c.m3.data(); pf.requant.shift = c.s3.data(); pf.requant.count = 1;
  std::vector<int8_t> y6(10);
  ref::fully_connected(pf, y4.data(), c.w3.data(), c.b3.data(), y6.data());

  SoftmaxParams ps;
  ps.rows = 1; ps.cols = 10; ps.exp_table = c.exp_table.data(); ps.input_zero_point = c.zp_y6;
  std::vector<int8_t> y7(10);
  ref::softmax(ps, y6.data(), y7.data());
  return y7;
}

TEST(Runtime, SmallCnnMatchesChainedReferenceKernels) {
  const SmallCnn c = small_cnn_data();
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const auto x = random_s8(8 * 8 * 3, 100 + seed);
    const auto out = run_model(build_small_cnn(c), {bytes_of(x)});
    ASSERT_EQ(out.size(), 1u);
    const auto expected = small_cnn_by_hand(c, x);
    EXPECT_EQ(values_of<int8_t>(out[0]), expected);
    // Not degenerate: the probabilities are not all one value.
    bool varied = false;
    for (int8_t v : expected) varied |= v != expected[0];
    EXPECT_TRUE(varied);
  }
}

TEST(Runtime, EveryAvailableIsaMatchesReference) {
  const SmallCnn c = small_cnn_data();
  const auto file = build_small_cnn(c);
  AlignedBytes bytes(file);
  Model model = Model::load_buffer(bytes.data(), bytes.size());
  for (const char* isa : available_isas()) {
    SessionOptions options;
    options.isa = isa;
    Session session(model, options);
    EXPECT_EQ(session.isa(), isa);
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      const auto x = random_s8(192, 200 + seed);
      std::memcpy(session.input(0).data, x.data(), x.size());
      session.run();
      const auto* p = static_cast<const int8_t*>(session.output(0).data);
      EXPECT_EQ(std::vector<int8_t>(p, p + 10), small_cnn_by_hand(c, x)) << isa;
    }
    // Conv/FC name the path that runs them: the session's ISA or the reference.
    for (size_t i : {size_t{0}, size_t{1}, size_t{5}}) {
      const std::string kernel = session.op_profile(i).kernel;
      const std::string suffix = kernel.substr(kernel.find("__") + 2);
      EXPECT_TRUE(suffix == isa || suffix == "reference") << kernel;
    }
  }
}

TEST(Runtime, AllOpsModelLoadsAndRunsDeterministically) {
  const auto file = all_ops_model();
  const auto x = random_s8(144, 3);
  const auto out = run_model(file, {bytes_of(x)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].size(), 32u);  // [4,4] int16
  for (const char* isa : available_isas()) EXPECT_EQ(run_model(file, {bytes_of(x)}, isa), out);
}

TEST(Runtime, ModelQueriesAndMetadata) {
  Loaded l = load(small_cnn_model());
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  EXPECT_EQ(dyad_model_num_inputs(l.model.get()), 1u);
  EXPECT_EQ(dyad_model_num_outputs(l.model.get()), 1u);
  EXPECT_EQ(dyad_model_num_ops(l.model.get()), 7u);
  EXPECT_EQ(dyad_model_weights_bytes(l.model.get()), 216u + 32 + 72 + 32 + 1280 + 40);
  EXPECT_STREQ(dyad_model_metadata(l.model.get(), "producer"), "dyad tests");
  EXPECT_EQ(dyad_model_metadata(l.model.get(), "missing"), nullptr);
  EXPECT_NE(std::string(dyad_version()), "");
  EXPECT_STREQ(dyad_status_name(DYAD_ERROR_FORMAT), "DYAD_ERROR_FORMAT");
}

TEST(Runtime, ArenaReusesMemoryAcrossLifetimes) {
  const int n = 8;
  Loaded l = load(chain_model(n));
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  const size_t tensor_bytes = 64 * 64 * 8;
  const size_t arena = dyad_model_arena_bytes(l.model.get());
  // Input and output live all run, plus two intermediates at a time.
  EXPECT_LT(arena, (n + 1) * tensor_bytes);
  EXPECT_LE(arena, 4 * tensor_bytes);
  SessionPtr s;
  dyad_session* raw = nullptr;
  ASSERT_EQ(dyad_session_create(l.model.get(), nullptr, &raw), DYAD_OK);
  s.reset(raw);
  EXPECT_EQ(dyad_session_arena_bytes(s.get()), arena);
  dyad_tensor_view in, out;
  ASSERT_EQ(dyad_session_input(s.get(), 0, &in), DYAD_OK);
  ASSERT_EQ(dyad_session_output(s.get(), 0, &out), DYAD_OK);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(in.data) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(out.data) % 64, 0u);
  const auto x = random_s8(tensor_bytes, 7);
  std::memcpy(in.data, x.data(), tensor_bytes);
  ASSERT_EQ(dyad_session_run(s.get()), DYAD_OK);
  // table[q+128] = 127-(q+128) = -1-q; applied 8 times (even) is the identity.
  EXPECT_EQ(std::memcmp(out.data, x.data(), tensor_bytes), 0);
  ASSERT_EQ(dyad_session_run(s.get()), DYAD_OK);  // the input survives a run
  EXPECT_EQ(std::memcmp(in.data, x.data(), tensor_bytes), 0);
}

TEST(Runtime, CppWrapper) {
  const auto file = small_cnn_model();
  AlignedBytes bytes(file);
  Model model = Model::load_buffer(bytes.data(), bytes.size());
  EXPECT_EQ(model.num_ops(), 7u);
  EXPECT_EQ(model.metadata("producer"), "dyad tests");
  SessionOptions options;
  options.isa = "reference";
  options.profile = true;
  Session session(model, options);
  EXPECT_EQ(session.isa(), "reference");
  const auto x = random_s8(192, 5);
  dyad_tensor_view in = session.input(0);
  EXPECT_EQ(in.rank, 4);
  EXPECT_EQ(in.shape[3], 3);
  EXPECT_EQ(in.zero_point, -5);
  EXPECT_EQ(in.scale, 0.5f);
  std::memcpy(in.data, x.data(), x.size());
  session.run();
  dyad_tensor_view out = session.output(0);
  const auto* p = static_cast<const int8_t*>(out.data);
  EXPECT_EQ(std::vector<int8_t>(p, p + 10), small_cnn_by_hand(small_cnn_data(), x));
  ASSERT_EQ(session.num_ops(), 7u);
  const dyad_op_profile conv = session.op_profile(0);
  EXPECT_STREQ(conv.type, "Conv2D");
  EXPECT_STREQ(conv.name, "conv1");
  EXPECT_STREQ(conv.kernel, "qs8_conv2d__reference");
  EXPECT_EQ(conv.macs, 8 * 8 * 8 * 27);
  int64_t total_ns = 0;
  for (size_t i = 0; i < session.num_ops(); ++i) total_ns += session.op_profile(i).last_run_ns;
  EXPECT_GT(total_ns, 0);  // profile on: ops were timed
  EXPECT_STREQ(session.op_profile(1).kernel, "qs8_dwconv2d__reference");
  EXPECT_EQ(session.op_profile(1).output_shape[3], 8);
  try {
    session.output(5);
    FAIL() << "expected dyad::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), DYAD_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("output index 5"), std::string::npos);
  }
  try {
    Model::load_file("/nonexistent/model.dyad");
    FAIL() << "expected dyad::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), DYAD_ERROR_IO);
  }
}

TEST(Runtime, LoadFromFileMmap) {
  const std::string path = ::testing::TempDir() + "/dyad_runtime_test_cnn.dyad";
  ASSERT_TRUE(write_file(path, small_cnn_model()));
  Model model = Model::load_file(path);
  Session session(model);
  const auto x = random_s8(192, 6);
  std::memcpy(session.input(0).data, x.data(), x.size());
  session.run();
  const auto* p = static_cast<const int8_t*>(session.output(0).data);
  EXPECT_EQ(std::vector<int8_t>(p, p + 10), small_cnn_by_hand(small_cnn_data(), x));
  std::remove(path.c_str());
}

TEST(Runtime, ConcurrentSessionsShareOneModel) {
  const auto file = small_cnn_model();
  AlignedBytes bytes(file);
  Model model = Model::load_buffer(bytes.data(), bytes.size());
  const auto x = random_s8(192, 9);
  const auto expected = small_cnn_by_hand(small_cnn_data(), x);
  std::vector<std::vector<int8_t>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Session session(model);
      for (int iter = 0; iter < 50; ++iter) {
        std::memcpy(session.input(0).data, x.data(), x.size());
        session.run();
      }
      const auto* p = static_cast<const int8_t*>(session.output(0).data);
      results[static_cast<size_t>(t)].assign(p, p + 10);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

dyad_status create_with_isa(const dyad_model* model, const char* isa, std::string* message) {
  dyad_session_options o;
  dyad_session_options_init(&o);
  o.isa = isa;
  dyad_session* s = nullptr;
  const dyad_status status = dyad_session_create(model, &o, &s);
  *message = dyad_last_error();
  dyad_session_free(s);
  return status;
}

TEST(Runtime, IsaOption) {
  Loaded l = load(small_cnn_model());
  ASSERT_EQ(l.status, DYAD_OK);
  std::string msg;
  EXPECT_EQ(create_with_isa(l.model.get(), "reference", &msg), DYAD_OK);
  EXPECT_EQ(create_with_isa(l.model.get(), "auto", &msg), DYAD_OK);
  EXPECT_EQ(create_with_isa(l.model.get(), nullptr, &msg), DYAD_OK);
  EXPECT_EQ(create_with_isa(l.model.get(), "sse9", &msg), DYAD_ERROR_UNSUPPORTED);
  EXPECT_NE(msg.find("'sse9' is not a known ISA"), std::string::npos) << msg;
  for (const char* isa : {"avx2", "avxvnni", "avx512vnni", "neon", "neondot", "i8mm"}) {
    Isa parsed;
    ASSERT_TRUE(isa_from_name(isa, &parsed));
    const dyad_status s = create_with_isa(l.model.get(), isa, &msg);
    if (isa_built(parsed) && isa_supported(parsed)) {
      EXPECT_EQ(s, DYAD_OK) << isa;
    } else {
      EXPECT_EQ(s, DYAD_ERROR_UNSUPPORTED) << isa;
      EXPECT_NE(msg.find(isa), std::string::npos) << msg;
    }
  }
  dyad_session_options o;
  dyad_session_options_init(&o);
  o.num_threads = 0;
  dyad_session* s = nullptr;
  EXPECT_EQ(dyad_session_create(l.model.get(), &o, &s), DYAD_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dyad_last_error()).find("num_threads"), std::string::npos);
  dyad_session_options_init(&o);
  o.struct_size = 4;
  EXPECT_EQ(dyad_session_create(l.model.get(), &o, &s), DYAD_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dyad_last_error()).find("struct_size 4"), std::string::npos);
  EXPECT_EQ(s, nullptr);
}

TEST(Runtime, DyadIsaEnvironment) {
  Loaded l = load(small_cnn_model());
  ASSERT_EQ(l.status, DYAD_OK);
  std::string msg;
  const char* old = getenv("DYAD_ISA");
  const std::string saved = old ? old : "";
  setenv("DYAD_ISA", "reference", 1);
  {
    dyad_session* s = nullptr;
    ASSERT_EQ(dyad_session_create(l.model.get(), nullptr, &s), DYAD_OK);
    EXPECT_STREQ(dyad_session_isa(s), "reference");
    dyad_session_free(s);
  }
  setenv("DYAD_ISA", "bogus", 1);
  EXPECT_EQ(create_with_isa(l.model.get(), "auto", &msg), DYAD_ERROR_UNSUPPORTED);
  EXPECT_NE(msg.find("DYAD_ISA='bogus'"), std::string::npos) << msg;
  // An explicit option wins over the environment.
  EXPECT_EQ(create_with_isa(l.model.get(), "reference", &msg), DYAD_OK);
  for (int i = 0; i < kNumIsas; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (isa_built(isa) && isa_supported(isa)) continue;
    setenv("DYAD_ISA", isa_name(isa), 1);
    EXPECT_EQ(create_with_isa(l.model.get(), nullptr, &msg), DYAD_ERROR_UNSUPPORTED)
        << isa_name(isa);
    EXPECT_NE(msg.find("DYAD_ISA"), std::string::npos) << msg;
  }
  if (old) {
    setenv("DYAD_ISA", saved.c_str(), 1);
  } else {
    unsetenv("DYAD_ISA");
  }
}

TEST(Runtime, DispatchNames) {
  for (int i = 0; i < kNumIsas; ++i) {
    Isa parsed;
    ASSERT_TRUE(isa_from_name(isa_name(static_cast<Isa>(i)), &parsed));
    EXPECT_EQ(static_cast<int>(parsed), i);
  }
  Isa unused;
  EXPECT_FALSE(isa_from_name("AVX2", &unused));
  EXPECT_FALSE(isa_from_name(nullptr, &unused));
  EXPECT_TRUE(isa_built(Isa::kReference));
  EXPECT_TRUE(isa_supported(Isa::kReference));
  EXPECT_TRUE(isa_built(best_isa()) && isa_supported(best_isa()));
}

}  // namespace
}  // namespace test
}  // namespace dyad
