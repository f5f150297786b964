#!/usr/bin/env bash
# Core micro-benchmarks: Fathom vs raw OpenBLAS sgemm vs PyTorch, same shapes and thread counts,
# alternating in one session. Usage: bench/run_core.sh [python-with-torch]   (default: python3)
# Needs a Release build in build/ (the README's first command makes one).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
cmake --build build -j2 --target core_bench >/dev/null
echo "# $(date -u +%FT%TZ) $(nproc) cores, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, $($python -c 'import torch; print("torch", torch.__version__)')"
for threads in 1 2; do
  for round in 1 2; do
    build/bin/core_bench "$threads"
    "$python" bench/torch_core_bench.py "$threads"
  done
done
