// SPDX-License-Identifier: Apache-2.0
// Keras 3 files written by real Keras 3.15 (tests/models/data/make_keras3_fixtures.py), Fathom's
// own Keras-format files read back (and their layout), load_weights semantics, and bad files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/ops.h"
#include "io/datasets/npy.h"
#include "io/hdf5/h5_file.h"
#include "io/zip_archive.h"
#include "layers/dense.h"
#include "layers/input_layer.h"
#include "layers/reshaping.h"
#include "models/functional.h"
#include "models/keras_saving.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

const std::string kKeras3 = std::string(FATHOM_SOURCE_DIR) + "/tests/models/data/keras3/";
const std::string kReal = std::string(FATHOM_SOURCE_DIR) + "/tests/models/data/keras_models/";

double max_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape()) return INFINITY;
  const auto x = ops::cast(a, DType::kFloat32).to_vector<float>();
  const auto y = ops::cast(b, DType::kFloat32).to_vector<float>();
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(double(x[i]) - double(y[i])));
  return worst;
}

std::vector<std::vector<float>> snapshot(const Model& m) {
  std::vector<std::vector<float>> out;
  for (const Variable& v : m.weights()) out.push_back(v.value().to_vector<float>());
  return out;
}

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "/" + name; }

// ~~~ Keras 3 files ~~~

class Keras3FixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(Keras3FixtureTest, KerasZipLegacyH5AndWeightsH5AllPredictWhatKerasPredicted) {
  const std::string stem = kKeras3 + GetParam();
  const Tensor x = io::read_npy(stem + "_input.npy");
  const Tensor want = io::read_npy(stem + "_prediction.npy");
  for (const std::string ext : {".keras", ".h5"}) {
    auto model = load_model_file(stem + ext);
    EXPECT_LE(max_diff(model->call_model({x}, false)[0], want), 1e-5) << GetParam() << ext;
  }
  auto model = load_model_file(stem + ".keras");
  for (Variable& v : model->weights()) v.assign(ops::mul(v.value(), Tensor::scalar(0.0)));
  load_weights_file(*model, stem + ".weights.h5");
  EXPECT_LE(max_diff(model->call_model({x}, false)[0], want), 1e-5) << GetParam() << ".weights.h5";
}

INSTANTIATE_TEST_SUITE_P(Keras315, Keras3FixtureTest,
                         ::testing::Values("cnn_bn_sequential", "embedding_bilstm_gru", "conv_zoo", "seq_zoo"));

TEST(KerasSavingTest, FunctionalWithSharedLayerAndNestedSequentialFromKeras3) {
  const Tensor a = io::read_npy(kKeras3 + "two_inputs_nested_input_a.npy");
  const Tensor b = io::read_npy(kKeras3 + "two_inputs_nested_input_b.npy");
  const Tensor want = io::read_npy(kKeras3 + "two_inputs_nested_prediction.npy");
  for (const std::string ext : {".keras", ".h5"}) {
    auto model = load_model_file(kKeras3 + "two_inputs_nested" + ext);
    EXPECT_LE(max_diff(model->call_model({a, b}, false)[0], want), 1e-5) << ext;
  }
  auto model = load_model_file(kKeras3 + "two_inputs_nested.keras");
  for (Variable& v : model->weights()) v.assign(ops::mul(v.value(), Tensor::scalar(0.0)));
  load_weights_file(*model, kKeras3 + "two_inputs_nested.weights.h5");
  EXPECT_LE(max_diff(model->call_model({a, b}, false)[0], want), 1e-5) << ".weights.h5 (nested layers/ groups)";
}

TEST(KerasSavingTest, EncoderDecoderWithReturnStateInitialStateAndCausalAttentionFromKeras3) {
  const Tensor a = io::read_npy(kKeras3 + "seq2seq_input_a.npy");
  const Tensor b = io::read_npy(kKeras3 + "seq2seq_input_b.npy");
  const Tensor want = io::read_npy(kKeras3 + "seq2seq_prediction.npy");
  for (const std::string ext : {".keras", ".h5"}) {
    auto model = load_model_file(kKeras3 + "seq2seq" + ext);
    EXPECT_LE(max_diff(model->call_model({a, b}, false)[0], want), 1e-5) << ext;
  }
  // Fathom writes the graph back (initial_state and use_causal_mask as keywords) and reads it.
  auto model = load_model_file(kKeras3 + "seq2seq.keras");
  for (const std::string name : {"seq2seq_again.keras", "seq2seq_again.h5"}) {
    save_model_file(*model, temp_path(name));
    auto back = load_model_file(temp_path(name));
    EXPECT_LE(max_diff(back->call_model({a, b}, false)[0], want), 1e-5) << name;
  }
}

