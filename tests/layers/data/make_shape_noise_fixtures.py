# SPDX-License-Identifier: Apache-2.0
"""Prints the Keras reference numbers pasted into tests/layers/{padding_cropping,upsampling,
embedding,masking}_test.cpp.

Run with a Keras 3 install (checked with keras 3.15.1, tensorflow backend):
    python tests/layers/data/make_shape_noise_fixtures.py
Inputs come from `pattern` (keras_pattern in tests/support/layer_contract.h), exact in float32.
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


def padding_cropping():
    x = pattern((2, 3, 2), 7, 11, 5, 4)
    emit("ZeroPadding1D((1, 2)) on pattern([2,3,2])", L.ZeroPadding1D((1, 2))(x))
    x = pattern((1, 2, 3, 2), 7, 11, 5, 4)
    emit("ZeroPadding2D(((1, 0), (2, 1))) on pattern([1,2,3,2])", L.ZeroPadding2D(((1, 0), (2, 1)))(x))
    x = pattern((2, 5, 2), 7, 11, 5, 4)
    emit("Cropping1D((1, 2)) on pattern([2,5,2])", L.Cropping1D((1, 2))(x))
    x = pattern((1, 4, 5, 2), 7, 11, 5, 4)
    emit("Cropping2D(((1, 0), (0, 2))) on pattern([1,4,5,2])", L.Cropping2D(((1, 0), (0, 2)))(x))


def upsampling():
    x = pattern((1, 2, 2), 7, 11, 5, 4)
    emit("UpSampling1D(3) on pattern([1,2,2])", L.UpSampling1D(3)(x))
    x = pattern((1, 2, 2, 2), 7, 11, 5, 4)
    emit("UpSampling2D((2, 3)) on pattern([1,2,2,2])", L.UpSampling2D((2, 3))(x))
    x = pattern((1, 3, 2, 2), 7, 11, 5, 4)
    emit("UpSampling2D((2, 3), bilinear) on pattern([1,3,2,2])",
         L.UpSampling2D((2, 3), interpolation="bilinear")(x))
    x = pattern((1, 2, 3, 1), 7, 11, 5, 4)
    emit("UpSampling2D((3, 1), bilinear) on pattern([1,2,3,1])",
         L.UpSampling2D((3, 1), interpolation="bilinear")(x))


def embedding():
    w = pattern((5, 3), 5, 7, 3, 5)
    layer = L.Embedding(5, 3, mask_zero=True)
    layer.build()
    layer.set_weights([w])
    ids = np.array([[0, 4, 2], [1, 1, 3]], np.int32)
    emit("Embedding(5, 3) with weights pattern([5,3]) on ids [[0,4,2],[1,1,3]]", layer(ids))
    emit("its mask", layer.compute_mask(ids))
    emit("float ids [[0.0, 3.7], [-0.5, 2.0]] (Keras casts)",
         layer(np.array([[0.0, 3.7], [-0.5, 2.0]], np.float32)))


def masking():
    x = pattern((2, 3, 2), 7, 11, 5, 4)
    x[0, 1, :] = 0
    x[1, 2, :] = 0
    x[1, 1, 0] = 0  # one zero in a row that is not all zero
    m = L.Masking()
    emit("Masking() on x", m(x))
    emit("its mask", m.compute_mask(x))
    x = pattern((1, 3, 2), 3, 7, 3, 2)
    x[0, 1, :] = 0.5
    x[0, 2, 0] = 0.5
    m = L.Masking(0.5)
    emit("x2", x)
    emit("Masking(0.5) on x2", m(x))
    emit("its mask", m.compute_mask(x))


if __name__ == "__main__":
    padding_cropping()
    upsampling()
    embedding()
    masking()
