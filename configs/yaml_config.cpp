// SPDX-License-Identifier: Apache-2.0
// YAML -> Config through yaml-cpp's event parser (so that every value keeps its mark, duplicate
// keys are seen and the scalar rules are ours: YAML 1.2 core schema), and Config -> YAML.
#include "configs/yaml_config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace fathom::configs {
namespace {

constexpr const char* kEmptyFile =
    ": the file is empty; expected a mapping with model, compile, data, fit, output";
constexpr std::size_t kMaxValues = 1'000'000;  // after expanding aliases ("billion laughs")
constexpr const char* kCoreTag = "tag:yaml.org,2002:";

// ---------------------------------------------------------------------------------------------
// Scalars: the YAML 1.2 core schema, plus NaN/Infinity as Python's json writes them.

std::size_t count_digits(std::string_view s, std::size_t i, int base) {
  std::size_t n = 0;
  for (; i + n < s.size(); ++n) {
    const char ch = s[i + n];
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(ch)) != 0
                               : ch >= '0' && ch < static_cast<char>('0' + base);
    if (!ok) break;
  }
  return n;
}

std::optional<Config> resolve_int(std::string_view s, const std::string& where) {
  int base = 10;
  std::size_t start = 0;  // from_chars takes '-' but not '+'
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    base = s[1] == 'x' ? 16 : 8;
    start = 2;
  } else if (!s.empty() && s[0] == '+') {
    start = 1;
  }
  const std::size_t sign = base == 10 && start < s.size() && s[start] == '-' ? 1 : 0;
  const std::size_t digits = count_digits(s, start + sign, base);
  if (digits == 0 || start + sign + digits != s.size()) return std::nullopt;
  std::int64_t v = 0;
  const auto r = std::from_chars(s.data() + start, s.data() + s.size(), v, base);
  FATHOM_CHECK(r.ec == std::errc(), ConfigError, where, "the integer ", s, " does not fit in 64 bits");
  return Config(v);
}

std::optional<Config> resolve_float(std::string_view s) {
  const double inf = HUGE_VAL;
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF" ||
      s == "Infinity") {
    return Config(inf);
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF" || s == "-Infinity") return Config(-inf);
  if (s == ".nan" || s == ".NaN" || s == ".NAN" || s == "NaN") return Config(std::nan(""));
  // [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const std::size_t int_digits = count_digits(s, i, 10);
  i += int_digits;
  std::size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') frac_digits = count_digits(s, ++i, 10), i += frac_digits;
  if (int_digits + frac_digits == 0) return std::nullopt;
  const std::size_t exponent = i;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    i += (i + 1 < s.size() && (s[i + 1] == '-' || s[i + 1] == '+')) ? 2 : 1;
    const std::size_t e_digits = count_digits(s, i, 10);
    if (e_digits == 0) return std::nullopt;
    i += e_digits;
  }
  if (i != s.size()) return std::nullopt;
  const std::size_t start = s[0] == '+' ? 1 : 0;
  double v = 0;
  const auto r = std::from_chars(s.data() + start, s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) {  // 1e400 is inf, 1e-400 is 0 (as Python reads them)
    const bool tiny = exponent < s.size() ? s.find('-', exponent) != std::string_view::npos
                                          : s.find_first_of("123456789") >= s.find('.');
    v = tiny ? 0.0 : inf;
    if (s[0] == '-') v = -v;
  }
  return Config(v);
}

std::optional<Config> resolve_null_or_bool(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Config();
  if (s == "true" || s == "True" || s == "TRUE") return Config(true);
  if (s == "false" || s == "False" || s == "FALSE") return Config(false);
  return std::nullopt;
}

/// A plain (unquoted, untagged) scalar.
Config resolve_plain(const std::string& s, const std::string& where) {
  if (auto v = resolve_null_or_bool(s)) return *v;
  if (auto v = resolve_int(s, where)) return *v;
  if (auto v = resolve_float(s)) return *v;
  return Config(s);
}

std::string display_tag(const std::string& tag) {
  return tag.rfind(kCoreTag, 0) == 0 ? "!!" + tag.substr(std::strlen(kCoreTag)) : tag;
}

