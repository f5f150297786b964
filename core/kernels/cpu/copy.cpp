// SPDX-License-Identifier: Apache-2.0
// fill and strided copy (with dtype conversion): what contiguous(), cast, slicing, concat and pad
// are built on.
#include <cstring>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/kernels/cpu/strided.h"

namespace fathom::kernels::cpu {
namespace {

template <class To, class From>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From{};
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace


void CpuBackend::fill(Tensor& out, double value) {
  visit_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = convert<T>(value);
    T* base = static_cast<T*>(out.raw_data());
    RowLoop<1>(out.shape(), {out.strides()}).run([&](auto off, std::int64_t n, auto st) {
      T* p = base + off[0];
      if (st[0] == 1) {
        for (std::int64_t i = 0; i < n; ++i) p[i] = v;
      } else {
        for (std::int64_t i = 0; i < n; ++i) p[i * st[0]] = v;
      }
    });
  });
}

void CpuBackend::copy(Tensor& dst, const Tensor& src) {
  if (dst.numel() == 0) return;
  const bool same_dtype = dst.dtype() == src.dtype();
  if (same_dtype && dst.is_contiguous() && src.is_contiguous()) {
    std::memcpy(dst.raw_data(), src.raw_data(), dst.numel() * dtype_size(dst.dtype()));
    return;
  }
  visit_dtype(dst.dtype(), [&](auto dst_tag) {
    using D = decltype(dst_tag);
    visit_dtype(src.dtype(), [&](auto src_tag) {
      using S = decltype(src_tag);
      D* out = static_cast<D*>(dst.raw_data());
      const S* in = static_cast<const S*>(src.raw_data());
      RowLoop<2>(dst.shape(), {dst.strides(), src.strides()}).run([&](auto off, std::int64_t n, auto st) {
        D* o = out + off[0];
        const S* x = in + off[1];
        if (st[0] == 1 && st[1] == 1) {
          for (std::int64_t i = 0; i < n; ++i) o[i] = convert<D>(x[i]);
        } else {
          for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = convert<D>(x[i * st[1]]);
        }
      });
    });
  });
}

}  // namespace fathom::kernels::cpu

namespace fathom::kernels {

Backend& cpu_backend() {
  static cpu::CpuBackend backend;
  return backend;
}

}  // namespace fathom::kernels
