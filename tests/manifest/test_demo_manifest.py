from __future__ import annotations

import shutil
from pathlib import Path

from drillhall.core.drill import DrillContext
from drillhall.core.model import Status
from drillhall.demo.build_manifest import PUBLIC_KEY, build
from drillhall.ml.manifest import load_signed
from drillhall.ml.manifest.drill import from_config
from tests.manifest.helpers import make_tree


def test_demo_manifest_build_then_tamper_a_copy(tmp_path: Path) -> None:
    assets = make_tree(tmp_path / "assets")
    (assets / "docs").mkdir()
    (assets / "docs" / "guide.md").write_text("not signed\n")
    manifest, public = build(assets)
    assert public == assets / PUBLIC_KEY
    assert not list((assets / "keys").glob("*.key"))  # the private key is never kept
    signed = load_signed(manifest)
    assert {f.path.split("/")[0] for f in signed.manifest.files} == {"models", "data"}
    assert signed.manifest.include == ("models/**", "data/**")

    copy = tmp_path / "run" / "assets"
    shutil.copytree(assets, copy)
    options = {"path": "assets", "public_key": "assets/keys/demo-signing.pub"}
    clean = from_config(options, copy.parent).run(DrillContext(root=copy.parent))
    assert clean.status is Status.PASSED, clean.findings
    with (copy / "data" / "train.csv").open("a") as fh:
        fh.write("poisoned row,billing\n")
    result = from_config(options, copy.parent).run(DrillContext(root=copy.parent))
    assert [(f.rule_id, f.location.path) for f in result.findings] == [
        ("DH-MANIFEST-FILE-CHANGED", "data/train.csv")]
