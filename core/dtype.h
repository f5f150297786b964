// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace fathom {

/// Element types. float32 is the default; float64 serves gradient checks; int32/int64 hold labels
/// and indices; bool is what comparisons return.
enum class DType : std::uint8_t { kFloat32, kFloat64, kInt32, kInt64, kBool };

std::size_t dtype_size(DType dtype);
/// Keras/NumPy names: "float32", "float64", "int32", "int64", "bool".
std::string dtype_name(DType dtype);
/// Parses a Keras/NumPy dtype name; throws ValueError listing the known names.
DType dtype_from_name(const std::string& name);
bool is_floating(DType dtype);

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::kFloat32; }
template <> constexpr DType dtype_of<double>() { return DType::kFloat64; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::kInt32; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::kInt64; }
template <> constexpr DType dtype_of<bool>() { return DType::kBool; }

}  // namespace fathom
