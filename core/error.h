// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fathom {

/// Base of every exception Fathom throws. Context is added on the way up (`add_context`), and
/// `what()` prints it from the outside in: "while building layer 'dense': matmul: ...".
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  const char* what() const noexcept override { return full_.c_str(); }
  /// The innermost message, without context.
  const std::string& message() const { return message_; }
  Error& add_context(const std::string& context);
  /// Replaces the innermost message, keeping the context (to sharpen a location, say).
  Error& set_message(const std::string& message);

 private:
  Error& add_context_impl();  // rebuilds what()
  std::string message_;
  std::vector<std::string> context_;
  std::string full_;
};

/// Incompatible shapes or ranks, out-of-range axes.
class ShapeError : public Error { using Error::Error; };
/// A value out of its domain: a bad argument, a wrong dtype, an index out of range.
class ValueError : public Error { using Error::Error; };
/// A tensor on a device that has no kernel or no backend in this build.
class DeviceError : public Error { using Error::Error; };
/// A file that cannot be read or written, or whose contents are not what they claim; the
/// message names the path (and the dataset or record inside it).
class IoError : public Error { using Error::Error; };
/// Misuse of the autograd API (a non-persistent tape used twice, ...).
class AutogradError : public Error { using Error::Error; };
/// What a traced function (fathom::function) cannot do: read a traced value on the host.
class TracingError : public Error { using Error::Error; };

namespace detail {
template <class... Args>
std::string concat_message(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace fathom

/// FATHOM_CHECK(cond, ErrorType, parts...): throws ErrorType with the parts concatenated, built
/// only when the check fails (as TORCH_CHECK does).
#define FATHOM_CHECK(cond, ErrorType, ...)                                \
  do {                                                                    \
    if (!(cond)) throw ErrorType(::fathom::detail::concat_message(__VA_ARGS__)); \
  } while (false)
