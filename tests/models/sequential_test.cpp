// SPDX-License-Identifier: Apache-2.0
#include "models/sequential.h"

#include <gtest/gtest.h>

#include "callbacks/history.h"
#include "core/ops.h"
#include "layers/dense.h"
#include "layers/input_layer.h"
#include "layers/registry.h"
#include "layers/reshaping.h"

namespace fathom::models {
namespace {

using layers::Dense;

std::shared_ptr<Dense> dense(std::int64_t units, std::string activation = "linear", std::string name = "") {
  return std::make_shared<Dense>(Dense::Options{.units = units, .activation = std::move(activation)}, std::move(name));
}

CompileOptions compile_options(Config loss, Config optimizer = "adam", Config metrics = Config::list()) {
  CompileOptions o;
  o.loss = std::move(loss);
  o.optimizer = std::move(optimizer);
  o.metrics = std::move(metrics);
  return o;
}

TEST(SequentialTest, BuildsFromInputLayerAndPropagatesShapes) {
  layers::reset_layer_names();
  Sequential model;
  model.add(std::make_shared<layers::InputLayer>(Shape{-1, 4}));
  model.add(dense(8, "relu"));
  model.add(dense(3));
  EXPECT_TRUE(model.built());
  EXPECT_EQ(model.layer_output_shapes().back()[0], (Shape{-1, 3}));
  EXPECT_EQ(model.count_params(), 4 * 8 + 8 + 8 * 3 + 3);
  EXPECT_EQ(model.weights().size(), 4u);
  EXPECT_EQ(model.weights()[0].name(), "dense/kernel");
  EXPECT_EQ(model.weights()[2].name(), "dense_1/kernel");
  const Tensor y = model.predict(Tensor::ones({5, 4}), 2);
  EXPECT_EQ(y.shape(), (Shape{5, 3}));
}

TEST(SequentialTest, BuildsOnFirstCallAndChecksLaterInputs) {
  Sequential model;
  model.add(dense(2));
  EXPECT_FALSE(model.built());
  model(Tensor::ones({3, 5}));
  EXPECT_TRUE(model.built());
  try {
    model(Tensor::ones({3, 6}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[None, 5]"), std::string::npos) << e.what();
  }
}

TEST(SequentialTest, AddingAnIncompatibleLayerNamesIt) {
  Sequential model;
  model.add(std::make_shared<layers::InputLayer>(Shape{-1, 4}));
  try {
    model.add(std::make_shared<layers::RepeatVector>(2, "rep"));
    model.add(std::make_shared<layers::RepeatVector>(2, "rep_again"));  // rank 3 input: invalid
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("rep_again"), std::string::npos) << e.what();
  }
  EXPECT_EQ(model.layers().size(), 2u) << "the failed layer is not kept";
}

TEST(SequentialTest, PopRemovesTheLastLayer) {
  Sequential model({dense(2), dense(3)});
  model.pop();
  EXPECT_EQ(model.layers().size(), 1u);
  model.pop();
  EXPECT_THROW(model.pop(), ValueError);
}

TEST(SequentialTest, SummaryListsLayersShapesAndParams) {
  layers::reset_layer_names();
  Sequential model({}, "mlp");
  auto flatten = std::make_shared<layers::Flatten>();
  flatten->set_declared_input_shape({-1, 28, 28});
  model.add(flatten);
  model.add(dense(128, "relu"));
  model.add(dense(10));
  const std::string s = model.summary();
  EXPECT_NE(s.find("Model: \"mlp\""), std::string::npos) << s;
  EXPECT_NE(s.find("flatten (Flatten)"), std::string::npos) << s;
  EXPECT_NE(s.find("(None, 784)"), std::string::npos) << s;
  EXPECT_NE(s.find("100,480"), std::string::npos) << s;
  EXPECT_NE(s.find("Total params: 101,770 (397.54 KB)"), std::string::npos) << s;
  EXPECT_NE(s.find("Non-trainable params: 0 (0.00 B)"), std::string::npos) << s;
}

TEST(SequentialTest, ConfigRoundTripsThroughTheRegistry) {
  Sequential model({dense(4, "relu", "hidden"), dense(1, "sigmoid", "out")}, "small");
  model.build_from_shapes({{-1, 3}});
  const Config config = layers::serialize_layer(model);
  const auto copy = layers::layer_from_config(config);
  EXPECT_EQ(layers::serialize_layer(*copy), config);
  EXPECT_EQ(copy->count_params(), model.count_params());
}

TEST(SequentialTest, FitLearnsALinearFunction) {
  random::set_global_seed(3);
  const Tensor x = random::uniform({256, 3}, -1, 1);
  const Tensor w = Tensor::from_vector<float>({1.5f, -2.0f, 0.5f}, {3, 1});
  const Tensor y = ops::add(ops::matmul(x, w), 0.25);
  Sequential model({dense(1)});
  Config adam = Config::map();
  adam.set("class_name", "Adam").set("config", Config::map().set("learning_rate", 0.05));
  model.compile(compile_options("mse", adam, Config(std::vector<Config>{"mae"})));
  FitOptions fit;
  fit.epochs = 60;
  fit.batch_size = 32;
  fit.verbose = 0;
  fit.seed = 1;
  const auto history = model.fit(x, y, fit);
  const auto& loss = history->at("loss");
  ASSERT_EQ(loss.size(), 60u);
  EXPECT_LT(loss.back(), 1e-3);
  EXPECT_LT(loss.back(), loss.front());
  EXPECT_EQ(history->at("mae").size(), 60u);
  const auto kernel = model.weights()[0].value().to_vector<float>();
  EXPECT_NEAR(kernel[0], 1.5, 0.05);
  EXPECT_NEAR(kernel[1], -2.0, 0.05);
  const auto logs = model.evaluate(x, y, {.batch_size = 64, .verbose = 0});
  EXPECT_LT(logs.at("loss"), 1e-3);
}

TEST(SequentialTest, ValidationSplitUsesTheLastSamples) {
  const Tensor x = ops::reshape(ops::cast(Tensor::arange(20), DType::kFloat32), {10, 2});
  const Tensor y = Tensor::zeros({10, 1});
  Sequential model({dense(1)});
  model.compile(compile_options("mse", "sgd"));
  FitOptions fit;
  fit.epochs = 2;
  fit.verbose = 0;
  fit.validation_split = 0.2;
  const auto history = model.fit(x, y, fit);
  EXPECT_EQ(history->at("val_loss").size(), 2u);
  // The validation loss is computed on rows 8 and 9 with the weights after each epoch.
  const Tensor pred = model.predict(ops::slice_axis(x, 0, 8, 10));
  const double expected = ops::mean(ops::square(pred)).item<float>();
  EXPECT_NEAR(history->at("val_loss").back(), expected, 1e-4);
}

TEST(SequentialTest, ShufflingIsSeededPerEpoch) {
  auto train = [](std::uint64_t seed) {
    layers::reset_layer_names();
    random::set_global_seed(5);
    const Tensor x = random::normal({64, 4});
    const Tensor y = random::normal({64, 1});
    Sequential model({dense(3, "tanh"), dense(1)});
    model.compile(compile_options("mse", "sgd"));
    FitOptions fit;
    fit.epochs = 3;
    fit.batch_size = 8;
    fit.verbose = 0;
    fit.seed = seed;
    model.fit(x, y, fit);
    return model.weights()[0].value().to_vector<float>();
  };
  EXPECT_EQ(train(7), train(7));
  EXPECT_NE(train(7), train(8));
}

TEST(SequentialTest, ClearErrorsForMisuse) {
  Sequential model({dense(1)});
  EXPECT_THROW(model.fit(Tensor::ones({4, 2}), Tensor::ones({4, 1})), ValueError);  // not compiled
  model.compile(compile_options("mse", "sgd"));
  try {
    FitOptions quiet;
    quiet.verbose = 0;
    model.fit(Tensor::ones({4, 2}), Tensor::ones({3, 1}), quiet);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("x has 4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("y has 3"), std::string::npos) << e.what();
  }
  FitOptions zero_batch;
  zero_batch.batch_size = 0;
  zero_batch.verbose = 0;
  EXPECT_THROW(model.fit(Tensor::ones({4, 2}), Tensor::ones({4, 1}), zero_batch), ValueError);
  CompileOptions bad;
  bad.loss = "mean_sqared_error";
  try {
    model.compile(bad);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("mean_squared_error"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fathom::models
