// SPDX-License-Identifier: Apache-2.0
#include "io/datasets/idx.h"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <vector>

namespace fathom::io {
namespace {

/// The whole file, inflated when it starts with gzip's magic bytes.
std::vector<unsigned char> read_bytes(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
  FATHOM_CHECK(f != nullptr, IoError, "cannot open '", path, "': ", std::strerror(errno));
  std::vector<unsigned char> bytes;
  unsigned char buffer[1 << 16];
  int n;
  while ((n = gzread(f, buffer, sizeof buffer)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  int err = 0;
  const char* message = gzerror(f, &err);
  const std::string error_text = message ? message : "";
  gzclose(f);
  FATHOM_CHECK(n == 0 && err == Z_OK, IoError, "cannot read '", path, "': ", error_text,
               " (a truncated or corrupt gzip stream?)");
  return bytes;
}

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Tensor read_idx(const std::string& path, DType dtype) {
  const auto bytes = read_bytes(path);
  FATHOM_CHECK(bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0, IoError, "'", path,
               "' is not an IDX file: it does not start with two zero bytes");
  const unsigned type = bytes[2];
  const unsigned rank = bytes[3];
  FATHOM_CHECK(type == 0x08, IoError, "'", path, "': IDX element type 0x", std::hex, type,
               " is not supported (only unsigned bytes, 0x08, as in MNIST)");
  FATHOM_CHECK(bytes.size() >= 4 + 4 * rank, IoError, "'", path, "': truncated IDX header");
  Shape shape;
  for (unsigned i = 0; i < rank; ++i) shape.push_back(big_endian_u32(bytes.data() + 4 + 4 * i));
  const std::size_t header = 4 + 4 * rank;
  const auto count = static_cast<std::size_t>(shape_numel(shape));
  FATHOM_CHECK(bytes.size() == header + count, IoError, "'", path, "': header says ", shape_to_string(shape), " (",
               count, " bytes of data) but the file holds ", bytes.size() - header);
  Tensor out = Tensor::empty(shape, dtype);
  const unsigned char* data = bytes.data() + header;
  auto fill = [&](auto* p) {
    for (std::size_t i = 0; i < count; ++i) p[i] = static_cast<std::remove_pointer_t<decltype(p)>>(data[i]);
  };
  switch (dtype) {
    case DType::kFloat32: fill(out.data<float>()); break;
    case DType::kFloat64: fill(out.data<double>()); break;
    case DType::kInt32: fill(out.data<std::int32_t>()); break;
    case DType::kInt64: fill(out.data<std::int64_t>()); break;
    case DType::kBool: throw ValueError("read_idx: cannot read '" + path + "' as bool");
  }
  return out;
}

MnistSplits load_mnist_idx(const std::string& dir) {
  auto find = [&](const std::string& stem) {
    for (const char* suffix : {".gz", ""}) {
      const std::string path = dir + "/" + stem + suffix;
      if (std::filesystem::exists(path)) return path;
    }
    throw IoError("no '" + stem + "' or '" + stem + ".gz' in '" + dir +
                  "' (for Fashion-MNIST install Debian's dataset-fashion-mnist: .ci/setup does)");
  };
  MnistSplits s;
  s.x_train = read_idx(find("train-images-idx3-ubyte"));
  s.y_train = read_idx(find("train-labels-idx1-ubyte"), DType::kInt64);
  s.x_test = read_idx(find("t10k-images-idx3-ubyte"));
  s.y_test = read_idx(find("t10k-labels-idx1-ubyte"), DType::kInt64);
  return s;
}

}  // namespace fathom::io
