// SPDX-License-Identifier: Apache-2.0
// Bad input throws the right fathom exception type, and the message names the op and the
// offending shapes, axes, indices or dtypes.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ops/elementwise.h"
#include "core/ops/indexing.h"
#include "core/ops/linalg.h"
#include "core/ops/nn.h"
#include "core/ops/reduce.h"
#include "core/ops/shape_ops.h"

namespace fathom {
namespace {

/// Runs `stmt`, expects it to throw `Type` (a fathom exception), and checks that what() contains
/// every fragment.
#define EXPECT_THROW_WITH(stmt, Type, ...)                                                     \
  do {                                                                                        \
    const std::initializer_list<const char*> fragments_ = {__VA_ARGS__};                      \
    try {                                                                                     \
      (void)(stmt);                                                                           \
      ADD_FAILURE() << "expected " #Type " from: " #stmt;                                     \
    } catch (const Type& e_) {                                                                \
      const std::string msg_ = e_.what();                                                     \
      for (const char* f_ : fragments_) {                                                     \
        EXPECT_NE(msg_.find(f_), std::string::npos) << "missing '" << f_ << "' in: " << msg_; \
      }                                                                                       \
    } catch (const std::exception& e_) {                                                      \
      ADD_FAILURE() << "expected " #Type ", got another exception: " << e_.what();           \
    }                                                                                         \
  } while (false)

Tensor f32(const Shape& shape) { return Tensor::zeros(shape, DType::kFloat32); }

TEST(ErrorsTest, FathomExceptionsDeriveFromError) {
  EXPECT_THROW(ops::add(f32({2}), f32({3})), Error);
  EXPECT_THROW(ops::add(f32({2}), f32({3})), std::runtime_error);
}

TEST(ErrorsTest, MismatchedBroadcastNamesOpAndShapes) {
  EXPECT_THROW_WITH(ops::add(f32({2, 3}), f32({4})), ShapeError, "add", "[2, 3]", "[4]");
  EXPECT_THROW_WITH(ops::mul(f32({3, 2}), f32({2, 3})), ShapeError, "mul", "[3, 2]", "[2, 3]");
  EXPECT_THROW_WITH(f32({5}) - f32({2}), ShapeError, "sub", "[5]", "[2]");
  EXPECT_THROW_WITH(ops::less(f32({2}), f32({3})), ShapeError, "less", "[2]", "[3]");
  EXPECT_THROW_WITH(ops::where(ops::less(f32({2}), f32({2})), f32({3}), f32({3})), ShapeError, "where");
}

TEST(ErrorsTest, OutOfRangeAxisNamesOpAndAxis) {
  const Tensor x = f32({2, 3});
  EXPECT_THROW_WITH(ops::sum(x, 2), ShapeError, "sum", "axis 2", "rank 2");
  EXPECT_THROW_WITH(ops::sum(x, {0, -3}), ShapeError, "sum", "-3");
  EXPECT_THROW_WITH(ops::mean(x, 5), ShapeError, "mean", "5");
  EXPECT_THROW_WITH(ops::max(x, {0, 0}), ShapeError, "max", "repeated");
  EXPECT_THROW_WITH(ops::argmax(x, 2), ShapeError, "argmax", "2");
  EXPECT_THROW_WITH(ops::argmin(x, -3), ShapeError, "argmin", "-3");
  EXPECT_THROW_WITH(ops::concat({x, x}, 2), ShapeError, "concat", "2");
  EXPECT_THROW_WITH(ops::transpose(x, {0, 2}), ShapeError, "transpose", "2");
  EXPECT_THROW_WITH(ops::transpose(x, {0, 1, 2}), ShapeError, "transpose", "[0, 1, 2]", "[2, 3]");
  EXPECT_THROW_WITH(ops::transpose(x, {1, 1}), ShapeError, "transpose", "[1, 1]");
  EXPECT_THROW_WITH(ops::expand_dims(x, 3), ShapeError, "expand_dims", "3");
  EXPECT_THROW_WITH(ops::softmax(x, 2), ShapeError, "softmax", "2");
  EXPECT_THROW_WITH(ops::log_softmax(x, -3), ShapeError, "log_softmax", "-3");
}

TEST(ErrorsTest, ConcatAndStackShapeMismatch) {
  EXPECT_THROW_WITH(ops::concat({f32({2, 3}), f32({2, 4})}, 0), ShapeError, "concat", "[2, 4]", "[2, 3]");
  EXPECT_THROW_WITH(ops::concat({f32({2, 3}), f32({2, 3, 1})}, 0), ShapeError, "concat", "[2, 3, 1]");
  EXPECT_THROW_WITH(ops::stack({f32({2}), f32({3})}), ShapeError, "stack", "[3]", "[2]");
  EXPECT_THROW_WITH(ops::concat({}, 0), ValueError, "concat");
}

TEST(ErrorsTest, BadReshape) {
  const Tensor x = f32({2, 3});
  EXPECT_THROW_WITH(ops::reshape(x, {4, 2}), ShapeError, "reshape", "[2, 3]", "[4, 2]");
  EXPECT_THROW_WITH(ops::reshape(x, {-1, 4}), ShapeError, "reshape", "[2, 3]", "6 elements");
  EXPECT_THROW_WITH(ops::reshape(x, {-1, -1}), ShapeError, "reshape");
  EXPECT_THROW_WITH(ops::squeeze(x, {0}), ShapeError, "squeeze", "[2, 3]");
  EXPECT_THROW_WITH(ops::broadcast_to(x, {3, 3}), ShapeError, "broadcast_to", "[2, 3]", "[3, 3]");
  EXPECT_THROW_WITH(ops::sum_to(x, {4}), ShapeError, "sum_to", "[2, 3]", "[4]");
}

TEST(ErrorsTest, GatherIndexOutOfRange) {
  const Tensor params = f32({4, 3});
  EXPECT_THROW_WITH(ops::gather(params, Tensor::from_vector<std::int32_t>({0, 7}), 0), ValueError, "gather",
                    "index 7", "[4, 3]");
  EXPECT_THROW_WITH(ops::gather(params, Tensor::from_vector<std::int64_t>({-1}), 1), ValueError, "gather",
                    "index -1");
  EXPECT_THROW_WITH(ops::gather(params, Tensor::from_vector<std::int64_t>({3}), 1), ValueError, "gather", "index 3");
  EXPECT_THROW_WITH(ops::gather(params, f32({2}), 0), ValueError, "gather", "int32 or int64", "float32");
  EXPECT_THROW_WITH(ops::gather(params, Tensor::from_vector<std::int32_t>({0}), 2), ShapeError, "gather", "2");
}

TEST(ErrorsTest, MatmulInnerDimMismatch) {
  EXPECT_THROW_WITH(ops::matmul(f32({2, 3}), f32({4, 5})), ShapeError, "matmul", "[2, 3]", "[4, 5]");
  EXPECT_THROW_WITH(ops::matmul(f32({2, 2, 3}), f32({3, 3, 4})), ShapeError, "matmul", "[2]", "[3]");
  EXPECT_THROW_WITH(ops::matmul(f32({2, 3}), f32({2, 3}), true, true), ShapeError, "matmul");
  EXPECT_THROW_WITH(ops::matmul(Tensor::scalar(1.0), f32({2})), ShapeError, "matmul");
  EXPECT_THROW_WITH(ops::matmul(f32({2}), f32({2}), true, false), ShapeError, "matmul", "transpose");
}

TEST(ErrorsTest, DtypeMismatch) {
  const Tensor a = f32({2}), b = Tensor::zeros({2}, DType::kFloat64);
  EXPECT_THROW_WITH(ops::add(a, b), ValueError, "add", "float32", "float64");
  EXPECT_THROW_WITH(a * b, ValueError, "mul", "float32", "float64");
  EXPECT_THROW_WITH(ops::matmul(f32({2, 2}), Tensor::zeros({2, 2}, DType::kFloat64)), ValueError, "matmul",
                    "float64");
  EXPECT_THROW_WITH(ops::equal(a, Tensor::zeros({2}, DType::kInt32)), ValueError, "equal", "int32");
  EXPECT_THROW_WITH(ops::concat({a, b}, 0), ValueError, "concat", "float64");
  EXPECT_THROW_WITH(ops::where(ops::less(a, a), a, b), ValueError, "where", "float64");
}

TEST(ErrorsTest, MathOnIntegerOrBoolTensors) {
  const Tensor i = Tensor::zeros({3}, DType::kInt32);
  EXPECT_THROW_WITH(ops::exp(i), ValueError, "exp", "int32", "[3]");
  EXPECT_THROW_WITH(ops::sigmoid(Tensor::zeros({2}, DType::kInt64)), ValueError, "sigmoid", "int64");
  EXPECT_THROW_WITH(ops::div(i, i), ValueError, "div", "int32");
  EXPECT_THROW_WITH(ops::mean(i), ValueError, "mean", "int32");
  EXPECT_THROW_WITH(ops::matmul(Tensor::zeros({2, 2}, DType::kInt32), Tensor::zeros({2, 2}, DType::kInt32)),
                    ValueError, "matmul", "int32");
  const Tensor b = Tensor::full({2}, 1.0, DType::kBool);
  EXPECT_THROW_WITH(ops::add(b, b), ValueError, "add", "bool");
  EXPECT_THROW_WITH(ops::sum(b), ValueError, "sum", "bool");
}

TEST(ErrorsTest, WhereNeedsBoolCondition) {
  const Tensor x = f32({2});
  EXPECT_THROW_WITH(ops::where(x, x, x), ValueError, "where", "bool", "float32");
  EXPECT_THROW_WITH(ops::where(Tensor::zeros({2}, DType::kInt32), x, x), ValueError, "where", "int32");
}

TEST(ErrorsTest, SplitPadSliceArguments) {
  const Tensor x = f32({5, 2});
  EXPECT_THROW_WITH(ops::split(x, 2, 0), ShapeError, "split", "5", "2", "[5, 2]");
  EXPECT_THROW_WITH(ops::split(x, std::vector<std::int64_t>{2, 2}, 0), ShapeError, "split", "[2, 2]", "5");
  EXPECT_THROW_WITH(ops::split(x, 0, 0), ShapeError, "split");
  EXPECT_THROW_WITH(ops::pad(x, {{1, 1}}), ShapeError, "pad", "rank 2", "[5, 2]");
  EXPECT_THROW_WITH(ops::pad(x, {{1, 1}, {0, 0}, {0, 0}}), ShapeError, "pad");
  EXPECT_THROW_WITH(ops::pad(x, {{-1, 0}, {0, 0}}), ValueError, "pad", "non-negative");
  EXPECT_THROW_WITH(ops::slice(x, {{0, 2, 0}}), ValueError, "slice", "step");
  EXPECT_THROW_WITH(ops::slice_axis(x, 1, 0, 1, 0), ValueError, "slice", "step");
  EXPECT_THROW_WITH(ops::slice(x, {{}, {}, {}}), ShapeError, "slice", "[5, 2]");
  EXPECT_THROW_WITH(ops::clip(x, 1.0, 0.0), ValueError, "clip");
  EXPECT_THROW_WITH(ops::one_hot(Tensor::from_vector<std::int32_t>({0}), -1), ValueError, "one_hot", "depth");
}

TEST(ErrorsTest, TensorAccessors) {
  EXPECT_THROW_WITH(f32({2, 2}).item<float>(), ShapeError, "item", "[2, 2]");
  EXPECT_THROW_WITH(f32({0}).item<float>(), ShapeError, "item", "[0]");
  EXPECT_NO_THROW(f32({1, 1}).item<float>());
  EXPECT_THROW_WITH(f32({2}).data<double>(), ValueError, "data", "float32", "float64");
  EXPECT_THROW_WITH(Tensor::zeros({2}, DType::kInt64).data<std::int32_t>(), ValueError, "int64", "int32");
  EXPECT_THROW_WITH(Tensor::from_vector<float>({1, 2, 3}, {2, 2}), ShapeError, "from_vector", "[2, 2]");
}

TEST(ErrorsTest, UndefinedTensor) {
  const Tensor u;
  EXPECT_FALSE(u.defined());
  EXPECT_THROW_WITH(u.shape(), ValueError, "undefined");
  EXPECT_THROW_WITH(u.numel(), ValueError, "undefined");
  EXPECT_THROW_WITH(u.to_vector<float>(), ValueError, "undefined");
  EXPECT_THROW_WITH(ops::add(u, f32({2})), ValueError, "add", "undefined");
  EXPECT_THROW_WITH(ops::exp(u), ValueError, "exp", "undefined");
  EXPECT_THROW_WITH(ops::sum(u), ValueError, "sum", "undefined");
  EXPECT_THROW_WITH(ops::reshape(u, {1}), ValueError, "reshape", "undefined");
  EXPECT_THROW_WITH(ops::matmul(u, u), ValueError, "matmul", "undefined");
  EXPECT_THROW_WITH(ops::cast(u, DType::kFloat64), ValueError, "cast", "undefined");
  EXPECT_EQ(u.to_string(), "Tensor(undefined)");
}

}  // namespace
}  // namespace fathom
