// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

namespace fathom {

/// The kernel set OpenBLAS picked for this CPU ("Haswell", "SkylakeX", "Prescott", ...).
std::string blas_core_name();

/// When OpenBLAS runs kernels far below what the CPU supports, the OPENBLAS_CORETYPE that fixes
/// it ("SkylakeX" or "Haswell"); empty otherwise. Measured: Debian's OpenBLAS 0.3.21 does not
/// know Intel family 6 model 207 (Emerald Rapids) and falls back to "Prescott" (SSE3), 4.5x
/// slower in sgemm than with OPENBLAS_CORETYPE=SkylakeX. OpenBLAS reads the variable when it is
/// loaded, so only a new process can apply it (the fathom CLI re-executes itself).
std::string suggested_blas_coretype();

}  // namespace fathom
