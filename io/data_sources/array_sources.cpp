// SPDX-License-Identifier: Apache-2.0
// NPY and HDF5: named arrays, one per model input (x) and output (y).
#include <algorithm>

#include "io/data_sources/source.h"
#include "io/datasets/hdf5.h"
#include "io/datasets/npy.h"

namespace fathom::io::detail {
namespace {

/// The values of x and y (y may be absent unless labels are required).
struct ArrayKeys {
  std::vector<const Config*> x, y;
};

ArrayKeys array_keys(const SourceContext& ctx, const std::string& x_what, const std::string& y_what) {
  ArrayKeys keys;
  keys.x = ctx.string_or_list(ctx.required("x", x_what), "x");
  if (const Config* y = ctx.find("y")) {
    keys.y = ctx.string_or_list(*y, "y");
  } else if (ctx.labels_required()) {
    ctx.required("y", y_what + "; required for " + ctx.role() + " data");
  }
  return keys;
}

std::string join_names(const std::vector<SourceArray>& arrays) {
  std::string s;
  for (const auto& a : arrays) s += (s.empty() ? "" : ", ") + a.name;
  return s;
}

std::string describe_arrays(const std::string& prefix, const SourceArrays& out) {
  return prefix + "x " + join_names(out.x) + (out.y.empty() ? "" : ", y " + join_names(out.y));
}

/// The dataset path as the file spells it ("/x" for "x").
std::string absolute(const std::string& dataset) { return dataset.rfind('/', 0) == 0 ? dataset : "/" + dataset; }

}  // namespace

SourceArrays load_npy_source(const SourceContext& ctx) {
  const ArrayKeys keys = array_keys(ctx, "the .npy file of the inputs, or a list: one per model input",
                                    "the .npy file of the labels, or a list: one per model output");
  // Every path is checked before anything is read.
  std::vector<std::string> x_paths, y_paths;
  for (const Config* v : keys.x) x_paths.push_back(ctx.existing_path(*v, "x"));
  for (const Config* v : keys.y) y_paths.push_back(ctx.existing_path(*v, "y"));
  SourceArrays out;
  for (std::size_t i = 0; i < x_paths.size(); ++i) {
    out.x.push_back(make_array(read_npy(x_paths[i]), "'" + x_paths[i] + "'", keys.x[i]));
  }
  for (std::size_t i = 0; i < y_paths.size(); ++i) {
    out.y.push_back(make_array(read_npy(y_paths[i]), "'" + y_paths[i] + "'", keys.y[i]));
  }
  out.description = describe_arrays("NPY ", out);
  return out;
}

SourceArrays load_hdf5_source(const SourceContext& ctx) {
  const Config& path_value = ctx.required("path", "the HDF5 file");
  const ArrayKeys keys = array_keys(ctx, "the dataset of the inputs in the file ('/train/x'), or a list",
                                    "the dataset of the labels in the file ('/train/y'), or a list");
  const std::string path = ctx.existing_path(path_value, "path");
  const std::vector<std::string> datasets = list_hdf5_datasets(path);  // IoError for a non-HDF5 file
  auto check = [&](const Config* v, const char* key) {
    const std::string name = absolute(ctx.as_string(*v, key));
    if (std::find(datasets.begin(), datasets.end(), name) == datasets.end()) {
      std::string listing;
      for (const auto& d : datasets) listing += (listing.empty() ? "'" : ", '") + d + "'";
      ctx.fail(*v, std::string("'") + key + "': no dataset '" + name + "' in '" + path + "'." +
                       did_you_mean(name, datasets) + " Its datasets: " + (listing.empty() ? "none" : listing) + ".");
    }
    return name;
  };
  // Only the rows that `take` keeps are read; the count of the whole dataset is kept so that
  // x and y of different lengths are still caught.
  auto read = [&](const Config* v, const std::string& name) {
    const Shape shape = hdf5_dataset_shape(path, name);
    SourceArray a = make_array(read_hdf5(path, name, ctx.take()), "'" + name + "'", v);
    if (!shape.empty()) a.samples = shape[0];
    return a;
  };
  std::vector<std::string> x_names, y_names;  // every name is checked before anything is read
  for (const Config* v : keys.x) x_names.push_back(check(v, "x"));
  for (const Config* v : keys.y) y_names.push_back(check(v, "y"));
  SourceArrays out;
  for (std::size_t i = 0; i < x_names.size(); ++i) out.x.push_back(read(keys.x[i], x_names[i]));
  for (std::size_t i = 0; i < y_names.size(); ++i) out.y.push_back(read(keys.y[i], y_names[i]));
  out.description = describe_arrays("HDF5 '" + path + "' ", out);
  return out;
}

}  // namespace fathom::io::detail
