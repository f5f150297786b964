// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom::io {

/// The arrays of one data source, preprocessing applied: `x` holds one array per model input,
/// `y` one per output (empty for a test source without labels). Every array has the same
/// number of samples along axis 0. Floating arrays are float32 and integer arrays int64 (bool
/// stays bool), whatever the file stored. `description` is one line for logs and messages:
/// "NPY x 'x.npy', y 'y.npy': 100 samples (take 100 of 60000), x [100, 784] float32, y [100] int64;
/// preprocessing: flatten, scale 0.00392157".
struct LoadedData {
  TensorList x;
  TensorList y;
  std::string description;
};

/// Loads the source `spec` of the `data:` section for `role` ("train", "validation" or "test";
/// anything else is a ValueError). `spec` is Keras-style {class_name, config}:
///   FashionMNIST  path (io::kFashionMnistDir), split ("train" for roles train and validation,
///                 "test" for test; train|test). x float32 [N, 28, 28] in 0..255, y int64 [N].
///   MNIST         the same four IDX files from a required `path`.
///   CSV           path, label_column (a name or an index, negative from the end; required
///                 unless role is test), header (true), delimiter (","). x float32 [N, F], y [N]
///                 (int64 when every label is written as an integer, else float32).
///   NPY           x (a path or a list, one per model input), y (a path or a list; required
///                 unless role is test).
///   HDF5          path, x (a dataset path in the file, or a list), y (the same; required unless
///                 role is test). Floating datasets are read as float32, integer ones as int64.
/// Every source also takes:
///   take          N > 0: keep the first N samples. More than the source holds keeps them all,
///                 as tf.data's take() does (the description says so).
///   preprocessing {flatten: bool, scale: number, normalize: {mean, std}, one_hot: depth},
///                 applied in that order: flatten reshapes every x to [N, -1]; scale multiplies
///                 every x; normalize computes (x - mean) / std with numbers or per-feature lists
///                 (the last axis; std > 0); both turn integer x into float32. one_hot turns
///                 integer labels [N] (or [N, 1]) into float32 [N, depth].
/// Relative paths are relative to the working directory. Nothing is written.
/// Errors: a bad spec (unknown class_name or key, wrong type or range, a file or dataset that
/// does not exist, a label column that is not in the file, an array without a sample axis or
/// without samples, x and y with different numbers of samples, a label outside [0, depth) for
/// one_hot) is a ConfigError whose message starts with the offending value's "file:line:col: "
/// when the value has a location. A file that exists but cannot be parsed is an IoError from
/// its reader, with context naming the source.
LoadedData load_data_source(const Config& spec, const std::string& role);

/// `spec` with every default written out (what `fathom train` records in the resolved
/// config.yaml): FashionMNIST's path and split, MNIST's split, CSV's header and delimiter, and
/// `take: null` (all samples) for every source; keys already given are kept as they are. An
/// unknown class_name is returned unchanged (load_data_source reports it).
Config resolved_data_source(const Config& spec, const std::string& role);

/// The class names load_data_source knows, sorted.
std::vector<std::string> data_source_names();

}  // namespace fathom::io
