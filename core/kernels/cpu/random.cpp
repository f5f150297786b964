// SPDX-License-Identifier: Apache-2.0
// Counter-based random numbers (Philox-4x32-10, Salmon et al., SC'11): element i of a draw is a
// pure function of (key, i), so results do not depend on the thread count or chunking.
#include <array>
#include <cmath>
#include <limits>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {
namespace {

struct Philox {
  std::uint32_t k0, k1;

  std::array<std::uint32_t, 4> operator()(std::uint64_t counter_lo, std::uint32_t counter_hi) const {
    std::uint32_t c[4] = {static_cast<std::uint32_t>(counter_lo), static_cast<std::uint32_t>(counter_lo >> 32),
                          counter_hi, 0};
    std::uint32_t a = k0, b = k1;
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = std::uint64_t{0xD2511F53} * c[0];
      const std::uint64_t p1 = std::uint64_t{0xCD9E8D57} * c[2];
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ a;
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ b;
      c[0] = n0;
      c[1] = static_cast<std::uint32_t>(p1);
      c[2] = n2;
      c[3] = static_cast<std::uint32_t>(p0);
      a += 0x9E3779B9;
      b += 0xBB67AE85;
    }
    return {c[0], c[1], c[2], c[3]};
  }
};

/// A double in [0, 1) from 53 random bits.
double unit(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = (std::uint64_t{hi} << 21) ^ (lo >> 11);
  return static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) * 0x1.0p-53;
}

/// Box-Muller from one Philox block.
double normal(const std::array<std::uint32_t, 4>& r) {
  const double u1 = 1.0 - unit(r[0], r[1]);  // (0, 1]: log is finite
  const double u2 = unit(r[2], r[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

template <class T>
T below(double v, double hi) {
  // Rounding to float may land on the exclusive upper bound; step back below it.
  T t = static_cast<T>(v);
  if (static_cast<double>(t) >= hi) t = std::nextafter(static_cast<T>(hi), std::numeric_limits<T>::lowest());
  return t;
}

}  // namespace

void CpuBackend::random(Tensor& out, RandomKind kind, std::uint64_t key, double a, double b) {
  const Philox philox{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)};
  visit_floating(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(out.raw_data());
    parallel_for(out.numel(), 8192, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        const auto u = static_cast<std::uint64_t>(i);
        switch (kind) {
          case RandomKind::kUniform: {
            const auto r = philox(u, 0);
            p[i] = below<T>(a + (b - a) * unit(r[0], r[1]), b > a ? b : std::numeric_limits<double>::infinity());
            break;
          }
          case RandomKind::kNormal:
            p[i] = static_cast<T>(a + b * normal(philox(u, 0)));
            break;
          case RandomKind::kTruncatedNormal: {
            // Redraw outside two standard deviations; each retry uses the next counter word.
            double z = normal(philox(u, 0));
            for (std::uint32_t retry = 1; std::abs(z) > 2.0; ++retry) z = normal(philox(u, retry));
            p[i] = static_cast<T>(a + b * z);
            break;
          }
        }
      }
    });
  });
}

}  // namespace fathom::kernels::cpu
