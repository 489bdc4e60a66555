"""Parsing of PEP 691 and JSON API bodies, without a server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from drillhall.patch.index import file_version, parse_json_api, parse_simple
from drillhall.patch.index.parse import ParseError


@pytest.mark.parametrize(("filename", "expected"), [
    ("demo_pkg-1.2.3-py3-none-any.whl", "1.2.3"),
    ("demo_pkg-1.2.3-1-cp311-cp311-manylinux_2_17_x86_64.whl", "1.2.3"),
    ("demo-pkg-2.0rc1.tar.gz", "2.0rc1"),
    ("demo_pkg-0.9.zip", "0.9"),
    ("demo_pkg-0.8.tar.bz2", "0.8"),
    ("demo_pkg-0.7-py2.7.egg", "0.7"),
    ("other-1.0.tar.gz", None),
    ("demo_pkg-1.0-py3-none-any.whl.metadata", None),
    ("README.txt", None),
])
def test_file_version(filename: str, expected: str | None) -> None:
    assert file_version(filename, "Demo.Pkg") == expected


def _page(files: list[dict[str, object]], versions: list[str] | None = None) -> str:
    page: dict[str, object] = {"meta": {"api-version": "1.1"}, "name": "demo", "files": files}
    if versions is not None:
        page["versions"] = versions
    return json.dumps(page)


def test_simple_release_gathers_files() -> None:
    body = _page([
        {"filename": "demo-1.0.tar.gz", "upload-time": "2024-01-02T10:00:00Z",
         "yanked": False, "requires-python": ">=3.8"},
        {"filename": "demo-1.0-py3-none-any.whl", "upload-time": "2024-01-01T09:00:00.5Z",
         "yanked": "broken"},
        {"filename": "demo-2.0b1.tar.gz", "upload-time": "2024-03-01T00:00:00Z",
         "yanked": "oops"},
        {"filename": "junk.txt"},
    ], versions=["1.0", "2.0b1", "3.0", "not a version"])
    parsed = parse_simple(body, "Demo")
    releases = {r.version: r for r in parsed.info.releases}
    assert list(releases) == ["1.0", "2.0b1", "3.0"]
    one = releases["1.0"]
    assert one.upload_time == datetime(2024, 1, 1, 9, 0, 0, 500000, tzinfo=UTC)
    assert one.files == 2
    assert not one.yanked  # one file is still installable
    assert one.requires_python == ">=3.8"
    beta = releases["2.0b1"]
    assert beta.yanked and beta.prerelease
    assert releases["3.0"].files == 0 and releases["3.0"].upload_time is None
    assert any("not PEP 440" in n for n in parsed.notes)
    assert any("1 file(s)" in n for n in parsed.notes)
    assert not parsed.missing_upload_times


def test_simple_without_versions_key_or_times() -> None:
    parsed = parse_simple(_page([{"filename": "demo-1.0.tar.gz"},
                                 {"filename": "demo-1.1.tar.gz"}]), "demo")
    assert [r.version for r in parsed.info.releases] == ["1.0", "1.1"]
    assert parsed.missing_upload_times


def test_simple_rejects_non_json() -> None:
    with pytest.raises(ParseError, match="'demo'"):
        parse_simple("<html></html>", "demo")


def test_json_api() -> None:
    body = json.dumps({"info": {"name": "Demo"}, "releases": {
        "1.0": [{"filename": "demo-1.0.tar.gz", "upload_time_iso_8601": "2023-05-01T00:00:00Z",
                 "yanked": False, "requires_python": ""}],
        "1.1": [{"filename": "demo-1.1.tar.gz", "upload_time": "2023-06-01T00:00:00",
                 "yanked": True, "requires_python": ">=3.12"}],
        "2.0": [],
    }})
    parsed = parse_json_api(body, "demo")
    releases = {r.version: r for r in parsed.info.releases}
    assert releases["1.0"].upload_time == datetime(2023, 5, 1, tzinfo=UTC)
    assert releases["1.0"].requires_python is None
    assert releases["1.1"].yanked and releases["1.1"].requires_python == ">=3.12"
    assert releases["1.1"].upload_time == datetime(2023, 6, 1, tzinfo=UTC)
    assert releases["2.0"].files == 0
