// SPDX-License-Identifier: Apache-2.0
#include "layers/registry.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "layers/activation.h"
#include "layers/activation_layers.h"
#include "layers/batch_normalization.h"
#include "layers/bidirectional.h"
#include "layers/conv1d.h"
#include "layers/conv2d.h"
#include "layers/conv2d_transpose.h"
#include "layers/dense.h"
#include "layers/depthwise_conv2d.h"
#include "layers/embedding.h"
#include "layers/global_pooling.h"
#include "layers/group_normalization.h"
#include "layers/gru.h"
#include "layers/input_layer.h"
#include "layers/layer_normalization.h"
#include "layers/lstm.h"
#include "layers/masking.h"
#include "layers/merging.h"
#include "layers/multi_head_attention.h"
#include "layers/noise.h"
#include "layers/padding_cropping.h"
#include "layers/pooling1d.h"
#include "layers/pooling2d.h"
#include "layers/preprocessing.h"
#include "layers/reshaping.h"
#include "layers/separable_conv2d.h"
#include "layers/simple_rnn.h"
#include "layers/time_distributed.h"
#include "layers/unit_normalization.h"
#include "layers/upsampling.h"

namespace fathom::layers {
namespace {

using Kind = ElementwiseMerge::Kind;
using GPool = GlobalPooling::Kind;


std::map<std::string, LayerFactory> builtin_table() {
  return {
      {"InputLayer", &InputLayer::from_config},
      {"Dense", &Dense::from_config},
      {"Activation", &Activation::from_config},
      {"Dropout", &Dropout::from_config},
      {"Flatten", &Flatten::from_config},
      {"Reshape", &Reshape::from_config},
      {"Permute", &Permute::from_config},
      {"RepeatVector", &RepeatVector::from_config},
      {"Add", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kAdd, c); }},
      {"Subtract", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kSubtract, c); }},
      {"Multiply", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kMultiply, c); }},
      {"Average", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kAverage, c); }},
      {"Maximum", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kMaximum, c); }},
      {"Minimum", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kMinimum, c); }},
      {"Concatenate", &Concatenate::from_config},
      {"Dot", &Dot::from_config},
      {"Conv2D", &Conv2D::from_config},
      {"MaxPooling2D", [](const Config& c) { return Pooling2D::from_config(Pooling2D::Kind::kMax, c); }},
      {"AveragePooling2D", [](const Config& c) { return Pooling2D::from_config(Pooling2D::Kind::kAverage, c); }},
      {"BatchNormalization", &BatchNormalization::from_config},
      {"LayerNormalization", &LayerNormalization::from_config},
      {"GroupNormalization", &GroupNormalization::from_config},
      {"UnitNormalization", &UnitNormalization::from_config},
      {"ReLU", &ReLU::from_config},
      {"LeakyReLU", &LeakyReLU::from_config},
      {"PReLU", &PReLU::from_config},
      {"ELU", &ELU::from_config},
      {"Softmax", &Softmax::from_config},
      {"ThresholdedReLU", &ThresholdedReLU::from_config},
      {"Rescaling", &Rescaling::from_config},
      {"Normalization", &Normalization::from_config},
      {"SimpleRNN", &SimpleRNN::from_config},
      {"LSTM", &LSTM::from_config},
      {"GRU", &GRU::from_config},
      {"Bidirectional", &Bidirectional::from_config},
      {"TimeDistributed", &TimeDistributed::from_config},
      {"MultiHeadAttention", &MultiHeadAttention::from_config},
      {"Conv1D", &Conv1D::from_config},
      {"Conv2DTranspose", &Conv2DTranspose::from_config},
      {"DepthwiseConv2D", &DepthwiseConv2D::from_config},
      {"SeparableConv2D", &SeparableConv2D::from_config},
      {"MaxPooling1D", [](const Config& c) { return Pooling1D::from_config(Pooling1D::Kind::kMax, c); }},
      {"AveragePooling1D", [](const Config& c) { return Pooling1D::from_config(Pooling1D::Kind::kAverage, c); }},
      {"GlobalAveragePooling1D", [](const Config& c) { return GlobalPooling::from_config(GPool::kAverage, 1, c); }},
      {"GlobalAveragePooling2D", [](const Config& c) { return GlobalPooling::from_config(GPool::kAverage, 2, c); }},
      {"GlobalMaxPooling1D", [](const Config& c) { return GlobalPooling::from_config(GPool::kMax, 1, c); }},
      {"GlobalMaxPooling2D", [](const Config& c) { return GlobalPooling::from_config(GPool::kMax, 2, c); }},
      {"ZeroPadding1D", [](const Config& c) { return ZeroPadding::from_config(1, c); }},
      {"ZeroPadding2D", [](const Config& c) { return ZeroPadding::from_config(2, c); }},
      {"Cropping1D", [](const Config& c) { return Cropping::from_config(1, c); }},
      {"Cropping2D", [](const Config& c) { return Cropping::from_config(2, c); }},
      {"UpSampling1D", [](const Config& c) { return UpSampling::from_config(1, c); }},
      {"UpSampling2D", [](const Config& c) { return UpSampling::from_config(2, c); }},
      {"SpatialDropout1D", [](const Config& c) { return SpatialDropout::from_config(1, c); }},
      {"SpatialDropout2D", [](const Config& c) { return SpatialDropout::from_config(2, c); }},
      {"GaussianNoise", &GaussianNoise::from_config},
      {"GaussianDropout", &GaussianDropout::from_config},
      {"Embedding", &Embedding::from_config},
      {"Masking", &Masking::from_config},
  };
}

