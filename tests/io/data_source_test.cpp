// SPDX-License-Identifier: Apache-2.0
#include "io/data_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "io/datasets/hdf5.h"
#include "io/datasets/idx.h"
#include "io/datasets/npy.h"

namespace fathom::io {
namespace {

namespace fs = std::filesystem;

/// A value at "cfg.yaml:<line>:<col>", as the YAML loader marks every node.
Config at(Config v, int line, int col) {
  v.set_location("cfg.yaml:" + std::to_string(line) + ":" + std::to_string(col));
  return v;
}

/// The `config` mapping (at cfg.yaml:3:5) of a source.
Config cfg(std::initializer_list<std::pair<std::string, Config>> entries) {
  Config c = at(Config::map(), 3, 5);
  for (const auto& [k, v] : entries) c.set(k, v);
  return c;
}

/// {class_name: cls (at 2:16), config} at cfg.yaml:2:3.
Config source(const std::string& cls, Config config = Config()) {
  Config spec = at(Config::map(), 2, 3);
  spec.set("class_name", at(cls, 2, 16));
  if (!config.is_null()) spec.set("config", std::move(config));
  return spec;
}

/// Fixtures, written once into a temp folder:
///   x.npy float64 [3, 2, 2] = 0..11   y.npy int32 [3] = 0 2 1   y2.npy int64 [2]   x1.npy float32 [3, 1]
///   data.csv (a, b, label) 3 rows     data.h5 /x float32 [5, 3] = 0..14, /y int64 [5] = 0..4
///   mnist/ the four IDX files: train 3 images [2, 2], t10k 2 images
class DataSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("fathom_data_source_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "mnist");
    write_npy(p("x.npy"), Tensor::from_vector<double>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 2, 2}));
    write_npy(p("y.npy"), Tensor::from_vector<std::int32_t>({0, 2, 1}));
    write_npy(p("y2.npy"), Tensor::from_vector<std::int64_t>({0, 1}));
    write_npy(p("x1.npy"), Tensor::from_vector<float>({7, 8, 9}, {3, 1}));
    std::ofstream(p("data.csv")) << "a,b,label\n1,2,0\n3,4,1\n5,6,2\n";
    write_hdf5(p("data.h5"), {{"/x", ops_arange_2d(5, 3)}, {"/y", Tensor::arange(5, DType::kInt64)}});
    for (const auto& [prefix, n] : {std::pair{"train", 3}, std::pair{"t10k", 2}}) {
      std::vector<unsigned char> images(static_cast<std::size_t>(4 * n)), labels(static_cast<std::size_t>(n));
      for (std::size_t i = 0; i < images.size(); ++i) images[i] = static_cast<unsigned char>(i * 20);
      for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<unsigned char>(9 - i);
      write_idx(p(std::string("mnist/") + prefix + "-images-idx3-ubyte"), {n, 2, 2}, images);
      write_idx(p(std::string("mnist/") + prefix + "-labels-idx1-ubyte"), {n}, labels);
    }
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string p(const std::string& name) { return (dir_ / name).string(); }
  static Tensor ops_arange_2d(std::int64_t r, std::int64_t c) {
    std::vector<float> v(static_cast<std::size_t>(r * c));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
    return Tensor::from_vector(v, {r, c});
  }
  static void write_idx(const std::string& path, std::vector<int> dims, const std::vector<unsigned char>& data) {
    std::vector<unsigned char> b = {0, 0, 0x08, static_cast<unsigned char>(dims.size())};
    for (int d : dims) {
      for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(d >> s));
    }
    b.insert(b.end(), data.begin(), data.end());
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
  }
  static fs::path dir_;
};
fs::path DataSourceTest::dir_;

/// `f` throws a ConfigError whose message starts with `prefix` and contains every fragment.
void expect_config_error(const std::function<void()>& f, const std::string& prefix,
                         const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(prefix, 0), 0u) << what << "\ndoes not start with: " << prefix;
    for (const auto& s : fragments) EXPECT_NE(what.find(s), std::string::npos) << what << "\nlacks: " << s;
  }
}

