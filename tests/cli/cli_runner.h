// SPDX-License-Identifier: Apache-2.0
// Runs build/bin/fathom as a subprocess for the CLI tests, and the table-driven check of a
// config the CLI must reject (exit code 2, a located message, nothing written).
#pragma once
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace fathom::cli_test {

/// The repository root: every run's working directory, so relative example paths resolve.
std::filesystem::path source_dir();

/// True when Debian's dataset-fashion-mnist is installed (io::kFashionMnistDir).
bool have_fashion_mnist();

/// A fresh folder under the system temp dir, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;      // the process's exit status; -1 when it was killed by a signal
  bool timed_out = false;  // killed after the timeout
  std::string out, err;    // everything it wrote to stdout and stderr
};

/// Runs `fathom args...` with cwd = source_dir(), stdin from /dev/null, stdout and stderr
/// captured to files in `capture_dir` (created if needed); kills it after `timeout_s`.
RunResult run_fathom(const std::vector<std::string>& args, const std::filesystem::path& capture_dir,
                     int timeout_s = 120);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);

/// "exit 2 (err: ...)": for assertion messages.
std::string describe(const RunResult& r);

/// The config every bad case edits: it trains (BadConfigBase.TrainsAsIs). Its lines:
///    1 model:
///    2   class_name: Sequential
///    3   config:
///    4     input_shape: [28, 28]
///    5     layers:
///    6       - {class_name: Flatten}
///    7       - {class_name: Dense, config: {units: 10}}
///    8 compile:
///    9   optimizer: {class_name: Adam, config: {learning_rate: 0.01}}
///   10   loss: {class_name: SparseCategoricalCrossentropy, config: {from_logits: true}}
///   11   metrics: [accuracy]
///   12 data:
///   13   train:
///   14     class_name: FashionMNIST
///   15     config: {split: train, take: 64}
///   16 fit:
///   17   epochs: 1
///   18   batch_size: 32
///   19 output:
///   20   dir: @OUT@
extern const char* const kBaseConfig;

/// `text` with the first occurrence of `from` replaced by `to` (aborts when absent).
std::string edit(const std::string& from, const std::string& to, std::string text = kBaseConfig);

/// One config the CLI must reject before writing anything.
struct BadCase {
  enum class File { kText, kBinary, kMissing };
  std::string name;                    // the test's name
  std::string yaml;                    // written to TMP/bad.yaml; "@OUT@" becomes TMP/out
  std::vector<std::string> sets;       // --set arguments ("@OUT@" replaced too, "@TMP@" by TMP)
  std::string where;                   // "LINE:COL": stderr must start with "fathom: error: TMP/bad.yaml:LINE:COL: "
  std::vector<std::string> fragments;  // each must occur in stderr
  std::vector<std::string> absent = {};  // none may occur in stderr (a misleading message)
  File file = File::kText;
  bool where_anywhere = false;  // `where` may come later in the message (after another location of bad.yaml)
};

/// Prints a case by its name in gtest's messages.
void PrintTo(const BadCase& c, std::ostream* os);

/// Runs `fathom train TMP/bad.yaml --set ...` in a fresh TempDir and checks: exit code 2, no
/// timeout, empty stdout, the location and fragments in stderr, and that nothing was written
/// (TMP/out does not exist, TMP holds only bad.yaml, no runs/bad in the repository).
void expect_rejected(const BadCase& c);

}  // namespace fathom::cli_test
