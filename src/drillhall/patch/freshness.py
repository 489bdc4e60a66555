"""How far behind each dependency is: libyears, versions behind, and a drift score.

Definitions (all numbers are for final, non-yanked releases unless pre-releases are allowed):

* **latest** — the highest version on the index that is not yanked, not a pre-release (unless
  pre-releases are allowed or the version in use is itself one), and whose ``requires-python``
  admits the target Python. A release with neither files nor an upload time (a version the
  index lists with nothing to install) is skipped too.
* **libyears** — the upload date of ``latest`` minus the upload date of the version in use, in
  years of 365.25 days, never negative. The in-use date is the lockfile's upload time
  (``Dependency.upload_time``, which uv.lock records) when present, else the index's date for
  that version.
* **versions behind** — ``(major, minor, patch)`` counts of the *releases* between the version
  in use (exclusive) and ``latest`` (inclusive), walking them in order and classing each by the
  component it bumps against the previous one (a release number of 3 components: major, minor,
  micro). Counting releases that exist is more meaningful than subtracting numbers: 1.2 → 1.9
  is 7 minor releases only if 1.3 … 1.9 were all published. Without a release list, the
  difference of the first differing component is used instead (``(2, 0, 0)`` for 1.x → 3.x).
* **drift score** — ``libyears + 1.0·major + 0.25·minor + 0.05·patch``: a year of lag weighs as
  much as one major release behind, which is the usual cost of catching up either way; higher
  is worse and 0 means up to date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from drillhall.errors import DrillError
from drillhall.patch.model import Dependency, PackageInfo, Release

DAYS_PER_YEAR = 365.25
MAJOR_WEIGHT = 1.0
MINOR_WEIGHT = 0.25
PATCH_WEIGHT = 0.05

Behind = tuple[int, int, int]


class FreshnessError(DrillError):
    """A freshness number cannot be computed from the values given."""


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def admits_python(release: Release, python: str | None) -> bool:
    """Whether ``release``'s ``requires-python`` admits ``python`` (``"3.11"`` or
    ``"3.11.4"``). An absent or unparsable ``requires-python`` admits everything, as pip
    does."""
    if python is None or not release.requires_python:
        return True
    target = _version(python)
    if target is None:
        raise FreshnessError(f"the Python version {python!r} is not a version number")
    try:
        spec = SpecifierSet(release.requires_python)
    except InvalidSpecifier:
        return True
    return spec.contains(target, prereleases=True)


def candidates(info: PackageInfo, *, python: str | None = None, allow_prereleases: bool = False,
               current: str | None = None) -> list[Release]:
    """The releases ``latest`` chooses from, lowest version first (see the module docs)."""
    in_use = _version(current) if current else None
    pre_ok = allow_prereleases or (in_use is not None and in_use.is_prerelease)
    chosen: list[tuple[Version, Release]] = []
    for release in info.releases:
        parsed = _version(release.version)
        if parsed is None or release.yanked:
            continue
        if (release.prerelease or parsed.is_prerelease) and not pre_ok:
            continue
        if release.files == 0 and release.upload_time is None:
            continue
        if not admits_python(release, python):
            continue
        chosen.append((parsed, release))
    chosen.sort(key=lambda pair: pair[0])
    return [release for _, release in chosen]


def latest(info: PackageInfo, *, python: str | None = None, allow_prereleases: bool = False,
           current: str | None = None) -> Release | None:
    """The newest release a user of ``python`` would upgrade to, or ``None`` when there is
    none. Pre-releases count when allowed or when ``current`` is itself a pre-release."""
    found = candidates(info, python=python, allow_prereleases=allow_prereleases,
                       current=current)
    return found[-1] if found else None


def _as_datetime(when: Release | date | datetime) -> datetime:
    if isinstance(when, Release):
        if when.upload_time is None:
            raise FreshnessError(f"release {when.version} has no upload time")
        when = when.upload_time
    if not isinstance(when, datetime):
        return datetime(when.year, when.month, when.day, tzinfo=UTC)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def libyears(current: Release | date | datetime, newest: Release | date | datetime) -> float:
    """Years (of 365.25 days) from the in-use release date to the newest release date, at
    least 0. Naive datetimes are taken as UTC; a release without an upload time is a
    :class:`FreshnessError`."""
    delta = _as_datetime(newest) - _as_datetime(current)
    return max(0.0, delta.total_seconds() / (DAYS_PER_YEAR * 86400))


def _parts(v: Version) -> tuple[int, int, int]:
    r = (*v.release, 0, 0)
    return r[0], r[1], r[2]


def versions_behind(current: str, newest: str, *,
                    releases: Iterable[str] | None = None) -> Behind:
    """``(major, minor, patch)`` releases between ``current`` and ``newest`` (see the module
    docs); ``(0, 0, 0)`` when ``current`` is not older. ``releases`` are the versions to count
    (normally :func:`candidates`); without them the first differing component's difference is
    returned."""
    cur, new = _version(current), _version(newest)
    if cur is None or new is None:
        bad = current if cur is None else newest
        raise FreshnessError(f"{bad!r} is not a PEP 440 version")
    if new <= cur:
        return (0, 0, 0)
    if releases is None:
        c, n = _parts(cur), _parts(new)
        if n[0] != c[0]:
            return (n[0] - c[0], 0, 0)
        if n[1] != c[1]:
            return (0, n[1] - c[1], 0)
        return (0, 0, max(0, n[2] - c[2]))
    between = sorted({v for v in (_version(r) for r in releases)
                      if v is not None and cur < v <= new})
    major = minor = patch = 0
    previous = _parts(cur)
    for v in between:
        parts = _parts(v)
        if parts[0] != previous[0]:
            major += 1
        elif parts[1] != previous[1]:
            minor += 1
        else:
            patch += 1
        previous = parts
    return (major, minor, patch)


def drift_score(libyears_behind: float | None, behind: Behind) -> float:
    """``libyears + 1.0·major + 0.25·minor + 0.05·patch`` (unknown libyears count as 0)."""
    major, minor, patch = behind
    return round((libyears_behind or 0.0) + MAJOR_WEIGHT * major + MINOR_WEIGHT * minor
                 + PATCH_WEIGHT * patch, 4)


@dataclass(frozen=True, slots=True)
class Freshness:
    """How far one dependency is behind. ``latest`` is ``None`` when the index offers nothing
    suitable; ``libyears`` is ``None`` when a release date is unknown (never guessed as 0);
    ``note`` says why a number is missing."""

    name: str
    version: str | None
    latest: str | None
    libyears: float | None
    behind: Behind
    drift: float
    current_date: datetime | None = None
    latest_date: datetime | None = None
    note: str = ""

    @property
    def outdated(self) -> bool:
        """True when a newer suitable release exists than the version in use."""
        if self.version is None or self.latest is None:
            return False
        cur, new = _version(self.version), _version(self.latest)
        return cur is not None and new is not None and new > cur


def evaluate(dependency: Dependency, info: PackageInfo, *, python: str | None = None,
             allow_prereleases: bool = False) -> Freshness:
    """The :class:`Freshness` of ``dependency`` given what the index knows of it."""
    name, version = dependency.name, dependency.version
    pool = candidates(info, python=python, allow_prereleases=allow_prereleases, current=version)
    newest = pool[-1] if pool else None
    if version is None or newest is None or _version(version) is None:
        why = ("the version in use is not pinned" if version is None
               else "no suitable release on the index" if newest is None
               else f"{version!r} is not a PEP 440 version")
        return Freshness(name, version, newest.version if newest else None, None, (0, 0, 0),
                         0.0, latest_date=newest.upload_time if newest else None, note=why)
    in_use = next((r for r in info.releases if _version(r.version) == Version(version)), None)
    current_date = dependency.upload_time or (in_use.upload_time if in_use else None)
    behind = versions_behind(version, newest.version, releases=[r.version for r in pool])
    years: float | None = None
    note = ""
    if Version(newest.version) <= Version(version):
        years = 0.0
    elif current_date is None or newest.upload_time is None:
        note = "a release date is unknown, so libyears cannot be computed"
    else:
        years = round(libyears(current_date, newest), 4)
    return Freshness(name, version, newest.version, years, behind, drift_score(years, behind),
                     current_date=current_date, latest_date=newest.upload_time, note=note)


@dataclass(frozen=True, slots=True)
class FreshnessSummary:
    """Totals over many dependencies: ``total_libyears`` sums the known libyears,
    ``unknown`` counts dependencies without a libyears figure."""

    total_libyears: float
    outdated: int
    unknown: int
    major_behind: int
    max_libyears: float
    total_drift: float
    count: int


def summarise(items: Sequence[Freshness]) -> FreshnessSummary:
    """Sum up :func:`evaluate` results (``outdated`` counts dependencies with a newer suitable
    release; ``major_behind`` those at least one major release behind)."""
    known = [f.libyears for f in items if f.libyears is not None]
    return FreshnessSummary(
        total_libyears=round(sum(known), 4),
        outdated=sum(1 for f in items if f.outdated),
        unknown=sum(1 for f in items if f.libyears is None),
        major_behind=sum(1 for f in items if f.behind[0] > 0),
        max_libyears=max(known, default=0.0),
        total_drift=round(sum(f.drift for f in items), 4),
        count=len(items),
    )
