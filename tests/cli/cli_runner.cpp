// SPDX-License-Identifier: Apache-2.0
#include "tests/cli/cli_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace fathom::cli_test {
namespace fs = std::filesystem;

fs::path source_dir() { return FATHOM_SOURCE_DIR; }

bool have_fashion_mnist() { return fs::exists("/usr/share/datasets/fashion-mnist"); }

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "fathom_cli_test_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

RunResult run_fathom(const std::vector<std::string>& args, const fs::path& capture_dir, int timeout_s) {
  fs::create_directories(capture_dir);
  const std::string out_path = (capture_dir / "stdout.txt").string();
  const std::string err_path = (capture_dir / "stderr.txt").string();
  const std::string exe = FATHOM_CLI_PATH;
  const std::string cwd = source_dir().string();
  std::vector<std::string> argv_storage = {exe};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 ||
        ::chdir(cwd.c_str()) != 0) {
      ::_exit(127);
    }
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  RunResult r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

std::string describe(const RunResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + "\n--- stdout:\n" + r.out +
         "--- stderr:\n" + r.err;
}

const char* const kBaseConfig = R"(model:
  class_name: Sequential
  config:
    input_shape: [28, 28]
    layers:
      - {class_name: Flatten}
      - {class_name: Dense, config: {units: 10}}
compile:
  optimizer: {class_name: Adam, config: {learning_rate: 0.01}}
  loss: {class_name: SparseCategoricalCrossentropy, config: {from_logits: true}}
  metrics: [accuracy]
data:
  train:
    class_name: FashionMNIST
    config: {split: train, take: 64}
fit:
  epochs: 1
  batch_size: 32
output:
  dir: @OUT@
)";

std::string edit(const std::string& from, const std::string& to, std::string text) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) {
    std::fprintf(stderr, "cli_tests: edit(): '%s' is not in the config\n", from.c_str());
    std::abort();
  }
  return text.replace(at, from.size(), to);
}

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

}  // namespace

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

void expect_rejected(const BadCase& c) {
  if (c.yaml.find("FashionMNIST") != std::string::npos && !have_fashion_mnist()) {
    GTEST_SKIP() << "needs /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)";
  }
  TempDir tmp;
  const fs::path bad = tmp / "bad.yaml";
  const fs::path out = tmp / "out";
  const std::string out_dir = out.string();
  if (c.file == BadCase::File::kText) write_file(bad, replace_all(c.yaml, "@OUT@", out_dir));
  if (c.file == BadCase::File::kBinary) {
    std::string bytes;
    for (int i = 0; i < 1024; ++i) bytes.push_back(static_cast<char>(i % 256));
    write_file(bad, bytes);
  }
  const fs::path default_run = source_dir() / "runs" / "bad";  // output.dir when the config has none
  const bool default_run_existed = fs::exists(default_run);

  std::vector<std::string> args = {"train", bad.string()};
  for (const std::string& s : c.sets) {
    args.push_back("--set");
    args.push_back(replace_all(replace_all(s, "@OUT@", out_dir), "@TMP@", tmp.path().string()));
  }
  const fs::path capture = tmp / "capture";
  const RunResult r = run_fathom(args, capture);
  SCOPED_TRACE("fathom " + bad.string() + "\n" + describe(r));

  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "") << "a rejected config should print nothing on stdout";
  EXPECT_TRUE(r.err.starts_with("fathom: error: ")) << "stderr should start with 'fathom: error: '";
  if (!c.where.empty()) {
    const std::string at = bad.string() + ":" + c.where;
    if (c.where_anywhere) {
      EXPECT_TRUE(r.err.starts_with("fathom: error: " + bad.string() + ":"))
          << "the message should start with a location";
      EXPECT_NE(r.err.find(at), std::string::npos) << "expected the location " << at;
    } else {
      EXPECT_TRUE(r.err.starts_with("fathom: error: " + at + ": ")) << "expected the message to start with " << at;
    }
  }
  for (const std::string& f : c.fragments) EXPECT_NE(r.err.find(f), std::string::npos) << "missing fragment: " << f;
  for (const std::string& f : c.absent) EXPECT_EQ(r.err.find(f), std::string::npos) << "misleading fragment: " << f;

  // Nothing written: no output folder, nothing in the temp dir but bad.yaml and the captures.
  EXPECT_FALSE(fs::exists(out)) << out_dir << " was created";
  for (const auto& entry : fs::directory_iterator(tmp.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "bad.yaml" || name == "capture") << "unexpected file written: " << entry.path();
  }
  if (!default_run_existed) {
    EXPECT_FALSE(fs::exists(default_run)) << default_run << " was created";
    std::error_code ec;
    fs::remove_all(default_run, ec);
  }
}

}  // namespace fathom::cli_test
