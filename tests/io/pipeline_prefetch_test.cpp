// SPDX-License-Identifier: Apache-2.0
// Prefetching: the same elements as without it, errors handed over, and a clean shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "core/ops/elementwise.h"
#include "io/pipeline.h"

namespace fathom::io {
namespace {

using namespace std::chrono_literals;

/// Aborts the test binary if a scope does not finish in time: a hang becomes a failure with a
/// message instead of a stuck CI job.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit, const char* what) {
    thread_ = std::thread([this, limit, what] {
      std::unique_lock lock(mutex_);
      if (!done_cv_.wait_for(lock, limit, [&] { return done_; })) {
        std::fprintf(stderr, "Watchdog: '%s' did not finish in %lld s\n", what, static_cast<long long>(limit.count()));
        std::abort();
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

Dataset numbered(std::int64_t n) {
  std::vector<float> x(static_cast<std::size_t>(n) * 3);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  std::vector<std::int64_t> y(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = static_cast<std::int64_t>(i % 4);
  return Dataset::from_tensors({Tensor::from_vector(x, {n, 3})}, {Tensor::from_vector(y)},
                               Tensor::from_vector(std::vector<float>(static_cast<std::size_t>(n), 0.5f)));
}

std::vector<std::string> render(const Dataset& ds, std::int64_t epoch) {
  std::vector<std::string> out;
  auto it = ds.epoch(epoch);
  while (auto b = it.next()) {
    out.push_back(b->x[0].to_string() + b->y[0].to_string() + b->sample_weight.to_string());
  }
  return out;
}

TEST(PrefetchTest, GivesTheSameElementsAsWithoutPrefetch) {
  Watchdog watchdog(60s, "GivesTheSameElementsAsWithoutPrefetch");
  const Dataset base = numbered(37).shuffle(11).batch(5).map(transforms::scale(0.5)).map(transforms::one_hot(4));
  for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
    const auto expected = render(base, epoch);
    EXPECT_EQ(expected.size(), 8u);
    for (int buffer : {1, 2, 5, 100}) EXPECT_EQ(render(base.prefetch(buffer), epoch), expected) << buffer;
  }
  EXPECT_EQ(render(base.prefetch(0), 1), render(base, 1));
  EXPECT_EQ(base.prefetch(2).steps_per_epoch(), base.steps_per_epoch());
}

TEST(PrefetchTest, ProducesAheadButNoMoreThanTheBuffer) {
  Watchdog watchdog(60s, "ProducesAheadButNoMoreThanTheBuffer");
  std::atomic<int> produced{0};
  const Dataset ds = numbered(20).batch(1).map([&](Batch b) {
    ++produced;
    return b;
  });
  auto it = ds.prefetch(3).epoch(0);
  ASSERT_TRUE(it.next().has_value());
  // One element taken, three queued: the producer fills the buffer without being asked...
  for (int i = 0; i < 2000 && produced.load() < 4; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(produced.load(), 4);
  // ...and then waits for room.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(produced.load(), 4);
  int rest = 0;
  while (it.next()) ++rest;
  EXPECT_EQ(rest, 19);
  EXPECT_EQ(produced.load(), 20);
}

TEST(PrefetchTest, AnExceptionOnTheProducerThreadIsRethrownByNext) {
  Watchdog watchdog(60s, "AnExceptionOnTheProducerThreadIsRethrownByNext");
  int calls = 0;  // only the producer thread touches it until the iterator is joined
  const Dataset ds = numbered(10).batch(2).map([&](Batch b) {
    if (++calls == 3) throw ValueError("map failed on the third batch");
    return b;
  });
  auto it = ds.prefetch(4).epoch(0);
  EXPECT_TRUE(it.next().has_value());
  EXPECT_TRUE(it.next().has_value());
  try {
    it.next();
    ADD_FAILURE() << "no exception";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "map failed on the third batch");
  }
  EXPECT_FALSE(it.next().has_value());
  // An op's own error (a fathom::Error) comes through the same way.
  auto bad = numbered(4).batch(2).map([](Batch b) {
    b.x[0] = ops::add(b.x[0], b.y[0]);  // float32 + int64: a dtype error on the producer thread
    return b;
  });
  auto it2 = bad.prefetch(2).epoch(0);
  EXPECT_THROW(it2.next(), Error);
}

TEST(PrefetchTest, DestroyingAnIteratorMidEpochStopsTheProducer) {
  Watchdog watchdog(60s, "DestroyingAnIteratorMidEpochStopsTheProducer");
  std::atomic<int> produced{0};
  const Dataset slow = numbered(1000).batch(1).map([&](Batch b) {
    ++produced;
    std::this_thread::sleep_for(1ms);
    return b;
  });
  for (int round = 0; round < 20; ++round) {
    auto it = slow.prefetch(1 + round % 3).epoch(round);
    if (round % 2 == 0) it.next();  // sometimes mid-epoch, sometimes before the first element
  }
  EXPECT_LT(produced.load(), 200);  // far from the 20000 a producer left running would make
  {
    auto it = numbered(100).batch(10).prefetch(2).epoch(0);
    std::this_thread::sleep_for(20ms);  // the producer is now blocked on a full queue
  }
  {
    auto it = numbered(10).prefetch(2).epoch(0);
    while (it.next()) {
    }
  }  // after the end: the producer has finished already
}

TEST(PrefetchTest, IteratorsMoveAndOutliveTheirDataset) {
  Watchdog watchdog(60s, "IteratorsMoveAndOutliveTheirDataset");
  Iterator it = numbered(9).batch(4).prefetch(2).epoch(0);
  Iterator moved = std::move(it);
  EXPECT_EQ(moved.size(), 3);
  int count = 0;
  while (moved.next()) ++count;
  EXPECT_EQ(count, 3);
  EXPECT_THROW(it.next(), ValueError);  // NOLINT(bugprone-use-after-move): the documented error
}

}  // namespace
}  // namespace fathom::io
