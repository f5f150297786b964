// SPDX-License-Identifier: Apache-2.0
// Private: n-dimensional iteration over strided operands, one innermost row at a time. Dims
// that are contiguous for every operand are merged first, so a contiguous tensor is one row.
#pragma once
#include <algorithm>
#include <array>
#include <vector>
#include <cstdint>

#include "core/shape.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {

template <int N>
struct RowLoop {
  Shape shape;                           // coalesced; innermost last
  std::array<Strides, N> strides;        // element strides per operand (0 = broadcast)

  RowLoop(const Shape& s, const std::array<Strides, N>& st) {
    // Drop size-1 dims, then merge neighbours that are contiguous for every operand.
    for (std::size_t d = 0; d < s.size(); ++d) {
      if (s[d] == 1) continue;
      bool merge = !shape.empty();
      for (int k = 0; k < N && merge; ++k) merge = strides[k].back() == st[k][d] * s[d];
      if (merge) {
        shape.back() *= s[d];
        for (int k = 0; k < N; ++k) strides[k].back() = st[k][d];
      } else {
        shape.push_back(s[d]);
        for (int k = 0; k < N; ++k) strides[k].push_back(st[k][d]);
      }
    }
    if (shape.empty()) {
      shape.push_back(1);
      for (int k = 0; k < N; ++k) strides[k].push_back(0);
    }
  }

  std::int64_t inner() const { return shape.back(); }
  std::int64_t rows() const {
    std::int64_t r = 1;
    for (std::size_t d = 0; d + 1 < shape.size(); ++d) r *= shape[d];
    return r;
  }

  /// f(offsets, n, inner_strides) for each row; offsets are element offsets per operand.
  template <class F>
  void run(F&& f, std::int64_t grain_elements = 1 << 16) const {
    const std::int64_t n = inner();
    const std::int64_t total_rows = rows();
    const std::int64_t outer_rank = static_cast<std::int64_t>(shape.size()) - 1;
    std::array<std::int64_t, N> inner_strides;
    for (int k = 0; k < N; ++k) inner_strides[k] = strides[k].back();
    auto body = [&](std::int64_t begin, std::int64_t end) {
      // Start offsets for row `begin`.
      std::vector<std::int64_t> index(outer_rank, 0);
      std::array<std::int64_t, N> off{};
      std::int64_t r = begin;
      for (std::int64_t d = outer_rank - 1; d >= 0; --d) {
        index[d] = r % shape[d];
        r /= shape[d];
        for (int k = 0; k < N; ++k) off[k] += index[d] * strides[k][d];
      }
      for (std::int64_t row = begin; row < end; ++row) {
        f(off, n, inner_strides);
        for (std::int64_t d = outer_rank - 1; d >= 0; --d) {
          for (int k = 0; k < N; ++k) off[k] += strides[k][d];
          if (++index[d] < shape[d]) break;
          for (int k = 0; k < N; ++k) off[k] -= strides[k][d] * shape[d];
          index[d] = 0;
        }
      }
    };
    if (total_rows == 1) {
      // One long row (a contiguous tensor): split the row itself.
      parallel_for(n, grain_elements, [&](std::int64_t b, std::int64_t e) {
        std::array<std::int64_t, N> off{};
        for (int k = 0; k < N; ++k) off[k] = b * inner_strides[k];
        f(off, e - b, inner_strides);
      });
      return;
    }
    const std::int64_t grain_rows = std::max<std::int64_t>(1, grain_elements / std::max<std::int64_t>(n, 1));
    parallel_for(total_rows, grain_rows, body);
  }
};

/// Strides of `t` broadcast to `out_shape` (0 where broadcast), aligned to the right.
inline Strides broadcast_strides(const Shape& shape, const Strides& strides, const Shape& out_shape) {
  Strides result(out_shape.size(), 0);
  const std::size_t lead = out_shape.size() - shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) {
    result[lead + i] = shape[i] == 1 ? 0 : strides[i];
  }
  return result;
}

}  // namespace fathom::kernels::cpu