TEST(KerasSavingTest, AttentionWithAMaskTensorAndItsScoresFromKeras3) {
  const Tensor tokens = io::read_npy(kKeras3 + "masked_attention_input_a.npy");
  const Tensor allowed = io::read_npy(kKeras3 + "masked_attention_input_b.npy");
  auto model = load_model_file(kKeras3 + "masked_attention.keras");
  TensorList out = model->call_model({tokens, allowed}, false);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_LE(max_diff(out[0], io::read_npy(kKeras3 + "masked_attention_prediction.npy")), 1e-5);
  EXPECT_LE(max_diff(out[1], io::read_npy(kKeras3 + "masked_attention_scores.npy")), 1e-5) << "the scores output";
  save_model_file(*model, temp_path("masked_attention_again.keras"));
  out = load_model_file(temp_path("masked_attention_again.keras"))->call_model({tokens, allowed}, false);
  EXPECT_LE(max_diff(out[0], io::read_npy(kKeras3 + "masked_attention_prediction.npy")), 1e-5) << "round trip";
}

// ~~~ Fathom writes, Fathom reads ~~~

std::unique_ptr<Model> small_model() {
  layers::reset_layer_names();
  auto model = std::make_unique<Sequential>("small");
  model->add(std::make_shared<layers::InputLayer>(Shape{-1, 2, 3}));
  model->add(std::make_shared<layers::Flatten>());
  model->add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 4, .activation = "tanh"}));
  model->add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 2}));
  return model;
}

TEST(KerasSavingTest, EveryFormatRoundTripsToIdenticalPredictions) {
  auto model = small_model();
  const Tensor x = random::normal({5, 2, 3}, 0, 1, DType::kFloat32, 3);
  const Tensor y = model->call_model({x}, false)[0];
  for (const std::string name : {"m.keras", "m.h5", "m.fathom"}) {
    save_model_file(*model, temp_path(name));
    auto back = load_model_file(temp_path(name));
    EXPECT_EQ(back->call_model({x}, false)[0].to_vector<float>(), y.to_vector<float>()) << name;
  }
  for (const std::string name : {"w.weights.h5", "w.h5"}) {
    save_weights_file(*model, temp_path(name));
    auto other = small_model();
    load_weights_file(*other, temp_path(name));
    EXPECT_EQ(other->call_model({x}, false)[0].to_vector<float>(), y.to_vector<float>()) << name;
  }
}

TEST(KerasSavingTest, LegacyLayoutIsWhatKeras2Writes) {
  auto model = small_model();
  save_model_file(*model, temp_path("layout.h5"));
  const auto f = io::H5Reader::open(temp_path("layout.h5"));
  EXPECT_EQ(f.string_attribute("/", "backend"), "tensorflow");
  EXPECT_EQ(f.string_attribute("/", "keras_version").substr(0, 2), "2.");
  EXPECT_NE(f.string_attribute("/", "model_config").find("\"batch_input_shape\""), std::string::npos)
      << "Keras 2 readers need InputLayer's batch_input_shape";
  EXPECT_EQ(f.string_list_attribute("/model_weights", "layer_names"),
            (std::vector<std::string>{"flatten", "dense", "dense_1"}))
      << "a Sequential lists its layers without the InputLayer";
  EXPECT_EQ(f.string_list_attribute("/model_weights/dense", "weight_names"),
            (std::vector<std::string>{"dense/kernel:0", "dense/bias:0"}));
  EXPECT_TRUE(f.string_list_attribute("/model_weights/flatten", "weight_names").empty());
  EXPECT_EQ(f.dataset_shape("/model_weights/dense/dense/kernel:0"), (Shape{6, 4}));
}

