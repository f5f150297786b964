# SPDX-License-Identifier: Apache-2.0
"""Prints the Keras reference numbers pasted into tests/layers/*_test.cpp.

Run with a Keras 3 install (checked with keras 3.15.1, tensorflow 2.21 backend):
    python tests/layers/data/make_keras_fixtures.py
The test suite itself never runs Python. Inputs come from `pattern` below, which the C++ tests
reproduce exactly (the values are multiples of 1/4 or 1/5, exact in float32).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def pattern(shape, mul, mod, off, div):
    """((i * mul) % mod - off) / div for i = 0..n-1, as float32 (keras_pattern in tests/support/layer_contract.h)."""
    n = int(np.prod(shape))
    return ((np.arange(n) * mul % mod - off) / div).astype(np.float32).reshape(shape)


def emit(name, values):
    flat = np.asarray(values, dtype=np.float64).ravel()
    body = ", ".join("%.9g" % v for v in flat)
    print(f"// {name}: shape {list(np.shape(values))}\n{{{body}}}\n")


def dense():
    x = pattern((2, 3, 4), 7, 11, 5, 4)
    k = pattern((4, 3), 5, 7, 3, 5)
    b = np.array([0.1, -0.2, 0.3], np.float32)
    layer = keras.layers.Dense(3, activation="tanh")
    layer.build((None, 3, 4))
    layer.set_weights([k, b])
    emit("Dense(3, tanh) on x[2,3,4]", layer(x))
    x2 = pattern((2, 4), 3, 7, 3, 2)
    layer = keras.layers.Dense(3, activation="relu", use_bias=False)
    layer.build((None, 4))
    layer.set_weights([k])
    emit("Dense(3, relu, use_bias=False) on x2[2,4]", layer(x2))
    layer = keras.layers.Dense(3, kernel_regularizer="l2", bias_regularizer="l1", activity_regularizer="l2")
    layer.build((None, 4))
    layer.set_weights([k, b])
    layer(x2)
    emit("Dense(3, kernel l2, bias l1, activity l2) losses on x2", [float(l) for l in layer.losses])


def activations():
    x = np.array([[-7, -3, -1.5, -0.5, 0], [0.25, 1, 2.5, 4, 7]], np.float32)
    names = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid",
             "hard_silu", "hard_swish", "tanh", "softmax", "log_softmax", "softplus", "softsign", "swish",
             "silu", "exponential", "mish"]
    for n in names:
        emit(f'keras.activations.get("{n}")', keras.activations.get(n)(x))


def reshaping():
    x = pattern((2, 3, 4), 7, 11, 5, 4)
    emit("Flatten on x[2,3,4]", keras.layers.Flatten()(x))
    emit("Reshape((-1,)) on x[2,3,4]", keras.layers.Reshape((-1,))(x))
    emit("Reshape((-1, 2)) on x[2,3,4]", keras.layers.Reshape((-1, 2))(x))
    emit("Permute((2, 1)) on x[2,3,4]", keras.layers.Permute((2, 1))(x))
    x4 = pattern((1, 2, 3, 2), 5, 13, 6, 4)
    emit("Permute((3, 1, 2)) on x4[1,2,3,2]", keras.layers.Permute((3, 1, 2))(x4))
    v = pattern((2, 2), 3, 5, 2, 4)
    emit("RepeatVector(3) on v[2,2]", keras.layers.RepeatVector(3)(v))


def merging():
    a = pattern((2, 3), 7, 11, 5, 4)
    b = pattern((2, 3), 5, 9, 4, 4)
    c = pattern((2, 3), 3, 7, 3, 2)
    L = keras.layers
    for cls in [L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum]:
        emit(f"{cls.__name__}()([a, b])", cls()([a, b]))
    for cls in [L.Add, L.Multiply, L.Average, L.Maximum, L.Minimum]:
        emit(f"{cls.__name__}()([a, b, c])", cls()([a, b, c]))
    d = pattern((2, 1), 1, 2, 0, 1) + np.float32(0.5)
    emit("Add()([a, d[2,1]])", L.Add()([a, d]))
    x3 = pattern((2, 3, 4), 7, 11, 5, 4)
    y2 = pattern((2, 4), 5, 9, 4, 4)
    emit("Multiply()([x3[2,3,4], y2[2,4]])", L.Multiply()([x3, y2]))
    emit("Dot(axes=1)([a, b])", L.Dot(axes=1)([a, b]))
    emit("Dot(axes=-1, normalize=True)([a, b])", L.Dot(axes=-1, normalize=True)([a, b]))
    p = pattern((2, 3, 4), 7, 11, 5, 4)
    q = pattern((2, 2, 3), 5, 9, 4, 4)
    emit("Dot(axes=(1, 2))([p[2,3,4], q[2,2,3]])", L.Dot(axes=(1, 2))([p, q]))
    r = pattern((2, 2, 4), 3, 7, 3, 2)
    emit("Dot(axes=2, normalize=True)([p[2,3,4], r[2,2,4]])", L.Dot(axes=2, normalize=True)([p, r]))
    s = pattern((2, 2, 3), 5, 9, 4, 4)
    t = pattern((2, 1, 3), 3, 7, 3, 2)
    emit("Concatenate(axis=1)([s[2,2,3], t[2,1,3]])", L.Concatenate(axis=1)([s, t]))


def regularizers_and_constraints():
    w = pattern((3, 4), 7, 11, 5, 4)
    R = keras.regularizers
    emit("[l1 default, l2 default, L1L2(), L1L2(l1=0.02, l2=0.03), l1_l2()] penalties of w[3,4]",
         [float(R.get("l1")(w)), float(R.get("l2")(w)), float(R.L1L2()(w)), float(R.L1L2(l1=0.02, l2=0.03)(w)),
          float(R.l1_l2()(w))])
    big = pattern((3, 4), 5, 13, 6, 2)
    C = keras.constraints
    emit("MaxNorm() (max_value=2, axis=0) on big[3,4]", C.MaxNorm()(big))
    emit("MaxNorm(max_value=1.5, axis=1) on big[3,4]", C.MaxNorm(max_value=1.5, axis=1)(big))
    emit("NonNeg() on big[3,4]", C.NonNeg()(big))
    emit("UnitNorm() (axis=0) on big[3,4]", C.UnitNorm()(big))
    emit("UnitNorm(axis=1) on big[3,4]", C.UnitNorm(axis=1)(big))
    emit("MinMaxNorm(min_value=0.5, max_value=1.5, rate=0.7, axis=0) on big[3,4]",
         C.MinMaxNorm(min_value=0.5, max_value=1.5, rate=0.7, axis=0)(big))
    emit("MinMaxNorm() (0, 1, rate 1, axis 0) on big[3,4]", C.MinMaxNorm()(big))


def configs():
    """keras.saving.serialize_keras_object(layer) as JSON: what a Keras 3 file holds."""
    import json

    L = keras.layers
    layers = [L.Dense(3, activation="tanh", kernel_regularizer="l2", kernel_constraint="max_norm"),
              L.Dropout(0.5, noise_shape=(None, 1, 6), seed=3), L.Reshape((-1, 2)), L.Permute((2, 1)),
              L.RepeatVector(3), L.Flatten(), L.Add(), L.Concatenate(axis=1), L.Dot(axes=(1, 2), normalize=True),
              L.Activation("relu"), L.InputLayer(shape=(3,))]
    for layer in layers:
        print(json.dumps(keras.saving.serialize_keras_object(layer)))


if __name__ == "__main__":
    print("// keras", keras.__version__, "backend", keras.backend.backend())
    for f in [dense, activations, reshaping, merging, regularizers_and_constraints, configs]:
        print(f"// ---- {f.__name__}")
        f()
