// SPDX-License-Identifier: Apache-2.0
#include "layers/einsum_initializer.h"

#include <set>

#include "core/ops.h"

namespace fathom::layers {
namespace {

class EinsumKernelInitializer final : public Initializer {
 public:
  EinsumKernelInitializer(std::shared_ptr<Initializer> inner, Shape fan_shape)
      : inner_(std::move(inner)), fan_shape_(std::move(fan_shape)) {}
  std::string class_name() const override { return inner_->class_name(); }
  Config get_config() const override { return inner_->get_config(); }
  Tensor operator()(const Shape& shape, DType dtype) const override {
    static const std::set<std::string> scaling = {"GlorotUniform", "GlorotNormal", "HeUniform",      "HeNormal",
                                                  "LecunUniform",  "LecunNormal",  "VarianceScaling"};
    if (!scaling.contains(inner_->class_name())) return (*inner_)(shape, dtype);
    FATHOM_CHECK(shape_numel(shape) == shape_numel(fan_shape_), ValueError, "einsum kernel initializer: kernel shape ",
                 shape_to_string(shape), " does not hold the fan shape ", shape_to_string(fan_shape_));
    return ops::reshape((*inner_)(fan_shape_, dtype), shape);
  }

 private:
  std::shared_ptr<Initializer> inner_;
  Shape fan_shape_;
};

}  // namespace

std::shared_ptr<Initializer> einsum_kernel_initializer(std::shared_ptr<Initializer> inner, Shape fan_shape) {
  return std::make_shared<EinsumKernelInitializer>(std::move(inner), std::move(fan_shape));
}

}  // namespace fathom::layers
