"""Export a manifest as a CycloneDX 1.6 ML-BOM (JSON).

Model files become components of type ``machine-learning-model``, data files of type
``data``, anything else of type ``file``; each carries its SHA-256 and size. The kind is
guessed from the file's first bytes when the directory is at hand, else from its suffix. It is
only an inventory label for the BOM, not a safety judgement (the model-artifacts drill makes
that). Output is deterministic: the serial number is derived from the manifest's bytes and
each ``bom-ref`` from the file's path.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from drillhall.__about__ import __version__
from drillhall.ml.manifest.manifest import EntryType, FileEntry, Manifest

SPEC_VERSION = "1.6"
_NAMESPACE = uuid.UUID("5b0f0d8e-3c52-4b8a-9d57-6f3e1d2c9a10")

MODEL_SUFFIXES: dict[str, str] = {
    ".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib", ".safetensors": "safetensors",
    ".onnx": "onnx", ".gguf": "gguf", ".ggml": "ggml", ".h5": "hdf5", ".hdf5": "hdf5",
    ".keras": "keras", ".pt": "pytorch", ".pth": "pytorch", ".ckpt": "checkpoint",
    ".tflite": "tflite", ".pb": "tensorflow", ".mlmodel": "coreml", ".msgpack": "flax",
    ".npz": "numpy",
}
DATA_SUFFIXES: dict[str, str] = {
    ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".json": "json", ".arrow": "arrow", ".feather": "feather",
    ".avro": "avro", ".orc": "orc", ".npy": "numpy", ".txt": "text", ".xlsx": "xlsx",
    ".tfrecord": "tfrecord",
}
_PEEK = 16


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(component type, format)`` from a file's first bytes, or ``None`` if unknown."""
    if head.startswith(b"GGUF"):
        return "machine-learning-model", "gguf"
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "machine-learning-model", "hdf5"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "machine-learning-model", "pickle"
    if head[4:8] == b"TFL3":
        return "machine-learning-model", "tflite"
    if len(head) >= 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < 1 << 27:
        return "machine-learning-model", "safetensors"
    if head.startswith(b"PAR1"):
        return "data", "parquet"
    if head.startswith(b"\x93NUMPY"):
        return "data", "numpy"
    return None


def classify(entry: FileEntry, root: Path | None = None) -> tuple[str, str]:
    """``(CycloneDX component type, format)`` of a manifest entry: by suffix, then by content
    when ``root`` is given and the suffix says nothing."""
    suffix = Path(entry.path).suffix.lower()
    if suffix in MODEL_SUFFIXES:
        return "machine-learning-model", MODEL_SUFFIXES[suffix]
    if suffix in DATA_SUFFIXES:
        return "data", DATA_SUFFIXES[suffix]
    if root is not None and entry.type is EntryType.FILE:
        try:
            with (root / entry.path).open("rb") as fh:
                found = sniff(fh.read(_PEEK))
        except OSError:
            found = None
        if found is not None:
            return found
    return "file", "unknown"


def bom_ref(entry: FileEntry) -> str:
    """A stable reference for a file component: its path."""
    return f"file:{entry.path}"


def _component(entry: FileEntry, root: Path | None) -> dict[str, Any]:
    kind, fmt = classify(entry, root)
    component: dict[str, Any] = {
        "type": kind, "bom-ref": bom_ref(entry), "name": entry.path,
        "hashes": [{"alg": "SHA-256", "content": entry.sha256}],
        "properties": [{"name": "drillhall:format", "value": fmt},
                       {"name": "drillhall:size", "value": str(entry.size)}],
    }
    if kind == "data":
        component["data"] = [{"type": "dataset", "name": entry.path}]
    return component


def to_cyclonedx(manifest: Manifest, *, name: str, version: str,
                 root: Path | None = None) -> str:
    """The manifest as a CycloneDX 1.6 JSON document (model and data files as components).

    ``name`` and ``version`` describe what the inventory is of (the BOM's main component);
    ``root`` lets file kinds be recognised by content. Symbolic links and special files have no
    content hash and are left out.
    """
    serial = uuid.uuid5(_NAMESPACE, manifest.canonical_bytes().decode("ascii"))
    files = [f for f in manifest.files if f.type is EntryType.FILE]
    bom = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX", "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{serial}", "version": 1,
        "metadata": {
            "timestamp": manifest.created,
            "tools": {"components": [{"type": "application", "name": "drillhall",
                                      "version": __version__}]},
            "component": {"type": "application", "bom-ref": f"root:{name}", "name": name,
                          "version": version},
        },
        "components": [_component(f, root) for f in files],
        "dependencies": [{"ref": f"root:{name}", "dependsOn": [bom_ref(f) for f in files]}],
    }
    return json.dumps(bom, indent=2, ensure_ascii=False) + "\n"
