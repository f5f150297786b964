# SPDX-License-Identifier: Apache-2.0
"""Keras 3 (TensorFlow backend) side of mlp_bench.cpp: the same model and fit() call.
Prints "keras,mlp_fit,<threads>,<samples/s>"."""
import gzip
import os
import statistics
import sys
import time


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    def load(path):
        with gzip.open(path, "rb") as f:
            data = f.read()
        dims = data[3]
        shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

    root = "/usr/share/datasets/fashion-mnist/"
    x = load(root + "train-images-idx3-ubyte.gz").astype("float32") / 255.0
    y = load(root + "train-labels-idx1-ubyte.gz").astype("int64")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.start)

    timer = Timer()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer])
    print(f"keras,mlp_fit,{threads},{len(x) / statistics.median(timer.times[1:]):.0f}")


if __name__ == "__main__":
    main()
