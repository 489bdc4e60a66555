"""OSV range semantics for PyPI versions: one test per rule."""

from __future__ import annotations

from typing import Any

import pytest

from drillhall.patch.advisories import (
    entry_affects,
    fixed_versions,
    parse_record,
    record_affects,
    smallest_fix,
)
from drillhall.patch.advisories.osv import OsvAffected, OsvRecord


def _record(*affected: dict[str, Any], **extra: Any) -> OsvRecord:
    return parse_record({"id": extra.pop("id", "GHSA-test"), "affected": list(affected), **extra})


def _entry(*ranges: list[dict[str, str]], versions: tuple[str, ...] = (),
           kind: str = "ECOSYSTEM", name: str = "demo") -> dict[str, Any]:
    return {
        "package": {"ecosystem": "PyPI", "name": name},
        "ranges": [{"type": kind, "events": events} for events in ranges],
        "versions": list(versions),
    }


def _affected(entry: dict[str, Any]) -> OsvAffected:
    return OsvAffected.model_validate(entry)


@pytest.mark.parametrize(("version", "expected"), [
    ("0.9", False), ("1.0", True), ("1.5", True), ("1.9.9", True), ("2.0", False),
    ("2.0.0", False), ("3.0", False),
])
def test_introduced_fixed(version: str, expected: bool) -> None:
    entry = _affected(_entry([{"introduced": "1.0"}, {"fixed": "2.0"}]))
    assert entry_affects(entry, version) is expected


@pytest.mark.parametrize(("version", "expected"), [
    ("0.9", False), ("1.0", True), ("1.4", True), ("1.4.0", True), ("1.4.1", False),
    ("1.4.post1", False),
])
def test_introduced_last_affected_is_inclusive(version: str, expected: bool) -> None:
    entry = _affected(_entry([{"introduced": "1.0"}, {"last_affected": "1.4"}]))
    assert entry_affects(entry, version) is expected


@pytest.mark.parametrize(("version", "expected"), [
    ("0", True), ("0.0.1", True), ("0.1.dev0", True), ("1.2.2", True), ("1.2.3", False),
])
def test_introduced_zero_means_from_the_beginning(version: str, expected: bool) -> None:
    entry = _affected(_entry([{"introduced": "0"}, {"fixed": "1.2.3"}]))
    assert entry_affects(entry, version) is expected


def test_open_ended_range_affects_everything_after() -> None:
    entry = _affected(_entry([{"introduced": "2.0"}]))
    assert entry_affects(entry, "99.0")
    assert not entry_affects(entry, "1.99")


@pytest.mark.parametrize(("version", "expected"), [
    ("1.0", True), ("2.9", True), ("3.0", False), ("3.5", False),
])
def test_limit_caps_the_range(version: str, expected: bool) -> None:
    entry = _affected(_entry([{"introduced": "1.0"}, {"limit": "3.0"}]))
    assert entry_affects(entry, version) is expected


def test_limit_star_is_no_cap() -> None:
    entry = _affected(_entry([{"introduced": "1.0"}, {"limit": "*"}]))
    assert entry_affects(entry, "100")


@pytest.mark.parametrize(("version", "expected"), [
    ("1.0", True), ("1.1", False), ("2.0", True), ("2.0.5", True), ("2.1", False),
    ("3.0", True), ("4.0", True),
])
def test_several_ranges_and_several_intervals_are_ored(version: str, expected: bool) -> None:
    entry = _affected(_entry(
        [{"introduced": "1.0"}, {"fixed": "1.1"}, {"introduced": "2.0"}, {"fixed": "2.1"}],
        [{"introduced": "3.0"}],
    ))
    assert entry_affects(entry, version) is expected


def test_unsorted_events_are_sorted_by_version() -> None:
    entry = _affected(_entry([{"fixed": "2.1"}, {"introduced": "2.0"}, {"fixed": "1.1"},
                              {"introduced": "1.0"}]))
    assert [entry_affects(entry, v) for v in ("1.0", "1.2", "2.0", "2.1")] == [
        True, False, True, False]


