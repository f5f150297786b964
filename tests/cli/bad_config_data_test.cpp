// SPDX-License-Identifier: Apache-2.0
// Configs `fathom train` must reject (exit 2, located message, nothing written), part 2:
// missing sections, missing data files, models whose shapes don't fit the data, exclusive
// options, and bad --set overrides. Line numbers refer to kBaseConfig (cli_runner.h).
#include <gtest/gtest.h>

#include "tests/cli/cli_runner.h"

namespace fathom::cli_test {
namespace {

const std::string kFashionTrain = "class_name: FashionMNIST\n    config: {split: train, take: 64}";

std::string without_model() {
  const std::string text = kBaseConfig;
  return text.substr(text.find("compile:"));
}

std::vector<BadCase> data_and_override_cases() {
  return {
      // --- missing required sections and keys ---
      {"MissingModel", without_model(), {}, "1:1", {"missing required section 'model'"}},
      {"MissingCompileLoss",
       edit("  loss: {class_name: SparseCategoricalCrossentropy, config: {from_logits: true}}\n", ""), {}, "9:3",
       {"compile: missing required key 'loss'"}},
      {"MissingData", edit("data:\n  train:\n    " + kFashionTrain + "\n", ""), {}, "1:1",
       {"missing required section 'data'"}},
      {"MissingDataTrain",
       edit("  train:\n    " + kFashionTrain, "  test:\n    class_name: FashionMNIST\n    config: {split: test}"),
       {}, "13:3", {"data: missing required key 'train'"}},

      // --- data files that do not exist ---
      {"MissingCsvFile",
       edit(kFashionTrain, "class_name: CSV\n    config: {path: no/such/file.csv, label_column: price}"),
       {}, "15:20", {"file not found", "'no/such/file.csv'"}},
      {"MissingNpyFile",
       edit(kFashionTrain,
            "class_name: NPY\n    config: {x: configs/examples/data/two_input_a.npy, y: no/such/y.npy}"),
       {}, "15:59", {"'y': file not found", "'no/such/y.npy'"}},
      {"MissingFashionMnistFolder", edit("take: 64", "take: 64, path: /no/such/dir"), {}, "15:44",
       {"'path': directory not found", "'/no/such/dir'"}},
      {"MissingKerasJson", "model:\n  keras_json: no/such/model.json\n" + without_model(), {}, "2:15",
       {"model.keras_json", "no such file 'no/such/model.json'"}},
      {"CsvLabelColumnTypo",
       edit(kFashionTrain,
            "class_name: CSV\n    config: {path: configs/examples/data/house_prices.csv, label_column: pricee}"),
       {}, "15:74", {"label_column 'pricee' is not a column", "'price'"}},

      // --- models whose shapes don't fit the data ---
      {"InputShapeDoesNotFitData", edit("input_shape: [28, 28]", "input_shape: [10]"), {}, "2:3",
       {"does not fit data.train", "[None, 10]", "[None, 28, 28]"}},
      {"ReshapeToImpossibleShape",
       edit("- {class_name: Flatten}", "- {class_name: Reshape, config: {target_shape: [5, 100]}}"), {}, "6:9",
       {"cannot reshape", "[None, 28, 28]", "[5, 100]"}},
      {"LossDoesNotFitLabels",
       edit("{class_name: SparseCategoricalCrossentropy, config: {from_logits: true}}", "categorical_crossentropy"), {},
       "2:3", {"does not fit data.train", "y_true [2] and y_pred [2, 10]"}},
      {"FunctionalUnknownInput",
       "model:\n  class_name: Functional\n  config:\n    inputs: {a: [784]}\n    layers:\n"
       "      - {class_name: Dense, config: {name: d, units: 10}, inputs: b}\n    outputs: [d]\n" + without_model(),
       {}, "6:67", {"unknown input 'b'", "Did you mean 'a'?"}},

      // --- exclusive options ---
      {"ValidationSplitWithValidationData",
       edit("  batch_size: 32", "  batch_size: 32\n  validation_split: 0.2",
            edit(kFashionTrain + "\n",
                 kFashionTrain +
                     "\n  validation:\n    class_name: FashionMNIST\n    config: {split: test, take: 64}\n")),
       {}, "22:21", {"validation_split cannot be used together with data.validation"}},
      {"OutputDirIsAFile", kBaseConfig, {"output.dir=@TMP@/bad.yaml"}, "", {"exists and is not a folder"}},
      // A folder that cannot be created is a bad config too: exit 2 before anything is written.
      {"OutputDirInsideAFile", kBaseConfig, {"output.dir=@TMP@/bad.yaml/run"}, "", {"output.dir", "bad.yaml/run"}},

      // --- bad --set overrides ---
      {"SetWithoutEquals", kBaseConfig, {"fit.epochs"}, "", {"--set fit.epochs: expected KEY=VALUE"}},
      {"SetEmptyKey", kBaseConfig, {"=3"}, "", {"--set =3: the key before '=' is empty"}},
      {"SetIndexesAScalar", kBaseConfig, {"fit.epochs.0=3"}, "",
       {"--set fit.epochs.0=3: 'fit.epochs' is an integer", "bad.yaml:17:11", "no key '0'"}},
      {"SetListIndexOutOfRange", kBaseConfig, {"model.config.layers.5.config.units=3"}, "",
       {"index 5 is out of range", "'model.config.layers' has 2 items", "0..1"}},
      {"SetUnparsableValue", kBaseConfig, {"fit.epochs=[1, 2"}, "", {"--set fit.epochs=[1, 2: cannot parse the value"}},
      {"SetWrongType", kBaseConfig, {"fit.epochs=five"}, "",
       {"--set fit.epochs=five: fit.epochs: expected an integer"}},
      {"SetUnknownFitKey", kBaseConfig, {"fit.epochz=3"}, "",
       {"--set fit.epochz=3: fit: unknown key 'epochz'", "Did you mean 'epochs'?"}},
      {"SetUnknownTopLevelKey", kBaseConfig, {"trainer.epochs=3"}, "",
       {"--set trainer.epochs=3: config: unknown key 'trainer'"}},
      {"SetUnknownOptimizerKey", kBaseConfig, {"compile.optimizer.config.learning_rat=0.1"}, "",
       {"--set compile.optimizer.config.learning_rat=0.1: Adam: unknown key 'learning_rat'",
        "Did you mean 'learning_rate'?"}},
      {"SetNegativeTake", kBaseConfig, {"data.train.config.take=-3"}, "",
       {"--set data.train.config.take=-3: data.train (FashionMNIST): 'take' must be a positive integer"}},
  };
}

class BadConfigData : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigData, ExitsWith2AndWritesNothing) { expect_rejected(GetParam()); }

INSTANTIATE_TEST_SUITE_P(DataAndOverrides, BadConfigData, ::testing::ValuesIn(data_and_override_cases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

}  // namespace
}  // namespace fathom::cli_test
