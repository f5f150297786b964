// SPDX-License-Identifier: Apache-2.0
#include "losses/accuracy_metrics.h"

#include "core/ops.h"
#include "losses/loss_utils.h"
#include "losses/metric_utils.h"

namespace fathom::losses {
namespace {

/// Both inputs on the host, checked defined.
std::pair<Tensor, Tensor> host_inputs(const Metric& m, const Tensor& y_true, const Tensor& y_pred) {
  FATHOM_CHECK(y_true.defined() && y_pred.defined(), ValueError, m.class_name(), " '", m.name(),
               "': y_true and y_pred must be defined tensors");
  return {y_true.to(Device::cpu()), y_pred.to(Device::cpu())};
}

void expect_same_shape(const Metric& m, const Tensor& a, const Tensor& b, const Tensor& y_true, const Tensor& y_pred) {
  FATHOM_CHECK(a.shape() == b.shape(), ShapeError, m.class_name(), " '", m.name(), "': y_true ",
               shape_to_string(y_true.shape()), " and y_pred ", shape_to_string(y_pred.shape()), " are incompatible");
}

Tensor matches(const Tensor& a, const Tensor& b) { return ops::cast(ops::equal(a, b), DType::kFloat64); }

std::int64_t positive_k(const std::string& owner, std::int64_t k) {
  FATHOM_CHECK(k > 0, ValueError, owner, ": k must be a positive integer. Received: k=", k);
  return k;
}

}  // namespace

std::unique_ptr<Metric> Accuracy::from_config(const Config& c) {
  return detail::metric_from_config(c, "Accuracy", "accuracy", {}, [](const Config&) {
    return std::make_unique<Accuracy>();
  });
}

Tensor Accuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = host_inputs(*this, y_true, y_pred);
  auto [a, b] = detail::squeeze_or_expand_to_same_rank(ops::cast(t, p.dtype()), p);
  expect_same_shape(*this, a, b, y_true, y_pred);
  return matches(a, b);
}

std::unique_ptr<Metric> BinaryAccuracy::from_config(const Config& c) {
  return detail::metric_from_config(c, "BinaryAccuracy", "binary_accuracy", {"threshold"}, [](const Config& c) {
    return std::make_unique<BinaryAccuracy>(c.is_map() ? c.get_or<double>("threshold", 0.5) : 0.5);
  });
}

Tensor BinaryAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t_in, p_in] = host_inputs(*this, y_true, y_pred);
  auto [t, p] = detail::squeeze_or_expand_to_same_rank(t_in, p_in);
  expect_same_shape(*this, t, p, y_true, y_pred);
  if (!is_floating(p.dtype())) p = ops::cast(p, DType::kFloat32);
  // Compare in y_pred's dtype, as Keras does with its float32 threshold.
  const Tensor predicted = ops::cast(ops::greater(p, ops::scalar_like(p, threshold_)), t.dtype());
  return matches(t, predicted);
}

Config BinaryAccuracy::get_config() const { return Metric::get_config().set("threshold", threshold_); }

std::unique_ptr<Metric> CategoricalAccuracy::from_config(const Config& c) {
  return detail::metric_from_config(c, "CategoricalAccuracy", "categorical_accuracy", {}, [](const Config&) {
    return std::make_unique<CategoricalAccuracy>();
  });
}

Tensor CategoricalAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = host_inputs(*this, y_true, y_pred);
  const Tensor true_class = ops::argmax(ops::cast(t, DType::kFloat64), -1);
  const Tensor pred_class = ops::argmax(ops::cast(p, DType::kFloat64), -1);
  expect_same_shape(*this, true_class, pred_class, y_true, y_pred);
  return matches(true_class, pred_class);
}

std::unique_ptr<Metric> SparseCategoricalAccuracy::from_config(const Config& c) {
  return detail::metric_from_config(c, "SparseCategoricalAccuracy", "sparse_categorical_accuracy", {},
                                    [](const Config&) { return std::make_unique<SparseCategoricalAccuracy>(); });
}

Tensor SparseCategoricalAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t_in, p] = host_inputs(*this, y_true, y_pred);
  Tensor t = ops::cast(t_in, DType::kFloat64);
  if (t.dim() == p.dim() && t.dim() > 0 && t.shape().back() == 1) t = ops::squeeze(t, {-1});
  const Tensor pred_class = ops::cast(ops::argmax(ops::cast(p, DType::kFloat64), -1), DType::kFloat64);
  expect_same_shape(*this, t, pred_class, y_true, y_pred);
  Tensor m = matches(t, pred_class);
  if (m.dim() > 1 && m.shape().back() == 1) m = ops::squeeze(m, {-1});
  return m;
}

