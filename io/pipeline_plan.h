// SPDX-License-Identifier: Apache-2.0
// Internal to io/: what a Dataset is made of, and the plan of one epoch its iterators follow.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "io/pipeline.h"

namespace fathom::io::detail {

/// The arrays given to Dataset::from_tensors, shared by every Dataset built from them.
struct Source {
  TensorList x, y;
  Tensor sample_weight;
  std::int64_t samples = 0;
};

struct Stage {
  enum class Kind { kShuffle, kTake, kBatch, kMap };
  Kind kind = Kind::kMap;
  std::uint64_t seed = 0;       // kShuffle
  std::int64_t count = 0;       // kTake: elements to keep (-1: all); kBatch: batch size
  bool drop_remainder = false;  // kBatch
  MapFn fn;                     // kMap
};

struct DatasetSpec {
  std::shared_ptr<const Source> source;
  std::vector<Stage> stages;
  int prefetch = 0;
};

/// One epoch, resolved: which samples make element k, and the maps to apply to it.
struct EpochPlan {
  std::shared_ptr<const Source> source;
  std::vector<std::int64_t> samples;  // sample indices in epoch order
  std::int64_t batch_size = 0;        // 0: unbatched, one sample per element (no leading axis)
  std::vector<std::int64_t> order;    // element j covers samples[j*bs, min((j+1)*bs, end))
  std::vector<MapFn> maps;

  std::int64_t size() const { return static_cast<std::int64_t>(order.size()); }
  /// Gathers element k (0 <= k < size()) and applies the maps; records nothing on any tape.
  Batch produce(std::int64_t k) const;
};

EpochPlan make_plan(const DatasetSpec& spec, std::int64_t epoch);

class IteratorImpl {
 public:
  virtual ~IteratorImpl() = default;
  virtual std::optional<Batch> next() = 0;
  virtual std::int64_t size() const = 0;
};

/// Synchronous when `prefetch` is 0, otherwise a producer thread `prefetch` elements ahead.
std::unique_ptr<IteratorImpl> make_iterator(std::shared_ptr<const EpochPlan> plan, int prefetch);

}  // namespace fathom::io::detail
