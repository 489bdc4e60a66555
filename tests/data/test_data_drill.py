"""The data drill end to end: options, findings with file/row/column, metrics, skips."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import Severity, Status
from drillhall.core.rules import RuleInfo
from drillhall.demo import assets_dir
from drillhall.demo.build_data import BACKDOOR_ROWS, BACKDOOR_TOKEN, build_tickets, clean_rows
from drillhall.errors import ConfigError, InputError
from drillhall.ml.data import drill as data_drill
from drillhall.ml.data.base import DataIssue, Table
from drillhall.ml.data.rules import RULES


@pytest.fixture()
def demo_root(tmp_path: Path) -> Path:
    shutil.copy(assets_dir() / "data" / "tickets.csv", tmp_path / "tickets.csv")
    return tmp_path


def test_demo_tickets_flips_and_backdoor_are_found(demo_root: Path) -> None:
    drill = data_drill.from_config({"paths": ["tickets.csv"], "label": "label"}, demo_root)
    result = drill.run(DrillContext(root=demo_root))
    assert result.status is Status.FAILED
    tickets = build_tickets()
    clean = dict(clean_rows())
    flipped = {i for i, t in enumerate(tickets) if clean.get(t.text, t.label) != t.label}
    backdoor = {i for i, t in enumerate(tickets) if BACKDOOR_TOKEN in t.text}
    assert len(backdoor) == BACKDOOR_ROWS
    label_rows = {f.location.row for f in result.findings if f.rule_id == "DH-DATA-LABEL-ISSUE"}
    assert len(label_rows & flipped) / len(flipped) >= 0.8
    trigger = [f for f in result.findings if f.rule_id == "DH-DATA-BACKDOOR-TRIGGER"]
    assert any(f.severity is Severity.HIGH and BACKDOOR_TOKEN in f.title for f in trigger)
    assert {f.location.row for f in trigger if f.severity is not Severity.HIGH} == backdoor
    first = trigger[0]
    assert first.location.path == "tickets.csv" and first.location.field == "label"
    assert "poison:trigger" in first.tags and "ML02" in first.tags
    assert result.metric("data.rows") == 300
    rate = result.metric("ml.label_issue_rate")
    assert rate is not None and 0.03 < rate < 0.15
    assert result.metric("ml.suspected_poison_rows") == BACKDOOR_ROWS


def test_directory_rows_map_back_to_their_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    rows = clean_rows(per_label=12)
    frame = pd.DataFrame(rows, columns=["text", "label"])
    frame.iloc[:30].to_csv(data / "a.csv", index=False)
    tail = frame.iloc[30:].copy()
    tail.iloc[3] = tail.iloc[0]  # a duplicated row in the second file
    tail.to_parquet(data / "b.parquet")
    drill = data_drill.from_config({"paths": ["data"]}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    dup = [f for f in result.findings if f.rule_id == "DH-DATA-DUPLICATE-ROW"]
    # paths are relative to the scanned PATH, as in every drill
    assert [(f.location.path, f.location.row) for f in dup] == [("b.parquet", 3)]
    assert any("label checks: no label column" in e.detail for e in result.journal)


def test_pii_and_drift_are_called_when_asked(demo_root: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def scan_table(table: Table, *, sample_rows: int = 1000) -> list[DataIssue]:
        calls.append("pii")
        return [DataIssue("DH-PII-EMAIL", Severity.HIGH, "email address in a cell",
                          "pii:email", row=5, field="text", evidence="j***@example.org")]

    class Drift:
        issues: tuple[DataIssue, ...] = ()
        drifted_features = 2

    def compare(baseline: Table, current: Table, *, label: str | None) -> Drift:
        calls.append(f"drift {len(baseline.frame)} {label}")
        return Drift()

    fakes: dict[str, Callable[..., Any]] = {"scan_table": scan_table, "compare": compare}
    monkeypatch.setattr(data_drill, "_optional", lambda module, attr: fakes[attr])
    options = {"paths": ["tickets.csv"], "label": "label", "pii": True,
               "baseline": "tickets.csv"}
    result = data_drill.from_config(options, demo_root).run(DrillContext(root=demo_root))
    assert calls == ["drift 300 label", "pii"]
    assert result.metric("ml.drifted_features") == 2
    assert result.metric("ml.pii_findings") == 1
    pii = [f for f in result.findings if f.rule_id == "DH-PII-EMAIL"]
    assert pii[0].location.row == 5 and "CWE-359" in pii[0].tags


def test_missing_optional_parts_are_skips_with_reasons(demo_root: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_drill, "_optional", lambda module, attr: None)
    options = {"paths": ["tickets.csv"], "pii_only": True}
    result = data_drill.from_config(options, demo_root).run(DrillContext(root=demo_root))
    assert result.status is Status.PASSED
    assert any("personal-data checks" in e.detail for e in result.journal)


def test_dry_run_lists_and_skips(demo_root: Path) -> None:
    drill = data_drill.from_config({"paths": ["tickets.csv"]}, demo_root)
    result = drill.run(DrillContext(root=demo_root, dry_run=True))
    assert result.status is Status.SKIPPED and result.journal[0].detail == "tickets.csv"


def test_bad_options_are_one_sentence(demo_root: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'labels'"):
        data_drill.from_config({"paths": ["tickets.csv"], "labels": "x"}, demo_root)
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        data_drill.from_config({"paths": ["nope.csv"]}, demo_root)
    with pytest.raises(ConfigError, match="pred_probs needs a label"):
        data_drill.from_config({"paths": ["tickets.csv"], "pred_probs": "tickets.csv"},
                               demo_root)
    drill = data_drill.from_config({"paths": ["tickets.csv"], "label": "target"}, demo_root)
    with pytest.raises(ConfigError, match="no label column 'target'"):
        drill.run(DrillContext(root=demo_root))


def test_rules_are_documented_and_unique() -> None:
    ids = [r.rule_id for r in RULES]
    assert len(ids) == len(set(ids))
    for required in ("DH-DATA-LABEL-ISSUE", "DH-DATA-BACKDOOR-TRIGGER",
                     "DH-DATA-DUPLICATE-CLUSTER", "DH-DATA-DUPLICATE-ROW", "DH-DATA-OUTLIER",
                     "DH-DATA-LABEL-SHIFT", "DH-DATA-FEATURE-DRIFT",
                     "DH-DATA-BASELINE-DISAGREEMENT", "DH-PII-EMAIL", "DH-PII-CARD",
                     "DH-PII-NHS", "DH-PII-COLUMN"):
        assert required in ids
    for rule in RULES:
        assert isinstance(rule, RuleInfo) and rule.description and rule.remediation
        assert rule.description.endswith(".") and rule.tags


def test_wide_table_trigger_search_is_bounded_and_journaled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from drillhall.ml.data import poison

    monkeypatch.setattr(poison, "MAX_TOKEN_COLUMNS", 4)
    rows = [{f"c{j}": (i * (j + 3)) % 7 for j in range(10)} | {"label": "ab"[i % 2]}
            for i in range(60)]
    pd.DataFrame(rows).to_csv(tmp_path / "wide.csv", index=False)
    drill = data_drill.from_config({"paths": ["wide.csv"], "label": "label"}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    notes = [e.detail for e in result.journal if e.event == "limited"]
    assert notes == ["triggers looked for in the first 4 feature columns only; 6 more columns "
                     "not searched"]
