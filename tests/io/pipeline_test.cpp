// SPDX-License-Identifier: Apache-2.0
#include "io/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "core/autograd/gradient_tape.h"

namespace fathom::io {
namespace {

/// x[i] = [i, i + 0.5] (float32), y[i] = 10 i (int64): a sample can be recognised in any array.
Dataset numbered(std::int64_t n) {
  std::vector<float> x;
  std::vector<std::int64_t> y;
  for (std::int64_t i = 0; i < n; ++i) {
    x.insert(x.end(), {static_cast<float>(i), static_cast<float>(i) + 0.5f});
    y.push_back(10 * i);
  }
  return Dataset::from_tensors({Tensor::from_vector(x, {n, 2})}, {Tensor::from_vector(y)});
}

/// The sample ids of every element of epoch e, batch by batch, checking x and y agree.
std::vector<std::vector<std::int64_t>> sample_ids(const Dataset& ds, std::int64_t e = 0) {
  std::vector<std::vector<std::int64_t>> out;
  auto it = ds.epoch(e);
  while (auto b = it.next()) {
    const auto x = b->x.at(0).to_vector<float>();
    const auto y = b->y.at(0).to_vector<std::int64_t>();
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < y.size(); ++i) {
      EXPECT_EQ(x[2 * i], static_cast<float>(y[i] / 10));
      ids.push_back(y[i] / 10);
    }
    out.push_back(ids);
  }
  EXPECT_EQ(static_cast<std::int64_t>(out.size()), ds.steps_per_epoch());
  return out;
}

std::vector<std::int64_t> flat(const std::vector<std::vector<std::int64_t>>& batches) {
  std::vector<std::int64_t> out;
  for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), std::int64_t{0});
  return v;
}

TEST(DatasetTest, FromTensorsChecksTheSampleCounts) {
  try {
    Dataset::from_tensors({Tensor::zeros({10, 3}), Tensor::zeros({10})}, {Tensor::zeros({9})}, Tensor::ones({10}));
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("x[0] has 10, x[1] has 10, y[0] has 9, sample_weight has 10"),
              std::string::npos) << e.what();
  }
  EXPECT_THROW(Dataset::from_tensors({}), ValueError);
  EXPECT_THROW(Dataset::from_tensors({Tensor::scalar(1)}), ValueError);
  EXPECT_THROW(Dataset::from_tensors({Tensor()}), ValueError);
  EXPECT_THROW(Dataset().epoch(0), ValueError);
  EXPECT_THROW(numbered(3).batch(0), ValueError);
  EXPECT_THROW(numbered(3).batch(2).batch(2), ValueError);
  EXPECT_THROW(numbered(3).map([](Batch b) { return b; }).batch(2), ValueError);
  EXPECT_THROW(numbered(3).take(-2), ValueError);
  EXPECT_THROW(numbered(3).prefetch(-1), ValueError);
  EXPECT_THROW(numbered(3).epoch(-1), ValueError);
}

TEST(DatasetTest, UnbatchedElementsAreSamplesWithoutTheLeadingAxis) {
  const Dataset ds = numbered(3);
  EXPECT_EQ(ds.steps_per_epoch(), 3);
  EXPECT_EQ(ds.num_samples(), 3);
  auto it = ds.epoch(0);
  auto b = it.next();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->x[0].shape(), (Shape{2}));
  EXPECT_EQ(b->y[0].dim(), 0);
  EXPECT_FALSE(b->sample_weight.defined());
}

TEST(DatasetTest, BatchingCoversEverySampleOnceInOrder) {
  const auto batches = sample_ids(numbered(10).batch(4));
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].size(), 2u);
  EXPECT_EQ(flat(batches), iota(10));
  const auto exact = sample_ids(numbered(12).batch(4, true));
  EXPECT_EQ(flat(exact), iota(12));
}

TEST(DatasetTest, DropRemainderDropsOnlyTheLastPartialBatch) {
  const Dataset ds = numbered(10).shuffle(3).batch(4, /*drop_remainder=*/true);
  EXPECT_EQ(ds.steps_per_epoch(), 2);
  const auto batches = sample_ids(ds, 1);
  ASSERT_EQ(batches.size(), 2u);
  for (const auto& b : batches) EXPECT_EQ(b.size(), 4u);
  auto ids = flat(batches);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());  // no sample twice
  EXPECT_EQ(numbered(3).batch(4, true).steps_per_epoch(), 0);
  EXPECT_TRUE(sample_ids(numbered(3).batch(4, true)).empty());
}

TEST(DatasetTest, ShuffleIsAPureFunctionOfSeedAndEpoch) {
  const auto a = flat(sample_ids(numbered(50).shuffle(7).batch(8), 3));
  const auto again = flat(sample_ids(numbered(50).shuffle(7).batch(8), 3));  // a new Dataset
  EXPECT_EQ(a, again);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, iota(50));
  EXPECT_NE(a, iota(50));
  EXPECT_NE(a, flat(sample_ids(numbered(50).shuffle(7).batch(8), 4)));
  EXPECT_NE(a, flat(sample_ids(numbered(50).shuffle(8).batch(8), 3)));
  // Epoch 3 does not depend on having run epochs 0..2 (a resumed run).
  const Dataset ds = numbered(50).shuffle(7).batch(8);
  sample_ids(ds, 0);
  sample_ids(ds, 1);
  EXPECT_EQ(flat(sample_ids(ds, 3)), a);
}

