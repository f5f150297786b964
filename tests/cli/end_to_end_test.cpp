// SPDX-License-Identifier: Apache-2.0
// End-to-end runs of build/bin/fathom on small data: train writes the run folder and repeats
// itself from its config.yaml; evaluate, predict and summary agree with it; every example in
// configs/examples/ trains; --version, --help and usage errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "core/tensor.h"
#include "io/datasets/npy.h"
#include "tests/cli/cli_runner.h"

namespace fathom::cli_test {
namespace {
namespace fs = std::filesystem;

const char* const kMlp = "configs/examples/fashion_mnist_mlp.yaml";
const std::vector<std::string> kSmall = {"--set", "data.train.config.take=512", "--set", "data.test.config.take=256",
                                         "--set", "fit.epochs=1"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();  // Keras's CSVLogger ends lines with \r\n
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

/// The number after `"key":` in a flat JSON object; NaN when the key is absent.
double json_number(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return std::nan("");
  const std::size_t colon = json.find(':', at);
  return std::strtod(json.c_str() + colon + 1, nullptr);
}

class EndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_fashion_mnist()) GTEST_SKIP() << "needs /usr/share/datasets/fashion-mnist";
  }
  /// `fathom train` on the Fashion-MNIST MLP with 512 samples and one epoch, into tmp_/name.
  fs::path train_mlp(const std::string& name) {
    const fs::path dir = tmp_ / name;
    const RunResult r =
        run_fathom(concat({"train", kMlp, "--set", "output.dir=" + dir.string()}, kSmall), tmp_ / "capture");
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return dir;
  }
  TempDir tmp_;
};

TEST_F(EndToEnd, TrainWritesTheRunFolder) {
  const fs::path run = train_mlp("run");
  for (const char* f : {"config.yaml", "history.csv", "model.h5", "test_metrics.json"}) {
    EXPECT_TRUE(fs::is_regular_file(run / f)) << f;
  }
  const std::vector<std::string> history = lines_of(read_file(run / "history.csv"));
  ASSERT_EQ(history.size(), 2u) << read_file(run / "history.csv");
  EXPECT_EQ(history[0], "epoch,accuracy,loss,val_accuracy,val_loss");  // Keras 3's CSVLogger: val_ keys as NA
  EXPECT_TRUE(history[1].starts_with("0,")) << history[1];
  // The resolved config writes the data sources' defaults out.
  const std::string config = read_file(run / "config.yaml");
  EXPECT_NE(config.find("path: /usr/share/datasets/fashion-mnist"), std::string::npos) << config;
  EXPECT_NE(config.find("split: test"), std::string::npos) << config;
  const std::string metrics = read_file(run / "test_metrics.json");
  const double loss = json_number(metrics, "loss"), accuracy = json_number(metrics, "accuracy");
  EXPECT_TRUE(std::isfinite(loss) && loss > 0) << metrics;
  EXPECT_TRUE(accuracy >= 0 && accuracy <= 1) << metrics;
}

