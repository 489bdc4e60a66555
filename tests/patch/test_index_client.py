"""The index client against a real PEP 691 index served on 127.0.0.1."""

from __future__ import annotations

import secrets
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from drillhall.patch.freshness import latest
from drillhall.patch.index import IndexClient, PackageIndexError
from drillhall.patch.index.client import _retry_after
from drillhall.testing.pypi import (
    FakeIndex,
    FakeIndexServer,
    FakePackage,
    FakeRelease,
    build_wheel,
)


def _day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def _packages() -> list[FakePackage]:
    return [
        FakePackage("Demo_Pkg", [
            FakeRelease("1.0", _day(2022, 1, 1)),
            FakeRelease("1.1", _day(2022, 6, 1), requires_python=">=3.8"),
            FakeRelease("2.0", _day(2023, 1, 1), yanked="broken build"),
            FakeRelease("2.1rc1", _day(2023, 2, 1)),
            FakeRelease("1.2", _day(2023, 3, 1), requires_python=">=3.12"),
        ]),
        FakePackage("solo", [FakeRelease("0.1", _day(2020, 2, 2))]),
    ]


@pytest.fixture()
def index() -> FakeIndex:
    return FakeIndex(_packages())


@pytest.fixture()
def server(index: FakeIndex) -> Iterator[FakeIndexServer]:
    with FakeIndexServer(index) as running:
        yield running


def _with_auth(url: str, user: str, password: str) -> str:
    """``url`` with user info, built at run time so no credential URL sits in the source."""
    parts = urlsplit(url)
    userinfo = "".join((user, ":", password, "@"))
    return urlunsplit((parts.scheme, userinfo + parts.netloc, parts.path, "", ""))


def _client(server: FakeIndexServer, **kwargs: object) -> IndexClient:
    options: dict[str, object] = {"backoff_base": 0.001, "retries": 3}
    options.update(kwargs)
    return IndexClient(server.simple_url, **options)  # type: ignore[arg-type]


def test_package_parsed_with_flags(server: FakeIndexServer) -> None:
    with _client(server) as client:
        info = client.package("demo.pkg")  # normalised before asking
    assert info.name == "demo-pkg"
    releases = {r.version: r for r in info.releases}
    assert list(releases) == ["1.0", "1.1", "1.2", "2.0", "2.1rc1"]  # version order
    assert releases["2.0"].yanked
    assert releases["2.1rc1"].prerelease and not releases["2.1rc1"].yanked
    assert releases["1.1"].requires_python == ">=3.8"
    assert releases["1.0"].upload_time == _day(2022, 1, 1)
    assert releases["1.0"].files == 2
    # filtering: yanked, pre-release and requires-python are respected
    pick = latest(info, python="3.11")
    assert pick is not None and pick.version == "1.1"
    pick = latest(info, python="3.12")
    assert pick is not None and pick.version == "1.2"
    pick = latest(info, python="3.11", allow_prereleases=True)
    assert pick is not None and pick.version == "2.1rc1"


def test_not_found_is_a_note(server: FakeIndexServer) -> None:
    with _client(server) as client:
        result = client.lookup("no-such-package")
    assert not result.found and result.error is None
    assert result.info.releases == ()
    assert "not on the index" in result.notes[0]


def test_etag_cache_round_trip(server: FakeIndexServer, index: FakeIndex,
                               tmp_path: Path) -> None:
    with _client(server, cache_dir=tmp_path) as client:
        first = client.lookup("solo")
    with _client(server, cache_dir=tmp_path) as client:
        second = client.lookup("solo")
    assert not first.from_cache and second.from_cache
    assert second.info == first.info
    pages = [r for r in index.requests if r.path == "/simple/solo/"]
    assert [r.status for r in pages] == [200, 304]
    assert pages[0].if_none_match is None
    assert pages[1].if_none_match is not None
    assert pages[1].accept == "application/vnd.pypi.simple.v1+json"
    # a change on the index invalidates the ETag and the new body is used
    index.add(FakePackage("solo", [FakeRelease("0.1", _day(2020, 2, 2)),
                                   FakeRelease("0.2", _day(2021, 2, 2))]))
    with _client(server, cache_dir=tmp_path) as client:
        third = client.lookup("solo")
    assert not third.from_cache
    assert [r.version for r in third.info.releases] == ["0.1", "0.2"]
    # max_age skips the request entirely
    before = index.count()
    with _client(server, cache_dir=tmp_path, max_age=3600) as client:
        assert client.lookup("solo").from_cache
    assert index.count() == before


