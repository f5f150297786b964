// SPDX-License-Identifier: Apache-2.0
// Zip archives through libzip (zip.h stays inside this file), and file-kind sniffing.
#include "io/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/config.h"
#include "core/error.h"
#include "io/atomic_file.h"

namespace fathom::io {
namespace {

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

std::string archive_error(zip_t* archive) { return zip_error_strerror(zip_get_error(archive)); }

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;

struct MemberCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

/// Member `index` read whole; libzip checks its CRC at the end of the data.
/// `size_hint` bounds the memory reserved up front (the archive's size: Keras stores members).
std::vector<std::uint8_t> read_member(zip_t* archive, zip_uint64_t index, const std::string& name,
                                      const std::string& path, std::uint64_t size_hint) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  FATHOM_CHECK(zip_stat_index(archive, index, 0, &stat) == 0, IoError, "'", path, "': cannot read member '", name,
               "': ", archive_error(archive));
  std::unique_ptr<zip_file_t, MemberCloser> file(zip_fopen_index(archive, index, 0));
  FATHOM_CHECK(file != nullptr, IoError, "'", path, "': cannot read member '", name, "': ", archive_error(archive));
  // Grow with the data rather than trusting the recorded size (a corrupt one could be huge).
  std::vector<std::uint8_t> bytes;
  if ((stat.valid & ZIP_STAT_SIZE) && stat.size <= size_hint) bytes.reserve(stat.size);
  std::array<std::uint8_t, 1 << 16> chunk{};
  while (true) {
    const zip_int64_t n = zip_fread(file.get(), chunk.data(), chunk.size());
    FATHOM_CHECK(n >= 0, IoError, "'", path, "': cannot read member '", name,
                 "' (corrupt or truncated archive): ", zip_error_strerror(zip_file_get_error(file.get())));
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
  }
  FATHOM_CHECK(!(stat.valid & ZIP_STAT_SIZE) || stat.size == bytes.size(), IoError, "'", path, "': member '", name,
               "' holds ", bytes.size(), " bytes but the archive records ", stat.size, " (corrupt archive)");
  return bytes;
}

}  // namespace

ZipArchive ZipArchive::open(const std::string& path) {
  std::error_code ec;
  FATHOM_CHECK(std::filesystem::exists(path, ec), IoError, "cannot open '", path, "': no such file");
  FATHOM_CHECK(!std::filesystem::is_directory(path, ec), IoError, "cannot open '", path, "': it is a directory");
  int code = 0;
  Archive archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (archive == nullptr) {
    FATHOM_CHECK(code != ZIP_ER_NOZIP, IoError, "'", path,
                 "' is not a zip archive, or a truncated or corrupt one (no valid central directory)");
    throw IoError("cannot open zip archive '" + path + "': " + zip_error_text(code));
  }
  const std::uint64_t archive_size = std::filesystem::file_size(path, ec);
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  FATHOM_CHECK(count >= 0, IoError, "'", path, "': ", archive_error(archive.get()));
  ZipArchive out;
  out.path_ = path;
  for (zip_int64_t i = 0; i < count; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    const char* name = zip_get_name(archive.get(), index, ZIP_FL_ENC_GUESS);
    FATHOM_CHECK(name != nullptr, IoError, "'", path, "': cannot read the name of member ", i, ": ",
                 archive_error(archive.get()));
    out.members_.emplace_back(name, read_member(archive.get(), index, name, path, archive_size));
  }
  return out;
}

std::vector<std::string> ZipArchive::names() const {
  std::vector<std::string> out;
  for (const auto& member : members_) out.push_back(member.first);
  return out;
}

bool ZipArchive::contains(const std::string& name) const {
  return std::any_of(members_.begin(), members_.end(), [&](const auto& m) { return m.first == name; });
}

std::vector<std::uint8_t> ZipArchive::read(const std::string& name) const {
  for (const auto& member : members_) {
    if (member.first == name) return member.second;
  }
  std::string listing;
  for (const auto& member : members_) listing += (listing.empty() ? "'" : ", '") + member.first + "'";
  throw IoError("'" + path_ + "' has no member '" + name + "'." + did_you_mean(name, names()) +
                (members_.empty() ? " The archive is empty." : " Its members: " + listing + "."));
}

std::string ZipArchive::read_text(const std::string& name) const {
  const std::vector<std::uint8_t> bytes = read(name);
  return {bytes.begin(), bytes.end()};
}

