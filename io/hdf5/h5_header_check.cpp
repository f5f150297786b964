// SPDX-License-Identifier: Apache-2.0
// Checks of version-1 object headers (HDF5 file format spec, IV.A.1.a) for what HDF5 1.10 trusts,
// found by fuzzing: attribute messages (IV.A.2.m), whose decoder skips over the name, datatype and
// dataspace by their recorded sizes and copies the data without comparing against the message
// size; and a group's local heap (III.D), whose free list HDF5 follows without cycle detection.
// Version-2 headers ("OHDR") are checksummed and left to HDF5.
#include <cstring>

#include "core/error.h"
#include "io/hdf5/detail/h5_common.h"

namespace fathom::io::h5 {
namespace {

constexpr std::uint16_t kContinuation = 0x10, kAttribute = 0x0C, kSymbolTable = 0x11;
constexpr std::size_t kMaxChunks = 256;  // continuation blocks followed per header (cycles end here)

std::size_t align8(std::size_t n) { return (n + 7) / 8 * 8; }

/// Elements of a dataspace message (null: 0, scalar: 1); throws for one that does not fit.
std::uint64_t dataspace_elements(const std::uint8_t* ds, std::size_t size, const Layout& l, const std::string& where) {
  FATHOM_CHECK(size >= 4, IoError, where, ": corrupt attribute dataspace");
  const unsigned version = ds[0], rank = ds[1];
  FATHOM_CHECK((version == 1 || version == 2) && rank <= 32, IoError, where, ": corrupt attribute dataspace");
  if (version == 2 && ds[3] == 2) return 0;  // null dataspace
  const std::size_t dims_at = version == 1 ? 8 : 4;
  FATHOM_CHECK(dims_at + rank * l.sizeof_size <= size, IoError, where, ": corrupt attribute dataspace");
  std::uint64_t n = 1;
  for (unsigned i = 0; i < rank; ++i) {
    const std::uint64_t dim = little_endian(ds + dims_at + i * l.sizeof_size, l.sizeof_size);
    FATHOM_CHECK(dim == 0 || n <= (std::uint64_t{1} << 48) / dim, IoError, where, ": corrupt attribute dataspace");
    n *= dim;
  }
  return n;
}

/// One attribute message body of `size` bytes.
void check_attribute(const std::uint8_t* m, std::size_t size, const Layout& l, const std::string& where) {
  FATHOM_CHECK(size >= 8, IoError, where, ": corrupt attribute message");
  const unsigned version = m[0], flags = version == 1 ? 0 : m[1];
  FATHOM_CHECK(version >= 1 && version <= 3, IoError, where, ": corrupt attribute message (version ", version, ")");
  const std::size_t name = little_endian(m + 2, 2), dt = little_endian(m + 4, 2), ds = little_endian(m + 6, 2);
  const std::size_t start = version == 3 ? 9 : 8;
  const auto padded = [&](std::size_t n) { return version == 1 ? align8(n) : n; };
  const std::size_t data_at = start + padded(name) + padded(dt) + padded(ds);
  FATHOM_CHECK(name > 0 && data_at <= size && std::memchr(m + start, 0, name) != nullptr, IoError, where,
               ": corrupt attribute message (its parts overrun it)");
  if ((flags & 3) != 0) return;  // shared datatype or dataspace: a small reference, decoded by HDF5
  const std::uint8_t* type = m + start + padded(name);
  FATHOM_CHECK(dt >= 8, IoError, where, ": corrupt attribute datatype");
  std::uint64_t element = little_endian(type + 4, 4);
  if ((type[0] & 0x0F) == 9) element = 4 + l.sizeof_addr + 4;  // variable-length: a heap descriptor
  const std::uint64_t count = dataspace_elements(type + padded(dt), ds, l, where);
  FATHOM_CHECK(element == 0 || count <= (size - data_at) / element, IoError, where,
               ": corrupt attribute message (its data overruns it)");
}

/// A group's local heap (the link names): its data segment lies in the file and its free list
/// stays inside it and ends (each free block holds at least two lengths, so no more than
/// size / (2 * sizeof_size) of them fit).
void check_local_heap(const OpenFile& file, std::uint64_t address, const std::string& where) {
  const Layout& l = file.layout;
  const std::size_t header = 8 + 2 * l.sizeof_size + l.sizeof_addr;
  const std::vector<std::uint8_t> h = file.bytes(l.base + address, header);
  FATHOM_CHECK(h.size() == header && std::memcmp(h.data(), "HEAP", 4) == 0 && h[4] == 0, IoError, where,
               ": corrupt group (no local heap where its symbol table points)");
  const std::uint64_t size = little_endian(&h[8], l.sizeof_size);
  std::uint64_t free = little_endian(&h[8 + l.sizeof_size], l.sizeof_size);
  const std::uint64_t data = little_endian(&h[8 + 2 * l.sizeof_size], l.sizeof_addr);
  FATHOM_CHECK(data < l.file_size && size <= l.file_size - std::min(l.file_size, l.base + data), IoError, where,
               ": corrupt group (its local heap overruns the file)");
  const std::uint64_t block = 2 * l.sizeof_size;
  for (std::uint64_t steps = 0; free != 1; ++steps) {  // 1: the end of the free list
    FATHOM_CHECK(steps <= size / block && free <= size && size - free >= block, IoError, where,
                 ": corrupt group (its local heap's free list is broken)");
    const std::vector<std::uint8_t> b = file.bytes(l.base + data + free, block);
    FATHOM_CHECK(b.size() == block, IoError, where, ": corrupt group (truncated local heap)");
    free = little_endian(b.data(), l.sizeof_size);
  }
}

/// The messages in [at, at + size) of a v1 header; continuation blocks are appended to `chunks`.
void check_chunk(const OpenFile& file, const std::vector<std::uint8_t>& bytes, const std::string& where,
                 std::vector<std::pair<std::uint64_t, std::uint64_t>>& chunks) {
  const Layout& l = file.layout;
  for (std::size_t p = 0; p + 8 <= bytes.size();) {
    const auto type = static_cast<std::uint16_t>(little_endian(&bytes[p], 2));
    const std::size_t size = little_endian(&bytes[p + 2], 2);
    FATHOM_CHECK(size <= bytes.size() - p - 8, IoError, where, ": corrupt object header (a message overruns it)");
    const std::uint8_t* body = &bytes[p + 8];
    if (type == kAttribute) check_attribute(body, size, l, where);
    if (type == kSymbolTable) {
      FATHOM_CHECK(size >= 2 * l.sizeof_addr, IoError, where, ": corrupt symbol table message");
      check_local_heap(file, little_endian(body + l.sizeof_addr, l.sizeof_addr), where);
    }
    if (type == kContinuation) {
      FATHOM_CHECK(size >= l.sizeof_addr + l.sizeof_size, IoError, where, ": corrupt object header continuation");
      chunks.emplace_back(little_endian(body, l.sizeof_addr), little_endian(body + l.sizeof_addr, l.sizeof_size));
    }
    p += 8 + size;
  }
}

}  // namespace

void check_object_header(const OpenFile& file, hid_t object, const std::string& where) {
  H5O_info_t info;
  FATHOM_CHECK(H5Oget_info2(object, &info, H5O_INFO_BASIC) >= 0, IoError, where, ": ", last_error());
  if (file.checked_headers.count(info.addr) != 0) return;
  const Layout& l = file.layout;
  const std::vector<std::uint8_t> prefix = file.bytes(l.base + info.addr, 16);
  FATHOM_CHECK(prefix.size() == 16, IoError, where, ": its object header lies outside the file (corrupt file)");
  if (std::memcmp(prefix.data(), "OHDR", 4) != 0) {  // version 2 is checksummed
    FATHOM_CHECK(prefix[0] == 1, IoError, where, ": corrupt object header (version ", int{prefix[0]}, ")");
    std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks = {{info.addr + 16, little_endian(&prefix[8], 4)}};
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      FATHOM_CHECK(i < kMaxChunks, IoError, where, ": corrupt object header (too many continuation blocks)");
      const auto [at, size] = chunks[i];
      FATHOM_CHECK(at < l.file_size && size <= l.file_size - std::min(l.file_size, l.base + at), IoError, where,
                   ": corrupt object header (it overruns the file)");
      check_chunk(file, file.bytes(l.base + at, static_cast<std::size_t>(size)), where, chunks);
    }
  }
  file.checked_headers.insert(info.addr);
}

}  // namespace fathom::io::h5
