// SPDX-License-Identifier: Apache-2.0
// Elementwise activations and math, forward and gradient, on xtensor expressions over the raw
// buffers (xsimd vectorises exp/tanh/log/erf; docs/performance.md §3).
#include <array>
#include <cmath>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xoperation.hpp>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {
namespace {

// Per-thread chunk sizes: below ~64K elements a second thread does not pay for a cheap op
// (relu, add); transcendental ones (exp, tanh, erf) are worth splitting from ~8K.
constexpr std::int64_t kCheapGrain = 1 << 16;
constexpr std::int64_t kCostlyGrain = 1 << 13;

bool is_costly(UnaryKind kind) {
  switch (kind) {
    case UnaryKind::kExp: case UnaryKind::kLog: case UnaryKind::kTanh: case UnaryKind::kSigmoid:
    case UnaryKind::kElu: case UnaryKind::kSelu: case UnaryKind::kGelu: case UnaryKind::kGeluTanh:
    case UnaryKind::kSoftplus: case UnaryKind::kSwish: case UnaryKind::kPowScalar: case UnaryKind::kSqrt:
      return true;
    default:
      return false;
  }
}
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kInvSqrt2 = 0.7071067811865476;
constexpr double kInvSqrt2Pi = 0.3989422804014327;

template <class T>
auto view(T* p, std::size_t n) {
  return xt::adapt(p, n, xt::no_ownership(), std::array<std::size_t, 1>{n});
}

/// Runs f(chunk_begin, chunk_length) over [0, n) in parallel chunks.
template <class F>
void chunks(UnaryKind kind, std::int64_t n, F&& f) {
  parallel_for(n, is_costly(kind) ? kCostlyGrain : kCheapGrain,
               [&](std::int64_t b, std::int64_t e) { f(b, static_cast<std::size_t>(e - b)); });
}

/// Elements [off, off + len) of the forward kernel, on the calling thread.
template <class T>
void forward_span(UnaryKind kind, const T* xp, T* yp, std::int64_t off, std::size_t len, UnaryParams p) {
  const T a = static_cast<T>(p.alpha), b = static_cast<T>(p.beta);
  (void)a;
  (void)b;
  {
    auto x = view(xp + off, len);
    auto y = view(yp + off, len);
    switch (kind) {
      case UnaryKind::kNeg: xt::noalias(y) = -x; break;
      case UnaryKind::kAbs: xt::noalias(y) = xt::abs(x); break;
      case UnaryKind::kSign: xt::noalias(y) = xt::sign(x); break;
      case UnaryKind::kExp: xt::noalias(y) = xt::exp(x); break;
      case UnaryKind::kLog: xt::noalias(y) = xt::log(x); break;
      case UnaryKind::kSqrt: xt::noalias(y) = xt::sqrt(x); break;
      case UnaryKind::kSquare: xt::noalias(y) = x * x; break;
      case UnaryKind::kReciprocal: xt::noalias(y) = T(1) / x; break;
      case UnaryKind::kTanh: xt::noalias(y) = xt::tanh(x); break;
      case UnaryKind::kSigmoid: xt::noalias(y) = T(1) / (T(1) + xt::exp(-x)); break;
      case UnaryKind::kRelu: xt::noalias(y) = xt::maximum(x, T(0)); break;
      case UnaryKind::kRelu6: xt::noalias(y) = xt::clip(x, T(0), T(6)); break;
      case UnaryKind::kLeakyRelu: xt::noalias(y) = xt::where(x > T(0), x, a * x); break;
      case UnaryKind::kElu: xt::noalias(y) = xt::where(x > T(0), x, a * (xt::exp(x) - T(1))); break;
      case UnaryKind::kSelu:
        xt::noalias(y) = T(kSeluScale) * xt::where(x > T(0), x, T(kSeluAlpha) * (xt::exp(x) - T(1)));
        break;
      case UnaryKind::kGelu: xt::noalias(y) = T(0.5) * x * (T(1) + xt::erf(x * T(kInvSqrt2))); break;
      case UnaryKind::kGeluTanh:
        xt::noalias(y) = T(0.5) * x * (T(1) + xt::tanh(T(kSqrt2OverPi) * (x + T(0.044715) * x * x * x)));
        break;
      case UnaryKind::kSoftplus: xt::noalias(y) = xt::log1p(xt::exp(-xt::abs(x))) + xt::maximum(x, T(0)); break;
      case UnaryKind::kSoftsign: xt::noalias(y) = x / (T(1) + xt::abs(x)); break;
      case UnaryKind::kSwish: xt::noalias(y) = x / (T(1) + xt::exp(-x)); break;
      case UnaryKind::kHardSigmoid: xt::noalias(y) = xt::clip(T(0.2) * x + T(0.5), T(0), T(1)); break;
      case UnaryKind::kHardSigmoidV3: xt::noalias(y) = xt::clip(x / T(6) + T(0.5), T(0), T(1)); break;
      case UnaryKind::kClip: xt::noalias(y) = xt::clip(x, a, b); break;
      case UnaryKind::kPowScalar: xt::noalias(y) = xt::pow(x, a); break;
    }
  }
}

template <class T>
void forward(UnaryKind kind, const T* xp, T* yp, std::int64_t n, UnaryParams p) {
  chunks(kind, n, [&](std::int64_t off, std::size_t len) { forward_span<T>(kind, xp, yp, off, len, p); });
}

/// Elements [off, off + len) of the gradient kernel, on the calling thread.
template <class T>
void backward_span(UnaryKind kind, const T* xp, const T* yp, const T* gp, T* op, std::int64_t off, std::size_t len,
                   UnaryParams p) {
  const T a = static_cast<T>(p.alpha), b = static_cast<T>(p.beta);
  (void)a;
  (void)b;
  {
    auto x = view(xp + off, len);
    auto y = view(yp + off, len);
    auto g = view(gp + off, len);
    auto o = view(op + off, len);
    switch (kind) {
      case UnaryKind::kNeg: xt::noalias(o) = -g; break;
      case UnaryKind::kAbs: xt::noalias(o) = g * xt::sign(x); break;
      case UnaryKind::kSign: xt::noalias(o) = T(0) * g; break;
      case UnaryKind::kExp: xt::noalias(o) = g * y; break;
      case UnaryKind::kLog: xt::noalias(o) = g / x; break;
      case UnaryKind::kSqrt: xt::noalias(o) = g * T(0.5) / y; break;
      case UnaryKind::kSquare: xt::noalias(o) = g * T(2) * x; break;
      case UnaryKind::kReciprocal: xt::noalias(o) = -g * y * y; break;
      case UnaryKind::kTanh: xt::noalias(o) = g * (T(1) - y * y); break;
      case UnaryKind::kSigmoid: xt::noalias(o) = g * y * (T(1) - y); break;
      case UnaryKind::kRelu: xt::noalias(o) = xt::where(x > T(0), g, T(0)); break;
      case UnaryKind::kRelu6: xt::noalias(o) = xt::where(x > T(0) && x < T(6), g, T(0)); break;
      case UnaryKind::kLeakyRelu: xt::noalias(o) = xt::where(x > T(0), g, a * g); break;
      case UnaryKind::kElu: xt::noalias(o) = xt::where(x > T(0), g, g * (y + a)); break;
      case UnaryKind::kSelu:
        xt::noalias(o) = T(kSeluScale) * xt::where(x > T(0), g, g * T(kSeluAlpha) * xt::exp(x));
        break;
      case UnaryKind::kGelu:
        xt::noalias(o) = g * (T(0.5) * (T(1) + xt::erf(x * T(kInvSqrt2))) +
                              x * T(kInvSqrt2Pi) * xt::exp(T(-0.5) * x * x));
        break;
      case UnaryKind::kGeluTanh: {
        auto t = xt::eval(xt::tanh(T(kSqrt2OverPi) * (x + T(0.044715) * x * x * x)));
        xt::noalias(o) = g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * T(kSqrt2OverPi) *
                                                         (T(1) + T(3 * 0.044715) * x * x));
        break;
      }
      case UnaryKind::kSoftplus: xt::noalias(o) = g / (T(1) + xt::exp(-x)); break;
      case UnaryKind::kSoftsign: xt::noalias(o) = g / ((T(1) + xt::abs(x)) * (T(1) + xt::abs(x))); break;
      case UnaryKind::kSwish: {
        auto s = xt::eval(T(1) / (T(1) + xt::exp(-x)));
        xt::noalias(o) = g * (s + x * s * (T(1) - s));
        break;
      }
      case UnaryKind::kHardSigmoid:
        xt::noalias(o) = xt::where(x > T(-2.5) && x < T(2.5), T(0.2) * g, T(0));
        break;
      case UnaryKind::kHardSigmoidV3:
        xt::noalias(o) = xt::where(x > T(-3) && x < T(3), g / T(6), T(0));
        break;
      case UnaryKind::kClip: xt::noalias(o) = xt::where(x >= a && x <= b, g, T(0)); break;
      case UnaryKind::kPowScalar: xt::noalias(o) = g * a * xt::pow(x, a - T(1)); break;
    }
  }
}

