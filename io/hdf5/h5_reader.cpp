// SPDX-License-Identifier: Apache-2.0
// H5Reader: groups, datasets and the string attribute flavours of Keras files, through the HDF5 C
// API (see ../../../shared/docs/keras-formats.md, "1+2 bis").
#include <algorithm>
#include <filesystem>
#include <limits>
#include <utility>

#include "core/config.h"
#include "io/hdf5/detail/h5_common.h"
#include "io/hdf5/h5_file.h"

namespace fathom::io {

using h5::Handle;
using h5::QuietErrors;

namespace {

/// Link names under an open group, in name order; IoError when the group cannot be iterated.
std::vector<std::string> link_names(hid_t group, const std::string& where, const std::string& path) {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  FATHOM_CHECK(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, visit, &names) >= 0, IoError, where,
               ": cannot list the members of group '", path, "': ", h5::last_error());
  for (const auto& name : names) {
    FATHOM_CHECK(!name.empty() && name.find('/') == std::string::npos, IoError, where, ": group '", path,
                 "' holds a link named '", name, "' (corrupt file)");
  }
  return names;
}

}  // namespace

std::string h5::quoted_list(const std::vector<std::string>& names, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", '" : "'") + names[i] + "'";
  if (names.size() > limit) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out.empty() ? "nothing" : out;
}

Handle h5::OpenFile::try_open(const std::string& path) const {
  // One link at a time from the root, each group checked before HDF5 looks a name up in it
  // (and H5Oopen fails noisily on a missing intermediate link).
  const std::string abs = h5::absolute_path(path);
  Handle current(H5Oopen(file.get(), "/", H5P_DEFAULT), H5Oclose);
  if (!current.ok()) return current;
  check_object_header(*this, current.get(), where() + ": '/'");
  for (std::size_t begin = 1; begin < abs.size();) {
    const std::size_t end = std::min(abs.find('/', begin), abs.size());
    const std::string name = abs.substr(begin, end - begin);
    if (H5Iget_type(current.get()) != H5I_GROUP || H5Lexists(current.get(), name.c_str(), H5P_DEFAULT) <= 0) return {};
    current = Handle(H5Oopen(current.get(), name.c_str(), H5P_DEFAULT), H5Oclose);
    if (!current.ok()) return current;
    check_object_header(*this, current.get(), where() + ": '" + abs.substr(0, end) + "'");
    begin = end + 1;
  }
  return current;
}

Handle h5::OpenFile::open(const std::string& path) const {
  const std::string abs = h5::absolute_path(path);
  Handle object = try_open(abs);
  if (object.ok()) return object;
  // Name the deepest group that exists and what it holds, the way a "did you mean" helps.
  std::string parent = abs.substr(0, abs.rfind('/'));
  while (!parent.empty() && kind(parent) != H5I_GROUP) parent = parent.substr(0, parent.rfind('/'));
  if (parent.empty()) parent = "/";
  const Handle group = try_open(parent);
  std::vector<std::string> names;
  if (group.ok()) names = link_names(group.get(), where(), parent);
  const std::string leaf = abs.substr(abs.rfind('/') + 1);
  throw IoError(where() + ": no object '" + abs + "'." + did_you_mean(leaf, names) + " Group '" + parent +
                "' holds " + h5::quoted_list(names) + ".");
}

H5I_type_t h5::OpenFile::kind(const std::string& path) const {
  const Handle object = try_open(path);
  return object.ok() ? H5Iget_type(object.get()) : H5I_BADID;
}

H5Reader::H5Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H5Reader::H5Reader(H5Reader&&) noexcept = default;
H5Reader& H5Reader::operator=(H5Reader&&) noexcept = default;
H5Reader::~H5Reader() {
  if (!impl_) return;
  QuietErrors quiet;
  impl_->file.reset();
}

