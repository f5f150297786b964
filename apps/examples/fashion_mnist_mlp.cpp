// SPDX-License-Identifier: Apache-2.0
// The Fashion-MNIST MLP with Fathom's Keras-style C++ API:
//   Flatten -> Dense(256, relu) -> Dense(128, relu) -> Dense(10), softmax cross-entropy from
//   logits, Adam 1e-3, batch 128, inputs scaled to [0, 1].
// Usage: fashion_mnist_mlp [--epochs N] [--threads N] [--seed S] [--min-accuracy A] [--verbose V]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "apps/blas_reexec.h"
#include "callbacks/history.h"
#include "core/ops.h"
#include "core/threading.h"
#include "io/datasets/idx.h"
#include "layers/dense.h"
#include "layers/reshaping.h"
#include "models/sequential.h"

using namespace fathom;

int main(int argc, char** argv) {
  apps::maybe_reexec_with_better_blas(argv);
  int epochs = 5, threads = 0, verbose = 2;
  std::uint64_t seed = 1;
  double min_accuracy = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--epochs") epochs = std::atoi(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--min-accuracy") min_accuracy = std::atof(argv[i + 1]);
    else if (flag == "--verbose") verbose = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    set_num_threads(threads);
    random::set_global_seed(seed);
    const io::MnistSplits data = io::load_mnist_idx();
    const Tensor x_train = ops::div(data.x_train, 255.0);
    const Tensor x_test = ops::div(data.x_test, 255.0);

    models::Sequential model("fashion_mnist_mlp");
    auto flatten = std::make_shared<layers::Flatten>();
    flatten->set_declared_input_shape({-1, 28, 28});
    model.add(flatten);
    model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 256, .activation = "relu"}));
    model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 128, .activation = "relu"}));
    model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 10}));
    std::fputs(model.summary().c_str(), stdout);

    Config adam = Config::map();
    adam.set("class_name", "Adam").set("config", Config::map().set("learning_rate", 1e-3));
    Config loss = Config::map();
    loss.set("class_name", "SparseCategoricalCrossentropy").set("config", Config::map().set("from_logits", true));
    model.compile({.optimizer = adam, .loss = loss, .metrics = Config(std::vector<Config>{"accuracy"})});

    models::FitOptions fit;
    fit.batch_size = 128;
    fit.epochs = epochs;
    fit.verbose = verbose;
    fit.seed = seed;
    const auto history = model.fit(x_train, data.y_train, fit);
    const callbacks::Logs test = model.evaluate(x_test, data.y_test, {.batch_size = 1000, .verbose = 0});
    const double accuracy = test.at("accuracy");
    std::printf("test loss %.4f  test accuracy %.4f\n", test.at("loss"), accuracy);
    if (accuracy < min_accuracy) {
      std::fprintf(stderr, "fashion_mnist_mlp: test accuracy %.4f is below --min-accuracy %.4f\n", accuracy, min_accuracy);
      return 1;
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "fashion_mnist_mlp: error: %s\n", e.what());
    return 1;
  }
}
