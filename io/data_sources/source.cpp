// SPDX-License-Identifier: Apache-2.0
#include "io/data_sources/source.h"

#include <filesystem>
#include <system_error>

namespace fathom::io::detail {

SourceArray make_array(Tensor data, std::string name, const Config* origin) {
  const std::int64_t samples = data.dim() == 0 ? -1 : data.shape()[0];
  return SourceArray{std::move(data), samples, std::move(name), origin};
}

SourceContext::SourceContext(const Config& spec, const Config& config, std::string owner, std::string role,
                             std::int64_t take)
    : spec_(spec), config_(config), owner_(std::move(owner)), role_(std::move(role)), take_(take) {}

std::string SourceContext::where(const Config& at) const {
  if (!at.location().empty()) return at.where();
  return config_.location().empty() ? spec_.where() : config_.where();
}

void SourceContext::fail(const Config& at, const std::string& what) const {
  throw ConfigError(where(at) + owner_ + ": " + what);
}

const Config* SourceContext::find(const std::string& key) const {
  if (!config_.has(key) || config_.at(key).is_null()) return nullptr;
  return &config_.at(key);
}

const Config& SourceContext::required(const std::string& key, const std::string& why) const {
  const Config* v = find(key);
  if (v == nullptr) fail(config_, "missing required key '" + key + "'" + (why.empty() ? "" : " (" + why + ")") + ".");
  return *v;
}

template <class F>
auto SourceContext::convert(const Config& value, const std::string& key, F f) const -> decltype(f(value)) {
  try {
    return f(value);
  } catch (const ConfigError& e) {
    // Config's own message starts with the value's location: keep only what follows it.
    std::string what = e.message();
    if (what.rfind(value.where(), 0) == 0) what.erase(0, value.where().size());
    fail(value, "'" + key + "': " + what + ".");
  }
}

std::string SourceContext::as_string(const Config& value, const std::string& key) const {
  return convert(value, key, [](const Config& v) { return v.as_string(); });
}

bool SourceContext::as_bool(const Config& value, const std::string& key) const {
  return convert(value, key, [](const Config& v) { return v.as_bool(); });
}

std::int64_t SourceContext::as_int(const Config& value, const std::string& key) const {
  return convert(value, key, [](const Config& v) { return v.as_int(); });
}

double SourceContext::as_number(const Config& value, const std::string& key) const {
  return convert(value, key, [](const Config& v) { return v.as_double(); });
}

std::vector<const Config*> SourceContext::string_or_list(const Config& value, const std::string& key) const {
  if (value.is_string()) return {&value};
  if (!value.is_list())
    fail(value,
         "'" + key + "': expected a string or a list of strings, received " + Config::kind_name(value.kind()) + ".");
  if (value.items().empty()) fail(value, "'" + key + "': the list is empty; give at least one entry.");
  std::vector<const Config*> out;
  for (const Config& item : value.items()) {
    as_string(item, key);
    out.push_back(&item);
  }
  return out;
}

void SourceContext::not_found(const Config& at, const std::string& key, const std::string& path,
                              const std::string& what) const {
  std::string hint;
  if (std::filesystem::path(path).is_relative()) {
    std::error_code ec;
    hint = " (relative to the working directory '" + std::filesystem::current_path(ec).string() + "')";
  }
  fail(at, "'" + key + "': " + what + " not found: '" + path + "'" + hint + ".");
}

std::string SourceContext::existing_path(const Config& value, const std::string& key, bool directory) const {
  const std::string path = as_string(value, key);
  if (path.empty()) fail(value, "'" + key + "': the path is empty.");
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) not_found(value, key, path, directory ? "directory" : "file");
  if (directory && !std::filesystem::is_directory(status)) {
    fail(value, "'" + key + "': '" + path + "' is a file; expected a directory.");
  }
  if (!directory && std::filesystem::is_directory(status)) {
    fail(value, "'" + key + "': '" + path + "' is a directory; expected a file.");
  }
  return path;
}

}  // namespace fathom::io::detail