/// Adds the aliases keras.layers exports (Keras resolves a class_name through that namespace).
/// The layers they make report the canonical class_name; errors name the alias the config used.
std::map<std::string, LayerFactory> with_keras_aliases(std::map<std::string, LayerFactory> table) {
  for (const auto& [name, canonical] : layer_aliases()) {
    table[name] = [alias = name, factory = table.at(canonical)](const Config& c) {
      try {
        return factory(c);
      } catch (Error& e) {
        e.add_context("while making layer class '" + alias + "' (a keras.layers alias)");
        throw;
      }
    };
  }
  return table;
}

struct Registry {
  std::mutex mutex;
  std::map<std::string, LayerFactory> table = with_keras_aliases(builtin_table());
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& layer_aliases() {
  static const std::vector<std::pair<std::string, std::string>> aliases = {
      {"Convolution1D", "Conv1D"},
      {"Convolution2D", "Conv2D"},
      {"Convolution2DTranspose", "Conv2DTranspose"},
      {"SeparableConvolution2D", "SeparableConv2D"},
      {"MaxPool1D", "MaxPooling1D"},
      {"AvgPool1D", "AveragePooling1D"},
      {"MaxPool2D", "MaxPooling2D"},
      {"AvgPool2D", "AveragePooling2D"},
      {"GlobalAvgPool1D", "GlobalAveragePooling1D"},
      {"GlobalAvgPool2D", "GlobalAveragePooling2D"},
      {"GlobalMaxPool1D", "GlobalMaxPooling1D"},
      {"GlobalMaxPool2D", "GlobalMaxPooling2D"},
  };
  return aliases;
}

void register_layer(const std::string& class_name, LayerFactory factory) {
  std::lock_guard lock(registry().mutex);
  registry().table[class_name] = std::move(factory);
}

std::vector<std::string> registered_layers() {
  std::lock_guard lock(registry().mutex);
  std::vector<std::string> names;
  for (const auto& [k, v] : registry().table) names.push_back(k);
  return names;
}

namespace {

[[noreturn]] void unknown_layer(const std::string& class_name, const std::string& where) {
  const bool model_class = class_name == "Sequential" || class_name == "Functional" || class_name == "Model";
  throw ConfigError(where + "unknown layer class '" + class_name + "'." + did_you_mean(class_name, registered_layers()) +
                    (model_class ? " Model classes are registered by fathom_models (models::register_model_classes)."
                                 : " Custom layers must be registered with fathom::layers::register_layer."));
}

LayerFactory find_factory(const std::string& class_name) {
  std::lock_guard lock(registry().mutex);
  auto it = registry().table.find(class_name);
  return it == registry().table.end() ? LayerFactory() : it->second;
}

}  // namespace

std::unique_ptr<Layer> make_layer(const std::string& class_name, const Config& config) {
  const LayerFactory factory = find_factory(class_name);
  if (!factory) unknown_layer(class_name, config.where());
  return factory(config.is_null() ? Config::map() : config);
}

std::unique_ptr<Layer> layer_from_config(const Config& spec) {
  FATHOM_CHECK(spec.is_map(), ConfigError, spec.where(), "a layer must be given as {class_name, config}, received ",
               Config::kind_name(spec.kind()));
  // compile_config: a nested model's (Keras 3); a nested model is not compiled, so it is ignored.
  spec.reject_unknown_keys({"class_name", "config", "module", "registered_name", "build_config", "compile_config", "name",
                            "inbound_nodes", "shared_object_id"},
                           "layer");
  const Config config = spec.has("config") ? spec.at("config") : Config::map();
  const std::string class_name = spec.get<std::string>("class_name");
  if (!find_factory(class_name)) unknown_layer(class_name, spec.where_of("class_name"));
  return make_layer(class_name, config);
}

Config serialize_layer(const Layer& layer) {
  Config c = Config::map();
  // The modules Keras 3 writes in .keras files (its loader needs them): Sequential "keras",
  // Functional "keras.src.models.functional", layers "keras.layers".
  const std::string cls = layer.class_name();
  const char* module = cls == "Sequential"                     ? "keras"
                       : cls == "Functional" || cls == "Model" ? "keras.src.models.functional"
                                                               : "keras.layers";
  c.set("module", module).set("class_name", cls).set("config", layer.get_config());
  c.set("registered_name", Config());
  return c;
}

}  // namespace fathom::layers
