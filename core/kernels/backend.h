// SPDX-License-Identifier: Apache-2.0
// Private: the kernels each device provides. Ops (core/ops/*.cpp) check shapes and dtypes, then
// call backend_for(tensor).<kernel>; nothing above this line knows which device runs it.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace fathom::kernels {

enum class UnaryKind {
  kNeg, kAbs, kSign, kExp, kLog, kSqrt, kSquare, kReciprocal, kTanh, kSigmoid, kRelu, kRelu6,
  kLeakyRelu, kElu, kSelu, kGelu, kGeluTanh, kSoftplus, kSoftsign, kSwish, kHardSigmoid,
  kHardSigmoidV3, kClip, kPowScalar,
};
/// alpha/beta: leaky_relu and elu slope (alpha), clip bounds (alpha, beta), pow exponent (alpha).
struct UnaryParams {
  double alpha = 0.0;
  double beta = 0.0;
};

enum class BinaryKind { kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum };
enum class CompareKind { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };
enum class ReduceKind { kSum, kMax, kMin, kProd };
/// Window geometry of extract_patches: kernel (kh, kw), strides (sh, sw), dilations (dh, dw).
struct PatchGeometry {
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
};

enum class RandomKind { kNormal, kUniform, kTruncatedNormal };

/// The most steps one fused elementwise kernel runs (the fusion pass splits longer chains).
constexpr std::size_t kMaxFusedSteps = 16;

/// One step of a fused elementwise program (tracing's fuse_elementwise pass): its result is
/// f(operands), each operand an input of the fused kernel (k >= 0) or an earlier step's result
/// (-1 - step). The last step's result is the kernel's output.
struct FusedStep {
  enum class Type { kUnary, kUnaryGrad, kBinary };  // unary: 1 operand; its gradient: (x, y, gy); binary: 2
  Type type = Type::kUnary;
  UnaryKind unary = UnaryKind::kNeg;
  BinaryKind binary = BinaryKind::kAdd;
  int operands[3] = {0, 0, 0};
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual void fill(Tensor& out, double value) = 0;
  /// dst = src elementwise, any strides on both sides, converting dtype if they differ.
  virtual void copy(Tensor& dst, const Tensor& src) = 0;

  virtual Tensor unary(UnaryKind kind, const Tensor& x, UnaryParams p) = 0;
  /// gx = gy * f'(x) for the unary f, given x and y = f(x) (whichever the formula needs).
  virtual Tensor unary_grad(UnaryKind kind, const Tensor& x, const Tensor& y, const Tensor& gy,
                            UnaryParams p) = 0;
  /// NumPy-broadcasting binary op; `out_shape` is the broadcast shape.
  virtual Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) = 0;
  virtual Tensor compare(CompareKind kind, const Tensor& a, const Tensor& b,
                         const Shape& out_shape) = 0;
  virtual Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b,
                       const Shape& out_shape) = 0;

  /// Reduces over `axes` (sorted, unique, in range); keeps them as size 1 when `keepdims`.
  virtual Tensor reduce(ReduceKind kind, const Tensor& x, const std::vector<std::int64_t>& axes,
                        bool keepdims) = 0;
  /// For prod's gradient: each element replaced by the product of the other elements of its
  /// reduction group over `axes`, exact when elements are zero.
  virtual Tensor prod_of_others(const Tensor& x, const std::vector<std::int64_t>& axes) = 0;
  /// Index (int64) of the max (or min) along `axis`; ties give the first.
  virtual Tensor arg_reduce(bool is_max, const Tensor& x, std::int64_t axis, bool keepdims) = 0;

  /// Batched matmul of a [..., M, K] and b [..., K, N] with broadcast batch dims. Operands whose
  /// last two dims are a transposed view are passed to BLAS with a transpose flag, not copied.
  virtual Tensor matmul(const Tensor& a, const Tensor& b, const Shape& out_shape) = 0;

  /// out[..., i, ...] = params[..., indices[i], ...] along `axis`; indices int32/int64, checked.
  virtual Tensor gather(const Tensor& params, const Tensor& indices, std::int64_t axis,
                        const char* op) = 0;
  /// out (zeros of `params_shape`) += updates scattered along `axis` by indices (gather's adjoint).
  virtual Tensor scatter_add(const Shape& params_shape, const Tensor& indices,
                             const Tensor& updates, std::int64_t axis) = 0;
  virtual Tensor one_hot(const Tensor& indices, std::int64_t depth, double on_value,
                         double off_value, DType dtype) = 0;

  /// x [B, H, W, C] (NHWC, VALID) -> [B, OH, OW, kh*kw*C] ordered (kh, kw, C);
  /// OH = (H - (kh-1)*dh - 1) / sh + 1 (the op checks OH, OW >= 1).
  virtual Tensor extract_patches(const Tensor& x, const PatchGeometry& g) = 0;
  /// extract_patches's adjoint: patches [B, OH, OW, kh*kw*C] scatter-added into zeros of
  /// `image_shape` [B, H, W, C].
  virtual Tensor patches_adjoint(const Tensor& patches, const Shape& image_shape, const PatchGeometry& g) = 0;

  /// Adam's in-place update in one pass (core/ops/fused_updates.h gives the formula).
  virtual void adam_update(Tensor& var, Tensor& m, Tensor& v, const Tensor& grad, double alpha, double beta_1,
                           double beta_2, double epsilon) = 0;

  /// The fused LSTM cell (core/ops/nn.h gives the formulas): z [B, 4u], c_prev [B, u] ->
  /// [B, 2u] = (h, c). Inputs may be row-strided views.
  virtual Tensor lstm_cell(const Tensor& z, const Tensor& c_prev) = 0;
  /// Its gradient from the inputs, the output (h, c) and its gradient (dh, dc), both [B, 2u]:
  /// [B, 5u] = (dz, dc_prev).
  virtual Tensor lstm_cell_grad(const Tensor& z, const Tensor& c_prev, const Tensor& out, const Tensor& grad) = 0;

  /// Runs `steps` elementwise over `out_shape`, one cache-sized block at a time (each
  /// intermediate result stays in a block buffer). Each input has out_shape, one element, or the
  /// last dim of out_shape (broadcast over the leading dims). Writes into `out` when it is given
  /// (it may be inputs[k]'s memory: each block is read before it is written), else a new tensor.
  virtual Tensor fused_elementwise(const std::vector<FusedStep>& steps, const TensorList& inputs,
                                   const Shape& out_shape, const Tensor& out) = 0;

  /// Fills `out` (contiguous) from the counter-based generator keyed by `key`.
  virtual void random(Tensor& out, RandomKind kind, std::uint64_t key, double a, double b) = 0;
};

/// The backend for `device`; throws DeviceError when this build has none for it.
Backend& backend(Device device);
/// The backend for the device of `inputs` (which must agree); `op` names the op in errors.
Backend& backend_for(const char* op, const TensorList& inputs);

Backend& cpu_backend();

}  // namespace fathom::kernels
