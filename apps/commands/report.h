// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

#include "callbacks/callback.h"
#include "core/error.h"

namespace fathom::apps {

/// Prints "fathom: error: <message>" (and a hint for common cases) on stderr; returns 2.
int report_usage_error(const Error& e);
/// The same for a failure while running; returns 1.
int report_run_error(const Error& e);
/// Writes `text` to `path` atomically (temp file, fsync, rename).
void write_text_atomically(const std::string& path, const std::string& text);
/// Prints the logs as JSON ({"loss": ..., "accuracy": ...}) on stdout and writes them to `path`.
void write_metrics(const callbacks::Logs& logs, const std::string& path);

}  // namespace fathom::apps
