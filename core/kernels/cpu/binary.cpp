// SPDX-License-Identifier: Apache-2.0
// Broadcasting binary arithmetic, comparisons and where. The inner loop is specialised for the
// stride patterns that matter (same shape; a row vector such as a bias; a scalar) so that the
// compiler vectorises them.
#include <algorithm>
#include <cmath>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/kernels/cpu/strided.h"

namespace fathom::kernels::cpu {
namespace {

/// out = f(a, b) with broadcasting; out is a fresh contiguous tensor of dtype R.
template <class T, class R, class F>
void binary_loop(const Tensor& a, const Tensor& b, Tensor& out, F f) {
  const Shape& shape = out.shape();
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  R* po = static_cast<R*>(out.raw_data());
  RowLoop<3> loop(shape, {out.strides(), broadcast_strides(a.shape(), a.strides(), shape),
                          broadcast_strides(b.shape(), b.strides(), shape)});
  loop.run([&](auto off, std::int64_t n, auto st) {
    R* o = po + off[0];
    const T* x = pa + off[1];
    const T* y = pb + off[2];
    if (st[1] == 1 && st[2] == 1) {
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (st[1] == 1 && st[2] == 0) {
      const T yv = *y;
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (st[1] == 0 && st[2] == 1) {
      const T xv = *x;
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i * st[1]], y[i * st[2]]);
    }
  });
}

template <class T>
void arithmetic(BinaryKind kind, const Tensor& a, const Tensor& b, Tensor& out) {
  switch (kind) {
    case BinaryKind::kAdd: return binary_loop<T, T>(a, b, out, [](T x, T y) { return T(x + y); });
    case BinaryKind::kSub: return binary_loop<T, T>(a, b, out, [](T x, T y) { return T(x - y); });
    case BinaryKind::kMul: return binary_loop<T, T>(a, b, out, [](T x, T y) { return T(x * y); });
    case BinaryKind::kDiv:
      if constexpr (std::is_integral_v<T>) {
        // Unreachable through ops::div (floating dtypes only); defined so that it is total.
        return binary_loop<T, T>(a, b, out, [](T x, T y) { return T(y == 0 ? 0 : x / y); });
      } else {
        return binary_loop<T, T>(a, b, out, [](T x, T y) { return x / y; });
      }
    case BinaryKind::kPow:
      return binary_loop<T, T>(a, b, out, [](T x, T y) { return T(std::pow(x, y)); });
    case BinaryKind::kMaximum:
      return binary_loop<T, T>(a, b, out, [](T x, T y) { return x > y ? x : y; });
    case BinaryKind::kMinimum:
      return binary_loop<T, T>(a, b, out, [](T x, T y) { return x < y ? x : y; });
  }
}

template <class T>
void comparison(CompareKind kind, const Tensor& a, const Tensor& b, Tensor& out) {
  switch (kind) {
    case CompareKind::kEqual: return binary_loop<T, bool>(a, b, out, [](T x, T y) { return x == y; });
    case CompareKind::kNotEqual: return binary_loop<T, bool>(a, b, out, [](T x, T y) { return x != y; });
    case CompareKind::kLess: return binary_loop<T, bool>(a, b, out, [](T x, T y) { return x < y; });
    case CompareKind::kLessEqual: return binary_loop<T, bool>(a, b, out, [](T x, T y) { return x <= y; });
    case CompareKind::kGreater: return binary_loop<T, bool>(a, b, out, [](T x, T y) { return x > y; });
    case CompareKind::kGreaterEqual:
      return binary_loop<T, bool>(a, b, out, [](T x, T y) { return x >= y; });
  }
}

}  // namespace

Tensor CpuBackend::binary(BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, a.dtype());
  if (out.numel() == 0) return out;
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) arithmetic<T>(kind, a, b, out);
  });
  return out;
}

Tensor CpuBackend::compare(CompareKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, DType::kBool);
  if (out.numel() == 0) return out;
  visit_dtype(a.dtype(), [&](auto tag) { comparison<decltype(tag)>(kind, a, b, out); });
  return out;
}

Tensor CpuBackend::where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, a.dtype());
  if (out.numel() == 0) return out;
  const bool* pc = static_cast<const bool*>(cond.raw_data());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    T* po = static_cast<T*>(out.raw_data());
    RowLoop<4> loop(out_shape, {out.strides(), broadcast_strides(cond.shape(), cond.strides(), out_shape),
                                broadcast_strides(a.shape(), a.strides(), out_shape),
                                broadcast_strides(b.shape(), b.strides(), out_shape)});
    loop.run([&](auto off, std::int64_t n, auto st) {
      for (std::int64_t i = 0; i < n; ++i) {
        po[off[0] + i * st[0]] = pc[off[1] + i * st[1]] ? pa[off[2] + i * st[2]] : pb[off[3] + i * st[3]];
      }
    });
  });
  return out;
}

}  // namespace fathom::kernels::cpu
