// SPDX-License-Identifier: Apache-2.0
#include "core/error.h"

namespace fathom {

Error::Error(const std::string& message) : std::runtime_error(message), message_(message), full_(message) {}

Error& Error::set_message(const std::string& message) {
  message_ = message;
  return add_context_impl();
}

Error& Error::add_context(const std::string& context) {
  context_.push_back(context);
  return add_context_impl();
}

Error& Error::add_context_impl() {
  full_.clear();
  for (auto it = context_.rbegin(); it != context_.rend(); ++it) full_ += *it + ": ";
  full_ += message_;
  return *this;
}

}  // namespace fathom
