# SPDX-License-Identifier: Apache-2.0
"""Prints the Keras reference numbers in tests/layers/{multi_head_attention,time_distributed}_test.cpp.

Run with a Keras 3 install (checked with keras 3.15.1, tensorflow backend):
    python tests/layers/data/make_attention_fixtures.py
Inputs and weights come from `pattern` (keras_pattern in tests/support/layer_contract.h).
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
    body = ", ".join("%.8g" % v for v in flat)
    print(f"// {name}: shape {list(np.shape(values))}\n{{{body}}}\n")


# B=2, Tq=3, Tv=4, dq=4, dv=5, dk=3, H=2, key_dim=3.
Q = pattern((2, 3, 4), 7, 11, 5, 4)
V = pattern((2, 4, 5), 5, 9, 4, 5)
K = pattern((2, 4, 3), 3, 7, 3, 4)


def mha_weights(dq, dv, dk, h, kd, vd, out, use_bias=True):
    """query/kernel, query/bias, key/kernel, key/bias, value/kernel, value/bias, output kernel, output bias."""
    w = [pattern((dq, h, kd), 5, 7, 3, 5), pattern((h, kd), 3, 5, 2, 10),
         pattern((dk, h, kd), 3, 8, 4, 5), pattern((h, kd), 2, 5, 2, 10),
         pattern((dv, h, vd), 7, 9, 4, 6), pattern((h, vd), 3, 7, 3, 10),
         pattern((h, vd) + tuple(out), 5, 11, 5, 6), pattern(tuple(out), 3, 5, 2, 10)]
    return w if use_bias else w[0::2]


def make_mha(q, v, k=None, use_bias=True, output_shape=None, **kw):
    layer = keras.layers.MultiHeadAttention(use_bias=use_bias, output_shape=output_shape, **kw)
    layer.build(q.shape, v.shape, None if k is None else k.shape)
    out = output_shape or (q.shape[-1],)
    dk = v.shape[-1] if k is None else k.shape[-1]
    layer.set_weights(mha_weights(q.shape[-1], v.shape[-1], dk, layer.num_heads, layer.key_dim, layer.value_dim,
                                  out, use_bias))
    return layer


def mha():
    layer = make_mha(Q, V, num_heads=2, key_dim=3)
    emit("MHA(2, 3) self-style (key=value), no mask", layer(Q, V))
    layer = make_mha(Q, V, K, num_heads=2, key_dim=3, value_dim=2)
    out, scores = layer(Q, V, key=K, return_attention_scores=True)
    emit("MHA(2, 3, value_dim=2) with key: output", out)
    emit("MHA(2, 3, value_dim=2) with key: scores", scores)
    emit("  same, causal, fused path (no scores)", layer(Q, V, key=K, use_causal_mask=True))
    out, scores = layer(Q, V, key=K, use_causal_mask=True, return_attention_scores=True)
    emit("  same, causal, with scores: output", out)
    emit("  same, causal, with scores: scores", scores)
    mask = np.ones((2, 3, 4), bool)
    mask[0, 0, 1:] = False
    mask[0, 2, :] = False  # a fully masked row
    mask[1, 1, ::2] = False
    emit("  same, attention_mask, fused path", layer(Q, V, key=K, attention_mask=mask))
    out, scores = layer(Q, V, key=K, attention_mask=mask, return_attention_scores=True)
    emit("  same, attention_mask, with scores: output", out)
    emit("  same, attention_mask, with scores: scores", scores)
    emit("  same, attention_mask [Tq, Tv] = mask[1] and causal",
         layer(Q, V, key=K, attention_mask=mask[1], use_causal_mask=True))
    layer = make_mha(Q, V, num_heads=2, key_dim=3, use_bias=False, output_shape=(2, 3))
    emit("MHA(2, 3, use_bias=False, output_shape=(2, 3))", layer(Q, V))
    q4 = pattern((1, 2, 2, 4), 7, 11, 5, 4)
    v4 = pattern((1, 3, 1, 5), 5, 9, 4, 5)
    layer = make_mha(q4, v4, num_heads=2, key_dim=3)
    out, scores = layer(q4, v4, return_attention_scores=True)
    emit("MHA(2, 3) rank 4 query [1,2,2,4], value [1,3,1,5]: output", out)
    emit("  scores", scores)
    layer = make_mha(Q, V, num_heads=2, key_dim=3, kernel_regularizer="l2", bias_regularizer="l1",
                     activity_regularizer="l2")
    layer(Q, V)
    emit("MHA with kernel l2, bias l1, activity l2: sum of losses", [float(sum(layer.losses))])
    emit("  number of losses", [len(layer.losses)])


def time_distributed():
    x = pattern((2, 3, 4), 7, 11, 5, 4)
    dense = keras.layers.Dense(3, activation="tanh")
    td = keras.layers.TimeDistributed(dense)
    td.build((None, 3, 4))
    dense.set_weights([pattern((4, 3), 5, 7, 3, 5), np.array([0.1, -0.2, 0.3], np.float32)])
    emit("TimeDistributed(Dense(3, tanh)) on x[2,3,4]", td(x))
    x5 = pattern((2, 2, 3, 3, 2), 7, 11, 5, 4)
    conv = keras.layers.Conv2D(2, (2, 2), activation="tanh")
    td = keras.layers.TimeDistributed(conv)
    td.build((None, 2, 3, 3, 2))
    conv.set_weights([pattern((2, 2, 2, 2), 5, 7, 3, 5), np.array([0.1, -0.2], np.float32)])
    emit("TimeDistributed(Conv2D(2, 2x2, tanh)) on x[2,2,3,3,2]", td(x5))


if __name__ == "__main__":
    mha()
    time_distributed()
