// SPDX-License-Identifier: Apache-2.0
// The core, end to end, until layers and fit() exist: a softmax MLP trained by hand.
#include "apps/demo.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/ops.h"
#include "io/datasets/idx.h"

namespace fathom::apps {
namespace {

/// Keras's glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)).
Variable glorot(std::int64_t in, std::int64_t out, const std::string& name, random::Generator& g) {
  const double limit = std::sqrt(6.0 / static_cast<double>(in + out));
  return Variable(random::uniform({in, out}, -limit, limit, DType::kFloat32, g), name);
}

struct Mlp {
  Variable w1, b1, w2, b2;
  Tensor logits(const Tensor& x) const {
    const Tensor h = ops::relu(ops::add(ops::matmul(x, w1), b1));
    return ops::add(ops::matmul(h, w2), b2);
  }
  std::vector<Variable> weights() const { return {w1, b1, w2, b2}; }
};

/// Sparse categorical cross-entropy from logits, averaged over the batch.
Tensor cross_entropy(const Tensor& logits, const Tensor& labels) {
  const Tensor picked = ops::mul(ops::one_hot(labels, logits.shape()[1]), ops::log_softmax(logits));
  return ops::neg(ops::mean(ops::sum(picked, -1)));
}

double accuracy(const Mlp& model, const Tensor& x, const Tensor& y) {
  autograd::NoRecordGuard inference;
  const Tensor predicted = ops::argmax(model.logits(x), -1);
  return ops::mean(ops::cast(ops::equal(predicted, y), DType::kFloat32)).item<float>();
}

}  // namespace

int run_demo(const DemoOptions& options) {
  const io::MnistSplits data = io::load_mnist_idx(options.data_dir);
  const Tensor x_train = ops::div(ops::reshape(data.x_train, {-1, 784}), 255.0);
  const Tensor x_test = ops::div(ops::reshape(data.x_test, {-1, 784}), 255.0);
  const std::int64_t n = x_train.shape()[0];
  std::printf("Fashion-MNIST: %lld training and %lld test images from %s\n", static_cast<long long>(n),
              static_cast<long long>(x_test.shape()[0]), options.data_dir.c_str());

  random::Generator rng(options.seed);
  Mlp model{glorot(784, 128, "dense/kernel", rng), Variable(Tensor::zeros({128}), "dense/bias"),
            glorot(128, 10, "dense_1/kernel", rng), Variable(Tensor::zeros({10}), "dense_1/bias")};

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    // Shuffle: sort the indices by uniform keys from the seeded generator.
    const auto keys = random::uniform({n}, 0, 1, DType::kFloat64, rng).to_vector<double>();
    std::vector<std::int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return keys[a] < keys[b]; });
    const Tensor perm = Tensor::from_vector(order);
    double loss_sum = 0;
    std::int64_t batches = 0;
    for (std::int64_t begin = 0; begin < n; begin += options.batch_size) {
      const Tensor idx = ops::slice_axis(perm, 0, begin, std::min(n, begin + options.batch_size));
      const Tensor x = ops::gather(x_train, idx);
      const Tensor y = ops::gather(data.y_train, idx);
      GradientTape tape;
      const Tensor loss = cross_entropy(model.logits(x), y);
      const TensorList grads = tape.gradient(loss, model.weights());
      const auto weights = model.weights();
      for (std::size_t i = 0; i < weights.size(); ++i) {
        Variable w = weights[i];
        w.assign_sub(ops::mul(grads[i], options.learning_rate));
      }
      loss_sum += loss.item<float>();
      ++batches;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("epoch %d/%d  loss %.4f  test accuracy %.4f  (%.1f s, %.0f samples/s)\n", epoch, options.epochs,
                loss_sum / static_cast<double>(batches), accuracy(model, x_test, data.y_test), seconds,
                static_cast<double>(n) / seconds);
    std::fflush(stdout);
  }
  const double final_accuracy = accuracy(model, x_test, data.y_test);
  if (final_accuracy < options.min_accuracy) {
    std::fprintf(stderr, "fathom demo: test accuracy %.4f is below --min-accuracy %.4f\n", final_accuracy,
                 options.min_accuracy);
    return 1;
  }
  return 0;
}

}  // namespace fathom::apps
