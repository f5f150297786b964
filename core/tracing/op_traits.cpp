// SPDX-License-Identifier: Apache-2.0
#include "core/tracing/op_traits.h"

#include <algorithm>
#include <utility>

namespace fathom::tracing {
namespace {

using kernels::BinaryKind;
using kernels::UnaryKind;

constexpr std::pair<std::string_view, UnaryKind> kUnary[] = {
    {"neg", UnaryKind::kNeg},         {"abs", UnaryKind::kAbs},
    {"sign", UnaryKind::kSign},       {"exp", UnaryKind::kExp},
    {"log", UnaryKind::kLog},         {"sqrt", UnaryKind::kSqrt},
    {"square", UnaryKind::kSquare},   {"reciprocal", UnaryKind::kReciprocal},
    {"tanh", UnaryKind::kTanh},       {"sigmoid", UnaryKind::kSigmoid},
    {"relu", UnaryKind::kRelu},       {"relu6", UnaryKind::kRelu6},
    {"selu", UnaryKind::kSelu},       {"gelu", UnaryKind::kGelu},
    {"gelu_approximate", UnaryKind::kGeluTanh}, {"softplus", UnaryKind::kSoftplus},
    {"softsign", UnaryKind::kSoftsign}, {"swish", UnaryKind::kSwish},
    {"silu", UnaryKind::kSwish},      {"hard_sigmoid", UnaryKind::kHardSigmoidV3},
    {"hard_sigmoid_keras2", UnaryKind::kHardSigmoid}};

constexpr std::pair<std::string_view, BinaryKind> kBinary[] = {
    {"add", BinaryKind::kAdd}, {"sub", BinaryKind::kSub},         {"mul", BinaryKind::kMul},
    {"div", BinaryKind::kDiv}, {"pow", BinaryKind::kPow},         {"maximum", BinaryKind::kMaximum},
    {"minimum", BinaryKind::kMinimum}};

/// Unary ops whose kernel call captures a coefficient (elementwise, but not attribute-free).
constexpr std::string_view kUnaryWithParameters[] = {"pow_scalar", "clip", "leaky_relu", "elu"};

/// Attribute-free ops that are not elementwise arithmetic.
constexpr std::string_view kOtherAttributeFree[] = {"equal", "not_equal", "less", "less_equal", "greater",
                                                    "greater_equal", "where", "matmul", "batched_matmul", "lstm_cell"};

template <class Table>
auto find_in(const Table& table, std::string_view op) {
  const auto* it = std::find_if(std::begin(table), std::end(table), [&](const auto& e) { return e.first == op; });
  return it == std::end(table) ? std::nullopt : std::optional(it->second);
}

bool contains(const auto& names, std::string_view op) {
  return std::find(std::begin(names), std::end(names), op) != std::end(names);
}

}  // namespace

std::optional<UnaryKind> parameter_free_unary(std::string_view op) { return find_in(kUnary, op); }

std::optional<BinaryKind> elementwise_binary(std::string_view op) { return find_in(kBinary, op); }

bool is_elementwise(std::string_view op) {
  if (op.rfind("fused(", 0) == 0) return op.rfind("fused(matmul", 0) != 0;
  return parameter_free_unary(op) || elementwise_binary(op) || contains(kUnaryWithParameters, op);
}

bool is_attribute_free(std::string_view op) {
  return parameter_free_unary(op) || elementwise_binary(op) || contains(kOtherAttributeFree, op);
}

}  // namespace fathom::tracing
