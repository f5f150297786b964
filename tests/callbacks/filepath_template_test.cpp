// SPDX-License-Identifier: Apache-2.0
#include "callbacks/filepath_template.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace fathom::callbacks {
namespace {

TEST(FilepathTemplateTest, FormatsAsPythonStrFormat) {
  const std::map<std::string, double> v = {{"epoch", 3}, {"val_loss", 0.12345}, {"accuracy", 0.5}, {"batch", 12}};
  // Expected strings are Python's: "{epoch:02d}-{val_loss:.2f}".format(epoch=3, val_loss=0.12345) etc.
  EXPECT_EQ(format_filepath("ckpt/{epoch:02d}-{val_loss:.2f}.keras", v), "ckpt/03-0.12.keras");
  EXPECT_EQ(format_filepath("{epoch}", v), "3");
  EXPECT_EQ(format_filepath("{val_loss}", v), "0.12345");
  EXPECT_EQ(format_filepath("{accuracy:.1%}", v), "50.0%");
  EXPECT_EQ(format_filepath("{val_loss:.3e}", v), "1.235e-01");
  EXPECT_EQ(format_filepath("{epoch:>4d}|{epoch:<4d}|{epoch:^5d}", v), "   3|3   |  3  ");
  EXPECT_EQ(format_filepath("{epoch:+d} {batch:05d}", v), "+3 00012");
  EXPECT_EQ(format_filepath("{{literal}}-{epoch:03}", v), "{literal}-003");
  EXPECT_EQ(format_filepath("plain.weights.h5", v), "plain.weights.h5");
}

TEST(FilepathTemplateTest, AMissingKeyOrBadTemplateNamesTheProblem) {
  const std::map<std::string, double> v = {{"epoch", 1}, {"loss", 0.5}};
  try {
    format_filepath("{epoch}-{val_loss:.2f}.keras", v);
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("val_loss"), std::string::npos) << what;
    EXPECT_NE(what.find("available: epoch, loss"), std::string::npos) << what;
  }
  EXPECT_THROW(format_filepath("{epoch", v), ValueError);
  EXPECT_THROW(format_filepath("epoch}", v), ValueError);
  EXPECT_THROW(format_filepath("{loss:d}", v), ValueError) << "0.5 is not an integer";
  EXPECT_THROW(format_filepath("{epoch:q}", v), ValueError);
}

}  // namespace
}  // namespace fathom::callbacks
