// SPDX-License-Identifier: Apache-2.0
// Private to io/hdf5/*.cpp (a detail/ header may include hdf5.h: STYLE.md 2.2).
#pragma once
#include <hdf5.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "io/hdf5/h5_file.h"

namespace fathom::io::h5 {

/// Owns an HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
      close_ = other.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && close_ != nullptr) close_(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

/// Turns off HDF5's printing of its error stack to stderr (this thread, for the scope): failures
/// become exceptions carrying the innermost HDF5 message instead.
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

/// The innermost message on this thread's HDF5 error stack ("HDF5 error" when empty).
inline std::string last_error() {
  std::string text;
  auto walk = [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
    if (n == 0 && e->desc != nullptr) *static_cast<std::string*>(out) = e->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk, &text);
  return text.empty() ? "HDF5 error" : text;
}

/// "/a/b" for "a/b", "/a/b/" or "/a//b"; "/" for "" and "/".
inline std::string absolute_path(const std::string& path) {
  std::string out = "/";
  for (char c : path) {
    if (c == '/' && out.back() == '/') continue;
    out += c;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

/// A unique name for an in-memory (core driver) file: HDF5 identifies open files by name, so
/// two images opened under one name would be taken for the same file.
inline std::string unique_memory_name(const char* prefix) {
  static std::atomic<unsigned long> counter{0};
  return std::string(prefix) + std::to_string(counter++);
}

/// "float64", "int32", "uint8", "string", ... for error messages.
std::string type_name(hid_t type);

/// 'a', 'b', ... (at most `limit` names) or "nothing", for error messages.
std::string quoted_list(const std::vector<std::string>& names, std::size_t limit = 20);

/// Where things are in a file: addresses are relative to `base` (the user block size), and the
/// widths of addresses and lengths come from the superblock.
struct Layout {
  std::uint64_t base = 0, file_size = 0;
  std::size_t sizeof_addr = 8, sizeof_size = 8;
};

/// An open file and the label that names it in errors (H5Reader's state). It also reads the
/// file's bytes itself, for what HDF5 1.10 does not check (h5_header_check.cpp, h5_vlen_strings.cpp).
struct OpenFile {
  std::string label;
  std::string path;                                        // the file on disk, or "" for an image
  std::shared_ptr<const std::vector<std::uint8_t>> image;  // the bytes of an image
  Handle file;
  Layout layout;                                      // set by init_layout() once the file is open
  mutable std::set<std::uint64_t> checked_headers;    // object headers check_object_header() passed

  /// Reads `layout` from the open file; IoError if HDF5 cannot tell it.
  void init_layout();

  /// "'label'", the start of every error message.
  std::string where() const { return "'" + label + "'"; }
  /// The object at `path`, or a handle that is not ok() when no such link resolves.
  Handle try_open(const std::string& path) const;
  /// The object at `path`; IoError naming the deepest existing group and its members if absent.
  Handle open(const std::string& path) const;
  /// H5I_GROUP, H5I_DATASET, ... or H5I_BADID when absent.
  H5I_type_t kind(const std::string& path) const;
  /// Up to `size` bytes at absolute file offset `offset` (fewer at the end of the file).
  std::vector<std::uint8_t> bytes(std::uint64_t offset, std::size_t size) const;
};


/// The `n`-byte (n <= 8) little-endian unsigned integer at `p`.
inline std::uint64_t little_endian(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

/// Checks what HDF5 1.10 trusts in `object`'s header before it decodes it: the name, datatype and
/// dataspace sizes of attribute messages (it reads or copies out of bounds when they are corrupt)
/// and, for a group, its local heap's free list (a cycle there hangs it). IoError (`where` + what
/// is wrong) for an inconsistent version-1 header; version-2 headers carry checksums that HDF5
/// verifies itself. Each header is checked once per file.
void check_object_header(const OpenFile& file, hid_t object, const std::string& where);

/// The strings of a variable-length string attribute, read from the global heap by this code
/// rather than by HDF5 (whose 1.10 reader trusts corrupt heap sizes and indices and crashes).
/// IoError (`where` + what is wrong) for a corrupt descriptor or heap collection.
std::vector<std::string> read_vlen_strings(const OpenFile& file, hid_t attribute, std::size_t count,
                                           const std::string& where);

}  // namespace fathom::io::h5

namespace fathom::io {
struct H5Reader::Impl : h5::OpenFile {};
}  // namespace fathom::io
