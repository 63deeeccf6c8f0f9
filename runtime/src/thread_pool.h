// A small fixed-size thread pool for one session: `num_threads - 1` workers
// plus the calling thread. parallel_for splits [0, count) statically (the
// same ranges for the same count and thread count, every run), so results
// never depend on timing. Nothing is allocated per run; workers spin briefly
// after a run, then sleep on a condition variable until the next one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace dyad {
namespace rt {

class ThreadPool {
 public:
  // fn(ctx, begin, end, thread_index) on a non-empty range.
  using Task = void (*)(void* ctx, int64_t begin, int64_t end, int thread_index);

  // num_threads >= 1; starts num_threads - 1 workers (may throw std::system_error).
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Range of part `index` of `parts` equal parts of [0, count): the first
  // count % parts parts get one more element.
  static void partition(int64_t count, int parts, int index, int64_t* begin, int64_t* end);

  // Runs task over [0, count) split into min(num_threads, ceil(count / min_per_thread))
  // ranges, part i on thread i (0 = the caller). Returns when all are done.
  // Not reentrant: one run at a time (a session is used by one thread).
  void run(int64_t count, int64_t min_per_thread, Task task, void* ctx);

  // Convenience over run() for a callable fn(begin, end, thread_index).
  template <typename F>
  void parallel_for(int64_t count, F&& fn, int64_t min_per_thread = 1) {
    using Fn = std::remove_reference_t<F>;
    run(count, min_per_thread,
        [](void* ctx, int64_t begin, int64_t end, int thread_index) {
          (*static_cast<Fn*>(ctx))(begin, end, thread_index);
        },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }

 private:
  void worker_loop(int thread_index);
  void stop_workers();
  void run_part(int thread_index) const;

  const int num_threads_;
  std::vector<std::thread> workers_;

  // The current job; written by run() before `generation_` is bumped.
  Task task_ = nullptr;
  void* ctx_ = nullptr;
  int64_t count_ = 0;
  int parts_ = 0;

  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};  // workers still inside the current job
  std::atomic<bool> stop_{false};
};

}  // namespace rt
}  // namespace dyad
