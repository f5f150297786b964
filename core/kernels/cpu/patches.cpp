// SPDX-License-Identifier: Apache-2.0
// extract_patches (NHWC, VALID, im2col ordered (kh, kw, C)) and its scatter-add adjoint.
#include <algorithm>
#include <cstring>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {
namespace {

struct PatchDims {
  std::int64_t b, h, w, c, oh, ow;
};

PatchDims dims_of(const Shape& image, const PatchGeometry& g) {
  return {image[0], image[1], image[2], image[3], (image[1] - (g.kh - 1) * g.dh - 1) / g.sh + 1,
          (image[2] - (g.kw - 1) * g.dw - 1) / g.sw + 1};
}

}  // namespace

Tensor CpuBackend::extract_patches(const Tensor& x_in, const PatchGeometry& g) {
  const Tensor x = x_in.contiguous();
  const PatchDims d = dims_of(x.shape(), g);
  const std::int64_t depth = g.kh * g.kw * d.c;
  Tensor out = Tensor::empty({d.b, d.oh, d.ow, depth}, x.dtype());
  const std::size_t elem = dtype_size(x.dtype());
  const std::size_t run = static_cast<std::size_t>(d.c) * elem;  // one C-contiguous pixel
  const char* src = static_cast<const char*>(x.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  const std::int64_t row_bytes = d.ow * depth * static_cast<std::int64_t>(elem);
  // One task per output row (b, oy): every output byte is written by exactly one task.
  parallel_for(d.b * d.oh, std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(row_bytes, 1)),
               [&](std::int64_t begin, std::int64_t end) {
                 for (std::int64_t t = begin; t < end; ++t) {
                   const std::int64_t bi = t / d.oh, oy = t % d.oh;
                   char* o = dst + t * row_bytes;
                   for (std::int64_t ox = 0; ox < d.ow; ++ox) {
                     for (std::int64_t ky = 0; ky < g.kh; ++ky) {
                       const std::int64_t iy = oy * g.sh + ky * g.dh;
                       const char* in_row = src + ((bi * d.h + iy) * d.w) * d.c * static_cast<std::int64_t>(elem);
                       for (std::int64_t kx = 0; kx < g.kw; ++kx) {
                         const std::int64_t ix = ox * g.sw + kx * g.dw;
                         std::memcpy(o, in_row + ix * d.c * static_cast<std::int64_t>(elem), run);
                         o += run;
                       }
                     }
                   }
                 }
               });
  return out;
}

Tensor CpuBackend::patches_adjoint(const Tensor& patches_in, const Shape& image_shape, const PatchGeometry& g) {
  const Tensor patches = patches_in.contiguous();
  const PatchDims d = dims_of(image_shape, g);
  Tensor out = Tensor::zeros(image_shape, patches.dtype());
  const std::int64_t depth = g.kh * g.kw * d.c;
  visit_floating(patches.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pp = static_cast<const T*>(patches.raw_data());
    T* po = static_cast<T*>(out.raw_data());
    // Parallel over the batch: windows of different images never overlap, so no races.
    parallel_for(d.b, 1, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t bi = begin; bi < end; ++bi) {
        for (std::int64_t oy = 0; oy < d.oh; ++oy) {
          for (std::int64_t ox = 0; ox < d.ow; ++ox) {
            const T* p = pp + ((bi * d.oh + oy) * d.ow + ox) * depth;
            for (std::int64_t ky = 0; ky < g.kh; ++ky) {
              const std::int64_t iy = oy * g.sh + ky * g.dh;
              for (std::int64_t kx = 0; kx < g.kw; ++kx) {
                const std::int64_t ix = ox * g.sw + kx * g.dw;
                T* q = po + ((bi * d.h + iy) * d.w + ix) * d.c;
                for (std::int64_t ci = 0; ci < d.c; ++ci) q[ci] += p[ci];
                p += d.c;
              }
            }
          }
        }
      }
    });
  });
  return out;
}

}  // namespace fathom::kernels::cpu
