// SPDX-License-Identifier: Apache-2.0
// What the graph passes know about an op from its name: one table, so that fusion, CSE and the
// memory plan agree on which ops are elementwise and which carry no attributes.
#pragma once
#include <optional>
#include <string_view>

#include "core/kernels/backend.h"

namespace fathom::tracing {

/// The kernel of a unary op without parameters (neg, exp, relu, ...; not clip, elu, leaky_relu,
/// pow_scalar). Its gradient op has the same name and three inputs (x, y, gy).
std::optional<kernels::UnaryKind> parameter_free_unary(std::string_view op);
/// The kernel of an elementwise binary op (add, sub, mul, div, pow, maximum, minimum).
std::optional<kernels::BinaryKind> elementwise_binary(std::string_view op);

/// Ops whose kernel computes out[i] from in[i] (and broadcast operands), so that the output may
/// be the memory of a same-shaped input that dies at the op: every unary op and its gradient,
/// the elementwise binary ops, and a fused chain without a matmul.
bool is_elementwise(std::string_view op);
/// Ops whose result depends on nothing but their inputs (no axes, shapes or coefficients
/// captured in their kernel call): equal names and inputs mean equal results.
bool is_attribute_free(std::string_view op);

}  // namespace fathom::tracing
