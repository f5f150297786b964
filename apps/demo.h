// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <string>

namespace fathom::apps {

struct DemoOptions {
  int epochs = 3;
  int batch_size = 128;
  double learning_rate = 0.1;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  std::uint64_t seed = 1;
  double min_accuracy = 0.0;  // exit code 1 when the test accuracy ends below it
};

/// Trains a 784-128-10 MLP on Fashion-MNIST with the core alone (ops, GradientTape, Variable,
/// SGD written out), printing loss and accuracy per epoch. Returns the process exit code.
int run_demo(const DemoOptions& options);

}  // namespace fathom::apps
