// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace fathom::io {

/// Read access to an HDF5 file (a path on disk or an in-memory image, such as the
/// model.weights.h5 member of a .keras zip), with the string flavours Keras files hold:
/// fixed-length (NULLPAD/NULLTERM) or variable-length, ASCII or UTF-8, scalar or 1-D array, and
/// the float64 (0,) attribute that stands for an empty list. Paths are absolute ("/model_weights/dense_1")
/// or relative to the root; "/" is the root. Every failure is an IoError naming the file (its path or
/// `label` for images) and the object; corrupt or truncated files raise, never crash, and HDF5's
/// own error printing is silenced. (HDF5 1.10 trusts the sizes in attribute messages and global heap
/// objects, so the reader checks those itself and reads variable-length strings from the heap itself:
/// io/hdf5/h5_header_check.cpp, h5_vlen_strings.cpp.) Not thread-safe: one thread at a time.
class H5Reader {
 public:
  /// Opens `path` read-only. IoError if it is missing or not an HDF5 file.
  static H5Reader open(const std::string& path);
  /// Opens an HDF5 file image held in memory (kept by the reader; HDF5 reads it in place);
  /// `label` names it in errors.
  static H5Reader open_image(std::vector<std::uint8_t> bytes, const std::string& label);
  H5Reader(H5Reader&&) noexcept;
  H5Reader& operator=(H5Reader&&) noexcept;
  ~H5Reader();

  const std::string& label() const;
  bool is_group(const std::string& path) const;
  bool is_dataset(const std::string& path) const;
  /// Link names directly under a group, in HDF5's (alphabetical) order.
  std::vector<std::string> children(const std::string& group) const;

  /// IoError if `object` itself does not exist.
  bool has_attribute(const std::string& object, const std::string& name) const;
  /// A string attribute (scalar; a 1-element array is accepted). IoError if absent or not a string.
  std::string string_attribute(const std::string& object, const std::string& name) const;
  /// A list-of-strings attribute: a 1-D (or scalar) string array of any flavour; a numeric
  /// attribute with zero elements (Keras's float64 empty list) gives {}. Trailing NULs of
  /// fixed-length strings are stripped. IoError if absent or of another type.
  std::vector<std::string> string_list_attribute(const std::string& object, const std::string& name) const;
  /// An integer attribute (any integer type, scalar).
  std::int64_t int_attribute(const std::string& object, const std::string& name) const;

  /// A numeric dataset: floats (16/32/64) become float32, integers int64; scalars rank 0.
  Tensor read_dataset(const std::string& path) const;
  Shape dataset_shape(const std::string& path) const;

 private:
  struct Impl;
  explicit H5Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Builds an HDF5 file in memory and writes it atomically (io/atomic_file.h) on commit(), so that a
/// failure leaves an existing file untouched. Groups are created on demand (intermediate ones
/// too; setting an attribute on a path that does not exist makes a group there), and setting an
/// attribute again replaces it. Strings are written as Keras writes them with h5py 3:
/// variable-length UTF-8, NULLTERM; an empty string list as a float64 attribute of shape (0,).
/// Datasets are contiguous little-endian (float32 -> F32LE, float64 -> F64LE, int32/int64 ->
/// I32LE/I64LE, bool -> uint8), rank 0 as a scalar dataspace. Uses the earliest library-version
/// bounds so that old h5py reads it.
class H5Writer {
 public:
  /// `path` is where commit() writes (nothing is written before).
  explicit H5Writer(std::string path);
  H5Writer(H5Writer&&) noexcept;
  H5Writer& operator=(H5Writer&&) noexcept;
  ~H5Writer();

  void create_group(const std::string& path);
  void set_string_attribute(const std::string& object, const std::string& name, const std::string& value);
  void set_string_list_attribute(const std::string& object, const std::string& name,
                                 const std::vector<std::string>& values);
  void set_int_attribute(const std::string& object, const std::string& name, std::int64_t value);
  /// Writes a dataset at `path`; intermediate groups are created ("a/b/kernel:0" makes a/b).
  void write_dataset(const std::string& path, const Tensor& value);

  /// The file image built so far (closes the file: later writes raise IoError; a second call
  /// returns the same bytes).
  std::vector<std::uint8_t> finish_image();
  /// Writes the image to `path` atomically (calls finish_image()).
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fathom::io
