// SPDX-License-Identifier: Apache-2.0
#include "layers/random_state.h"

#include "core/error.h"

namespace fathom::layers {

Config stream_state_config(std::uint64_t seed, std::uint64_t draws) {
  Config c = Config::map();
  c.set("seed", std::to_string(seed)).set("draws", std::to_string(draws));
  return c;
}

random::GeneratorState stream_state_from(const Config& state, const std::string& owner) {
  FATHOM_CHECK(state.is_map() && state.has("seed") && state.has("draws") && state.at("seed").is_string() &&
                   state.at("draws").is_string(),
               ValueError, owner, ": a random state needs seed and draws (decimal strings), received ", state.to_json());
  try {
    return {std::stoull(state.get<std::string>("seed")), std::stoull(state.get<std::string>("draws"))};
  } catch (const std::exception&) {
    throw ValueError(owner + ": a random state's seed and draws must be decimal integers, received " + state.to_json());
  }
}

}  // namespace fathom::layers
