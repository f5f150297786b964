// SPDX-License-Identifier: Apache-2.0
#include "apps/commands/run_setup.h"

#include <cmath>

#include "configs/model_builder.h"
#include "configs/overrides.h"
#include "configs/yaml_config.h"
#include "core/autograd/recorder.h"
#include "core/ops.h"

namespace fathom::apps {

std::vector<Shape> input_shapes_of(const io::LoadedData& data) {
  std::vector<Shape> shapes;
  for (const Tensor& x : data.x) {
    Shape s = x.shape();
    s[0] = -1;
    shapes.push_back(s);
  }
  return shapes;
}

namespace {

std::optional<io::LoadedData> optional_source(const Config& data, const char* role) {
  if (!data.has(role) || data.at(role).is_null()) return std::nullopt;
  return io::load_data_source(data.at(role), role);
}

void dry_run(RunSetup& s, const io::LoadedData& data, const std::string& role) {
  autograd::NoRecordGuard no_record;
  TensorList x, y;
  const std::int64_t n = std::min<std::int64_t>(2, data.x.at(0).shape()[0]);
  for (const Tensor& t : data.x) x.push_back(ops::slice_axis(t, 0, 0, n));
  for (const Tensor& t : data.y) y.push_back(ops::slice_axis(t, 0, 0, n));
  try {
    FATHOM_CHECK(x.size() == s.model->built_input_shapes().size(), ShapeError, role, " gives ", x.size(),
                 " input array(s), the model takes ", s.model->built_input_shapes().size());
    if (y.empty()) {
      s.model->call_model(x, false);
    } else {
      s.model->test_on_batch(x, y);
    }
  } catch (Error& e) {
    e.add_context(s.run.model.where() + "the model does not fit " + role + " (" + data.description + ")");
    throw;
  }
}

/// The fit options that depend on the data, checked before anything is written.
void check_fit_against_data(const RunSetup& s) {
  const Config& fit = s.run.fit;
  const std::int64_t n = s.train.x.at(0).shape()[0];
  const double split = fit.at("validation_split").as_double();
  if (split > 0) {
    const auto kept = static_cast<std::int64_t>(std::floor(static_cast<double>(n) * (1.0 - split)));
    FATHOM_CHECK(kept > 0 && kept < n, ConfigError, fit.at("validation_split").where(), "fit.validation_split: ",
                 fit.at("validation_split").to_json(), " of ", n, " training samples leaves ", kept, " for training and ",
                 n - kept, " for validation; both need at least one");
  }
  FATHOM_CHECK(fit.at("class_weight").is_null() || s.train.y.size() == 1, ConfigError, fit.at("class_weight").where(),
               "fit.class_weight needs a model with one output");
}

}  // namespace

RunSetup set_up_run(const std::string& config_path, const std::vector<std::string>& overrides) {
  Config root = configs::load_yaml_file(config_path);
  for (const std::string& assignment : overrides) configs::apply_override(root, assignment);
  RunSetup s{configs::parse_run_config(root, config_path), {}, std::nullopt, std::nullopt, nullptr};
  // Every unseeded random choice (initializers, dropout, shuffling) follows from the run's seed.
  random::set_global_seed(static_cast<std::uint64_t>(s.run.fit.at("seed").as_int()));
  s.train = io::load_data_source(s.run.data.at("train"), "train");
  s.validation = optional_source(s.run.data, "validation");
  s.test = optional_source(s.run.data, "test");
  s.model = configs::make_model(s.run.model, input_shapes_of(s.train));
  try {
    s.model->compile(configs::compile_options(s.run));
  } catch (Error& e) {
    e.add_context(s.run.compile.where() + "compile");
    throw;
  }
  check_fit_against_data(s);
  // A forward pass and the loss on two samples of every data set: shape errors between the
  // model, the data and the loss surface now, with the config's locations, instead of after
  // the run folder exists.
  dry_run(s, s.train, "data.train");
  if (s.validation) dry_run(s, *s.validation, "data.validation");
  if (s.test) dry_run(s, *s.test, "data.test");
  return s;
}

}  // namespace fathom::apps
