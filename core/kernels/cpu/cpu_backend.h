// SPDX-License-Identifier: Apache-2.0
// Private: the CPU backend. Its kernels are spread over this folder, one family per file.
#pragma once
#include "core/kernels/backend.h"

namespace fathom::kernels::cpu {

class CpuBackend final : public Backend {
 public:
  void fill(Tensor& out, double value) override;
  void copy(Tensor& dst, const Tensor& src) override;
  Tensor unary(UnaryKind kind, const Tensor& x, UnaryParams p) override;
  Tensor fused_elementwise(const std::vector<FusedStep>& steps, const TensorList& inputs, const Shape& out_shape,
                           const Tensor& out) override;
  Tensor unary_grad(UnaryKind kind, const Tensor& x, const Tensor& y, const Tensor& gy,
                    UnaryParams p) override;
  Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) override;
  Tensor compare(CompareKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) override;
  Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) override;
  Tensor reduce(ReduceKind kind, const Tensor& x, const std::vector<std::int64_t>& axes,
                bool keepdims) override;
  Tensor prod_of_others(const Tensor& x, const std::vector<std::int64_t>& axes) override;
  Tensor arg_reduce(bool is_max, const Tensor& x, std::int64_t axis, bool keepdims) override;
  Tensor matmul(const Tensor& a, const Tensor& b, const Shape& out_shape) override;
  Tensor gather(const Tensor& params, const Tensor& indices, std::int64_t axis, const char* op) override;
  Tensor scatter_add(const Shape& params_shape, const Tensor& indices, const Tensor& updates,
                     std::int64_t axis) override;
  Tensor one_hot(const Tensor& indices, std::int64_t depth, double on_value, double off_value,
                 DType dtype) override;
  Tensor extract_patches(const Tensor& x, const PatchGeometry& g) override;
  Tensor patches_adjoint(const Tensor& patches, const Shape& image_shape, const PatchGeometry& g) override;
  void random(Tensor& out, RandomKind kind, std::uint64_t key, double a, double b) override;
  void adam_update(Tensor& var, Tensor& m, Tensor& v, const Tensor& grad, double alpha, double beta_1, double beta_2,
                   double epsilon) override;
  Tensor lstm_cell(const Tensor& z, const Tensor& c_prev) override;
  Tensor lstm_cell_grad(const Tensor& z, const Tensor& c_prev, const Tensor& out, const Tensor& grad) override;
};

/// Calls f(T{}) with T the C++ type of `dtype`.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32: return f(float{});
    case DType::kFloat64: return f(double{});
    case DType::kInt32: return f(std::int32_t{});
    case DType::kInt64: return f(std::int64_t{});
    case DType::kBool: return f(bool{});
  }
  return f(float{});
}

/// As visit_dtype for float32/float64 only (ops check dtypes before calling kernels).
template <class F>
decltype(auto) visit_floating(DType dtype, F&& f) {
  if (dtype == DType::kFloat64) return f(double{});
  return f(float{});
}

/// The input split for reductions along `axes`: a contiguous tensor viewed as [outer, R, inner]
/// (axes moved to a contiguous block first when they are not one already).
struct ReduceLayout {
  Tensor data;                 // contiguous
  std::int64_t outer = 1, reduced = 1, inner = 1;
  Shape moved_shape;           // shape of `data`
  std::vector<std::int64_t> permutation;  // of the original axes into `data`'s order
};
ReduceLayout reduce_layout(const Tensor& x, const std::vector<std::int64_t>& axes);

/// The unary kernels on n contiguous elements, on the calling thread (unary.cpp), for the fused
/// elementwise kernel.
template <class T>
void unary_forward_range(UnaryKind kind, const T* x, T* y, std::int64_t n, UnaryParams p);
template <class T>
void unary_backward_range(UnaryKind kind, const T* x, const T* y, const T* gy, T* gx, std::int64_t n, UnaryParams p);

}  // namespace fathom::kernels::cpu
