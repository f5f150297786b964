// SPDX-License-Identifier: Apache-2.0
// Iterator: synchronous, or with a producer thread that keeps a bounded queue of elements ahead.
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "io/pipeline.h"
#include "io/pipeline_plan.h"

namespace fathom::io {
namespace detail {
namespace {

/// Produces element k when asked for it, on the caller's thread.
class SyncIterator final : public IteratorImpl {
 public:
  explicit SyncIterator(std::shared_ptr<const EpochPlan> plan) : plan_(std::move(plan)) {}

  std::optional<Batch> next() override {
    if (next_ >= plan_->size()) return std::nullopt;
    const std::int64_t k = next_++;
    try {
      return plan_->produce(k);
    } catch (...) {
      next_ = plan_->size();  // the epoch ends with the error, as with prefetch
      throw;
    }
  }
  std::int64_t size() const override { return plan_->size(); }

 private:
  std::shared_ptr<const EpochPlan> plan_;
  std::int64_t next_ = 0;
};

/// A producer thread fills a queue of at most `buffer` elements; next() takes from it. The
/// producer waits for room before it computes an element, so at most buffer + 1 elements exist
/// at once (the queue and the one the consumer holds). An exception ends production and is
/// handed over after the elements before it. The destructor asks the producer to stop and joins
/// it: a producer waiting for room leaves at once, one inside a map function after it returns.
class PrefetchIterator final : public IteratorImpl {
 public:
  PrefetchIterator(std::shared_ptr<const EpochPlan> plan, int buffer)
      : plan_(std::move(plan)), buffer_(static_cast<std::size_t>(buffer)) {
    producer_ = std::thread([this] { produce_all(); });
  }

  ~PrefetchIterator() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    room_.notify_all();
    producer_.join();
  }

  std::optional<Batch> next() override {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      Batch b = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      room_.notify_one();
      return b;
    }
    if (error_) {
      std::exception_ptr error = std::exchange(error_, nullptr);
      std::rethrow_exception(error);
    }
    return std::nullopt;
  }

  std::int64_t size() const override { return plan_->size(); }

 private:
  void produce_all() {
    for (std::int64_t k = 0; k < plan_->size(); ++k) {
      {
        std::unique_lock lock(mutex_);
        room_.wait(lock, [&] { return stop_ || queue_.size() < buffer_; });
        if (stop_) break;
      }
      std::optional<Batch> b;
      std::exception_ptr error;
      try {
        b = plan_->produce(k);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex_);
      if (error) {
        error_ = error;
        break;
      }
      queue_.push_back(std::move(*b));
      ready_.notify_one();
    }
    std::lock_guard lock(mutex_);
    done_ = true;
    ready_.notify_all();
  }

  std::shared_ptr<const EpochPlan> plan_;
  const std::size_t buffer_;
  std::mutex mutex_;
  std::condition_variable ready_;  // an element or the end is there
  std::condition_variable room_;   // the queue has room, or stop_
  std::deque<Batch> queue_;
  std::exception_ptr error_;
  bool done_ = false;
  bool stop_ = false;
  std::thread producer_;  // last: starts after everything it uses
};

}  // namespace

std::unique_ptr<IteratorImpl> make_iterator(std::shared_ptr<const EpochPlan> plan, int prefetch) {
  if (prefetch <= 0) return std::make_unique<SyncIterator>(std::move(plan));
  return std::make_unique<PrefetchIterator>(std::move(plan), prefetch);
}

}  // namespace detail

Iterator::Iterator(std::unique_ptr<detail::IteratorImpl> impl) : impl_(std::move(impl)) {}
Iterator::Iterator(Iterator&&) noexcept = default;
Iterator& Iterator::operator=(Iterator&&) noexcept = default;
Iterator::~Iterator() = default;

std::optional<Batch> Iterator::next() {
  FATHOM_CHECK(impl_ != nullptr, ValueError, "Iterator::next: this iterator was moved from");
  return impl_->next();
}

std::int64_t Iterator::size() const {
  FATHOM_CHECK(impl_ != nullptr, ValueError, "Iterator::size: this iterator was moved from");
  return impl_->size();
}

}  // namespace fathom::io
