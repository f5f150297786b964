// SPDX-License-Identifier: Apache-2.0
// Configs `fathom train` must reject with exit code 2, a message located at the offending
// "bad.yaml:LINE:COL" (1-based, columns count bytes) and nothing written: broken YAML, typos in
// keys and class names, wrong types and out-of-range values. Each case edits one line of
// kBaseConfig (cli_runner.h shows its line numbers); the data-related cases and --set are in
// bad_config_data_test.cpp.
#include <gtest/gtest.h>

#include "tests/cli/cli_runner.h"

namespace fathom::cli_test {
namespace {

using File = BadCase::File;

std::vector<BadCase> syntax_and_schema_cases() {
  return {
      // --- the file itself ---
      {"EmptyFile", "", {}, "", {"bad.yaml: the file is empty", "expected a mapping"}},
      {"CommentOnlyFile", "# nothing here\n", {}, "", {"bad.yaml: the file is empty"}},
      {"BinaryFile", "", {}, "1:1", {"binary file"}, {}, File::kBinary},
      {"MissingFile", "", {}, "", {"bad.yaml", "does not exist"}, {}, File::kMissing},
      {"TopLevelList", "- model: {}\n- compile: {}\n", {}, "1:1", {"expected a mapping at the top level", "a list"}},
      // The '[' opened at 4:18 is never closed: the message should point there and name the
      // missing ']' (yaml-cpp alone says "end of sequence flow not found" at 5:11).
      {"UnclosedBracket", edit("input_shape: [28, 28]", "input_shape: [28, 28"), {}, "4:18", {"]"}, {}, File::kText,
       true},
      // `epochs` indented by 3 under `fit:`, `batch_size` by 2: the mismatch shows at 18:3.
      {"BadIndentation", edit("  epochs: 1", "   epochs: 1"), {}, "18:3", {"indent"}},
      {"BadIndentationInCompile", edit("  loss:", " loss:"), {}, "10:2", {"indent"}},
      {"TabIndentation", edit("  epochs: 1", "\tepochs: 1"), {}, "17:1", {"tab"}},
      {"DuplicateKey", edit("  batch_size: 32", "  batch_size: 32\n  epochs: 2"), {}, "19:3",
       {"duplicate key 'epochs'", "line 17, column 3"}},

      // --- unknown keys, at every level: the location is the key's ---
      {"TopLevelKeyTypo", edit("fit:", "fitt:"), {}, "16:1", {"unknown key 'fitt'", "Did you mean 'fit'?"}},
      {"CompileKeyTypo", edit("  metrics:", "  metric:"), {}, "11:3",
       {"compile: unknown key 'metric'", "Did you mean 'metrics'?"}},
      {"FitKeyTypo", edit("  batch_size: 32", "  batchsize: 32"), {}, "18:3",
       {"fit: unknown key 'batchsize'", "Did you mean 'batch_size'?"}},
      {"OutputKeyTypo", edit("  dir:", "  dirr:"), {}, "20:3", {"output: unknown key 'dirr'", "Did you mean 'dir'?"}},
      {"DataKeyTypo", edit("  train:", "  trian:"), {}, "13:3", {"data: unknown key 'trian'", "Did you mean 'train'?"}},
      {"LayerConfigKeyTypo", edit("{units: 10}", "{unit: 10}"), {}, "7:38",
       {"Dense: unknown key 'unit'", "Did you mean 'units'?"}},
      {"OptimizerConfigKeyTypo", edit("learning_rate: 0.01", "learning_rat: 0.01"), {}, "9:42",
       {"Adam: unknown key 'learning_rat'", "Did you mean 'learning_rate'?"}},
      {"DataSourceConfigKeyTypo", edit("take: 64", "tak: 64"), {}, "15:28",
       {"data.train (FashionMNIST): unknown key 'tak'", "Did you mean 'take'?"}},
      {"PreprocessingKeyTypo", edit("take: 64", "take: 64, preprocessing: {scal: 0.1}"), {}, "15:54",
       {"unknown key 'scal'", "Did you mean 'scale'?"}},
      {"CallbackConfigKeyTypo",
       edit("  batch_size: 32",
            "  batch_size: 32\n  callbacks:\n    - {class_name: EarlyStopping, config: {patiense: 2}}"),
       {}, "20:44", {"EarlyStopping: unknown key 'patiense'", "Did you mean 'patience'?"}},

      // --- unknown class names: the location is the class_name value ---
      {"LayerClassTypo", edit("class_name: Dense", "class_name: Dens"), {}, "7:22",
       {"unknown layer class 'Dens'", "Did you mean 'Dense'?"}},
      {"LayerClassTypoBlockStyle",
       edit("      - {class_name: Dense, config: {units: 10}}",
            "      - class_name: Dens\n        config:\n          units: 10"),
       {}, "7:21", {"unknown layer class 'Dens'", "Did you mean 'Dense'?"}},
      {"ModelClassTypo", edit("class_name: Sequential", "class_name: Sequentiall"), {}, "2:15",
       {"'Sequentiall'", "Did you mean 'Sequential'?"}},
      {"OptimizerClassTypo", edit("class_name: Adam", "class_name: Adamm"), {}, "9:27",
       {"unknown optimizer 'Adamm'", "Did you mean 'Adam'?"}},
      {"OptimizerNameTypo", edit("{class_name: Adam, config: {learning_rate: 0.01}}", "adamm"), {}, "9:14",
       {"unknown optimizer 'adamm'", "Did you mean 'adam'?"}},
      {"LossNameTypo",
       edit("{class_name: SparseCategoricalCrossentropy, config: {from_logits: true}}",
            "sparse_categorical_crossentropyy"),
       {}, "10:9",
       {"unknown loss 'sparse_categorical_crossentropyy'", "Did you mean 'sparse_categorical_crossentropy'?"}},
      // An unknown metric is a config error about compile.metrics, not "the model does not fit".
      {"MetricNameTypo", edit("[accuracy]", "[accuracyy]"), {}, "11:13",
       {"unknown metric 'accuracyy'", "Did you mean 'accuracy'?"}, {"does not fit"}},
      {"ActivationTypo", edit("units: 10", "units: 10, activation: relux"), {}, "7:61",
       {"unknown activation 'relux'", "Did you mean 'relu'?"}},
      {"CallbackClassTypo",
       edit("  batch_size: 32",
            "  batch_size: 32\n  callbacks:\n    - {class_name: EarlyStoping, config: {patience: 2}}"),
       {}, "20:20", {"unknown callback 'EarlyStoping'", "Did you mean 'EarlyStopping'?"}},
      {"DataSourceClassTypo", edit("class_name: FashionMNIST", "class_name: FashionMnist"), {}, "14:17",
       {"unknown data source 'FashionMnist'", "Did you mean 'FashionMNIST'?"}},

      // --- wrong types ---
      {"EpochsQuotedString", edit("epochs: 1", "epochs: \"five\""), {}, "17:11",
       {"fit.epochs: expected an integer", "'five'"}},
      {"EpochsPlainString", edit("epochs: 1", "epochs: five"), {}, "17:11", {"fit.epochs: expected an integer"}},
      {"UnitsFloat", edit("units: 10", "units: 2.5"), {}, "7:45", {"units", "expected an integer"}},
      {"ShuffleInteger", edit("  batch_size: 32", "  batch_size: 32\n  shuffle: 3"), {}, "19:12",
       {"fit.shuffle: expected true or false"}},
      {"InputShapeString", edit("input_shape: [28, 28]", "input_shape: 28x28"), {}, "4:18",
       {"input_shape", "expected a list"}},
      {"SectionIsAList", "model: [Dense]\ncompile: {loss: mse}\ndata: {}\n", {}, "1:8",
       {"section 'model' must be a mapping"}},

      // --- zero, negative and out-of-range values ---
      {"UnitsZero", edit("units: 10", "units: 0"), {}, "7:45", {"units must be a positive integer", "units=0"}},
      {"BatchSizeZero", edit("batch_size: 32", "batch_size: 0"), {}, "18:15", {"fit.batch_size: 0 is out of range"}},
      {"EpochsNegative", edit("epochs: 1", "epochs: -1"), {}, "17:11", {"fit.epochs: -1 is out of range"}},
      {"TakeNegative", edit("take: 64", "take: -3"), {}, "15:34", {"'take' must be a positive integer", "-3"}},
      {"ValidationSplitAboveOne", edit("  batch_size: 32", "  batch_size: 32\n  validation_split: 1.5"), {}, "19:21",
       {"fit.validation_split", "out of range"}},
      {"DropoutRateAboveOne",
       edit("- {class_name: Flatten}", "- {class_name: Flatten}\n      - {class_name: Dropout, config: {rate: 1.5}}"),
       {}, "7:46", {"rate must be in [0, 1)", "rate=1.5"}},
      {"LearningRateNegative", edit("learning_rate: 0.01", "learning_rate: -0.01"), {}, "9:57",
       {"learning_rate", "-0.01"}},
      {"InitialEpochAboveEpochs", edit("epochs: 1", "epochs: 1\n  initial_epoch: 3"), {}, "18:18",
       {"fit.initial_epoch: 3 is out of range"}},
  };
}

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, ExitsWith2AndWritesNothing) { expect_rejected(GetParam()); }

INSTANTIATE_TEST_SUITE_P(SyntaxAndSchema, BadConfig, ::testing::ValuesIn(syntax_and_schema_cases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

// The config the cases edit is valid: each case differs from a good config by one edit.
TEST(BadConfigBase, TrainsAsIs) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "needs /usr/share/datasets/fashion-mnist";
  TempDir tmp;
  std::string text = kBaseConfig;
  text.replace(text.find("@OUT@"), 5, (tmp / "out").string());
  write_file(tmp / "base.yaml", text);
  const RunResult r = run_fathom({"train", (tmp / "base.yaml").string()}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_TRUE(std::filesystem::exists(tmp / "out" / "model.h5"));
}

}  // namespace
}  // namespace fathom::cli_test
