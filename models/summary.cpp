// SPDX-License-Identifier: Apache-2.0
// Model.summary() in Keras 3's table layout.
#include <cstdio>
#include <sstream>

#include "layers/input_layer.h"
#include "models/sequential.h"
#include "models/model.h"

namespace fathom::models {
namespace {

/// 1234567 -> "1,234,567".
std::string with_commas(std::int64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

/// Keras's human-readable byte count for float32 parameters: "397.54 KB".
std::string bytes_text(std::int64_t params) {
  double bytes = static_cast<double>(params) * 4;
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %s", bytes, units[u]);
  return buf;
}

/// Keras prints shapes as tuples: (None, 128).
std::string tuple_text(const Shape& s) {
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + (s[i] < 0 ? std::string("None") : std::to_string(s[i]));
  return t + (s.size() == 1 ? ",)" : ")");
}

/// Pads `text` (UTF-8 aware for the box characters: they are counted as one column each).
std::string pad(const std::string& text, std::size_t width, bool right) {
  std::size_t columns = 0;
  for (unsigned char ch : text) columns += (ch & 0xC0) != 0x80;
  if (columns >= width) return text;
  const std::string fill(width - columns, ' ');
  return right ? fill + text : text + fill;
}

std::string repeat(const char* piece, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += piece;
  return s;
}

}  // namespace

std::string Model::summary() const {
  constexpr std::size_t kName = 31, kShape = 22, kParams = 13;  // inner widths of Keras 3's columns
  std::ostringstream os;
  os << "Model: \"" << name() << "\"\n";
  auto border = [&](const char* l, const char* m, const char* r, const char* h) {
    os << l << repeat(h, kName + 2) << m << repeat(h, kShape + 2) << m << repeat(h, kParams + 2) << r << "\n";
  };
  auto row = [&](const char* edge, const std::string& a, const std::string& b, const std::string& c) {
    os << edge << " " << pad(a, kName, false) << " " << edge << " " << pad(b, kShape, false) << " " << edge << " "
       << pad(c, kParams, true) << " " << edge << "\n";
  };
  border("\u250f", "\u2533", "\u2513", "\u2501");
  row("\u2503", "Layer (type)", "Output Shape", "Param #");
  border("\u2521", "\u2547", "\u2529", "\u2501");
  const auto shapes = layer_output_shapes();
  const auto all = layers();
  bool first_row = true;
  const bool sequential = dynamic_cast<const Sequential*>(this) != nullptr;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const layers::Layer* l = all[i];
    // Keras 3 lists a functional model's inputs, not a Sequential's.
    if (sequential && dynamic_cast<const layers::InputLayer*>(l)) continue;
    if (!first_row) border("\u251c", "\u253c", "\u2524", "\u2500");
    first_row = false;
    const std::string shape = i < shapes.size() && !shapes[i].empty() ? tuple_text(shapes[i][0]) : "?";
    row("\u2502", l->name() + " (" + l->class_name() + ")", shape, l->built() ? with_commas(l->count_params()) : "0 (unbuilt)");
  }
  border("\u2514", "\u2534", "\u2518", "\u2500");
  std::int64_t trainable = 0, frozen = 0;
  for (const Variable& v : trainable_weights()) trainable += shape_numel(v.shape());
  for (const Variable& v : non_trainable_weights()) frozen += shape_numel(v.shape());
  os << " Total params: " << with_commas(trainable + frozen) << " (" << bytes_text(trainable + frozen) << ")\n";
  os << " Trainable params: " << with_commas(trainable) << " (" << bytes_text(trainable) << ")\n";
  os << " Non-trainable params: " << with_commas(frozen) << " (" << bytes_text(frozen) << ")\n";
  return os.str();
}

}  // namespace fathom::models
