// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <optional>

#include "core/tensor.h"

namespace fathom::random {

/// The state of a stream of random numbers: a seed and how many draws it has made. Numbers come
/// from a counter-based generator (Philox-4x32-10), so element i of a draw depends only on
/// (seed, draw, i): the same seed gives the same numbers on every run and any thread count.
struct GeneratorState {
  std::uint64_t seed = 0;
  std::uint64_t draws = 0;
  bool operator==(const GeneratorState&) const = default;
};

/// A seeded stream (Keras's SeedGenerator). Each random op called with it advances it by one
/// draw; its state can be saved and restored to replay exactly.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : state_{seed, 0} {}
  /// The key for the next draw, advancing the stream.
  std::uint64_t next_key();
  GeneratorState state() const { return state_; }
  void set_state(GeneratorState state) { state_ = state; }

 private:
  GeneratorState state_;
};

/// Sets the global seed (tf.random.set_seed / keras.utils.set_random_seed): resets the global
/// generator that random ops use when given neither a seed nor a generator.
void set_global_seed(std::uint64_t seed);
Generator& global_generator();

/// Where a random op takes its numbers from: a fixed op seed (same numbers on every call, like
/// TF's stateless ops), a Generator (advances on every call), or neither (the global generator).
struct Seed {
  Seed() = default;
  Seed(std::uint64_t op_seed) : op_seed(op_seed) {}  // NOLINT: implicit, as an int seed in Keras
  Seed(Generator& generator) : generator(&generator) {}  // NOLINT
  std::optional<std::uint64_t> op_seed;
  Generator* generator = nullptr;
};

Tensor normal(const Shape& shape, double mean = 0.0, double stddev = 1.0,
              DType dtype = DType::kFloat32, Seed seed = {});
Tensor uniform(const Shape& shape, double minval = 0.0, double maxval = 1.0,
               DType dtype = DType::kFloat32, Seed seed = {});
/// Normal values redrawn until within two standard deviations of the mean (Keras's
/// TruncatedNormal).
Tensor truncated_normal(const Shape& shape, double mean = 0.0, double stddev = 1.0,
                        DType dtype = DType::kFloat32, Seed seed = {});

}  // namespace fathom::random
