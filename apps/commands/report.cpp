// SPDX-License-Identifier: Apache-2.0
#include "apps/commands/report.h"

#include <cstdio>

#include "apps/commands/commands.h"
#include "core/config.h"
#include "io/atomic_file.h"

namespace fathom::apps {
namespace {

void print_error(const Error& e) {
  std::fprintf(stderr, "fathom: error: %s\n", e.what());
  const std::string m = e.what();
  if (m.find("OPENBLAS") == std::string::npos && dynamic_cast<const IoError*>(&e) != nullptr) {
    std::fprintf(stderr, "hint: check the path and that the file is readable\n");
  }
}

}  // namespace

int report_usage_error(const Error& e) {
  print_error(e);
  return kExitUsage;
}

int report_run_error(const Error& e) {
  print_error(e);
  return kExitFailure;
}

void write_text_atomically(const std::string& path, const std::string& text) {
  io::AtomicFile file(path);
  file.write(text.data(), text.size());
  file.commit();
}

void write_metrics(const callbacks::Logs& logs, const std::string& path) {
  Config json = Config::map();
  for (const auto& [k, v] : logs.entries()) json.set(k, v);
  const std::string text = json.to_json(2) + "\n";
  std::fputs(text.c_str(), stdout);
  write_text_atomically(path, text);
}

}  // namespace fathom::apps
