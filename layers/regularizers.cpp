// SPDX-License-Identifier: Apache-2.0
// Keras's regularizers (L1, L2, L1L2) and constraints (MaxNorm, MinMaxNorm, NonNeg, UnitNorm).
#include "layers/regularizers.h"

#include "core/ops.h"

namespace fathom::layers {

Tensor Regularizer::operator()(const Tensor& x) const {
  Tensor penalty = Tensor::scalar(0.0, x.dtype());
  if (l1_ != 0) penalty = ops::add(penalty, ops::mul(ops::sum(ops::abs(x)), l1_));
  if (l2_ != 0) penalty = ops::add(penalty, ops::mul(ops::sum(ops::square(x)), l2_));
  return penalty;
}

Config Regularizer::get_config() const {
  Config c = Config::map();
  if (class_name_ != "L2") c.set("l1", l1_);
  if (class_name_ != "L1") c.set("l2", l2_);
  return c;
}

std::shared_ptr<Regularizer> get_regularizer(const Config& spec) {
  if (spec.is_null()) return nullptr;
  std::string name;
  Config config = Config::map();
  if (spec.is_string()) {
    name = spec.as_string();
  } else {
    spec.reject_unknown_keys({"class_name", "config", "module", "registered_name", "shared_object_id"}, "regularizer");
    name = spec.get<std::string>("class_name");
    if (spec.has("config") && !spec.at("config").is_null()) config = spec.at("config");
  }
  const std::vector<std::string> known = {"L1", "L2", "L1L2", "l1", "l2", "l1_l2", "l1l2"};
  if (name == "l1" || name == "L1") {
    config.reject_unknown_keys({"l1"}, "L1");
    return std::make_shared<Regularizer>("L1", config.get_or("l1", 0.01), 0.0);
  }
  if (name == "l2" || name == "L2") {
    config.reject_unknown_keys({"l2"}, "L2");
    return std::make_shared<Regularizer>("L2", 0.0, config.get_or("l2", 0.01));
  }
  if (name == "l1_l2" || name == "l1l2" || name == "L1L2") {
    config.reject_unknown_keys({"l1", "l2"}, "L1L2");
    // L1L2() and Keras 3's "l1l2" default both factors to 0.0; "l1_l2" is Keras 2's l1_l2()
    // shortcut, 0.01 each (Keras 3 no longer accepts that string).
    const double d = name == "l1_l2" ? 0.01 : 0.0;
    return std::make_shared<Regularizer>("L1L2", config.get_or("l1", d), config.get_or("l2", d));
  }
  throw ConfigError(spec.where() + "unknown regularizer '" + name + "'." + did_you_mean(name, known));
}

Config serialize_regularizer(const Regularizer* r) {
  if (!r) return Config();
  Config c = Config::map();
  c.set("module", "keras.regularizers").set("class_name", r->class_name()).set("config", r->get_config());
  c.set("registered_name", Config());
  return c;
}

namespace {

/// sqrt(sum(w^2)) over `axis` (keepdims), the norm the norm constraints rescale by.
Tensor norms(const Tensor& w, std::int64_t axis) { return ops::sqrt(ops::sum(ops::square(w), axis, true)); }

class MaxNorm final : public Constraint {
 public:
  MaxNorm(double max_value, std::int64_t axis) : max_(max_value), axis_(axis) {}
  std::string class_name() const override { return "MaxNorm"; }
  Tensor operator()(const Tensor& w) const override {
    const Tensor n = norms(w, axis_);
    const Tensor desired = ops::clip(n, 0, max_);
    return ops::mul(w, ops::div(desired, ops::add(n, 1e-7)));
  }
  Config get_config() const override {
    Config c = Config::map();
    c.set("max_value", max_).set("axis", axis_);
    return c;
  }

 private:
  double max_;
  std::int64_t axis_;
};

class MinMaxNorm final : public Constraint {
 public:
  MinMaxNorm(double lo, double hi, double rate, std::int64_t axis) : lo_(lo), hi_(hi), rate_(rate), axis_(axis) {}
  std::string class_name() const override { return "MinMaxNorm"; }
  Tensor operator()(const Tensor& w) const override {
    const Tensor n = norms(w, axis_);
    const Tensor desired = ops::add(ops::mul(ops::clip(n, lo_, hi_), rate_), ops::mul(n, 1.0 - rate_));
    return ops::mul(w, ops::div(desired, ops::add(n, 1e-7)));
  }
  Config get_config() const override {
    Config c = Config::map();
    c.set("min_value", lo_).set("max_value", hi_).set("rate", rate_).set("axis", axis_);
    return c;
  }

 private:
  double lo_, hi_, rate_;
  std::int64_t axis_;
};

class NonNeg final : public Constraint {
 public:
  std::string class_name() const override { return "NonNeg"; }
  Tensor operator()(const Tensor& w) const override { return ops::relu(w); }
  Config get_config() const override { return Config::map(); }
};

class UnitNorm final : public Constraint {
 public:
  explicit UnitNorm(std::int64_t axis) : axis_(axis) {}
  std::string class_name() const override { return "UnitNorm"; }
  Tensor operator()(const Tensor& w) const override { return ops::div(w, ops::add(norms(w, axis_), 1e-7)); }
  Config get_config() const override {
    Config c = Config::map();
    c.set("axis", axis_);
    return c;
  }

 private:
  std::int64_t axis_;
};

}  // namespace

std::shared_ptr<Constraint> get_constraint(const Config& spec) {
  if (spec.is_null()) return nullptr;
  std::string name;
  Config c = Config::map();
  if (spec.is_string()) {
    name = spec.as_string();
  } else {
    spec.reject_unknown_keys({"class_name", "config", "module", "registered_name", "shared_object_id"}, "constraint");
    name = spec.get<std::string>("class_name");
    if (spec.has("config") && !spec.at("config").is_null()) c = spec.at("config");
  }
  if (name == "max_norm" || name == "MaxNorm") {
    c.reject_unknown_keys({"max_value", "axis"}, "MaxNorm");
    return std::make_shared<MaxNorm>(c.get_or("max_value", 2.0), c.get_or<std::int64_t>("axis", 0));
  }
  if (name == "min_max_norm" || name == "MinMaxNorm") {
    c.reject_unknown_keys({"min_value", "max_value", "rate", "axis"}, "MinMaxNorm");
    return std::make_shared<MinMaxNorm>(c.get_or("min_value", 0.0), c.get_or("max_value", 1.0), c.get_or("rate", 1.0),
                                        c.get_or<std::int64_t>("axis", 0));
  }
  if (name == "non_neg" || name == "NonNeg") {
    c.reject_unknown_keys({}, "NonNeg");
    return std::make_shared<NonNeg>();
  }
  if (name == "unit_norm" || name == "UnitNorm") {
    c.reject_unknown_keys({"axis"}, "UnitNorm");
    return std::make_shared<UnitNorm>(c.get_or<std::int64_t>("axis", 0));
  }
  throw ConfigError(spec.where() + "unknown constraint '" + name + "'." +
                    did_you_mean(name, {"max_norm", "min_max_norm", "non_neg", "unit_norm", "MaxNorm", "MinMaxNorm",
                                        "NonNeg", "UnitNorm"}));
}

Config serialize_constraint(const Constraint* c) {
  if (!c) return Config();
  Config s = Config::map();
  s.set("module", "keras.constraints").set("class_name", c->class_name()).set("config", c->get_config());
  s.set("registered_name", Config());
  return s;
}

}  // namespace fathom::layers
