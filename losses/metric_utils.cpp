// SPDX-License-Identifier: Apache-2.0
#include "losses/metric_utils.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "losses/loss_utils.h"

namespace fathom::losses::detail {
namespace {

constexpr double kNegInf = -1e10;  // Keras's NEG_INF for top_k filtering

/// Keeps the k largest entries of each row (ties: lower index first, as TF's top_k) and sets
/// the others to NEG_INF.
void filter_top_k(std::vector<double>& x, std::int64_t n, std::int64_t k) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::size_t row = 0; row + n <= x.size(); row += n) {
    double* r = x.data() + row;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [r](std::int64_t a, std::int64_t b) { return r[a] > r[b]; });
    for (std::int64_t i = std::min(k, n); i < n; ++i) r[order[i]] = kNegInf;
  }
}

void add(std::vector<double>* acc, const std::vector<double>& delta) {
  if (!acc) return;
  for (std::size_t i = 0; i < delta.size(); ++i) (*acc)[i] += delta[i];
}

}  // namespace

Tensor host_tensor(std::vector<double> values, const Shape& shape) { return Tensor::from_vector(values, shape); }

bool in_top_k(const double* row, std::int64_t n, std::int64_t target, std::int64_t k) {
  if (target < 0 || target >= n || !std::isfinite(row[target])) return false;
  std::int64_t more = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(row[i])) return false;
    if (row[i] > row[target]) ++more;
  }
  return more < k;
}

bool is_evenly_distributed(const std::vector<double>& t) {
  const std::size_t n = t.size();
  if (n < 3) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const double even = static_cast<double>(static_cast<float>(i) / static_cast<float>(n - 1));
    if (std::abs(t[i] - even) > 1e-7 + 1e-5 * std::abs(even)) return false;
  }
  return true;
}

