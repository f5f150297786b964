// SPDX-License-Identifier: Apache-2.0
#include "io/datasets/csv.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace fathom::io {
namespace {

struct Field {
  std::string text;
  std::int64_t line = 0, column = 0;  // where the field starts, 1-based
  bool quoted = false;
};
using Record = std::vector<Field>;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FATHOM_CHECK(in.is_open(), IoError, "cannot open '", path, "': ", std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  FATHOM_CHECK(!in.bad(), IoError, "cannot read '", path, "': ", std::strerror(errno));
  std::string text = buffer.str();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte-order mark
  return text;
}

/// Splits the text into records of fields (RFC 4180), tracking physical lines for messages.
class Splitter {
 public:
  Splitter(const std::string& text, char delimiter, const std::string& path)
      : text_(text), delimiter_(delimiter), path_(path) {}

  std::vector<Record> records() {
    std::vector<Record> out;
    while (pos_ < text_.size()) {
      Record r = record();
      const bool blank = r.size() == 1 && !r[0].quoted && r[0].text.find_first_not_of(" \t") == std::string::npos;
      if (!blank) out.push_back(std::move(r));
    }
    return out;
  }

 private:
  bool at_line_end() const { return pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r'; }
  void take_line_end() {  // LF, CRLF or a lone CR
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  Record record() {
    Record r;
    while (true) {
      r.push_back(field());
      if (pos_ < text_.size() && text_[pos_] == delimiter_) {
        ++pos_;
        continue;
      }
      take_line_end();
      return r;
    }
  }

  Field field() {
    Field f;
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t') && text_[pos_] != delimiter_) ++pos_;
    f.line = line_;
    f.column = static_cast<std::int64_t>(pos_ - line_start_) + 1;
    if (pos_ < text_.size() && text_[pos_] == '"') return quoted(f);
    while (!at_line_end() && text_[pos_] != delimiter_) f.text += text_[pos_++];
    return f;
  }

  Field quoted(Field f) {
    f.quoted = true;
    ++pos_;
    while (true) {
      FATHOM_CHECK(pos_ < text_.size(), IoError, path_, ":", f.line, ":", f.column,
                   ": unterminated quoted field (the file ends before its closing quote)");
      const char c = text_[pos_++];
      if (c == '"' && pos_ < text_.size() && text_[pos_] == '"') {
        f.text += '"';
        ++pos_;
      } else if (c == '"') {
        break;
      } else {
        f.text += c;
        if (c == '\n') {
          ++line_;
          line_start_ = pos_;
        }
      }
    }
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t') && text_[pos_] != delimiter_) ++pos_;
    FATHOM_CHECK(at_line_end() || text_[pos_] == delimiter_, IoError, path_, ":", line_, ":",
                 pos_ - line_start_ + 1, ": unexpected text after the closing quote of a field");
    return f;
  }

  const std::string& text_;
  char delimiter_;
  const std::string& path_;
  std::size_t pos_ = 0, line_start_ = 0;
  std::int64_t line_ = 1;
};

std::string_view trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string_view(s).substr(b, e - b + 1);
}

template <class T>
bool parse_whole(std::string_view s, T& out) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);  // from_chars rejects '+'
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::size_t label_index(const CsvOptions& o, const std::vector<std::string>& names, const std::string& path) {
  const auto n = static_cast<std::int64_t>(names.size());
  std::string listing;
  for (const auto& name : names) listing += (listing.empty() ? "'" : ", '") + name + "'";
  if (const auto* index = std::get_if<std::int64_t>(&*o.label_column)) {
    FATHOM_CHECK(*index >= -n && *index < n, ValueError, "read_csv('", path, "'): label_column ", *index,
                 " is out of range for ", n, " columns (", listing, ")");
    return static_cast<std::size_t>(*index < 0 ? *index + n : *index);
  }
  const auto& name = std::get<std::string>(*o.label_column);
  std::size_t found = names.size(), count = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name && count++ == 0) found = i;
  }
  FATHOM_CHECK(count == 1, ValueError, "read_csv('", path, "'): label_column '", name, "' ",
               count == 0 ? "is not a column" : "names several columns", "; the columns are ", listing);
  return found;
}

template <class T>
Tensor fill_tensor(const std::vector<double>& values, const Shape& shape, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  T* p = t.data<T>();
  for (std::size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  return t;
}

Tensor float_tensor(const std::vector<double>& values, const Shape& shape, DType dtype) {
  if (dtype == DType::kFloat64) return fill_tensor<double>(values, shape, dtype);
  return fill_tensor<float>(values, shape, dtype);
}

}  // namespace

CsvData read_csv(const std::string& path, const CsvOptions& options) {
  FATHOM_CHECK(is_floating(options.dtype), ValueError, "read_csv('", path,
               "'): dtype must be float32 or float64, received ", dtype_name(options.dtype));
  const std::string text = read_text(path);
  std::vector<Record> records = Splitter(text, options.delimiter, path).records();
  FATHOM_CHECK(!records.empty(), IoError, "'", path, "' holds no lines", options.header ? " (not even a header)" : "");

  CsvData data;
  const std::size_t width = records[0].size();
  for (std::size_t c = 0; c < width; ++c) {
    data.column_names.push_back(options.header ? records[0][c].text : std::to_string(c));
  }
  const std::size_t first_row = options.header ? 1 : 0;
  const std::size_t label = options.label_column ? label_index(options, data.column_names, path) : width;
  for (std::size_t c = 0; c < width; ++c) {
    if (c == label) {
      data.label_name = data.column_names[c];
    } else {
      data.feature_names.push_back(data.column_names[c]);
    }
  }

  const auto rows = static_cast<std::int64_t>(records.size() - first_row);
  std::vector<double> features, labels;
  std::vector<std::int64_t> int_labels;
  bool labels_are_integers = true;
  features.reserve(static_cast<std::size_t>(rows) * data.feature_names.size());
  for (std::size_t r = first_row; r < records.size(); ++r) {
    const Record& record = records[r];
    FATHOM_CHECK(record.size() == width, IoError, path, ":", record[0].line, ": this row has ", record.size(),
                 " fields but ", options.header ? "the header has " : "the first row has ", width);
    for (std::size_t c = 0; c < width; ++c) {
      const Field& f = record[c];
      double value = 0;
      FATHOM_CHECK(parse_whole(trimmed(f.text), value), IoError, path, ":", f.line, ":", f.column,
                   ": cannot read '", f.text, "' as a number (column '", data.column_names[c], "')");
      if (c != label) {
        features.push_back(value);
        continue;
      }
      labels.push_back(value);
      std::int64_t integer = 0;
      labels_are_integers = labels_are_integers && parse_whole(trimmed(f.text), integer);
      int_labels.push_back(integer);
    }
  }
  data.features = float_tensor(features, {rows, static_cast<std::int64_t>(data.feature_names.size())}, options.dtype);
  if (label < width) {
    data.labels = labels_are_integers ? Tensor::from_vector(int_labels) : float_tensor(labels, {rows}, options.dtype);
  }
  return data;
}

}  // namespace fathom::io
