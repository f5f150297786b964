// SPDX-License-Identifier: Apache-2.0
// Training throughput of the Fashion-MNIST MLP (784-256-128-10, Adam 1e-3, batch 128) through
// Model::fit, as a user runs it. Usage: mlp_bench [threads=1] [epochs=4] [batch=128] [traced|eager].
// Prints "fathom,mlp_fit_<mode>,<threads>,<batch>,<samples/s>" from the median epoch time of
// epochs 2..N (epoch 1 warms the caches and traces). Run via bench/run_mlp.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "apps/blas_reexec.h"
#include "callbacks/callback.h"
#include "core/ops.h"
#include "core/threading.h"
#include "io/datasets/idx.h"
#include "layers/dense.h"
#include "layers/reshaping.h"
#include "models/sequential.h"

using namespace fathom;

namespace {

class EpochTimer final : public callbacks::Callback {
 public:
  std::string class_name() const override { return "EpochTimer"; }
  void on_epoch_begin(int, const callbacks::Logs&) override { start_ = std::chrono::steady_clock::now(); }
  void on_epoch_end(int, callbacks::Logs&) override {
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  std::vector<double> seconds;

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

int main(int argc, char** argv) {
  apps::maybe_reexec_with_better_blas(argv);
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 4;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 128;
  const std::string mode = argc > 4 ? argv[4] : "traced";
  set_num_threads(threads);
  random::set_global_seed(0);
  const io::MnistSplits data = io::load_mnist_idx();
  const Tensor x = ops::div(data.x_train, 255.0);

  models::Sequential model;
  auto flatten = std::make_shared<layers::Flatten>();
  flatten->set_declared_input_shape({-1, 28, 28});
  model.add(flatten);
  model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 256, .activation = "relu"}));
  model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 128, .activation = "relu"}));
  model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 10}));
  Config loss = Config::map();
  loss.set("class_name", "SparseCategoricalCrossentropy").set("config", Config::map().set("from_logits", true));
  models::CompileOptions compile;
  compile.optimizer = "adam";
  compile.loss = loss;
  compile.metrics = Config(std::vector<Config>{"accuracy"});
  compile.run_eagerly = mode == "eager";
  model.compile(compile);

  auto timer = std::make_shared<EpochTimer>();
  models::FitOptions fit;
  fit.batch_size = batch;
  fit.epochs = epochs;
  fit.verbose = 0;
  fit.callbacks = {timer};
  model.fit(x, data.y_train, fit);
  std::vector<double> steady(timer->seconds.begin() + 1, timer->seconds.end());
  std::sort(steady.begin(), steady.end());
  const double median = steady[steady.size() / 2];
  std::printf("fathom,mlp_fit_%s,%d,%d,%.0f\n", mode.c_str(), threads, batch, 60000.0 / median);
  return 0;
}