// ---------------------------------------------------------------------------------------------
// Text checks before yaml-cpp sees the bytes (it would misreport or accept binary data).

std::size_t utf8_length(const std::string& t, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(t[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < t.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) >= 0xA0)) return 0;  // overlong, surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) >= 0x90)) return 0;  // overlong, > U+10FFFF
    return 4;
  }
  return 0;
}

void check_text(const std::string& t, const std::string& source) {
  if (t.size() >= 2 && ((t[0] == '\xFF' && t[1] == '\xFE') || (t[0] == '\xFE' && t[1] == '\xFF'))) {
    throw ConfigError(source + ":1:1: the file is UTF-16 text; save it as UTF-8");
  }
  const std::size_t bom = t.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  std::size_t i = bom, n = 1;
  for (; i < t.size() && n > 0; i += n) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    n = c >= 0x80 ? utf8_length(t, i) : (c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
  }
  if (n > 0) return;
  const std::size_t bad = i, newline = t.rfind('\n', bad);
  const std::size_t line_start = newline == std::string::npos ? bom : newline + 1;
  const auto line = std::count(t.data() + bom, t.data() + bad, '\n') + 1;
  const unsigned char c = static_cast<unsigned char>(t[bad]);
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", c);
  const std::string at = source + ":" + std::to_string(line) + ":" + std::to_string(bad - line_start + 1) + ": ";
  if (c == 0) throw ConfigError(at + "a NUL byte: this is a binary file, not YAML or JSON text");
  if (c < 0x80) {
    throw ConfigError(at + "control character " + hex + ": is this a binary file? A config must be YAML or JSON text");
  }
  throw ConfigError(at + "byte " + hex + " is not UTF-8: is this a binary file? A config must be UTF-8 YAML or JSON "
                    "text");
}

/// yaml-cpp 0.7 decodes the escapes \N and \_ to the lone bytes 0x85 and 0xA0 instead of
/// U+0085 and U+00A0 in UTF-8; the text was checked to be UTF-8, so such bytes can only be those.
std::string repair_escapes(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : utf8_length(s, i);
    if (n == 0) {
      out += static_cast<char>(0xC0 | (c >> 6)), out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out.append(s, i, n), i += n - 1;
    }
  }
  return out;
}

/// Python's json writes characters beyond U+FFFF as a pair of \u escapes (UTF-16 surrogates),
/// which yaml-cpp rejects ("invalid unicode"). At the error's position, rewrite the pair as one
/// \U escape. Returns false when the text there is not such a pair.
bool join_surrogate_pair(std::string& text, std::size_t pos) {
  const auto escape_at = [&](std::size_t at, unsigned lo, unsigned hi) -> std::optional<unsigned> {
    if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return std::nullopt;
    unsigned v = 0;
    const auto r = std::from_chars(text.data() + at + 2, text.data() + at + 6, v, 16);
    if (r.ec != std::errc() || r.ptr != text.data() + at + 6 || v < lo || v > hi) return std::nullopt;
    return v;
  };
  if (pos < 6) return false;
  const auto high = escape_at(pos - 6, 0xD800, 0xDBFF);
  const auto low = escape_at(pos, 0xDC00, 0xDFFF);
  if (!high || !low) return false;
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\U%08X", 0x10000 + ((*high - 0xD800) << 10) + (*low - 0xDC00));
  text.replace(pos - 6, 12, buf);
  return true;
}

