// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the metric files (not part of the public API).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "losses/metric.h"

namespace fathom::losses::detail {

/// Rejects keys outside {name, dtype} + `own_keys`, builds the metric with `make(config)`
/// (config may be null), then applies name and dtype from the config.
template <class Make>
std::unique_ptr<Metric> metric_from_config(const Config& c, const std::string& class_name,
                                           const std::string& default_name, const std::vector<std::string>& own_keys,
                                           Make make) {
  FATHOM_CHECK(c.is_map() || c.is_null(), ConfigError, c.where(), class_name,
               ": the config must be a mapping, received ", Config::kind_name(c.kind()));
  if (c.is_map()) {
    std::vector<std::string> known = {"name", "dtype"};
    known.insert(known.end(), own_keys.begin(), own_keys.end());
    c.reject_unknown_keys(known, class_name);
  }
  std::unique_ptr<Metric> m = make(c);
  m->set_name(c.is_map() ? c.get_or<std::string>("name", default_name) : default_name);
  if (c.is_map() && c.has("dtype") && !c.at("dtype").is_null()) m->set_dtype(c.get<std::string>("dtype"));
  return m;
}

/// A float64 CPU tensor of `values` with `shape` (the per-sample values host code computes).
Tensor host_tensor(std::vector<double> values, const Shape& shape);

/// Whether some prediction in a row of `row` (length n) at index `target` is among the k
/// largest, with TF's in_top_k rules: ties at the boundary count as in, and a non-finite
/// value or an out-of-range target gives false.
bool in_top_k(const double* row, std::int64_t n, std::int64_t target, std::int64_t k);

/// Keras's update_confusion_matrix_variables, on the host. `thresholds` as Keras stores them
/// (AUC's include -eps and 1 + eps); `evenly` selects Keras's bucketed path, which clips the
/// predictions to [0, 1]. Each of tp/fp/tn/fn (may be null) gets one count per threshold added.
struct ConfusionUpdate {
  std::vector<double>* tp = nullptr;
  std::vector<double>* fp = nullptr;
  std::vector<double>* tn = nullptr;
  std::vector<double>* fn = nullptr;
};
void update_confusion_matrix(const std::string& owner, const Tensor& y_true, const Tensor& y_pred,
                             const Tensor& sample_weight, const std::vector<double>& thresholds, bool evenly,
                             std::optional<std::int64_t> top_k, std::optional<std::int64_t> class_id,
                             ConfusionUpdate update);

/// numpy.allclose(thresholds, linspace(0, 1, n), atol=1e-7), false for fewer than 3.
bool is_evenly_distributed(const std::vector<double>& thresholds);
/// a / b, or 0 when b is 0.
inline double divide_no_nan(double a, double b) { return b == 0.0 ? 0.0 : a / b; }

}  // namespace fathom::losses::detail
