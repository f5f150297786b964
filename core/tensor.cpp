// SPDX-License-Identifier: Apache-2.0
#include "core/tensor.h"

#include <cstring>
#include <ostream>
#include <sstream>

#include "core/autograd/recorder.h"
#include "core/detail/device_memory.h"
#include "core/detail/tensor_impl.h"
#include "core/kernels/backend.h"

namespace fathom {
namespace detail {

namespace {
thread_local BufferLoan* tls_loan = nullptr;
thread_local AllocationLog* tls_log = nullptr;
}  // namespace

BufferLoan::BufferLoan(std::shared_ptr<Storage> arena, const Slice* slices, std::size_t count)
    : arena_(std::move(arena)), slices_(slices), count_(count), previous_(tls_loan) {
  tls_loan = this;
}

BufferLoan::BufferLoan() : previous_(tls_loan) { tls_loan = this; }

BufferLoan::~BufferLoan() { tls_loan = previous_; }

AllocationLog::AllocationLog() : previous_(tls_log) { tls_log = this; }

AllocationLog::~AllocationLog() { tls_log = previous_; }

Storage::Storage(std::size_t bytes_, Device device_) : bytes(bytes_), device(device_) {
  BufferLoan* loan = tls_loan;
  const Slice* slice = loan != nullptr && loan->next_ < loan->count_ ? &loan->slices_[loan->next_] : nullptr;
  if (loan != nullptr) ++loan->next_;
  if (slice != nullptr && slice->data != nullptr && slice->bytes == bytes_ && device_.is_cpu()) {
    data = slice->data;
    lender = loan->arena_;
    ++loan->served_;
  } else {
    data = device_allocate(bytes_, device_);
    if (loan != nullptr) ++loan->fresh_;
  }
  if (tls_log != nullptr) tls_log->entries.emplace_back(bytes_, data);
}

Storage::~Storage() {
  if (!lender) device_deallocate(data, bytes, device);
}

}  // namespace detail

namespace {

std::shared_ptr<detail::TensorImpl> make_impl(const Shape& shape, DType dtype, Device device) {
  for (auto d : shape) {
    FATHOM_CHECK(d >= 0, ShapeError, "Tensor: dimensions must be known and non-negative. Received shape ",
                 shape_to_string(shape));
  }
  auto impl = std::make_shared<detail::TensorImpl>();
  impl->storage = std::make_shared<detail::Storage>(shape_numel(shape) * dtype_size(dtype), device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return impl;
}

const detail::TensorImpl& checked(const std::shared_ptr<detail::TensorImpl>& impl) {
  FATHOM_CHECK(impl != nullptr, ValueError, "use of an undefined Tensor (for example the gradient "
               "of a source that the target does not depend on)");
  return *impl;
}

}  // namespace

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  return Tensor(make_impl(shape, dtype, device));
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0.0, dtype, device);
}

Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  kernels::backend(device).fill(t, value);
  return t;
}

Tensor Tensor::scalar(double value, DType dtype) { return full({}, value, dtype); }

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, Shape shape) {
  if (shape == Shape{-1}) shape = {static_cast<std::int64_t>(values.size())};
  FATHOM_CHECK(shape_numel(shape) == static_cast<std::int64_t>(values.size()), ShapeError,
               "Tensor::from_vector: ", values.size(), " values do not fill shape ",
               shape_to_string(shape), " (", shape_numel(shape), " elements)");
  Tensor t = empty(shape, dtype_of<T>());
  T* out = t.data<T>();
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t;
}

Tensor Tensor::arange(std::int64_t n, DType dtype) {
  Tensor t = empty({n}, DType::kFloat64);
  double* p = t.data<double>();
  for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<double>(i);
  if (dtype == DType::kFloat64) return t;
  Tensor out = empty({n}, dtype);
  out.copy_from(t);
  return out;
}

const Shape& Tensor::shape() const { return checked(impl_).shape; }
const Strides& Tensor::strides() const { return checked(impl_).strides; }
std::int64_t Tensor::offset() const { return checked(impl_).offset; }
DType Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device; }
std::uint64_t Tensor::id() const { return checked(impl_).id; }
std::int64_t Tensor::numel() const { return shape_numel(shape()); }

std::int64_t Tensor::size(std::int64_t axis) const {
  return shape()[normalize_axis(axis, dim(), "Tensor::size")];
}

bool Tensor::shares_storage_with(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage == other.impl_->storage;
}

bool Tensor::is_contiguous() const {
  const auto& s = shape();
  const auto& st = strides();
  std::int64_t expected = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    if (s[i] != 1 && st[i] != expected) return false;
    expected *= s[i];
  }
  return true;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype(), device());
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(Device target) const {
  if (device() == target) return *this;
  const Tensor src = contiguous();
  Tensor out = empty(shape(), dtype(), target);
  detail::cuda_copy_bytes(out.raw_data(), target, src.raw_data(), src.device(),
                          numel() * dtype_size(dtype()));
  return out;
}

void Tensor::copy_from(const Tensor& src) {
  FATHOM_CHECK(src.shape() == shape(), ShapeError, "copy: source shape ", shape_to_string(src.shape()),
               " does not match destination shape ", shape_to_string(shape()));
  FATHOM_CHECK(src.device() == device(), DeviceError, "copy: source on ", src.device().to_string(),
               ", destination on ", device().to_string(), "; use Tensor::to first");
  kernels::backend(device()).copy(*this, src);
}

