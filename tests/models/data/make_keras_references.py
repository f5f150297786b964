"""Reference predictions for the real Keras files that ship none (tests/models/data/keras_models),
made by the Keras that reads them natively: tf.keras 2 (the tf_keras package) for the Keras 2 /
tf.keras files — it applies Keras 2 semantics (hard_sigmoid = 0.2x + 0.5, GRU reset_after from the
config) — and Keras 3 for the Keras 3.8 .keras zip. Writes <stem>_input.npy and
<stem>_prediction.npy into tests/models/data/keras_references (committed; tests need no Python).
Run: /opt/kerasvenv/bin/python tests/models/data/make_keras_references.py   (needs tf_keras)"""
import os
import shutil
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "keras_models")
OUT = os.path.join(HERE, "keras_references")
os.makedirs(OUT, exist_ok=True)


def inputs_for(shape, seed, integer_range=None):
    rng = np.random.default_rng(seed)
    batch = shape[0] if shape[0] is not None else 3
    dims = [batch] + [d for d in shape[1:]]
    if integer_range:
        return rng.integers(0, integer_range, size=dims).astype("int32")
    return rng.uniform(-1, 1, size=dims).astype("float32")


def write(stem, x, y):
    np.save(os.path.join(OUT, stem + "_input.npy"), x)
    np.save(os.path.join(OUT, stem + "_prediction.npy"), np.asarray(y, dtype="float32"))
    print(stem, x.shape, "->", np.asarray(y).shape)


def load_keras2(tf_keras, path):
    """load_model, except that Keras <= 2.1 GRU configs (no reset_after key: always False then)
    get reset_after=False written in, as Keras 2.1 computed them; tf.keras 2 would assume True."""
    import json
    import h5py
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
    patched = False
    for layer in config["config"]["layers"] if isinstance(config["config"], dict) else config["config"]:
        if layer["class_name"] == "GRU" and "reset_after" not in layer["config"]:
            layer["config"]["reset_after"] = False
            patched = True
    if not patched:
        return tf_keras.models.load_model(path, compile=False)
    model = tf_keras.models.model_from_json(json.dumps(config))
    model.load_weights(path)
    return model


def keras2_files():
    import tf_keras
    tmp = tempfile.mkdtemp()
    files = ["02_mlp_relu_tfkeras2.11_hdf5.keras", "05_cnn_pool_pad_upsample_tfkeras2.2.4.h5",
             "06_lstm_relu_functional_keras2.1.3.h5", "07_gru_resetafterfalse_keras2.1.3.h5",
             "08_conv1d_gru_resetafter_tfkeras2.11_hdf5.keras", "09_embedding_lstm_keras2.1.3.h5"]
    for i, name in enumerate(files):
        stem = name.split(".")[0]
        path = os.path.join(tmp, stem + ".h5")  # tf.keras 2.11 wrote HDF5 under a .keras name
        shutil.copy(os.path.join(SRC, name), path)
        model = load_keras2(tf_keras, path)
        ints = model.layers[0].get_config().get("input_dim") if name.startswith("09") else None
        x = inputs_for(model.input_shape, 100 + i, ints)
        write(stem, x, model.predict(x, verbose=0))
    # 04: weights only + model.to_json()
    with open(os.path.join(SRC, "04_cnn_bn_jettagger_keras2.0.6.json")) as f:
        model = tf_keras.models.model_from_json(f.read())
    model.load_weights(os.path.join(SRC, "04_cnn_bn_jettagger_keras2.0.6_weights.h5"))
    x = inputs_for(model.input_shape, 104)
    write("04_cnn_bn_jettagger_keras2", x, model.predict(x, verbose=0))


def keras3_files():
    import keras
    model = keras.saving.load_model(os.path.join(SRC, "11_keras3.8_masking_lstm.keras"), compile=False)
    x = inputs_for(model.input_shape, 111)
    x[0, 1, :] = 0.0  # masked steps: one in the middle, one at the end
    x[1, 2, :] = 0.0
    write("11_keras3", x, model.predict(x, verbose=0))


if __name__ == "__main__":
    keras2_files()
    keras3_files()
