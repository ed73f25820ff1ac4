"""Run the original fer Keras model on a saved batch: keras_reference_fer.py MODEL.hdf5 IN.npy OUT.npy.

Runs in a separate venv with TensorFlow/Keras (see build_fer_emotion.py), never in the app.
IN.npy is float32 [n, 64, 64, 1], already scaled to (gray/255 - 0.5) * 2; OUT.npy gets the [n, 7] softmax.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain kernels: reproducible reference numbers

import keras  # noqa: E402
import numpy as np  # noqa: E402


def main() -> None:
    model_path, src, dst = sys.argv[1:4]
    model = keras.models.load_model(model_path, compile=False)
    batch = np.load(src).astype(np.float32)
    probs = np.asarray(model.predict(batch, batch_size=len(batch), verbose=0), dtype=np.float32)
    print(f"keras {keras.__version__}: {len(batch)} inputs -> {probs.shape}")
    np.save(dst, probs)


if __name__ == "__main__":
    main()