TEST(KerasSavingTest, Keras3LayoutIsWhatKeras3Writes) {
  auto model = small_model();
  save_model_file(*model, temp_path("layout.keras"));
  const io::ZipArchive zip = io::ZipArchive::open(temp_path("layout.keras"));
  for (const std::string member : {"metadata.json", "config.json", "model.weights.h5"}) {
    EXPECT_TRUE(zip.contains(member)) << member;
  }
  const auto w = io::H5Reader::open_image(zip.read("model.weights.h5"), "weights");
  EXPECT_EQ(w.dataset_shape("/layers/dense/vars/0"), (Shape{6, 4}));
  EXPECT_EQ(w.dataset_shape("/layers/dense_1/vars/1"), (Shape{2}));
  EXPECT_EQ(w.string_attribute("/layers/dense_1/vars", "name"), "dense_1");
  EXPECT_TRUE(w.is_group("/layers/flatten/vars"));
  EXPECT_FALSE(w.is_group("/layers/input_layer")) << "Keras 3's Sequential.layers excludes the InputLayer";
}

TEST(KerasSavingTest, KerasSnakeCaseMatchesKeras3) {
  EXPECT_EQ(keras_snake_case("BatchNormalization"), "batch_normalization");
  EXPECT_EQ(keras_snake_case("Conv2D"), "conv2d");
  EXPECT_EQ(keras_snake_case("Conv2DTranspose"), "conv2d_transpose");
  EXPECT_EQ(keras_snake_case("LSTM"), "lstm");
  EXPECT_EQ(keras_snake_case("SimpleRNN"), "simple_rnn");
  EXPECT_EQ(keras_snake_case("GlobalAveragePooling2D"), "global_average_pooling2d");
  EXPECT_EQ(keras_snake_case("InputLayer"), "input_layer");
  EXPECT_EQ(keras_snake_case("PReLU"), "p_re_lu");
}

// ~~~ load_weights semantics ~~~

TEST(KerasSavingTest, AShapeMismatchNamesTheLayerAndChangesNothing) {
  auto model = small_model();
  save_weights_file(*model, temp_path("small.h5"));
  layers::reset_layer_names();
  Sequential other("other");
  other.add(std::make_shared<layers::InputLayer>(Shape{-1, 2, 3}));
  other.add(std::make_shared<layers::Flatten>());
  other.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 4, .activation = "tanh"}));
  other.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 3}));  // 3, not 2
  const auto before = snapshot(other);
  try {
    load_weights_file(other, temp_path("small.h5"));
    FAIL() << "expected a ShapeError";
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("dense_1"), std::string::npos) << what;
    EXPECT_NE(what.find("[4, 2]"), std::string::npos) << what;
    EXPECT_NE(what.find("[4, 3]"), std::string::npos) << what;
  }
  EXPECT_EQ(snapshot(other), before) << "the first layer matched, but nothing may change when a later one fails";
}

TEST(KerasSavingTest, ByNameLoadsMatchingLayersAndSkipMismatchSkipsTheRest) {
  auto model = small_model();
  save_weights_file(*model, temp_path("byname.h5"));
  layers::reset_layer_names();
  Sequential other("other");
  other.add(std::make_shared<layers::InputLayer>(Shape{-1, 2, 3}));
  other.add(std::make_shared<layers::Flatten>());
  other.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 4, .activation = "tanh"}, "dense"));
  other.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 3}, "dense_1"));
  other.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 1}, "extra"));
  EXPECT_THROW(load_weights_file(other, temp_path("byname.h5"), {.by_name = true}), ShapeError);
  const auto extra_before = other.layers().back()->weights()[0].value().to_vector<float>();
  load_weights_file(other, temp_path("byname.h5"), {.by_name = true, .skip_mismatch = true});
  EXPECT_EQ(other.layers()[2]->weights()[0].value().to_vector<float>(),
            model->layers()[2]->weights()[0].value().to_vector<float>())
      << "'dense' matches by name";
  EXPECT_EQ(other.layers().back()->weights()[0].value().to_vector<float>(), extra_before) << "'extra' is not in the file";
  EXPECT_THROW(load_weights_file(other, temp_path("byname.h5")), ValueError) << "by position: 3 layers vs 2";
}

