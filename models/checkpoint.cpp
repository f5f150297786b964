// SPDX-License-Identifier: Apache-2.0
// The .fathom checkpoint: writing (atomic, CRC-32 over everything), reading with every length,
// the checksum and the JSON metadata validated before a tensor is allocated, and restoring a
// model's weights and its optimizer's state. The JSON reader is here because core has none.
#include "models/checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <string_view>

#include "core/json.h"
#include "core/ops.h"
#include "io/atomic_file.h"
#include "layers/registry.h"
#include "models/model.h"
#include "models/sequential.h"
#include "optimizers/optimizer.h"

namespace fathom::models {
namespace {

constexpr char kMagic[8] = {'F', 'A', 'T', 'H', 'O', 'M', '\x01', '\x00'};
constexpr std::uint64_t kHeaderSize = 8 + 4 + 8;           // magic, version, metadata length
constexpr std::uint64_t kMinSize = kHeaderSize + 8 + 4;    // + data length, CRC

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw IoError("cannot read checkpoint '" + path + "': " + what);
}

// Tensor bytes go to the file as they are in memory, and the file is little-endian.
static_assert(std::endian::native == std::endian::little, "the .fathom format code assumes a little-endian host");

std::uint64_t decode_le(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::uint32_t crc_update(std::uint32_t crc, const void* data, std::size_t size) {
  const auto* p = static_cast<const Bytef*>(data);
  while (size > 0) {  // zlib takes 32-bit lengths
    const auto n = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = static_cast<std::uint32_t>(crc32(crc, p, n));
    p += n;
    size -= n;
  }
  return crc;
}

// ~~~ Writing ~~~

/// Forwards to the atomic file and keeps the running CRC of everything written.
struct ChecksummedWriter {
  io::AtomicFile& file;
  std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, nullptr, 0));

  void bytes(const void* data, std::size_t size) {
    crc = crc_update(crc, data, size);
    file.write(data, size);
  }
  void integer(std::uint64_t v, int width) {
    unsigned char buf[8];
    for (int i = 0; i < width; ++i) buf[i] = static_cast<unsigned char>(v >> (8 * i));
    bytes(buf, static_cast<std::size_t>(width));
  }
  void tensor(const Tensor& t) { bytes(t.raw_data(), static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype())); }
};

Config int_list(const Shape& shape) {  // Config(Shape) would write -1 as null; shapes here are concrete
  Config c = Config::list();
  for (std::int64_t d : shape) c.push_back(Config(d));
  return c;
}

/// Describes each variable in the metadata and queues its CPU copy for the data section.
Config describe(const std::vector<Variable>& vars, std::int64_t& offset, TensorList& data) {
  Config list = Config::list();
  for (const Variable& v : vars) {
    Tensor t = v.value().to(Device::cpu()).contiguous();
    const std::int64_t bytes = t.numel() * static_cast<std::int64_t>(dtype_size(t.dtype()));
    Config e = Config::map();
    e.set("name", v.name()).set("dtype", dtype_name(t.dtype())).set("shape", int_list(t.shape()));
    e.set("offset", offset).set("bytes", bytes);
    list.push_back(std::move(e));
    offset += bytes;
    data.push_back(std::move(t));
  }
  return list;
}

// ~~~ Reading ~~~

class CheckpointFile {
 public:
  explicit CheckpointFile(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    if (!in_) throw IoError("cannot read checkpoint '" + path + "': " + std::strerror(errno));
    in_.seekg(0, std::ios::end);
    const std::streamoff end = in_.tellg();
    if (end < 0) throw IoError("cannot read checkpoint '" + path + "': cannot determine its size");
    size_ = static_cast<std::uint64_t>(end);
  }
  std::uint64_t size() const { return size_; }
  void read(std::uint64_t pos, void* dst, std::uint64_t n) {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(pos));
    in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (static_cast<std::uint64_t>(in_.gcount()) != n) {
      corrupt(path_, "read of " + std::to_string(n) + " bytes at byte " + std::to_string(pos) + " failed");
    }
  }
  std::uint64_t integer(std::uint64_t pos, int width) {
    unsigned char buf[8];
    read(pos, buf, static_cast<std::uint64_t>(width));
    return decode_le(buf, width);
  }
  std::uint32_t crc_of_prefix(std::uint64_t end) {
    std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
    std::vector<char> buf(1 << 20);
    for (std::uint64_t pos = 0; pos < end;) {
      const std::uint64_t n = std::min<std::uint64_t>(buf.size(), end - pos);
      read(pos, buf.data(), n);
      crc = crc_update(crc, buf.data(), n);
      pos += n;
    }
    return crc;
  }

 private:
  const std::string& path_;
  std::ifstream in_;
  std::uint64_t size_ = 0;
};

