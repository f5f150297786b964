// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// Streams each epoch's logs to a CSV file (Keras's CSVLogger), written as Python's csv module
/// does with the excel dialect: "\r\n" line ends, fields holding the separator, a quote or a
/// line break are quoted. The columns are fixed at the first epoch: "epoch", then the log keys
/// sorted, then — when none starts with "val_" — "val_<key>" for each of them; a missing value
/// is written "NA" and numbers as Python's repr ("0.25", "1e-05", "nan"). The header is
/// written unless appending to a non-empty file. The file is opened by on_train_begin, flushed
/// every epoch and closed by on_train_end; failures are IoErrors naming the file.
/// Config: filename (required), separator (","; one character), append (false).
class CSVLogger final : public Callback {
 public:
  explicit CSVLogger(std::string filename, std::string separator = ",", bool append = false);
  ~CSVLogger() override;
  CSVLogger(const CSVLogger&) = delete;
  CSVLogger& operator=(const CSVLogger&) = delete;
  static std::unique_ptr<Callback> from_config(const Config& config);
  std::string class_name() const override { return "CSVLogger"; }

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  Config get_config() const override;

  const std::string& filename() const { return filename_; }

 private:
  void close();
  void write_row(const std::vector<std::string>& fields);
  std::string quote(const std::string& field) const;

  std::string filename_;
  std::string separator_;
  bool append_;
  std::FILE* file_ = nullptr;
  std::optional<std::vector<std::string>> keys_;
  bool header_pending_ = false;
  bool append_header_ = true;
};

}  // namespace fathom::callbacks