TEST_F(DataSourceTest, FashionMnistTakeAndSplitByRole) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/train-labels-idx1-ubyte.gz")) GTEST_SKIP() << "no Fashion-MNIST";
  const LoadedData train = load_data_source(source("FashionMNIST", cfg({{"take", 100}})), "train");
  ASSERT_EQ(train.x.size(), 1u);
  EXPECT_EQ(train.x[0].shape(), (Shape{100, 28, 28}));
  EXPECT_EQ(train.x[0].dtype(), DType::kFloat32);
  EXPECT_EQ(train.y[0].shape(), (Shape{100}));
  EXPECT_EQ(train.y[0].dtype(), DType::kInt64);
  const auto pixels = train.x[0].to_vector<float>();
  EXPECT_EQ(*std::max_element(pixels.begin(), pixels.end()), 255.0f);
  EXPECT_NE(train.description.find("FashionMNIST 'train' split"), std::string::npos) << train.description;
  EXPECT_NE(train.description.find("100 samples (take 100 of 60000)"), std::string::npos) << train.description;

  Config pre = Config::map();
  pre.set("flatten", true).set("scale", 1.0 / 255).set("one_hot", 10);
  const LoadedData test = load_data_source(source("FashionMNIST", cfg({{"take", 5}, {"preprocessing", pre}})), "test");
  EXPECT_NE(test.description.find("'test' split"), std::string::npos);
  EXPECT_NE(test.description.find("of 10000"), std::string::npos);
  EXPECT_EQ(test.x[0].shape(), (Shape{5, 784}));
  EXPECT_EQ(test.y[0].shape(), (Shape{5, 10}));
  const auto scaled = test.x[0].to_vector<float>();
  EXPECT_LE(*std::max_element(scaled.begin(), scaled.end()), 1.0f);
}

TEST_F(DataSourceTest, MnistReadsTheIdxLayoutFromPath) {
  const LoadedData train = load_data_source(source("MNIST", cfg({{"path", p("mnist")}})), "validation");
  EXPECT_EQ(train.x[0].shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(train.x[0].to_vector<float>()[11], 220.0f);
  EXPECT_EQ(train.y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{9, 8, 7}));
  const LoadedData test = load_data_source(source("MNIST", cfg({{"path", p("mnist")}})), "test");
  EXPECT_EQ(test.y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{9, 8}));
  const auto t = load_data_source(source("MNIST", cfg({{"path", p("mnist")}, {"split", "test"}})), "train");
  EXPECT_EQ(t.x[0].shape(), (Shape{2, 2, 2}));
}

TEST_F(DataSourceTest, CsvByLabelNameOrIndexAndWithoutLabelsForTest) {
  const LoadedData d =
      load_data_source(source("CSV", cfg({{"path", p("data.csv")}, {"label_column", "label"}})), "train");
  EXPECT_EQ(d.x[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(d.x[0].to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.y[0].dtype(), DType::kInt64);
  EXPECT_EQ(d.y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_NE(d.description.find("(labels 'label')"), std::string::npos) << d.description;
  const LoadedData first =
      load_data_source(source("CSV", cfg({{"path", p("data.csv")}, {"label_column", 0}})), "train");
  EXPECT_EQ(first.y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 3, 5}));
  std::ofstream(p("semi.csv")) << "1;2;0\n3;4;1\n";
  const LoadedData semi = load_data_source(
      source("CSV", cfg({{"path", p("semi.csv")}, {"header", false}, {"delimiter", ";"}, {"label_column", -1}})),
      "train");
  EXPECT_EQ(semi.y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1}));
  const LoadedData test = load_data_source(source("CSV", cfg({{"path", p("data.csv")}})), "test");
  EXPECT_EQ(test.x[0].shape(), (Shape{3, 3}));
  EXPECT_TRUE(test.y.empty());
}

TEST_F(DataSourceTest, NpyListsTakeAndStandardDtypes) {
  Config xs = Config::list();
  xs.push_back(p("x.npy"));
  xs.push_back(p("x1.npy"));
  const LoadedData d = load_data_source(source("NPY", cfg({{"x", xs}, {"y", p("y.npy")}, {"take", 2}})), "train");
  ASSERT_EQ(d.x.size(), 2u);
  EXPECT_EQ(d.x[0].shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(d.x[0].dtype(), DType::kFloat32);  // float64 in the file
  EXPECT_EQ(d.x[1].to_vector<float>(), (std::vector<float>{7, 8}));
  EXPECT_EQ(d.y[0].dtype(), DType::kInt64);  // int32 in the file
  EXPECT_EQ(d.y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 2}));
  EXPECT_NE(d.description.find("2 samples (take 2 of 3)"), std::string::npos) << d.description;
  // More than there are keeps them all (tf.data's take), and the description says so.
  const LoadedData all = load_data_source(source("NPY", cfg({{"x", p("x.npy")}, {"take", 1000}})), "test");
  EXPECT_EQ(all.x[0].shape()[0], 3);
  EXPECT_TRUE(all.y.empty());
  EXPECT_NE(all.description.find("(take 1000: all 3)"), std::string::npos) << all.description;
}

