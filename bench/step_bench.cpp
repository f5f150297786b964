// SPDX-License-Identifier: Apache-2.0
// Training-step time of the Fashion-MNIST CNN (Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu,
// MaxPool 2, Flatten, Dense 128 relu, Dense 10; Adam 1e-3; batch 128; inputs 28x28x1) and of an
// LSTM classifier (LSTM 128 on [64, 32, 32] sequences, Dense 10; Adam 1e-3), and of the
// Fashion-MNIST MLP (Flatten, Dense 256 relu, Dense 128 relu, Dense 10; Adam 1e-3), through
// Model::train_on_batch on fixed random batches.
// Usage: step_bench cnn|lstm|mlp [threads=1] [steps=20] [batch: cnn 128, lstm 64, mlp 32] [traced|eager]
//        [lstm timesteps=32]
// Prints "fathom,<model>_b<batch>_<mode>,<threads>,<ms per step>" (median of the timed steps after
// 3 warm-up steps, the first of which traces) on stdout, and on stderr the first step's time and
// the heap allocations of one step. Run via bench/run_steps.sh and bench/run_trace.sh.
#include <algorithm>
#include <atomic>
#include <new>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "apps/blas_reexec.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/threading.h"
#include "layers/registry.h"
#include "models/sequential.h"

using namespace fathom;

// Every heap allocation of this program, counted: the bench reports how many a step makes.
namespace {
std::atomic<std::uint64_t> heap_allocations{0};
}  // namespace

void* operator new(std::size_t bytes) {
  heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

std::shared_ptr<layers::Layer> layer(const std::string& class_name, Config config) {
  Config spec = Config::map();
  spec.set("class_name", class_name).set("config", std::move(config));
  return std::shared_ptr<layers::Layer>(layers::layer_from_config(spec));
}

Config cfg(std::initializer_list<std::pair<const char*, Config>> entries) {
  Config c = Config::map();
  for (const auto& [k, v] : entries) c.set(k, v);
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  apps::maybe_reexec_with_better_blas(argv);
  const std::string which = argc > 1 ? argv[1] : "cnn";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 20;
  const int batch = argc > 4 ? std::atoi(argv[4]) : which == "cnn" ? 128 : which == "lstm" ? 64 : 32;
  const std::string mode = argc > 5 ? argv[5] : "traced";
  const std::int64_t timesteps = argc > 6 ? std::atoll(argv[6]) : 32;  // lstm only
  set_num_threads(threads);
  random::set_global_seed(0);

  models::Sequential model;
  Tensor x, y;
  if (which == "cnn") {
    model.add(layer("Conv2D", cfg({{"filters", 32}, {"kernel_size", 3}, {"activation", "relu"},
                                   {"input_shape", Config(Shape{28, 28, 1})}})));
    model.add(layer("MaxPooling2D", cfg({{"pool_size", 2}})));
    model.add(layer("Conv2D", cfg({{"filters", 64}, {"kernel_size", 3}, {"activation", "relu"}})));
    model.add(layer("MaxPooling2D", cfg({{"pool_size", 2}})));
    model.add(layer("Flatten", Config::map()));
    model.add(layer("Dense", cfg({{"units", 128}, {"activation", "relu"}})));
    model.add(layer("Dense", cfg({{"units", 10}})));
    x = random::uniform({batch, 28, 28, 1}, 0, 1, DType::kFloat32, 1);
    y = ops::cast(ops::mul(random::uniform({batch}, 0, 10, DType::kFloat32, 2), 1.0), DType::kInt64);
  } else if (which == "mlp") {
    model.add(layer("Flatten", cfg({{"input_shape", Config(Shape{28, 28})}})));
    model.add(layer("Dense", cfg({{"units", 256}, {"activation", "relu"}})));
    model.add(layer("Dense", cfg({{"units", 128}, {"activation", "relu"}})));
    model.add(layer("Dense", cfg({{"units", 10}})));
    x = random::uniform({batch, 28, 28}, 0, 1, DType::kFloat32, 1);
    y = ops::cast(random::uniform({batch}, 0, 10, DType::kFloat32, 2), DType::kInt64);
  } else {
    model.add(layer("LSTM", cfg({{"units", 128}, {"input_shape", Config(Shape{timesteps, 32})}})));
    model.add(layer("Dense", cfg({{"units", 10}})));
    x = random::normal({batch, timesteps, 32}, 0, 1, DType::kFloat32, 1);
    y = ops::cast(random::uniform({batch}, 0, 10, DType::kFloat32, 2), DType::kInt64);
  }
  Config loss = Config::map();
  loss.set("class_name", "SparseCategoricalCrossentropy").set("config", Config::map().set("from_logits", true));
  models::CompileOptions compile;
  compile.optimizer = "adam";
  compile.loss = loss;
  compile.run_eagerly = mode == "eager";
  model.compile(compile);

  std::vector<double> ms;
  std::uint64_t allocations = 0;
  double first = 0;  // the first step: eager, plus tracing and compiling in traced mode
  for (int i = 0; i < steps + 3; ++i) {
    const std::uint64_t before = heap_allocations.load();
    const auto start = std::chrono::steady_clock::now();
    model.train_on_batch(x, y);
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= 3) ms.push_back(t);
    if (i == 0) first = t;
    if (i == 3) allocations = heap_allocations.load() - before;
  }
  // On stderr, so that the CSV line stays the only stdout line.
  std::fprintf(stderr, "# %s: first step %.1f ms; %llu heap allocations (operator new) in one train_on_batch after warm-up\n",
               which.c_str(), first, static_cast<unsigned long long>(allocations));
  std::sort(ms.begin(), ms.end());
  std::printf("fathom,%s_b%d_%s,%d,%.3f\n", which.c_str(), batch, mode.c_str(), threads, ms[ms.size() / 2]);
  return 0;
}
