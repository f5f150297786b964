// SPDX-License-Identifier: Apache-2.0
#include "tests/support/layer_contract.h"

#include "core/json.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

#include "core/ops.h"
#include "layers/layer.h"
#include "layers/registry.h"
#include "tests/support/gradcheck.h"

namespace fathom::testing {
namespace {

using layers::Layer;

Shape with_batch(Shape s, std::int64_t batch) {
  if (!s.empty()) s[0] = batch;
  return s;
}

/// Every dim of `computed` equals `expected`'s, or is -1 (unknown, e.g. InputLayer's batch).
bool compatible(const Shape& computed, const Shape& expected) {
  if (computed.size() != expected.size()) return false;
  for (std::size_t d = 0; d < computed.size(); ++d) {
    if (computed[d] >= 0 && computed[d] != expected[d]) return false;
  }
  return true;
}

TensorList random_inputs(const std::vector<Shape>& shapes, const LayerContractOptions& o,
                         std::int64_t batch_delta) {
  TensorList xs;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    Shape s = shapes[i];
    if (!s.empty()) s[0] += batch_delta;
    Tensor x = uniform_f64(s, o.input_low, o.input_high,
                           o.seed + 17 * i + static_cast<std::uint64_t>(batch_delta));
    if (!o.kinks.empty()) x = away_from(x, o.kinks);
    xs.push_back(ops::cast(x, DType::kFloat32));
  }
  return xs;
}

double weighted_output(Layer& layer, const TensorList& xs, const Tensor& r) {
  return ops::sum(ops::mul(ops::cast(layer(xs, false), DType::kFloat64), r)).item<double>();
}

// Why two precisions. A layer without weights computes in its input's dtype, so its input
// gradients are checked in float64 by gradients_match (eps 1e-6, atol 1e-6, rtol 1e-5): exact to
// what finite differences can show. A layer with weights cannot: add_weight creates float32
// Variables and the ops do not promote, so a float64 input would fail in the first matmul. For
// those the check runs in float32 with tolerances derived from float32 round-off:
//  - L = sum(r * y) is summed in float64 from the float32 outputs, so its noise is the outputs'
//    round-off, about 1e-7 * sum|r * y| (< 1e-5 for the <= 8-per-dim shapes used here);
//  - with a step h = 1e-2 that noise becomes < 1e-3 in (L+ - L-) / (actual step), and the
//    central-difference truncation error h^2/6 * L''' stays ~2e-5 for smooth layers;
//  - the step divides by the difference of the float32 values actually stored (x + h and x - h
//    rounded), not by 2h, so rounding the perturbed value adds no error.
// Hence atol 2e-3 + rtol 1e-2: a wrong gradient (a missing term, a transposed kernel, a wrong
// scale) is off by far more, while float32 noise stays well inside. Kinks (relu) must stay
// further than h from every pre-activation, so contract specs for weighted layers use smooth
// activations; relu-like activations are gradchecked in float64 through the Activation layer.
constexpr double kF32Step = 1e-2;
constexpr double kF32Atol = 2e-3;
constexpr double kF32Rtol = 1e-2;

::testing::AssertionResult float32_gradients_match(Layer& layer, const TensorList& xs) {
  const std::vector<Variable> weights = layer.trainable_weights();
  Tensor r;
  TensorList analytic;
  {
    GradientTape tape(/*persistent=*/true);
    for (const Tensor& x : xs) tape.watch(x);
    const Tensor y = ops::cast(layer(xs, false), DType::kFloat64);
    r = uniform_f64(y.shape(), 0.5, 1.5, 977);
    const Tensor loss = ops::sum(ops::mul(y, r));
    analytic = tape.gradient(loss, xs, {}, UnconnectedGradients::kZero);
    const TensorList gw = tape.gradient(loss, weights, {}, UnconnectedGradients::kZero);
    analytic.insert(analytic.end(), gw.begin(), gw.end());
  }
  // Targets: the inputs, then the weights' own storage (perturbed in place, restored after).
  TensorList targets = xs;
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < xs.size(); ++i) labels.push_back("input " + std::to_string(i));
  for (const Variable& w : weights) {
    targets.push_back(w.value());
    labels.push_back("weight '" + w.name() + "'");
  }
  std::ostringstream failures;
  int failed = 0;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    int failed_here = 0;  // the first two per input and per weight are listed
    if (!analytic[t].defined() || analytic[t].shape() != targets[t].shape()) {
      return ::testing::AssertionFailure()
             << labels[t] << ": gradient missing or of the wrong shape";
    }
    const auto a = ops::cast(analytic[t], DType::kFloat64).to_vector<double>();
    Tensor target = targets[t];
    float* p = target.data<float>();
    for (std::int64_t j = 0; j < target.numel(); ++j) {
      // The 4-point central difference (error O(h^4) instead of O(h^2)): with float32 the step
      // cannot be small, and the 2-point formula's curvature error alone reached the tolerance on
      // normalization layers, so that rounding differences between runs decided the outcome.
      const float original = p[j];
      auto at = [&](double offset) {
        p[j] = original + static_cast<float>(offset);
        return weighted_output(layer, xs, r);
      };
      const double plus = at(kF32Step), minus = at(-kF32Step);
      const double plus2 = at(2 * kF32Step), minus2 = at(-2 * kF32Step);
      p[j] = original;
      const double numeric = (8 * (plus - minus) - (plus2 - minus2)) / (12 * kF32Step);
      if (!(std::abs(a[j] - numeric) <= kF32Atol + kF32Rtol * std::abs(numeric))) {
        ++failed;
        if (failed_here++ < 2) {
          failures << "\n  " << labels[t] << " element " << j << ": analytic " << a[j]
                   << ", numeric " << numeric;
        }
      }
    }
  }
  if (failed) {
    return ::testing::AssertionFailure()
           << failed << " gradient element(s) differ (float32 check):" << failures.str();
  }
  return ::testing::AssertionSuccess();
}