TEST_F(DataSourceTest, Hdf5FromTheCApiAndFromH5py) {
  const LoadedData d =
      load_data_source(source("HDF5", cfg({{"path", p("data.h5")}, {"x", "/x"}, {"y", "y"}, {"take", 2}})), "train");
  EXPECT_EQ(d.x[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(d.x[0].to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(d.y[0].to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1}));
  EXPECT_NE(d.description.find("take 2 of 5"), std::string::npos) << d.description;
  const std::string h5py_file = (fs::path(__FILE__).parent_path() / "data" / "h5py_arrays.h5").string();
  Config pre = Config::map();
  pre.set("one_hot", 3);
  const LoadedData h = load_data_source(
      source("HDF5", cfg({{"path", h5py_file}, {"x", "/train/x"}, {"y", "/train/y"}, {"preprocessing", pre}})),
      "train");
  EXPECT_EQ(h.x[0].dtype(), DType::kFloat32);
  EXPECT_EQ(h.x[0].to_vector<float>()[5], 2.5f);
  EXPECT_EQ(h.y[0].shape(), (Shape{4, 3}));
  EXPECT_EQ(h.y[0].to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0}));
}

TEST_F(DataSourceTest, PreprocessingIsFlattenScaleNormalizeOneHotInThatOrder) {
  Config normalize = Config::map();
  normalize.set("mean", 1.0).set("std", 2.0);
  Config pre = Config::map();
  // Listed out of order on purpose: the order is fixed, not the mapping's.
  pre.set("one_hot", 3).set("normalize", normalize).set("scale", 0.5).set("flatten", true);
  const LoadedData d =
      load_data_source(source("NPY", cfg({{"x", p("x.npy")}, {"y", p("y.npy")}, {"preprocessing", pre}})), "train");
  EXPECT_EQ(d.x[0].shape(), (Shape{3, 4}));
  const auto x = d.x[0].to_vector<float>();
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(x[i], (static_cast<float>(i) * 0.5f - 1.0f) / 2.0f);
  EXPECT_EQ(d.y[0].dtype(), DType::kFloat32);
  EXPECT_EQ(d.y[0].to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 1, 0}));
  EXPECT_NE(d.description.find("preprocessing: flatten, scale 0.5, normalize, one_hot 3"), std::string::npos);

  // Per-feature lists apply along the last axis (after flatten); integer x become float32 by scale.
  Config per = Config::map();
  per.set("mean", std::vector<Config>{0.0, 1.0, 2.0, 3.0}).set("std", std::vector<Config>{1.0, 1.0, 2.0, 4.0});
  Config pre2 = Config::map();
  pre2.set("flatten", true).set("normalize", per);
  const LoadedData f = load_data_source(source("NPY", cfg({{"x", p("x.npy")}, {"preprocessing", pre2}})), "test");
  EXPECT_EQ(f.x[0].to_vector<float>()[7], (7.0f - 3.0f) / 4.0f);
  Config scale = Config::map();
  scale.set("scale", 2);
  const LoadedData ints = load_data_source(source("NPY", cfg({{"x", p("y.npy")}, {"preprocessing", scale}})), "test");
  EXPECT_EQ(ints.x[0].dtype(), DType::kFloat32);
  EXPECT_EQ(ints.x[0].to_vector<float>(), (std::vector<float>{0, 4, 2}));
}

