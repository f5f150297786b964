#!/usr/bin/env bash
# CNN and LSTM training-step time: Fathom vs PyTorch vs Keras 3 (TensorFlow), same models,
# batches and thread count, alternating in one session (lower is better).
# Usage: bench/run_steps.sh TORCH_PYTHON KERAS_PYTHON [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
torch_python=${1:?python with torch}
keras_python=${2:?python with tensorflow}
steps=${3:-20}
cmake --build build -j2 --target step_bench >/dev/null
echo "# $(date -u +%FT%TZ) $(nproc) cores; columns: framework,model_b<batch>[_mode],threads,ms per step"
for model in cnn lstm; do
  for threads in 1 2; do
    for round in 1 2; do
      build/bin/step_bench "$model" "$threads" "$steps"
      "$torch_python" bench/torch_step_bench.py "$model" "$threads" "$steps"
      "$keras_python" bench/keras_step_bench.py "$model" "$threads" "$steps" 2>/dev/null
    done
  done
done
