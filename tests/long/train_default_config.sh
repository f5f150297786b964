#!/usr/bin/env bash
# Issue #6's acceptance: `fathom train configs/examples/fashion_mnist_mlp.yaml` (README's first
# command) ends with test accuracy >= 0.87. Usage: train_default_config.sh FATHOM_BINARY
set -euo pipefail
fathom=${1:?path to build/bin/fathom}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$fathom" train configs/examples/fashion_mnist_mlp.yaml --set "output.dir=$out" --set fit.verbose=2
accuracy=$(sed -n 's/.*"accuracy": *\([0-9.eE+-]*\).*/\1/p' "$out/test_metrics.json")
echo "test accuracy: $accuracy"
awk -v a="$accuracy" 'BEGIN { exit !(a >= 0.87) }' || { echo "below 0.87" >&2; exit 1; }
for f in config.yaml history.csv model.fathom test_metrics.json; do
  [ -s "$out/$f" ] || { echo "missing $f in the run folder" >&2; exit 1; }
done
