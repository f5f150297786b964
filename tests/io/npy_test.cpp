// SPDX-License-Identifier: Apache-2.0
#include "io/datasets/npy.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/ops/shape_ops.h"

namespace fathom::io {
namespace {

namespace fs = std::filesystem;

/// The fixtures in tests/io/data were written by numpy 2.4 (np.save / np.lib.format.write_array).
std::string fixture(const std::string& name) { return (fs::path(__FILE__).parent_path() / "data" / name).string(); }

/// A fresh folder per test, removed afterwards.
class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fathom_npy_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all);
    fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A version 1.0 file with the given header text (unpadded) and data bytes.
std::string npy_v1(const std::string& header, const std::string& data) {
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

/// Runs `fn`, expecting an IoError whose message holds every fragment.
template <class Fn>
void expect_io_error(Fn fn, const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "no IoError thrown";
  } catch (const IoError& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

TEST_F(NpyTest, ReadsNumpyFixturesOfEveryDtype) {
  const Tensor f4 = read_npy(fixture("f4_2x3.npy"));
  EXPECT_EQ(f4.shape(), (Shape{2, 3}));
  EXPECT_EQ(f4.to_vector<float>(), (std::vector<float>{1.5f, -2, 3, 4, 5.25f, -6e-3f}));
  const Tensor f8 = read_npy(fixture("f8_scalar.npy"));
  EXPECT_EQ(f8.dim(), 0);
  EXPECT_EQ(f8.item<double>(), 3.141592653589793);
  EXPECT_EQ(read_npy(fixture("i4_4.npy")).to_vector<std::int32_t>(),
            (std::vector<std::int32_t>{-2147483647 - 1, -1, 0, 2147483647}));
  const Tensor i8 = read_npy(fixture("i8_2x2.npy"));
  EXPECT_EQ(i8.dtype(), DType::kInt64);
  EXPECT_EQ(i8.to_vector<std::int64_t>(),
            (std::vector<std::int64_t>{-(std::int64_t{1} << 62), 1, 2, (std::int64_t{1} << 62) + 3}));
  const Tensor u1 = read_npy(fixture("u1_3.npy"));  // uint8 is read into int32
  EXPECT_EQ(u1.dtype(), DType::kInt32);
  EXPECT_EQ(u1.to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 128, 255}));
  const Tensor b1 = read_npy(fixture("b1_2x2.npy"));
  ASSERT_EQ(b1.dtype(), DType::kBool);
  EXPECT_EQ(b1.shape(), (Shape{2, 2}));
  const bool* b = b1.data<bool>();
  EXPECT_TRUE(b[0] && !b[1] && !b[2] && b[3]);
  EXPECT_EQ(read_npy(fixture("f4_empty_0x3.npy")).shape(), (Shape{0, 3}));
}

TEST_F(NpyTest, ReadsVersion2And3Headers) {
  EXPECT_EQ(read_npy(fixture("f4_v2.npy")).to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(read_npy(fixture("f4_v2.npy")).shape(), (Shape{3, 2}));
  EXPECT_EQ(read_npy(fixture("i8_v3.npy")).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

TEST_F(NpyTest, RoundTripsEveryDtype) {
  const std::vector<Tensor> tensors = {
      Tensor::from_vector<float>({1.5f, -2, 3e-8f, 4, 5, 6}, {2, 3}),
      Tensor::scalar(2.718281828459045, DType::kFloat64),
      Tensor::from_vector<std::int32_t>({-7, 0, 7}),
      Tensor::from_vector<std::int64_t>({std::int64_t{1} << 40, -1}, {2, 1}),
      Tensor::zeros({0, 4}),
  };
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const std::string p = path(std::to_string(i) + "_t.npy");
    write_npy(p, tensors[i]);
    const Tensor back = read_npy(p);
    EXPECT_EQ(back.shape(), tensors[i].shape());
    EXPECT_EQ(back.dtype(), tensors[i].dtype());
    EXPECT_EQ(back.to_string(), tensors[i].to_string());
  }
  Tensor flags = Tensor::empty({3}, DType::kBool);
  flags.data<bool>()[0] = true;
  flags.data<bool>()[1] = false;
  flags.data<bool>()[2] = true;
  write_npy(path("b.npy"), flags);
  const Tensor back = read_npy(path("b.npy"));
  ASSERT_EQ(back.dtype(), DType::kBool);
  EXPECT_TRUE(back.data<bool>()[0] && !back.data<bool>()[1] && back.data<bool>()[2]);
}

TEST_F(NpyTest, WritesViewsInCOrderWithAnAlignedVersion1Header) {
  const Tensor t = ops::transpose(Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));  // [3, 2], strided
  write_npy(path("t.npy"), t);
  EXPECT_EQ(read_npy(path("t.npy")).to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  const std::string bytes = read_file(path("t.npy"));
  ASSERT_GT(bytes.size(), 10u);
  EXPECT_EQ(bytes[6], '\x01');
  const std::size_t header = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header) % 64, 0u);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  EXPECT_EQ(bytes.substr(10, header), dict + std::string(header - dict.size() - 1, ' ') + "\n");
}

TEST_F(NpyTest, RejectsWhatItCannotReadNamingThePathAndTheReason) {
  expect_io_error([] { read_npy(fixture("fortran.npy")); }, {fixture("fortran.npy"), "fortran_order"});
  expect_io_error([] { read_npy(fixture("big_endian.npy")); }, {fixture("big_endian.npy"), "big-endian", "'>f4'"});
  expect_io_error([] { read_npy(fixture("object.npy")); }, {fixture("object.npy"), "object arrays"});
  expect_io_error([] { read_npy(fixture("complex.npy")); }, {fixture("complex.npy"), "'<c8' is not supported"});
  expect_io_error([&] { read_npy(path("missing.npy")); }, {path("missing.npy"), "cannot open"});
}

TEST_F(NpyTest, RejectsTruncatedAndMalformedFiles) {
  const std::string good = read_file(fixture("f4_2x3.npy"));
  write_file(path("short_data.npy"), good.substr(0, good.size() - 5));
  expect_io_error([&] { read_npy(path("short_data.npy")); }, {path("short_data.npy"), "truncated", "24 bytes"});
  write_file(path("short_header.npy"), good.substr(0, 30));
  expect_io_error([&] { read_npy(path("short_header.npy")); }, {path("short_header.npy"), "truncated"});
  write_file(path("magic.npy"), "PK\x03\x04 this is a zip, not an npy file");
  expect_io_error([&] { read_npy(path("magic.npy")); }, {path("magic.npy"), "magic"});
  write_file(path("empty.npy"), "");
  expect_io_error([&] { read_npy(path("empty.npy")); }, {path("empty.npy"), "magic"});
  write_file(path("extra.npy"), good + "xx");
  expect_io_error([&] { read_npy(path("extra.npy")); }, {path("extra.npy"), "2 unexpected bytes"});
  write_file(path("keys.npy"), npy_v1("{'descr': '<f4', 'shape': (2,), }\n", std::string(8, '\0')));
  expect_io_error([&] { read_npy(path("keys.npy")); }, {path("keys.npy"), "malformed", "required"});
  write_file(path("shape.npy"), npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n", ""));
  expect_io_error([&] { read_npy(path("shape.npy")); }, {path("shape.npy"), "malformed"});
  const std::string fields = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n";
  write_file(path("fields.npy"), npy_v1(fields, "1234"));
  expect_io_error([&] { read_npy(path("fields.npy")); }, {path("fields.npy"), "structured"});
  std::string v9 = good;
  v9[6] = '\x09';
  write_file(path("v9.npy"), v9);
  expect_io_error([&] { read_npy(path("v9.npy")); }, {path("v9.npy"), "version 9.0"});
}

TEST_F(NpyTest, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  const std::string p = path("keep.npy");
  write_npy(p, Tensor::from_vector<float>({1, 2, 3}));
  const std::string before = read_file(p);
  EXPECT_THROW(write_npy(p, Tensor()), ValueError);
  EXPECT_EQ(read_file(p), before);
  // The rename fails when the target is a folder that is not empty: the temp must go.
  fs::create_directories(path("folder.npy/inside"));
  expect_io_error([&] { write_npy(path("folder.npy"), Tensor::ones({2})); }, {path("folder.npy"), "rename"});
  EXPECT_TRUE(fs::is_directory(path("folder.npy/inside")));
  expect_io_error([&] { write_npy(path("no/such/dir/x.npy"), Tensor::ones({2})); }, {path("no/such/dir/x.npy")});
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"folder.npy", "keep.npy"}));  // no "*.tmp.<pid>" left
  EXPECT_EQ(read_npy(p).to_vector<float>(), (std::vector<float>{1, 2, 3}));
}

