// SPDX-License-Identifier: Apache-2.0
#include "io/datasets/npy_header.h"

#include <cctype>
#include <limits>
#include <optional>

#include "core/error.h"

namespace fathom::io::detail {
namespace {

/// A cursor over the dict literal; every error names the file and the offset in the header.
class Parser {
 public:
  Parser(const std::string& text, const std::string& path) : text_(text), path_(path) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw IoError("'" + path_ + "': malformed .npy header (" + what + " at character " +
                  std::to_string(pos_ + 1) + "): " + text_);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }
  char peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  std::string string_literal() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a string");
    const char quote = text_[pos_++];
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (pos_ >= text_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }

  bool bool_literal() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::string w = word;
      if (text_.compare(pos_, w.size(), w) == 0) {
        pos_ += w.size();
        return value;
      }
    }
    fail("expected True or False");
  }

  /// "(2, 3)", "(3,)", "()"; Python 2 files may write "3L".
  Shape shape_tuple() {
    expect('(');
    Shape shape;
    while (!accept(')')) {
      skip_space();
      std::int64_t d = 0;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (d > (std::numeric_limits<std::int64_t>::max() - 9) / 10) fail("dimension too large");
        d = d * 10 + (text_[pos_++] - '0');
      }
      if (pos_ == start) fail("expected a non-negative integer dimension");
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
      shape.push_back(d);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

 private:
  const std::string& text_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

}  // namespace

NpyHeader parse_npy_header(const std::string& text, const std::string& path) {
  Parser p(text, path);
  NpyHeader h;
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<Shape> shape;
  p.expect('{');
  while (!p.accept('}')) {
    const std::string key = p.string_literal();
    p.expect(':');
    if (key == "descr") {
      if (p.peek() == '[') {
        throw IoError("'" + path + "': structured dtypes (a list of fields as 'descr') are not supported: " + text);
      }
      descr = p.string_literal();
    } else if (key == "fortran_order") {
      fortran = p.bool_literal();
    } else if (key == "shape") {
      shape = p.shape_tuple();
    } else {
      p.fail("unexpected key '" + key + "'");
    }
    if (!p.accept(',')) {
      p.expect('}');
      break;
    }
  }
  if (!p.at_end()) p.fail("text after the closing '}'");
  if (!descr || !fortran || !shape) p.fail("the keys 'descr', 'fortran_order' and 'shape' are all required");
  h.descr = *descr;
  h.fortran_order = *fortran;
  h.shape = *shape;
  return h;
}

std::string format_npy_header(const std::string& descr, const Shape& shape) {
  std::string tuple = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    tuple += std::to_string(shape[i]);
    tuple += shape.size() == 1 ? "," : i + 1 < shape.size() ? ", " : "";
  }
  tuple += ")";
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
}

}  // namespace fathom::io::detail
