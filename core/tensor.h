// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"

namespace fathom {

namespace detail {
struct TensorImpl;
struct Storage;
}  // namespace detail

/// An n-dimensional, row-major array with shape, strides, dtype and device. Copies are cheap and
/// share storage; views (reshape of a contiguous tensor, transpose, slices) share it too. Math
/// lives in core/ops.h; this class only describes and moves data.
class Tensor {
 public:
  /// An undefined tensor (what an unconnected gradient is); `defined()` is false.
  Tensor() = default;

  static Tensor empty(const Shape& shape, DType dtype = DType::kFloat32, Device device = {});
  static Tensor zeros(const Shape& shape, DType dtype = DType::kFloat32, Device device = {});
  static Tensor ones(const Shape& shape, DType dtype = DType::kFloat32, Device device = {});
  static Tensor full(const Shape& shape, double value, DType dtype = DType::kFloat32,
                     Device device = {});
  /// A rank-0 tensor.
  static Tensor scalar(double value, DType dtype = DType::kFloat32);
  /// Copies `values` into a new CPU tensor; the shape defaults to [values.size()].
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape = {-1});
  /// 0, 1, ..., n-1.
  static Tensor arange(std::int64_t n, DType dtype = DType::kFloat32);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  const Strides& strides() const;
  std::int64_t offset() const;
  std::int64_t dim() const { return static_cast<std::int64_t>(shape().size()); }
  std::int64_t size(std::int64_t axis) const;
  std::int64_t numel() const;
  DType dtype() const;
  Device device() const;
  bool is_contiguous() const;
  /// A unique id for this tensor value (not its storage); what GradientTape keys on.
  std::uint64_t id() const;
  /// True when both share one storage buffer (views of each other, or copies of one Tensor).
  bool shares_storage_with(const Tensor& other) const;

  /// This tensor if contiguous, otherwise a contiguous copy.
  Tensor contiguous() const;
  /// A contiguous deep copy.
  Tensor clone() const;
  /// A copy on `device` (this tensor if it is already there).
  Tensor to(Device device) const;
  /// Copies `src` (same shape and dtype) into this tensor's memory, honouring strides.
  void copy_from(const Tensor& src);

  /// A view with new shape/strides/offset over the same storage (no checks beyond bounds).
  Tensor as_strided(const Shape& shape, const Strides& strides, std::int64_t offset) const;

  /// Pointer to the first element; checks dtype and that the tensor is on the CPU.
  template <class T> T* data();
  template <class T> const T* data() const;
  /// Untyped pointer to the first element (any device).
  void* raw_data() const;

  /// Elements in row-major order (copies; works for any strides).
  template <class T> std::vector<T> to_vector() const;
  /// The single element of a one-element tensor.
  template <class T> T item() const;
  double item_as_double() const;

  /// "Tensor(shape=[2, 3], dtype=float32, values=[[...]])", abbreviated beyond 6 per axis.
  std::string to_string() const;

  // Internal: the implementation object, for core/ only.
  const std::shared_ptr<detail::TensorImpl>& impl() const { return impl_; }
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}

 private:
  void check_access(DType expected) const;
  std::shared_ptr<detail::TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

template <class T>
T* Tensor::data() {
  check_access(dtype_of<T>());
  return static_cast<T*>(raw_data());
}

template <class T>
const T* Tensor::data() const {
  check_access(dtype_of<T>());
  return static_cast<const T*>(raw_data());
}

// std::vector<bool> is packed, so bool gets its own definitions.
template <> Tensor Tensor::from_vector<bool>(const std::vector<bool>& values, Shape shape);
template <> std::vector<bool> Tensor::to_vector<bool>() const;
template <> bool Tensor::item<bool>() const;

using TensorList = std::vector<Tensor>;

}  // namespace fathom
