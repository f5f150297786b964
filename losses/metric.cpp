// SPDX-License-Identifier: Apache-2.0
#include "losses/metric.h"

#include <numeric>

#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "losses/loss_utils.h"
#include "losses/metric_utils.h"

namespace fathom::losses {
namespace {

std::vector<std::int64_t> axes_from(std::int64_t first, std::int64_t rank) {
  std::vector<std::int64_t> axes(static_cast<std::size_t>(rank - first));
  std::iota(axes.begin(), axes.end(), first);
  return axes;
}

}  // namespace

void Metric::set_dtype(const std::string& dtype) {
  bool ok = false;
  try {
    ok = is_floating(dtype_from_name(dtype));
  } catch (const Error&) {
  }
  FATHOM_CHECK(ok, ConfigError, class_name(), " '", name_, "': dtype must be 'float32' or 'float64'. Received: dtype=",
               dtype);
  dtype_ = dtype;
}

Config Metric::get_config() const {
  Config c = Config::map();
  c.set("name", name_).set("dtype", dtype_);
  return c;
}

std::unique_ptr<Metric> Mean::from_config(const Config& c) {
  return detail::metric_from_config(c, "Mean", "mean", {}, [](const Config&) {
    return std::make_unique<Mean>();
  });
}

void Mean::update_values(const Tensor& values_in, const Tensor& sample_weight) {
  FATHOM_CHECK(values_in.defined(), ValueError, class_name(), " '", name(), "': values is an undefined tensor");
  autograd::NoRecordGuard no_record;
  Tensor v = ops::cast(values_in.to(Device::cpu()), DType::kFloat64);
  Tensor w;
  if (sample_weight.defined()) {
    w = ops::cast(sample_weight.to(Device::cpu()), DType::kFloat64);
    std::tie(v, w) = detail::squeeze_or_expand_to_same_rank(v, w);
    // Average the values down to the weights' rank, then weight them.
    if (v.dim() > w.dim()) v = ops::mean(v, axes_from(w.dim(), v.dim()));
    try {
      w = ops::broadcast_to(w, v.shape());
    } catch (const ShapeError&) {
      throw ShapeError(class_name() + " '" + name() + "': sample_weight of shape " +
                       shape_to_string(sample_weight.shape()) + " does not broadcast to the values of shape " +
                       shape_to_string(values_in.shape()));
    }
    v = ops::mul(v, w);
    if (w.dim() > 1) w = ops::mean(w, axes_from(1, w.dim()));
  }
  if (v.dim() > 1) v = ops::mean(v, axes_from(1, v.dim()));
  total_ += ops::sum(v).item<double>();
  if (w.defined()) {
    count_ += ops::sum(w).item<double>();
  } else {
    count_ += v.dim() >= 1 ? static_cast<double>(v.shape()[0]) : 1.0;
  }
}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  autograd::NoRecordGuard no_record;
  const Tensor v = values(y_true, y_pred);
  Tensor w = sample_weight;
  if (w.defined()) {
    const Tensor mask = values_mask(y_true, y_pred);
    if (mask.defined()) {
      auto [m, sw] = detail::squeeze_or_expand_to_same_rank(ops::cast(mask.to(Device::cpu()), DType::kFloat64),
                                                            ops::cast(w.to(Device::cpu()), DType::kFloat64));
      w = ops::mul(sw, m);
    }
  }
  update_values(v, w);
}

Config serialize_metric(const Metric& metric) {
  Config c = Config::map();
  c.set("class_name", metric.class_name()).set("config", metric.get_config());
  return c;
}

}  // namespace fathom::losses
