// SPDX-License-Identifier: Apache-2.0
// The compile-time firewall (STYLE §2.2): no public header includes a heavy dependency.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

TEST(PublicHeadersTest, NoHeavyDependencyOutsidePrivateFolders) {
  namespace fs = std::filesystem;
  const std::regex heavy(R"(#include\s*[<"](xtensor|xtensor-blas|yaml-cpp|spdlog|H5Cpp|hdf5|cuda|cudnn|cublas|cblas))");
  const std::regex private_dir(R"(/(kernels|detail|internal)/)");
  std::vector<std::string> offenders;
  int headers = 0;
  for (const char* folder : {"core", "layers", "models", "losses", "optimizers", "callbacks", "io", "configs"}) {
    const fs::path root = fs::path(FATHOM_SOURCE_DIR) / folder;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const std::string path = entry.path().string();
      if (entry.path().extension() != ".h" || std::regex_search(path, private_dir)) continue;
      ++headers;
      std::ifstream in(path);
      std::string line;
      while (std::getline(in, line)) {
        if (std::regex_search(line, heavy)) offenders.push_back(path + ": " + line);
      }
    }
  }
  EXPECT_GT(headers, 10);
  EXPECT_TRUE(offenders.empty()) << ::testing::PrintToString(offenders);
}

}  // namespace
