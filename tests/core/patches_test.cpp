// SPDX-License-Identifier: Apache-2.0
// extract_patches: values against a naive im2col (float32 and float64), its adjoint as a
// second-order gradient, and errors. Its first-order gradient is in gradcheck_test.cpp.
#include <gtest/gtest.h>

#include <vector>

#include "core/ops.h"

namespace fathom {
namespace {

/// Naive reference: out[b, oy, ox, (ky*kw + kx)*C + c] = x[b, oy*sh + ky*dh, ox*sw + kx*dw, c].
std::vector<double> naive(const std::vector<double>& x, Shape s, std::int64_t kh, std::int64_t kw, std::int64_t sh,
                          std::int64_t sw, std::int64_t dh, std::int64_t dw) {
  const std::int64_t B = s[0], H = s[1], W = s[2], C = s[3];
  const std::int64_t OH = (H - (kh - 1) * dh - 1) / sh + 1, OW = (W - (kw - 1) * dw - 1) / sw + 1;
  std::vector<double> out;
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t oy = 0; oy < OH; ++oy)
      for (std::int64_t ox = 0; ox < OW; ++ox)
        for (std::int64_t ky = 0; ky < kh; ++ky)
          for (std::int64_t kx = 0; kx < kw; ++kx)
            for (std::int64_t c = 0; c < C; ++c)
              out.push_back(x[((b * H + oy * sh + ky * dh) * W + ox * sw + kx * dw) * C + c]);
  return out;
}

TEST(ExtractPatchesTest, MatchesNaiveIm2col) {
  const Shape s{2, 7, 6, 3};
  std::vector<double> v(2 * 7 * 6 * 3);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i) * 0.5 - 3;
  struct G { std::int64_t kh, kw, sh, sw, dh, dw; };
  for (const G g : {G{2, 3, 2, 1, 1, 1}, G{3, 2, 1, 2, 2, 1}, G{1, 1, 1, 1, 1, 1}, G{7, 6, 1, 1, 1, 1},
                    G{2, 2, 3, 3, 3, 2}}) {
    SCOPED_TRACE(::testing::Message() << g.kh << "x" << g.kw << " s" << g.sh << "," << g.sw << " d" << g.dh << ","
                                      << g.dw);
    const std::vector<double> want = naive(v, s, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
    const Tensor x64 = Tensor::from_vector<double>(v, s);
    const Tensor y64 = ops::extract_patches(x64, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
    EXPECT_EQ(y64.dim(), 4);
    EXPECT_EQ(y64.shape()[3], g.kh * g.kw * 3);
    EXPECT_EQ(y64.to_vector<double>(), want);
    const Tensor y32 = ops::extract_patches(ops::cast(x64, DType::kFloat32), g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
    EXPECT_EQ(y32.dtype(), DType::kFloat32);
    EXPECT_EQ(ops::cast(y32, DType::kFloat64).to_vector<double>(), want);
  }
}

TEST(ExtractPatchesTest, AdjointIsDifferentiable) {
  // d/du <adjoint(u), v> = extract_patches(v): the backward of the backward.
  std::vector<double> xv(1 * 4 * 5 * 2), vv(xv.size());
  for (std::size_t i = 0; i < xv.size(); ++i) {
    xv[i] = static_cast<double>(i % 7) - 3;
    vv[i] = static_cast<double>((i * 5) % 11) / 4;
  }
  const Tensor x = Tensor::from_vector<double>(xv, {1, 4, 5, 2});
  const Tensor v = Tensor::from_vector<double>(vv, {1, 4, 5, 2});
  const Tensor want = ops::extract_patches(v, 2, 2, 1, 2, 2, 1);
  std::vector<double> uv(static_cast<std::size_t>(want.numel()));
  for (std::size_t i = 0; i < uv.size(); ++i) uv[i] = static_cast<double>(i % 5) - 2;
  const Tensor u = Tensor::from_vector<double>(uv, want.shape());
  GradientTape outer;
  outer.watch(u);
  Tensor gx;
  {
    GradientTape inner;
    inner.watch(x);
    const Tensor y = ops::sum(ops::mul(ops::extract_patches(x, 2, 2, 1, 2, 2, 1), u));
    gx = inner.gradient(y, TensorList{x})[0];
  }
  const Tensor gu = outer.gradient(ops::sum(ops::mul(gx, v)), TensorList{u})[0];
  ASSERT_TRUE(gu.defined());
  EXPECT_EQ(gu.to_vector<double>(), want.to_vector<double>());
}

TEST(ExtractPatchesTest, Errors) {
  const Tensor x = Tensor::ones({1, 3, 4, 2});
  try {
    ops::extract_patches(x, 2, 3, 1, 1, 3, 1);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 3, 4, 2]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ops::extract_patches(Tensor::ones({3, 4, 2}), 1, 1), ShapeError);
  EXPECT_THROW(ops::extract_patches(x, 0, 1), ValueError);
  EXPECT_THROW(ops::extract_patches(Tensor::ones({1, 3, 4, 2}, DType::kInt32), 1, 1), ValueError);
}

}  // namespace
}  // namespace fathom