def test_corrupt_cache_entry_is_refetched(server: FakeIndexServer, tmp_path: Path) -> None:
    with _client(server, cache_dir=tmp_path) as client:
        client.lookup("solo")
    for entry in tmp_path.rglob("solo.json"):
        entry.write_text("{not json", encoding="utf-8")
    with _client(server, cache_dir=tmp_path) as client:
        result = client.lookup("solo")
    assert not result.from_cache and [r.version for r in result.info.releases] == ["0.1"]


def test_retries_honour_retry_after(server: FakeIndexServer, index: FakeIndex) -> None:
    waits: list[float] = []
    index.fail_next(429, 2, retry_after="7")
    with _client(server, sleep=waits.append, backoff_max=60) as client:
        info = client.package("solo")
    assert [r.version for r in info.releases] == ["0.1"]
    assert waits == [7.0, 7.0]
    assert index.count("/simple/solo/") == 3


def test_retries_back_off_exponentially(server: FakeIndexServer, index: FakeIndex) -> None:
    waits: list[float] = []
    index.fail_next(500, 3)
    with _client(server, sleep=waits.append, backoff_base=0.01) as client:
        client.package("solo")
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 0.01 * 2**attempt <= wait <= 0.01 * 2**attempt + 0.01


def test_retries_give_up(server: FakeIndexServer, index: FakeIndex) -> None:
    index.fail_next(503, 10)
    start = time.monotonic()
    with _client(server, retries=2) as client, pytest.raises(PackageIndexError,
                                                             match="HTTP 503"):
        client.package("solo")
    assert index.count("/simple/solo/") == 3
    assert time.monotonic() - start < 2


def test_transport_errors_retried_then_reported() -> None:
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        raise httpx.ConnectError("connection refused", request=request)

    client = IndexClient("https://index.invalid/simple/", transport=httpx.MockTransport(refuse),
                         retries=2, sleep=lambda _s: None)
    with client, pytest.raises(PackageIndexError, match="after 3 attempt"):
        client.package("solo")
    assert len(calls) == 3


def test_many_packages_concurrently(index: FakeIndex, tmp_path: Path) -> None:
    names = [f"pkg-{i:03d}" for i in range(60)]
    for i, name in enumerate(names):
        index.add(FakePackage(name, [FakeRelease(f"1.{i}", _day(2024, 1, 1 + i % 28))]))
    with FakeIndexServer(index) as server:
        with _client(server, concurrency=8) as client:
            found = client.packages([*names, "solo", "SOLO"])
        assert len(found) == 61
        assert found["pkg-042"].releases[0].version == "1.42"
        assert index.count() == 61  # duplicates asked once
        with _client(server) as client:
            results = client.lookups(["solo", "missing-one"])
        assert results["solo"].found and not results["missing-one"].found
    slow = FakeIndex([FakePackage(n, [FakeRelease("1.0", _day(2024, 1, 1))]) for n in names],
                     delay=0.05)
    with FakeIndexServer(slow) as server, _client(server, concurrency=6) as client:
        started = time.monotonic()
        assert len(client.packages(names[:24])) == 24
        elapsed = time.monotonic() - started
    assert 2 <= slow.max_in_flight <= 6
    assert elapsed < 24 * 0.05  # faster than one at a time


def test_retry_after_http_date() -> None:
    soon = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= (_retry_after(format_datetime(soon, usegmt=True)) or 0) <= 30
    assert _retry_after("garbage") is None
    assert _retry_after("3") == 3.0


def test_one_failure_is_recorded_and_packages_fails_closed(server: FakeIndexServer,
                                                           index: FakeIndex) -> None:
    index.fail_next(500, 1)
    with _client(server, retries=0) as client:
        results = client.lookups(["solo"])
        assert results["solo"].error is not None and "HTTP 500" in results["solo"].error
        index.fail_next(500, 1)
        with pytest.raises(PackageIndexError, match="HTTP 500"):
            client.packages(["solo"])
        assert client.packages(["solo"])["solo"].releases


