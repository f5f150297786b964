// SPDX-License-Identifier: Apache-2.0
// Keras masks travel through Sequential and Functional models: a layer that makes a mask, layers
// that pass it on (supports_masking), layers that drop it, and a layer that consumes it.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/dense.h"
#include "layers/reshaping.h"
#include "models/functional.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

/// Makes a mask [B, T]: true where the first feature is not zero (like Masking(0.0) on one feature).
class MaskMaker final : public layers::Layer {
 public:
  MaskMaker() : Layer("mask_maker", "mask_maker") {}
  std::string class_name() const override { return "MaskMaker"; }
  Tensor call(const Tensor& x, bool) override { return x; }
  Tensor compute_mask(const Tensor& x, const Tensor&) const override {
    return ops::not_equal(ops::squeeze(ops::slice_axis(x, -1, 0, 1), {-1}), Tensor::scalar(0.0));
  }
};

/// Records the mask it receives and outputs its input.
class MaskRecorder final : public layers::Layer {
 public:
  explicit MaskRecorder(std::string name) : Layer(std::move(name), "mask_recorder") {}
  std::string class_name() const override { return "MaskRecorder"; }
  Tensor call(const Tensor& x, bool) override { return x; }
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool) override {
    seen = mask;
    return x;
  }
  Tensor seen;
};

Tensor sequences() {
  // batch 2, 3 steps, 2 features; step 1 of sample 0 and step 2 of sample 1 are masked.
  return Tensor::from_vector<float>({1, 2, 0, 0, 3, 4, 5, 6, 7, 8, 0, 1}, {2, 3, 2});
}

TEST(MaskPropagationTest, SequentialCarriesTheMaskThroughLayersThatSupportIt) {
  Sequential model("masked");
  auto recorder = std::make_shared<MaskRecorder>("after_dense");
  model.add(std::make_shared<MaskMaker>());
  model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 2}, "dense"));
  model.add(recorder);
  model.call_model({sequences()}, false);
  ASSERT_TRUE(recorder->seen.defined()) << "Dense supports masking and must pass the mask on";
  EXPECT_EQ(recorder->seen.to_vector<bool>(), (std::vector<bool>{true, false, true, true, true, false}));
}

TEST(MaskPropagationTest, ALayerWithoutMaskingSupportDropsTheMask) {
  Sequential model("dropped");
  auto recorder = std::make_shared<MaskRecorder>("after_flatten");
  model.add(std::make_shared<MaskMaker>());
  model.add(std::make_shared<layers::Flatten>());
  model.add(recorder);
  model.call_model({sequences()}, false);
  EXPECT_FALSE(recorder->seen.defined()) << "Flatten does not support masking (Keras): no mask after it";
}

TEST(MaskPropagationTest, FunctionalCarriesTheMaskAlongEachPath) {
  const SymbolicTensor in = Input({3, 2}, "seq");
  auto maker = std::make_shared<MaskMaker>();
  auto recorder = std::make_shared<MaskRecorder>("consumer");
  const SymbolicTensor masked = call_layer(maker, in);
  const SymbolicTensor h = call_layer(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 2}, "d"), masked);
  Functional model(std::vector<SymbolicTensor>{in}, std::vector<SymbolicTensor>{call_layer(recorder, h)}, "f");
  model.call_model({sequences()}, false);
  ASSERT_TRUE(recorder->seen.defined());
  EXPECT_EQ(recorder->seen.to_vector<bool>(), (std::vector<bool>{true, false, true, true, true, false}));
}

TEST(MaskPropagationTest, NoMaskMakerMeansNoMask) {
  Sequential model("plain");
  auto recorder = std::make_shared<MaskRecorder>("r");
  model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 2}, "dense"));
  model.add(recorder);
  model.call_model({sequences()}, false);
  EXPECT_FALSE(recorder->seen.defined());
}

}  // namespace
}  // namespace fathom::models
