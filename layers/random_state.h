// SPDX-License-Identifier: Apache-2.0
// The random-stream state of stochastic layers (Dropout, noise, RNN dropout) as a Config, for
// Layer::random_state / set_random_state (exact resume). Seeds and counts are written as decimal
// strings so that every uint64 survives a JSON round trip.
#pragma once
#include <cstdint>
#include <string>

#include "core/config.h"
#include "core/random.h"

namespace fathom::layers {

Config stream_state_config(std::uint64_t seed, std::uint64_t draws);
/// {seed, draws} back; ValueError naming `owner` for a malformed state.
random::GeneratorState stream_state_from(const Config& state, const std::string& owner);

}  // namespace fathom::layers
