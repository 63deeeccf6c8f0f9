#include "runtime/src/thread_pool.h"

#include <ctime>

namespace dyad {
namespace rt {
namespace {

// How long a thread polls before it sleeps: long enough to catch the next
// op of the same run (a serial op between two split ones often takes
// 0.1-0.3 ms) without a futex wake-up, which costs ~50-70 us in the VMs
// measured here; short enough not to hold a shared core for long.
constexpr int64_t kSpinNs = 300 * 1000;

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

// Polls `done` for up to kSpinNs (the clock is read every 64 polls); true
// as soon as it holds.
template <typename Done>
bool spin_until(Done done) {
  const int64_t deadline = now_ns() + kSpinNs;
  for (uint32_t i = 1;; ++i) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 0 && now_ns() > deadline) return done();
  }
}

}  // namespace

ThreadPool::ThreadPool(int num_threads) : num_threads_(num_threads < 1 ? 1 : num_threads) {
  workers_.reserve(static_cast<size_t>(num_threads_ - 1));
  try {
    for (int i = 1; i < num_threads_; ++i) workers_.emplace_back(&ThreadPool::worker_loop, this, i);
  } catch (...) {
    // Stop the workers already started before reporting the failure.
    stop_workers();
    throw;
  }
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_release);
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

void ThreadPool::partition(int64_t count, int parts, int index, int64_t* begin, int64_t* end) {
  const int64_t base = count / parts;
  const int64_t extra = count % parts;
  *begin = index * base + (index < extra ? index : extra);
  *end = *begin + base + (index < extra ? 1 : 0);
}

void ThreadPool::run_part(int thread_index) const {
  if (thread_index >= parts_) return;
  int64_t begin, end;
  partition(count_, parts_, thread_index, &begin, &end);
  if (begin < end) task_(ctx_, begin, end, thread_index);
}

void ThreadPool::run(int64_t count, int64_t min_per_thread, Task task, void* ctx) {
  if (count <= 0) return;
  if (min_per_thread < 1) min_per_thread = 1;
  const int64_t wanted = (count + min_per_thread - 1) / min_per_thread;
  const int parts = wanted < num_threads_ ? static_cast<int>(wanted) : num_threads_;
  if (parts <= 1) {
    task(ctx, 0, count, 0);
    return;
  }
  task_ = task;
  ctx_ = ctx;
  count_ = count;
  parts_ = parts;
  // Every worker takes part in every job (idle ones just check in), so a
  // worker can never miss a generation.
  pending_.store(num_threads_ - 1, std::memory_order_relaxed);
  {
    // Under the mutex so a worker between its check and its wait cannot miss it.
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  work_cv_.notify_all();
  run_part(0);
  if (spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) return;
  std::unique_lock<std::mutex> lock(mutex_);
  done_cv_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
}

void ThreadPool::worker_loop(int thread_index) {
  uint64_t seen = 0;
  for (;;) {
    if (!spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_acquire)) return;
    run_part(thread_index);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Under the mutex so run() between its check and its wait cannot miss it.
      std::lock_guard<std::mutex> lock(mutex_);
      done_cv_.notify_one();
    }
  }
}

}  // namespace rt
}  // namespace dyad
