// SPDX-License-Identifier: Apache-2.0
// The fused LSTM cell, forward and gradient: one pass over each batch row, the gates kept in
// registers (xsimd batches) instead of ~12 tensors. The gradient recomputes the gates from z
// rather than saving them: saving (i, f, g, o, tanh c) made the forward pass dearer by about what
// it saved the backward pass (the saved gates are as cold in cache as z by then), and held 5u
// more numbers per row and step. Formulas: core/ops/nn.h.
#include <xsimd/xsimd.hpp>

#include <algorithm>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {
namespace {

/// A [rows, cols] operand whose rows are contiguous (any row stride), as the kernels read it.
template <class T>
struct Rows {
  T* data;
  std::int64_t stride;
  T* row(std::int64_t r) const { return data + r * stride; }
};

/// `t` as rows with unit inner stride: a view when it already is one (slices of a packed
/// [B, 2u] output are), else a contiguous copy kept alive in `keep`.
template <class T>
Rows<T> rows_of(const Tensor& t, Tensor& keep) {
  const bool unit_inner = t.shape()[1] <= 1 || t.strides()[1] == 1;
  keep = unit_inner ? t : t.contiguous();
  const std::int64_t stride = keep.shape()[0] <= 1 ? keep.shape()[1] : keep.strides()[0];
  return {static_cast<T*>(keep.raw_data()), stride};
}

template <class T>
using Vec = xsimd::batch<T>;

/// Loads n <= lanes elements (zero-padded past n), so that a row's tail gets the same vector
/// formulas, and the same rounding, as its body.
template <class T>
Vec<T> load(const T* p, std::size_t n) {
  if (n == Vec<T>::size) return Vec<T>::load_unaligned(p);
  alignas(64) T tmp[Vec<T>::size] = {};
  std::copy(p, p + n, tmp);
  return Vec<T>::load_aligned(tmp);
}

template <class T>
void store(T* p, const Vec<T>& v, std::size_t n) {
  if (n == Vec<T>::size) return v.store_unaligned(p);
  alignas(64) T tmp[Vec<T>::size];
  v.store_aligned(tmp);
  std::copy(tmp, tmp + n, p);
}

/// 1 / (1 + exp(-x)): the formula of ops::sigmoid's kernel.
template <class T>
Vec<T> sigmoid(const Vec<T>& x) {
  return Vec<T>(T(1)) / (Vec<T>(T(1)) + xsimd::exp(-x));
}

/// One row: z (i, f, c, o blocks of u), c_prev -> h, c.
template <class T>
void forward_row(const T* z, const T* c_prev, T* h, T* c, std::int64_t u) {
  constexpr std::int64_t kLanes = Vec<T>::size;
  for (std::int64_t j = 0; j < u; j += kLanes) {
    const auto n = static_cast<std::size_t>(std::min(kLanes, u - j));
    const Vec<T> i = sigmoid(load(z + j, n));
    const Vec<T> f = sigmoid(load(z + u + j, n));
    const Vec<T> g = xsimd::tanh(load(z + 2 * u + j, n));
    const Vec<T> o = sigmoid(load(z + 3 * u + j, n));
    const Vec<T> cj = f * load(c_prev + j, n) + i * g;
    store(c + j, cj, n);
    store(h + j, o * xsimd::tanh(cj), n);
  }
}

/// One row of the gradient: from z, c_prev, the new c and (dh, dc_out), writes dz (4u) and
/// dc_prev (u).
template <class T>
void backward_row(const T* z, const T* c_prev, const T* c, const T* dh, const T* dc_out, T* dz, T* dc_prev,
                  std::int64_t u) {
  constexpr std::int64_t kLanes = Vec<T>::size;
  const Vec<T> one(T(1));
  for (std::int64_t j = 0; j < u; j += kLanes) {
    const auto n = static_cast<std::size_t>(std::min(kLanes, u - j));
    const Vec<T> i = sigmoid(load(z + j, n));
    const Vec<T> f = sigmoid(load(z + u + j, n));
    const Vec<T> g = xsimd::tanh(load(z + 2 * u + j, n));
    const Vec<T> o = sigmoid(load(z + 3 * u + j, n));
    const Vec<T> tc = xsimd::tanh(load(c + j, n));
    const Vec<T> gh = load(dh + j, n);
    const Vec<T> dc = load(dc_out + j, n) + gh * o * (one - tc * tc);  // through h = o tanh(c)
    store(dz + j, dc * g * i * (one - i), n);
    store(dz + u + j, dc * load(c_prev + j, n) * f * (one - f), n);
    store(dz + 2 * u + j, dc * i * (one - g * g), n);
    store(dz + 3 * u + j, gh * tc * o * (one - o), n);
    store(dc_prev + j, dc * f, n);
  }
}

/// Rows per thread: ~4K units (each ~5 exp/tanh). Splitting a [64, 128] cell over two threads
/// made a 2-thread LSTM step 25 % faster than 8K units did.
std::int64_t row_grain(std::int64_t u) { return std::max<std::int64_t>(1, (1 << 12) / std::max<std::int64_t>(u, 1)); }

}  // namespace

Tensor CpuBackend::lstm_cell(const Tensor& z_in, const Tensor& c_prev_in) {
  const std::int64_t batch = z_in.shape()[0], u = c_prev_in.shape()[1];
  Tensor out = Tensor::empty({batch, 2 * u}, z_in.dtype());
  visit_floating(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor zk, ck;
    const Rows<T> z = rows_of<T>(z_in, zk), cp = rows_of<T>(c_prev_in, ck);
    T* po = static_cast<T*>(out.raw_data());
    parallel_for(batch, row_grain(u), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) forward_row<T>(z.row(r), cp.row(r), po + r * 2 * u, po + r * 2 * u + u, u);
    });
  });
  return out;
}

Tensor CpuBackend::lstm_cell_grad(const Tensor& z_in, const Tensor& c_prev_in, const Tensor& out_in,
                                  const Tensor& grad_in) {
  const std::int64_t batch = z_in.shape()[0], u = c_prev_in.shape()[1];
  Tensor result = Tensor::empty({batch, 5 * u}, z_in.dtype());
  visit_floating(result.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor zk, ck, ok, gk;
    const Rows<T> z = rows_of<T>(z_in, zk), cp = rows_of<T>(c_prev_in, ck);
    const Rows<T> out = rows_of<T>(out_in, ok), grad = rows_of<T>(grad_in, gk);
    T* pr = static_cast<T*>(result.raw_data());
    parallel_for(batch, row_grain(u), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) {
        T* dz = pr + r * 5 * u;
        backward_row<T>(z.row(r), cp.row(r), out.row(r) + u, grad.row(r), grad.row(r) + u, dz, dz + 4 * u, u);
      }
    });
  });
  return result;
}

}  // namespace fathom::kernels::cpu
