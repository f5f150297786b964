// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace fathom::io {

/// How read_csv reads a file.
struct CsvOptions {
  /// The first line holds the column names. Without a header, columns are named "0", "1", ...
  bool header = true;
  char delimiter = ',';
  /// The column that holds the labels: a name from the header (`opts.label_column = "species"`)
  /// or an index (`opts.label_column = 4`; negative counts from the end, -1 is the last).
  /// Without one, every column is a feature and `labels` is undefined.
  std::optional<std::variant<std::string, std::int64_t>> label_column;
  /// float32 or float64: the dtype of `features` (and of float labels).
  DType dtype = DType::kFloat32;
};

struct CsvData {
  Tensor features;  // [N, F], options.dtype
  /// [N]: int64 when every label is written as an integer ("3", "-1"), else options.dtype.
  /// Undefined without a label column.
  Tensor labels;
  std::vector<std::string> column_names;   // every column, in file order
  std::vector<std::string> feature_names;  // the columns of `features`, in order
  std::string label_name;                  // empty without a label column
};

/// Reads a numeric CSV file (RFC 4180): fields may be quoted ("1.5", with "" for a quote and the
/// delimiter or line breaks inside), lines may end in LF or CRLF, blank lines are skipped and a
/// UTF-8 byte-order mark is ignored. Numbers are parsed without locale ("1e-3", "nan", "inf";
/// spaces around a field are ignored). Throws IoError naming the path for a file that cannot be
/// read; "path:line:column: ..." with the offending text for a value that is not a number
/// (an empty field included); "path:line: ..." for a row with the wrong number of fields or an
/// unterminated quote; and an unknown label column lists the columns.
CsvData read_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace fathom::io
