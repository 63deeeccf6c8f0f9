// dyad_session_run allocates nothing, on any thread, for any thread count:
// a dedicated binary whose global operator new counts every call.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "tests/runtime/runtime_test_util.h"
#include "tests/runtime/threaded_models.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& t) noexcept {
  return operator new(size, t);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace dyad {
namespace test {
namespace {

TEST(NoAllocation, CounterSeesAllocations) {
  const long before = g_allocations.load();
  auto* v = new std::vector<int>(100);
  delete v;
  EXPECT_GE(g_allocations.load() - before, 2);
}

// Allocations by dyad_session_run over `runs` runs after one warm-up, for
// every ISA path and thread counts 1..3 (profiling on at 3).
void expect_run_allocations(const std::vector<uint8_t>& file, const char* name,
                            long per_run) {
  Loaded l = load(file);
  ASSERT_EQ(l.status, DYAD_OK) << l.message;
  constexpr int kRuns = 5;
  for (const char* isa : available_isas()) {
    for (int threads : {1, 2, 3}) {
      dyad_session_options o;
      dyad_session_options_init(&o);
      o.isa = isa;
      o.num_threads = threads;
      o.profile = threads == 3;
      dyad_session* raw = nullptr;
      ASSERT_EQ(dyad_session_create(l.model.get(), &o, &raw), DYAD_OK) << dyad_last_error();
      SessionPtr s(raw);
      ASSERT_EQ(dyad_session_run(s.get()), DYAD_OK);  // warm-up
      // No gtest macro inside the counted window (they may allocate).
      int failures = 0;
      const long before = g_allocations.load();
      for (int k = 0; k < kRuns; ++k) failures += dyad_session_run(s.get()) != DYAD_OK;
      const long allocations = g_allocations.load() - before;
      EXPECT_EQ(failures, 0);
      EXPECT_EQ(allocations, per_run * kRuns) << name << " isa " << isa << " threads " << threads;
    }
  }
}

TEST(NoAllocation, ConvHeavyModelRunAllocatesNothing) {
  expect_run_allocations(conv_heavy_model(), "conv heavy", 0);
}

TEST(NoAllocation, SmallCnnRunAllocatesNothing) {
  expect_run_allocations(small_cnn_model(), "small cnn", 0);
}

// Every op of the runtime, Resize included, runs without a heap allocation.
TEST(NoAllocation, AllOpsModelRunAllocatesNothing) {
  expect_run_allocations(all_ops_model(), "all ops", 0);
}

}  // namespace
}  // namespace test
}  // namespace dyad