def test_other_index_path_and_unused_credentials(server: FakeIndexServer) -> None:
    with IndexClient(server.url + "/private/simple/", retries=0) as client:
        assert client.lookups(["solo"])["solo"].found is False  # 404 on that path
    with IndexClient(_with_auth(server.simple_url, "nobody", "x"),
                     retries=0) as client:
        assert client.package("solo").releases  # credentials an open index ignores


def test_private_index_with_basic_auth(index: FakeIndex) -> None:
    password = "pw-" + secrets.token_hex(12)
    index.require_auth = ("ci-bot", password)
    with FakeIndexServer(index) as server:
        private = _with_auth(server.simple_url, "ci-bot", password)
        with IndexClient(private, retries=0) as client:
            assert [r.version for r in client.package("solo").releases] == ["0.1"]
            assert password not in client.display_url
        wrong = _with_auth(server.simple_url, "ci-bot", password[::-1])
        with IndexClient(wrong, retries=0) as client, \
                pytest.raises(PackageIndexError) as caught:
            client.package("solo")
        message = caught.value.diagnostics()
        assert "HTTP 401" in message and password[::-1] not in message
        assert "sha256:" in message  # shown masked
        index.fail_next(500, 5)
        with IndexClient(private, retries=1, sleep=lambda _s: None) as client:
            result = client.lookups(["solo"])["solo"]
        assert result.error is not None and password not in result.error
    assert all(r.authorized for r in index.requests if r.status == 200)


def test_cache_never_holds_credentials(index: FakeIndex, tmp_path: Path) -> None:
    password = "pw-" + secrets.token_hex(12)
    index.require_auth = ("ci-bot", password)
    with FakeIndexServer(index) as server:
        private = _with_auth(server.simple_url, "ci-bot", password)
        with IndexClient(private, cache_dir=tmp_path) as client:
            client.package("solo")
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        assert password not in str(path) and password not in path.read_text(encoding="utf-8")


def test_json_api_fallback_for_upload_times() -> None:
    index = FakeIndex(_packages(), upload_times=False)
    with FakeIndexServer(index) as server, _client(server) as client:
        result = client.lookup("solo")
    assert result.info.releases[0].upload_time == _day(2020, 2, 2)
    assert any("JSON API" in n for n in result.notes)
    assert index.count("/pypi/solo/json") == 1


def test_no_upload_times_anywhere_is_a_note() -> None:
    index = FakeIndex(_packages(), upload_times=False, json_api=False)
    with FakeIndexServer(index) as server, _client(server) as client:
        result = client.lookup("solo")
    assert result.found and result.info.releases[0].upload_time is None
    assert any("unknown" in n for n in result.notes)


def test_html_only_index_is_an_error() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html></html>", headers={"content-type": "text/html"})

    with IndexClient("https://example.invalid/simple/", transport=httpx.MockTransport(html),
                     retries=0) as client, pytest.raises(PackageIndexError, match="PEP 691"):
        client.package("solo")


def test_fake_index_serves_real_wheels(tmp_path: Path) -> None:
    wheel = build_wheel("Demo-Pkg", "1.0", tmp_path, requires_python=">=3.9")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "demo_pkg-1.0.dist-info/METADATA" in names
        assert "Requires-Python: >=3.9" in archive.read(
            "demo_pkg-1.0.dist-info/METADATA").decode()
        record = archive.read("demo_pkg-1.0.dist-info/RECORD").decode()
        assert "demo_pkg/__init__.py,sha256=" in record
    index = FakeIndex([FakePackage("demo-pkg", [FakeRelease("1.0", _day(2024, 1, 1),
                                                            files=(wheel.name,))])])
    index.add_file(wheel)
    with FakeIndexServer(index) as server:
        got = httpx.get(f"{server.url}/files/{wheel.name}")
        assert got.content == wheel.read_bytes()
        html_only = httpx.get(server.url + "/simple/demo-pkg/", headers={"Accept": "text/html"})
        assert html_only.status_code == 406
        with _client(server) as client:
            assert client.package("demo-pkg").releases[0].files == 1
