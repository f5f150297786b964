// SPDX-License-Identifier: Apache-2.0
// Every optimizer's first three steps against its Keras 3 formula written out by hand here, in
// double, on a [2, 2] kernel and a [2] bias (one gradient element is 0 at step 3). Fathom runs in
// float64 (tight tolerance) and float32 (float32 tolerance).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "core/ops.h"
#include "optimizers/adadelta.h"
#include "optimizers/adagrad.h"
#include "optimizers/adam.h"
#include "optimizers/adamax.h"
#include "optimizers/adamw.h"
#include "optimizers/nadam.h"
#include "optimizers/rmsprop.h"
#include "optimizers/sgd.h"

namespace fathom::optimizers {
namespace {

using Vec = std::vector<double>;
const Vec kX0 = {1.0, -2.0, 3.0, 0.5, 0.1, -0.3};  // kernel (4) then bias (2)
const std::vector<Vec> kGrads = {{0.5, -1.0, 2.0, 0.1, 0.3, -0.2},
                                 {0.3, 0.2, -1.5, 0.4, -0.1, 0.6},
                                 {-0.4, 0.6, 0.1, -0.8, 0.2, 0.0}};

/// One step of the reference: updates x in place given the gradient and t = 1, 2, 3.
using Reference = std::function<void(Vec& x, const Vec& g, int t)>;
using Factory = std::function<std::unique_ptr<Optimizer>()>;

Tensor part(const Vec& v, DType dtype, bool kernel) {
  Vec p = kernel ? Vec(v.begin(), v.begin() + 4) : Vec(v.begin() + 4, v.end());
  Tensor t = Tensor::from_vector(p, kernel ? Shape{2, 2} : Shape{2});
  return ops::cast(t, dtype);
}

void expect_matches(const Factory& make, Reference reference, DType dtype, double rtol) {
  Variable w(part(kX0, dtype, true), "dense/kernel");
  Variable b(part(kX0, dtype, false), "dense/bias");
  auto opt = make();
  Vec x = kX0;
  for (int t = 1; t <= 3; ++t) {
    const Vec& g = kGrads[t - 1];
    opt->apply({part(g, dtype, true), part(g, dtype, false)}, {w, b});
    reference(x, g, t);
    Vec got = w.value().to_vector<double>();
    for (double v : b.value().to_vector<double>()) got.push_back(v);
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_NEAR(got[i], x[i], rtol * (1e-1 + std::abs(x[i])))
          << opt->class_name() << " step " << t << " element " << i << " (" << dtype_name(dtype)
          << ")";
    }
  }
  EXPECT_EQ(opt->iterations(), 3);
}

/// Runs in float64 (tight) and float32; `make_reference` gives a fresh (stateful) reference.
/// float32 is looser: like Keras, Fathom rounds beta to float32 before 1 - beta^t, which moves
/// the bias corrections by ~1e-5 relative (keras_parity_test pins the float32 numbers).
void check(const Factory& make, const std::function<Reference()>& make_reference) {
  expect_matches(make, make_reference(), DType::kFloat64, 1e-12);
  expect_matches(make, make_reference(), DType::kFloat32, 1e-5);
}

BaseOptions lr(double value) {
  BaseOptions base;
  base.learning_rate = constant_learning_rate(value);
  return base;
}

TEST(OptimizerFormulas, SgdPlain) {
  check([] { return std::make_unique<SGD>(SGD::Options{}, lr(0.1)); },
        [] {
          return [](Vec& x, const Vec& g, int) {
            for (std::size_t i = 0; i < x.size(); ++i) x[i] -= 0.1 * g[i];
          };
        });
}

TEST(OptimizerFormulas, SgdMomentumAndNesterov) {
  for (bool nesterov : {false, true}) {
    check(
        [&] {
          return std::make_unique<SGD>(SGD::Options{0.9, nesterov}, lr(0.1));
        },
        [&] {
          return [m = Vec(6, 0.0), nesterov](Vec& x, const Vec& g, int) mutable {
            for (std::size_t i = 0; i < x.size(); ++i) {
              m[i] = 0.9 * m[i] - 0.1 * g[i];
              x[i] += nesterov ? 0.9 * m[i] - 0.1 * g[i] : m[i];
            }
          };
        });
  }
}

/// Keras's Adam with optional amsgrad and decoupled weight decay (AdamW).
Reference adam_reference(double rate, double eps, bool amsgrad, double wd) {
  return
      [=, m = Vec(6, 0.0), v = Vec(6, 0.0), vh = Vec(6, 0.0)](Vec& x, const Vec& g, int t) mutable {
        const double alpha = rate * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
        for (std::size_t i = 0; i < x.size(); ++i) {
          x[i] -= x[i] * wd * rate;
          m[i] += (g[i] - m[i]) * (1 - 0.9);
          v[i] += (g[i] * g[i] - v[i]) * (1 - 0.999);
          vh[i] = std::max(vh[i], v[i]);
          x[i] -= alpha * m[i] / (std::sqrt(amsgrad ? vh[i] : v[i]) + eps);
        }
      };
}

TEST(OptimizerFormulas, Adam) {
  check([] { return std::make_unique<Adam>(Adam::Options{}, lr(0.1)); },
        [] { return adam_reference(0.1, 1e-7, false, 0.0); });
  // epsilon outside the square root, visible with a large epsilon
  check([] { return std::make_unique<Adam>(Adam::Options{.epsilon = 0.1}, lr(0.1)); },
        [] { return adam_reference(0.1, 0.1, false, 0.0); });
}

TEST(OptimizerFormulas, AdamAmsgrad) {
  check([] { return std::make_unique<Adam>(Adam::Options{.amsgrad = true}, lr(0.1)); },
        [] { return adam_reference(0.1, 1e-7, true, 0.0); });
}

TEST(OptimizerFormulas, AdamWDecaysBeforeTheAdamStep) {
  check([] { return std::make_unique<AdamW>(Adam::Options{}, lr(0.1)); },
        [] { return adam_reference(0.1, 1e-7, false, 0.004); });
}

TEST(OptimizerFormulas, Adamax) {
  check([] { return std::make_unique<Adamax>(Adamax::Options{.epsilon = 0.1}, lr(0.1)); },
        [] {
          return [m = Vec(6, 0.0), u = Vec(6, 0.0)](Vec& x, const Vec& g, int t) mutable {
            for (std::size_t i = 0; i < x.size(); ++i) {
              m[i] += (g[i] - m[i]) * (1 - 0.9);
              u[i] = std::max(0.999 * u[i], std::abs(g[i]));
              x[i] -= 0.1 * m[i] / ((1 - std::pow(0.9, t)) * (u[i] + 0.1));
            }
          };
        });
}

TEST(OptimizerFormulas, Nadam) {
  check([] { return std::make_unique<Nadam>(Nadam::Options{}, lr(0.1)); },
        [] {
          return [m = Vec(6, 0.0), v = Vec(6, 0.0), u_product = 1.0](Vec& x, const Vec& g,
                                                                     int t) mutable {
            const double u_t = 0.9 * (1 - 0.5 * std::pow(0.96, t));
            const double u_t1 = 0.9 * (1 - 0.5 * std::pow(0.96, t + 1));
            u_product *= u_t;
            for (std::size_t i = 0; i < x.size(); ++i) {
              m[i] += (g[i] - m[i]) * (1 - 0.9);
              v[i] += (g[i] * g[i] - v[i]) * (1 - 0.999);
              const double m_hat =
                  u_t1 * m[i] / (1 - u_product * u_t1) + (1 - u_t) * g[i] / (1 - u_product);
              const double v_hat = v[i] / (1 - std::pow(0.999, t));
              x[i] -= 0.1 * m_hat / (std::sqrt(v_hat) + 1e-7);
            }
          };
        });
}

Reference rmsprop_reference(double momentum, bool centered, double eps) {
  return
      [=, v = Vec(6, 0.0), a = Vec(6, 0.0), mom = Vec(6, 0.0)](Vec& x, const Vec& g, int) mutable {
        for (std::size_t i = 0; i < x.size(); ++i) {
          v[i] = 0.9 * v[i] + 0.1 * g[i] * g[i];
          a[i] = 0.9 * a[i] + 0.1 * g[i];
          const double denominator =
              centered ? v[i] - a[i] * a[i] + eps : v[i] + eps;  // eps inside sqrt
          const double increment = 0.1 * g[i] / std::sqrt(denominator);
          mom[i] = momentum * mom[i] + increment;
          x[i] -= momentum > 0 ? mom[i] : increment;
        }
      };
}

TEST(OptimizerFormulas, RMSprop) {
  check([] { return std::make_unique<RMSprop>(RMSprop::Options{.epsilon = 0.1}, lr(0.1)); },
        [] { return rmsprop_reference(0.0, false, 0.1); });
}

TEST(OptimizerFormulas, RMSpropCenteredWithMomentum) {
  check(
      [] {
        return std::make_unique<RMSprop>(RMSprop::Options{.momentum = 0.9, .centered = true},
                                         lr(0.1));
      },
      [] { return rmsprop_reference(0.9, true, 1e-7); });
}

TEST(OptimizerFormulas, Adagrad) {
  check([] { return std::make_unique<Adagrad>(Adagrad::Options{.epsilon = 0.1}, lr(0.1)); },
        [] {
          return [acc = Vec(6, 0.1)](Vec& x, const Vec& g, int) mutable {
            for (std::size_t i = 0; i < x.size(); ++i) {
              acc[i] += g[i] * g[i];
              x[i] -= 0.1 * g[i] / std::sqrt(acc[i] + 0.1);
            }
          };
        });
}

TEST(OptimizerFormulas, Adadelta) {
  check([] { return std::make_unique<Adadelta>(Adadelta::Options{.epsilon = 1e-2}, lr(1.0)); },
        [] {
          return [ag = Vec(6, 0.0), ad = Vec(6, 0.0)](Vec& x, const Vec& g, int) mutable {
            for (std::size_t i = 0; i < x.size(); ++i) {
              ag[i] = 0.95 * ag[i] + 0.05 * g[i] * g[i];
              const double delta = -std::sqrt(ad[i] + 1e-2) * g[i] / std::sqrt(ag[i] + 1e-2);
              ad[i] = 0.95 * ad[i] + 0.05 * delta * delta;
              x[i] += 1.0 * delta;
            }
          };
        });
}

TEST(OptimizerFormulas, DefaultsAreKeras) {
  EXPECT_DOUBLE_EQ(SGD().learning_rate(), 0.01);
  for (auto opt : std::vector<std::shared_ptr<Optimizer>>{
           std::make_shared<Adam>(), std::make_shared<AdamW>(), std::make_shared<Adamax>(),
           std::make_shared<Nadam>(), std::make_shared<RMSprop>(), std::make_shared<Adagrad>(),
           std::make_shared<Adadelta>()}) {
    EXPECT_DOUBLE_EQ(opt->learning_rate(), 0.001) << opt->class_name();
  }
  const Config adamw = AdamW().get_config();
  EXPECT_DOUBLE_EQ(adamw.get<double>("weight_decay"), 0.004);
  EXPECT_DOUBLE_EQ(adamw.get<double>("epsilon"), 1e-7);
  EXPECT_DOUBLE_EQ(RMSprop().get_config().get<double>("rho"), 0.9);
  EXPECT_DOUBLE_EQ(Adadelta().get_config().get<double>("rho"), 0.95);
  EXPECT_DOUBLE_EQ(Adagrad().get_config().get<double>("initial_accumulator_value"), 0.1);
}

}  // namespace
}  // namespace fathom::optimizers