/// "" when the metadata and data lengths in the header account for exactly the file's bytes.
std::string layout_problem(CheckpointFile& f, std::uint64_t meta_len, std::uint64_t& data_len) {
  const std::uint64_t size = f.size();
  if (meta_len > size - kMinSize) {
    return "the metadata length (" + std::to_string(meta_len) + " bytes) runs past the end of the file (" +
           std::to_string(size) + " bytes)";
  }
  data_len = f.integer(kHeaderSize + meta_len, 8);
  if (data_len != size - kMinSize - meta_len) {
    return "the header describes " + std::to_string(meta_len) + " bytes of metadata and " + std::to_string(data_len) +
           " of data, but the file has " + std::to_string(size) + " bytes in all";
  }
  return "";
}

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

/// Validates one list of tensor entries and reads their bytes. `end` is where the previous
/// tensor ended: tensors lie in order, without overlap, inside the data section.
NamedTensors read_tensors(const std::string& path, const Config& list, const std::string& section, CheckpointFile& f,
                          std::uint64_t data_start, std::uint64_t data_len, std::uint64_t& end) {
  if (!list.is_list()) corrupt(path, "`" + section + "` must be a list");
  NamedTensors out;
  for (std::size_t i = 0; i < list.items().size(); ++i) {
    const Config& e = list.items()[i];
    std::string where = section + "[" + std::to_string(i) + "]";
    auto need = [&](bool ok, const std::string& what) {
      if (!ok) corrupt(path, where + ": " + what);
    };
    auto count = [&](const char* key) {  // a non-negative integer field
      need(e.has(key) && e.at(key).kind() == Config::Kind::kInt && e.at(key).as_int() >= 0,
           std::string("`") + key + "` must be a non-negative integer");
      return static_cast<std::uint64_t>(e.at(key).as_int());
    };
    need(e.is_map() && e.has("name") && e.at("name").is_string(), "expected {name, dtype, shape, offset, bytes}");
    where += " '" + e.at("name").as_string() + "'";
    need(e.has("dtype") && e.at("dtype").is_string(), "`dtype` must be a string");
    DType dtype{};
    try {
      dtype = dtype_from_name(e.at("dtype").as_string());
    } catch (const ValueError& err) {
      need(false, err.message());
    }
    need(e.has("shape") && e.at("shape").is_list(), "`shape` must be a list of integers");
    Shape shape;
    std::uint64_t expected = dtype_size(dtype);
    for (const Config& d : e.at("shape").items()) {
      need(d.kind() == Config::Kind::kInt && d.as_int() >= 0, "`shape` must be a list of non-negative integers");
      shape.push_back(d.as_int());
      const bool overflow = __builtin_mul_overflow(expected, static_cast<std::uint64_t>(d.as_int()), &expected);
      need(!overflow, "the shape is too large");
    }
    const std::uint64_t offset = count("offset"), bytes = count("bytes");
    need(bytes == expected, "shape " + shape_to_string(shape) + " of " + dtype_name(dtype) + " needs " +
                                std::to_string(expected) + " bytes, the entry says " + std::to_string(bytes));
    need(offset >= end && offset <= data_len && bytes <= data_len - offset,
         "bytes [" + std::to_string(offset) + ", " + std::to_string(offset + bytes) +
             ") overlap the previous tensor or lie outside the data section (" + std::to_string(data_len) + " bytes)");
    Tensor t = Tensor::empty(shape, dtype);
    if (bytes > 0) f.read(data_start + offset, t.raw_data(), bytes);
    out.emplace_back(e.at("name").as_string(), std::move(t));
    end = offset + bytes;
  }
  return out;
}

std::string short_name(const std::string& name) { return name.substr(name.rfind('/') + 1); }

/// Checks `saved` against the model's weights (count, short names, shapes), then sets them all.
void assign_weights(Model& model, const NamedTensors& saved, const std::string& path) {
  const std::vector<Variable> vars = model.weights();
  const std::string who = model.class_name() + " '" + model.name() + "'";
  FATHOM_CHECK(saved.size() == vars.size(), ValueError, who, ": checkpoint '", path, "' holds ", saved.size(),
               " weights, the model has ", vars.size(), "; nothing was changed");
  std::vector<Tensor> values;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const auto& [name, value] = saved[i];
    FATHOM_CHECK(short_name(name) == short_name(vars[i].name()), ValueError, who, ": weight ", i, " is '",
                 vars[i].name(), "' in the model but '", name, "' in checkpoint '", path, "'; nothing was changed");
    FATHOM_CHECK(value.shape() == vars[i].shape(), ShapeError, who, ": weight '", vars[i].name(), "' has shape ",
                 shape_to_string(value.shape()), " in checkpoint '", path, "' but ", shape_to_string(vars[i].shape()),
                 " in the model; nothing was changed");
    values.push_back(value);
  }
  model.set_weights(values);
}

