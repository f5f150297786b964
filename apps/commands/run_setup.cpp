// SPDX-License-Identifier: Apache-2.0
#include "apps/commands/run_setup.h"

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

}  // namespace

RunSetup set_up_run(const std::string& config_path, const std::vector<std::string>& overrides, bool need_train) {
  Config root = configs::load_yaml_file(config_path);
  for (const std::string& assignment : overrides) configs::apply_override(root, assignment);
  RunSetup s{configs::parse_run_config(root, config_path), {}, std::nullopt, std::nullopt, nullptr};
  (void)need_train;
  // Every unseeded random choice (initializers, dropout, shuffling) follows from the run's seed.
  random::set_global_seed(static_cast<std::uint64_t>(s.run.fit.at("seed").as_int()));
  s.train = io::load_data_source(s.run.data.at("train"), "train");
  s.validation = optional_source(s.run.data, "validation");
  s.test = optional_source(s.run.data, "test");
  s.model = configs::make_model(s.run.model, input_shapes_of(s.train));
  s.model->compile(configs::compile_options(s.run));
  // One forward pass and loss on two samples: shape errors between the model, the data and the
  // loss surface now, with the config's locations, instead of after the run folder exists.
  autograd::NoRecordGuard no_record;
  TensorList x, y;
  const std::int64_t n = std::min<std::int64_t>(2, s.train.x.at(0).shape()[0]);
  for (const Tensor& t : s.train.x) x.push_back(ops::slice_axis(t, 0, 0, n));
  for (const Tensor& t : s.train.y) y.push_back(ops::slice_axis(t, 0, 0, n));
  try {
    if (y.empty()) {
      s.model->call_model(x, false);
    } else {
      s.model->test_on_batch(x, y);
    }
  } catch (Error& e) {
    e.add_context(s.run.model.where() + "the model does not fit data.train (" + s.train.description + ")");
    throw;
  }
  return s;
}

}  // namespace fathom::apps
