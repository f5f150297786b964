// SPDX-License-Identifier: Apache-2.0
// A chain of elementwise ops run one block at a time: each op's result for a block of 256
// elements stays in a stack buffer for the next op instead of going through memory, and the
// whole chain is one kernel call. The arithmetic is the unfused kernels' own (the unary kernels
// are called on each block; the binary formulas are binary.cpp's), so results are the same.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/kernels/cpu/cpu_backend.h"
#include "core/threading.h"

namespace fathom::kernels::cpu {
namespace {

constexpr std::int64_t kBlock = 512;
constexpr std::size_t kMaxSteps = kMaxFusedSteps;

template <class T>
void binary_block(BinaryKind kind, const T* a, const T* b, T* out, std::int64_t n) {
  switch (kind) {
    case BinaryKind::kAdd: for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i]; break;
    case BinaryKind::kSub: for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] - b[i]; break;
    case BinaryKind::kMul: for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i]; break;
    case BinaryKind::kDiv: for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] / b[i]; break;
    case BinaryKind::kPow: for (std::int64_t i = 0; i < n; ++i) out[i] = T(std::pow(a[i], b[i])); break;
    case BinaryKind::kMaximum: for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] > b[i] ? a[i] : b[i]; break;
    case BinaryKind::kMinimum: for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] < b[i] ? a[i] : b[i]; break;
  }
}

enum class Layout { kFull, kScalar, kRow, kStrided };

/// Copies elements [at, at + len) (row-major over the view's shape) of a strided view into dst:
/// one unravel, then an odometer walk.
template <class T>
void gather_strided(const T* base, const Shape& shape, const Strides& strides, std::int64_t at, std::int64_t len,
                    T* dst) {
  const std::size_t rank = shape.size();
  std::int64_t index[8] = {0};
  std::int64_t offset = 0;
  for (std::size_t d = rank, i = static_cast<std::size_t>(at); d-- > 0;) {
    index[d] = static_cast<std::int64_t>(i) % shape[d];
    offset += index[d] * strides[d];
    i /= static_cast<std::size_t>(shape[d]);
  }
  for (std::int64_t k = 0; k < len; ++k) {
    dst[k] = base[offset];
    for (std::size_t d = rank; d-- > 0;) {
      offset += strides[d];
      if (++index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/// Copies elements [at, at + len) of a row repeated over the leading dims into dst.
template <class T>
void gather_row(const T* row_data, std::int64_t row, std::int64_t at, std::int64_t len, T* dst) {
  std::int64_t j = at % row;
  for (std::int64_t k = 0; k < len;) {
    const std::int64_t run = std::min(len - k, row - j);
    std::copy(row_data + j, row_data + j + run, dst + k);
    k += run;
    j = 0;
  }
}

template <class T>
void run_fused(const std::vector<FusedStep>& steps, const TensorList& inputs, const std::vector<Layout>& layouts,
               std::int64_t row, T* out, std::int64_t n) {
  parallel_for(n, 1 << 14, [&](std::int64_t begin, std::int64_t end) {
    // Per thread, made once: each step's block of results and the broadcast operands.
    thread_local std::vector<T> scratch((kMaxSteps + 3) * kBlock);
    auto results = [&](std::size_t s) { return scratch.data() + s * kBlock; };
    T* broadcast[3] = {scratch.data() + kMaxSteps * kBlock, scratch.data() + (kMaxSteps + 1) * kBlock,
                       scratch.data() + (kMaxSteps + 2) * kBlock};
    for (std::int64_t at = begin; at < end; at += kBlock) {
      const std::int64_t len = std::min(kBlock, end - at);
      for (std::size_t s = 0; s < steps.size(); ++s) {
        const FusedStep& step = steps[s];
        const int arity = step.type == FusedStep::Type::kUnary ? 1 : step.type == FusedStep::Type::kBinary ? 2 : 3;
        const T* operand[3] = {nullptr, nullptr, nullptr};
        for (int k = 0; k < arity; ++k) {
          const int ref = step.operands[k];
          if (ref < 0) {
            operand[k] = results(static_cast<std::size_t>(-1 - ref));
            continue;
          }
          const T* base = static_cast<const T*>(inputs[ref].raw_data());
          switch (layouts[ref]) {
            case Layout::kFull: operand[k] = base + at; break;
            case Layout::kScalar: std::fill(broadcast[k], broadcast[k] + len, base[0]); operand[k] = broadcast[k]; break;
            case Layout::kRow:
              gather_row(base, row, at, len, broadcast[k]);
              operand[k] = broadcast[k];
              break;
            case Layout::kStrided:
              gather_strided(base, inputs[ref].shape(), inputs[ref].strides(), at, len, broadcast[k]);
              operand[k] = broadcast[k];
              break;
          }
        }
        T* result = s + 1 == steps.size() ? out + at : results(s);
        switch (step.type) {
          case FusedStep::Type::kUnary: unary_forward_range<T>(step.unary, operand[0], result, len, {}); break;
          case FusedStep::Type::kUnaryGrad:
            unary_backward_range<T>(step.unary, operand[0], operand[1], operand[2], result, len, {});
            break;
          case FusedStep::Type::kBinary: binary_block<T>(step.binary, operand[0], operand[1], result, len); break;
        }
      }
    }
  });
}

}  // namespace

Tensor CpuBackend::fused_elementwise(const std::vector<FusedStep>& steps, const TensorList& inputs_in,
                                     const Shape& out_shape, const Tensor& out_in) {
  FATHOM_CHECK(!steps.empty() && steps.size() <= kMaxSteps, ValueError, "fused_elementwise: ", steps.size(),
               " steps (1 to ", kMaxSteps, " supported)");
  const std::int64_t n = shape_numel(out_shape);
  const std::int64_t row = out_shape.empty() ? 1 : std::max<std::int64_t>(out_shape.back(), 1);
  // The output first: the tracing executor lends a kernel's first allocation the output's slice.
  const DType dtype = inputs_in.front().dtype();
  Tensor out = out_in.defined() ? out_in : Tensor::empty(out_shape, dtype);
  TensorList inputs;
  std::vector<Layout> layouts;
  for (const Tensor& t : inputs_in) {
    const std::int64_t m = t.numel();
    FATHOM_CHECK(m == n || m == 1 || m == row, ShapeError, "fused_elementwise: an input of shape ",
                 shape_to_string(t.shape()), " does not broadcast elementwise over ", shape_to_string(out_shape));
    // Strided views (a loss's gradient broadcast to the batch, a transpose) are read in place,
    // not copied: no allocation but the output.
    const bool walkable = t.dim() <= 8;
    layouts.push_back(m == 1                              ? Layout::kScalar
                      : m != n                            ? Layout::kRow
                      : t.is_contiguous() || !walkable    ? Layout::kFull
                                                          : Layout::kStrided);
    inputs.push_back(m == 1 || (m == n && walkable) ? t : t.contiguous());
  }
  if (n == 0) return out;
  visit_floating(dtype, [&](auto tag) {
    using T = decltype(tag);
    run_fused<T>(steps, inputs, layouts, row, static_cast<T*>(out.raw_data()), n);
  });
  return out;
}

}  // namespace fathom::kernels::cpu
