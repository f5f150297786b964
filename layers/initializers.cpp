// SPDX-License-Identifier: Apache-2.0
// Keras's initializers (keras/src/initializers): same names, defaults and formulas.
#include "layers/initializers.h"

#include <cmath>
#include <functional>
#include <map>

#include "core/ops.h"

namespace fathom::layers {

std::pair<double, double> compute_fans(const Shape& shape) {
  if (shape.empty()) return {1, 1};
  if (shape.size() == 1) return {static_cast<double>(shape[0]), static_cast<double>(shape[0])};
  if (shape.size() == 2) return {static_cast<double>(shape[0]), static_cast<double>(shape[1])};
  double receptive = 1;
  for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= static_cast<double>(shape[i]);
  return {static_cast<double>(shape[shape.size() - 2]) * receptive, static_cast<double>(shape.back()) * receptive};
}

namespace {

random::Seed seed_of(const std::optional<std::uint64_t>& seed) {
  return seed ? random::Seed(*seed) : random::Seed();
}

Config seed_config(const std::optional<std::uint64_t>& seed) {
  return seed ? Config(static_cast<std::int64_t>(*seed)) : Config();
}

std::optional<std::uint64_t> parse_seed(const Config& c) {
  if (!c.has("seed") || c.at("seed").is_null()) return std::nullopt;
  return static_cast<std::uint64_t>(c.get<std::int64_t>("seed"));
}

class Constant final : public Initializer {
 public:
  Constant(std::string name, double value) : name_(std::move(name)), value_(value) {}
  std::string class_name() const override { return name_; }
  Tensor operator()(const Shape& shape, DType dtype) const override { return Tensor::full(shape, value_, dtype); }
  Config get_config() const override {
    Config c = Config::map();
    if (name_ == "Constant") c.set("value", value_);
    return c;
  }

 private:
  std::string name_;
  double value_;
};

enum class Distribution { kTruncatedNormal, kUntruncatedNormal, kUniform };

/// Keras's VarianceScaling, which the glorot/he/lecun initializers specialise.
class VarianceScaling final : public Initializer {
 public:
  VarianceScaling(std::string name, double scale, std::string mode, Distribution dist, std::optional<std::uint64_t> seed)
      : name_(std::move(name)), scale_(scale), mode_(std::move(mode)), dist_(dist), seed_(seed) {
    FATHOM_CHECK(scale_ > 0, ValueError, name_, ": scale must be positive. Received: scale=", scale_);
    FATHOM_CHECK(mode_ == "fan_in" || mode_ == "fan_out" || mode_ == "fan_avg", ValueError, name_,
                 ": mode must be fan_in, fan_out or fan_avg. Received: mode=", mode_);
  }
  std::string class_name() const override { return name_; }
  Tensor operator()(const Shape& shape, DType dtype) const override {
    const auto [fan_in, fan_out] = compute_fans(shape);
    const double n = mode_ == "fan_in" ? fan_in : mode_ == "fan_out" ? fan_out : (fan_in + fan_out) / 2;
    const double variance = scale_ / std::max(1.0, n);
    switch (dist_) {
      case Distribution::kTruncatedNormal:
        // 0.879... is the stddev of a standard normal truncated to [-2, 2].
        return random::truncated_normal(shape, 0, std::sqrt(variance) / 0.87962566103423978, dtype, seed_of(seed_));
      case Distribution::kUntruncatedNormal:
        return random::normal(shape, 0, std::sqrt(variance), dtype, seed_of(seed_));
      case Distribution::kUniform: {
        const double limit = std::sqrt(3.0 * variance);
        return random::uniform(shape, -limit, limit, dtype, seed_of(seed_));
      }
    }
    throw ValueError(name_ + ": unknown distribution");
  }
  Config get_config() const override {
    Config c = Config::map();
    if (name_ == "VarianceScaling") {
      c.set("scale", scale_).set("mode", mode_);
      c.set("distribution", dist_ == Distribution::kUniform ? "uniform"
                            : dist_ == Distribution::kTruncatedNormal ? "truncated_normal" : "untruncated_normal");
    }
    c.set("seed", seed_config(seed_));
    return c;
  }

