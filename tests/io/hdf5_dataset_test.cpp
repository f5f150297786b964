// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "io/datasets/hdf5.h"

namespace fathom::io {
namespace {

namespace fs = std::filesystem;

/// tests/io/data/h5py_arrays.h5 was written by h5py 3.7.0 (HDF5 1.10.8, libver="latest"):
///   /train/x float64 [4, 3] = arange(12) * 0.5     /train/y uint8 [4] = 0 1 2 1
///   /test/x float32 [2, 3] = arange(6) - 2.5 (chunked, gzip)   /test/y int16 [2] = -1 7
///   /names vlen str [4]   /records compound (i4, f8) [4]   /flags bool [4]   /scalar float32 3.5
std::string h5py_fixture() { return (fs::path(__FILE__).parent_path() / "data" / "h5py_arrays.h5").string(); }

/// A fresh folder per test, removed afterwards.
class Hdf5DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fathom_hdf5_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

template <class T>
void expect_message(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const T& e) {
    for (const auto& fragment : fragments) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what() << "\nlacks: " << fragment;
    }
  }
}

TEST_F(Hdf5DatasetTest, WritesAndReadsBackEveryDtype) {
  const std::string file = path("arrays.h5");
  write_hdf5(file, {{"/a/f32", Tensor::from_vector<float>({1.5f, -2, 3, 4, 5, 6}, {2, 3})},
                    {"a/f64", Tensor::from_vector<double>({0.1, 0.2})},
                    {"/b/c/i32", Tensor::from_vector<std::int32_t>({-7, 8, 9})},
                    {"i64", Tensor::from_vector<std::int64_t>({1LL << 40, -3}, {2, 1})},
                    {"flags", Tensor::from_vector<bool>({true, false, true})},
                    {"scalar", Tensor::scalar(2.5)},
                    {"empty", Tensor::zeros({0, 4})}});
  EXPECT_EQ(list_hdf5_datasets(file),
            (std::vector<std::string>{"/a/f32", "/a/f64", "/b/c/i32", "/empty", "/flags", "/i64", "/scalar"}));
  const Tensor f32 = read_hdf5(file, "/a/f32");
  EXPECT_EQ(f32.shape(), (Shape{2, 3}));
  EXPECT_EQ(f32.dtype(), DType::kFloat32);
  EXPECT_EQ(f32.to_vector<float>(), (std::vector<float>{1.5f, -2, 3, 4, 5, 6}));
  const Tensor f64 = read_hdf5(file, "a/f64");  // the leading '/' is optional
  EXPECT_EQ(f64.dtype(), DType::kFloat32);      // floating datasets become float32
  EXPECT_EQ(f64.to_vector<float>(), (std::vector<float>{0.1f, 0.2f}));
  const Tensor i32 = read_hdf5(file, "/b/c/i32");
  EXPECT_EQ(i32.dtype(), DType::kInt64);  // integer datasets become int64
  EXPECT_EQ(i32.to_vector<std::int64_t>(), (std::vector<std::int64_t>{-7, 8, 9}));
  EXPECT_EQ(read_hdf5(file, "/i64").to_vector<std::int64_t>(), (std::vector<std::int64_t>{1LL << 40, -3}));
  EXPECT_EQ(read_hdf5(file, "/i64").shape(), (Shape{2, 1}));
  EXPECT_EQ(read_hdf5(file, "/flags").to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 0, 1}));
  const Tensor scalar = read_hdf5(file, "/scalar");
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.item<float>(), 2.5f);
  EXPECT_EQ(read_hdf5(file, "/empty").shape(), (Shape{0, 4}));
  EXPECT_EQ(hdf5_dataset_shape(file, "/a/f32"), (Shape{2, 3}));
  EXPECT_EQ(hdf5_dataset_shape(file, "scalar"), (Shape{}));
}

TEST_F(Hdf5DatasetTest, MaxRowsReadsOnlyTheFirstRows) {
  const std::string file = path("rows.h5");
  write_hdf5(file, {{"/x", Tensor::arange(12, DType::kInt64)}, {"/m", Tensor::arange(12)}});
  EXPECT_EQ(read_hdf5(file, "/x", 3).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(read_hdf5(file, "/x", 0).shape(), (Shape{0}));
  EXPECT_EQ(read_hdf5(file, "/x", 100).shape(), (Shape{12}));  // more than there are: all
  EXPECT_EQ(read_hdf5(file, "/x", -1).shape(), (Shape{12}));
  write_hdf5(file, {{"/m", Tensor::from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7}, {4, 2})}});
  EXPECT_EQ(read_hdf5(file, "/m", 2).to_vector<float>(), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_EQ(read_hdf5(file, "/m", 2).shape(), (Shape{2, 2}));
}

