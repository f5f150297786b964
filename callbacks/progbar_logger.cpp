// SPDX-License-Identifier: Apache-2.0
#include "callbacks/progbar_logger.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace fathom::callbacks {
namespace {

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds >= 3600) {
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60) % 60,
                  static_cast<int>(seconds) % 60);
  } else if (seconds >= 60) {
    std::snprintf(buf, sizeof buf, "%d:%02d", static_cast<int>(seconds / 60), static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ds", static_cast<int>(seconds));
  }
  return buf;
}

std::string format_per_step(double seconds) {
  char buf[32];
  if (seconds >= 1) {
    std::snprintf(buf, sizeof buf, "%ds/step", static_cast<int>(std::round(seconds)));
  } else if (seconds >= 1e-3) {
    std::snprintf(buf, sizeof buf, "%dms/step", static_cast<int>(std::round(seconds * 1e3)));
  } else {
    std::snprintf(buf, sizeof buf, "%dus/step", static_cast<int>(std::round(seconds * 1e6)));
  }
  return buf;
}

/// As Keras's Progbar: 4 decimals above 1e-3 in magnitude, scientific otherwise (0 included).
std::string format_value(double v) {
  char buf[32];
  if (!(std::abs(v) > 1e-3)) {
    std::snprintf(buf, sizeof buf, "%.4e", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4f", v);
  }
  return buf;
}

}  // namespace

void ProgbarLogger::on_train_begin(const Logs&) {
  in_fit_ = true;
  interactive_ = params().verbose == 1 && isatty(fileno(out_));
}

void ProgbarLogger::on_epoch_begin(int epoch, const Logs&) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
  if (params().verbose > 0 && params().epochs > 1) {  // Keras prints it only for several epochs
    std::fprintf(out_, "Epoch %d/%d\n", epoch + 1, params().epochs);
    std::fflush(out_);
  }
}

void ProgbarLogger::on_train_batch_end(int batch, const Logs& logs) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(50) && batch + 1 < params().steps) return;
  last_draw_ = now;
  draw(batch + 1, params().steps, logs, false);
}

void ProgbarLogger::on_epoch_end(int /*epoch*/, Logs& logs) {
  if (params().verbose > 0) draw(params().steps, params().steps, logs, true);
}

void ProgbarLogger::on_test_begin(const Logs&) {
  if (!in_fit_) {
    start_ = last_draw_ = std::chrono::steady_clock::now();
    interactive_ = params().verbose == 1 && isatty(fileno(out_));
  }
}

void ProgbarLogger::on_test_batch_end(int batch, const Logs& logs) {
  if (in_fit_ || !interactive_) return;
  draw(batch + 1, params().steps, logs, false);
}

void ProgbarLogger::on_test_end(const Logs& logs) {
  if (!in_fit_ && params().verbose > 0) draw(params().steps, params().steps, logs, true);
}

void ProgbarLogger::draw(int step, int total, const Logs& logs, bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = std::to_string(step) + "/" + std::to_string(total) + " ";
  const bool bar = interactive_ || params().verbose == 1;
  if (bar) {
    constexpr int kWidth = 20;
    const int filled = total > 0 ? std::min(kWidth, kWidth * step / total) : kWidth;
    for (int i = 0; i < kWidth; ++i) line += i < filled ? "\u2501" : "\u2500";  // ━ done, ─ to go
    line += " ";
  }
  if (final_line || step >= total) {
    // Keras: "469/469 ━━━━ 2s 4ms/step" with the bar, "469/469 - 2s - 4ms/step" without (verbose 2).
    const char* sep = bar ? " " : " - ";
    if (!bar) line += "- ";
    line += format_duration(elapsed) + sep + format_per_step(step > 0 ? elapsed / step : 0);
  } else {
    line += "ETA: " + format_duration(step > 0 ? elapsed / step * (total - step) : 0);
  }
  std::vector<std::pair<std::string, double>> entries = logs.entries();
  std::sort(entries.begin(), entries.end());  // Keras 3 prints the values sorted by name
  for (const auto& [k, v] : entries) line += " - " + k + ": " + format_value(v);
  if (interactive_) {
    std::fprintf(out_, "\r%s\033[K%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace fathom::callbacks
