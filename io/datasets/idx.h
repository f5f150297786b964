// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

#include "core/tensor.h"

namespace fathom::io {

/// Reads an IDX file (the MNIST format: big-endian header, then the array), gzip-compressed or
/// not (detected by its magic bytes, not its name). Elements are converted to `dtype`. Throws
/// IoError naming the path for a missing, truncated or malformed file.
Tensor read_idx(const std::string& path, DType dtype = DType::kFloat32);

/// Fashion-MNIST (or MNIST) in its four IDX files: images [N, 28, 28] with values 0..255 as
/// float32, labels [N] as int64.
struct MnistSplits {
  Tensor x_train, y_train, x_test, y_test;
};
/// Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] from `dir`; the default is where
/// Debian's dataset-fashion-mnist package puts them.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
MnistSplits load_mnist_idx(const std::string& dir = kFashionMnistDir);

}  // namespace fathom::io
