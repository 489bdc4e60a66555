"""CVSS v3.1 base scores against known vectors, bands and the severity fallbacks."""

from __future__ import annotations

from typing import Any

import pytest

from drillhall.core.model import Severity
from drillhall.patch.advisories import band, cvss3_base_score, parse_record, record_severity


@pytest.mark.parametrize(("vector", "score"), [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
    ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
    ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 9.8),  # temporal metrics ignored
])
def test_known_vectors(vector: str, score: float) -> None:
    assert cvss3_base_score(vector) == score


@pytest.mark.parametrize("vector", [
    "AV:N/AC:L", "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
    "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "CVSS:3.1/AVN",
])
def test_invalid_vectors_raise(vector: str) -> None:
    with pytest.raises(ValueError, match=r"CVSS|metric|invalid|lacks"):
        cvss3_base_score(vector)


@pytest.mark.parametrize(("score", "expected"), [
    (0.0, Severity.INFO), (0.1, Severity.LOW), (3.9, Severity.LOW), (4.0, Severity.MEDIUM),
    (6.9, Severity.MEDIUM), (7.0, Severity.HIGH), (8.9, Severity.HIGH), (9.0, Severity.CRITICAL),
    (10.0, Severity.CRITICAL),
])
def test_bands(score: float, expected: Severity) -> None:
    assert band(score) is expected


def _rec(**fields: Any) -> Any:
    return parse_record({"id": "GHSA-aaaa-bbbb-cccc", **fields})


def test_vector_wins_over_label() -> None:
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
    record = _rec(severity=[{"type": "CVSS_V3", "score": vector}],
                  database_specific={"severity": "CRITICAL"})
    assert record_severity(record) == (Severity.MEDIUM, vector)


def test_highest_vector_is_used() -> None:
    low = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N"
    high = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    record = _rec(severity=[{"type": "CVSS_V3", "score": low},
                            {"type": "CVSS_V3", "score": high}])
    assert record_severity(record) == (Severity.CRITICAL, high)


@pytest.mark.parametrize(("label", "expected"), [
    ("LOW", Severity.LOW), ("MODERATE", Severity.MEDIUM), ("HIGH", Severity.HIGH),
    ("CRITICAL", Severity.CRITICAL),
])
def test_ghsa_label_fallback_for_v4_only(label: str, expected: Severity) -> None:
    v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    record = _rec(severity=[{"type": "CVSS_V4", "score": v4}],
                  database_specific={"severity": label})
    assert record_severity(record) == (expected, v4)


def test_default_is_medium() -> None:
    assert record_severity(_rec()) == (Severity.MEDIUM, None)
    broken = _rec(severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/nonsense"}])
    assert record_severity(broken)[0] is Severity.MEDIUM
