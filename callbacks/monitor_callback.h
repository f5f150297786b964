// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <optional>
#include <string>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// Base of the callbacks that watch one logged quantity and decide whether it improved
/// (Keras's MonitorCallback; EarlyStopping and ReduceLROnPlateau derive from it).
/// mode "min" wants the value to fall, "max" to rise; "auto" decides on the first epoch end:
/// "loss" / "val_loss" (and "<output>_loss") are minimized, other names take the direction of
/// the Keras metric of that name ("accuracy", "auc", "precision", ... up; "mse", "mae",
/// "*_crossentropy", ... down), and an unknown name is a ValueError asking for an explicit mode.
/// An unknown mode is a warning and falls back to "auto", as in Keras.
/// A value improves on a reference when value - min_delta < reference (min) or
/// value - min_delta > reference (max), with min_delta's sign turned towards the goal.
class MonitorCallback : public Callback {
 public:
  const std::string& monitor() const { return monitor_; }
  const std::string& mode() const { return mode_; }
  double min_delta() const { return min_delta_; }
  /// The best value seen so far (empty before the first monitored epoch).
  const std::optional<double>& best() const { return best_; }

  /// "min", "max", or "" when Keras could not tell, for a monitored name (mode "auto").
  static std::string auto_mode_for(const std::string& monitor);

 protected:
  /// `owner` names the subclass in the unknown-mode warning (no virtual calls in a constructor).
  MonitorCallback(const std::string& owner, std::string monitor, std::string mode, double min_delta);
  /// Picks the comparison from the mode (Keras's _set_monitor_op); idempotent.
  void set_monitor_op();
  bool is_improvement(double value, const std::optional<double>& reference) const;

  std::optional<double> best_;

 private:
  std::string monitor_;
  std::string mode_;
  double min_delta_;
  bool minimize_ = true;
  bool op_set_ = false;
};

}  // namespace fathom::callbacks
