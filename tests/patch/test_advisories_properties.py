"""Property-based tests: range matching against a brute-force interval reference."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from drillhall.patch.advisories import entry_affects, smallest_fix
from drillhall.patch.advisories.osv import OsvAffected, parse_record

SUFFIXES = ("", "a1", "rc1", ".post1", ".dev0")
POOL = sorted({f"{major}.{minor}{suffix}" for major in range(4) for minor in range(3)
               for suffix in SUFFIXES}, key=Version)

versions = st.sampled_from(POOL)
kinds = st.sampled_from(("introduced", "fixed", "last_affected"))
events = st.lists(st.tuples(kinds, versions), max_size=8, unique_by=lambda e: Version(e[1]))
limits = st.lists(versions, max_size=2)


def reference(version: str, evs: list[tuple[str, str]], lims: list[str]) -> bool:
    """Build explicit intervals from the sorted events, then test membership."""
    v = Version(version)
    if lims and not any(v < Version(lim) for lim in lims):
        return False
    intervals: list[tuple[Version, Version | None, bool]] = []  # start, end, end inclusive
    start: Version | None = None
    for kind, text in sorted(evs, key=lambda e: Version(e[1])):
        at = Version(text)
        if kind == "introduced" and start is None:
            start = at
        elif kind in ("fixed", "last_affected") and start is not None:
            intervals.append((start, at, kind == "last_affected"))
            start = None
    if start is not None:
        intervals.append((start, None, False))
    return any(
        lo <= v and (hi is None or v < hi or (inclusive and v == hi))
        for lo, hi, inclusive in intervals
    )


def _entry(evs: list[tuple[str, str]], lims: list[str], listed: list[str]) -> OsvAffected:
    data: dict[str, Any] = {
        "package": {"ecosystem": "PyPI", "name": "demo"},
        "ranges": [{"type": "ECOSYSTEM",
                    "events": [{k: t} for k, t in evs] + [{"limit": t} for t in lims]}],
        "versions": listed,
    }
    return OsvAffected.model_validate(data)


@settings(max_examples=400, deadline=None)
@given(version=versions, evs=events, lims=limits, order=st.randoms(use_true_random=False))
def test_range_matches_reference(version: str, evs: list[tuple[str, str]], lims: list[str],
                                 order: Any) -> None:
    shuffled = list(evs)
    order.shuffle(shuffled)  # event order in the file must not matter
    assert entry_affects(_entry(shuffled, lims, []), version) == reference(version, evs, lims)


@settings(max_examples=200, deadline=None)
@given(version=versions, evs=events, listed=st.lists(versions, max_size=3))
def test_explicit_versions_are_ored(version: str, evs: list[tuple[str, str]],
                                    listed: list[str]) -> None:
    expected = version in listed or reference(version, evs, [])
    assert entry_affects(_entry(evs, [], listed), version) == expected


@settings(max_examples=200, deadline=None)
@given(version=versions, evs=events)
def test_smallest_fix_is_minimal_and_unaffected(version: str, evs: list[tuple[str, str]]) -> None:
    record = parse_record({"id": "GHSA-prop", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "demo"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{k: t} for k, t in evs]}]}]})
    fix = smallest_fix([record], "demo", version)
    fixes = sorted((Version(t) for k, t in evs if k == "fixed"))
    good = [f for f in fixes if f > Version(version) and not reference(str(f), evs, [])]
    if not good:
        assert fix is None
    else:
        assert fix is not None and Version(fix) == good[0]
