// SPDX-License-Identifier: Apache-2.0
// CSV: a numeric table, one column of which holds the labels.
#include "io/data_sources/source.h"
#include "io/datasets/csv.h"

namespace fathom::io::detail {

SourceArrays load_csv_source(const SourceContext& ctx) {
  const Config& path_value = ctx.required("path", "the CSV file");
  CsvOptions options;
  const Config* label = ctx.find("label_column");
  if (label != nullptr) {
    if (label->is_string()) {
      options.label_column = label->as_string();
    } else if (label->kind() == Config::Kind::kInt) {
      options.label_column = label->as_int();
    } else {
      ctx.fail(*label, std::string("'label_column': expected a column name or index, received ") +
                           Config::kind_name(label->kind()) + ".");
    }
  } else if (ctx.labels_required()) {
    ctx.required("label_column",
                 "the name or index of the column that holds the labels; required for " + ctx.role() + " data");
  }
  if (const Config* h = ctx.find("header")) options.header = ctx.as_bool(*h, "header");
  if (const Config* d = ctx.find("delimiter")) {
    const std::string delimiter = ctx.as_string(*d, "delimiter");
    if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\n" || delimiter == "\r") {
      ctx.fail(*d,
               "'delimiter' must be one character other than a quote or a line break. Received: '" + delimiter + "'.");
    }
    options.delimiter = delimiter[0];
  }
  const std::string path = ctx.existing_path(path_value, "path");

  CsvData data;
  try {
    data = read_csv(path, options);
  } catch (const ValueError& e) {
    // read_csv's ValueErrors are about the label column (unknown name, index out of range).
    ctx.fail(*label, "'label_column': " + e.message() + ".");
  }
  SourceArrays out;
  out.x.push_back(make_array(data.features, "features of '" + path + "'", &path_value));
  if (data.labels.defined()) {
    out.y.push_back(make_array(data.labels, "column '" + data.label_name + "' of '" + path + "'", label));
  }
  out.description = "CSV '" + path + "'" + (data.labels.defined() ? " (labels '" + data.label_name + "')" : "");
  return out;
}

}  // namespace fathom::io::detail