TEST_F(Hdf5DatasetTest, ReadsWhatH5pyWrote) {
  const std::string file = h5py_fixture();
  EXPECT_EQ(list_hdf5_datasets(file), (std::vector<std::string>{"/flags", "/names", "/records", "/scalar", "/test/x",
                                                                "/test/y", "/train/x", "/train/y"}));
  const Tensor x = read_hdf5(file, "/train/x");
  EXPECT_EQ(x.shape(), (Shape{4, 3}));
  EXPECT_EQ(x.dtype(), DType::kFloat32);
  EXPECT_EQ(x.to_vector<float>()[11], 5.5f);
  EXPECT_EQ(read_hdf5(file, "/train/y").to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2, 1}));
  EXPECT_EQ(read_hdf5(file, "/test/x").to_vector<float>(), (std::vector<float>{-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f}));
  EXPECT_EQ(read_hdf5(file, "/test/x", 1).to_vector<float>(), (std::vector<float>{-2.5f, -1.5f, -0.5f}));
  EXPECT_EQ(read_hdf5(file, "/test/y").to_vector<std::int64_t>(), (std::vector<std::int64_t>{-1, 7}));
  EXPECT_EQ(read_hdf5(file, "/scalar").item<float>(), 3.5f);
}

TEST_F(Hdf5DatasetTest, NonNumericDatasetsAreIoErrorsNamingFileAndDataset) {
  const std::string file = h5py_fixture();
  expect_message<IoError>([&] { read_hdf5(file, "/names"); },
                          {file, "'/names'", "holds strings", "integer and floating"});
  expect_message<IoError>([&] { read_hdf5(file, "records"); }, {file, "'/records'", "compound"});
  expect_message<IoError>([&] { read_hdf5(file, "/flags"); }, {file, "'/flags'", "enum"});
}

TEST_F(Hdf5DatasetTest, MissingDatasetListsTheDatasetsAndSuggests) {
  testing::internal::CaptureStderr();  // HDF5's own error stack must not be printed
  expect_message<IoError>([&] { read_hdf5(h5py_fixture(), "/train/xx"); },
                          {"has no dataset '/train/xx'", "Did you mean '/train/x'?", "'/test/y'"});
  expect_message<IoError>([&] { hdf5_dataset_shape(h5py_fixture(), "/nope/x"); }, {"no dataset '/nope/x'"});
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST_F(Hdf5DatasetTest, MissingOrNonHdf5FilesAreIoErrors) {
  expect_message<IoError>([&] { read_hdf5(path("none.h5"), "/x"); }, {path("none.h5"), "no such file"});
  expect_message<IoError>([&] { list_hdf5_datasets(path("")); }, {"is a directory"});
  std::ofstream(path("text.h5")) << "not hdf5\n";
  expect_message<IoError>([&] { read_hdf5(path("text.h5"), "/x"); }, {path("text.h5"), "is not an HDF5 file"});
  expect_message<IoError>([&] { list_hdf5_datasets(path("text.h5")); }, {"is not an HDF5 file"});
}

TEST_F(Hdf5DatasetTest, WriteReplacesAtomicallyAndRejectsBadInput) {
  const std::string file = path("atomic.h5");
  write_hdf5(file, {{"/old", Tensor::ones({2})}});
  auto bytes = [&] {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string before = bytes();
  expect_message<ValueError>(
      [&] {
        write_hdf5(file, {{"/a", Tensor::ones({1})}, {"a", Tensor::ones({1})}});
      },
      {"'/a' given twice"});
  expect_message<ValueError>([&] { write_hdf5(file, {{"/u", Tensor()}}); }, {"'/u' is undefined"});
  expect_message<ValueError>([&] { write_hdf5(file, {{"/", Tensor::ones({1})}}); }, {"invalid dataset path"});
  // /a is a dataset, so /a/b cannot be created under it: an HDF5 failure, after the first write.
  expect_message<IoError>(
      [&] {
        write_hdf5(file, {{"/a", Tensor::ones({1})}, {"/a/b", Tensor::ones({1})}});
      },
      {"cannot create dataset '/a/b'"});
  EXPECT_EQ(bytes(), before);
  EXPECT_EQ(list_hdf5_datasets(file), (std::vector<std::string>{"/old"}));
  for (const auto& entry : fs::directory_iterator(dir_)) EXPECT_EQ(entry.path().filename(), "atomic.h5");
  write_hdf5(file, {{"/new", Tensor::zeros({3})}});
  EXPECT_EQ(list_hdf5_datasets(file), (std::vector<std::string>{"/new"}));
}

}  // namespace
}  // namespace fathom::io
