// SPDX-License-Identifier: Apache-2.0
// HDF5 arrays through the C API (hdf5.h stays inside this file: see STYLE.md 2.2).
#include "io/datasets/hdf5.h"

#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "core/config.h"
#include "io/hdf5/h5_file.h"

namespace fathom::io {
namespace {

/// Owns an HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// Turns off HDF5's printing of its error stack to stderr (this thread, for the scope): failures
/// become exceptions with the innermost HDF5 message instead.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// The innermost message on this thread's HDF5 error stack ("" when empty).
std::string hdf5_error() {
  std::string text;
  auto walk = [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
    if (n == 0 && e->desc != nullptr) *static_cast<std::string*>(out) = e->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk, &text);
  return text.empty() ? "HDF5 error" : text;
}

std::string absolute_name(const std::string& dataset) {
  return !dataset.empty() && dataset[0] == '/' ? dataset : "/" + dataset;
}

Handle open_file(const std::string& path) {
  std::error_code ec;
  FATHOM_CHECK(std::filesystem::exists(path, ec), IoError, "cannot open '", path, "': no such file");
  FATHOM_CHECK(!std::filesystem::is_directory(path, ec), IoError, "cannot open '", path, "': it is a directory");
  FATHOM_CHECK(H5Fis_hdf5(path.c_str()) > 0, IoError, "'", path, "' is not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  FATHOM_CHECK(file.ok(), IoError, "cannot open '", path, "': ", hdf5_error());
  return file;
}

std::vector<std::string> dataset_names(hid_t file) {
  std::vector<std::string> names;
  auto visit = [](hid_t group, const char* name, const H5L_info_t* info, void* out) -> herr_t {
    if (info->type != H5L_TYPE_HARD) return 0;
    Handle object(H5Oopen(group, name, H5P_DEFAULT), H5Oclose);
    if (object.ok() && H5Iget_type(object.get()) == H5I_DATASET) {
      static_cast<std::vector<std::string>*>(out)->push_back(std::string("/") + name);
    }
    return 0;
  };
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visit, &names);
  std::sort(names.begin(), names.end());
  return names;
}

Handle open_dataset(hid_t file, const std::string& path, const std::string& dataset) {
  const std::string name = absolute_name(dataset);
  const auto names = dataset_names(file);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string listing;
    for (const auto& n : names) listing += (listing.empty() ? "'" : ", '") + n + "'";
    throw IoError("'" + path + "' has no dataset '" + name + "'." + did_you_mean(name, names) +
                  (names.empty() ? " The file holds no datasets." : " Its datasets: " + listing + "."));
  }
  Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  FATHOM_CHECK(ds.ok(), IoError, "'", path, "': cannot open dataset '", name, "': ", hdf5_error());
  return ds;
}

const char* class_name(H5T_class_t c) {
  switch (c) {
    case H5T_STRING:
      return "strings";
    case H5T_COMPOUND:
      return "a compound type (a structured array)";
    case H5T_ENUM:
      return "an enum type (h5py writes bool arrays so)";
    case H5T_ARRAY:
      return "an array type";
    case H5T_VLEN:
      return "variable-length sequences";
    case H5T_OPAQUE:
      return "an opaque type";
    case H5T_REFERENCE:
      return "references";
    case H5T_BITFIELD:
      return "a bitfield type";
    case H5T_TIME:
      return "a time type";
    default:
      return "an unknown type";
  }
}

Shape extent(hid_t space, const std::string& path, const std::string& name) {
  FATHOM_CHECK(H5Sget_simple_extent_type(space) != H5S_NULL, IoError, "'", path, "': dataset '", name,
               "' has a null dataspace (no data)");
  const int rank = H5Sget_simple_extent_ndims(space);
  FATHOM_CHECK(rank >= 0, IoError, "'", path, "': dataset '", name, "': ", hdf5_error());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return Shape(dims.begin(), dims.end());
}

}  // namespace

Tensor read_hdf5(const std::string& path, const std::string& dataset, std::int64_t max_rows) {
  QuietErrors quiet;
  const Handle file = open_file(path);
  const Handle ds = open_dataset(file.get(), path, dataset);
  const std::string name = absolute_name(dataset);
  const Handle type(H5Dget_type(ds.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  FATHOM_CHECK(cls == H5T_FLOAT || cls == H5T_INTEGER, IoError, "'", path, "': dataset '", name, "' holds ",
               class_name(cls), "; only integer and floating-point datasets can be read");
  const Handle file_space(H5Dget_space(ds.get()), H5Sclose);
  Shape shape = extent(file_space.get(), path, name);
  hid_t mem_space = H5S_ALL;
  std::optional<Handle> mem_space_owner;
  if (max_rows >= 0 && !shape.empty() && max_rows < shape[0]) {
    // Read rows [0, max_rows): a hyperslab of the file space and a memory space of that shape.
    shape[0] = max_rows;
    const std::vector<hsize_t> start(shape.size(), 0), count(shape.begin(), shape.end());
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    mem_space_owner.emplace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
    mem_space = mem_space_owner->get();
  }
  const bool floating = cls == H5T_FLOAT;
  Tensor out = Tensor::empty(shape, floating ? DType::kFloat32 : DType::kInt64);
  if (out.numel() == 0) return out;
  const hid_t file_selection = mem_space == H5S_ALL ? H5S_ALL : file_space.get();
  const herr_t status = H5Dread(ds.get(), floating ? H5T_NATIVE_FLOAT : H5T_NATIVE_INT64, mem_space, file_selection,
                                H5P_DEFAULT, out.raw_data());
  FATHOM_CHECK(status >= 0, IoError, "'", path, "': cannot read dataset '", name, "': ", hdf5_error());
  return out;
}

Shape hdf5_dataset_shape(const std::string& path, const std::string& dataset) {
  QuietErrors quiet;
  const Handle file = open_file(path);
  const Handle ds = open_dataset(file.get(), path, dataset);
  const Handle space(H5Dget_space(ds.get()), H5Sclose);
  return extent(space.get(), path, absolute_name(dataset));
}

std::vector<std::string> list_hdf5_datasets(const std::string& path) {
  QuietErrors quiet;
  const Handle file = open_file(path);
  return dataset_names(file.get());
}

void write_hdf5(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& datasets) {
  std::set<std::string> seen;
  for (const auto& [name, tensor] : datasets) {
    const std::string n = absolute_name(name);
    FATHOM_CHECK(n.size() > 1 && n.back() != '/', ValueError, "write_hdf5('", path, "'): invalid dataset path '", name,
                 "'");
    FATHOM_CHECK(seen.insert(n).second, ValueError, "write_hdf5('", path, "'): dataset '", n, "' given twice");
    FATHOM_CHECK(tensor.defined(), ValueError, "write_hdf5('", path, "'): the tensor for '", n, "' is undefined");
  }
  // H5Writer builds the file in memory and commits it atomically.
  H5Writer file(path);
  for (const auto& [name, tensor] : datasets) file.write_dataset(absolute_name(name), tensor);
  file.commit();
}

}  // namespace fathom::io
