// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the callbacks (not part of the public API).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/error.h"

namespace fathom::callbacks::detail {

/// Python's repr() of a float, which Keras uses wherever it prints or writes a value:
/// "0.1", "100.0", "1e-05", "1.5e+16", "nan", "inf", "-0.0".
std::string python_float_repr(double value);

/// Keras's io_utils.print_msg: the message and a newline on stdout, flushed.
void print_msg(const std::string& message);

/// The keys of `entries` joined by `separator` (Keras's ",".join(logs.keys())).
std::string join_keys(const std::vector<std::pair<std::string, double>>& entries, const std::string& separator);

/// Runs `make` (a constructor call) and turns its ValueError into a ConfigError that carries
/// where the config came from: a bad value in a file is a config problem.
template <class Make>
auto construct_from_config(const Config& config, Make&& make) -> decltype(make()) {
  try {
    return std::forward<Make>(make)();
  } catch (const ValueError& e) {
    throw ConfigError(config.where() + e.message());
  }
}

}  // namespace fathom::callbacks::detail