std::size_t count_values(const Config& c) {
  std::size_t n = 1;
  if (c.is_list()) {
    for (const Config& item : c.items()) n += count_values(item);
  } else if (c.is_map()) {
    for (const auto& entry : c.entries()) n += count_values(entry.second);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The event handler: builds the Config on a stack of open lists and mappings.

/// Where join_surrogate_pair() made the text 2 bytes shorter: {0-based line, stream position}.
using Rewrites = std::vector<std::pair<int, int>>;

class Builder final : public YAML::EventHandler {
 public:
  Builder(const std::string& text, std::string source, const Rewrites& rewrites)
      : text_(text), source_(std::move(source)), bom_(text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0),
        rewrites_(rewrites) {}

  /// "source:line:column", 1-based, in the text as it was given.
  std::string location(const YAML::Mark& m) const {
    if (m.is_null()) return source_;
    int column = m.column;
    for (const auto& [line, pos] : rewrites_) column += line == m.line && pos < m.pos ? 2 : 0;
    return source_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(column + 1);
  }

  const std::string& source() const { return source_; }
  /// The document's value; nullopt when there was none (or only an empty one).
  std::optional<Config> root() const { return implicit_null_root_ ? std::nullopt : root_; }
  /// The first error found. Events after it are ignored, and it is reported only when yaml-cpp
  /// finds no syntax error: yaml-cpp sends misleading events before some syntax errors (a
  /// mapping around an unclosed "[1, 2").
  const std::optional<ConfigError>& error() const { return error_; }
  /// The location of the innermost open '[' or '{' (`opener`), or "".
  std::string open_flow(char opener) const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->opener == opener) return it->value.location();
    }
    return "";
  }

  void OnDocumentStart(const YAML::Mark& m) override { guard([&] { document_start(m); }); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { guard([&] { null_value(m, a); }); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override { guard([&] { alias(m, a); }); }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a, const std::string& value) override {
    guard([&] { scalar(m, tag, a, value); });
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    guard([&] { open(m, tag, a, Config::list(), "seq"); });
  }
  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    guard([&] { open(m, tag, a, Config::map(), "map"); });
  }
  void OnSequenceEnd() override { guard([&] { close(); }); }
  void OnMapEnd() override { guard([&] { close(); }); }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { last_anchor_name_ = name; }

 private:
  template <class F>
  void guard(F f) {
    if (error_) return;
    try {
      f();
    } catch (const ConfigError& e) {
      error_ = e;
    }
  }

  /// yaml-cpp 0.7 reads a ',' outside [] or {} as endless empty documents (yaml-cpp#1040).
  void check_stray_comma(const YAML::Mark& mark) const {
    const std::size_t at = bom_ + static_cast<std::size_t>(std::max(mark.pos, 0));
    FATHOM_CHECK(at >= text_.size() || text_[at] != ',', ConfigError, location(mark),
                 ": unexpected ',' outside a flow list [...] or mapping {...}");
  }

  void document_start(const YAML::Mark& mark) {
    check_stray_comma(mark);
    FATHOM_CHECK(++documents_ == 1, ConfigError, location(mark),
                 ": a second YAML document starts here; a config is one document (look for a '---' line, "
                 "or for list items and keys mixed at the same indentation)");
  }
  void null_value(const YAML::Mark& mark, YAML::anchor_t anchor) {
    FATHOM_CHECK(!awaiting_key(), ConfigError, location(mark),
                 ": a mapping key is empty or null; keys must be strings");
    // yaml-cpp marks an empty value at the next token: place it at its key or '-' instead.
    const std::size_t at = std::min(bom_ + static_cast<std::size_t>(std::max(mark.pos, 0)), text_.size());
    const auto word_at = [&](const char* word) {  // `word` is the whole token ("a:\nnull_x: 1" is empty)
      const std::size_t end = at + std::strlen(word);
      return text_.compare(at, std::strlen(word), word) == 0 &&
             (end >= text_.size() || std::strchr(" \t\r\n,]}#", text_[end]) != nullptr);
    };
    const bool is_explicit = word_at("~") || word_at("null") || word_at("Null") || word_at("NULL");
    if (stack_.empty()) check_stray_comma(mark);
    if (stack_.empty()) implicit_null_root_ = !is_explicit;
    add(Config(), is_explicit ? location(mark) : empty_value_location(mark), anchor);
  }

  void alias(const YAML::Mark& mark, YAML::anchor_t anchor) {
    FATHOM_CHECK(!open_anchors_.count(anchor), ConfigError, location(mark), ": the alias *",
                 anchor_names_[anchor], " refers to a value that contains it");
    const auto it = anchors_.find(anchor);
    FATHOM_CHECK(it != anchors_.end(), ConfigError, location(mark), ": undefined alias");
    count(count_values(it->second), mark);
    if (awaiting_key()) {
      FATHOM_CHECK(it->second.is_string(), ConfigError, location(mark), ": the alias *", anchor_names_[anchor],
                   " is used as a mapping key, but it is ", Config::kind_name(it->second.kind()),
                   "; keys must be strings");
      return take_key(mark, "!", 0, it->second.as_string());
    }
    Config value = it->second;
    value.set_location(location(mark));
    attach(std::move(value));
  }

  void scalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& raw) {
    check_closing_quote(mark, tag);
    const std::string value = tag == "?" ? raw : repair_escapes(raw);
    if (awaiting_key()) return take_key(mark, tag, anchor, value);
    add(resolve(value, tag, mark), location(mark), anchor);
  }

  struct Frame {
    Config value;
    YAML::anchor_t anchor = 0;
    char opener = 0;  // '[' or '{' for flow style
    bool has_key = false;
    bool merge_key = false;  // the pending key is `<<`
    std::string key;
    std::string key_location;
    std::unordered_map<std::string, YAML::Mark> key_marks;  // for duplicate keys
    std::vector<Config> merges;                             // values of `<<`
  };

  /// yaml-cpp 0.7 accepts a quoted scalar that the end of the text cuts off ("abc<EOF>).
  void check_closing_quote(const YAML::Mark& mark, const std::string& tag) const {
    const std::size_t start = bom_ + static_cast<std::size_t>(std::max(mark.pos, 0));
    if (tag != "!" || start >= text_.size() || (text_[start] != '"' && text_[start] != '\'')) return;
    const char quote = text_[start];
    for (std::size_t i = start + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == quote) {
        if (quote == '"' || i + 1 >= text_.size() || text_[i + 1] != '\'') return;
        ++i;  // '' inside single quotes
      }
    }
    throw ConfigError(location(mark) + ": this quoted string has no closing " + (quote == '"' ? "\"" : "'"));
  }

  bool awaiting_key() const { return !stack_.empty() && stack_.back().value.is_map() && !stack_.back().has_key; }

  void count(std::size_t n, const YAML::Mark& mark) {
    values_ += n;
    FATHOM_CHECK(values_ <= kMaxValues, ConfigError, location(mark), ": more than ", kMaxValues,
                 " values after expanding aliases");
  }

  std::string empty_value_location(const YAML::Mark& mark) const {
    if (!stack_.empty() && stack_.back().has_key) return stack_.back().key_location;
    // In a list: the '-' before the mark (skipping blanks), found in the text.
    std::size_t i = std::min(bom_ + static_cast<std::size_t>(std::max(mark.pos, 0)), text_.size());
    while (i > bom_ && std::isspace(static_cast<unsigned char>(text_[i - 1]))) --i;
    if (i == bom_ || text_[i - 1] != '-') return location(mark);
    const std::size_t dash = i - 1, newline = text_.rfind('\n', dash);
    const std::size_t line_start = newline == std::string::npos ? bom_ : newline + 1;
    const auto line = std::count(text_.begin() + bom_, text_.begin() + dash, '\n');
    YAML::Mark at;
    at.pos = static_cast<int>(dash - bom_);
    at.line = static_cast<int>(line);
    at.column = static_cast<int>(dash - line_start);
    return location(at);
  }

  Config resolve(const std::string& value, const std::string& tag, const YAML::Mark& mark) const {
    const std::string where = location(mark) + ": ";
    if (tag == "?") return resolve_plain(value, where);
    if (tag == "!" || tag == std::string(kCoreTag) + "str") return Config(value);
    std::optional<Config> v;
    const std::string name = display_tag(tag);
    if (name == "!!null") {
      v = resolve_null_or_bool(value);
      if (v && !v->is_null()) v.reset();
    } else if (name == "!!bool") {
      v = resolve_null_or_bool(value);
      if (v && v->is_null()) v.reset();
    } else if (name == "!!int") {
      v = resolve_int(value, where);
    } else if (name == "!!float") {
      if (auto i = resolve_int(value, where)) v = Config(i->as_double());
      else v = resolve_float(value);
    } else {
      throw ConfigError(where + "unsupported tag '" + name + "'; a config holds only null, booleans, numbers, "
                        "strings, lists and mappings");
    }
    FATHOM_CHECK(v.has_value(), ConfigError, where, "'", value, "' is not a valid ", name.substr(2));
    return *v;
  }

  void take_key(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& key) {
    FATHOM_CHECK(tag == "?" || tag == "!" || display_tag(tag) == "!!str", ConfigError, location(mark),
                 ": a mapping key with the tag '", display_tag(tag), "'; keys must be strings");
    Frame& f = stack_.back();
    f.merge_key = tag == "?" && key == "<<";
    if (!f.merge_key) {
      const auto [it, inserted] = f.key_marks.emplace(key, mark);
      FATHOM_CHECK(inserted, ConfigError, location(mark), ": duplicate key '", key,
                   "'; it is already defined at line ", it->second.line + 1, ", column ", it->second.column + 1);
    }
    f.has_key = true;
    f.key = key;
    f.key_location = location(mark);
    count(1, mark);
    if (anchor != 0) {
      Config k(key);
      k.set_location(f.key_location);
      anchors_[anchor] = k;
      anchor_names_[anchor] = last_anchor_name_;
    }
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, Config value, const char* kind) {
    FATHOM_CHECK(!awaiting_key(), ConfigError, location(mark), ": a mapping key is ",
                 value.is_map() ? "a mapping" : "a list", "; keys must be strings");
    FATHOM_CHECK(tag == "?" || tag == "!" || tag == kCoreTag + std::string(kind), ConfigError, location(mark),
                 ": unsupported tag '", display_tag(tag), "' on ", value.is_map() ? "a mapping" : "a list");
    count(1, mark);
    value.set_location(location(mark));
    if (anchor != 0) open_anchors_.insert(anchor), anchor_names_[anchor] = last_anchor_name_;
    const std::size_t at = bom_ + static_cast<std::size_t>(std::max(mark.pos, 0));
    const char opener = at < text_.size() && (text_[at] == '[' || text_[at] == '{') ? text_[at] : 0;
    stack_.push_back(Frame{std::move(value), anchor, opener, false, false, {}, {}, {}, {}});
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    for (const Config& source : f.merges) merge(f.value, source);
    if (f.anchor != 0) open_anchors_.erase(f.anchor);
    finish(std::move(f.value), f.anchor);
  }

  /// `<<: *defaults` or `<<: [*a, *b]`: keys not already present (explicit keys win; earlier
  /// mappings win over later ones).
  static void merge(Config& into, const Config& source) {
    const auto merge_map = [&](const Config& m) {
      FATHOM_CHECK(m.is_map(), ConfigError, m.where(), "the merge key '<<' takes a mapping or a list of mappings, "
                   "received ", Config::kind_name(m.kind()));
      for (const auto& [k, v] : m.entries()) {
        if (!into.has(k)) into.set(k, v);
      }
    };
    if (!source.is_list()) return merge_map(source);
    for (const Config& m : source.items()) merge_map(m);
  }

  void add(Config value, const std::string& location, YAML::anchor_t anchor) {
    values_ += 1;
    value.set_location(location);
    if (anchor != 0) anchor_names_[anchor] = last_anchor_name_;
    finish(std::move(value), anchor);
  }

  void finish(Config value, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = value;
    attach(std::move(value));
  }

  void attach(Config value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& f = stack_.back();
    if (f.value.is_list()) {
      f.value.push_back(std::move(value));
    } else if (f.merge_key) {
      f.merges.push_back(std::move(value));
    } else {
      f.value.set(f.key, std::move(value));
      f.value.set_key_location(f.key, f.key_location);
    }
    f.has_key = f.merge_key = false;
  }

  const std::string& text_;
  std::string source_;
  std::size_t bom_;
  const Rewrites& rewrites_;
  int documents_ = 0;
  std::size_t values_ = 0;
  std::vector<Frame> stack_;
  std::optional<Config> root_;
  bool implicit_null_root_ = false;
  std::unordered_map<YAML::anchor_t, Config> anchors_;
  std::unordered_map<YAML::anchor_t, std::string> anchor_names_;
  std::unordered_set<YAML::anchor_t> open_anchors_;
  std::string last_anchor_name_;
  std::optional<ConfigError> error_;
};

