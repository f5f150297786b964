# SPDX-License-Identifier: Apache-2.0
"""Prints the Keras reference numbers pasted into the normalization, activation-layer and
preprocessing tests (tests/layers/{batch,layer,group,unit}_normalization_test.cpp,
activation_layers_test.cpp, preprocessing_test.cpp).

Run with a Keras 3 install (checked with keras 3.15.1, tensorflow backend):
    python tests/layers/data/make_normalization_fixtures.py
Inputs come from `pattern` (keras_pattern in tests/support/layer_contract.h). Cases Keras 3 no
longer has (BatchNormalization over a list of axes, ThresholdedReLU) are computed with NumPy.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def pattern(shape, mul, mod, off, div):
    n = int(np.prod(shape))
    return ((np.arange(n) * mul % mod - off) / div).astype(np.float32).reshape(shape)


def emit(name, values):
    flat = np.asarray(values, dtype=np.float64).ravel()
    body = ", ".join("%.9g" % v for v in flat)
    print(f"// {name}: shape {list(np.shape(values))}\n{{{body}}}\n")


def f32(v):
    return np.array(v, np.float32)


def batch_normalization():
    x = pattern((2, 3, 3, 2), 7, 11, 5, 4)
    bn = keras.layers.BatchNormalization(momentum=0.9)
    bn.build(x.shape)
    bn.set_weights([f32([1.5, -0.5]), f32([0.1, -0.2]), f32([0.2, -0.1]), f32([0.5, 2.0])])
    emit("BN4 inference", bn(x, training=False))
    emit("BN4 training", bn(x, training=True))
    emit("BN4 moving_mean after", bn.moving_mean.numpy())
    emit("BN4 moving_variance after", bn.moving_variance.numpy())
    x3 = pattern((2, 3, 4), 5, 9, 4, 3)
    bn = keras.layers.BatchNormalization(center=False)
    bn.build(x3.shape)
    emit("BN3 center=False training", bn(x3, training=True))
    emit("BN3 moving_mean after", bn.moving_mean.numpy())
    emit("BN3 moving_variance after", bn.moving_variance.numpy())
    bn = keras.layers.BatchNormalization(axis=1, momentum=0.5, epsilon=0.01)
    bn.build(x3.shape)
    bn.set_weights([f32([2.0, 1.0, 0.5]), f32([0.0, 1.0, -1.0]), f32([0, 0, 0]), f32([1, 1, 1])])
    emit("BN3 axis=1 training", bn(x3, training=True))
    emit("BN3 axis=1 moving_mean after", bn.moving_mean.numpy())
    emit("BN3 axis=1 moving_variance after", bn.moving_variance.numpy())
    mask = np.array([[True, True, False], [True, False, False]])
    bn = keras.layers.BatchNormalization(momentum=0.5)
    bn.build(x3.shape)
    emit("BN3 masked training", bn(x3, training=True, mask=mask))
    emit("BN3 masked moving_mean after", bn.moving_mean.numpy())
    emit("BN3 masked moving_variance after", bn.moving_variance.numpy())
    # Keras 2 list axis [1, 3] on [2, 3, 3, 2]: statistics over axes 0 and 2 (NumPy).
    m = x.mean(axis=(0, 2), keepdims=True)
    v = x.var(axis=(0, 2), keepdims=True)
    emit("BN4 axis=[1,3] training (numpy)", (x - m) / np.sqrt(v + 1e-3))


def layer_normalization():
    x = pattern((2, 3, 4), 5, 9, 4, 3)
    ln = keras.layers.LayerNormalization()
    ln.build(x.shape)
    ln.set_weights([f32([1.0, 2.0, -1.0, 0.5]), f32([0.1, 0.0, -0.1, 0.2])])
    emit("LN axis=-1", ln(x))
    ln = keras.layers.LayerNormalization(axis=[1, 2], center=False, epsilon=0.01)
    ln.build(x.shape)
    ln.set_weights([pattern((3, 4), 3, 7, 2, 2)])
    emit("LN axis=[1,2] center=False", ln(x))
    ln = keras.layers.LayerNormalization(rms_scaling=True)
    ln.build(x.shape)
    ln.set_weights([f32([1.0, 2.0, -1.0, 0.5])])
    emit("LN rms_scaling", ln(x))
    ln = keras.layers.LayerNormalization(axis=1, scale=False)
    ln.build(x.shape)
    ln.set_weights([f32([0.5, -0.5, 0.0])])
    emit("LN axis=1 scale=False", ln(x))


def group_normalization():
    x = pattern((2, 2, 2, 4), 7, 11, 5, 4)
    gn = keras.layers.GroupNormalization(groups=2)
    gn.build(x.shape)
    gn.set_weights([f32([1.0, 2.0, -1.0, 0.5]), f32([0.1, 0.0, -0.1, 0.2])])
    emit("GN groups=2", gn(x))
    gn = keras.layers.GroupNormalization(groups=-1, center=False)
    gn.build(x.shape)
    emit("GN groups=-1", gn(x))
    x3 = pattern((2, 5, 6), 5, 9, 4, 3)
    gn = keras.layers.GroupNormalization(groups=3, epsilon=0.01)
    gn.build(x3.shape)
    emit("GN 3-D groups=3", gn(x3))
    x4 = pattern((2, 4, 3), 5, 9, 4, 3)
    gn = keras.layers.GroupNormalization(groups=2, axis=1)
    gn.build(x4.shape)
    gn.set_weights([f32([1.0, 2.0, -1.0, 0.5]), f32([0.1, 0.0, -0.1, 0.2])])
    emit("GN axis=1 groups=2", gn(x4))


def unit_normalization():
    x = pattern((2, 3, 4), 5, 9, 4, 3)
    emit("Unit axis=-1", keras.layers.UnitNormalization()(x))
    emit("Unit axis=[1,2]", keras.layers.UnitNormalization(axis=[1, 2])(x))
    z = f32([[0, 0, 0], [1e-13, 0, 0], [3, 4, 0]])
    emit("Unit tiny/zero rows", keras.layers.UnitNormalization()(z))


def activation_layers():
    x = f32([[-7, -3, -1.5, -0.5, 0], [0.25, 1, 2.5, 4, 7]])
    emit("ReLU()", keras.layers.ReLU()(x))
    emit("ReLU(max_value=6, negative_slope=0.1, threshold=0.5)",
         keras.layers.ReLU(max_value=6, negative_slope=0.1, threshold=0.5)(x))
    emit("ReLU(negative_slope=0.2)", keras.layers.ReLU(negative_slope=0.2)(x))
    emit("ReLU(threshold=1.0)", keras.layers.ReLU(threshold=1.0)(x))
    emit("ReLU(max_value=2.5, negative_slope=0.5)", keras.layers.ReLU(max_value=2.5, negative_slope=0.5)(x))
    emit("LeakyReLU()", keras.layers.LeakyReLU()(x))
    emit("LeakyReLU(0.1)", keras.layers.LeakyReLU(negative_slope=0.1)(x))
    emit("ELU(alpha=0.5)", keras.layers.ELU(alpha=0.5)(x))
    emit("Softmax()", keras.layers.Softmax()(x))
    emit("Softmax(axis=0)", keras.layers.Softmax(axis=0)(x))
    emit("Softmax(axis=[0,1])", keras.layers.Softmax(axis=[0, 1])(x))
    mask = np.array([[True, False, True, True, False], [False, False, False, False, False]])
    emit("Softmax() with mask", keras.layers.Softmax()(x, mask=mask))
    emit("Softmax() with mask [5]", keras.layers.Softmax()(x, mask=mask[0]))
    emit("ThresholdedReLU(theta=1.0) (numpy)", x * (x > 1.0))
    x3 = pattern((2, 3, 4), 5, 9, 4, 3)
    p = keras.layers.PReLU(shared_axes=[1])
    p.build(x3.shape)
    p.set_weights([f32([[0.1, 0.2, -0.3, 0.5]])])
    emit("PReLU(shared_axes=[1])", p(x3))


def preprocessing():
    x = pattern((2, 3), 5, 9, 4, 3)
    emit("Rescaling(0.5, -1)", keras.layers.Rescaling(0.5, offset=-1.0)(x))
    emit("Rescaling([1, 2, 3], [0, 0.5, 1])", keras.layers.Rescaling(f32([1, 2, 3]), offset=f32([0, 0.5, 1]))(x))
    d = pattern((4, 3), 7, 11, 5, 4)
    n = keras.layers.Normalization()
    n.adapt(d)
    emit("Normalization adapt mean", n.adapt_mean.numpy())
    emit("Normalization adapt variance", n.adapt_variance.numpy())
    emit("Normalization adapted on d", n(d))
    n = keras.layers.Normalization(axis=None)
    n.adapt(d)
    emit("Normalization(axis=None) on d", n(d))
    d3 = pattern((3, 2, 2), 7, 11, 5, 4)
    n = keras.layers.Normalization(axis=[1, 2])
    n.adapt(d3)
    emit("Normalization(axis=[1,2]) mean", n.adapt_mean.numpy())
    emit("Normalization(axis=[1,2]) on d3", n(d3))
    n = keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 0.25])
    emit("Normalization(mean=[1,2,3], variance=[4,0,0.25]) on d", n(d))
    n = keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 0.25], invert=True)
    emit("... invert=True on d", n(d))


for f in (batch_normalization, layer_normalization, group_normalization, unit_normalization,
          activation_layers, preprocessing):
    print(f"/// ---- {f.__name__}")
    f()