namespace {

/// Flattened predictions, labels and weights after Keras's preprocessing: rank matching, the
/// weights' alignment to y_true, top_k filtering and class_id slicing.
struct ConfusionInputs {
  std::vector<double> pred, label, weight;
};

ConfusionInputs confusion_inputs(const std::string& owner, const Tensor& y_true_in, const Tensor& y_pred_in,
                                 const Tensor& sample_weight, std::optional<std::int64_t> top_k,
                                 std::optional<std::int64_t> class_id) {
  FATHOM_CHECK(y_true_in.defined() && y_pred_in.defined(), ValueError, owner, ": y_true and y_pred must be defined");
  // Keras casts everything to the state's float32 first; we do the same so thresholds compare alike.
  auto [y_pred, y_true] = squeeze_or_expand_to_same_rank(ops::cast(y_pred_in.to(Device::cpu()), DType::kFloat32),
                                                         ops::cast(y_true_in.to(Device::cpu()), DType::kFloat32));
  FATHOM_CHECK(y_true.shape() == y_pred.shape(), ShapeError, owner, ": y_true ", shape_to_string(y_true_in.shape()),
               " and y_pred ", shape_to_string(y_pred_in.shape()), " must have the same shape");
  Shape shape = y_pred.shape();
  ConfusionInputs in{y_pred.to_vector<double>(), y_true.to_vector<double>(), {}};
  const std::int64_t last = shape.empty() ? 1 : shape.back();
  if (top_k) filter_top_k(in.pred, last, *top_k);
  if (class_id) {
    FATHOM_CHECK(shape.size() >= 2, ValueError, owner,
                 ": with class_id, y_pred must be [num_samples, num_classes], received ", shape_to_string(shape));
    FATHOM_CHECK(*class_id >= 0 && *class_id < last, ValueError, owner, ": class_id ", *class_id,
                 " is out of range for ", last, " classes");
    std::vector<double> p, l;
    for (std::size_t i = static_cast<std::size_t>(*class_id); i < in.pred.size(); i += last) {
      p.push_back(in.pred[i]);
      l.push_back(in.label[i]);
    }
    in.pred.swap(p);
    in.label.swap(l);
    shape.back() = 1;
  }
  in.weight.assign(in.pred.size(), 1.0);
  if (sample_weight.defined()) {
    // [B] weights become [B, 1], then are squeezed or expanded against y_true and broadcast.
    Tensor w = ops::expand_dims(ops::cast(sample_weight.to(Device::cpu()), DType::kFloat64), -1);
    w = squeeze_or_expand_to_same_rank(y_true, w, /*expand_rank_1=*/false).second;
    try {
      in.weight = ops::broadcast_to(w, shape).to_vector<double>();
    } catch (const ShapeError&) {
      throw ShapeError(owner + ": sample_weight of shape " + shape_to_string(sample_weight.shape()) +
                       " does not broadcast to y_pred " + shape_to_string(y_pred_in.shape()));
    }
  }
  return in;
}

/// Keras's bucketed path for evenly spaced thresholds: bucket = ceil(p (n - 1)) - 1 in float32
/// with p clipped to [0, 1], then reverse cumulative sums give the counts above each threshold.
void count_bucketed(const ConfusionInputs& in, const std::vector<double>& thresholds, std::vector<double>& tp,
                    std::vector<double>& fp, std::vector<double>& tn, std::vector<double>& fn) {
  const std::size_t n = thresholds.size();
  const bool with_epsilon = thresholds.front() < 0.0 || thresholds.back() > 1.0;
  std::vector<double> tp_bucket(n, 0.0), fp_bucket(n, 0.0);
  double total_true = 0, total_false = 0;
  for (std::size_t i = 0; i < in.pred.size(); ++i) {
    const float p = std::clamp(static_cast<float>(in.pred[i]), 0.0f, 1.0f);
    auto bucket = static_cast<std::int64_t>(std::ceil(p * static_cast<float>(n - 1)) - 1.0f);
    if (with_epsilon) bucket = std::max<std::int64_t>(bucket, 0);
    const bool positive = in.label[i] != 0.0;
    (positive ? total_true : total_false) += in.weight[i];
    if (bucket < 0) continue;  // TF's segment_sum drops negative ids
    (positive ? tp_bucket : fp_bucket)[static_cast<std::size_t>(bucket)] += in.weight[i];
  }
  double tp_run = 0, fp_run = 0;
  for (std::size_t j = n; j-- > 0;) {
    tp[j] = (tp_run += tp_bucket[j]);
    fp[j] = (fp_run += fp_bucket[j]);
    tn[j] = total_false - fp[j];
    fn[j] = total_true - tp[j];
  }
}

/// The general path: a prediction is positive when it is > the threshold (both in float32).
void count_direct(const ConfusionInputs& in, const std::vector<double>& thresholds, std::vector<double>& tp,
                  std::vector<double>& fp, std::vector<double>& tn, std::vector<double>& fn) {
  for (std::size_t j = 0; j < thresholds.size(); ++j) {
    const auto t = static_cast<float>(thresholds[j]);
    for (std::size_t i = 0; i < in.pred.size(); ++i) {
      const bool predicted = static_cast<float>(in.pred[i]) > t;
      const bool positive = in.label[i] != 0.0;
      (positive ? (predicted ? tp : fn) : (predicted ? fp : tn))[j] += in.weight[i];
    }
  }
}

}  // namespace

void update_confusion_matrix(const std::string& owner, const Tensor& y_true, const Tensor& y_pred,
                             const Tensor& sample_weight, const std::vector<double>& thresholds, bool evenly,
                             std::optional<std::int64_t> top_k, std::optional<std::int64_t> class_id,
                             ConfusionUpdate update) {
  autograd::NoRecordGuard no_record;
  const ConfusionInputs in = confusion_inputs(owner, y_true, y_pred, sample_weight, top_k, class_id);
  const std::size_t n = thresholds.size();
  std::vector<double> tp(n, 0.0), fp(n, 0.0), tn(n, 0.0), fn(n, 0.0);
  if (evenly) {
    count_bucketed(in, thresholds, tp, fp, tn, fn);
  } else {
    count_direct(in, thresholds, tp, fp, tn, fn);
  }
  add(update.tp, tp);
  add(update.fp, fp);
  add(update.tn, tn);
  add(update.fn, fn);
}

}  // namespace fathom::losses::detail