 private:
  std::string name_;
  double scale_;
  std::string mode_;
  Distribution dist_;
  std::optional<std::uint64_t> seed_;
};

class RandomDistribution final : public Initializer {
 public:
  RandomDistribution(std::string name, double a, double b, std::optional<std::uint64_t> seed)
      : name_(std::move(name)), a_(a), b_(b), seed_(seed) {}
  std::string class_name() const override { return name_; }
  Tensor operator()(const Shape& shape, DType dtype) const override {
    if (name_ == "RandomUniform") return random::uniform(shape, a_, b_, dtype, seed_of(seed_));
    if (name_ == "RandomNormal") return random::normal(shape, a_, b_, dtype, seed_of(seed_));
    return random::truncated_normal(shape, a_, b_, dtype, seed_of(seed_));
  }
  Config get_config() const override {
    Config c = Config::map();
    if (name_ == "RandomUniform") {
      c.set("minval", a_).set("maxval", b_);
    } else {
      c.set("mean", a_).set("stddev", b_);
    }
    c.set("seed", seed_config(seed_));
    return c;
  }

 private:
  std::string name_;
  double a_, b_;
  std::optional<std::uint64_t> seed_;
};

/// Keras's Orthogonal: QR of a normal matrix (rows >= cols after a transpose), sign-corrected
/// by the diagonal of R, times gain. Gram-Schmidt in double precision.
class Orthogonal final : public Initializer {
 public:
  Orthogonal(double gain, std::optional<std::uint64_t> seed) : gain_(gain), seed_(seed) {}
  std::string class_name() const override { return "Orthogonal"; }
  Tensor operator()(const Shape& shape, DType dtype) const override {
    FATHOM_CHECK(shape.size() >= 2, ShapeError, "Orthogonal: needs a shape of rank >= 2, received ",
                 shape_to_string(shape));
    const std::int64_t cols = shape.back();
    const std::int64_t rows = shape_numel(shape) / cols;
    const std::int64_t r = std::max(rows, cols), c = std::min(rows, cols);
    auto a = random::normal({r, c}, 0, 1, DType::kFloat64, seed_of(seed_)).to_vector<double>();
    // Modified Gram-Schmidt on the columns of a [r, c]; q keeps unit columns, d the signs of R.
    for (std::int64_t j = 0; j < c; ++j) {
      for (std::int64_t k = 0; k < j; ++k) {
        double dot = 0;
        for (std::int64_t i = 0; i < r; ++i) dot += a[i * c + k] * a[i * c + j];
        for (std::int64_t i = 0; i < r; ++i) a[i * c + j] -= dot * a[i * c + k];
      }
      double norm = 0;
      for (std::int64_t i = 0; i < r; ++i) norm += a[i * c + j] * a[i * c + j];
      norm = std::sqrt(norm);
      for (std::int64_t i = 0; i < r; ++i) a[i * c + j] /= norm;  // R's diagonal is +norm
    }
    Tensor q = Tensor::from_vector(a, {r, c});
    if (rows < cols) q = ops::transpose(q);
    return ops::cast(ops::mul(ops::reshape(q.contiguous(), shape), gain_), dtype);
  }
  Config get_config() const override {
    Config c = Config::map();
    c.set("gain", gain_).set("seed", seed_config(seed_));
    return c;
  }

