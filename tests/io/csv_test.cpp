// SPDX-License-Identifier: Apache-2.0
#include "io/datasets/csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fathom::io {
namespace {

namespace fs = std::filesystem;

class CsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fathom_csv_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Writes `text` to a file named after the running test and returns its path.
  std::string file(const std::string& text) {
    const std::string path =
        (dir_ / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".csv")).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  /// Expects read_csv to throw ErrorType whose message holds every fragment.
  template <class ErrorType = IoError>
  void expect_error(const std::string& path, const CsvOptions& options, const std::vector<std::string>& fragments) {
    try {
      read_csv(path, options);
      ADD_FAILURE() << "no error thrown for " << path;
    } catch (const ErrorType& e) {
      for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
    }
  }

  fs::path dir_;
};

CsvOptions label(std::variant<std::string, std::int64_t> column) {
  CsvOptions o;
  o.label_column = std::move(column);
  return o;
}

TEST_F(CsvTest, ReadsFeaturesAndIntegerLabelsByName) {
  const auto data = read_csv(file("a,label,b\n1,0,2\n3,1,4.5\n-1e-3,2,+7\n"), label("label"));
  EXPECT_EQ(data.features.shape(), (Shape{3, 2}));
  EXPECT_EQ(data.features.dtype(), DType::kFloat32);
  EXPECT_EQ(data.features.to_vector<float>(), (std::vector<float>{1, 2, 3, 4.5f, -1e-3f, 7}));
  ASSERT_EQ(data.labels.dtype(), DType::kInt64);
  EXPECT_EQ(data.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(data.column_names, (std::vector<std::string>{"a", "label", "b"}));
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(data.label_name, "label");
}

TEST_F(CsvTest, FloatLabelsByNegativeIndexAndFloat64) {
  CsvOptions o = label(std::int64_t{-1});
  o.dtype = DType::kFloat64;
  const auto data = read_csv(file("x,y\n1,0.5\n2,3\n"), o);
  ASSERT_EQ(data.labels.dtype(), DType::kFloat64);
  EXPECT_EQ(data.labels.to_vector<double>(), (std::vector<double>{0.5, 3}));
  EXPECT_EQ(data.features.to_vector<double>(), (std::vector<double>{1, 2}));
  EXPECT_EQ(read_csv(file("x,y\n1,0.5\n2,3\n"), label("y")).labels.dtype(), DType::kFloat32);
}

TEST_F(CsvTest, WithoutHeaderOrLabelColumn) {
  CsvOptions o;
  o.header = false;
  const auto data = read_csv(file("1,2,3\n4,5,6\n"), o);
  EXPECT_EQ(data.features.shape(), (Shape{2, 3}));
  EXPECT_FALSE(data.labels.defined());
  EXPECT_EQ(data.column_names, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_TRUE(data.label_name.empty());
  o.label_column = std::int64_t{0};
  EXPECT_EQ(read_csv(file("1,2,3\n4,5,6\n"), o).labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 4}));
}

TEST_F(CsvTest, QuotesCrlfBomBlankLinesAndOtherDelimiters) {
  const std::string text =
      "\xEF\xBB\xBF\"width, cm\";\"say \"\"hi\"\"\";y\r\n"
      "\"1.5\"; 2 ;\"3\"\r\n"
      "\r\n"
      "4;  \"5\"  ;6\r\n"
      "\r\n";
  CsvOptions o = label("y");
  o.delimiter = ';';
  const auto data = read_csv(file(text), o);
  EXPECT_EQ(data.column_names, (std::vector<std::string>{"width, cm", "say \"hi\"", "y"}));
  EXPECT_EQ(data.features.to_vector<float>(), (std::vector<float>{1.5f, 2, 4, 5}));
  EXPECT_EQ(data.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, 6}));
  EXPECT_EQ(read_csv(file("a,b\n1,2")).features.to_vector<float>(), (std::vector<float>{1, 2}));  // no final newline
  CsvOptions tabs;
  tabs.delimiter = '\t';
  EXPECT_EQ(read_csv(file("a\tb\nnan\tinf\n"), tabs).features.numel(), 2);
}

TEST_F(CsvTest, HeaderOnlyGivesZeroRows) {
  const auto data = read_csv(file("a,b,c\n"), label("c"));
  EXPECT_EQ(data.features.shape(), (Shape{0, 2}));
  EXPECT_EQ(data.labels.shape(), (Shape{0}));
}

TEST_F(CsvTest, NonNumericValueNamesPathLineColumnAndText) {
  const std::string p = file("a,b\n1,2\n3,abc\n");
  expect_error(p, {}, {p + ":3:3:", "'abc'", "column 'b'"});
  const std::string empty = file("a,b\n1,\n");
  expect_error(empty, {}, {empty + ":2:3:", "''"});
  const std::string label_text = file("a,y\n1,cat\n");
  expect_error(label_text, label("y"), {label_text + ":2:3:", "'cat'"});
  const std::string trailing = file("a,b\n1,2x\n");
  expect_error(trailing, {}, {trailing + ":2:3:", "'2x'"});
}

TEST_F(CsvTest, LineNumbersCountLinesInsideQuotedFields) {
  const std::string p = file("\"multi\nline\",b\n1,2\n3,?\n");
  expect_error(p, {}, {p + ":4:3:", "'?'"});
}

TEST_F(CsvTest, RaggedRowsGiveTheLineNumber) {
  const std::string p = file("a,b\n1,2\n\n3,4,5\n");
  expect_error(p, {}, {p + ":4:", "3 fields", "the header has 2"});
  const std::string short_row = file("a,b,c\n1,2,3\n4,5\n");
  expect_error(short_row, {}, {short_row + ":3:", "2 fields"});
}

TEST_F(CsvTest, QuotingErrors) {
  const std::string open = file("a,b\n1,\"2\n3,4\n");
  expect_error(open, {}, {open + ":2:3:", "unterminated"});
  const std::string after = file("a,b\n1,\"2\"x\n");
  expect_error(after, {}, {after + ":2:", "after the closing quote"});
}

TEST_F(CsvTest, BadOptionsAndFiles) {
  const std::string p = file("a,b\n1,2\n");
  expect_error<ValueError>(p, label("c"), {p, "'c' is not a column", "'a', 'b'"});
  expect_error<ValueError>(p, label(std::int64_t{2}), {p, "out of range"});
  CsvOptions ints;
  ints.dtype = DType::kInt32;
  expect_error<ValueError>(p, ints, {"float32 or float64"});
  expect_error<ValueError>(file("a,a\n1,2\n"), label("a"), {"several columns"});
  const std::string missing = (dir_ / "missing.csv").string();
  expect_error(missing, {}, {missing, "cannot open"});
  const std::string empty = file("");
  expect_error(empty, {}, {empty, "no lines"});
}

}  // namespace
}  // namespace fathom::io