/// yaml-cpp's message for a syntax error, with the likely cause where its words are cryptic.
std::string syntax_error(const YAML::Exception& e, const Builder& builder, const std::string& text) {
  const std::string at = builder.location(e.mark);
  if (!e.mark.is_null()) {  // a tab in the indentation of the line yaml-cpp stopped on
    std::size_t start = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
    for (int line = 0; line < e.mark.line && start < text.size(); ++line) {
      start = std::min(text.find('\n', start), text.size() - 1) + 1;
    }
    const std::size_t content = text.find_first_not_of(" \t", start);
    const std::size_t tab = text.find('\t', start);
    if (tab < content && content < text.size() && text[content] != '\n' && text[content] != '#') {
      return builder.source() + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(tab - start + 1) +
             ": this line is indented with a tab; YAML indents with spaces only (yaml-cpp: " + e.msg + " at " + at +
             ")";
    }
  }
  const bool seq = e.msg == "end of sequence flow not found", map = e.msg == "end of map flow not found";
  const std::string opened = seq || map ? builder.open_flow(seq ? '[' : '{') : "";
  if (!opened.empty()) {
    return at + ": " + e.msg + ": the '" + (seq ? "[" : "{") + "' at " + opened + " is not closed by a '" +
           (seq ? "]" : "}") + "'";
  }
  if (e.msg == "end of map not found" || e.msg == "end of sequence not found") {
    return at + ": " + e.msg + " (is this line's indentation wrong? The keys of one mapping, and the '-' of one "
           "list, must line up)";
  }
  if (e.msg == "illegal map value") {
    return at + ": illegal map value (a ':' where no value can start: quote a value that contains ': ', or check "
           "the indentation)";
  }
  return at + ": " + e.msg;
}

