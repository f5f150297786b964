// SPDX-License-Identifier: Apache-2.0
#include "layers/conv_utils.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/regularizers.h"

namespace fathom::layers::conv_detail {

std::int64_t parse_single(const Config& c, const std::string& key, std::int64_t fallback, const std::string& owner) {
  if (!c.has(key) || c.at(key).is_null()) return fallback;
  const Config& v = c.at(key);
  if (v.is_number()) return v.as_int();
  FATHOM_CHECK(v.is_list() && v.items().size() == 1 && v.items()[0].is_number(), ConfigError, c.where_of(key), owner,
               ": ", key, " must be an int or a list of one int. Received: ", key, "=", v.to_json());
  return v.items()[0].as_int();
}

std::string parse_padding_1d(const Config& c, const std::string& owner, bool allow_causal) {
  std::string p = c.get_or<std::string>("padding", "valid");
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const bool ok = p == "valid" || p == "same" || (allow_causal && p == "causal");
  FATHOM_CHECK(ok, ConfigError, c.where_of("padding"), owner, ": padding must be 'valid'",
               allow_causal ? ", 'same' or 'causal'" : " or 'same'", ". Received: padding='",
               c.get<std::string>("padding"), "'");
  return p;
}

void check_groups(const Config& c, const std::string& owner) {
  const std::int64_t groups = c.get_or<std::int64_t>("groups", 1);
  FATHOM_CHECK(groups == 1, ConfigError, c.where_of("groups"), owner, ": groups=", groups,
               " is not supported yet; only groups=1");
}

void check_geometry(const std::string& who, Pair kernel, Pair strides, Pair dilation) {
  const auto positive = [](Pair p) { return p.first > 0 && p.second > 0; };
  const auto str = [](Pair p) { return "(" + std::to_string(p.first) + ", " + std::to_string(p.second) + ")"; };
  FATHOM_CHECK(positive(kernel), ValueError, who,
               ": kernel_size must be positive. Received: kernel_size=", str(kernel));
  FATHOM_CHECK(positive(strides), ValueError, who, ": strides must be positive. Received: strides=", str(strides));
  FATHOM_CHECK(positive(dilation), ValueError, who,
               ": dilation_rate must be positive. Received: dilation_rate=", str(dilation));
  FATHOM_CHECK(!((strides.first > 1 || strides.second > 1) && (dilation.first > 1 || dilation.second > 1)), ValueError,
               who, ": strides > 1 is not compatible with dilation_rate > 1. Received: strides=", str(strides),
               ", dilation_rate=", str(dilation));
}

Pair output_hw(const Shape& s, Pair kernel, Pair strides, Pair dilation, bool same, std::string* error) {
  const std::int64_t oh = output_length(s[1], kernel.first, strides.first, dilation.first, same);
  const std::int64_t ow = output_length(s[2], kernel.second, strides.second, dilation.second, same);
  error->clear();
  if (oh == -2 || ow == -2) {
    *error = "the window (" + std::to_string(kernel.first) + ", " + std::to_string(kernel.second) +
             ") with dilation_rate (" + std::to_string(dilation.first) + ", " + std::to_string(dilation.second) +
             ") is larger than the input " + shape_to_string(s) + " with padding='valid'";
  }
  return {oh, ow};
}

Tensor pad_or_crop(const Tensor& x, Pair h, Pair w, double value) {
  const auto pos = [](std::int64_t v) { return std::max<std::int64_t>(v, 0); };
  Tensor y = x;
  if (h.first > 0 || h.second > 0 || w.first > 0 || w.second > 0) {
    y = ops::pad(y, {{0, 0}, {pos(h.first), pos(h.second)}, {pos(w.first), pos(w.second)}, {0, 0}}, value);
  }
  // Negative amounts crop: [-before, size + after).
  const auto crop = [](std::int64_t before, std::int64_t after, std::int64_t size) {
    return ops::Slice{std::max<std::int64_t>(-before, 0), size + std::min<std::int64_t>(after, 0), 1};
  };
  if (h.first < 0 || h.second < 0 || w.first < 0 || w.second < 0) {
    y = ops::slice(y, {ops::Slice{}, crop(h.first, h.second, y.shape()[1]), crop(w.first, w.second, y.shape()[2])});
  }
  return y;
}

Tensor pad_same(const Tensor& x, Pair kernel, Pair strides, Pair dilation, double value) {
  const Pair ph = same_padding(x.shape()[1], kernel.first, strides.first, dilation.first);
  const Pair pw = same_padding(x.shape()[2], kernel.second, strides.second, dilation.second);
  return pad_or_crop(x, ph, pw, value);
}

Tensor conv2d_valid(const Tensor& x, const Tensor& kernel, Pair strides, Pair dilation) {
  const Shape& k = kernel.shape();  // [kh, kw, Cin, F]
  const std::int64_t b = x.shape()[0], depth = k[0] * k[1] * k[2];
  Tensor patches = ops::extract_patches(x, k[0], k[1], strides.first, strides.second, dilation.first,
                                        dilation.second);  // [B, OH, OW, kh*kw*Cin]
  const Shape out = {b, patches.shape()[1], patches.shape()[2], k[3]};
  Tensor y = ops::matmul(ops::reshape(patches, {-1, depth}), ops::reshape(kernel, {depth, k[3]}));
  return ops::reshape(y, out);
}

Tensor depthwise_conv2d_valid(const Tensor& x, const Tensor& kernel, Pair strides, Pair dilation) {
  const Shape& k = kernel.shape();  // [kh, kw, C, M]
  const std::int64_t taps = k[0] * k[1], c = k[2], m = k[3];
  Tensor patches = ops::extract_patches(x, k[0], k[1], strides.first, strides.second, dilation.first,
                                        dilation.second);  // [B, OH, OW, taps*C], ordered (kh, kw, C)
  const Shape out = {x.shape()[0], patches.shape()[1], patches.shape()[2], c * m};
  // One matmul per channel: [C, N, taps] x [C, taps, M] -> [C, N, M].
  const Tensor p = ops::transpose(ops::reshape(patches, {-1, taps, c}), {2, 0, 1});
  const Tensor w = ops::transpose(ops::reshape(kernel, {taps, c, m}), {1, 0, 2});
  const Tensor y = ops::transpose(ops::matmul(p, w), {1, 0, 2});  // [N, C, M]
  return ops::reshape(y, out);
}

Tensor pool2d(const Tensor& x, bool max, Pair pool, Pair strides, bool same) {
  const std::int64_t c = x.shape()[3];
  Pair ph{0, 0}, pw{0, 0};
  if (same) {
    ph = same_padding(x.shape()[1], pool.first, strides.first, 1);
    pw = same_padding(x.shape()[2], pool.second, strides.second, 1);
  }
  const bool padded = ph.first + ph.second + pw.first + pw.second > 0;
  const auto windows = [&](const Tensor& img, std::int64_t channels) {
    // [B, OH, OW, kh*kw*C] -> [B, OH, OW, kh*kw, C]
    const Tensor p = ops::extract_patches(img, pool.first, pool.second, strides.first, strides.second, 1, 1);
    return ops::reshape(p, {p.shape()[0], p.shape()[1], p.shape()[2], pool.first * pool.second, channels});
  };
  if (max) {
    // Padded cells hold the lowest finite float32, so they never win a window with a real cell.
    const double lowest = -static_cast<double>(std::numeric_limits<float>::max());
    return ops::max(windows(padded ? pad_or_crop(x, ph, pw, lowest) : x, c), {3});
  }
  if (!padded) return ops::mean(windows(x, c), {3});
  const Tensor sums = ops::sum(windows(pad_or_crop(x, ph, pw), c), {3});
  const Tensor ones = Tensor::ones({1, x.shape()[1], x.shape()[2], 1}, x.dtype());
  const Tensor counts = ops::sum(windows(pad_or_crop(ones, ph, pw), 1), {3});  // [1, OH, OW, 1]
  return ops::div(sums, counts);
}

WeightSlot::WeightSlot(const Config& init, const Config& regularizer, const Config& constraint)
    : initializer(get_initializer(init)),
      regularizer(get_regularizer(regularizer)),
      constraint(get_constraint(constraint)) {}

}  // namespace fathom::layers::conv_detail
