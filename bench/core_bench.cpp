// SPDX-License-Identifier: Apache-2.0
// Micro-benchmarks of the core: matmul through Fathom (ops::matmul, with transposed views) vs
// raw cblas_sgemm on the same shapes, and a few elementwise ops. Prints one CSV line per case:
//   impl,case,threads,median_us,gflops_or_gelems
// Raw sgemm runs on OpenBLAS's own threads; Fathom splits GEMMs over its pool with OpenBLAS
// single-threaded. Run through bench/run_core.sh, which runs PyTorch on the same cases in the same session.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/threading.h"

namespace {

using fathom::Tensor;
namespace ops = fathom::ops;

/// Median wall time in microseconds of `fn`, over enough repetitions to fill ~0.3 s per sample set.
double median_us(const std::function<void()>& fn) {
  for (int i = 0; i < 5; ++i) fn();
  auto once = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  };
  const double first = std::max(once(), 1.0);
  const int reps = std::clamp(static_cast<int>(300000.0 / first), 11, 2001);
  std::vector<double> samples(reps);
  for (auto& s : samples) s = once();
  std::nth_element(samples.begin(), samples.begin() + reps / 2, samples.end());
  return samples[reps / 2];
}

struct GemmCase {
  const char* name;
  int m, n, k;
  bool trans_a, trans_b;
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  fathom::set_num_threads(threads);
  fathom::random::set_global_seed(0);

  // The Fashion-MNIST MLP (784-256-128-10) at batch 128: forward (NN), weight gradient (TN:
  // x^T gy) and input gradient (NT: gy W^T) of each layer.
  const std::vector<GemmCase> gemms = {
      {"fwd_128x784x256", 128, 256, 784, false, false}, {"fwd_128x256x128", 128, 128, 256, false, false},
      {"fwd_128x128x10", 128, 10, 128, false, false},   {"dW_784x128x256_TN", 784, 256, 128, true, false},
      {"dW_256x128x128_TN", 256, 128, 128, true, false}, {"dX_128x256x784_NT", 128, 784, 256, false, true},
      {"dX_128x128x256_NT", 128, 256, 128, false, true},
  };
  for (const GemmCase& g : gemms) {
    // Stored as BLAS sees them: A is [k, m] when transposed, B is [n, k] when transposed.
    const Tensor a = fathom::random::normal(g.trans_a ? fathom::Shape{g.k, g.m} : fathom::Shape{g.m, g.k});
    const Tensor b = fathom::random::normal(g.trans_b ? fathom::Shape{g.n, g.k} : fathom::Shape{g.k, g.n});
    Tensor c = Tensor::empty({g.m, g.n});
    const double flop = 2.0 * g.m * g.n * g.k;
    // Raw OpenBLAS with its own threads, as a user calling it directly would run it.
    openblas_set_num_threads(threads);
    const double raw = median_us([&] {
      cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans, g.trans_b ? CblasTrans : CblasNoTrans, g.m,
                  g.n, g.k, 1.0f, a.data<float>(), g.trans_a ? g.m : g.k, b.data<float>(), g.trans_b ? g.k : g.n,
                  0.0f, c.data<float>(), g.n);
    });
    openblas_set_num_threads(1);  // Fathom's setting: one pool, its own
    const double ours = median_us([&] { c = ops::matmul(a, b, g.trans_a, g.trans_b); });
    std::printf("openblas_sgemm,%s,%d,%.2f,%.1f\n", g.name, threads, raw, flop / raw / 1e3);
    std::printf("fathom,%s,%d,%.2f,%.1f\n", g.name, threads, ours, flop / ours / 1e3);
  }

  // Elementwise, on an MLP activation [128, 256] and a large [1024, 1024].
  for (const auto& shape : {fathom::Shape{128, 256}, fathom::Shape{1024, 1024}}) {
    const std::string s = std::to_string(shape[0]) + "x" + std::to_string(shape[1]);
    const Tensor x = fathom::random::normal(shape);
    const Tensor bias = fathom::random::normal({shape[1]});
    const double n = static_cast<double>(x.numel());
    Tensor y;
    const double relu = median_us([&] { y = ops::relu(x); });
    const double add = median_us([&] { y = ops::add(x, bias); });
    const double exp = median_us([&] { y = ops::exp(x); });
    const double sum = median_us([&] { y = ops::sum(x, 0); });
    std::printf("fathom,relu_%s,%d,%.2f,%.2f\n", s.c_str(), threads, relu, n / relu / 1e3);
    std::printf("fathom,add_bias_%s,%d,%.2f,%.2f\n", s.c_str(), threads, add, n / add / 1e3);
    std::printf("fathom,exp_%s,%d,%.2f,%.2f\n", s.c_str(), threads, exp, n / exp / 1e3);
    std::printf("fathom,sum_axis0_%s,%d,%.2f,%.2f\n", s.c_str(), threads, sum, n / sum / 1e3);
  }
  return 0;
}
