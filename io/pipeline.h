// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "core/tensor.h"

namespace fathom::io {

/// One element of a Dataset: a batch [B, ...] of every array (or, for a dataset without
/// batch(), one sample, without the leading axis). `y` is empty and `sample_weight` undefined
/// when the dataset has none.
struct Batch {
  TensorList x, y;
  Tensor sample_weight;
};

/// A transform of elements: Dataset::map and the helpers in io::transforms.
using MapFn = std::function<Batch(Batch)>;

namespace detail {
struct DatasetSpec;
class IteratorImpl;
}  // namespace detail

/// One pass over a Dataset: `auto it = ds.epoch(e); while (auto b = it.next()) { ... }`.
/// Movable, not copyable. With prefetch, destroying it mid-epoch stops and joins the producer
/// thread (after the element it is computing, if any).
class Iterator {
 public:
  /// The next element, or nullopt at the end of the epoch. An exception thrown while producing
  /// an element (by a map function or a gather, on the prefetch thread or not) is rethrown
  /// here, after the elements produced before it; the iterator then ends (returns nullopt).
  std::optional<Batch> next();
  /// Elements in this epoch (Dataset::steps_per_epoch()).
  std::int64_t size() const;

  Iterator(Iterator&&) noexcept;
  Iterator& operator=(Iterator&&) noexcept;
  ~Iterator();

 private:
  friend class Dataset;
  explicit Iterator(std::unique_ptr<detail::IteratorImpl> impl);
  std::unique_ptr<detail::IteratorImpl> impl_;
};

/// An input pipeline over in-memory arrays, like tf.data from_tensor_slices: immutable, each
/// method returns a new Dataset sharing the arrays. Typical use (what Model::fit does):
///   auto ds = Dataset::from_tensors({x}, {y}).shuffle(seed).batch(32)
///                 .map(transforms::scale(1.0 / 255)).prefetch(2);
/// Stages apply in the order they are called. shuffle() and take() before batch() act on
/// samples, after it on whole batches. Elements are gathered (ops::gather, so any dtype) only
/// when produced, under autograd::NoRecordGuard: neither the gathers nor map functions are
/// recorded by a GradientTape. Map functions must be pure functions of their element (stages
/// after them may reorder or drop elements) and, with prefetch, safe to run on another thread.
class Dataset {
 public:
  /// An undefined dataset (`defined()` is false); give it a value with from_tensors.
  Dataset();
  /// Samples are slices along axis 0 of every array. All arrays must be defined, of rank >= 1,
  /// with the same first dimension: otherwise a ValueError naming every array and its length
  /// ("x[0] has 100 samples, y[0] has 99, ..."). `x` must not be empty; `y` may be.
  static Dataset from_tensors(TensorList x, TensorList y = {}, Tensor sample_weight = {});

  /// A new random order in every epoch: the order of epoch e is a pure function of (seed, e)
  /// (the uniforms of draw e of random::Generator(seed), Philox counter-based, sorted), so a
  /// resumed run replays epoch e exactly, on any thread count and without any global state.
  Dataset shuffle(std::uint64_t seed) const;
  /// Groups consecutive elements into batches of `batch_size` (> 0); the last batch is smaller
  /// unless `drop_remainder`. At most once, and not after map().
  Dataset batch(std::int64_t batch_size, bool drop_remainder = false) const;
  /// Applies `fn` to every element, in order with the other stages.
  Dataset map(MapFn fn) const;
  /// Produces up to `buffer` elements ahead on a background thread, so that loading overlaps
  /// compute. 0 turns prefetching off. Where it is called in the chain does not matter.
  Dataset prefetch(int buffer = 2) const;
  /// The first `n` elements (samples before batch(), batches after it); n = -1 keeps all.
  Dataset take(std::int64_t n) const;

  /// Iterates epoch `e` (>= 0); e only matters for shuffle().
  Iterator epoch(std::int64_t e = 0) const;
  /// Elements per epoch (the cardinality): batches after batch(), samples before it.
  std::int64_t steps_per_epoch() const;
  /// Samples in the arrays given to from_tensors.
  std::int64_t num_samples() const;
  bool defined() const { return spec_ != nullptr; }

 private:
  explicit Dataset(std::shared_ptr<const detail::DatasetSpec> spec);
  const detail::DatasetSpec& spec() const;
  std::shared_ptr<const detail::DatasetSpec> spec_;
};

/// Ready-made map functions.
namespace transforms {
/// x -> x * factor for every x; integer x are cast to float32 first (scale(1.0 / 255) for
/// images stored as bytes).
MapFn scale(double factor);
/// Integer labels y [...] -> float32 one-hot [..., depth], for every y; a floating y is a
/// ValueError. Labels outside [0, depth) give a row of zeros (ops::one_hot).
MapFn one_hot(std::int64_t depth);
/// x -> (x - mean) / std for every x (integer x cast to float32 first); std must be > 0.
MapFn normalize(double mean, double std);
/// Per feature: `mean` and `std` broadcast against each x (shape [F] for x [B, F]) and are cast
/// to x's dtype.
MapFn normalize(Tensor mean, Tensor std);
}  // namespace transforms

}  // namespace fathom::io