/// `name` without the leading "<optimizer name>/", so that "adam/iteration" and
/// "adam_1/iteration" match.
std::string relative_name(const std::string& name, const std::string& optimizer_name) {
  const std::string prefix = optimizer_name + "/";
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

/// A uint64 as a Config: an int where it fits, else a decimal string (Config ints are int64).
Config u64_config(std::uint64_t v) {
  const bool fits = v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return fits ? Config(static_cast<std::int64_t>(v)) : Config(std::to_string(v));
}

std::uint64_t u64_field(const Config& c, const std::string& key) {
  const Config& v = c.at(key);
  if (v.kind() == Config::Kind::kInt && v.as_int() >= 0) return static_cast<std::uint64_t>(v.as_int());
  std::uint64_t out = 0;
  const std::string s = v.is_string() ? v.as_string() : "";
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  FATHOM_CHECK(!s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size(), ConfigError, v.where(),
               "generator state: `", key, "` must be a non-negative integer. Received: ", v.to_json());
  return out;
}

}  // namespace

void save_checkpoint(const std::string& path, const Model& model, const Config& training) {
  std::int64_t offset = 0;
  TensorList data;
  Config meta = Config::map();
  meta.set("model", layers::serialize_layer(model));
  meta.set("weights", describe(model.weights(), offset, data));
  if (const optimizers::Optimizer* opt = model.optimizer()) {
    Config o = Config::map();
    o.set("config", optimizers::serialize_optimizer(*opt));
    o.set("variables", describe(opt->variables(), offset, data));
    meta.set("optimizer", std::move(o));
  }
  if (!training.is_null()) meta.set("training", training);
  const std::string json = meta.to_json();

  io::AtomicFile file(path);
  ChecksummedWriter out{file};
  out.bytes(kMagic, sizeof kMagic);
  out.integer(kCheckpointFormatVersion, 4);
  out.integer(json.size(), 8);
  out.bytes(json.data(), json.size());
  out.integer(static_cast<std::uint64_t>(offset), 8);
  for (const Tensor& t : data) out.tensor(t);
  const std::uint32_t crc = out.crc;
  out.integer(crc, 4);
  file.commit();
}

CheckpointContents read_checkpoint(const std::string& path) {
  CheckpointFile f(path);
  const std::uint64_t size = f.size();
  char magic[8] = {};
  if (size >= sizeof magic) f.read(0, magic, sizeof magic);
  if (size < sizeof magic || std::memcmp(magic, kMagic, sizeof magic) != 0) {
    corrupt(path, "not a Fathom checkpoint (it does not start with the bytes \"FATHOM\\x01\\x00\")");
  }
  if (size < kMinSize) {
    corrupt(path, "truncated: " + std::to_string(size) + " bytes, a checkpoint has at least " +
                      std::to_string(kMinSize));
  }

  // Magic and version are the one layout every version shares; the rest may change with it.
  const auto version = static_cast<std::uint32_t>(f.integer(8, 4));
  if (version != kCheckpointFormatVersion) {
    corrupt(path, "format version " + std::to_string(version) + " is not supported (this build reads version " +
                      std::to_string(kCheckpointFormatVersion) + "; a newer Fathom wrote it, or the file is corrupt)");
  }
  // The checksum before the lengths, so that a flipped length reads as corruption, not as a bad length.
  const std::uint64_t meta_len = f.integer(12, 8);
  std::uint64_t data_len = 0;
  const std::string layout = layout_problem(f, meta_len, data_len);
  const auto stored = static_cast<std::uint32_t>(f.integer(size - 4, 4));
  const std::uint32_t computed = f.crc_of_prefix(size - 4);
  if (stored != computed) {
    corrupt(path, "checksum mismatch (stored " + hex(stored) + ", computed " + hex(computed) +
                      "): the file is corrupt" + (layout.empty() ? "" : " or truncated; " + layout));
  }
  if (!layout.empty()) corrupt(path, layout);

  std::string json(meta_len, '\0');
  f.read(kHeaderSize, json.data(), meta_len);
  Config meta;
  try {
    meta = parse_json(json, "metadata");
  } catch (const ConfigError& e) {
    corrupt(path, std::string("the metadata is not valid JSON: ") + e.what());
  }
  if (!meta.is_map()) corrupt(path, "the metadata must be a JSON object");
  if (!meta.has("model") || !meta.at("model").is_map() || !meta.at("model").has("class_name")) {
    corrupt(path, "the metadata has no model config ({class_name, config})");
  }
  if (!meta.has("weights")) corrupt(path, "the metadata has no `weights` list");

  CheckpointContents out;
  const std::uint64_t data_start = kHeaderSize + meta_len + 8;
  std::uint64_t end = 0;
  out.model_config = meta.at("model");
  out.weights = read_tensors(path, meta.at("weights"), "weights", f, data_start, data_len, end);
  if (meta.has("optimizer")) {
    const Config& o = meta.at("optimizer");
    if (!o.is_map() || !o.has("config") || !o.at("config").is_map() || !o.has("variables")) {
      corrupt(path, "`optimizer` must be {config, variables}");
    }
    out.optimizer_config = o.at("config");
    out.optimizer_variables =
        read_tensors(path, o.at("variables"), "optimizer.variables", f, data_start, data_len, end);
  }
  if (meta.has("training")) out.training = meta.at("training");
  return out;
}

