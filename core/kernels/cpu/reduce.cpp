// SPDX-License-Identifier: Apache-2.0
// Reductions over axes: sum/max/min/prod, argmax/argmin, and prod's "product of the others".
// Every input is viewed as [outer, R, inner]; rows are reduced with several accumulators (the
// lazy xtensor reducers run at 0.24 Gelem/s here, docs/toolchain.md).
#include <algorithm>
#include <limits>
#include <numeric>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {

ReduceLayout reduce_layout(const Tensor& x, const std::vector<std::int64_t>& axes) {
  ReduceLayout layout;
  const std::int64_t rank = x.dim();
  const bool block = axes.empty() || axes.back() - axes.front() + 1 == static_cast<std::int64_t>(axes.size());
  layout.permutation.resize(rank);
  std::iota(layout.permutation.begin(), layout.permutation.end(), 0);
  Tensor moved = x;
  std::int64_t first = axes.empty() ? rank : axes.front();
  std::int64_t last = axes.empty() ? rank - 1 : axes.back();
  if (!block) {
    // Move the reduced axes to the end, keeping the order of the others.
    std::vector<std::int64_t> kept;
    for (std::int64_t d = 0; d < rank; ++d) {
      if (!std::binary_search(axes.begin(), axes.end(), d)) kept.push_back(d);
    }
    layout.permutation = kept;
    layout.permutation.insert(layout.permutation.end(), axes.begin(), axes.end());
    Shape shape(rank);
    Strides strides(rank);
    for (std::int64_t d = 0; d < rank; ++d) {
      shape[d] = x.shape()[layout.permutation[d]];
      strides[d] = x.strides()[layout.permutation[d]];
    }
    moved = x.as_strided(shape, strides, x.offset());
    first = static_cast<std::int64_t>(kept.size());
    last = rank - 1;
  }
  layout.data = moved.contiguous();
  layout.moved_shape = layout.data.shape();
  for (std::int64_t d = 0; d < rank; ++d) {
    const std::int64_t n = layout.moved_shape[d];
    (d < first ? layout.outer : d <= last ? layout.reduced : layout.inner) *= n;
  }
  return layout;
}

namespace {

template <class T, ReduceKind K>
struct Reducer {
  static T init() {
    if constexpr (K == ReduceKind::kSum) return T(0);
    if constexpr (K == ReduceKind::kProd) return T(1);
    if constexpr (K == ReduceKind::kMax) return std::numeric_limits<T>::lowest();
    if constexpr (K == ReduceKind::kMin) return std::numeric_limits<T>::max();
  }
  static T apply(T acc, T v) {
    if constexpr (K == ReduceKind::kSum) return T(acc + v);
    if constexpr (K == ReduceKind::kProd) return T(acc * v);
    // NaN propagates, as in NumPy and TF.
    if constexpr (K == ReduceKind::kMax) return (v > acc || v != v) ? v : acc;
    if constexpr (K == ReduceKind::kMin) return (v < acc || v != v) ? v : acc;
  }
};

template <class T, ReduceKind K>
void reduce_rows(const T* in, T* out, std::int64_t outer, std::int64_t r, std::int64_t inner) {
  using Op = Reducer<T, K>;
  if (inner == 1) {
    parallel_for(outer, std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(r, 1)), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t o = b; o < e; ++o) {
        const T* row = in + o * r;
        T acc[8];
        std::fill(acc, acc + 8, Op::init());
        std::int64_t i = 0;
        for (; i + 8 <= r; i += 8) {
          for (int k = 0; k < 8; ++k) acc[k] = Op::apply(acc[k], row[i + k]);
        }
        for (; i < r; ++i) acc[0] = Op::apply(acc[0], row[i]);
        T total = acc[0];
        for (int k = 1; k < 8; ++k) total = Op::apply(total, acc[k]);
        out[o] = total;
      }
    });
    return;
  }
  // Reduce over the middle axis: accumulate whole inner rows, vectorised across `inner`.
  parallel_for(outer * inner, std::max<std::int64_t>(64, 65536 / std::max<std::int64_t>(r, 1)),
               [&](std::int64_t b, std::int64_t e) {
    // Work in units of (o, inner-range) so that each thread owns disjoint outputs.
    std::int64_t idx = b;
    while (idx < e) {
      const std::int64_t o = idx / inner;
      const std::int64_t j0 = idx % inner;
      const std::int64_t j1 = std::min(inner, j0 + (e - idx));
      T* acc = out + o * inner;
      for (std::int64_t j = j0; j < j1; ++j) acc[j] = Op::init();
      for (std::int64_t k = 0; k < r; ++k) {
        const T* row = in + (o * r + k) * inner;
        for (std::int64_t j = j0; j < j1; ++j) acc[j] = Op::apply(acc[j], row[j]);
      }
      idx += j1 - j0;
    }
  });
}

