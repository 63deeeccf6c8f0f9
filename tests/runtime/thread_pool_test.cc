// ThreadPool: static partition, every index exactly once, clean start/stop.
#include "runtime/src/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

namespace dyad {
namespace rt {
namespace {

TEST(ThreadPool, PartitionIsContiguousBalancedAndComplete) {
  for (int64_t count = 0; count <= 40; ++count) {
    for (int parts = 1; parts <= 7; ++parts) {
      int64_t next = 0;
      for (int i = 0; i < parts; ++i) {
        int64_t begin, end;
        ThreadPool::partition(count, parts, i, &begin, &end);
        EXPECT_EQ(begin, next) << count << " " << parts << " " << i;
        const int64_t size = end - begin;
        // Sizes differ by at most one, larger parts first.
        EXPECT_TRUE(size == count / parts || size == count / parts + 1);
        EXPECT_EQ(size == count / parts + 1, i < count % parts);
        next = end;
      }
      EXPECT_EQ(next, count);
    }
  }
}

TEST(ThreadPool, EveryIndexExactlyOnce) {
  for (int threads = 1; threads <= 5; ++threads) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.num_threads(), threads);
    for (int64_t count : {0, 1, 2, 3, 4, 5, 7, 11, 64, 999, 10007}) {
      for (int64_t min_per_thread : {1, 3, 1000}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(count));
        for (auto& h : hits) h.store(0);
        pool.parallel_for(count, [&](int64_t begin, int64_t end, int) {
          for (int64_t i = begin; i < end; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
        }, min_per_thread);
        for (int64_t i = 0; i < count; ++i) {
          ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1)
              << "index " << i << " count " << count << " threads " << threads;
        }
      }
    }
  }
}

// Part i of the static split always goes to thread i (0 = the caller), and
// a count below the thread count uses one part per element.
TEST(ThreadPool, RangesAreStaticAndNamedByThreadIndex) {
  ThreadPool pool(4);
  for (int64_t count : {1, 2, 3, 4, 5, 10, 1001}) {
    for (int repeat = 0; repeat < 20; ++repeat) {
      std::mutex m;
      std::set<std::tuple<int, int64_t, int64_t>> seen;
      pool.parallel_for(count, [&](int64_t begin, int64_t end, int t) {
        std::lock_guard<std::mutex> lock(m);
        seen.insert({t, begin, end});
      });
      const int parts = count < 4 ? static_cast<int>(count) : 4;
      ASSERT_EQ(seen.size(), static_cast<size_t>(parts)) << count;
      for (int t = 0; t < parts; ++t) {
        int64_t begin, end;
        ThreadPool::partition(count, parts, t, &begin, &end);
        EXPECT_EQ(seen.count({t, begin, end}), 1u) << count << " part " << t;
      }
    }
  }
}

TEST(ThreadPool, MinPerThreadLimitsParts) {
  ThreadPool pool(4);
  std::atomic<int> calls{0};
  pool.parallel_for(100, [&](int64_t, int64_t, int) { calls.fetch_add(1); }, 40);
  EXPECT_EQ(calls.load(), 3);  // ceil(100 / 40)
  calls = 0;
  pool.parallel_for(100, [&](int64_t begin, int64_t end, int t) {
    EXPECT_EQ(t, 0);
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 100);
    calls.fetch_add(1);
  }, 1000);
  EXPECT_EQ(calls.load(), 1);
}

TEST(ThreadPool, SingleThreadRunsOnCaller) {
  ThreadPool pool(1);
  const auto caller = std::this_thread::get_id();
  pool.parallel_for(10, [&](int64_t begin, int64_t end, int t) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    EXPECT_EQ(t, 0);
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 10);
  });
}

TEST(ThreadPool, WorkersAreDistinctThreads) {
  ThreadPool pool(3);
  const auto caller = std::this_thread::get_id();
  std::mutex m;
  std::set<std::thread::id> ids;
  pool.parallel_for(3, [&](int64_t, int64_t, int t) {
    std::lock_guard<std::mutex> lock(m);
    ids.insert(std::this_thread::get_id());
    EXPECT_EQ(std::this_thread::get_id() == caller, t == 0);
  });
  EXPECT_EQ(ids.size(), 3u);
}

// Many short back-to-back runs (the spin/sleep hand-over), sums checked.
TEST(ThreadPool, ManyRunsInARow) {
  ThreadPool pool(3);
  std::vector<int64_t> data(1000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<int64_t>(i);
  for (int run = 0; run < 3000; ++run) {
    std::atomic<int64_t> sum{0};
    pool.parallel_for(static_cast<int64_t>(data.size()), [&](int64_t begin, int64_t end, int) {
      int64_t s = 0;
      for (int64_t i = begin; i < end; ++i) s += data[static_cast<size_t>(i)];
      sum.fetch_add(s);
    });
    ASSERT_EQ(sum.load(), 999 * 1000 / 2) << "run " << run;
  }
}

// Workers that went to sleep wake up for the next run.
TEST(ThreadPool, WakesAfterSleeping) {
  ThreadPool pool(2);
  for (int run = 0; run < 3; ++run) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::atomic<int> parts{0};
    pool.parallel_for(2, [&](int64_t, int64_t, int) { parts.fetch_add(1); });
    EXPECT_EQ(parts.load(), 2);
  }
}

TEST(ThreadPool, CreateAndDestroyWithoutRuns) {
  for (int i = 0; i < 20; ++i) ThreadPool pool(1 + i % 4);
}

}  // namespace
}  // namespace rt
}  // namespace dyad