TEST(DatasetTest, ShuffleAfterBatchReordersWholeBatches) {
  const auto batches = sample_ids(numbered(10).batch(3).shuffle(1), 2);
  ASSERT_EQ(batches.size(), 4u);
  std::vector<std::int64_t> firsts;
  for (const auto& b : batches) {
    for (std::size_t i = 1; i < b.size(); ++i) EXPECT_EQ(b[i], b[0] + static_cast<std::int64_t>(i));
    firsts.push_back(b[0]);
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts, (std::vector<std::int64_t>{0, 3, 6, 9}));
}

TEST(DatasetTest, TakeCountsSamplesBeforeBatchAndBatchesAfter) {
  EXPECT_EQ(flat(sample_ids(numbered(10).take(5).batch(2))), iota(5));
  EXPECT_EQ(numbered(10).take(5).batch(2).steps_per_epoch(), 3);
  EXPECT_EQ(flat(sample_ids(numbered(10).batch(2).take(2))), iota(4));
  EXPECT_EQ(numbered(10).batch(2).take(2).steps_per_epoch(), 2);
  EXPECT_EQ(numbered(10).batch(2).take(-1).steps_per_epoch(), 5);
  EXPECT_EQ(numbered(4).take(100).steps_per_epoch(), 4);
}

TEST(DatasetTest, GathersEveryDtypeAndTheSampleWeights) {
  Tensor flags = Tensor::empty({4}, DType::kBool);
  for (int i = 0; i < 4; ++i) flags.data<bool>()[i] = i % 2 == 1;
  const Dataset ds = Dataset::from_tensors(
      {Tensor::from_vector<double>({0, 1, 2, 3}),
       Tensor::from_vector<std::int32_t>({0, 10, 20, 30, 40, 50, 60, 70}, {4, 2}), flags},
      {Tensor::from_vector<std::int64_t>({5, 6, 7, 8})}, Tensor::from_vector<float>({.1f, .2f, .3f, .4f}));
  auto it = ds.batch(3).epoch(0);
  const auto b = it.next();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->x[0].to_vector<double>(), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(b->x[1].shape(), (Shape{3, 2}));
  EXPECT_EQ(b->x[1].to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 10, 20, 30, 40, 50}));
  ASSERT_EQ(b->x[2].dtype(), DType::kBool);
  EXPECT_TRUE(!b->x[2].data<bool>()[0] && b->x[2].data<bool>()[1] && !b->x[2].data<bool>()[2]);
  EXPECT_EQ(b->y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{5, 6, 7}));
  EXPECT_EQ(b->sample_weight.to_vector<float>(), (std::vector<float>{.1f, .2f, .3f}));
  const auto last = it.next();
  EXPECT_EQ(last->sample_weight.to_vector<float>(), (std::vector<float>{.4f}));
  EXPECT_FALSE(it.next().has_value());
  EXPECT_FALSE(it.next().has_value());  // stays at the end
}

TEST(DatasetTest, MapAndTheTransforms) {
  const Dataset base = Dataset::from_tensors({Tensor::from_vector<std::int32_t>({0, 51, 255, 102}, {2, 2})},
                                             {Tensor::from_vector<std::int64_t>({2, 0})});
  auto b = base.batch(2).map(transforms::scale(1.0 / 255)).map(transforms::one_hot(3)).epoch(0).next();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->x[0].dtype(), DType::kFloat32);
  EXPECT_NEAR(b->x[0].to_vector<float>()[1], 0.2f, 1e-6);
  EXPECT_EQ(b->y[0].to_vector<float>(), (std::vector<float>{0, 0, 1, 1, 0, 0}));
  auto n = base.batch(2).map(transforms::normalize(51.0, 51.0)).epoch(0).next();
  EXPECT_EQ(n->x[0].to_vector<float>(), (std::vector<float>{-1, 0, 4, 1}));
  const MapFn per_feature_fn =
      transforms::normalize(Tensor::from_vector<double>({0, 51}), Tensor::from_vector<double>({1, 51}));
  auto per_feature = base.batch(2).map(per_feature_fn).epoch(0).next();
  EXPECT_EQ(per_feature->x[0].to_vector<float>(), (std::vector<float>{0, 0, 255, 1}));
  EXPECT_THROW(transforms::normalize(0.0, 0.0), ValueError);
  EXPECT_THROW(transforms::one_hot(0), ValueError);
  auto float_labels = Dataset::from_tensors({Tensor::zeros({2})}, {Tensor::zeros({2})}).map(transforms::one_hot(2));
  EXPECT_THROW(float_labels.epoch(0).next(), ValueError);
}

TEST(DatasetTest, AnExceptionInMapSurfacesFromNextAndEndsTheEpoch) {
  const Dataset ds = numbered(10).batch(2).map([](Batch b) {
    if (b.y[0].to_vector<std::int64_t>()[0] == 40) throw std::runtime_error("bad batch 2");
    return b;
  });
  auto it = ds.epoch(0);
  EXPECT_TRUE(it.next().has_value());
  EXPECT_TRUE(it.next().has_value());
  EXPECT_THROW(
      {
        try {
          it.next();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "bad batch 2");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_FALSE(it.next().has_value());
}

TEST(DatasetTest, TheTapeRecordsNothingFromThePipeline) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4});
  GradientTape tape;
  tape.watch(x);
  auto it = Dataset::from_tensors({x}).batch(2).map(transforms::scale(2.0)).epoch(0);
  while (auto b = it.next()) EXPECT_EQ(b->x[0].numel(), 2);
  EXPECT_EQ(tape.size(), 0u);
}

}  // namespace
}  // namespace fathom::io
