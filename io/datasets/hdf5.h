// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace fathom::io {

/// Reads the numeric dataset `dataset` ("/train/x"; the leading '/' is optional) of the HDF5 file
/// at `path` (opened read-only). Floating datasets (float16/32/64) become float32 and integer
/// datasets (signed or unsigned, any width) int64, converted by the HDF5 library (an unsigned
/// value above INT64_MAX saturates). A scalar dataset gives a rank-0 tensor. With `max_rows`
/// >= 0 only the first min(max_rows, rows) entries along axis 0 are read (a hyperslab, so a
/// large file is not read whole). Throws IoError naming the path (and the dataset) for a missing
/// file, a file that is not HDF5, a dataset that does not exist (the message lists the datasets
/// that do) and every other element type: strings, compound, enum (h5py's bool), array, opaque,
/// references.
Tensor read_hdf5(const std::string& path, const std::string& dataset, std::int64_t max_rows = -1);

/// The shape of a dataset without reading it (the same errors as read_hdf5, the type excepted).
Shape hdf5_dataset_shape(const std::string& path, const std::string& dataset);

/// The absolute paths of every dataset in the file ("/train/x", "/train/y"), sorted. Throws
/// IoError for a missing or non-HDF5 file.
std::vector<std::string> list_hdf5_datasets(const std::string& path);

/// Writes a new HDF5 file holding `datasets` (path inside the file, tensor), creating the
/// intermediate groups: float32 as IEEE F32LE, float64 F64LE, int32 I32LE, int64 I64LE and bool
/// as unsigned 8-bit integers (0/1). What h5py reads as numpy arrays of those dtypes. The file is
/// built in memory and written atomically (io/atomic_file.h): an existing file at `path` is
/// replaced or, on failure, left as it was. Throws ValueError for an undefined tensor or a
/// duplicate or empty dataset path, IoError for a failure of the write.
void write_hdf5(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& datasets);

}  // namespace fathom::io