H5Reader H5Reader::open(const std::string& path) {
  std::error_code ec;
  FATHOM_CHECK(std::filesystem::exists(path, ec), IoError, "cannot open '", path, "': no such file");
  FATHOM_CHECK(!std::filesystem::is_directory(path, ec), IoError, "cannot open '", path, "': it is a directory");
  QuietErrors quiet;
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  FATHOM_CHECK(is_hdf5 >= 0, IoError, "cannot open '", path, "': ", h5::last_error());
  FATHOM_CHECK(is_hdf5 > 0, IoError, "'", path, "' is not an HDF5 file (no HDF5 signature)");
  auto impl = std::make_unique<Impl>();
  impl->label = path;
  impl->path = path;
  impl->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  FATHOM_CHECK(impl->file.ok(), IoError, "cannot open HDF5 file '", path, "': ", h5::last_error());
  impl->init_layout();
  return H5Reader(std::move(impl));
}

namespace {

// File-image callbacks that let the core driver use the image in place, read-only, instead of
// copying it into the property list and again into the driver (H5LT's "don't copy" mode).
// `udata` is the image; every "allocation" of its size is the image itself.
void* image_malloc(size_t size, H5FD_file_image_op_t op, void* udata) {
  auto* image = static_cast<std::vector<std::uint8_t>*>(udata);
  const bool shared = op == H5FD_FILE_IMAGE_OP_PROPERTY_LIST_SET || op == H5FD_FILE_IMAGE_OP_PROPERTY_LIST_COPY ||
                      op == H5FD_FILE_IMAGE_OP_FILE_OPEN;
  return shared && size == image->size() ? image->data() : nullptr;
}
void* image_memcpy(void* dest, const void* src, size_t, H5FD_file_image_op_t, void*) {
  return dest == src ? dest : nullptr;  // only ever "copies" the image onto itself
}
void* image_realloc(void*, size_t, H5FD_file_image_op_t, void*) { return nullptr; }  // read-only
herr_t image_free(void*, H5FD_file_image_op_t, void*) { return 0; }                 // owned by the reader
void* udata_copy(void* udata) { return udata; }
herr_t udata_free(void*) { return 0; }

}  // namespace

