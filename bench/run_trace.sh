#!/usr/bin/env bash
# Traced vs eager training steps (#7): the Fashion-MNIST MLP at batch 32 and 128 and the CNN at
# batch 128, at 1 and 2 threads: Fathom eager (compile run_eagerly), Fathom traced (the default),
# PyTorch (eager) and Keras 3 (a traced tf.function step), alternating in one session.
# Usage: bench/run_trace.sh TORCH_PYTHON KERAS_PYTHON [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
torch_python=${1:?python with torch}
keras_python=${2:?python with tensorflow}
steps=${3:-200}
cmake --build build -j2 --target step_bench >/dev/null
echo "# $(date -u +%FT%TZ) $(nproc) cores; columns: framework,model_b<batch>[_mode],threads,ms per step"
for case in "mlp 32" "mlp 128" "cnn 128"; do
  set -- $case
  model=$1 batch=$2
  n=$steps
  [ "$model" = cnn ] && n=$((steps / 10))
  for threads in 1 2; do
    for round in 1 2; do
      build/bin/step_bench "$model" "$threads" "$n" "$batch" eager
      build/bin/step_bench "$model" "$threads" "$n" "$batch" traced
      "$torch_python" bench/torch_step_bench.py "$model" "$threads" "$n" "$batch"
      "$keras_python" bench/keras_step_bench.py "$model" "$threads" "$n" "$batch" 2>/dev/null
    done
  done
done
