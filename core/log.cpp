// SPDX-License-Identifier: Apache-2.0
#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

#include "core/error.h"

namespace fathom::log {
namespace {

/// Messages go to stderr, so that a program's stdout (results, progress bars) stays clean.
spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> l = [] {
    auto created = spdlog::stderr_color_mt("fathom");
    created->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    return created;
  }();
  return *l;
}

}  // namespace

void set_level(Level level) {
  switch (level) {
    case Level::kDebug: logger().set_level(spdlog::level::debug); break;
    case Level::kInfo: logger().set_level(spdlog::level::info); break;
    case Level::kWarn: logger().set_level(spdlog::level::warn); break;
    case Level::kError: logger().set_level(spdlog::level::err); break;
    case Level::kOff: logger().set_level(spdlog::level::off); break;
  }
}

Level level_from_name(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "off") return Level::kOff;
  throw ValueError("unknown log level '" + std::string(name) + "'. Expected one of: debug, info, warn, error, off");
}

void debug(std::string_view message) { logger().debug("{}", message); }
void info(std::string_view message) { logger().info("{}", message); }
void warn(std::string_view message) { logger().warn("{}", message); }
void error(std::string_view message) { logger().error("{}", message); }

}  // namespace fathom::log
