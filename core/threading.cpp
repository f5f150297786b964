// SPDX-License-Identifier: Apache-2.0
#include "core/threading.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/blas_info.h"
#include "core/log.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace fathom {
namespace {

thread_local bool tls_in_parallel_region = false;

/// Workers sleep on a condition variable between jobs. A job is one parallel_for: chunk i goes
/// to worker i - 1 (chunk 0 runs on the caller).
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }
  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int chunks, const std::function<void(int)>& task) {
    std::unique_lock lock(mutex_);
    task_ = &task;
    chunks_ = chunks;
    pending_ = chunks - 1;
    error_ = nullptr;
    ++generation_;
    lock.unlock();
    wake_.notify_all();
    run_chunk(0);
    lock.lock();
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_chunk(int chunk) {
    tls_in_parallel_region = true;
    try {
      (*task_)(chunk);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    tls_in_parallel_region = false;
  }

  void worker_loop(int index) {
    std::uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (index >= chunks_) continue;
      lock.unlock();
      run_chunk(index);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  int chunks_ = 0;
  int pending_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

int hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

std::mutex& pool_mutex() {
  static std::mutex m;
  return m;
}

std::unique_ptr<ThreadPool>& pool_slot() {
  static std::unique_ptr<ThreadPool> pool;
  return pool;
}

int& thread_setting() {
  static int n = 0;
  return n;
}

void warn_about_generic_blas_once() {
  static const bool warned = [] {
    const std::string coretype = suggested_blas_coretype();
    if (!coretype.empty() && std::getenv("OPENBLAS_CORETYPE") == nullptr) {
      log::warn("OpenBLAS runs its generic '" + blas_core_name() + "' kernels on this CPU; set OPENBLAS_CORETYPE=" +
                coretype + " before starting the program for several times faster matmul");
    }
    return true;
  }();
  (void)warned;
}

ThreadPool& pool() {
  auto& slot = pool_slot();
  if (!slot) {
    warn_about_generic_blas_once();
    const int n = thread_setting() > 0 ? thread_setting() : hardware_threads();
    openblas_set_num_threads(n);
    slot = std::make_unique<ThreadPool>(n);
  }
  return *slot;
}

}  // namespace

void set_num_threads(int n) {
  std::lock_guard lock(pool_mutex());
  thread_setting() = n > 0 ? n : hardware_threads();
  pool_slot().reset();
  pool();
}

int num_threads() {
  std::lock_guard lock(pool_mutex());
  return pool().size();
}

void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<std::int64_t>(grain, 1);
  if (n <= grain || tls_in_parallel_region) {
    fn(0, n);
    return;
  }
  std::lock_guard lock(pool_mutex());  // one parallel_for at a time from user threads
  ThreadPool& p = pool();
  const int chunks = static_cast<int>(std::min<std::int64_t>(p.size(), (n + grain - 1) / grain));
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  const std::int64_t step = (n + chunks - 1) / chunks;
  p.run(chunks, [&](int c) {
    const std::int64_t begin = c * step;
    const std::int64_t end = std::min(n, begin + step);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace fathom
