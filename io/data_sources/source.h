// SPDX-License-Identifier: Apache-2.0
// Internal to io/data_source.cpp and io/data_sources/*.cpp: what a source reader gets and returns.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom::io::detail {

/// One array of a source and where it came from, for messages.
struct SourceArray {
  Tensor data;
  std::int64_t samples = 0;  // along axis 0 in the file (data may hold fewer: take); -1 for rank 0
  std::string name;          // "'x.npy'", "'/train/x' in 'data.h5'"
  const Config* origin;      // the config value that named it (its location)
};
SourceArray make_array(Tensor data, std::string name, const Config* origin);

struct SourceArrays {
  std::vector<SourceArray> x, y;
  std::string description;  // "NPY x 'x.npy', y 'y.npy'"
};

/// A source's `config` with its owner's name: typed access whose ConfigErrors start with the
/// value's location ("cfg.yaml:4:11: data.train (CSV): 'header': expected a boolean ...").
class SourceContext {
 public:
  SourceContext(const Config& spec, const Config& config, std::string owner, std::string role, std::int64_t take);
  const Config& config() const { return config_; }
  const std::string& owner() const { return owner_; }
  const std::string& role() const { return role_; }
  /// Rows a reader needs at most (-1: all); readers that can read part of a file use it.
  std::int64_t take() const { return take_; }
  /// Labels are required for training and validation, optional for test (prediction).
  bool labels_required() const { return role_ != "test"; }

  /// "file:line:col: " of `at`, else of the source config, else of the spec; or "".
  std::string where(const Config& at) const;
  /// Throws ConfigError("<where(at)><owner>: <what>").
  [[noreturn]] void fail(const Config& at, const std::string& what) const;

  /// The value of `key`, nullptr when missing or null.
  const Config* find(const std::string& key) const;
  /// The value of `key`; a ConfigError at the source config when it is missing.
  const Config& required(const std::string& key, const std::string& why = "") const;

  std::string as_string(const Config& value, const std::string& key) const;
  bool as_bool(const Config& value, const std::string& key) const;
  std::int64_t as_int(const Config& value, const std::string& key) const;
  double as_number(const Config& value, const std::string& key) const;
  /// A string or a non-empty list of strings: the values themselves (for their locations).
  std::vector<const Config*> string_or_list(const Config& value, const std::string& key) const;

  /// `value` (a string) as the path of an existing file (or, with `directory`, folder): a
  /// ConfigError at `value` naming the path when it does not exist or is of the other kind.
  std::string existing_path(const Config& value, const std::string& key, bool directory = false) const;
  /// The ConfigError existing_path throws for a path that was not found.
  [[noreturn]] void not_found(const Config& at, const std::string& key, const std::string& path,
                              const std::string& what) const;

 private:
  template <class F>
  auto convert(const Config& value, const std::string& key, F f) const -> decltype(f(value));
  const Config& spec_;
  const Config& config_;
  std::string owner_, role_;
  std::int64_t take_;
};

// The readers: each validates its keys' types and paths, then reads.
SourceArrays load_fashion_mnist_source(const SourceContext& ctx);
SourceArrays load_mnist_source(const SourceContext& ctx);
SourceArrays load_csv_source(const SourceContext& ctx);
SourceArrays load_npy_source(const SourceContext& ctx);
SourceArrays load_hdf5_source(const SourceContext& ctx);

/// The `preprocessing` mapping, validated.
struct Preprocessing {
  bool flatten = false;
  std::optional<double> scale;
  struct Normalize {
    std::vector<double> mean, std;  // one value (broadcast) or one per feature
    const Config* mean_at = nullptr;
    const Config* std_at = nullptr;
  };
  std::optional<Normalize> normalize;
  std::int64_t one_hot = 0;  // 0: none
  const Config* one_hot_at = nullptr;
};
Preprocessing parse_preprocessing(const SourceContext& ctx, const Config& value);
/// Applies flatten, scale, normalize, one_hot in that order (to every x, and one_hot to every y).
void apply_preprocessing(const SourceContext& ctx, const Preprocessing& p, std::vector<SourceArray>& x,
                         std::vector<SourceArray>& y);
/// "flatten, scale 0.00392157, one_hot 10", or "" when there is nothing.
std::string describe(const Preprocessing& p);

}  // namespace fathom::io::detail
