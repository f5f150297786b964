#!/usr/bin/env bash
# Cross-check (manual, needs /opt/kerasvenv with tensorflow-cpu, Keras 3 and tf_keras): Fathom
# fine-tunes two Keras 3 fixtures for one epoch and writes model.h5, a .keras checkpoint and a
# .weights.h5; then tf.keras and Keras 3 load those files and must predict what Fathom predicts.
# Usage: tests/models/tools/check_with_real_keras.sh [build/bin/fathom]
set -euo pipefail
FATHOM=$(realpath "${1:-build/bin/fathom}")
PY=${PY:-/opt/kerasvenv/bin/python}
D=$(realpath tests/models/data/keras3)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$PY" -c "
import numpy as np
rng = np.random.default_rng(0)
np.save('cnn_x.npy', rng.uniform(-1, 1, (40, 8, 8, 2)).astype('float32'))
np.save('cnn_y.npy', rng.integers(0, 4, (40,)).astype('int64'))
np.save('rnn_x.npy', rng.integers(0, 10, (40, 6)).astype('int32'))
np.save('rnn_y.npy', rng.uniform(-1, 1, (40, 2)).astype('float32'))"
for m in cnn rnn; do
  src=$([ $m = cnn ] && echo cnn_bn_sequential || echo embedding_bilstm_gru)
  loss=$([ $m = cnn ] && echo sparse_categorical_crossentropy || echo mse)
  cat > $m.yaml <<YAML
model: {keras_file: $D/$src.keras}
compile: {optimizer: adam, loss: $loss}
data: {train: {class_name: NPY, config: {x: $T/${m}_x.npy, y: $T/${m}_y.npy}}}
fit:
  epochs: 1
  batch_size: 8
  seed: 1
  callbacks:
    - {class_name: ModelCheckpoint, config: {filepath: $T/${m}_ckpt.keras}}
    - {class_name: ModelCheckpoint, config: {filepath: $T/${m}_w.weights.h5, save_weights_only: true}}
output: {dir: $T/${m}_run}
YAML
  "$FATHOM" train $m.yaml > /dev/null
  "$FATHOM" predict ${m}_run/model.h5 --input ${m}_x.npy --output ${m}_fathom.npy > /dev/null
done
"$PY" - <<'PYEOF' 2>&1 | grep -E "^(cnn|rnn)"
import numpy as np, keras, tf_keras
worst = 0
for m in ["cnn", "rnn"]:
    x, f = np.load(m + "_x.npy"), np.load(m + "_fathom.npy")
    runs = {"tf.keras model.h5": lambda: tf_keras.models.load_model(m + "_run/model.h5", compile=False),
            "Keras 3 model.h5": lambda: keras.saving.load_model(m + "_run/model.h5", compile=False),
            "Keras 3 .keras": lambda: keras.saving.load_model(m + "_ckpt.keras", compile=False)}
    for name, load in runs.items():
        d = float(np.abs(load().predict(x, verbose=0) - f).max()); worst = max(worst, d)
        print(m, name, "max |diff|", d)
    model = keras.saving.load_model(m + "_ckpt.keras", compile=False)
    for w in model.weights: w.assign(np.zeros(w.shape))
    model.load_weights(m + "_w.weights.h5")
    d = float(np.abs(model.predict(x, verbose=0) - f).max()); worst = max(worst, d)
    print(m, "Keras 3 .weights.h5", "max |diff|", d)
print("cnn/rnn worst", worst, "OK" if worst < 1e-5 else "MISMATCH")
PYEOF
