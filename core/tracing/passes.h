// SPDX-License-Identifier: Apache-2.0
// Graph passes. Each keeps the graph's meaning (same outputs, same effects in the same order)
// and appends a PassRecord with the node counts before and after.
#pragma once
#include "core/tracing/graph.h"

namespace fathom::tracing {

/// Evaluates ops whose inputs are all constants once, now (never random ops or anything that
/// reads a variable's memory); their outputs become constants.
void fold_constants(Graph& g);
/// Merges repeated pure ops with the same inputs (ops without attributes only: add, matmul, exp,
/// ...), never across an effect (an input may view memory the effect writes).
void eliminate_common_subexpressions(Graph& g);
/// Removes ops whose results reach no output and no effect. Random ops stay (each draw advances
/// its generator, as eagerly), and so do effects and checks (ops::check_values).
void eliminate_dead_code(Graph& g);

/// Fuses chains of elementwise ops (unary ops without parameters, their gradients, add, sub,
/// mul, div, pow, maximum, minimum) whose intermediate results have no other use into one
/// kernel that keeps each block's intermediates in cache (kernels::FusedStep); a chain that
/// starts from a matmul's result runs in place on it right after the matmul (a bias add and an
/// activation as its epilogue). Never across an effect.
void fuse_elementwise(Graph& g);

/// The default pipeline: fold_constants, eliminate_common_subexpressions, eliminate_dead_code,
/// then fuse_elementwise when `fuse`.
void optimize(Graph& g, bool fuse = true);

}  // namespace fathom::tracing