 private:
  double gain_;
  std::optional<std::uint64_t> seed_;
};

class Identity final : public Initializer {
 public:
  explicit Identity(double gain) : gain_(gain) {}
  std::string class_name() const override { return "Identity"; }
  Tensor operator()(const Shape& shape, DType dtype) const override {
    FATHOM_CHECK(shape.size() == 2, ShapeError, "Identity: needs a 2-D shape, received ", shape_to_string(shape));
    Tensor t = Tensor::zeros(shape, DType::kFloat64);
    double* p = t.data<double>();
    for (std::int64_t i = 0; i < std::min(shape[0], shape[1]); ++i) p[i * shape[1] + i] = gain_;
    return ops::cast(t, dtype);
  }
  Config get_config() const override {
    Config c = Config::map();
    c.set("gain", gain_);
    return c;
  }

 private:
  double gain_;
};

using Factory = std::function<std::shared_ptr<Initializer>(const Config&)>;

/// Keras 3.15 writes input_axes/output_axes (for einsum kernels) into every VarianceScaling
/// config; null is the default and the only value Fathom's layers need.
void check_axes_keys(const Config& c, const char* name) {
  for (const char* key : {"input_axes", "output_axes"}) {
    FATHOM_CHECK(!c.has(key) || c.at(key).is_null(), ConfigError, c.where(), name, ": ", key,
                 " is not supported (only null)");
  }
}

std::shared_ptr<Initializer> scaling(const char* name, double scale, const char* mode, Distribution d, const Config& c) {
  c.reject_unknown_keys({"seed", "input_axes", "output_axes"}, name);
  check_axes_keys(c, name);
  return std::make_shared<VarianceScaling>(name, scale, mode, d, parse_seed(c));
}

/// class name -> factory; snake_case aliases map onto these.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = {
      {"GlorotUniform", [](const Config& c) { return scaling("GlorotUniform", 1, "fan_avg", Distribution::kUniform, c); }},
      {"GlorotNormal", [](const Config& c) { return scaling("GlorotNormal", 1, "fan_avg", Distribution::kTruncatedNormal, c); }},
      {"HeUniform", [](const Config& c) { return scaling("HeUniform", 2, "fan_in", Distribution::kUniform, c); }},
      {"HeNormal", [](const Config& c) { return scaling("HeNormal", 2, "fan_in", Distribution::kTruncatedNormal, c); }},
      {"LecunUniform", [](const Config& c) { return scaling("LecunUniform", 1, "fan_in", Distribution::kUniform, c); }},
      {"LecunNormal", [](const Config& c) { return scaling("LecunNormal", 1, "fan_in", Distribution::kTruncatedNormal, c); }},
      {"VarianceScaling",
       [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({"scale", "mode", "distribution", "seed", "input_axes", "output_axes"}, "VarianceScaling");
         check_axes_keys(c, "VarianceScaling");
         const std::string d = c.get_or<std::string>("distribution", "truncated_normal");
         FATHOM_CHECK(d == "truncated_normal" || d == "untruncated_normal" || d == "normal" || d == "uniform", ConfigError,
                      c.where(), "VarianceScaling: distribution must be truncated_normal, untruncated_normal or "
                      "uniform. Received: distribution=", d);
         const Distribution dist = d == "uniform" ? Distribution::kUniform
                                   : d == "untruncated_normal" ? Distribution::kUntruncatedNormal
                                                               : Distribution::kTruncatedNormal;
         return std::make_shared<VarianceScaling>("VarianceScaling", c.get_or("scale", 1.0),
                                                  c.get_or<std::string>("mode", "fan_in"), dist, parse_seed(c));
       }},
      {"RandomNormal",
       [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({"mean", "stddev", "seed"}, "RandomNormal");
         return std::make_shared<RandomDistribution>("RandomNormal", c.get_or("mean", 0.0), c.get_or("stddev", 0.05), parse_seed(c));
       }},
      {"TruncatedNormal",
       [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({"mean", "stddev", "seed"}, "TruncatedNormal");
         return std::make_shared<RandomDistribution>("TruncatedNormal", c.get_or("mean", 0.0), c.get_or("stddev", 0.05), parse_seed(c));
       }},
      {"RandomUniform",
       [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({"minval", "maxval", "seed"}, "RandomUniform");
         return std::make_shared<RandomDistribution>("RandomUniform", c.get_or("minval", -0.05), c.get_or("maxval", 0.05), parse_seed(c));
       }},
      {"Zeros", [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({}, "Zeros");
         return std::make_shared<Constant>("Zeros", 0.0);
       }},
      {"Ones", [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({}, "Ones");
         return std::make_shared<Constant>("Ones", 1.0);
       }},
      {"Constant", [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({"value"}, "Constant");
         return std::make_shared<Constant>("Constant", c.get_or("value", 0.0));
       }},
      {"Orthogonal", [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({"gain", "seed"}, "Orthogonal");
         return std::make_shared<Orthogonal>(c.get_or("gain", 1.0), parse_seed(c));
       }},
      {"Identity", [](const Config& c) -> std::shared_ptr<Initializer> {
         c.reject_unknown_keys({"gain"}, "Identity");
         return std::make_shared<Identity>(c.get_or("gain", 1.0));
       }},
  };
  return table;
}

