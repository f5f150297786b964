// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/random.h"
#include "core/tensor.h"

namespace fathom::models {

class Model;

/// Fathom's own single-file checkpoint (`.fathom`), what `fathom train` saves until Keras's .h5
/// layout is written. Layout (all integers little-endian):
///   "FATHOM\x01\x00" | u32 format version (1) | u64 n | n bytes of UTF-8 JSON metadata |
///   u64 m | m bytes of tensor data | u32 CRC-32 (zlib's) of every byte before it.
/// The metadata is a map: `model` (layers::serialize_layer, so Sequential and Functional rebuild
/// through the registry), `weights` [{name, dtype, shape, offset, bytes}] in Model::weights()
/// order, optional `optimizer` {config: optimizers::serialize_optimizer, variables: [...]} and
/// optional `training` (whatever the caller passed). Offsets count from the start of the data.
/// Every read error is an IoError naming the path and what is wrong ("checksum mismatch", ...).
inline constexpr std::uint32_t kCheckpointFormatVersion = 1;

/// What a checkpoint holds. Configs are null when the file has no such section.
struct CheckpointContents {
  Config model_config;  // {module, class_name, config, registered_name}
  std::vector<std::pair<std::string, Tensor>> weights;
  Config optimizer_config;  // {module, class_name, config, registered_name}; get_optimizer reads it
  std::vector<std::pair<std::string, Tensor>> optimizer_variables;  // iterations first, then slots
  Config training;
};

/// Writes `model` (config and weights), its optimizer's variables when it is compiled, and
/// `training` (epoch, step, RNG state, ...: any Config; null leaves the section out). Atomic:
/// readers and crashes see the old file or the complete new one.
void save_checkpoint(const std::string& path, const Model& model, const Config& training = {});
/// Reads and validates a whole checkpoint (magic, version, lengths, CRC, JSON, shapes × dtype).
CheckpointContents read_checkpoint(const std::string& path);
/// The model rebuilt from the checkpoint's config, with its weights set (not compiled).
std::unique_ptr<Model> load_model(const std::string& path);
/// Sets `model`'s weights from the file, by position. The count, each weight's short name
/// ("kernel", the part after the last '/') and each shape must match: ValueError (count, names)
/// or ShapeError (naming the weight, the file's shape and the model's); nothing changes then.
void load_weights(Model& model, const std::string& path);
/// Restores the compiled `model`'s optimizer (exact resume): builds its slots for the model's
/// trainable weights, then assigns the saved variables matched by name relative to the
/// optimizer's own name ("iteration", "dense_kernel_momentum", ...). A different optimizer
/// class, a name missing on either side, or a shape mismatch is an error; nothing changes then.
void load_optimizer_state(Model& model, const CheckpointContents& contents);
/// True when the file starts with the checkpoint magic bytes (whatever its extension).
bool is_fathom_checkpoint(const std::string& path);

/// A generator state as a `training` entry {seed, draws}, and back (values above the int64
/// range are written as decimal strings, so that every uint64 survives).
Config generator_state_to_config(const random::GeneratorState& state);
random::GeneratorState generator_state_from_config(const Config& config);

}  // namespace fathom::models