TEST_F(EndToEnd, TrainingAgainFromTheWrittenConfigRepeatsTheRun) {
  const fs::path first = train_mlp("first");
  const fs::path second = tmp_ / "second";
  const RunResult r = run_fathom({"train", (first / "config.yaml").string(), "--set", "output.dir=" + second.string()},
                                 tmp_ / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(read_file(second / "history.csv"), read_file(first / "history.csv"));
  EXPECT_EQ(read_file(second / "test_metrics.json"), read_file(first / "test_metrics.json"));
  // The config it writes is the same one, but for output.dir.
  std::string expected = read_file(first / "config.yaml");
  const std::size_t at = expected.find(first.string());
  ASSERT_NE(at, std::string::npos) << expected;
  expected.replace(at, first.string().size(), second.string());
  EXPECT_EQ(read_file(second / "config.yaml"), expected);
}

TEST_F(EndToEnd, EvaluatePrintsTheMetricsTrainWrote) {
  const fs::path run = train_mlp("run");
  const fs::path eval_dir = tmp_ / "eval";
  const RunResult r = run_fathom(concat({"evaluate", kMlp, "--weights", (run / "model.h5").string(), "--set",
                                         "output.dir=" + eval_dir.string()},
                                        kSmall),
                                 tmp_ / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, read_file(run / "test_metrics.json"));
  EXPECT_EQ(read_file(eval_dir / "test_metrics.json"), read_file(run / "test_metrics.json"));
}

TEST_F(EndToEnd, EvaluateWithMissingWeightsExits2AndWritesNothing) {
  const fs::path eval_dir = tmp_ / "eval";
  const RunResult r = run_fathom(concat({"evaluate", kMlp, "--weights", (tmp_ / "none.fathom").string(), "--set",
                                         "output.dir=" + eval_dir.string()},
                                        kSmall),
                                 tmp_ / "capture");
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("none.fathom"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(eval_dir));
}

TEST_F(EndToEnd, PredictWritesOneRowOfTenLogitsPerSample) {
  const fs::path run = train_mlp("run");
  std::vector<float> pixels(5 * 28 * 28);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<float>(i % 256) / 255.0f;
  io::write_npy((tmp_ / "x.npy").string(), Tensor::from_vector<float>(pixels, {5, 28, 28}));

  RunResult r = run_fathom({"predict", (run / "model.h5").string(), "--input", (tmp_ / "x.npy").string(),
                            "--output", (tmp_ / "y.npy").string(), "--batch-size", "2"},
                           tmp_ / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const Tensor y = io::read_npy((tmp_ / "y.npy").string());
  EXPECT_EQ(y.shape(), (Shape{5, 10}));
  EXPECT_EQ(y.dtype(), DType::kFloat32);

  // A run config with --weights gives the same predictions (up to the batch size's rounding).
  r = run_fathom({"predict", kMlp, "--weights", (run / "model.h5").string(), "--input", (tmp_ / "x.npy").string(),
                  "--output", (tmp_ / "y2.npy").string()},
                 tmp_ / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const std::vector<float> a = y.to_vector<float>(), b = io::read_npy((tmp_ / "y2.npy").string()).to_vector<float>();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4) << i;
}

TEST_F(EndToEnd, PredictWithTooManyInputsExits2AndWritesNothing) {
  const fs::path run = train_mlp("run");
  io::write_npy((tmp_ / "x.npy").string(), Tensor::zeros({2, 28, 28}));
  const std::string x = (tmp_ / "x.npy").string();
  const RunResult r = run_fathom({"predict", (run / "model.h5").string(), "--input", x, "--input", x, "--output",
                                  (tmp_ / "y.npy").string()},
                                 tmp_ / "capture");
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("the model takes 1 input(s), 2 --input given"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp_ / "y.npy"));
}

TEST_F(EndToEnd, SummaryOfTheConfigAndOfTheCheckpointAgree) {
  const fs::path run = train_mlp("run");
  const RunResult from_config = run_fathom({"summary", kMlp, "--set", "data.train.config.take=64"}, tmp_ / "capture");
  ASSERT_EQ(from_config.exit_code, 0) << describe(from_config);
  EXPECT_NE(from_config.out.find("Total params: 235,146"), std::string::npos) << from_config.out;
  EXPECT_NE(from_config.out.find("dense_2 (Dense)"), std::string::npos) << from_config.out;
  const RunResult from_checkpoint = run_fathom({"summary", (run / "model.h5").string()}, tmp_ / "capture");
  ASSERT_EQ(from_checkpoint.exit_code, 0) << describe(from_checkpoint);
  EXPECT_EQ(from_checkpoint.out, from_config.out);
}

TEST(Cli, VersionAndHelpExit0) {
  TempDir tmp;
  const RunResult version = run_fathom({"--version"}, tmp.path());
  EXPECT_EQ(version.exit_code, 0) << describe(version);
  EXPECT_TRUE(version.out.starts_with("fathom 0.")) << version.out;
  const RunResult help = run_fathom({"--help"}, tmp.path());
  EXPECT_EQ(help.exit_code, 0) << describe(help);
  for (const char* command : {"train", "evaluate", "predict", "summary"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command << " missing from --help:\n" << help.out;
  }
}

TEST(Cli, UsageErrorsExit2) {
  TempDir tmp;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"frobnicate"}, {"--no-such-flag"}, {"train"}, {"train", kMlp, "--no-such-flag"}, {"evaluate", kMlp}}) {
    const RunResult r = run_fathom(args, tmp.path());
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << (args.size() > 1 ? args[1] : "") << "\n" << describe(r);
    EXPECT_FALSE(r.err.empty());
  }
}

// Every example trains with little data (a few hundred samples); a new example is picked up from the folder.
std::vector<std::string> example_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(source_dir() / "configs" / "examples")) {
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class Example : public ::testing::TestWithParam<std::string> {};

TEST_P(Example, TrainsOnLittleData) {
  const std::map<std::string, std::vector<std::string>> small = {
      {"fashion_mnist_mlp", kSmall},
      {"fashion_mnist_cnn", kSmall},
      {"fashion_mnist_lstm", kSmall},
      {"csv_regression", {"--set", "fit.epochs=2"}},
      {"two_input_functional", {"--set", "fit.epochs=2"}},
  };
  const std::string name = GetParam();
  const std::string text = read_file(source_dir() / "configs" / "examples" / (name + ".yaml"));
  if (text.find("FashionMNIST") != std::string::npos && !have_fashion_mnist()) GTEST_SKIP() << "no Fashion-MNIST";
  const auto it = small.find(name);
  const std::vector<std::string> sets =
      it != small.end() ? it->second : std::vector<std::string>{"--set", "fit.epochs=1"};
  TempDir tmp;
  const RunResult r = run_fathom(
      concat({"train", "configs/examples/" + name + ".yaml", "--set", "output.dir=" + (tmp / "run").string()}, sets),
      tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  for (const char* f : {"config.yaml", "history.csv", "model.h5"}) EXPECT_TRUE(fs::exists(tmp / "run" / f)) << f;
  EXPECT_GE(lines_of(read_file(tmp / "run" / "history.csv")).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(ConfigsExamples, Example, ::testing::ValuesIn(example_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace fathom::cli_test