H5Reader H5Reader::open_image(std::vector<std::uint8_t> bytes, const std::string& label) {
  FATHOM_CHECK(!bytes.empty(), IoError, "'", label, "' is not an HDF5 file: it is empty");
  QuietErrors quiet;
  auto impl = std::make_unique<Impl>();
  impl->label = label;
  auto image = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
  impl->image = image;
  {
    // The core driver over the image in place, never written back.
    const Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5FD_file_image_callbacks_t callbacks = {image_malloc, image_memcpy, image_realloc, image_free,
                                             udata_copy,   udata_free,   image.get()};
    FATHOM_CHECK(fapl.ok() && H5Pset_fapl_core(fapl.get(), 1 << 16, /*backing_store=*/0) >= 0 &&
                     H5Pset_file_image_callbacks(fapl.get(), &callbacks) >= 0 &&
                     H5Pset_file_image(fapl.get(), image->data(), image->size()) >= 0,
                 IoError, "cannot open HDF5 image '", label, "': ", h5::last_error());
    const std::string name = h5::unique_memory_name("fathom_h5_image_");
    impl->file = Handle(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
    FATHOM_CHECK(impl->file.ok(), IoError, "cannot open HDF5 image '", label,
                 "' (not an HDF5 file, or a corrupt one): ", h5::last_error());
  }
  impl->init_layout();
  return H5Reader(std::move(impl));
}

const std::string& H5Reader::label() const { return impl_->label; }

bool H5Reader::is_group(const std::string& path) const {
  QuietErrors quiet;
  return impl_->kind(path) == H5I_GROUP;
}

bool H5Reader::is_dataset(const std::string& path) const {
  QuietErrors quiet;
  return impl_->kind(path) == H5I_DATASET;
}

std::vector<std::string> H5Reader::children(const std::string& group) const {
  QuietErrors quiet;
  const std::string abs = h5::absolute_path(group);
  const Handle object = impl_->open(abs);
  FATHOM_CHECK(H5Iget_type(object.get()) == H5I_GROUP, IoError, impl_->where(), ": '", abs, "' is not a group");
  return link_names(object.get(), impl_->where(), abs);
}

namespace {

struct Dataset {
  Handle ds, type, space;
  Shape shape;
  std::string where;  // "'file': dataset '/path'"
};

Dataset open_dataset(const h5::OpenFile& impl, const std::string& path) {
  const std::string abs = h5::absolute_path(path);
  Dataset d;
  d.where = impl.where() + ": dataset '" + abs + "'";
  Handle object = impl.open(abs);
  FATHOM_CHECK(H5Iget_type(object.get()) == H5I_DATASET, IoError, impl.where(), ": '", abs,
               "' is a group, not a dataset");
  d.ds = std::move(object);
  d.type = Handle(H5Dget_type(d.ds.get()), H5Tclose);
  d.space = Handle(H5Dget_space(d.ds.get()), H5Sclose);
  FATHOM_CHECK(d.type.ok() && d.space.ok(), IoError, d.where, ": cannot read its header: ", h5::last_error());
  FATHOM_CHECK(H5Sget_simple_extent_type(d.space.get()) != H5S_NULL, IoError, d.where,
               " has a null dataspace (no data)");
  const int rank = H5Sget_simple_extent_ndims(d.space.get());
  FATHOM_CHECK(rank >= 0, IoError, d.where, ": ", h5::last_error());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(d.space.get(), dims.data(), nullptr);
  d.shape.assign(dims.begin(), dims.end());
  return d;
}

/// Elements of `shape`, IoError when the product overflows (a corrupt header).
std::size_t checked_numel(const Shape& shape, const std::string& where) {
  std::size_t n = 1;
  for (std::int64_t dim : shape) {
    FATHOM_CHECK(dim >= 0 && (dim == 0 || n <= (std::numeric_limits<std::size_t>::max() >> 4) /
                                                     static_cast<std::size_t>(dim)),
                 IoError, where, ": implausible shape (corrupt file?)");
    n *= static_cast<std::size_t>(dim);
  }
  return n;
}

}  // namespace

Tensor H5Reader::read_dataset(const std::string& path) const {
  QuietErrors quiet;
  const Dataset d = open_dataset(*impl_, path);
  const H5T_class_t cls = H5Tget_class(d.type.get());
  FATHOM_CHECK(cls == H5T_FLOAT || cls == H5T_INTEGER, IoError, d.where, " holds ", h5::type_name(d.type.get()),
               "; only integer and floating-point datasets can be read");
  const std::size_t numel = checked_numel(d.shape, d.where);
  // A contiguous dataset stores every element: less storage than that is a truncated file.
  const Handle dcpl(H5Dget_create_plist(d.ds.get()), H5Pclose);
  const hsize_t stored = H5Dget_storage_size(d.ds.get());
  FATHOM_CHECK(!dcpl.ok() || H5Pget_layout(dcpl.get()) != H5D_CONTIGUOUS || stored == 0 ||
                   stored >= numel * H5Tget_size(d.type.get()),
               IoError, d.where, ": its storage (", stored, " bytes) is smaller than its shape needs (corrupt file?)");
  const bool floating = cls == H5T_FLOAT;
  Tensor out = Tensor::empty(d.shape, floating ? DType::kFloat32 : DType::kInt64);
  if (numel == 0) return out;
  FATHOM_CHECK(H5Dread(d.ds.get(), floating ? H5T_NATIVE_FLOAT : H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       out.raw_data()) >= 0,
               IoError, d.where, ": cannot read: ", h5::last_error());
  return out;
}

Shape H5Reader::dataset_shape(const std::string& path) const {
  QuietErrors quiet;
  return open_dataset(*impl_, path).shape;
}

}  // namespace fathom::io