void expect_weights(Layer& layer, int expected_num_weights, const LayerContractOptions& o) {
  const std::vector<Variable> weights = layer.weights();
  EXPECT_EQ(static_cast<int>(weights.size()), expected_num_weights) << "number of weights";
  std::set<std::string> names;
  std::int64_t params = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const std::string& n = weights[i].name();
    EXPECT_EQ(n.rfind(layer.name() + "/", 0), 0u)
        << "weight name '" << n << "' lacks the prefix '" << layer.name() << "/'";
    EXPECT_TRUE(names.insert(n).second) << "duplicate weight name '" << n << "'";
    if (i < o.weight_names.size()) {
      EXPECT_EQ(n, layer.name() + "/" + o.weight_names[i]);
      EXPECT_TRUE(layer.weight(o.weight_names[i]).is(weights[i]))
          << "weight('" << o.weight_names[i] << "')";
    }
    params += shape_numel(weights[i].shape());
  }
  if (!o.weight_names.empty()) {
    EXPECT_EQ(weights.size(), o.weight_names.size()) << "weight names";
  }
  EXPECT_EQ(layer.count_params(), params);
  const std::size_t non_trainable = static_cast<std::size_t>(o.num_non_trainable_weights);
  EXPECT_EQ(layer.trainable_weights().size(), weights.size() - non_trainable)
      << "a fresh layer's weights are all trainable but num_non_trainable_weights";
  EXPECT_EQ(layer.non_trainable_weights().size(), non_trainable);
  layer.set_trainable(false);
  EXPECT_TRUE(layer.trainable_weights().empty()) << "set_trainable(false) freezes every weight";
  EXPECT_EQ(layer.non_trainable_weights().size(), weights.size());
  layer.set_trainable(true);
  EXPECT_EQ(layer.trainable_weights().size(), weights.size() - non_trainable);
}

void expect_shapes(Layer& layer, const std::vector<Shape>& input_shapes, const Shape& expected,
                   const TensorList& xs, const Tensor& y, const LayerContractOptions& o) {
  EXPECT_EQ(shape_to_string(y.shape()), shape_to_string(expected)) << "output shape";
  const Shape computed = layer.compute_output_shape_multi(input_shapes);
  EXPECT_TRUE(compatible(computed, expected))
      << "compute_output_shape " << shape_to_string(computed) << " vs output "
      << shape_to_string(expected);
  std::vector<Shape> unknown_batch;
  for (const Shape& s : input_shapes) unknown_batch.push_back(with_batch(s, -1));
  EXPECT_EQ(shape_to_string(layer.compute_output_shape_multi(unknown_batch)),
            shape_to_string(with_batch(expected, -1)))
      << "compute_output_shape with an unknown batch";
  // Same inputs, same outputs (training=false); another batch size is accepted.
  EXPECT_EQ(layer(xs, false).to_vector<float>(), y.to_vector<float>())
      << "inference is not deterministic";
  const Tensor y3 = layer(random_inputs(input_shapes, o, 1), false);
  EXPECT_EQ(shape_to_string(y3.shape()), shape_to_string(with_batch(expected, expected[0] + 1)))
      << "output shape for a batch of " << expected[0] + 1;
}