namespace {

struct SourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
using Source = std::unique_ptr<zip_source_t, SourceFree>;

/// Builds the archive in a libzip memory buffer and returns its bytes.
std::vector<std::uint8_t> zip_image(const std::string& path,
                                    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& members) {
  zip_error_t error;
  zip_error_init(&error);
  Source buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  FATHOM_CHECK(buffer != nullptr, IoError, "write_zip('", path, "'): ", zip_error_strerror(&error));
  zip_source_keep(buffer.get());  // the archive releases its reference on close; we read it after
  Archive archive(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error));
  FATHOM_CHECK(archive != nullptr, IoError, "write_zip('", path, "'): ", zip_error_strerror(&error));
  for (const auto& [name, bytes] : members) {
    // The member data is referenced, not copied: it outlives zip_close below.
    zip_source_t* data = zip_source_buffer(archive.get(), bytes.data(), bytes.size(), 0);
    const zip_int64_t index = data == nullptr ? -1 : zip_file_add(archive.get(), name.c_str(), data, ZIP_FL_ENC_UTF_8);
    if (index < 0) zip_source_free(data);
    FATHOM_CHECK(index >= 0, IoError, "write_zip('", path, "'): cannot add member '", name, "': ",
                 archive_error(archive.get()));
    FATHOM_CHECK(zip_set_file_compression(archive.get(), static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) == 0,
                 IoError, "write_zip('", path, "'): ", archive_error(archive.get()));
  }
  FATHOM_CHECK(zip_close(archive.get()) == 0, IoError, "write_zip('", path, "'): ", archive_error(archive.get()));
  archive.release();  // zip_close freed it
  zip_stat_t stat;
  zip_stat_init(&stat);
  FATHOM_CHECK(zip_source_stat(buffer.get(), &stat) == 0 && zip_source_open(buffer.get()) == 0, IoError,
               "write_zip('", path, "'): ", zip_error_strerror(zip_source_error(buffer.get())));
  std::vector<std::uint8_t> image(stat.size);
  const zip_int64_t n = zip_source_read(buffer.get(), image.data(), image.size());
  zip_source_close(buffer.get());
  FATHOM_CHECK(n == static_cast<zip_int64_t>(image.size()), IoError, "write_zip('", path,
               "'): cannot read back the archive: ", zip_error_strerror(zip_source_error(buffer.get())));
  return image;
}

}  // namespace

void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& members) {
  std::vector<std::string> seen;
  for (const auto& member : members) {
    const std::string& name = member.first;
    FATHOM_CHECK(!name.empty() && name.front() != '/', ValueError, "write_zip('", path, "'): invalid member name '",
                 name, "'");
    FATHOM_CHECK(std::find(seen.begin(), seen.end(), name) == seen.end(), ValueError, "write_zip('", path,
                 "'): member '", name, "' given twice");
    seen.push_back(name);
  }
  // libzip writes nothing for an archive without members; an empty zip is its end record alone.
  std::vector<std::uint8_t> image = {'P', 'K', 5, 6};
  if (members.empty()) {
    image.resize(22, 0);
  } else {
    image = zip_image(path, members);
  }
  AtomicFile out(path);
  out.write(image.data(), image.size());
  out.commit();
}

FileKind sniff_file_kind(const std::string& path) {
  std::error_code ec;
  FATHOM_CHECK(!std::filesystem::is_directory(path, ec), IoError, "cannot open '", path, "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  FATHOM_CHECK(in.is_open(), IoError, "cannot open '", path, "': ", std::strerror(errno));
  const auto size = static_cast<std::uint64_t>(std::filesystem::file_size(path, ec));
  std::array<char, 8> head{};
  in.read(head.data(), head.size());
  const std::size_t got = static_cast<std::size_t>(in.gcount());
  if (got >= 4 && std::memcmp(head.data(), "PK\x03\x04", 4) == 0) return FileKind::kZip;
  if (got >= 4 && std::memcmp(head.data(), "PK\x05\x06", 4) == 0) return FileKind::kZip;
  // The HDF5 signature sits at 0 or, after a user block, at 512, 1024, 2048, ...
  static constexpr char kHdf5[] = "\x89HDF\r\n\x1a\n";
  for (std::uint64_t offset = 0; !ec && offset + 8 <= size; offset = offset == 0 ? 512 : offset * 2) {
    std::array<char, 8> sig{};
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(sig.data(), sig.size())) break;
    if (std::memcmp(sig.data(), kHdf5, 8) == 0) return FileKind::kHdf5;
  }
  // JSON: the first non-space character (after a UTF-8 byte order mark, if any) opens an object or array.
  in.clear();
  in.seekg(got >= 3 && std::memcmp(head.data(), "\xEF\xBB\xBF", 3) == 0 ? 3 : 0);
  char c = 0;
  while (in.get(c)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' || c == '[' ? FileKind::kJson : FileKind::kOther;
  }
  return FileKind::kOther;
}

}  // namespace fathom::io
