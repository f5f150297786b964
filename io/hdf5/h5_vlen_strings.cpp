// SPDX-License-Identifier: Apache-2.0
// Variable-length string attributes, read without HDF5's global-heap reader. HDF5 1.10 copies a
// heap object of whatever size the (possibly corrupt) heap records into a buffer sized by the
// attribute's descriptor, and indexes heap objects unchecked: a flipped byte crashes the process.
// So the raw descriptors (length, collection address, object index) are taken through a
// conversion to an opaque type registered here, and the strings are read and checked by this code.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "core/error.h"
#include "io/hdf5/detail/h5_common.h"

namespace fathom::io::h5 {
namespace {

constexpr const char* kRawTag = "fathom:vlen-string-descriptor";
constexpr std::size_t kRawSize = 32;  // a descriptor: 4 + sizeof_addr (<= 16) + 4 bytes

/// vlen string (disk form) -> opaque kRawTag: the descriptor bytes as stored, zero-padded.
herr_t raw_descriptors(hid_t src, hid_t dst, H5T_cdata_t* cdata, size_t count, size_t buf_stride, size_t, void* buf,
                       void*, hid_t) {
  if (cdata->command == H5T_CONV_FREE) return 0;
  if (cdata->command == H5T_CONV_INIT) {
    if (H5Tis_variable_str(src) <= 0 || H5Tget_class(dst) != H5T_OPAQUE) return -1;
    char* tag = H5Tget_tag(dst);
    const bool ours = tag != nullptr && std::strcmp(tag, kRawTag) == 0;
    H5free_memory(tag);
    cdata->need_bkg = H5T_BKG_NO;
    return ours ? 0 : -1;
  }
  const std::size_t s = H5Tget_size(src), d = H5Tget_size(dst);
  if (s > d) return -1;
  const std::size_t src_stride = buf_stride != 0 ? buf_stride : s, dst_stride = buf_stride != 0 ? buf_stride : d;
  auto* bytes = static_cast<std::uint8_t*>(buf);
  for (std::size_t i = count; i-- > 0;) {  // in place, back to front: elements grow
    std::memmove(bytes + i * dst_stride, bytes + i * src_stride, s);
    std::memset(bytes + i * dst_stride + s, 0, d - s);
  }
  return 0;
}

void register_conversion() {
  static std::once_flag once;
  std::call_once(once, [] {
    const Handle vlen(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(vlen.get(), H5T_VARIABLE);
    const Handle raw(H5Tcreate(H5T_OPAQUE, kRawSize), H5Tclose);
    H5Tset_tag(raw.get(), kRawTag);
    H5Tregister(H5T_PERS_SOFT, "fathom_vlen_descriptor", vlen.get(), raw.get(), raw_descriptors);
  });
}

/// One global heap collection ("GCOL"), read whole and checked so that every object lies inside it.
class Collection {
 public:
  Collection(const OpenFile& file, const Layout& l, std::uint64_t address, const std::string& where) : where_(where) {
    const std::size_t header = 8 + l.sizeof_size;
    FATHOM_CHECK(address < l.file_size && l.base + address + header <= l.file_size, IoError, where,
                 ": a string points outside the file (corrupt file)");
    bytes_ = file.bytes(l.base + address, header);
    FATHOM_CHECK(bytes_.size() == header && std::memcmp(bytes_.data(), "GCOL", 4) == 0 && bytes_[4] == 1, IoError,
                 where, ": no global heap collection where a string points (corrupt file)");
    const std::uint64_t size = little_endian(bytes_.data() + 8, l.sizeof_size);
    FATHOM_CHECK(size >= header && size <= l.file_size - l.base - address, IoError, where,
                 ": a global heap collection overruns the file (corrupt or truncated file)");
    bytes_ = file.bytes(l.base + address, static_cast<std::size_t>(size));
    sizeof_size_ = l.sizeof_size;
    FATHOM_CHECK(bytes_.size() == size, IoError, where, ": cannot read a global heap collection");
  }

  /// Object `index`, which must hold `length` bytes.
  std::string object(std::uint32_t index, std::uint64_t length) const {
    const std::size_t header = 8 + sizeof_size_;
    for (std::size_t p = header; p + header <= bytes_.size();) {
      const auto id = static_cast<std::uint32_t>(little_endian(&bytes_[p], 2));
      if (id == 0) break;  // free space: the rest of the collection
      const std::uint64_t size = little_endian(&bytes_[p + 8], sizeof_size_);
      FATHOM_CHECK(size <= bytes_.size() - p - header, IoError, where_,
                   ": a global heap object overruns its collection (corrupt file)");
      if (id == index) {
        FATHOM_CHECK(size == length, IoError, where_, ": a string's length (", length,
                     ") disagrees with its heap object (", size, " bytes) (corrupt file)");
        return {reinterpret_cast<const char*>(&bytes_[p + header]), static_cast<std::size_t>(size)};
      }
      p += header + (size + 7) / 8 * 8;
    }
    throw IoError(where_ + ": a string's global heap object is missing (corrupt file)");
  }

 private:
  std::string where_;
  std::vector<std::uint8_t> bytes_;
  std::size_t sizeof_size_ = 8;
};

}  // namespace

void OpenFile::init_layout() {
  const Handle fcpl(H5Fget_create_plist(file.get()), H5Pclose);
  hsize_t userblock = 0;
  FATHOM_CHECK(fcpl.ok() && H5Pget_userblock(fcpl.get(), &userblock) >= 0 &&
                   H5Pget_sizes(fcpl.get(), &layout.sizeof_addr, &layout.sizeof_size) >= 0,
               IoError, where(), ": ", last_error());
  FATHOM_CHECK(layout.sizeof_addr <= 8 && layout.sizeof_size <= 8, IoError, where(), ": unsupported ",
               layout.sizeof_addr * 8, "-bit file addresses");
  layout.base = userblock;
  std::error_code ec;
  layout.file_size = image ? image->size() : std::filesystem::file_size(path, ec);
}

std::vector<std::string> read_vlen_strings(const OpenFile& file, hid_t attribute, std::size_t count,
                                           const std::string& where) {
  register_conversion();
  const Layout& l = file.layout;
  const Handle raw(H5Tcreate(H5T_OPAQUE, kRawSize), H5Tclose);
  H5Tset_tag(raw.get(), kRawTag);
  std::vector<std::uint8_t> descriptors(count * kRawSize);
  FATHOM_CHECK(H5Aread(attribute, raw.get(), descriptors.data()) >= 0, IoError, where, ": cannot read: ",
               last_error());
  std::map<std::uint64_t, Collection> collections;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* d = &descriptors[i * kRawSize];
    const std::uint64_t length = little_endian(d, 4);
    if (length == 0) {  // "" (or a null string): no heap object
      out.emplace_back();
      continue;
    }
    const std::uint64_t address = little_endian(d + 4, l.sizeof_addr);
    const auto index = static_cast<std::uint32_t>(little_endian(d + 4 + l.sizeof_addr, 4));
    auto it = collections.find(address);
    if (it == collections.end()) it = collections.emplace(address, Collection(file, l, address, where)).first;
    out.push_back(it->second.object(index, length));
  }
  return out;
}

std::vector<std::uint8_t> OpenFile::bytes(std::uint64_t offset, std::size_t size) const {
  if (image) {
    if (offset >= image->size()) return {};
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, image->size() - offset));
    return {image->begin() + static_cast<std::ptrdiff_t>(offset),
            image->begin() + static_cast<std::ptrdiff_t>(offset + n)};
  }
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::vector<std::uint8_t> out(size);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(size));
  out.resize(in ? size : static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return out;
}

}  // namespace fathom::io::h5
