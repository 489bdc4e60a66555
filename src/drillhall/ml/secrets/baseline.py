"""The baseline: findings accepted as they were when it was written, by fingerprint.

A JSON file ``{"schema": "drillhall/secrets-baseline/v1", "findings": [...]}`` whose entries
hold a finding's fingerprint, rule, path and masked evidence (never a value in clear).
Findings whose fingerprint is in the baseline are not reported again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from drillhall.core.files import write_text_atomic
from drillhall.core.model import Finding
from drillhall.errors import ConfigError

SCHEMA = "drillhall/secrets-baseline/v1"


def baseline_document(findings: Iterable[Finding]) -> dict[str, object]:
    """The baseline as a JSON-ready mapping, entries sorted and unique."""
    entries = {f.fingerprint: {"fingerprint": f.fingerprint, "rule_id": f.rule_id,
                               "path": f.location.path or "", "evidence": f.evidence}
               for f in findings}
    return {"schema": SCHEMA, "findings": [entries[k] for k in sorted(entries)]}


def write_baseline(findings: Iterable[Finding], path: Path) -> None:
    """Write the baseline atomically (a temporary file renamed over ``path``)."""
    text = json.dumps(baseline_document(findings), indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text, fsync=False)


def load_baseline(path: Path) -> set[str]:
    """The fingerprints in a baseline; :class:`ConfigError` names the file and line at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"baseline {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"baseline {path}: cannot be read ({exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"baseline {path}: invalid JSON at line {exc.lineno}, column "
                          f"{exc.colno} ({exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ConfigError(f"baseline {path}: not a secrets baseline (expected schema {SCHEMA!r})")
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise ConfigError(f"baseline {path}: 'findings' must be a list")
    out: set[str] = set()
    for i, entry in enumerate(entries):
        fp = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fp, str) or not fp:
            raise ConfigError(f"baseline {path}: finding {i} has no 'fingerprint' string")
        out.add(fp)
    return out