void expect_config_round_trip(const Config& spec, Layer& layer, const TensorList& xs,
                              const Tensor& y) {
  const std::string class_name = spec.get<std::string>("class_name");
  const Config c1 = layer.get_config();
  std::unique_ptr<Layer> copy;
  try {
    copy = layers::make_layer(class_name, c1);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "from_config(get_config()) threw: " << e.what()
                  << "\n  config: " << c1.to_json();
    return;
  }
  EXPECT_EQ(copy->class_name(), class_name);
  EXPECT_EQ(copy->name(), layer.name()) << "the name is part of the config";
  const Config c2 = copy->get_config();
  EXPECT_EQ(c1, c2) << "get_config -> from_config -> get_config changed the config";
  const std::unique_ptr<Layer> via_serialize =
      layers::layer_from_config(layers::serialize_layer(layer));
  EXPECT_EQ(via_serialize->get_config(), c1) << "serialize_layer -> layer_from_config";
  // Every key given in the spec comes back, with its value when it is a plain scalar or string.
  const Config given = spec.has("config") ? spec.at("config") : Config::map();
  for (const auto& [key, value] : given.entries()) {
    if (!c1.has(key)) {
      ADD_FAILURE() << "get_config() lacks the key '" << key << "': " << c1.to_json();
      continue;
    }
    const Config& back = c1.at(key);
    const bool comparable =
        !value.is_map() && !value.is_list() && !(value.is_string() && back.is_map());
    if (comparable) {
      EXPECT_EQ(back, value) << "key '" << key << "'";
    }
  }
  // The rebuilt layer, given the same weights, computes the same outputs.
  (*copy)(xs, false);
  const std::vector<Variable> w = layer.weights();
  std::vector<Variable> wc = copy->weights();
  ASSERT_EQ(w.size(), wc.size()) << "the rebuilt layer has another number of weights";
  for (std::size_t i = 0; i < w.size(); ++i) wc[i].assign(w[i].value());
  EXPECT_EQ((*copy)(xs, false).to_vector<float>(), y.to_vector<float>())
      << "the rebuilt layer computes other values";
}

}  // namespace

Config parse_json(const std::string& text) { return fathom::parse_json(text, "json"); }

Config layer_spec(const std::string& class_name, Config config) {
  Config spec = Config::map();
  spec.set("class_name", class_name).set("config", std::move(config));
  return spec;
}

void expect_layer_contract(const Config& spec, const std::vector<Shape>& input_shapes,
                           const Shape& expected_output_shape, int expected_num_weights,
                           const LayerContractOptions& options) {
  SCOPED_TRACE("layer contract for " + spec.to_json());
  std::unique_ptr<Layer> layer;
  try {
    layer = layers::layer_from_config(spec);
  } catch (const std::exception& e) {
    FAIL() << "layer_from_config threw: " << e.what();
  }
  EXPECT_EQ(layer->class_name(), spec.get<std::string>("class_name"));
  EXPECT_FALSE(layer->built());
  EXPECT_TRUE(layer->weights().empty()) << "weights exist before build";

  const TensorList xs = random_inputs(input_shapes, options, 0);
  Tensor y;
  try {
    y = (*layer)(xs, false);
  } catch (const std::exception& e) {
    FAIL() << "calling the layer threw: " << e.what();
  }
  EXPECT_TRUE(layer->built());
  EXPECT_EQ(y.dtype(), DType::kFloat32);
  expect_shapes(*layer, input_shapes, expected_output_shape, xs, y, options);
  expect_weights(*layer, expected_num_weights, options);

  if (options.check_gradients) {
    if (layer->weights().empty()) {
      TensorList xs64;
      for (const Tensor& x : xs) xs64.push_back(ops::cast(x, DType::kFloat64));
      EXPECT_TRUE(gradients_match([&](const TensorList& in) { return (*layer)(in, false); }, xs64))
          << "input gradients (float64 check)";
    } else {
      EXPECT_TRUE(float32_gradients_match(*layer, xs));
    }
  }
  expect_config_round_trip(spec, *layer, xs, y);
}

Tensor keras_pattern(const Shape& shape, int mul, int mod, int off, double div) {
  std::vector<float> v(static_cast<std::size_t>(shape_numel(shape)));
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(static_cast<double>(static_cast<int>(i) * mul % mod - off) / div);
  }
  return Tensor::from_vector(v, shape);
}

void expect_tensor_near(const Tensor& actual, const Shape& shape,
                        const std::vector<double>& expected, double atol, double rtol) {
  ASSERT_EQ(shape_to_string(actual.shape()), shape_to_string(shape));
  const auto a = ops::cast(actual, DType::kFloat64).to_vector<double>();
  ASSERT_EQ(a.size(), expected.size());
  int shown = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(std::abs(a[i] - expected[i]) <= atol + rtol * std::abs(expected[i])) && shown++ < 6) {
      ADD_FAILURE() << "element " << i << ": expected " << expected[i] << ", got " << a[i];
    }
  }
}

}  // namespace fathom::testing
