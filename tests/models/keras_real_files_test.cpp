// SPDX-License-Identifier: Apache-2.0
// The twelve files real Keras versions wrote (tests/models/data/keras_models, copied from
// ../shared/keras-models; see its README for where each comes from) load and predict what Keras
// predicted. Four ship Keras's own predictions; the others are compared with predictions tf.keras
// made from the same files (tests/models/data/make_keras_references.py).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/ops.h"
#include "io/datasets/npy.h"
#include "io/hdf5/h5_file.h"
#include "models/keras_saving.h"
#include "models/model.h"

namespace fathom::models {
namespace {

const std::string kDir = std::string(FATHOM_SOURCE_DIR) + "/tests/models/data/keras_models/";

void expect_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const std::vector<float> g = ops::cast(got, DType::kFloat32).to_vector<float>();
  const std::vector<float> w = ops::cast(want, DType::kFloat32).to_vector<float>();
  double worst = 0;
  for (std::size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::abs(double(g[i]) - double(w[i])));
  EXPECT_LE(worst, tol) << what << ": largest difference " << worst;
}

Tensor predict(Model& model, const Tensor& x) { return model.call_model({x}, false).at(0); }

TEST(KerasRealFilesTest, File01MlpSoftmaxKeras231MatchesKerasPredictions) {
  auto model = load_model_file(kDir + "01_mlp_softmax_keras2.3.1.h5");
  const auto io = io::H5Reader::open(kDir + "01_mlp_softmax_keras2.3.1.keras_inputs_and_outputs.h5");
  expect_close(predict(*model, io.read_dataset("/inputs/dense_1_input")), io.read_dataset("/predictions/activation_1"),
               1e-5, "file 01");
}

TEST(KerasRealFilesTest, File03CnnBatchNormKeras213MatchesKerasPredictions) {
  auto model = load_model_file(kDir + "03_cnn_batchnorm_keras2.1.3.h5");
  expect_close(predict(*model, io::read_npy(kDir + "03_cnn_batchnorm_keras2.1.3.keras_input.npy")),
               io::read_npy(kDir + "03_cnn_batchnorm_keras2.1.3.keras_predictions.npy"), 1e-5, "file 03");
}

TEST(KerasRealFilesTest, File10LstmHardSigmoidKeras213MatchesKerasPredictions) {
  auto model = load_model_file(kDir + "10_lstm_hardsigmoid_keras2.1.3.h5");
  const auto io = io::H5Reader::open(kDir + "10_lstm_hardsigmoid_keras2.1.3.keras_inputs_and_outputs.h5");
  expect_close(predict(*model, io.read_dataset("/inputs/lstm_1_input")), io.read_dataset("/predictions/dense_1"), 1e-5,
               "file 10 (Keras 2's hard_sigmoid)");
}

TEST(KerasRealFilesTest, File12Conv1dSameStride2Keras231MatchesKerasPredictions) {
  auto model = load_model_file(kDir + "12_conv1d_same_stride2_keras2.3.1.h5");
  const auto io = io::H5Reader::open(kDir + "12_conv1d_same_stride2_keras2.3.1.keras_inputs_and_outputs.h5");
  expect_close(predict(*model, io.read_dataset("/inputs/conv0_input")), io.read_dataset("/predictions/conv0"), 1e-5,
               "file 12");
}

/// Files without shipped predictions: tf.keras 2.x (tf_keras) loaded each and predicted on a
/// fixed input; both are committed in data/keras_references/<stem>_{input,prediction}.npy.
class KerasReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KerasReferenceTest, MatchesTfKerasPredictions) {
  const std::string file = GetParam();
  const std::string stem = file.substr(0, file.find('.'));
  const std::string ref = std::string(FATHOM_SOURCE_DIR) + "/tests/models/data/keras_references/" + stem;
  std::unique_ptr<Model> model;
  if (file.find("_weights.h5") != std::string::npos) {  // file 04: weights only + its to_json()
    model = model_from_keras_json_file(kDir + "04_cnn_bn_jettagger_keras2.0.6.json", "2.0.6");
    load_weights_file(*model, kDir + file);
  } else {
    model = load_model_file(kDir + file);
  }
  Tensor x = io::read_npy(ref + "_input.npy");
  expect_close(predict(*model, x), io::read_npy(ref + "_prediction.npy"), 1e-5, file);
}

INSTANTIATE_TEST_SUITE_P(RealFiles, KerasReferenceTest,
                         ::testing::Values("02_mlp_relu_tfkeras2.11_hdf5.keras", "04_cnn_bn_jettagger_keras2.0.6_weights.h5",
                                           "05_cnn_pool_pad_upsample_tfkeras2.2.4.h5",
                                           "06_lstm_relu_functional_keras2.1.3.h5",
                                           "07_gru_resetafterfalse_keras2.1.3.h5",
                                           "08_conv1d_gru_resetafter_tfkeras2.11_hdf5.keras",
                                           "09_embedding_lstm_keras2.1.3.h5", "11_keras3.8_masking_lstm.keras"),
                         [](const auto& info) { return info.param.substr(0, 2) == "11" ? std::string("File11") : "File" + info.param.substr(0, 2); });

TEST(KerasRealFilesTest, File11WeightsAloneLoadIntoTheModelFromItsZip) {
  auto model = load_model_file(kDir + "11_keras3.8_masking_lstm.keras");
  auto fresh = load_model_file(kDir + "11_keras3.8_masking_lstm.keras");
  for (Variable& v : fresh->weights()) v.assign(ops::mul(v.value(), Tensor::scalar(0.0)));
  load_weights_file(*fresh, kDir + "11_keras3.8_masking_lstm.model.weights.h5");
  const std::vector<Variable> a = model->weights(), b = fresh->weights();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].value().to_vector<float>(), b[i].value().to_vector<float>()) << a[i].name();
  }
}

TEST(KerasRealFilesTest, TheFormatComesFromTheBytesNotTheName) {
  // 02 and 08 are HDF5 files named .keras (tf.keras 2.11); 11 is a real zip.
  EXPECT_NO_THROW(load_model_file(kDir + "02_mlp_relu_tfkeras2.11_hdf5.keras"));
  const std::string copy = ::testing::TempDir() + "/renamed_zip.h5";
  std::filesystem::copy_file(kDir + "11_keras3.8_masking_lstm.keras", copy,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_NO_THROW(load_model_file(copy));
}

}  // namespace
}  // namespace fathom::models
