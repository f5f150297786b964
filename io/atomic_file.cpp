// SPDX-License-Identifier: Apache-2.0
#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace fathom::io {
namespace {

/// fsync of the folder makes the rename itself durable; a failure here is not worth an error
/// (some file systems refuse to open folders for it), the data is already safe in the file.
void sync_parent_folder(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temp_path_(path_ + ".tmp." + std::to_string(::getpid())) {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  FATHOM_CHECK(fd_ >= 0, IoError, "cannot write '", path_, "': cannot create the temporary file '",
               temp_path_, "': ", std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFile::fail(const std::string& what) {
  const std::string reason = std::strerror(errno);
  throw IoError("cannot write '" + path_ + "': " + what + " failed: " + reason);
}

void AtomicFile::write(const void* data, std::size_t size) {
  FATHOM_CHECK(fd_ >= 0 && !committed_, IoError, "cannot write '", path_, "': the file is already committed");
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write to '" + temp_path_ + "'");
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::commit() {
  FATHOM_CHECK(fd_ >= 0 && !committed_, IoError, "cannot write '", path_, "': the file is already committed");
  if (::fsync(fd_) != 0) fail("fsync of '" + temp_path_ + "'");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("close of '" + temp_path_ + "'");
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) fail("rename of '" + temp_path_ + "' over it");
  committed_ = true;
  sync_parent_folder(path_);
}

}  // namespace fathom::io
