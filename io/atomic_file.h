// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstddef>
#include <string>

namespace fathom::io {

/// Writes a file so that readers see either the old file or the complete new one, never a
/// partial write (what a crash mid-save must not leave behind). The bytes go to
/// `<path>.tmp.<pid>` in the same folder; `commit()` flushes them, fsyncs, and renames the temp
/// over `path` (then fsyncs the folder, best effort). Destroying an uncommitted AtomicFile (an
/// exception on the way) removes the temp and leaves an existing `path` untouched. Every failure
/// is an IoError naming the path and the system's reason. Not for two writers of one path in one
/// process at once: they would share the temp name.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t size);
  void commit();
  const std::string& temp_path() const { return temp_path_; }

 private:
  void fail(const std::string& what);
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace fathom::io