@pytest.mark.parametrize(("version", "expected"), [
    ("1.9", True), ("2.0.0a1", True), ("2.0.0rc1", True), ("2.0.0", False),
    ("2.0.0.post1", False), ("2.0.0.dev1", True), ("1.0.dev0", False),
])
def test_pre_post_and_dev_releases_follow_pep440_order(version: str, expected: bool) -> None:
    entry = _affected(_entry([{"introduced": "1.0"}, {"fixed": "2.0.0"}]))
    assert entry_affects(entry, version) is expected


def test_fix_that_is_a_prerelease() -> None:
    entry = _affected(_entry([{"introduced": "0"}, {"fixed": "2.0.0rc1"}]))
    assert entry_affects(entry, "2.0.0b3")
    assert not entry_affects(entry, "2.0.0rc1")
    assert not entry_affects(entry, "2.0.0")


def test_explicit_versions_list() -> None:
    entry = _affected(_entry(versions=("1.0", "1.1", "weird-build")))
    assert entry_affects(entry, "1.0")
    assert entry_affects(entry, "1.0.0")  # same PEP 440 version
    assert not entry_affects(entry, "1.2")
    assert entry_affects(entry, "weird-build")  # invalid, but listed by string


def test_invalid_version_in_use_never_matches_a_range() -> None:
    entry = _affected(_entry([{"introduced": "0"}]))
    assert not entry_affects(entry, "not a version")
    assert not entry_affects(entry, "")


def test_invalid_event_is_ignored() -> None:
    entry = _affected(_entry([{"introduced": "1.0"}, {"fixed": "bogus!"}, {"fixed": "2.0"}]))
    assert entry_affects(entry, "1.5")
    assert not entry_affects(entry, "2.0")


def test_git_ranges_are_ignored_and_semver_is_best_effort() -> None:
    git = _affected(_entry([{"introduced": "0"}, {"fixed": "abc123"}], kind="GIT"))
    assert not entry_affects(git, "1.0")
    semver = _affected(_entry([{"introduced": "1.0.0"}, {"fixed": "1.2.0"}], kind="SEMVER"))
    assert entry_affects(semver, "1.1.0")
    assert not entry_affects(semver, "1.2.0")


def test_withdrawn_record_affects_nothing() -> None:
    record = _record(_entry([{"introduced": "0"}]), withdrawn="2024-01-01T00:00:00Z")
    assert not record_affects(record, "demo", "1.0")


def test_other_package_and_ecosystem_do_not_match() -> None:
    npm = _entry([{"introduced": "0"}])
    npm["package"]["ecosystem"] = "npm"
    record = _record(npm, _entry([{"introduced": "0"}], name="other"))
    assert not record_affects(record, "demo", "1.0")
    assert record_affects(record, "Other", "1.0")


def test_name_normalisation() -> None:
    record = _record(_entry([{"introduced": "0"}], name="Zope.Interface"))
    assert record_affects(record, "zope_interface", "1.0")


def test_several_affected_entries_for_one_package_are_ored() -> None:
    record = _record(_entry([{"introduced": "1.0"}, {"fixed": "1.1"}]),
                     _entry(versions=("5.0",)))
    assert record_affects(record, "demo", "1.0")
    assert record_affects(record, "demo", "5.0")
    assert not record_affects(record, "demo", "2.0")


def test_fixed_versions_and_smallest_fix() -> None:
    record = _record(_entry(
        [{"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "2.0"}, {"fixed": "2.0.3"}],
        [{"introduced": "1.2"}, {"fixed": "1.5"}],  # 1.2 is itself affected by another range
    ))
    assert fixed_versions([record], "demo") == ("1.2", "1.5", "2.0.3")
    assert smallest_fix([record], "demo", "1.1") == "1.5"
    assert smallest_fix([record], "demo", "2.0.1") == "2.0.3"
    assert smallest_fix([record], "demo", "bogus") is None
    open_ended = _record(_entry([{"introduced": "0"}]))
    assert smallest_fix([open_ended], "demo", "1.0") is None
