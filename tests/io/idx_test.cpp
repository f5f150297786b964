// SPDX-License-Identifier: Apache-2.0
#include "io/datasets/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fathom::io {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("fathom_idx_test_" + name)).string();
}

std::vector<unsigned char> idx_bytes(std::vector<std::uint32_t> dims, std::vector<unsigned char> data) {
  std::vector<unsigned char> b = {0, 0, 0x08, static_cast<unsigned char>(dims.size())};
  for (auto d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(d >> s));
  }
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

void write_plain(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

TEST(IdxTest, ReadsPlainAndGzipByContentNotName) {
  const auto bytes = idx_bytes({2, 3}, {0, 1, 2, 253, 254, 255});
  const std::string plain = temp_path("plain.gz");  // misleading name on purpose
  const std::string gz = temp_path("compressed.idx");
  write_plain(plain, bytes);
  write_gz(gz, bytes);
  for (const auto& path : {plain, gz}) {
    const Tensor t = read_idx(path);
    EXPECT_EQ(t.shape(), (Shape{2, 3}));
    EXPECT_EQ(t.dtype(), DType::kFloat32);
    EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{0, 1, 2, 253, 254, 255}));
  }
  EXPECT_EQ(read_idx(gz, DType::kInt64).to_vector<std::int64_t>()[5], 255);
  std::remove(plain.c_str());
  std::remove(gz.c_str());
}

TEST(IdxTest, BadFilesAreIoErrorsNamingThePath) {
  const std::string missing = temp_path("missing");
  try {
    read_idx(missing);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  const std::string truncated = temp_path("truncated");
  auto bytes = idx_bytes({4, 4}, std::vector<unsigned char>(10, 1));
  write_plain(truncated, bytes);
  EXPECT_THROW(read_idx(truncated), IoError);
  const std::string not_idx = temp_path("not_idx");
  write_plain(not_idx, {'h', 'e', 'l', 'l', 'o'});
  EXPECT_THROW(read_idx(not_idx), IoError);
  std::remove(truncated.c_str());
  std::remove(not_idx.c_str());
}

TEST(IdxTest, LoadsFashionMnistFromDebianPackage) {
  if (!std::filesystem::exists(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const MnistSplits s = load_mnist_idx();
  EXPECT_EQ(s.x_train.shape(), (Shape{60000, 28, 28}));
  EXPECT_EQ(s.y_train.shape(), (Shape{60000}));
  EXPECT_EQ(s.x_test.shape(), (Shape{10000, 28, 28}));
  EXPECT_EQ(s.y_test.dtype(), DType::kInt64);
  // The first Fashion-MNIST training label is 9 (ankle boot); the test set's is 9 too.
  EXPECT_EQ(s.y_train.to_vector<std::int64_t>()[0], 9);
  EXPECT_EQ(s.y_test.to_vector<std::int64_t>()[0], 9);
}

}  // namespace
}  // namespace fathom::io
