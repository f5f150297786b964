// SPDX-License-Identifier: Apache-2.0
// The ready-made map functions of io/pipeline.h.
#include <cmath>

#include "core/ops/elementwise.h"
#include "core/ops/indexing.h"
#include "io/pipeline.h"

namespace fathom::io::transforms {
namespace {

Tensor as_floating(const Tensor& t) { return is_floating(t.dtype()) ? t : ops::cast(t, DType::kFloat32); }

}  // namespace

MapFn scale(double factor) {
  return [factor](Batch b) {
    for (auto& x : b.x) x = ops::mul(as_floating(x), factor);
    return b;
  };
}

MapFn one_hot(std::int64_t depth) {
  FATHOM_CHECK(depth > 0, ValueError, "transforms::one_hot: depth must be positive. Received: depth=", depth);
  return [depth](Batch b) {
    FATHOM_CHECK(!b.y.empty(), ValueError, "transforms::one_hot: the dataset has no labels (y is empty)");
    for (std::size_t i = 0; i < b.y.size(); ++i) {
      const DType d = b.y[i].dtype();
      FATHOM_CHECK(d == DType::kInt32 || d == DType::kInt64, ValueError, "transforms::one_hot: y[", i,
                   "] must hold int32 or int64 class indices, received ", dtype_name(d), " of shape ",
                   shape_to_string(b.y[i].shape()));
      b.y[i] = ops::one_hot(b.y[i], depth);
    }
    return b;
  };
}

MapFn normalize(double mean, double std) {
  FATHOM_CHECK(std > 0 && std::isfinite(std), ValueError,
               "transforms::normalize: std must be positive and finite. Received: std=", std);
  return [mean, std](Batch b) {
    for (auto& x : b.x) x = ops::div(ops::sub(as_floating(x), mean), std);
    return b;
  };
}

MapFn normalize(Tensor mean, Tensor std) {
  FATHOM_CHECK(mean.defined() && std.defined(), ValueError, "transforms::normalize: mean and std must be defined");
  return [mean, std](Batch b) {
    for (auto& x : b.x) {
      const Tensor xf = as_floating(x);
      x = ops::div(ops::sub(xf, ops::cast(mean, xf.dtype())), ops::cast(std, xf.dtype()));
    }
    return b;
  };
}

}  // namespace fathom::io::transforms
