// SPDX-License-Identifier: Apache-2.0
#include "callbacks/csv_logger.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "callbacks/callback_utils.h"

namespace fathom::callbacks {

CSVLogger::CSVLogger(std::string filename, std::string separator, bool append)
    : filename_(std::move(filename)), separator_(std::move(separator)), append_(append) {
  FATHOM_CHECK(!filename_.empty(), ValueError, "CSVLogger: `filename` is empty");
  // Python's csv module takes a one-character delimiter only.
  FATHOM_CHECK(separator_.size() == 1 && separator_ != "\"" && separator_ != "\r" && separator_ != "\n", ValueError,
               "CSVLogger: `separator` must be one character other than a quote or a line break. Received: "
               "separator='", separator_, "'");
}

CSVLogger::~CSVLogger() { close(); }

void CSVLogger::close() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

void CSVLogger::on_train_begin(const Logs&) {
  if (append_) {
    // Keras writes the header only when the file it appends to is missing or its first line empty.
    if (std::FILE* existing = std::fopen(filename_.c_str(), "r")) {
      append_header_ = std::fgetc(existing) == EOF;
      std::fclose(existing);
    }
  }
  close();
  file_ = std::fopen(filename_.c_str(), append_ ? "a" : "w");
  FATHOM_CHECK(file_ != nullptr, IoError, "CSVLogger: cannot open '", filename_, "' for ",
               append_ ? "appending" : "writing", ": ", std::strerror(errno));
  keys_.reset();
  header_pending_ = true;
}

std::string CSVLogger::quote(const std::string& field) const {
  if (field.find_first_of(separator_ + "\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char ch : field) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

void CSVLogger::write_row(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) line += (i == 0 ? "" : separator_) + quote(fields[i]);
  line += "\r\n";
  FATHOM_CHECK(std::fwrite(line.data(), 1, line.size(), file_) == line.size(), IoError, "CSVLogger: cannot write to '",
               filename_, "': ", std::strerror(errno));
}

void CSVLogger::on_epoch_end(int epoch, Logs& logs) {
  FATHOM_CHECK(file_ != nullptr, ValueError, "CSVLogger '", filename_,
               "': on_epoch_end called while no file is open (on_train_begin opens it)");
  if (!keys_) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : logs.entries()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    const bool has_val = std::any_of(keys.begin(), keys.end(), [](const auto& k) { return k.rfind("val_", 0) == 0; });
    if (!has_val) {
      const std::size_t n = keys.size();
      for (std::size_t i = 0; i < n; ++i) keys.push_back("val_" + keys[i]);
    }
    keys_ = std::move(keys);
  }
  if (header_pending_) {
    header_pending_ = false;
    if (append_header_) {
      std::vector<std::string> header = {"epoch"};
      header.insert(header.end(), keys_->begin(), keys_->end());
      write_row(header);
    }
  }
  std::vector<std::string> row = {std::to_string(epoch)};
  for (const auto& k : *keys_) row.push_back(logs.has(k) ? detail::python_float_repr(logs.at(k)) : "NA");
  write_row(row);
  FATHOM_CHECK(std::fflush(file_) == 0, IoError, "CSVLogger: cannot write to '", filename_, "': ",
               std::strerror(errno));
}

void CSVLogger::on_train_end(const Logs&) {
  if (file_ == nullptr) return;
  const bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  FATHOM_CHECK(ok, IoError, "CSVLogger: cannot close '", filename_, "': ", std::strerror(errno));
}

Config CSVLogger::get_config() const {
  Config c = Config::map();
  c.set("filename", filename_);
  c.set("separator", separator_);
  c.set("append", append_);
  return c;
}

std::unique_ptr<Callback> CSVLogger::from_config(const Config& config) {
  config.reject_unknown_keys({"filename", "separator", "append"}, "CSVLogger");
  const std::string filename = config.get<std::string>("filename");
  const std::string separator = config.get_or<std::string>("separator", ",");
  const bool append = config.get_or<bool>("append", false);
  return detail::construct_from_config(config, [&] { return std::make_unique<CSVLogger>(filename, separator, append); });
}

}  // namespace fathom::callbacks
