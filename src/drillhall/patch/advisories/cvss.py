"""Severity of an OSV record: the CVSS v3.x base score computed from its vector, else the
GHSA ``database_specific.severity`` label, else medium.

The CVSS v3.1 base score follows the formula published in the FIRST specification (section 7);
v3.0 vectors are scored with the same formula (the two differ only in the rounding helper, by at
most 0.1). CVSS v4 vectors are not scored: a record with only a v4 vector falls back to its
label.
"""

from __future__ import annotations

import math

from drillhall.core.model import Severity
from drillhall.patch.advisories.osv import OsvRecord

_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}
_REQUIRED = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")

_LABELS = {
    "LOW": Severity.LOW,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "HIGH": Severity.HIGH,
    "CRITICAL": Severity.CRITICAL,
}


def _roundup(value: float) -> float:
    """The CVSS v3.1 Roundup: the smallest one-decimal number >= value, float-safe."""
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000.0
    return (math.floor(scaled / 10_000) + 1) / 10.0


def cvss3_base_score(vector: str) -> float:
    """The CVSS v3.x base score of ``vector`` (``CVSS:3.1/AV:N/AC:L/...``).

    Raises ``ValueError`` when the vector is not a complete, valid v3 base vector.
    """
    parts = vector.strip().split("/")
    if not parts or not parts[0].startswith("CVSS:3"):
        raise ValueError(f"{vector!r} is not a CVSS v3 vector")
    metrics: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition(":")
        if not sep:
            raise ValueError(f"{vector!r} has a malformed metric {part!r}")
        metrics[key] = value
    missing = [m for m in _REQUIRED if m not in metrics]
    if missing:
        raise ValueError(f"{vector!r} lacks the base metric {missing[0]}")
    try:
        changed = {"U": False, "C": True}[metrics["S"]]
        pr_table = _PR_CHANGED if changed else _PR_UNCHANGED
        av, ac, pr = _AV[metrics["AV"]], _AC[metrics["AC"]], pr_table[metrics["PR"]]
        ui = _UI[metrics["UI"]]
        c, i, a = _CIA[metrics["C"]], _CIA[metrics["I"]], _CIA[metrics["A"]]
    except KeyError as exc:
        raise ValueError(f"{vector!r} has an invalid value for {exc.args[0]!r}") from None
    iss = 1 - (1 - c) * (1 - i) * (1 - a)
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    exploitability = 8.22 * av * ac * pr * ui
    total = impact + exploitability
    if changed:
        total *= 1.08
    return _roundup(min(total, 10.0))


def band(score: float) -> Severity:
    """The qualitative band of a CVSS score (0 → info, < 4 low, < 7 medium, < 9 high)."""
    if score <= 0:
        return Severity.INFO
    if score < 4.0:
        return Severity.LOW
    if score < 7.0:
        return Severity.MEDIUM
    if score < 9.0:
        return Severity.HIGH
    return Severity.CRITICAL


def record_severity(record: OsvRecord) -> tuple[Severity, str | None]:
    """The severity of ``record`` and the CVSS vector it came from (``None`` if none).

    Order: the highest-scoring valid CVSS v3 vector (top-level, then per ``affected``); else the
    ``database_specific.severity`` label (GHSA: LOW / MODERATE / HIGH / CRITICAL); else medium.
    """
    entries = list(record.severity)
    for affected in record.affected:
        entries.extend(affected.severity)
    best: tuple[float, str] | None = None
    for entry in entries:
        if not entry.type.upper().startswith("CVSS_V3"):
            continue
        try:
            score = cvss3_base_score(entry.score)
        except ValueError:
            continue
        if best is None or score > best[0]:
            best = (score, entry.score)
    if best is not None:
        return band(best[0]), best[1]
    label = _label(record.database_specific)
    if label is None:
        for affected in record.affected:
            label = _label(affected.database_specific) or _label(affected.ecosystem_specific)
            if label is not None:
                break
    vector = next((e.score for e in entries if e.type.upper().startswith("CVSS")), None)
    return (label or Severity.MEDIUM), vector


def _label(block: dict[str, object] | None) -> Severity | None:
    if not block:
        return None
    value = block.get("severity")
    if isinstance(value, str):
        return _LABELS.get(value.strip().upper())
    return None
