// SPDX-License-Identifier: Apache-2.0
#include "io/pipeline.h"

#include <algorithm>
#include <numeric>

#include "core/autograd/recorder.h"
#include "core/ops/indexing.h"
#include "core/random.h"
#include "io/pipeline_plan.h"

namespace fathom::io {
namespace detail {
namespace {

/// The order of epoch `epoch` for `n` elements: uniforms from draw `epoch` of Generator(seed),
/// argsorted (ties, with 53-bit uniforms all but impossible, broken by index).
std::vector<std::int64_t> permutation(std::int64_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), std::int64_t{0});
  if (n < 2) return p;
  random::Generator generator(seed);
  generator.set_state({seed, static_cast<std::uint64_t>(epoch)});
  autograd::NoRecordGuard no_record;
  const auto u = random::uniform({n}, 0.0, 1.0, DType::kFloat64, generator).to_vector<double>();
  std::stable_sort(p.begin(), p.end(), [&](std::int64_t a, std::int64_t b) { return u[a] < u[b]; });
  return p;
}

void apply_permutation(std::vector<std::int64_t>& v, std::uint64_t seed, std::int64_t epoch) {
  const auto p = permutation(static_cast<std::int64_t>(v.size()), seed, epoch);
  std::vector<std::int64_t> out;
  out.reserve(v.size());
  for (const auto i : p) out.push_back(v[i]);
  v = std::move(out);
}

void apply_take(std::vector<std::int64_t>& v, std::int64_t count) {
  if (count >= 0 && count < static_cast<std::int64_t>(v.size())) v.resize(static_cast<std::size_t>(count));
}

}  // namespace

EpochPlan make_plan(const DatasetSpec& spec, std::int64_t epoch) {
  EpochPlan plan;
  plan.source = spec.source;
  plan.samples.resize(static_cast<std::size_t>(spec.source->samples));
  std::iota(plan.samples.begin(), plan.samples.end(), std::int64_t{0});
  bool batched = false;
  for (const Stage& s : spec.stages) {
    auto& target = batched ? plan.order : plan.samples;
    switch (s.kind) {
      case Stage::Kind::kShuffle: apply_permutation(target, s.seed, epoch); break;
      case Stage::Kind::kTake: apply_take(target, s.count); break;
      case Stage::Kind::kMap: plan.maps.push_back(s.fn); break;
      case Stage::Kind::kBatch: {
        const auto n = static_cast<std::int64_t>(plan.samples.size());
        plan.batch_size = s.count;
        plan.order.resize(static_cast<std::size_t>(s.drop_remainder ? n / s.count : (n + s.count - 1) / s.count));
        std::iota(plan.order.begin(), plan.order.end(), std::int64_t{0});
        batched = true;
        break;
      }
    }
  }
  if (!batched) {
    plan.order.resize(plan.samples.size());
    std::iota(plan.order.begin(), plan.order.end(), std::int64_t{0});
  }
  return plan;
}

Batch EpochPlan::produce(std::int64_t k) const {
  autograd::NoRecordGuard no_record;  // a no-op on the prefetch thread: recorders are per thread
  const std::int64_t j = order.at(static_cast<std::size_t>(k));
  Tensor index;
  if (batch_size == 0) {
    index = Tensor::from_vector(std::vector<std::int64_t>{samples[j]}, Shape{});  // one sample, no batch axis
  } else {
    const auto begin = samples.begin() + j * batch_size;
    const auto n = static_cast<std::int64_t>(samples.size());
    const auto end = samples.begin() + std::min<std::int64_t>((j + 1) * batch_size, n);
    index = Tensor::from_vector(std::vector<std::int64_t>(begin, end));
  }
  Batch b;
  for (const auto& t : source->x) b.x.push_back(ops::gather(t, index, 0));
  for (const auto& t : source->y) b.y.push_back(ops::gather(t, index, 0));
  if (source->sample_weight.defined()) b.sample_weight = ops::gather(source->sample_weight, index, 0);
  for (const auto& fn : maps) b = fn(std::move(b));
  return b;
}

}  // namespace detail

using detail::Stage;

Dataset::Dataset() = default;
Dataset::Dataset(std::shared_ptr<const detail::DatasetSpec> spec) : spec_(std::move(spec)) {}

const detail::DatasetSpec& Dataset::spec() const {
  FATHOM_CHECK(spec_ != nullptr, ValueError, "Dataset: this dataset is undefined; make one with Dataset::from_tensors");
  return *spec_;
}

