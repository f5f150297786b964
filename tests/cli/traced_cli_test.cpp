// SPDX-License-Identifier: Apache-2.0
// `fathom train` runs traced steps by default and eager ones with compile.run_eagerly: the two
// give the same history; --dump-graphs writes the traced steps' graphs to the run folder.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "tests/cli/cli_runner.h"

namespace fathom::cli_test {
namespace {

/// history.csv as rows of numbers (the header dropped).
std::vector<std::vector<double>> history_rows(const std::filesystem::path& path) {
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

TEST(TracedCli, RunEagerlyGivesTheSameHistoryAndDumpGraphsWritesTheSteps) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed";
  TempDir tmp;
  // Dropout draws a mask per step in both modes; a validation split exercises the test step.
  const std::string config =
      edit("      - {class_name: Dense, config: {units: 10}}",
           "      - {class_name: Dense, config: {units: 16, activation: relu}}\n"
           "      - {class_name: Dropout, config: {rate: 0.3, seed: 5}}\n"
           "      - {class_name: Dense, config: {units: 10}}",
           edit("  batch_size: 32", "  batch_size: 24\n  seed: 3\n  validation_split: 0.25\n  epochs: 2",
                edit("  epochs: 1\n", "")));
  write_file(tmp / "run.yaml", edit("@OUT@", (tmp / "unused").string(), config));
  const RunResult traced = run_fathom({"train", (tmp / "run.yaml").string(), "--set", "output.dir=" + (tmp / "traced").string(),
                                       "--dump-graphs", "--threads", "1"},
                                      tmp / "log_traced");
  ASSERT_EQ(traced.exit_code, 0) << describe(traced);
  const RunResult eager = run_fathom({"train", (tmp / "run.yaml").string(), "--set", "output.dir=" + (tmp / "eager").string(),
                                      "--set", "compile.run_eagerly=true", "--dump-graphs", "--threads", "1"},
                                     tmp / "log_eager");
  ASSERT_EQ(eager.exit_code, 0) << describe(eager);

  const auto a = history_rows(tmp / "traced" / "history.csv"), b = history_rows(tmp / "eager" / "history.csv");
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    ASSERT_EQ(a[r].size(), b[r].size());
    for (std::size_t c = 0; c < a[r].size(); ++c) {
      EXPECT_NEAR(a[r][c], b[r][c], 1e-5 * std::max(1.0, std::abs(b[r][c]))) << "epoch " << r << " column " << c;
    }
  }
  const std::string graph = read_file(tmp / "traced" / "train_step.txt");
  EXPECT_NE(graph.find("graph 'sequential"), std::string::npos) << graph;
  EXPECT_NE(graph.find("random random_uniform()"), std::string::npos) << graph;  // the dropout mask, drawn per step
  EXPECT_NE(graph.find("effect optimizer Adam"), std::string::npos) << graph;
  EXPECT_NE(graph.find("pass fuse_elementwise"), std::string::npos) << graph;
  EXPECT_NE(graph.find("memory plan:"), std::string::npos) << graph;
  EXPECT_EQ(read_file(tmp / "traced" / "train_step.dot").rfind("digraph", 0), 0u);
  EXPECT_TRUE(std::filesystem::exists(tmp / "traced" / "test_step.txt"));
  // Eager runs trace nothing, so there is nothing to dump.
  EXPECT_FALSE(std::filesystem::exists(tmp / "eager" / "train_step.txt"));
}

}  // namespace
}  // namespace fathom::cli_test
