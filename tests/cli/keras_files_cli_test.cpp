// SPDX-License-Identifier: Apache-2.0
// The CLI on real Keras files: `fathom predict` / `summary` on .h5, .keras and JSON + --weights,
// and `fathom train` fine-tuning a Keras file named in the config (model.keras_file).
#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "core/random.h"
#include "io/datasets/npy.h"
#include "io/hdf5/h5_file.h"
#include "tests/cli/cli_runner.h"

namespace fathom::cli_test {
namespace {

namespace fs = std::filesystem;

fs::path real(const std::string& name) { return source_dir() / "tests/models/data/keras_models" / name; }
fs::path reference(const std::string& name) { return source_dir() / "tests/models/data/keras_references" / name; }

double max_diff(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return INFINITY;
  const auto x = ops::cast(a, DType::kFloat32).to_vector<float>(), y = ops::cast(b, DType::kFloat32).to_vector<float>();
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(double(x[i]) - double(y[i])));
  return worst;
}

TEST(KerasFilesCli, PredictOnAKerasH5MatchesKerasPredictions) {
  TempDir tmp;
  const auto io = io::H5Reader::open(real("12_conv1d_same_stride2_keras2.3.1.keras_inputs_and_outputs.h5").string());
  io::write_npy((tmp / "x.npy").string(), io.read_dataset("/inputs/conv0_input"));
  const RunResult r = run_fathom({"predict", real("12_conv1d_same_stride2_keras2.3.1.h5").string(), "--input",
                                  (tmp / "x.npy").string(), "--output", (tmp / "y.npy").string()},
                                 tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_LE(max_diff(io::read_npy((tmp / "y.npy").string()), io.read_dataset("/predictions/conv0")), 1e-5);
}

TEST(KerasFilesCli, PredictOnAJsonArchitectureTakesItsWeightsFromWeights) {
  TempDir tmp;
  const std::string out = (tmp / "y.npy").string();
  RunResult r = run_fathom({"predict", real("04_cnn_bn_jettagger_keras2.0.6.json").string(), "--input",
                            reference("04_cnn_bn_jettagger_keras2_input.npy").string(), "--output", out},
                           tmp / "capture");
  EXPECT_EQ(r.exit_code, 2) << "a JSON architecture without --weights: " << describe(r);
  EXPECT_NE(r.err.find("--weights"), std::string::npos) << r.err;
  r = run_fathom({"predict", real("04_cnn_bn_jettagger_keras2.0.6.json").string(), "--weights",
                  real("04_cnn_bn_jettagger_keras2.0.6_weights.h5").string(), "--input",
                  reference("04_cnn_bn_jettagger_keras2_input.npy").string(), "--output", out},
                 tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_LE(max_diff(io::read_npy(out), io::read_npy(reference("04_cnn_bn_jettagger_keras2_prediction.npy").string())),
            1e-5);
}

TEST(KerasFilesCli, PredictOnAKerasZipWithIntegerIds) {
  TempDir tmp;
  const fs::path dir = source_dir() / "tests/models/data/keras3";
  const RunResult r = run_fathom({"predict", (dir / "embedding_bilstm_gru.keras").string(), "--input",
                                  (dir / "embedding_bilstm_gru_input.npy").string(), "--output", (tmp / "y.npy").string()},
                                 tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_LE(max_diff(io::read_npy((tmp / "y.npy").string()),
                     io::read_npy((dir / "embedding_bilstm_gru_prediction.npy").string())),
            1e-5);
}

TEST(KerasFilesCli, SummaryOfAKerasFile) {
  TempDir tmp;
  const RunResult r = run_fathom({"summary", real("06_lstm_relu_functional_keras2.1.3.h5").string()}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("lstm_lstm (LSTM)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("input_1 (InputLayer)"), std::string::npos) << "Keras 3 lists a functional model's inputs";
  EXPECT_NE(r.out.find("Total params: 3,077"), std::string::npos) << r.out;  // 6*64 + 16*64 + 64 + 320*5 + 5
}

TEST(KerasFilesCli, TrainFineTunesAPretrainedKerasModelNamedInTheConfig) {
  TempDir tmp;
  const Tensor x = random::normal({60, 4}, 0, 1, DType::kFloat32, 3);
  const Tensor y = ops::cast(ops::argmax(ops::slice_axis(x, 1, 0, 3), 1), DType::kInt64);
  io::write_npy((tmp / "x.npy").string(), x);
  io::write_npy((tmp / "y.npy").string(), y);
  const std::string config = "model:\n  keras_file: " + real("01_mlp_softmax_keras2.3.1.h5").string() +
                             "\ncompile:\n  optimizer: adam\n  loss: sparse_categorical_crossentropy\n"
                             "  metrics: [accuracy]\ndata:\n  train:\n    class_name: NPY\n    config: {x: " +
                             (tmp / "x.npy").string() + ", y: " + (tmp / "y.npy").string() +
                             "}\nfit:\n  epochs: 2\n  batch_size: 16\n  seed: 1\noutput:\n  dir: " +
                             (tmp / "run").string() + "\n";
  write_file(tmp / "tune.yaml", config);
  RunResult r = run_fathom({"train", (tmp / "tune.yaml").string()}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  ASSERT_TRUE(fs::exists(tmp / "run" / "model.h5"));
  // The trained model.h5 is itself a Keras file the CLI reads back.
  r = run_fathom({"predict", (tmp / "run" / "model.h5").string(), "--input", (tmp / "x.npy").string(), "--output",
                  (tmp / "p.npy").string()},
                 tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(io::read_npy((tmp / "p.npy").string()).shape(), (Shape{60, 3}));
  EXPECT_NE(read_file(tmp / "run" / "config.yaml").find("dense_1"), std::string::npos)
      << "the resolved config holds the Keras model's layers";
}

TEST(KerasFilesCli, AMissingKerasFileIsALocatedConfigError) {
  TempDir tmp;
  io::write_npy((tmp / "a.npy").string(), Tensor::zeros({4, 4}));
  write_file(tmp / "bad.yaml", "model:\n  keras_file: no/such/model.h5\ncompile: {optimizer: adam, loss: mse}\n"
                               "data:\n  train: {class_name: NPY, config: {x: " + (tmp / "a.npy").string() + ", y: " +
                               (tmp / "a.npy").string() + "}}\n");
  const RunResult r = run_fathom({"train", (tmp / "bad.yaml").string()}, tmp / "capture");
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("bad.yaml:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no/such/model.h5"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fathom::cli_test