TEST_F(DataSourceTest, ErrorsStartWithTheOffendingValuesLocation) {
  auto load = [](Config spec, const std::string& role = "train") {
    return [spec = std::move(spec), role] { load_data_source(spec, role); };
  };
  const Config csv = at(p("data.csv"), 4, 11);
  // 1. Unknown class_name: did-you-mean over the known sources.
  expect_config_error(load(source("NPz", cfg({}))), "cfg.yaml:2:16: data.train: unknown data source 'NPz'.",
                      {"Did you mean 'NPY'?", "Known sources: CSV, FashionMNIST, HDF5, MNIST, NPY."});
  // 2. Unknown key.
  expect_config_error(load(source("CSV", cfg({{"path", csv}, {"lable_column", at("label", 5, 19)}}))),
                      "cfg.yaml:5:19: data.train (CSV): unknown key 'lable_column'.", {"Did you mean 'label_column'?"});
  // 3. Wrong type.
  expect_config_error(load(source("CSV", cfg({{"path", csv}, {"label_column", 2}, {"header", at("yes", 6, 13)}}))),
                      "cfg.yaml:6:13: data.train (CSV): 'header': expected a boolean", {"received a string 'yes'"});
  // 4. Negative take.
  expect_config_error(load(source("NPY", cfg({{"x", p("x.npy")}, {"y", p("y.npy")}, {"take", at(-5, 7, 11)}}))),
                      "cfg.yaml:7:11: data.train (NPY): 'take' must be a positive integer", {"Received: -5."});
  // 5. A missing file: the message starts with the path value's location and names the path.
  expect_config_error(load(source("CSV", cfg({{"path", at("no/such.csv", 12, 15)}, {"label_column", 0}}))),
                      "cfg.yaml:12:15: data.train (CSV): 'path': file not found: 'no/such.csv'",
                      {"relative to the working directory"});
  Config xs = Config::list();
  xs.push_back(at(p("x.npy"), 8, 9));
  xs.push_back(at(p("gone.npy"), 9, 9));
  expect_config_error(load(source("NPY", cfg({{"x", xs}, {"y", p("y.npy")}}))),
                      "cfg.yaml:9:9: data.train (NPY): 'x': file not found: '" + p("gone.npy") + "'.", {});
  // 6. x and y with different numbers of samples: both counts.
  expect_config_error(
      load(source("NPY", cfg({{"x", p("x.npy")}, {"y", at(p("y2.npy"), 10, 8)}}))),
      "cfg.yaml:10:8: data.train (NPY): x '" + p("x.npy") + "' has 3 samples but y '" + p("y2.npy") + "' has 2;", {});
  // 7. A label outside [0, depth) for one_hot: the label and the source.
  Config pre = Config::map();
  pre.set("one_hot", at(2, 11, 14));
  expect_config_error(load(source("NPY", cfg({{"x", p("x.npy")}, {"y", p("y.npy")}, {"preprocessing", pre}}))),
                      "cfg.yaml:11:14: data.train (NPY): 'preprocessing.one_hot': label 2 (element 1 of y '" +
                          p("y.npy") + "') is outside [0, 2)",
                      {});
  // 8. Labels are required for training: at the source config.
  expect_config_error(load(source("CSV", cfg({{"path", csv}})), "validation"),
                      "cfg.yaml:3:5: data.validation (CSV): missing required key 'label_column'", {"validation data"});
  expect_config_error(load(source("NPY", cfg({{"x", p("x.npy")}}))),
                      "cfg.yaml:3:5: data.train (NPY): missing required key 'y'", {});
  // 9. A label column that is not in the file lists the columns.
  expect_config_error(load(source("CSV", cfg({{"path", csv}, {"label_column", at("species", 5, 21)}}))),
                      "cfg.yaml:5:21: data.train (CSV): 'label_column': ", {"'species' is not a column", "'label'"});
  // 10. An HDF5 dataset that does not exist: a suggestion and the datasets.
  expect_config_error(load(source("HDF5", cfg({{"path", p("data.h5")}, {"x", at("/xx", 6, 8)}, {"y", "/y"}}))),
                      "cfg.yaml:6:8: data.train (HDF5): 'x': no dataset '/xx' in",
                      {"Did you mean '/x'?", "'/x', '/y'"});
  // 11. A bad split, with a suggestion.
  expect_config_error(load(source("MNIST", cfg({{"path", p("mnist")}, {"split", at("tset", 4, 12)}}))),
                      "cfg.yaml:4:12: data.train (MNIST): 'split' must be 'train' or 'test'.",
                      {"Did you mean 'test'?"});
  // 12. MNIST needs its path; a folder that does not exist.
  expect_config_error(load(source("MNIST")), "cfg.yaml:2:3: data.train (MNIST): missing required key 'path'", {});
  expect_config_error(load(source("FashionMNIST", cfg({{"path", at("/no/such/dir", 4, 11)}}))),
                      "cfg.yaml:4:11: data.train (FashionMNIST): 'path': directory not found: '/no/such/dir'.", {});
}