Dataset Dataset::from_tensors(TensorList x, TensorList y, Tensor sample_weight) {
  FATHOM_CHECK(!x.empty(), ValueError, "Dataset::from_tensors: x is empty; pass at least one array");
  std::vector<std::pair<std::string, const Tensor*>> arrays;
  for (std::size_t i = 0; i < x.size(); ++i) arrays.emplace_back("x[" + std::to_string(i) + "]", &x[i]);
  for (std::size_t i = 0; i < y.size(); ++i) arrays.emplace_back("y[" + std::to_string(i) + "]", &y[i]);
  if (sample_weight.defined()) arrays.emplace_back("sample_weight", &sample_weight);
  std::string lengths;
  bool same = true;
  for (const auto& [name, t] : arrays) {
    FATHOM_CHECK(t->defined(), ValueError, "Dataset::from_tensors: ", name, " is an undefined tensor");
    FATHOM_CHECK(t->dim() >= 1, ValueError, "Dataset::from_tensors: ", name,
                 " is a scalar; every array needs a leading sample axis");
    same = same && t->size(0) == arrays[0].second->size(0);
    lengths += (lengths.empty() ? "" : ", ") + name + " has " + std::to_string(t->size(0));
  }
  FATHOM_CHECK(same, ValueError, "Dataset::from_tensors: all arrays must have the same number of samples "
               "(first dimension). Received: ", lengths);
  auto source = std::make_shared<detail::Source>();
  source->samples = x[0].size(0);
  source->x = std::move(x);
  source->y = std::move(y);
  source->sample_weight = std::move(sample_weight);
  auto spec = std::make_shared<detail::DatasetSpec>();
  spec->source = std::move(source);
  return Dataset(std::move(spec));
}

namespace {

std::shared_ptr<const detail::DatasetSpec> with_stage(const detail::DatasetSpec& spec, Stage stage) {
  auto out = std::make_shared<detail::DatasetSpec>(spec);
  out->stages.push_back(std::move(stage));
  return out;
}

}  // namespace

Dataset Dataset::shuffle(std::uint64_t seed) const {
  Stage s;
  s.kind = Stage::Kind::kShuffle;
  s.seed = seed;
  return Dataset(with_stage(spec(), std::move(s)));
}

Dataset Dataset::batch(std::int64_t batch_size, bool drop_remainder) const {
  FATHOM_CHECK(batch_size > 0, ValueError, "Dataset::batch: batch_size must be positive. Received: batch_size=",
               batch_size);
  for (const Stage& s : spec().stages) {
    FATHOM_CHECK(s.kind != Stage::Kind::kBatch, ValueError, "Dataset::batch: this dataset is already batched");
    FATHOM_CHECK(s.kind != Stage::Kind::kMap, ValueError, "Dataset::batch: batch() after map() is not "
                 "supported (map functions see whole batches); call batch() first: ds.batch(n).map(fn)");
  }
  Stage s;
  s.kind = Stage::Kind::kBatch;
  s.count = batch_size;
  s.drop_remainder = drop_remainder;
  return Dataset(with_stage(spec(), std::move(s)));
}

Dataset Dataset::map(MapFn fn) const {
  FATHOM_CHECK(static_cast<bool>(fn), ValueError, "Dataset::map: the function is empty");
  Stage s;
  s.kind = Stage::Kind::kMap;
  s.fn = std::move(fn);
  return Dataset(with_stage(spec(), std::move(s)));
}

Dataset Dataset::prefetch(int buffer) const {
  FATHOM_CHECK(buffer >= 0, ValueError, "Dataset::prefetch: buffer must be >= 0 (0 turns prefetching off). "
               "Received: buffer=", buffer);
  auto out = std::make_shared<detail::DatasetSpec>(spec());
  out->prefetch = buffer;
  return Dataset(std::move(out));
}

Dataset Dataset::take(std::int64_t n) const {
  FATHOM_CHECK(n >= -1, ValueError, "Dataset::take: n must be >= 0, or -1 for all. Received: n=", n);
  Stage s;
  s.kind = Stage::Kind::kTake;
  s.count = n;
  return Dataset(with_stage(spec(), std::move(s)));
}

Iterator Dataset::epoch(std::int64_t e) const {
  FATHOM_CHECK(e >= 0, ValueError, "Dataset::epoch: the epoch must be >= 0. Received: ", e);
  auto plan = std::make_shared<const detail::EpochPlan>(detail::make_plan(spec(), e));
  return Iterator(detail::make_iterator(std::move(plan), spec().prefetch));
}

std::int64_t Dataset::steps_per_epoch() const {
  std::int64_t n = spec().source->samples;
  for (const Stage& s : spec().stages) {
    if (s.kind == Stage::Kind::kTake && s.count >= 0) n = std::min(n, s.count);
    if (s.kind == Stage::Kind::kBatch) n = s.drop_remainder ? n / s.count : (n + s.count - 1) / s.count;
  }
  return n;
}

std::int64_t Dataset::num_samples() const { return spec().source->samples; }

}  // namespace fathom::io
