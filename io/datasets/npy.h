// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

#include "core/tensor.h"

namespace fathom::io {

/// Reads a NumPy .npy file (format versions 1.0, 2.0 and 3.0) holding a C-order array:
///   '<f4' -> float32, '<f8' -> float64, '<i4' -> int32, '<i8' -> int64, '|b1' -> bool,
///   '|u1' -> int32. Fathom has no uint8 dtype; int32 holds 0..255 exactly and is what
///   ops::one_hot and ops::gather take as labels. For images, ops::cast(t, DType::kFloat32)
///   (or transforms::scale in io/pipeline.h, which casts integer inputs to float32).
/// A rank-0 array gives a rank-0 tensor. Throws IoError naming the path and the reason for a
/// missing, truncated or malformed file, fortran_order True, big-endian data, object
/// (pickled) arrays, structured dtypes and every other dtype.
Tensor read_npy(const std::string& path);

/// Writes `tensor` (any device, any strides) as a C-order .npy file that numpy.load reads:
/// float32 '<f4', float64 '<f8', int32 '<i4', int64 '<i8', bool '|b1'; a version 1.0 header
/// (2.0 when the header would exceed 65535 bytes, as numpy does). The write is atomic
/// (io/atomic_file.h): on any failure an existing file at `path` is left as it was and the
/// temporary file is removed. An undefined tensor is a ValueError naming the path.
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace fathom::io
