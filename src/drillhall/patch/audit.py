"""``drillhall patch audit``: the inventory judged against advisories and the package index.

The pieces are separate so each can be tested and replaced: :mod:`drillhall.patch.sources`
reads manifests and lockfiles, :mod:`drillhall.patch.advisories` answers "which advisories
affect this version", :mod:`drillhall.patch.index` and :mod:`drillhall.patch.freshness` say
how far behind each dependency is. This module only combines their answers into findings and
metrics.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from drillhall.core.model import Confidence, Finding, Location, Metric, Severity
from drillhall.patch import rules
from drillhall.patch.model import Advisory, Dependency, Inventory, PackageInfo

Progress = Callable[[str, float | None], None]


class AdvisorySource(Protocol):
    def affecting(self, name: str, version: str) -> list[Advisory]: ...

    def smallest_fix(self, name: str, version: str,
                     advisory: Advisory | None = None) -> str | None: ...


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _display(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, normalised (``../requirements.txt`` for an include
    outside it)."""
    return Path(os.path.relpath(os.path.normpath(path.resolve()), root.resolve())).as_posix()


def applies(dep: Dependency, python: str | None) -> bool:
    """Whether ``dep``'s environment marker holds on Python ``python`` (always, without a
    version to judge by, or when the marker cannot be read)."""
    if not dep.marker or python is None:
        return True
    from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName

    full = python if python.count(".") >= 2 else python + ".0"
    try:
        return Marker(dep.marker).evaluate({"python_version": ".".join(full.split(".")[:2]),
                                            "python_full_version": full})
    except (InvalidMarker, UndefinedEnvironmentName):
        return True


def _pinned(deps: Sequence[Dependency]) -> list[Dependency]:
    return [d for d in deps if d.version]


def vulnerability_findings(deps: Sequence[Dependency], db: AdvisorySource, root: Path,
                           ) -> tuple[list[Finding], list[tuple[Dependency, Advisory]]]:
    """One finding per (dependency, merged advisory)."""
    findings: list[Finding] = []
    hits: list[tuple[Dependency, Advisory]] = []
    seen: set[tuple[str, str, str, str]] = set()
    for dep in _pinned(deps):
        assert dep.version is not None
        for adv in db.affecting(dep.name, dep.version):
            key = (dep.name, dep.version, adv.id, str(dep.source))
            if key in seen:
                continue
            seen.add(key)
            hits.append((dep, adv))
            fix = db.smallest_fix(dep.name, dep.version, adv)
            evidence = (f"{dep.name}=={dep.version} is affected by {adv.id}"
                        + (f" ({', '.join(adv.aliases)})" if adv.aliases else "")
                        + (f"; fixed in {fix}" if fix else "; no fixed version yet"))
            findings.append(Finding(
                rule_id=rules.VULNERABLE,
                title=f"{dep.name} {dep.version}: {adv.summary or adv.id}",
                severity=adv.severity,
                confidence=Confidence.HIGH if dep.direct else Confidence.MEDIUM,
                location=Location(path=_display(dep.source, root), line=dep.line,
                                  symbol=f"{dep.name}=={dep.version}", uri=adv.url),
                evidence=evidence,
                remediation=(f"upgrade {dep.name} to {fix} or later" if fix else
                             "no fix released: see the advisory for a workaround"),
                tags=tuple(dict.fromkeys((*adv.ids, "transitive" if not dep.direct
                                          else "direct"))),
            ))
    return findings, hits


def image_findings(inventory: Inventory, root: Path, today: date,
                   eol: Callable[[str], date | None]) -> list[Finding]:
    out: list[Finding] = []
    for image in inventory.images:
        where = Location(path=_display(image.source, root), line=image.line,
                         symbol=f"{image.image}:{image.tag}" if image.tag else image.image)
        if image.tag == "latest":  # also a FROM with no tag; "" is a digest-only reference
            out.append(Finding(rules.STALE_IMAGE, f"base image {image.image} is not pinned",
                               Severity.LOW, Confidence.HIGH, where,
                               evidence=f"FROM {image.image}{':' + image.tag if image.tag else ''}",
                               remediation="pin a version tag", tags=("CWE-1104",)))
        if image.python:
            end = eol(image.python)
            if end is not None and end < today:
                out.append(Finding(
                    rules.EOL_RUNTIME, f"Python {image.python} reached its end of life on {end}",
                    Severity.HIGH, Confidence.HIGH, where,
                    evidence=f"FROM {image.image}:{image.tag} (Python {image.python}, end of "
                             f"life {end})",
                    remediation="move to a supported Python version", tags=("CWE-1104",)))
    return out


def unpinned_findings(deps: Sequence[Dependency], root: Path) -> list[Finding]:
    locked = {d.name for d in deps if d.version}
    out = []
    for dep in deps:
        if dep.version is None and dep.direct and dep.name not in locked:
            out.append(Finding(rules.UNPINNED, f"{dep.name} is not pinned", Severity.INFO,
                               Confidence.HIGH,
                               Location(path=_display(dep.source, root), line=dep.line,
                                        symbol=f"{dep.name}{dep.specifier}"),
                               evidence=f"declared as {dep.name}{dep.specifier or ' (any)'}",
                               remediation="lock dependencies", tags=("CWE-1104",)))
    return out


def oldest_unpatched_days(hits: Sequence[tuple[Dependency, Advisory]], today: date) -> float:
    """Days since the oldest advisory still affecting a dependency was published."""
    ages = [(today - adv.published.date()).days for _, adv in hits if adv.published]
    return float(max(ages, default=0))


def freshness_metrics(deps: Sequence[Dependency], infos: dict[str, PackageInfo],
                      python: str | None) -> tuple[list[Metric], list[str]]:
    """``patch.libyears``, ``patch.outdated`` and ``patch.drift`` from the index answers."""
    from drillhall.patch import freshness

    items = [freshness.evaluate(dep, infos[dep.name], python=python)
             for dep in _pinned(deps) if dep.name in infos]
    summary = freshness.summarise(items)
    notes = [f"{item.name}=={item.version}: {item.note}" for item in items if item.note]
    return [Metric("patch.libyears", round(summary.total_libyears, 2), "years"),
            Metric("patch.outdated", summary.outdated),
            Metric("patch.drift", round(summary.total_drift, 2))], notes


def utc_today() -> date:
    return datetime.now(UTC).date()