std::optional<Config> parse(const std::string& text_in, const std::string& source) {
  check_text(text_in, source);
  std::string text = text_in;
  const std::size_t bom = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  Rewrites rewrites;
  for (int attempt = 0;; ++attempt) {
    Builder builder(text, source, rewrites);
    try {
      std::istringstream in(text);
      YAML::Parser parser(in);
      while (!builder.error() && parser.HandleNextDocument(builder)) {
      }
      if (builder.error()) throw *builder.error();
      return builder.root();
    } catch (const YAML::Exception& e) {
      if (!e.mark.is_null() && attempt < 10000 && join_surrogate_pair(text, bom + e.mark.pos)) {
        rewrites.emplace_back(e.mark.line, e.mark.pos - 6);
        continue;
      }
      throw ConfigError(syntax_error(e, builder, text));
    }
  }
}

}  // namespace

Config load_yaml(const std::string& text, const std::string& source_name) {
  std::optional<Config> root = parse(text, source_name);
  FATHOM_CHECK(root.has_value(), ConfigError, source_name, kEmptyFile);
  FATHOM_CHECK(root->is_map(), ConfigError, root->where(),
               "expected a mapping at the top level (a training config has model, compile, data, fit, output), "
               "received ", Config::kind_name(root->kind()),
               root->is_string() ? " '" + root->as_string() + "'" : "");
  return *root;
}

Config load_yaml_value(const std::string& text, const std::string& source_name) {
  std::optional<Config> value = parse(text, source_name);
  if (value) return *value;
  Config null;
  null.set_location(source_name + ":1:1");
  return null;
}

Config load_yaml_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  FATHOM_CHECK(!ec, ConfigError, path, ": cannot read the file: ", ec.message());
  FATHOM_CHECK(exists, ConfigError, path, ": cannot read the file: it does not exist");
  FATHOM_CHECK(!fs::is_directory(path, ec), ConfigError, path,
               ": cannot read the file: it is a directory, expected a YAML or JSON file");
  std::ifstream in(path, std::ios::binary);
  FATHOM_CHECK(in.good(), ConfigError, path, ": cannot read the file: ", std::strerror(errno));
  std::ostringstream contents;
  contents << in.rdbuf();
  FATHOM_CHECK(!in.bad(), ConfigError, path, ": cannot read the file: ", std::strerror(errno));
  return load_yaml(contents.str(), path);
}

namespace detail {
Config resolve_plain_scalar(const std::string& s) { return resolve_plain(s, ""); }
std::size_t utf8_sequence_length(const std::string& text, std::size_t i) { return utf8_length(text, i); }
}  // namespace detail

}  // namespace fathom::configs
