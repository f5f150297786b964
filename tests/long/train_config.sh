#!/usr/bin/env bash
# Trains an example config with `fathom train` and checks its test accuracy and run folder.
# Usage: train_config.sh FATHOM_BINARY [CONFIG [MIN_ACCURACY]]
# (default: README's first command, configs/examples/fashion_mnist_mlp.yaml, >= 0.87)
set -euo pipefail
fathom=${1:?path to build/bin/fathom}
config=${2:-configs/examples/fashion_mnist_mlp.yaml}
minimum=${3:-0.87}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$fathom" train "$config" --set "output.dir=$out" --set fit.verbose=2
accuracy=$(sed -n 's/.*"accuracy": *\([0-9.eE+-]*\).*/\1/p' "$out/test_metrics.json")
echo "test accuracy: $accuracy"
awk -v a="$accuracy" -v m="$minimum" 'BEGIN { exit !(a >= m) }' || { echo "below $minimum" >&2; exit 1; }
for f in config.yaml history.csv model.h5 test_metrics.json; do
  [ -s "$out/$f" ] || { echo "missing $f in the run folder" >&2; exit 1; }
done