Tensor Tensor::as_strided(const Shape& shape, const Strides& strides, std::int64_t offset) const {
  const auto& self = checked(impl_);
  FATHOM_CHECK(shape.size() == strides.size(), ShapeError, "as_strided: shape ", shape_to_string(shape),
               " and strides ", shape_to_string(strides), " differ in rank");
  // Bounds: the lowest and highest element the view can touch must lie in the storage.
  std::int64_t lo = offset, hi = offset;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) { lo = hi = offset; break; }
    const std::int64_t span = (shape[i] - 1) * strides[i];
    (span < 0 ? lo : hi) += span;
  }
  const auto capacity = static_cast<std::int64_t>(self.storage->bytes / dtype_size(self.dtype));
  FATHOM_CHECK(lo >= 0 && (hi < capacity || shape_numel(shape) == 0), ShapeError,
               "as_strided: view ", shape_to_string(shape), " with strides ",
               shape_to_string(strides), " at offset ", offset, " exceeds storage of ", capacity,
               " elements");
  auto impl = std::make_shared<detail::TensorImpl>();
  impl->storage = self.storage;
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = self.dtype;
  return Tensor(std::move(impl));
}

void* Tensor::raw_data() const {
  const auto& self = checked(impl_);
  return static_cast<char*>(self.storage->data) + self.offset * dtype_size(self.dtype);
}

void Tensor::check_access(DType expected) const {
  FATHOM_CHECK(dtype() == expected, ValueError, "Tensor::data: tensor has dtype ", dtype_name(dtype()),
               ", requested ", dtype_name(expected));
  FATHOM_CHECK(device().is_cpu(), DeviceError, "Tensor::data: tensor is on ", device().to_string(),
               "; host pointers exist only for CPU tensors (use .to(Device::cpu()))");
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  autograd::check_host_read(*this);
  Tensor c = to(Device::cpu());
  if (c.dtype() != dtype_of<T>()) {
    Tensor converted = empty(shape(), dtype_of<T>());
    converted.copy_from(c);
    c = converted;
  }
  c = c.contiguous();
  const T* p = c.data<T>();
  return std::vector<T>(p, p + c.numel());
}

template <class T>
T Tensor::item() const {
  FATHOM_CHECK(numel() == 1, ShapeError, "Tensor::item: expected one element, tensor has shape ",
               shape_to_string(shape()));
  return to_vector<T>()[0];
}

double Tensor::item_as_double() const { return item<double>(); }

namespace {

void print_values(std::ostream& os, const std::vector<double>& v, const Shape& shape,
                  std::size_t axis, std::int64_t offset, DType dtype) {
  if (axis == shape.size()) {
    if (dtype == DType::kBool) {
      os << (v[offset] != 0 ? "true" : "false");
    } else {
      os << v[offset];
    }
    return;
  }
  const std::int64_t n = shape[axis];
  std::int64_t stride = 1;
  for (std::size_t i = axis + 1; i < shape.size(); ++i) stride *= shape[i];
  os << "[";
  for (std::int64_t i = 0; i < n; ++i) {
    if (n > 6 && i == 3) {
      os << "..., ";
      i = n - 3;
    }
    print_values(os, v, shape, axis + 1, offset + i * stride, dtype);
    if (i + 1 < n) os << ", ";
  }
  os << "]";
}

}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "Tensor(undefined)";
  std::ostringstream os;
  os << "Tensor(shape=" << shape_to_string(shape()) << ", dtype=" << dtype_name(dtype());
  if (!device().is_cpu()) os << ", device=" << device().to_string();
  os << ", values=";
  autograd::PauseTracing printing;  // printing a traced value shows its trace-time value; no error
  print_values(os, to_vector<double>(), shape(), 0, 0, dtype());
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.to_string(); }

#define FATHOM_INSTANTIATE(T)                                                   \
  template Tensor Tensor::from_vector<T>(const std::vector<T>&, Shape);         \
  template std::vector<T> Tensor::to_vector<T>() const;                         \
  template T Tensor::item<T>() const;
FATHOM_INSTANTIATE(float)
FATHOM_INSTANTIATE(double)
FATHOM_INSTANTIATE(std::int32_t)
FATHOM_INSTANTIATE(std::int64_t)
#undef FATHOM_INSTANTIATE

template <>
Tensor Tensor::from_vector<bool>(const std::vector<bool>& values, Shape shape) {
  if (shape == Shape{-1}) shape = {static_cast<std::int64_t>(values.size())};
  FATHOM_CHECK(shape_numel(shape) == static_cast<std::int64_t>(values.size()), ShapeError,
               "Tensor::from_vector: ", values.size(), " values do not fill shape ", shape_to_string(shape));
  Tensor t = empty(shape, DType::kBool);
  bool* out = t.data<bool>();
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t;
}

template <>
std::vector<bool> Tensor::to_vector<bool>() const {
  const auto bytes = to_vector<std::int32_t>();
  return std::vector<bool>(bytes.begin(), bytes.end());
}

template <>
bool Tensor::item<bool>() const {
  return item<std::int32_t>() != 0;
}

}  // namespace fathom
