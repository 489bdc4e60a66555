from __future__ import annotations

import json
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from drillhall.ml.manifest import create_manifest, to_cyclonedx
from drillhall.ml.manifest.bom import classify, sniff
from drillhall.ml.manifest.manifest import FileEntry
from tests.manifest.helpers import make_tree


def _bom(tmp_path: Path) -> str:
    root = make_tree(tmp_path / "bundle")
    (root / "models" / "latest").symlink_to("router.joblib")
    return to_cyclonedx(create_manifest(root), name="ticket-router", version="2", root=root)


def test_bom_validates_against_the_cyclonedx_1_6_schema_offline(tmp_path: Path) -> None:
    text = _bom(tmp_path)
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)
    broken = json.loads(text)
    broken["components"][0]["type"] = "model"  # the validator does catch a wrong type
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(broken)) is not None


def test_components_are_typed_hashed_and_stable(tmp_path: Path) -> None:
    text = _bom(tmp_path)
    doc = json.loads(text)
    assert doc["specVersion"] == "1.6" and doc["bomFormat"] == "CycloneDX"
    kinds = {c["name"]: c["type"] for c in doc["components"]}
    assert kinds == {"models/router.joblib": "machine-learning-model",
                     "models/weights.bin": "machine-learning-model",  # GGUF by content
                     "data/train.csv": "data", "data/notes.txt": "data"}
    for c in doc["components"]:
        assert c["bom-ref"] == "file:" + c["name"]
        assert c["hashes"][0]["alg"] == "SHA-256" and len(c["hashes"][0]["content"]) == 64
    assert doc["metadata"]["component"]["name"] == "ticket-router"


def test_same_manifest_gives_identical_bom(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "bundle")
    m = create_manifest(root)
    assert to_cyclonedx(m, name="x", version="1") == to_cyclonedx(m, name="x", version="1")


def test_sniffing_and_suffixes() -> None:
    assert sniff(b"\x80\x05\x95") == ("machine-learning-model", "pickle")
    assert sniff(b"\x89HDF\r\n\x1a\n") == ("machine-learning-model", "hdf5")
    header = (12).to_bytes(8, "little") + b'{"a":1}'
    assert sniff(header) == ("machine-learning-model", "safetensors")
    assert sniff(b"PAR1xxxx") == ("data", "parquet")
    assert sniff(b"hello world") is None
    assert classify(FileEntry("m/model.safetensors", sha256="0" * 64, size=1))[0] == \
        "machine-learning-model"
    assert classify(FileEntry("d/rows.parquet", sha256="0" * 64, size=1))[0] == "data"
    assert classify(FileEntry("README", sha256="0" * 64, size=1)) == ("file", "unknown")
