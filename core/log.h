// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string_view>

/// Logging without spdlog in headers (spdlog costs 2 s per TU; STYLE §2.2).
namespace fathom::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

void set_level(Level level);
/// "debug", "info", "warn", "error", "off"; throws ValueError for anything else.
Level level_from_name(std::string_view name);
void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace fathom::log
