// SPDX-License-Identifier: Apache-2.0
// Crossentropy losses against numbers from Keras 3.15 (TF backend, float32), their epsilon
// clipping, stable logits paths, sparse labels, ignore_class, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/ops.h"
#include "losses/crossentropy.h"

namespace fathom::losses {
namespace {

Tensor f32(const std::vector<float>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }
Tensor i32(const std::vector<std::int32_t>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }
Tensor i64(const std::vector<std::int64_t>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

void expect_close(const Tensor& actual, const std::vector<double>& expected, const Shape& shape, double rtol = 1e-5) {
  ASSERT_EQ(actual.shape(), shape);
  const std::vector<double> a = actual.to_vector<double>();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(a[i], expected[i], 1e-6 + rtol * std::abs(expected[i])) << "element " << i;
  }
}

const Tensor kBinary = f32({0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1}, {3, 4});
// Probabilities with exact 0 and 1 (clipped to [1e-7, 1 - 1e-7]); logits up to +-40.
const Tensor kProbs = f32({0.1, 0.9, 0.6, 0.0, 1.0, 0.7, 0.2, 0.45, 0.3, 0.05, 0.5, 0.8}, {3, 4});
const Tensor kLogits = f32({-2.0, 3.0, 0.4, -40.0, 35.0, 0.0, -1.2, 0.7, -0.8, -3.0, 0.0, 1.5}, {3, 4});
const Tensor kOneHot = f32({0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, {3, 4});
// Row 2 sums to 1.2 (renormalized); row 3 gives the true class probability 0 (clipped).
const Tensor kCatProbs = f32({0.1, 0.6, 0.2, 0.1, 0.5, 0.2, 0.2, 0.3, 0.7, 0.3, 0.0, 0.0}, {3, 4});
const Tensor kCatLogits = f32({1.0, 2.0, -0.5, 0.3, 3.0, -1.0, 0.0, 0.5, -20.0, 4.0, 0.0, 30.0}, {3, 4});
const Tensor kSparseProbs = f32({0.1, 0.6, 0.2, 0.1, 0.5, 0.2, 0.1, 0.2, 0.7, 0.3, 0.0, 0.0}, {3, 4});
const Tensor kLabels = i32({1, 0, 3}, {3});

struct Case {
  const char* name;
  std::function<std::unique_ptr<Loss>()> make;
  Tensor y_true, y_pred;
  std::vector<double> per_sample;
  Shape per_sample_shape;
  double reduced;
};

std::vector<Case> cases() {
  using BCE = BinaryCrossentropy;
  using CCE = CategoricalCrossentropy;
  using SCCE = SparseCategoricalCrossentropy;
  using std::make_unique;
  return {
      {"bce", [] { return make_unique<BCE>(); }, kBinary, kProbs, {0.180386692, 0.294413894, 0.331064761}, {3}, 0.268621773},
      {"bce_logits", [] { return make_unique<BCE>(BCE::Options{.from_logits = true}); }, kBinary, kLogits,
       {0.172132656, 0.514903903, 0.328562111}, {3}, 0.338532895},
      {"bce_smoothing", [] { return make_unique<BCE>(BCE::Options{.label_smoothing = 0.2}); }, kBinary, kProbs,
       {0.703336954, 0.753829956, 0.460515529}, {3}, 0.63922745},
      {"bce_logits_smoothing", [] { return make_unique<BCE>(BCE::Options{.from_logits = true, .label_smoothing = 0.2}); },
       kBinary, kLogits, {1.3071326, 1.40240347, 0.461062133}, {3}, 1.05686605},
      {"bce_axis0", [] { return make_unique<BCE>(BCE::Options{.axis = 0}); }, kBinary, kProbs,
       {0.154011875, 0.171109602, 0.475705415, 0.273660213}, {4}, 0.268621773},
      {"bce_rank1_labels", [] { return make_unique<BCE>(); }, f32({1, 0, 1, 1}, {4}), f32({0.8, 0.3, 0.4, 0.99}, {4, 1}),
       {0.223143533, 0.356674969, 0.9162907, 0.0100503266}, {4}, 0.376539886},
      {"cce", [] { return make_unique<CCE>(); }, kOneHot, kCatProbs, {0.510825574, 0.875468731, 16.1180954}, {3}, 5.83479691},
      {"cce_logits", [] { return make_unique<CCE>(CCE::Options{.from_logits = true}); }, kOneHot, kCatLogits,
       {0.490203172, 0.139925167, 0}, {3}, 0.210042775},
      {"cce_smoothing", [] { return make_unique<CCE>(CCE::Options{.label_smoothing = 0.1}); }, kOneHot, kCatProbs,
       {0.627878845, 0.934053838, 15.3512068}, {3}, 5.63771296},
      {"cce_logits_smoothing", [] { return make_unique<CCE>(CCE::Options{.from_logits = true, .label_smoothing = 0.1}); },
       kOneHot, kCatLogits, {0.620203197, 0.377425164, 2.6500001}, {3}, 1.2158761},
      {"cce_axis0", [] { return make_unique<CCE>(CCE::Options{.axis = 0}); }, kOneHot, kCatProbs,
       {0.955511391, 0.606135786, 0, 16.1180954}, {4}, 4.4199357},
      {"scce", [] { return make_unique<SCCE>(); }, kLabels, kSparseProbs, {0.510825574, 0.693147123, 16.1180954}, {3},
       5.77402258},
      {"scce_unnormalized", [] { return make_unique<SCCE>(); }, kLabels, kCatProbs, {0.510825574, 0.875468671, 16.1180954},
       {3}, 5.83479643},
      {"scce_logits", [] { return make_unique<SCCE>(SCCE::Options{.from_logits = true}); }, kLabels, kCatLogits,
       {0.490203172, 0.139925167, 0}, {3}, 0.210042775},
      {"scce_int64_column", [] { return make_unique<SCCE>(SCCE::Options{.from_logits = true}); }, i64({1, 0, 3}, {3, 1}),
       kCatLogits, {0.490203172, 0.139925167, 0}, {3}, 0.210042775},
      {"scce_float_labels", [] { return make_unique<SCCE>(SCCE::Options{.from_logits = true}); }, f32({1, 0, 3}, {3}),
       kCatLogits, {0.490203172, 0.139925167, 0}, {3}, 0.210042775},
      // Ignored entries count zero and the mean runs over the valid ones only.
      {"scce_ignore_class", [] { return make_unique<SCCE>(SCCE::Options{.from_logits = true, .ignore_class = 0}); },
       kLabels, kCatLogits, {0.490203172, 0, 0}, {3}, 0.245101586},
      {"scce_ignore_class_sum",
       [] { return make_unique<SCCE>(SCCE::Options{.from_logits = true, .ignore_class = 0}, Reduction::kSum); }, kLabels,
       kCatLogits, {0.490203172, 0, 0}, {3}, 0.490203172},
      {"scce_rank3", [] { return make_unique<SCCE>(SCCE::Options{.from_logits = true}); }, i64({0, 2, 1, 1, 1, 0}, {2, 3}),
       f32({1, 2, -0.5, 3, -1, 0, -20, 4, 0, -0.5, -1, 0.25, -1.5, 0.5, -0, 10, -2, -0}, {2, 3, 3}),
       {1.371539, 3.06588387, 0.0181499608, 1.81467223, 0.554956973, 5.16162909e-05}, {2, 3}, 1.13754213},
  };
}

TEST(CrossentropyTest, MatchesKeras) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const auto loss = c.make();
    expect_close(loss->call(c.y_true, c.y_pred), c.per_sample, c.per_sample_shape);
    expect_close((*loss)(c.y_true, c.y_pred), {c.reduced}, {});
  }
}

TEST(CrossentropyTest, IgnoreClassWithSampleWeights) {
  const SparseCategoricalCrossentropy loss({.from_logits = true, .ignore_class = 0});
  expect_close(loss(kLabels, kCatLogits, f32({2.0, 3.0, 0.5}, {3})), {0.490203172}, {});
  const Tensor mask = loss.loss_mask(kLabels, kCatLogits);
  ASSERT_EQ(mask.dtype(), DType::kBool);
  EXPECT_EQ(ops::cast(mask, DType::kFloat64).to_vector<double>(), (std::vector<double>{1, 0, 1}));
  // An ignored label may lie outside [0, classes) (e.g. 255 or -1 for "void").
  const SparseCategoricalCrossentropy void_class({.ignore_class = -1});
  expect_close(void_class.call(i32({1, -1, 3}, {3}), kSparseProbs), {0.510825574, 0, 16.1180954}, {3});
}

TEST(CrossentropyTest, LogitsPathsStayFiniteForHugeLogits) {
  const Tensor logits = f32({500, -500, 0, 1000}, {2, 2});
  const Tensor bce = BinaryCrossentropy({.from_logits = true}).call(f32({0, 1, 1, 1}, {2, 2}), logits);
  expect_close(bce, {500.0, 0.5 * std::log1p(std::exp(-0.0))}, {2}, 1e-6);
  const Tensor cce = CategoricalCrossentropy({.from_logits = true}).call(f32({1, 0, 0, 1}, {2, 2}), logits);
  expect_close(cce, {0.0, 0.0}, {2});
  const Tensor scce = SparseCategoricalCrossentropy({.from_logits = true}).call(i32({1, 0}, {2}), logits);
  expect_close(scce, {1000.0, 1000.0}, {2});
}

TEST(CrossentropyTest, SparseLabelOutOfRangeNamesLossLabelAndClasses) {
  const SparseCategoricalCrossentropy loss;
  for (std::int32_t bad : {4, -1}) {
    try {
      loss(i32({1, bad, 0}, {3}), kSparseProbs);
      FAIL() << "expected ValueError for label " << bad;
    } catch (const ValueError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("sparse_categorical_crossentropy"), std::string::npos) << what;
      EXPECT_NE(what.find("label " + std::to_string(bad)), std::string::npos) << what;
      EXPECT_NE(what.find("4 classes"), std::string::npos) << what;
    }
  }
  EXPECT_THROW(loss(f32({1, 0.5, 0}, {3}), kSparseProbs), ValueError);  // not an integer
}