// ~~~ Bad files ~~~

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(KerasSavingTest, TruncatedOrCorruptedRealFilesGiveAnErrorAndChangeNothing) {
  for (const std::string name : {"03_cnn_batchnorm_keras2.1.3.h5", "11_keras3.8_masking_lstm.keras"}) {
    auto model = load_model_file(kReal + name);
    const auto before = snapshot(*model);
    const std::vector<char> original = bytes_of(kReal + name);
    std::vector<std::vector<char>> damaged;
    damaged.emplace_back(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(original.size() / 2));
    damaged.emplace_back(original.begin(), original.begin() + 700);
    for (std::size_t at : {original.size() / 3, original.size() / 2, original.size() * 3 / 4}) {
      std::vector<char> flipped = original;
      for (std::size_t i = at; i < at + 64 && i < flipped.size(); ++i) flipped[i] = static_cast<char>(~flipped[i]);
      damaged.push_back(std::move(flipped));
    }
    for (std::size_t k = 0; k < damaged.size(); ++k) {
      const std::string path = temp_path("damaged_" + std::to_string(k) + "_" + name);
      write_bytes(path, damaged[k]);
      bool threw = false;
      try {
        load_weights_file(*model, path);
      } catch (const Error&) {
        threw = true;
      }
      // A flip inside weight data may leave a readable file: then the values differ but nothing crashed.
      if (threw) {
        EXPECT_EQ(snapshot(*model), before) << name << " damage " << k;
      }
      if (k < 2) {
        EXPECT_TRUE(threw) << name << ": a truncated file must be refused";
      }
      model = load_model_file(kReal + name);
      EXPECT_THROW(load_model_file(temp_path("damaged_0_" + name)), Error);
    }
  }
}

TEST(KerasSavingTest, Keras1AndTheanoFilesAreRefusedWithTheReason) {
  {
    io::H5Writer w(temp_path("keras1.h5"));
    w.set_string_list_attribute("/", "layer_names", {"dense_1"});
    w.create_group("/dense_1");
    w.set_string_list_attribute("/dense_1", "weight_names", {});
    w.commit();
  }
  auto model = small_model();
  try {
    load_weights_file(*model, temp_path("keras1.h5"));
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("Keras 1"), std::string::npos) << e.what();
  }
  {
    io::H5Writer w(temp_path("theano.h5"));
    w.set_string_list_attribute("/", "layer_names", {"dense_1"});
    w.set_string_attribute("/", "keras_version", "2.0.6");
    w.set_string_attribute("/", "backend", "theano");
    w.commit();
  }
  try {
    load_weights_file(*model, temp_path("theano.h5"));
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("Theano"), std::string::npos) << e.what();
  }
}

TEST(KerasSavingTest, AnUnknownLayerClassIsNamed) {
  const std::string path = temp_path("unknown.json");
  write_bytes(path, [] {
    const std::string s = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}},
      {"class_name": "Lambda", "config": {"name": "my_lambda", "function": "x"}}]}})";
    return std::vector<char>(s.begin(), s.end());
  }());
  try {
    model_from_keras_json_file(path);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Lambda"), std::string::npos) << e.what();
  }
}

TEST(KerasSavingTest, ChannelsFirstIsRefusedNamingTheLayer) {
  const std::string path = temp_path("channels_first.json");
  write_bytes(path, [] {
    const std::string s = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
      {"class_name": "Conv2D", "config": {"name": "conv_first", "filters": 2, "kernel_size": [3, 3],
       "data_format": "channels_first", "batch_input_shape": [null, 3, 8, 8]}}]},
      "keras_version": "2.2.4", "backend": "tensorflow"})";
    return std::vector<char>(s.begin(), s.end());
  }());
  try {
    model_from_keras_json_file(path);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("conv_first"), std::string::npos) << what;
    EXPECT_NE(what.find("channels_first"), std::string::npos) << what;
  }
}

TEST(KerasSavingTest, SaveRefusesAnUnknownExtensionAndLeavesNoFile) {
  auto model = small_model();
  EXPECT_THROW(save_model_file(*model, temp_path("model.bin")), ValueError);
  EXPECT_FALSE(std::filesystem::exists(temp_path("model.bin")));
}

}  // namespace
}  // namespace fathom::models
