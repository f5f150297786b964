# SPDX-License-Identifier: Apache-2.0
"""Keras 3 (TensorFlow backend) side of step_bench.cpp: the same models and batches through
model.train_on_batch (a traced tf.function step, Keras's normal path).
Usage: keras_step_bench.py cnn|lstm|mlp [threads] [steps] [batch]. Prints
"keras,<model>_b<batch>,<threads>,<ms per step>" (median after 3 warm-up steps)."""
import os
import statistics
import sys
import time

threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras  # noqa: E402


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "cnn"
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else {"cnn": 128, "lstm": 64, "mlp": 32}[which]
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    if which == "cnn":
        model = keras.Sequential([
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
        x = rng.uniform(0, 1, (batch, 28, 28, 1)).astype("float32")
        y = rng.integers(0, 10, (batch,))
    elif which == "mlp":
        model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                  keras.layers.Dense(256, activation="relu"),
                                  keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
        x = rng.uniform(0, 1, (batch, 28, 28)).astype("float32")
        y = rng.integers(0, 10, (batch,))
    else:
        model = keras.Sequential([keras.Input((32, 32)), keras.layers.LSTM(128), keras.layers.Dense(10)])
        x = rng.normal(size=(batch, 32, 32)).astype("float32")
        y = rng.integers(0, 10, (batch,))
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    times = []
    for i in range(steps + 3):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        t = (time.perf_counter() - start) * 1000
        if i >= 3:
            times.append(t)
    print(f"keras,{which}_b{batch},{threads},{statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
