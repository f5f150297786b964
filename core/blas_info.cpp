// SPDX-License-Identifier: Apache-2.0
#include "core/blas_info.h"

#include <algorithm>
#include <array>
#include <string_view>

extern "C" char* openblas_get_corename(void);

namespace fathom {

std::string blas_core_name() { return openblas_get_corename(); }

std::string suggested_blas_coretype() {
#if defined(__x86_64__)
  const std::string core = blas_core_name();
  auto is_one_of = [&](std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) {
      return std::equal(core.begin(), core.end(), n.begin(), n.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
  };
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
    if (!is_one_of({"SkylakeX", "Cooperlake", "SapphireRapids"})) return "SkylakeX";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    if (!is_one_of({"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"})) return "Haswell";
  }
#endif
  return {};
}

}  // namespace fathom
