"""With personal-data checks on, a directory's logs and notes are scanned beside its tables."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pandas")

from drillhall.core.drill import DrillContext
from drillhall.ml.data import drill as data_drill


def _email() -> str:
    return "jane.doe" + "@" + "corp.io"


def test_text_files_in_a_directory_are_scanned(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_text("text,label\nhello there,a\nbye now,b\nhi,a\nsee you,b\n")
    (data / "notes.log").write_text(f"mail {_email()} about the refund\n")
    (data / "blob.bin").write_bytes(b"\0\1\2" * 100)
    drill = data_drill.from_config({"paths": ["data"], "pii": True}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    emails = [f for f in result.findings if f.rule_id == "DH-PII-EMAIL"]
    assert [(f.location.path, f.location.line) for f in emails] == [("notes.log", 1)]
    assert _email() not in emails[0].evidence
    assert any("not scanned for personal data" in e.detail for e in result.journal)


def test_a_directory_of_text_only(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "app.log").write_text(f"user {_email()} logged in\n")
    drill = data_drill.from_config({"paths": ["logs"], "pii": True, "pii_only": True}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert [f.rule_id for f in result.findings] == ["DH-PII-EMAIL"]


def test_pii_severities_follow_the_rules() -> None:
    from drillhall.ml.data.pii_scan import _SEVERITY
    from drillhall.ml.data.rules import RULES

    documented = {r.rule_id: r.severity for r in RULES}
    for kind, severity in _SEVERITY.items():
        assert documented[f"DH-PII-{kind.upper()}"] is severity, kind


def test_no_signal_means_no_label_verdicts(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    rows = ["x,label"] + [f"{rng.normal():.4f},{rng.choice(['a', 'b'])}" for _ in range(80)]
    (tmp_path / "noise.csv").write_text("\n".join(rows) + "\n")
    drill = data_drill.from_config({"paths": ["noise.csv"], "label": "label"}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert not [f for f in result.findings if f.rule_id == "DH-DATA-LABEL-ISSUE"]
    assert any("do not predict the label" in e.detail for e in result.journal)
