// SPDX-License-Identifier: Apache-2.0
// H5Reader's attributes: the string flavours Keras files hold (fixed-length NULLPAD/NULLTERM or
// variable-length, ASCII or UTF-8, scalar or 1-D) and the float64 (0,) empty list
// (../../../shared/docs/keras-formats.md, "1+2 bis").
#include <algorithm>

#include "core/config.h"
#include "io/hdf5/detail/h5_common.h"
#include "io/hdf5/h5_file.h"

namespace fathom::io {

using h5::Handle;
using h5::QuietErrors;

std::string h5::type_name(hid_t type) {
  const std::size_t bits = H5Tget_size(type) * 8;
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "a compound type";
    case H5T_ENUM:
      return "an enum type";
    case H5T_ARRAY:
      return "an array type";
    case H5T_VLEN:
      return "variable-length sequences";
    default:
      return "an unsupported type";
  }
}

namespace {

/// An attribute opened with its type and element count (a scalar has 1, a null dataspace 0).
struct Attribute {
  Handle attr, type, space;
  std::size_t count = 0;
  int rank = 0;
  std::string where;  // "'file': attribute 'name' of '/object'"
};

Attribute open_attribute(const h5::OpenFile& impl, const std::string& object, const std::string& name) {
  const std::string abs = h5::absolute_path(object);
  const Handle target = impl.open(abs);
  Attribute a;
  a.where = impl.where() + ": attribute '" + name + "' of '" + abs + "'";
  const htri_t exists = H5Aexists(target.get(), name.c_str());
  FATHOM_CHECK(exists >= 0, IoError, a.where, ": ", h5::last_error());
  if (exists == 0) {
    std::vector<std::string> names;
    auto visit = [](hid_t, const char* n, const H5A_info_t*, void* out) -> herr_t {
      static_cast<std::vector<std::string>*>(out)->emplace_back(n);
      return 0;
    };
    hsize_t index = 0;
    H5Aiterate2(target.get(), H5_INDEX_NAME, H5_ITER_INC, &index, visit, &names);
    throw IoError(impl.where() + ": '" + abs + "' has no attribute '" + name + "'." + did_you_mean(name, names) +
                  " Its attributes: " + h5::quoted_list(names) + ".");
  }
  a.attr = Handle(H5Aopen(target.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  FATHOM_CHECK(a.attr.ok(), IoError, a.where, ": cannot open: ", h5::last_error());
  a.type = Handle(H5Aget_type(a.attr.get()), H5Tclose);
  a.space = Handle(H5Aget_space(a.attr.get()), H5Sclose);
  FATHOM_CHECK(a.type.ok() && a.space.ok(), IoError, a.where, ": cannot read its type: ", h5::last_error());
  a.rank = H5Sget_simple_extent_ndims(a.space.get());
  const hssize_t count = H5Sget_simple_extent_npoints(a.space.get());
  FATHOM_CHECK(a.rank >= 0 && count >= 0, IoError, a.where, ": bad dataspace: ", h5::last_error());
  a.count = H5Sget_simple_extent_type(a.space.get()) == H5S_NULL ? 0 : static_cast<std::size_t>(count);
  // Attributes live in object headers (64 KiB) or dense storage; more is a corrupt header.
  FATHOM_CHECK(a.count <= (1u << 24), IoError, a.where, ": implausible size ", count, " (corrupt file?)");
  return a;
}

/// Fixed-length slot -> string: NULLTERM ends at the first NUL, NULLPAD/SPACEPAD drop the padding
/// (a name that fills its slot has no terminator at all).
std::string from_slot(const char* slot, std::size_t size, H5T_str_t pad) {
  std::size_t n = size;
  if (pad == H5T_STR_NULLTERM) {
    n = std::find(slot, slot + size, '\0') - slot;
  } else {
    const char filler = pad == H5T_STR_SPACEPAD ? ' ' : '\0';
    while (n > 0 && slot[n - 1] == filler) --n;
  }
  return {slot, n};
}

std::vector<std::string> read_strings(const h5::OpenFile& file, const Attribute& a) {
  std::vector<std::string> out;
  if (a.count == 0) return out;
  const htri_t variable = H5Tis_variable_str(a.type.get());
  FATHOM_CHECK(variable >= 0, IoError, a.where, ": ", h5::last_error());
  if (variable > 0) return h5::read_vlen_strings(file, a.attr.get(), a.count, a.where);
  const std::size_t size = H5Tget_size(a.type.get());
  FATHOM_CHECK(size > 0 && a.count <= (std::size_t{1} << 30) / size, IoError, a.where,
               ": implausible fixed-length strings of size ", size, " (corrupt file?)");
  std::vector<char> raw(a.count * size);
  const Handle mem(H5Tcopy(a.type.get()), H5Tclose);
  FATHOM_CHECK(H5Aread(a.attr.get(), mem.get(), raw.data()) >= 0, IoError, a.where, ": cannot read: ",
               h5::last_error());
  const H5T_str_t pad = H5Tget_strpad(a.type.get());
  for (std::size_t i = 0; i < a.count; ++i) out.push_back(from_slot(raw.data() + i * size, size, pad));
  return out;
}

}  // namespace

bool H5Reader::has_attribute(const std::string& object, const std::string& name) const {
  QuietErrors quiet;
  const Handle target = impl_->open(object);
  const htri_t exists = H5Aexists(target.get(), name.c_str());
  FATHOM_CHECK(exists >= 0, IoError, impl_->where(), ": cannot look up attribute '", name, "' of '",
               h5::absolute_path(object), "': ", h5::last_error());
  return exists > 0;
}

std::string H5Reader::string_attribute(const std::string& object, const std::string& name) const {
  QuietErrors quiet;
  const Attribute a = open_attribute(*impl_, object, name);
  FATHOM_CHECK(H5Tget_class(a.type.get()) == H5T_STRING, IoError, a.where, " holds ", h5::type_name(a.type.get()),
               ", not a string");
  FATHOM_CHECK(a.count == 1 && a.rank <= 1, IoError, a.where, " holds ", a.count,
               " strings; expected one (a scalar)");
  return read_strings(*impl_, a).front();
}

std::vector<std::string> H5Reader::string_list_attribute(const std::string& object, const std::string& name) const {
  QuietErrors quiet;
  const Attribute a = open_attribute(*impl_, object, name);
  const H5T_class_t cls = H5Tget_class(a.type.get());
  // np.asarray([]) is float64 (0,): Keras's empty weight_names.
  if (a.count == 0 && cls != H5T_STRING) return {};
  FATHOM_CHECK(cls == H5T_STRING, IoError, a.where, " holds ", a.count, " values of ", h5::type_name(a.type.get()),
               ", not strings");
  FATHOM_CHECK(a.rank <= 1, IoError, a.where, " is a ", a.rank, "-D string array; expected 1-D");
  return read_strings(*impl_, a);
}

std::int64_t H5Reader::int_attribute(const std::string& object, const std::string& name) const {
  QuietErrors quiet;
  const Attribute a = open_attribute(*impl_, object, name);
  FATHOM_CHECK(H5Tget_class(a.type.get()) == H5T_INTEGER, IoError, a.where, " holds ", h5::type_name(a.type.get()),
               ", not an integer");
  FATHOM_CHECK(a.count == 1 && a.rank <= 1, IoError, a.where, " holds ", a.count, " integers; expected one");
  std::int64_t value = 0;
  FATHOM_CHECK(H5Aread(a.attr.get(), H5T_NATIVE_INT64, &value) >= 0, IoError, a.where, ": cannot read: ",
               h5::last_error());
  return value;
}

}  // namespace fathom::io
