// SPDX-License-Identifier: Apache-2.0
#include "optimizers/adamw.h"

#include "optimizers/internal.h"

namespace fathom::optimizers {

BaseOptions AdamW::with_default_weight_decay(BaseOptions base) {
  if (!base.weight_decay) base.weight_decay = 0.004;
  return base;
}

AdamW::AdamW(Options options, BaseOptions base)
    : Adam(options, with_default_weight_decay(std::move(base)), "adamw") {}

std::unique_ptr<Optimizer> AdamW::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys(own_keys()), "AdamW");
  FATHOM_CHECK(!config.has("weight_decay") || !config.at("weight_decay").is_null(), ConfigError,
               config.where(),
               "AdamW: argument `weight_decay` must be a float. Received: weight_decay=None");
  BaseOptions base = parse_base_options(config, 0.001, "AdamW");
  const Options o = parse_options(config);
  return detail::construct_from_config(config, [&] { return std::make_unique<AdamW>(o, base); });
}

}  // namespace fathom::optimizers
