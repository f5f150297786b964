// SPDX-License-Identifier: Apache-2.0
// Batched matmul on OpenBLAS sgemm/dgemm. A transposed view is passed to BLAS as a transpose
// flag with its leading dimension; only operands that are neither row- nor column-major in
// their last two dims are copied. OpenBLAS runs single-threaded: a large GEMM is split into row
// (or column) blocks over Fathom's own pool, so that only one pool ever runs (OpenBLAS's idle
// threads busy-wait after each call and would fight Fathom's workers; docs/performance.md,
// lesson 1). (This TU includes <cblas.h>, so never xtensor-blas: docs/toolchain.md §1.)
#include <cblas.h>

#include <algorithm>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/kernels/cpu/strided.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {
namespace {

/// How one operand's last two dims [rows, cols] are handed to BLAS.
struct GemmOperand {
  Tensor tensor;  // possibly a contiguous copy
  CBLAS_TRANSPOSE trans = CblasNoTrans;
  std::int64_t ld = 1;
};

GemmOperand gemm_operand(const Tensor& t) {
  const std::int64_t rank = t.dim();
  const std::int64_t rows = t.shape()[rank - 2], cols = t.shape()[rank - 1];
  // Strides of size-1 dims carry no information; normalise them.
  std::int64_t rs = rows == 1 ? std::max<std::int64_t>(cols, 1) : t.strides()[rank - 2];
  std::int64_t cs = cols == 1 ? 1 : t.strides()[rank - 1];
  if (cs == 1 && rs >= std::max<std::int64_t>(cols, 1)) return {t, CblasNoTrans, rs};
  if (cols == 1 && rows > 1 && rs == 1) return {t, CblasNoTrans, 1};
  cs = cols == 1 ? std::max<std::int64_t>(rows, 1) : t.strides()[rank - 1];
  rs = rows == 1 ? 1 : t.strides()[rank - 2];
  if (rs == 1 && cs >= std::max<std::int64_t>(rows, 1)) return {t, CblasTrans, cs};
  Tensor c = t.contiguous();
  return {c, CblasNoTrans, std::max<std::int64_t>(cols, 1)};
}

void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, std::int64_t m, std::int64_t n, std::int64_t k,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float* c, std::int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
}

void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, std::int64_t m, std::int64_t n, std::int64_t k,
          const double* a, std::int64_t lda, const double* b, std::int64_t ldb, double* c, std::int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
}

/// C = op(A) op(B), split into blocks of rows of C (or of columns when C is wide and short)
/// across Fathom's threads. Each block is one single-threaded BLAS call over the same K, so the
/// result does not depend on the thread count.
template <class T>
void parallel_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, std::int64_t m, std::int64_t n, std::int64_t k,
                   const T* a, std::int64_t lda, const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  constexpr double kMinFlopsPerThread = 1 << 20;
  const int threads = num_threads();
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const int blocks = static_cast<int>(std::min<double>(threads, flops / kMinFlopsPerThread));
  if (blocks <= 1) {
    gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    return;
  }
  if (m >= 8 * blocks || m >= n) {
    parallel_for(m, (m + blocks - 1) / blocks, [&](std::int64_t r0, std::int64_t r1) {
      const T* a_rows = ta == CblasNoTrans ? a + r0 * lda : a + r0;
      gemm(ta, tb, r1 - r0, n, k, a_rows, lda, b, ldb, c + r0 * ldc, ldc);
    });
  } else {
    parallel_for(n, (n + blocks - 1) / blocks, [&](std::int64_t c0, std::int64_t c1) {
      const T* b_cols = tb == CblasNoTrans ? b + c0 : b + c0 * ldb;
      gemm(ta, tb, m, c1 - c0, k, a, lda, b_cols, ldb, c + c0, ldc);
    });
  }
}

/// True when every batch dim of `op` can be folded into its rows: a non-transposed operand
/// whose batch strides continue its row stride.
bool foldable_into_rows(const GemmOperand& op) {
  if (op.trans != CblasNoTrans) return false;
  const Tensor& t = op.tensor;
  const std::int64_t rank = t.dim();
  std::int64_t expected = op.ld * t.shape()[rank - 2];
  for (std::int64_t d = rank - 3; d >= 0; --d) {
    if (t.shape()[d] != 1 && t.strides()[d] != expected) return false;
    expected *= t.shape()[d];
  }
  return true;
}

}  // namespace

Tensor CpuBackend::matmul(const Tensor& a_in, const Tensor& b_in, const Shape& out_shape) {
  const std::int64_t rank = static_cast<std::int64_t>(out_shape.size());
  const std::int64_t m = out_shape[rank - 2], n = out_shape[rank - 1];
  const std::int64_t k = a_in.shape()[a_in.dim() - 1];
  if (shape_numel(out_shape) == 0 || k == 0) return Tensor::zeros(out_shape, a_in.dtype());
  Tensor out = Tensor::empty(out_shape, a_in.dtype());
  const GemmOperand a = gemm_operand(a_in);
  const GemmOperand b = gemm_operand(b_in);
  const std::int64_t batch = out.numel() / (m * n);
  visit_floating(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.tensor.raw_data());
    const T* pb = static_cast<const T*>(b.tensor.raw_data());
    T* pc = static_cast<T*>(out.raw_data());
    const bool b_shared = b.tensor.dim() == 2 || b.tensor.numel() == k * n;  // no batch in b
    if (batch == 1 || (b_shared && a.tensor.dim() == rank && foldable_into_rows(a))) {
      // One GEMM: [batch*M, K] x [K, N].
      parallel_gemm(a.trans, b.trans, batch * m, n, k, pa, a.ld, pb, b.ld, pc, n);
      return;
    }
    // One GEMM per batch entry; batch dims broadcast via zero strides.
    const Shape batch_shape(out_shape.begin(), out_shape.end() - 2);
    auto batch_strides = [&](const Tensor& t) {
      const Shape s(t.shape().begin(), t.shape().end() - 2);
      const Strides st(t.strides().begin(), t.strides().end() - 2);
      return broadcast_strides(s, st, batch_shape);
    };
    const Strides sa = batch_strides(a.tensor), sb = batch_strides(b.tensor);
    for (std::int64_t i = 0; i < batch; ++i) {
      std::int64_t oa = 0, ob = 0, rem = i;
      for (std::int64_t d = static_cast<std::int64_t>(batch_shape.size()) - 1; d >= 0; --d) {
        const std::int64_t idx = rem % batch_shape[d];
        rem /= batch_shape[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      parallel_gemm(a.trans, b.trans, m, n, k, pa + oa, a.ld, pb + ob, b.ld, pc + i * m * n, n);
    }
  });
  return out;
}

}  // namespace fathom::kernels::cpu
