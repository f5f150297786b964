#!/usr/bin/env bash
# MLP training throughput: Fathom vs PyTorch vs Keras 3 (TensorFlow), same model, data, batch
# and thread count, alternating in one session.
# Usage: bench/run_mlp.sh TORCH_PYTHON KERAS_PYTHON [epochs]
set -euo pipefail
cd "$(dirname "$0")/.."
torch_python=${1:?python with torch}
keras_python=${2:?python with tensorflow}
epochs=${3:-4}
cmake --build build -j2 --target mlp_bench >/dev/null
echo "# $(date -u +%FT%TZ) $(nproc) cores, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto (fathom re-execs with SkylakeX on unknown AVX-512 CPUs)}"
for threads in 1 2; do
  for round in 1 2; do
    build/bin/mlp_bench "$threads" "$epochs"
    "$torch_python" bench/torch_mlp_bench.py "$threads" "$epochs"
    "$keras_python" bench/keras_mlp_bench.py "$threads" "$epochs"
  done
done
