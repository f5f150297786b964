// SPDX-License-Identifier: Apache-2.0
// CSVLogger: the expected bytes are what keras 3.15's CSVLogger writes for the same logs.
#include "callbacks/csv_logger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "callbacks/callback_utils.h"

namespace fathom::callbacks {
namespace {

using Entries = std::vector<std::pair<std::string, double>>;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("fathom_csv_" + std::to_string(getpid()) + "_" + name)).string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

Logs logs_of(const Entries& entries) {
  Logs logs;
  for (const auto& [k, v] : entries) logs.set(k, v);
  return logs;
}

/// One fit: on_train_begin, an on_epoch_end per entry, on_train_end; the file's bytes.
std::string run(CSVLogger& cb, const std::vector<Entries>& epochs) {
  cb.on_train_begin({});
  for (std::size_t e = 0; e < epochs.size(); ++e) {
    Logs logs = logs_of(epochs[e]);
    cb.on_epoch_end(static_cast<int>(e), logs);
  }
  cb.on_train_end({});
  return read_file(cb.filename());
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(CSVLoggerTest, SortedHeaderAndPythonReprValues) {
  const std::string path = temp_path("values.csv");
  CSVLogger cb(path);
  const std::string out = run(cb, {{{"mae", 0.25}, {"loss", 0.1 + 0.2}, {"val_mae", 1e-5}, {"val_loss", kNaN}},
                                   {{"mae", 100.0}, {"loss", kInf}, {"val_mae", 1e16}, {"val_loss", 123456789.125}}});
  EXPECT_EQ(out,
            "epoch,loss,mae,val_loss,val_mae\r\n"
            "0,0.30000000000000004,0.25,nan,1e-05\r\n"
            "1,inf,100.0,123456789.125,1e+16\r\n");
  std::filesystem::remove(path);
}

TEST(CSVLoggerTest, AddsValColumnsWhenThereAreNoneAndWritesNA) {
  const std::string path = temp_path("na.csv");
  CSVLogger cb(path);
  // The columns are fixed at the first epoch: a key missing later is NA, a new one is dropped.
  const std::string out = run(cb, {{{"loss", 0.5}, {"acc", 0.75}}, {{"loss", 0.25}, {"new", 1.0}}});
  EXPECT_EQ(out,
            "epoch,acc,loss,val_acc,val_loss\r\n"
            "0,0.75,0.5,NA,NA\r\n"
            "1,NA,0.25,NA,NA\r\n");
  std::filesystem::remove(path);
}

TEST(CSVLoggerTest, AppendWritesTheHeaderOnlyIntoAnEmptyFile) {
  const std::string path = temp_path("append.csv");
  std::filesystem::remove(path);
  CSVLogger first(path, ",", true);  // a missing file gets a header
  EXPECT_EQ(run(first, {{{"loss", 0.5}}}), "epoch,loss,val_loss\r\n0,0.5,NA\r\n");
  CSVLogger second(path, ",", true);
  EXPECT_EQ(run(second, {{{"loss", 0.25}, {"val_loss", 0.75}}}),
            "epoch,loss,val_loss\r\n0,0.5,NA\r\n0,0.25,0.75\r\n");
  CSVLogger overwrite(path);
  EXPECT_EQ(run(overwrite, {{{"loss", 1.0}}}), "epoch,loss,val_loss\r\n0,1.0,NA\r\n");
  std::filesystem::remove(path);
}

TEST(CSVLoggerTest, SeparatorAndQuoting) {
  const std::string path = temp_path("sep.csv");
  CSVLogger cb(path, ";");
  EXPECT_EQ(run(cb, {{{"a;b", 1.0}, {"loss", 2.0}, {"q\"x", 3.0}}}),
            "epoch;\"a;b\";loss;\"q\"\"x\";\"val_a;b\";val_loss;\"val_q\"\"x\"\r\n0;1.0;2.0;3.0;NA;NA;NA\r\n");
  std::filesystem::remove(path);
}

TEST(CSVLoggerTest, FlushesEveryEpoch) {
  const std::string path = temp_path("flush.csv");
  CSVLogger cb(path);
  cb.on_train_begin({});
  Logs first = logs_of({{"loss", 0.5}, {"val_loss", 0.25}});
  cb.on_epoch_end(0, first);
  EXPECT_EQ(read_file(path), "epoch,loss,val_loss\r\n0,0.5,0.25\r\n");
  Logs second = logs_of({{"loss", 0.125}, {"val_loss", 0.25}});
  cb.on_epoch_end(1, second);
  EXPECT_EQ(read_file(path), "epoch,loss,val_loss\r\n0,0.5,0.25\r\n1,0.125,0.25\r\n");
  cb.on_train_end({});
  std::filesystem::remove(path);
}

TEST(CSVLoggerTest, ReusedAcrossFitsStartsAFreshFile) {
  const std::string path = temp_path("reuse.csv");
  CSVLogger cb(path);
  run(cb, {{{"loss", 0.5}}});
  EXPECT_EQ(run(cb, {{{"acc", 0.5}, {"val_acc", 0.25}}}), "epoch,acc,val_acc\r\n0,0.5,0.25\r\n");
  std::filesystem::remove(path);
}

TEST(CSVLoggerTest, IoErrorsNameTheFile) {
  const std::string path = temp_path("no_such_dir") + "/log.csv";
  CSVLogger cb(path);
  try {
    cb.on_train_begin({});
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("CSVLogger: cannot open '" + path + "' for writing"), std::string::npos)
        << e.what();
  }
  Logs unopened = logs_of({{"loss", 1.0}});
  EXPECT_THROW(cb.on_epoch_end(0, unopened), ValueError);  // never opened
}

TEST(CSVLoggerTest, RejectsBadArguments) {
  EXPECT_THROW(CSVLogger(""), ValueError);
  try {
    CSVLogger cb("x.csv", ", ");
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(e.message().find("separator=', '"), std::string::npos) << e.what();
  }
  EXPECT_THROW(CSVLogger("x.csv", "\""), ValueError);
}

TEST(PythonFloatReprTest, MatchesPython) {
  using detail::python_float_repr;
  const std::vector<std::pair<double, std::string>> cases = {
      {0.1 + 0.2, "0.30000000000000004"}, {1e-5, "1e-05"}, {1e16, "1e+16"}, {1.5e-7, "1.5e-07"},
      {-0.0, "-0.0"}, {0.0, "0.0"}, {123456789012345680.0, "1.2345678901234568e+17"}, {0.0001, "0.0001"},
      {2.5e-4, "0.00025"}, {1e15, "1000000000000000.0"}, {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"}, {100.0, "100.0"}, {-2.5, "-2.5"},
      {0.009999999776482582, "0.009999999776482582"}, {kNaN, "nan"}, {kInf, "inf"}, {-kInf, "-inf"}};
  for (const auto& [value, text] : cases) EXPECT_EQ(python_float_repr(value), text);
}

}  // namespace
}  // namespace fathom::callbacks
