// SPDX-License-Identifier: Apache-2.0
// H5Writer: an HDF5 file built in memory (core driver, no backing store) with the attribute
// types Keras/h5py 3 write, then written atomically (../../../shared/docs/keras-formats.md, "1+2 bis").
#include <optional>
#include <utility>

#include "io/atomic_file.h"
#include "io/hdf5/detail/h5_common.h"
#include "io/hdf5/h5_file.h"

namespace fathom::io {

using h5::Handle;
using h5::QuietErrors;

struct H5Writer::Impl {
  std::string path;
  Handle file;
  Handle lcpl;  // link creation: intermediate groups on demand
  std::optional<std::vector<std::uint8_t>> image;  // set by finish_image()

  std::string where() const { return "H5Writer('" + path + "')"; }
  void check_open() const {
    FATHOM_CHECK(file.ok(), IoError, where(), ": the file is finished (finish_image() or commit() was called)");
  }
  /// A group at absolute `abs` (and its parents); nothing if one is there, IoError if a dataset is.
  void make_group(const std::string& abs);
  /// The object at `path`, creating a group (and its parents) when nothing is there.
  Handle object(const std::string& path);
  /// Replaces attribute `name` of `object` by one of `type` and `space`, written from `data`.
  void attribute(const std::string& object, const std::string& name, hid_t type, hid_t space, hid_t mem_type,
                 const void* data);
};

namespace {

bool link_exists(hid_t file, const std::string& abs) {
  for (std::size_t slash = abs.find('/', 1); abs.size() > 1; slash = abs.find('/', slash + 1)) {
    if (H5Lexists(file, abs.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) break;
  }
  return true;
}

/// Variable-length UTF-8 NULLTERM strings, what h5py 3 writes for `str`.
Handle vlen_utf8() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  H5Tset_strpad(type.get(), H5T_STR_NULLTERM);
  return type;
}

/// File and memory types of a dtype.
std::pair<hid_t, hid_t> hdf5_types(DType d) {
  switch (d) {
    case DType::kFloat32:
      return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
    case DType::kFloat64:
      return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
    case DType::kInt32:
      return {H5T_STD_I32LE, H5T_NATIVE_INT32};
    case DType::kInt64:
      return {H5T_STD_I64LE, H5T_NATIVE_INT64};
    case DType::kBool:
      return {H5T_STD_U8LE, H5T_NATIVE_UINT8};
  }
  return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
}

Handle dataspace(const std::vector<hsize_t>& dims) {
  return {dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
          H5Sclose};
}

}  // namespace

Handle H5Writer::Impl::object(const std::string& path) {
  const std::string abs = h5::absolute_path(path);
  if (!link_exists(file.get(), abs)) make_group(abs);
  Handle obj(H5Oopen(file.get(), abs.c_str(), H5P_DEFAULT), H5Oclose);
  FATHOM_CHECK(obj.ok(), IoError, where(), ": cannot open '", abs, "': ", h5::last_error());
  return obj;
}

void H5Writer::Impl::make_group(const std::string& abs) {
  if (link_exists(file.get(), abs)) {
    const Handle obj(H5Oopen(file.get(), abs.c_str(), H5P_DEFAULT), H5Oclose);
    FATHOM_CHECK(obj.ok() && H5Iget_type(obj.get()) == H5I_GROUP, IoError, where(), ": cannot create group '", abs,
                 "': a dataset is there");
    return;
  }
  const Handle group(H5Gcreate2(file.get(), abs.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  FATHOM_CHECK(group.ok(), IoError, where(), ": cannot create group '", abs, "': ", h5::last_error());
}

void H5Writer::Impl::attribute(const std::string& object_path, const std::string& name, hid_t type, hid_t space,
                               hid_t mem_type, const void* data) {
  check_open();
  FATHOM_CHECK(!name.empty(), ValueError, where(), ": an attribute name must not be empty");
  const Handle target = object(object_path);
  const std::string abs = h5::absolute_path(object_path);
  if (H5Aexists(target.get(), name.c_str()) > 0) H5Adelete(target.get(), name.c_str());
  const Handle attr(H5Acreate2(target.get(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  FATHOM_CHECK(attr.ok(), IoError, where(), ": cannot create attribute '", name, "' of '", abs,
               "': ", h5::last_error());
  if (data == nullptr) return;
  FATHOM_CHECK(H5Awrite(attr.get(), mem_type, data) >= 0, IoError, where(), ": cannot write attribute '", name,
               "' of '", abs, "': ", h5::last_error());
}

H5Writer::H5Writer(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  QuietErrors quiet;
  // Core driver without backing store, under a unique name (HDF5 identifies open files by
  // name); default file-creation and library-version bounds (the earliest format).
  const Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  FATHOM_CHECK(fapl.ok() && H5Pset_fapl_core(fapl.get(), 1 << 16, /*backing_store=*/0) >= 0, IoError,
               impl_->where(), ": ", h5::last_error());
  const std::string name = h5::unique_memory_name("fathom_h5_writer_");
  impl_->file = Handle(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  FATHOM_CHECK(impl_->file.ok(), IoError, impl_->where(), ": cannot create the file: ", h5::last_error());
  impl_->lcpl = Handle(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(impl_->lcpl.get(), 1);
}

H5Writer::H5Writer(H5Writer&&) noexcept = default;
H5Writer& H5Writer::operator=(H5Writer&&) noexcept = default;
H5Writer::~H5Writer() {
  if (!impl_) return;
  QuietErrors quiet;
  impl_->file.reset();
}

void H5Writer::create_group(const std::string& path) {
  QuietErrors quiet;
  impl_->check_open();
  impl_->make_group(h5::absolute_path(path));
}

void H5Writer::set_string_attribute(const std::string& object, const std::string& name, const std::string& value) {
  QuietErrors quiet;
  const Handle type = vlen_utf8();
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const char* data = value.c_str();
  impl_->attribute(object, name, type.get(), space.get(), type.get(), &data);
}

void H5Writer::set_string_list_attribute(const std::string& object, const std::string& name,
                                         const std::vector<std::string>& values) {
  QuietErrors quiet;
  if (values.empty()) {
    // What Keras writes for [] (np.asarray([]) is float64): a (0,) float64 attribute.
    const Handle space = dataspace({0});
    impl_->attribute(object, name, H5T_IEEE_F64LE, space.get(), H5T_NATIVE_DOUBLE, nullptr);
    return;
  }
  const Handle type = vlen_utf8();
  const Handle space = dataspace({values.size()});
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  impl_->attribute(object, name, type.get(), space.get(), type.get(), data.data());
}

void H5Writer::set_int_attribute(const std::string& object, const std::string& name, std::int64_t value) {
  QuietErrors quiet;
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  impl_->attribute(object, name, H5T_STD_I64LE, space.get(), H5T_NATIVE_INT64, &value);
}

void H5Writer::write_dataset(const std::string& path, const Tensor& value) {
  QuietErrors quiet;
  impl_->check_open();
  const std::string abs = h5::absolute_path(path);
  FATHOM_CHECK(abs != "/", ValueError, impl_->where(), ": invalid dataset path '", path, "'");
  FATHOM_CHECK(value.defined(), ValueError, impl_->where(), ": the tensor for '", abs, "' is undefined");
  FATHOM_CHECK(!link_exists(impl_->file.get(), abs), IoError, impl_->where(), ": cannot write dataset '", abs,
               "': the name is taken");
  const Tensor t = value.to(Device::cpu()).contiguous();
  const Handle space = dataspace(std::vector<hsize_t>(t.shape().begin(), t.shape().end()));
  const auto [file_type, mem_type] = hdf5_types(t.dtype());
  const Handle ds(H5Dcreate2(impl_->file.get(), abs.c_str(), file_type, space.get(), impl_->lcpl.get(), H5P_DEFAULT,
                             H5P_DEFAULT),
                  H5Dclose);
  FATHOM_CHECK(ds.ok(), IoError, impl_->where(), ": cannot create dataset '", abs, "': ", h5::last_error());
  if (t.numel() == 0) return;
  FATHOM_CHECK(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data()) >= 0, IoError,
               impl_->where(), ": cannot write dataset '", abs, "': ", h5::last_error());
}

std::vector<std::uint8_t> H5Writer::finish_image() {
  if (impl_->image) return *impl_->image;
  QuietErrors quiet;
  impl_->check_open();
  const hid_t file = impl_->file.get();
  FATHOM_CHECK(H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0, IoError, impl_->where(), ": ", h5::last_error());
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  FATHOM_CHECK(size > 0, IoError, impl_->where(), ": cannot get the file image: ", h5::last_error());
  std::vector<std::uint8_t> image(static_cast<std::size_t>(size));
  FATHOM_CHECK(H5Fget_file_image(file, image.data(), image.size()) == size, IoError, impl_->where(),
               ": cannot get the file image: ", h5::last_error());
  impl_->lcpl.reset();
  impl_->file.reset();
  impl_->image = std::move(image);
  return *impl_->image;
}

void H5Writer::commit() {
  const std::vector<std::uint8_t> image = finish_image();
  AtomicFile out(impl_->path);
  out.write(image.data(), image.size());
  out.commit();
}

}  // namespace fathom::io
