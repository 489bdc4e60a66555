"""Exact OSV range semantics for PyPI versions.

A version is affected by an ``affected`` entry when its string is listed in ``versions``, or
it falls in one of the entry's ``ECOSYSTEM`` (or, best effort, ``SEMVER``) ranges. ``GIT``
ranges say nothing about PyPI versions and are ignored.

Within a range the events are sorted by version (``introduced: "0"`` sorts first) and swept in
order: an ``introduced`` at or below the version turns "affected" on; a ``fixed`` at or below it
turns it off; a ``last_affected`` strictly below it turns it off. At equal versions
``introduced`` is applied first, so ``introduced == fixed`` is an empty range. ``limit`` events
cap the range: when present, the version must be below at least one of them (``"*"`` is no
cap). Several ranges, and several entries for the same package, are OR-ed.

Versions are compared with :class:`packaging.version.Version`. A version in use that is not a
valid PEP 440 version never falls in a range (it may still match ``versions`` by string); an
event whose version is invalid is ignored.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from packaging.version import InvalidVersion, Version

from drillhall.patch.advisories.osv import OsvAffected, OsvRange, OsvRecord

ECOSYSTEM = "PyPI"
_ZERO = Version("0")
_RANGE_TYPES = frozenset({"ECOSYSTEM", "SEMVER"})
_KIND_ORDER = {"introduced": 0, "limit": 1, "last_affected": 2, "fixed": 3}
_NAME_RE = re.compile(r"[-_.]+")


def normalise(name: str) -> str:
    """The PEP 503 normalised form of a project name."""
    return _NAME_RE.sub("-", name).lower().strip()


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Version | None:
    """``text`` as a PEP 440 version, or ``None`` when it is not one."""
    try:
        return Version(text.strip())
    except InvalidVersion:
        return None


@dataclass(frozen=True, slots=True)
class Event:
    """One parsed range event: ``kind`` is introduced / fixed / last_affected / limit;
    ``version`` is ``None`` only for ``limit: "*"``."""

    kind: str
    version: Version | None
    text: str


def range_events(rng: OsvRange) -> list[Event]:
    """The valid events of ``rng``, sorted by version (see the module docstring)."""
    out: list[Event] = []
    for ev in rng.events:
        for kind in ("introduced", "fixed", "last_affected", "limit"):
            text = getattr(ev, kind)
            if text is None:
                continue
            if kind == "limit" and text.strip() == "*":
                out.append(Event(kind, None, text))
                continue
            version = _ZERO if kind == "introduced" and text.strip() == "0" else parse_version(text)
            if version is not None:
                out.append(Event(kind, version, text))
    return sorted(
        out, key=lambda e: (e.version is None, e.version or _ZERO, _KIND_ORDER[e.kind])
    )


def in_range(version: Version, rng: OsvRange) -> bool:
    """Whether ``version`` falls in one ECOSYSTEM/SEMVER range."""
    if rng.type.upper() not in _RANGE_TYPES:
        return False
    events = range_events(rng)
    limits = [e.version for e in events if e.kind == "limit"]
    if limits and not any(lim is None or version < lim for lim in limits):
        return False
    affected = False
    for ev in events:
        if ev.version is None:
            continue
        if ev.kind == "introduced":
            affected = affected or version >= ev.version
        elif ev.kind == "fixed":
            affected = affected and version < ev.version
        elif ev.kind == "last_affected":
            affected = affected and version <= ev.version
    return affected


def is_pypi(affected: OsvAffected, name: str) -> bool:
    """Whether ``affected`` is about PyPI project ``name`` (already normalised)."""
    eco = affected.package.ecosystem.split(":", 1)[0]
    return eco == ECOSYSTEM and normalise(affected.package.name) == name


def entry_affects(affected: OsvAffected, version: str) -> bool:
    """Whether one ``affected`` entry covers ``version`` (explicit list or a range)."""
    if version in affected.versions or version.strip() in affected.versions:
        return True
    parsed = parse_version(version)
    if parsed is None:
        return False
    if affected.versions and parsed in _parsed_versions(tuple(affected.versions)):
        return True
    return any(in_range(parsed, rng) for rng in affected.ranges)


@functools.lru_cache(maxsize=8192)
def _parsed_versions(versions: tuple[str, ...]) -> frozenset[Version]:
    """An explicit ``versions`` list as a set of PEP 440 versions (invalid ones dropped), so
    membership is one lookup instead of parsing the list for every query."""
    return frozenset(p for p in map(parse_version, versions) if p is not None)


def record_affects(record: OsvRecord, name: str, version: str) -> bool:
    """Whether ``record`` (not withdrawn) affects PyPI project ``name`` at ``version``."""
    if record.withdrawn is not None:
        return False
    key = normalise(name)
    return any(is_pypi(a, key) and entry_affects(a, version) for a in record.affected)


def fixed_versions(records: Iterable[OsvRecord], name: str) -> tuple[str, ...]:
    """Every valid ``fixed`` version the records give for ``name``, lowest first, unique."""
    key = normalise(name)
    seen: dict[Version, str] = {}
    for record in records:
        for affected in record.affected:
            if not is_pypi(affected, key):
                continue
            for rng in affected.ranges:
                if rng.type.upper() not in _RANGE_TYPES:
                    continue
                for ev in range_events(rng):
                    if ev.kind == "fixed" and ev.version is not None:
                        seen.setdefault(ev.version, ev.text.strip())
    return tuple(seen[v] for v in sorted(seen))


def smallest_fix(records: Iterable[OsvRecord], name: str, version: str) -> str | None:
    """The lowest ``fixed`` version above ``version`` that no record still marks affected.

    ``None`` when the version in use is invalid or no such fix exists.
    """
    current = parse_version(version)
    if current is None:
        return None
    pool = [r for r in records if r.withdrawn is None]
    for text in fixed_versions(pool, name):
        candidate = parse_version(text)
        if candidate is None or candidate <= current:
            continue
        if not any(record_affects(r, name, text) for r in pool):
            return text
    return None
