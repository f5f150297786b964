// SPDX-License-Identifier: Apache-2.0
// The model the callback tests drive: Dense(1) on 2 features, compiled with SGD (rate 0.01) and mse.
#pragma once
#include <memory>

#include "layers/dense.h"
#include "models/sequential.h"

namespace fathom::callbacks::test_support {

inline std::unique_ptr<models::Sequential> tiny_model() {
  auto model = std::make_unique<models::Sequential>();
  layers::Dense::Options dense_options;
  dense_options.units = 1;
  auto dense = std::make_shared<layers::Dense>(dense_options);
  dense->set_declared_input_shape({-1, 2});
  model->add(dense);
  models::CompileOptions compile;
  compile.optimizer = "sgd";
  compile.loss = "mse";
  model->compile(compile);
  return model;
}

}  // namespace fathom::callbacks::test_support