std::unique_ptr<Model> load_model(const std::string& path) {
  const CheckpointContents contents = read_checkpoint(path);
  register_model_classes();
  try {
    std::unique_ptr<layers::Layer> layer = layers::layer_from_config(contents.model_config);
    FATHOM_CHECK(dynamic_cast<Model*>(layer.get()) != nullptr, IoError, "checkpoint '", path,
                 "' describes a ", layer->class_name(), " layer, not a model");
    std::unique_ptr<Model> model(static_cast<Model*>(layer.release()));
    assign_weights(*model, contents.weights, path);
    return model;
  } catch (Error& e) {
    e.add_context("while loading the model of checkpoint '" + path + "'");
    throw;
  }
}

void load_weights(Model& model, const std::string& path) {
  const CheckpointContents contents = read_checkpoint(path);
  assign_weights(model, contents.weights, path);
}

void load_optimizer_state(Model& model, const CheckpointContents& contents) {
  const std::string who = model.class_name() + " '" + model.name() + "'";
  optimizers::Optimizer* opt = model.optimizer();
  FATHOM_CHECK(opt != nullptr, ValueError, who, ": load_optimizer_state needs a compiled model; call compile() first");
  const Config& config = contents.optimizer_config;
  FATHOM_CHECK(config.is_map(), ValueError, who, ": the checkpoint holds no optimizer state");
  const std::string saved_class = config.get_or<std::string>("class_name", "");
  FATHOM_CHECK(saved_class == opt->class_name(), ValueError, who, ": the checkpoint holds the state of a ", saved_class,
               " optimizer, the model's optimizer is ", opt->class_name());
  const Config& inner = config.has("config") && config.at("config").is_map() ? config.at("config") : Config::map();
  const std::string saved_name = inner.get_or<std::string>("name", "");

  std::map<std::string, const Tensor*> saved;
  for (const auto& [name, value] : contents.optimizer_variables) {
    FATHOM_CHECK(saved.emplace(relative_name(name, saved_name), &value).second, ValueError, who,
                 ": the checkpoint lists optimizer variable '", name, "' twice");
  }
  // Slots are built only when the saved optimizer had them (one that never stepped has none).
  if (contents.optimizer_variables.size() > 1) opt->build(model.trainable_weights());
  const std::vector<Variable> vars = opt->variables();
  std::vector<Tensor> values;
  for (const Variable& v : vars) {
    const auto it = saved.find(relative_name(v.name(), opt->name()));
    FATHOM_CHECK(it != saved.end(), ValueError, who, ": optimizer variable '", v.name(),
                 "' is not in the checkpoint; nothing was changed");
    const Tensor& value = *it->second;
    FATHOM_CHECK(value.shape() == v.shape(), ShapeError, who, ": optimizer variable '", v.name(), "' has shape ",
                 shape_to_string(value.shape()), " in the checkpoint but ", shape_to_string(v.shape()),
                 " in the optimizer; nothing was changed");
    values.push_back(value.dtype() == v.dtype() ? value : ops::cast(value, v.dtype()));
    saved.erase(it);
  }
  FATHOM_CHECK(saved.empty(), ValueError, who, ": the checkpoint has optimizer variable '",
               saved.empty() ? "" : saved.begin()->first, "', the model's optimizer does not; nothing was changed");
  for (std::size_t i = 0; i < vars.size(); ++i) {
    Variable v = vars[i];
    v.assign(values[i]);
  }
}

bool is_fathom_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[sizeof kMagic] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == sizeof magic && std::memcmp(magic, kMagic, sizeof magic) == 0;
}

Config generator_state_to_config(const random::GeneratorState& state) {
  Config c = Config::map();
  c.set("seed", u64_config(state.seed)).set("draws", u64_config(state.draws));
  return c;
}

random::GeneratorState generator_state_from_config(const Config& config) {
  FATHOM_CHECK(config.is_map(), ConfigError, config.where(), "generator state: expected {seed, draws}, received ",
               config.to_json());
  return {u64_field(config, "seed"), u64_field(config, "draws")};
}

}  // namespace fathom::models
