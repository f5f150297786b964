// SPDX-License-Identifier: Apache-2.0
// FashionMNIST and MNIST: the four IDX files of the MNIST layout in one folder.
#include <filesystem>

#include "io/data_sources/source.h"
#include "io/datasets/idx.h"

namespace fathom::io::detail {
namespace {

/// `dir/stem.gz` or `dir/stem`, whichever exists; a ConfigError at `path_at` otherwise.
std::string find_idx_file(const SourceContext& ctx, const Config& path_at, const std::string& dir,
                          const std::string& stem) {
  for (const char* suffix : {".gz", ""}) {
    const std::string path = (std::filesystem::path(dir) / (stem + suffix)).string();
    if (std::filesystem::is_regular_file(path)) return path;
  }
  ctx.fail(path_at, "'path': file not found: neither '" + stem + ".gz' nor '" + stem + "' is in '" + dir + "'.");
}

SourceArrays load_idx(const SourceContext& ctx, const std::string& class_name, bool default_path) {
  std::string split = ctx.role() == "test" ? "test" : "train";
  if (const Config* s = ctx.find("split")) {
    split = ctx.as_string(*s, "split");
    if (split != "train" && split != "test") {
      ctx.fail(
          *s, "'split' must be 'train' or 'test'. Received: '" + split + "'." + did_you_mean(split, {"train", "test"}));
    }
  }
  const Config* path_value = ctx.find("path");
  std::string dir = kFashionMnistDir;
  if (path_value != nullptr) {
    dir = ctx.existing_path(*path_value, "path", /*directory=*/true);
  } else if (!default_path) {
    ctx.required("path", "the folder that holds the four MNIST IDX files");
  } else if (!std::filesystem::is_directory(dir)) {
    ctx.fail(ctx.config(), "'path': directory not found: '" + dir +
                               "' (the default; install Debian's dataset-fashion-mnist or set 'path').");
  }
  const Config& path_at = path_value != nullptr ? *path_value : ctx.config();

  const std::string prefix = split == "train" ? "train" : "t10k";
  // Both files are located before either is read, so a missing one fails fast.
  const std::string images = find_idx_file(ctx, path_at, dir, prefix + "-images-idx3-ubyte");
  const std::string labels = find_idx_file(ctx, path_at, dir, prefix + "-labels-idx1-ubyte");

  SourceArrays out;
  out.x.push_back(make_array(read_idx(images, DType::kFloat32), "'" + images + "'", &path_at));
  out.y.push_back(make_array(read_idx(labels, DType::kInt64), "'" + labels + "'", &path_at));
  out.description = class_name + " '" + split + "' split from '" + dir + "'";
  return out;
}

}  // namespace

SourceArrays load_fashion_mnist_source(const SourceContext& ctx) { return load_idx(ctx, "FashionMNIST", true); }

SourceArrays load_mnist_source(const SourceContext& ctx) { return load_idx(ctx, "MNIST", false); }

}  // namespace fathom::io::detail
