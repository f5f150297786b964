// SPDX-License-Identifier: Apache-2.0
#include "core/log.h"

#include <spdlog/spdlog.h>

#include <string>

#include "core/error.h"

namespace fathom::log {

void set_level(Level level) {
  switch (level) {
    case Level::kDebug: spdlog::set_level(spdlog::level::debug); break;
    case Level::kInfo: spdlog::set_level(spdlog::level::info); break;
    case Level::kWarn: spdlog::set_level(spdlog::level::warn); break;
    case Level::kError: spdlog::set_level(spdlog::level::err); break;
    case Level::kOff: spdlog::set_level(spdlog::level::off); break;
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

void debug(std::string_view message) { spdlog::debug("{}", message); }
void info(std::string_view message) { spdlog::info("{}", message); }
void warn(std::string_view message) { spdlog::warn("{}", message); }
void error(std::string_view message) { spdlog::error("{}", message); }

}  // namespace fathom::log
