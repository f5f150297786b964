// SPDX-License-Identifier: Apache-2.0
// Every op of the core, each with its gradient (see core/ops/op_list.h for the full list).
#pragma once
#include "core/autograd/gradient_tape.h"
#include "core/autograd/recorder.h"
#include "core/ops/checks.h"
#include "core/ops/elementwise.h"
#include "core/ops/indexing.h"
#include "core/ops/linalg.h"
#include "core/ops/nn.h"
#include "core/ops/reduce.h"
#include "core/ops/shape_ops.h"
#include "core/random.h"
#include "core/tensor.h"
#include "core/variable.h"
