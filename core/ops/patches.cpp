// SPDX-License-Identifier: Apache-2.0
// extract_patches (im2col, NHWC) with its scatter-add adjoint, written as gather/scatter are:
// each is the other's backward.
#include "core/ops/nn.h"
#include "core/ops/op_util.h"

namespace fathom::ops {
namespace {

using kernels::PatchGeometry;

Tensor patches_adjoint(const Tensor& grad, const Shape& image_shape, const PatchGeometry& g);

Tensor extract_patches_checked(const Tensor& x, const PatchGeometry& g) {
  return autograd::run_op(
      "extract_patches", {x},
      [g](const TensorList& in) { return kernels::backend_for("extract_patches", in).extract_patches(in[0], g); },
      [g](const autograd::GradContext& c) -> TensorList {
        return {patches_adjoint(c.grad, c.inputs[0].shape(), g)};
      });
}

Tensor patches_adjoint(const Tensor& grad, const Shape& image_shape, const PatchGeometry& g) {
  return autograd::run_op(
      "extract_patches", {grad},
      [image_shape, g](const TensorList& in) {
        return kernels::backend_for("extract_patches", in).patches_adjoint(in[0], image_shape, g);
      },
      [g](const autograd::GradContext& c) -> TensorList { return {extract_patches_checked(c.grad, g)}; });
}

}  // namespace

Tensor extract_patches(const Tensor& x, std::int64_t kh, std::int64_t kw, std::int64_t stride_h, std::int64_t stride_w,
                       std::int64_t dilation_h, std::int64_t dilation_w) {
  detail::expect_floating("extract_patches", x);
  FATHOM_CHECK(x.dim() == 4, ShapeError, "extract_patches: expected an NHWC input of rank 4, received shape ",
               shape_to_string(x.shape()));
  FATHOM_CHECK(kh > 0 && kw > 0 && stride_h > 0 && stride_w > 0 && dilation_h > 0 && dilation_w > 0, ValueError,
               "extract_patches: window sizes, strides and dilations must be positive. Received: kernel=(", kh, ", ",
               kw, "), strides=(", stride_h, ", ", stride_w, "), dilation=(", dilation_h, ", ", dilation_w, ")");
  const std::int64_t eff_h = (kh - 1) * dilation_h + 1, eff_w = (kw - 1) * dilation_w + 1;
  FATHOM_CHECK(eff_h <= x.shape()[1] && eff_w <= x.shape()[2], ShapeError, "extract_patches: the window (",
               eff_h, "x", eff_w, " with dilation) is larger than the input ", shape_to_string(x.shape()),
               " (VALID padding; pad the input first)");
  return extract_patches_checked(x, PatchGeometry{kh, kw, stride_h, stride_w, dilation_h, dilation_w});
}

}  // namespace fathom::ops
