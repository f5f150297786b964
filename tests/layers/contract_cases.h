// SPDX-License-Identifier: Apache-2.0
// One layer spec per registered layer class, with the input shapes and options it is tested
// with: shared by registry_test.cpp (the layer contract) and traced_training_test.cpp.
#pragma once
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers::contract {

using testing::layer_spec;
using testing::LayerContractOptions;

struct ContractCase {
  std::string label;  // unique test name suffix
  Config spec;
  std::vector<Shape> inputs;
  Shape output;
  int num_weights;
  LayerContractOptions options;
};

inline Config cfg(std::initializer_list<std::pair<const char*, Config>> entries) {
  Config c = Config::map();
  for (const auto& [k, v] : entries) c.set(k, v);
  return c;
}

/// One case at least per registered class. Weighted layers use smooth activations (the float32
/// gradcheck needs pre-activations further than its step from any kink, see layer_contract.cpp).
inline std::vector<ContractCase> contract_cases() {
  LayerContractOptions dense_opts;
  dense_opts.weight_names = {"kernel", "bias"};
  // clang-format off
  return {
      {"InputLayer", layer_spec("InputLayer", cfg({{"batch_shape", Shape{-1, 3}}})), {{2, 3}}, {2, 3}, 0, {}},
      {"Dense", layer_spec("Dense", cfg({{"units", 3}, {"activation", "tanh"}})), {{2, 4}}, {2, 3}, 2, dense_opts},
      {"Activation", layer_spec("Activation", cfg({{"activation", "tanh"}})), {{2, 3}}, {2, 3}, 0, {}},
      {"Dropout", layer_spec("Dropout", cfg({{"rate", 0.5}, {"seed", 3}})), {{2, 3}}, {2, 3}, 0, {}},
      {"Flatten", layer_spec("Flatten"), {{2, 3, 2}}, {2, 6}, 0, {}},
      {"Reshape", layer_spec("Reshape", cfg({{"target_shape", Shape{-1, 2}}})), {{2, 3, 4}}, {2, 6, 2}, 0, {}},
      {"Permute", layer_spec("Permute", cfg({{"dims", Shape{2, 1}}})), {{2, 3, 4}}, {2, 4, 3}, 0, {}},
      {"RepeatVector", layer_spec("RepeatVector", cfg({{"n", 3}})), {{2, 4}}, {2, 3, 4}, 0, {}},
      {"Add", layer_spec("Add"), {{2, 3}, {2, 3}}, {2, 3}, 0, {}},
      {"Subtract", layer_spec("Subtract"), {{2, 3}, {2, 3}}, {2, 3}, 0, {}},
      {"Multiply", layer_spec("Multiply"), {{2, 3}, {2, 3}, {2, 3}}, {2, 3}, 0, {}},
      {"Average", layer_spec("Average"), {{2, 3}, {2, 3}}, {2, 3}, 0, {}},
      {"Maximum", layer_spec("Maximum"), {{2, 3}, {2, 3}}, {2, 3}, 0, {}},
      {"Minimum", layer_spec("Minimum"), {{2, 3}, {2, 3}}, {2, 3}, 0, {}},
      {"Concatenate", layer_spec("Concatenate", cfg({{"axis", 1}})), {{2, 2, 3}, {2, 1, 3}}, {2, 3, 3}, 0, {}},
      {"Dot", layer_spec("Dot", cfg({{"axes", 1}})), {{2, 3}, {2, 3}}, {2, 1}, 0, {}},
      {"Conv2D", layer_spec("Conv2D", cfg({{"filters", 2}, {"kernel_size", Shape{3, 3}}, {"padding", "same"}, {"activation", "tanh"}})),
       {{2, 4, 3, 2}}, {2, 4, 3, 2}, 2, dense_opts},
      {"MaxPooling2D", layer_spec("MaxPooling2D"), {{2, 4, 4, 2}}, {2, 2, 2, 2}, 0, {}},
      {"AveragePooling2D", layer_spec("AveragePooling2D", cfg({{"padding", "same"}})), {{2, 3, 5, 2}}, {2, 2, 3, 2}, 0, {}},
      {"Conv1D", layer_spec("Conv1D", cfg({{"filters", 2}, {"kernel_size", Shape{3}}, {"padding", "causal"}, {"activation", "tanh"}})),
       {{2, 4, 2}}, {2, 4, 2}, 2, dense_opts},
      {"Conv2DTranspose", layer_spec("Conv2DTranspose", cfg({{"filters", 2}, {"kernel_size", Shape{3, 3}}, {"strides", Shape{2, 2}}, {"padding", "same"}})),
       {{2, 2, 3, 2}}, {2, 4, 6, 2}, 2, dense_opts},
      {"DepthwiseConv2D", layer_spec("DepthwiseConv2D", cfg({{"kernel_size", Shape{2, 2}}, {"depth_multiplier", 2}})), {{2, 3, 3, 2}}, {2, 2, 2, 4}, 2, {}},
      {"SeparableConv2D", layer_spec("SeparableConv2D", cfg({{"filters", 3}, {"kernel_size", Shape{2, 2}}, {"padding", "same"}})),
       {{2, 3, 3, 2}}, {2, 3, 3, 3}, 3, {}},
      {"MaxPooling1D", layer_spec("MaxPooling1D"), {{2, 5, 2}}, {2, 2, 2}, 0, {}},
      {"AveragePooling1D", layer_spec("AveragePooling1D", cfg({{"pool_size", Shape{3}}, {"strides", Shape{2}}, {"padding", "same"}})), {{2, 6, 2}}, {2, 3, 2}, 0, {}},
      {"GlobalAveragePooling1D", layer_spec("GlobalAveragePooling1D"), {{2, 3, 2}}, {2, 2}, 0, {}},
      {"GlobalAveragePooling2D", layer_spec("GlobalAveragePooling2D", cfg({{"keepdims", true}})), {{2, 3, 2, 2}}, {2, 1, 1, 2}, 0, {}},
      {"GlobalMaxPooling1D", layer_spec("GlobalMaxPooling1D", cfg({{"keepdims", true}})), {{2, 3, 2}}, {2, 1, 2}, 0, {}},
      {"GlobalMaxPooling2D", layer_spec("GlobalMaxPooling2D"), {{2, 3, 2, 2}}, {2, 2}, 0, {}},
      {"ZeroPadding1D", layer_spec("ZeroPadding1D", cfg({{"padding", Shape{0, 2}}})), {{2, 3, 2}}, {2, 5, 2}, 0, {}},
      {"ZeroPadding2D", layer_spec("ZeroPadding2D"), {{2, 2, 3, 2}}, {2, 4, 5, 2}, 0, {}},
      {"Cropping1D", layer_spec("Cropping1D"), {{2, 4, 2}}, {2, 2, 2}, 0, {}},
      {"Cropping2D", layer_spec("Cropping2D", cfg({{"cropping", testing::parse_json("[[1, 0], [0, 2]]")}})), {{2, 3, 4, 2}}, {2, 2, 2, 2}, 0, {}},
      {"UpSampling1D", layer_spec("UpSampling1D"), {{2, 3, 2}}, {2, 6, 2}, 0, {}},
      {"UpSampling2D", layer_spec("UpSampling2D", cfg({{"interpolation", "bilinear"}})), {{2, 2, 3, 2}}, {2, 4, 6, 2}, 0, {}},
      {"SpatialDropout1D", layer_spec("SpatialDropout1D", cfg({{"rate", 0.5}, {"seed", 3}})), {{2, 3, 4}}, {2, 3, 4}, 0, {}},
      {"SpatialDropout2D", layer_spec("SpatialDropout2D", cfg({{"rate", 0.5}})), {{2, 3, 2, 4}}, {2, 3, 2, 4}, 0, {}},
      {"GaussianNoise", layer_spec("GaussianNoise", cfg({{"stddev", 0.1}})), {{2, 3}}, {2, 3}, 0, {}},
      {"GaussianDropout", layer_spec("GaussianDropout", cfg({{"rate", 0.3}})), {{2, 3}}, {2, 3}, 0, {}},
      {"Embedding", layer_spec("Embedding", cfg({{"input_dim", 5}, {"output_dim", 3}, {"mask_zero", true}})), {{2, 4}}, {2, 4, 3}, 1,
       [] { LayerContractOptions o; o.input_low = 0; o.input_high = 4; o.kinks = {1, 2, 3, 4}; return o; }()},  // ids 0..4
      {"Masking", layer_spec("Masking", cfg({{"mask_value", 0.5}})), {{2, 3, 2}}, {2, 3, 2}, 0, {}},
      {"BatchNormalization", layer_spec("BatchNormalization", cfg({{"momentum", 0.9}})), {{2, 3, 4}}, {2, 3, 4}, 4,
       [] { LayerContractOptions o; o.num_non_trainable_weights = 2; return o; }()},
      {"LayerNormalization", layer_spec("LayerNormalization"), {{2, 3, 4}}, {2, 3, 4}, 2, {}},
      {"GroupNormalization", layer_spec("GroupNormalization", cfg({{"groups", 2}})), {{2, 3, 4}}, {2, 3, 4}, 2, {}},
      {"UnitNormalization", layer_spec("UnitNormalization"), {{2, 3, 4}}, {2, 3, 4}, 0, {}},
      {"ReLU", layer_spec("ReLU", cfg({{"max_value", 6.0}})), {{2, 3}}, {2, 3}, 0, [] { LayerContractOptions o; o.kinks = {0}; return o; }()},
      {"LeakyReLU", layer_spec("LeakyReLU"), {{2, 3}}, {2, 3}, 0, [] { LayerContractOptions o; o.kinks = {0}; return o; }()},
      {"PReLU", layer_spec("PReLU", cfg({{"alpha_initializer", "random_uniform"}})), {{2, 3}}, {2, 3}, 1,
       [] { LayerContractOptions o; o.kinks = {0}; return o; }()},
      {"ELU", layer_spec("ELU"), {{2, 3}}, {2, 3}, 0, [] { LayerContractOptions o; o.kinks = {0}; return o; }()},
      {"Softmax", layer_spec("Softmax"), {{2, 3}}, {2, 3}, 0, {}},
      {"ThresholdedReLU", layer_spec("ThresholdedReLU", cfg({{"theta", 0.5}})), {{2, 3}}, {2, 3}, 0,
       [] { LayerContractOptions o; o.kinks = {0.5}; return o; }()},
      {"Rescaling", layer_spec("Rescaling", cfg({{"scale", 0.5}, {"offset", 1.0}})), {{2, 3}}, {2, 3}, 0, {}},
      {"Normalization", layer_spec("Normalization", cfg({{"mean", 0.5}, {"variance", 4.0}})), {{2, 3}}, {2, 3}, 0, {}},
      {"SimpleRNN", layer_spec("SimpleRNN", cfg({{"units", 3}, {"return_sequences", true}})), {{2, 4, 3}}, {2, 4, 3}, 3, {}},
      {"LSTM", layer_spec("LSTM", cfg({{"units", 2}})), {{2, 3, 3}}, {2, 2}, 3, {}},
      {"GRU", layer_spec("GRU", cfg({{"units", 2}, {"go_backwards", true}})), {{2, 3, 2}}, {2, 2}, 3, {}},
      {"Bidirectional", layer_spec("Bidirectional", cfg({{"layer", cfg({{"class_name", "GRU"}, {"config", cfg({{"units", 2}})}})},
                                                          {"merge_mode", "sum"}})),
       {{2, 3, 2}}, {2, 2}, 6, {}},
      {"TimeDistributed", layer_spec("TimeDistributed", cfg({{"layer", cfg({{"class_name", "Dense"}, {"config", cfg({{"units", 2}})}})}})),
       {{2, 3, 4}}, {2, 3, 2}, 2, {}},
      {"MultiHeadAttention", layer_spec("MultiHeadAttention", cfg({{"num_heads", 2}, {"key_dim", 2}})), {{2, 3, 4}, {2, 2, 3}}, {2, 3, 4}, 8, {}},
  };
  // clang-format on
}

}  // namespace fathom::layers::contract
