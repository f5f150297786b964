// SPDX-License-Identifier: Apache-2.0
// gather (embedding lookup), its adjoint scatter_add, and one_hot.
#include <cstring>

#include "core/error.h"
#include "core/kernels/cpu/cpu_backend.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {
namespace {

/// Indices as int64, contiguous; checked against [0, limit) unless `allow_out_of_range`.
std::vector<std::int64_t> read_indices(const Tensor& indices) {
  return indices.to_vector<std::int64_t>();
}

struct Split {
  std::int64_t outer = 1, axis = 1, inner = 1;
};

Split split_at(const Shape& shape, std::int64_t axis) {
  Split s;
  for (std::int64_t d = 0; d < static_cast<std::int64_t>(shape.size()); ++d) {
    (d < axis ? s.outer : d == axis ? s.axis : s.inner) *= shape[d];
  }
  return s;
}

}  // namespace

Tensor CpuBackend::gather(const Tensor& params_in, const Tensor& indices, std::int64_t axis, const char* op) {
  const Tensor params = params_in.contiguous();
  const auto idx = read_indices(indices);
  const Split s = split_at(params.shape(), axis);
  for (std::size_t i = 0; i < idx.size(); ++i) {
    FATHOM_CHECK(idx[i] >= 0 && idx[i] < s.axis, ValueError, op, ": index ", idx[i], " at position ", i,
                 " is out of range for axis ", axis, " of size ", s.axis, " (params shape ",
                 shape_to_string(params.shape()), ")");
  }
  Shape out_shape(params.shape().begin(), params.shape().begin() + axis);
  out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
  out_shape.insert(out_shape.end(), params.shape().begin() + axis + 1, params.shape().end());
  Tensor out = Tensor::empty(out_shape, params.dtype());
  const std::size_t elem = dtype_size(params.dtype());
  const std::size_t block = static_cast<std::size_t>(s.inner) * elem;
  const char* src = static_cast<const char*>(params.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  const std::int64_t count = static_cast<std::int64_t>(idx.size());
  parallel_for(s.outer * count, std::max<std::int64_t>(1, 65536 / std::max<std::size_t>(block, 1)),
               [&](std::int64_t b, std::int64_t e) {
                 for (std::int64_t t = b; t < e; ++t) {
                   const std::int64_t o = t / count, i = t % count;
                   std::memcpy(dst + t * block, src + (o * s.axis + idx[i]) * block, block);
                 }
               });
  return out;
}

Tensor CpuBackend::scatter_add(const Shape& params_shape, const Tensor& indices, const Tensor& updates_in,
                               std::int64_t axis) {
  const Tensor updates = updates_in.contiguous();
  const auto idx = read_indices(indices);
  const Split s = split_at(params_shape, axis);
  Tensor out = Tensor::zeros(params_shape, updates.dtype());
  const std::int64_t count = static_cast<std::int64_t>(idx.size());
  visit_floating(updates.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* up = static_cast<const T*>(updates.raw_data());
    T* po = static_cast<T*>(out.raw_data());
    // Parallel over inner columns: every thread owns a disjoint slice of each row, so repeated
    // indices never race.
    parallel_for(s.inner, 1024, [&](std::int64_t jb, std::int64_t je) {
      for (std::int64_t o = 0; o < s.outer; ++o) {
        for (std::int64_t i = 0; i < count; ++i) {
          T* row = po + (o * s.axis + idx[i]) * s.inner;
          const T* u = up + (o * count + i) * s.inner;
          for (std::int64_t j = jb; j < je; ++j) row[j] += u[j];
        }
      }
    });
  });
  return out;
}

Tensor CpuBackend::one_hot(const Tensor& indices, std::int64_t depth, double on_value, double off_value,
                           DType dtype) {
  const auto idx = read_indices(indices);
  Shape out_shape = indices.shape();
  out_shape.push_back(depth);
  Tensor out = Tensor::full(out_shape, off_value, dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* po = static_cast<T*>(out.raw_data());
    const T on = static_cast<T>(on_value);
    for (std::size_t i = 0; i < idx.size(); ++i) {
      // Out-of-range indices (negative ones too) give a row of off_value, as tf.one_hot does.
      if (idx[i] >= 0 && idx[i] < depth) po[i * depth + idx[i]] = on;
    }
  });
  return out;
}

}  // namespace fathom::kernels::cpu
