// SPDX-License-Identifier: Apache-2.0
// Every loss and metric class (include the family headers directly where only one is needed).
#pragma once
#include "losses/accuracy_metrics.h"
#include "losses/confusion_metrics.h"
#include "losses/crossentropy.h"
#include "losses/hinge.h"
#include "losses/loss.h"
#include "losses/metric.h"
#include "losses/probabilistic.h"
#include "losses/regression.h"
#include "losses/regression_metrics.h"
