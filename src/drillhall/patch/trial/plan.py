"""Which upgrades a patch drill tries.

For each direct dependency held at a known version (pinned with ``==``, or the ``>=``/``~=``
floor of a ``pyproject.toml`` range) the index knows a newer allowed release of, one
:class:`Candidate` names the target version:

* a release is *allowed* when :func:`drillhall.patch.freshness.candidates` admits it (not
  yanked, not a pre-release unless one is in use) and it is at least ``min_age`` old (the
  cooldown; a release without an upload time cannot be judged and is allowed);
* **security first**: when an advisory affects the version in use, the target is the smallest
  allowed release at or above the smallest fixing version, whatever the group's bound;
* otherwise the target is the newest allowed release within the group's bound: ``patch`` keeps
  major.minor, ``minor`` keeps the major version, ``single`` and ``all`` take the newest.

Security candidates come first, then by name. :func:`group_candidates` turns the list into the
groups a drill tries together: one candidate per group for ``single``, all of them in one group
otherwise (a failing group is bisected by :mod:`.session`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from drillhall.patch.audit import AdvisorySource
from drillhall.patch.freshness import candidates as allowed_releases
from drillhall.patch.model import Dependency, Inventory, PackageInfo, Release

Group = Literal["single", "patch", "minor", "all"]
GROUPS: tuple[Group, ...] = ("single", "patch", "minor", "all")
_EXACT = ("==", "===")
_FLOOR = re.compile(r"(?:>=|~=)\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One planned upgrade of ``name`` from ``current`` to ``target``.

    ``dependencies`` are the declarations to rewrite (the same package may be pinned in
    several files); ``advisories`` the ids fixed by the upgrade (empty when it is not a
    security fix).
    """

    name: str
    current: str
    target: str
    dependencies: tuple[Dependency, ...]
    advisories: tuple[str, ...] = ()

    @property
    def security(self) -> bool:
        return bool(self.advisories)

    @property
    def label(self) -> str:
        return f"{self.name} {self.current} -> {self.target}"


def _version(text: str | None) -> Version | None:
    if text is None:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _within(group: Group, current: Version, target: Version) -> bool:
    cur = (*current.release, 0, 0)
    new = (*target.release, 0, 0)
    if group == "patch":
        return cur[:2] == new[:2]
    if group == "minor":
        return cur[0] == new[0]
    return True


def _aged(release: Release, cutoff: datetime) -> bool:
    when = release.upload_time
    if when is None:
        return True
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return when <= cutoff


def current_version(dep: Dependency) -> str | None:
    """The version a direct dependency is held at: its pin, or for a ``pyproject.toml``
    range the version of its first ``>=`` or ``~=`` clause (the floor the project declares
    it works with); ``None`` for anything else."""
    if not dep.direct:
        return None
    spec = dep.specifier.strip()
    if dep.version is not None and (not spec or spec.startswith(_EXACT)):
        return dep.version
    if dep.source.name == "pyproject.toml":
        floor = _FLOOR.search(spec)
        if floor is not None:
            return floor.group(1)
    return None


def _pinned(deps: Sequence[Dependency]) -> dict[str, list[tuple[Dependency, str]]]:
    """Direct dependencies held at a known version, by normalised name."""
    out: dict[str, list[tuple[Dependency, str]]] = {}
    for dep in deps:
        current = current_version(dep)
        if current is not None:
            out.setdefault(canonicalize_name(dep.name), []).append((dep, current))
    return out


def plan_upgrades(inventory: Inventory, infos: Mapping[str, PackageInfo],
                  advisories: AdvisorySource | None = None, *, group: Group = "single",
                  min_age: timedelta = timedelta(days=3), today: datetime | None = None,
                  python: str | None = None) -> list[Candidate]:
    """The upgrades to try, security fixes first (see the module docstring)."""
    now = today or datetime.now(UTC)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    cutoff = now - min_age
    planned: list[Candidate] = []
    for name, held in sorted(_pinned(inventory.dependencies).items()):
        deps = [d for d, _ in held]
        versions = {v for _, v in held}
        if len(versions) != 1:
            continue  # pinned differently in different files: leave it to the user
        current = versions.pop()
        cur = _version(current)
        info = infos.get(name)
        if cur is None or info is None:
            continue
        pool = [(v, r) for r in allowed_releases(info, python=python, current=current)
                if (v := _version(r.version)) is not None and v > cur and _aged(r, cutoff)]
        if not pool:
            continue
        target: Version | None = None
        fixed: tuple[str, ...] = ()
        if advisories is not None:
            found = advisories.affecting(name, current)
            fix = _version(advisories.smallest_fix(name, current)) if found else None
            if fix is not None:
                target = next((v for v, _ in pool if v >= fix), None)
                # every id of the merged advisories (OSV id and aliases), as the audit tags
                fixed = (tuple(dict.fromkeys(i for a in found for i in a.ids))
                         if target is not None else ())
        if target is None:
            bounded = [v for v, _ in pool if _within(group, cur, v)]
            target = max(bounded) if bounded else None
        if target is None:
            continue
        chosen = next(r.version for v, r in pool if v == target)
        planned.append(Candidate(name, current, chosen, tuple(deps), fixed))
    planned.sort(key=lambda c: (not c.security, c.name))
    return planned


def group_candidates(planned: Sequence[Candidate], group: Group) -> list[tuple[Candidate, ...]]:
    """The groups tried together: one per candidate for ``single``, one group otherwise."""
    if not planned:
        return []
    if group == "single":
        return [(c,) for c in planned]
    return [tuple(planned)]