TEST_F(NpyTest, AWriteFailingHalfwayKeepsTheOldFile) {
  const std::string p = path("keep.npy");
  write_npy(p, Tensor::from_vector<float>({1, 2}));
  // A file-size limit makes write() fail with EFBIG after 1 KiB (root included).
  rlimit old_limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  expect_io_error([&] { write_npy(p, Tensor::zeros({10000})); }, {p, "write to", "failed"});
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(read_npy(p).to_vector<float>(), (std::vector<float>{1, 2}));
  EXPECT_FALSE(fs::exists(p + ".tmp." + std::to_string(::getpid())));
}

TEST_F(NpyTest, AWriteIntoAReadOnlyFolderFailsAndKeepsTheOldFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  const std::string p = path("keep.npy");
  write_npy(p, Tensor::from_vector<float>({1, 2}));
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  expect_io_error([&] { write_npy(p, Tensor::zeros({5})); }, {p, "temporary"});
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_EQ(read_npy(p).to_vector<float>(), (std::vector<float>{1, 2}));
}

TEST_F(NpyTest, OverwritesAnExistingFile) {
  const std::string p = path("over.npy");
  write_npy(p, Tensor::zeros({100}));
  write_npy(p, Tensor::from_vector<std::int32_t>({4, 5}));
  EXPECT_EQ(read_npy(p).to_vector<std::int32_t>(), (std::vector<std::int32_t>{4, 5}));
}

}  // namespace
}  // namespace fathom::io
