// SPDX-License-Identifier: Apache-2.0
// `fathom train` with BackupAndRestore: a run folder reused by the next run resumes training,
// ending with the weights and history.csv of a run never interrupted.
#include <gtest/gtest.h>

#include "io/hdf5/h5_file.h"
#include "tests/cli/cli_runner.h"

namespace fathom::cli_test {
namespace {

namespace fs = std::filesystem;

/// The weights of a model.h5 in file order, as float vectors.
std::vector<std::vector<float>> h5_weights(const fs::path& path) {
  const auto f = io::H5Reader::open(path.string());
  std::vector<std::vector<float>> out;
  for (const std::string& layer : f.string_list_attribute("/model_weights", "layer_names")) {
    for (const std::string& w : f.string_list_attribute("/model_weights/" + layer, "weight_names")) {
      out.push_back(f.read_dataset("/model_weights/" + layer + "/" + w).to_vector<float>());
    }
  }
  return out;
}

TEST(ResumeCli, ARunResumedByBackupAndRestoreEqualsAnUninterruptedOne) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no Fashion-MNIST";
  TempDir tmp;
  auto config = [&](const std::string& name, bool keep_backup, const std::string& seed = "  seed: 5\n") {
    return "model:\n  class_name: Sequential\n  config:\n    input_shape: [28, 28]\n    layers:\n"
           "      - {class_name: Flatten}\n      - {class_name: Dense, config: {units: 32, activation: relu}}\n"
           "      - {class_name: Dropout, config: {rate: 0.3}}\n      - {class_name: Dense, config: {units: 10}}\n"
           "compile: {optimizer: adam, loss: {class_name: SparseCategoricalCrossentropy, config: {from_logits: true}},"
           " metrics: [accuracy]}\n"
           "data: {train: {class_name: FashionMNIST, config: {take: 512, preprocessing: {scale: 0.00392156862745098}}}}\n"
           "fit:\n  epochs: 4\n  batch_size: 64\n" + seed + "  callbacks:\n"
           "    - {class_name: BackupAndRestore, config: {backup_dir: " + (tmp / (name + "_backup")).string() +
           ", delete_checkpoint: " + (keep_backup ? "false" : "true") + "}}\n"
           "output: {dir: " + (tmp / name).string() + "}\n";
  };
  write_file(tmp / "clean.yaml", config("clean", false));
  write_file(tmp / "resumed.yaml", config("resumed", true));
  RunResult r = run_fathom({"train", (tmp / "clean.yaml").string(), "--threads", "1"}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  // An "interrupted" run: it stops after 2 epochs and keeps its backup; the next run resumes it.
  r = run_fathom({"train", (tmp / "resumed.yaml").string(), "--threads", "1", "--set", "fit.epochs=2"}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  r = run_fathom({"train", (tmp / "resumed.yaml").string(), "--threads", "1"}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("Epoch 3/4"), std::string::npos) << "resumes at the third epoch: " << r.out;
  EXPECT_EQ(r.out.find("Epoch 1/4"), std::string::npos) << r.out;
  EXPECT_EQ(h5_weights(tmp / "resumed" / "model.h5"), h5_weights(tmp / "clean" / "model.h5"));
  EXPECT_EQ(read_file(tmp / "resumed" / "history.csv"), read_file(tmp / "clean" / "history.csv"))
      << "history.csv keeps the epochs before the resume and adds the rest";
}

TEST(ResumeCli, WithoutASeedTheResumedRunShufflesWithTheInterruptedRunsSeed) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no Fashion-MNIST";
  TempDir tmp;
  auto config = [&](const std::string& name, const std::string& seed) {
    return "model:\n  class_name: Sequential\n  config:\n    input_shape: [28, 28]\n    layers:\n"
           "      - {class_name: Flatten}\n      - {class_name: Dense, config: {units: 16, activation: relu}}\n"
           "      - {class_name: Dense, config: {units: 10}}\n"
           "compile: {optimizer: adam, loss: {class_name: SparseCategoricalCrossentropy, config: {from_logits: true}}}\n"
           "data: {train: {class_name: FashionMNIST, config: {take: 256, preprocessing: {scale: 0.00392156862745098}}}}\n"
           "fit:\n  epochs: 3\n  batch_size: 64\n" + seed + "  callbacks:\n"
           "    - {class_name: BackupAndRestore, config: {backup_dir: " + (tmp / (name + "_backup")).string() +
           ", delete_checkpoint: false}}\n"
           "output: {dir: " + (tmp / name).string() + "}\n";
  };
  write_file(tmp / "unseeded.yaml", config("unseeded", ""));
  RunResult r = run_fathom({"train", (tmp / "unseeded.yaml").string(), "--threads", "1", "--set", "fit.epochs=1"},
                           tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  // The seed the first run drew, as its config.yaml recorded it.
  const std::string first_config = read_file(tmp / "unseeded" / "config.yaml");
  const std::size_t at = first_config.rfind("\n  seed: ");  // fit.seed (initializers have seeds too)
  ASSERT_NE(at, std::string::npos) << first_config;
  const std::string seed = first_config.substr(at + 9, first_config.find('\n', at + 1) - at - 9);
  ASSERT_FALSE(seed.empty() || seed == "null") << first_config;
  r = run_fathom({"train", (tmp / "unseeded.yaml").string(), "--threads", "1"}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(read_file(tmp / "unseeded" / "config.yaml").find("seed: " + seed + "\n"), std::string::npos)
      << "the resumed run records the seed it shuffles with";
  write_file(tmp / "seeded.yaml", config("seeded", "  seed: " + seed + "\n"));
  r = run_fathom({"train", (tmp / "seeded.yaml").string(), "--threads", "1"}, tmp / "capture");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(h5_weights(tmp / "unseeded" / "model.h5"), h5_weights(tmp / "seeded" / "model.h5"))
      << "resumed = an uninterrupted run with the first run's seed";
}

}  // namespace
}  // namespace fathom::cli_test
