// SPDX-License-Identifier: Apache-2.0
// H5Reader on the real Keras files (tests/models/data/keras_models, skipped where absent), on truncated
// and corrupted files, and H5Writer's output as h5py sees it (skipped without /usr/bin/python3 + h5py).
#include <gtest/gtest.h>

#include <algorithm>

#include "io/hdf5/h5_file.h"
#include "io/zip_archive.h"
#include "tests/io/io_test_files.h"

namespace fathom::io {
namespace {

using testing::expect_error;
namespace fs = std::filesystem;

class H5KerasFilesTest : public testing::TempDirTest {};

/// Reads everything under `path` (the attributes Keras writes, every dataset); the number of
/// objects and strings seen. Only IoError may escape.
int walk(const H5Reader& r, const std::string& path, int depth = 0) {
  if (depth > 16) throw IoError("walk: too deep (a link cycle?)");
  int seen = 1;
  for (const char* attr : {"layer_names", "weight_names", "keras_version", "backend", "model_config", "name"}) {
    if (r.has_attribute(path, attr)) seen += static_cast<int>(r.string_list_attribute(path, attr).size());
  }
  if (r.is_dataset(path)) {
    r.read_dataset(path);
    return seen;
  }
  for (const auto& child : r.children(path)) seen += walk(r, (path == "/" ? "" : path) + "/" + child, depth + 1);
  return seen;
}

/// The legacy layout (keras-formats.md section 1): every layer_names entry is a group and every
/// weight_names entry a float dataset under it. The number of weights.
int check_legacy_layout(const H5Reader& r, const std::string& root) {
  int weights = 0;
  for (const auto& layer : r.string_list_attribute(root, "layer_names")) {
    const std::string group = root + "/" + layer;
    EXPECT_TRUE(r.is_group(group)) << r.label() << " " << group;
    for (const auto& name : r.string_list_attribute(group, "weight_names")) {
      EXPECT_EQ(r.read_dataset(group + "/" + name).dtype(), DType::kFloat32) << r.label() << " " << name;
      ++weights;
    }
  }
  return weights;
}

TEST_F(H5KerasFilesTest, ReadsFixedLengthNullpadNamesAndEmptyLists) {
  FATHOM_REQUIRE_KERAS_MODEL(file, "01_mlp_softmax_keras2.3.1.h5");
  const H5Reader r = H5Reader::open(file);
  EXPECT_EQ(r.string_attribute("/", "keras_version"), "2.3.1");
  EXPECT_EQ(r.string_list_attribute("/model_weights", "layer_names"),
            (std::vector<std::string>{"dense_1", "activation_1"}));
  // |S16 NULLPAD: "dense_1/kernel:0" fills its slot with no terminator.
  EXPECT_EQ(r.string_list_attribute("/model_weights/dense_1", "weight_names"),
            (std::vector<std::string>{"dense_1/kernel:0", "dense_1/bias:0"}));
  EXPECT_EQ(r.string_list_attribute("/model_weights/activation_1", "weight_names"), std::vector<std::string>{});
  const Tensor kernel = r.read_dataset("/model_weights/dense_1/dense_1/kernel:0");
  EXPECT_EQ(kernel.shape(), (Shape{4, 3}));
  EXPECT_FLOAT_EQ(kernel.to_vector<float>()[1], 0.1919055f);
  EXPECT_EQ(r.string_attribute("/", "model_config").substr(0, 27), "{\"class_name\": \"Sequential\"");
}

TEST_F(H5KerasFilesTest, ReadsVlenUtf8AndAsciiStrings) {
  FATHOM_REQUIRE_KERAS_MODEL(file, "02_mlp_relu_tfkeras2.11_hdf5.keras");
  EXPECT_EQ(sniff_file_kind(file), FileKind::kHdf5);  // HDF5 despite the name
  const H5Reader r = H5Reader::open(file);
  EXPECT_EQ(r.string_attribute("/", "keras_version"), "2.11.0");  // vlen UTF-8 scalar
  EXPECT_EQ(r.string_list_attribute("/model_weights", "layer_names"),
            (std::vector<std::string>{"fc1", "relu1", "fc2", "relu2"}));  // vlen ASCII array
  EXPECT_EQ(r.string_list_attribute("/model_weights/top_level_model_weights", "weight_names"),
            std::vector<std::string>{});
  EXPECT_EQ(check_legacy_layout(r, "/model_weights"), 4);
}

TEST_F(H5KerasFilesTest, ReadsKeras3WeightsLayout) {
  FATHOM_REQUIRE_KERAS_MODEL(file, "11_keras3.8_masking_lstm.model.weights.h5");
  const H5Reader r = H5Reader::open(file);
  EXPECT_EQ(r.children("/layers"), (std::vector<std::string>{"lstm", "masking"}));
  EXPECT_EQ(r.children("/layers/lstm/cell/vars"), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(r.string_attribute("/layers/lstm/cell/vars", "name"), "lstm_cell");
  EXPECT_EQ(r.string_attribute("/vars", "name"), "sequential");
  EXPECT_EQ(r.dataset_shape("/layers/lstm/cell/vars/1"), (Shape{1, 4}));
  EXPECT_EQ(r.read_dataset("/layers/lstm/cell/vars/2").to_vector<float>(), (std::vector<float>{0, 1, 0, 0}));
}

TEST_F(H5KerasFilesTest, EveryRealHdf5FileWalksAndLegacyLayoutsResolve) {
  const std::string dir = testing::keras_models_dir();
  if (dir.empty()) GTEST_SKIP() << "tests/models/data/keras_models is absent here";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().string();
    if (!entry.is_regular_file() || sniff_file_kind(file) != FileKind::kHdf5) continue;
    ++files;
    const H5Reader r = H5Reader::open(file);
    EXPECT_GT(walk(r, "/"), 3) << file;
    if (r.is_group("/model_weights")) {
      EXPECT_GT(check_legacy_layout(r, "/model_weights"), 0) << file;
    }
    if (r.has_attribute("/", "layer_names")) {  // weights only (04)
      EXPECT_GT(check_legacy_layout(r, ""), 0) << file;
    }
  }
  EXPECT_EQ(files, 15);
}

/// The synthetic image every corruption test starts from (and, when present, a real file).
std::vector<std::vector<std::uint8_t>> corruption_seeds() {
  H5Writer w("unused");
  w.set_string_attribute("/", "keras_version", "2.15.0");
  w.set_string_list_attribute("/", "layer_names", {"dense", "dropout"});
  w.set_string_list_attribute("dense", "weight_names", {"dense/kernel:0", "dense/bias:0"});
  w.set_string_list_attribute("dropout", "weight_names", {});
  w.write_dataset("dense/dense/kernel:0", Tensor::ones({8, 16}));
  w.write_dataset("dense/dense/bias:0", Tensor::zeros({16}));
  std::vector<std::vector<std::uint8_t>> seeds = {w.finish_image()};
  const std::string dir = testing::keras_models_dir();
  if (!dir.empty()) seeds.push_back(testing::read_bytes(dir + "/11_keras3.8_masking_lstm.model.weights.h5"));
  return seeds;
}

TEST_F(H5KerasFilesTest, TruncatedFilesAreIoErrors) {
  for (const auto& seed : corruption_seeds()) {
    ASSERT_GT(walk(H5Reader::open_image(seed, "intact.h5"), "/"), 5);
    for (std::size_t size : {std::size_t{8}, seed.size() / 4, seed.size() / 2, seed.size() - 1}) {
      const std::vector<std::uint8_t> cut(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(size));
      expect_error<IoError>([&] { walk(H5Reader::open_image(cut, "cut.h5"), "/"); }, {"cut.h5"});
    }
  }
  const std::string file = path("half.h5");
  const auto seed = corruption_seeds().front();
  testing::write_bytes(file, std::vector<std::uint8_t>(seed.begin(), seed.begin() + seed.size() / 2));
  expect_error<IoError>([&] { walk(H5Reader::open(file), "/"); }, {"half.h5"});
}

TEST_F(H5KerasFilesTest, CorruptedBytesRaiseIoErrorOrReadNeverCrash) {
  int errors = 0;
  for (const auto& seed : corruption_seeds()) {
    // Flip 8-byte runs at 64 places across the file: headers, heaps, B-trees and data. Damage
    // to raw data goes unnoticed (HDF5 1.10 has no checksums there); damage to metadata raises.
    for (std::size_t k = 1; k < 64; ++k) {
      std::vector<std::uint8_t> bytes = seed;
      const std::size_t at = seed.size() * k / 64;
      for (std::size_t i = at; i < std::min(at + 8, bytes.size()); ++i) bytes[i] ^= 0xA5;
      try {
        walk(H5Reader::open_image(bytes, "flipped.h5"), "/");
      } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("flipped.h5"), std::string::npos) << e.what();
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 10);
}

/// `seed` with the `n` bytes at `offset` from the first occurrence of `marker` XOR-ed with 0x5A.
std::vector<std::uint8_t> damage(std::vector<std::uint8_t> seed, const std::string& marker, std::ptrdiff_t offset,
                                 std::size_t n) {
  const auto it = std::search(seed.begin(), seed.end(), marker.begin(), marker.end());
  EXPECT_NE(it, seed.end()) << marker;
  for (std::size_t i = 0; i < n && it != seed.end(); ++i) *(it + offset + static_cast<std::ptrdiff_t>(i)) ^= 0x5A;
  return seed;
}

// The damage that crashed HDF5 1.10's own readers (found by fuzzing): heap object sizes and
// indices, string descriptors, and the part sizes of attribute messages.
TEST_F(H5KerasFilesTest, DamageHdf5DoesNotCheckIsAnIoError) {
  const std::vector<std::uint8_t> seed = corruption_seeds().front();
  const auto read_version = [](const std::vector<std::uint8_t>& bytes) {
    const H5Reader r = H5Reader::open_image(bytes, "damaged.h5");
    return r.string_attribute("/", "keras_version") + r.string_list_attribute("/", "layer_names").at(0);
  };
  EXPECT_EQ(read_version(seed), "2.15.0dense");
  // Global heap collection: the first object's size (16 bytes after "GCOL"), then its index.
  expect_error<IoError>([&] { read_version(damage(seed, "GCOL", 24, 8)); }, {"damaged.h5", "heap"});
  expect_error<IoError>([&] { read_version(damage(seed, "GCOL", 16, 2)); }, {"damaged.h5", "corrupt"});
  expect_error<IoError>([&] { read_version(damage(seed, "GCOL", 4, 1)); }, {"damaged.h5"});
  // Attribute message of keras_version (v1: its name 8 bytes into the message): the datatype
  // and dataspace sizes, then the string descriptor (length, heap address) in its data.
  for (std::ptrdiff_t field : {-4, -2}) {
    expect_error<IoError>([&] { read_version(damage(seed, "keras_version", field, 2)); },
                          {"damaged.h5", "corrupt attribute"});
  }
  expect_error<IoError>([&] { read_version(damage(seed, "keras_version", 48, 12)); }, {"damaged.h5", "corrupt"});
  // The local heap of group /dense/dense holds "kernel:0" at 8, "bias:0" at 24, then its free
  // block at 32 (next: 1, the end): point that block at itself, a cycle HDF5 follows forever.
  std::vector<std::uint8_t> cycle = seed;
  const std::string names("kernel:0\0\0\0\0\0\0\0\0bias:0\0\0", 24);
  const auto at = std::search(cycle.begin(), cycle.end(), names.begin(), names.end());
  ASSERT_NE(at, cycle.end());
  ASSERT_EQ(*(at + 24), 1);
  *(at + 24) = 32;
  expect_error<IoError>([&] { H5Reader::open_image(cycle, "cycle.h5").read_dataset("/dense/dense/kernel:0"); },
                        {"cycle.h5", "'/dense/dense'", "free list"});
}

TEST_F(H5KerasFilesTest, H5pyReadsWhatH5WriterWrote) {
  const std::string file = path("written.h5");
  H5Writer w(file);
  w.set_string_attribute("/", "keras_version", "2.15.0");
  w.set_string_list_attribute("/", "layer_names", {"dense", "dropout"});
  w.set_string_list_attribute("/dropout", "weight_names", {});
  w.write_dataset("dense/dense/kernel:0", Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2}));
  w.write_dataset("scalar", Tensor::scalar(7, DType::kInt64));
  w.commit();
  const int status = testing::run_python(dir_, "h5py", R"(
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
def attr_type(obj, name):
    return h5py.h5a.open(obj.id, name.encode()).get_type()
t = attr_type(f, "keras_version")
assert t.is_variable_str() and t.get_cset() == h5py.h5t.CSET_UTF8, "keras_version type"
assert f.attrs["keras_version"] == "2.15.0"
assert list(f.attrs["layer_names"]) == ["dense", "dropout"], f.attrs["layer_names"]
assert attr_type(f, "layer_names").is_variable_str()
e = f["dropout"].attrs["weight_names"]
assert e.dtype == np.float64 and e.shape == (0,), (e.dtype, e.shape)
k = f["dense/dense/kernel:0"]
assert k.dtype == np.dtype("<f4") and k.shape == (2, 2) and k.chunks is None and k.compression is None
assert (k[()] == np.array([[1, 2], [3, 4]], np.float32)).all()
assert f["scalar"].shape == () and f["scalar"].dtype == np.dtype("<i8") and f["scalar"][()] == 7
assert list(f.keys()) == ["dense", "dropout", "scalar"]
)",
                                          file);
  if (status < 0) GTEST_SKIP() << "/usr/bin/python3 with h5py not available";
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace fathom::io
