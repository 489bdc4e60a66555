"""The ``patch`` drill (``drillhall patch audit``): vulnerable and outdated dependencies,
end-of-life runtimes and unpinned base images, from a project's manifests and lockfiles."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, Finding, JournalEntry, Metric, Status, utcnow
from drillhall.core.paths import resolve_input
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError, InputError
from drillhall.patch import audit
from drillhall.patch.model import Dependency, Inventory

DEFAULT_INDEX = "https://pypi.org/simple/"
INDEX_MAX_AGE = 3600.0
"""Seconds an index answer is reused without asking the index again (an hour)."""


class PatchOptions(BaseModel):
    """The ``[drills.patch]`` table."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(default_factory=lambda: ["."], min_length=1)
    advisories: str | None = None
    """An OSV snapshot (a directory of OSV JSON or the PyPI ``all.zip``): audit with it only,
    without network."""
    offline: bool = False
    """No network at all: advisories from ``advisories`` (required), no freshness check."""
    index_url: str = DEFAULT_INDEX
    cache_dir: str | None = None
    python: str | None = None
    """The Python version the project runs on (``"3.11"``), for requires-python."""
    env: str | None = None
    """Also audit the packages installed for this interpreter."""
    freshness: bool = True


class PatchDrill:
    """Audit the dependencies of a project."""

    name = "patch"

    def __init__(self, options: PatchOptions, root: Path) -> None:
        self.options = options
        self.root = root

    def preflight(self) -> None:
        for text in self.options.paths:
            if not resolve_input(text, self.root).exists():
                raise InputError(f"{text}: no such file or directory")
        if self.options.advisories is not None and not resolve_input(
                self.options.advisories, self.root).exists():
            raise InputError(f"{self.options.advisories}: no such OSV snapshot (advisories)")
        if self.options.offline and self.options.advisories is None:
            raise ConfigError("[drills.patch] offline needs an OSV snapshot: set 'advisories' "
                              "(drillhall patch db update downloads one)")

    def _inventory(self) -> Inventory:
        from drillhall.patch import sources

        deps: list[Dependency] = []
        images: list[Any] = []
        notes: list[str] = []
        for text in self.options.paths:
            inv = sources.collect(resolve_input(text, self.root))
            deps += inv.dependencies
            images += inv.images
            notes += inv.notes
        if self.options.env:
            inv = sources.collect_env(Path(self.options.env))
            deps += inv.dependencies
            notes += inv.notes
        kept = [d for d in deps if audit.applies(d, self.options.python)]
        if len(kept) < len(deps):
            notes.append(f"{len(deps) - len(kept)} dependencies left out: their environment "
                         f"markers exclude Python {self.options.python}")
        return Inventory(tuple(kept), tuple(images), (), tuple(notes))

    def _advisories(self) -> audit.AdvisorySource:
        from drillhall.patch import advisories

        if self.options.advisories is not None:
            return advisories.OfflineDB(resolve_input(self.options.advisories, self.root),
                                        index_dir=self._cache("osv-index"))
        return advisories.OnlineDB(cache_dir=self._cache("osv"))

    def _cache(self, name: str) -> Path:
        base = (Path(self.options.cache_dir).expanduser() if self.options.cache_dir
                else Path.home() / ".cache" / "drillhall")
        return base / name

    def _base(self) -> Path:
        if len(self.options.paths) == 1:
            scanned = resolve_input(self.options.paths[0], self.root).resolve()
            return scanned if scanned.is_dir() else scanned.parent
        return self.root

    def run(self, ctx: DrillContext) -> DrillResult:
        started = utcnow()
        base = self._base()
        ctx.progress("reading manifests and lockfiles", None)
        inventory = self._inventory()
        if not inventory.dependencies and not inventory.images:
            shown = ", ".join(self.options.paths)
            raise InputError(f"{shown}: no requirements*.txt, pyproject.toml, lockfile or "
                             "Dockerfile found to audit")
        journal = [JournalEntry(utcnow(), "inventory",
                                f"{len(inventory.dependencies)} dependencies, "
                                f"{len(inventory.images)} base images")]
        journal += [JournalEntry(utcnow(), "note", n) for n in inventory.notes]
        if ctx.dry_run:
            return DrillResult(self.name, Status.SKIPPED, journal=tuple(journal),
                               started=started, finished=utcnow(), reason="dry run")
        ctx.progress("matching advisories", None)
        findings: list[Finding]
        db = self._advisories()
        findings, hits = audit.vulnerability_findings(inventory.dependencies, db, base)
        journal += [JournalEntry(utcnow(), "advisories", n) for n in getattr(db, "notes", [])]
        from drillhall.patch.sources import python_eol

        today = audit.utc_today()
        findings += audit.image_findings(inventory, base, today, python_eol)
        findings += audit.unpinned_findings(inventory.dependencies, base)
        vulnerable = {(d.name, d.version) for d, _ in hits}
        metrics = [Metric("patch.dependencies", len({(d.name, d.version)
                                                     for d in inventory.dependencies})),
                   Metric("patch.vulnerable", len(vulnerable)),
                   Metric("patch.oldest_unpatched_days", audit.oldest_unpatched_days(hits, today),
                          "days")]
        if self.options.freshness and not self.options.offline and not ctx.cancelled():
            ctx.progress("asking the package index", None)
            metrics += self._freshness(inventory, journal)
        else:
            journal.append(JournalEntry(utcnow(), "skipped",
                                        "freshness: offline or switched off"))
        status = Status.FAILED if any(f.severity.rank > 0 for f in findings) else Status.PASSED
        return DrillResult(self.name, status, tuple(findings), tuple(metrics), tuple(journal),
                           started, utcnow())

    def _freshness(self, inventory: Inventory, journal: list[JournalEntry]) -> list[Metric]:
        from drillhall.patch.index import IndexClient

        names = sorted({d.name for d in inventory.dependencies if d.version})
        with IndexClient(self.options.index_url, cache_dir=self._cache("index"),
                         max_age=INDEX_MAX_AGE) as client:
            lookups = client.lookups(names)
        infos = {}
        for name, found in lookups.items():
            journal += [JournalEntry(utcnow(), "note", n) for n in found.notes]
            if found.error:
                journal.append(JournalEntry(utcnow(), "index error", f"{name}: {found.error}"))
            else:
                infos[name] = found.info
        metrics, notes = audit.freshness_metrics(inventory.dependencies, infos,
                                                 self.options.python)
        journal += [JournalEntry(utcnow(), "note", n) for n in notes]
        return metrics

def from_config(options: Mapping[str, Any], root: Path) -> PatchDrill:
    parsed = parse_section(PatchOptions, options, source="drillhall.toml",
                           section="drills.patch")
    drill = PatchDrill(parsed, root)
    drill.preflight()
    return drill
