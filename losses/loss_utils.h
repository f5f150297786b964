// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the loss and metric files (not part of the public API).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "losses/loss.h"

namespace fathom::losses::detail {

/// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the longer has a
/// last dim of 1, squeeze it (or, for a rank-1 partner and expand_rank_1, expand the partner).
std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2,
                                                         bool expand_rank_1 = true);

/// "ClassName 'name'": how errors name a loss.
std::string owner(const Loss& loss);

/// The common start of every loss: both defined, y_pred floating, y_true cast to y_pred's
/// dtype, ranks matched as Keras's LossFunctionWrapper does; then, when `same_shape`, the
/// shapes must agree (ShapeError naming `loss` and both shapes).
std::pair<Tensor, Tensor> prepare(const std::string& loss, const Tensor& y_true, const Tensor& y_pred,
                                  bool same_shape = true);
[[noreturn]] void shape_mismatch(const std::string& loss, const Tensor& y_true, const Tensor& y_pred,
                                 const std::string& detail = "");

/// name and reduction from a loss config, after rejecting keys outside base + `own_keys`.
struct BaseArgs {
  std::string name;
  Reduction reduction = Reduction::kSumOverBatchSize;
};
BaseArgs parse_base(const Config& c, const std::string& class_name, const std::string& default_name,
                    const std::vector<std::string>& own_keys = {});

/// from_config of a loss whose constructor is (Reduction, name).
template <class L>
std::unique_ptr<Loss> simple_from_config(const Config& c, const std::string& class_name,
                                         const std::string& default_name) {
  BaseArgs base = parse_base(c, class_name, default_name);
  return std::make_unique<L>(base.reduction, std::move(base.name));
}

/// An optional integer key (missing or null: nullopt).
std::optional<std::int64_t> optional_int(const Config& c, const std::string& key);
Config optional_to_config(const std::optional<std::int64_t>& v);

/// Normalizes a possibly negative axis for `loss`; ShapeError naming it when out of range.
std::int64_t loss_axis(const std::string& loss, std::int64_t axis, std::int64_t rank);

/// Host copy (double) of any tensor, for labels and metric statistics.
std::vector<double> host_values(const Tensor& t);

}  // namespace fathom::losses::detail