const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> table = {
      {"glorot_uniform", "GlorotUniform"}, {"glorot_normal", "GlorotNormal"}, {"he_uniform", "HeUniform"},
      {"he_normal", "HeNormal"}, {"lecun_uniform", "LecunUniform"}, {"lecun_normal", "LecunNormal"},
      {"variance_scaling", "VarianceScaling"}, {"random_normal", "RandomNormal"}, {"random_uniform", "RandomUniform"},
      {"normal", "RandomNormal"}, {"uniform", "RandomUniform"},  // Keras's short aliases (Embedding's default)
      {"truncated_normal", "TruncatedNormal"}, {"zeros", "Zeros"}, {"zero", "Zeros"}, {"ones", "Ones"}, {"one", "Ones"},
      {"constant", "Constant"}, {"orthogonal", "Orthogonal"}, {"identity", "Identity"},
  };
  return table;
}

}  // namespace

std::vector<std::string> registered_initializers() {
  std::vector<std::string> names;
  for (const auto& [k, v] : factories()) names.push_back(k);
  for (const auto& [k, v] : aliases()) names.push_back(k);
  return names;
}

std::shared_ptr<Initializer> get_initializer(const Config& spec) {
  std::string name;
  Config config = Config::map();
  if (spec.is_string()) {
    name = spec.as_string();
  } else if (spec.is_map()) {
    // shared_object_id: Keras 3's marker for an object used by several layers (each gets its own here).
    spec.reject_unknown_keys({"class_name", "config", "module", "registered_name", "shared_object_id"}, "initializer");
    name = spec.get<std::string>("class_name");
    if (spec.has("config") && !spec.at("config").is_null()) config = spec.at("config");
    if (config.is_map() && config.has("dtype")) {  // tf.keras 2.x writes the initializer's dtype
      const Config& dtype = config.at("dtype");
      FATHOM_CHECK(dtype.is_null() || (dtype.is_string() && dtype.as_string() == "float32"), ConfigError,
                   config.where_of("dtype"), "initializer ", name, ": dtype ", dtype.to_json(),
                   " is not supported; Fathom's weights are float32");
      config.erase("dtype");
    }
  } else {
    throw ConfigError(spec.where() + "initializer: expected a name or {class_name, config}, received " +
                      Config::kind_name(spec.kind()));
  }
  if (auto a = aliases().find(name); a != aliases().end()) name = a->second;
  auto f = factories().find(name);
  if (f == factories().end()) {
    throw ConfigError(spec.where() + "unknown initializer '" + name + "'." + did_you_mean(name, registered_initializers()));
  }
  return f->second(config);
}

Config serialize_initializer(const Initializer& init) {
  Config c = Config::map();
  c.set("module", "keras.initializers").set("class_name", init.class_name()).set("config", init.get_config());
  c.set("registered_name", Config());
  return c;
}

}  // namespace fathom::layers
