# SPDX-License-Identifier: Apache-2.0
"""Prints the Keras reference numbers pasted into tests/layers/rnn_projection_test.cpp: recurrent
layers whose input is wider than G*units, where RNNBase projects all steps at once and slices
the projection (narrower inputs are sliced per step and projected step by step; the other
recurrent tests cover that path).

Run with a Keras 3 install (checked with keras 3.15, tensorflow backend, CPU):
    python tests/layers/data/make_rnn_projection_fixtures.py
Inputs and weights come from `pattern` (keras_pattern in tests/support/layer_contract.h):
x = pattern([2, 4, 5], 7, 11, 5, 4); kernel = pattern([5, G*u], 5, 7, 3, 5); recurrent_kernel =
pattern([u, G*u], 3, 7, 3, 5); bias = pattern([G*u], 2, 5, 2, 10); the mask of
make_rnn_fixtures.py.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402

MASK = np.array([[True, False, True, True], [False, True, True, False]])


def pattern(shape, mul, mod, off, div):
    n = int(np.prod(shape))
    return ((np.arange(n) * mul % mod - off) / div).astype(np.float32).reshape(shape)


def emit(name, values):
    flat = np.asarray(values, dtype=np.float64).ravel()
    body = ", ".join("%.8g" % v for v in flat)
    print(f"// {name}: shape {list(np.shape(values))}\n{{{body}}}\n")


X = pattern((2, 4, 5), 7, 11, 5, 4)


def make(cls, gates, units, **kw):
    layer = cls(units, return_sequences=True, go_backwards=True, **kw)
    layer.build((None, 4, 5))
    layer.set_weights([pattern((5, gates * units), 5, 7, 3, 5), pattern((units, gates * units), 3, 7, 3, 5),
                       pattern((gates * units,), 2, 5, 2, 10)])
    return layer


emit("LSTM(1, return_sequences, go_backwards) masked", make(keras.layers.LSTM, 4, 1)(X, mask=MASK))
emit("SimpleRNN(2, return_sequences, go_backwards) masked", make(keras.layers.SimpleRNN, 1, 2)(X, mask=MASK))
emit("GRU(1, return_sequences, go_backwards, reset_after=False) masked",
     make(keras.layers.GRU, 3, 1, reset_after=False)(X, mask=MASK))
