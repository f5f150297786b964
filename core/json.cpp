// SPDX-License-Identifier: Apache-2.0
#include "core/json.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string_view>

#include "core/error.h"

namespace fathom {
namespace {

constexpr int kMaxJsonDepth = 200;  // deeper is a corrupt file, not a model

class JsonReader {
 public:
  JsonReader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Config document() {
    Config v = value(0);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the end");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw ConfigError(source_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": invalid JSON: " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::string_view(" \t\r\n").find(text_[pos_]) != std::string_view::npos) ++pos_;
  }
  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Config value(int depth) {
    if (depth > kMaxJsonDepth) fail("nesting deeper than " + std::to_string(kMaxJsonDepth));
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    const char c = text_[pos_];
    if (c == '{' || c == '[') return container(depth);
    if (c == '"') return Config(string());
    if (consume("true")) return Config(true);
    if (consume("false")) return Config(false);
    if (consume("null")) return Config();
    if (consume("NaN")) return Config(std::numeric_limits<double>::quiet_NaN());
    if (consume("Infinity")) return Config(std::numeric_limits<double>::infinity());
    if (consume("-Infinity")) return Config(-std::numeric_limits<double>::infinity());
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    fail(std::string("unexpected character '") + c + "'");
  }

  /// An object or an array; objects keep their key order and may not repeat a key.
  Config container(int depth) {
    const bool is_map = text_[pos_++] == '{';
    const std::string_view close = is_map ? "}" : "]";
    Config out = is_map ? Config::map() : Config::list();
    skip_space();
    if (consume(close)) return out;
    while (true) {
      if (is_map) {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a key in quotes");
        const std::string key = string();
        if (out.has(key)) fail("duplicate key '" + key + "'");
        skip_space();
        if (!consume(":")) fail("expected ':' after key '" + key + "'");
        out.set(key, value(depth + 1));
      } else {
        out.push_back(value(depth + 1));
      }
      skip_space();
      if (consume(",")) continue;
      if (consume(close)) return out;
      fail("expected ',' or '" + std::string(close) + "'");
    }
  }

  unsigned hex4() {
    unsigned v = 0;
    const char* first = text_.data() + pos_;
    const auto r = std::from_chars(first, first + std::min<std::size_t>(4, text_.size() - pos_), v, 16);
    if (r.ptr != first + 4) fail("bad \\u escape");
    pos_ += 4;
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    const int extra = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
    constexpr unsigned char kLead[] = {0x00, 0xC0, 0xE0, 0xF0};
    out += static_cast<char>(kLead[extra] | (cp >> (6 * extra)));
    for (int i = extra - 1; i >= 0; --i) out += static_cast<char>(0x80 | ((cp >> (6 * i)) & 0x3F));
  }

  std::string string() {
    ++pos_;  // the opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      constexpr std::string_view kEscapes = "\"\\/bfnrt", kMeanings = "\"\\/\b\f\n\r\t";
      const char e = pos_ < text_.size() ? text_[pos_++] : '\0';
      if (const std::size_t k = kEscapes.find(e); k != std::string_view::npos) {
        out += kMeanings[k];
        continue;
      }
      if (e != 'u') fail(std::string("bad escape '\\") + e + "'");
      unsigned cp = hex4();
      if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair encodes one code point
        const unsigned low = consume("\\u") ? hex4() : 0;
        if (low < 0xDC00 || low >= 0xE000) fail("unpaired surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        fail("unpaired surrogate");
      }
      append_utf8(out, cp);
    }
  }

  /// An integer (int64) unless it has a fraction or an exponent.
  Config number() {
    const std::size_t start = pos_;
    pos_ = text_.find_first_not_of("0123456789+-.eE", pos_ + 1);
    if (pos_ == std::string_view::npos) pos_ = text_.size();
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    double d = 0;
    std::int64_t i = 0;
    const bool is_float = std::string_view(first, last).find_first_of(".eE") != std::string_view::npos;
    const auto r = is_float ? std::from_chars(first, last, d) : std::from_chars(first, last, i);
    if (r.ec != std::errc() || r.ptr != last) fail("bad or out-of-range number '" + std::string(first, last) + "'");
    return is_float ? Config(d) : Config(i);
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

}  // namespace

Config parse_json(std::string_view text, const std::string& source) { return JsonReader(text, source).document(); }

}  // namespace fathom
