// Arena plan invariants, checked on the plan libdyad computed: 64-byte
// aligned offsets, every tensor inside the arena, and no two tensors whose
// lifetimes (recomputed here from the execution order) overlap share a byte.
#include <gtest/gtest.h>

#include <random>

#include "runtime/src/model.h"
#include "tests/runtime/runtime_test_util.h"

namespace dyad {
namespace test {
namespace {

void check_plan(const std::vector<uint8_t>& file) {
  Loaded l = load(file);
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  const rt::Model& m = *l.model;  // dyad_model is the internal Model
  const size_t n = m.tensors.size();
  const int32_t steps = static_cast<int32_t>(m.order.size());
  std::vector<int32_t> first(n, INT32_MAX), last(n, -1);
  for (int32_t step = 0; step < steps; ++step) {
    const rt::OpInfo& op = m.ops[static_cast<size_t>(m.order[static_cast<size_t>(step)])];
    std::vector<int32_t> ts = op.inputs;
    ts.insert(ts.end(), op.outputs.begin(), op.outputs.end());
    for (int32_t t : ts) {
      if (t < 0) continue;
      first[static_cast<size_t>(t)] = std::min(first[static_cast<size_t>(t)], step);
      last[static_cast<size_t>(t)] = std::max(last[static_cast<size_t>(t)], step);
    }
  }
  for (size_t t = 0; t < n; ++t) {
    if (m.tensors[t].graph_input || m.tensors[t].graph_output) {
      first[t] = 0;
      last[t] = steps;
    }
  }
  std::vector<size_t> placed;
  for (size_t t = 0; t < n; ++t) {
    const int64_t off = m.plan.offsets[t];
    if (m.tensors[t].constant != nullptr) {
      EXPECT_EQ(off, -1) << "constant tensor " << t << " has an arena slot";
      continue;
    }
    if (!m.tensors[t].used) continue;
    ASSERT_GE(off, 0) << "tensor " << t;
    EXPECT_EQ(off % 64, 0) << "tensor " << t;
    EXPECT_LE(static_cast<uint64_t>(off) + m.tensors[t].bytes, m.plan.arena_bytes);
    placed.push_back(t);
  }
  for (size_t i = 0; i < placed.size(); ++i) {
    for (size_t j = i + 1; j < placed.size(); ++j) {
      const size_t a = placed[i], b = placed[j];
      const bool live_together = first[a] <= last[b] && first[b] <= last[a];
      if (!live_together) continue;
      const uint64_t a0 = static_cast<uint64_t>(m.plan.offsets[a]), a1 = a0 + m.tensors[a].bytes;
      const uint64_t b0 = static_cast<uint64_t>(m.plan.offsets[b]), b1 = b0 + m.tensors[b].bytes;
      EXPECT_TRUE(a1 <= b0 || b1 <= a0) << "tensors " << a << " and " << b << " overlap";
    }
  }
}

TEST(Planner, SmallCnn) { check_plan(small_cnn_model()); }
TEST(Planner, Chain) { check_plan(chain_model(10)); }

// Random DAGs of Add ops over tensors of random sizes.
TEST(Planner, RandomGraphs) {
  std::mt19937 rng(77);
  for (int iter = 0; iter < 30; ++iter) {
    ModelBuilder m;
    auto& b = m.fbb();
    std::vector<int32_t> live;
    const int32_t elems = 1 + static_cast<int32_t>(rng() % 300);
    live.push_back(m.tensor("in0", {elems}));
    live.push_back(m.tensor("in1", {elems}));
    m.inputs({live[0], live[1]});
    const int ops = 2 + static_cast<int>(rng() % 12);
    for (int k = 0; k < ops; ++k) {
      const int32_t a = live[rng() % live.size()], c = live[rng() % live.size()];
      const int32_t y = m.tensor("t" + std::to_string(k), {elems});
      auto o = fb::CreateAddOptions(b, 20, 1 << 30, 0, 1 << 30, 0, 1 << 30, -20);
      m.op("add" + std::to_string(k), fb::OperatorOptions::AddOptions, o.Union(), {a, c}, {y});
      live.push_back(y);
    }
    m.outputs({live.back()});
    check_plan(m.finish());
  }
}

}  // namespace
}  // namespace test
}  // namespace dyad
