"""Writes the Keras 3 fixtures in tests/models/data/keras3 with real Keras (3.15, from PyPI):
each model saved as a .keras zip, a .weights.h5 and a legacy .h5, plus its input and Keras's
prediction as .npy. Run: /opt/kerasvenv/bin/python tests/models/data/make_keras3_fixtures.py
(the outputs are committed; the tests do not need Python)."""
import os
import numpy as np
import keras
from keras import layers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras3")
os.makedirs(OUT, exist_ok=True)


def pattern(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=shape).astype("float32")


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    for w in model.weights:
        v = rng.uniform(-0.5, 0.5, size=w.shape).astype("float32")
        if "variance" in w.path:
            v = np.abs(v) + 0.5
        w.assign(v)


def save(name, model, x):
    randomize(model, 7)
    y = model.predict(x, verbose=0)
    model.save(os.path.join(OUT, name + ".keras"))
    model.save_weights(os.path.join(OUT, name + ".weights.h5"))
    model.save(os.path.join(OUT, name + ".h5"))  # Keras 3's legacy full-model layout
    np.save(os.path.join(OUT, name + "_input.npy"), x)
    np.save(os.path.join(OUT, name + "_prediction.npy"), np.asarray(y, dtype="float32"))


keras.utils.set_random_seed(1)
# A CNN with batch normalization, as a Sequential.
cnn = keras.Sequential([
    keras.Input((8, 8, 2)),
    layers.Conv2D(3, 3, padding="same", activation="relu"),
    layers.BatchNormalization(),
    layers.MaxPooling2D(2),
    layers.Flatten(),
    layers.Dense(4, activation="softmax"),
], name="cnn")
save("cnn_bn_sequential", cnn, pattern((2, 8, 8, 2), 1))

# A functional model with a shared Dense, two inputs and a nested Sequential.
a = keras.Input((5,), name="a")
b = keras.Input((5,), name="b")
shared = layers.Dense(4, activation="tanh", name="shared")
inner = keras.Sequential([layers.Dense(3, activation="relu"), layers.Dense(2)], name="inner")
merged = layers.Concatenate()([shared(a), shared(b)])
out = inner(merged)
functional = keras.Model([a, b], out, name="two_inputs")
randomize(functional, 7)
xa, xb = pattern((3, 5), 2), pattern((3, 5), 3)
y = functional.predict([xa, xb], verbose=0)
functional.save(os.path.join(OUT, "two_inputs_nested.keras"))
functional.save_weights(os.path.join(OUT, "two_inputs_nested.weights.h5"))
functional.save(os.path.join(OUT, "two_inputs_nested.h5"))
np.save(os.path.join(OUT, "two_inputs_nested_input_a.npy"), xa)
np.save(os.path.join(OUT, "two_inputs_nested_input_b.npy"), xb)
np.save(os.path.join(OUT, "two_inputs_nested_prediction.npy"), y)

# Recurrent layers: Embedding(mask_zero) -> Bidirectional(LSTM) -> GRU -> Dense.
rnn = keras.Sequential([
    keras.Input((6,), dtype="int32"),
    layers.Embedding(10, 4, mask_zero=True),
    layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
    layers.GRU(3),
    layers.Dense(2),
], name="rnn")
x = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [9, 0, 1, 2, 0, 3]], dtype="int32")
save("embedding_bilstm_gru", rnn, x)
# Convolution and normalization layers, as a Sequential.
conv_zoo = keras.Sequential([
    keras.Input((9, 9, 3)),
    layers.Conv2DTranspose(4, 3, strides=2, padding="same"),
    layers.DepthwiseConv2D(3, depth_multiplier=2),
    layers.SeparableConv2D(5, 3, padding="same", activation="relu"),
    layers.LayerNormalization(),
    layers.GroupNormalization(groups=5),
    layers.PReLU(),
    layers.AveragePooling2D(2),
    layers.GlobalAveragePooling2D(),
    layers.Dense(3),
], name="conv_zoo")
save("conv_zoo", conv_zoo, pattern((2, 9, 9, 3), 4))

# Sequence layers with attention, as a functional model.
seq_in = keras.Input((6, 4), name="seq")
h = layers.Conv1D(5, 3, padding="causal", activation="tanh")(seq_in)
h = layers.TimeDistributed(layers.Dense(4))(h)
h = layers.MultiHeadAttention(num_heads=2, key_dim=3)(h, h)
h = layers.LayerNormalization()(h)
h = layers.SimpleRNN(3, return_sequences=True)(h)
h = layers.GlobalMaxPooling1D()(h)
seq_out = layers.Dense(2)(h)
seq_zoo = keras.Model(seq_in, seq_out, name="seq_zoo")
save("seq_zoo", seq_zoo, pattern((3, 6, 4), 5))
# Encoder-decoder: the encoder's states start the decoder (return_state, initial_state), then
# causal self-attention over the decoder's outputs.
enc_in = keras.Input((5, 3), name="encoder_in")
dec_in = keras.Input((4, 3), name="decoder_in")
_, state_h, state_c = layers.LSTM(4, return_state=True, name="encoder")(enc_in)
dec = layers.LSTM(4, return_sequences=True, name="decoder")(dec_in, initial_state=[state_h, state_c])
att = layers.MultiHeadAttention(num_heads=2, key_dim=2, name="self_attention")(dec, dec, use_causal_mask=True)
seq2seq = keras.Model([enc_in, dec_in], layers.Dense(2, name="head")(att), name="seq2seq")
randomize(seq2seq, 7)
xe, xd = pattern((2, 5, 3), 6), pattern((2, 4, 3), 7)
seq2seq.save(os.path.join(OUT, "seq2seq.keras"))
seq2seq.save_weights(os.path.join(OUT, "seq2seq.weights.h5"))
seq2seq.save(os.path.join(OUT, "seq2seq.h5"))
np.save(os.path.join(OUT, "seq2seq_input_a.npy"), xe)
np.save(os.path.join(OUT, "seq2seq_input_b.npy"), xd)
np.save(os.path.join(OUT, "seq2seq_prediction.npy"), seq2seq.predict([xe, xd], verbose=0))
# Attention with a padding mask given as a tensor, returning its scores as a second output.
tokens = keras.Input((5, 4), name="tokens")
allowed = keras.Input((5, 5), name="allowed")
att_out, att_scores = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="masked_attention")(
    tokens, tokens, attention_mask=allowed, return_attention_scores=True)
masked = keras.Model([tokens, allowed], [layers.Dense(2, name="head")(att_out), att_scores], name="masked_attention")
randomize(masked, 7)
xt = pattern((2, 5, 4), 8)
xm = np.tril(np.ones((5, 5), dtype="float32"))[None].repeat(2, axis=0)
xm[1, :, 3:] = 0.0
ym, ys = masked.predict([xt, xm], verbose=0)
masked.save(os.path.join(OUT, "masked_attention.keras"))
np.save(os.path.join(OUT, "masked_attention_input_a.npy"), xt)
np.save(os.path.join(OUT, "masked_attention_input_b.npy"), xm)
np.save(os.path.join(OUT, "masked_attention_prediction.npy"), ym)
np.save(os.path.join(OUT, "masked_attention_scores.npy"), ys)
print("wrote", sorted(os.listdir(OUT)))
