// SPDX-License-Identifier: Apache-2.0
// The `fathom` command line. Exit codes: 0 success, 1 failure while running, 2 bad config or
// usage (nothing written).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "apps/blas_reexec.h"
#include "apps/commands/commands.h"
#include "apps/demo.h"
#include "core/blas_info.h"
#include "core/device.h"
#include "core/error.h"
#include "core/log.h"
#include "core/threading.h"

namespace {

std::string version_text() {
  std::string text = std::string("fathom ") + FATHOM_VERSION + "\n";
  text += "BLAS: OpenBLAS, " + fathom::blas_core_name() + " kernels\n";
  text += "CUDA backend: ";
  text += fathom::cuda_built() ? "built (" + std::to_string(fathom::cuda_device_count()) + " GPU(s) visible)"
                               : "not built";
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  fathom::apps::maybe_reexec_with_better_blas(argv);
  CLI::App app{"Fathom: Keras-style deep learning in C++", "fathom"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(0, 1);
  int threads = 0;
  std::string log_level = "info";
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--threads", threads, "Threads for BLAS and Fathom's kernels (default: all cores)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--log-level", log_level, "debug, info, warn, error or off");
  };
  add_common(&app);

  fathom::apps::TrainArgs train;
  CLI::App* train_cmd = app.add_subcommand("train", "Train the model a YAML config describes");
  train_cmd->add_option("config", train.config, "The run config (YAML)")->required();
  train_cmd->add_option("--set", train.overrides, "Override a key: --set fit.epochs=3 (the value is YAML)");
  train_cmd->add_flag("--dump-graphs", train.dump_graphs,
                      "Also write the traced steps' graphs (train_step.txt/.dot, test_step.txt/.dot) to the run folder");
  add_common(train_cmd);

  fathom::apps::EvaluateArgs evaluate;
  CLI::App* evaluate_cmd = app.add_subcommand("evaluate", "Evaluate a config's model with given weights");
  evaluate_cmd->add_option("config", evaluate.config, "The run config (YAML)")->required();
  evaluate_cmd->add_option("--weights", evaluate.weights, "A checkpoint written by fathom train")->required();
  evaluate_cmd->add_option("--set", evaluate.overrides, "Override a key: --set data.test.config.take=100");
  add_common(evaluate_cmd);

  fathom::apps::PredictArgs predict;
  CLI::App* predict_cmd = app.add_subcommand("predict", "Run a model on NPY inputs, write NPY outputs");
  predict_cmd->add_option("model", predict.model, "A Keras .h5/.keras model, a Fathom checkpoint, or a Keras JSON / run config with --weights")->required();
  predict_cmd->add_option("--input", predict.inputs, "One .npy per model input, in order")->required();
  predict_cmd->add_option("--output", predict.output, "Where to write the predictions (.npy)")->required();
  predict_cmd->add_option("--weights", predict.weights, "Weights to load (Keras .h5 / .weights.h5 / .keras, or a Fathom checkpoint)");
  predict_cmd->add_option("--batch-size", predict.batch_size, "Batch size (default 32)");
  add_common(predict_cmd);

  std::string summary_target;
  std::vector<std::string> summary_overrides;
  CLI::App* summary_cmd = app.add_subcommand("summary", "Print a model's summary table");
  summary_cmd->add_option("target", summary_target, "A run config (YAML) or a Fathom checkpoint")->required();
  summary_cmd->add_option("--set", summary_overrides, "Override a config key");
  add_common(summary_cmd);

  fathom::apps::DemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand("demo", "Train an MLP on Fashion-MNIST with the core alone");
  demo_cmd->add_option("--epochs", demo.epochs, "Passes over the training set")->check(CLI::PositiveNumber);
  demo_cmd->add_option("--batch-size", demo.batch_size)->check(CLI::PositiveNumber);
  demo_cmd->add_option("--learning-rate", demo.learning_rate)->check(CLI::PositiveNumber);
  demo_cmd->add_option("--data-dir", demo.data_dir, "Folder with the four IDX files");
  demo_cmd->add_option("--seed", demo.seed);
  demo_cmd->add_option("--min-accuracy", demo.min_accuracy, "Exit with 1 when the test accuracy ends below this");
  add_common(demo_cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : fathom::apps::kExitUsage;
  }
  try {
    fathom::log::set_level(fathom::log::level_from_name(log_level));
    fathom::set_num_threads(threads);
  } catch (const fathom::Error& e) {
    std::fprintf(stderr, "fathom: error: %s\n", e.what());
    return fathom::apps::kExitUsage;
  }
  try {
    if (train_cmd->parsed()) return fathom::apps::run_train(train);
    if (evaluate_cmd->parsed()) return fathom::apps::run_evaluate(evaluate);
    if (predict_cmd->parsed()) return fathom::apps::run_predict(predict);
    if (summary_cmd->parsed()) return fathom::apps::run_summary(summary_target, summary_overrides);
    if (demo_cmd->parsed()) return fathom::apps::run_demo(demo);
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const fathom::Error& e) {
    std::fprintf(stderr, "fathom: error: %s\n", e.what());
    return fathom::apps::kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fathom: internal error: %s\n", e.what());
    return fathom::apps::kExitFailure;
  }
}