TopKCategoricalAccuracy::TopKCategoricalAccuracy(std::int64_t k, std::string name)
    : MeanMetricWrapper(std::move(name)), k_(positive_k("TopKCategoricalAccuracy", k)) {}

std::unique_ptr<Metric> TopKCategoricalAccuracy::from_config(const Config& c) {
  return detail::metric_from_config(c, "TopKCategoricalAccuracy", "top_k_categorical_accuracy", {"k"},
                                    [](const Config& c) {
                                      return std::make_unique<TopKCategoricalAccuracy>(
                                          c.is_map() ? c.get_or<std::int64_t>("k", 5) : 5);
                                    });
}

Tensor TopKCategoricalAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = host_inputs(*this, y_true, y_pred);
  FATHOM_CHECK(p.dim() >= 1, ShapeError, class_name(), " '", name(), "': y_pred must have a class axis");
  const Tensor target = ops::argmax(ops::cast(t, DType::kFloat64), -1);
  const std::int64_t n = p.shape().back();
  const std::vector<double> scores = ops::cast(p, DType::kFloat64).to_vector<double>();
  const std::vector<std::int64_t> labels = target.to_vector<std::int64_t>();
  FATHOM_CHECK(static_cast<std::int64_t>(labels.size()) * n == static_cast<std::int64_t>(scores.size()), ShapeError,
               class_name(), " '", name(), "': y_true ", shape_to_string(y_true.shape()), " and y_pred ",
               shape_to_string(y_pred.shape()), " are incompatible");
  std::vector<double> out(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) out[i] = detail::in_top_k(&scores[i * n], n, labels[i], k_);
  return detail::host_tensor(out, target.shape());
}

Config TopKCategoricalAccuracy::get_config() const { return Metric::get_config().set("k", k_); }

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(std::int64_t k, bool from_sorted_ids, std::string name)
    : MeanMetricWrapper(std::move(name)),
      k_(positive_k("SparseTopKCategoricalAccuracy", k)),
      from_sorted_ids_(from_sorted_ids) {}

std::unique_ptr<Metric> SparseTopKCategoricalAccuracy::from_config(const Config& c) {
  return detail::metric_from_config(
      c, "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", {"k", "from_sorted_ids"},
      [](const Config& c) {
        const bool map = c.is_map();
        return std::make_unique<SparseTopKCategoricalAccuracy>(map ? c.get_or<std::int64_t>("k", 5) : 5,
                                                               map ? c.get_or<bool>("from_sorted_ids", false) : false);
      });
}

Tensor SparseTopKCategoricalAccuracy::values(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = host_inputs(*this, y_true, y_pred);
  FATHOM_CHECK(p.dim() >= 1, ShapeError, class_name(), " '", name(), "': y_pred must have a class axis");
  const std::int64_t n = p.shape().back();
  const std::vector<double> scores = ops::cast(p, DType::kFloat64).to_vector<double>();
  const std::vector<double> labels = detail::host_values(t);
  FATHOM_CHECK(static_cast<std::int64_t>(labels.size()) * n == static_cast<std::int64_t>(scores.size()), ShapeError,
               class_name(), " '", name(), "': y_true ", shape_to_string(y_true.shape()), " and y_pred ",
               shape_to_string(y_pred.shape()), " are incompatible (one label per row of y_pred)");
  std::vector<double> out(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double* row = &scores[i * n];
    if (from_sorted_ids_) {
      // y_pred holds ids sorted by score: is the label among the first k?
      for (std::int64_t j = 0; j < std::min(k_, n); ++j) out[i] = out[i] || row[j] == labels[i];
    } else {
      out[i] = detail::in_top_k(row, n, static_cast<std::int64_t>(labels[i]), k_);
    }
  }
  return detail::host_tensor(out, t.shape());
}

Config SparseTopKCategoricalAccuracy::get_config() const {
  Config c = Metric::get_config();
  c.set("k", k_);
  if (from_sorted_ids_) c.set("from_sorted_ids", true);
  return c;
}

}  // namespace fathom::losses