TEST_F(DataSourceTest, PreprocessingAndSpecErrors) {
  auto load = [](Config spec, const std::string& role = "test") {
    return [spec = std::move(spec), role] { load_data_source(spec, role); };
  };
  auto with_pre = [&](Config pre) {
    return source("NPY", cfg({{"x", p("x.npy")}, {"y", p("y.npy")}, {"preprocessing", pre}}));
  };
  // 13. Unknown preprocessing key.
  Config typo = at(Config::map(), 5, 20);
  typo.set("one_hat", at(3, 5, 30));
  expect_config_error(load(with_pre(typo)), "cfg.yaml:5:30: data.test (NPY) preprocessing: unknown key 'one_hat'.",
                      {"Did you mean 'one_hot'?"});
  // 14. normalize: std must be positive; both keys; lists that fit the features.
  Config bad_std = Config::map();
  bad_std.set("mean", 0.5).set("std", at(0.0, 6, 30));
  Config pre = Config::map();
  pre.set("normalize", bad_std);
  expect_config_error(load(with_pre(pre)),
                      "cfg.yaml:6:30: data.test (NPY): 'preprocessing.normalize.std' must be positive",
                      {"Received: 0."});
  Config no_std = at(Config::map(), 6, 18);
  no_std.set("mean", 0.5);
  pre.set("normalize", no_std);
  expect_config_error(load(with_pre(pre)), "cfg.yaml:6:18: data.test (NPY): 'preprocessing.normalize' needs both",
                      {"'std'"});
  Config three = Config::map();
  three.set("mean", at(std::vector<Config>{1.0, 2.0, 3.0}, 7, 22)).set("std", 1.0);
  pre.set("normalize", three);
  expect_config_error(load(with_pre(pre)),
                      "cfg.yaml:7:22: data.test (NPY): 'preprocessing.normalize.mean' has 3 values",
                      {"shape [3, 2, 2]", "one per feature"});
  // 15. one_hot needs a positive depth and integer labels.
  Config zero = Config::map();
  zero.set("one_hot", at(0, 8, 14));
  expect_config_error(load(with_pre(zero)), "cfg.yaml:8:14: data.test (NPY): 'preprocessing.one_hot'",
                      {"Received: 0."});
  Config hot = Config::map();
  hot.set("one_hot", at(4, 8, 14));
  expect_config_error(load(source("NPY", cfg({{"x", p("x.npy")}, {"y", p("x.npy")}, {"preprocessing", hot}}))),
                      "cfg.yaml:8:14: data.test (NPY): 'preprocessing.one_hot' needs integer class labels",
                      {"float32"});
  // 16. The spec itself: not a mapping, no class_name, a bad config, a wrong-type class_name.
  expect_config_error(load(at("NPY", 2, 10)), "cfg.yaml:2:10: data.test: expected a mapping {class_name, config}", {});
  Config no_class = at(Config::map(), 2, 3);
  no_class.set("config", cfg({}));
  expect_config_error(load(no_class), "cfg.yaml:2:3: data.test: missing required key 'class_name'", {"FashionMNIST"});
  Config list_config = source("NPY");
  list_config.set("config", at(Config::list(), 3, 13));
  expect_config_error(load(list_config), "cfg.yaml:3:13: data.test (NPY): 'config': expected a mapping", {});
  expect_config_error(load(source("NPY", cfg({{"x", at(5, 4, 8)}}))),
                      "cfg.yaml:4:8: data.test (NPY): 'x': expected a string or a list", {});
  // 17. Arrays need a sample axis and samples.
  const std::string data = (fs::path(__FILE__).parent_path() / "data").string();
  expect_config_error(load(source("NPY", cfg({{"x", at(data + "/f8_scalar.npy", 4, 8)}}))),
                      "cfg.yaml:4:8: data.test (NPY): x '" + data + "/f8_scalar.npy' is a scalar (rank 0)", {});
  expect_config_error(load(source("NPY", cfg({{"x", at(data + "/f4_empty_0x3.npy", 4, 8)}}))),
                      "cfg.yaml:4:8: data.test (NPY): x '" + data + "/f4_empty_0x3.npy' holds no samples", {"[0, 3]"});
  // 18. A string dataset is an IoError naming the file and the dataset, with the source as context.
  const std::string h5py_file = data + "/h5py_arrays.h5";
  try {
    load_data_source(source("HDF5", cfg({{"path", h5py_file}, {"x", "/names"}})), "test");
    ADD_FAILURE() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("while loading data.test (HDF5)"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find(h5py_file + "': dataset '/names' holds strings"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_data_source(source("NPY", cfg({{"x", p("x.npy")}})), "training"), ValueError);
}

TEST_F(DataSourceTest, WritesNothing) {
  auto listing = [] {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) names.push_back(e.path().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  const auto before = listing();
  load_data_source(source("HDF5", cfg({{"path", p("data.h5")}, {"x", "/x"}, {"y", "/y"}})), "train");
  load_data_source(source("CSV", cfg({{"path", p("data.csv")}, {"label_column", "label"}})), "train");
  EXPECT_THROW(load_data_source(source("NPY", cfg({{"x", p("x.npy")}, {"y", p("y2.npy")}})), "train"), ConfigError);
  EXPECT_EQ(listing(), before);
}

}  // namespace
}  // namespace fathom::io