template <class T>
void backward(UnaryKind kind, const T* xp, const T* yp, const T* gp, T* op, std::int64_t n, UnaryParams p) {
  chunks(kind, n, [&](std::int64_t off, std::size_t len) { backward_span<T>(kind, xp, yp, gp, op, off, len, p); });
}

}  // namespace

template <class T>
void unary_forward_range(UnaryKind kind, const T* x, T* y, std::int64_t n, UnaryParams p) {
  forward_span<T>(kind, x, y, 0, static_cast<std::size_t>(n), p);
}
template <class T>
void unary_backward_range(UnaryKind kind, const T* x, const T* y, const T* gy, T* gx, std::int64_t n, UnaryParams p) {
  backward_span<T>(kind, x, y, gy, gx, 0, static_cast<std::size_t>(n), p);
}
template void unary_forward_range<float>(UnaryKind, const float*, float*, std::int64_t, UnaryParams);
template void unary_forward_range<double>(UnaryKind, const double*, double*, std::int64_t, UnaryParams);
template void unary_backward_range<float>(UnaryKind, const float*, const float*, const float*, float*, std::int64_t,
                                          UnaryParams);
template void unary_backward_range<double>(UnaryKind, const double*, const double*, const double*, double*,
                                           std::int64_t, UnaryParams);

Tensor CpuBackend::unary(UnaryKind kind, const Tensor& x_in, UnaryParams p) {
  const Tensor x = x_in.contiguous();
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  visit_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    forward<T>(kind, static_cast<const T*>(x.raw_data()), static_cast<T*>(y.raw_data()), x.numel(), p);
  });
  return y;
}

Tensor CpuBackend::unary_grad(UnaryKind kind, const Tensor& x_in, const Tensor& y_in,
                              const Tensor& gy_in, UnaryParams p) {
  const Tensor x = x_in.contiguous(), y = y_in.contiguous(), gy = gy_in.contiguous();
  Tensor gx = Tensor::empty(x.shape(), x.dtype());
  visit_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward<T>(kind, static_cast<const T*>(x.raw_data()), static_cast<const T*>(y.raw_data()),
                static_cast<const T*>(gy.raw_data()), static_cast<T*>(gx.raw_data()), x.numel(), p);
  });
  return gx;
}

}  // namespace fathom::kernels::cpu