TEST(CrossentropyTest, ShapeErrorsNameLossAndShapes) {
  try {
    SparseCategoricalCrossentropy()(i32({1, 0}, {2}), kSparseProbs);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("sparse_categorical_crossentropy"), std::string::npos) << what;
    EXPECT_NE(what.find("[2]"), std::string::npos) << what;
    EXPECT_NE(what.find("[3, 4]"), std::string::npos) << what;
  }
  try {
    CategoricalCrossentropy()(kOneHot, f32({0.5, 0.5, 0.2, 0.8, 0.1, 0.9}, {3, 2}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("CategoricalCrossentropy 'categorical_crossentropy': y_true [3, 4] and y_pred [3, 2]"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(BinaryCrossentropy()(kBinary, f32({0.5, 0.5, 0.5}, {3})), ShapeError);
  EXPECT_THROW(BinaryCrossentropy({.axis = 2})(kBinary, kProbs), ShapeError);
}

TEST(CrossentropyTest, RejectsBadOptions) {
  EXPECT_THROW(BinaryCrossentropy({.label_smoothing = 1.5}), ValueError);
  EXPECT_THROW(CategoricalCrossentropy({.label_smoothing = -0.1}), ValueError);
  EXPECT_THROW(SparseCategoricalCrossentropy()(kLabels, Tensor()), ValueError);
}

}  // namespace
}  // namespace fathom::losses
