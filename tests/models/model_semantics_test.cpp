// SPDX-License-Identifier: Apache-2.0
// Keras semantics that are easy to get wrong: freezing nested models, loss_weights with one
// entry, class_weight vs sample_weight, a Sequential built by its first fit.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/dense.h"
#include "models/checkpoint.h"
#include "models/functional.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

std::shared_ptr<layers::Dense> dense(std::int64_t units, std::string name = "") {
  return std::make_shared<layers::Dense>(layers::Dense::Options{.units = units}, std::move(name));
}

TEST(ModelSemanticsTest, FreezingANestedModelFreezesItsWeights) {
  auto inner = std::make_shared<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{dense(3)}, "base");
  const SymbolicTensor in = Input({2});
  Functional outer(std::vector<SymbolicTensor>{in}, std::vector<SymbolicTensor>{call_layer(dense(1, "head"), call_layer(inner, in))});
  EXPECT_EQ(outer.trainable_weights().size(), 4u);
  inner->set_trainable(false);
  EXPECT_EQ(outer.trainable_weights().size(), 2u) << "only the head trains";
  EXPECT_EQ(outer.non_trainable_weights().size(), 2u);
  inner->set_trainable(true);
  EXPECT_EQ(outer.trainable_weights().size(), 4u);
}

TEST(ModelSemanticsTest, OneLossWeightAppliesToEveryOutput) {
  const SymbolicTensor in = Input({2});
  Functional model(std::vector<SymbolicTensor>{in},
                   std::vector<SymbolicTensor>{call_layer(dense(1, "a"), in), call_layer(dense(1, "b"), in)});
  CompileOptions o;
  o.loss = "mse";
  o.optimizer = "sgd";
  o.loss_weights = {0.5};
  model.compile(o);
  const Tensor x = Tensor::ones({4, 2});
  const auto logs = model.test_on_batch({x}, {Tensor::zeros({4, 1}), Tensor::zeros({4, 1})});
  EXPECT_NEAR(logs.at("loss"), 0.5 * (logs.at("a_loss") + logs.at("b_loss")), 1e-6);
  o.loss_weights = {1.0, 2.0, 3.0};
  model.compile(o);
  EXPECT_THROW(model.test_on_batch({x}, {Tensor::zeros({4, 1}), Tensor::zeros({4, 1})}), ValueError);
}

TEST(ModelSemanticsTest, ClassWeightAndSampleWeightAreExclusive) {
  Sequential model({dense(1)});
  CompileOptions o;
  o.loss = "mse";
  o.optimizer = "sgd";
  model.compile(o);
  FitOptions fit;
  fit.verbose = 0;
  fit.class_weight = {{0, 2.0}};
  fit.sample_weight = Tensor::ones({4});
  EXPECT_THROW(model.fit(Tensor::ones({4, 2}), Tensor::zeros({4, 1}), fit), ValueError);
}

TEST(ModelSemanticsTest, ASequentialBuiltByFitSavesAndLoads) {
  auto model = std::make_unique<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{dense(3), dense(1)});
  CompileOptions o;
  o.loss = "mse";
  o.optimizer = "sgd";
  model->compile(o);
  FitOptions fit;
  fit.verbose = 0;
  model->fit(Tensor::ones({8, 5}), Tensor::zeros({8, 1}), fit);
  EXPECT_TRUE(model->built());
  EXPECT_NE(model->summary().find("(None, 3)"), std::string::npos) << model->summary();
  const std::string path = ::testing::TempDir() + "/built_by_fit.fathom";
  save_checkpoint(path, *model);
  const auto loaded = load_model(path);
  EXPECT_EQ(loaded->predict(Tensor::ones({2, 5})).to_vector<float>(), model->predict(Tensor::ones({2, 5})).to_vector<float>());
}

}  // namespace
}  // namespace fathom::models
