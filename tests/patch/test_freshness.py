"""Freshness numbers on fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from drillhall.patch.freshness import (
    Freshness,
    FreshnessError,
    drift_score,
    evaluate,
    latest,
    libyears,
    summarise,
    versions_behind,
)
from drillhall.patch.model import Dependency, PackageInfo, Release


def _at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def _info() -> PackageInfo:
    return PackageInfo("demo", (
        Release("1.0.0", _at(2020, 1, 1), files=1),
        Release("1.0.1", _at(2020, 3, 1), files=1),
        Release("1.1.0", _at(2020, 6, 1), files=1),
        Release("1.2.0", _at(2021, 1, 1), files=1),
        Release("2.0.0", _at(2022, 1, 1), files=1),
        Release("2.0.1", _at(2022, 7, 2), files=1),
        Release("2.1.0", _at(2023, 1, 1), files=1, yanked=True),
        Release("3.0.0a1", _at(2023, 6, 1), files=1, prerelease=True),
        Release("2.0.2", _at(2023, 1, 1), files=1, requires_python=">=3.12"),
        Release("9.9.9", None, files=0),
    ))


def _dep(version: str | None, upload: datetime | None = None) -> Dependency:
    return Dependency("demo", version, f"=={version}" if version else "",
                      Path("requirements.txt"), upload_time=upload)


def test_latest_filters() -> None:
    info = _info()
    assert (r := latest(info)) is not None and r.version == "2.0.2"
    assert (r := latest(info, python="3.11")) is not None and r.version == "2.0.1"
    assert (r := latest(info, python="3.11", allow_prereleases=True)) is not None
    assert r.version == "3.0.0a1"
    assert (r := latest(info, python="3.11.4", current="3.0.0a0")) is not None
    assert r.version == "3.0.0a1"  # already on a pre-release: pre-releases count
    assert latest(PackageInfo("empty")) is None
    with pytest.raises(FreshnessError, match="'three'"):
        latest(info, python="three")


def test_libyears() -> None:
    old = Release("1.0", _at(2020, 1, 1))
    new = Release("2.0", _at(2022, 1, 1))
    assert libyears(old, new) == pytest.approx(731 / 365.25)
    assert libyears(date(2021, 1, 1), new) == pytest.approx(365 / 365.25)
    assert libyears(datetime(2021, 1, 1), new) == pytest.approx(365 / 365.25)  # naive = UTC
    assert libyears(new, old) == 0.0
    with pytest.raises(FreshnessError, match=r"1\.5"):
        libyears(Release("1.5", None), new)


def test_versions_behind_counts_releases() -> None:
    released = ["1.0.0", "1.0.1", "1.1.0", "1.2.0", "2.0.0", "2.0.1", "3.0.0", "3.1.0"]
    assert versions_behind("1.0.0", "3.1.0", releases=released) == (2, 3, 2)
    assert versions_behind("1.0.1", "1.2.0", releases=released) == (0, 2, 0)
    assert versions_behind("2.0.0", "2.0.1", releases=released) == (0, 0, 1)
    assert versions_behind("3.1.0", "3.1.0", releases=released) == (0, 0, 0)
    assert versions_behind("4.0", "3.1.0", releases=released) == (0, 0, 0)


def test_versions_behind_by_difference() -> None:
    assert versions_behind("1.4.2", "3.0") == (2, 0, 0)
    assert versions_behind("1.4.2", "1.9.0") == (0, 5, 0)
    assert versions_behind("1.4.2", "1.4.7") == (0, 0, 5)
    assert versions_behind("1.4", "1.4.1") == (0, 0, 1)
    with pytest.raises(FreshnessError, match=r"'x\.y'"):
        versions_behind("x.y", "1.0")


def test_drift_score() -> None:
    assert drift_score(2.0, (1, 2, 4)) == pytest.approx(2.0 + 1.0 + 0.5 + 0.2)
    assert drift_score(None, (0, 0, 0)) == 0.0


def test_evaluate_uses_index_dates() -> None:
    item = evaluate(_dep("1.0.1"), _info(), python="3.11")
    assert item.latest == "2.0.1"
    assert item.current_date == _at(2020, 3, 1) and item.latest_date == _at(2022, 7, 2)
    assert item.libyears == pytest.approx(round(853 / 365.25, 4))
    assert item.behind == (1, 2, 1)  # 1.1.0, 1.2.0 minor; 2.0.0 major; 2.0.1 patch
    assert item.libyears is not None
    assert item.drift == pytest.approx(item.libyears + 1.0 + 0.5 + 0.05, abs=1e-3)
    assert item.outdated


def test_evaluate_prefers_lockfile_upload_time() -> None:
    item = evaluate(_dep("1.0.1", _at(2021, 7, 2)), _info(), python="3.11")
    assert item.current_date == _at(2021, 7, 2)
    assert item.libyears == pytest.approx(1.0, abs=1e-3)


def test_evaluate_edge_cases() -> None:
    current = evaluate(_dep("2.0.1"), _info(), python="3.11")
    assert current.libyears == 0.0 and current.behind == (0, 0, 0) and not current.outdated
    unpinned = evaluate(_dep(None), _info())
    assert unpinned.libyears is None and "not pinned" in unpinned.note
    missing = evaluate(_dep("1.0"), PackageInfo("demo"))
    assert missing.latest is None and "no suitable release" in missing.note
    undated = PackageInfo("demo", (Release("1.0", None, files=1), Release("1.1", None, files=1)))
    unknown = evaluate(_dep("1.0"), undated)
    assert unknown.libyears is None and unknown.outdated and "unknown" in unknown.note


def test_summarise() -> None:
    items = [
        Freshness("a", "1.0", "2.0", 1.5, (1, 0, 0), 2.5),
        Freshness("b", "1.0", "1.1", 0.25, (0, 1, 0), 0.5),
        Freshness("c", "1.0", "1.0", 0.0, (0, 0, 0), 0.0),
        Freshness("d", "1.0", "1.2", None, (0, 2, 0), 0.5, note="dates unknown"),
    ]
    total = summarise(items)
    assert total.total_libyears == pytest.approx(1.75)
    assert total.outdated == 3 and total.unknown == 1 and total.major_behind == 1
    assert total.max_libyears == 1.5 and total.total_drift == pytest.approx(3.5)
    assert total.count == 4
    assert summarise([]).total_libyears == 0.0
