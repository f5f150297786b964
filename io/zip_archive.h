// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fathom::io {

/// The members of a zip archive (what a Keras 3 .keras file is), read whole into memory with
/// libzip. IoError naming the path for a missing file, a file that is not a zip, a corrupt or
/// truncated archive, or (read) a member that is absent (listing those present).
class ZipArchive {
 public:
  static ZipArchive open(const std::string& path);
  const std::string& path() const { return path_; }
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const;
  std::vector<std::uint8_t> read(const std::string& name) const;
  std::string read_text(const std::string& name) const;

 private:
  std::string path_;
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> members_;
};

/// Writes a zip archive of `members` (name, bytes), uncompressed (ZIP_STORED, as Keras writes
/// .keras files), atomically: an existing file is replaced only by a complete archive.
void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& members);

/// What a file is, from its first bytes (never from its name).
enum class FileKind { kHdf5, kZip, kJson, kOther };
/// IoError if the file cannot be opened.
FileKind sniff_file_kind(const std::string& path);

}  // namespace fathom::io
