// SPDX-License-Identifier: Apache-2.0
// H5Writer -> H5Reader round trips, the string attribute flavours of older Keras/h5py files
// (written here with the HDF5 C API), and errors. Real Keras files: h5_keras_files_test.cpp.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>

#include "io/hdf5/h5_file.h"
#include "io/zip_archive.h"
#include "tests/io/io_test_files.h"

namespace fathom::io {
namespace {

using testing::expect_error;
using testing::TempDirTest;
namespace fs = std::filesystem;

class H5FileTest : public TempDirTest {};

/// A small Keras-2-like weights file: root attributes, a layer with two weights, an empty one.
H5Writer keras_like_writer(const std::string& path) {
  H5Writer w(path);
  w.set_string_attribute("/", "keras_version", "2.15.0");
  w.set_string_attribute("/", "backend", "tensorflow");
  w.set_string_list_attribute("/", "layer_names", {"dense_1", "dropout"});
  w.set_string_list_attribute("dense_1", "weight_names", {"dense_1/kernel:0", "dense_1/bias:0"});
  w.write_dataset("dense_1/dense_1/kernel:0", Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  w.write_dataset("/dense_1/dense_1/bias:0", Tensor::from_vector<float>({0.5f, -0.5f, 0}));
  w.set_string_list_attribute("/dropout", "weight_names", {});
  w.set_int_attribute("/dense_1", "count", -(1LL << 40));
  return w;
}

TEST_F(H5FileTest, WriterRoundTripsThroughAnImage) {
  H5Writer w = keras_like_writer(path("unused.h5"));
  w.create_group("/a/b/c");
  w.create_group("a/b");  // already there: no-op
  w.set_string_attribute("/a/b", "name", "héllo");  // UTF-8 survives
  w.write_dataset("x/f64", Tensor::from_vector<double>({0.25, -1}));
  w.write_dataset("x/i32", Tensor::from_vector<std::int32_t>({-7, 8}));
  w.write_dataset("x/i64", Tensor::from_vector<std::int64_t>({1LL << 40}));
  w.write_dataset("x/flags", Tensor::from_vector<bool>({true, false}));
  w.write_dataset("x/scalar", Tensor::scalar(2.5));
  w.write_dataset("x/empty", Tensor::zeros({0, 4}));
  const H5Reader r = H5Reader::open_image(w.finish_image(), "model.weights.h5");
  EXPECT_FALSE(fs::exists(path("unused.h5")));  // nothing written before commit()
  EXPECT_EQ(r.label(), "model.weights.h5");
  EXPECT_EQ(r.children("/"), (std::vector<std::string>{"a", "dense_1", "dropout", "x"}));
  EXPECT_EQ(r.children("dense_1/dense_1"), (std::vector<std::string>{"bias:0", "kernel:0"}));
  EXPECT_TRUE(r.is_group("/"));
  EXPECT_TRUE(r.is_group("a/b/c"));
  EXPECT_FALSE(r.is_group("dense_1/dense_1/bias:0"));
  EXPECT_TRUE(r.is_dataset("dense_1/dense_1/bias:0"));
  EXPECT_FALSE(r.is_dataset("/nope/deeper"));
  EXPECT_EQ(r.string_attribute("/", "keras_version"), "2.15.0");
  EXPECT_EQ(r.string_attribute("a/b/", "name"), "héllo");
  EXPECT_EQ(r.string_list_attribute("/", "layer_names"), (std::vector<std::string>{"dense_1", "dropout"}));
  EXPECT_EQ(r.string_list_attribute("/dropout", "weight_names"), std::vector<std::string>{});
  EXPECT_EQ(r.int_attribute("dense_1", "count"), -(1LL << 40));
  EXPECT_TRUE(r.has_attribute("/dense_1", "weight_names"));
  EXPECT_FALSE(r.has_attribute("/dense_1", "layer_names"));
  const Tensor kernel = r.read_dataset("/dense_1/dense_1/kernel:0");
  EXPECT_EQ(kernel.shape(), (Shape{2, 3}));
  EXPECT_EQ(kernel.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(r.read_dataset("x/f64").to_vector<float>(), (std::vector<float>{0.25f, -1}));
  EXPECT_EQ(r.read_dataset("x/i32").to_vector<std::int64_t>(), (std::vector<std::int64_t>{-7, 8}));
  EXPECT_EQ(r.read_dataset("x/i64").to_vector<std::int64_t>(), (std::vector<std::int64_t>{1LL << 40}));
  EXPECT_EQ(r.read_dataset("x/flags").to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(r.read_dataset("x/scalar").dim(), 0);
  EXPECT_EQ(r.read_dataset("x/scalar").item<float>(), 2.5f);
  EXPECT_EQ(r.dataset_shape("x/empty"), (Shape{0, 4}));
  EXPECT_EQ(r.read_dataset("x/empty").shape(), (Shape{0, 4}));
}

TEST_F(H5FileTest, CommitWritesAtomicallyAndOverwritesAttributes) {
  const std::string file = path("w.h5");
  testing::write_bytes(file, {'o', 'l', 'd'});
  H5Writer w = keras_like_writer(file);
  w.set_string_attribute("/", "backend", "jax");  // replaces the earlier value
  w.commit();
  EXPECT_FALSE(fs::exists(file + ".tmp." + std::to_string(::getpid())));
  EXPECT_EQ(sniff_file_kind(file), FileKind::kHdf5);
  const H5Reader r = H5Reader::open(file);
  EXPECT_EQ(r.string_attribute("/", "backend"), "jax");
  EXPECT_EQ(r.read_dataset("dense_1/dense_1/bias:0").to_vector<float>(), (std::vector<float>{0.5f, -0.5f, 0}));
  expect_error<IoError>([&] { w.write_dataset("more", Tensor::scalar(1.0)); }, {"w.h5", "finished"});
  // A second writer whose commit fails (its folder is gone) leaves nothing half-written.
  H5Writer bad(path("missing/dir/x.h5"));
  expect_error<IoError>([&] { bad.commit(); }, {"missing/dir/x.h5"});
}

TEST_F(H5FileTest, WriterTypesAreWhatKerasWrites) {
  H5Writer w = keras_like_writer("unused");
  const std::vector<std::uint8_t> image = w.finish_image();
  const std::string file = path("types.h5");
  testing::write_bytes(file, image);
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  H5F_info2_t info;
  H5Fget_info2(f, &info);
  EXPECT_EQ(info.super.version, 0u);  // the earliest format: any h5py reads it
  auto attr_type = [&](const char* object, const char* name, H5T_class_t cls, hssize_t n) {
    const hid_t a = H5Aopen_by_name(f, object, name, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t t = H5Aget_type(a), s = H5Aget_space(a);
    EXPECT_EQ(H5Tget_class(t), cls) << object << "@" << name;
    EXPECT_EQ(H5Sget_simple_extent_npoints(s), n) << object << "@" << name;
    H5Sclose(s);
    H5Aclose(a);
    return t;
  };
  const hid_t version = attr_type("/", "keras_version", H5T_STRING, 1);
  EXPECT_GT(H5Tis_variable_str(version), 0);
  EXPECT_EQ(H5Tget_cset(version), H5T_CSET_UTF8);
  EXPECT_EQ(H5Tget_strpad(version), H5T_STR_NULLTERM);
  const hid_t names = attr_type("/", "layer_names", H5T_STRING, 2);
  EXPECT_GT(H5Tis_variable_str(names), 0);
  const hid_t empty = attr_type("/dropout", "weight_names", H5T_FLOAT, 0);
  EXPECT_GT(H5Tequal(empty, H5T_IEEE_F64LE), 0);
  const hid_t count = attr_type("/dense_1", "count", H5T_INTEGER, 1);
  EXPECT_GT(H5Tequal(count, H5T_STD_I64LE), 0);
  for (hid_t t : {version, names, empty, count}) H5Tclose(t);
  const hid_t ds = H5Dopen2(f, "/dense_1/dense_1/kernel:0", H5P_DEFAULT);
  const hid_t dt = H5Dget_type(ds), dcpl = H5Dget_create_plist(ds);
  EXPECT_GT(H5Tequal(dt, H5T_IEEE_F32LE), 0);
  EXPECT_EQ(H5Pget_layout(dcpl), H5D_CONTIGUOUS);
  H5Pclose(dcpl);
  H5Tclose(dt);
  H5Dclose(ds);
  H5Fclose(f);
}

/// Writes a string attribute with the C API: fixed length `size` (0 = variable) and `pad`.
void c_string_attribute(hid_t object, const char* name, const std::vector<std::string>& values, std::size_t size,
                        H5T_str_t pad, H5T_cset_t cset, bool scalar = false) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, size == 0 ? H5T_VARIABLE : size);
  H5Tset_strpad(t, pad);
  H5Tset_cset(t, cset);
  const hsize_t n = values.size();
  const hid_t s = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
  const hid_t a = H5Acreate2(object, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
  if (size == 0) {
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    H5Awrite(a, t, ptrs.data());
  } else {
    std::vector<char> raw(values.size() * size, pad == H5T_STR_SPACEPAD ? ' ' : '\0');
    for (std::size_t i = 0; i < values.size(); ++i) std::memcpy(&raw[i * size], values[i].data(), values[i].size());
    H5Awrite(a, t, raw.data());
  }
  H5Aclose(a);
  H5Sclose(s);
  H5Tclose(t);
}

/// The flavours Keras 2 / h5py 2 wrote (keras-formats.md "1+2 bis"), in a file with a 512-byte user block.
std::string write_flavours(const std::string& file) {
  const hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_userblock(fcpl, 512);
  const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  // 16 = the longest name: "dense_1/kernel:0" fills its slot, no terminator.
  c_string_attribute(f, "nullpad", {"dense_1/kernel:0", "dense_1/bias:0"}, 16, H5T_STR_NULLPAD, H5T_CSET_ASCII);
  c_string_attribute(f, "nullterm", {"ab", "c"}, 4, H5T_STR_NULLTERM, H5T_CSET_ASCII);
  c_string_attribute(f, "spacepad", {"x", "yz"}, 3, H5T_STR_SPACEPAD, H5T_CSET_ASCII);
  c_string_attribute(f, "vlen_ascii", {"fc1", "relu1", ""}, 0, H5T_STR_NULLTERM, H5T_CSET_ASCII);
  c_string_attribute(f, "vlen_ascii_scalar", {"{\"class_name\": 1}"}, 0, H5T_STR_NULLTERM, H5T_CSET_ASCII, true);
  c_string_attribute(f, "fixed_scalar", {"tensorflow"}, 10, H5T_STR_NULLPAD, H5T_CSET_ASCII, true);
  c_string_attribute(f, "one_element", {"2.1.3"}, 0, H5T_STR_NULLTERM, H5T_CSET_UTF8);
  const hsize_t two[2] = {2, 1};
  const hid_t s2 = H5Screate_simple(2, two, nullptr);
  const double values[2] = {1, 2};
  const hid_t numbers = H5Acreate2(f, "numbers", H5T_IEEE_F64LE, s2, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(numbers, H5T_NATIVE_DOUBLE, values);
  H5Aclose(numbers);
  H5Sclose(s2);
  const hid_t s0 = H5Screate(H5S_SCALAR);
  const std::uint8_t byte = 200;
  const hid_t u8 = H5Acreate2(f, "u8", H5T_STD_U8LE, s0, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(u8, H5T_NATIVE_UINT8, &byte);
  H5Aclose(u8);
  H5Sclose(s0);
  // float16 as h5py writes it (a custom IEEE half type: HDF5 1.10 has no predefined one).
  const hid_t half = H5Tcopy(H5T_IEEE_F32LE);
  H5Tset_fields(half, 15, 10, 5, 0, 10);
  H5Tset_size(half, 2);
  H5Tset_ebias(half, 15);
  const hsize_t n2 = 2;
  const hid_t s1 = H5Screate_simple(1, &n2, nullptr);
  const hid_t ds = H5Dcreate2(f, "half", half, s1, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const std::uint16_t halves[2] = {0x3E00, 0xC000};  // 1.5, -2
  H5Dwrite(ds, half, H5S_ALL, H5S_ALL, H5P_DEFAULT, halves);
  H5Dclose(ds);
  H5Sclose(s1);
  H5Tclose(half);
  H5Fclose(f);
  return file;
}

TEST_F(H5FileTest, ReadsEveryStringFlavourOfOlderKerasFiles) {
  const std::string file = write_flavours(path("flavours.h5"));
  EXPECT_EQ(sniff_file_kind(file), FileKind::kHdf5);  // signature at 512, after the user block
  const H5Reader r = H5Reader::open(file);
  EXPECT_EQ(r.string_list_attribute("/", "nullpad"), (std::vector<std::string>{"dense_1/kernel:0", "dense_1/bias:0"}));
  EXPECT_EQ(r.string_list_attribute("/", "nullterm"), (std::vector<std::string>{"ab", "c"}));
  EXPECT_EQ(r.string_list_attribute("/", "spacepad"), (std::vector<std::string>{"x", "yz"}));
  EXPECT_EQ(r.string_list_attribute("/", "vlen_ascii"), (std::vector<std::string>{"fc1", "relu1", ""}));
  EXPECT_EQ(r.string_attribute("/", "vlen_ascii_scalar"), "{\"class_name\": 1}");
  EXPECT_EQ(r.string_list_attribute("/", "vlen_ascii_scalar"), (std::vector<std::string>{"{\"class_name\": 1}"}));
  EXPECT_EQ(r.string_attribute("/", "fixed_scalar"), "tensorflow");
  EXPECT_EQ(r.string_attribute("/", "one_element"), "2.1.3");
  EXPECT_EQ(r.int_attribute("/", "u8"), 200);
  EXPECT_EQ(r.read_dataset("half").to_vector<float>(), (std::vector<float>{1.5f, -2}));
  expect_error<IoError>([&] { r.string_attribute("/", "nullpad"); }, {"flavours.h5", "'nullpad'", "2 strings"});
  expect_error<IoError>([&] { r.string_list_attribute("/", "numbers"); }, {"'numbers'", "float64", "not strings"});
  expect_error<IoError>([&] { r.string_attribute("/", "u8"); }, {"'u8'", "uint8", "not a string"});
  expect_error<IoError>([&] { r.int_attribute("/", "nullterm"); }, {"'nullterm'", "string", "not an integer"});
  expect_error<IoError>([&] { r.string_attribute("/", "nullpadd"); }, {"no attribute 'nullpadd'", "'nullpad'"});
}

TEST_F(H5FileTest, MissingObjectsAndWrongKindsAreIoErrorsNamingTheFile) {
  H5Writer w = keras_like_writer("unused");
  const H5Reader r = H5Reader::open_image(w.finish_image(), "weights.h5");
  expect_error<IoError>([&] { r.read_dataset("/dense_1/dense_1/kernel"); },
                        {"'weights.h5'", "no object '/dense_1/dense_1/kernel'", "Did you mean 'kernel:0'",
                         "Group '/dense_1/dense_1' holds 'bias:0', 'kernel:0'"});
  expect_error<IoError>([&] { r.children("/nope/x"); },
                        {"no object '/nope/x'", "Group '/' holds 'dense_1', 'dropout'"});
  expect_error<IoError>([&] { r.children("dense_1/dense_1/bias:0"); }, {"not a group"});
  expect_error<IoError>([&] { r.read_dataset("dense_1"); }, {"'/dense_1' is a group, not a dataset"});
  expect_error<IoError>([&] { r.dataset_shape("dense_1/x"); }, {"no object '/dense_1/x'"});
  expect_error<IoError>([&] { r.has_attribute("/gone", "a"); }, {"no object '/gone'"});
  expect_error<IoError>([&] { H5Reader::open(path("missing.h5")); }, {"missing.h5", "no such file"});
  expect_error<IoError>([&] { H5Reader::open(dir_.string()); }, {"directory"});
  testing::write_bytes(path("text.h5"), {'h', 'i'});
  expect_error<IoError>([&] { H5Reader::open(path("text.h5")); }, {"text.h5", "not an HDF5 file"});
  expect_error<IoError>([&] { H5Reader::open_image({}, "empty.h5"); }, {"empty.h5", "empty"});
  expect_error<IoError>([&] { H5Reader::open_image({'{', '}'}, "config.json"); }, {"config.json", "not an HDF5"});
  H5Writer taken("unused");
  taken.write_dataset("a/b", Tensor::scalar(1.0));
  expect_error<IoError>([&] { taken.write_dataset("/a/b", Tensor::scalar(1.0)); }, {"'/a/b'", "taken"});
  expect_error<IoError>([&] { taken.create_group("a/b"); }, {"'/a/b'", "dataset"});
  expect_error<ValueError>([&] { taken.write_dataset("/", Tensor::scalar(1.0)); }, {"invalid dataset path"});
}

}  // namespace
}  // namespace fathom::io
