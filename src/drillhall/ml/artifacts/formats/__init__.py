"""The model formats other than pickle, PyTorch and numpy, each in its own module.

:data:`FORMATS` lists them for the scanner's format detection. Every analyzer reads the file
as untrusted bytes: nothing is loaded, imported or executed, and TensorFlow, Keras, PyTorch and
ONNX are never imported (h5py, an optional dependency, reads HDF5 structure only).
"""

from __future__ import annotations

from drillhall.ml.artifacts.base import FormatSpec
from drillhall.ml.artifacts.formats import (
    gguf_file,
    keras_h5,
    keras_v3,
    onnx_model,
    safetensors_file,
    tf_savedmodel,
)

FORMATS: tuple[FormatSpec, ...] = (
    gguf_file.FORMAT,
    safetensors_file.FORMAT,
    keras_h5.FORMAT,
    keras_v3.FORMAT,
    tf_savedmodel.FORMAT,
    onnx_model.FORMAT,
)
"""Most specific first: magic-number formats, then zip and directory formats, then ONNX,
which has no magic and is recognised by structure only."""

__all__ = ["FORMATS"]
