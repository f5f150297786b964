// SPDX-License-Identifier: Apache-2.0
// The `fathom` command line. Exit codes: 0 success, 1 failure while running, 2 bad usage.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "apps/blas_reexec.h"
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
  int threads = 0;
  std::string log_level = "info";
  app.add_option("--threads", threads, "Threads for BLAS and Fathom's kernels (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--log-level", log_level, "debug, info, warn, error or off");

  fathom::apps::DemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand("demo", "Train an MLP on Fashion-MNIST with the core alone");
  demo_cmd->add_option("--epochs", demo.epochs, "Passes over the training set")->check(CLI::PositiveNumber);
  demo_cmd->add_option("--batch-size", demo.batch_size)->check(CLI::PositiveNumber);
  demo_cmd->add_option("--learning-rate", demo.learning_rate)->check(CLI::PositiveNumber);
  demo_cmd->add_option("--data-dir", demo.data_dir, "Folder with the four IDX files");
  demo_cmd->add_option("--seed", demo.seed);
  demo_cmd->add_option("--min-accuracy", demo.min_accuracy, "Exit with 1 when the test accuracy ends below this");
  demo_cmd->add_option("--threads", threads, "Threads for BLAS and Fathom's kernels (default: all cores)")
      ->check(CLI::NonNegativeNumber);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    fathom::log::set_level(fathom::log::level_from_name(log_level));
    fathom::set_num_threads(threads);
    if (demo_cmd->parsed()) return fathom::apps::run_demo(demo);
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const fathom::Error& e) {
    std::fprintf(stderr, "fathom: error: %s\n", e.what());
    return 1;
  }
}
