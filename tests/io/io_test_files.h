// SPDX-License-Identifier: Apache-2.0
// Shared by the io tests: a fresh temp folder per test, byte-level file helpers, the real Keras
// files (tests/models/data/keras_models, skipped where absent) and an optional /usr/bin/python3 check.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace fathom::io::testing {

namespace fs = std::filesystem;

/// A fresh folder per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fathom_io_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

/// Expects `f` to throw exactly T (or a subclass) whose message holds every fragment.
template <class T>
void expect_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const T& e) {
    for (const auto& fragment : fragments) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what() << "\nlacks: " << fragment;
    }
  }
}

/// The folder of the real Keras files: the copy committed in tests/models/data/keras_models (from
/// ../shared/keras-models, see its README), or "" if a checkout lacks it.
inline std::string keras_models_dir() {
  const fs::path dir = fs::path(__FILE__).parent_path() / ".." / "models" / "data" / "keras_models";
  return fs::is_directory(dir) ? fs::canonical(dir).string() : "";
}

/// `var` = the path of the real Keras file `name`, or the test skips saying why.
#define FATHOM_REQUIRE_KERAS_MODEL(var, name)                                                         \
  const std::string var = ::fathom::io::testing::keras_models_dir() + "/" + (name);                 \
  if (::fathom::io::testing::keras_models_dir().empty() || !std::filesystem::exists(var))           \
  GTEST_SKIP() << "real Keras file " << (name) << " not found in tests/models/data/keras_models"

/// Runs /usr/bin/python3 on `script` (written to `dir`) with `args`; the exit status, or -1 when
/// python3 or `module` is missing (the caller skips then).
inline int run_python(const fs::path& dir, const std::string& module, const std::string& script,
                      const std::string& args) {
  if (!fs::exists("/usr/bin/python3")) return -1;
  if (std::system(("/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1").c_str()) != 0) return -1;
  const fs::path file = dir / "check.py";
  std::ofstream(file) << script;
  const int status = std::system(("/usr/bin/python3 " + file.string() + " " + args).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace fathom::io::testing
