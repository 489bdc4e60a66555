"""Shared set-up for the manifest tests: a small model/data tree, keys outside it, signed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drillhall.ml.manifest import create_manifest, generate_key, sign, write_signed
from drillhall.ml.manifest.manifest import DEFAULT_MANIFEST_NAME

PICKLE_HEAD = b"\x80\x04\x95"


@dataclass
class Signed:
    root: Path
    manifest: Path
    private: Path
    public: Path


def make_tree(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "models" / "router.joblib").write_bytes(PICKLE_HEAD + b"model bytes" * 10)
    (root / "models" / "weights.bin").write_bytes(b"GGUF" + bytes(60))
    (root / "data" / "train.csv").write_text("text,label\nprinter broken,hardware\n")
    (root / "data" / "notes.txt").write_text("collected in June\n")
    return root


def keypair(base: Path, name: str = "signing") -> tuple[Path, Path]:
    base.mkdir(parents=True, exist_ok=True)
    private, public = base / f"{name}.key", base / f"{name}.pub"
    generate_key(private, public)
    return private, public


def signed_tree(tmp_path: Path) -> Signed:
    root = make_tree(tmp_path / "bundle")
    private, public = keypair(tmp_path / "keys")
    target = root / DEFAULT_MANIFEST_NAME
    write_signed(sign(create_manifest(root), private), target)
    return Signed(root, target, private, public)
