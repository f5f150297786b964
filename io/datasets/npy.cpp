// SPDX-License-Identifier: Apache-2.0
#include "io/datasets/npy.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#include "io/atomic_file.h"
#include "io/datasets/npy_header.h"

namespace fathom::io {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy reader and writer assume a little-endian host");
static_assert(sizeof(bool) == 1, "bool tensors are written as one byte per element");

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
constexpr std::size_t kAlignment = 64;  // numpy pads the header so that the data is 64-byte aligned

/// How the elements of a supported descr are stored and what Fathom reads them into.
struct ElementFormat {
  DType dtype;
  std::size_t item_size;  // bytes per element in the file
  bool widen_u8;          // '|u1' read into int32
};

ElementFormat element_format(const std::string& descr, const std::string& path) {
  const std::string supported = " (supported: <f4 <f8 <i4 <i8 |u1 |b1)";
  FATHOM_CHECK(descr.size() >= 2, IoError, "'", path, "': dtype '", descr, "' is not supported", supported);
  const char order = descr[0];
  const std::string code = descr.substr(1);
  if (code == "u1" || code == "b1") {  // one byte: the byte order does not matter
    FATHOM_CHECK(order == '|' || order == '<' || order == '>' || order == '=', IoError, "'", path,
                 "': dtype '", descr, "' is not supported", supported);
    return code == "u1" ? ElementFormat{DType::kInt32, 1, true} : ElementFormat{DType::kBool, 1, false};
  }
  FATHOM_CHECK(order != '>', IoError, "'", path, "': big-endian data ('", descr,
               "') is not supported; convert it in numpy with a.astype('<", code, "')");
  FATHOM_CHECK(code != "O", IoError, "'", path,
               "': object arrays (dtype 'O', stored with pickle) are not supported");
  if (order == '<' || order == '=') {
    if (code == "f4") return {DType::kFloat32, 4, false};
    if (code == "f8") return {DType::kFloat64, 8, false};
    if (code == "i4") return {DType::kInt32, 4, false};
    if (code == "i8") return {DType::kInt64, 8, false};
  }
  throw IoError("'" + path + "': dtype '" + descr + "' is not supported" + supported);
}

std::string descr_for(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "<f4";
    case DType::kFloat64: return "<f8";
    case DType::kInt32: return "<i4";
    case DType::kInt64: return "<i8";
    case DType::kBool: return "|b1";
  }
  throw ValueError("write_npy: unknown dtype");
}

std::uint32_t little_endian(const unsigned char* p, std::size_t bytes) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v |= std::uint32_t{p[i]} << (8 * i);
  return v;
}

/// Reads exactly `size` bytes or throws the truncation error.
void read_exactly(std::ifstream& in, void* out, std::size_t size, const std::string& path, const char* what) {
  in.read(static_cast<char*>(out), static_cast<std::streamsize>(size));
  FATHOM_CHECK(in.gcount() == static_cast<std::streamsize>(size), IoError, "'", path,
               "': truncated .npy file: it ends inside the ", what, " (", in.gcount(), " of ", size, " bytes)");
}

}  // namespace

Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FATHOM_CHECK(in.is_open(), IoError, "cannot open '", path, "': ", std::strerror(errno));
  unsigned char prefix[kMagicSize + 2];
  in.read(reinterpret_cast<char*>(prefix), sizeof prefix);
  FATHOM_CHECK(in.gcount() == static_cast<std::streamsize>(sizeof prefix) &&
                   std::memcmp(prefix, kMagic, kMagicSize) == 0,
               IoError, "'", path, "' is not a .npy file: it does not start with the magic bytes \\x93NUMPY");
  const unsigned major = prefix[kMagicSize], minor = prefix[kMagicSize + 1];
  FATHOM_CHECK((major == 1 || major == 2 || major == 3) && minor == 0, IoError, "'", path,
               "': .npy format version ", major, ".", minor, " is not supported (1.0, 2.0 and 3.0 are)");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  unsigned char length_field[4];
  read_exactly(in, length_field, length_bytes, path, "header length");
  std::string text(little_endian(length_field, length_bytes), '\0');
  read_exactly(in, text.data(), text.size(), path, "header");
  const auto header = detail::parse_npy_header(text, path);  // 3.0 is UTF-8; our keys are ASCII

  const ElementFormat format = element_format(header.descr, path);
  FATHOM_CHECK(!header.fortran_order, IoError, "'", path,
               "': fortran_order is True (column-major data) and only C order is supported; save "
               "numpy.ascontiguousarray(a) instead");
  std::uint64_t count = 1;
  for (const auto d : header.shape) {
    FATHOM_CHECK(d == 0 || count <= std::numeric_limits<std::int64_t>::max() / 8 / static_cast<std::uint64_t>(d),
                 IoError, "'", path, "': shape ", shape_to_string(header.shape), " is too large");
    count *= static_cast<std::uint64_t>(d);
  }
  const std::uint64_t data_bytes = count * format.item_size;
  const std::streamoff data_start = in.tellg();
  in.seekg(0, std::ios::end);
  const auto available = static_cast<std::uint64_t>(in.tellg() - data_start);
  in.seekg(data_start);
  FATHOM_CHECK(available >= data_bytes, IoError, "'", path, "': truncated .npy file: the header says ",
               header.descr, " ", shape_to_string(header.shape), " (", data_bytes, " bytes of data) but ",
               available, " bytes follow it");
  FATHOM_CHECK(available == data_bytes, IoError, "'", path, "': ", available - data_bytes,
               " unexpected bytes after the data of ", header.descr, " ", shape_to_string(header.shape));

  Tensor out = Tensor::empty(header.shape, format.dtype);
  if (format.widen_u8 || format.dtype == DType::kBool) {
    std::vector<unsigned char> bytes(count);
    read_exactly(in, bytes.data(), bytes.size(), path, "data");
    if (format.widen_u8) {
      std::int32_t* p = out.data<std::int32_t>();
      for (std::uint64_t i = 0; i < count; ++i) p[i] = bytes[i];
    } else {
      bool* p = out.data<bool>();
      for (std::uint64_t i = 0; i < count; ++i) p[i] = bytes[i] != 0;
    }
  } else {
    read_exactly(in, out.raw_data(), data_bytes, path, "data");
  }
  return out;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  FATHOM_CHECK(tensor.defined(), ValueError, "write_npy: cannot write an undefined tensor to '", path, "'");
  const Tensor t = tensor.to(Device::cpu()).contiguous();
  std::string header = detail::format_npy_header(descr_for(t.dtype()), t.shape());
  // Pad with spaces and end with '\n' so that the data starts on a 64-byte boundary.
  auto padded_size = [&](std::size_t prefix) {
    return (prefix + header.size() + 1 + kAlignment - 1) / kAlignment * kAlignment - prefix;
  };
  const bool version1 = padded_size(kMagicSize + 4) <= 65535;  // its length field is 16 bits
  const std::size_t padded = padded_size(kMagicSize + (version1 ? 4 : 6));
  header.append(padded - header.size() - 1, ' ');
  header += '\n';

  std::vector<unsigned char> head(kMagic, kMagic + kMagicSize);
  head.push_back(version1 ? 1 : 2);
  head.push_back(0);
  for (std::size_t i = 0; i < (version1 ? 2u : 4u); ++i) {
    head.push_back(static_cast<unsigned char>(header.size() >> (8 * i)));  // little-endian length
  }
  head.insert(head.end(), header.begin(), header.end());

  AtomicFile file(path);
  file.write(head.data(), head.size());
  file.write(t.raw_data(), static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype()));
  file.commit();
}

}  // namespace fathom::io
