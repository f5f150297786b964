# SPDX-License-Identifier: Apache-2.0
"""Prints the Keras reference numbers of the 1-D, transposed, depthwise and separable convolution
and of the 1-D / global pooling tests (tests/layers/{conv1d,conv2d_transpose,depthwise_conv2d,
separable_conv2d,pooling1d,global_pooling}_test.cpp).

Run with a Keras 3 install (checked with keras 3.15.1, tensorflow backend):
    python tests/layers/data/make_conv_fixtures.py
The test suite itself never runs Python. Inputs and weights come from `pattern` (the same as
make_keras_fixtures.py and keras_pattern in tests/support/layer_contract.h).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402

L = keras.layers


def pattern(shape, mul, mod, off, div):
    n = int(np.prod(shape))
    return ((np.arange(n) * mul % mod - off) / div).astype(np.float32).reshape(shape)


def emit(name, values):
    values = np.asarray(values)
    flat = values.astype(np.float64).ravel()
    body = ", ".join("%.9g" % v for v in flat)
    print(f"// {name}: shape {list(values.shape)}\n{{{body}}}\n")


def run(layer, x, weights):
    layer.build(x.shape)
    layer.set_weights(weights)
    return layer(x)


def conv1d():
    b = np.array([0.1, -0.2, 0.3], np.float32)
    for length in (7, 6):
        x = pattern((1, length, 2), 7, 11, 5, 4)
        for kw in [dict(kernel_size=3), dict(kernel_size=3, strides=2, padding="same"),
                   dict(kernel_size=4, strides=2, padding="same"), dict(kernel_size=3, dilation_rate=2),
                   dict(kernel_size=3, dilation_rate=2, padding="causal"),
                   dict(kernel_size=2, strides=2, padding="causal"),
                   dict(kernel_size=2, dilation_rate=2, padding="same")]:
            k = pattern((kw["kernel_size"], 2, 3), 5, 7, 3, 5)
            emit(f"Conv1D(3, {kw}) on x[1,{length},2]", run(L.Conv1D(3, **kw), x, [k, b]))
    x1 = pattern((2, 1, 2), 7, 11, 5, 4)
    emit("Conv1D(3, kernel_size=3, padding=same) on x1[2,1,2]",
         run(L.Conv1D(3, 3, padding="same"), x1, [pattern((3, 2, 3), 5, 7, 3, 5), b]))


def conv2d_transpose():
    b = np.array([0.1, -0.2], np.float32)
    x = pattern((1, 3, 3, 2), 7, 11, 5, 4)
    x23 = pattern((1, 2, 3, 2), 7, 11, 5, 4)
    x11 = pattern((1, 1, 1, 2), 7, 11, 5, 4)
    cases = [(x, dict(kernel_size=3, strides=2, padding="same")),
             (x, dict(kernel_size=3, strides=2, padding="valid")),
             (x, dict(kernel_size=3, strides=2, padding="same", output_padding=0)),
             (x, dict(kernel_size=3, strides=2, padding="same", output_padding=1)),
             (x, dict(kernel_size=2, strides=2, padding="valid", output_padding=1)),
             (x, dict(kernel_size=2, strides=3, padding="valid")),
             (x, dict(kernel_size=4, strides=2, padding="same")),
             (x23, dict(kernel_size=(2, 3), strides=(2, 1), padding="same")),
             (x, dict(kernel_size=2, dilation_rate=2, padding="valid")),
             (x, dict(kernel_size=2, dilation_rate=2, padding="same")),
             (x11, dict(kernel_size=3, strides=2, padding="same")),
             (x11, dict(kernel_size=3, strides=2, padding="valid"))]
    for xin, kw in cases:
        ks = kw["kernel_size"]
        kh, kwid = (ks, ks) if isinstance(ks, int) else ks
        k = pattern((kh, kwid, 2, 2), 5, 7, 3, 5)
        emit(f"Conv2DTranspose(2, {kw}) on x{list(xin.shape)}", run(L.Conv2DTranspose(2, **kw), xin, [k, b]))


def depthwise():
    x = pattern((1, 5, 5, 2), 7, 11, 5, 4)
    x4 = pattern((1, 4, 4, 2), 7, 11, 5, 4)
    b = np.array([0.1, -0.2, 0.3, -0.4], np.float32)
    for xin, kw in [(x, dict(kernel_size=3, depth_multiplier=2)),
                    (x, dict(kernel_size=3, depth_multiplier=2, strides=2, padding="same")),
                    (x4, dict(kernel_size=3, depth_multiplier=2, strides=2, padding="same")),
                    (x, dict(kernel_size=(2, 3), depth_multiplier=2, dilation_rate=2))]:
        ks = kw["kernel_size"]
        kh, kwid = (ks, ks) if isinstance(ks, int) else ks
        k = pattern((kh, kwid, 2, 2), 5, 7, 3, 5)
        emit(f"DepthwiseConv2D({kw}) on x{list(xin.shape)}", run(L.DepthwiseConv2D(**kw), xin, [k, b]))
    k = pattern((3, 3, 2, 1), 5, 7, 3, 5)
    emit("DepthwiseConv2D(3, same) mult 1 on x", run(L.DepthwiseConv2D(3, padding="same"), x, [k, b[:2]]))


def separable():
    x = pattern((1, 5, 5, 2), 7, 11, 5, 4)
    dk = pattern((3, 3, 2, 2), 5, 7, 3, 5)
    pk = pattern((1, 1, 4, 3), 3, 5, 2, 4)
    b = np.array([0.1, -0.2, 0.3], np.float32)
    for kw in [dict(strides=2, padding="same"), dict(dilation_rate=2), dict(padding="same")]:
        layer = L.SeparableConv2D(3, 3, depth_multiplier=2, **kw)
        emit(f"SeparableConv2D(3, 3, mult 2, {kw}) on x", run(layer, x, [dk, pk, b]))


def pooling1d():
    for length in (7, 6):
        x = pattern((1, length, 2), 7, 11, 5, 4)
        for cls in (L.MaxPooling1D, L.AveragePooling1D):
            for kw in [dict(pool_size=2), dict(pool_size=2, padding="same"), dict(pool_size=3, strides=2, padding="same"),
                       dict(pool_size=3, strides=1, padding="same"), dict(pool_size=3, strides=2)]:
                emit(f"{cls.__name__}({kw}) on x[1,{length},2]", cls(**kw)(x))


def global_pooling():
    x1 = pattern((2, 3, 2), 7, 11, 5, 4)
    x2 = pattern((2, 3, 2, 2), 7, 11, 5, 4)
    for cls in (L.GlobalAveragePooling1D, L.GlobalMaxPooling1D):
        emit(f"{cls.__name__}() on x1", cls()(x1))
    for cls in (L.GlobalAveragePooling2D, L.GlobalMaxPooling2D):
        emit(f"{cls.__name__}() on x2", cls()(x2))
    mask = np.array([[True, False, True], [False, True, True]])
    emit("GlobalAveragePooling1D()(x1, mask)", L.GlobalAveragePooling1D()(x1, mask=mask))


def configs():
    import json

    for layer in [L.Conv1D(4, 3, padding="causal"), L.Conv2DTranspose(4, 3, strides=2, output_padding=1),
                  L.DepthwiseConv2D(3, depth_multiplier=2), L.SeparableConv2D(4, 3),
                  L.MaxPooling1D(), L.AveragePooling1D(3, padding="same"), L.GlobalAveragePooling1D(),
                  L.GlobalMaxPooling2D(keepdims=True)]:
        print(json.dumps(keras.saving.serialize_keras_object(layer)["config"]))


if __name__ == "__main__":
    print("// keras", keras.__version__, "backend", keras.backend.backend())
    for f in [conv1d, conv2d_transpose, depthwise, separable, pooling1d, global_pooling, configs]:
        print(f"// ---- {f.__name__}")
        f()