template <class T>
void reduce_dispatch(ReduceKind kind, const T* in, T* out, std::int64_t outer, std::int64_t r, std::int64_t inner) {
  switch (kind) {
    case ReduceKind::kSum: return reduce_rows<T, ReduceKind::kSum>(in, out, outer, r, inner);
    case ReduceKind::kProd: return reduce_rows<T, ReduceKind::kProd>(in, out, outer, r, inner);
    case ReduceKind::kMax: return reduce_rows<T, ReduceKind::kMax>(in, out, outer, r, inner);
    case ReduceKind::kMin: return reduce_rows<T, ReduceKind::kMin>(in, out, outer, r, inner);
  }
}

Shape reduced_shape(const Shape& shape, const std::vector<std::int64_t>& axes, bool keepdims) {
  Shape out;
  for (std::int64_t d = 0; d < static_cast<std::int64_t>(shape.size()); ++d) {
    const bool reduced = std::binary_search(axes.begin(), axes.end(), d);
    if (!reduced) {
      out.push_back(shape[d]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

}  // namespace

Tensor CpuBackend::reduce(ReduceKind kind, const Tensor& x, const std::vector<std::int64_t>& axes,
                          bool keepdims) {
  const ReduceLayout layout = reduce_layout(x, axes);
  Tensor out = Tensor::empty(reduced_shape(x.shape(), axes, keepdims), x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      reduce_dispatch<T>(kind, static_cast<const T*>(layout.data.raw_data()), static_cast<T*>(out.raw_data()),
                         layout.outer, layout.reduced, layout.inner);
    }
  });
  return out;
}

Tensor CpuBackend::prod_of_others(const Tensor& x, const std::vector<std::int64_t>& axes) {
  // Move the reduced axes last so that each group is one contiguous row, then use prefix and
  // suffix products (exact with zeros, unlike prod / x).
  std::vector<std::int64_t> perm;
  for (std::int64_t d = 0; d < x.dim(); ++d) {
    if (!std::binary_search(axes.begin(), axes.end(), d)) perm.push_back(d);
  }
  perm.insert(perm.end(), axes.begin(), axes.end());
  Shape shape(x.dim());
  Strides strides(x.dim());
  std::int64_t r = 1;
  for (std::int64_t d = 0; d < x.dim(); ++d) {
    shape[d] = x.shape()[perm[d]];
    strides[d] = x.strides()[perm[d]];
  }
  for (auto a : axes) r *= x.shape()[a];
  const Tensor moved = x.as_strided(shape, strides, x.offset()).contiguous();
  Tensor moved_out = Tensor::empty(shape, x.dtype());
  const std::int64_t groups = r == 0 ? 0 : x.numel() / r;
  visit_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = static_cast<const T*>(moved.raw_data());
    T* out = static_cast<T*>(moved_out.raw_data());
    parallel_for(groups, 1, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t o = b; o < e; ++o) {
        const T* row = in + o * r;
        T* res = out + o * r;
        T prefix = T(1);
        for (std::int64_t i = 0; i < r; ++i) {
          res[i] = prefix;
          prefix *= row[i];
        }
        T suffix = T(1);
        for (std::int64_t i = r; i-- > 0;) {
          res[i] *= suffix;
          suffix *= row[i];
        }
      }
    });
  });
  // Undo the permutation: moved axis d is original axis perm[d].
  Shape back_shape(x.dim());
  Strides back_strides(x.dim());
  for (std::int64_t d = 0; d < x.dim(); ++d) {
    back_shape[perm[d]] = shape[d];
    back_strides[perm[d]] = moved_out.strides()[d];
  }
  return moved_out.as_strided(back_shape, back_strides, 0).contiguous();
}

Tensor CpuBackend::arg_reduce(bool is_max, const Tensor& x, std::int64_t axis, bool keepdims) {
  const ReduceLayout layout = reduce_layout(x, {axis});
  Tensor out = Tensor::empty(reduced_shape(x.shape(), {axis}, keepdims), DType::kInt64);
  std::int64_t* po = static_cast<std::int64_t*>(out.raw_data());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = static_cast<const T*>(layout.data.raw_data());
    const std::int64_t r = layout.reduced, inner = layout.inner;
    parallel_for(layout.outer * inner, 4096 / std::max<std::int64_t>(r, 1) + 1, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t idx = b; idx < e; ++idx) {
        const std::int64_t o = idx / inner, j = idx % inner;
        const T* p = in + o * r * inner + j;
        std::int64_t best = 0;
        for (std::int64_t k = 1; k < r; ++k) {
          const T v = p[k * inner], cur = p[best * inner];
          if (cur != cur) break;  // NaN wins, first occurrence
          if (is_max ? (v > cur || v != v) : (v < cur || v != v)) best = k;
        }
        po[idx] = best;
      }
    });
  });
  return out;
}

}  // namespace fathom::kernels::cpu
