# SPDX-License-Identifier: Apache-2.0
"""Prints the Keras reference numbers pasted into tests/layers/{simple_rnn,lstm,gru,bidirectional}_test.cpp.

Run with a Keras 3 install (checked with keras 3.15, tensorflow backend, CPU):
    python tests/layers/data/make_rnn_fixtures.py
Inputs and weights come from `pattern` (keras_pattern in tests/support/layer_contract.h), so the
C++ tests rebuild them exactly: x = pattern([2, 4, 3], 7, 11, 5, 4); kernel = pattern([3, G*u],
5, 7, 3, 5); recurrent_kernel = pattern([u, G*u], 3, 7, 3, 5); bias = pattern([G*u], 2, 5, 2, 10)
(GRU reset_after: pattern([2, 3u], 2, 5, 2, 10)). The mask has a masked first step (sample 1), a
masked middle step (sample 0) and a masked last step (sample 1).
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


X = pattern((2, 4, 3), 7, 11, 5, 4)


def weights(gates, units, reset_after=False, scale=1.0):
    k = pattern((3, gates * units), 5, 7, 3, 5) * scale
    rk = pattern((units, gates * units), 3, 7, 3, 5) * scale
    b = pattern((2, 3 * units) if reset_after else (gates * units,), 2, 5, 2, 10)
    return [k, rk, b]


def make(cls, gates, units, **kw):
    layer = cls(units, **kw)
    layer.build((None, 4, 3))
    reset_after = cls is keras.layers.GRU and kw.get("reset_after", True)
    w = weights(gates, units, reset_after=reset_after)
    layer.set_weights(w if kw.get("use_bias", True) else w[:2])
    return layer


def run(title, layer, **call_kw):
    out = layer(X, **call_kw)
    if isinstance(out, (list, tuple)):
        for i, o in enumerate(out):
            emit(f"{title} [{i}]", o)
    else:
        emit(title, out)


def simple_rnn():
    S = keras.layers.SimpleRNN
    run("SimpleRNN(3)", make(S, 1, 3))
    run("SimpleRNN(3, return_sequences)", make(S, 1, 3, return_sequences=True))
    run("SimpleRNN(3, return_sequences, go_backwards)", make(S, 1, 3, return_sequences=True, go_backwards=True))
    run("SimpleRNN(3, return_sequences) masked", make(S, 1, 3, return_sequences=True), mask=MASK)
    run("SimpleRNN(3) masked", make(S, 1, 3), mask=MASK)
    run("SimpleRNN(3, relu, use_bias=False, return_state)",
        make(S, 1, 3, activation="relu", use_bias=False, return_state=True))


def lstm():
    L = keras.layers.LSTM
    run("LSTM(2)", make(L, 4, 2))
    run("LSTM(2, return_sequences)", make(L, 4, 2, return_sequences=True))
    run("LSTM(2, return_sequences, go_backwards)", make(L, 4, 2, return_sequences=True, go_backwards=True))
    run("LSTM(2, return_sequences) masked", make(L, 4, 2, return_sequences=True), mask=MASK)
    run("LSTM(2, return_sequences, go_backwards) masked",
        make(L, 4, 2, return_sequences=True, go_backwards=True), mask=MASK)
    h0 = pattern((2, 2), 3, 5, 2, 4)
    c0 = pattern((2, 2), 2, 5, 1, 4)
    run("LSTM(2, return_state) initial_state=[h0, c0]", make(L, 4, 2, return_state=True),
        initial_state=[h0, c0])
    run("LSTM(2, return_sequences, return_state) masked initial_state=[h0, c0]",
        make(L, 4, 2, return_sequences=True, return_state=True), mask=MASK, initial_state=[h0, c0])
    run("LSTM(2, recurrent_activation=hard_sigmoid, return_sequences)",
        make(L, 4, 2, recurrent_activation="hard_sigmoid", return_sequences=True))
    k2 = lambda v: keras.ops.clip(0.2 * v + 0.5, 0.0, 1.0)  # noqa: E731  Keras 2's hard_sigmoid
    run("LSTM(2, recurrent_activation=<keras2 hard_sigmoid>, return_sequences)",
        make(L, 4, 2, recurrent_activation=k2, return_sequences=True))
    # Keras 3.15's SimpleRNN drops activity_regularizer (its attribute stays None); LSTM keeps it.
    layer = make(L, 4, 2, kernel_regularizer="l1", recurrent_regularizer="l2", activity_regularizer="l2",
                 return_state=True)
    layer(X)
    emit("LSTM(2, kernel l1, recurrent l2, activity l2, return_state) losses", [float(v) for v in layer.losses])
    fresh = L(3)
    fresh.build((None, 4, 3))
    emit("LSTM(3) initial bias (unit_forget_bias)", fresh.get_weights()[2])


def gru():
    G = keras.layers.GRU
    run("GRU(3, return_sequences)", make(G, 3, 3, return_sequences=True))
    run("GRU(3, reset_after=False, return_sequences)", make(G, 3, 3, reset_after=False, return_sequences=True))
    run("GRU(3, return_sequences, go_backwards)", make(G, 3, 3, return_sequences=True, go_backwards=True))
    run("GRU(3, return_sequences) masked", make(G, 3, 3, return_sequences=True), mask=MASK)
    run("GRU(3, reset_after=False) masked", make(G, 3, 3, reset_after=False), mask=MASK)
    h0 = pattern((2, 3), 3, 5, 2, 4)
    run("GRU(3, return_state) initial_state=h0", make(G, 3, 3, return_state=True), initial_state=[h0])
    run("GRU(3, use_bias=False, return_sequences)", make(G, 3, 3, use_bias=False, return_sequences=True))


def bidirectional():
    def bi(inner, gates, units, merge_mode="concat", reset_after=False):
        layer = keras.layers.Bidirectional(inner, merge_mode=merge_mode)
        layer.build((None, 4, 3))
        fw = weights(gates, units, reset_after)
        bw = weights(gates, units, reset_after, scale=-0.5)
        layer.set_weights(fw + bw)
        return layer

    L, G = keras.layers.LSTM, keras.layers.GRU
    for mode in ["concat", "sum", "mul", "ave"]:
        run(f"Bidirectional(LSTM(2, return_sequences), {mode})", bi(L(2, return_sequences=True), 4, 2, mode))
    run("Bidirectional(LSTM(2, return_sequences), concat) masked", bi(L(2, return_sequences=True), 4, 2),
        mask=MASK)
    run("Bidirectional(LSTM(2), concat) masked", bi(L(2), 4, 2), mask=MASK)
    run("Bidirectional(GRU(3), sum)", bi(G(3), 3, 3, "sum", reset_after=True))
    run("Bidirectional(GRU(3, return_sequences), None)", bi(G(3, return_sequences=True), 3, 3, None, True))
    run("Bidirectional(SimpleRNN(3, return_state), concat)",
        bi(keras.layers.SimpleRNN(3, return_state=True), 1, 3))


if __name__ == "__main__":
    simple_rnn()
    lstm()
    gru()
    bidirectional()
