// SPDX-License-Identifier: Apache-2.0
#include "core/random.h"

#include <random>

#include "core/autograd/recorder.h"
#include "core/kernels/backend.h"

namespace fathom::random {
namespace {

/// SplitMix64's finaliser: a bijective mix, so distinct (seed, draw) pairs give distinct keys.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t key_for(Seed seed) {
  if (seed.generator) return seed.generator->next_key();
  if (seed.op_seed) return mix(mix(global_generator().state().seed) ^ mix(*seed.op_seed + 0x5EED));
  return global_generator().next_key();
}

Tensor draw(kernels::RandomKind kind, const Shape& shape, double a, double b, DType dtype, Seed seed, const char* op) {
  FATHOM_CHECK(is_floating(dtype), ValueError, op, ": dtype must be float32 or float64, received ", dtype_name(dtype));
  // An op without inputs whose forward takes the next key when it runs: a traced function
  // replays it, so its numbers change from call to call exactly as they do eagerly.
  return autograd::run_op(op, {}, [=](const TensorList&) {
    Tensor out = Tensor::empty(shape, dtype);
    kernels::backend(out.device()).random(out, kind, key_for(seed), a, b);
    return out;
  }, autograd::BackwardFn{});
}

}  // namespace

std::uint64_t Generator::next_key() { return mix(mix(state_.seed) ^ mix(state_.draws++)); }

Generator& global_generator() {
  // Unseeded runs differ (as in TF and Keras); set_global_seed makes them repeatable.
  static Generator generator{std::random_device{}()};
  return generator;
}

void set_global_seed(std::uint64_t seed) { global_generator().set_state({seed, 0}); }

Tensor normal(const Shape& shape, double mean, double stddev, DType dtype, Seed seed) {
  FATHOM_CHECK(stddev >= 0, ValueError, "random::normal: stddev must be non-negative. Received: stddev=", stddev);
  return draw(kernels::RandomKind::kNormal, shape, mean, stddev, dtype, seed, "random_normal");
}

Tensor uniform(const Shape& shape, double minval, double maxval, DType dtype, Seed seed) {
  FATHOM_CHECK(minval < maxval, ValueError, "random::uniform: minval must be less than maxval. Received: minval=",
               minval, ", maxval=", maxval);
  return draw(kernels::RandomKind::kUniform, shape, minval, maxval, dtype, seed, "random_uniform");
}

Tensor truncated_normal(const Shape& shape, double mean, double stddev, DType dtype, Seed seed) {
  FATHOM_CHECK(stddev >= 0, ValueError, "random::truncated_normal: stddev must be non-negative. Received: stddev=", stddev);
  return draw(kernels::RandomKind::kTruncatedNormal, shape, mean, stddev, dtype, seed, "random_truncated_normal");
}

}  // namespace fathom::random
